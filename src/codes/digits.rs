//! Private parsing of fixed-length ASCII digit strings into a caller-owned buffer.
//!
//! The buffers live inside the secret types, so the digits are written once, in place, and
//! zeroized with their owner; on an error the partly written buffer is wiped here.

use zeroize::Zeroize;

use super::CodeError;

/// Fills `dst` from `s`, which must be exactly `N` characters, each an ASCII digit.
///
/// The length is counted in characters (Unicode scalar values), so a multi-byte character
/// counts as one and is then refused as [`CodeError::NotADigit`]: eight characters one of
/// which is `'٣'` never pass, and neither do seven ASCII digits plus a two-byte character.
pub(crate) fn fill_from_str<const N: usize>(dst: &mut [u8; N], s: &str) -> Result<(), CodeError> {
    let found = s.chars().count();
    if found == 0 {
        return Err(CodeError::Empty);
    }
    if found != N {
        return Err(CodeError::WrongLength { expected: N, found });
    }
    for (position, (slot, c)) in dst.iter_mut().zip(s.chars()).enumerate() {
        if !c.is_ascii_digit() {
            dst.zeroize();
            return Err(CodeError::NotADigit { position });
        }
        // An ASCII digit is a single byte: the conversion cannot fail.
        *slot = u8::try_from(c).unwrap_or(0);
    }
    Ok(())
}

/// Fills `dst` from `bytes`, which must be exactly `N` bytes, each `b'0'..=b'9'`.
pub(crate) fn fill_from_ascii<const N: usize>(
    dst: &mut [u8; N],
    bytes: &[u8],
) -> Result<(), CodeError> {
    if bytes.is_empty() {
        return Err(CodeError::Empty);
    }
    if bytes.len() != N {
        return Err(CodeError::WrongLength {
            expected: N,
            found: bytes.len(),
        });
    }
    for (position, (slot, &b)) in dst.iter_mut().zip(bytes.iter()).enumerate() {
        if !b.is_ascii_digit() {
            dst.zeroize();
            return Err(CodeError::NotADigit { position });
        }
        *slot = b;
    }
    Ok(())
}

/// Writes `****`-style masking for `n` digits, without looking at them.
pub(crate) fn write_mask(f: &mut core::fmt::Formatter<'_>, n: usize) -> core::fmt::Result {
    for _ in 0..n {
        f.write_str("*")?;
    }
    Ok(())
}
