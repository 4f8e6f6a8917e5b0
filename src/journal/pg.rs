//! The PostgreSQL store (feature `postgres`): one journal, its Merkle tree, its signed heads
//! and its outbox shared by any number of desks, each in its own process, over one database.
//!
//! **Many writers, one log.** An append runs in one `READ COMMITTED` transaction that first
//! takes `LOCK TABLE cie_journal IN EXCLUSIVE MODE` ([`JournalStore::begin_append`]): writers
//! queue on the lock, readers are not blocked. The journal then reads the head under the lock
//! (every statement of a `READ COMMITTED` transaction sees what committed before it started,
//! so the previous holder's append is seen), builds and signs the entry, its tree blocks and
//! its head on that head, and commits. The commit checks again, under the lock, that the entry
//! follows the last stored one and chains to its hash ([`StoreError::Conflict`] otherwise):
//! no fork, no gap, no entry lost, whatever the interleaving.
//!
//! **Faults.** Every error of [`JournalStore::commit`] means that nothing was written, except
//! [`StoreError::OutcomeUnknown`]. When the connection breaks while `COMMIT` is under way, the
//! store connects again and looks (after taking the lock, so an append in flight has ended):
//! the entry is there (the commit happened once: `Ok`) or not ([`StoreError::NotCommitted`]);
//! only when the server cannot be reached is the outcome unknown, and the next append reads
//! the stored head first. A broken connection is opened again on the next call.
//!
//! **Integrity.** The journal, its blocks and its heads are append-only (statement triggers
//! refuse `UPDATE`, `DELETE` and `TRUNCATE`); the outbox refuses every change but `pending`
//! to `sent` (or a failed attempt counted on a pending record); a store whose triggers were dropped or disabled is refused when opened. Every
//! query of an append or of the desk's work uses an index (primary keys, the head by size, the
//! pending outbox records by a partial index): costs do not grow with the history.
//!
//! **Schema.** Created and migrated on [`PgStore::connect`], in one transaction under an
//! advisory lock (many desks may start at once); the version is kept in `cie_schema`.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{RefCell, RefMut};
use core::fmt;
use core::str::FromStr;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Row, Statement};

use super::clock::Timestamp;
use super::entry::{Entry, EntryKind};
use super::log::{IntegrityError, SignedHead};
use super::merkle::Hash;
use super::store::{Commit, JournalStore, StoreError, check_commit, rules_text};
use crate::codes::{CodeKind, Half};
use crate::notify::{DeliveryFailure, FailureKind, IdempotencyKey, OutboxRecord, OutboxState};
use crate::policy::{EmailAddress, RuleId};

/// The schema versions of the journal, in order: entry `i` migrates version `i` to `i + 1`.
const MIGRATIONS: [&str; 2] = [SCHEMA_V1, SCHEMA_V2];

/// The newest schema version this library knows.
pub(crate) const JOURNAL_SCHEMA_VERSION: i32 = 2;

/// The advisory lock key of schema creation and migration (any constant shared by all).
const MIGRATION_LOCK: i64 = 0x6369_652d_7067_0001;

const SCHEMA_V1: &str = "
CREATE TABLE cie_journal (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    time BIGINT NOT NULL,
    kind TEXT NOT NULL,
    rules TEXT NOT NULL,
    card TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev BYTEA NOT NULL CHECK (length(prev) = 32),
    hash BYTEA NOT NULL CHECK (length(hash) = 32),
    signature BYTEA NOT NULL CHECK (length(signature) = 64)
);
CREATE TABLE cie_journal_blocks (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);
CREATE TABLE cie_journal_heads (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL CHECK (length(root) = 32),
    time BIGINT NOT NULL,
    signature BYTEA NOT NULL CHECK (length(signature) = 64)
);
CREATE TABLE cie_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    card TEXT NOT NULL,
    code TEXT NOT NULL,
    half TEXT NOT NULL,
    dest TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent'))
);
CREATE INDEX cie_outbox_pending ON cie_outbox (id) WHERE state = 'pending';
CREATE FUNCTION cie_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cie-pinpuk: % is append-only', TG_TABLE_NAME;
END $$;
CREATE FUNCTION cie_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = 'pending' AND NEW.state = 'sent'
       AND NEW.id = OLD.id AND NEW.key = OLD.key AND NEW.card = OLD.card
       AND NEW.code = OLD.code AND NEW.half = OLD.half AND NEW.dest = OLD.dest THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cie-pinpuk: the outbox only marks a pending record as sent';
END $$;
CREATE TRIGGER cie_journal_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_journal
    FOR EACH STATEMENT EXECUTE FUNCTION cie_append_only();
CREATE TRIGGER cie_journal_blocks_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_journal_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION cie_append_only();
CREATE TRIGGER cie_journal_heads_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON cie_journal_heads
    FOR EACH STATEMENT EXECUTE FUNCTION cie_append_only();
CREATE TRIGGER cie_outbox_guard BEFORE UPDATE OR DELETE ON cie_outbox
    FOR EACH ROW EXECUTE FUNCTION cie_outbox_guard();
CREATE TRIGGER cie_outbox_no_truncate BEFORE TRUNCATE ON cie_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION cie_append_only();
";

/// Version 2: the outbox keeps the holder's language and why the last attempt to send a
/// pending record failed (kind, masked detail, time, attempts); the guard lets a pending
/// record count one more failed attempt, or be marked sent (which clears the failure).
const SCHEMA_V2: &str = "
ALTER TABLE cie_outbox
    ADD COLUMN language TEXT NOT NULL DEFAULT 'it',
    ADD COLUMN failure_kind TEXT
        CHECK (failure_kind IN ('gateway', 'pec', 'template', 'half-unavailable', 'other')),
    ADD COLUMN failure_detail TEXT,
    ADD COLUMN failure_at BIGINT,
    ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
CREATE OR REPLACE FUNCTION cie_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = 'pending'
       AND NEW.id = OLD.id AND NEW.key = OLD.key AND NEW.card = OLD.card
       AND NEW.code = OLD.code AND NEW.half = OLD.half AND NEW.dest = OLD.dest
       AND NEW.language = OLD.language
       AND ((NEW.state = 'sent' AND NEW.attempts = OLD.attempts)
         OR (NEW.state = 'pending' AND NEW.attempts = OLD.attempts + 1)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'cie-pinpuk: the outbox only marks a pending record as sent or counts a failed attempt';
END $$;
";

/// The columns of an outbox record, in the order `outbox_of` reads them.
const OUTBOX_COLUMNS: &str = "key, card, code, half, dest, state, language, failure_kind, \
    failure_detail, failure_at, attempts";

/// The protective triggers and their tables, checked when the store is opened.
const TRIGGERS: [(&str, &str); 5] = [
    ("cie_journal", "cie_journal_append_only"),
    ("cie_journal_blocks", "cie_journal_blocks_append_only"),
    ("cie_journal_heads", "cie_journal_heads_append_only"),
    ("cie_outbox", "cie_outbox_guard"),
    ("cie_outbox", "cie_outbox_no_truncate"),
];

/// Creates the version table if needed and brings `component` from its stored version to
/// `migrations.len()`, in one transaction under an advisory lock. Returns the version found
/// before (0: a new database).
pub(crate) fn migrate(
    client: &mut Client,
    component: &str,
    migrations: &[&str],
) -> Result<i32, StoreError> {
    let supported = i32::try_from(migrations.len()).unwrap_or(i32::MAX);
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS cie_schema (
            component TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            migrated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )?;
    let found: i32 = tx
        .query_opt(
            "SELECT version FROM cie_schema WHERE component = $1",
            &[&component],
        )?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(0);
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    for step in migrations.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(step)?;
    }
    if found < supported {
        tx.execute(
            "INSERT INTO cie_schema (component, version) VALUES ($1, $2)
             ON CONFLICT (component) DO UPDATE SET version = $2, migrated_at = now()",
            &[&component, &supported],
        )?;
    }
    tx.commit()?;
    Ok(found)
}

/// The first of `triggers` (table, trigger) missing or disabled, if any.
pub(crate) fn missing_pg_trigger(
    client: &mut Client,
    triggers: &[(&'static str, &'static str)],
) -> Result<Option<IntegrityError>, StoreError> {
    for (table, trigger) in triggers {
        let found = client.query_opt(
            "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relname = $1 AND t.tgname = $2 AND t.tgenabled <> 'D'
               AND c.relnamespace = current_schema()::regnamespace",
            &[table, trigger],
        )?;
        if found.is_none() {
            return Ok(Some(IntegrityError::TriggerMissing(trigger)));
        }
    }
    Ok(None)
}

/// What went wrong with a transaction that did not reach `COMMIT`: nothing was written.
pub(crate) fn not_committed(e: &postgres::Error) -> Option<&'static str> {
    match e.code() {
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE => Some("serialization failure"),
        Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED => Some("deadlock detected"),
        Some(c)
            if *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW =>
        {
            Some("the server stopped or restarted")
        }
        Some(c) if *c == SqlState::QUERY_CANCELED => Some("the statement was cancelled"),
        Some(_) => None,
        None => Some("the connection was lost"),
    }
}

/// Maps an error of a transaction that did not commit.
fn before_commit(e: postgres::Error) -> StoreError {
    match not_committed(&e) {
        Some(reason) => StoreError::NotCommitted { reason },
        None => StoreError::Postgres(e),
    }
}

struct Stmts {
    last_seq: Statement,
    last_hash: Statement,
    key_exists: Statement,
    insert_entry: Statement,
    insert_block: Statement,
    insert_head: Statement,
    insert_outbox: Statement,
    mark_sent: Statement,
    record_failure: Statement,
    head: Statement,
    head_at: Statement,
    entry: Statement,
    block: Statement,
    pending: Statement,
}

struct Conn {
    client: Client,
    st: Stmts,
}

impl Conn {
    fn open(config: &Config) -> Result<Conn, postgres::Error> {
        let mut client = config.connect(NoTls)?;
        let st = Stmts {
            last_seq: client.prepare("SELECT COALESCE(MAX(seq), 0) FROM cie_journal")?,
            last_hash: client.prepare("SELECT hash FROM cie_journal WHERE seq = $1")?,
            key_exists: client.prepare("SELECT state FROM cie_outbox WHERE key = $1")?,
            insert_entry: client.prepare(
                "INSERT INTO cie_journal (seq, time, kind, rules, card, detail, prev, hash, signature)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )?,
            insert_block: client
                .prepare("INSERT INTO cie_journal_blocks (level, idx, hash) VALUES ($1, $2, $3)")?,
            insert_head: client.prepare(
                "INSERT INTO cie_journal_heads (size, root, time, signature) VALUES ($1, $2, $3, $4)",
            )?,
            insert_outbox: client.prepare(
                "INSERT INTO cie_outbox (key, card, code, half, dest, state, language)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )?,
            mark_sent: client.prepare(
                "UPDATE cie_outbox SET state = 'sent', failure_kind = NULL,
                     failure_detail = NULL, failure_at = NULL
                 WHERE key = $1 AND state = 'pending'",
            )?,
            record_failure: client.prepare(
                "UPDATE cie_outbox SET failure_kind = $2, failure_detail = $3, failure_at = $4,
                     attempts = attempts + 1
                 WHERE key = $1 AND state = 'pending' RETURNING attempts",
            )?,
            head: client.prepare(
                "SELECT size, root, time, signature FROM cie_journal_heads
                 ORDER BY size DESC LIMIT 1",
            )?,
            head_at: client.prepare(
                "SELECT size, root, time, signature FROM cie_journal_heads WHERE size = $1",
            )?,
            entry: client.prepare(
                "SELECT seq, time, kind, rules, card, detail, prev, hash, signature
                 FROM cie_journal WHERE seq = $1",
            )?,
            block: client
                .prepare("SELECT hash FROM cie_journal_blocks WHERE level = $1 AND idx = $2")?,
            pending: client.prepare(&alloc::format!(
                "SELECT {OUTBOX_COLUMNS} FROM cie_outbox WHERE state = 'pending' ORDER BY id"
            ))?,
        };
        Ok(Conn { client, st })
    }
}

/// A journal, its tree, its signed heads and its outbox in a PostgreSQL database, shared by
/// any number of writers (see the module documentation, and `docs/postgres.md`).
pub struct PgStore {
    config: Config,
    conn: RefCell<Option<Conn>>,
    locked: bool,
    tampered: Option<IntegrityError>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("locked", &self.locked)
            .field("tampered", &self.tampered)
            .finish_non_exhaustive()
    }
}

fn i64_of(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt("number out of range"))
}

fn u64_of(v: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(what))
}

fn array<const N: usize>(v: &[u8], what: &'static str) -> Result<[u8; N], StoreError> {
    <[u8; N]>::try_from(v).map_err(|_| StoreError::Corrupt(what))
}

impl PgStore {
    /// Connects to the database named by `url` (a libpq key/value string such as
    /// `host=/run/postgresql dbname=cie`, or a `postgresql://` URL), creates or migrates the
    /// schema, and checks the append-only triggers of an existing journal. TLS is not used:
    /// connect over a Unix socket or a trusted network.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let config = Config::from_str(url)?;
        let mut conn = config.connect(NoTls)?;
        let found = migrate(&mut conn, "journal", &MIGRATIONS)?;
        let tampered = if found > 0 {
            missing_pg_trigger(&mut conn, &TRIGGERS)?
        } else {
            None
        };
        drop(conn);
        let conn = Conn::open(&config)?;
        Ok(PgStore {
            config,
            conn: RefCell::new(Some(conn)),
            locked: false,
            tampered,
        })
    }

    /// The schema version this library creates and reads.
    pub const SCHEMA_VERSION: i32 = JOURNAL_SCHEMA_VERSION;

    /// The connection, opened again if it was lost (outside a transaction only).
    fn conn(&self) -> Result<RefMut<'_, Conn>, StoreError> {
        let mut slot = self
            .conn
            .try_borrow_mut()
            .map_err(|_| StoreError::Corrupt("store used re-entrantly"))?;
        let closed = slot.as_ref().is_none_or(|c| c.client.is_closed());
        if closed {
            if self.locked {
                return Err(StoreError::NotCommitted {
                    reason: "the connection was lost",
                });
            }
            *slot = None;
            *slot = Some(Conn::open(&self.config).map_err(before_commit)?);
        }
        RefMut::filter_map(slot, Option::as_mut).map_err(|_| StoreError::Corrupt("no connection"))
    }

    /// Runs SQL as is (maintenance, fault tests).
    pub fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.conn()?.client.batch_execute(sql)?)
    }

    /// The server process id of this store's connection (`pg_terminate_backend` in fault
    /// tests, `pg_stat_activity` for an operator).
    pub fn backend_pid(&self) -> Result<i32, StoreError> {
        let mut c = self.conn()?;
        Ok(c.client
            .query_one("SELECT pg_backend_pid()", &[])?
            .try_get(0)?)
    }

    fn rollback(&mut self) {
        self.locked = false;
        if let Ok(mut slot) = self.conn.try_borrow_mut()
            && let Some(c) = slot.as_mut()
            && c.client.batch_execute("ROLLBACK").is_err()
        {
            // A connection that cannot roll back is dropped; the server rolls back.
            *slot = None;
        }
    }

    fn write(&mut self, c: &Commit<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let Conn { client, st } = &mut *conn;
        let last = u64_of(client.query_one(&st.last_seq, &[])?.try_get(0)?, "seq")?;
        let expected = last.saturating_add(1);
        if c.entry.seq != expected {
            return Err(StoreError::Conflict {
                expected,
                found: c.entry.seq,
            });
        }
        if last > 0 {
            let stored: Vec<u8> = client
                .query_opt(&st.last_hash, &[&i64_of(last)?])?
                .ok_or(StoreError::Corrupt("last entry missing"))?
                .try_get(0)?;
            if stored.as_slice() != c.entry.prev.as_slice() {
                return Err(StoreError::Conflict {
                    expected,
                    found: c.entry.seq,
                });
            }
        }
        {
            let mut state_of = |k: &IdempotencyKey| -> Result<Option<OutboxState>, StoreError> {
                client
                    .query_opt(&st.key_exists, &[&k.as_str()])?
                    .map(|r| -> Result<OutboxState, StoreError> {
                        let s: String = r.try_get(0)?;
                        parse_state(&s)
                    })
                    .transpose()
            };
            check_commit(last, &mut state_of, c)?;
        }
        let e = c.entry;
        client.execute(
            &st.insert_entry,
            &[
                &i64_of(e.seq)?,
                &i64_of(e.time.0)?,
                &e.kind.as_str(),
                &rules_text(&e.rules),
                &e.card,
                &e.detail,
                &e.prev.as_slice(),
                &e.hash.as_slice(),
                &e.signature.as_slice(),
            ],
        )?;
        for b in c.blocks {
            client.execute(
                &st.insert_block,
                &[
                    &i32::try_from(b.level).map_err(|_| StoreError::Corrupt("level"))?,
                    &i64_of(b.index)?,
                    &b.hash.as_slice(),
                ],
            )?;
        }
        let h = c.head;
        client.execute(
            &st.insert_head,
            &[
                &i64_of(h.size)?,
                &h.root.as_slice(),
                &i64_of(h.time.0)?,
                &h.signature.as_slice(),
            ],
        )?;
        for r in c.new_outbox {
            client.execute(
                &st.insert_outbox,
                &[
                    &r.key.as_str(),
                    &r.card,
                    &code_text(r.code),
                    &half_text(r.half),
                    &r.to.as_str(),
                    &state_text(r.state),
                    &r.language,
                ],
            )?;
        }
        if let Some(k) = c.mark_sent
            && client.execute(&st.mark_sent, &[&k.as_str()])? != 1
        {
            // Already sent (by another desk): exactly one entry marks a record sent.
            return Err(StoreError::OutboxConflict);
        }
        Ok(())
    }

    /// After the connection broke during `COMMIT`: connects again, waits for any append in
    /// flight to end (the lock), and looks whether entry `entry` is stored.
    fn settle(&mut self, entry: &Entry) -> Result<(), StoreError> {
        let unknown = StoreError::OutcomeUnknown { seq: entry.seq };
        let Ok(mut conn) = self.conn() else {
            return Err(unknown);
        };
        let Conn { client, st } = &mut *conn;
        let found = (|| -> Result<Option<Vec<u8>>, postgres::Error> {
            let mut tx = client.transaction()?;
            tx.batch_execute("LOCK TABLE cie_journal IN SHARE MODE")?;
            let h = tx
                .query_opt(&st.last_hash, &[&i64::try_from(entry.seq).unwrap_or(-1)])?
                .map(|r| r.try_get::<_, Vec<u8>>(0))
                .transpose()?;
            tx.commit()?;
            Ok(h)
        })();
        match found {
            Ok(Some(h)) if h.as_slice() == entry.hash.as_slice() => Ok(()),
            Ok(_) => Err(StoreError::NotCommitted {
                reason: "the connection was lost at commit; the entry is not stored",
            }),
            Err(_) => Err(unknown),
        }
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut Client, &Stmts) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let Conn { client, st } = &mut *conn;
        f(client, st)
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

fn state_text(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Pending => "pending",
        OutboxState::Sent => "sent",
    }
}

fn parse_state(s: &str) -> Result<OutboxState, StoreError> {
    match s {
        "pending" => Ok(OutboxState::Pending),
        "sent" => Ok(OutboxState::Sent),
        _ => Err(StoreError::Corrupt("state")),
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

fn entry_of(r: &Row) -> Result<Entry, StoreError> {
    let kind: String = r.try_get(2)?;
    let rules: String = r.try_get(3)?;
    let prev: Vec<u8> = r.try_get(6)?;
    let hash: Vec<u8> = r.try_get(7)?;
    let sig: Vec<u8> = r.try_get(8)?;
    Ok(Entry {
        seq: u64_of(r.try_get(0)?, "seq")?,
        time: Timestamp(u64_of(r.try_get(1)?, "time")?),
        kind: EntryKind::parse(&kind).ok_or(StoreError::Corrupt("kind"))?,
        rules: parse_rules(&rules)?,
        card: r.try_get(4)?,
        detail: r.try_get(5)?,
        prev: array(&prev, "prev")?,
        hash: array(&hash, "hash")?,
        signature: array(&sig, "signature")?,
    })
}

fn head_of(r: &Row) -> Result<SignedHead, StoreError> {
    let root: Vec<u8> = r.try_get(1)?;
    let sig: Vec<u8> = r.try_get(3)?;
    Ok(SignedHead {
        size: u64_of(r.try_get(0)?, "head size")?,
        root: array(&root, "head root")?,
        time: Timestamp(u64_of(r.try_get(2)?, "head time")?),
        signature: array(&sig, "head signature")?,
    })
}

fn outbox_of(r: &Row) -> Result<OutboxRecord, StoreError> {
    let key: String = r.try_get(0)?;
    let code: String = r.try_get(2)?;
    let half: String = r.try_get(3)?;
    let dest: String = r.try_get(4)?;
    let state: String = r.try_get(5)?;
    let failure_kind: Option<String> = r.try_get(7)?;
    let failure = match failure_kind {
        None => None,
        Some(kind) => Some(DeliveryFailure {
            kind: FailureKind::parse(&kind).ok_or(StoreError::Corrupt("failure kind"))?,
            detail: r.try_get::<_, Option<String>>(8)?.unwrap_or_default(),
            at: Timestamp(u64_of(
                r.try_get::<_, Option<i64>>(9)?
                    .ok_or(StoreError::Corrupt("failure time"))?,
                "failure time",
            )?),
            attempts: u32::try_from(r.try_get::<_, i32>(10)?)
                .map_err(|_| StoreError::Corrupt("attempts"))?,
        }),
    };
    Ok(OutboxRecord {
        key: IdempotencyKey::from_stored(&key),
        card: r.try_get(1)?,
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
        state: parse_state(&state)?,
        language: r.try_get(6)?,
        failure,
    })
}

impl JournalStore for PgStore {
    fn begin_append(&mut self) -> Result<bool, StoreError> {
        if self.locked {
            return Ok(true);
        }
        let r = self.conn()?.client.batch_execute(
            "BEGIN ISOLATION LEVEL READ COMMITTED; LOCK TABLE cie_journal IN EXCLUSIVE MODE",
        );
        match r {
            Ok(()) => {
                self.locked = true;
                Ok(true)
            }
            Err(e) => {
                self.rollback();
                Err(before_commit(e))
            }
        }
    }

    fn abort_append(&mut self) {
        if self.locked {
            self.rollback();
        }
    }

    fn commit(&mut self, c: Commit<'_>) -> Result<(), StoreError> {
        self.begin_append()?;
        if let Err(e) = self.write(&c) {
            self.rollback();
            return Err(match e {
                StoreError::Postgres(e) => before_commit(e),
                e => e,
            });
        }
        // Still locked: a connection lost before `COMMIT` is sent is not opened again here
        // (a `COMMIT` on a new connection would commit nothing and answer Ok).
        let sent = self
            .conn()
            .map(|mut conn| conn.client.batch_execute("COMMIT"));
        let done = match sent {
            Ok(done) => done,
            Err(e) => {
                self.rollback();
                return Err(e);
            }
        };
        self.locked = false;
        match done {
            Ok(()) => Ok(()),
            // The server refused the commit: nothing was written.
            Err(e)
                if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                    || e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) =>
            {
                Err(before_commit(e))
            }
            // The answer was lost: look.
            Err(_) => self.settle(c.entry),
        }
    }

    fn head(&self) -> Result<Option<SignedHead>, StoreError> {
        self.read(|c, st| {
            c.query_opt(&st.head, &[])?
                .as_ref()
                .map(head_of)
                .transpose()
        })
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        self.read(|c, st| u64_of(c.query_one(&st.last_seq, &[])?.try_get(0)?, "seq"))
    }

    fn entry(&self, seq: u64) -> Result<Option<Entry>, StoreError> {
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        self.read(|c, st| {
            c.query_opt(&st.entry, &[&seq])?
                .as_ref()
                .map(entry_of)
                .transpose()
        })
    }

    fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        self.read(|c, _| {
            c.query(
                "SELECT seq, time, kind, rules, card, detail, prev, hash, signature
                 FROM cie_journal ORDER BY seq",
                &[],
            )?
            .iter()
            .map(entry_of)
            .collect()
        })
    }

    fn head_at(&self, size: u64) -> Result<Option<SignedHead>, StoreError> {
        let Ok(size) = i64::try_from(size) else {
            return Ok(None);
        };
        self.read(|c, st| {
            c.query_opt(&st.head_at, &[&size])?
                .as_ref()
                .map(head_of)
                .transpose()
        })
    }

    fn block(&self, level: u32, index: u64) -> Result<Option<Hash>, StoreError> {
        let (Ok(level), Ok(index)) = (i32::try_from(level), i64::try_from(index)) else {
            return Ok(None);
        };
        self.read(|c, st| {
            c.query_opt(&st.block, &[&level, &index])?
                .map(|r| -> Result<Hash, StoreError> {
                    let h: Vec<u8> = r.try_get(0)?;
                    array(&h, "block")
                })
                .transpose()
        })
    }

    fn outbox(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        self.read(|c, _| {
            c.query(
                &alloc::format!("SELECT {OUTBOX_COLUMNS} FROM cie_outbox ORDER BY id"),
                &[],
            )?
            .iter()
            .map(outbox_of)
            .collect()
        })
    }

    fn pending(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        self.read(|c, st| c.query(&st.pending, &[])?.iter().map(outbox_of).collect())
    }

    fn record_failure(
        &mut self,
        key: &IdempotencyKey,
        kind: FailureKind,
        detail: &str,
        at: Timestamp,
    ) -> Result<DeliveryFailure, StoreError> {
        let detail = DeliveryFailure::mask_detail(detail);
        let when = i64_of(at.0)?;
        // One statement: its own transaction; many desks count their attempts without loss.
        let row = self.read(|c, st| {
            Ok(c.query_opt(
                &st.record_failure,
                &[&key.as_str(), &kind.as_str(), &detail, &when],
            )?)
        })?;
        let attempts: i32 = row.ok_or(StoreError::OutboxConflict)?.try_get(0)?;
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
}
