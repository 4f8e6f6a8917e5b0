//! The card layer across the boundary: a secure session over a host transport, the PIN and
//! PUK counters read without spending a try, verify, change and unblock with the last-try
//! guard.

use std::sync::{Arc, Mutex, MutexGuard};

use cie_pinpuk::Error;
use cie_pinpuk::card::CardError;
use cie_pinpuk::card::{Cie, LastTry as CrateLastTry, SessionState, SystemRng, confirm_new_pin};
use cie_pinpuk::codes::{Pin, Puk, RetryStatus};
use cie_pinpuk::transport::CardTransport;
use zeroize::Zeroizing;

use crate::error::CieError;
use crate::text::{CardMedium, LocalisedText, localise};
use crate::transport::{Adapter, ForeignTransport};

/// Whether a command may spend the last try of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum LastTry {
    /// Refuse to send when one try is left (`PinCause.LAST_TRY_GUARD`, nothing sent).
    #[default]
    Refuse,
    /// The person confirmed, for this call: send even if it is the last try.
    Confirmed,
}

impl From<LastTry> for CrateLastTry {
    fn from(l: LastTry) -> CrateLastTry {
        match l {
            LastTry::Refuse => CrateLastTry::Refuse,
            LastTry::Confirmed => CrateLastTry::Confirmed,
        }
    }
}

/// A counter as the card reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TryCount {
    /// Not verified in this card session; this many tries left.
    Remaining {
        /// Tries left.
        tries: u8,
    },
    /// Already verified in this card session.
    Verified,
    /// No try left.
    Blocked,
    /// The card does not tell (or a command was interrupted): query before any attempt.
    Unknown,
}

impl From<RetryStatus> for TryCount {
    fn from(s: RetryStatus) -> TryCount {
        match s {
            RetryStatus::Remaining(tries) => TryCount::Remaining { tries },
            RetryStatus::Verified => TryCount::Verified,
            RetryStatus::Blocked => TryCount::Blocked,
            RetryStatus::Unknown => TryCount::Unknown,
        }
    }
}

/// A counter with its text ("2 tries left").
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct CodeStatus {
    /// The counter.
    pub count: TryCount,
    /// Its text.
    pub text: LocalisedText,
}

fn status(s: RetryStatus, medium: CardMedium) -> CodeStatus {
    CodeStatus {
        count: s.into(),
        text: localise(&s, medium),
    }
}

/// A PIN typed by the person, converted once into the crate's zeroizing `Pin`; the Rust copy
/// of the host string is wiped at once.
fn pin(typed: String) -> Result<Pin, CieError> {
    let typed = Zeroizing::new(typed);
    Pin::new(&typed).map_err(CieError::code)
}

/// A PUK typed by the person (as [`pin`]).
fn puk(typed: String) -> Result<Puk, CieError> {
    let typed = Zeroizing::new(typed);
    Puk::new(&typed).map_err(CieError::code)
}

pub(crate) type BoxedTransport = Box<dyn CardTransport + Send>;

struct Inner {
    cie: Cie<BoxedTransport, SystemRng>,
    /// The open session's channel and counters; `None` once closed.
    state: Option<SessionState>,
    /// What the session last learnt of the PIN counter.
    known_pin: RetryStatus,
}

/// An open secure session with a CIE (key agreement, device authentication, secure
/// messaging), over a host transport or a virtual card. Every PIN operation runs inside it.
/// The first failure of the channel, the transport or the card's protocol closes it for good
/// (`CardCause.SESSION_CLOSED` afterwards, nothing sent).
#[derive(uniffi::Object)]
pub struct CardSession {
    inner: Mutex<Inner>,
    medium: CardMedium,
}

impl std::fmt::Debug for CardSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSession")
            .field("medium", &self.medium)
            .finish_non_exhaustive()
    }
}

impl CardSession {
    /// Selects the applications and opens a session over `transport`.
    pub(crate) fn open_over(
        transport: BoxedTransport,
        medium: CardMedium,
    ) -> Result<CardSession, CieError> {
        let e = |e: Error| CieError::from_crate(&e, medium);
        let mut cie = Cie::new(transport).map_err(e)?;
        let state = cie.open().map_err(e)?.snapshot();
        Ok(CardSession {
            inner: Mutex::new(Inner {
                cie,
                state: Some(state),
                known_pin: RetryStatus::Unknown,
            }),
            medium,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic cannot leave the session half-updated (the state is replaced whole), so a
        // poisoned lock is used as it is.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the session and keeps what it learnt (channel counters, PIN and PUK
    /// counters), failed or not.
    fn with<T>(
        &self,
        f: impl FnOnce(
            &mut cie_pinpuk::card::Session<'_, BoxedTransport, SystemRng>,
        ) -> Result<T, Error>,
    ) -> Result<T, CieError> {
        let mut inner = self.lock();
        let Inner {
            cie,
            state,
            known_pin,
        } = &mut *inner;
        let Some(saved) = state.take() else {
            return Err(CieError::from_crate(
                &Error::Card(CardError::SessionClosed),
                self.medium,
            ));
        };
        let mut session = cie.resume(saved);
        let result = f(&mut session);
        *known_pin = session.known_pin_status();
        if session.is_open() {
            *state = Some(session.snapshot());
        }
        result.map_err(|e| CieError::from_crate(&e, self.medium))
    }
}

#[uniffi::export]
impl CardSession {
    /// Opens a session over the host's transport: selects the CIE application, agrees keys
    /// with the card and authenticates it (about 10 APDUs, no PIN involved).
    #[uniffi::constructor]
    pub fn open(transport: Arc<dyn ForeignTransport>) -> Result<Arc<CardSession>, CieError> {
        let medium = transport.medium();
        CardSession::open_over(Box::new(Adapter::new(transport)), medium).map(Arc::new)
    }

    /// How many PIN tries are left, read without spending one.
    pub fn pin_status(&self) -> Result<CodeStatus, CieError> {
        let s = self.with(|s| s.pin_status())?;
        Ok(status(s, self.medium))
    }

    /// How many PUK tries are left, read without spending one.
    pub fn puk_status(&self) -> Result<CodeStatus, CieError> {
        let s = self.with(|s| s.puk_status())?;
        Ok(status(s, self.medium))
    }

    /// Verifies the PIN. With `LastTry.REFUSE` the last try is never spent
    /// (`PinCause.LAST_TRY_GUARD`, nothing sent). Returns the PIN counter afterwards.
    pub fn verify_pin(&self, pin: String, last_try: LastTry) -> Result<CodeStatus, CieError> {
        let pin = self::pin(pin)?;
        let s = self.with(|s| {
            s.verify_pin_with(&pin, last_try.into())?;
            Ok(s.known_pin_status())
        })?;
        Ok(status(s, self.medium))
    }

    /// Changes the PIN: `new_pin` and `confirmation` (typed twice) must agree and the new PIN
    /// must pass the official rules, else nothing is sent; then the old PIN is verified and
    /// replaced. Returns the PIN counter afterwards.
    pub fn change_pin(
        &self,
        old_pin: String,
        new_pin: String,
        confirmation: String,
        last_try: LastTry,
    ) -> Result<CodeStatus, CieError> {
        let old = pin(old_pin)?;
        let new = pin(new_pin)?;
        let again = pin(confirmation)?;
        confirm_new_pin(&new, &again)
            .map_err(|e| CieError::from_crate(&Error::Pin(e), self.medium))?;
        let s = self.with(|s| {
            s.change_pin_with(&old, &new, last_try.into())?;
            Ok(s.known_pin_status())
        })?;
        Ok(status(s, self.medium))
    }

    /// Unblocks the PIN with the PUK and sets `new_pin` (typed twice). The last PUK try, whose
    /// failure blocks the card for good, is spent only with `LastTry.CONFIRMED`. Returns the
    /// PIN counter afterwards.
    pub fn unblock_pin(
        &self,
        puk: String,
        new_pin: String,
        confirmation: String,
        last_try: LastTry,
    ) -> Result<CodeStatus, CieError> {
        let puk = self::puk(puk)?;
        let new = pin(new_pin)?;
        let again = pin(confirmation)?;
        confirm_new_pin(&new, &again)
            .map_err(|e| CieError::from_crate(&Error::Pin(e), self.medium))?;
        let s = self.with(|s| {
            s.unblock_pin_with(&puk, &new, last_try.into())?;
            Ok(s.known_pin_status())
        })?;
        Ok(status(s, self.medium))
    }

    /// The card's serial number (EF 1002), read under secure messaging.
    pub fn serial(&self) -> Result<String, CieError> {
        self.with(|s| s.serial().map(|serial| serial.as_str().to_owned()))
    }

    /// What the session last learnt of the PIN counter, without asking the card.
    pub fn known_pin_status(&self) -> CodeStatus {
        let s = self.lock().known_pin;
        status(s, self.medium)
    }

    /// Whether the session can still be used.
    pub fn is_open(&self) -> bool {
        self.lock().state.is_some()
    }

    /// Closes the session and wipes its keys (dropping it does the same).
    pub fn close(&self) {
        self.lock().state = None;
    }
}

/// Reads the card's NIS (the 12-digit number of the identification service), in clear: no
/// session, no PIN.
#[uniffi::export]
pub fn read_nis(transport: Arc<dyn ForeignTransport>) -> Result<String, CieError> {
    let medium = transport.medium();
    let mut cie =
        Cie::new(Adapter::new(transport)).map_err(|e| CieError::from_crate(&e, medium))?;
    let nis = cie
        .read_nis()
        .map_err(|e| CieError::from_crate(&e, medium))?;
    Ok(nis.as_str().to_owned())
}
