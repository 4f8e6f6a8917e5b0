//! The open work of the service (pending procedures and those whose code was issued),
//! indexed by id, by card and by the time the next thing is due; and its loading, checked
//! against the signed journal.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use p256::ecdsa::VerifyingKey;
use subtle::ConstantTimeEq;

use super::{RELEASE_DELAY_SECS, RecoveryConfig, add};
use crate::journal::merkle::{self, Frontier};
use crate::journal::{IntegrityError, SignedHead, Timestamp, check_anchor as compare, to_letters};
use crate::recovery::outcome::RecoveryError;
use crate::recovery::store::{
    ProcedureId, ProcedureRecord, RecoveryBlocks, RecoveryStore, RecoveryStoreError,
    writes_procedure,
};

/// The open procedures, with their indexes.
#[derive(Debug, Default)]
pub(super) struct OpenWork {
    procs: BTreeMap<ProcedureId, ProcedureRecord>,
    by_serial: BTreeMap<String, ProcedureId>,
    due: BTreeSet<(Timestamp, ProcedureId)>,
    due_of: BTreeMap<ProcedureId, Timestamp>,
}

/// When `p` next needs the tick: the end of the 48 hours while no code was sent, else the
/// end of its completion window.
fn due_time(p: &ProcedureRecord, config: &RecoveryConfig) -> Result<Timestamp, RecoveryError> {
    let release = add(p.requested_at, RELEASE_DELAY_SECS)?;
    if p.code.is_none_or(|c| !c.sent) {
        Ok(release)
    } else {
        add(release, config.completion_window_secs)
    }
}

impl OpenWork {
    pub(super) fn get(&self, id: &ProcedureId) -> Option<&ProcedureRecord> {
        self.procs.get(id)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &ProcedureRecord> {
        self.procs.values()
    }

    /// The open procedure of the card `serial`.
    pub(super) fn open_for(&self, serial: &str) -> Option<&ProcedureRecord> {
        self.by_serial.get(serial).and_then(|id| self.procs.get(id))
    }

    /// Records the new state of `p`: a final procedure leaves memory.
    pub(super) fn put(
        &mut self,
        p: ProcedureRecord,
        config: &RecoveryConfig,
    ) -> Result<(), RecoveryError> {
        let due = if p.state.is_final() {
            None
        } else {
            Some(due_time(&p, config)?)
        };
        if let Some(old) = self.procs.remove(&p.id) {
            self.by_serial.remove(&old.serial);
        }
        if let Some(t) = self.due_of.remove(&p.id) {
            self.due.remove(&(t, p.id));
        }
        if let Some(t) = due {
            self.due.insert((t, p.id));
            self.due_of.insert(p.id, t);
            self.by_serial.insert(p.serial.clone(), p.id);
            self.procs.insert(p.id, p);
        }
        Ok(())
    }

    /// The procedures with something due at `now`, earliest first.
    pub(super) fn due_until(&self, now: Timestamp) -> Vec<ProcedureId> {
        self.due
            .range(..=(now, ProcedureId::MAX))
            .map(|(_, id)| *id)
            .collect()
    }
}

/// What [`load`] read and checked.
pub(super) struct Loaded {
    pub(super) high_water: Option<Timestamp>,
    pub(super) last_seq: u64,
    pub(super) last_hash: [u8; 32],
    pub(super) frontier: Frontier,
    pub(super) head: Option<SignedHead>,
    pub(super) work: OpenWork,
}

fn refused(e: IntegrityError) -> RecoveryError {
    RecoveryError::Store(RecoveryStoreError::Integrity(e))
}

/// Whether journal record `seq` of `store` is leaf `seq - 1` of the signed `head`, its
/// content matching its hash. `O(log n)`.
fn included<S: RecoveryStore + ?Sized>(
    store: &S,
    head: &SignedHead,
    seq: u64,
) -> Result<Option<crate::recovery::store::RecoveryEvent>, RecoveryError> {
    if seq == 0 || seq > head.size {
        return Ok(None);
    }
    let Some(e) = store.event(seq)? else {
        return Ok(None);
    };
    if e.seq != seq || !bool::from(e.content_hash().ct_eq(&e.hash)) {
        return Ok(None);
    }
    let Ok(path) = merkle::inclusion_path(&RecoveryBlocks(store), seq.saturating_sub(1), head.size)
    else {
        return Ok(None);
    };
    let ok = merkle::verify_inclusion(
        seq.saturating_sub(1),
        head.size,
        &merkle::leaf_hash(&e.hash),
        &path,
        &head.root,
    );
    Ok(ok.then_some(e))
}

/// Reads the head, the clock mark and the open procedures of `store`, and checks them: the
/// append-only triggers present, the head signed by `key`, the records ending at the head,
/// the clock mark equal to the head's time, and each open procedure equal to the signed
/// record that wrote it. `O(open work × log n)`.
pub(super) fn load<S: RecoveryStore + ?Sized>(
    store: &S,
    key: &VerifyingKey,
    config: &RecoveryConfig,
) -> Result<Loaded, RecoveryError> {
    if let Some(t) = store.found_tampered() {
        return Err(refused(t));
    }
    let snap = store.load()?;
    let Some(head) = snap.head else {
        if snap.last_seq != 0 {
            return Err(refused(IntegrityError::HeadMissing {
                entries: snap.last_seq,
            }));
        }
        if let Some(h) = snap.high_water {
            return Err(refused(IntegrityError::ClockMark {
                found: h.0,
                signed: 0,
            }));
        }
        if let Some(p) = snap.procedures.first() {
            return Err(refused(IntegrityError::RecordMismatch {
                seq: p.journal_seq,
            }));
        }
        return Ok(Loaded {
            high_water: None,
            last_seq: 0,
            last_hash: [0; 32],
            frontier: Frontier::default(),
            head: None,
            work: OpenWork::default(),
        });
    };
    if !head.verify(key) {
        return Err(refused(IntegrityError::HeadSignature { size: head.size }));
    }
    if snap.last_seq < head.size {
        return Err(refused(IntegrityError::TailTruncated {
            head: head.size,
            last: snap.last_seq,
        }));
    }
    if snap.last_seq > head.size {
        return Err(refused(IntegrityError::UnsignedEntries {
            head: head.size,
            last: snap.last_seq,
        }));
    }
    let altered = IntegrityError::AlteredEntry { seq: head.size };
    let frontier =
        Frontier::load(&RecoveryBlocks(store), head.size).map_err(|_| refused(altered))?;
    if !bool::from(frontier.root().ct_eq(&head.root)) {
        return Err(refused(altered));
    }
    match included(store, &head, head.size)? {
        Some(e) if bool::from(e.hash.ct_eq(&snap.last_hash)) => {}
        _ => return Err(refused(altered)),
    }
    if snap.high_water != Some(head.time) {
        return Err(refused(IntegrityError::ClockMark {
            found: snap.high_water.map_or(0, |t| t.0),
            signed: head.time.0,
        }));
    }
    let mut work = OpenWork::default();
    for p in snap.procedures {
        let mismatch = refused(IntegrityError::RecordMismatch { seq: p.journal_seq });
        let Some(e) = included(store, &head, p.journal_seq)? else {
            return Err(mismatch);
        };
        let mut expected = String::from(" record=");
        expected.push_str(&to_letters(&p.digest()));
        if e.procedure != Some(p.id) || !e.detail.ends_with(expected.as_str()) {
            return Err(mismatch);
        }
        // A genuine but older state (a row put back from an older backup) names a record
        // that a later one superseded: the journal's index of writes says which is the last.
        match store.latest_write(&p.id)? {
            Some(latest) if latest == p.journal_seq => {}
            latest => {
                return Err(refused(IntegrityError::SupersededRecord {
                    seq: p.journal_seq,
                    latest: latest.unwrap_or(0),
                }));
            }
        }
        if p.state.is_final() {
            continue;
        }
        work.put(p, config)?;
    }
    Ok(Loaded {
        high_water: snap.high_water,
        last_seq: snap.last_seq,
        last_hash: snap.last_hash,
        frontier,
        head: Some(head),
        work,
    })
}

/// Compares the store's verified head with the anchored one (see
/// [`crate::journal::check_anchor`]).
pub(super) fn check_anchor<S: RecoveryStore + ?Sized>(
    store: &S,
    head: Option<&SignedHead>,
    anchored: Option<&SignedHead>,
    key: &VerifyingKey,
) -> Result<(), RecoveryError> {
    if let Some(a) = anchored
        && a.size > 0
        && !a.verify(key)
    {
        return Err(refused(IntegrityError::HeadSignature { size: a.size }));
    }
    let found = compare(head, anchored, false, |m| {
        merkle::root(&RecoveryBlocks(store), m)
    })?;
    found.map_err(refused)
}

/// What an instance knew before another one may have appended.
pub(super) struct Known<'a> {
    pub(super) head: Option<SignedHead>,
    pub(super) last_hash: [u8; 32],
    pub(super) frontier: &'a Frontier,
}

/// What [`catch_up`] read.
pub(super) enum Caught {
    /// The records appended since, checked one by one; the procedures they wrote, each
    /// checked against the last record that wrote it.
    Records {
        last_hash: [u8; 32],
        frontier: Frontier,
        head: SignedHead,
        written: Vec<ProcedureRecord>,
    },
    /// Too many records since: everything read again as [`load`] does, the new head
    /// checked to extend the known one.
    Reloaded(Loaded),
}

/// Beyond this many new records, [`catch_up`] reads the open work again instead.
const CATCH_UP_RECORDS: u64 = 4096;

/// Many instances: reads what other instances appended after `known.head`, up to the
/// `stored` head (read under the store's operation lock). Each new record must chain to the
/// previous one and the tree they make must give the signed root of `stored`, so the new
/// head extends the known one; each procedure the records wrote is read again and must be
/// what the last of them wrote. `O(new records × log n)`; a store rolled back, emptied or
/// replaced under the instance is refused.
pub(super) fn catch_up<S: RecoveryStore + ?Sized>(
    store: &S,
    key: &VerifyingKey,
    known: &Known<'_>,
    stored: Option<SignedHead>,
    config: &RecoveryConfig,
) -> Result<Caught, RecoveryError> {
    let old_size = known.head.map_or(0, |h| h.size);
    let Some(head) = stored else {
        return Err(refused(IntegrityError::Emptied { anchored: old_size }));
    };
    if !head.verify(key) {
        return Err(refused(IntegrityError::HeadSignature { size: head.size }));
    }
    if head.size <= old_size {
        // Not a strict extension: the anchor comparison says how (rolled back, replaced).
        check_anchor(store, Some(&head), known.head.as_ref(), key)?;
        return Err(refused(IntegrityError::Replaced {
            found: head.size,
            anchored: old_size,
        }));
    }
    if head.size.saturating_sub(old_size) > CATCH_UP_RECORDS {
        let loaded = load(store, key, config)?;
        // The new head must extend the known one (its root at the old size, from the
        // append-only tree blocks, is the known root).
        check_anchor(store, loaded.head.as_ref(), known.head.as_ref(), key)?;
        return Ok(Caught::Reloaded(loaded));
    }
    let mut frontier = known.frontier.clone();
    let mut prev = known.last_hash;
    let mut last_write: BTreeMap<ProcedureId, (u64, String)> = BTreeMap::new();
    for seq in old_size.saturating_add(1)..=head.size {
        let altered = refused(IntegrityError::AlteredEntry { seq });
        let Some(e) = store.event(seq)? else {
            return Err(refused(IntegrityError::TailTruncated {
                head: head.size,
                last: seq.saturating_sub(1),
            }));
        };
        if e.seq != seq
            || !bool::from(e.prev.ct_eq(&prev))
            || !bool::from(e.content_hash().ct_eq(&e.hash))
        {
            return Err(altered);
        }
        prev = e.hash;
        let _ = frontier.push(merkle::leaf_hash(&e.hash));
        if let Some(id) = e.procedure.filter(|_| writes_procedure(&e)) {
            last_write.insert(id, (seq, e.detail));
        }
    }
    if !bool::from(frontier.root().ct_eq(&head.root)) {
        return Err(refused(IntegrityError::AlteredEntry { seq: head.size }));
    }
    if store.event(head.size.saturating_add(1))?.is_some() {
        return Err(refused(IntegrityError::UnsignedEntries {
            head: head.size,
            last: head.size.saturating_add(1),
        }));
    }
    let mut written = Vec::with_capacity(last_write.len());
    for (id, (seq, detail)) in last_write {
        let Some(p) = store.procedure(&id)? else {
            return Err(refused(IntegrityError::RecordMismatch { seq }));
        };
        if p.journal_seq != seq {
            return Err(refused(IntegrityError::SupersededRecord {
                seq: p.journal_seq,
                latest: seq,
            }));
        }
        let mut expected = String::from(" record=");
        expected.push_str(&to_letters(&p.digest()));
        if p.id != id || !detail.ends_with(expected.as_str()) {
            return Err(refused(IntegrityError::RecordMismatch { seq }));
        }
        written.push(p);
    }
    Ok(Caught::Records {
        last_hash: prev,
        frontier,
        head,
        written,
    })
}
