//! The desk's SQLite journal tried as an attacker with write access to the file (but not to
//! the officer's key, nor to the anchor file) would: every tamper case is refused when the
//! desk opens, each with its own error saying what was found, never opened as empty or
//! appended to (P-POL2, I7).
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::desk::{DeskError, ReprintDesk};
use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance};
use cie_pinpuk::journal::{
    self, FileAnchor, HeadAnchor, IntegrityError, ManualClock, OrderSigner, SoftwareSigner,
    SqliteStore, StoreError, Timestamp,
};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::policy::*;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("cie-desk-tamper-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn db(&self) -> PathBuf {
        self.0.join("desk.sqlite")
    }
    fn anchor(&self) -> PathBuf {
        self.0.join("head.anchor")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn officer_key(b: u8) -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[b; 32]).unwrap()
}

type Desk = ReprintDesk<InMemoryIssuance, RecordingNotifier>;

fn open_with(db: &Path, anchor: &Path, officer: u8) -> Result<Desk, DeskError> {
    let o = officer_key(officer);
    let backend = InMemoryIssuance::with_fixtures(o.verifying_key());
    ReprintDesk::new(
        backend,
        RecordingNotifier::new(),
        Profile::preset(Preset::Seed000),
        Box::new(o),
    )?
    .with_clock(Box::new(ManualClock::new(Timestamp(1_772_442_000))))
    .with_store(Box::new(SqliteStore::open(db)?))?
    .with_anchor(Box::new(FileAnchor::new(anchor)))
}

fn open(d: &Dir) -> Result<Desk, DeskError> {
    open_with(&d.db(), &d.anchor(), 0x11)
}

fn reprint(desk: &mut Desk) {
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut r = Request::new(Requester::Holder, Channel::Counter, at);
    r.identification = Identification::Cie;
    r.wanted = HalfSet::both(CodeKind::Pin);
    desk.run(&CardNumber::parse("CA00000AA").unwrap(), r)
        .unwrap();
}

/// A desk with `runs` reprints (4 journal entries each), closed.
fn populated(d: &Dir, runs: usize) -> u64 {
    let mut desk = open(d).unwrap();
    for _ in 0..runs {
        reprint(&mut desk);
    }
    desk.signed_head().unwrap().size
}

/// Runs `sql` on the file directly, with the append-only triggers dropped first and put back
/// afterwards (an attacker covering the tracks).
fn edit(d: &Dir, sql: &str) {
    let c = rusqlite::Connection::open(d.db()).unwrap();
    let triggers: Vec<(String, String)> = c
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, _) in &triggers {
        c.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    c.execute_batch(sql).unwrap();
    for (_, sql) in &triggers {
        c.execute_batch(sql).unwrap();
    }
}

fn refused(r: Result<Desk, DeskError>) -> IntegrityError {
    match r {
        Err(DeskError::Store(StoreError::Integrity(e))) => e,
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("the tampered store was opened"),
    }
}

#[test]
fn i7_reopening_an_untouched_store_works_and_keeps_appending() {
    let d = Dir::new("untouched");
    let n = populated(&d, 2);
    let mut desk = open(&d).unwrap();
    assert_eq!(desk.signed_head().unwrap().size, n);
    reprint(&mut desk);
    let head = desk.signed_head().unwrap();
    assert_eq!(head.size, n + 4);
    // The anchor holds the latest head; the whole log verifies.
    assert_eq!(FileAnchor::new(d.anchor()).latest().unwrap(), Some(head));
    journal::verify(&desk.journal_entries().unwrap(), &desk.verifying_key()).unwrap();
}

#[test]
fn tamper_tail_truncation_refused() {
    let d = Dir::new("tail");
    let n = populated(&d, 2);
    edit(&d, &format!("DELETE FROM journal WHERE seq > {}", n - 2));
    assert_eq!(
        refused(open(&d)),
        IntegrityError::TailTruncated {
            head: n,
            last: n - 2
        }
    );
}

#[test]
fn tamper_zero_byte_file_refused() {
    let d = Dir::new("zero");
    let n = populated(&d, 1);
    for suffix in ["-wal", "-shm"] {
        let mut p = d.db().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    std::fs::write(d.db(), b"").unwrap();
    assert_eq!(
        refused(open(&d)),
        IntegrityError::ZeroByteFile { anchored: n }
    );
    // Nothing was appended: the file is still empty of entries.
    let s = SqliteStore::open(d.db()).unwrap();
    assert_eq!(journal::JournalStore::last_seq(&s).unwrap(), 0);
}

#[test]
fn tamper_emptied_store_refused() {
    let d = Dir::new("emptied");
    let n = populated(&d, 1);
    edit(
        &d,
        "DELETE FROM journal; DELETE FROM journal_blocks; DELETE FROM journal_heads; DELETE FROM outbox;",
    );
    assert_eq!(refused(open(&d)), IntegrityError::Emptied { anchored: n });
}

#[test]
fn tamper_altered_entry_refused() {
    let d = Dir::new("altered");
    let n = populated(&d, 2);
    // The last entry: refused at open.
    edit(
        &d,
        &format!("UPDATE journal SET detail = detail || ' x=1' WHERE seq = {n}"),
    );
    assert_eq!(refused(open(&d)), IntegrityError::AlteredEntry { seq: n });
    // An entry in the middle, with the tracks covered: the O(log n) open does not read it,
    // the audit and an auditor's inclusion check do.
    let d = Dir::new("altered-middle");
    let n = populated(&d, 2);
    edit(&d, "UPDATE journal SET card = 'CA99999ZZ' WHERE seq = 2");
    let desk = open(&d).unwrap();
    let key = desk.verifying_key();
    let head = desk.signed_head().unwrap();
    assert_eq!(head.size, n);
    let j = journal::Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    assert!(matches!(
        j.audit(),
        Err(StoreError::Integrity(IntegrityError::AlteredEntry {
            seq: 2
        }))
    ));
    let e = desk.journal_entry(2).unwrap().unwrap();
    assert!(journal::verify_entry(&e, &key).is_err());
    // Triggers dropped and not put back: refused as such.
    let c = rusqlite::Connection::open(d.db()).unwrap();
    c.execute_batch("DROP TRIGGER journal_no_update").unwrap();
    drop(c);
    drop(desk);
    assert_eq!(
        refused(open(&d)),
        IntegrityError::TriggerMissing("journal_no_update")
    );
}

#[test]
fn tamper_replaced_file_refused() {
    // Another officer's journal in its place.
    let d = Dir::new("replaced");
    let other = Dir::new("replaced-other");
    let n = populated(&d, 1);
    {
        let mut desk = open_with(&other.db(), &other.anchor(), 0x22).unwrap();
        reprint(&mut desk);
        reprint(&mut desk);
    }
    std::fs::copy(other.db(), d.db()).unwrap();
    assert_eq!(
        refused(open(&d)),
        IntegrityError::HeadSignature { size: 2 * n }
    );
    // The same officer's other journal (signed by the right key), longer than the anchor: it
    // does not extend the anchored head.
    let d = Dir::new("replaced-same");
    let other = Dir::new("replaced-same-other");
    let n = populated(&d, 1);
    {
        let mut desk = open_with(&other.db(), &other.anchor(), 0x11).unwrap();
        let at = VisitTime {
            date: CivilDate::new(2026, 3, 3).unwrap(),
            time: TimeOfDay::saturating(9, 0),
        };
        let mut r = Request::new(Requester::Holder, Channel::Counter, at);
        r.identification = Identification::Cie;
        r.wanted = HalfSet::both(CodeKind::Puk);
        desk.run(&CardNumber::parse("CA11111BB").unwrap(), r)
            .unwrap();
        reprint(&mut desk);
    }
    std::fs::copy(other.db(), d.db()).unwrap();
    match refused(open(&d)) {
        IntegrityError::Replaced { found, anchored } => {
            assert_eq!(anchored, n);
            assert!(found >= n);
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn tamper_rolled_back_file_refused() {
    let d = Dir::new("rolled");
    let n = populated(&d, 1);
    let copy = d.0.join("old.sqlite");
    std::fs::copy(d.db(), &copy).unwrap();
    {
        let mut desk = open(&d).unwrap();
        reprint(&mut desk);
    }
    std::fs::copy(&copy, d.db()).unwrap();
    assert_eq!(
        refused(open(&d)),
        IntegrityError::RolledBack {
            found: n,
            anchored: n + 4
        }
    );
    // Nothing was appended to the old copy.
    let s = SqliteStore::open(d.db()).unwrap();
    assert_eq!(journal::JournalStore::last_seq(&s).unwrap(), n);
}

#[test]
fn i7_the_issuance_system_as_anchor_refuses_a_rolled_back_store() {
    let d = Dir::new("backend");
    let o = officer_key(0x11);
    let store = SqliteStore::open(d.db()).unwrap();
    let mut desk = ReprintDesk::new(
        InMemoryIssuance::with_fixtures(o.verifying_key()),
        RecordingNotifier::new(),
        Profile::preset(Preset::Seed000),
        Box::new(o),
    )
    .unwrap()
    .with_store(Box::new(store))
    .unwrap()
    .with_backend_anchor()
    .unwrap();
    reprint(&mut desk);
    let head = desk.signed_head().unwrap();
    assert_eq!(desk.backend().anchored, Some(head));
    // The backend's anchor against an emptied (fresh in-memory) store.
    let backend = std::mem::replace(
        desk.backend_mut(),
        InMemoryIssuance::new(officer_key(0x11).verifying_key()),
    );
    let r = ReprintDesk::new(
        backend,
        RecordingNotifier::new(),
        Profile::preset(Preset::Seed000),
        Box::new(officer_key(0x11)),
    )
    .unwrap()
    .with_backend_anchor();
    assert_eq!(
        refused(r),
        IntegrityError::Emptied {
            anchored: head.size
        }
    );
}

#[test]
fn p_pol2_an_auditor_checks_one_reprint_and_that_the_log_only_grew() {
    let d = Dir::new("auditor");
    let mut desk = open(&d).unwrap();
    reprint(&mut desk);
    let seen = desk.signed_head().unwrap();
    reprint(&mut desk);
    reprint(&mut desk);
    let now = desk.signed_head().unwrap();
    let key = desk.verifying_key();
    // One reprint: the order entry of the first run.
    let e = desk.journal_entry(2).unwrap().unwrap();
    assert_eq!(e.kind, journal::EntryKind::ReprintOrdered);
    journal::verify_entry(&e, &key).unwrap();
    journal::verify_inclusion(&key, &now, &e.hash, &desk.inclusion_proof(2).unwrap()).unwrap();
    // Another entry's hash does not pass with this proof.
    let other = desk.journal_entry(3).unwrap().unwrap();
    assert!(
        journal::verify_inclusion(&key, &now, &other.hash, &desk.inclusion_proof(2).unwrap())
            .is_err()
    );
    // The log only grew.
    let p = desk.consistency_proof(seen.size).unwrap();
    journal::verify_consistency(&key, &seen, &now, &p).unwrap();
    // A head from another key is refused.
    let mut forged = now;
    forged.signature = officer_key(0x33)
        .sign(&journal::SignedHead::message(now.size, now.time, &now.root))
        .unwrap();
    assert!(journal::verify_consistency(&key, &seen, &forged, &p).is_err());
}
