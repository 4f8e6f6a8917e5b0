//! The JSON form (feature `serde`, documented in `docs/json.md`): requests, profiles,
//! decisions and activation answers round-trip through JSON unchanged, under random requests
//! and random profiles; the form of a decision is stable; no code or half is serialisable.
#![cfg(feature = "serde")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/policy_engine.rs"]
mod harness;

use std::marker::PhantomData;

use cie_pinpuk::codes::{CodeKind, FirstHalf, Pin, Puk, SecondHalf};
use cie_pinpuk::policy::*;
use cie_pinpuk::recovery::activation::{
    self, MobileOnRecord, Presence, Reader, WithCard, WithoutCard,
};
use proptest::prelude::*;

fn round_trip<T>(v: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let text = serde_json::to_string(v).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn profiles() -> impl Strategy<Value = Profile> {
    proptest::collection::vec(any::<u8>(), 0..48)
        .prop_map(|b| harness::profile(&mut harness::Cursor::new(&b)))
}

fn cases() -> impl Strategy<Value = (Request, Profile)> {
    proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| harness::decode(&b))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn json_profile_round_trips(p in profiles()) {
        prop_assert_eq!(round_trip(&p), p);
    }

    #[test]
    fn json_request_and_decision_round_trip((r, p) in cases()) {
        prop_assert_eq!(&round_trip(&r), &r);
        let d = evaluate(&r, &p);
        prop_assert_eq!(round_trip(&d), d);
    }

    #[test]
    fn json_activation_answers_round_trip(bits in any::<u8>(), reader in 0u8..7) {
        let half = FirstHalf::new(CodeKind::Puk, "1234").unwrap();
        let facts = WithoutCard {
            fiscal_code: (bits & 1 != 0).then_some("RSSMRA85T10A562S"),
            serial: (bits & 2 != 0).then_some("CA12345AB"),
            puk_first_half: (bits & 4 != 0).then_some(&half),
            mobile: if bits & 8 != 0 { MobileOnRecord::Registered } else { MobileOnRecord::NotRegistered },
        };
        let e = activation::levels_1_2(&facts);
        prop_assert_eq!(round_trip(&e), e);
        let with = WithCard {
            card: if bits & 16 != 0 { Presence::Present } else { Presence::Absent },
            pin: if bits & 32 != 0 { Presence::Present } else { Presence::Absent },
            reader: [Reader::NfcPhoneWithCieId, Reader::NfcPhoneWithoutCieId, Reader::PhoneWithoutNfc,
                Reader::ComputerWithReaderAndSoftware, Reader::ComputerWithReaderWithoutSoftware,
                Reader::ComputerWithoutReader, Reader::None][usize::from(reader)],
        };
        prop_assert_eq!(round_trip(&with), with);
        let e = activation::level_3(&with);
        prop_assert_eq!(round_trip(&e), e);
    }
}

#[test]
fn json_form_of_a_decision_is_stable() {
    let mut r = Request::new(
        Requester::Holder,
        Channel::Counter,
        VisitTime {
            date: CivilDate::new(2026, 3, 2).unwrap(),
            time: TimeOfDay::new(10, 0).unwrap(),
        },
    );
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.wanted = HalfSet::both(CodeKind::Puk);
    r.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario.rossi@pec.it").unwrap());
    let d = evaluate(&r, &Profile::national());
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["profile"]["name"], "national");
    assert_eq!(v["profile"]["version"], "2026.1");
    assert_eq!(v["profile"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        v["deliveries"],
        serde_json::json!([{ "code": "puk", "half": "first", "channel": "paper",
            "destination": { "in-person": "holder" }, "rule": "R3" }])
    );
    assert_eq!(
        v["refusals"],
        serde_json::json!([{ "rule": "R5", "subject": { "half": ["puk", "second"] },
            "reason": "pec-address" }])
    );
    let rv = serde_json::to_value(&r).unwrap();
    assert_eq!(
        rv["at"],
        serde_json::json!({ "date": "2026-03-02", "time": "10:00" })
    );
    assert_eq!(rv["wanted"], serde_json::json!(["puk-first", "puk-second"]));
    assert_eq!(
        rv["second_half_to"],
        serde_json::json!({ "email": "mario.rossi@pec.it" })
    );
}

#[test]
fn json_bad_input_is_a_typed_error() {
    let mut v = serde_json::to_value(Profile::national()).unwrap();
    v["opening"] = serde_json::json!({ "hours": { "regular": [{ "days": ["mon"], "from": "25:00", "to": "13:00", "except": [] }], "admission": "walk-in", "seasons": [] } });
    assert!(serde_json::from_value::<Profile>(v).is_err());
    assert!(serde_json::from_str::<EmailAddress>("\"not an address\"").is_err());
    assert!(serde_json::from_str::<CivilDate>("\"2025-02-29\"").is_err());
}

// No code or half is serialisable: `Probe::<T>::SERIALIZABLE` is true only for `T: Serialize`.
trait NotSerializable {
    const SERIALIZABLE: bool = false;
}
struct Probe<T>(PhantomData<T>);
impl<T> NotSerializable for Probe<T> {}
#[allow(dead_code)]
impl<T: serde::Serialize> Probe<T> {
    const SERIALIZABLE: bool = true;
}

#[test]
fn json_secrets_are_not_serialisable() {
    // Checked when the test is compiled: a Serialize impl on a code or half fails the build.
    const {
        assert!(Probe::<Decision>::SERIALIZABLE);
        assert!(!Probe::<FirstHalf>::SERIALIZABLE);
        assert!(!Probe::<SecondHalf>::SERIALIZABLE);
        assert!(!Probe::<Pin>::SERIALIZABLE);
        assert!(!Probe::<Puk>::SERIALIZABLE);
    }
}
