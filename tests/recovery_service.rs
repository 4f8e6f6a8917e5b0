//! The PUK self-recovery service (docs/rules.md P1-P4, I6; docs/testing.md P-POL2, P-POL5), end to end
//! over the in-memory store, the recording notifier and a manual clock.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{Clock, Timestamp};
use cie_pinpuk::notify::{Recipient, RecordingNotifier};
use cie_pinpuk::policy::{Contacts, RuleId};
use cie_pinpuk::recovery::{
    Challenge, CompletionCode, CompletionOutcome, EventKind, JournalBreak, MemoryRecoveryStore,
    PossessionProof, ProcedureId, ProcedureState, RecoveryError, RecoveryRequest, RefusalReason,
    RequestOutcome, verify_journal,
};
use recovery_support::*;

/// The bundled text of `x` in `lang` (an error if the language lacks the message).
fn text(lang: &str, x: &impl cie_pinpuk::i18n::Localize) -> String {
    cie_pinpuk::i18n::Texts::bundled()
        .localizer_for(lang)
        .try_text(x)
        .unwrap()
}

fn request_with(
    svc: &mut Service<'_>,
    typed: &Contacts,
    nis: &str,
    code: CodeKind,
    seed: u64,
) -> RequestOutcome {
    let mut r = rng(seed);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let key = device_key();
    svc.request(
        &RecoveryRequest {
            code,
            serial: SERIAL,
            nis,
            contacts: typed,
            proof: &proof,
            device_key: &key,
        },
        &mut r,
    )
    .unwrap()
}

fn request(svc: &mut Service<'_>, seed: u64) -> RequestOutcome {
    request_with(
        svc,
        &contacts(Some(EMAIL), Some(MOBILE)),
        NIS,
        CodeKind::Puk,
        seed,
    )
}

fn accepted(o: RequestOutcome) -> (ProcedureId, Timestamp) {
    match o {
        RequestOutcome::Accepted {
            procedure,
            not_before,
        } => (procedure, not_before),
        RequestOutcome::Refused(r) => panic!("refused: {r}"),
    }
}

fn refused(o: RequestOutcome) -> RefusalReason {
    match o {
        RequestOutcome::Refused(r) => {
            assert_eq!(r.rule, r.reason.rule());
            r.reason
        }
        RequestOutcome::Accepted { .. } => panic!("accepted"),
    }
}

fn complete(
    svc: &mut Service<'_>,
    id: &ProcedureId,
    code: &CompletionCode,
    seed: u64,
) -> CompletionOutcome {
    let mut r = rng(seed);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    svc.complete(id, code, &proof, &mut r).unwrap()
}

fn refusal(o: CompletionOutcome) -> RefusalReason {
    match o {
        CompletionOutcome::Refused(r) => r.reason,
        CompletionOutcome::Released(_) => panic!("released"),
    }
}

#[test]
fn p3_full_procedure_releases_the_puk_after_48_hours_sealed_for_the_device() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, not_before) = accepted(request(&mut svc, 1));
    assert_eq!(not_before, Timestamp(T0 + H48));
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Pending);

    clock.set(Timestamp(T0 + H48 - 1));
    let report = svc.tick(&mut rng(2)).unwrap();
    assert_eq!(report.codes_sent, 0);
    assert!(svc.notifier().sent.is_empty());

    clock.set(Timestamp(T0 + H48));
    let report = svc.tick(&mut rng(3)).unwrap();
    assert_eq!(report.codes_sent, 1);
    let sent = &svc.notifier().sent[0];
    // SMS to the registered mobile (preferred over the e-mail).
    assert!(matches!(&sent.to, Recipient::Sms(m) if m.as_str() == "+393331234567"));
    assert!(sent.body.contains("48"));
    let code = last_code(svc.notifier());
    assert_eq!(
        svc.procedure(&id).unwrap().state,
        ProcedureState::CodeIssued
    );
    // A second tick does not send another code.
    assert_eq!(svc.tick(&mut rng(4)).unwrap().codes_sent, 0);

    let sealed = match complete(&mut svc, &id, &code, 5) {
        CompletionOutcome::Released(s) => s,
        CompletionOutcome::Refused(r) => panic!("{r}"),
    };
    assert_eq!(sealed.first.len(), 256);
    assert_eq!(sealed.second.len(), 256);
    assert_eq!(open_sealed(&sealed, &id.to_hex()), PUK);
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Released);

    let journal = svc.journal().unwrap();
    let kinds: Vec<EventKind> = journal.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::RequestAccepted,
            EventKind::CodeIssued,
            EventKind::CodeSent,
            EventKind::Released
        ]
    );
    verify_journal(&journal).unwrap();
}

#[test]
fn p_pol2_the_recovery_journal_is_a_hash_chain_that_shows_any_edit() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let code = last_code(svc.notifier());
    assert!(matches!(
        complete(&mut svc, &id, &code, 3),
        CompletionOutcome::Released(_)
    ));
    let journal = svc.journal().unwrap();
    assert_eq!(journal.len(), 4);
    verify_journal(&journal).unwrap();
    assert_eq!(journal[0].prev, [0; 32]);
    assert_eq!(journal[1].prev, journal[0].hash);

    // An edited detail (say, a shorter wait), a removed record, two records swapped.
    let mut edited = journal.clone();
    edited[3].detail = edited[3].detail.replace("waited=172800", "waited=180000");
    assert_eq!(
        verify_journal(&edited),
        Err(JournalBreak::Content { seq: 4 })
    );
    let mut removed = journal.clone();
    removed.remove(1);
    assert_eq!(
        verify_journal(&removed),
        Err(JournalBreak::Sequence {
            expected: 2,
            found: 3
        })
    );
    let mut swapped = journal.clone();
    swapped.swap(1, 2);
    swapped[1].seq = 2;
    swapped[2].seq = 3;
    assert!(verify_journal(&swapped).is_err());
    // The chain continues across a restart.
    drop(svc);
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    clock.advance(60);
    let _ = complete(&mut svc, &id, &code, 4);
    let journal = svc.journal().unwrap();
    assert_eq!(journal.len(), 5);
    verify_journal(&journal).unwrap();
}

#[test]
fn p3_notification_by_email_when_only_an_email_is_registered() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry_with(contacts(Some(EMAIL), None)),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let typed = contacts(Some("Mario.Rossi@EXAMPLE.it"), None);
    accepted(request_with(&mut svc, &typed, NIS, CodeKind::Puk, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    assert!(matches!(&svc.notifier().sent[0].to, Recipient::Email(e) if e.as_str() == EMAIL));
}

#[test]
fn p1_refused_when_no_contacts_were_registered() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry_with(Contacts::default()),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let o = request_with(&mut svc, &Contacts::default(), NIS, CodeKind::Puk, 1);
    assert_eq!(refused(o), RefusalReason::NoContactsRegistered);
    assert_eq!(RefusalReason::NoContactsRegistered.rule(), RuleId::P1);
    assert!(text("it", &RefusalReason::NoContactsRegistered).contains("Comune"));
    let j = svc.journal().unwrap();
    assert_eq!(j.len(), 1);
    assert_eq!(j[0].kind, EventKind::RequestRefused);
    assert_eq!(j[0].rules, [RuleId::P1]);
    assert_eq!(svc.procedures().count(), 0);
}

#[test]
fn p2_refused_when_the_contacts_do_not_match_without_saying_which() {
    let cases = [
        contacts(Some(EMAIL), None),
        contacts(None, Some(MOBILE)),
        contacts(Some("other@example.it"), Some(MOBILE)),
        contacts(Some(EMAIL), Some("+39 333 7654321")),
        contacts(None, None),
    ];
    for (i, typed) in cases.iter().enumerate() {
        let (mut store, reg, mut notifier, clock) = (
            MemoryRecoveryStore::new(),
            registry(),
            RecordingNotifier::new(),
            clock(),
        );
        let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
        let o = request_with(&mut svc, typed, NIS, CodeKind::Puk, i as u64);
        // One and the same refusal whichever slot differs.
        assert_eq!(refused(o), RefusalReason::NoMatch, "case {i}");
        let j = svc.journal().unwrap();
        assert_eq!(j[0].rules, [RuleId::P2]);
        assert_eq!(j[0].detail, "reason=no-match");
    }
}

#[test]
fn p2_refused_when_the_nis_does_not_match() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let o = request_with(&mut svc, &typed, "123456789013", CodeKind::Puk, 1);
    assert_eq!(refused(o), RefusalReason::NoMatch);
}

#[test]
fn p2_refused_without_a_valid_card_possession_proof() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let key = device_key();
    let mut r = rng(9);
    let try_proof = |svc: &mut Service<'_>, serial: &str, proof: &PossessionProof| {
        refused(
            svc.request(
                &RecoveryRequest {
                    code: CodeKind::Puk,
                    serial,
                    nis: NIS,
                    contacts: &typed,
                    proof,
                    device_key: &key,
                },
                &mut rng(10),
            )
            .unwrap(),
        )
    };
    // A challenge the service never issued.
    let forged = sign(&Challenge::from_bytes([7; 32]));
    assert_eq!(
        try_proof(&mut svc, SERIAL, &forged),
        RefusalReason::CardNotVerified
    );
    // A signature over another challenge.
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let mut bad = sign(&Challenge::from_bytes([8; 32]));
    bad.challenge = ch;
    assert_eq!(
        try_proof(&mut svc, SERIAL, &bad),
        RefusalReason::CardNotVerified
    );
    // The challenge was consumed by the failed attempt: the right signature now fails too.
    assert_eq!(
        try_proof(&mut svc, SERIAL, &sign(&ch)),
        RefusalReason::CardNotVerified
    );
    // A challenge issued for another serial.
    let other = svc.challenge(OTHER_SERIAL, &mut r).unwrap();
    assert_eq!(
        try_proof(&mut svc, SERIAL, &sign(&other)),
        RefusalReason::CardNotVerified
    );
    // An unregistered serial: same refusal (nothing says the serial is unknown).
    assert_eq!(
        try_proof(&mut svc, OTHER_SERIAL, &sign(&other)),
        RefusalReason::CardNotVerified
    );
    // An expired challenge.
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    clock.advance(svc.config().challenge_ttl_secs);
    assert_eq!(
        try_proof(&mut svc, SERIAL, &sign(&ch)),
        RefusalReason::CardNotVerified
    );
    // A truncated signature.
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let mut short = sign(&ch);
    short.signature.truncate(255);
    assert_eq!(
        try_proof(&mut svc, SERIAL, &short),
        RefusalReason::CardNotVerified
    );
    assert_eq!(svc.procedures().count(), 0);
    let details: Vec<String> = svc
        .journal()
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(details.contains(&"reason=card-not-verified proof=unknown-challenge".to_string()));
    assert!(details.contains(&"reason=card-not-verified proof=bad-signature".to_string()));
    assert!(details.contains(&"reason=card-not-verified proof=challenge-expired".to_string()));
}

#[test]
fn p2_a_card_with_another_key_is_not_accepted() {
    let mut reg = registry();
    reg.insert(
        SERIAL,
        cie_pinpuk::recovery::CardRecord {
            nis: NIS.into(),
            servizi_key: wrong_public(),
            contacts: contacts(Some(EMAIL), Some(MOBILE)),
        },
        cie_pinpuk::Puk::new(PUK).unwrap(),
    );
    let (mut store, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    assert_eq!(
        refused(request(&mut svc, 1)),
        RefusalReason::CardNotVerified
    );
}

#[test]
fn p4_only_the_puk_can_be_recovered_online() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let o = request_with(&mut svc, &typed, NIS, CodeKind::Pin, 1);
    assert_eq!(refused(o), RefusalReason::PukOnly);
    assert_eq!(RefusalReason::PukOnly.rule(), RuleId::P4);
    // The PUK request for the same card is accepted, and journaled under P1-P4.
    accepted(request(&mut svc, 2));
    let j = svc.journal().unwrap();
    assert_eq!(
        j.last().unwrap().rules,
        [RuleId::P1, RuleId::P2, RuleId::P3, RuleId::P4]
    );
}

#[test]
fn p3_no_completion_before_48_hours_even_with_a_valid_proof() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, not_before) = accepted(request(&mut svc, 1));
    for offset in [0, 3600, H48 - 1] {
        clock.set(Timestamp(T0 + offset));
        svc.tick(&mut rng(2)).unwrap();
        let guess = CompletionCode::parse("00000000").unwrap();
        assert_eq!(
            refusal(complete(&mut svc, &id, &guess, 3)),
            RefusalReason::TooEarly { not_before }
        );
    }
    // Attempts before the 48 hours are not counted as wrong completions.
    assert_eq!(svc.procedure(&id).unwrap().wrong_completions, 0);
}

#[test]
fn p3_wrong_completions_are_bounded_then_the_procedure_closes() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let right = last_code(svc.notifier());
    let wrong = {
        let mut d = *right.expose_ascii();
        d[0] = if d[0] == b'9' { b'0' } else { d[0] + 1 };
        CompletionCode::parse(std::str::from_utf8(&d).unwrap()).unwrap()
    };
    assert_eq!(
        refusal(complete(&mut svc, &id, &wrong, 3)),
        RefusalReason::WrongCode { remaining: 2 }
    );
    // A failed card proof counts as well.
    let ch = svc.challenge(SERIAL, &mut rng(4)).unwrap();
    let mut bad = sign(&ch);
    bad.signature[10] ^= 1;
    assert_eq!(
        refusal(svc.complete(&id, &right, &bad, &mut rng(5)).unwrap()),
        RefusalReason::CardNotVerified
    );
    assert_eq!(
        refusal(complete(&mut svc, &id, &wrong, 6)),
        RefusalReason::Closed
    );
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Closed);
    // Closed: even the right code releases nothing.
    assert_eq!(
        refusal(complete(&mut svc, &id, &right, 7)),
        RefusalReason::Closed
    );
    assert!(
        svc.journal()
            .unwrap()
            .iter()
            .any(|e| e.kind == EventKind::Closed)
    );
}

#[test]
fn p3_an_unfinished_procedure_expires() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let code = last_code(svc.notifier());
    clock.advance(svc.config().completion_window_secs);
    assert_eq!(
        refusal(complete(&mut svc, &id, &code, 3)),
        RefusalReason::Expired
    );
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Expired);
    // A new request may start afresh, with a new 48 hours.
    let (id2, not_before) = accepted(request(&mut svc, 4));
    assert_ne!(id, id2);
    assert_eq!(not_before, Timestamp(clock.now().0 + H48));
}

#[test]
fn p3_tick_expires_pending_procedures_past_their_window() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48 + svc.config().completion_window_secs);
    let report = svc.tick(&mut rng(2)).unwrap();
    assert_eq!(report.expired, 1);
    assert_eq!(report.codes_sent, 0);
    assert_eq!(svc.procedure(&id).unwrap().state, ProcedureState::Expired);
}

#[test]
fn p3_a_second_request_while_pending_does_not_restart_the_clock() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, not_before) = accepted(request(&mut svc, 1));
    clock.advance(3600);
    assert_eq!(
        refused(request(&mut svc, 2)),
        RefusalReason::AlreadyOpen {
            procedure: id,
            not_before
        }
    );
    assert_eq!(svc.procedures().count(), 1);
}

#[test]
fn p3_a_code_that_could_not_be_sent_is_replaced_at_the_next_tick() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    notifier.fail_next = 1;
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    let report = svc.tick(&mut rng(2)).unwrap();
    assert_eq!(report.notification_failures, 1);
    assert!(svc.notifier().sent.is_empty());
    let report = svc.tick(&mut rng(3)).unwrap();
    assert_eq!(report.codes_sent, 1);
    let stored = svc.procedure(&id).unwrap().code.unwrap();
    assert_eq!(stored.generation, 2);
    assert!(stored.sent);
    let code = last_code(svc.notifier());
    assert!(matches!(
        complete(&mut svc, &id, &code, 4),
        CompletionOutcome::Released(_)
    ));
}

#[test]
fn i6_the_puk_is_released_once() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let code = last_code(svc.notifier());
    assert!(matches!(
        complete(&mut svc, &id, &code, 3),
        CompletionOutcome::Released(_)
    ));
    assert_eq!(
        refusal(complete(&mut svc, &id, &code, 4)),
        RefusalReason::AlreadyReleased
    );
    assert_eq!(RefusalReason::AlreadyReleased.rule(), RuleId::I6);
}

#[test]
fn i6_a_clock_going_backwards_does_not_move_now_back() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    // The service saw T0 + 10 h, then the clock is set back to T0 before the request.
    clock.set(Timestamp(T0 + 36_000));
    svc.tick(&mut rng(1)).unwrap();
    clock.set(Timestamp(T0));
    let (id, not_before) = accepted(request(&mut svc, 2));
    // The request time is the highest reading seen, never the earlier one.
    assert_eq!(
        svc.procedure(&id).unwrap().requested_at,
        Timestamp(T0 + 36_000)
    );
    assert_eq!(not_before, Timestamp(T0 + 36_000 + H48));
    // 48 hours after the (wrong, earlier) reading are not enough.
    clock.set(Timestamp(T0 + H48));
    assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 0);
    clock.set(Timestamp(T0 + 36_000 + H48));
    assert_eq!(svc.tick(&mut rng(4)).unwrap().codes_sent, 1);
    let j = svc.journal().unwrap();
    let behind: Vec<_> = j
        .iter()
        .filter(|e| e.kind == EventKind::ClockBehind)
        .collect();
    assert!(!behind.is_empty());
    assert_eq!(
        behind[0].detail,
        format!("reading={} kept={}", T0, T0 + 36_000)
    );
}

#[test]
fn i6_a_restart_in_the_middle_of_the_48_hours_loses_nothing() {
    let (mut store, reg, clock) = (MemoryRecoveryStore::new(), registry(), clock());
    let mut notifier = RecordingNotifier::new();
    let id = {
        let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
        let (id, _) = accepted(request(&mut svc, 1));
        clock.advance(24 * 3600);
        svc.tick(&mut rng(2)).unwrap();
        id
    };
    // The machine restarts with its clock reset to the request time.
    clock.set(Timestamp(T0));
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let p = svc.procedure(&id).unwrap();
    assert_eq!(p.requested_at, Timestamp(T0));
    assert_eq!(p.state, ProcedureState::Pending);
    // "Now" resumes from the last journaled decision (the request): the tick in between
    // decided nothing, and the clock mark is persisted with decisions only.
    assert_eq!(svc.high_water(), Some(Timestamp(T0)));
    // The wait is measured from the stored request time, not from the restart.
    clock.set(Timestamp(T0 + H48));
    assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 1);
    let code = last_code(svc.notifier());
    drop(svc);
    // And a restart between the notification and the completion keeps the code valid.
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    assert!(matches!(
        complete(&mut svc, &id, &code, 4),
        CompletionOutcome::Released(_)
    ));
}

#[test]
fn i6_a_failed_store_write_releases_nothing() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let code = last_code(svc.notifier());
    let ch = svc.challenge(SERIAL, &mut rng(3)).unwrap();
    let proof = sign(&ch);
    // The clock has not moved since the challenge, so the release is the only write of the
    // completion: make it fail.
    svc.store_mut().fail_next = 1;
    let err = svc.complete(&id, &code, &proof, &mut rng(4));
    assert!(matches!(
        err,
        Err(RecoveryError::Store(
            cie_pinpuk::recovery::RecoveryStoreError::Unavailable
        ))
    ));
    assert_eq!(
        svc.procedure(&id).unwrap().state,
        ProcedureState::CodeIssued
    );
    drop(svc);
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    assert_eq!(
        svc.procedure(&id).unwrap().state,
        ProcedureState::CodeIssued
    );
    assert!(matches!(
        complete(&mut svc, &id, &code, 5),
        CompletionOutcome::Released(_)
    ));
}

#[test]
fn p_pol2_the_journal_and_debug_output_hold_no_puk_and_no_code() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let (id, _) = accepted(request(&mut svc, 1));
    clock.advance(H48);
    svc.tick(&mut rng(2)).unwrap();
    let code = last_code(svc.notifier());
    let code_text = std::str::from_utf8(code.expose_ascii())
        .unwrap()
        .to_string();
    let wrong = CompletionCode::parse("00000000").unwrap();
    let _ = complete(&mut svc, &id, &wrong, 3);
    let released = complete(&mut svc, &id, &code, 4);
    let all = format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        svc.journal().unwrap(),
        svc.procedure(&id),
        released,
        code
    );
    assert!(!all.contains(PUK));
    assert!(!all.contains(&code_text));
    for e in svc.journal().unwrap() {
        assert!(!e.detail.contains(PUK) && !e.detail.contains(&code_text));
        assert!(!e.detail.contains(&PUK[..4]) && !e.detail.contains(&PUK[4..]));
    }
}

#[test]
fn p_pol5_the_cool_down_is_enforced_by_the_engine_not_the_caller() {
    // Whatever the caller does (ticks, completions with guessed codes, restarts), nothing
    // comes out before the 48 hours: the engine holds the rule.
    let (mut store, reg, clock) = (MemoryRecoveryStore::new(), registry(), clock());
    let mut notifier = RecordingNotifier::new();
    let id = {
        let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
        accepted(request(&mut svc, 1)).0
    };
    for step in 0..48u64 {
        clock.set(Timestamp(T0 + step * 3600 + 1800));
        let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
        svc.tick(&mut rng(step)).unwrap();
        let guess = CompletionCode::parse(&format!("{:08}", step * 1_234_567)).unwrap();
        assert!(matches!(
            refusal(complete(&mut svc, &id, &guess, step)),
            RefusalReason::TooEarly { .. }
        ));
    }
    assert!(notifier.sent.is_empty());
}

#[test]
fn p2_a_malformed_serial_is_refused_and_not_kept() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let long = "X".repeat(10_000);
    let mut r = rng(1);
    let ch = svc.challenge(&long, &mut r).unwrap();
    let proof = sign(&ch);
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let key = device_key();
    let o = svc
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial: &long,
                nis: NIS,
                contacts: &typed,
                proof: &proof,
                device_key: &key,
            },
            &mut r,
        )
        .unwrap();
    assert_eq!(refused(o), RefusalReason::NoMatch);
    let j = svc.journal().unwrap();
    assert_eq!(j[0].card, "");
    assert_eq!(j[0].detail, "reason=no-match serial=malformed");
    // A lower-case serial with spaces around is the same card.
    let ch = svc.challenge(" ca12345ab ", &mut r).unwrap();
    let proof = sign(&ch);
    let o = svc
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial: " ca12345ab ",
                nis: NIS,
                contacts: &typed,
                proof: &proof,
                device_key: &key,
            },
            &mut r,
        )
        .unwrap();
    let (id, _) = accepted(o);
    assert_eq!(svc.procedure(&id).unwrap().serial, SERIAL);
}
