//! The recovery service at its seams with mockall (feature `mock`): a failing card register
//! or notifier changes nothing durable beyond what is journaled (docs/rules.md P2, P3, I6).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::Timestamp;
use cie_pinpuk::notify::{MockNotifier, NotifyError, Recipient};
use cie_pinpuk::recovery::{
    CardRecord, EventKind, MemoryRecoveryStore, MockCardRegistry, ProcedureState, PukRecovery,
    RecoveryConfig, RecoveryError, RecoveryRequest, RegistryError, RequestOutcome,
};
use recovery_support::*;

fn record() -> CardRecord {
    CardRecord {
        nis: NIS.into(),
        servizi_key: servizi_public(),
        contacts: contacts(None, Some(MOBILE)),
    }
}

#[test]
fn p2_an_unavailable_register_is_an_error_and_changes_nothing() {
    let mut reg = MockCardRegistry::new();
    reg.expect_card()
        .returning(|_| Err(RegistryError::Unavailable));
    let mut store = MemoryRecoveryStore::new();
    let mut notifier = MockNotifier::new();
    notifier.expect_send().never();
    let clock = clock();
    let mut svc = PukRecovery::open(
        &mut store,
        reg,
        &mut notifier,
        &clock,
        secret(),
        RecoveryConfig::default(),
    )
    .unwrap();
    let mut r = rng(1);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let typed = contacts(None, Some(MOBILE));
    let key = device_key();
    let err = svc.request(
        &RecoveryRequest {
            code: CodeKind::Puk,
            serial: SERIAL,
            nis: NIS,
            contacts: &typed,
            proof: &proof,
            device_key: &key,
        },
        &mut r,
    );
    assert!(matches!(
        err,
        Err(RecoveryError::Registry(RegistryError::Unavailable))
    ));
    assert_eq!(svc.procedures().count(), 0);
    assert!(svc.journal().unwrap().is_empty());
}

#[test]
fn p3_the_code_goes_by_sms_once_and_a_gateway_failure_is_journaled() {
    let mut reg = MockCardRegistry::new();
    reg.expect_card().returning(|_| Ok(Some(record())));
    let mut notifier = MockNotifier::new();
    let mut seq = mockall::Sequence::new();
    notifier
        .expect_send()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Err(NotifyError::Gateway("the mocked gateway is down".into())));
    notifier
        .expect_send()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|m| {
            matches!(&m.to, Recipient::Sms(n) if n.as_str() == "+393331234567")
                && m.expose_body().contains("48")
        })
        .returning(|_| Ok(()));
    let mut store = MemoryRecoveryStore::new();
    let clock = clock();
    let mut svc = PukRecovery::open(
        &mut store,
        reg,
        &mut notifier,
        &clock,
        secret(),
        RecoveryConfig::default(),
    )
    .unwrap();
    let mut r = rng(1);
    let ch = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = sign(&ch);
    let typed = contacts(None, Some("3331234567"));
    let key = device_key();
    let outcome = svc
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
    let RequestOutcome::Accepted { procedure, .. } = outcome else {
        panic!("{outcome:?}")
    };
    clock.set(Timestamp(T0 + H48));
    assert_eq!(svc.tick(&mut r).unwrap().notification_failures, 1);
    assert_eq!(svc.tick(&mut r).unwrap().codes_sent, 1);
    assert_eq!(svc.tick(&mut r).unwrap().codes_sent, 0);
    assert_eq!(
        svc.procedure(&procedure).unwrap().state,
        ProcedureState::CodeIssued
    );
    let j = svc.journal().unwrap();
    let kinds: Vec<EventKind> = j.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::RequestAccepted,
            EventKind::CodeIssued,
            EventKind::NotificationFailed,
            EventKind::CodeIssued,
            EventKind::CodeSent
        ]
    );
    assert_eq!(
        j[2].detail,
        "generation=1 error=the mail or SMS gateway failed"
    );
    // The record that writes the procedure names its digest (checked when the service opens).
    assert!(j[4].detail.starts_with("generation=2 channel=sms record="));
}
