//! The PIN and PUK model (rules C1-C2 of docs/rules.md).
//!
//! - [`Pin`] and [`Puk`]: exactly 8 ASCII digits `'0'..='9'` each (C1).
//! - [`FirstHalf`] and [`SecondHalf`]: digits 1-4 (the receipt from the counter) and digits
//!   5-8 (the letter with the card), each tagged with the [`CodeKind`] it belongs to (C2).
//! - [`NewPinRules`]: which weak new PINs to refuse, apart from parsing.
//! - [`RetryStatus`]: the retry counter of a code as read from the card.
//! - [`CodeError`] and [`PinQualityError`]: typed refusals that never echo a digit.
//!
//! All the secret types are zeroized on drop, are not `Clone`, have no `PartialEq` (they
//! implement [`subtle::ConstantTimeEq`] instead), and print `*` in place of every digit in
//! `Debug` and `Display`. The digits are reached only through `expose_ascii()`.
//!
//! # Lengths
//!
//! The `new(&str)` constructors count characters (Unicode scalar values), the
//! `from_ascii(&[u8])` constructors count bytes. A valid code has as many bytes as
//! characters, so a multi-byte character can never make an 8-"character" string pass: it
//! is refused as [`CodeError::NotADigit`] at its position. Arabic-Indic (`'٣'`) and
//! fullwidth (`'３'`) digits, spaces, signs and the empty string are all typed errors.
//!
//! # Why a half cannot be glued to a whole code
//!
//! The official middleware family had a bug where a cached first half of the PIN was put
//! in front of whatever the user typed, even a full 8-digit PIN, so a wrong 12-digit value
//! reached the card and spent a try. Here that mistake cannot be written:
//!
//! - no constructor takes "4 or 8 digits": [`Pin::new`] takes exactly 8 and a half's `new`
//!   exactly 4, so a string of 4 or 12 digits is refused before any card command;
//! - the only way to join halves is [`Pin::from_halves`], which takes a [`FirstHalf`] and a
//!   [`SecondHalf`] (the types fix the roles, so they cannot be swapped) and refuses a half
//!   of the other code ([`CodeError::WrongKind`]);
//! - there is no way to append to a code or to build one from a half and a string, and
//!   nothing is `Clone`, so a half cannot be cached and re-applied by accident.
//!
//! ```
//! use cie_pinpuk::codes::{CodeError, CodeKind, FirstHalf, Pin, SecondHalf};
//! let first = FirstHalf::new(CodeKind::Pin, "1234")?;   // from the receipt
//! let second = SecondHalf::new(CodeKind::Pin, "5678")?; // from the letter
//! let pin = Pin::from_halves(&first, &second)?;
//! assert_eq!(pin.expose_ascii(), b"12345678");
//! assert_eq!(format!("{pin:?}"), "Pin(********)");
//! // A full PIN typed where a half is expected is refused, not concatenated.
//! assert!(matches!(SecondHalf::new(CodeKind::Pin, "12345678"),
//!                  Err(CodeError::WrongLength { expected: 4, found: 8 })));
//! # Ok::<(), CodeError>(())
//! ```

use core::fmt;

mod code;
mod digits;
mod error;
mod half;
mod retry;
mod rules;

pub use code::{CODE_LEN, Pin, Puk};
pub use error::{CodeError, PinQualityError};
pub use half::{FirstHalf, SecondHalf};
pub use retry::RetryStatus;
pub use rules::NewPinRules;

/// Which of the card's two codes a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeKind {
    /// The PIN (Personal Identification Number), reference 81 on the card.
    Pin,
    /// The PUK (Personal Unblocking Key), reference 82 on the card.
    Puk,
}

impl CodeKind {
    /// The other code: `Pin` for `Puk` and `Puk` for `Pin`.
    pub const fn other(self) -> Self {
        match self {
            Self::Pin => Self::Puk,
            Self::Puk => Self::Pin,
        }
    }
}

impl fmt::Display for CodeKind {
    /// `PIN` or `PUK`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pin => "PIN",
            Self::Puk => "PUK",
        })
    }
}

/// Which half of a code: digits 1-4 (the receipt handed over at the counter) or digits 5-8
/// (the letter in the envelope with the card). Rule C2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    /// Digits 1-4.
    First,
    /// Digits 5-8.
    Second,
}
