//! Notifier and messages: the second-half message (the Comune's template) with the digits in
//! the body only, PEC destinations refused by the message and by the notifier (R5, I2),
//! deduplication by idempotency key, no digit in Debug; the failure kept with a pending
//! record holds no digit run of a half.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, Half, SecondHalf};
use cie_pinpuk::i18n::{Localizer, Texts};
use cie_pinpuk::notify::*;
use cie_pinpuk::policy::{BuiltinPecList, EmailAddress, MobileNumber};

fn office() -> Office {
    Office {
        comune: "Esempio".into(),
        office: "Ufficio anagrafe".into(),
        phone: "0123 456789".into(),
        email: "anagrafe@comune.esempio.it".into(),
    }
}

fn italian() -> Localizer {
    Texts::bundled().localizer_for("it")
}

fn second_half(
    key: IdempotencyKey,
    to: EmailAddress,
    half: &SecondHalf,
) -> Result<Message, NotifyError> {
    SecondHalfTemplate::new(&italian(), &office()).email(key, to, half, &BuiltinPecList)
}

fn key(n: u64) -> IdempotencyKey {
    IdempotencyKey::derive(
        "CA00000AA",
        n,
        CodeKind::Pin,
        Half::Second,
        &EmailAddress::parse("a@example.it").unwrap(),
    )
}

#[test]
fn notify_second_half_message_has_digits_only_in_body() {
    let half = SecondHalf::new(CodeKind::Puk, "9264").unwrap();
    let to = EmailAddress::parse("mario.rossi@example.it").unwrap();
    let m = second_half(key(1), to.clone(), &half).unwrap();
    assert_eq!(
        m.subject,
        "Comune di Esempio: seconda metà del PUK della carta d'identità elettronica"
    );
    assert_eq!(m.to, Recipient::Email(to));
    let body = m.expose_body();
    assert!(body.starts_with("Gentile titolare,"));
    assert_eq!(body.matches("\n    9264\n").count(), 1, "{body}");
    assert_eq!(body.matches("9264").count(), 1);
    let dbg = format!("{m:?}");
    assert!(!dbg.contains("9264"), "{dbg}");
    assert!(!m.subject.chars().any(|c| c.is_ascii_digit()));
}

#[test]
fn r5_notifier_refuses_pec_destinations_itself() {
    let half = SecondHalf::new(CodeKind::Pin, "1234").unwrap();
    let pec = EmailAddress::parse("mario.rossi@legalmail.it").unwrap();
    assert!(matches!(
        second_half(key(1), pec.clone(), &half),
        Err(NotifyError::PecDestination)
    ));
    // A message built another way is still refused by the notifier.
    let sneaky = Message::notice(key(2), Recipient::Email(pec), "x", "1234");
    let mut n = RecordingNotifier::new();
    assert!(matches!(n.send(&sneaky), Err(NotifyError::PecDestination)));
    assert!(n.sent.is_empty());
}

#[test]
fn notify_recording_notifier_deduplicates_by_key_and_sends_sms() {
    let mut n = RecordingNotifier::new();
    let half = SecondHalf::new(CodeKind::Pin, "1234").unwrap();
    let to = EmailAddress::parse("mario.rossi@example.it").unwrap();
    let m = second_half(key(7), to, &half).unwrap();
    n.send(&m).unwrap();
    n.send(&m).unwrap();
    assert_eq!(n.sent.len(), 1);
    let sms = Message::notice(
        key(8),
        Recipient::Sms(MobileNumber::parse("+393331234567").unwrap()),
        "CIE",
        "Codici ristampati.",
    );
    n.send(&sms).unwrap();
    assert_eq!(n.sent.len(), 2);
    n.fail_next = 1;
    assert!(matches!(
        n.send(&Message::notice(
            key(9),
            Recipient::Sms(MobileNumber::parse("3331234567").unwrap()),
            "a",
            "b"
        )),
        Err(NotifyError::Gateway(_))
    ));
    assert_eq!(n.sent.len(), 2);
}

#[test]
fn notify_idempotency_keys_are_stable_and_distinct() {
    let to = EmailAddress::parse("mario.rossi@example.it").unwrap();
    let a = IdempotencyKey::derive("CA00000AA", 3, CodeKind::Pin, Half::Second, &to);
    let b = IdempotencyKey::derive("CA00000AA", 3, CodeKind::Pin, Half::Second, &to);
    let c = IdempotencyKey::derive("CA00000AA", 3, CodeKind::Puk, Half::Second, &to);
    let d = IdempotencyKey::derive("CA00000AA", 4, CodeKind::Pin, Half::Second, &to);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, d);
    assert_eq!(a.as_str().len(), 64);
}

/// The detail kept with a failed delivery never holds a run of four digits (a half), and
/// says where the gateway's words came from.
#[test]
fn notify_failure_detail_masks_digit_runs() {
    assert_eq!(
        DeliveryFailure::mask_detail("550 5.1.1 user unknown; code 4712 seen\n"),
        "550 5.1.1 user unknown; code #### seen "
    );
    assert_eq!(
        DeliveryFailure::mask_detail("call 0123456789"),
        "call ##########"
    );
    let long = "x".repeat(500);
    assert_eq!(
        DeliveryFailure::mask_detail(&long).chars().count(),
        DeliveryFailure::DETAIL_MAX
    );
    let e = NotifyError::Gateway("smtp: 421 try again; body had 5068".into());
    assert_eq!(FailureKind::of(&e), FailureKind::Gateway);
    let d = DeliveryFailure::detail_of(&e);
    assert!(
        d.starts_with("the mail or SMS gateway failed: smtp: 421"),
        "{d}"
    );
    assert!(!d.contains("5068"), "{d}");
    for k in [
        FailureKind::Gateway,
        FailureKind::PecDestination,
        FailureKind::Template,
        FailureKind::HalfUnavailable,
        FailureKind::Other,
    ] {
        assert_eq!(FailureKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(FailureKind::parse("nope"), None);
}
