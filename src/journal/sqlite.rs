//! The SQLite store (feature `sqlite`, bundled SQLite): WAL mode, `synchronous = FULL`, one
//! transaction per journal append together with its tree blocks, its signed head and its
//! outbox writes (one fsync of the WAL per commit). Statements are prepared once per
//! connection (`prepare_cached`); every query of the desk's work uses an index (the entry and
//! block primary keys, the head by size, the pending outbox records by a partial index).
//!
//! The journal, its tree blocks and its heads are append-only: triggers refuse an UPDATE or a
//! DELETE, and a store whose triggers were dropped is refused when opened.

use alloc::string::String;
use alloc::vec::Vec;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::clock::Timestamp;
use super::entry::{Entry, EntryKind, from_letters, to_letters};
use super::log::{IntegrityError, SignedHead};
use super::merkle::Hash;
use super::store::{Commit, JournalStore, StoreError, check_commit, rules_text};
use crate::codes::{CodeKind, Half};
use crate::notify::{DeliveryFailure, FailureKind, IdempotencyKey, OutboxRecord, OutboxState};
use crate::policy::{EmailAddress, RuleId};

/// A journal and outbox in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    zero_bytes: bool,
    tampered: Option<IntegrityError>,
}

const SCHEMA: &str = "
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
CREATE TABLE IF NOT EXISTS journal_blocks (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal_heads (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    card TEXT NOT NULL,
    code TEXT NOT NULL,
    half TEXT NOT NULL,
    dest TEXT NOT NULL,
    state TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'it',
    failure_kind TEXT,
    failure_detail TEXT,
    failure_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE state = 'pending';
CREATE TRIGGER IF NOT EXISTS outbox_guard BEFORE UPDATE ON outbox
WHEN NOT (NEW.id IS OLD.id AND NEW.key IS OLD.key AND NEW.card IS OLD.card
    AND NEW.code IS OLD.code AND NEW.half IS OLD.half AND NEW.dest IS OLD.dest
    AND NEW.language IS OLD.language AND OLD.state = 'pending'
    AND ((NEW.state = 'sent' AND NEW.attempts IS OLD.attempts)
      OR (NEW.state = 'pending' AND NEW.attempts = OLD.attempts + 1)))
BEGIN SELECT RAISE(ABORT, 'the outbox only marks a pending record as sent or counts a failed attempt'); END;
CREATE TRIGGER IF NOT EXISTS outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox keeps every record'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_blocks_no_update BEFORE UPDATE ON journal_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_blocks_no_delete BEFORE DELETE ON journal_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_heads_no_update BEFORE UPDATE ON journal_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_heads_no_delete BEFORE DELETE ON journal_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
";

/// The append-only triggers, checked when an existing journal is opened.
const TRIGGERS: [&str; 6] = [
    "journal_no_update",
    "journal_no_delete",
    "journal_blocks_no_update",
    "journal_blocks_no_delete",
    "journal_heads_no_update",
    "journal_heads_no_delete",
];

/// The outbox's guard triggers (a pending record is only marked sent, or counts a failed
/// attempt; no record is deleted), checked when an existing outbox is opened.
const OUTBOX_TRIGGERS: [&str; 2] = ["outbox_guard", "outbox_no_delete"];

/// The columns an outbox of a file written before the delivery failures were kept lacks;
/// [`migrate_outbox`] adds them.
const OUTBOX_V2_COLUMNS: [&str; 5] = [
    "ALTER TABLE outbox ADD COLUMN language TEXT NOT NULL DEFAULT 'it'",
    "ALTER TABLE outbox ADD COLUMN failure_kind TEXT",
    "ALTER TABLE outbox ADD COLUMN failure_detail TEXT",
    "ALTER TABLE outbox ADD COLUMN failure_at INTEGER",
    "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
];

/// Brings the outbox of an older file (without the language and failure columns) to the
/// current schema, in one transaction; the records keep their state (their language is
/// Italian, the default). `Ok(true)` if it did. The guard triggers are created with the rest
/// of the schema just after.
fn migrate_outbox(conn: &mut Connection) -> Result<bool, rusqlite::Error> {
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('outbox')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if columns.is_empty() || columns.iter().any(|c| c == "attempts") {
        return Ok(false);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in OUTBOX_V2_COLUMNS {
        if !columns
            .iter()
            .any(|c| step.contains(&alloc::format!(" {c} ")))
        {
            tx.execute_batch(step)?;
        }
    }
    tx.commit()?;
    Ok(true)
}

fn i64_of(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt("number out of range"))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let zero_bytes = std::fs::metadata(path.as_ref()).is_ok_and(|m| m.len() == 0);
        let conn = Connection::open(path)?;
        SqliteStore::init(conn, zero_bytes)
    }

    /// A store in memory (tests).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?, false)
    }

    fn init(mut conn: Connection, zero_bytes: bool) -> Result<SqliteStore, StoreError> {
        // journal_mode returns a row; read it and ignore the value ("wal", or "memory").
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // A page cache of 32 MiB and reads through mmap: the indexed reads of a large store
        // stay in memory instead of a system call per page.
        conn.pragma_update(None, "cache_size", -32_768)?;
        // (An in-memory database answers no row.)
        let _mmap: Option<i64> = conn
            .query_row("PRAGMA mmap_size = 268435456", [], |r| r.get(0))
            .optional()?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A journal made before signed heads: refused here, before the schema below would
        // add tables to it; `migrate_unsigned` is the explicit way.
        if let Some(entries) = pre_head_entries(&conn)? {
            return Err(StoreError::PreHeadFormat { entries });
        }
        // An existing journal whose append-only triggers are gone was edited: note it before
        // the schema would create them again.
        let mut tampered = missing_trigger(&conn, "journal", &TRIGGERS)?;
        // An outbox of the current schema must have its guards; an older one gets the new
        // columns (and, with the schema below, the guards).
        if !migrate_outbox(&mut conn)? && tampered.is_none() {
            tampered = missing_trigger(&conn, "outbox", &OUTBOX_TRIGGERS)?;
        }
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore {
            conn,
            zero_bytes,
            tampered,
        })
    }

    /// Migrates a journal file made before signed tree heads existed (a table `journal` of
    /// hash-chained entries each signed by the officer, and the outbox; no tree, no head),
    /// which [`SqliteStore::open`] refuses with [`StoreError::PreHeadFormat`] without
    /// changing it. This reads every entry and checks the whole chain: numbers from 1 without
    /// a gap, each entry's hash over its content, each link to the entry before, and each
    /// signature under `signer`'s key (the officer who signed them, who signs the heads from
    /// now on). Only if all of it verifies, in one transaction: the Merkle tree's blocks of
    /// every entry, the append-only triggers, and one signed head over all the entries, at
    /// the time of the last one. Returns that head (`None` for an empty journal), to be
    /// published to the desk's anchor; older heads do not exist for a migrated log, so
    /// consistency proofs start at this one.
    ///
    /// Refused, nothing written: [`StoreError::NothingToMigrate`] for a file that is not in
    /// the old format (or does not exist), [`StoreError::MigrationRefused`] with the first
    /// entry that does not verify. Also accepted: a file that an earlier release opened once
    /// (its tree tables were created empty, and every later open said
    /// [`IntegrityError::HeadMissing`]).
    pub fn migrate_unsigned(
        path: impl AsRef<Path>,
        signer: &dyn super::signer::OrderSigner,
    ) -> Result<Option<SignedHead>, StoreError> {
        if !path.as_ref().exists() {
            return Err(StoreError::NothingToMigrate);
        }
        let mut conn = Connection::open(path)?;
        migrate_pre_head(&mut conn, signer)
    }

    /// The connection (maintenance, tamper tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn code_text(c: CodeKind) -> &'static str {
    match c {
        CodeKind::Pin => "PIN",
        CodeKind::Puk => "PUK",
    }
}

fn half_text(h: Half) -> &'static str {
    match h {
        Half::First => "1",
        Half::Second => "2",
    }
}

fn parse_rules(s: &str) -> Result<Vec<RuleId>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|r| RuleId::from_str_id(r).ok_or(StoreError::Corrupt("rule id")))
        .collect()
}

/// Applies `commits` in one IMMEDIATE transaction (one WAL fsync for the batch), or none of
/// them. Shared by the desk's and the recovery service's SQLite stores.
pub(crate) fn commit_in_one_transaction<C, E: From<rusqlite::Error>>(
    conn: &mut Connection,
    commits: &[C],
    apply: impl Fn(&rusqlite::Transaction<'_>, &C) -> Result<(), E>,
) -> Result<(), E> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for c in commits {
        apply(&tx, c)?;
    }
    tx.commit()?;
    Ok(())
}

/// The first of `triggers` missing while `table` exists (a journal that was edited), if any.
pub(crate) fn missing_trigger(
    conn: &Connection,
    table: &str,
    triggers: &[&'static str],
) -> Result<Option<IntegrityError>, rusqlite::Error> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            params![table],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    for t in triggers {
        let found: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                params![t],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Ok(Some(IntegrityError::TriggerMissing(t)));
        }
    }
    Ok(None)
}

/// Whether a table named `name` exists.
fn table_exists(conn: &Connection, name: &str) -> Result<bool, rusqlite::Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            params![name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The number of entries of a journal in the format made before signed heads: a `journal`
/// table without the tree tables, or (opened once by an earlier release, which created them)
/// with both tree tables empty while entries exist. `None`: a current store, or a new file.
fn pre_head_entries(conn: &Connection) -> Result<Option<u64>, StoreError> {
    if !table_exists(conn, "journal")? {
        return Ok(None);
    }
    // O(1) on a current store: the first row of a table, never a count.
    let any = |table: &str| -> Result<bool, StoreError> {
        Ok(conn
            .query_row(&alloc::format!("SELECT 1 FROM {table} LIMIT 1"), [], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    };
    let heads = table_exists(conn, "journal_heads")?;
    let blocks = table_exists(conn, "journal_blocks")?;
    let old = if !heads && !blocks {
        true
    } else {
        heads && blocks && !any("journal_heads")? && !any("journal_blocks")? && any("journal")?
    };
    if !old {
        return Ok(None);
    }
    // The number of entries of an old journal: its last number (checked by the migration).
    let last: Option<i64> = conn.query_row("SELECT MAX(seq) FROM journal", [], |r| r.get(0))?;
    Ok(Some(
        u64::try_from(last.unwrap_or(0)).map_err(|_| StoreError::Corrupt("seq"))?,
    ))
}

/// The tree tables and the append-only triggers of the journal, as [`SCHEMA`] creates them
/// (a test checks that each statement is in it word for word); used by the migration of a
/// pre-head journal, which must not touch the outbox.
const TREE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS journal_blocks (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal_heads (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_blocks_no_update BEFORE UPDATE ON journal_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_blocks_no_delete BEFORE DELETE ON journal_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_heads_no_update BEFORE UPDATE ON journal_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_heads_no_delete BEFORE DELETE ON journal_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
";

/// The migration of a pre-head journal (see [`SqliteStore::migrate_unsigned`]): verify the
/// whole chain, then write the tree, the triggers and the first signed head in one
/// transaction.
fn migrate_pre_head(
    conn: &mut Connection,
    signer: &dyn super::signer::OrderSigner,
) -> Result<Option<SignedHead>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if pre_head_entries(&tx)?.is_none() {
        return Err(StoreError::NothingToMigrate);
    }
    let entries = {
        let mut stmt = tx.prepare(&alloc::format!(
            "SELECT {ENTRY_COLUMNS} FROM journal ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], entry_of)?;
        collect(rows)?
    };
    super::entry::verify(&entries, &signer.verifying_key())
        .map_err(StoreError::MigrationRefused)?;
    tx.execute_batch(TREE_SCHEMA)?;
    let mut frontier = super::merkle::Frontier::default();
    {
        let mut stmt =
            tx.prepare("INSERT INTO journal_blocks (level, idx, hash) VALUES (?1, ?2, ?3)")?;
        for e in &entries {
            for b in frontier.push(super::merkle::leaf_hash(&e.hash)) {
                stmt.execute(params![
                    i64::from(b.level),
                    i64_of(b.index)?,
                    b.hash.as_slice()
                ])?;
            }
        }
    }
    let head = match entries.last() {
        Some(last) => {
            let h = SignedHead::sign(frontier.size(), frontier.root(), last.time, signer)
                .map_err(StoreError::MigrationSigner)?;
            tx.execute(
                "INSERT INTO journal_heads (size, root, time, signature) VALUES (?1, ?2, ?3, ?4)",
                params![
                    i64_of(h.size)?,
                    h.root.as_slice(),
                    i64_of(h.time.0)?,
                    h.signature.as_slice()
                ],
            )?;
            Some(h)
        }
        None => None,
    };
    tx.commit()?;
    Ok(head)
}

const ENTRY_COLUMNS: &str = "seq, time, kind, rules, card, detail, prev, hash, signature";

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Entry, StoreError>> {
    let seq: i64 = r.get(0)?;
    let time: i64 = r.get(1)?;
    let kind: String = r.get(2)?;
    let rules: String = r.get(3)?;
    let card: String = r.get(4)?;
    let detail: String = r.get(5)?;
    let prev: String = r.get(6)?;
    let hash: String = r.get(7)?;
    let sig: String = r.get(8)?;
    Ok((|| {
        Ok(Entry {
            seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("seq"))?,
            time: Timestamp(u64::try_from(time).map_err(|_| StoreError::Corrupt("time"))?),
            kind: EntryKind::parse(&kind).ok_or(StoreError::Corrupt("kind"))?,
            rules: parse_rules(&rules)?,
            card,
            detail,
            prev: from_letters::<32>(&prev).ok_or(StoreError::Corrupt("prev"))?,
            hash: from_letters::<32>(&hash).ok_or(StoreError::Corrupt("hash"))?,
            signature: from_letters::<64>(&sig).ok_or(StoreError::Corrupt("signature"))?,
        })
    })())
}

fn head_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<SignedHead, StoreError>> {
    let size: i64 = r.get(0)?;
    let root: Vec<u8> = r.get(1)?;
    let time: i64 = r.get(2)?;
    let sig: Vec<u8> = r.get(3)?;
    Ok((|| {
        Ok(SignedHead {
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt("head size"))?,
            root: <[u8; 32]>::try_from(root.as_slice())
                .map_err(|_| StoreError::Corrupt("head root"))?,
            time: Timestamp(u64::try_from(time).map_err(|_| StoreError::Corrupt("head time"))?),
            signature: <[u8; 64]>::try_from(sig.as_slice())
                .map_err(|_| StoreError::Corrupt("head signature"))?,
        })
    })())
}

fn outbox_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<OutboxRecord, StoreError>> {
    let key: String = r.get(0)?;
    let card: String = r.get(1)?;
    let code: String = r.get(2)?;
    let half: String = r.get(3)?;
    let dest: String = r.get(4)?;
    let state: String = r.get(5)?;
    let language: String = r.get(6)?;
    let failure_kind: Option<String> = r.get(7)?;
    let failure_detail: Option<String> = r.get(8)?;
    let failure_at: Option<i64> = r.get(9)?;
    let attempts: i64 = r.get(10)?;
    Ok((|| {
        Ok(OutboxRecord {
            key: IdempotencyKey::from_stored(&key),
            card,
            code: match code.as_str() {
                "PIN" => CodeKind::Pin,
                "PUK" => CodeKind::Puk,
                _ => return Err(StoreError::Corrupt("code")),
            },
            half: match half.as_str() {
                "1" => Half::First,
                "2" => Half::Second,
                _ => return Err(StoreError::Corrupt("half")),
            },
            to: EmailAddress::parse(&dest).map_err(|_| StoreError::Corrupt("destination"))?,
            state: match state.as_str() {
                "pending" => OutboxState::Pending,
                "sent" => OutboxState::Sent,
                _ => return Err(StoreError::Corrupt("state")),
            },
            language,
            failure: failure_of(
                failure_kind.as_deref(),
                failure_detail,
                failure_at,
                attempts,
            )?,
        })
    })())
}

/// The failure kept with a record, from its stored columns (all or none).
pub(crate) fn failure_of(
    kind: Option<&str>,
    detail: Option<String>,
    at: Option<i64>,
    attempts: i64,
) -> Result<Option<DeliveryFailure>, StoreError> {
    let Some(kind) = kind else {
        return Ok(None);
    };
    Ok(Some(DeliveryFailure {
        kind: FailureKind::parse(kind).ok_or(StoreError::Corrupt("failure kind"))?,
        detail: detail.unwrap_or_default(),
        at: Timestamp(
            at.and_then(|t| u64::try_from(t).ok())
                .ok_or(StoreError::Corrupt("failure time"))?,
        ),
        attempts: u32::try_from(attempts).map_err(|_| StoreError::Corrupt("attempts"))?,
    }))
}

const OUTBOX_COLUMNS: &str = "key, card, code, half, dest, state, language, failure_kind, \
    failure_detail, failure_at, attempts";

fn collect<T>(
    rows: impl Iterator<Item = rusqlite::Result<Result<T, StoreError>>>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

/// Checks and writes one commit inside the open transaction `tx`.
fn apply(tx: &rusqlite::Transaction<'_>, c: &Commit<'_>) -> Result<(), StoreError> {
    let last: Option<i64> = tx
        .prepare_cached("SELECT MAX(seq) FROM journal")?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten();
    let last = u64::try_from(last.unwrap_or(0)).map_err(|_| StoreError::Corrupt("seq"))?;
    {
        let mut stmt = tx.prepare_cached("SELECT state FROM outbox WHERE key = ?1")?;
        let mut state_of = |k: &IdempotencyKey| -> Result<Option<OutboxState>, StoreError> {
            stmt.query_row(params![k.as_str()], |r| r.get::<_, String>(0))
                .optional()?
                .map(|s| parse_state(&s))
                .transpose()
        };
        check_commit(last, &mut state_of, c)?;
    }
    let e = c.entry;
    tx.prepare_cached(
        "INSERT INTO journal (seq, time, kind, rules, card, detail, prev, hash, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        i64_of(e.seq)?,
        i64_of(e.time.0)?,
        e.kind.as_str(),
        rules_text(&e.rules),
        e.card,
        e.detail,
        to_letters(&e.prev),
        to_letters(&e.hash),
        to_letters(&e.signature),
    ])?;
    {
        let mut stmt =
            tx.prepare_cached("INSERT INTO journal_blocks (level, idx, hash) VALUES (?1, ?2, ?3)")?;
        for b in c.blocks {
            stmt.execute(params![
                i64::from(b.level),
                i64_of(b.index)?,
                b.hash.as_slice()
            ])?;
        }
    }
    let h = c.head;
    tx.prepare_cached(
        "INSERT INTO journal_heads (size, root, time, signature) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        i64_of(h.size)?,
        h.root.as_slice(),
        i64_of(h.time.0)?,
        h.signature.as_slice()
    ])?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO outbox (key, card, code, half, dest, state, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for r in c.new_outbox {
            stmt.execute(params![
                r.key.as_str(),
                r.card,
                code_text(r.code),
                half_text(r.half),
                r.to.as_str(),
                state_text(r.state),
                r.language,
            ])?;
        }
    }
    // A record is marked sent once: marking a sent record again is refused (as the
    // PostgreSQL store does), and the whole commit with it.
    if let Some(k) = c.mark_sent {
        let marked = tx
            .prepare_cached(
                "UPDATE outbox SET state = 'sent', failure_kind = NULL, failure_detail = NULL,
                     failure_at = NULL
                 WHERE key = ?1 AND state = 'pending'",
            )?
            .execute(params![k.as_str()])?;
        if marked != 1 {
            return Err(StoreError::OutboxConflict);
        }
    }
    Ok(())
}

impl JournalStore for SqliteStore {
    fn commit(&mut self, c: Commit<'_>) -> Result<(), StoreError> {
        commit_in_one_transaction(&mut self.conn, core::slice::from_ref(&c), apply)
    }

    fn commit_all(&mut self, commits: &[Commit<'_>]) -> Result<(), StoreError> {
        commit_in_one_transaction(&mut self.conn, commits, apply)
    }

    fn head(&self) -> Result<Option<SignedHead>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT size, root, time, signature FROM journal_heads ORDER BY size DESC LIMIT 1",
        )?;
        stmt.query_row([], head_of).optional()?.transpose()
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        let last: Option<i64> = self
            .conn
            .prepare_cached("SELECT MAX(seq) FROM journal")?
            .query_row([], |r| r.get(0))?;
        u64::try_from(last.unwrap_or(0)).map_err(|_| StoreError::Corrupt("seq"))
    }

    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq = ?1"
        ))?;
        stmt.query_row(params![seq], entry_of)
            .optional()?
            .transpose()
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {ENTRY_COLUMNS} FROM journal ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], entry_of)?;
        collect(rows)
    }

    fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        let Ok(size) = i64::try_from(size) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT size, root, time, signature FROM journal_heads WHERE size = ?1",
        )?;
        stmt.query_row(params![size], head_of)
            .optional()?
            .transpose()
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, StoreError> {
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM journal_blocks WHERE level = ?1 AND idx = ?2")?;
        let h: Option<Vec<u8>> = stmt
            .query_row(params![i64::from(level), index], |r| r.get(0))
            .optional()?;
        h.map(|h| <[u8; 32]>::try_from(h.as_slice()).map_err(|_| StoreError::Corrupt("block")))
            .transpose()
    }

    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Option<Hash>>, StoreError> {
        read_blocks(&self.conn, "journal_blocks", wanted)
    }

    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id"
        ))?;
        let rows = stmt.query_map([], outbox_of)?;
        collect(rows)
    }

    fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox INDEXED BY outbox_pending
             WHERE state = 'pending' ORDER BY id"
        ))?;
        let rows = stmt.query_map([], outbox_of)?;
        collect(rows)
    }

    fn record_failure(
        &mut self,
        key: &IdempotencyKey,
        kind: FailureKind,
        detail: &str,
        at: Timestamp,
    ) -> Result<DeliveryFailure, StoreError> {
        let detail = DeliveryFailure::mask_detail(detail);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx
            .prepare_cached(
                "UPDATE outbox SET failure_kind = ?2, failure_detail = ?3, failure_at = ?4,
                     attempts = attempts + 1
                 WHERE key = ?1 AND state = 'pending'",
            )?
            .execute(params![key.as_str(), kind.as_str(), detail, i64_of(at.0)?])?;
        if changed != 1 {
            return Err(StoreError::OutboxConflict);
        }
        let attempts: i64 = tx
            .prepare_cached("SELECT attempts FROM outbox WHERE key = ?1")?
            .query_row(params![key.as_str()], |r| r.get(0))?;
        tx.commit()?;
        Ok(DeliveryFailure {
            kind,
            detail,
            at,
            attempts: u32::try_from(attempts).map_err(|_| StoreError::Corrupt("attempts"))?,
        })
    }

    fn found_tampered(&self) -> Option<IntegrityError> {
        self.tampered
    }

    fn was_zero_bytes(&self) -> bool {
        self.zero_bytes
    }
}

/// The sizes the one-query read of blocks is prepared for (the list is padded up to one of
/// them by repeating its last block): few distinct statements, all kept prepared.
const BLOCK_BATCHES: [usize; 4] = [8, 16, 32, MAX_BATCH];
const MAX_BATCH: usize = 128;

/// Reads the blocks `wanted` of `table` (`level`, `idx`, `hash`, primary key `(level,
/// idx)`) in one statement: a `VALUES` list joined to the primary key, one index probe per
/// block and one statement for the proof instead of one per block. Longer lists are read in
/// parts.
pub(crate) fn read_blocks(
    conn: &Connection,
    table: &str,
    wanted: &[(u32, u64)],
) -> Result<Vec<Option<Hash>>, StoreError> {
    let mut out: Vec<Option<Hash>> = Vec::with_capacity(wanted.len());
    for part in wanted.chunks(MAX_BATCH) {
        let Some(&last) = part.last() else {
            continue;
        };
        let size = BLOCK_BATCHES
            .iter()
            .copied()
            .find(|&b| b >= part.len())
            .unwrap_or(MAX_BATCH);
        let mut sql = String::from("WITH w(n, level, idx) AS (VALUES ");
        for i in 0..size {
            if i > 0 {
                sql.push(',');
            }
            // Parameters numbered in order: ?, ? per row (at most 2 * MAX_BATCH).
            let _ = core::fmt::Write::write_fmt(&mut sql, format_args!("({i}, ?, ?)"));
        }
        let _ = core::fmt::Write::write_fmt(
            &mut sql,
            format_args!(
                ") SELECT w.n, b.hash FROM w JOIN {table} AS b ON b.level = w.level AND b.idx = w.idx"
            ),
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut args: Vec<i64> = Vec::with_capacity(size.saturating_mul(2));
        for i in 0..size {
            let (l, x) = part.get(i).copied().unwrap_or(last);
            args.push(i64::from(l));
            args.push(i64_of(x)?);
        }
        let mut found: Vec<Option<Hash>> = alloc::vec![None; part.len()];
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let n: i64 = r.get(0)?;
            let h: Vec<u8> = r.get(1)?;
            let h = <[u8; 32]>::try_from(h.as_slice()).map_err(|_| StoreError::Corrupt("block"))?;
            if let Some(slot) = usize::try_from(n).ok().and_then(|n| found.get_mut(n)) {
                *slot = Some(h);
            }
        }
        out.extend(found);
    }
    Ok(out)
}

fn parse_state(s: &str) -> Result<OutboxState, StoreError> {
    match s {
        "pending" => Ok(OutboxState::Pending),
        "sent" => Ok(OutboxState::Sent),
        _ => Err(StoreError::Corrupt("state")),
    }
}

fn state_text(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Pending => "pending",
        OutboxState::Sent => "sent",
    }
}

#[cfg(test)]
mod tests {
    use super::{SCHEMA, TREE_SCHEMA};

    /// The migration creates the tree tables and triggers exactly as a new store has them.
    #[test]
    fn p_pol2_tree_schema_of_the_migration_is_the_store_schema() {
        let mut n = 0;
        for stmt in TREE_SCHEMA
            .split(";\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            assert!(SCHEMA.contains(stmt), "not in SCHEMA: {stmt}");
            n += 1;
        }
        // Two tables, six triggers.
        assert_eq!(n, 2 + 6);
    }
}
