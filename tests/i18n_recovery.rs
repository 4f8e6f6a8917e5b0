//! The recovery service's completion-code SMS and e-mail come from the Fluent bundles in the
//! service's language (it/en/de), show the code exactly once, and complete the procedure; a
//! text that would show the code twice is not sent (P3).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::i18n::Texts;
use cie_pinpuk::journal::Timestamp;
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::recovery::{
    CompletionOutcome, EventKind, MemoryRecoveryStore, RecoveryRequest, RequestOutcome,
};
use recovery_support::*;

fn request(svc: &mut Service<'_>) -> cie_pinpuk::recovery::ProcedureId {
    let mut r = rng(1);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let key = device_key();
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    match svc
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
    {
        RequestOutcome::Accepted { procedure, .. } => procedure,
        RequestOutcome::Refused(r) => panic!("refused: {r}"),
    }
}

#[test]
fn p3_completion_code_message_in_the_services_language() {
    let cases = [
        (None, "CIE: recupero del PUK", "sono trascorse 48 ore"),
        (
            Some("it"),
            "CIE: recupero del PUK",
            "inserisca nell'app CieID il codice",
        ),
        (Some("en"), "CIE: PUK recovery", "enter the code"),
        (
            Some("de_IT.UTF-8"),
            "CIE: Wiederherstellung der PUK",
            "geben Sie in der App CieID den Code",
        ),
    ];
    for (lang, subject, phrase) in cases {
        let (mut store, reg, mut notifier, clock) = (
            MemoryRecoveryStore::new(),
            registry(),
            RecordingNotifier::new(),
            clock(),
        );
        let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
        if let Some(l) = lang {
            svc = svc.with_language(l);
        }
        let id = request(&mut svc);
        clock.set(Timestamp(T0 + H48));
        assert_eq!(svc.tick(&mut rng(3)).unwrap().codes_sent, 1);
        let sent = &svc.notifier().sent[0];
        assert_eq!(sent.subject, subject, "{lang:?}");
        let body = sent.body.as_str();
        assert!(body.contains(phrase), "{lang:?}: {body}");
        let code = last_code(svc.notifier());
        let digits = std::str::from_utf8(code.expose_ascii())
            .unwrap()
            .to_string();
        assert_eq!(body.matches(digits.as_str()).count(), 1, "{lang:?}: {body}");
        // One language per message (the old text glued Italian and English).
        if lang.is_some_and(|l| l.starts_with("de") || l == "en") {
            assert!(!body.contains("inserisca"), "{body}");
        }
        let mut r = rng(5);
        let ch = svc.challenge(SERIAL, &mut r).unwrap();
        let proof = sign(&ch);
        assert!(matches!(
            svc.complete(&id, &code, &proof, &mut r).unwrap(),
            CompletionOutcome::Released(_)
        ));
    }
}

/// An integrator's text that would show the code twice is refused: nothing is sent, the
/// failure is journaled, and the next tick (with a right text) sends a code.
#[test]
fn p3_completion_text_showing_the_code_twice_is_not_sent() {
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut texts = Texts::bundled();
    texts
        .add_ftl(
            "it",
            "recovery-code-body = Codice { $code }, di nuovo: { $code }.",
        )
        .unwrap();
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock).with_texts(texts);
    request(&mut svc);
    clock.set(Timestamp(T0 + H48));
    let report = svc.tick(&mut rng(3)).unwrap();
    assert_eq!((report.codes_sent, report.notification_failures), (0, 1));
    assert!(svc.notifier().sent.is_empty());
    let kinds: Vec<EventKind> = svc.journal().unwrap().iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::NotificationFailed), "{kinds:?}");
    let svc = svc.with_texts(Texts::bundled());
    let mut svc = svc;
    assert_eq!(svc.tick(&mut rng(4)).unwrap().codes_sent, 1);
}
