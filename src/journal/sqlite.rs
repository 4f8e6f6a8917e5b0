//! The SQLite store (feature `sqlite`, bundled SQLite): WAL mode, `synchronous = FULL`, one
//! transaction per journal append together with its outbox writes.

use alloc::string::String;
use alloc::vec::Vec;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::clock::Timestamp;
use super::entry::{Entry, EntryKind, from_letters, to_letters};
use super::store::{Commit, JournalStore, StoreError, check_commit};
use crate::codes::{CodeKind, Half};
use crate::notify::{IdempotencyKey, OutboxRecord, OutboxState};
use crate::policy::{EmailAddress, RuleId};

/// A journal and outbox in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
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

fn i64_of(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt("number out of range"))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        SqliteStore::init(conn)
    }

    /// A store in memory (tests).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<SqliteStore, StoreError> {
        // journal_mode returns a row; read it and ignore the value ("wal", or "memory").
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore { conn })
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

fn rules_text(rules: &[RuleId]) -> String {
    let v: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
    v.join(",")
}

fn parse_rules(s: &str) -> Result<Vec<RuleId>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|r| RuleId::from_str_id(r).ok_or(StoreError::Corrupt("rule id")))
        .collect()
}

impl JournalStore for SqliteStore {
    fn commit(&mut self, c: Commit<'_>) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<i64> = tx
            .query_row("SELECT MAX(seq) FROM journal", [], |r| r.get(0))
            .optional()?
            .flatten();
        let last = u64::try_from(last.unwrap_or(0)).map_err(|_| StoreError::Corrupt("seq"))?;
        {
            let mut stmt = tx.prepare("SELECT 1 FROM outbox WHERE key = ?1")?;
            let mut key_exists = |k: &IdempotencyKey| -> Result<bool, StoreError> {
                Ok(stmt
                    .query_row(params![k.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some())
            };
            check_commit(last, &mut key_exists, &c)?;
        }
        let e = c.entry;
        tx.execute(
            "INSERT INTO journal (seq, time, kind, rules, card, detail, prev, hash, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                i64_of(e.seq)?,
                i64_of(e.time.0)?,
                e.kind.as_str(),
                rules_text(&e.rules),
                e.card,
                e.detail,
                to_letters(&e.prev),
                to_letters(&e.hash),
                to_letters(&e.signature),
            ],
        )?;
        for r in c.new_outbox {
            tx.execute(
                "INSERT INTO outbox (key, card, code, half, dest, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    r.key.as_str(),
                    r.card,
                    code_text(r.code),
                    half_text(r.half),
                    r.to.as_str(),
                    state_text(r.state),
                ],
            )?;
        }
        if let Some(k) = c.mark_sent {
            tx.execute(
                "UPDATE outbox SET state = 'sent' WHERE key = ?1",
                params![k.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, time, kind, rules, card, detail, prev, hash, signature FROM journal ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, time, kind, rules, card, detail, prev, hash, sig) = row?;
            out.push(Entry {
                seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("seq"))?,
                time: Timestamp(u64::try_from(time).map_err(|_| StoreError::Corrupt("time"))?),
                kind: EntryKind::parse(&kind).ok_or(StoreError::Corrupt("kind"))?,
                rules: parse_rules(&rules)?,
                card,
                detail,
                prev: from_letters::<32>(&prev).ok_or(StoreError::Corrupt("prev"))?,
                hash: from_letters::<32>(&hash).ok_or(StoreError::Corrupt("hash"))?,
                signature: from_letters::<64>(&sig).ok_or(StoreError::Corrupt("signature"))?,
            });
        }
        Ok(out)
    }

    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, card, code, half, dest, state FROM outbox ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, card, code, half, dest, state) = row?;
            out.push(OutboxRecord {
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
            });
        }
        Ok(out)
    }
}

fn state_text(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Pending => "pending",
        OutboxState::Sent => "sent",
    }
}
