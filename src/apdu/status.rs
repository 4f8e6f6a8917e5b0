//! The status word SW1 SW2 that ends every response APDU, as a typed, lossless value.

use core::fmt;

/// A status word (SW1 SW2), with a named variant for every value the crate reacts to.
///
/// The mapping is lossless: `StatusWord::from_u16(x).to_u16() == x` for all 65 536 values,
/// and [`StatusWord::Other`] never holds a value that has a variant of its own, so two
/// status words are equal exactly when their two bytes are.
///
/// Meanings follow ISO/IEC 7816-4 (section 5.6) and the CIE host stacks (docs/protocol.md §4.7 and
/// 5.4).
///
/// ```
/// use cie_pinpuk::apdu::StatusWord;
///
/// let sw = StatusWord::from_bytes(0x63, 0xC2);
/// assert_eq!(sw, StatusWord::VerificationFailed { remaining: 2 });
/// assert_eq!(sw.to_bytes(), [0x63, 0xC2]);
/// assert_eq!(sw.to_string(), "63C2");
/// assert!(!sw.is_success());
/// assert_eq!(StatusWord::from_u16(0x1234), StatusWord::Other(0x1234));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum StatusWord {
    /// `9000`: normal processing.
    Success,
    /// `61xx`: the command worked and `xx` more bytes are available with GET RESPONSE
    /// (`00` means 256 or more).
    BytesAvailable(u8),
    /// `6Cxx`: wrong Le; the exact length is `xx` (`00` means 256).
    WrongLe(u8),
    /// `63Cx`: verification failed, `x` tries remain (0..=15).
    VerificationFailed {
        /// Tries left, from the low nibble of SW2.
        remaining: u8,
    },
    /// `6300`: verification failed, no further information.
    VerificationFailedNoInfo,
    /// `6282`: end of file reached before Le bytes were read (the data may be present).
    EndOfFileReached,
    /// `6581`: memory failure.
    MemoryFailure,
    /// `6400`: execution error, the non-volatile memory is unchanged.
    ExecutionError,
    /// `6700`: wrong length (Lc or Le).
    WrongLength,
    /// `6982`: security status not satisfied.
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked (a blocked PIN or PUK).
    AuthenticationMethodBlocked,
    /// `6984`: reference data not usable.
    ReferenceDataNotUsable,
    /// `6985`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `6987`: expected secure-messaging data objects missing.
    SmObjectsMissing,
    /// `6988`: secure-messaging data objects incorrect.
    SmObjectsIncorrect,
    /// `6882`: secure messaging not supported.
    SmNotSupported,
    /// `6883`: last command of the chain expected.
    LastCommandOfChainExpected,
    /// `6884`: command chaining not supported.
    ChainingNotSupported,
    /// `6A80`: incorrect parameters in the data field.
    WrongData,
    /// `6A82`: file or application not found.
    FileNotFound,
    /// `6A86`: incorrect parameters P1-P2.
    IncorrectP1P2,
    /// `6A88`: referenced data or reference data not found.
    ReferencedDataNotFound,
    /// `6B00`: wrong parameters P1-P2 (for READ BINARY: offset beyond the end of the file).
    WrongP1P2,
    /// `6D00`: instruction code not supported.
    InsNotSupported,
    /// `6E00`: class not supported.
    ClaNotSupported,
    /// `6F00`: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Any other value, kept as is. Never holds a value that has its own variant.
    Other(u16),
}

impl StatusWord {
    /// Maps a 16-bit status word (SW1 in the high byte) to its variant.
    #[must_use]
    pub const fn from_u16(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, n) => Self::BytesAvailable(n),
            (0x6C, n) => Self::WrongLe(n),
            (0x63, 0x00) => Self::VerificationFailedNoInfo,
            (0x63, n) if n & 0xF0 == 0xC0 => Self::VerificationFailed {
                remaining: n & 0x0F,
            },
            (0x62, 0x82) => Self::EndOfFileReached,
            (0x65, 0x81) => Self::MemoryFailure,
            (0x64, 0x00) => Self::ExecutionError,
            (0x67, 0x00) => Self::WrongLength,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationMethodBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x87) => Self::SmObjectsMissing,
            (0x69, 0x88) => Self::SmObjectsIncorrect,
            (0x68, 0x82) => Self::SmNotSupported,
            (0x68, 0x83) => Self::LastCommandOfChainExpected,
            (0x68, 0x84) => Self::ChainingNotSupported,
            (0x6A, 0x80) => Self::WrongData,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x88) => Self::ReferencedDataNotFound,
            (0x6B, 0x00) => Self::WrongP1P2,
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(sw),
        }
    }

    /// Maps SW1 and SW2 to the variant.
    #[must_use]
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self::from_u16(u16::from_be_bytes([sw1, sw2]))
    }

    /// The 16-bit value (SW1 in the high byte).
    ///
    /// For a hand-built [`StatusWord::VerificationFailed`] whose `remaining` exceeds 15 only
    /// the low nibble is kept (`63Cx` has room for no more); values from
    /// [`StatusWord::from_u16`] are always within range.
    #[must_use]
    pub const fn to_u16(self) -> u16 {
        match self {
            Self::Success => 0x9000,
            Self::BytesAvailable(n) => u16::from_be_bytes([0x61, n]),
            Self::WrongLe(n) => u16::from_be_bytes([0x6C, n]),
            Self::VerificationFailed { remaining } => {
                u16::from_be_bytes([0x63, 0xC0 | (remaining & 0x0F)])
            }
            Self::VerificationFailedNoInfo => 0x6300,
            Self::EndOfFileReached => 0x6282,
            Self::MemoryFailure => 0x6581,
            Self::ExecutionError => 0x6400,
            Self::WrongLength => 0x6700,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::AuthenticationMethodBlocked => 0x6983,
            Self::ReferenceDataNotUsable => 0x6984,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::SmObjectsMissing => 0x6987,
            Self::SmObjectsIncorrect => 0x6988,
            Self::SmNotSupported => 0x6882,
            Self::LastCommandOfChainExpected => 0x6883,
            Self::ChainingNotSupported => 0x6884,
            Self::WrongData => 0x6A80,
            Self::FileNotFound => 0x6A82,
            Self::IncorrectP1P2 => 0x6A86,
            Self::ReferencedDataNotFound => 0x6A88,
            Self::WrongP1P2 => 0x6B00,
            Self::InsNotSupported => 0x6D00,
            Self::ClaNotSupported => 0x6E00,
            Self::NoPreciseDiagnosis => 0x6F00,
            Self::Other(v) => v,
        }
    }

    /// SW1 and SW2.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 2] {
        self.to_u16().to_be_bytes()
    }

    /// SW1 alone.
    #[must_use]
    pub const fn sw1(self) -> u8 {
        self.to_bytes()[0]
    }

    /// SW2 alone.
    #[must_use]
    pub const fn sw2(self) -> u8 {
        self.to_bytes()[1]
    }

    /// `true` for `9000` only.
    #[must_use]
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Success)
    }

    /// `true` for the warning statuses `62xx` and `63xx` (processing done, with a warning;
    /// the data field may be present).
    #[must_use]
    pub const fn is_warning(self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }

    /// A short English description of the status, for logs and error messages.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::BytesAvailable(_) => "more response bytes available",
            Self::WrongLe(_) => "wrong Le, exact length given",
            Self::VerificationFailed { .. } => "verification failed, tries remaining",
            Self::VerificationFailedNoInfo => "verification failed",
            Self::EndOfFileReached => "end of file reached before Le bytes",
            Self::MemoryFailure => "memory failure",
            Self::ExecutionError => "execution error",
            Self::WrongLength => "wrong length",
            Self::SecurityStatusNotSatisfied => "security status not satisfied",
            Self::AuthenticationMethodBlocked => "authentication method blocked",
            Self::ReferenceDataNotUsable => "reference data not usable",
            Self::ConditionsNotSatisfied => "conditions of use not satisfied",
            Self::SmObjectsMissing => "expected secure messaging data objects missing",
            Self::SmObjectsIncorrect => "secure messaging data objects incorrect",
            Self::SmNotSupported => "secure messaging not supported",
            Self::LastCommandOfChainExpected => "last command of the chain expected",
            Self::ChainingNotSupported => "command chaining not supported",
            Self::WrongData => "incorrect data field",
            Self::FileNotFound => "file or application not found",
            Self::IncorrectP1P2 => "incorrect parameters P1-P2",
            Self::ReferencedDataNotFound => "referenced data not found",
            Self::WrongP1P2 => "wrong parameters P1-P2",
            Self::InsNotSupported => "instruction not supported",
            Self::ClaNotSupported => "class not supported",
            Self::NoPreciseDiagnosis => "no precise diagnosis",
            Self::Other(_) => "unknown status",
        }
    }
}

impl From<u16> for StatusWord {
    fn from(sw: u16) -> Self {
        Self::from_u16(sw)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> Self {
        sw.to_u16()
    }
}

impl fmt::Display for StatusWord {
    /// The four upper-case hex digits, e.g. `6982`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.to_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_word_round_trip_is_exhaustive() {
        for v in 0..=u16::MAX {
            let sw = StatusWord::from_u16(v);
            assert_eq!(sw.to_u16(), v);
            assert_eq!(StatusWord::from_bytes(sw.sw1(), sw.sw2()), sw);
            if let StatusWord::Other(x) = sw {
                assert_eq!(x, v);
            }
        }
    }
}
