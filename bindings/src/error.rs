//! The errors across the boundary: one exception type, [`CieError`], whose variants each carry
//! the crate's typed cause (an enum the host can match on) and its localised text.
//!
//! Nothing in an error holds a digit of a code or an APDU body: only kinds, counts, status
//! words and positions, as in the crate's own errors.

use cie_pinpuk::Error;
use cie_pinpuk::card::{CardError, PinError, Step};
use cie_pinpuk::codes::{CodeError, PinQualityError};
use cie_pinpuk::transport::{TransportError, TransportErrorKind};

use crate::text::{CardMedium, LocalisedText, localise};
use crate::transport::CommandTooLong;

/// Which code a PIN command concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CodeKind {
    /// The PIN (8 digits, reference 81).
    Pin,
    /// The PUK (8 digits, reference 82).
    Puk,
}

impl From<cie_pinpuk::codes::CodeKind> for CodeKind {
    fn from(k: cie_pinpuk::codes::CodeKind) -> CodeKind {
        match k {
            cie_pinpuk::codes::CodeKind::Pin => CodeKind::Pin,
            cie_pinpuk::codes::CodeKind::Puk => CodeKind::Puk,
        }
    }
}

/// Why a new PIN was refused before anything was sent (`PinQualityError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PinQuality {
    /// All eight digits equal.
    AllDigitsEqual,
    /// An ascending run (`12345678`).
    AscendingRun,
    /// A descending run (`87654321`).
    DescendingRun,
    /// The same as the current PIN.
    SameAsOld,
    /// A rule of a newer version of the crate.
    Other,
}

impl From<PinQualityError> for PinQuality {
    fn from(e: PinQualityError) -> PinQuality {
        match e {
            PinQualityError::AllDigitsEqual => PinQuality::AllDigitsEqual,
            PinQualityError::AscendingRun => PinQuality::AscendingRun,
            PinQualityError::DescendingRun => PinQuality::DescendingRun,
            PinQualityError::SameAsOld => PinQuality::SameAsOld,
            _ => PinQuality::Other,
        }
    }
}

/// Why a typed string is not a code (`CodeError`); nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CodeCause {
    /// Nothing was typed.
    Empty,
    /// Not the required number of digits.
    WrongLength {
        /// 8 for a code, 4 for a half.
        expected: u32,
        /// The number of characters typed.
        found: u32,
    },
    /// The character at `position` (from zero) is not an ASCII digit.
    NotADigit {
        /// Its position.
        position: u32,
    },
    /// A half of the other code.
    WrongKind {
        /// The code being built.
        expected: CodeKind,
        /// The code the half belongs to.
        found: CodeKind,
    },
    /// Well formed, but refused as a new PIN.
    Quality {
        /// The rule.
        reason: PinQuality,
    },
    /// A case of a newer version of the crate.
    Other,
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<CodeError> for CodeCause {
    fn from(e: CodeError) -> CodeCause {
        match e {
            CodeError::Empty => CodeCause::Empty,
            CodeError::WrongLength { expected, found } => CodeCause::WrongLength {
                expected: u32_of(expected),
                found: u32_of(found),
            },
            CodeError::NotADigit { position } => CodeCause::NotADigit {
                position: u32_of(position),
            },
            CodeError::WrongKind { expected, found } => CodeCause::WrongKind {
                expected: expected.into(),
                found: found.into(),
            },
            CodeError::Quality(q) => CodeCause::Quality { reason: q.into() },
            _ => CodeCause::Other,
        }
    }
}

/// What went wrong below the APDU level (`TransportError`), whether reported by the host's
/// transport or found by the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TransportCause {
    /// The card left the reader or the NFC field.
    CardRemoved,
    /// The reader disappeared.
    ReaderGone,
    /// The system's smart-card service is not running.
    ServiceUnavailable,
    /// The card was reset.
    Reset,
    /// No answer in time.
    Timeout,
    /// The card or reader is in use by another application.
    Busy,
    /// The answer is longer than the buffer.
    BufferTooSmall {
        /// Bytes needed.
        needed: u32,
    },
    /// A command longer than the transport's maximum: refused by the adapter, not sent.
    CommandTooLong {
        /// The command's length.
        length: u32,
        /// The transport's maximum.
        max: u32,
    },
    /// Any other failure of the host's stack (its message is in the error's `detail`).
    Other,
}

impl From<TransportErrorKind> for TransportCause {
    fn from(k: TransportErrorKind) -> TransportCause {
        match k {
            TransportErrorKind::CardRemoved => TransportCause::CardRemoved,
            TransportErrorKind::ReaderGone => TransportCause::ReaderGone,
            TransportErrorKind::ServiceUnavailable => TransportCause::ServiceUnavailable,
            TransportErrorKind::Reset => TransportCause::Reset,
            TransportErrorKind::Timeout => TransportCause::Timeout,
            TransportErrorKind::Busy => TransportCause::Busy,
            TransportErrorKind::BufferTooSmall { needed } => TransportCause::BufferTooSmall {
                needed: u32_of(needed),
            },
            _ => TransportCause::Other,
        }
    }
}

impl From<&TransportError> for TransportCause {
    fn from(e: &TransportError) -> TransportCause {
        if let TransportError::Other(source) = e
            && let Some(long) = source.downcast_ref::<CommandTooLong>()
        {
            return TransportCause::CommandTooLong {
                length: u32_of(long.length),
                max: u32_of(long.max),
            };
        }
        TransportErrorKind::of(e).into()
    }
}

/// The outcome of a PIN or PUK command that did not succeed (`PinError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PinCause {
    /// Wrong code; the card says how many tries are left.
    Wrong {
        /// Which code.
        code: CodeKind,
        /// Tries left.
        remaining: u8,
    },
    /// Wrong code; the card gave no count.
    WrongNoCount {
        /// Which code.
        code: CodeKind,
    },
    /// The PIN is blocked: unblock it with the PUK.
    Blocked,
    /// The PUK is blocked: the card's PIN can no longer be restored.
    PukBlocked,
    /// Refused before sending: the last try, not confirmed (`LastTry.CONFIRMED`). Nothing sent.
    LastTryGuard {
        /// Which code.
        code: CodeKind,
        /// Tries left (1).
        remaining: u8,
    },
    /// Refused before sending: the card cannot report this counter; confirm to try.
    CounterUnreadable {
        /// Which code.
        code: CodeKind,
    },
    /// The card refused the code's length (6700).
    WrongLength,
    /// Security status not satisfied (6982).
    NotAuthorized,
    /// The card failed in the middle of a PIN change: query the status first.
    StateUnknown {
        /// The card's status word.
        sw: u16,
    },
    /// The command was interrupted after it may have reached the card: whether a try was
    /// spent is unknown; the next session queries the counter first.
    CounterUnknown {
        /// Which code.
        code: CodeKind,
        /// What interrupted it.
        cause: TransportCause,
    },
    /// The new PIN breaks a rule; nothing sent.
    Quality {
        /// The rule.
        reason: PinQuality,
    },
    /// The new PIN and its confirmation differ; nothing sent.
    ConfirmationMismatch,
    /// Any other answer of the card.
    Card {
        /// The card's status word.
        sw: u16,
    },
    /// A case of a newer version of the crate.
    Other,
}

impl From<&PinError> for PinCause {
    fn from(e: &PinError) -> PinCause {
        match *e {
            PinError::Wrong { code, remaining } => PinCause::Wrong {
                code: code.into(),
                remaining,
            },
            PinError::WrongNoCount { code } => PinCause::WrongNoCount { code: code.into() },
            PinError::Blocked => PinCause::Blocked,
            PinError::PukBlocked => PinCause::PukBlocked,
            PinError::LastTryGuard { code, remaining } => PinCause::LastTryGuard {
                code: code.into(),
                remaining,
            },
            PinError::CounterUnreadable { code } => {
                PinCause::CounterUnreadable { code: code.into() }
            }
            PinError::WrongLength => PinCause::WrongLength,
            PinError::NotAuthorized => PinCause::NotAuthorized,
            PinError::StateUnknown { sw } => PinCause::StateUnknown { sw: sw.into() },
            PinError::CounterUnknown { code, cause } => PinCause::CounterUnknown {
                code: code.into(),
                cause: cause.into(),
            },
            PinError::Quality(q) => PinCause::Quality { reason: q.into() },
            PinError::ConfirmationMismatch => PinCause::ConfirmationMismatch,
            PinError::Card { sw } => PinCause::Card { sw: sw.into() },
            _ => PinCause::Other,
        }
    }
}

/// A step of the card protocol, named where a card error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CardStep {
    /// Selecting the application.
    Select,
    /// READ BINARY.
    ReadFile,
    /// GET DATA.
    GetData,
    /// The key agreement.
    KeyAgreement,
    /// Device authentication.
    DeviceAuthentication,
    /// A PIN or PUK command.
    PinCommand,
    /// The servizi internal authentication.
    ServiziAuthentication,
    /// A step of a newer version of the crate.
    Other,
}

impl From<Step> for CardStep {
    fn from(s: Step) -> CardStep {
        match s {
            Step::Select => CardStep::Select,
            Step::ReadFile => CardStep::ReadFile,
            Step::GetData => CardStep::GetData,
            Step::KeyAgreement => CardStep::KeyAgreement,
            Step::DeviceAuthentication => CardStep::DeviceAuthentication,
            Step::PinCommand => CardStep::PinCommand,
            Step::ServiziAuthentication => CardStep::ServiziAuthentication,
            _ => CardStep::Other,
        }
    }
}

/// What went wrong with the card or the session beyond the PIN (`CardError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CardCause {
    /// The session is closed: open a new one.
    SessionClosed,
    /// The card was reset: its security status is lost.
    SecurityStatusLost,
    /// The card answered a status word during a step.
    Status {
        /// The step.
        step: CardStep,
        /// The status word.
        sw: u16,
    },
    /// A malformed answer during a step.
    Malformed {
        /// The step.
        step: CardStep,
    },
    /// An unprotected status word inside secure messaging: the session is lost.
    Unprotected {
        /// The status word.
        sw: u16,
    },
    /// A case of a newer version of the crate.
    Other,
}

impl From<&CardError> for CardCause {
    fn from(e: &CardError) -> CardCause {
        match *e {
            CardError::SessionClosed => CardCause::SessionClosed,
            CardError::SecurityStatusLost => CardCause::SecurityStatusLost,
            CardError::Status { step, sw } => CardCause::Status {
                step: step.into(),
                sw: sw.into(),
            },
            CardError::Malformed { step } => CardCause::Malformed { step: step.into() },
            CardError::Unprotected { sw } => CardCause::Unprotected { sw: sw.into() },
            _ => CardCause::Other,
        }
    }
}

/// The layer of a protocol failure that has no cause enum of its own across the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ProtocolLayer {
    /// A malformed or unencodable APDU.
    Apdu,
    /// A malformed BER-TLV structure.
    Tlv,
    /// The secure-messaging channel failed (and is closed).
    SecureMessaging,
    /// Key agreement or device authentication failed.
    Authentication,
    /// The card-possession proof of the PUK recovery failed.
    PossessionProof,
    /// A layer of a newer version of the crate.
    Other,
}

/// Every error of the bindings: the crate's typed cause, its localised text, and `detail`,
/// the English cause chain for a log (never a digit of a code, never an APDU body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CieError {
    /// A PIN, PUK or half typed by the person is not acceptable. Nothing was sent.
    #[error("{detail}")]
    Code {
        /// Why: the crate's typed cause (named `reason`: Kotlin's `Throwable` has a
        /// `cause` of its own).
        reason: CodeCause,
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English, for a log.
        detail: String,
    },
    /// A PIN or PUK command did not succeed, or was refused before sending.
    #[error("{detail}")]
    Pin {
        /// Why: the crate's typed cause (named `reason`: Kotlin's `Throwable` has a
        /// `cause` of its own).
        reason: PinCause,
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English, for a log.
        detail: String,
    },
    /// The transport failed (outside a PIN command, or with nothing of one sent).
    #[error("{detail}")]
    Transport {
        /// Why: the crate's typed cause (named `reason`: Kotlin's `Throwable` has a
        /// `cause` of its own).
        reason: TransportCause,
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English, for a log.
        detail: String,
    },
    /// The card or the session failed outside the PIN itself.
    #[error("{detail}")]
    Card {
        /// Why: the crate's typed cause (named `reason`: Kotlin's `Throwable` has a
        /// `cause` of its own).
        reason: CardCause,
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English, for a log.
        detail: String,
    },
    /// A protocol failure (APDU, TLV, secure messaging, authentication, possession proof).
    #[error("{detail}")]
    Protocol {
        /// The layer.
        layer: ProtocolLayer,
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English, for a log.
        detail: String,
    },
    /// A virtual card could not be built from the given values.
    #[error("{detail}")]
    VirtualCard {
        /// The text for the person.
        text: LocalisedText,
        /// The cause, in English.
        detail: String,
    },
    /// A Comune profile (TOML) was refused: the line, the dotted field and, where a national
    /// rule is the reason, its id.
    #[error("{detail}")]
    Profile {
        /// The line (1-based), 0 when the file has none for it.
        line: u32,
        /// The dotted field, empty when unknown.
        field: String,
        /// The national rule the profile contradicts (`"R5"`, `"I1"`), if that is why.
        rule: Option<String>,
        /// The text for the person.
        text: LocalisedText,
        /// The message, in English.
        detail: String,
    },
    /// A policy request is not valid JSON of the documented form (docs/json.md).
    #[error("{detail}")]
    Request {
        /// The text for the person.
        text: LocalisedText,
        /// The JSON error, in English (line and column).
        detail: String,
    },
    /// The desk or the recovery service stopped.
    #[error("{detail}")]
    Service {
        /// The text for the person.
        text: LocalisedText,
        /// The cause chain, in English.
        detail: String,
    },
}

/// The error and each `source()` in turn, joined by ": ".
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    out
}

impl CieError {
    /// The crate's error, with its texts for a card linked by `medium`.
    pub(crate) fn from_crate(e: &Error, medium: CardMedium) -> CieError {
        let text = localise(e, medium);
        let detail = chain(e);
        match e {
            Error::Code(c) => CieError::Code {
                reason: (*c).into(),
                text,
                detail,
            },
            Error::Pin(p) => CieError::Pin {
                reason: p.into(),
                text,
                detail,
            },
            Error::Transport(t) => CieError::Transport {
                reason: t.into(),
                text,
                detail,
            },
            Error::Card(c) => CieError::Card {
                reason: c.into(),
                text,
                detail,
            },
            Error::Apdu(_) => protocol(ProtocolLayer::Apdu, text, detail),
            Error::Tlv(_) => protocol(ProtocolLayer::Tlv, text, detail),
            Error::Sm(_) => protocol(ProtocolLayer::SecureMessaging, text, detail),
            Error::Auth(_) => protocol(ProtocolLayer::Authentication, text, detail),
            Error::Emulator(_) => CieError::VirtualCard { text, detail },
            Error::Desk(_) | Error::Recovery(_) => CieError::Service { text, detail },
            _ => protocol(ProtocolLayer::Other, text, detail),
        }
    }

    /// A code typed by the person, refused.
    pub(crate) fn code(e: CodeError) -> CieError {
        CieError::from_crate(&Error::Code(e), CardMedium::Contact)
    }

    /// The cause chain, in English.
    pub fn detail(&self) -> &str {
        match self {
            CieError::Code { detail, .. }
            | CieError::Pin { detail, .. }
            | CieError::Transport { detail, .. }
            | CieError::Card { detail, .. }
            | CieError::Protocol { detail, .. }
            | CieError::VirtualCard { detail, .. }
            | CieError::Profile { detail, .. }
            | CieError::Request { detail, .. }
            | CieError::Service { detail, .. } => detail,
        }
    }
}

fn protocol(layer: ProtocolLayer, text: LocalisedText, detail: String) -> CieError {
    CieError::Protocol {
        layer,
        text,
        detail,
    }
}
