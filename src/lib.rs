#![doc = include_str!("../README.md")]
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
pub mod sm;
pub mod tlv;
pub mod transport;

#[cfg(feature = "std")]
pub mod desk;
#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "std")]
pub mod issuance;
#[cfg(feature = "std")]
pub mod journal;
#[cfg(feature = "std")]
pub mod notify;
pub mod policy;
#[cfg(feature = "std")]
pub mod recovery;
#[cfg(feature = "emulator")]
pub mod vpcd;

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
#[cfg(feature = "std")]
pub use desk::{DeskError, ReprintDesk};
#[cfg(feature = "std")]
pub use issuance::IssuanceBackend;
#[cfg(feature = "std")]
pub use notify::Notifier;
pub use policy::{Decision, Profile, Request, RuleId, evaluate};
// --- pcsc / vpcd ---
#[cfg(feature = "pcsc")]
pub use transport::pcsc::{PcscTransport, ReaderSelector};
#[cfg(feature = "emulator")]
pub use vpcd::{VirtualCard, VpcdBridge};
// recovery
#[cfg(feature = "std")]
pub use recovery::{PukRecovery, RecoveryError, RecoveryStore};
