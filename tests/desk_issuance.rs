//! The in-memory issuance backend: lookup, signed orders, all-or-nothing reprints, the paper
//! consent form (R6), contact updates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::issuance::*;
use cie_pinpuk::journal::{OrderSigner, SoftwareSigner, Timestamp};
use cie_pinpuk::policy::{ConsentForm, Contacts, HalfSet, HolderAge, MobileNumber};

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[9u8; 32]).unwrap()
}

fn order(card: &str, halves: HalfSet, paper: HalfSet) -> ReprintOrder {
    ReprintOrder {
        card: CardNumber::parse(card).unwrap(),
        halves,
        paper_second: paper,
        issued_at: Timestamp(1_767_225_600),
        decision_seq: 1,
    }
}

#[test]
fn issuance_lookup_returns_fixture_record() {
    let b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    let r = b.lookup(&CardNumber::parse("CA22222CC").unwrap()).unwrap();
    assert_eq!(r.holder, "Luca Verdi");
    assert_eq!(r.holder_age, HolderAge::Minor);
    assert_eq!(
        r.contacts.email.unwrap().as_str(),
        "famiglia.verdi@example.com"
    );
    assert_eq!(r.consent, ConsentForm::NotAcquired);
    assert_eq!(
        b.lookup(&CardNumber::parse("ZZ99999ZZ").unwrap()),
        Err(IssuanceError::UnknownCard)
    );
}

#[test]
fn issuance_reprint_returns_the_same_codes_on_a_signed_order() {
    let mut b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    let o = order("CA00000AA", HalfSet::ALL, HalfSet::EMPTY)
        .sign(&officer())
        .unwrap();
    let halves = b.reprint(&o).unwrap();
    let got: Vec<(CodeKind, Half, Vec<u8>)> = halves
        .iter()
        .map(|h| {
            let d = match h {
                ReprintedHalf::First(x) => x.expose_ascii().to_vec(),
                ReprintedHalf::Second(x) => x.expose_ascii().to_vec(),
            };
            (h.code(), h.half(), d)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (CodeKind::Pin, Half::First, b"7381".to_vec()),
            (CodeKind::Pin, Half::Second, b"9264".to_vec()),
            (CodeKind::Puk, Half::First, b"5061".to_vec()),
            (CodeKind::Puk, Half::Second, b"7283".to_vec()),
        ]
    );
    // A reprint is not a reset: the same codes again.
    assert_eq!(b.reprint(&o).unwrap().len(), 4);
    // No half's digits in Debug.
    assert!(!format!("{halves:?}").contains("7381"));
}

#[test]
fn issuance_refuses_unsigned_or_foreign_orders() {
    let mut b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    let mut o = order("CA00000AA", HalfSet::ALL, HalfSet::EMPTY)
        .sign(&officer())
        .unwrap();
    o.order.halves = HalfSet::both(CodeKind::Pin);
    assert!(matches!(
        b.reprint(&o),
        Err(IssuanceError::BadOrderSignature)
    ));
    let stranger = SoftwareSigner::from_bytes(&[3u8; 32]).unwrap();
    let o = order("CA00000AA", HalfSet::ALL, HalfSet::EMPTY)
        .sign(&stranger)
        .unwrap();
    assert!(matches!(
        b.reprint(&o),
        Err(IssuanceError::BadOrderSignature)
    ));
    b.set_state(&CardNumber::parse("CA00000AA").unwrap(), CardState::Revoked);
    let o = order("CA00000AA", HalfSet::ALL, HalfSet::EMPTY)
        .sign(&officer())
        .unwrap();
    assert!(matches!(
        b.reprint(&o),
        Err(IssuanceError::CardNotUsable(CardState::Revoked))
    ));
    assert_eq!(b.reprints, 0);
}

#[test]
fn issuance_failing_mid_way_releases_nothing() {
    let mut b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    b.faults.fail_reprint_after = Some(2);
    let o = order("CA00000AA", HalfSet::ALL, HalfSet::EMPTY)
        .sign(&officer())
        .unwrap();
    assert!(matches!(b.reprint(&o), Err(IssuanceError::Unavailable(_))));
    assert_eq!(b.reprints, 0);
    b.faults = Faults {
        unavailable: true,
        ..Faults::default()
    };
    assert!(matches!(
        b.lookup(&CardNumber::parse("CA00000AA").unwrap()),
        Err(IssuanceError::Unavailable(_))
    ));
}

#[test]
fn r6_issuance_paper_second_half_needs_the_acquired_consent_form() {
    let mut b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    let card = CardNumber::parse("CA11111BB").unwrap();
    let o = order(
        "CA11111BB",
        HalfSet::ALL,
        HalfSet::of(&[(CodeKind::Pin, Half::Second), (CodeKind::Puk, Half::Second)]),
    )
    .sign(&officer())
    .unwrap();
    assert!(matches!(b.reprint(&o), Err(IssuanceError::ConsentMissing)));
    let form = b.generate_consent_form(&card).unwrap();
    assert_eq!(
        b.acquire_signed_consent(
            &card,
            &SignedScan {
                form: ConsentFormId(999),
                document: vec![1]
            }
        ),
        Err(IssuanceError::UnknownConsentForm)
    );
    assert_eq!(
        b.acquire_signed_consent(
            &card,
            &SignedScan {
                form,
                document: vec![]
            }
        ),
        Err(IssuanceError::EmptyScan)
    );
    b.acquire_signed_consent(
        &card,
        &SignedScan {
            form,
            document: b"%PDF-1.7 firmato".to_vec(),
        },
    )
    .unwrap();
    assert_eq!(
        b.lookup(&card).unwrap().consent,
        ConsentForm::SignedAndAcquired
    );
    assert_eq!(b.reprint(&o).unwrap().len(), 4);
    // One consent, one paper reprint.
    assert_eq!(b.lookup(&card).unwrap().consent, ConsentForm::NotAcquired);
    // Paper second halves must be among the ordered halves.
    let bad = order(
        "CA11111BB",
        HalfSet::both(CodeKind::Pin),
        HalfSet::of(&[(CodeKind::Puk, Half::Second)]),
    )
    .sign(&officer())
    .unwrap();
    assert!(matches!(b.reprint(&bad), Err(IssuanceError::OrderMismatch)));
}

#[test]
fn r7_issuance_updates_contacts() {
    let mut b = InMemoryIssuance::with_fixtures(officer().verifying_key());
    let card = CardNumber::parse("CA11111BB").unwrap();
    let m = MobileNumber::parse("+393401112233").unwrap();
    b.update_contacts(
        &card,
        &Contacts {
            email: None,
            mobile: Some(m.clone()),
        },
    )
    .unwrap();
    assert_eq!(b.lookup(&card).unwrap().contacts.mobile, Some(m));
}
