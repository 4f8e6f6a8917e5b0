//! The recovery database tried as an attacker who can write the file but does not hold the
//! service secret (from which the journal's signing key is derived): an edited procedure
//! row, with or without a dropped trigger, a clock mark moved forward, a released procedure
//! opened again, a released procedure's row restored from an older backup, a rolled-back file — each refused when the service opens, with its own
//! error. I6: random edits of the file never release a PUK before the 48 hours.
#![cfg(all(feature = "emulator", feature = "sqlite"))]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use std::path::PathBuf;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{self, FileAnchor, IntegrityError, ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::recovery::{
    CompletionOutcome, MemoryRegistry, ProcedureId, PukRecovery, RecoveryConfig, RecoveryError,
    RecoveryRequest, RecoveryStoreError, RequestOutcome, SqliteRecoveryStore,
};
use proptest::prelude::*;
use recovery_support::*;

struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let p = std::env::temp_dir().join(format!("cie-rec-tamper-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDb(p)
    }
    fn db(&self) -> PathBuf {
        self.0.join("recovery.sqlite")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

type Svc<'a> = PukRecovery<
    SqliteRecoveryStore,
    &'a MemoryRegistry,
    &'a mut RecordingNotifier,
    &'a ManualClock,
>;

fn open<'a>(
    db: &TempDb,
    reg: &'a MemoryRegistry,
    n: &'a mut RecordingNotifier,
    clock: &'a ManualClock,
) -> Result<Svc<'a>, RecoveryError> {
    let store = SqliteRecoveryStore::open(db.db()).map_err(RecoveryError::Store)?;
    PukRecovery::open(store, reg, n, clock, secret(), RecoveryConfig::default())
}

fn request(svc: &mut Svc<'_>) -> ProcedureId {
    let mut r = rng(1);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let key = device_key();
    let o = svc
        .request(
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
        .unwrap();
    let RequestOutcome::Accepted { procedure, .. } = o else {
        panic!("{o:?}")
    };
    procedure
}

/// Runs `sql` on the file; with `cover`, the triggers are dropped first and put back after.
fn edit(db: &TempDb, sql: &str, cover: bool) -> rusqlite::Result<()> {
    let c = rusqlite::Connection::open(db.db()).unwrap();
    let triggers: Vec<(String, String)> = c
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .map(Result::unwrap)
        .collect();
    if cover {
        for (name, _) in &triggers {
            c.execute_batch(&format!("DROP TRIGGER {name}"))?;
        }
    }
    let r = c.execute_batch(sql);
    if cover {
        for (_, sql) in &triggers {
            c.execute_batch(sql)?;
        }
    }
    r
}

fn refused(r: Result<Svc<'_>, RecoveryError>) -> IntegrityError {
    match r {
        Err(RecoveryError::Store(RecoveryStoreError::Integrity(e))) => e,
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("the tampered store was opened"),
    }
}

/// A procedure requested at T0, the service closed.
fn requested(db: &TempDb, reg: &MemoryRegistry, clock: &ManualClock) -> ProcedureId {
    let mut n = RecordingNotifier::new();
    let mut svc = open(db, reg, &mut n, clock).unwrap();
    request(&mut svc)
}

#[test]
fn tamper_recovery_row_edited_refused() {
    let db = TempDb::new("row");
    let (reg, clock) = (registry(), clock());
    requested(&db, &reg, &clock);
    // Allowed by the triggers (not a final state, the request time unchanged), but not what
    // the signed journal says: a code issued and sent, the wrong count reset.
    edit(
        &db,
        &format!(
            "UPDATE recovery_procedures SET state = 'code-issued', code_hash = zeroblob(32),
                 code_generation = 1, code_issued_at = {T0}, code_sent = 1, wrong = 0"
        ),
        false,
    )
    .unwrap();
    let mut n = RecordingNotifier::new();
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::RecordMismatch { seq: 1 }
    );
}

#[test]
fn tamper_recovery_row_edited_trigger_dropped_refused() {
    // The attack of the issue: drop the trigger, move the request time back 48 hours; one
    // hour after the real request, a tick would send the completion code (I6).
    let db = TempDb::new("trigger");
    let (reg, clock) = (registry(), clock());
    requested(&db, &reg, &clock);
    // Without the trigger, the edit passes the database.
    assert!(
        edit(
            &db,
            &format!("UPDATE recovery_procedures SET requested_at = requested_at - {H48}"),
            false
        )
        .is_err()
    );
    edit(
        &db,
        &format!("UPDATE recovery_procedures SET requested_at = requested_at - {H48}"),
        true,
    )
    .unwrap();
    clock.set(Timestamp(T0 + 3600));
    let mut n = RecordingNotifier::new();
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::RecordMismatch { seq: 1 }
    );
    assert!(n.sent.is_empty());
    // The trigger dropped and left out: refused as such.
    let c = rusqlite::Connection::open(db.db()).unwrap();
    c.execute_batch("DROP TRIGGER recovery_request_time_fixed")
        .unwrap();
    drop(c);
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::TriggerMissing("recovery_request_time_fixed")
    );
}

#[test]
fn tamper_recovery_clock_mark_moved_forward_refused() {
    // I6: the clock mark only goes forward in the database, so a trigger allows this; the
    // signed head's time says otherwise.
    let db = TempDb::new("clock");
    let (reg, clock) = (registry(), clock());
    requested(&db, &reg, &clock);
    edit(
        &db,
        &format!("UPDATE recovery_clock SET high_water = high_water + {H48}"),
        false,
    )
    .unwrap();
    let mut n = RecordingNotifier::new();
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::ClockMark {
            found: T0 + H48,
            signed: T0
        }
    );
}

#[test]
fn tamper_recovery_released_procedure_reopened_refused() {
    let db = TempDb::new("released");
    let (reg, clock) = (registry(), clock());
    let id = requested(&db, &reg, &clock);
    let mut n = RecordingNotifier::new();
    let released_seq = {
        let mut svc = open(&db, &reg, &mut n, &clock).unwrap();
        clock.set(Timestamp(T0 + H48));
        assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 1);
        let code = last_code(svc.notifier());
        let mut r = rng(3);
        let ch = svc.challenge(SERIAL, &mut r).unwrap();
        let out = svc.complete(&id, &code, &sign(&ch), &mut r).unwrap();
        assert!(matches!(out, CompletionOutcome::Released(_)));
        svc.signed_head().unwrap().size
    };
    // The released flag taken back (the final-state trigger dropped and put back).
    edit(
        &db,
        "UPDATE recovery_procedures SET state = 'code-issued', closed_at = NULL",
        true,
    )
    .unwrap();
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::RecordMismatch { seq: released_seq }
    );
}

/// Issue 10's gap: the released procedure's row put back exactly as an older backup had it
/// (code issued and sent, pointing at its genuine older record, every trigger back in
/// place). The row matches that record; the journal wrote the procedure again later.
#[test]
fn tamper_recovery_restored_final_row_refused() {
    let db = TempDb::new("restored");
    let (reg, clock) = (registry(), clock());
    let id = requested(&db, &reg, &clock);
    let mut n = RecordingNotifier::new();
    let backup = db.0.join("backup.sqlite");
    let (sent_seq, released_seq) = {
        let mut svc = open(&db, &reg, &mut n, &clock).unwrap();
        clock.set(Timestamp(T0 + H48));
        assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 1);
        let sent_seq = svc.signed_head().unwrap().size;
        // The backup, taken while the code was out.
        svc.store()
            .connection()
            .execute_batch(&format!("VACUUM INTO '{}'", backup.display()))
            .unwrap();
        let code = last_code(svc.notifier());
        let mut r = rng(3);
        let ch = svc.challenge(SERIAL, &mut r).unwrap();
        let out = svc.complete(&id, &code, &sign(&ch), &mut r).unwrap();
        assert!(matches!(out, CompletionOutcome::Released(_)));
        (sent_seq, svc.signed_head().unwrap().size)
    };
    edit(
        &db,
        &format!(
            "ATTACH '{}' AS old;
             UPDATE recovery_procedures SET (state, wrong, code_hash, code_generation,
                 code_issued_at, code_sent, closed_at, journal_seq) =
               (SELECT state, wrong, code_hash, code_generation, code_issued_at, code_sent,
                       closed_at, journal_seq
                FROM old.recovery_procedures o WHERE o.id = recovery_procedures.id);
             DETACH old;",
            backup.display()
        ),
        true,
    )
    .unwrap();
    clock.set(Timestamp(T0 + H48 + 3600));
    assert_eq!(
        refused(open(&db, &reg, &mut n, &clock)),
        IntegrityError::SupersededRecord {
            seq: sent_seq,
            latest: released_seq
        }
    );
}

#[test]
fn tamper_recovery_restored_final_row_refused_in_memory() {
    let (reg, clock) = (registry(), clock());
    let mut store = cie_pinpuk::recovery::MemoryRecoveryStore::new();
    let mut n = RecordingNotifier::new();
    let (id, old_row, sent_seq, released_seq) = {
        let mut svc = PukRecovery::open(
            &mut store,
            &reg,
            &mut n,
            &clock,
            secret(),
            RecoveryConfig::default(),
        )
        .unwrap();
        let mut r = rng(1);
        let ch = svc.challenge(SERIAL, &mut r).unwrap();
        let typed = contacts(Some(EMAIL), Some(MOBILE));
        let key = device_key();
        let proof = sign(&ch);
        let RequestOutcome::Accepted { procedure: id, .. } = svc
            .request(
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
            .unwrap()
        else {
            panic!("refused")
        };
        clock.set(Timestamp(T0 + H48));
        assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 1);
        let old_row = svc.procedure(&id).unwrap();
        let sent_seq = svc.signed_head().unwrap().size;
        let code = last_code(svc.notifier());
        let ch = svc.challenge(SERIAL, &mut r).unwrap();
        let out = svc.complete(&id, &code, &sign(&ch), &mut r).unwrap();
        assert!(matches!(out, CompletionOutcome::Released(_)));
        (id, old_row, sent_seq, svc.signed_head().unwrap().size)
    };
    assert_eq!(old_row.journal_seq, sent_seq);
    store.put_back(old_row);
    assert_eq!(
        store.procedure_mut(&id).unwrap().state,
        cie_pinpuk::recovery::ProcedureState::CodeIssued
    );
    let r = PukRecovery::open(
        &mut store,
        &reg,
        &mut n,
        &clock,
        secret(),
        RecoveryConfig::default(),
    );
    match r {
        Err(RecoveryError::Store(RecoveryStoreError::Integrity(e))) => assert_eq!(
            e,
            IntegrityError::SupersededRecord {
                seq: sent_seq,
                latest: released_seq
            }
        ),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("the restored row was opened"),
    }
}

#[test]
fn tamper_recovery_rolled_back_file_refused() {
    let db = TempDb::new("rolled");
    let (reg, clock) = (registry(), clock());
    let anchor = db.0.join("recovery.anchor");
    let mut n = RecordingNotifier::new();
    {
        let mut svc = open(&db, &reg, &mut n, &clock)
            .unwrap()
            .with_anchor(Box::new(FileAnchor::new(&anchor)))
            .unwrap();
        request(&mut svc);
    }
    let copy = db.0.join("old.sqlite");
    std::fs::copy(db.db(), &copy).unwrap();
    let size = {
        let mut svc = open(&db, &reg, &mut n, &clock)
            .unwrap()
            .with_anchor(Box::new(FileAnchor::new(&anchor)))
            .unwrap();
        clock.set(Timestamp(T0 + H48));
        svc.tick(&mut rng(2)).unwrap();
        svc.signed_head().unwrap().size
    };
    std::fs::copy(&copy, db.db()).unwrap();
    let r = open(&db, &reg, &mut n, &clock)
        .unwrap()
        .with_anchor(Box::new(FileAnchor::new(&anchor)));
    assert_eq!(
        refused(r),
        IntegrityError::RolledBack {
            found: 1,
            anchored: size
        }
    );
}

#[test]
fn p3_an_auditor_checks_the_recovery_journal_with_the_service_log_key() {
    let db = TempDb::new("audit");
    let (reg, clock) = (registry(), clock());
    let mut n = RecordingNotifier::new();
    let mut svc = open(&db, &reg, &mut n, &clock).unwrap();
    request(&mut svc);
    let seen = svc.signed_head().unwrap();
    clock.set(Timestamp(T0 + H48));
    svc.tick(&mut rng(2)).unwrap();
    let now = svc.signed_head().unwrap();
    let key = svc.log_key();
    let j = svc.journal().unwrap();
    for e in &j {
        journal::verify_inclusion(&key, &now, &e.hash, &svc.inclusion_proof(e.seq).unwrap())
            .unwrap();
    }
    journal::verify_consistency(
        &key,
        &seen,
        &now,
        &svc.consistency_proof(seen.size).unwrap(),
    )
    .unwrap();
}

/// One edit an attacker could make to the file.
#[derive(Clone, Debug)]
enum Edit {
    RequestedAt(u64),
    CodeSent,
    State(&'static str),
    Wrong(u32),
    ClockMark(u64),
    JournalSeq(u64),
    DeleteProcedure,
    JournalDetail,
    DeleteLastHead,
}

impl Edit {
    fn sql(&self) -> String {
        match self {
            Edit::RequestedAt(d) => {
                format!("UPDATE recovery_procedures SET requested_at = requested_at - {d}")
            }
            Edit::CodeSent => format!(
                "UPDATE recovery_procedures SET state = 'code-issued', code_hash = zeroblob(32),
                     code_generation = 1, code_issued_at = {T0}, code_sent = 1"
            ),
            Edit::State(s) => format!("UPDATE recovery_procedures SET state = '{s}'"),
            Edit::Wrong(w) => format!("UPDATE recovery_procedures SET wrong = {w}"),
            Edit::ClockMark(d) => {
                format!("UPDATE recovery_clock SET high_water = high_water + {d}")
            }
            Edit::JournalSeq(s) => format!("UPDATE recovery_procedures SET journal_seq = {s}"),
            Edit::DeleteProcedure => "DELETE FROM recovery_procedures".into(),
            Edit::JournalDetail => {
                "UPDATE recovery_journal SET detail = replace(detail, 'requested_at', 'requested_at=1 x')"
                    .into()
            }
            Edit::DeleteLastHead => {
                "DELETE FROM recovery_heads WHERE size = (SELECT MAX(size) FROM recovery_heads)"
                    .into()
            }
        }
    }
}

fn an_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (1u64..=4 * H48).prop_map(Edit::RequestedAt),
        Just(Edit::CodeSent),
        prop_oneof![
            Just("code-issued"),
            Just("released"),
            Just("expired"),
            Just("closed")
        ]
        .prop_map(Edit::State),
        (0u32..5).prop_map(Edit::Wrong),
        (1u64..=4 * H48).prop_map(Edit::ClockMark),
        (0u64..4).prop_map(Edit::JournalSeq),
        Just(Edit::DeleteProcedure),
        Just(Edit::JournalDetail),
        Just(Edit::DeleteLastHead),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// I6: whatever is edited in the file (with the triggers covered or not), the service
    /// either refuses to open or releases nothing before the 48 hours.
    #[test]
    fn i6_random_edits_of_the_file_never_release_a_puk_early(
        edits in prop::collection::vec((an_edit(), any::<bool>()), 1..4),
        hours in prop::collection::vec(1u64..48, 1..4),
    ) {
        let db = TempDb::new("prop");
        let (reg, clock) = (registry(), clock());
        let id = requested(&db, &reg, &clock);
        for (e, cover) in &edits {
            let _ = edit(&db, &e.sql(), *cover);
        }
        let mut n = RecordingNotifier::new();
        let Ok(mut svc) = open(&db, &reg, &mut n, &clock) else {
            return Ok(());
        };
        let mut r = rng(9);
        for h in hours {
            clock.set(Timestamp(T0 + h * 3600));
            let _ = svc.tick(&mut r);
            prop_assert!(svc.notifier().sent.is_empty(), "a code sent {h} hours after the request");
            let code = cie_pinpuk::recovery::CompletionCode::parse("12345678").unwrap();
            let Ok(ch) = svc.challenge(SERIAL, &mut r) else { continue };
            let out = svc.complete(&id, &code, &sign(&ch), &mut r);
            prop_assert!(!matches!(out, Ok(CompletionOutcome::Released(_))), "released after {h} hours");
        }
    }
}
