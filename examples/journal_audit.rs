//! The auditor's command: checks a desk journal file end to end, everything that
//! `Journal::open` (which reads only the head, the tree's frontier and the last entry) does
//! not. See `docs/journal.md`.
//!
//! ```text
//! cargo run --example journal_audit --features sqlite -- DESK.sqlite OFFICER_KEY [ANCHOR]
//! ```
//!
//! `OFFICER_KEY` is the officer's public key as SEC1 hex (compressed or not), the key that
//! signed the entries and the heads; `ANCHOR` the file of a `FileAnchor` that kept the latest
//! head outside the database. It runs, in order: the `O(log n)` checks of `Journal::open`,
//! the anchor check (if given), and `Journal::audit` (every entry's number, hash, link and
//! signature, every tree block, the root against the signed head). Exit status 0 and one line
//! with the head when all passed; 1 and the first thing found wrong otherwise.
//!
//! Run without arguments, it audits a journal it writes to a temporary directory, then the
//! same journal with one entry in the middle edited and its triggers put back (which opens,
//! and which the audit refuses).
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cie_pinpuk::journal::{
    EntryKind, FileAnchor, HeadAnchor, Journal, ManualClock, OrderSigner, SignedHead,
    SoftwareSigner, SqliteStore, StoreError, Timestamp, to_letters,
};
use cie_pinpuk::p256::ecdsa::VerifyingKey;
use cie_pinpuk::policy::RuleId;

/// Why the audit failed, as a line of text (the typed error's own message).
fn audit(
    db: &Path,
    key: &VerifyingKey,
    anchor: Option<&Path>,
) -> Result<Option<SignedHead>, String> {
    if !db.is_file() {
        return Err(format!("no journal file at {}", db.display()));
    }
    let store = SqliteStore::open(db).map_err(|e| match e {
        StoreError::PreHeadFormat { .. } => {
            format!("{e} (SqliteStore::migrate_unsigned, docs/journal.md)")
        }
        e => e.to_string(),
    })?;
    let journal = Journal::open(store, key).map_err(|e| format!("open: {e}"))?;
    if let Some(a) = anchor {
        let kept = FileAnchor::new(a)
            .latest()
            .map_err(|e| format!("anchor: {e}"))?;
        journal
            .check_anchor(kept.as_ref())
            .map_err(|e| format!("anchor: {e}"))?;
    }
    journal.audit().map_err(|e| format!("audit: {e}"))
}

fn report(db: &Path, key: &VerifyingKey, anchor: Option<&Path>) -> bool {
    match audit(db, key, anchor) {
        Ok(Some(h)) => {
            println!(
                "ok: {} entries, head time {}, root {}",
                h.size,
                h.time.0,
                to_letters(&h.root)
            );
            true
        }
        Ok(None) => {
            println!("ok: empty journal");
            true
        }
        Err(e) => {
            println!("REFUSED: {e}");
            false
        }
    }
}

/// Writes a journal of a few entries and audits it, then edits entry 3 as an attacker with
/// write access to the file would (triggers dropped, row updated, triggers put back).
fn demo() -> Result<bool, Box<dyn std::error::Error>> {
    let dir: PathBuf = std::env::temp_dir().join(format!("journal-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("desk.sqlite");
    let anchor_path = dir.join("head.anchor");
    let officer = SoftwareSigner::from_bytes(&[0x2a; 32]).ok_or("the officer key")?;
    let key = officer.verifying_key();
    println!("officer key: {}", hex_of(&key.to_sec1_bytes()));
    {
        let mut j = Journal::open(SqliteStore::open(&db)?, &key)?;
        let clock = ManualClock::new(Timestamp(1_772_442_000));
        for i in 0..6 {
            clock.advance(60);
            let detail = format!("outcome=allowed step={i}");
            j.append(
                &clock,
                &officer,
                EntryKind::Decision,
                vec![RuleId::R1],
                "CA00000AA",
                &detail,
                &[],
                None,
            )?;
        }
        if let Some(h) = j.signed_head() {
            FileAnchor::new(&anchor_path).publish(&h)?;
        }
    }
    let clean = report(&db, &key, Some(&anchor_path));
    {
        let c = rusqlite::Connection::open(&db)?;
        let triggers: Vec<(String, String)> = c
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, _) in &triggers {
            c.execute_batch(&format!("DROP TRIGGER {name}"))?;
        }
        c.execute("UPDATE journal SET card = 'CA99999ZZ' WHERE seq = 3", [])?;
        for (_, sql) in &triggers {
            c.execute_batch(sql)?;
        }
    }
    let opens = Journal::open(SqliteStore::open(&db)?, &key).is_ok();
    println!("edited file opens: {opens}");
    let edited = report(&db, &key, Some(&anchor_path));
    std::fs::remove_dir_all(&dir)?;
    Ok(clean && opens && !edited)
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ok = match args.as_slice() {
        [] => match demo() {
            Ok(ok) => ok,
            Err(e) => {
                println!("demo failed: {e}");
                false
            }
        },
        [db, key, rest @ ..] if rest.len() <= 1 => {
            let Some(key) = parse_hex(key).and_then(|b| VerifyingKey::from_sec1_bytes(&b).ok())
            else {
                println!("OFFICER_KEY is not a SEC1 P-256 public key in hex");
                return ExitCode::from(2);
            };
            report(Path::new(db), &key, rest.first().map(Path::new))
        }
        _ => {
            println!("usage: journal_audit DESK.sqlite OFFICER_KEY [ANCHOR]");
            return ExitCode::from(2);
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
