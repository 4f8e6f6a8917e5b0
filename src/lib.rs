// The README is the crate documentation; its example runs on the virtual card, so it is
// included (and run as a doc test) with the `emulator` feature, which docs.rs and CI turn on.
#![cfg_attr(feature = "emulator", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "emulator"),
    doc = "The PIN and PUK of the Italian electronic identity card (CIE 3.0), from the chip to \
           the Comune's counter: card operations over secure messaging, a reprint-policy engine, \
           the reprint desk and the PUK self-recovery.\n\n\
           The full crate documentation, with a runnable example, is the README \
           (`README.md` in the package), shown here when the documentation is built with the \
           feature `emulator`. The protocol, the rule catalogue, the test checklist and a \
           glossary are in the package's `docs/` folder."
)]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::arithmetic_side_effects)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod apdu;
pub mod arith;
pub mod auth;
pub mod card;
pub mod codes;
pub mod error;
pub mod i18n;
pub mod sm;
pub mod tlv;
pub mod transport;

#[cfg(feature = "desk")]
pub mod desk;
#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "desk")]
pub mod issuance;
#[cfg(any(feature = "desk", feature = "recovery"))]
pub mod journal;
#[cfg(any(feature = "desk", feature = "recovery"))]
pub mod notify;
pub mod policy;
#[cfg(feature = "recovery")]
pub mod recovery;
#[cfg(feature = "emulator")]
pub mod vpcd;

#[cfg(all(feature = "serde", any(feature = "desk", feature = "recovery")))]
mod serde_hex;

pub use error::Error;
pub use transport::{CardTransport, TransportError};

// codes
pub use codes::{
    CodeError, CodeKind, FirstHalf, Half, NewPinRules, Pin, PinQualityError, Puk, RetryStatus,
    SecondHalf,
};
// apdu / tlv
pub use apdu::{ApduError, Command, ExchangeError, Response, StatusWord};
pub use tlv::{Tag, Tlv, TlvError};
// --- sm ---
pub use sm::{CardSecureChannel, Case1Form, SecureChannel, SessionKeys, SmError, Ssc};
// auth
pub use auth::{
    AuthError, CaPrivateKey, CaPublicKey, CardPublicKey, DappHost, DhParams, TerminalKeys,
};

// desk (policy, issuance, notify, journal, desk)
#[cfg(feature = "desk")]
pub use desk::{DeskError, ReprintDesk};
#[cfg(feature = "desk")]
pub use issuance::IssuanceBackend;
#[cfg(any(feature = "desk", feature = "recovery"))]
pub use notify::Notifier;
pub use policy::{Decision, Profile, Request, RuleId, evaluate};
// --- pcsc / vpcd ---
#[cfg(feature = "pcsc")]
pub use transport::pcsc::{PcscTransport, ReaderSelector};
#[cfg(feature = "emulator")]
pub use vpcd::{VirtualCard, VpcdBridge};
// recovery
#[cfg(feature = "recovery")]
pub use recovery::{PukRecovery, RecoveryError, RecoveryStore};

/// The `p256` crate, whose ECDSA keys sign the desk's orders and the journal (`journal`,
/// `desk`, `recovery`): re-exported so that a caller names the same version.
#[cfg(any(feature = "desk", feature = "recovery"))]
pub use p256;
/// The `rand_core` crate, whose `CryptoRng` the key agreement and the device authentication
/// take (`auth`, `card::Cie::with_rng`): re-exported so that a caller names the same version.
pub use rand_core;
