//! The PostgreSQL recovery store (feature `postgres`): the procedures, the clock mark and
//! the signed journal of the PUK self-recovery service in one database, shared by any number
//! of service instances (behind a load balancer), each in its own process.
//!
//! **One instance at a time per decision.** [`RecoveryStore::begin_operation`] takes a
//! session-level advisory lock (one per schema) that the service holds for one operation
//! (a request, a completion, a tick) across its commits; under it the service reads the
//! records the other instances appended since and decides on them. A commit also runs in
//! its own `READ COMMITTED` transaction that takes `LOCK TABLE cie_recovery_journal IN
//! EXCLUSIVE MODE` and checks that its records follow the last stored one
//! ([`RecoveryStoreError::Conflict`] otherwise): a writer that skipped the advisory lock
//! still cannot fork the journal. So a procedure gets one completion code per generation
//! and one release, whatever the interleaving.
//!
//! **One clock.** [`RecoveryStore::database_time`] reads the database server's clock
//! (`pg_catalog.clock_timestamp()`, whole seconds) under the lock: every instance decides
//! the 48 hours (I6) on the same clock, whatever its own clock says; the service still never
//! lets "now" go below the stored mark.
//!
//! **Faults.** Every error of a commit means that nothing was written, except
//! [`RecoveryStoreError::OutcomeUnknown`]. When the connection breaks while `COMMIT` is under
//! way, the store connects again and looks (after taking the table lock, so a commit in
//! flight has ended): the records are there (`Ok`) or not
//! ([`RecoveryStoreError::NotCommitted`]). A connection lost while the operation lock is held
//! ends the operation ([`RecoveryStoreError::NotCommitted`]); the next operation connects
//! again and reads the stored head first.
//!
//! **Integrity.** The journal, its tree blocks and its heads are append-only, the clock mark
//! only moves forward, a procedure's request time, card and device key never change, a
//! final procedure never changes again, and no procedure row is deleted (triggers); a store
//! whose triggers were dropped or disabled is refused when opened.
//!
//! **Schema.** Created and migrated on [`PgRecoveryStore::connect`] in one transaction under
//! an advisory lock, version kept in `cie_schema` (`component = 'recovery'`).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{RefCell, RefMut};
use core::fmt;
use core::str::FromStr;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Row, Statement};

use super::device::DeviceKey;
use super::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryCommit, RecoveryEvent,
    RecoveryStore, RecoveryStoreError, Snapshot, StoredCode, check_commit,
};
use crate::journal::merkle::Hash;
use crate::journal::{
    IntegrityError, SignedHead, StoreError, Timestamp, migrate, missing_pg_trigger, not_committed,
};
use crate::policy::RuleId;

/// The schema versions of the recovery store, in order.
const MIGRATIONS: [&str; 1] = [SCHEMA_V1];

const SCHEMA_V1: &str = "
CREATE TABLE cie_recovery_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    high_water BIGINT NOT NULL
);
CREATE TABLE cie_recovery_procedures (
    id TEXT PRIMARY KEY,
    serial TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    device_n BYTEA NOT NULL,
    device_e BYTEA NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'code-issued', 'released', 'expired', 'closed')),
    wrong BIGINT NOT NULL,
    code_hash BYTEA,
    code_generation BIGINT,
    code_issued_at BIGINT,
    code_sent BOOLEAN,
    closed_at BIGINT,
    journal_seq BIGINT NOT NULL
);
CREATE INDEX cie_recovery_open ON cie_recovery_procedures (id)
    WHERE state IN ('pending', 'code-issued');
CREATE TABLE cie_recovery_journal (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    time BIGINT NOT NULL,
    kind TEXT NOT NULL,
    procedure TEXT,
    card TEXT NOT NULL,
    rules TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev BYTEA NOT NULL CHECK (length(prev) = 32),
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX cie_recovery_journal_writes ON cie_recovery_journal (procedure, seq)
    WHERE position(' record=' in detail) > 0;
CREATE TABLE cie_recovery_blocks (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);
CREATE TABLE cie_recovery_heads (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL CHECK (length(root) = 32),
    time BIGINT NOT NULL,
    signature BYTEA NOT NULL CHECK (length(signature) = 64)
);
CREATE FUNCTION cie_recovery_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cie-pinpuk: % is append-only', TG_TABLE_NAME;
END $$;
CREATE FUNCTION cie_recovery_clock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.high_water >= OLD.high_water THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cie-pinpuk: the clock mark never goes back';
END $$;
CREATE FUNCTION cie_recovery_procedure_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state IN ('pending', 'code-issued')
       AND NEW.id = OLD.id AND NEW.serial = OLD.serial
       AND NEW.requested_at = OLD.requested_at
       AND NEW.device_n = OLD.device_n AND NEW.device_e = OLD.device_e THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cie-pinpuk: a request is never re-based, a final procedure never changes';
END $$;
CREATE TRIGGER cie_recovery_journal_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_recovery_journal
    FOR EACH STATEMENT EXECUTE FUNCTION cie_recovery_append_only();
CREATE TRIGGER cie_recovery_blocks_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_recovery_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION cie_recovery_append_only();
CREATE TRIGGER cie_recovery_heads_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_recovery_heads
    FOR EACH STATEMENT EXECUTE FUNCTION cie_recovery_append_only();
CREATE TRIGGER cie_recovery_clock_guard BEFORE UPDATE OR DELETE ON cie_recovery_clock
    FOR EACH ROW EXECUTE FUNCTION cie_recovery_clock_guard();
CREATE TRIGGER cie_recovery_clock_no_truncate BEFORE TRUNCATE ON cie_recovery_clock
    FOR EACH STATEMENT EXECUTE FUNCTION cie_recovery_append_only();
CREATE TRIGGER cie_recovery_procedure_guard BEFORE UPDATE OR DELETE
    ON cie_recovery_procedures
    FOR EACH ROW EXECUTE FUNCTION cie_recovery_procedure_guard();
CREATE TRIGGER cie_recovery_procedures_no_truncate BEFORE TRUNCATE ON cie_recovery_procedures
    FOR EACH STATEMENT EXECUTE FUNCTION cie_recovery_append_only();
";

/// The protective triggers and their tables, checked when the store is opened.
const TRIGGERS: [(&str, &str); 7] = [
    ("cie_recovery_journal", "cie_recovery_journal_append_only"),
    ("cie_recovery_blocks", "cie_recovery_blocks_append_only"),
    ("cie_recovery_heads", "cie_recovery_heads_append_only"),
    ("cie_recovery_clock", "cie_recovery_clock_guard"),
    ("cie_recovery_clock", "cie_recovery_clock_no_truncate"),
    ("cie_recovery_procedures", "cie_recovery_procedure_guard"),
    (
        "cie_recovery_procedures",
        "cie_recovery_procedures_no_truncate",
    ),
];

/// The first key of the operation lock (`pg_advisory_lock(key, hashtext(schema))`).
const OPERATION_LOCK: i32 = 0x6369_6572; // "cier"

#[cfg(not(feature = "mock"))]
const CLOCK_SQL: &str = "SELECT floor(extract(epoch FROM pg_catalog.clock_timestamp()))::bigint";

/// With feature `mock` (tests only), the database clock plus a shift kept in the database
/// ([`PgRecoveryStore::shift_test_clock`]): one clock for every instance, moved as a test
/// needs. Never build a service with `mock`.
#[cfg(feature = "mock")]
const CLOCK_SQL: &str = "SELECT floor(extract(epoch FROM pg_catalog.clock_timestamp()))::bigint
    + COALESCE((SELECT shift FROM cie_recovery_test_clock WHERE id = 1), 0)";

const PROC_COLUMNS: &str = "id, serial, requested_at, device_n, device_e, state, wrong, code_hash,
    code_generation, code_issued_at, code_sent, closed_at, journal_seq";

const EVENT_COLUMNS: &str = "seq, time, kind, procedure, card, rules, detail, prev, hash";

struct Stmts {
    clock: Statement,
    high_water: Statement,
    last: Statement,
    head: Statement,
    event: Statement,
    procedure: Statement,
    block: Statement,
    latest_write: Statement,
    set_clock: Statement,
    upsert: Statement,
    insert_event: Statement,
    insert_block: Statement,
    insert_head: Statement,
    event_hash: Statement,
}

struct Conn {
    client: Client,
    st: Stmts,
}

impl Conn {
    fn open(config: &Config) -> Result<Conn, postgres::Error> {
        let mut client = config.connect(NoTls)?;
        let st = Stmts {
            clock: client.prepare(CLOCK_SQL)?,
            high_water: client.prepare("SELECT high_water FROM cie_recovery_clock WHERE id = 1")?,
            last: client
                .prepare("SELECT seq, hash FROM cie_recovery_journal ORDER BY seq DESC LIMIT 1")?,
            head: client.prepare(
                "SELECT size, root, time, signature FROM cie_recovery_heads
                 ORDER BY size DESC LIMIT 1",
            )?,
            event: client.prepare(&alloc::format!(
                "SELECT {EVENT_COLUMNS} FROM cie_recovery_journal WHERE seq = $1"
            ))?,
            procedure: client.prepare(&alloc::format!(
                "SELECT {PROC_COLUMNS} FROM cie_recovery_procedures WHERE id = $1"
            ))?,
            block: client
                .prepare("SELECT hash FROM cie_recovery_blocks WHERE level = $1 AND idx = $2")?,
            latest_write: client.prepare(
                "SELECT seq FROM cie_recovery_journal
                 WHERE procedure = $1 AND position(' record=' in detail) > 0
                 ORDER BY seq DESC LIMIT 1",
            )?,
            set_clock: client.prepare(
                "INSERT INTO cie_recovery_clock (id, high_water) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET high_water = excluded.high_water
                 WHERE cie_recovery_clock.high_water IS DISTINCT FROM excluded.high_water",
            )?,
            upsert: client.prepare(
                "INSERT INTO cie_recovery_procedures (id, serial, requested_at, device_n,
                     device_e, state, wrong, code_hash, code_generation, code_issued_at,
                     code_sent, closed_at, journal_seq)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, wrong = excluded.wrong,
                     code_hash = excluded.code_hash,
                     code_generation = excluded.code_generation,
                     code_issued_at = excluded.code_issued_at, code_sent = excluded.code_sent,
                     closed_at = excluded.closed_at, requested_at = excluded.requested_at,
                     serial = excluded.serial, device_n = excluded.device_n,
                     device_e = excluded.device_e, journal_seq = excluded.journal_seq",
            )?,
            insert_event: client.prepare(
                "INSERT INTO cie_recovery_journal
                     (seq, time, kind, procedure, card, rules, detail, prev, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?,
            insert_block: client.prepare(
                "INSERT INTO cie_recovery_blocks (level, idx, hash) VALUES ($1, $2, $3)",
            )?,
            insert_head: client.prepare(
                "INSERT INTO cie_recovery_heads (size, root, time, signature)
                 VALUES ($1, $2, $3, $4)",
            )?,
            event_hash: client.prepare("SELECT hash FROM cie_recovery_journal WHERE seq = $1")?,
        };
        Ok(Conn { client, st })
    }
}

/// The recovery state and signed journal in a PostgreSQL database, shared by any number of
/// service instances (see the module documentation and `docs/postgres.md`).
pub struct PgRecoveryStore {
    config: Config,
    conn: RefCell<Option<Conn>>,
    /// The operation lock is held (by this connection's session).
    locked: bool,
    /// The connection that held the operation lock was replaced: the operation must end.
    lock_lost: bool,
    tampered: Option<IntegrityError>,
}

impl fmt::Debug for PgRecoveryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgRecoveryStore")
            .field("locked", &self.locked)
            .field("tampered", &self.tampered)
            .finish_non_exhaustive()
    }
}

fn i64_of(v: u64) -> Result<i64, RecoveryStoreError> {
    i64::try_from(v).map_err(|_| RecoveryStoreError::Corrupt("number out of range"))
}

fn u64_of(v: i64, what: &'static str) -> Result<u64, RecoveryStoreError> {
    u64::try_from(v).map_err(|_| RecoveryStoreError::Corrupt(what))
}

fn array<const N: usize>(v: &[u8], what: &'static str) -> Result<[u8; N], RecoveryStoreError> {
    <[u8; N]>::try_from(v).map_err(|_| RecoveryStoreError::Corrupt(what))
}

/// The journal store's errors of the shared schema helpers, as recovery store errors.
fn from_journal(e: StoreError) -> RecoveryStoreError {
    match e {
        StoreError::SchemaTooNew { found, supported } => {
            RecoveryStoreError::SchemaTooNew { found, supported }
        }
        StoreError::Postgres(e) => RecoveryStoreError::Postgres(e),
        StoreError::NotCommitted { reason } => RecoveryStoreError::NotCommitted { reason },
        StoreError::Integrity(e) => RecoveryStoreError::Integrity(e),
        _ => RecoveryStoreError::Corrupt("schema"),
    }
}

/// Maps an error of a transaction that did not commit.
fn before_commit(e: postgres::Error) -> RecoveryStoreError {
    match not_committed(&e) {
        Some(reason) => RecoveryStoreError::NotCommitted { reason },
        None => RecoveryStoreError::Postgres(e),
    }
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

fn event_of(r: &Row) -> Result<RecoveryEvent, RecoveryStoreError> {
    let kind: String = r.try_get(2)?;
    let procedure: Option<String> = r.try_get(3)?;
    let rules: String = r.try_get(5)?;
    let prev: Vec<u8> = r.try_get(7)?;
    let hash: Vec<u8> = r.try_get(8)?;
    Ok(RecoveryEvent {
        seq: u64_of(r.try_get(0)?, "seq")?,
        time: Timestamp(u64_of(r.try_get(1)?, "time")?),
        kind: EventKind::parse(&kind).ok_or(RecoveryStoreError::Corrupt("event kind"))?,
        procedure: procedure
            .map(|p| ProcedureId::from_hex(&p).ok_or(RecoveryStoreError::Corrupt("id")))
            .transpose()?,
        card: r.try_get(4)?,
        rules: parse_rules(&rules)?,
        detail: r.try_get(6)?,
        prev: array(&prev, "prev")?,
        hash: array(&hash, "hash")?,
    })
}

fn procedure_of(r: &Row) -> Result<ProcedureRecord, RecoveryStoreError> {
    let id: String = r.try_get(0)?;
    let n: Vec<u8> = r.try_get(3)?;
    let e: Vec<u8> = r.try_get(4)?;
    let state: String = r.try_get(5)?;
    let wrong: i64 = r.try_get(6)?;
    let hash: Option<Vec<u8>> = r.try_get(7)?;
    let generation: Option<i64> = r.try_get(8)?;
    let issued: Option<i64> = r.try_get(9)?;
    let sent: Option<bool> = r.try_get(10)?;
    let closed: Option<i64> = r.try_get(11)?;
    let code = match (hash, generation, issued, sent) {
        (Some(h), Some(g), Some(i), Some(s)) => Some(StoredCode {
            hash: array(&h, "code hash")?,
            generation: u32::try_from(g).map_err(|_| RecoveryStoreError::Corrupt("generation"))?,
            issued_at: Timestamp(u64_of(i, "code time")?),
            sent: s,
        }),
        (None, None, None, None) => None,
        _ => return Err(RecoveryStoreError::Corrupt("partial code")),
    };
    Ok(ProcedureRecord {
        id: ProcedureId::from_hex(&id).ok_or(RecoveryStoreError::Corrupt("procedure id"))?,
        serial: r.try_get(1)?,
        requested_at: Timestamp(u64_of(r.try_get(2)?, "request time")?),
        device_key: DeviceKey::from_components(&n, &e)
            .map_err(|_| RecoveryStoreError::Corrupt("device key"))?,
        state: ProcedureState::parse(&state).ok_or(RecoveryStoreError::Corrupt("state"))?,
        wrong_completions: u32::try_from(wrong)
            .map_err(|_| RecoveryStoreError::Corrupt("wrong count"))?,
        code,
        closed_at: closed
            .map(|t| u64_of(t, "close time"))
            .transpose()?
            .map(Timestamp),
        journal_seq: u64_of(r.try_get(12)?, "journal seq")?,
    })
}

fn head_of(r: &Row) -> Result<SignedHead, RecoveryStoreError> {
    let root: Vec<u8> = r.try_get(1)?;
    let sig: Vec<u8> = r.try_get(3)?;
    Ok(SignedHead {
        size: u64_of(r.try_get(0)?, "head size")?,
        root: array(&root, "head root")?,
        time: Timestamp(u64_of(r.try_get(2)?, "head time")?),
        signature: array(&sig, "head signature")?,
    })
}

/// The number and hash of the last journal record (0 and zeros when empty).
fn last_record(client: &mut Client, st: &Stmts) -> Result<(u64, [u8; 32]), RecoveryStoreError> {
    match client.query_opt(&st.last, &[])? {
        Some(r) => {
            let h: Vec<u8> = r.try_get(1)?;
            Ok((u64_of(r.try_get(0)?, "seq")?, array(&h, "hash")?))
        }
        None => Ok((0, [0; 32])),
    }
}

fn high_water(client: &mut Client, st: &Stmts) -> Result<Option<Timestamp>, RecoveryStoreError> {
    client
        .query_opt(&st.high_water, &[])?
        .map(|r| -> Result<Timestamp, RecoveryStoreError> {
            Ok(Timestamp(u64_of(r.try_get(0)?, "clock mark")?))
        })
        .transpose()
}

/// Checks and writes one commit inside the open transaction (the journal table locked).
fn apply(
    client: &mut Client,
    st: &Stmts,
    c: &RecoveryCommit<'_>,
) -> Result<(), RecoveryStoreError> {
    let mark = high_water(client, st)?;
    let (last, last_hash) = last_record(client, st)?;
    match check_commit(mark, last, last_hash, c) {
        Ok(()) => {}
        // Another instance appended first.
        Err(RecoveryStoreError::OutOfSequence { expected, found }) => {
            return Err(RecoveryStoreError::Conflict { expected, found });
        }
        Err(RecoveryStoreError::BrokenChain(seq)) if seq == last.saturating_add(1) => {
            return Err(RecoveryStoreError::Conflict {
                expected: last.saturating_add(1),
                found: seq,
            });
        }
        Err(e) => return Err(e),
    }
    client.execute(&st.set_clock, &[&i64_of(c.high_water.0)?])?;
    if let Some(p) = c.procedure {
        let code = p.code.as_ref();
        client.execute(
            &st.upsert,
            &[
                &p.id.to_hex(),
                &p.serial,
                &i64_of(p.requested_at.0)?,
                &p.device_key.modulus(),
                &p.device_key.public_exponent(),
                &p.state.as_str(),
                &i64::from(p.wrong_completions),
                &code.map(|k| k.hash.to_vec()),
                &code.map(|k| i64::from(k.generation)),
                &code.map(|k| i64_of(k.issued_at.0)).transpose()?,
                &code.map(|k| k.sent),
                &p.closed_at.map(|t| i64_of(t.0)).transpose()?,
                &i64_of(p.journal_seq)?,
            ],
        )?;
    }
    for e in c.events {
        client.execute(
            &st.insert_event,
            &[
                &i64_of(e.seq)?,
                &i64_of(e.time.0)?,
                &e.kind.as_str(),
                &e.procedure.map(|p| p.to_hex()),
                &e.card,
                &rules_text(&e.rules),
                &e.detail,
                &e.prev.as_slice(),
                &e.hash.as_slice(),
            ],
        )?;
    }
    for b in c.blocks {
        client.execute(
            &st.insert_block,
            &[
                &i32::try_from(b.level).map_err(|_| RecoveryStoreError::Corrupt("level"))?,
                &i64_of(b.index)?,
                &b.hash.as_slice(),
            ],
        )?;
    }
    if let Some(h) = c.head {
        client.execute(
            &st.insert_head,
            &[
                &i64_of(h.size)?,
                &h.root.as_slice(),
                &i64_of(h.time.0)?,
                &h.signature.as_slice(),
            ],
        )?;
    }
    Ok(())
}

impl PgRecoveryStore {
    /// Connects to the database named by `url` (a libpq key/value string such as
    /// `host=/run/postgresql dbname=cie`, or a `postgresql://` URL), creates or migrates the
    /// schema, and checks the protective triggers of an existing store. TLS is not used:
    /// connect over a Unix socket or a trusted network.
    pub fn connect(url: &str) -> Result<PgRecoveryStore, RecoveryStoreError> {
        let config = Config::from_str(url)?;
        let mut client = config.connect(NoTls)?;
        let found = migrate(&mut client, "recovery", &MIGRATIONS).map_err(from_journal)?;
        let tampered = if found > 0 {
            missing_pg_trigger(&mut client, &TRIGGERS).map_err(from_journal)?
        } else {
            None
        };
        #[cfg(feature = "mock")]
        client.batch_execute(
            "CREATE TABLE IF NOT EXISTS cie_recovery_test_clock (
                 id INTEGER PRIMARY KEY CHECK (id = 1), shift BIGINT NOT NULL)",
        )?;
        drop(client);
        let conn = Conn::open(&config)?;
        Ok(PgRecoveryStore {
            config,
            conn: RefCell::new(Some(conn)),
            locked: false,
            lock_lost: false,
            tampered,
        })
    }

    /// The schema version this library creates and reads.
    pub const SCHEMA_VERSION: i32 = 1;

    /// Tests only (feature `mock`): moves the database clock every instance reads by
    /// `secs` more seconds (negative: back), for all instances over this schema.
    #[cfg(feature = "mock")]
    pub fn shift_test_clock(&self, secs: i64) -> Result<(), RecoveryStoreError> {
        let mut conn = self.conn()?;
        conn.client.execute(
            "INSERT INTO cie_recovery_test_clock (id, shift) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET shift = cie_recovery_test_clock.shift + $1",
            &[&secs],
        )?;
        Ok(())
    }

    /// The connection, opened again if it was lost (not while the operation lock is held:
    /// the lock went with it).
    fn conn(&self) -> Result<RefMut<'_, Conn>, RecoveryStoreError> {
        let mut slot = self
            .conn
            .try_borrow_mut()
            .map_err(|_| RecoveryStoreError::Corrupt("store used re-entrantly"))?;
        let closed = slot.as_ref().is_none_or(|c| c.client.is_closed());
        if closed {
            if self.locked {
                return Err(RecoveryStoreError::NotCommitted {
                    reason: "the connection holding the operation lock was lost",
                });
            }
            *slot = None;
            *slot = Some(Conn::open(&self.config).map_err(before_commit)?);
        }
        RefMut::filter_map(slot, Option::as_mut)
            .map_err(|_| RecoveryStoreError::Corrupt("no connection"))
    }

    /// Runs SQL as is (maintenance, fault tests).
    pub fn batch_execute(&self, sql: &str) -> Result<(), RecoveryStoreError> {
        Ok(self.conn()?.client.batch_execute(sql)?)
    }

    /// The server process id of this store's connection (`pg_terminate_backend` in fault
    /// tests, `pg_stat_activity` for an operator).
    pub fn backend_pid(&self) -> Result<i32, RecoveryStoreError> {
        let mut c = self.conn()?;
        Ok(c.client
            .query_one("SELECT pg_backend_pid()", &[])?
            .try_get(0)?)
    }

    /// Runs `commits` in one transaction with the journal table locked; after a lost answer
    /// to `COMMIT`, looks whether the last record is stored.
    fn write(&mut self, commits: &[RecoveryCommit<'_>]) -> Result<(), RecoveryStoreError> {
        if self.lock_lost {
            return Err(RecoveryStoreError::NotCommitted {
                reason: "the operation lock was lost with its connection",
            });
        }
        let Some(last) = commits.iter().rev().find_map(|c| c.events.last()) else {
            return Ok(());
        };
        let (seq, hash) = (last.seq, last.hash);
        let written = {
            let mut conn = self.conn()?;
            let Conn { client, st } = &mut *conn;
            let r = client
                .batch_execute(
                    "BEGIN ISOLATION LEVEL READ COMMITTED;
                     LOCK TABLE cie_recovery_journal IN EXCLUSIVE MODE",
                )
                .map_err(before_commit)
                .and_then(|()| {
                    commits
                        .iter()
                        .try_for_each(|c| apply(client, st, c))
                        .map_err(|e| match e {
                            RecoveryStoreError::Postgres(e) => before_commit(e),
                            e => e,
                        })
                });
            if let Err(e) = r {
                if client.batch_execute("ROLLBACK").is_err() {
                    // The server rolls back a transaction whose connection is gone.
                    drop(conn);
                    self.drop_connection();
                }
                return Err(e);
            }
            client.batch_execute("COMMIT")
        };
        match written {
            Ok(()) => Ok(()),
            // The server refused the commit: nothing was written.
            Err(e)
                if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                    || e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) =>
            {
                Err(before_commit(e))
            }
            // The answer was lost: look.
            Err(_) => self.settle(seq, hash),
        }
    }

    fn drop_connection(&mut self) {
        if let Ok(mut slot) = self.conn.try_borrow_mut() {
            *slot = None;
        }
        if self.locked {
            self.lock_lost = true;
        }
    }

    /// After the connection broke during `COMMIT`: connects again, waits for any commit in
    /// flight to end (the table lock), and looks whether record `seq` is stored with `hash`.
    fn settle(&mut self, seq: u64, hash: [u8; 32]) -> Result<(), RecoveryStoreError> {
        let unknown = RecoveryStoreError::OutcomeUnknown { seq };
        self.drop_connection();
        let Ok(mut conn) = Conn::open(&self.config) else {
            return Err(unknown);
        };
        let found = (|| -> Result<Option<Vec<u8>>, postgres::Error> {
            let mut tx = conn.client.transaction()?;
            tx.batch_execute("LOCK TABLE cie_recovery_journal IN SHARE MODE")?;
            let h = tx
                .query_opt(&conn.st.event_hash, &[&i64::try_from(seq).unwrap_or(-1)])?
                .map(|r| r.try_get::<_, Vec<u8>>(0))
                .transpose()?;
            tx.commit()?;
            Ok(h)
        })();
        if let Ok(mut slot) = self.conn.try_borrow_mut() {
            *slot = Some(conn);
        }
        match found {
            Ok(Some(h)) if h.as_slice() == hash.as_slice() => Ok(()),
            Ok(_) => Err(RecoveryStoreError::NotCommitted {
                reason: "the connection was lost at commit; the records are not stored",
            }),
            Err(_) => Err(unknown),
        }
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut Client, &Stmts) -> Result<T, RecoveryStoreError>,
    ) -> Result<T, RecoveryStoreError> {
        let mut conn = self.conn()?;
        let Conn { client, st } = &mut *conn;
        f(client, st)
    }
}

impl RecoveryStore for PgRecoveryStore {
    fn load(&self) -> Result<Snapshot, RecoveryStoreError> {
        // One snapshot of the database for all the reads: a commit of another instance is
        // seen whole or not at all.
        self.read(|client, st| {
            let mut tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mark = tx
                .query_opt(&st.high_water, &[])?
                .map(|r| -> Result<Timestamp, RecoveryStoreError> {
                    Ok(Timestamp(u64_of(r.try_get(0)?, "clock mark")?))
                })
                .transpose()?;
            let (last_seq, last_hash) = match tx.query_opt(&st.last, &[])? {
                Some(r) => {
                    let h: Vec<u8> = r.try_get(1)?;
                    (u64_of(r.try_get(0)?, "seq")?, array(&h, "hash")?)
                }
                None => (0, [0; 32]),
            };
            let head = tx
                .query_opt(&st.head, &[])?
                .as_ref()
                .map(head_of)
                .transpose()?;
            let procedures = tx
                .query(
                    &alloc::format!(
                        "SELECT {PROC_COLUMNS} FROM cie_recovery_procedures
                         WHERE state IN ('pending', 'code-issued') ORDER BY id"
                    ),
                    &[],
                )?
                .iter()
                .map(procedure_of)
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit()?;
            Ok(Snapshot {
                high_water: mark,
                procedures,
                head,
                last_seq,
                last_hash,
            })
        })
    }

    fn commit(&mut self, c: RecoveryCommit<'_>) -> Result<(), RecoveryStoreError> {
        self.write(core::slice::from_ref(&c))
    }

    fn commit_all(&mut self, commits: &[RecoveryCommit<'_>]) -> Result<(), RecoveryStoreError> {
        self.write(commits)
    }

    fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryStoreError> {
        self.read(|client, _| {
            client
                .query(
                    &alloc::format!(
                        "SELECT {EVENT_COLUMNS} FROM cie_recovery_journal ORDER BY seq"
                    ),
                    &[],
                )?
                .iter()
                .map(event_of)
                .collect()
        })
    }

    fn event(&self, seq: u64) -> Result<Option<RecoveryEvent>, RecoveryStoreError> {
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        self.read(|client, st| {
            client
                .query_opt(&st.event, &[&seq])?
                .as_ref()
                .map(event_of)
                .transpose()
        })
    }

    fn procedure(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryStoreError> {
        self.read(|client, st| {
            client
                .query_opt(&st.procedure, &[&id.to_hex()])?
                .as_ref()
                .map(procedure_of)
                .transpose()
        })
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, RecoveryStoreError> {
        let (Ok(level), Ok(index)) = (i32::try_from(level), i64::try_from(index)) else {
            return Ok(None);
        };
        self.read(|client, st| {
            client
                .query_opt(&st.block, &[&level, &index])?
                .map(|r| -> Result<Hash, RecoveryStoreError> {
                    let h: Vec<u8> = r.try_get(0)?;
                    array(&h, "block")
                })
                .transpose()
        })
    }

    fn found_tampered(&self) -> Option<IntegrityError> {
        self.tampered
    }

    fn latest_write(&self, id: &ProcedureId) -> Result<Option<u64>, RecoveryStoreError> {
        self.read(|client, st| {
            client
                .query_opt(&st.latest_write, &[&id.to_hex()])?
                .map(|r| u64_of(r.try_get(0)?, "seq"))
                .transpose()
        })
    }

    fn head(&self) -> Result<Option<SignedHead>, RecoveryStoreError> {
        self.read(|client, st| {
            client
                .query_opt(&st.head, &[])?
                .as_ref()
                .map(head_of)
                .transpose()
        })
    }

    fn begin_operation(&mut self) -> Result<bool, RecoveryStoreError> {
        if self.locked {
            return Ok(true);
        }
        let r = self.conn()?.client.execute(
            "SELECT pg_advisory_lock($1, hashtext(current_schema()))",
            &[&OPERATION_LOCK],
        );
        match r {
            Ok(_) => {
                self.locked = true;
                self.lock_lost = false;
                Ok(true)
            }
            Err(e) => {
                self.drop_connection();
                Err(before_commit(e))
            }
        }
    }

    fn end_operation(&mut self) {
        if !self.locked {
            return;
        }
        let lost = self.lock_lost;
        self.locked = false;
        self.lock_lost = false;
        if lost {
            // The session that held the lock is gone: the server released it.
            return;
        }
        let released = self.conn().and_then(|mut c| {
            Ok(c.client.execute(
                "SELECT pg_advisory_unlock($1, hashtext(current_schema()))",
                &[&OPERATION_LOCK],
            )?)
        });
        if released.is_err() {
            // A session that cannot unlock is dropped: the server releases its locks.
            self.drop_connection();
        }
    }

    fn database_time(&mut self) -> Result<Option<Timestamp>, RecoveryStoreError> {
        let t: i64 = self.read(|client, st| Ok(client.query_one(&st.clock, &[])?.try_get(0)?))?;
        Ok(Some(Timestamp(u64_of(t, "database time")?)))
    }
}
