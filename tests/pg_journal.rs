//! The desk journal and outbox on a real PostgreSQL (feature `postgres`): schema and
//! migrations, append-only protection, many desks in separate processes appending to one
//! log, and faults (a killed desk, a dropped connection, a backend terminated in the middle of
//! a commit, a serialization failure). Needs `CIE_PG_URL` (`scripts/pg-stack run -- cargo
//! test --features postgres --test pg_journal`); without it every test says SKIPPED and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pg_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::Duration;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance};
use cie_pinpuk::journal::{
    self, Commit, ConsistencyProof, EntryKind, IntegrityError, Journal, JournalStore, ManualClock,
    OrderSigner, PgStore, SignedHead, SoftwareSigner, StoreError, Timestamp,
};
use cie_pinpuk::notify::{OutboxState, RecordingNotifier};
use cie_pinpuk::policy::*;
use pg_support::*;

const CHILD_ENTRY: &str = "zz_child_process_entry";

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[7; 32]).unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(Timestamp(1_772_442_000))
}

fn append(j: &mut Journal<PgStore>, detail: &str) -> Result<journal::Entry, journal::JournalError> {
    j.append(
        &clock(),
        &officer(),
        EntryKind::Decision,
        vec![RuleId::R1],
        "CA00000AA",
        detail,
        &[],
        None,
    )
}

fn open(url: &str) -> Journal<PgStore> {
    Journal::open(PgStore::connect(url).unwrap(), &officer().verifying_key()).unwrap()
}

fn request() -> Request {
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut r = Request::new(Requester::Holder, Channel::Counter, at);
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.residence = Residence::Resident;
    // R5: the fixture mailbox is on a domain no list knows; the officer confirmed it ordinary.
    r.confirmed_ordinary = vec![EmailAddress::parse("mario.rossi@example.it").unwrap()];
    r.wanted = HalfSet::both(CodeKind::Pin);
    r
}

fn desk(url: &str) -> ReprintDesk<InMemoryIssuance, RecordingNotifier> {
    let o = officer();
    ReprintDesk::new(
        InMemoryIssuance::with_fixtures(o.verifying_key()),
        RecordingNotifier::new(),
        Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
        Box::new(o),
    )
    .unwrap()
    .with_clock(Box::new(clock()))
    .with_store(Box::new(PgStore::connect(url).unwrap()))
    .unwrap()
}

/// The whole log checked as an auditor would: entries 1..=n without a gap, the chain and
/// every signature, the tree root against the last signed head, every stored head signed and
/// consistent with the last one (no fork), every outbox record sent exactly once by exactly
/// one journal entry. Returns the number of entries.
fn check_whole_log(url: &str) -> u64 {
    let key = officer().verifying_key();
    let j = open(url);
    let entries = j.entries().unwrap();
    let n = entries.len() as u64;
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "gap or reorder in the log");
    }
    journal::verify(&entries, &key).unwrap();
    let last = j.audit().unwrap();
    assert_eq!(last.map_or(0, |h| h.size), n);
    if let Some(last) = last {
        for size in 1..=n {
            let h: SignedHead = j.head_at(size).unwrap().expect("a head per commit");
            let p: ConsistencyProof = j.consistency_proof(size).unwrap();
            journal::verify_consistency(&key, &h, &last, &p).unwrap();
        }
    }
    let mut marks: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        if e.kind == EntryKind::NotificationSent {
            let key = e
                .detail
                .split(' ')
                .next()
                .unwrap()
                .trim_start_matches("key=");
            *marks.entry(key.to_string()).or_default() += 1;
        }
    }
    for r in j.store().outbox().unwrap() {
        let m = marks.get(r.key.as_str()).copied().unwrap_or(0);
        match r.state {
            OutboxState::Sent => assert_eq!(m, 1, "{} marked sent {m} times", r.key.as_str()),
            OutboxState::Pending => assert_eq!(m, 0),
        }
    }
    n
}

/// The child processes: desks appending to one journal (separate processes, one log).
#[test]
fn zz_child_process_entry() {
    let Some(role) = child_role() else {
        return; // only a child started by the tests below runs anything here
    };
    let url = std::env::var("CIE_PG_CHILD_URL").unwrap();
    let rounds: u64 = std::env::var("CIE_PG_CHILD_ROUNDS")
        .unwrap()
        .parse()
        .unwrap();
    match role.as_str() {
        "desk" => {
            let mut d = desk(&url);
            let card = CardNumber::parse("CA00000AA").unwrap();
            for _ in 0..rounds {
                let report = d.run(&card, request()).unwrap();
                println!("committed {}", report.decision_entry);
            }
        }
        "appender" => {
            let mut j = open(&url);
            for i in 0..rounds {
                let e = append(&mut j, &format!("step={i}")).unwrap();
                println!("committed {} {}", e.seq, journal::to_letters(&e.hash));
            }
        }
        other => panic!("unknown role {other}"),
    }
}

#[test]
fn pg_schema_created_once_and_versioned() {
    let Some(url) = fresh_schema("pg_schema_created_once_and_versioned", "t_schema") else {
        return;
    };
    let _a = PgStore::connect(&url).unwrap();
    let _b = PgStore::connect(&url).unwrap(); // a second desk: nothing created twice
    let mut c = client(&url);
    let v: i32 = c
        .query_one(
            "SELECT version FROM cie_schema WHERE component = 'journal'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(v, PgStore::SCHEMA_VERSION);
    c.batch_execute("UPDATE cie_schema SET version = 99 WHERE component = 'journal'")
        .unwrap();
    assert!(matches!(
        PgStore::connect(&url),
        Err(StoreError::SchemaTooNew { found: 99, .. })
    ));
}

#[test]
fn pg_append_only_update_delete_truncate_refused() {
    let Some(url) = fresh_schema("pg_append_only_update_delete_truncate_refused", "t_ao") else {
        return;
    };
    let mut j = open(&url);
    for i in 0..3 {
        append(&mut j, &format!("step={i}")).unwrap();
    }
    let mut c = client(&url);
    for sql in [
        "UPDATE cie_journal SET detail = 'x' WHERE seq = 2",
        "DELETE FROM cie_journal WHERE seq = 3",
        "TRUNCATE cie_journal CASCADE",
        "DELETE FROM cie_journal_heads WHERE size = 3",
        "UPDATE cie_journal_blocks SET hash = hash",
        "TRUNCATE cie_journal_heads",
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        let msg = e.as_db_error().map(|d| d.message().to_string());
        assert!(
            msg.as_deref().unwrap_or("").contains("cie-pinpuk"),
            "{sql}: {e:?}"
        );
    }
    assert_eq!(check_whole_log(&url), 3);
}

#[test]
fn pg_dropped_or_disabled_trigger_refused_on_open() {
    let Some(url) = fresh_schema("pg_dropped_or_disabled_trigger_refused_on_open", "t_trig") else {
        return;
    };
    let mut j = open(&url);
    append(&mut j, "step=0").unwrap();
    drop(j);
    let mut c = client(&url);
    c.batch_execute("ALTER TABLE cie_journal DISABLE TRIGGER cie_journal_append_only")
        .unwrap();
    let r = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key());
    assert!(matches!(
        r.unwrap_err(),
        StoreError::Integrity(IntegrityError::TriggerMissing("cie_journal_append_only"))
    ));
    c.batch_execute(
        "ALTER TABLE cie_journal ENABLE TRIGGER cie_journal_append_only;
         DROP TRIGGER cie_journal_heads_append_only ON cie_journal_heads",
    )
    .unwrap();
    let r = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key());
    assert!(matches!(
        r.unwrap_err(),
        StoreError::Integrity(IntegrityError::TriggerMissing(
            "cie_journal_heads_append_only"
        ))
    ));
}

/// Two journals opened on the same head: the second builds its entry on the head it reads
/// under the lock, never on the stale one it had.
#[test]
fn many_writers_stale_writer_rebuilds_on_locked_head() {
    let Some(url) = fresh_schema(
        "many_writers_stale_writer_rebuilds_on_locked_head",
        "t_stale",
    ) else {
        return;
    };
    let mut a = open(&url);
    let mut b = open(&url);
    let e1 = append(&mut a, "desk=a").unwrap();
    let e2 = append(&mut b, "desk=b").unwrap();
    assert_eq!((e1.seq, e2.seq), (1, 2));
    assert_eq!(e2.prev, e1.hash);
    let e3 = append(&mut a, "desk=a").unwrap();
    assert_eq!(e3.prev, e2.hash);
    assert_eq!(check_whole_log(&url), 3);
}

/// A commit built on a stale head, given to the store directly (no lock taken first), is
/// refused with `Conflict` and writes nothing.
#[test]
fn many_writers_commit_on_stale_head_is_conflict() {
    let Some(url) = fresh_schema(
        "many_writers_commit_on_stale_head_is_conflict",
        "t_conflict",
    ) else {
        return;
    };
    let mut a = open(&url);
    append(&mut a, "step=0").unwrap();
    let mut b = open(&url);
    append(&mut a, "step=1").unwrap();
    // b's view: one entry. Build entry 2 on it and commit without the lock.
    let o = officer();
    let last = b.head();
    let e = journal::Entry::seal(
        Some((last.seq, last.hash)),
        Timestamp(1),
        EntryKind::Decision,
        vec![RuleId::R1],
        "CA00000AA",
        "stale",
        &o,
    )
    .unwrap();
    let head = SignedHead::sign(2, [0; 32], Timestamp(1), &o).unwrap();
    let r = b.store_mut().commit(Commit {
        entry: &e,
        new_outbox: &[],
        mark_sent: None,
        blocks: &[],
        head: &head,
    });
    assert!(matches!(
        r,
        Err(StoreError::Conflict {
            expected: 3,
            found: 2
        })
    ));
    assert_eq!(check_whole_log(&url), 2);
}

/// Any number of desks, each its own process, run requests against one journal: one linear
/// log, no fork, no gap, no lost entry, every head consistent with every earlier one, every
/// second half sent exactly once.
#[test]
fn many_desks_one_log_no_fork_no_gap() {
    let Some(url) = fresh_schema("many_desks_one_log_no_fork_no_gap", "t_many") else {
        return;
    };
    drop(PgStore::connect(&url).unwrap()); // the schema, once
    let children: Vec<_> = (0..4)
        .map(|_| {
            spawn_child(
                CHILD_ENTRY,
                "desk",
                &[
                    ("CIE_PG_CHILD_URL", url.clone()),
                    ("CIE_PG_CHILD_ROUNDS", "6".into()),
                ],
            )
        })
        .collect();
    let mut decisions = Vec::new();
    for mut c in children {
        let out = BufReader::new(c.stdout.take().unwrap());
        for line in out.lines() {
            let line = line.unwrap();
            // libtest may print "test NAME ... " before the first line.
            if let Some(s) = line.split_once("committed ").map(|(_, s)| s) {
                decisions.push(s.parse::<u64>().unwrap());
            }
        }
        assert!(c.wait().unwrap().success());
    }
    assert_eq!(decisions.len(), 24);
    let n = check_whole_log(&url);
    let j = open(&url);
    for seq in decisions {
        assert_eq!(j.entry(seq).unwrap().unwrap().kind, EntryKind::Decision);
    }
    // Every run journals its decision, order, paper print and e-mail: 4 entries.
    assert_eq!(n, 24 * 4);
}

/// F1: a desk killed (SIGKILL) at a random moment, possibly holding the append lock in the
/// middle of a commit: the server rolls its transaction back; every append it reported
/// committed is in the log; the other writers go on; the log verifies.
#[test]
fn pg_fault1_desk_killed_mid_commit_loses_nothing_blocks_no_one() {
    let Some(url) = fresh_schema(
        "pg_fault1_desk_killed_mid_commit_loses_nothing_blocks_no_one",
        "t_kill",
    ) else {
        return;
    };
    drop(PgStore::connect(&url).unwrap());
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut reported: Vec<(u64, String)> = Vec::new();
    for round in 0..4 {
        let mut victim = spawn_child(
            CHILD_ENTRY,
            "appender",
            &[
                ("CIE_PG_CHILD_URL", url.clone()),
                ("CIE_PG_CHILD_ROUNDS", "100000".into()),
            ],
        );
        let mut other = open(&url);
        std::thread::sleep(Duration::from_millis(150 + rng.next() % 300));
        append(&mut other, &format!("survivor={round}")).unwrap();
        victim.kill().unwrap(); // SIGKILL
        victim.wait().unwrap();
        let out = BufReader::new(victim.stdout.take().unwrap());
        for line in out.lines() {
            let line = line.unwrap();
            // libtest may print "test NAME ... " before the first line.
            if let Some(s) = line.split_once("committed ").map(|(_, s)| s) {
                let (seq, hash) = s.split_once(' ').unwrap();
                reported.push((seq.parse().unwrap(), hash.to_string()));
            }
        }
        // The lock of the dead desk is gone: another writer appends at once.
        append(&mut other, &format!("after-kill={round}")).unwrap();
    }
    assert!(!reported.is_empty());
    check_whole_log(&url);
    let j = open(&url);
    for (seq, hash) in reported {
        let e = j.entry(seq).unwrap().expect("a reported commit is stored");
        assert_eq!(journal::to_letters(&e.hash), hash);
    }
}

/// F2: the connection of a desk is dropped (its backend terminated) between two appends: the
/// next append says `NotCommitted` (nothing written) or reconnects; a retry succeeds and the
/// log has each entry once.
#[test]
fn pg_fault2_connection_dropped_not_committed_retry_safe() {
    let Some(url) = fresh_schema(
        "pg_fault2_connection_dropped_not_committed_retry_safe",
        "t_drop",
    ) else {
        return;
    };
    let mut j = open(&url);
    append(&mut j, "step=0").unwrap();
    let pid = j.store().backend_pid().unwrap();
    terminate(&url, pid);
    std::thread::sleep(Duration::from_millis(100));
    let mut attempts = 0;
    let e = loop {
        attempts += 1;
        match append(&mut j, "step=1") {
            Ok(e) => break e,
            Err(journal::JournalError::Store(StoreError::NotCommitted { .. })) if attempts < 3 => {}
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(e.seq, 2);
    assert_ne!(j.store().backend_pid().unwrap(), pid);
    assert_eq!(check_whole_log(&url), 2);
}

/// F3: the backend is terminated while the commit is under way (the transaction holds the
/// lock and has written its rows; a test trigger keeps it busy): `NotCommitted`, nothing
/// stored, the lock released, a retry appends the entry once.
#[test]
fn pg_fault3_backend_terminated_mid_commit_not_committed() {
    let Some(url) = fresh_schema(
        "pg_fault3_backend_terminated_mid_commit_not_committed",
        "t_midc",
    ) else {
        return;
    };
    let mut j = open(&url);
    append(&mut j, "step=0").unwrap();
    let mut admin = client(&url);
    admin
        .batch_execute(
            "CREATE FUNCTION t_slow() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$;
             CREATE TRIGGER t_slow AFTER INSERT ON cie_journal_heads
                 FOR EACH ROW EXECUTE FUNCTION t_slow();",
        )
        .unwrap();
    let pid = j.store().backend_pid().unwrap();
    let killer = {
        let url = url.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            terminate(&url, pid);
        })
    };
    let r = append(&mut j, "step=1");
    killer.join().unwrap();
    assert!(
        matches!(
            r,
            Err(journal::JournalError::Store(
                StoreError::NotCommitted { .. }
            ))
        ),
        "{r:?}"
    );
    admin
        .batch_execute("DROP TRIGGER t_slow ON cie_journal_heads")
        .unwrap();
    assert_eq!(check_whole_log(&url), 1);
    let e = append(&mut j, "step=1").unwrap();
    assert_eq!(e.seq, 2);
    assert_eq!(check_whole_log(&url), 2);
}

/// F4: the database refuses the transaction with a serialization failure (SQLSTATE 40001,
/// raised here by a test trigger): `NotCommitted { reason: "serialization failure" }`,
/// nothing stored, a retry succeeds.
#[test]
fn pg_fault4_serialization_failure_not_committed_retry_safe() {
    let Some(url) = fresh_schema(
        "pg_fault4_serialization_failure_not_committed_retry_safe",
        "t_ser",
    ) else {
        return;
    };
    let mut j = open(&url);
    append(&mut j, "step=0").unwrap();
    let mut admin = client(&url);
    admin
        .batch_execute(
            "CREATE FUNCTION t_ser() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END $$;
             CREATE TRIGGER t_ser BEFORE INSERT ON cie_journal_heads
                 FOR EACH ROW EXECUTE FUNCTION t_ser();",
        )
        .unwrap();
    let r = append(&mut j, "step=1");
    assert!(
        matches!(
            r,
            Err(journal::JournalError::Store(StoreError::NotCommitted {
                reason: "serialization failure"
            }))
        ),
        "{r:?}"
    );
    assert_eq!(check_whole_log(&url), 1);
    admin
        .batch_execute("DROP TRIGGER t_ser ON cie_journal_heads")
        .unwrap();
    assert_eq!(append(&mut j, "step=1").unwrap().seq, 2);
    assert_eq!(check_whole_log(&url), 2);
}

/// F5: every backend is terminated at once (what a server shutdown does to its clients): the
/// desks reconnect on their next append, and the log goes on without a gap.
#[test]
fn pg_fault5_all_backends_terminated_desks_reconnect() {
    let Some(url) = fresh_schema(
        "pg_fault5_all_backends_terminated_desks_reconnect",
        "t_restart",
    ) else {
        return;
    };
    let mut a = open(&url);
    let mut b = open(&url);
    append(&mut a, "desk=a").unwrap();
    append(&mut b, "desk=b").unwrap();
    for pid in [
        a.store().backend_pid().unwrap(),
        b.store().backend_pid().unwrap(),
    ] {
        terminate(&url, pid);
    }
    std::thread::sleep(Duration::from_millis(100));
    for j in [&mut a, &mut b] {
        let mut tries = 0;
        while let Err(e) = append(j, "after") {
            tries += 1;
            assert!(
                matches!(
                    e,
                    journal::JournalError::Store(StoreError::NotCommitted { .. })
                ),
                "{e}"
            );
            assert!(tries < 3);
        }
    }
    assert_eq!(check_whole_log(&url), 4);
}

/// The outbox: an e-mailed second half is marked sent once; marking it again (a second desk
/// that sent it too) is refused and writes nothing.
#[test]
fn r4_outbox_marked_sent_exactly_once() {
    let Some(url) = fresh_schema("r4_outbox_marked_sent_exactly_once", "t_outbox") else {
        return;
    };
    let mut d = desk(&url);
    let card = CardNumber::parse("CA00000AA").unwrap();
    let report = d.run(&card, request()).unwrap();
    assert_eq!(report.sent.len(), 1);
    let key = report.sent[0].clone();
    let mut j = open(&url);
    let r = j.append(
        &clock(),
        &officer(),
        EntryKind::NotificationSent,
        vec![RuleId::R4],
        "CA00000AA",
        "again",
        &[],
        Some(&key),
    );
    assert!(matches!(
        r,
        Err(journal::JournalError::Store(StoreError::OutboxConflict))
    ));
    assert!(d.pending().unwrap().is_empty());
    // The outbox only moves a record from pending to sent.
    let mut c = client(&url);
    for sql in [
        "UPDATE cie_outbox SET state = 'pending'",
        "UPDATE cie_outbox SET dest = 'x@example.com'",
        "DELETE FROM cie_outbox",
        "TRUNCATE cie_outbox",
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        let msg = e.as_db_error().map(|d| d.message().to_string());
        assert!(
            msg.as_deref().unwrap_or("").contains("cie-pinpuk"),
            "{sql}: {e:?}"
        );
    }
    check_whole_log(&url);
}
