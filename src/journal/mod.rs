//! The desk journal: a transparency log in the manner of RFC 9162 (Certificate
//! Transparency 2.0). Each entry is hash-chained (SHA-256) to the one before and signed by
//! the officer (ECDSA P-256); each entry is also a leaf of a Merkle tree, and after every
//! commit the officer's key signs a tree head (size, root, time). Entries, tree and heads
//! live in a [`JournalStore`] (in memory, or SQLite with feature `sqlite`). No entry holds a
//! digit of a PIN or a PUK (P-POL2).
//!
//! [`Journal::open`] reads the head, not the past: it checks the stored head's signature,
//! that the entries end exactly at the head, and that the last entry is the head's last
//! leaf (an inclusion proof), in `O(log n)`. [`Journal::check_anchor`] compares the store
//! with the head kept outside it by a [`HeadAnchor`] ([`FileAnchor`], or the issuance
//! system): a truncated, emptied, replaced or rolled-back store is refused with an
//! [`IntegrityError`] that says what was found.
//!
//! # For auditors
//! An auditor holds the officer's public key and the signed heads they were given (printed
//! on a receipt, sent to a supervisor, or read from the anchor file). Nothing below needs
//! the whole journal, and each check costs `O(log n)` hashes:
//!
//! - **One reprint.** Ask the desk for the entry and [`Journal::inclusion_proof`] of its
//!   number against the current head; run [`verify_entry`] (the entry's content hash and
//!   signature) and [`verify_inclusion`] with the head. `Ok` means this exact entry is
//!   entry number `seq` of the log that the officer signed.
//! - **The log only grew.** Keep the last head you checked. Later, ask for the new head and
//!   [`Journal::consistency_proof`] from your head's size; [`verify_consistency`] returns
//!   `Ok` only if the new log contains the old one unchanged, entry for entry.
//! - **Everything.** [`verify`] (chain and signatures) and [`Journal::audit`] (chain,
//!   signatures and the tree root against the signed head) read every entry, once.
//!
//! The crate's `docs/journal.md` says the same at more length, with the list of what a
//! tampered store is refused with.
//!
//! ```
//! use cie_pinpuk::journal::*;
//! use cie_pinpuk::policy::RuleId;
//!
//! let officer = SoftwareSigner::from_bytes(&[7; 32]).unwrap();
//! let key = officer.verifying_key();
//! let clock = ManualClock::new(Timestamp(1_772_442_000));
//! let mut j = Journal::open(MemoryStore::new(), &key).unwrap();
//! for i in 0..5 {
//!     let detail = format!("step={i}");
//!     j.append(&clock, &officer, EntryKind::Decision, vec![RuleId::R1], "CA00000AA", &detail, &[], None)
//!         .unwrap();
//! }
//! let seen = j.signed_head().unwrap(); // the head an auditor kept
//! j.append(&clock, &officer, EntryKind::Decision, vec![RuleId::R1], "CA00000AA", "step=5", &[], None)
//!     .unwrap();
//! let now = j.signed_head().unwrap();
//!
//! // One reprint: entry 3 is in the log.
//! let entry = j.entry(3).unwrap().unwrap();
//! verify_entry(&entry, &key).unwrap();
//! verify_inclusion(&key, &now, &entry.hash, &j.inclusion_proof(3).unwrap()).unwrap();
//! // The log only grew since the head seen.
//! verify_consistency(&key, &seen, &now, &j.consistency_proof(seen.size).unwrap()).unwrap();
//! ```

mod clock;
mod entry;
mod log;
pub mod merkle;
#[cfg(feature = "postgres")]
mod pg;
mod signer;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

use alloc::vec::Vec;

use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use entry::{
    Entry, EntryKind, Head, VerifyError, from_letters, to_letters, verify, verify_with_head,
};
#[cfg(feature = "recovery")]
pub(crate) use log::Anchors;
pub use log::{
    AnchorError, ConsistencyProof, FileAnchor, HeadAnchor, InclusionProof, IntegrityError,
    MemoryAnchor, ProofError, SignedHead, check_anchor, verify_consistency, verify_inclusion,
};
#[cfg(feature = "postgres")]
pub use pg::PgStore;
#[cfg(all(feature = "postgres", feature = "recovery"))]
pub(crate) use pg::{migrate, missing_pg_trigger, not_committed};
pub use signer::{OrderSigner, SignerError, SoftwareSigner, verify_signature};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
#[cfg(feature = "sqlite")]
pub(crate) use sqlite::{commit_in_one_transaction, missing_trigger};
pub use store::{Blocks, Commit, JournalStore, MemoryStore, StoreError};

use crate::notify::{IdempotencyKey, OutboxRecord};
use crate::policy::RuleId;
use merkle::{Frontier, WithFrontier};

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

/// Checks one entry on its own: its hash recomputed from its content, and the officer's
/// signature over it.
pub fn verify_entry(entry: &Entry, key: &VerifyingKey) -> Result<(), VerifyError> {
    let hash: [u8; 32] = Sha256::digest(entry.content().as_bytes()).into();
    if !bool::from(hash.ct_eq(&entry.hash)) {
        return Err(VerifyError::Hash { seq: entry.seq });
    }
    if !verify_signature(key, &entry.hash, &entry.signature) {
        return Err(VerifyError::Signature { seq: entry.seq });
    }
    Ok(())
}

/// A journal over a store: knows the signed head and the tree's frontier, appends sealed
/// entries.
#[derive(Debug)]
pub struct Journal<S: JournalStore> {
    store: S,
    key: VerifyingKey,
    last: Option<(u64, [u8; 32])>,
    frontier: Frontier,
    head: Option<SignedHead>,
    /// A commit failed: read the stored head before the next append.
    stale: bool,
}

/// How many stored blocks the audit compares per read.
const AUDIT_BATCH: usize = 128;

/// How many times an append is built again after [`StoreError::Conflict`] before the
/// conflict is returned.
const MAX_CONFLICTS: u32 = 64;

type Tip = (Option<(u64, [u8; 32])>, Frontier, Option<SignedHead>);

/// Reads and checks the stored head: its signature, that the entries end exactly at it, that
/// the tree's frontier gives its root and that the last entry is its last leaf.
fn read_tip<S: JournalStore + ?Sized>(store: &S, key: &VerifyingKey) -> Result<Tip, StoreError> {
    let head = store.head()?;
    let last_seq = store.last_seq()?;
    let Some(head) = head else {
        if last_seq != 0 {
            return Err(IntegrityError::HeadMissing { entries: last_seq }.into());
        }
        return Ok((None, Frontier::default(), None));
    };
    if !head.verify(key) {
        return Err(IntegrityError::HeadSignature { size: head.size }.into());
    }
    if last_seq < head.size {
        return Err(IntegrityError::TailTruncated {
            head: head.size,
            last: last_seq,
        }
        .into());
    }
    if last_seq > head.size {
        return Err(IntegrityError::UnsignedEntries {
            head: head.size,
            last: last_seq,
        }
        .into());
    }
    let altered = IntegrityError::AlteredEntry { seq: head.size };
    let frontier = Frontier::load(&Blocks(store), head.size).map_err(|_| altered)?;
    if !bool::from(frontier.root().ct_eq(&head.root)) {
        return Err(altered.into());
    }
    let last = store
        .entry(head.size)?
        .ok_or(IntegrityError::TailTruncated {
            head: head.size,
            last: head.size.saturating_sub(1),
        })?;
    let path = merkle::inclusion_path(&Blocks(store), head.size.saturating_sub(1), head.size)
        .map_err(|_| altered)?;
    let included = merkle::verify_inclusion(
        head.size.saturating_sub(1),
        head.size,
        &merkle::leaf_hash(&last.hash),
        &path,
        &head.root,
    );
    if !included || verify_entry(&last, key).is_err() {
        return Err(altered.into());
    }
    Ok((Some((last.seq, last.hash)), frontier, Some(head)))
}

impl<S: JournalStore> Journal<S> {
    /// Opens the journal in `store` (empty or not), whose heads `key` signs. Reads the head
    /// and the last entry only: refuses a store whose append-only protection was removed,
    /// whose head is not signed by `key`, whose entries do not end at the head, or whose last
    /// entry is not the head's last leaf.
    pub fn open(store: S, key: &VerifyingKey) -> Result<Journal<S>, StoreError> {
        if let Some(t) = store.found_tampered() {
            return Err(t.into());
        }
        // Many writers: read the head and the entries under the append lock, so that an
        // append committing in between is seen whole or not at all.
        let mut store = store;
        let locked = store.begin_append()?;
        let tip = read_tip(&store, key);
        if locked {
            store.abort_append();
        }
        let (last, frontier, head) = tip?;
        Ok(Journal {
            store,
            key: *key,
            last,
            frontier,
            head,
            stale: false,
        })
    }

    /// Many writers: reads the head again if another writer moved it, checks it as
    /// [`Journal::open`] does, and checks that it extends the head this journal knew (a
    /// consistency proof, `O(log n)`): a log rolled back or rewritten under the writers is
    /// refused. A store with one writer reads one head.
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        let locked = self.store.begin_append()?;
        let r = self.refresh_locked();
        if locked {
            self.store.abort_append();
        }
        r
    }

    /// [`Journal::refresh`] with the store's append lock held (or a store without one).
    fn refresh_locked(&mut self) -> Result<(), StoreError> {
        let stored = self.store.head()?;
        if stored == self.head {
            return Ok(());
        }
        let (last, frontier, head) = read_tip(&self.store, &self.key)?;
        if let Some(old) = self.head {
            let new_size = head.map_or(0, |h| h.size);
            let Some(new) = head.filter(|h| h.size >= old.size) else {
                return Err(IntegrityError::RolledBack {
                    found: new_size,
                    anchored: old.size,
                }
                .into());
            };
            let path = merkle::consistency_path(&Blocks(&self.store), old.size, new.size)?;
            if !merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &path) {
                return Err(IntegrityError::Replaced {
                    found: new.size,
                    anchored: old.size,
                }
                .into());
            }
        }
        self.last = last;
        self.frontier = frontier;
        self.head = head;
        self.stale = false;
        Ok(())
    }

    /// Compares the store with the head kept outside it (`None`: nothing anchored yet). A
    /// store that grew past the anchor (a crash between the commit and the anchor write)
    /// passes if it extends the anchored head.
    pub fn check_anchor(&self, anchored: Option<&SignedHead>) -> Result<(), StoreError> {
        if let Some(a) = anchored
            && a.size > 0
            && !a.verify(&self.key)
        {
            return Err(IntegrityError::HeadSignature { size: a.size }.into());
        }
        let size = self.head.map_or(0, |h| h.size);
        let found = check_anchor(
            self.head.as_ref(),
            anchored,
            self.store.was_zero_bytes(),
            |m| merkle::root(&Blocks(&self.store), m),
        );
        match found {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(IntegrityError::Replaced {
                found: size,
                anchored: anchored.map_or(0, |a| a.size),
            }
            .into()),
        }
    }

    /// Seals and appends an entry, with its tree blocks, the new signed head and its outbox
    /// writes, in one transaction.
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
        self.append_with(
            clock,
            signer,
            kind,
            rules,
            card,
            detail,
            &|_| new_outbox.to_vec(),
            mark_sent,
        )
    }

    /// [`Journal::append`] with the outbox records built from the entry's number
    /// (`new_outbox(seq)`): with many writers on one store the number is known only once the
    /// store's append lock is held ([`JournalStore::begin_append`]). The entry, its chain
    /// link, its tree blocks and its signed head are built on the head read under that lock;
    /// a store without a lock that reports [`StoreError::Conflict`] has the head read again
    /// and the entry built and signed again, never appended on a stale head.
    #[allow(clippy::too_many_arguments)]
    pub fn append_with(
        &mut self,
        clock: &dyn Clock,
        signer: &dyn OrderSigner,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &str,
        detail: &str,
        new_outbox: &dyn Fn(u64) -> Vec<OutboxRecord>,
        mark_sent: Option<&IdempotencyKey>,
    ) -> Result<Entry, JournalError> {
        let mut conflicts = 0u32;
        loop {
            let locked = self.store.begin_append()?;
            let r = self.append_once(
                locked,
                clock,
                signer,
                kind,
                rules.clone(),
                card,
                detail,
                new_outbox,
                mark_sent,
            );
            if r.is_err() {
                self.store.abort_append();
                self.stale = true;
            }
            match r {
                Err(JournalError::Store(StoreError::Conflict { .. }))
                    if conflicts < MAX_CONFLICTS =>
                {
                    conflicts = conflicts.saturating_add(1);
                }
                other => return other,
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn append_once(
        &mut self,
        locked: bool,
        clock: &dyn Clock,
        signer: &dyn OrderSigner,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &str,
        detail: &str,
        new_outbox: &dyn Fn(u64) -> Vec<OutboxRecord>,
        mark_sent: Option<&IdempotencyKey>,
    ) -> Result<Entry, JournalError> {
        if locked || self.stale {
            self.refresh_locked()?;
        }
        let entry = Entry::seal(self.last, clock.now(), kind, rules, card, detail, signer)?;
        let mut frontier = self.frontier.clone();
        let blocks = frontier.push(merkle::leaf_hash(&entry.hash));
        let head = SignedHead::sign(entry.seq, frontier.root(), entry.time, signer)?;
        let outbox = new_outbox(entry.seq);
        self.store.commit(Commit {
            entry: &entry,
            new_outbox: &outbox,
            mark_sent,
            blocks: &blocks,
            head: &head,
        })?;
        self.last = Some((entry.seq, entry.hash));
        self.frontier = frontier;
        self.head = Some(head);
        Ok(entry)
    }

    /// The number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.last.map_or(1, |(s, _)| s.saturating_add(1))
    }

    /// The head of the hash chain (number and hash of the last entry).
    pub fn head(&self) -> Head {
        match self.last {
            Some((seq, hash)) => Head { seq, hash },
            None => Head {
                seq: 0,
                hash: [0u8; 32],
            },
        }
    }

    /// The latest signed tree head (`None` while the journal is empty).
    pub fn signed_head(&self) -> Option<SignedHead> {
        self.head
    }

    /// The key that verifies the heads.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The proof that entry `seq` is in the log of the current signed head.
    pub fn inclusion_proof(&self, seq: u64) -> Result<InclusionProof, StoreError> {
        let size = self.head.map_or(0, |h| h.size);
        if seq == 0 || seq > size {
            return Err(StoreError::Corrupt("no such entry in the signed log"));
        }
        Ok(InclusionProof {
            seq,
            size,
            path: merkle::inclusion_path(&self.edge(), seq.saturating_sub(1), size)?,
        })
    }

    /// The proof that the log of `old_size` entries is a prefix of the current one.
    pub fn consistency_proof(&self, old_size: u64) -> Result<ConsistencyProof, StoreError> {
        let size = self.head.map_or(0, |h| h.size);
        if old_size > size {
            return Err(StoreError::Corrupt("the older head is larger than the log"));
        }
        Ok(ConsistencyProof {
            old_size,
            new_size: size,
            path: merkle::consistency_path(&self.edge(), old_size, size)?,
        })
    }

    /// The stored tree with its right edge answered by the frontier in memory: a proof
    /// against the current head reads only the blocks left of the edge, in one query.
    fn edge(&self) -> WithFrontier<'_, Blocks<'_, S>> {
        WithFrontier {
            frontier: &self.frontier,
            src: Blocks(&self.store),
        }
    }

    /// The signed head the store kept at `size` entries.
    pub fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        self.store.head_at(size)
    }

    /// Entry `seq`.
    pub fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        self.store.entry(seq)
    }

    /// Reads every entry and checks the chain, the signatures, every stored block of the
    /// tree and the tree root against the signed head (`O(n)`): what the fast checks of
    /// [`Journal::open`] do not cover, an entry or a block in the middle edited by someone who
    /// dropped the append-only protection for the edit and put it back.
    pub fn audit(&self) -> Result<Option<SignedHead>, StoreError> {
        let entries = self.store.entries()?;
        verify(&entries, &self.key).map_err(|e| match e {
            VerifyError::Sequence { expected, .. } => {
                IntegrityError::AlteredEntry { seq: expected }
            }
            VerifyError::Chain { seq }
            | VerifyError::Hash { seq }
            | VerifyError::Signature { seq } => IntegrityError::AlteredEntry { seq },
            _ => IntegrityError::AlteredEntry { seq: 0 },
        })?;
        let mut f = Frontier::default();
        let mut blocks: Vec<merkle::Block> = Vec::with_capacity(AUDIT_BATCH);
        for e in &entries {
            blocks.extend(f.push(merkle::leaf_hash(&e.hash)));
            if blocks.len() >= AUDIT_BATCH {
                self.audit_blocks(&blocks)?;
                blocks.clear();
            }
        }
        self.audit_blocks(&blocks)?;
        match self.head {
            Some(h) if !bool::from(f.root().ct_eq(&h.root)) || f.size() != h.size => {
                Err(IntegrityError::AlteredEntry { seq: h.size }.into())
            }
            _ => Ok(self.head),
        }
    }

    /// Compares stored blocks with the ones recomputed from the entries (the audit).
    fn audit_blocks(&self, want: &[merkle::Block]) -> Result<(), StoreError> {
        let at: Vec<(u32, u64)> = want.iter().map(|b| (b.level, b.index)).collect();
        let stored = self.store.blocks(&at)?;
        for (i, b) in want.iter().enumerate() {
            let same = stored
                .get(i)
                .copied()
                .flatten()
                .is_some_and(|h| bool::from(h.ct_eq(&b.hash)));
            if !same {
                return Err(IntegrityError::AlteredBlock {
                    level: b.level,
                    index: b.index,
                }
                .into());
            }
        }
        Ok(())
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
