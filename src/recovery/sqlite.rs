//! The SQLite recovery store (feature `sqlite`, bundled SQLite): the same database file as the
//! desk's journal can hold it (its tables are prefixed `recovery_`). WAL mode,
//! `synchronous = FULL`, one transaction per [`RecoveryCommit`].
//!
//! Triggers enforce in the database what the service enforces in memory: the clock mark never
//! goes back, a procedure's request time is never re-based (nor its card or device key), a
//! released, expired or closed procedure never changes again, and the journal is
//! append-only. Two service instances over one file cannot both release a PUK: the second
//! one's commit no longer chains to the journal (and would hit the final-state trigger).

use alloc::string::String;
use alloc::vec::Vec;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::device::DeviceKey;
use super::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryCommit, RecoveryEvent,
    RecoveryStore, RecoveryStoreError, Snapshot, StoredCode, check_commit,
};
use crate::journal::merkle::Hash;
use crate::journal::{
    IntegrityError, SignedHead, Timestamp, commit_in_one_transaction, missing_trigger,
};
use crate::policy::RuleId;

/// The recovery state and journal in an SQLite file.
#[derive(Debug)]
pub struct SqliteRecoveryStore {
    conn: Connection,
    tampered: Option<IntegrityError>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS recovery_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    high_water INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recovery_procedures (
    id TEXT PRIMARY KEY,
    serial TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    device_n BLOB NOT NULL,
    device_e BLOB NOT NULL,
    state TEXT NOT NULL,
    wrong INTEGER NOT NULL,
    code_hash BLOB,
    code_generation INTEGER,
    code_issued_at INTEGER,
    code_sent INTEGER,
    closed_at INTEGER,
    journal_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_open_procedures ON recovery_procedures (id)
    WHERE state IN ('pending', 'code-issued');
CREATE TABLE IF NOT EXISTS recovery_blocks (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recovery_heads (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS recovery_blocks_no_update BEFORE UPDATE ON recovery_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS recovery_blocks_no_delete BEFORE DELETE ON recovery_blocks
BEGIN SELECT RAISE(ABORT, 'the journal tree is append-only'); END;
CREATE TRIGGER IF NOT EXISTS recovery_heads_no_update BEFORE UPDATE ON recovery_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
CREATE TRIGGER IF NOT EXISTS recovery_heads_no_delete BEFORE DELETE ON recovery_heads
BEGIN SELECT RAISE(ABORT, 'the signed heads are append-only'); END;
CREATE TABLE IF NOT EXISTS recovery_journal (
    seq INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    procedure TEXT,
    card TEXT NOT NULL,
    rules TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_journal_writes ON recovery_journal (procedure, seq)
    WHERE detail LIKE '% record=%';
CREATE TRIGGER IF NOT EXISTS recovery_clock_monotonic
BEFORE UPDATE OF high_water ON recovery_clock
WHEN NEW.high_water < OLD.high_water
BEGIN SELECT RAISE(ABORT, 'the clock mark never goes back'); END;
CREATE TRIGGER IF NOT EXISTS recovery_request_time_fixed
BEFORE UPDATE ON recovery_procedures
WHEN NEW.requested_at <> OLD.requested_at OR NEW.serial <> OLD.serial
  OR NEW.device_n <> OLD.device_n OR NEW.device_e <> OLD.device_e
BEGIN SELECT RAISE(ABORT, 'a request is never re-based'); END;
CREATE TRIGGER IF NOT EXISTS recovery_final_states_final
BEFORE UPDATE ON recovery_procedures
WHEN OLD.state IN ('released', 'expired', 'closed')
BEGIN SELECT RAISE(ABORT, 'a released, expired or closed procedure does not change'); END;
CREATE TRIGGER IF NOT EXISTS recovery_journal_no_update
BEFORE UPDATE ON recovery_journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS recovery_journal_no_delete
BEFORE DELETE ON recovery_journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
";

/// The triggers that keep the tables honest, checked when an existing store is opened.
const TRIGGERS: [&str; 9] = [
    "recovery_clock_monotonic",
    "recovery_request_time_fixed",
    "recovery_final_states_final",
    "recovery_journal_no_update",
    "recovery_journal_no_delete",
    "recovery_blocks_no_update",
    "recovery_blocks_no_delete",
    "recovery_heads_no_update",
    "recovery_heads_no_delete",
];

fn i64_of(v: u64) -> Result<i64, RecoveryStoreError> {
    i64::try_from(v).map_err(|_| RecoveryStoreError::Corrupt("number out of range"))
}

fn u64_of(v: i64) -> Result<u64, RecoveryStoreError> {
    u64::try_from(v).map_err(|_| RecoveryStoreError::Corrupt("negative number"))
}

fn rules_text(rules: &[RuleId]) -> String {
    let v: Vec<&str> = rules.iter().map(|r| r.as_str()).collect();
    v.join(",")
}

fn parse_rules(s: &str) -> Result<Vec<RuleId>, RecoveryStoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|r| RuleId::from_str_id(r).ok_or(RecoveryStoreError::Corrupt("rule id")))
        .collect()
}

fn hash32(b: &[u8]) -> Result<[u8; 32], RecoveryStoreError> {
    <[u8; 32]>::try_from(b).map_err(|_| RecoveryStoreError::Corrupt("journal hash"))
}

/// The number and hash of the last journal record (0 and zeros when empty).
fn last_record(conn: &Connection) -> Result<(u64, [u8; 32]), RecoveryStoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM recovery_journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((seq, hash)) => Ok((u64_of(seq)?, hash32(&hash)?)),
        None => Ok((0, [0; 32])),
    }
}

impl SqliteRecoveryStore {
    /// Opens (creating the tables if needed) the store at `path`; the file may be the desk's
    /// journal database.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteRecoveryStore, RecoveryStoreError> {
        SqliteRecoveryStore::init(Connection::open(path)?)
    }

    /// A store in memory (tests).
    pub fn open_in_memory() -> Result<SqliteRecoveryStore, RecoveryStoreError> {
        SqliteRecoveryStore::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<SqliteRecoveryStore, RecoveryStoreError> {
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
        // A store whose triggers were dropped (to edit rows) is noted before the schema
        // would create them again.
        let tampered = missing_trigger(&conn, "recovery_journal", &TRIGGERS)?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteRecoveryStore { conn, tampered })
    }

    /// The connection (maintenance, tamper tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

type ProcRow = (
    String,
    String,
    i64,
    Vec<u8>,
    Vec<u8>,
    String,
    i64,
    Option<Vec<u8>>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

fn procedure_of(row: ProcRow) -> Result<ProcedureRecord, RecoveryStoreError> {
    let (
        id,
        serial,
        requested_at,
        n,
        e,
        state,
        wrong,
        hash,
        generation,
        issued,
        sent,
        closed,
        jseq,
    ) = row;
    let code = match (hash, generation, issued, sent) {
        (Some(h), Some(g), Some(i), Some(s)) => Some(StoredCode {
            hash: <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| RecoveryStoreError::Corrupt("code hash"))?,
            generation: u32::try_from(g).map_err(|_| RecoveryStoreError::Corrupt("generation"))?,
            issued_at: Timestamp(u64_of(i)?),
            sent: s != 0,
        }),
        (None, None, None, None) => None,
        _ => return Err(RecoveryStoreError::Corrupt("partial code")),
    };
    Ok(ProcedureRecord {
        id: ProcedureId::from_hex(&id).ok_or(RecoveryStoreError::Corrupt("procedure id"))?,
        serial,
        requested_at: Timestamp(u64_of(requested_at)?),
        device_key: DeviceKey::from_components(&n, &e)
            .map_err(|_| RecoveryStoreError::Corrupt("device key"))?,
        state: ProcedureState::parse(&state).ok_or(RecoveryStoreError::Corrupt("state"))?,
        wrong_completions: u32::try_from(wrong)
            .map_err(|_| RecoveryStoreError::Corrupt("wrong count"))?,
        code,
        closed_at: closed.map(u64_of).transpose()?.map(Timestamp),
        journal_seq: u64_of(jseq)?,
    })
}

const PROC_COLUMNS: &str = "id, serial, requested_at, device_n, device_e, state, wrong, code_hash,
    code_generation, code_issued_at, code_sent, closed_at, journal_seq";

fn proc_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProcRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

const EVENT_COLUMNS: &str = "seq, time, kind, procedure, card, rules, detail, prev, hash";

fn event_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RecoveryEvent, RecoveryStoreError>> {
    let seq: i64 = r.get(0)?;
    let time: i64 = r.get(1)?;
    let kind: String = r.get(2)?;
    let procedure: Option<String> = r.get(3)?;
    let card: String = r.get(4)?;
    let rules: String = r.get(5)?;
    let detail: String = r.get(6)?;
    let prev: Vec<u8> = r.get(7)?;
    let hash: Vec<u8> = r.get(8)?;
    Ok((|| {
        Ok(RecoveryEvent {
            seq: u64_of(seq)?,
            time: Timestamp(u64_of(time)?),
            kind: EventKind::parse(&kind).ok_or(RecoveryStoreError::Corrupt("event kind"))?,
            procedure: procedure
                .map(|p| ProcedureId::from_hex(&p).ok_or(RecoveryStoreError::Corrupt("id")))
                .transpose()?,
            card,
            rules: parse_rules(&rules)?,
            detail,
            prev: hash32(&prev)?,
            hash: hash32(&hash)?,
        })
    })())
}

/// Checks and writes one commit inside the open transaction `tx`.
fn apply(tx: &rusqlite::Transaction<'_>, c: &RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
    let high_water: Option<i64> = tx
        .prepare_cached("SELECT high_water FROM recovery_clock WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let (last, last_hash) = last_record(tx)?;
    check_commit(
        high_water.map(u64_of).transpose()?.map(Timestamp),
        last,
        last_hash,
        c,
    )?;
    tx.prepare_cached(
        "INSERT INTO recovery_clock (id, high_water) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET high_water = excluded.high_water",
    )?
    .execute(params![i64_of(c.high_water.0)?])?;
    if let Some(p) = c.procedure {
        let code = p.code.as_ref();
        tx.prepare_cached(
            "INSERT INTO recovery_procedures (id, serial, requested_at, device_n, device_e,
                     state, wrong, code_hash, code_generation, code_issued_at, code_sent, closed_at,
                     journal_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT(id) DO UPDATE SET state = excluded.state, wrong = excluded.wrong,
                     code_hash = excluded.code_hash, code_generation = excluded.code_generation,
                     code_issued_at = excluded.code_issued_at, code_sent = excluded.code_sent,
                     closed_at = excluded.closed_at, requested_at = excluded.requested_at,
                     serial = excluded.serial, device_n = excluded.device_n,
                     device_e = excluded.device_e, journal_seq = excluded.journal_seq",
        )?
        .execute(params![
            p.id.to_hex(),
            p.serial,
            i64_of(p.requested_at.0)?,
            p.device_key.modulus(),
            p.device_key.public_exponent(),
            p.state.as_str(),
            i64::from(p.wrong_completions),
            code.map(|k| k.hash.to_vec()),
            code.map(|k| i64::from(k.generation)),
            code.map(|k| i64_of(k.issued_at.0)).transpose()?,
            code.map(|k| i64::from(k.sent)),
            p.closed_at.map(|t| i64_of(t.0)).transpose()?,
            i64_of(p.journal_seq)?,
        ])?;
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO recovery_journal
                     (seq, time, kind, procedure, card, rules, detail, prev, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for e in c.events {
            stmt.execute(params![
                i64_of(e.seq)?,
                i64_of(e.time.0)?,
                e.kind.as_str(),
                e.procedure.map(|p| p.to_hex()),
                e.card,
                rules_text(&e.rules),
                e.detail,
                e.prev.as_slice(),
                e.hash.as_slice(),
            ])?;
        }
    }
    {
        let mut stmt = tx
            .prepare_cached("INSERT INTO recovery_blocks (level, idx, hash) VALUES (?1, ?2, ?3)")?;
        for b in c.blocks {
            stmt.execute(params![
                i64::from(b.level),
                i64_of(b.index)?,
                b.hash.as_slice()
            ])?;
        }
    }
    if let Some(h) = c.head {
        tx.prepare_cached(
            "INSERT INTO recovery_heads (size, root, time, signature) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            i64_of(h.size)?,
            h.root.as_slice(),
            i64_of(h.time.0)?,
            h.signature.as_slice()
        ])?;
    }
    Ok(())
}

/// The latest signed head.
fn read_head(conn: &Connection) -> Result<Option<SignedHead>, RecoveryStoreError> {
    conn.prepare_cached(
        "SELECT size, root, time, signature FROM recovery_heads ORDER BY size DESC LIMIT 1",
    )?
    .query_row([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })
    .optional()?
    .map(
        |(size, root, time, sig)| -> Result<SignedHead, RecoveryStoreError> {
            Ok(SignedHead {
                size: u64_of(size)?,
                root: hash32(&root)?,
                time: Timestamp(u64_of(time)?),
                signature: <[u8; 64]>::try_from(sig.as_slice())
                    .map_err(|_| RecoveryStoreError::Corrupt("head signature"))?,
            })
        },
    )
    .transpose()
}

impl RecoveryStore for SqliteRecoveryStore {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        let high_water: Option<i64> = self
            .conn
            .prepare_cached("SELECT high_water FROM recovery_clock WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let (last, last_hash) = last_record(&self.conn)?;
        let head = read_head(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {PROC_COLUMNS} FROM recovery_procedures INDEXED BY recovery_open_procedures
             WHERE state IN ('pending', 'code-issued') ORDER BY id"
        ))?;
        let rows = stmt.query_map([], proc_row)?;
        let mut procedures = Vec::new();
        for row in rows {
            procedures.push(procedure_of(row?)?);
        }
        Ok(Snapshot {
            high_water: high_water.map(u64_of).transpose()?.map(Timestamp),
            procedures,
            head,
            last_seq: last,
            last_hash,
        })
    }

    fn commit(&mut self, c: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        commit_in_one_transaction(&mut self.conn, core::slice::from_ref(&c), apply)
    }

    fn commit_all(&mut self, commits: &[RecoveryCommit<'_>]) -> Result<(), RecoveryStoreError> {
        commit_in_one_transaction(&mut self.conn, commits, apply)
    }

    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {EVENT_COLUMNS} FROM recovery_journal ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], event_of)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    fn event(&self, seq: u64) -> Result<Option<RecoveryEvent>, RecoveryStoreError> {
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {EVENT_COLUMNS} FROM recovery_journal WHERE seq = ?1"
        ))?;
        stmt.query_row(params![seq], event_of)
            .optional()?
            .transpose()
    }

    fn procedure(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryStoreError> {
        let mut stmt = self.conn.prepare_cached(&alloc::format!(
            "SELECT {PROC_COLUMNS} FROM recovery_procedures WHERE id = ?1"
        ))?;
        let row = stmt.query_row(params![id.to_hex()], proc_row).optional()?;
        row.map(procedure_of).transpose()
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, RecoveryStoreError> {
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM recovery_blocks WHERE level = ?1 AND idx = ?2")?;
        let h: Option<Vec<u8>> = stmt
            .query_row(params![i64::from(level), index], |r| r.get(0))
            .optional()?;
        h.map(|h| hash32(&h)).transpose()
    }

    fn found_tampered(&self) -> Option<IntegrityError> {
        self.tampered
    }

    fn latest_write(&self, id: &ProcedureId) -> Result<Option<u64>, RecoveryStoreError> {
        // The partial index holds exactly the records that write a procedure.
        let seq: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT seq FROM recovery_journal INDEXED BY recovery_journal_writes
                 WHERE procedure = ?1 AND detail LIKE '% record=%' ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![id.to_hex()], |r| r.get(0))
            .optional()?;
        seq.map(u64_of).transpose()
    }

    fn head(&self) -> Result<Option<SignedHead>, RecoveryStoreError> {
        read_head(&self.conn)
    }
}
