//! The PUK recovery service on PostgreSQL (feature `postgres`): many instances over one
//! database, each with its own connection and its own (skewed) clock. Concurrent instances
//! racing on one procedure (one completion code, one release), I6 by the database clock,
//! faults mid-commit (connection dropped, backend terminated, serialization failure: retry
//! safe, nothing lost, nothing doubled), tampering (updates and deletes refused by the
//! database, a dropped or disabled trigger refused at open, an edited row, a row restored
//! from an older backup). Needs `CIE_PG_URL` (`scripts/pg-stack run -- cargo test ...`);
//! without it every test prints SKIPPED and passes. The database clock is moved with
//! `PgRecoveryStore::shift_test_clock` (feature `mock`).
#![cfg(all(feature = "postgres", feature = "emulator", feature = "mock"))]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod pg_support;
mod recovery_support;

use std::sync::Barrier;
use std::time::Duration;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{IntegrityError, ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::recovery::{
    CompletionOutcome, EventKind, MemoryRegistry, PgRecoveryStore, ProcedureId, ProcedureState,
    PukRecovery, RecoveryConfig, RecoveryError, RecoveryRequest, RecoveryStore, RecoveryStoreError,
    RefusalReason, RequestOutcome, verify_journal,
};
use pg_support::*;
use recovery_support::*;

type Instance<'a> =
    PukRecovery<PgRecoveryStore, &'a MemoryRegistry, RecordingNotifier, ManualClock>;

/// An instance over `url` whose own clock reads `clock` (ignored for decisions: the
/// database clock is the one clock).
fn instance<'a>(url: &str, reg: &'a MemoryRegistry, clock: u64) -> Instance<'a> {
    PukRecovery::open(
        PgRecoveryStore::connect(url).unwrap(),
        reg,
        RecordingNotifier::new(),
        ManualClock::new(Timestamp(clock)),
        secret(),
        RecoveryConfig::default(),
    )
    .unwrap()
}

/// The database server's clock, in whole seconds.
fn db_now(url: &str) -> u64 {
    let t: i64 = client(url)
        .query_one(
            "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint",
            &[],
        )
        .unwrap()
        .get(0);
    u64::try_from(t).unwrap()
}

fn request(svc: &mut Instance<'_>, seed: u64) -> Result<RequestOutcome, RecoveryError> {
    let mut r = rng(seed);
    let ch = svc.challenge(SERIAL, &mut r)?;
    let proof = sign(&ch);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let key = device_key();
    svc.request(
        &RecoveryRequest {
            code: CodeKind::Puk,
            serial: SERIAL,
            nis: NIS,
            contacts: &typed,
            proof: &proof,
            device_key: &key,
        },
        &mut r,
    )
}

fn requested(svc: &mut Instance<'_>) -> ProcedureId {
    match request(svc, 1).unwrap() {
        RequestOutcome::Accepted { procedure, .. } => procedure,
        o => panic!("{o:?}"),
    }
}

fn complete(
    svc: &mut Instance<'_>,
    id: &ProcedureId,
    code: &cie_pinpuk::recovery::CompletionCode,
    seed: u64,
) -> Result<CompletionOutcome, RecoveryError> {
    let mut r = rng(seed);
    let ch = svc.challenge(SERIAL, &mut r)?;
    svc.complete(id, code, &sign(&ch), &mut r)
}

/// The 8-digit code in a message body.
fn code_in(body: &str) -> cie_pinpuk::recovery::CompletionCode {
    let b = body.as_bytes();
    let start = (0..b.len().saturating_sub(7))
        .find(|&i| {
            b[i..i + 8].iter().all(u8::is_ascii_digit) && (i == 0 || !b[i - 1].is_ascii_digit())
        })
        .expect("a code in the message");
    cie_pinpuk::recovery::CompletionCode::parse(&body[start..start + 8]).unwrap()
}

/// The whole journal checked: an unbroken chain; returns how many records of `kind` name
/// `id`.
fn count(url: &str, id: &ProcedureId, kind: EventKind) -> usize {
    let store = PgRecoveryStore::connect(url).unwrap();
    let journal = store.journal().unwrap();
    verify_journal(&journal).unwrap();
    journal
        .iter()
        .filter(|e| e.procedure == Some(*id) && e.kind == kind)
        .count()
}

fn refused_open(url: &str, reg: &MemoryRegistry) -> IntegrityError {
    let r = PgRecoveryStore::connect(url)
        .map_err(RecoveryError::Store)
        .and_then(|s| {
            PukRecovery::open(
                s,
                reg,
                RecordingNotifier::new(),
                ManualClock::new(Timestamp(T0)),
                secret(),
                RecoveryConfig::default(),
            )
        });
    match r {
        Err(RecoveryError::Store(RecoveryStoreError::Integrity(e))) => e,
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("the tampered store was opened"),
    }
}

fn is_not_committed<T: std::fmt::Debug>(r: &Result<T, RecoveryError>) -> bool {
    matches!(
        r,
        Err(RecoveryError::Store(
            RecoveryStoreError::NotCommitted { .. }
        ))
    )
}

/// Four instances tick at once after the 48 hours, then all four complete at once with the
/// code: one completion code issued and sent, one release, three `AlreadyReleased`.
#[test]
fn i6_pg_racing_instances_one_code_one_release() {
    let Some(url) = fresh_schema("i6_pg_racing_instances_one_code_one_release", "t_rec_race")
    else {
        return;
    };
    let reg = registry();
    let now = db_now(&url);
    let mut first = instance(&url, &reg, now);
    let id = requested(&mut first);
    first.store().shift_test_clock(48 * 3600 + 1).unwrap();
    // Each thread is one instance (its own connection, its own clock), opened in the thread.
    let barrier = Barrier::new(4);
    // The body of the one message sent (the code is not `Clone`).
    let body: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let results: Vec<(usize, CompletionOutcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4u64)
            .map(|i| {
                let (barrier, body, id, url, reg) = (&barrier, &body, &id, &url, &reg);
                s.spawn(move || {
                    let mut svc = instance(url, reg, now + i * 1000);
                    barrier.wait();
                    let sent = svc.tick(&mut rng(10 + i)).unwrap().codes_sent;
                    if let Some(m) = svc.notifier().sent.last() {
                        *body.lock().unwrap() = Some(m.body.as_str().to_string());
                    }
                    barrier.wait();
                    let text = body.lock().unwrap().clone().expect("one instance sent it");
                    let code = code_in(&text);
                    let mut r = rng(20 + i);
                    let ch = svc.challenge(SERIAL, &mut r).unwrap();
                    let proof = sign(&ch);
                    barrier.wait();
                    (sent, svc.complete(id, &code, &proof, &mut r).unwrap())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().map(|(n, _)| n).sum::<usize>(), 1);
    assert_eq!(count(&url, &id, EventKind::CodeIssued), 1);
    assert_eq!(count(&url, &id, EventKind::CodeSent), 1);
    let outcomes: Vec<CompletionOutcome> = results.into_iter().map(|(_, o)| o).collect();
    let mut released = 0;
    for o in &outcomes {
        match o {
            CompletionOutcome::Released(sealed) => {
                assert_eq!(open_sealed(sealed, &id.to_hex()), PUK);
                released += 1;
            }
            CompletionOutcome::Refused(r) => {
                assert_eq!(r.reason, RefusalReason::AlreadyReleased, "{r:?}");
            }
        }
    }
    assert_eq!(released, 1);
    assert_eq!(count(&url, &id, EventKind::Released), 1);
    // Every instance, opened again, sees the procedure released and the log whole.
    let again = instance(&url, &reg, now);
    assert_eq!(
        again.lookup(&id).unwrap().unwrap().state,
        ProcedureState::Released
    );
    assert_eq!(again.procedures().count(), 0);
}

/// Instances whose own clocks are 72 hours ahead and 72 hours behind: the request time is
/// the database's, no code goes out and nothing is released before 48 hours of the
/// database clock, and the instance 72 hours behind sends the code once they are over.
#[test]
fn i6_pg_instances_with_skewed_clocks_decide_on_the_database_clock() {
    let Some(url) = fresh_schema(
        "i6_pg_instances_with_skewed_clocks_decide_on_the_database_clock",
        "t_rec_skew",
    ) else {
        return;
    };
    let reg = registry();
    let now = db_now(&url);
    let mut ahead = instance(&url, &reg, now + 72 * 3600);
    let mut behind = instance(&url, &reg, now - 72 * 3600);
    let RequestOutcome::Accepted {
        procedure: id,
        not_before,
    } = request(&mut ahead, 1).unwrap()
    else {
        panic!("refused")
    };
    let requested_at = behind.lookup(&id).unwrap().unwrap().requested_at.0;
    assert!(
        requested_at >= now && requested_at <= db_now(&url),
        "the request time {requested_at} is the database's ({now}), not the instance's"
    );
    assert_eq!(not_before.0, requested_at + H48);
    // The instance 72 hours ahead: nothing due, a completion too early.
    assert_eq!(ahead.tick(&mut rng(2)).unwrap().codes_sent, 0);
    let code = cie_pinpuk::recovery::CompletionCode::parse("12345678").unwrap();
    match complete(&mut ahead, &id, &code, 3).unwrap() {
        CompletionOutcome::Refused(r) => {
            assert!(matches!(r.reason, RefusalReason::TooEarly { .. }), "{r:?}")
        }
        CompletionOutcome::Released(_) => panic!("released before 48 hours"),
    }
    // 47 hours later by the database clock: still nothing.
    ahead.store().shift_test_clock(47 * 3600).unwrap();
    assert_eq!(ahead.tick(&mut rng(4)).unwrap().codes_sent, 0);
    assert_eq!(behind.tick(&mut rng(5)).unwrap().codes_sent, 0);
    assert!(ahead.notifier().sent.is_empty() && behind.notifier().sent.is_empty());
    // Past 48 hours: the instance 72 hours behind sends it, once.
    behind.store().shift_test_clock(3600 + 2).unwrap();
    assert_eq!(behind.tick(&mut rng(6)).unwrap().codes_sent, 1);
    assert_eq!(ahead.tick(&mut rng(7)).unwrap().codes_sent, 0);
    let code = last_code(behind.notifier());
    match complete(&mut ahead, &id, &code, 8).unwrap() {
        CompletionOutcome::Released(sealed) => assert_eq!(open_sealed(&sealed, &id.to_hex()), PUK),
        CompletionOutcome::Refused(r) => panic!("{r:?}"),
    }
    let store = PgRecoveryStore::connect(&url).unwrap();
    let released = store
        .journal()
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EventKind::Released)
        .unwrap();
    assert!(released.time.0 >= requested_at + H48);
    assert_eq!(count(&url, &id, EventKind::CodeSent), 1);
}

/// The connection of an instance dropped between operations: the next operation says
/// `NotCommitted` (nothing written) or connects again; a retry sends the code once.
#[test]
fn pg_rec_fault_connection_dropped_retry_safe() {
    let Some(url) = fresh_schema("pg_rec_fault_connection_dropped_retry_safe", "t_rec_drop") else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    let id = requested(&mut svc);
    svc.store().shift_test_clock(H48 as i64 + 1).unwrap();
    let pid = svc.store().backend_pid().unwrap();
    terminate(&url, pid);
    std::thread::sleep(Duration::from_millis(100));
    let mut attempts = 0;
    let report = loop {
        attempts += 1;
        let r = svc.tick(&mut rng(2));
        if is_not_committed(&r) && attempts < 3 {
            continue;
        }
        break r.unwrap();
    };
    assert_eq!(report.codes_sent, 1);
    assert_ne!(svc.store().backend_pid().unwrap(), pid);
    assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 0);
    assert_eq!(count(&url, &id, EventKind::CodeSent), 1);
    assert_eq!(svc.notifier().sent.len(), 1);
}

/// The backend terminated while the release is being committed (a test trigger keeps the
/// transaction busy after its rows are written): `NotCommitted`, nothing released, the
/// operation lock free for the other instances; a retry releases the PUK once.
#[test]
fn pg_rec_fault_backend_terminated_mid_release_retry_releases_once() {
    let Some(url) = fresh_schema(
        "pg_rec_fault_backend_terminated_mid_release_retry_releases_once",
        "t_rec_midc",
    ) else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    let id = requested(&mut svc);
    svc.store().shift_test_clock(H48 as i64 + 1).unwrap();
    assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 1);
    let code = last_code(svc.notifier());
    let mut admin = client(&url);
    admin
        .batch_execute(
            "CREATE FUNCTION t_slow() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$;
             CREATE TRIGGER t_slow AFTER INSERT ON cie_recovery_heads
                 FOR EACH ROW EXECUTE FUNCTION t_slow();",
        )
        .unwrap();
    let mut r = rng(3);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let pid = svc.store().backend_pid().unwrap();
    let killer = {
        let url = url.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            terminate(&url, pid);
        })
    };
    let out = svc.complete(&id, &code, &proof, &mut r);
    killer.join().unwrap();
    assert!(is_not_committed(&out), "{out:?}");
    admin
        .batch_execute("DROP TRIGGER t_slow ON cie_recovery_heads")
        .unwrap();
    assert_eq!(count(&url, &id, EventKind::Released), 0);
    // Another instance is not blocked, and sees the procedure still open.
    let other = instance(&url, &reg, T0);
    assert_eq!(
        other.lookup(&id).unwrap().unwrap().state,
        ProcedureState::CodeIssued
    );
    // The retry (a fresh card proof: a challenge is used once).
    match complete(&mut svc, &id, &code, 4).unwrap() {
        CompletionOutcome::Released(sealed) => assert_eq!(open_sealed(&sealed, &id.to_hex()), PUK),
        CompletionOutcome::Refused(r) => panic!("{r:?}"),
    }
    assert_eq!(count(&url, &id, EventKind::Released), 1);
}

/// The database refuses the commit of the completion code with a serialization failure
/// (SQLSTATE 40001, raised by a test trigger): `NotCommitted`, no code sent; the retry
/// issues and sends one.
#[test]
fn pg_rec_fault_serialization_failure_retry_safe() {
    let Some(url) = fresh_schema("pg_rec_fault_serialization_failure_retry_safe", "t_rec_ser")
    else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    let id = requested(&mut svc);
    svc.store().shift_test_clock(H48 as i64 + 1).unwrap();
    let mut admin = client(&url);
    admin
        .batch_execute(
            "CREATE FUNCTION t_ser() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END $$;
             CREATE TRIGGER t_ser BEFORE INSERT ON cie_recovery_heads
                 FOR EACH ROW EXECUTE FUNCTION t_ser();",
        )
        .unwrap();
    let r = svc.tick(&mut rng(2));
    assert!(
        matches!(
            r,
            Err(RecoveryError::Store(RecoveryStoreError::NotCommitted {
                reason: "serialization failure"
            }))
        ),
        "{r:?}"
    );
    assert!(svc.notifier().sent.is_empty());
    assert_eq!(count(&url, &id, EventKind::CodeIssued), 0);
    admin
        .batch_execute("DROP TRIGGER t_ser ON cie_recovery_heads")
        .unwrap();
    assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 1);
    assert_eq!(count(&url, &id, EventKind::CodeIssued), 1);
    assert_eq!(count(&url, &id, EventKind::CodeSent), 1);
}

/// A request whose commit failed (`NotCommitted`) is retried: one procedure, not two.
#[test]
fn pg_rec_fault_request_retried_after_not_committed_opens_one_procedure() {
    let Some(url) = fresh_schema(
        "pg_rec_fault_request_retried_after_not_committed_opens_one_procedure",
        "t_rec_req",
    ) else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    let mut admin = client(&url);
    admin
        .batch_execute(
            "CREATE FUNCTION t_ser() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END $$;
             CREATE TRIGGER t_ser BEFORE INSERT ON cie_recovery_procedures
                 FOR EACH ROW EXECUTE FUNCTION t_ser();",
        )
        .unwrap();
    let r = request(&mut svc, 1);
    assert!(is_not_committed(&r), "{r:?}");
    admin
        .batch_execute("DROP TRIGGER t_ser ON cie_recovery_procedures")
        .unwrap();
    let id = requested(&mut svc);
    // A second instance asked again for the same card: already open.
    let mut other = instance(&url, &reg, T0);
    match request(&mut other, 2).unwrap() {
        RequestOutcome::Refused(r) => assert!(
            matches!(r.reason, RefusalReason::AlreadyOpen { procedure, .. } if procedure == id),
            "{r:?}"
        ),
        o => panic!("{o:?}"),
    }
    let n: i64 = admin
        .query_one("SELECT count(*) FROM cie_recovery_procedures", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(count(&url, &id, EventKind::RequestAccepted), 1);
}

/// The database refuses every change the service never makes: journal, tree and heads are
/// append-only, the clock mark does not go back, a request is not re-based, a final
/// procedure does not change, no procedure row is deleted.
#[test]
fn pg_rec_tamper_updates_and_deletes_refused_by_the_database() {
    let Some(url) = fresh_schema(
        "pg_rec_tamper_updates_and_deletes_refused_by_the_database",
        "t_rec_guard",
    ) else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    requested(&mut svc);
    let mut c = client(&url);
    for sql in [
        "UPDATE cie_recovery_journal SET detail = 'x'",
        "DELETE FROM cie_recovery_journal",
        "TRUNCATE cie_recovery_journal",
        "UPDATE cie_recovery_blocks SET hash = hash",
        "DELETE FROM cie_recovery_heads",
        "UPDATE cie_recovery_clock SET high_water = high_water - 1",
        "DELETE FROM cie_recovery_clock",
        "UPDATE cie_recovery_procedures SET requested_at = requested_at - 172800",
        "DELETE FROM cie_recovery_procedures",
        "TRUNCATE cie_recovery_procedures",
    ] {
        let e = c.batch_execute(sql).expect_err(sql);
        assert!(format!("{e:?}").contains("cie-pinpuk"), "{sql}: {e:?}");
    }
}

/// A protective trigger dropped, or disabled, is refused when a store is opened.
#[test]
fn pg_rec_tamper_trigger_dropped_or_disabled_refused_at_open() {
    let Some(url) = fresh_schema(
        "pg_rec_tamper_trigger_dropped_or_disabled_refused_at_open",
        "t_rec_trig",
    ) else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    requested(&mut svc);
    drop(svc);
    let mut c = client(&url);
    c.batch_execute(
        "ALTER TABLE cie_recovery_procedures DISABLE TRIGGER cie_recovery_procedure_guard",
    )
    .unwrap();
    assert_eq!(
        refused_open(&url, &reg),
        IntegrityError::TriggerMissing("cie_recovery_procedure_guard")
    );
    c.batch_execute(
        "ALTER TABLE cie_recovery_procedures ENABLE TRIGGER cie_recovery_procedure_guard;
         DROP TRIGGER cie_recovery_journal_append_only ON cie_recovery_journal",
    )
    .unwrap();
    assert_eq!(
        refused_open(&url, &reg),
        IntegrityError::TriggerMissing("cie_recovery_journal_append_only")
    );
}

/// An open procedure edited with the guard disabled and enabled again (the request moved
/// back 48 hours): it no longer matches its signed record.
#[test]
fn pg_rec_tamper_row_edited_refused() {
    let Some(url) = fresh_schema("pg_rec_tamper_row_edited_refused", "t_rec_edit") else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    requested(&mut svc);
    let seq = svc.signed_head().unwrap().size;
    drop(svc);
    client(&url)
        .batch_execute(&format!(
            "ALTER TABLE cie_recovery_procedures DISABLE TRIGGER cie_recovery_procedure_guard;
             UPDATE cie_recovery_procedures SET requested_at = requested_at - {H48};
             ALTER TABLE cie_recovery_procedures ENABLE TRIGGER cie_recovery_procedure_guard;"
        ))
        .unwrap();
    assert_eq!(
        refused_open(&url, &reg),
        IntegrityError::RecordMismatch { seq }
    );
}

/// Issue 10's gap on PostgreSQL: a released procedure's row put back exactly as an older
/// backup had it (genuine, pointing at its older record), the guard back in place.
#[test]
fn pg_rec_tamper_restored_final_row_refused() {
    let Some(url) = fresh_schema("pg_rec_tamper_restored_final_row_refused", "t_rec_restore")
    else {
        return;
    };
    let reg = registry();
    let mut svc = instance(&url, &reg, T0);
    let id = requested(&mut svc);
    svc.store().shift_test_clock(H48 as i64 + 1).unwrap();
    assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 1);
    let sent_seq = svc.signed_head().unwrap().size;
    let mut c = client(&url);
    c.batch_execute("CREATE TABLE t_backup AS SELECT * FROM cie_recovery_procedures")
        .unwrap();
    let code = last_code(svc.notifier());
    assert!(matches!(
        complete(&mut svc, &id, &code, 3).unwrap(),
        CompletionOutcome::Released(_)
    ));
    let released_seq = svc.signed_head().unwrap().size;
    drop(svc);
    c.batch_execute(
        "ALTER TABLE cie_recovery_procedures DISABLE TRIGGER cie_recovery_procedure_guard;
         UPDATE cie_recovery_procedures p SET state = b.state, wrong = b.wrong,
             code_hash = b.code_hash, code_generation = b.code_generation,
             code_issued_at = b.code_issued_at, code_sent = b.code_sent,
             closed_at = b.closed_at, journal_seq = b.journal_seq
             FROM t_backup b WHERE b.id = p.id;
         ALTER TABLE cie_recovery_procedures ENABLE TRIGGER cie_recovery_procedure_guard;",
    )
    .unwrap();
    assert_eq!(
        refused_open(&url, &reg),
        IntegrityError::SupersededRecord {
            seq: sent_seq,
            latest: released_seq
        }
    );
}

/// An instance that was open while another one released the procedure catches up under the
/// lock: it refuses the completion as already released, and its view of the log is the
/// stored one.
#[test]
fn pg_rec_instances_catch_up_on_each_others_records() {
    let Some(url) = fresh_schema(
        "pg_rec_instances_catch_up_on_each_others_records",
        "t_rec_catch",
    ) else {
        return;
    };
    let reg = registry();
    let mut a = instance(&url, &reg, T0);
    let mut b = instance(&url, &reg, T0);
    let id = requested(&mut a);
    a.store().shift_test_clock(H48 as i64 + 1).unwrap();
    assert_eq!(b.tick(&mut rng(2)).unwrap().codes_sent, 1);
    let code = last_code(b.notifier());
    assert!(matches!(
        complete(&mut a, &id, &code, 3).unwrap(),
        CompletionOutcome::Released(_)
    ));
    match complete(&mut b, &id, &code, 4).unwrap() {
        CompletionOutcome::Refused(r) => assert_eq!(r.reason, RefusalReason::AlreadyReleased),
        CompletionOutcome::Released(_) => panic!("released twice"),
    }
    // `a` has not seen `b`'s refusal yet; `b` holds the stored head.
    assert!(a.signed_head().map(|h| h.size) < b.signed_head().map(|h| h.size));
    assert_eq!(
        b.signed_head(),
        PgRecoveryStore::connect(&url).unwrap().head().unwrap()
    );
}

// --- a recovery instance killed (SIGKILL) in the middle of its work ---

const CHILD_ENTRY: &str = "zz_child_process_entry";

/// The card of round `round` of the killed instance (its own serial, so that every request
/// is accepted and commits a procedure).
fn kill_serial(round: u64) -> String {
    format!("CA{round:05}KK")
}

/// Every card the killed instance and the survivor ask for.
fn kill_registry(rounds: u64) -> MemoryRegistry {
    let mut reg = MemoryRegistry::new();
    for r in 0..rounds {
        reg.insert(
            &kill_serial(r),
            cie_pinpuk::recovery::CardRecord {
                nis: NIS.into(),
                servizi_key: servizi_public(),
                contacts: contacts(Some(EMAIL), None),
            },
            cie_pinpuk::Puk::new(PUK).unwrap(),
        );
    }
    reg
}

/// A challenge and a request for `serial`; the procedure accepted.
fn request_card(svc: &mut Instance<'_>, serial: &str, seed: u64) -> ProcedureId {
    let mut r = rng(seed);
    let ch = svc.challenge(serial, &mut r).unwrap();
    let typed = contacts(Some(EMAIL), None);
    let key = device_key();
    match svc
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial,
                nis: NIS,
                contacts: &typed,
                proof: &sign(&ch),
                device_key: &key,
            },
            &mut r,
        )
        .unwrap()
    {
        RequestOutcome::Accepted { procedure, .. } => procedure,
        o => panic!("{serial}: {o:?}"),
    }
}

const KILL_ROUNDS: u64 = 400;

/// The child processes of the kill test: one recovery instance accepting requests for
/// cards 0, 1, 2, ... and printing each procedure it saw committed.
#[test]
fn zz_child_process_entry() {
    let Some(role) = child_role() else {
        return; // only a child started by the test below runs anything here
    };
    assert_eq!(role, "requester", "unknown role {role}");
    let url = std::env::var("CIE_PG_CHILD_URL").unwrap();
    let first: u64 = std::env::var("CIE_PG_CHILD_FIRST")
        .unwrap()
        .parse()
        .unwrap();
    let reg = kill_registry(KILL_ROUNDS);
    let mut svc = instance(&url, &reg, T0);
    for round in first..KILL_ROUNDS {
        let id = request_card(&mut svc, &kill_serial(round), round);
        println!("committed {}", id.to_hex());
    }
}

/// A recovery instance killed (SIGKILL) at a random moment, possibly holding the operation
/// lock in the middle of a commit: the server rolls its transaction back and frees the lock;
/// every procedure it reported committed is in the journal exactly once; another instance
/// goes on at once; the whole journal verifies.
#[test]
fn pg_rec_fault_instance_killed_mid_commit_loses_nothing_blocks_no_one() {
    use std::io::{BufRead, BufReader};
    let Some(url) = fresh_schema(
        "pg_rec_fault_instance_killed_mid_commit_loses_nothing_blocks_no_one",
        "t_rec_kill",
    ) else {
        return;
    };
    drop(PgRecoveryStore::connect(&url).unwrap());
    let reg = kill_registry(KILL_ROUNDS);
    let mut rng_kill = Rng(0x0bad_cafe_1234_5678);
    let mut reported: Vec<String> = Vec::new();
    let mut next_card = 0u64;
    let mut survivor_cards = Vec::new();
    for round in 0..4u64 {
        let mut victim = spawn_child(
            CHILD_ENTRY,
            "requester",
            &[
                ("CIE_PG_CHILD_URL", url.clone()),
                ("CIE_PG_CHILD_FIRST", next_card.to_string()),
            ],
        );
        // Wait for the victim's first commit (however slow the machine), then let it run a
        // random while more, and kill it wherever it is.
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let out = BufReader::new(victim.stdout.take().unwrap());
        let reader = std::thread::spawn(move || {
            for line in out.lines() {
                let Ok(line) = line else { break };
                if let Some((_, id)) = line.split_once("committed ")
                    && tx.send(id.trim().to_string()).is_err()
                {
                    break;
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the victim commits");
        let before = reported.len();
        reported.push(first);
        std::thread::sleep(Duration::from_millis(rng_kill.next() % 400));
        victim.kill().unwrap(); // SIGKILL
        victim.wait().unwrap();
        reader.join().unwrap();
        reported.extend(rx.try_iter());
        // The next victim starts after every card this one may have committed (one more than
        // it reported: it may die between its commit and its line).
        next_card += u64::try_from(reported.len() - before).unwrap() + 2;
        // The lock of the dead instance is gone: another instance works at once.
        let card = KILL_ROUNDS - 1 - round;
        let mut other = instance(&url, &reg, T0);
        survivor_cards.push(request_card(&mut other, &kill_serial(card), 1000 + round).to_hex());
        assert!(
            next_card < KILL_ROUNDS - 4,
            "too many rounds for the registry"
        );
    }
    let store = PgRecoveryStore::connect(&url).unwrap();
    let journal = store.journal().unwrap();
    verify_journal(&journal).unwrap();
    for id in reported.iter().chain(&survivor_cards) {
        let n = journal
            .iter()
            .filter(|e| {
                e.kind == EventKind::RequestAccepted
                    && e.procedure.map(|p| p.to_hex()) == Some(id.clone())
            })
            .count();
        assert_eq!(n, 1, "procedure {id} accepted {n} times");
    }
}
