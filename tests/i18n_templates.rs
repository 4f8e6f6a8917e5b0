//! The second-half e-mail and SMS as templates per Comune and language (R5: never to a PEC;
//! the body shows one half, once; the subject shows none).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, SecondHalf};
use cie_pinpuk::i18n::{BUNDLED, Texts};
use cie_pinpuk::notify::{IdempotencyKey, NotifyError, Office, SecondHalfTemplate};
use cie_pinpuk::policy::{BuiltinPecList, EmailAddress, MobileNumber};

fn office() -> Office {
    Office {
        comune: "Bolzano".into(),
        office: "Ufficio anagrafe".into(),
        phone: "0471 997111".into(),
        email: "anagrafe@comune.example.it".into(),
    }
}

fn key() -> IdempotencyKey {
    IdempotencyKey::from_stored("k-1")
}

#[test]
fn t1_second_half_templates_name_the_comune_and_show_one_half_once() {
    let texts = Texts::bundled();
    let office = office();
    for code in [CodeKind::Pin, CodeKind::Puk] {
        let half = SecondHalf::new(code, "5068").unwrap();
        for (lang, _) in BUNDLED {
            let loc = texts.localizer_for(lang);
            let t = SecondHalfTemplate::new(&loc, &office);
            let mail = t
                .email(
                    key(),
                    EmailAddress::parse("mario.rossi@example.com").unwrap(),
                    &half,
                    &BuiltinPecList,
                )
                .unwrap();
            let sms = t
                .sms(key(), MobileNumber::parse("3331234567").unwrap(), &half)
                .unwrap();
            for m in [&mail, &sms] {
                let body = m.expose_body();
                assert_eq!(body.matches("5068").count(), 1, "{lang}: {body}");
                assert!(body.contains("Bolzano"), "{lang}: {body}");
                assert!(body.contains("0471 997111"), "{lang}: {body}");
                assert!(body.contains(&code.to_string()), "{lang}: {body}");
                assert!(!m.subject.contains("5068"), "{lang}: {}", m.subject);
                assert!(m.subject.contains("Bolzano"), "{lang}: {}", m.subject);
                // No Fluent markup, no placeholder left.
                assert!(!body.contains('{') && !body.contains('\u{F8FF}'), "{body}");
            }
            assert!(mail.expose_body().contains("anagrafe@comune.example.it"));
            assert!(
                sms.expose_body().chars().count() <= 160,
                "{lang}: SMS too long: {}",
                sms.expose_body()
            );
        }
    }
}

#[test]
fn t2_a_template_that_repeats_or_drops_the_half_is_refused() {
    let office = office();
    let half = SecondHalf::new(CodeKind::Pin, "5068").unwrap();
    let to = || MobileNumber::parse("3331234567").unwrap();
    let cases = [
        "second-half-sms = { $half } { $half }",
        "second-half-sms = Comune di { $comune }: nessuna cifra",
        "second-half-subject = codice { $half }\nsecond-half-sms = { $half }",
    ];
    for override_ftl in cases {
        let mut texts = Texts::bundled();
        texts.add_ftl("it", override_ftl).unwrap();
        let loc = texts.localizer_for("it");
        let r = SecondHalfTemplate::new(&loc, &office).sms(key(), to(), &half);
        assert!(
            matches!(r, Err(NotifyError::Template(_))),
            "{override_ftl}: {r:?}"
        );
    }
    // An integrator's own wording with one half is accepted (per Comune, per language).
    let mut texts = Texts::bundled();
    texts
        .add_ftl("fr", "second-half-subject = Commune de { $comune }\nsecond-half-sms = Commune de { $comune } : deuxième moitié du { $code } : { $half }.")
        .unwrap();
    let loc = texts.localizer_for("fr");
    let m = SecondHalfTemplate::new(&loc, &office)
        .sms(key(), to(), &half)
        .unwrap();
    assert_eq!(
        m.expose_body(),
        "Commune de Bolzano : deuxième moitié du PIN : 5068."
    );
}

#[test]
fn r5_second_half_email_template_refuses_a_pec_address() {
    let texts = Texts::bundled();
    let loc = texts.localizer_for("de");
    let office = office();
    let half = SecondHalf::new(CodeKind::Puk, "5068").unwrap();
    let r = SecondHalfTemplate::new(&loc, &office).email(
        key(),
        EmailAddress::parse("mario.rossi@pec.it").unwrap(),
        &half,
        &BuiltinPecList,
    );
    assert!(matches!(r, Err(NotifyError::PecDestination)));
}
