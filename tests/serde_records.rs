//! The JSON form (feature `serde`, documented in `docs/json.md`) of the records an integrator
//! sends over HTTP: journal entries, signed tree heads and proofs (P-POL2, I6's audit trail),
//! desk run summaries, recovery answers (P1-P4, I6). They round-trip unchanged under random
//! values; byte arrays are lower-case hex; reading checks what the constructors check; the
//! form of each type is pinned by one fixed text; no secret is serialisable.
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

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::{PrintJob, PrintLine, PrintSummary, ReprintDesk, RunReport, RunSummary};
use cie_pinpuk::issuance::{CardNumber, ConsentFormId, InMemoryIssuance, ReprintedHalf};
use cie_pinpuk::journal::{
    self, ConsistencyProof, Entry, EntryKind, Head, InclusionProof, Journal, ManualClock,
    MemoryStore, OrderSigner, SignedHead, SoftwareSigner, Timestamp,
};
use cie_pinpuk::notify::{IdempotencyKey, RecordingNotifier};
use cie_pinpuk::policy::*;
use cie_pinpuk::recovery::{
    CompletionCode, CompletionOutcome, ProcedureId, Refusal, RefusalReason, RequestOutcome,
    SealedPuk, ServiceSecret, TickReport,
};
use proptest::prelude::*;
use serde_json::json;

fn round_trip<T>(v: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let text = serde_json::to_string(v).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[7; 32]).unwrap()
}

const KINDS: [EntryKind; 9] = [
    EntryKind::Decision,
    EntryKind::ConsentFormGenerated,
    EntryKind::ConsentAcquired,
    EntryKind::ReprintOrdered,
    EntryKind::ReprintFailed,
    EntryKind::RedeliveryOrdered,
    EntryKind::PrintedOnPaper,
    EntryKind::NotificationSent,
    EntryKind::ContactsUpdated,
];

prop_compose! {
    fn entries()(
        prev in proptest::option::of((0u64..1_000_000, any::<[u8; 32]>())),
        time in any::<u64>(),
        kind in 0usize..KINDS.len(),
        rules in proptest::collection::vec(0usize..RuleId::ALL.len(), 0..5),
        card in "[A-Z0-9]{9}",
        detail in "[ -~\n]{0,60}",
    ) -> Entry {
        let rules = rules.into_iter().map(|i| RuleId::ALL[i]).collect();
        Entry::seal(prev, Timestamp(time), KINDS[kind], rules, &card, &detail, &officer()).unwrap()
    }
}

fn reasons() -> impl Strategy<Value = RefusalReason> {
    (0u8..11, any::<[u8; 16]>(), any::<u64>(), any::<u32>()).prop_map(|(i, id, t, n)| {
        let procedure = ProcedureId::from_hex(&hex(&id)).unwrap();
        match i {
            0 => RefusalReason::NoContactsRegistered,
            1 => RefusalReason::NoMatch,
            2 => RefusalReason::CardNotVerified,
            3 => RefusalReason::PukOnly,
            4 => RefusalReason::AlreadyOpen {
                procedure,
                not_before: Timestamp(t),
            },
            5 => RefusalReason::TooEarly {
                not_before: Timestamp(t),
            },
            6 => RefusalReason::WrongCode { remaining: n },
            7 => RefusalReason::Closed,
            8 => RefusalReason::Expired,
            9 => RefusalReason::AlreadyReleased,
            _ => RefusalReason::UnknownProcedure,
        }
    })
}

fn refusal(reason: RefusalReason) -> Refusal {
    Refusal {
        rule: reason.rule(),
        reason,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn key(i: u64) -> IdempotencyKey {
    IdempotencyKey::derive(
        "CA00000AA",
        i,
        CodeKind::Pin,
        Half::Second,
        &EmailAddress::parse("mario.rossi@example.it").unwrap(),
    )
}

prop_compose! {
    fn summaries()(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        decision_entry in 1u64..1_000,
        order in proptest::option::of(1u64..1_000),
        consent_form in proptest::option::of(any::<u64>()),
        contacts_updated in any::<bool>(),
        lines in proptest::option::of(proptest::collection::vec((0usize..4, any::<bool>(), any::<bool>()), 0..4)),
        sent in 0u64..3,
        pending in 0u64..3,
    ) -> RunSummary {
        let (request, profile) = harness::decode(&bytes);
        let order_entry = order.map(|o| decision_entry + o);
        let requesters = [Requester::Holder, Requester::ParentOfMinor, Requester::LegalRepresentative, Requester::Delegate];
        let print_job = order_entry.zip(lines).map(|(o, lines)| PrintSummary {
            card: CardNumber::parse("CA00000AA").unwrap(),
            order_entry: o,
            items: lines.into_iter().map(|(r, pin, first)| PrintLine {
                recipient: requesters[r],
                code: if pin { CodeKind::Pin } else { CodeKind::Puk },
                half: if first { Half::First } else { Half::Second },
            }).collect(),
        });
        let (sent, pending) = if order_entry.is_some() {
            ((0..sent).map(key).collect(), (10..10 + pending).map(key).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        RunSummary {
            decision: evaluate(&request, &profile),
            decision_entry,
            consent_form: consent_form.map(ConsentFormId),
            contacts_updated,
            order_entry,
            print_job,
            sent,
            pending,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// P-POL2: an entry round-trips and still verifies under the officer's key.
    #[test]
    fn json_entry_round_trips(e in entries()) {
        let back = round_trip(&e);
        prop_assert_eq!(&back, &e);
        prop_assert!(journal::verify_entry(&back, &officer().verifying_key()).is_ok());
        let v = serde_json::to_value(&e).unwrap();
        prop_assert_eq!(v["hash"].as_str().unwrap(), hex(&e.hash));
        prop_assert_eq!(v["signature"].as_str().unwrap(), hex(&e.signature));
    }

    /// P-POL2: an entry altered in transit is refused when read, never built.
    #[test]
    fn json_altered_entry_is_refused(e in entries(), extra in "[a-z]{1,8}") {
        let mut v = serde_json::to_value(&e).unwrap();
        v["detail"] = json!(format!("{}{extra}", e.detail));
        prop_assert!(serde_json::from_value::<Entry>(v).is_err());
    }

    #[test]
    fn json_heads_and_proofs_round_trip(
        size in 1u64..u64::MAX,
        root in any::<[u8; 32]>(),
        time in any::<u64>(),
        signature in any::<[u8; 64]>(),
        path in proptest::collection::vec(any::<[u8; 32]>(), 0..20),
        at in any::<u64>(),
    ) {
        let head = SignedHead { size, root, time: Timestamp(time), signature };
        prop_assert_eq!(round_trip(&head), head);
        let old = Head { seq: size, hash: root };
        prop_assert_eq!(round_trip(&old), old);
        let p = InclusionProof { seq: at % size + 1, size, path: path.clone() };
        prop_assert_eq!(round_trip(&p), p);
        let c = ConsistencyProof { old_size: at % size, new_size: size, path };
        prop_assert_eq!(round_trip(&c), c);
    }

    #[test]
    fn json_recovery_answers_round_trip(reason in reasons(), id in any::<[u8; 16]>(), t in any::<u64>(), n in any::<[usize; 3]>()) {
        prop_assert_eq!(round_trip(&reason), reason);
        let r = refusal(reason);
        prop_assert_eq!(round_trip(&r), r);
        let refused = RequestOutcome::Refused(r);
        prop_assert_eq!(round_trip(&refused), refused);
        let accepted = RequestOutcome::Accepted {
            procedure: ProcedureId::from_hex(&hex(&id)).unwrap(),
            not_before: Timestamp(t),
        };
        prop_assert_eq!(round_trip(&accepted), accepted);
        let tick = TickReport { codes_sent: n[0], notification_failures: n[1], expired: n[2] };
        prop_assert_eq!(round_trip(&tick), tick);
    }

    /// I6: a refusal whose rule is not its reason's rule is refused when read.
    #[test]
    fn json_refusal_with_another_rule_is_refused(reason in reasons(), other in 0usize..RuleId::ALL.len()) {
        let rule = RuleId::ALL[other];
        prop_assume!(rule != reason.rule());
        let mut v = serde_json::to_value(refusal(reason)).unwrap();
        v["rule"] = serde_json::to_value(rule).unwrap();
        prop_assert!(serde_json::from_value::<Refusal>(v).is_err());
    }

    #[test]
    fn json_run_summary_round_trips(s in summaries()) {
        prop_assert_eq!(round_trip(&s), s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// An auditor receives the signed heads and the proofs as JSON and checks them with the
    /// key only: they still verify after the trip.
    #[test]
    fn json_proofs_from_a_journal_still_verify(n in 1u64..9, seq in any::<u64>(), old in any::<u64>()) {
        let signer = officer();
        let key = signer.verifying_key();
        let clock = ManualClock::new(Timestamp(1_772_442_000));
        let mut j = Journal::open(MemoryStore::new(), &key).unwrap();
        for i in 0..n {
            j.append(&clock, &signer, EntryKind::Decision, vec![RuleId::R1], "CA00000AA",
                &format!("n={i}"), &[], None).unwrap();
            clock.advance(60);
        }
        let head = round_trip(&j.signed_head().unwrap());
        prop_assert!(head.verify(&key));
        let seq = seq % n + 1;
        let entry = round_trip(&j.entry(seq).unwrap().unwrap());
        let proof = round_trip(&j.inclusion_proof(seq).unwrap());
        prop_assert!(journal::verify_inclusion(&key, &head, &entry.hash, &proof).is_ok());
        let old = old % n + 1;
        let old_head = round_trip(&j.head_at(old).unwrap().unwrap());
        let c = round_trip(&j.consistency_proof(old).unwrap());
        prop_assert!(journal::verify_consistency(&key, &old_head, &head, &c).is_ok());
    }
}

#[test]
fn json_bad_records_are_typed_errors() {
    let e = Entry::seal(
        None,
        Timestamp(1_772_442_000),
        EntryKind::Decision,
        vec![RuleId::R1],
        "CA00000AA",
        "outcome=allowed",
        &officer(),
    )
    .unwrap();
    let good = serde_json::to_value(&e).unwrap();
    let with = |field: &str, value: serde_json::Value| {
        let mut v = good.clone();
        v[field] = value;
        serde_json::from_value::<Entry>(v)
    };
    assert!(with("seq", json!(0)).is_err());
    assert!(with("detail", json!("outcome=allowed\nseq=9")).is_err());
    assert!(with("kind", json!("Decision")).is_err());
    assert!(with("hash", json!(hex(&e.hash).to_uppercase())).is_err());
    assert!(with("hash", json!(e.hash.to_vec())).is_err());
    assert!(with("signature", json!(hex(&e.signature[..63]))).is_err());
    assert!(with("extra", json!(1)).is_err());
    assert!(with("rules", json!(["R99"])).is_err());

    let p = json!({ "seq": 0, "size": 3, "path": [] });
    assert!(serde_json::from_value::<InclusionProof>(p).is_err());
    let p = json!({ "seq": 4, "size": 3, "path": [] });
    assert!(serde_json::from_value::<InclusionProof>(p).is_err());
    let p = json!({ "seq": 1, "size": 3, "path": vec![hex(&[0; 32]); 65] });
    assert!(serde_json::from_value::<InclusionProof>(p).is_err());
    let p = json!({ "seq": 1, "size": 3, "path": ["zz"] });
    assert!(serde_json::from_value::<InclusionProof>(p).is_err());
    let c = json!({ "old_size": 4, "new_size": 3, "path": [] });
    assert!(serde_json::from_value::<ConsistencyProof>(c).is_err());

    assert!(serde_json::from_value::<ProcedureId>(json!("00")).is_err());
    assert!(serde_json::from_value::<ProcedureId>(json!(hex(&[0xab; 16]).to_uppercase())).is_err());
    assert!(serde_json::from_value::<CardNumber>(json!("ca00000aa")).is_err());
    assert!(serde_json::from_value::<CardNumber>(json!("CA0000")).is_err());
    assert!(serde_json::from_value::<IdempotencyKey>(json!("0123")).is_err());

    let s = RunSummary {
        decision: Decision::default(),
        decision_entry: 3,
        consent_form: None,
        contacts_updated: false,
        order_entry: Some(4),
        print_job: None,
        sent: vec![key(4)],
        pending: vec![],
    };
    let good = serde_json::to_value(&s).unwrap();
    let with = |field: &str, value: serde_json::Value| {
        let mut v = good.clone();
        v[field] = value;
        serde_json::from_value::<RunSummary>(v)
    };
    assert!(with("decision_entry", json!(0)).is_err());
    assert!(with("order_entry", json!(2)).is_err());
    assert!(with("order_entry", json!(null)).is_err());
    assert!(
        with(
            "print_job",
            json!({ "card": "CA00000AA", "order_entry": 5, "items": [] })
        )
        .is_err()
    );
    assert!(
        with(
            "print_job",
            json!({ "card": "CA00000AA", "order_entry": 4, "items": [] })
        )
        .is_ok()
    );
}

#[test]
fn json_form_of_an_entry_and_a_head_is_pinned() {
    let e = Entry::seal(
        None,
        Timestamp(1_772_442_000),
        EntryKind::ReprintOrdered,
        vec![RuleId::R3, RuleId::R4],
        "CA00000AA",
        "decision=1 halves=pin-first,pin-second",
        &officer(),
    )
    .unwrap();
    assert_eq!(serde_json::to_string(&e).unwrap(), PINNED_ENTRY);
    assert_eq!(serde_json::from_str::<Entry>(PINNED_ENTRY).unwrap(), e);

    let head = SignedHead::sign(1, [0x11; 32], Timestamp(1_772_442_000), &officer()).unwrap();
    assert_eq!(serde_json::to_string(&head).unwrap(), PINNED_HEAD);
    assert_eq!(
        serde_json::from_str::<SignedHead>(PINNED_HEAD).unwrap(),
        head
    );

    let p = InclusionProof {
        seq: 2,
        size: 3,
        path: vec![[0xab; 32], [0x01; 32]],
    };
    assert_eq!(serde_json::to_string(&p).unwrap(), PINNED_INCLUSION);
    let c = ConsistencyProof {
        old_size: 2,
        new_size: 3,
        path: vec![[0xcd; 32]],
    };
    assert_eq!(serde_json::to_string(&c).unwrap(), PINNED_CONSISTENCY);
}

#[test]
fn json_form_of_recovery_answers_is_pinned() {
    let id = ProcedureId::from_hex("00112233445566778899aabbccddeeff").unwrap();
    let accepted = RequestOutcome::Accepted {
        procedure: id,
        not_before: Timestamp(1_772_614_800),
    };
    assert_eq!(
        serde_json::to_string(&accepted).unwrap(),
        r#"{"accepted":{"procedure":"00112233445566778899aabbccddeeff","not_before":1772614800}}"#
    );
    let refused = RequestOutcome::Refused(refusal(RefusalReason::WrongCode { remaining: 2 }));
    assert_eq!(
        serde_json::to_string(&refused).unwrap(),
        r#"{"refused":{"rule":"P3","reason":{"wrong-code":{"remaining":2}}}}"#
    );
    let r = refusal(RefusalReason::NoContactsRegistered);
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"rule":"P1","reason":"no-contacts-registered"}"#
    );
    let open = refusal(RefusalReason::AlreadyOpen {
        procedure: id,
        not_before: Timestamp(1_772_614_800),
    });
    assert_eq!(
        serde_json::to_string(&open).unwrap(),
        r#"{"rule":"P3","reason":{"already-open":{"procedure":"00112233445566778899aabbccddeeff","not_before":1772614800}}}"#
    );
    assert_eq!(
        serde_json::to_string(&TickReport {
            codes_sent: 1,
            notification_failures: 0,
            expired: 2
        })
        .unwrap(),
        r#"{"codes_sent":1,"notification_failures":0,"expired":2}"#
    );
}

#[test]
fn json_form_of_a_run_summary_is_pinned() {
    let s = RunSummary {
        decision: Decision::default(),
        decision_entry: 3,
        consent_form: None,
        contacts_updated: true,
        order_entry: Some(5),
        print_job: Some(PrintSummary {
            card: CardNumber::parse("CA00000AA").unwrap(),
            order_entry: 5,
            items: vec![PrintLine {
                recipient: Requester::Holder,
                code: CodeKind::Pin,
                half: Half::First,
            }],
        }),
        sent: vec![key(5)],
        pending: vec![],
    };
    assert_eq!(serde_json::to_string(&s).unwrap(), PINNED_SUMMARY);
    assert_eq!(
        serde_json::from_str::<RunSummary>(PINNED_SUMMARY).unwrap(),
        s
    );
}

/// A real desk run: its summary names the printed half by label and round-trips.
#[test]
fn json_summary_of_a_desk_run() {
    let officer = officer();
    let key = officer.verifying_key();
    let mut desk = ReprintDesk::new(
        InMemoryIssuance::with_fixtures(key),
        RecordingNotifier::new(),
        Profile::national(),
        Box::new(officer),
    )
    .unwrap()
    .with_clock(Box::new(ManualClock::new(Timestamp(1_772_442_000))));
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut request = Request::new(Requester::Holder, Channel::Counter, at);
    request.identification = Identification::Cie;
    request.card = CardCheck::HoldersCard;
    request.confirmed_ordinary = vec![EmailAddress::parse("mario.rossi@example.it").unwrap()];
    request.wanted = HalfSet::both(CodeKind::Pin);
    let report: RunReport = desk
        .run(&CardNumber::parse("CA00000AA").unwrap(), request)
        .unwrap();
    let s = report.summary();
    assert_eq!(round_trip(&s), s);
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v["print_job"]["items"],
        json!([{ "recipient": "holder", "code": "pin", "half": "first" }])
    );
    assert_eq!(v["sent"].as_array().unwrap().len(), 1);
    assert_eq!(
        report.print_job.as_ref().unwrap().summary(),
        s.print_job.clone().unwrap()
    );
}

// `Probe::<T>::SERIALIZABLE` is true only for `T: Serialize`.
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
    // Checked when the test is compiled: a Serialize impl on any of these fails the build.
    const {
        assert!(Probe::<Entry>::SERIALIZABLE);
        assert!(Probe::<RunSummary>::SERIALIZABLE);
        assert!(Probe::<RequestOutcome>::SERIALIZABLE);
        // The printed halves.
        assert!(!Probe::<RunReport>::SERIALIZABLE);
        assert!(!Probe::<PrintJob>::SERIALIZABLE);
        assert!(!Probe::<ReprintedHalf>::SERIALIZABLE);
        // The released PUK (sealed for the device) and the completion code.
        assert!(!Probe::<CompletionOutcome>::SERIALIZABLE);
        assert!(!Probe::<SealedPuk>::SERIALIZABLE);
        assert!(!Probe::<CompletionCode>::SERIALIZABLE);
        // Key material.
        assert!(!Probe::<SoftwareSigner>::SERIALIZABLE);
        assert!(!Probe::<ServiceSecret>::SERIALIZABLE);
    }
}

const PINNED_ENTRY: &str = r#"{"seq":1,"time":1772442000,"kind":"reprint-ordered","rules":["R3","R4"],"card":"CA00000AA","detail":"decision=1 halves=pin-first,pin-second","prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"4b63ab596dfb7ac27b88ffa8e440a64203e48ce468a1b247b7cf1fc21f98e663","signature":"2db466c5a27c0443933637207ba309d6d45b69530aebad3c97ddfbfbe62806e075c9d38d9f215727c2c4729b30237f04ae8b68634b32238196b019d4cb972570"}"#;
const PINNED_HEAD: &str = r#"{"size":1,"root":"1111111111111111111111111111111111111111111111111111111111111111","time":1772442000,"signature":"fa0d86d8fbe6058d591dca5091f65edb24aa789d178821d167cca47c44e4fd5f0e768e95f50560fee67e177d39bb6d1604670f4e8f12a807ce97538164fdc616"}"#;
const PINNED_INCLUSION: &str = r#"{"seq":2,"size":3,"path":["abababababababababababababababababababababababababababababababab","0101010101010101010101010101010101010101010101010101010101010101"]}"#;
const PINNED_CONSISTENCY: &str = r#"{"old_size":2,"new_size":3,"path":["cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"]}"#;
const PINNED_SUMMARY: &str = r#"{"decision":{"profile":{"name":"","version":"","sha256":"0000000000000000000000000000000000000000000000000000000000000000"},"deliveries":[],"contact_changes":[],"requirements":[],"refusals":[]},"decision_entry":3,"consent_form":null,"contacts_updated":true,"order_entry":5,"print_job":{"card":"CA00000AA","order_entry":5,"items":[{"recipient":"holder","code":"pin","half":"first"}]},"sent":["bgklclpgjjambfmldgccmbigglobpnjgmkpmoblmdbihnihkncioehcdipaakchj"],"pending":[]}"#;
