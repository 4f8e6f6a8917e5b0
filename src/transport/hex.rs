//! The small hex codec of the transcript format: uppercase out, case-insensitive in, with
//! spaces and tabs allowed between digits.

use alloc::vec::Vec;
use core::fmt;

/// Displays bytes as contiguous uppercase hex (`9000`).
#[derive(Clone, Copy)]
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

/// Why a hex field did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HexProblem {
    /// A character that is neither a hex digit nor a space or tab.
    BadDigit(char),
    /// An odd number of digits.
    OddLength,
}

fn nibble(c: char) -> Option<u8> {
    let value = c.to_digit(16)?;
    u8::try_from(value).ok()
}

/// Decodes `text` (hex digits in either case, spaces and tabs ignored).
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, HexProblem> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for c in text.chars() {
        if c == ' ' || c == '\t' {
            continue;
        }
        let value = nibble(c).ok_or(HexProblem::BadDigit(c))?;
        match high.take() {
            None => high = Some(value),
            Some(h) => out.push((h << 4) | value),
        }
    }
    if high.is_some() {
        return Err(HexProblem::OddLength);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn hex_decodes_mixed_case_with_spaces() {
        assert_eq!(
            decode("00a4 04 0C\t9f").unwrap(),
            [0x00, 0xA4, 0x04, 0x0C, 0x9F]
        );
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode("9 000").unwrap(), [0x90, 0x00]);
    }

    #[test]
    fn hex_rejects_bad_digits_and_odd_length() {
        assert_eq!(decode("90G0"), Err(HexProblem::BadDigit('G')));
        assert_eq!(decode("900"), Err(HexProblem::OddLength));
        assert_eq!(decode("９０"), Err(HexProblem::BadDigit('９')));
    }

    #[test]
    fn hex_displays_uppercase() {
        assert_eq!(Hex(&[0x00, 0xab, 0x9f]).to_string(), "00AB9F");
    }
}
