//! The virtual CIE (the crate's `VirtualCie`, feature `emulator`) for apps and back offices
//! to test without a card: its APDU entry for a host-side transport, a ready-made transport,
//! and sessions with the fault matrix F1-F9 injected at chosen exchanges.

use std::sync::{Arc, Mutex, MutexGuard};

use cie_pinpuk::Error;
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::transport::{CardTransport, Fault, FaultInjector, TransportError};
use zeroize::Zeroizing;

use crate::card::CardSession;
use crate::error::CieError;
use crate::text::CardMedium;
use crate::transport::{ForeignTransport, SHORT_APDU_MAX, TransportFailure};

/// Room for any answer of the virtual card.
const ANSWER_MAX: usize = 3_000;

/// A virtual CIE 3.0: the protocol, files, keys and counters of a real card, in memory.
#[derive(uniffi::Object)]
pub struct VirtualCard {
    card: Arc<Mutex<VirtualCie>>,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard").finish_non_exhaustive()
    }
}

fn lock(card: &Mutex<VirtualCie>) -> MutexGuard<'_, VirtualCie> {
    card.lock().unwrap_or_else(|p| p.into_inner())
}

/// The virtual card as a crate transport, shared with its [`VirtualCard`].
#[derive(Debug, Clone)]
struct Shared(Arc<Mutex<VirtualCie>>);

impl CardTransport for Shared {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        lock(&self.0).transmit(command, response)
    }
}

fn failure(e: &TransportError) -> TransportFailure {
    match e {
        TransportError::CardRemoved => TransportFailure::CardRemoved,
        TransportError::ReaderGone => TransportFailure::ReaderGone,
        TransportError::ServiceUnavailable => TransportFailure::ServiceUnavailable,
        TransportError::Reset => TransportFailure::Reset,
        TransportError::Timeout => TransportFailure::Timeout,
        TransportError::Busy => TransportFailure::Busy,
        other => TransportFailure::Other {
            reason: other.to_string(),
        },
    }
}

#[uniffi::export]
impl VirtualCard {
    /// A card with this PIN and PUK (8 digits each) and full counters (PIN 3, PUK 10).
    #[uniffi::constructor]
    pub fn new(pin: String, puk: String) -> Result<Arc<VirtualCard>, CieError> {
        VirtualCard::with_tries(pin, puk, 3, 10)
    }

    /// A card with this PIN and PUK and these tries left (PIN at most 3, PUK at most 10; 0
    /// starts from a blocked code).
    #[uniffi::constructor]
    pub fn with_tries(
        pin: String,
        puk: String,
        pin_tries: u8,
        puk_tries: u8,
    ) -> Result<Arc<VirtualCard>, CieError> {
        let pin = Zeroizing::new(pin);
        let puk = Zeroizing::new(puk);
        let card = VirtualCie::builder()
            .pin(&pin)
            .puk(&puk)
            .tries_left(pin_tries, puk_tries)
            .build()
            .map_err(|e| CieError::from_crate(&Error::Emulator(e), CardMedium::Contact))?;
        Ok(Arc::new(VirtualCard {
            card: Arc::new(Mutex::new(card)),
        }))
    }

    /// The card's APDU entry: one command in, its answer (data and SW1 SW2) out, exactly as a
    /// reader would return it. A host-side transport calls this.
    pub fn transmit(&self, command: Vec<u8>) -> Result<Vec<u8>, TransportFailure> {
        let mut answer = vec![0u8; ANSWER_MAX];
        let n = lock(&self.card)
            .transmit(&command, &mut answer)
            .map_err(|e| failure(&e))?;
        answer.truncate(n);
        Ok(answer)
    }

    /// A ready-made transport over this card (commands up to 261 bytes, like a phone without
    /// extended length), for apps that test their flows without writing one.
    pub fn transport(&self, medium: CardMedium) -> Arc<dyn ForeignTransport> {
        Arc::new(VirtualTransport {
            card: Shared(Arc::clone(&self.card)),
            medium,
        })
    }

    /// Opens a session on this card with faults of the fault matrix injected at the given
    /// exchanges (0 = the first APDU), as the crate's own `FaultInjector` does: an app tests
    /// what it shows when the card is moved away in the middle of a command.
    pub fn open_session_with_faults(
        &self,
        faults: Vec<ScheduledFault>,
        medium: CardMedium,
    ) -> Result<Arc<CardSession>, CieError> {
        let injector = FaultInjector::new(Shared(Arc::clone(&self.card)))
            .with_schedule(faults.into_iter().map(|f| (f.at as usize, f.fault.into())));
        CardSession::open_over(Box::new(injector), medium).map(Arc::new)
    }

    /// PIN tries left on the card (0: blocked).
    pub fn pin_tries_left(&self) -> u8 {
        lock(&self.card).pin_tries_left()
    }

    /// PUK tries left on the card (0: blocked for good).
    pub fn puk_tries_left(&self) -> u8 {
        lock(&self.card).puk_tries_left()
    }

    /// The card's NIS (12 digits).
    pub fn nis(&self) -> String {
        String::from_utf8_lossy(lock(&self.card).nis()).into_owned()
    }

    /// The card's serial number (9 characters).
    pub fn serial(&self) -> String {
        String::from_utf8_lossy(lock(&self.card).serial()).into_owned()
    }

    /// Puts the card back in the field after a removal (powers it on: a new card session).
    pub fn reinsert(&self) {
        let mut card = lock(&self.card);
        card.power_off();
        card.power_on();
    }
}

/// The ready-made transport of [`VirtualCard::transport`].
#[derive(Debug)]
struct VirtualTransport {
    card: Shared,
    medium: CardMedium,
}

impl ForeignTransport for VirtualTransport {
    fn transmit(&self, command: Vec<u8>) -> Result<Vec<u8>, TransportFailure> {
        let mut answer = vec![0u8; ANSWER_MAX];
        let n = self
            .card
            .clone()
            .transmit(&command, &mut answer)
            .map_err(|e| failure(&e))?;
        answer.truncate(n);
        Ok(answer)
    }

    fn max_command_length(&self) -> u32 {
        SHORT_APDU_MAX
    }

    fn medium(&self) -> CardMedium {
        self.medium
    }
}

/// A fault of the fault matrix (the crate's `transport::Fault`, rows F1-F9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CardFault {
    /// F1: the card left before the command; nothing forwarded, and it stays removed.
    CardRemovedBefore,
    /// F2: the card left after processing the command; it stays removed.
    CardRemovedAfter,
    /// F3: the reader was unplugged.
    ReaderGone,
    /// F4: the card was reset by someone else.
    Reset,
    /// F5: the command was forwarded, no answer in time.
    Timeout,
    /// F6: the answer cut to its first `keep` bytes.
    Truncate {
        /// Leading bytes kept.
        keep: u32,
    },
    /// F7: one bit of the answer flipped.
    BitFlip {
        /// Byte index (modulo the answer's length).
        byte: u32,
        /// Bit index (modulo 8).
        bit: u8,
    },
    /// F8: the answer replaced by this status word.
    StatusWord {
        /// The status word.
        sw: u16,
    },
    /// F9: the card in use by someone else; nothing forwarded.
    Busy,
}

impl From<CardFault> for Fault {
    fn from(f: CardFault) -> Fault {
        match f {
            CardFault::CardRemovedBefore => Fault::CardRemovedBefore,
            CardFault::CardRemovedAfter => Fault::CardRemovedAfter,
            CardFault::ReaderGone => Fault::ReaderGone,
            CardFault::Reset => Fault::Reset,
            CardFault::Timeout => Fault::Timeout,
            CardFault::Truncate { keep } => Fault::Truncate {
                keep: keep as usize,
            },
            CardFault::BitFlip { byte, bit } => Fault::BitFlip {
                byte: byte as usize,
                bit,
            },
            CardFault::StatusWord { sw } => Fault::StatusWord(sw),
            CardFault::Busy => Fault::Busy,
        }
    }
}

/// A fault and the exchange it hits (0 = the first APDU of the session's transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
pub struct ScheduledFault {
    /// The exchange.
    pub at: u32,
    /// The fault.
    pub fault: CardFault,
}
