//! Invariants I1-I5 and I7 (docs/rules.md) and P-POL1/P-POL3 (docs/testing.md §2.5) over random
//! requests under random profiles and every preset: 10,000 cases per property. The checks
//! here are written from the rule text, independently of the engine and of `policy::audit`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/policy_engine.rs"]
mod harness;

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::policy::*;
use proptest::prelude::*;

const CASES: u32 = 10_000;

fn case() -> impl Strategy<Value = (Request, Profile)> {
    proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| harness::decode(&b))
}

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn pec_under_any_directory(a: &EmailAddress) -> bool {
    pec::is_pec(a, &harness::TestInad)
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn i1_no_delegate_ever_receives_a_second_half((r, p) in case()) {
        let d = evaluate_with(&r, &p, &harness::TestInad);
        for dl in d.deliveries.iter().filter(|d| d.half == Half::Second) {
            prop_assert_ne!(&dl.destination, &Destination::InPerson(Requester::Delegate));
            if r.requester == Requester::Delegate {
                // Only ever to the holder's registered mailbox.
                match &dl.destination {
                    Destination::Email(a) => prop_assert!(r.registered.email.as_ref().is_some_and(|e| e.same_mailbox(a))),
                    Destination::InPerson(_) => prop_assert!(false, "delegate got a paper second half"),
                }
            }
        }
    }

    #[test]
    fn i2_second_half_never_to_a_pec_address((r, p) in case()) {
        let d = evaluate_with(&r, &p, &harness::TestInad);
        for dl in &d.deliveries {
            if let Destination::Email(a) = &dl.destination {
                prop_assert!(!pec_under_any_directory(a), "{a} is PEC");
                prop_assert_eq!(dl.half, Half::Second);
            }
        }
    }

    #[test]
    fn i3_paper_second_half_only_after_consent_form((r, p) in case()) {
        let d = evaluate(&r, &p);
        let paper_second = d.deliveries.iter().any(|d| d.half == Half::Second && d.channel == DeliveryChannel::Paper);
        if paper_second {
            prop_assert_eq!(r.consent, ConsentForm::SignedAndAcquired);
        }
        if r.consent == ConsentForm::NotAcquired && matches!(r.second_half_to, SecondHalfTo::Paper) {
            prop_assert!(!paper_second);
        }
    }

    #[test]
    fn i4_contacts_never_changed_by_delegate_or_remotely((r, p) in case()) {
        let d = evaluate(&r, &p);
        if r.requester == Requester::Delegate
            || matches!(r.channel, Channel::PecSignedForm | Channel::InadDomicile | Channel::Email)
        {
            prop_assert!(d.contact_changes.is_empty());
        }
    }

    #[test]
    fn i5_nothing_reprinted_before_identification((r, p) in case()) {
        let d = evaluate(&r, &p);
        let ok = match r.channel {
            Channel::Counter | Channel::HomeVisit => matches!(r.identification, Identification::Cie | Identification::IdentityDocument),
            Channel::PecSignedForm => r.identification == Identification::DigitalSignature,
            Channel::InadDomicile => r.identification == Identification::InadDomicile,
            Channel::Email => false,
        };
        if !ok {
            prop_assert!(d.deliveries.is_empty());
            prop_assert!(d.contact_changes.is_empty());
        }
    }

    #[test]
    fn i7_halves_of_one_code_never_share_channel_and_destination((r, p) in case()) {
        let d = evaluate(&r, &p);
        for code in [CodeKind::Pin, CodeKind::Puk] {
            let firsts: Vec<_> = d.deliveries.iter().filter(|x| x.code == code && x.half == Half::First).collect();
            let seconds: Vec<_> = d.deliveries.iter().filter(|x| x.code == code && x.half == Half::Second).collect();
            for f in &firsts {
                for s in &seconds {
                    if f.channel == s.channel && f.destination == s.destination {
                        prop_assert_eq!(f.channel, DeliveryChannel::Paper);
                        prop_assert!(matches!(f.destination, Destination::InPerson(Requester::Holder | Requester::LegalRepresentative | Requester::ParentOfMinor)));
                        prop_assert_eq!(r.consent, ConsentForm::SignedAndAcquired);
                        prop_assert!(matches!(r.channel, Channel::Counter | Channel::HomeVisit));
                    }
                }
            }
        }
    }

    #[test]
    fn p_pol1_no_single_actor_or_channel_releases_both_halves_except_i7_paper((r, p) in case()) {
        let d = evaluate(&r, &p);
        for code in [CodeKind::Pin, CodeKind::Puk] {
            let f = d.deliveries.iter().find(|x| x.code == code && x.half == Half::First);
            let s = d.deliveries.iter().find(|x| x.code == code && x.half == Half::Second);
            if let (Some(f), Some(s)) = (f, s)
                && f.destination == s.destination
            {
                prop_assert!(r.requester.acts_as_holder());
                prop_assert_eq!(s.rule, RuleId::R6);
            }
        }
    }

    #[test]
    fn p_pol3_decisions_are_deterministic_and_audit_clean(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        harness::run(&data);
    }

    #[test]
    fn every_refusal_and_requirement_names_a_rule_and_both_texts((r, p) in case()) {
        let d = evaluate(&r, &p);
        for x in &d.refusals {
            prop_assert!(!x.it().is_empty() && !x.en().is_empty());
            prop_assert!(RuleId::from_str_id(x.rule.as_str()).is_some());
        }
        for x in &d.requirements {
            prop_assert!(!x.it().is_empty() && !x.en().is_empty());
        }
        // A refused whole request releases nothing.
        if d.refusals.iter().any(|x| x.subject == Subject::Request) {
            prop_assert!(d.deliveries.is_empty() && d.contact_changes.is_empty());
        }
    }
}

/// The random cases are not vacuous: over 10,000 of them every outcome and every kind of
/// delivery occurs.
#[test]
fn random_cases_reach_every_outcome_and_delivery_kind() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut seen = [0u32; 9];
    for _ in 0..CASES {
        let bytes: Vec<u8> = (0..64)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let (r, p) = harness::decode(&bytes);
        let d = evaluate(&r, &p);
        let i = match d.outcome() {
            Outcome::Allowed => 0,
            Outcome::Partial => 1,
            Outcome::Deferred => 2,
            Outcome::Refused => 3,
        };
        seen[i] += 1;
        for dl in &d.deliveries {
            match (dl.half, dl.channel) {
                (Half::Second, DeliveryChannel::Paper) => seen[4] += 1,
                (Half::Second, DeliveryChannel::Email) => seen[5] += 1,
                _ => seen[6] += 1,
            }
            if r.requester == Requester::Delegate {
                seen[7] += 1;
            }
        }
        if !d.contact_changes.is_empty() {
            seen[8] += 1;
        }
    }
    assert!(seen.iter().all(|n| *n > 0), "{seen:?}");
}
