//! Errors of the codes layer: a malformed code and a refused new PIN.

use super::CodeKind;

/// Why a string or byte slice is not a valid code or half (rules C1-C2).
///
/// No variant carries the input or any of its digits: only lengths, a position and kinds.
/// Lengths are counted in characters (Unicode scalar values) by the `&str` constructors and in
/// bytes by the `from_ascii` constructors; for a valid code both counts agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The input is empty: nothing was typed.
    #[error("the code is empty")]
    Empty,
    /// The input does not have the required number of digits.
    #[error("wrong length: expected {expected} digits, found {found} characters")]
    WrongLength {
        /// The required number of digits (8 for a code, 4 for a half).
        expected: usize,
        /// The number of characters (for `&str`) or bytes (for `&[u8]`) received.
        found: usize,
    },
    /// A character is not one of the ASCII digits `0`-`9` (a letter, a space, a sign, or a
    /// non-ASCII digit such as an Arabic-Indic or fullwidth digit).
    #[error("the character at position {position} (counting from zero) is not an ASCII digit")]
    NotADigit {
        /// Zero-based index of the first offending character (for `&str`) or byte (for `&[u8]`).
        position: usize,
    },
    /// A half of one code was given where a half of the other code was required (a PUK half
    /// to build a PIN, or the reverse).
    #[error("expected a {expected} half, found a {found} half")]
    WrongKind {
        /// The kind of code being built.
        expected: CodeKind,
        /// The kind of the half that was given.
        found: CodeKind,
    },
    /// The code is well formed but refused as a new PIN by [`NewPinRules`](super::NewPinRules).
    #[error(transparent)]
    Quality(#[from] PinQualityError),
}

/// Which rule of [`NewPinRules`](super::NewPinRules) refused a new PIN. Never holds a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PinQualityError {
    /// All the digits of the new PIN are the same (as in `11111111`).
    #[error("the new PIN has all digits equal")]
    AllDigitsEqual,
    /// The digits of the new PIN go up by one each (as in `12345678`).
    #[error("the new PIN is an ascending run of digits")]
    AscendingRun,
    /// The digits of the new PIN go down by one each (as in `87654321`).
    #[error("the new PIN is a descending run of digits")]
    DescendingRun,
    /// The new PIN is the same as the current one.
    #[error("the new PIN is the same as the current PIN")]
    SameAsOld,
}
