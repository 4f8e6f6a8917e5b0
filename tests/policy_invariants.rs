//! Invariants I1-I5 and I7, and R5's confirmation, over random requests under randomly
//! generated profiles (the strategy of `policy_support`, every option drawn independently)
//! and under the shipped ones: 10,000 cases per property. The checks here are written from the
//! rule text, independently of the engine and of `policy::audit`. (I6, the 48 hours of the PUK
//! self-recovery, does not depend on a profile: `recovery_props` tests it.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/policy_engine.rs"]
mod harness;
mod policy_support;

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::policy::*;
use proptest::prelude::*;

thread_local! {
    /// The bundled localizers, built once per thread (the property tests run many cases).
    static LOCALIZERS: Vec<(&'static str, cie_pinpuk::i18n::Localizer)> = {
        let texts = cie_pinpuk::i18n::Texts::bundled();
        ["it", "en", "de"]
            .into_iter()
            .map(|l| (l, texts.localizer_for(l)))
            .collect()
    };
}

/// The bundled text of `x` in `lang` (an error if the language lacks the message).
fn text(lang: &str, x: &impl cie_pinpuk::i18n::Localize) -> String {
    LOCALIZERS.with(|all| {
        let (_, loc) = all.iter().find(|(l, _)| *l == lang).unwrap();
        loc.try_text(x).unwrap()
    })
}

const CASES: u32 = 10_000;

/// A random request under a random profile: three in four from the `Profile` strategy, one
/// in four a shipped profile (through the byte decoder of the fuzz harness).
fn case() -> impl Strategy<Value = (Request, Profile)> {
    prop_oneof![
        3 => (
            proptest::collection::vec(any::<u8>(), 0..64),
            policy_support::profile()
        )
            .prop_map(|(b, p)| (harness::request(&mut harness::Cursor::new(&b)), p)),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| harness::decode(&b)),
    ]
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
    fn i4_contacts_never_changed_by_delegate_or_an_unaccepted_remote_channel((r, p) in case()) {
        let d = evaluate(&r, &p);
        let accepted_remote = r.requester == Requester::Holder
            && match r.channel {
                Channel::PecSignedForm => p.remote.pec_signed_form == Permission::Allowed
                    && r.identification == Identification::DigitalSignature,
                Channel::InadDomicile => p.remote.inad_domicile == Permission::Allowed
                    && r.identification == Identification::InadDomicile,
                _ => false,
            };
        let remote = matches!(r.channel, Channel::PecSignedForm | Channel::InadDomicile | Channel::Email);
        if r.requester == Requester::Delegate || (remote && !accepted_remote) {
            prop_assert!(d.contact_changes.is_empty());
        }
    }

    #[test]
    fn i5_nothing_reprinted_before_identification_nor_for_another_card((r, p) in case()) {
        let d = evaluate(&r, &p);
        let ok = match r.channel {
            Channel::Counter | Channel::HomeVisit => matches!(r.identification, Identification::Cie | Identification::IdentityDocument),
            Channel::PecSignedForm => r.identification == Identification::DigitalSignature,
            Channel::InadDomicile => r.identification == Identification::InadDomicile,
            Channel::Email => false,
        };
        // R9: never for a card that is not the holder's, nor before it is checked.
        if !ok || r.card != CardCheck::HoldersCard {
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
    fn r5_no_second_half_to_an_unknown_mailbox_without_confirmation((r, p) in case()) {
        let d = evaluate_with(&r, &p, &harness::TestInad);
        for dl in &d.deliveries {
            if let Destination::Email(a) = &dl.destination
                && pec::classify(a, &harness::TestInad) == MailboxKind::Unknown
            {
                prop_assert!(r.confirmed_ordinary.iter().any(|c| c.same_mailbox(a)), "{a}");
            }
        }
    }

    #[test]
    fn decisions_are_audit_clean_and_name_their_profile((r, p) in case()) {
        let d = evaluate_with(&r, &p, &harness::TestInad);
        prop_assert_eq!(&d.profile, &p.id);
        prop_assert!(audit::violations(&r, &p, &d, &harness::TestInad).is_empty());
    }

    #[test]
    fn p_pol3_decisions_are_deterministic_and_audit_clean(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        harness::run(&data);
    }

    #[test]
    fn every_refusal_and_requirement_names_a_rule_and_both_texts((r, p) in case()) {
        let d = evaluate(&r, &p);
        for x in &d.refusals {
            prop_assert!(!text("it", x).is_empty() && !text("en", x).is_empty() && !text("de", x).is_empty());
            prop_assert!(RuleId::from_str_id(x.rule.as_str()).is_some());
        }
        for x in &d.requirements {
            prop_assert!(!text("it", x).is_empty() && !text("en", x).is_empty() && !text("de", x).is_empty());
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
