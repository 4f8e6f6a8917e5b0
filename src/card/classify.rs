//! What the card's status word means after a PIN or PUK command (docs/testing.md N3-N10, N6).
//!
//! One pure function per command family, so that the whole table of 65 536 status words can
//! be checked exhaustively.

use super::error::PinError;
use crate::apdu::StatusWord;
use crate::codes::{CodeKind, RetryStatus};

/// The PIN commands whose answers are classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinCommand {
    /// VERIFY with a code (`00 20 00 81|82`).
    Verify(CodeKind),
    /// CHANGE REFERENCE DATA of the PIN (`00 24 00 81`).
    Change,
    /// RESET RETRY COUNTER with a new PIN (`00 2C 02 81`).
    ResetRetryCounter,
}

impl PinCommand {
    /// The code whose counter the command spends.
    pub fn code(self) -> CodeKind {
        match self {
            PinCommand::Verify(code) => code,
            PinCommand::Change | PinCommand::ResetRetryCounter => CodeKind::Pin,
        }
    }

    /// Whether a failure in the middle leaves the stored PIN in doubt.
    fn modifies_pin(self) -> bool {
        matches!(self, PinCommand::Change | PinCommand::ResetRetryCounter)
    }
}

fn blocked(code: CodeKind) -> PinError {
    match code {
        CodeKind::Pin => PinError::Blocked,
        CodeKind::Puk => PinError::PukBlocked,
    }
}

/// The meaning of `sw` as the answer to `command`: `Ok(())` for `9000`, the typed
/// [`PinError`] otherwise.
///
/// ```
/// use cie_pinpuk::apdu::StatusWord;
/// use cie_pinpuk::card::{PinCommand, PinError, classify};
/// use cie_pinpuk::codes::CodeKind;
///
/// let verify = PinCommand::Verify(CodeKind::Pin);
/// assert_eq!(classify(verify, StatusWord::from_u16(0x63C2)),
///            Err(PinError::Wrong { code: CodeKind::Pin, remaining: 2 }));
/// assert_eq!(classify(verify, StatusWord::from_u16(0x63C0)), Err(PinError::Blocked));
/// assert_eq!(classify(PinCommand::Verify(CodeKind::Puk), StatusWord::from_u16(0x6983)),
///            Err(PinError::PukBlocked));
/// ```
pub fn classify(command: PinCommand, sw: StatusWord) -> Result<(), PinError> {
    let code = command.code();
    match sw {
        StatusWord::Success => Ok(()),
        StatusWord::VerificationFailed { remaining: 0 } => Err(blocked(code)),
        StatusWord::VerificationFailed { remaining } => Err(PinError::Wrong { code, remaining }),
        StatusWord::VerificationFailedNoInfo => Err(PinError::WrongNoCount { code }),
        StatusWord::AuthenticationMethodBlocked => Err(blocked(code)),
        StatusWord::WrongLength => Err(PinError::WrongLength),
        StatusWord::SecurityStatusNotSatisfied => Err(PinError::NotAuthorized),
        StatusWord::MemoryFailure | StatusWord::ExecutionError | StatusWord::NoPreciseDiagnosis
            if command.modifies_pin() =>
        {
            Err(PinError::StateUnknown { sw })
        }
        other if command.modifies_pin() && matches!(other.sw1(), 0x64 | 0x65 | 0x6F) => {
            Err(PinError::StateUnknown { sw })
        }
        other => Err(PinError::Card { sw: other }),
    }
}

/// What the card's answer to a PIN command says about the counter afterwards.
pub(crate) fn status_after(command: PinCommand, sw: StatusWord) -> RetryStatus {
    match sw {
        StatusWord::Success => match command {
            PinCommand::Verify(_) => RetryStatus::Verified,
            // A changed or reset PIN is not verified by the command; its count is full
            // again, but the host does not assume the card's maximum.
            PinCommand::Change | PinCommand::ResetRetryCounter => RetryStatus::Unknown,
        },
        StatusWord::VerificationFailed { remaining: 0 }
        | StatusWord::AuthenticationMethodBlocked => RetryStatus::Blocked,
        StatusWord::VerificationFailed { remaining } => RetryStatus::Remaining(remaining),
        _ => RetryStatus::Unknown,
    }
}

/// The meaning of the answer to the empty VERIFY that reads a counter without spending a
/// try (docs/protocol.md §5.5, reference profile): `63Cx` = x left, `9000` = already verified in
/// this card session, `6983` = blocked; anything else: the card cannot tell.
pub(crate) fn status_from_query(sw: StatusWord) -> RetryStatus {
    match sw {
        StatusWord::Success => RetryStatus::Verified,
        StatusWord::VerificationFailed { remaining: 0 }
        | StatusWord::AuthenticationMethodBlocked => RetryStatus::Blocked,
        StatusWord::VerificationFailed { remaining } => RetryStatus::Remaining(remaining),
        _ => RetryStatus::Unknown,
    }
}
