//! UniFFI bindings of `cie-pinpuk` for Kotlin, Swift and Python: one Rust interface, three
//! generated languages (docs/bindings.md in the repository).
//!
//! - the card layer over a host transport: [`CardSession`] (tries left without spending
//!   one, verify, change, unblock, the last-try guard), [`read_nis`];
//! - the host transport, [`ForeignTransport`], implemented by the app over Android's
//!   `IsoDep`, iOS's `NFCISO7816Tag`, pyscard or anything that moves APDUs;
//! - the virtual card, [`VirtualCard`], with the fault matrix for tests;
//! - the reprint policy: [`ComuneProfile`] and [`decide`];
//! - the card side of the PUK recovery: [`prove_card_possession`].
//!
//! Every outcome and every error carries its text in Italian, English and German
//! ([`LocalisedText`]); every error is a [`CieError`] with the crate's typed cause. PINs and
//! PUKs cross as host strings, converted once into the crate's zeroizing types; the Rust copy
//! of the string is wiped at once.

// `CieError` carries its texts in three languages by value: it is serialised across the
// boundary as it is (UniFFI lowers error fields by value, a `Box` is not a field type it
// lowers), so its size is the price of one type for every language.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod card;
mod emulator;
mod error;
mod policy;
mod recovery;
mod text;
mod transport;

pub use card::{CardSession, CodeStatus, LastTry, TryCount, read_nis};
pub use emulator::{CardFault, ScheduledFault, VirtualCard};
pub use error::{
    CardCause, CardStep, CieError, CodeCause, CodeKind, PinCause, PinQuality, ProtocolLayer,
    TransportCause,
};
pub use policy::{
    ComuneProfile, DecisionItem, DecisionOutcome, PolicyDecision, decide, shipped_profile_names,
};
pub use recovery::prove_card_possession;
pub use text::{CardMedium, LocalisedText};
pub use transport::{CommandTooLong, ForeignTransport, SHORT_APDU_MAX, TransportFailure};
