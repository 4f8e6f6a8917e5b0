//! The errors of the card layer: what a PIN command's answer means, and what can go wrong
//! with a session.

use crate::apdu::StatusWord;
use crate::codes::{CodeKind, PinQualityError};
use crate::transport::TransportErrorKind;

/// The outcome of a PIN or PUK command that did not succeed (docs/testing.md N3-N10).
///
/// Every status word the card may answer maps to exactly one variant; anything without a
/// variant of its own is [`PinError::Card`], which keeps the status word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    /// The code was wrong; the card says how many tries are left (`63Cx`, x > 0).
    #[error("wrong {code}: {remaining} tries left")]
    Wrong {
        /// Which code was wrong.
        code: CodeKind,
        /// Tries left on the card.
        remaining: u8,
    },
    /// The code was wrong and the card gave no count (`6300`).
    #[error("wrong {code} (the card did not say how many tries are left)")]
    WrongNoCount {
        /// Which code was wrong.
        code: CodeKind,
    },
    /// The PIN is blocked (`63C0` on the exhausting try, `6983` after): only the PUK can
    /// unblock it (rule C4).
    #[error("the PIN is blocked")]
    Blocked,
    /// The PUK is blocked: nothing on the card can restore the PIN any more, and the holder
    /// needs a new card (rule C6). Irreversible.
    #[error("the PUK is blocked: the card's PIN can no longer be restored")]
    PukBlocked,
    /// Refused before sending: this try would be the last one, and the caller did not
    /// confirm it for this call (P-PIN4). Nothing was sent.
    #[error("refused: only {remaining} {code} try left; confirm explicitly to spend it")]
    LastTryGuard {
        /// The code that is about to run out.
        code: CodeKind,
        /// Tries left (1).
        remaining: u8,
    },
    /// Refused before sending: the card gives no way to read this code's counter, so this
    /// try could be the last one, and the caller did not confirm it for this call
    /// (P-PIN10). Nothing was sent.
    #[error(
        "refused: the card does not tell how many {code:?} tries are left; confirm explicitly to try"
    )]
    CounterUnreadable {
        /// The code whose counter is unknown.
        code: CodeKind,
    },
    /// The card refused the command's length (`6700`); no try was spent.
    #[error("the card refused the length of the code (6700)")]
    WrongLength,
    /// The command needs a right code first (`6982`), e.g. RESET RETRY COUNTER without a
    /// verified PUK in the session.
    #[error("security status not satisfied (6982)")]
    NotAuthorized,
    /// The card reported a memory or execution failure in the middle of a command that
    /// changes the PIN (`64xx`, `65xx`, `6Fxx`): the PIN's state is unknown; query the
    /// status before anything else.
    #[error(
        "the card failed in the middle of the operation ({sw}): PIN state unknown, query it again"
    )]
    StateUnknown {
        /// The card's status word.
        sw: StatusWord,
    },
    /// A PIN command was interrupted (card removed, reset, timeout) after it may have reached
    /// the card: whether a try was spent is unknown (P-PIN9, N7). The session is closed; the
    /// next session queries the counter before any new attempt.
    #[error("the {code} command was interrupted ({cause}): whether a try was spent is unknown")]
    CounterUnknown {
        /// The code of the interrupted command.
        code: CodeKind,
        /// What interrupted it: the card removed, the reader gone, a reset, a timeout...
        /// (an answer cut short counts as [`TransportErrorKind::Other`]).
        #[source]
        cause: TransportErrorKind,
    },
    /// The new PIN breaks a quality rule; nothing was sent.
    #[error("the new PIN is not acceptable: {0}")]
    Quality(#[from] PinQualityError),
    /// The new PIN and its confirmation differ; nothing was sent.
    #[error("the new PIN and its confirmation differ")]
    ConfirmationMismatch,
    /// Any other answer of the card, with its status word.
    #[error("the card answered {sw}")]
    Card {
        /// The card's status word.
        sw: StatusWord,
    },
}

/// A step of the card protocol, named in errors so that a failure says where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Selecting the IAS or CIE application.
    Select,
    /// Reading a file (READ BINARY).
    ReadFile,
    /// GET DATA of a security data object (DH parameters, CA key, the card's DH value).
    GetData,
    /// The DH key agreement (MSE SET KAT).
    KeyAgreement,
    /// Device authentication (certificate, challenge, external/internal authentication).
    DeviceAuthentication,
    /// A PIN or PUK command.
    PinCommand,
    /// The internal authentication with the servizi key.
    ServiziAuthentication,
}

impl core::fmt::Display for Step {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Step::Select => "the selection of the application",
            Step::ReadFile => "the reading of a file",
            Step::GetData => "GET DATA",
            Step::KeyAgreement => "the key agreement",
            Step::DeviceAuthentication => "device authentication",
            Step::PinCommand => "a PIN or PUK command",
            Step::ServiziAuthentication => "the servizi authentication",
        })
    }
}

/// What went wrong with the card or the session, beyond the PIN itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// The session was closed by an earlier failure (or the card was reset/removed); nothing
    /// was sent. Open a new session (SR18).
    #[error("the secure session is closed: open a new one")]
    SessionClosed,
    /// The card was reset during the session: its security state (verified PIN, session
    /// keys) is gone. Nothing is re-sent automatically (P-PIN8, N8).
    #[error("the card was reset: its security status is lost")]
    SecurityStatusLost,
    /// The card answered a step with an unexpected status word.
    #[error("the card answered {sw} during {step}")]
    Status {
        /// Where it happened.
        step: Step,
        /// What the card answered.
        sw: StatusWord,
    },
    /// The card's answer to a step could not be understood.
    #[error("malformed answer during {step}")]
    Malformed {
        /// Where it happened.
        step: Step,
    },
    /// An answer arrived without secure messaging while the session was open: the card has
    /// dropped the session (P-SM1, P-SM5).
    #[error("the card answered {sw} outside secure messaging: the session is lost")]
    Unprotected {
        /// The card's plain status word.
        sw: StatusWord,
    },
}
