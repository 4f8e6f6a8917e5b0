//! Durable storage of the journal, its Merkle tree and signed heads, and the outbox: one
//! transaction per journal append together with its outbox writes. Every read the desk makes
//! in its work (the head, one entry, one tree block, the pending records) is indexed: its
//! cost does not grow with the history kept.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::clock::Timestamp;
use super::entry::Entry;
use super::log::{IntegrityError, SignedHead};
use super::merkle::{Block, Hash, NodeSource};
use crate::notify::{DeliveryFailure, FailureKind, IdempotencyKey, OutboxRecord, OutboxState};

/// One atomic write: a journal entry, the tree blocks it completes, the signed head that
/// covers it, the outbox records it creates, and the outbox record it marks as sent.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// The entry to append.
    pub entry: &'a Entry,
    /// New outbox records (pending).
    pub new_outbox: &'a [OutboxRecord],
    /// An outbox record to mark as sent.
    pub mark_sent: Option<&'a IdempotencyKey>,
    /// The Merkle tree blocks completed by the entry (its leaf first).
    pub blocks: &'a [Block],
    /// The signed head of the log with the entry (`size == entry.seq`).
    pub head: &'a SignedHead,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The entry does not follow the last stored one.
    #[error("entry {found} does not follow the stored journal (next is {expected})")]
    OutOfSequence {
        /// The next number the store expects.
        expected: u64,
        /// The number given.
        found: u64,
    },
    /// An outbox key is already stored, or the key to mark is unknown or already sent.
    #[error("outbox key conflict")]
    OutboxConflict,
    /// A stored row cannot be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(&'static str),
    /// The store does not match its signed head or its anchor: refused.
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    /// SQLite failed.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    // --- many writers (feature `postgres`, issue 15) ---
    /// Another writer appended first: the entry was built on a head that is no longer the
    /// last. Nothing was written; the journal reads the new head and builds the entry again.
    #[error("another writer moved the head: entry {found} given, the log is at {expected}")]
    Conflict {
        /// The number the next entry must have.
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
    /// The connection was lost while the commit of entry `seq` was under way and the
    /// database could not be asked since: the entry may or may not be stored. The next
    /// append (or open) reads the stored head and tells.
    #[error("the commit of entry {seq} may or may not have happened (database unreachable)")]
    OutcomeUnknown {
        /// The entry whose commit is in doubt.
        seq: u64,
    },
    /// The SQLite journal was made before signed tree heads existed (a hash chain of
    /// `entries` signed entries, no Merkle tree, no head): a plain open refuses it and
    /// changes nothing. `SqliteStore::migrate_unsigned` (feature `sqlite`) verifies the
    /// whole chain and signs its first head with the officer's key.
    #[error("the journal was made before signed heads ({entries} entries): migrate it explicitly")]
    PreHeadFormat {
        /// The number of entries in the old journal.
        entries: u64,
    },
    /// A migration was asked for a store that is not in the pre-head format.
    #[error("the store is not in the pre-head format: nothing to migrate")]
    NothingToMigrate,
    /// The old journal does not verify under the signer's key (an entry edited, missing,
    /// reordered, or signed by another key): not migrated, nothing written.
    #[error("the old journal does not verify, not migrated: {0}")]
    MigrationRefused(#[source] super::entry::VerifyError),
    /// The signer failed to sign the migrated journal's first head: nothing written.
    #[error("the signer failed, not migrated: {0}")]
    MigrationSigner(#[source] super::signer::SignerError),
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

/// Where the journal, its tree and the outbox live.
pub trait JournalStore {
    /// Applies `commit` atomically: all of it or nothing.
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError>;
    /// Applies `commits` in order, atomically (a bulk import: one transaction). The default
    /// applies them one by one.
    fn commit_all(&mut self, commits: &[Commit<'_>]) -> Result<(), StoreError> {
        for c in commits {
            self.commit(*c)?;
        }
        Ok(())
    }
    /// The latest signed head stored.
    fn head(&self) -> Result<Option<SignedHead>, StoreError>;
    /// The number of the last entry stored (0: none).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// Entry `seq`.
    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError>;
    /// Every entry, in order (audits; `O(n)`).
    fn entries(&self) -> Result<Vec<Entry>, StoreError>;
    /// The stored signed head of size `size`, if the store keeps it.
    fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError>;
    /// The hash of the complete subtree `index` at `level` of the Merkle tree.
    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, StoreError>;
    /// The blocks `wanted` (`(level, index)` each), in that order, in one read where the
    /// store can (a proof's `O(log n)` blocks in one query). The default reads them one by
    /// one.
    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
        wanted.iter().map(|&(l, i)| self.block(l, i)).collect()
    }
    /// Every outbox record, in insertion order.
    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError>;
    /// The records not yet sent, in insertion order (indexed: the cost follows their number).
    fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError>;
    /// Records that an attempt to send the pending record `key` failed: keeps `kind`,
    /// `detail` (already masked, see [`DeliveryFailure::mask_detail`]) and `at` with the
    /// record and counts the attempt; returns what is now stored. Outside the journal: a
    /// failed attempt appends no entry. The mark of the record's sending clears it.
    ///
    /// # Errors
    /// [`StoreError::OutboxConflict`] if no pending record has the key (unknown, or
    /// already sent): nothing is changed.
    fn record_failure(
        &mut self,
        key: &IdempotencyKey,
        kind: FailureKind,
        detail: &str,
        at: Timestamp,
    ) -> Result<DeliveryFailure, StoreError>;
    /// What the store found wrong with itself when it was opened (a dropped append-only
    /// trigger), if anything.
    fn found_tampered(&self) -> Option<IntegrityError> {
        None
    }
    /// Whether the store's file was 0 bytes long when it was opened.
    fn was_zero_bytes(&self) -> bool {
        false
    }
    /// Many writers: takes the store's append lock before an entry is built, so that the
    /// entry is built on the head it will extend (`Ok(true)`; the lock ends with the next
    /// [`JournalStore::commit`] or [`JournalStore::abort_append`]). `Ok(false)`: the store
    /// has a single writer and no lock (the default).
    fn begin_append(&mut self) -> Result<bool, StoreError> {
        Ok(false)
    }
    /// Releases the append lock taken by [`JournalStore::begin_append`] without writing.
    fn abort_append(&mut self) {}
}

macro_rules! forward_store {
    () => {
        fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError> {
            (**self).commit(commit)
        }
        fn commit_all(&mut self, commits: &[Commit<'_>]) -> Result<(), StoreError> {
            (**self).commit_all(commits)
        }
        fn head(&self) -> Result<Option<SignedHead>, StoreError> {
            (**self).head()
        }
        fn last_seq(&self) -> Result<u64, StoreError> {
            (**self).last_seq()
        }
        fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
            (**self).entry(seq)
        }
        fn entries(&self) -> Result<Vec<Entry>, StoreError> {
            (**self).entries()
        }
        fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
            (**self).head_at(size)
        }
        fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, StoreError> {
            (**self).block(level, index)
        }
        fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
            (**self).blocks(wanted)
        }
        fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
            (**self).outbox()
        }
        fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError> {
            (**self).pending()
        }
        fn record_failure(
            &mut self,
            key: &IdempotencyKey,
            kind: FailureKind,
            detail: &str,
            at: Timestamp,
        ) -> Result<DeliveryFailure, StoreError> {
            (**self).record_failure(key, kind, detail, at)
        }
        fn found_tampered(&self) -> Option<IntegrityError> {
            (**self).found_tampered()
        }
        fn was_zero_bytes(&self) -> bool {
            (**self).was_zero_bytes()
        }
        fn begin_append(&mut self) -> Result<bool, StoreError> {
            (**self).begin_append()
        }
        fn abort_append(&mut self) {
            (**self).abort_append()
        }
    };
}

impl<T: JournalStore + ?Sized> JournalStore for &mut T {
    forward_store!();
}

impl<T: JournalStore + ?Sized> JournalStore for alloc::boxed::Box<T> {
    forward_store!();
}

/// A [`JournalStore`] read as the source of the Merkle tree's blocks (a missing block is
/// [`StoreError::Corrupt`]).
#[derive(Debug)]
pub struct Blocks<'a, S: ?Sized>(pub &'a S);

impl<S: JournalStore + ?Sized> NodeSource for Blocks<'_, S> {
    type Error = StoreError;
    fn block(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        self.0
            .block(level, index)?
            .ok_or(StoreError::Corrupt("missing tree block"))
    }
    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Hash>, StoreError> {
        self.0
            .blocks(wanted)?
            .into_iter()
            .map(|h| h.ok_or(StoreError::Corrupt("missing tree block")))
            .collect()
    }
}

/// The in-memory store: entries and tree levels in vectors, the outbox indexed by key and by
/// state.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Vec<Entry>,
    outbox: Vec<OutboxRecord>,
    by_key: BTreeMap<IdempotencyKey, usize>,
    pending: BTreeSet<usize>,
    levels: Vec<Vec<Hash>>,
    heads: Vec<SignedHead>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Direct access to the entries, for tamper tests.
    pub fn entries_mut(&mut self) -> &mut Vec<Entry> {
        &mut self.entries
    }

    /// Direct access to the signed heads (oldest first), for tamper tests.
    pub fn heads_mut(&mut self) -> &mut Vec<SignedHead> {
        &mut self.heads
    }
}

/// Checks a commit against the store: `state_of` gives the state of a stored outbox record
/// (`None`: no such key). New keys must be new; the record to mark must be pending (a record
/// is marked sent once: by exactly one journal entry).
pub(crate) fn check_commit(
    last_seq: u64,
    state_of: &mut dyn FnMut(&IdempotencyKey) -> Result<Option<OutboxState>, StoreError>,
    c: &Commit<'_>,
) -> Result<(), StoreError> {
    let expected = last_seq.saturating_add(1);
    if c.entry.seq != expected || c.head.size != expected {
        return Err(StoreError::OutOfSequence {
            expected,
            found: c.entry.seq,
        });
    }
    for (i, r) in c.new_outbox.iter().enumerate() {
        let dup_new = c.new_outbox.iter().take(i).any(|o| o.key == r.key);
        if dup_new || state_of(&r.key)?.is_some() {
            return Err(StoreError::OutboxConflict);
        }
    }
    if let Some(k) = c.mark_sent {
        let state = match c.new_outbox.iter().find(|o| &o.key == k) {
            Some(o) => Some(o.state),
            None => state_of(k)?,
        };
        if state != Some(OutboxState::Pending) {
            return Err(StoreError::OutboxConflict);
        }
    }
    Ok(())
}

fn index_of(n: u64) -> Result<usize, StoreError> {
    usize::try_from(n).map_err(|_| StoreError::Corrupt("number out of range"))
}

impl JournalStore for MemoryStore {
    fn commit(&mut self, c: Commit<'_>) -> Result<(), StoreError> {
        let last = self.entries.last().map_or(0, |e| e.seq);
        let (by_key, outbox) = (&self.by_key, &self.outbox);
        check_commit(
            last,
            &mut |k| Ok(by_key.get(k).and_then(|&i| outbox.get(i)).map(|r| r.state)),
            &c,
        )?;
        // Check the blocks fit before changing anything.
        for b in c.blocks {
            let have = self
                .levels
                .get(index_of(u64::from(b.level))?)
                .map_or(0, Vec::len);
            if index_of(b.index)? != have {
                return Err(StoreError::Corrupt("tree block out of order"));
            }
        }
        for b in c.blocks {
            let level = index_of(u64::from(b.level))?;
            while self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            if let Some(v) = self.levels.get_mut(level) {
                v.push(b.hash);
            }
        }
        self.entries.push(c.entry.clone());
        for r in c.new_outbox {
            let i = self.outbox.len();
            self.by_key.insert(r.key.clone(), i);
            if r.state == OutboxState::Pending {
                self.pending.insert(i);
            }
            self.outbox.push(r.clone());
        }
        if let Some(k) = c.mark_sent
            && let Some(&i) = self.by_key.get(k)
        {
            if let Some(r) = self.outbox.get_mut(i) {
                r.state = OutboxState::Sent;
                r.failure = None;
            }
            self.pending.remove(&i);
        }
        self.heads.push(*c.head);
        Ok(())
    }

    fn head(&self) -> Result<Option<SignedHead>, StoreError> {
        Ok(self.heads.last().copied())
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.entries.last().map_or(0, |e| e.seq))
    }

    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        let Some(i) = seq.checked_sub(1) else {
            return Ok(None);
        };
        Ok(self.entries.get(index_of(i)?).cloned())
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        Ok(self.entries.clone())
    }

    fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        let Some(i) = size.checked_sub(1) else {
            return Ok(None);
        };
        Ok(self
            .heads
            .get(index_of(i)?)
            .copied()
            .filter(|h| h.size == size))
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, StoreError> {
        Ok(self
            .levels
            .get(index_of(u64::from(level))?)
            .and_then(|v| v.get(usize::try_from(index).ok()?))
            .copied())
    }

    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        Ok(self.outbox.clone())
    }

    fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        Ok(self
            .pending
            .iter()
            .filter_map(|&i| self.outbox.get(i).cloned())
            .collect())
    }

    fn record_failure(
        &mut self,
        key: &IdempotencyKey,
        kind: FailureKind,
        detail: &str,
        at: Timestamp,
    ) -> Result<DeliveryFailure, StoreError> {
        let record = self
            .by_key
            .get(key)
            .and_then(|&i| self.outbox.get_mut(i))
            .filter(|r| r.state == OutboxState::Pending)
            .ok_or(StoreError::OutboxConflict)?;
        let failure = next_failure(record.failure.as_ref(), kind, detail, at);
        record.failure = Some(failure.clone());
        Ok(failure)
    }
}

/// The failure kept after one more failed attempt.
pub(crate) fn next_failure(
    before: Option<&DeliveryFailure>,
    kind: FailureKind,
    detail: &str,
    at: Timestamp,
) -> DeliveryFailure {
    DeliveryFailure {
        kind,
        detail: DeliveryFailure::mask_detail(detail),
        at,
        attempts: before.map_or(0, |f| f.attempts).saturating_add(1),
    }
}

/// The text of the rules, comma-separated (the stores that keep entries as text rows).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn rules_text(rules: &[crate::policy::RuleId]) -> alloc::string::String {
    let v: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
    v.join(",")
}
