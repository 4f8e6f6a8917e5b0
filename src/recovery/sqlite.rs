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

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::device::DeviceKey;
use super::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryCommit, RecoveryEvent,
    RecoveryStore, RecoveryStoreError, Snapshot, StoredCode, check_commit,
};
use crate::journal::Timestamp;
use crate::policy::RuleId;

/// The recovery state and journal in an SQLite file.
#[derive(Debug)]
pub struct SqliteRecoveryStore {
    conn: Connection,
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
    closed_at INTEGER
);
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
        .query_row(
            "SELECT seq, hash FROM recovery_journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
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
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteRecoveryStore { conn })
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
);

fn procedure_of(row: ProcRow) -> Result<ProcedureRecord, RecoveryStoreError> {
    let (id, serial, requested_at, n, e, state, wrong, hash, generation, issued, sent, closed) =
        row;
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
    })
}

impl RecoveryStore for SqliteRecoveryStore {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        let high_water: Option<i64> = self
            .conn
            .query_row(
                "SELECT high_water FROM recovery_clock WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let (last, last_hash) = last_record(&self.conn)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, serial, requested_at, device_n, device_e, state, wrong, code_hash,
                    code_generation, code_issued_at, code_sent, closed_at
             FROM recovery_procedures ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
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
            ))
        })?;
        let mut procedures = Vec::new();
        for row in rows {
            procedures.push(procedure_of(row?)?);
        }
        Ok(Snapshot {
            high_water: high_water.map(u64_of).transpose()?.map(Timestamp),
            procedures,
            last_seq: last,
            last_hash,
        })
    }

    fn commit(&mut self, c: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let high_water: Option<i64> = tx
            .query_row(
                "SELECT high_water FROM recovery_clock WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let (last, last_hash) = last_record(&tx)?;
        check_commit(
            high_water.map(u64_of).transpose()?.map(Timestamp),
            last,
            last_hash,
            &c,
        )?;
        tx.execute(
            "INSERT INTO recovery_clock (id, high_water) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET high_water = excluded.high_water",
            params![i64_of(c.high_water.0)?],
        )?;
        if let Some(p) = c.procedure {
            let code = p.code.as_ref();
            tx.execute(
                "INSERT INTO recovery_procedures (id, serial, requested_at, device_n, device_e,
                     state, wrong, code_hash, code_generation, code_issued_at, code_sent, closed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT(id) DO UPDATE SET state = excluded.state, wrong = excluded.wrong,
                     code_hash = excluded.code_hash, code_generation = excluded.code_generation,
                     code_issued_at = excluded.code_issued_at, code_sent = excluded.code_sent,
                     closed_at = excluded.closed_at, requested_at = excluded.requested_at,
                     serial = excluded.serial, device_n = excluded.device_n,
                     device_e = excluded.device_e",
                params![
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
                ],
            )?;
        }
        for e in c.events {
            tx.execute(
                "INSERT INTO recovery_journal
                     (seq, time, kind, procedure, card, rules, detail, prev, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    i64_of(e.seq)?,
                    i64_of(e.time.0)?,
                    e.kind.as_str(),
                    e.procedure.map(|p| p.to_hex()),
                    e.card,
                    rules_text(&e.rules),
                    e.detail,
                    e.prev.as_slice(),
                    e.hash.as_slice(),
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, time, kind, procedure, card, rules, detail, prev, hash
             FROM recovery_journal ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Vec<u8>>(7)?,
                r.get::<_, Vec<u8>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, time, kind, procedure, card, rules, detail, prev, hash) = row?;
            out.push(RecoveryEvent {
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
            });
        }
        Ok(out)
    }
}
