//! What `Journal::open` checks and what only the full audit finds: an entry in the middle of
//! the SQLite journal edited by someone who can write the file, with the append-only
//! triggers dropped for the edit and put back afterwards. The `O(log n)` open reads the head,
//! the frontier of the tree and the last entry, so it does not see the edit; the audit
//! (`Journal::audit`, `O(n)`) and an auditor's check of that one entry (`verify_entry` and
//! `verify_inclusion` against a signed head) do, each naming the entry (P-POL2).
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
use sha2::Digest;

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x5c; 32]).unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d =
            std::env::temp_dir().join(format!("cie-journal-audit-{name}-{}", std::process::id()));
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

/// A journal of `n` entries; returns the signed head an auditor was given.
fn populated(path: &Path, n: u64) -> SignedHead {
    let o = officer();
    let mut j = Journal::open(SqliteStore::open(path).unwrap(), &o.verifying_key()).unwrap();
    let clock = ManualClock::new(Timestamp(1_772_442_000));
    for i in 0..n {
        clock.advance(30);
        j.append(
            &clock,
            &o,
            EntryKind::Decision,
            vec![RuleId::R1],
            "CA00000AA",
            &format!("outcome=allowed step={i}"),
            &[],
            None,
        )
        .unwrap();
    }
    j.signed_head().unwrap()
}

/// Runs `sql` with every trigger dropped first and put back afterwards, word for word.
fn edit_covering_tracks(path: &Path, sql: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    let triggers: Vec<(String, String)> = c
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Six guard the journal, its tree and heads; two guard the outbox.
    assert_eq!(triggers.len(), 8);
    for (name, _) in &triggers {
        c.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    c.execute_batch(sql).unwrap();
    for (_, sql) in &triggers {
        c.execute_batch(sql).unwrap();
    }
}

#[test]
fn tamper_middle_entry_edited_trigger_restored_found_by_audit() {
    let d = Dir::new("middle");
    let key = officer().verifying_key();
    let head = populated(&d.db(), 21);
    edit_covering_tracks(
        &d.db(),
        "UPDATE journal SET card = 'CA99999ZZ' WHERE seq = 11",
    );
    // The O(log n) open does not read entry 11: it opens (what open checks is documented).
    let j = Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    assert_eq!(j.signed_head(), Some(head));
    // The audit reads every entry and names the edited one.
    assert!(matches!(
        j.audit(),
        Err(StoreError::Integrity(IntegrityError::AlteredEntry {
            seq: 11
        }))
    ));
    // An auditor checking that entry: its content no longer gives its hash.
    let e = j.entry(11).unwrap().unwrap();
    assert_eq!(verify_entry(&e, &key), Err(VerifyError::Hash { seq: 11 }));
    // The neighbours still check: the edit is pinned to one entry.
    for seq in [10, 12] {
        let e = j.entry(seq).unwrap().unwrap();
        verify_entry(&e, &key).unwrap();
        verify_inclusion(&key, &head, &e.hash, &j.inclusion_proof(seq).unwrap()).unwrap();
    }
}

#[test]
fn tamper_middle_entry_edited_and_rehashed_trigger_restored_found_by_audit() {
    let d = Dir::new("rehashed");
    let key = officer().verifying_key();
    let head = populated(&d.db(), 21);
    // The attacker also recomputes the entry's hash: the officer's signature no longer
    // matches, and the new hash is not the leaf the signed tree holds.
    let j = Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    let mut e = j.entry(7).unwrap().unwrap();
    drop(j);
    e.card = "CA99999ZZ".into();
    let hash: [u8; 32] = sha2::Sha256::digest(e.content().as_bytes()).into();
    edit_covering_tracks(
        &d.db(),
        &format!(
            "UPDATE journal SET card = 'CA99999ZZ', hash = '{}' WHERE seq = 7",
            to_letters(&hash)
        ),
    );
    let j = Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    assert!(matches!(
        j.audit(),
        Err(StoreError::Integrity(IntegrityError::AlteredEntry {
            seq: 7
        }))
    ));
    let e = j.entry(7).unwrap().unwrap();
    assert_eq!(
        verify_entry(&e, &key),
        Err(VerifyError::Signature { seq: 7 })
    );
    assert_eq!(
        verify_inclusion(&key, &head, &e.hash, &j.inclusion_proof(7).unwrap()),
        Err(ProofError::NotIncluded { seq: 7 })
    );
}

#[test]
fn tamper_middle_tree_block_edited_trigger_restored_found_by_audit() {
    // A block of the tree edited instead (the entries untouched): open reads only the
    // frontier's blocks and the last entry's path, so a block left of the edge passes it; the
    // audit recomputes the tree from the entries and compares every stored block.
    let d = Dir::new("block");
    let key = officer().verifying_key();
    populated(&d.db(), 21);
    edit_covering_tracks(
        &d.db(),
        "UPDATE journal_blocks SET hash = zeroblob(32) WHERE level = 1 AND idx = 2",
    );
    let j = Journal::open(SqliteStore::open(d.db()).unwrap(), &key).unwrap();
    assert!(matches!(
        j.audit(),
        Err(StoreError::Integrity(IntegrityError::AlteredBlock {
            level: 1,
            index: 2
        }))
    ));
}
