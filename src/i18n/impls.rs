//! [`Localize`] for the crate's outcome and error types: one message id per variant.

use alloc::string::ToString;

use super::{Localize, Message};
use crate::card::{CardError, PinError, Step};
use crate::codes::{CodeError, CodeKind, PinQualityError, RetryStatus};
use crate::error::Error;
use crate::transport::{TransportError, TransportErrorKind};

fn code(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Pin => "PIN",
        CodeKind::Puk => "PUK",
    }
}

fn step(step: Step) -> &'static str {
    match step {
        Step::Select => "select",
        Step::ReadFile => "read-file",
        Step::GetData => "get-data",
        Step::KeyAgreement => "key-agreement",
        Step::DeviceAuthentication => "device-authentication",
        Step::PinCommand => "pin-command",
        Step::ServiziAuthentication => "servizi-authentication",
    }
}

impl Localize for PinError {
    fn message(&self) -> Message {
        match self {
            PinError::Wrong { code: c, remaining } => Message::new("pin-wrong")
                .with("code", code(*c))
                .with("remaining", *remaining),
            PinError::WrongNoCount { code: c } => {
                Message::new("pin-wrong-no-count").with("code", code(*c))
            }
            PinError::Blocked => Message::new("pin-blocked"),
            PinError::PukBlocked => Message::new("puk-blocked"),
            PinError::LastTryGuard { code: c, remaining } => Message::new("pin-last-try-guard")
                .with("code", code(*c))
                .with("remaining", *remaining),
            PinError::CounterUnreadable { code: c } => {
                Message::new("pin-counter-unreadable").with("code", code(*c))
            }
            PinError::WrongLength => Message::new("pin-wrong-length"),
            PinError::NotAuthorized => Message::new("pin-not-authorized"),
            PinError::StateUnknown { sw } => {
                Message::new("pin-state-unknown").with("sw", sw.to_string())
            }
            PinError::CounterUnknown { code: c, cause } => Message::new("pin-counter-unknown")
                .with("code", code(*c))
                .with("cause", cause.name()),
            PinError::Quality(q) => q.message(),
            PinError::ConfirmationMismatch => Message::new("pin-confirmation-mismatch"),
            PinError::Card { sw } => Message::new("pin-card-answer").with("sw", sw.to_string()),
        }
    }
}

impl Localize for PinQualityError {
    fn message(&self) -> Message {
        Message::new(match self {
            PinQualityError::AllDigitsEqual => "pin-quality-all-equal",
            PinQualityError::AscendingRun => "pin-quality-ascending",
            PinQualityError::DescendingRun => "pin-quality-descending",
            PinQualityError::SameAsOld => "pin-quality-same-as-old",
        })
    }
}

impl Localize for CodeError {
    fn message(&self) -> Message {
        match self {
            CodeError::Empty => Message::new("code-empty"),
            CodeError::WrongLength { expected, found } => Message::new("code-wrong-length")
                .with("expected", *expected)
                .with("found", *found),
            // One-based for a person.
            CodeError::NotADigit { position } => {
                Message::new("code-not-a-digit").with("position", position.saturating_add(1))
            }
            CodeError::WrongKind { expected, found } => Message::new("code-wrong-kind")
                .with("expected", code(*expected))
                .with("found", code(*found)),
            CodeError::Quality(q) => q.message(),
        }
    }
}

impl Localize for CardError {
    fn message(&self) -> Message {
        match self {
            CardError::SessionClosed => Message::new("card-session-closed"),
            CardError::SecurityStatusLost => Message::new("card-security-status-lost"),
            CardError::Status { step: s, sw } => Message::new("card-status")
                .with("step", step(*s))
                .with("sw", sw.to_string()),
            CardError::Malformed { step: s } => {
                Message::new("card-malformed").with("step", step(*s))
            }
            CardError::Unprotected { .. } => Message::new("card-unprotected"),
        }
    }
}

impl Localize for TransportErrorKind {
    fn message(&self) -> Message {
        match self {
            TransportErrorKind::CardRemoved => Message::new("transport-card-removed"),
            TransportErrorKind::ReaderGone => Message::new("transport-reader-gone"),
            TransportErrorKind::ServiceUnavailable => Message::new("transport-no-service"),
            TransportErrorKind::Reset => Message::new("transport-reset"),
            TransportErrorKind::Timeout => Message::new("transport-timeout"),
            TransportErrorKind::Busy => Message::new("transport-busy"),
            TransportErrorKind::BufferTooSmall { needed } => {
                Message::new("transport-buffer").with("needed", *needed)
            }
            TransportErrorKind::Other => Message::new("transport-other"),
        }
    }
}

impl Localize for TransportError {
    fn message(&self) -> Message {
        TransportErrorKind::of(self).message()
    }
}

impl Localize for RetryStatus {
    fn message(&self) -> Message {
        match self {
            RetryStatus::Remaining(n) => Message::new("retry-remaining").with("remaining", *n),
            RetryStatus::Verified => Message::new("retry-verified"),
            RetryStatus::Blocked => Message::new("retry-blocked"),
            RetryStatus::Unknown => Message::new("retry-unknown"),
        }
    }
}

impl Localize for Error {
    fn message(&self) -> Message {
        match self {
            Error::Transport(e) => e.message(),
            Error::Code(e) => e.message(),
            Error::Apdu(_) => Message::new("error-apdu"),
            Error::Tlv(_) => Message::new("error-tlv"),
            Error::Sm(_) => Message::new("error-sm"),
            Error::Auth(_) => Message::new("error-auth"),
            Error::Pin(e) => e.message(),
            Error::Card(e) => e.message(),
            #[cfg(feature = "emulator")]
            Error::Emulator(_) => Message::new("error-emulator"),
            #[cfg(feature = "desk")]
            Error::Desk(e) => e.message(),
            #[cfg(feature = "recovery")]
            Error::Recovery(e) => e.message(),
        }
    }
}

#[cfg(any(feature = "desk", feature = "recovery"))]
mod services {
    use super::{Localize, Message};
    #[cfg(feature = "desk")]
    use crate::desk::DeskError;
    #[cfg(feature = "desk")]
    use crate::issuance::{CardState, IssuanceError};
    use crate::journal::SignerError;
    use crate::notify::{DeliveryFailure, NotifyError, OutboxRecord, OutboxState};
    #[cfg(feature = "recovery")]
    use crate::recovery::{RecoveryError, Refusal, RefusalReason};

    #[cfg(feature = "desk")]
    fn state(s: CardState) -> &'static str {
        match s {
            CardState::Valid => "valid",
            CardState::Revoked => "revoked",
            CardState::Expired => "expired",
        }
    }

    impl Localize for NotifyError {
        fn message(&self) -> Message {
            Message::new(match self {
                NotifyError::PecDestination => "notify-pec",
                NotifyError::NotASecondHalf => "notify-not-second-half",
                NotifyError::Gateway(_) => "notify-gateway",
                NotifyError::Template(_) => "notify-template",
            })
        }
    }

    fn code_name(c: crate::codes::CodeKind) -> &'static str {
        match c {
            crate::codes::CodeKind::Pin => "PIN",
            crate::codes::CodeKind::Puk => "PUK",
        }
    }

    /// For the officer: why the last attempt failed and how many have failed.
    impl Localize for DeliveryFailure {
        fn message(&self) -> Message {
            Message::new("outbox-failure")
                .with("kind", self.kind.as_str())
                .with("attempts", self.attempts)
        }
    }

    /// For the officer: a second half waiting to be sent, or sent.
    impl Localize for OutboxRecord {
        fn message(&self) -> Message {
            Message::new(match self.state {
                OutboxState::Pending => "outbox-pending",
                OutboxState::Sent => "outbox-sent",
            })
            .with("code", code_name(self.code))
            .with("to", alloc::string::String::from(self.to.as_str()))
        }
    }

    #[cfg(feature = "desk")]
    impl Localize for IssuanceError {
        fn message(&self) -> Message {
            match self {
                IssuanceError::InvalidCardNumber => Message::new("issuance-invalid-card-number"),
                IssuanceError::UnknownCard => Message::new("issuance-unknown-card"),
                IssuanceError::CardNotUsable(s) => {
                    Message::new("issuance-card-not-usable").with("state", state(*s))
                }
                IssuanceError::BadOrderSignature => Message::new("issuance-bad-signature"),
                IssuanceError::OrderMismatch => Message::new("issuance-order-mismatch"),
                IssuanceError::ConsentMissing => Message::new("issuance-consent-missing"),
                IssuanceError::UnknownConsentForm => Message::new("issuance-unknown-consent-form"),
                IssuanceError::EmptyScan => Message::new("issuance-empty-scan"),
                IssuanceError::Unavailable(_) => Message::new("issuance-unavailable"),
            }
        }
    }

    impl Localize for SignerError {
        fn message(&self) -> Message {
            match self {
                SignerError::Device(_) => Message::new("signer-device"),
            }
        }
    }

    #[cfg(feature = "desk")]
    impl Localize for DeskError {
        fn message(&self) -> Message {
            match self {
                DeskError::Issuance(e) => e.message(),
                DeskError::Journal(_) => Message::new("desk-journal"),
                DeskError::Store(_) => Message::new("desk-store"),
                DeskError::Signer(e) => e.message(),
                DeskError::InvariantBroken(_) => Message::new("desk-invariant"),
                DeskError::Anchor(_) => Message::new("desk-anchor"),
                DeskError::CardNotUsable(s) => {
                    Message::new("issuance-card-not-usable").with("state", state(*s))
                }
            }
        }
    }

    #[cfg(feature = "recovery")]
    impl Localize for RecoveryError {
        fn message(&self) -> Message {
            match self {
                RecoveryError::Store(_) => Message::new("recovery-store"),
                RecoveryError::Registry(_) => Message::new("recovery-registry"),
                RecoveryError::DeviceKey(_) => Message::new("recovery-device-key"),
                RecoveryError::Notify(e) => e.message(),
                RecoveryError::Busy => Message::new("recovery-busy"),
                RecoveryError::TimeOverflow => Message::new("recovery-time"),
            }
        }
    }

    #[cfg(feature = "recovery")]
    impl Localize for RefusalReason {
        fn message(&self) -> Message {
            match self {
                RefusalReason::NoContactsRegistered => {
                    Message::new("recovery-refused-no-contacts-registered")
                }
                RefusalReason::NoMatch => Message::new("recovery-refused-no-match"),
                RefusalReason::CardNotVerified => {
                    Message::new("recovery-refused-card-not-verified")
                }
                RefusalReason::PukOnly => Message::new("recovery-refused-puk-only"),
                RefusalReason::AlreadyOpen { .. } => Message::new("recovery-refused-already-open"),
                RefusalReason::TooEarly { .. } => Message::new("recovery-refused-too-early"),
                RefusalReason::WrongCode { remaining } => {
                    Message::new("recovery-refused-wrong-code").with("remaining", *remaining)
                }
                RefusalReason::Closed => Message::new("recovery-refused-closed"),
                RefusalReason::Expired => Message::new("recovery-refused-expired"),
                RefusalReason::AlreadyReleased => Message::new("recovery-refused-already-released"),
                RefusalReason::UnknownProcedure => {
                    Message::new("recovery-refused-unknown-procedure")
                }
            }
        }
    }

    /// The reason's text; the `rule` argument names the rule that refused.
    #[cfg(feature = "recovery")]
    impl Localize for Refusal {
        fn message(&self) -> Message {
            self.reason.message().with("rule", self.rule.as_str())
        }
    }
}
