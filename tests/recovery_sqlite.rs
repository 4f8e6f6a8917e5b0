//! The SQLite recovery store (feature `sqlite`): a restart in the middle of the 48 hours
//! loses nothing and does not restart the clock (docs/rules.md P3, I6); the database itself
//! refuses to move the clock mark back, re-base a request or edit the journal; records
//! round-trip.
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
use cie_pinpuk::journal::{ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::policy::RuleId;
use cie_pinpuk::recovery::{
    CompletionOutcome, EventKind, MemoryRegistry, ProcedureId, ProcedureRecord, ProcedureState,
    PukRecovery, RecoveryCommit, RecoveryConfig, RecoveryEvent, RecoveryRequest, RecoveryStore,
    RecoveryStoreError, RequestOutcome, SqliteRecoveryStore, StoredCode,
};
use proptest::prelude::*;
use recovery_support::*;

struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let mut p = std::env::temp_dir();
        p.push(format!("cie-pinpuk-{name}-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&p);
        TempDb(p)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut s = self.0.clone().into_os_string();
            s.push(suffix);
            let _ = std::fs::remove_file(s);
        }
    }
}

type SqlService<'a> = PukRecovery<
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
) -> SqlService<'a> {
    let store = SqliteRecoveryStore::open(&db.0).unwrap();
    PukRecovery::open(store, reg, n, clock, secret(), RecoveryConfig::default()).unwrap()
}

#[test]
fn i6_a_restart_over_sqlite_keeps_the_request_time_and_the_clock_mark() {
    let db = TempDb::new("restart");
    let reg = registry();
    let clock = clock();
    let mut notifier = RecordingNotifier::new();
    let id = {
        let mut svc = open(&db, &reg, &mut notifier, &clock);
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
        clock.set(Timestamp(T0 + 30 * 3600));
        svc.tick(&mut r).unwrap();
        procedure
    };
    // Restart with the clock back at the request time: the stored mark holds (the time of
    // the last journaled decision, the request; the tick at 30 hours decided nothing).
    clock.set(Timestamp(T0 - 60));
    let journal_before;
    {
        let mut svc = open(&db, &reg, &mut notifier, &clock);
        assert_eq!(svc.high_water(), Some(Timestamp(T0)));
        let p = svc.procedure(&id).unwrap();
        assert_eq!(p.requested_at, Timestamp(T0));
        assert_eq!(p.state, ProcedureState::Pending);
        assert_eq!(p.device_key, device_key());
        assert_eq!(svc.tick(&mut rng(5)).unwrap().codes_sent, 0);
        clock.set(Timestamp(T0 + H48 - 1));
        assert_eq!(svc.tick(&mut rng(2)).unwrap().codes_sent, 0);
        clock.set(Timestamp(T0 + H48));
        assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 1);
        journal_before = svc.journal().unwrap();
    }
    let code = last_code(&notifier);
    let mut svc = open(&db, &reg, &mut notifier, &clock);
    assert_eq!(svc.journal().unwrap(), journal_before);
    let stored = svc.procedure(&id).unwrap().code.unwrap();
    assert!(stored.sent);
    assert_eq!(stored.generation, 1);
    let mut r = rng(4);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let CompletionOutcome::Released(sealed) = svc.complete(&id, &code, &sign(&ch), &mut r).unwrap()
    else {
        panic!("not released")
    };
    assert_eq!(open_sealed(&sealed, &id.to_hex()), PUK);
    let kinds: Vec<EventKind> = svc.journal().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::RequestAccepted,
            EventKind::ClockBehind,
            EventKind::CodeIssued,
            EventKind::CodeSent,
            EventKind::Released
        ]
    );
}

fn sealed(mut e: RecoveryEvent) -> RecoveryEvent {
    e.hash = e.content_hash();
    e
}

fn record(id: u8, requested_at: u64) -> ProcedureRecord {
    ProcedureRecord {
        id: ProcedureId::from_hex(&format!("{id:02x}").repeat(16)).unwrap(),
        serial: SERIAL.into(),
        requested_at: Timestamp(requested_at),
        device_key: device_key(),
        state: ProcedureState::Pending,
        wrong_completions: 0,
        code: None,
        closed_at: None,
        journal_seq: 0,
    }
}

#[test]
fn i6_the_database_refuses_to_rebase_a_request_move_the_clock_back_or_edit_the_journal() {
    let mut store = SqliteRecoveryStore::open_in_memory().unwrap();
    let p = record(1, T0);
    let e = sealed(RecoveryEvent {
        seq: 1,
        time: Timestamp(T0),
        kind: EventKind::RequestAccepted,
        procedure: Some(p.id),
        card: SERIAL.into(),
        rules: vec![RuleId::P3],
        detail: "x".into(),
        prev: [0; 32],
        hash: [0; 32],
    });
    store
        .commit(RecoveryCommit {
            high_water: Timestamp(T0),
            procedure: Some(&p),
            events: &[e],
            blocks: &[],
            head: None,
        })
        .unwrap();
    // Through the API: a re-based record, a lower mark, an out-of-sequence record.
    let rebased = record(1, T0 - 3600);
    assert!(matches!(
        store.commit(RecoveryCommit {
            high_water: Timestamp(T0),
            procedure: Some(&rebased),
            events: &[],
            blocks: &[],
            head: None,
        }),
        Err(RecoveryStoreError::Sqlite(_))
    ));
    assert!(matches!(
        store.commit(RecoveryCommit {
            high_water: Timestamp(T0 - 1),
            procedure: None,
            events: &[],
            blocks: &[],
            head: None,
        }),
        Err(RecoveryStoreError::HighWaterBack)
    ));
    // A record that does not chain to the stored journal (wrong prev), or with a wrong hash.
    let mut forged = sealed(RecoveryEvent {
        seq: 2,
        time: Timestamp(T0),
        kind: EventKind::Released,
        procedure: Some(p.id),
        card: SERIAL.into(),
        rules: vec![RuleId::I6],
        detail: "forged".into(),
        prev: [9; 32],
        hash: [0; 32],
    });
    assert!(matches!(
        store.commit(RecoveryCommit {
            high_water: Timestamp(T0),
            procedure: None,
            events: std::slice::from_ref(&forged),
            blocks: &[],
            head: None,
        }),
        Err(RecoveryStoreError::BrokenChain(2))
    ));
    forged.prev = store.load().unwrap().last_hash;
    forged.hash = [1; 32];
    assert!(matches!(
        store.commit(RecoveryCommit {
            high_water: Timestamp(T0),
            procedure: None,
            events: std::slice::from_ref(&forged),
            blocks: &[],
            head: None,
        }),
        Err(RecoveryStoreError::BrokenChain(2))
    ));
    // Directly in SQL.
    let c = store.connection();
    assert!(
        c.execute(
            "UPDATE recovery_procedures SET requested_at = requested_at - 3600",
            []
        )
        .is_err()
    );
    assert!(
        c.execute("UPDATE recovery_clock SET high_water = 0", [])
            .is_err()
    );
    assert!(c.execute("DELETE FROM recovery_journal", []).is_err());
    assert!(
        c.execute("UPDATE recovery_journal SET detail = 'y'", [])
            .is_err()
    );
    let snap = store.load().unwrap();
    assert_eq!(snap.high_water, Some(Timestamp(T0)));
    assert_eq!(snap.procedures, vec![p]);
    assert_eq!(snap.last_seq, 1);
}

#[test]
fn p3_the_recovery_tables_live_beside_the_desk_journal_in_one_file() {
    let db = TempDb::new("shared");
    let desk = cie_pinpuk::journal::SqliteStore::open(&db.0).unwrap();
    let mut rec = SqliteRecoveryStore::open(&db.0).unwrap();
    let p = record(2, T0);
    rec.commit(RecoveryCommit {
        high_water: Timestamp(T0),
        procedure: Some(&p),
        events: &[],
        blocks: &[],
        head: None,
    })
    .unwrap();
    drop(desk);
    drop(rec);
    let rec = SqliteRecoveryStore::open(&db.0).unwrap();
    assert_eq!(rec.load().unwrap().procedures, vec![p]);
}

fn state() -> impl Strategy<Value = ProcedureState> {
    prop_oneof![
        Just(ProcedureState::Pending),
        Just(ProcedureState::CodeIssued),
        Just(ProcedureState::Released),
        Just(ProcedureState::Expired),
        Just(ProcedureState::Closed),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn p3_procedure_records_round_trip_through_sqlite(
        id in any::<[u8; 16]>(),
        requested_at in 0u64..=i64::MAX as u64,
        st in state(),
        wrong in any::<u32>(),
        code in prop::option::of((any::<[u8; 32]>(), any::<u32>(), 0u64..=i64::MAX as u64, any::<bool>())),
        closed in prop::option::of(0u64..=i64::MAX as u64),
        detail in "[ -~]{0,40}",
    ) {
        let mut store = SqliteRecoveryStore::open_in_memory().unwrap();
        let p = ProcedureRecord {
            id: ProcedureId::from_hex(&hex::encode(id)).unwrap(),
            serial: SERIAL.into(),
            requested_at: Timestamp(requested_at),
            device_key: device_key(),
            state: st,
            wrong_completions: wrong,
            code: code.map(|(hash, generation, issued, sent)| StoredCode {
                hash, generation, issued_at: Timestamp(issued), sent,
            }),
            closed_at: closed.map(Timestamp),
            journal_seq: 1,
        };
        let e = sealed(RecoveryEvent {
            seq: 1,
            time: Timestamp(requested_at),
            kind: EventKind::CodeIssued,
            procedure: Some(p.id),
            card: SERIAL.into(),
            rules: vec![RuleId::P3, RuleId::I6],
            detail,
            prev: [0; 32],
            hash: [0; 32],
        });
        store.commit(RecoveryCommit { high_water: Timestamp(requested_at), procedure: Some(&p), events: std::slice::from_ref(&e) , blocks: &[], head: None}).unwrap();
        let snap = store.load().unwrap();
        // Only open procedures are loaded; any is read back by id.
        prop_assert_eq!(store.procedure(&p.id).unwrap(), Some(p.clone()));
        let open = if p.state.is_final() { vec![] } else { vec![p] };
        prop_assert_eq!(snap.procedures, open);
        prop_assert_eq!(store.journal().unwrap(), vec![e]);
        prop_assert_eq!(snap.high_water, Some(Timestamp(requested_at)));
    }
}

#[test]
fn i6_two_service_instances_over_one_file_release_the_puk_once() {
    let db = TempDb::new("twice");
    let reg = registry();
    let clock = clock();
    let mut n1 = RecordingNotifier::new();
    let mut n2 = RecordingNotifier::new();
    let id = {
        let mut svc = open(&db, &reg, &mut n1, &clock);
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
        clock.set(Timestamp(T0 + H48));
        svc.tick(&mut r).unwrap();
        procedure
    };
    let code = last_code(&n1);
    let code2 = cie_pinpuk::recovery::CompletionCode::parse(
        std::str::from_utf8(code.expose_ascii()).unwrap(),
    )
    .unwrap();
    // Both instances load the procedure with its code issued.
    let mut a = open(&db, &reg, &mut n1, &clock);
    let mut b = open(&db, &reg, &mut n2, &clock);
    let mut r = rng(2);
    let ch_a = a.challenge(SERIAL, &mut r).unwrap();
    let ch_b = b.challenge(SERIAL, &mut r).unwrap();
    let first = a.complete(&id, &code, &sign(&ch_a), &mut r).unwrap();
    assert!(matches!(first, CompletionOutcome::Released(_)));
    // The second instance's view is stale: its release does not chain, nothing comes out.
    let second = b.complete(&id, &code2, &sign(&ch_b), &mut r);
    assert!(
        matches!(second, Err(cie_pinpuk::recovery::RecoveryError::Store(_))),
        "{second:?}"
    );
    // Once reloaded, it sees the release and refuses (I6: once).
    b.reload().unwrap();
    let ch_b = b.challenge(SERIAL, &mut r).unwrap();
    let again = b.complete(&id, &code2, &sign(&ch_b), &mut r).unwrap();
    assert!(matches!(
        again,
        CompletionOutcome::Refused(r) if r.reason == cie_pinpuk::recovery::RefusalReason::AlreadyReleased
    ));
    drop((a, b));
    let svc = open(&db, &reg, &mut n2, &clock);
    let released = svc
        .journal()
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Released)
        .count();
    assert_eq!(released, 1);
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Released);
}
