//! [`Pin`] and [`Puk`]: the two 8-digit codes of the card (rule C1).

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::digits::{fill_from_ascii, fill_from_str, write_mask};
use super::half::HALF_LEN;
use super::{CodeError, CodeKind, FirstHalf, SecondHalf};

/// Number of digits in a PIN or a PUK (rule C1).
pub const CODE_LEN: usize = 8;

macro_rules! code_type {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:expr, $text:literal, $example:literal
    ) => {
        $(#[$meta])*
        #[derive(Zeroize, ZeroizeOnDrop)]
        pub struct $name {
            digits: [u8; CODE_LEN],
        }

        impl $name {
            /// The kind of code this type holds.
            pub const KIND: CodeKind = $kind;

            #[doc = concat!("Parses a ", $text, " from exactly 8 ASCII digits `'0'..='9'`.")]
            ///
            /// The length is counted in characters (Unicode scalar values): a string of 8
            /// characters one of which is not an ASCII digit (a letter, a space, `'٣'`, `'３'`)
            /// is a [`CodeError::NotADigit`], never a valid code. There is no 4-digit form:
            /// halves go through [`FirstHalf`] and [`SecondHalf`].
            ///
            /// ```
            #[doc = concat!("use cie_pinpuk::codes::{CodeError, ", stringify!($name), "};")]
            #[doc = concat!("let code = ", stringify!($name), "::new(\"", $example, "\")?;")]
            #[doc = concat!("assert_eq!(code.expose_ascii(), b\"", $example, "\");")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(\"\").err(), Some(CodeError::Empty));")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(\"1234\").err(),")]
            ///     Some(CodeError::WrongLength { expected: 8, found: 4 }));
            /// # Ok::<(), CodeError>(())
            /// ```
            pub fn new(s: &str) -> Result<Self, CodeError> {
                let mut code = Self { digits: [0; CODE_LEN] };
                fill_from_str(&mut code.digits, s)?;
                Ok(code)
            }

            #[doc = concat!("Parses a ", $text, " from exactly 8 bytes, each `b'0'..=b'9'`.")]
            /// The length is counted in bytes.
            pub fn from_ascii(bytes: &[u8]) -> Result<Self, CodeError> {
                let mut code = Self { digits: [0; CODE_LEN] };
                fill_from_ascii(&mut code.digits, bytes)?;
                Ok(code)
            }

            #[doc = concat!("Joins the two halves of a ", $text, ".")]
            ///
            /// The roles are fixed by the types (a [`SecondHalf`] cannot be passed as the
            /// first one), and a half of the other code is refused with
            /// [`CodeError::WrongKind`].
            ///
            /// ```
            #[doc = concat!("use cie_pinpuk::codes::{CodeError, CodeKind, FirstHalf, SecondHalf, ", stringify!($name), "};")]
            #[doc = concat!("let first = FirstHalf::new(", stringify!($kind), ", \"1234\")?;")]
            #[doc = concat!("let second = SecondHalf::new(", stringify!($kind), ", \"5678\")?;")]
            #[doc = concat!("let code = ", stringify!($name), "::from_halves(&first, &second)?;")]
            /// assert_eq!(code.expose_ascii(), b"12345678");
            ///
            #[doc = concat!("let other = FirstHalf::new(", stringify!($kind), ".other(), \"1234\")?;")]
            #[doc = concat!("assert!(matches!(", stringify!($name), "::from_halves(&other, &second),")]
            ///     Err(CodeError::WrongKind { .. })));
            /// # Ok::<(), CodeError>(())
            /// ```
            pub fn from_halves(first: &FirstHalf, second: &SecondHalf) -> Result<Self, CodeError> {
                for found in [first.kind(), second.kind()] {
                    if found != Self::KIND {
                        return Err(CodeError::WrongKind { expected: Self::KIND, found });
                    }
                }
                let mut code = Self { digits: [0; CODE_LEN] };
                let joined = first.expose_ascii().iter().chain(second.expose_ascii().iter());
                for (slot, d) in code.digits.iter_mut().zip(joined) {
                    *slot = *d;
                }
                Ok(code)
            }

            #[doc = concat!("Digits 1-4, as a [`FirstHalf`] of kind [`", stringify!($kind), "`].")]
            pub fn first_half(&self) -> FirstHalf {
                FirstHalf::from_checked_digits(Self::KIND, self.digits.iter().take(HALF_LEN))
            }

            #[doc = concat!("Digits 5-8, as a [`SecondHalf`] of kind [`", stringify!($kind), "`].")]
            pub fn second_half(&self) -> SecondHalf {
                SecondHalf::from_checked_digits(Self::KIND, self.digits.iter().skip(HALF_LEN))
            }

            /// Which code this is (always [`Self::KIND`]).
            pub fn kind(&self) -> CodeKind {
                Self::KIND
            }

            /// The 8 ASCII digits.
            ///
            /// This is the one way to reach the digits, meant for the APDU layer that builds
            /// the card command (inside secure messaging) and for a virtual card that compares
            /// them. Never log, print or store the result; copies are not zeroized for you.
            pub fn expose_ascii(&self) -> &[u8; CODE_LEN] {
                &self.digits
            }
        }

        impl ConstantTimeEq for $name {
            /// Compares the digits in constant time.
            fn ct_eq(&self, other: &Self) -> Choice {
                self.digits.as_slice().ct_eq(other.digits.as_slice())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "("))?;
                write_mask(f, CODE_LEN)?;
                f.write_str(")")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($text, " "))?;
                write_mask(f, CODE_LEN)
            }
        }
    };
}

code_type!(
    /// The PIN of the card: exactly 8 ASCII digits (rule C1), reference 81 on the card.
    ///
    /// Zeroized on drop, not `Clone`, no `PartialEq` (use [`ConstantTimeEq`]); `Debug` and
    /// `Display` print `********` instead of the digits.
    Pin,
    CodeKind::Pin,
    "PIN",
    "12345678"
);

code_type!(
    /// The PUK of the card: exactly 8 ASCII digits (rule C1), reference 82 on the card.
    /// It unblocks a blocked PIN and sets a new one (rule C4).
    ///
    /// Zeroized on drop, not `Clone`, no `PartialEq` (use [`ConstantTimeEq`]); `Debug` and
    /// `Display` print `********` instead of the digits.
    Puk,
    CodeKind::Puk,
    "PUK",
    "87654321"
);
