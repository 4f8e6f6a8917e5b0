//! PUK self-recovery (RULES.md P1-P4, I6; seed 003) and credential activation eligibility
//! (A1, A2).
//!
//! A holder who registered an e-mail or a mobile number when the card was requested can
//! recover the PUK from the CieID app without going to the Comune; for security the PUK is
//! released only 48 hours after the request (P3). [`PukRecovery`] is the service side:
//!
//! 1. [`PukRecovery::challenge`]: a random challenge for the card, which signs it with its
//!    servizi key (the client side is `card`'s internal authentication, PROTOCOL.md 3.5);
//! 2. [`PukRecovery::request`] with the serial, the NIS, the contacts the holder types, the
//!    proof and the device key: refused with P1, P2 or P4, or accepted;
//! 3. [`PukRecovery::tick`] (periodic): after 48 hours, a one-time completion code by SMS or
//!    e-mail through the [`Notifier`](crate::notify::Notifier);
//! 4. [`PukRecovery::complete`] with the code and a fresh proof: the PUK, once, its halves
//!    RSA-OAEP-encrypted for the device key ([`SealedPuk`]).
//!
//! Every transition is journaled in the [`RecoveryStore`], which also keeps the procedures
//! and the highest clock reading ever observed, so a restart loses nothing and a clock going
//! backwards never brings the release forward (I6).

pub mod activation;
mod client;
mod code;
mod contacts;
mod device;
mod outcome;
mod proof;
mod registry;
mod service;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub use client::{ClientError, MSE_SET_SERVIZI, ProofStep, prove_possession};
pub use code::{CODE_DIGITS, CompletionCode, CompletionCodeError, ServiceSecret};
pub use device::{DEVICE_KEY_MAX_BITS, DEVICE_KEY_MIN_BITS, DeviceKey, DeviceKeyError, SealedPuk};
pub use outcome::{RecoveryError, Refusal, RefusalReason};
pub use proof::{CHALLENGE_LEN, Challenge, MAX_OPEN_CHALLENGES, PossessionProof, ProofFailure};
#[cfg(feature = "mock")]
pub use registry::MockCardRegistry;
pub use registry::{CardRecord, CardRegistry, MemoryRegistry, RegistryError};
pub use service::{
    CompletionOutcome, PukRecovery, RELEASE_DELAY_SECS, RecoveryConfig, RecoveryRequest,
    RequestOutcome, TickReport,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteRecoveryStore;
pub use store::{
    EventKind, JournalBreak, MemoryRecoveryStore, ProcedureId, ProcedureRecord, ProcedureState,
    RecoveryCommit, RecoveryEvent, RecoveryStore, RecoveryStoreError, Snapshot, StoredCode,
    verify_journal,
};
