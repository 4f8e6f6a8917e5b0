//! Big-number and byte helpers shared by the DH and RSA code: fixed 2048-bit integers from
//! big-endian bytes and back, a tiny DER reader/writer and a compile-time hex reader for the
//! embedded key files.

use alloc::vec::Vec;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U2048};
use zeroize::Zeroizing;

/// Largest supported size of a modulus, a DH prime or an exponent, in bytes.
pub(crate) const MAX_BYTES: usize = 256;

/// Montgomery parameters for `U2048`.
pub(crate) type Params = FixedMontyParams<{ U2048::LIMBS }>;
/// A residue in Montgomery form modulo a runtime odd modulus of up to 2048 bits.
pub(crate) type Residue = FixedMontyForm<{ U2048::LIMBS }>;

/// The bytes after the leading zero bytes.
pub(crate) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

/// Parses big-endian bytes (leading zeros allowed) into a `U2048`; `None` if the value has
/// more than 2048 significant bits.
pub(crate) fn to_uint(bytes: &[u8]) -> Option<U2048> {
    let digits = strip_zeros(bytes);
    let mut buf = Zeroizing::new([0u8; MAX_BYTES]);
    let start = MAX_BYTES.checked_sub(digits.len())?;
    buf.get_mut(start..)?.copy_from_slice(digits);
    Some(U2048::from_be_slice(buf.as_slice()))
}

/// Writes `x` big-endian into `out`, left-padded with zeros to `out.len()`. `None` if the
/// value does not fit or `out` is longer than 256 bytes.
pub(crate) fn write_fixed(x: &U2048, out: &mut [u8]) -> Option<()> {
    let full: Zeroizing<[u8; MAX_BYTES]> = Zeroizing::new(x.to_be_bytes().into());
    let start = MAX_BYTES.checked_sub(out.len())?;
    let (head, tail) = full.split_at(start);
    if head.iter().any(|b| *b != 0) {
        return None;
    }
    out.copy_from_slice(tail);
    Some(())
}

/// `x` as exactly `len` big-endian bytes.
pub(crate) fn to_fixed(x: &U2048, len: usize) -> Option<Vec<u8>> {
    let mut out = alloc::vec![0u8; len];
    write_fixed(x, &mut out)?;
    Some(out)
}

/// Minimal big-endian bytes of `x` (empty for zero).
#[cfg(test)]
pub(crate) fn to_minimal(x: &U2048) -> Vec<u8> {
    let full: [u8; MAX_BYTES] = x.to_be_bytes().into();
    strip_zeros(&full).to_vec()
}

/// Montgomery parameters for an odd modulus, `None` if it is even or zero.
pub(crate) fn params_for(modulus: &U2048) -> Option<Params> {
    let odd: Option<Odd<U2048>> = Odd::new(*modulus).into_option();
    odd.map(Params::new_vartime)
}

/// Appends a DER length to `out`.
pub(crate) fn push_der_len(out: &mut Vec<u8>, len: usize) {
    // Lengths here are below 65 536 (certificates of a few hundred bytes).
    let bytes = len.to_be_bytes();
    let digits = strip_zeros(&bytes);
    if len < 0x80 {
        out.extend_from_slice(digits.last().map_or(&[0u8][..], core::slice::from_ref));
    } else {
        // At most 8 length bytes, so the count fits a u8.
        let count = u8::try_from(digits.len()).unwrap_or(0);
        out.push(0x80 | count);
        out.extend_from_slice(digits);
    }
}

/// Appends `tag ‖ len ‖ value` (tag given as its bytes).
pub(crate) fn push_tlv(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    push_der_len(out, value.len());
    out.extend_from_slice(value);
}

/// Reads one TLV with the given tag bytes from the start of `input`: returns the value and
/// the rest. Accepts the short form and the `81`/`82` long forms of the length; refuses
/// indefinite and longer forms, and a length beyond the input.
pub(crate) fn read_tlv<'a>(input: &'a [u8], tag: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let rest = input.strip_prefix(tag)?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0x00..=0x7F => (usize::from(first), rest),
        0x81 => {
            let (&b, rest) = rest.split_first()?;
            (usize::from(b), rest)
        }
        0x82 => {
            let (hi, rest) = rest.split_first()?;
            let (lo, rest) = rest.split_first()?;
            (usize::from(u16::from_be_bytes([*hi, *lo])), rest)
        }
        _ => return None,
    };
    if len > rest.len() {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    Some((value, rest))
}

/// Compile-time reader of the embedded key files: finds the line that starts with `label`
/// and decodes the hex lines after it (up to the first blank line) into exactly `N` bytes.
/// `None` if the label is missing, a character is not hex, or the length differs.
#[allow(
    clippy::indexing_slicing,
    reason = "const fn for compile-time use; `count < N` is checked just before the index"
)]
pub(crate) const fn hex_section<const N: usize>(text: &[u8], label: &[u8]) -> Option<[u8; N]> {
    // Find the label at the start of a line.
    let mut rest = text;
    let mut at_line_start = true;
    loop {
        if at_line_start && starts_with(rest, label) {
            break;
        }
        match rest {
            [] => return None,
            [b, tail @ ..] => {
                at_line_start = *b == b'\n';
                rest = tail;
            }
        }
    }
    // Skip the rest of the label line.
    loop {
        match rest {
            [] => return None,
            [b'\n', tail @ ..] => {
                rest = tail;
                break;
            }
            [_, tail @ ..] => rest = tail,
        }
    }
    let mut out = [0u8; N];
    let mut count = 0usize;
    let mut high: Option<u8> = None;
    let mut previous_newline = true;
    loop {
        match rest {
            [] => break,
            [b'\n', tail @ ..] => {
                if previous_newline {
                    break;
                }
                previous_newline = true;
                rest = tail;
            }
            [b'\r', tail @ ..] => rest = tail,
            [c, tail @ ..] => {
                previous_newline = false;
                let nibble = match hex_digit(*c) {
                    Some(v) => v,
                    None => return None,
                };
                match high {
                    None => high = Some(nibble),
                    Some(h) => {
                        if count >= N {
                            return None;
                        }
                        out[count] = (h << 4) | nibble;
                        count = count.wrapping_add(1);
                        high = None;
                    }
                }
                rest = tail;
            }
        }
    }
    if count == N && high.is_none() {
        Some(out)
    } else {
        None
    }
}

const fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    let mut s = s;
    let mut p = prefix;
    loop {
        match (p, s) {
            ([], _) => return true,
            ([a, pt @ ..], [b, st @ ..]) => {
                if *a != *b {
                    return false;
                }
                p = pt;
                s = st;
            }
            (_, []) => return false,
        }
    }
}

const fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
        b'A'..=b'F' => Some(c.wrapping_sub(b'A').wrapping_add(10)),
        b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
        _ => None,
    }
}

/// Reads a hex section at compile time and fails the build if it is missing or malformed.
macro_rules! embedded_hex {
    ($text:expr, $label:expr, $n:expr) => {{
        const PARSED: Option<[u8; $n]> =
            $crate::auth::num::hex_section::<$n>($text.as_bytes(), $label.as_bytes());
        const _: () = assert!(PARSED.is_some(), "embedded key file: bad section");
        match PARSED {
            Some(v) => v,
            None => [0u8; $n],
        }
    }};
}
pub(crate) use embedded_hex;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn der_len_forms() {
        let mut v = Vec::new();
        push_der_len(&mut v, 5);
        push_der_len(&mut v, 0x80);
        push_der_len(&mut v, 0x160);
        assert_eq!(v, [0x05, 0x81, 0x80, 0x82, 0x01, 0x60]);
    }

    #[test]
    fn hex_section_reads_block() {
        let text = "# c\nfoo (2 bytes):\n0A0b\n\nbar:\n01\n02\n\n";
        assert_eq!(
            hex_section::<2>(text.as_bytes(), b"foo"),
            Some([0x0A, 0x0B])
        );
        assert_eq!(hex_section::<2>(text.as_bytes(), b"bar"), Some([1, 2]));
        assert_eq!(hex_section::<3>(text.as_bytes(), b"bar"), None);
        assert_eq!(hex_section::<2>(text.as_bytes(), b"baz"), None);
    }

    proptest! {
        #[test]
        fn tlv_round_trip(value in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut out = Vec::new();
            push_tlv(&mut out, &[0x5F, 0x37], &value);
            let (v, rest) = read_tlv(&out, &[0x5F, 0x37]).unwrap();
            prop_assert_eq!(v, &value[..]);
            prop_assert!(rest.is_empty());
        }

        #[test]
        fn uint_round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..=256)) {
            let x = to_uint(&bytes).unwrap();
            prop_assert_eq!(to_fixed(&x, bytes.len()).unwrap(), bytes.clone());
            prop_assert_eq!(to_minimal(&x), strip_zeros(&bytes).to_vec());
        }
    }
}
