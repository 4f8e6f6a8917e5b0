//! What the service answers: a refusal is data (rule id, Italian and English text), an
//! infrastructure failure is a [`RecoveryError`].

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

    /// The text for the holder, in Italian.
    pub const fn it(self) -> &'static str {
        match self {
            RefusalReason::NoContactsRegistered => {
                "Il recupero del PUK dall'app è possibile solo se alla richiesta della CIE sono stati forniti un indirizzo e-mail o un numero di cellulare. Si rivolga al Comune."
            }
            RefusalReason::NoMatch => {
                "Il numero di serie o i contatti inseriti non corrispondono a quelli forniti al Comune alla richiesta della CIE."
            }
            RefusalReason::CardNotVerified => {
                "Non è stato possibile verificare la carta: la avvicini di nuovo allo smartphone."
            }
            RefusalReason::PukOnly => {
                "Online si può recuperare solo il PUK; con il PUK si imposta un nuovo PIN."
            }
            RefusalReason::AlreadyOpen { .. } => {
                "C'è già una richiesta di recupero del PUK in corso per questa carta: riceverà una notifica allo scadere delle 48 ore."
            }
            RefusalReason::TooEarly { .. } => {
                "Per ragioni di sicurezza il PUK è disponibile solo 48 ore dopo la richiesta."
            }
            RefusalReason::WrongCode { .. } => "Il codice inserito non è corretto.",
            RefusalReason::Closed => {
                "Troppi tentativi errati: la procedura è chiusa. Può presentare una nuova richiesta."
            }
            RefusalReason::Expired => {
                "La procedura non è stata completata in tempo ed è scaduta. Può presentare una nuova richiesta."
            }
            RefusalReason::AlreadyReleased => "Il PUK di questa procedura è già stato rilasciato.",
            RefusalReason::UnknownProcedure => "Procedura inesistente.",
        }
    }

    /// The text for the holder, in English.
    pub const fn en(self) -> &'static str {
        match self {
            RefusalReason::NoContactsRegistered => {
                "PUK recovery in the app is possible only if an e-mail address or a mobile number was given when the card was requested. Please contact the Comune."
            }
            RefusalReason::NoMatch => {
                "The serial number or the contacts entered do not match those given to the Comune when the card was requested."
            }
            RefusalReason::CardNotVerified => {
                "The card could not be verified: hold it to the phone again."
            }
            RefusalReason::PukOnly => {
                "Only the PUK can be recovered online; a new PIN is set with the PUK."
            }
            RefusalReason::AlreadyOpen { .. } => {
                "A PUK recovery for this card is already in progress: a notification will come when the 48 hours are over."
            }
            RefusalReason::TooEarly { .. } => {
                "For security the PUK is available only 48 hours after the request."
            }
            RefusalReason::WrongCode { .. } => "The code entered is wrong.",
            RefusalReason::Closed => {
                "Too many wrong attempts: the procedure is closed. A new request can be made."
            }
            RefusalReason::Expired => {
                "The procedure was not completed in time and has expired. A new request can be made."
            }
            RefusalReason::AlreadyReleased => "The PUK of this procedure was already released.",
            RefusalReason::UnknownProcedure => "No such procedure.",
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

    /// The Italian text.
    pub const fn it(&self) -> &'static str {
        self.reason.it()
    }

    /// The English text.
    pub const fn en(&self) -> &'static str {
        self.reason.en()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} / {}", self.rule, self.it(), self.en())
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
