//! What the service answers: a refusal is data (a rule id and a reason, whose text comes
//! from [`crate::i18n`]), an infrastructure failure is a [`RecoveryError`].

use core::fmt;

use super::device::DeviceKeyError;
use super::registry::RegistryError;
use super::store::{ProcedureId, RecoveryStoreError};
use crate::journal::Timestamp;
use crate::notify::NotifyError;
use crate::policy::RuleId;

/// Why the service said no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[non_exhaustive]
pub enum RefusalReason {
    /// No e-mail and no mobile number were registered with the card request (P1).
    NoContactsRegistered,
    /// The serial number, the NIS or the contacts do not match the register (P2). Which one
    /// is not said.
    NoMatch,
    /// The card-possession proof failed: tap the card again (P2).
    CardNotVerified,
    /// Only the PUK can be recovered online; the PIN is reset with the PUK (P4).
    PukOnly,
    /// A procedure for this card is already open (P3): no new one restarts the wait.
    AlreadyOpen {
        /// Its identifier.
        procedure: ProcedureId,
        /// The PUK is not released before this time.
        not_before: Timestamp,
    },
    /// The 48 hours are not over (P3, I6).
    TooEarly {
        /// The PUK is not released before this time.
        not_before: Timestamp,
    },
    /// The completion code is wrong (P3).
    WrongCode {
        /// Completions left before the procedure closes.
        remaining: u32,
    },
    /// The procedure closed after too many wrong completions.
    Closed,
    /// The procedure expired unfinished.
    Expired,
    /// The PUK of this procedure was already released (once only).
    AlreadyReleased,
    /// No such procedure.
    UnknownProcedure,
}

impl RefusalReason {
    /// The rule behind the refusal.
    pub const fn rule(self) -> RuleId {
        match self {
            RefusalReason::NoContactsRegistered => RuleId::P1,
            RefusalReason::NoMatch | RefusalReason::CardNotVerified => RuleId::P2,
            RefusalReason::PukOnly => RuleId::P4,
            RefusalReason::TooEarly { .. } | RefusalReason::AlreadyReleased => RuleId::I6,
            RefusalReason::AlreadyOpen { .. }
            | RefusalReason::WrongCode { .. }
            | RefusalReason::Closed
            | RefusalReason::Expired
            | RefusalReason::UnknownProcedure => RuleId::P3,
        }
    }

    /// A stable name for the journal.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefusalReason::NoContactsRegistered => "no-contacts-registered",
            RefusalReason::NoMatch => "no-match",
            RefusalReason::CardNotVerified => "card-not-verified",
            RefusalReason::PukOnly => "puk-only",
            RefusalReason::AlreadyOpen { .. } => "already-open",
            RefusalReason::TooEarly { .. } => "too-early",
            RefusalReason::WrongCode { .. } => "wrong-code",
            RefusalReason::Closed => "closed",
            RefusalReason::Expired => "expired",
            RefusalReason::AlreadyReleased => "already-released",
            RefusalReason::UnknownProcedure => "unknown-procedure",
        }
    }
}

/// A refusal: the rule and the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "super::json::RefusalForm")
)]
pub struct Refusal {
    /// The rule.
    pub rule: RuleId,
    /// The reason.
    pub reason: RefusalReason,
}

impl Refusal {
    pub(crate) const fn of(reason: RefusalReason) -> Refusal {
        Refusal {
            rule: reason.rule(),
            reason,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.reason.as_str())
    }
}

/// An infrastructure failure. The operation changed nothing durable, except where noted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RecoveryStoreError),
    /// The card register failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Sealing the PUK for the device key failed.
    #[error(transparent)]
    DeviceKey(#[from] DeviceKeyError),
    /// The notifier failed (the code will be re-issued at the next tick).
    #[error(transparent)]
    Notify(#[from] NotifyError),
    /// Too many challenges are outstanding; try again shortly.
    #[error("too many card-possession challenges are outstanding")]
    Busy,
    /// The time arithmetic overflowed (a clock reading near `u64::MAX`).
    #[error("time overflow")]
    TimeOverflow,
}
