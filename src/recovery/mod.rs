//! PUK self-recovery (docs/rules.md P1-P4, I6; seed 003) and credential activation eligibility
//! (A1, A2, in [`activation`]).
//!
//! A holder who registered an e-mail or a mobile number when the card was requested can
//! recover the PUK from the CieID app without going to the Comune; for security the PUK is
//! released only 48 hours after the request (P3). [`PukRecovery`] is the service side:
//!
//! 1. [`PukRecovery::challenge`]: a random challenge for the card; on the holder's side
//!    [`prove_possession`] has the card sign it with its servizi key (PIN-less internal
//!    authentication, docs/protocol.md §3.5) over any [`CardTransport`](crate::CardTransport);
//! 2. [`PukRecovery::request`] with the serial, the NIS, the contacts the holder types, the
//!    proof and the device key: refused with P1, P2 or P4, or accepted;
//! 3. [`PukRecovery::tick`] (periodic): after 48 hours, a one-time completion code by SMS
//!    (else e-mail) through the [`Notifier`](crate::notify::Notifier);
//! 4. [`PukRecovery::complete`] with the code and a fresh proof: the PUK, once, its halves
//!    RSA-OAEP-encrypted for the device key ([`SealedPuk`]).
//!
//! Every transition is journaled (a SHA-256 hash chain, [`verify_journal`]) in the
//! [`RecoveryStore`], which also keeps the procedures and the highest clock reading ever
//! observed: [`MemoryRecoveryStore`], or `SqliteRecoveryStore` (feature `sqlite`), whose
//! tables can live in the desk's journal database, or `PgRecoveryStore` (feature
//! `postgres`) for many service instances over one PostgreSQL database, on the database's
//! clock (`docs/postgres.md`).
//!
//! # Security notes
//! - **Time.** "Now" is the highest clock reading ever observed, persisted before use; the
//!   request time is stored once. A clock going backwards or a restart never brings the
//!   release forward. A clock running *ahead* cannot be told from real time passing: give
//!   the service a trustworthy clock.
//! - **Contacts** are compared as SHA-256 digests of both slots with `subtle`, the same work
//!   whether a contact is registered or not, and a mismatch does not say which slot. An
//!   unregistered serial costs the same RSA verification as a registered one.
//! - **The completion code** is 8 random digits, sent once per generation, stored only as an
//!   HMAC-SHA256 under a [`ServiceSecret`] kept outside the database, valid until the
//!   procedure's completion window closes (7 days after the 48 hours by default), and
//!   [`RecoveryConfig::max_wrong_completions`] wrong completions (wrong code or failed card
//!   proof) close the procedure.
//! - **The PUK** is read from the [`CardRegistry`] only at release, sealed at once, never
//!   stored, journaled or shown by `Debug`. The release is committed before the sealed PUK is
//!   returned: a failed write releases nothing.
//! - Not covered here: rate limits per caller or per card on requests (each refused request
//!   writes a journal record).

pub mod activation;
mod client;
mod code;
mod contacts;
mod device;
#[cfg(feature = "serde")]
mod json;
mod outcome;
#[cfg(feature = "postgres")]
mod pg;
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
#[cfg(feature = "postgres")]
pub use pg::PgRecoveryStore;
pub use proof::{CHALLENGE_LEN, Challenge, MAX_OPEN_CHALLENGES, PossessionProof, ProofFailure};
#[cfg(feature = "mock")]
pub use registry::MockCardRegistry;
pub use registry::{CardRecord, CardRegistry, MemoryRegistry, RegistryError};
pub use service::{
    CompletionOutcome, PukRecovery, RELEASE_DELAY_SECS, RecoveryConfig, RecoveryRequest,
    RequestOutcome, TickReport, journal_signer,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteRecoveryStore;
pub use store::{
    EventKind, JournalBreak, MemoryRecoveryStore, ProcedureId, ProcedureRecord, ProcedureState,
    RecoveryCommit, RecoveryEvent, RecoveryStore, RecoveryStoreError, Snapshot, StoredCode,
    verify_journal,
};
