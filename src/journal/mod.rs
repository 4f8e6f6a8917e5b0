//! The desk journal: hash-chained (SHA-256), each entry signed by the officer (ECDSA P-256),
//! kept in a [`JournalStore`] (in memory, or SQLite with feature `sqlite`). [`verify`] detects
//! any edited, reordered or missing entry; [`verify_with_head`] also a truncated tail. No entry
//! holds a digit of a PIN or a PUK (P-POL2).

mod clock;
mod entry;
mod signer;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

use alloc::vec::Vec;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use entry::{
    Entry, EntryKind, Head, VerifyError, from_letters, to_letters, verify, verify_with_head,
};
pub use signer::{OrderSigner, SignerError, SoftwareSigner, verify_signature};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use store::{Commit, JournalStore, MemoryStore, StoreError};

use crate::notify::{IdempotencyKey, OutboxRecord};
use crate::policy::RuleId;

/// Why an append failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The signer failed.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A journal over a store: knows the last entry and appends sealed entries.
#[derive(Debug)]
pub struct Journal<S: JournalStore> {
    store: S,
    last: Option<(u64, [u8; 32])>,
}

impl<S: JournalStore> Journal<S> {
    /// Opens the journal in `store` (empty or not).
    pub fn open(store: S) -> Result<Journal<S>, StoreError> {
        let last = store.entries()?.last().map(|e| (e.seq, e.hash));
        Ok(Journal { store, last })
    }

    /// Seals and appends an entry, with its outbox writes, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &mut self,
        clock: &dyn Clock,
        signer: &dyn OrderSigner,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &str,
        detail: &str,
        new_outbox: &[OutboxRecord],
        mark_sent: Option<&IdempotencyKey>,
    ) -> Result<Entry, JournalError> {
        let entry = Entry::seal(self.last, clock.now(), kind, rules, card, detail, signer)?;
        self.store.commit(Commit {
            entry: &entry,
            new_outbox,
            mark_sent,
        })?;
        self.last = Some((entry.seq, entry.hash));
        Ok(entry)
    }

    /// The number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.last.map_or(1, |(s, _)| s.saturating_add(1))
    }

    /// The head of the journal (number and hash of the last entry).
    pub fn head(&self) -> Head {
        match self.last {
            Some((seq, hash)) => Head { seq, hash },
            None => Head {
                seq: 0,
                hash: [0u8; 32],
            },
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably (tests, maintenance).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Every entry.
    pub fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        self.store.entries()
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }
}
