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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_fill_from_str_writes_in_place() {
        let mut dst = [0u8; 4];
        fill_from_str(&mut dst, "0917").unwrap();
        assert_eq!(&dst, b"0917");
    }

    #[test]
    fn n2_fill_from_str_wipes_a_partly_written_buffer() {
        let mut dst = [0u8; 4];
        assert_eq!(
            fill_from_str(&mut dst, "091x"),
            Err(CodeError::NotADigit { position: 3 })
        );
        assert_eq!(dst, [0; 4]);
        let mut dst = [0u8; 4];
        assert_eq!(
            fill_from_ascii(&mut dst, b"09\xd9\xa3"),
            Err(CodeError::NotADigit { position: 2 })
        );
        assert_eq!(dst, [0; 4]);
    }

    #[test]
    fn n2_lengths_are_chars_for_str_and_bytes_for_ascii() {
        let mut dst = [0u8; 4];
        // "09٣" is 3 characters and 4 bytes.
        assert_eq!(
            fill_from_str(&mut dst, "09٣"),
            Err(CodeError::WrongLength {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            fill_from_ascii(&mut dst, "09٣".as_bytes()),
            Err(CodeError::NotADigit { position: 2 })
        );
    }

    #[test]
    fn n1_empty_is_its_own_error() {
        let mut dst = [0u8; 8];
        assert_eq!(fill_from_str(&mut dst, ""), Err(CodeError::Empty));
        assert_eq!(fill_from_ascii(&mut dst, b""), Err(CodeError::Empty));
    }
}
