//! Durable storage of the journal and the outbox: one transaction per journal append
//! together with its outbox writes.

use alloc::vec::Vec;

use super::entry::Entry;
use crate::notify::{IdempotencyKey, OutboxRecord, OutboxState};

/// One atomic write: a journal entry, the outbox records it creates, and the outbox record it
/// marks as sent.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// The entry to append.
    pub entry: &'a Entry,
    /// New outbox records (pending).
    pub new_outbox: &'a [OutboxRecord],
    /// An outbox record to mark as sent.
    pub mark_sent: Option<&'a IdempotencyKey>,
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
    /// An outbox key is already stored, or the key to mark is unknown.
    #[error("outbox key conflict")]
    OutboxConflict,
    /// A stored row cannot be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(&'static str),
    /// SQLite failed.
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Where the journal and the outbox live.
pub trait JournalStore {
    /// Applies `commit` atomically: all of it or nothing.
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError>;
    /// Every entry, in order.
    fn entries(&self) -> Result<Vec<Entry>, StoreError>;
    /// Every outbox record, in insertion order.
    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError>;
    /// The records not yet sent.
    fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        Ok(self
            .outbox()?
            .into_iter()
            .filter(|r| r.state == OutboxState::Pending)
            .collect())
    }
}

impl<T: JournalStore + ?Sized> JournalStore for &mut T {
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError> {
        (**self).commit(commit)
    }
    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        (**self).entries()
    }
    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        (**self).outbox()
    }
}

impl<T: JournalStore + ?Sized> JournalStore for alloc::boxed::Box<T> {
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError> {
        (**self).commit(commit)
    }
    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        (**self).entries()
    }
    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        (**self).outbox()
    }
}

/// The in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Vec<Entry>,
    outbox: Vec<OutboxRecord>,
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
}

pub(crate) fn check_commit(
    last_seq: u64,
    key_exists: &mut dyn FnMut(&IdempotencyKey) -> Result<bool, StoreError>,
    c: &Commit<'_>,
) -> Result<(), StoreError> {
    let expected = last_seq.saturating_add(1);
    if c.entry.seq != expected {
        return Err(StoreError::OutOfSequence {
            expected,
            found: c.entry.seq,
        });
    }
    for (i, r) in c.new_outbox.iter().enumerate() {
        let dup_new = c.new_outbox.iter().take(i).any(|o| o.key == r.key);
        if dup_new || key_exists(&r.key)? {
            return Err(StoreError::OutboxConflict);
        }
    }
    if let Some(k) = c.mark_sent
        && !c.new_outbox.iter().any(|o| &o.key == k)
        && !key_exists(k)?
    {
        return Err(StoreError::OutboxConflict);
    }
    Ok(())
}

impl JournalStore for MemoryStore {
    fn commit(&mut self, c: Commit<'_>) -> Result<(), StoreError> {
        let last = self.entries.last().map_or(0, |e| e.seq);
        let outbox = &self.outbox;
        check_commit(last, &mut |k| Ok(outbox.iter().any(|o| &o.key == k)), &c)?;
        self.entries.push(c.entry.clone());
        self.outbox.extend(c.new_outbox.iter().cloned());
        if let Some(k) = c.mark_sent {
            for r in self.outbox.iter_mut().filter(|r| &r.key == k) {
                r.state = OutboxState::Sent;
            }
        }
        Ok(())
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        Ok(self.entries.clone())
    }

    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        Ok(self.outbox.clone())
    }
}
