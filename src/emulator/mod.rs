//! The virtual CIE (feature `emulator`): the card side of docs/protocol.md, following its
//! reference profile table, behind [`CardTransport`].
//!
//! [`VirtualCie`] answers every command of the protocol the way the reference profile says a
//! CIE 3.0 does: the IAS and CIE selects (AID, and the `00 A4 00 00` fallback), the files,
//! READ BINARY by FID and SFI with the end-of-file answers of docs/protocol.md §1.4, GET DATA of the
//! security data objects, the DH agreement, device authentication (DAPP), secure messaging
//! on every command after the key agreement, the PIN and the PUK with their counters, and
//! the servizi internal authentication in clear. Short APDUs only; answers longer than 256
//! bytes come through `61xx` and GET RESPONSE.
//!
//! ```
//! use cie_pinpuk::CardTransport;
//! use cie_pinpuk::emulator::VirtualCie;
//!
//! let mut card = VirtualCie::builder().pin("12345678").puk("87654321").build().unwrap();
//! let mut buf = [0u8; 258];
//! // Select the CIE application and read the NIS in clear (docs/protocol.md §1.4).
//! let n = card.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0x00, 0x39], &mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0x90, 0x00]);
//! let n = card.transmit(&[0x00, 0xB0, 0x81, 0x00, 0x0C], &mut buf).unwrap();
//! assert_eq!(&buf[..n - 2], card.nis());
//! assert_eq!(&buf[n - 2..n], &[0x90, 0x00]);
//! assert_eq!((card.pin_tries_left(), card.puk_tries_left()), (3, 10));
//! ```
//!
//! Choices the reference profile leaves to the card, made here and documented:
//! * a plain command (other than GET RESPONSE) after secure messaging has started ends the
//!   SM session (its keys, device authentication and the verified PIN/PUK), then is
//!   processed in clear (PersoSim's behaviour, CSM_193); the clear files stay readable;
//! * PIN and PUK commands, EF 1002 and EF 1003 need SM of a session whose device
//!   authentication completed; otherwise `6982`;
//! * a response lost because the caller's buffer is too small is lost like on a real link:
//!   the command has taken effect;
//! * on the wire only short APDUs are accepted (an extended one answers `6700`); the plain
//!   command recovered from SM may carry a two-byte Le (DO `97 02`), which is honoured;
//! * the chip family matters where the official middleware says it does: NXP, Actalis and
//!   Bit4id cards answer `6A82` to the IAS AID, so the host must use `00 A4 00 00`; every
//!   card answers both GET DATA forms of the DH group;
//! * the last terminal certificate that verified is remembered byte for byte (its check is a
//!   pure function of the card's CA key and the bytes, and costs a 2048-bit public exponent).
//!
//! Switches for the behaviours real cards may differ in are in [`Switches`]: VERIFY without
//! data ([`EmptyVerify`]), the case-1 SM form ([`Case1Acceptance`]), READ BINARY at the end
//! of a file ([`EofAnswer`]) and the delivery of answers to commands without Le
//! ([`LongAnswers`]). A card's state can be saved and loaded ([`VirtualCie::save_state`],
//! [`VirtualCie::load_state`]); the text holds the PIN and the PUK (a test card).

mod builder;
pub mod codes;
mod der;
mod dispatch;
mod documents;
mod files;
mod keys;
mod rng;
mod sdo;
mod security;
mod state;

use alloc::vec::Vec;
use core::cell::OnceCell;

pub use builder::{
    CaKeyComponents, Case1Acceptance, DhGroup, Docp, EofAnswer, LongAnswers, Switches,
    VirtualCieBuilder,
};
pub use codes::{EmptyVerify, PIN_MAX_TRIES, PUK_MAX_TRIES};
pub use keys::RsaKeyComponents;
pub use state::{LoadError, StateError};

use crate::card::chip::{Atr, ChipFamily};
use crate::transport::{CardTransport, TransportError};
use builder::Personalisation;
use codes::Codes;
use files::Level;
pub use rng::SeededRng;
use security::Security;

/// Why a virtual card could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The PIN is not 8 ASCII digits.
    #[error("the PIN must be 8 ASCII digits")]
    InvalidPin,
    /// The PUK is not 8 ASCII digits.
    #[error("the PUK must be 8 ASCII digits")]
    InvalidPuk,
    /// The NIS is not 12 ASCII digits.
    #[error("the NIS must be 12 ASCII digits")]
    InvalidNis,
    /// The serial is not 9 printable ASCII characters.
    #[error("the serial must be 9 printable ASCII characters")]
    InvalidSerial,
    /// The ATR is empty or longer than 33 bytes.
    #[error("the ATR must be 1 to 33 bytes")]
    InvalidAtr,
    /// A key (CA, chip, servizi, document signer) or the DH group is unusable.
    #[error("unusable key material")]
    InvalidKey,
    /// A try counter is above its maximum.
    #[error("a try counter is out of range")]
    InvalidCounter,
}

/// Files built on first use (they need RSA signatures with the document-signer key).
#[derive(Debug, Default, Clone)]
struct LazyFiles {
    certificate: OnceCell<Vec<u8>>,
    sod: OnceCell<Vec<u8>>,
}

/// A pending long answer, handed out by GET RESPONSE.
#[derive(Debug, Default, Clone)]
struct Pending {
    data: Vec<u8>,
    pos: usize,
    sw: u16,
    active: bool,
}

/// A command being received in chained blocks.
#[derive(Debug, Default, Clone)]
struct Chain {
    data: Vec<u8>,
    header: Option<[u8; 3]>,
}

/// What a reset or power cycle wipes.
#[derive(Debug, Clone)]
struct Volatile {
    level: Level,
    current_ef: Option<files::Ef>,
    pending: Pending,
    chain: Chain,
    security: Security,
}

impl Volatile {
    fn new() -> Volatile {
        Volatile {
            level: Level::Mf,
            current_ef: None,
            pending: Pending::default(),
            chain: Chain::default(),
            security: Security::default(),
        }
    }
}

/// Reused buffers, so that an APDU costs no allocation once the card is warm.
#[derive(Debug, Default, Clone)]
struct Buffers {
    out: Vec<u8>,
    data: Vec<u8>,
    plain: Vec<u8>,
    wrapped: Vec<u8>,
}

/// A software CIE 3.0 (see the module docs). Build one with [`VirtualCie::builder`].
///
/// Implements [`CardTransport`]: every `transmit` is one APDU to the card. `Debug` shows the
/// family, the counters and the session flags only: no code, key or buffer content.
///
/// `Clone` gives an independent card in the same state (counters, session, pending answer,
/// random stream); the fixed personalisation (keys, files) is shared, not copied, so a clone
/// is cheap: a test or fuzz harness prepares a card once and clones it for every case.
#[derive(Clone)]
pub struct VirtualCie {
    perso: alloc::sync::Arc<Personalisation>,
    codes: Codes,
    rng: SeededRng,
    lazy: LazyFiles,
    powered: bool,
    volatile: Volatile,
    buffers: Buffers,
    /// The last terminal certificate that verified, and what it yielded (see security.rs).
    verified_certificate: Option<(Vec<u8>, crate::auth::TerminalPublicKey)>,
}

impl VirtualCie {
    /// A builder with the defaults: PIN `12345678`, PUK `87654321`, Gemalto ATR, the
    /// emulator key material of [`crate::auth`] (CA private exponent = the well-known one).
    pub fn builder() -> VirtualCieBuilder {
        VirtualCieBuilder::default()
    }

    fn from_parts(perso: Personalisation, codes: Codes, rng: SeededRng) -> VirtualCie {
        VirtualCie {
            perso: alloc::sync::Arc::new(perso),
            codes,
            rng,
            lazy: LazyFiles::default(),
            powered: true,
            volatile: Volatile::new(),
            buffers: Buffers::default(),
            verified_certificate: None,
        }
    }

    /// The ATR the card presents.
    pub fn atr(&self) -> &[u8] {
        self.perso.atr.as_bytes()
    }

    /// The ATR as a value.
    pub fn atr_value(&self) -> Atr {
        self.perso.atr
    }

    /// The chip family the card was personalised as.
    pub fn chip_family(&self) -> ChipFamily {
        self.perso.family
    }

    /// The NIS (12 ASCII digits), as in EF 1001.
    pub fn nis(&self) -> &[u8; 12] {
        &self.perso.nis
    }

    /// The serial (9 ASCII characters), as in EF 1002.
    pub fn serial(&self) -> &[u8; 9] {
        &self.perso.serial
    }

    /// Tries left on the PIN (3 when fresh, 0 when blocked).
    pub fn pin_tries_left(&self) -> u8 {
        self.codes.pin.left
    }

    /// Tries left on the PUK (10 when fresh, 0 when blocked for ever).
    pub fn puk_tries_left(&self) -> u8 {
        self.codes.puk.left
    }

    /// Whether the PIN is verified in the current session.
    pub fn pin_verified(&self) -> bool {
        self.codes.pin.verified
    }

    /// Whether a secure-messaging session is open (keys agreed and not dropped).
    pub fn has_secure_session(&self) -> bool {
        self.volatile.security.has_channel()
    }

    /// Whether device authentication completed in the current session.
    pub fn is_authenticated(&self) -> bool {
        self.volatile.security.authenticated()
    }

    /// Whether the card is powered (in the field, or inserted).
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// Powers the card up (a cold reset); returns the ATR.
    pub fn power_on(&mut self) -> &[u8] {
        self.powered = true;
        self.wipe_volatile();
        self.atr()
    }

    /// Powers the card down: the SM keys and the verified state are gone. `transmit` fails
    /// with [`TransportError::CardRemoved`] until [`power_on`](Self::power_on).
    pub fn power_off(&mut self) {
        self.powered = false;
        self.wipe_volatile();
    }

    /// A warm reset: same effect on the state as a power cycle; returns the ATR.
    pub fn reset(&mut self) -> &[u8] {
        self.power_on()
    }

    fn wipe_volatile(&mut self) {
        self.volatile.security.drop_session();
        self.volatile = Volatile::new();
        self.codes.reset_security();
    }
}

impl core::fmt::Debug for VirtualCie {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualCie")
            .field("family", &self.perso.family)
            .field("powered", &self.powered)
            .field("pin_tries_left", &self.codes.pin.left)
            .field("puk_tries_left", &self.codes.puk.left)
            .field("secure_session", &self.has_secure_session())
            .field("authenticated", &self.is_authenticated())
            .finish_non_exhaustive()
    }
}

impl CardTransport for VirtualCie {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if !self.powered {
            return Err(TransportError::CardRemoved);
        }
        let mut out = core::mem::take(&mut self.buffers.out);
        out.clear();
        self.handle(command, &mut out);
        let n = out.len();
        let result = match response.get_mut(..n) {
            Some(dst) => {
                dst.copy_from_slice(&out);
                Ok(n)
            }
            None => Err(TransportError::BufferTooSmall { needed: n }),
        };
        self.buffers.out = out;
        result
    }
}
