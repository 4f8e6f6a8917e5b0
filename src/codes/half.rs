//! [`FirstHalf`] and [`SecondHalf`]: the two 4-digit halves of a PIN or a PUK (rule C2).

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::digits::{fill_from_ascii, fill_from_str, write_mask};
use super::{CodeError, CodeKind, Half};

/// Number of digits in a half.
pub(crate) const HALF_LEN: usize = 4;

macro_rules! half_type {
    (
        $(#[$meta:meta])*
        $name:ident, $role:expr, $role_text:literal, $example:literal
    ) => {
        $(#[$meta])*
        #[derive(Zeroize, ZeroizeOnDrop)]
        pub struct $name {
            #[zeroize(skip)]
            kind: CodeKind,
            digits: [u8; HALF_LEN],
        }

        impl $name {
            /// Which half this type is.
            pub const ROLE: Half = $role;

            #[doc = concat!("Parses the ", $role_text, " of a code of the given kind from exactly")]
            /// 4 ASCII digits `'0'..='9'`. The length is counted in characters: any other
            /// character, including a non-ASCII digit, is a [`CodeError::NotADigit`].
            ///
            /// ```
            #[doc = concat!("use cie_pinpuk::codes::{CodeKind, CodeError, ", stringify!($name), "};")]
            #[doc = concat!("let half = ", stringify!($name), "::new(CodeKind::Pin, \"", $example, "\")?;")]
            /// assert_eq!(half.kind(), CodeKind::Pin);
            #[doc = concat!("assert_eq!(half.expose_ascii(), b\"", $example, "\");")]
            #[doc = concat!("assert!(", stringify!($name), "::new(CodeKind::Pin, \"12345\").is_err());")]
            /// # Ok::<(), CodeError>(())
            /// ```
            pub fn new(kind: CodeKind, s: &str) -> Result<Self, CodeError> {
                let mut half = Self { kind, digits: [0; HALF_LEN] };
                fill_from_str(&mut half.digits, s)?;
                Ok(half)
            }

            #[doc = concat!("Parses the ", $role_text, " of a code of the given kind from exactly")]
            /// 4 bytes, each `b'0'..=b'9'`.
            pub fn from_ascii(kind: CodeKind, bytes: &[u8]) -> Result<Self, CodeError> {
                let mut half = Self { kind, digits: [0; HALF_LEN] };
                fill_from_ascii(&mut half.digits, bytes)?;
                Ok(half)
            }

            /// Builds a half from digits already checked, copying them in place.
            pub(crate) fn from_checked_digits<'a>(
                kind: CodeKind,
                digits: impl Iterator<Item = &'a u8>,
            ) -> Self {
                let mut half = Self { kind, digits: [0; HALF_LEN] };
                for (slot, d) in half.digits.iter_mut().zip(digits) {
                    *slot = *d;
                }
                half
            }

            /// Whether this half belongs to a PIN or to a PUK.
            pub fn kind(&self) -> CodeKind {
                self.kind
            }

            /// Which half this is (always [`Self::ROLE`]).
            pub fn half(&self) -> Half {
                Self::ROLE
            }

            /// The 4 ASCII digits. This is the only way to reach them; use it only to build a
            /// card command or to hand the half to the holder, and never log the result.
            pub fn expose_ascii(&self) -> &[u8; HALF_LEN] {
                &self.digits
            }
        }

        impl ConstantTimeEq for $name {
            /// Equal when the kinds are equal and the digits are equal; the digits are
            /// compared in constant time.
            fn ct_eq(&self, other: &Self) -> Choice {
                let same_kind = Choice::from(u8::from(self.kind == other.kind));
                same_kind & self.digits.as_slice().ct_eq(other.digits.as_slice())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("kind", &self.kind)
                    .finish_non_exhaustive()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {} ", self.kind, $role_text)?;
                write_mask(f, HALF_LEN)
            }
        }
    };
}

half_type!(
    /// Digits 1-4 of a PIN or a PUK: the part printed on the receipt handed over at the counter
    /// when the card is requested (rule C2). Knows which code it belongs to.
    ///
    /// Zeroized on drop, not `Clone`; `Debug` and `Display` show no digit.
    FirstHalf,
    Half::First,
    "first half",
    "1234"
);

half_type!(
    /// Digits 5-8 of a PIN or a PUK: the part in the letter in the sealed envelope with the
    /// card (rule C2). Knows which code it belongs to.
    ///
    /// Zeroized on drop, not `Clone`; `Debug` and `Display` show no digit.
    SecondHalf,
    Half::Second,
    "second half",
    "5678"
);
