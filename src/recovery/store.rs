//! The durable state of the recovery service and its journal, behind the [`RecoveryStore`]
//! seam: the procedures, the highest clock reading ever observed (so that a clock going
//! backwards, or a restart, never moves the service's notion of "now" back), and the
//! append-only journal of every transition. One [`RecoveryCommit`] is applied atomically.
//!
//! Nothing secret is stored: no PUK (it is read from the register at release), no completion
//! code (only its keyed hash), no digit of either in the journal.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::device::DeviceKey;
use crate::journal::merkle::{Block, Hash, NodeSource};
use crate::journal::{AnchorError, IntegrityError, SignedHead, Timestamp};
use crate::policy::RuleId;

/// Lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use core::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A procedure's identifier: 16 random bytes, shown as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureId([u8; 16]);

impl ProcedureId {
    /// The largest identifier (a bound for range queries).
    pub(crate) const MAX: ProcedureId = ProcedureId([0xff; 16]);

    pub(crate) fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> ProcedureId {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        ProcedureId(b)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The 32 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Parses 32 hex digits.
    pub fn from_hex(s: &str) -> Option<ProcedureId> {
        let b = s.as_bytes();
        if b.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            *o = u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()?;
        }
        Some(ProcedureId(out))
    }
}

impl fmt::Debug for ProcedureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProcedureId({})", self.to_hex())
    }
}

impl fmt::Display for ProcedureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Where a procedure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcedureState {
    /// Waiting for the 48 hours (P3).
    Pending,
    /// The 48 hours are over and a completion code was issued.
    CodeIssued,
    /// The PUK was released (once).
    Released,
    /// The procedure was not completed in time.
    Expired,
    /// Too many wrong completions.
    Closed,
}

impl ProcedureState {
    /// `true` for the three final states.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ProcedureState::Released | ProcedureState::Expired | ProcedureState::Closed
        )
    }

    /// A stable name for storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProcedureState::Pending => "pending",
            ProcedureState::CodeIssued => "code-issued",
            ProcedureState::Released => "released",
            ProcedureState::Expired => "expired",
            ProcedureState::Closed => "closed",
        }
    }

    /// Parses [`ProcedureState::as_str`].
    pub fn parse(s: &str) -> Option<ProcedureState> {
        [
            ProcedureState::Pending,
            ProcedureState::CodeIssued,
            ProcedureState::Released,
            ProcedureState::Expired,
            ProcedureState::Closed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The stored form of the current completion code: its keyed hash only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StoredCode {
    /// HMAC-SHA256 under the service secret (see [`super::CompletionCode`]).
    pub hash: [u8; 32],
    /// Which code of the procedure this is (1, 2, ...: a code that could not be sent is
    /// replaced by a new one).
    pub generation: u32,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Whether the notifier accepted the message.
    pub sent: bool,
}

impl fmt::Debug for StoredCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCode")
            .field("generation", &self.generation)
            .field("issued_at", &self.issued_at)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

/// One procedure, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureRecord {
    /// The identifier.
    pub id: ProcedureId,
    /// The card's serial number (upper case).
    pub serial: String,
    /// When the request was accepted: the service's monotonic "now" at that moment, never
    /// re-based afterwards.
    pub requested_at: Timestamp,
    /// The device key the PUK is sealed for.
    pub device_key: DeviceKey,
    /// Where the procedure is.
    pub state: ProcedureState,
    /// Wrong completions so far.
    pub wrong_completions: u32,
    /// The current completion code, once issued.
    pub code: Option<StoredCode>,
    /// When the procedure reached a final state.
    pub closed_at: Option<Timestamp>,
    /// The journal record that wrote this state of the procedure: its detail ends with
    /// `record=` and [`ProcedureRecord::digest`] in letters (0: not yet journaled).
    pub journal_seq: u64,
}

impl ProcedureRecord {
    /// SHA-256 over every field but `journal_seq`: what the journal record that wrote the
    /// procedure commits to, so an edited row (request time, state, code, counters) no longer
    /// matches its signed record.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"cie-pinpuk-recovery-procedure-v1");
        h.update(self.id.as_bytes());
        put_text(&mut h, &self.serial);
        h.update(self.requested_at.0.to_be_bytes());
        put_bytes(&mut h, self.device_key.modulus());
        put_bytes(&mut h, self.device_key.public_exponent());
        put_text(&mut h, self.state.as_str());
        h.update(self.wrong_completions.to_be_bytes());
        match &self.code {
            Some(c) => {
                h.update([1u8]);
                h.update(c.hash);
                h.update(c.generation.to_be_bytes());
                h.update(c.issued_at.0.to_be_bytes());
                h.update([u8::from(c.sent)]);
            }
            None => h.update([0u8]),
        }
        match self.closed_at {
            Some(t) => {
                h.update([1u8]);
                h.update(t.0.to_be_bytes());
            }
            None => h.update([0u8]),
        }
        h.finalize().into()
    }
}

fn put_bytes(h: &mut Sha256, b: &[u8]) {
    h.update(u64::try_from(b.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(b);
}

/// What a journal record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A request was refused (the rules say why).
    RequestRefused,
    /// A request was accepted: the 48 hours start.
    RequestAccepted,
    /// A completion code was issued (its digits are not journaled).
    CodeIssued,
    /// The notifier accepted the completion-code message.
    CodeSent,
    /// The notifier failed; a new code will be issued at the next tick.
    NotificationFailed,
    /// A completion was refused.
    CompletionRefused,
    /// The PUK was released, sealed for the device key.
    Released,
    /// The procedure expired unfinished.
    Expired,
    /// The procedure closed after too many wrong completions.
    Closed,
    /// The clock read earlier than a time already observed; the service kept the later one.
    ClockBehind,
}

impl EventKind {
    /// A stable name for storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::RequestRefused => "request-refused",
            EventKind::RequestAccepted => "request-accepted",
            EventKind::CodeIssued => "code-issued",
            EventKind::CodeSent => "code-sent",
            EventKind::NotificationFailed => "notification-failed",
            EventKind::CompletionRefused => "completion-refused",
            EventKind::Released => "released",
            EventKind::Expired => "expired",
            EventKind::Closed => "closed",
            EventKind::ClockBehind => "clock-behind",
        }
    }

    /// Parses [`EventKind::as_str`].
    pub fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::RequestRefused,
            EventKind::RequestAccepted,
            EventKind::CodeIssued,
            EventKind::CodeSent,
            EventKind::NotificationFailed,
            EventKind::CompletionRefused,
            EventKind::Released,
            EventKind::Expired,
            EventKind::Closed,
            EventKind::ClockBehind,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One journal record. No field holds a digit of a PUK or of a completion code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryEvent {
    /// 1, 2, 3, ... without gaps.
    pub seq: u64,
    /// The service's monotonic "now".
    pub time: Timestamp,
    /// What happened.
    pub kind: EventKind,
    /// The procedure, if any.
    pub procedure: Option<ProcedureId>,
    /// The card's serial number, if known.
    pub card: String,
    /// The rules applied.
    pub rules: Vec<RuleId>,
    /// `key=value` pairs (reasons, times, counters).
    pub detail: String,
    /// The hash of the previous record (zeros for the first).
    pub prev: [u8; 32],
    /// SHA-256 of the record's content ([`RecoveryEvent::content_hash`]).
    pub hash: [u8; 32],
}

fn put_text(h: &mut Sha256, s: &str) {
    h.update(u64::try_from(s.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(s.as_bytes());
}

impl RecoveryEvent {
    /// SHA-256 over everything but `hash`: a domain tag, `prev`, the sequence number, the
    /// time, the kind, the procedure, the card, the rules and the detail, each text
    /// length-prefixed so no field can spill into the next.
    pub fn content_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"cie-pinpuk-recovery-journal-v1");
        h.update(self.prev);
        h.update(self.seq.to_be_bytes());
        h.update(self.time.0.to_be_bytes());
        put_text(&mut h, self.kind.as_str());
        match &self.procedure {
            Some(p) => {
                h.update([1u8]);
                h.update(p.as_bytes());
            }
            None => h.update([0u8]),
        }
        put_text(&mut h, &self.card);
        h.update(
            u64::try_from(self.rules.len())
                .unwrap_or(u64::MAX)
                .to_be_bytes(),
        );
        for r in &self.rules {
            put_text(&mut h, r.as_str());
        }
        put_text(&mut h, &self.detail);
        h.finalize().into()
    }
}

/// Where a journal stops being a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JournalBreak {
    /// The record's number is not the next one.
    #[error("journal record {found} where {expected} was expected")]
    Sequence {
        /// The number expected.
        expected: u64,
        /// The number found.
        found: u64,
    },
    /// The record does not name the previous record's hash.
    #[error("journal record {seq} does not follow the previous one")]
    Link {
        /// The record.
        seq: u64,
    },
    /// The record's content does not match its hash (it was edited).
    #[error("journal record {seq} was altered")]
    Content {
        /// The record.
        seq: u64,
    },
}

/// Checks that `events` is an unbroken chain from the first record: numbers 1, 2, 3, ...,
/// each record naming the previous one's hash, each hash matching its content (compared in
/// constant time). Detects an edited, removed, inserted or reordered record; a truncated tail
/// is detected by comparing the last hash with one kept elsewhere.
pub fn verify_journal(events: &[RecoveryEvent]) -> Result<(), JournalBreak> {
    let mut prev = [0u8; 32];
    let mut expected = 1u64;
    for e in events {
        if e.seq != expected {
            return Err(JournalBreak::Sequence {
                expected,
                found: e.seq,
            });
        }
        if !bool::from(e.prev.ct_eq(&prev)) {
            return Err(JournalBreak::Link { seq: e.seq });
        }
        if !bool::from(e.content_hash().ct_eq(&e.hash)) {
            return Err(JournalBreak::Content { seq: e.seq });
        }
        prev = e.hash;
        expected = expected.saturating_add(1);
    }
    Ok(())
}

/// The state read back when the service starts: the head and the open work, not the past.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The highest clock reading ever observed (the time of the latest commit).
    pub high_water: Option<Timestamp>,
    /// The open procedures (pending or code issued); final ones stay in the store.
    pub procedures: Vec<ProcedureRecord>,
    /// The latest signed head of the journal.
    pub head: Option<SignedHead>,
    /// The number of the last journal record (0 if none).
    pub last_seq: u64,
    /// The hash of the last journal record (zeros if none).
    pub last_hash: [u8; 32],
}

/// One atomic write.
#[derive(Clone, Copy, Debug)]
pub struct RecoveryCommit<'a> {
    /// The new high-water mark of the clock (never lower than the stored one).
    pub high_water: Timestamp,
    /// A procedure to insert or replace.
    pub procedure: Option<&'a ProcedureRecord>,
    /// Journal records to append, in order.
    pub events: &'a [RecoveryEvent],
    /// The Merkle tree blocks the records complete (in order).
    pub blocks: &'a [Block],
    /// The signed head of the journal with the records.
    pub head: Option<&'a SignedHead>,
}

/// Why the store failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryStoreError {
    /// A journal record does not follow the stored journal.
    #[error("journal record {found} does not follow the stored journal (next is {expected})")]
    OutOfSequence {
        /// The next number expected.
        expected: u64,
        /// The number given.
        found: u64,
    },
    /// The high-water mark would go back.
    #[error("the clock high-water mark cannot go back")]
    HighWaterBack,
    /// A journal record does not chain to the stored journal, or its hash is wrong.
    #[error("journal record {0} does not chain to the stored journal")]
    BrokenChain(u64),
    /// A stored row cannot be read back.
    #[error("stored recovery data is corrupt: {0}")]
    Corrupt(&'static str),
    /// The store is failing (injected in tests, or an I/O failure).
    #[error("the recovery store is unavailable")]
    Unavailable,
    /// The store does not match its signed journal or its anchor: refused.
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    /// The head could not be anchored or read from its anchor.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
    /// SQLite failed.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    // --- many instances (feature `postgres`, issue 15) ---
    /// Another instance wrote first: the commit was built on a journal head that is no
    /// longer the last. Nothing was written; the service reads the new head and decides
    /// again.
    #[error(
        "another instance moved the journal: record {found} given, the journal is at {expected}"
    )]
    Conflict {
        /// The number the next record must have.
        expected: u64,
        /// The number given.
        found: u64,
    },
    /// The database lost or refused the transaction before it committed (a serialization
    /// failure, a dropped connection, a server restart): nothing was written, a retry is
    /// safe.
    #[error("not committed ({reason}): nothing was written, a retry is safe")]
    NotCommitted {
        /// What happened.
        reason: &'static str,
    },
    /// The connection was lost while the commit of journal record `seq` was under way and
    /// the database could not be asked since: the commit may or may not have happened. The
    /// next operation reads the stored head first and tells.
    #[error(
        "the commit of recovery record {seq} may or may not have happened (database unreachable)"
    )]
    OutcomeUnknown {
        /// The last record of the commit in doubt.
        seq: u64,
    },
    /// The database schema is newer than this library knows.
    #[error("the database schema is at version {found}, this library knows up to {supported}")]
    SchemaTooNew {
        /// The version found.
        found: i32,
        /// The newest version this library can use.
        supported: i32,
    },
    /// PostgreSQL failed (nothing was written by a commit that returns it).
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Postgres(#[from] ::postgres::Error),
}

/// Where the recovery state and journal live. Every read the service makes in its work is
/// by key (one procedure, one record, one tree block): its cost does not grow with history.
pub trait RecoveryStore {
    /// What is needed to resume: the head, the clock mark and the open procedures.
    fn load(&self) -> Result<Snapshot, RecoveryStoreError>;
    /// Applies `commit` atomically: all of it or nothing.
    fn commit(&mut self, commit: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError>;
    /// Applies `commits` in order, atomically (a bulk import: one transaction). The default
    /// applies them one by one.
    fn commit_all(&mut self, commits: &[RecoveryCommit<'_>]) -> Result<(), RecoveryStoreError> {
        for c in commits {
            self.commit(*c)?;
        }
        Ok(())
    }
    /// The whole journal, in order (audits; `O(n)`).
    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError>;
    /// Journal record `seq`.
    fn event(&self, seq: u64) -> Result<Option<RecoveryEvent>, RecoveryStoreError>;
    /// One procedure, open or final.
    fn procedure(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryStoreError>;
    /// The hash of the complete subtree `index` at `level` of the journal's Merkle tree.
    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, RecoveryStoreError>;
    /// What the store found wrong with itself when opened (a dropped trigger), if anything.
    fn found_tampered(&self) -> Option<IntegrityError> {
        None
    }
    /// The number of the latest journal record that wrote procedure `id` (a record naming
    /// it whose detail carries ` record=`), read from the journal, not from the procedure's
    /// row: an older row put back is found by comparing the two. Stores answer it from an
    /// index; the default reads the whole journal (`O(n)`).
    fn latest_write(&self, id: &ProcedureId) -> Result<Option<u64>, RecoveryStoreError> {
        Ok(self
            .journal()?
            .iter()
            .rev()
            .find(|e| e.procedure == Some(*id) && writes_procedure(e))
            .map(|e| e.seq))
    }
    /// The latest signed head stored (the default reads [`RecoveryStore::load`]).
    fn head(&self) -> Result<Option<SignedHead>, RecoveryStoreError> {
        Ok(self.load()?.head)
    }
    /// Many instances: takes the store's operation lock, held until
    /// [`RecoveryStore::end_operation`] across the commits of one operation (a request, a
    /// completion, a tick), so that the service decides on the state every other instance
    /// committed. `Ok(false)`: the store has one writer and no lock (the default).
    fn begin_operation(&mut self) -> Result<bool, RecoveryStoreError> {
        Ok(false)
    }
    /// Releases the lock of [`RecoveryStore::begin_operation`].
    fn end_operation(&mut self) {}
    /// The store's own clock, read under the operation lock: the one clock of every
    /// instance over a shared database (the database server's time). `None` (the default):
    /// the service reads its injected [`Clock`](crate::journal::Clock).
    fn database_time(&mut self) -> Result<Option<Timestamp>, RecoveryStoreError> {
        Ok(None)
    }
}

/// Whether journal record `e` wrote its procedure (its detail ends with the procedure's
/// digest, ` record=...`).
pub(crate) fn writes_procedure(e: &RecoveryEvent) -> bool {
    e.detail.contains(" record=")
}

impl<T: RecoveryStore + ?Sized> RecoveryStore for &mut T {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        (**self).load()
    }
    fn commit(&mut self, commit: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        (**self).commit(commit)
    }
    fn commit_all(&mut self, commits: &[RecoveryCommit<'_>]) -> Result<(), RecoveryStoreError> {
        (**self).commit_all(commits)
    }
    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        (**self).journal()
    }
    fn event(&self, seq: u64) -> Result<Option<RecoveryEvent>, RecoveryStoreError> {
        (**self).event(seq)
    }
    fn procedure(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryStoreError> {
        (**self).procedure(id)
    }
    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, RecoveryStoreError> {
        (**self).block(level, index)
    }
    fn found_tampered(&self) -> Option<IntegrityError> {
        (**self).found_tampered()
    }
    fn latest_write(&self, id: &ProcedureId) -> Result<Option<u64>, RecoveryStoreError> {
        (**self).latest_write(id)
    }
    fn head(&self) -> Result<Option<SignedHead>, RecoveryStoreError> {
        (**self).head()
    }
    fn begin_operation(&mut self) -> Result<bool, RecoveryStoreError> {
        (**self).begin_operation()
    }
    fn end_operation(&mut self) {
        (**self).end_operation()
    }
    fn database_time(&mut self) -> Result<Option<Timestamp>, RecoveryStoreError> {
        (**self).database_time()
    }
}

/// A [`RecoveryStore`] read as the source of the journal tree's blocks.
pub(crate) struct RecoveryBlocks<'a, S: ?Sized>(pub(crate) &'a S);

impl<S: RecoveryStore + ?Sized> NodeSource for RecoveryBlocks<'_, S> {
    type Error = RecoveryStoreError;
    fn block(&self, level: u32, index: u64) -> Result<Hash, RecoveryStoreError> {
        self.0
            .block(level, index)?
            .ok_or(RecoveryStoreError::Corrupt("missing tree block"))
    }
}

pub(crate) fn check_commit(
    high_water: Option<Timestamp>,
    last_seq: u64,
    last_hash: [u8; 32],
    c: &RecoveryCommit<'_>,
) -> Result<(), RecoveryStoreError> {
    if high_water.is_some_and(|h| c.high_water < h) {
        return Err(RecoveryStoreError::HighWaterBack);
    }
    let mut expected = last_seq;
    let mut prev = last_hash;
    for e in c.events {
        expected = expected.saturating_add(1);
        if e.seq != expected {
            return Err(RecoveryStoreError::OutOfSequence {
                expected,
                found: e.seq,
            });
        }
        if !bool::from(e.prev.ct_eq(&prev)) || !bool::from(e.content_hash().ct_eq(&e.hash)) {
            return Err(RecoveryStoreError::BrokenChain(e.seq));
        }
        prev = e.hash;
    }
    Ok(())
}

/// The in-memory store: procedures by id with the open ones indexed, the journal and its
/// tree levels in vectors. `fail_next` makes the next commits fail, to test that a failed
/// write changes nothing.
#[derive(Debug, Default)]
pub struct MemoryRecoveryStore {
    high_water: Option<Timestamp>,
    procedures: BTreeMap<ProcedureId, ProcedureRecord>,
    open: BTreeSet<ProcedureId>,
    journal: Vec<RecoveryEvent>,
    levels: Vec<Vec<Hash>>,
    head: Option<SignedHead>,
    /// The latest journal record that wrote each procedure (an index of the journal).
    latest: BTreeMap<ProcedureId, u64>,
    /// Fail the next `n` commits with [`RecoveryStoreError::Unavailable`].
    pub fail_next: usize,
}

impl MemoryRecoveryStore {
    /// An empty store.
    pub fn new() -> MemoryRecoveryStore {
        MemoryRecoveryStore::default()
    }

    /// Direct access to a stored procedure, for tamper tests.
    pub fn procedure_mut(&mut self, id: &ProcedureId) -> Option<&mut ProcedureRecord> {
        self.procedures.get_mut(id)
    }

    /// Puts `record` in place of the stored procedure as it is (open or final), without a
    /// journal record: what restoring a row from an older backup does (tamper tests).
    pub fn put_back(&mut self, record: ProcedureRecord) {
        if record.state.is_final() {
            self.open.remove(&record.id);
        } else {
            self.open.insert(record.id);
        }
        self.procedures.insert(record.id, record);
    }
}

fn usize_of(n: u64) -> Result<usize, RecoveryStoreError> {
    usize::try_from(n).map_err(|_| RecoveryStoreError::Corrupt("number out of range"))
}

impl RecoveryStore for MemoryRecoveryStore {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        let (last_seq, last_hash) = self
            .journal
            .last()
            .map_or((0, [0; 32]), |e| (e.seq, e.hash));
        Ok(Snapshot {
            high_water: self.high_water,
            procedures: self
                .open
                .iter()
                .filter_map(|id| self.procedures.get(id).cloned())
                .collect(),
            head: self.head,
            last_seq,
            last_hash,
        })
    }

    fn commit(&mut self, c: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        if self.fail_next > 0 {
            self.fail_next = self.fail_next.saturating_sub(1);
            return Err(RecoveryStoreError::Unavailable);
        }
        let (last_seq, last_hash) = self
            .journal
            .last()
            .map_or((0, [0; 32]), |e| (e.seq, e.hash));
        check_commit(self.high_water, last_seq, last_hash, &c)?;
        for b in c.blocks {
            let have = self
                .levels
                .get(usize_of(u64::from(b.level))?)
                .map_or(0, Vec::len);
            if usize_of(b.index)? != have {
                return Err(RecoveryStoreError::Corrupt("tree block out of order"));
            }
        }
        for b in c.blocks {
            let level = usize_of(u64::from(b.level))?;
            while self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            if let Some(v) = self.levels.get_mut(level) {
                v.push(b.hash);
            }
        }
        self.high_water = Some(c.high_water);
        if let Some(p) = c.procedure {
            if p.state.is_final() {
                self.open.remove(&p.id);
            } else {
                self.open.insert(p.id);
            }
            self.procedures.insert(p.id, p.clone());
        }
        for e in c.events {
            if let Some(id) = e.procedure.filter(|_| writes_procedure(e)) {
                self.latest.insert(id, e.seq);
            }
        }
        self.journal.extend(c.events.iter().cloned());
        if let Some(h) = c.head {
            self.head = Some(*h);
        }
        Ok(())
    }

    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        Ok(self.journal.clone())
    }

    fn event(&self, seq: u64) -> Result<Option<RecoveryEvent>, RecoveryStoreError> {
        let Some(i) = seq.checked_sub(1) else {
            return Ok(None);
        };
        Ok(self.journal.get(usize_of(i)?).cloned())
    }

    fn procedure(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryStoreError> {
        Ok(self.procedures.get(id).cloned())
    }

    fn latest_write(&self, id: &ProcedureId) -> Result<Option<u64>, RecoveryStoreError> {
        Ok(self.latest.get(id).copied())
    }

    fn head(&self) -> Result<Option<SignedHead>, RecoveryStoreError> {
        Ok(self.head)
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, RecoveryStoreError> {
        Ok(self
            .levels
            .get(usize_of(u64::from(level))?)
            .and_then(|v| v.get(usize::try_from(index).ok()?))
            .copied())
    }
}
