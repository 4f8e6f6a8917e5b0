//! Italian and English text for every outcome a person sees: a wrong PIN with the tries
//! left, a blocked PIN, a blocked PUK, a removed card, and the rest.
//!
//! The texts name no digit of any code: they are safe to show and to log.
//!
//! ```
//! use cie_pinpuk::card::{Describe, Lang, PinError};
//! use cie_pinpuk::codes::CodeKind;
//!
//! let wrong = PinError::Wrong { code: CodeKind::Pin, remaining: 2 };
//! assert_eq!(wrong.describe(Lang::It), "PIN errato: restano 2 tentativi.");
//! assert_eq!(wrong.describe(Lang::En), "Wrong PIN: 2 tries left.");
//! ```

use alloc::format;
use alloc::string::{String, ToString};

use super::error::{CardError, PinError};
use crate::codes::{CodeKind, RetryStatus};
use crate::error::Error;
use crate::transport::TransportError;

/// The language of a text for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Italiano.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// The language of a locale string such as `it_IT.UTF-8` or `en_GB`: Italian for `it*`,
    /// English for anything else.
    pub fn from_locale(locale: &str) -> Self {
        if locale
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("it"))
        {
            Lang::It
        } else {
            Lang::En
        }
    }
}

/// A text for a person, in Italian or English.
pub trait Describe {
    /// The text in `lang`, one or two sentences, no digit of any code.
    fn describe(&self, lang: Lang) -> String;
}

fn code_name(code: CodeKind) -> &'static str {
    match code {
        CodeKind::Pin => "PIN",
        CodeKind::Puk => "PUK",
    }
}

fn tries(lang: Lang, n: u8) -> String {
    match (lang, n) {
        (Lang::It, 1) => "resta 1 tentativo".to_string(),
        (Lang::It, n) => format!("restano {n} tentativi"),
        (Lang::En, 1) => "1 try left".to_string(),
        (Lang::En, n) => format!("{n} tries left"),
    }
}

impl Describe for PinError {
    fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (PinError::Wrong { code, remaining }, Lang::It) => {
                let mut s = format!("{} errato: {}.", code_name(*code), tries(lang, *remaining));
                if *remaining == 1 {
                    s.push_str(match code {
                        CodeKind::Pin => {
                            " Un altro errore blocca il PIN: servirà il PUK per sbloccarlo."
                        }
                        CodeKind::Puk => {
                            " Un altro errore blocca il PUK per sempre: servirà una nuova carta."
                        }
                    });
                }
                s
            }
            (PinError::Wrong { code, remaining }, Lang::En) => {
                let mut s = format!("Wrong {}: {}.", code_name(*code), tries(lang, *remaining));
                if *remaining == 1 {
                    s.push_str(match code {
                        CodeKind::Pin => {
                            " One more mistake blocks the PIN: the PUK will be needed to unblock it."
                        }
                        CodeKind::Puk => {
                            " One more mistake blocks the PUK for good: a new card will be needed."
                        }
                    });
                }
                s
            }
            (PinError::WrongNoCount { code }, Lang::It) => {
                format!(
                    "{} errato (la carta non indica i tentativi rimasti).",
                    code_name(*code)
                )
            }
            (PinError::WrongNoCount { code }, Lang::En) => {
                format!(
                    "Wrong {} (the card did not say how many tries are left).",
                    code_name(*code)
                )
            }
            (PinError::Blocked, Lang::It) => {
                "Il PIN è bloccato. Per sbloccarlo usa il PUK e scegli un nuovo PIN.".to_string()
            }
            (PinError::Blocked, Lang::En) => {
                "The PIN is blocked. Use the PUK to unblock it and choose a new PIN.".to_string()
            }
            (PinError::PukBlocked, Lang::It) => "Il PUK è bloccato in modo definitivo: il PIN non \
                 può più essere sbloccato. Per usare di nuovo le funzioni digitali serve una nuova \
                 carta d'identità; la carta resta valida come documento."
                .to_string(),
            (PinError::PukBlocked, Lang::En) => {
                "The PUK is blocked for good: the PIN can no longer \
                 be unblocked. A new identity card is needed to use the digital functions again; \
                 the card remains valid as a document."
                    .to_string()
            }
            (PinError::LastTryGuard { code, .. }, Lang::It) => match code {
                CodeKind::Pin => "Resta un solo tentativo per il PIN: se è sbagliato il PIN si \
                     blocca e servirà il PUK. Conferma esplicitamente per proseguire."
                    .to_string(),
                CodeKind::Puk => "Resta un solo tentativo per il PUK: se è sbagliato il PUK si \
                     blocca per sempre e servirà una nuova carta. Conferma esplicitamente per \
                     proseguire."
                    .to_string(),
            },
            (PinError::LastTryGuard { code, .. }, Lang::En) => match code {
                CodeKind::Pin => "Only one PIN try is left: if it is wrong the PIN is blocked and \
                     the PUK will be needed. Confirm explicitly to go on."
                    .to_string(),
                CodeKind::Puk => "Only one PUK try is left: if it is wrong the PUK is blocked for \
                     good and a new card will be needed. Confirm explicitly to go on."
                    .to_string(),
            },
            (PinError::CounterUnreadable { code }, Lang::It) => match code {
                CodeKind::Pin => "La carta non indica quanti tentativi restano per il PIN: \
                     questo potrebbe essere l'ultimo. Conferma esplicitamente per proseguire."
                    .to_string(),
                CodeKind::Puk => "La carta non indica quanti tentativi restano per il PUK: \
                     questo potrebbe essere l'ultimo, e un PUK bloccato non si recupera. \
                     Conferma esplicitamente per proseguire."
                    .to_string(),
            },
            (PinError::CounterUnreadable { code }, Lang::En) => match code {
                CodeKind::Pin => "The card does not tell how many PIN tries are left: this one \
                     could be the last. Confirm explicitly to go on."
                    .to_string(),
                CodeKind::Puk => "The card does not tell how many PUK tries are left: this one \
                     could be the last, and a blocked PUK cannot be recovered. Confirm \
                     explicitly to go on."
                    .to_string(),
            },
            (PinError::WrongLength, Lang::It) => {
                "La carta ha rifiutato la lunghezza del codice; nessun tentativo è stato usato."
                    .to_string()
            }
            (PinError::WrongLength, Lang::En) => {
                "The card refused the length of the code; no try was used.".to_string()
            }
            (PinError::NotAuthorized, Lang::It) => {
                "Operazione non consentita: serve prima un codice corretto.".to_string()
            }
            (PinError::NotAuthorized, Lang::En) => {
                "Operation not allowed: a right code is needed first.".to_string()
            }
            (PinError::StateUnknown { sw }, Lang::It) => format!(
                "La carta ha segnalato un errore durante l'operazione ({sw}): lo stato del PIN \
                 non è noto, va verificato di nuovo."
            ),
            (PinError::StateUnknown { sw }, Lang::En) => format!(
                "The card reported a failure during the operation ({sw}): the PIN's state is \
                 unknown and must be checked again."
            ),
            (PinError::CounterUnknown { code }, Lang::It) => format!(
                "Il comando del {} è stato interrotto: non si sa se un tentativo è stato usato. \
                 Verifica i tentativi rimasti prima di riprovare.",
                code_name(*code)
            ),
            (PinError::CounterUnknown { code }, Lang::En) => format!(
                "The {} command was interrupted: it is not known whether a try was used. Check \
                 the tries left before trying again.",
                code_name(*code)
            ),
            (PinError::Quality(q), Lang::It) => {
                format!("Il nuovo PIN non è accettabile: {}.", quality_it(q))
            }
            (PinError::Quality(q), Lang::En) => format!("The new PIN is not acceptable: {q}."),
            (PinError::ConfirmationMismatch, Lang::It) => {
                "Il nuovo PIN e la conferma non coincidono; nulla è stato inviato alla carta."
                    .to_string()
            }
            (PinError::ConfirmationMismatch, Lang::En) => {
                "The new PIN and its confirmation differ; nothing was sent to the card.".to_string()
            }
            (PinError::Card { sw }, Lang::It) => format!("La carta ha risposto {sw}."),
            (PinError::Card { sw }, Lang::En) => format!("The card answered {sw}."),
        }
    }
}

fn quality_it(q: &crate::codes::PinQualityError) -> String {
    use crate::codes::PinQualityError as Q;
    match q {
        Q::AllDigitsEqual => "le cifre sono tutte uguali".to_string(),
        Q::AscendingRun => "le cifre sono una sequenza crescente".to_string(),
        Q::DescendingRun => "le cifre sono una sequenza decrescente".to_string(),
        Q::SameAsOld => "è uguale al PIN attuale".to_string(),
    }
}

impl Describe for CardError {
    fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (CardError::SessionClosed, Lang::It) => {
                "La sessione sicura con la carta è chiusa: avviane una nuova.".to_string()
            }
            (CardError::SessionClosed, Lang::En) => {
                "The secure session with the card is closed: start a new one.".to_string()
            }
            (CardError::SecurityStatusLost, Lang::It) => "La carta è stata reinizializzata da \
                 un'altra applicazione: la verifica del PIN è andata persa. Riprova."
                .to_string(),
            (CardError::SecurityStatusLost, Lang::En) => "The card was reset by another \
                 application: the PIN verification is lost. Try again."
                .to_string(),
            (CardError::Status { sw, .. }, Lang::It) => {
                format!("La carta ha risposto con un errore ({sw}).")
            }
            (CardError::Status { sw, .. }, Lang::En) => {
                format!("The card answered with an error ({sw}).")
            }
            (CardError::Malformed { .. }, Lang::It) => {
                "La risposta della carta non è comprensibile.".to_string()
            }
            (CardError::Malformed { .. }, Lang::En) => {
                "The card's answer cannot be understood.".to_string()
            }
            (CardError::Unprotected { .. }, Lang::It) => "La carta ha interrotto la sessione \
                 sicura: avviane una nuova."
                .to_string(),
            (CardError::Unprotected { .. }, Lang::En) => {
                "The card ended the secure session: start a new one.".to_string()
            }
        }
    }
}

impl Describe for TransportError {
    fn describe(&self, lang: Lang) -> String {
        let (it, en) = match self {
            TransportError::CardRemoved => (
                "La carta è stata allontanata dal lettore.",
                "The card was removed from the reader.",
            ),
            TransportError::ReaderGone => (
                "Il lettore non è più disponibile.",
                "The reader is no longer available.",
            ),
            TransportError::Reset => (
                "La carta è stata reinizializzata: la sessione è andata persa.",
                "The card was reset: the session is lost.",
            ),
            TransportError::Timeout => (
                "La carta non ha risposto in tempo.",
                "The card did not answer in time.",
            ),
            TransportError::Busy => (
                "La carta è in uso da un'altra applicazione.",
                "The card is in use by another application.",
            ),
            _ => (
                "Errore di comunicazione con la carta.",
                "Communication error with the card.",
            ),
        };
        match lang {
            Lang::It => it.to_string(),
            Lang::En => en.to_string(),
        }
    }
}

impl Describe for RetryStatus {
    fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (RetryStatus::Remaining(n), Lang::It) => format!("{}.", capitalise(&tries(lang, *n))),
            (RetryStatus::Remaining(n), Lang::En) => format!("{}.", capitalise(&tries(lang, *n))),
            (RetryStatus::Verified, Lang::It) => "Già verificato in questa sessione.".to_string(),
            (RetryStatus::Verified, Lang::En) => "Already verified in this session.".to_string(),
            (RetryStatus::Blocked, Lang::It) => "Bloccato.".to_string(),
            (RetryStatus::Blocked, Lang::En) => "Blocked.".to_string(),
            (RetryStatus::Unknown, Lang::It) => {
                "La carta non indica i tentativi rimasti.".to_string()
            }
            (RetryStatus::Unknown, Lang::En) => {
                "The card does not tell how many tries are left.".to_string()
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Describe for Error {
    fn describe(&self, lang: Lang) -> String {
        match self {
            Error::Pin(e) => e.describe(lang),
            Error::Card(e) => e.describe(lang),
            Error::Transport(e) => e.describe(lang),
            Error::Code(_) => match lang {
                Lang::It => "Il codice deve essere di 8 cifre.".to_string(),
                Lang::En => "The code must be 8 digits.".to_string(),
            },
            _ => match lang {
                Lang::It => "Errore nella comunicazione sicura con la carta.".to_string(),
                Lang::En => "Error in the secure communication with the card.".to_string(),
            },
        }
    }
}
