//! Journal files made before signed tree heads existed: a plain open refuses them and leaves
//! them untouched; `SqliteStore::migrate_unsigned` verifies the whole old hash chain under
//! the officer's key, builds the Merkle tree and signs a first head, in one transaction; an
//! old journal that does not verify is not migrated (P-POL2: the audit trail is never
//! re-signed with a gap or an edit in it).
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};

use cie_pinpuk::journal::*;
use cie_pinpuk::policy::RuleId;

/// The schema of the SQLite journal before signed heads (a hash chain of signed entries and
/// the outbox; no tree, no heads, no triggers), as the crate wrote it then.
const OLD_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    rules TEXT NOT NULL,
    card TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    card TEXT NOT NULL,
    code TEXT NOT NULL,
    half TEXT NOT NULL,
    dest TEXT NOT NULL,
    state TEXT NOT NULL
);
";

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x33; 32]).unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d =
            std::env::temp_dir().join(format!("cie-journal-migrate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn db(&self) -> PathBuf {
        self.0.join("desk.sqlite")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a journal of `n` entries in the old format, signed by `signer`.
fn old_file(path: &Path, n: u64, signer: &SoftwareSigner) -> Vec<Entry> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(OLD_SCHEMA).unwrap();
    let mut last = None;
    let mut out = Vec::new();
    for i in 0..n {
        let e = Entry::seal(
            last,
            Timestamp(1_767_225_600 + 60 * i),
            EntryKind::Decision,
            vec![RuleId::R1, RuleId::R3],
            "CA00000AA",
            &format!("outcome=allowed step={i}"),
            signer,
        )
        .unwrap();
        c.execute(
            "INSERT INTO journal (seq, time, kind, rules, card, detail, prev, hash, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![
                e.seq as i64,
                e.time.0 as i64,
                e.kind.as_str(),
                "R1,R3",
                e.card,
                e.detail,
                to_letters(&e.prev),
                to_letters(&e.hash),
                to_letters(&e.signature),
            ],
        )
        .unwrap();
        last = Some((e.seq, e.hash));
        out.push(e);
    }
    out
}

/// The names of the tables and triggers in the file, sorted.
fn schema_names(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut v: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    v.sort();
    v
}

fn refused_open(path: &Path) -> StoreError {
    match SqliteStore::open(path) {
        Err(e) => e,
        Ok(_) => panic!("the old file was opened"),
    }
}

#[test]
fn p_pol2_pre_head_file_refused_by_a_plain_open_and_left_unchanged() {
    let d = Dir::new("plain");
    old_file(&d.db(), 7, &officer());
    let before = schema_names(&d.db());
    for _ in 0..2 {
        assert!(matches!(
            refused_open(&d.db()),
            StoreError::PreHeadFormat { entries: 7 }
        ));
    }
    // Not one table or trigger added: the second open says the same as the first.
    assert_eq!(schema_names(&d.db()), before);
    assert!(!before.iter().any(|n| n.starts_with("journal_")));
}

#[test]
fn p_pol2_pre_head_file_migrated_verified_signed_and_extended() {
    let d = Dir::new("migrate");
    let o = officer();
    let key = o.verifying_key();
    let old = old_file(&d.db(), 13, &o);
    let head = SqliteStore::migrate_unsigned(d.db(), &o).unwrap().unwrap();
    assert_eq!(head.size, 13);
    assert_eq!(head.time, old[12].time);
    assert!(head.verify(&key));
    // The root is the RFC 9162 tree of the old entries.
    let mut f = merkle::Frontier::default();
    for e in &old {
        let _ = f.push(merkle::leaf_hash(&e.hash));
    }
    assert_eq!(head.root, f.root());
    // A second migration has nothing to do.
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.db(), &o),
        Err(StoreError::NothingToMigrate)
    ));
    // The migrated file opens as a current store: triggers in place, the head checked, the
    // whole journal audits, every old entry has its inclusion proof, and it grows.
    let mut j = Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    assert_eq!(j.signed_head(), Some(head));
    assert_eq!(j.audit().unwrap(), Some(head));
    for e in &old {
        let p = j.inclusion_proof(e.seq).unwrap();
        verify_entry(e, &key).unwrap();
        verify_inclusion(&key, &head, &e.hash, &p).unwrap();
    }
    let clock = ManualClock::new(Timestamp(1_767_300_000));
    let e = j
        .append(
            &clock,
            &o,
            EntryKind::Decision,
            vec![RuleId::R1],
            "CA00000AA",
            "outcome=allowed after=migration",
            &[],
            None,
        )
        .unwrap();
    assert_eq!(e.seq, 14);
    assert_eq!(e.prev, old[12].hash);
    let now = j.signed_head().unwrap();
    verify_consistency(&key, &head, &now, &j.consistency_proof(head.size).unwrap()).unwrap();
    // The append-only triggers are there.
    let c = rusqlite::Connection::open(d.db()).unwrap();
    assert!(
        c.execute("UPDATE journal SET detail = 'x' WHERE seq = 1", [])
            .is_err()
    );
    assert!(c.execute("DELETE FROM journal_heads", []).is_err());
}

#[test]
fn p_pol2_pre_head_file_with_an_edit_a_gap_or_another_key_not_migrated() {
    let o = officer();
    // An entry edited in the middle.
    let d = Dir::new("edited");
    old_file(&d.db(), 9, &o);
    let c = rusqlite::Connection::open(d.db()).unwrap();
    c.execute("UPDATE journal SET card = 'CA99999ZZ' WHERE seq = 4", [])
        .unwrap();
    drop(c);
    let before = schema_names(&d.db());
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.db(), &o),
        Err(StoreError::MigrationRefused(VerifyError::Hash { seq: 4 }))
    ));
    assert_eq!(schema_names(&d.db()), before, "nothing written");
    assert!(matches!(
        refused_open(&d.db()),
        StoreError::PreHeadFormat { entries: 9 }
    ));
    // An entry deleted in the middle.
    let d = Dir::new("gap");
    old_file(&d.db(), 9, &o);
    let c = rusqlite::Connection::open(d.db()).unwrap();
    c.execute("DELETE FROM journal WHERE seq = 5", []).unwrap();
    drop(c);
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.db(), &o),
        Err(StoreError::MigrationRefused(VerifyError::Sequence {
            expected: 5,
            found: 6
        }))
    ));
    // Signed by another officer than the one migrating.
    let d = Dir::new("other-key");
    old_file(&d.db(), 3, &o);
    let other = SoftwareSigner::from_bytes(&[0x44; 32]).unwrap();
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.db(), &other),
        Err(StoreError::MigrationRefused(VerifyError::Signature {
            seq: 1
        }))
    ));
}

#[test]
fn p_pol2_migration_of_a_current_or_missing_file_refused() {
    let d = Dir::new("current");
    let o = officer();
    {
        let mut j = Journal::open(SqliteStore::open(d.db()).unwrap(), &o.verifying_key()).unwrap();
        let clock = ManualClock::new(Timestamp(1_767_300_000));
        j.append(
            &clock,
            &o,
            EntryKind::Decision,
            vec![RuleId::R1],
            "CA00000AA",
            "outcome=allowed",
            &[],
            None,
        )
        .unwrap();
    }
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.db(), &o),
        Err(StoreError::NothingToMigrate)
    ));
    assert!(matches!(
        SqliteStore::migrate_unsigned(d.0.join("absent.sqlite"), &o),
        Err(StoreError::NothingToMigrate)
    ));
    assert!(!d.0.join("absent.sqlite").exists());
}

/// A file an earlier release opened once: its tree tables and triggers were created empty,
/// and every later open said `HeadMissing`. Now a plain open says what it is, and the
/// migration takes it.
#[test]
fn p_pol2_pre_head_file_opened_once_by_an_earlier_release_migrated() {
    let d = Dir::new("half");
    let o = officer();
    old_file(&d.db(), 5, &o);
    let c = rusqlite::Connection::open(d.db()).unwrap();
    c.execute_batch(
        "CREATE TABLE journal_blocks (level INTEGER NOT NULL, idx INTEGER NOT NULL,
             hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
         CREATE TABLE journal_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL,
             time INTEGER NOT NULL, signature BLOB NOT NULL);",
    )
    .unwrap();
    drop(c);
    assert!(matches!(
        refused_open(&d.db()),
        StoreError::PreHeadFormat { entries: 5 }
    ));
    let head = SqliteStore::migrate_unsigned(d.db(), &o).unwrap().unwrap();
    assert_eq!(head.size, 5);
    let j = Journal::open(SqliteStore::open(d.db()).unwrap(), &o.verifying_key()).unwrap();
    assert_eq!(j.audit().unwrap(), Some(head));
}
