//! The durable state of the recovery service and its journal, behind the [`RecoveryStore`]
//! seam: the procedures, the highest clock reading ever observed (so that a clock going
//! backwards, or a restart, never moves the service's notion of "now" back), and the
//! append-only journal of every transition. One [`RecoveryCommit`] is applied atomically.
//!
//! Nothing secret is stored: no PUK (it is read from the register at release), no completion
//! code (only its keyed hash), no digit of either in the journal.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::device::DeviceKey;
use crate::journal::Timestamp;
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

/// The state read back when the service starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The highest clock reading ever observed.
    pub high_water: Option<Timestamp>,
    /// Every procedure.
    pub procedures: Vec<ProcedureRecord>,
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
    /// SQLite failed.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Where the recovery state and journal live.
pub trait RecoveryStore {
    /// Everything needed to resume.
    fn load(&self) -> Result<Snapshot, RecoveryStoreError>;
    /// Applies `commit` atomically: all of it or nothing.
    fn commit(&mut self, commit: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError>;
    /// The whole journal, in order.
    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError>;
}

impl<T: RecoveryStore + ?Sized> RecoveryStore for &mut T {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        (**self).load()
    }
    fn commit(&mut self, commit: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        (**self).commit(commit)
    }
    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        (**self).journal()
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

/// The in-memory store. `fail_next` makes the next commits fail, to test that a failed write
/// changes nothing.
#[derive(Debug, Default)]
pub struct MemoryRecoveryStore {
    snapshot: Snapshot,
    journal: Vec<RecoveryEvent>,
    /// Fail the next `n` commits with [`RecoveryStoreError::Unavailable`].
    pub fail_next: usize,
}

impl MemoryRecoveryStore {
    /// An empty store.
    pub fn new() -> MemoryRecoveryStore {
        MemoryRecoveryStore::default()
    }
}

impl RecoveryStore for MemoryRecoveryStore {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        Ok(self.snapshot.clone())
    }

    fn commit(&mut self, c: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        if self.fail_next > 0 {
            self.fail_next = self.fail_next.saturating_sub(1);
            return Err(RecoveryStoreError::Unavailable);
        }
        check_commit(
            self.snapshot.high_water,
            self.snapshot.last_seq,
            self.snapshot.last_hash,
            &c,
        )?;
        self.snapshot.high_water = Some(c.high_water);
        if let Some(p) = c.procedure {
            match self.snapshot.procedures.iter_mut().find(|q| q.id == p.id) {
                Some(slot) => *slot = p.clone(),
                None => self.snapshot.procedures.push(p.clone()),
            }
        }
        if let Some(last) = c.events.last() {
            self.snapshot.last_seq = last.seq;
            self.snapshot.last_hash = last.hash;
        }
        self.journal.extend(c.events.iter().cloned());
        Ok(())
    }

    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        Ok(self.journal.clone())
    }
}
