//! NewPinRules (docs/testing.md N10 app-side rules) and RetryStatus helpers (P-PIN4, P-PIN9).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{NewPinRules, Pin, PinQualityError, RetryStatus};
use proptest::prelude::*;

fn pin(s: &str) -> Pin {
    Pin::new(s).unwrap()
}

// ---------------------------------------------------------------- NewPinRules, each rule

#[test]
fn n10_official_refuses_all_equal_digits() {
    let rules = NewPinRules::official();
    for d in '0'..='9' {
        let s: String = std::iter::repeat_n(d, 8).collect();
        assert_eq!(
            rules.check(&pin(&s)),
            Err(PinQualityError::AllDigitsEqual),
            "{s}"
        );
    }
    assert_eq!(rules.check(&pin("11111112")), Ok(()));
    assert_eq!(rules.check(&pin("21111111")), Ok(()));
}

#[test]
fn n10_official_refuses_ascending_runs() {
    let rules = NewPinRules::official();
    for s in ["01234567", "12345678", "23456789"] {
        assert_eq!(
            rules.check(&pin(s)),
            Err(PinQualityError::AscendingRun),
            "{s}"
        );
    }
    // Runs that break anywhere are fine.
    assert_eq!(rules.check(&pin("12345679")), Ok(()));
    assert_eq!(rules.check(&pin("02345678")), Ok(()));
    assert_eq!(rules.check(&pin("12346578")), Ok(()));
}

#[test]
fn n10_official_refuses_descending_runs() {
    let rules = NewPinRules::official();
    for s in ["98765432", "87654321", "76543210"] {
        assert_eq!(
            rules.check(&pin(s)),
            Err(PinQualityError::DescendingRun),
            "{s}"
        );
    }
    assert_eq!(rules.check(&pin("87654320")), Ok(()));
    assert_eq!(rules.check(&pin("97654321")), Ok(()));
}

#[test]
fn n10_wrap_around_is_off_by_default_and_switchable() {
    let official = NewPinRules::official();
    assert!(!official.wraps_around());
    for s in ["90123456", "89012345", "78901234", "10987654", "21098765"] {
        assert_eq!(official.check(&pin(s)), Ok(()), "{s}");
    }
    let wrapping = official.wrap_around(true);
    assert!(wrapping.wraps_around());
    for s in ["90123456", "89012345", "34567890", "56789012"] {
        assert_eq!(
            wrapping.check(&pin(s)),
            Err(PinQualityError::AscendingRun),
            "{s}"
        );
    }
    for s in ["10987654", "21098765", "32109876", "09876543"] {
        assert_eq!(
            wrapping.check(&pin(s)),
            Err(PinQualityError::DescendingRun),
            "{s}"
        );
    }
    assert_eq!(wrapping.check(&pin("90123457")), Ok(()));
    // Wrap-around alone refuses nothing when the run rules are off.
    let only_wrap = NewPinRules::none().wrap_around(true);
    assert_eq!(only_wrap.check(&pin("90123456")), Ok(()));
}

#[test]
fn n10_same_as_old_is_refused_in_check_change() {
    let rules = NewPinRules::official();
    let old = pin("40271953");
    assert_eq!(
        rules.check_change(&old, &pin("40271953")),
        Err(PinQualityError::SameAsOld)
    );
    assert_eq!(rules.check_change(&old, &pin("40271935")), Ok(()));
    // `check` alone does not know the old PIN.
    assert_eq!(rules.check(&pin("40271953")), Ok(()));
    // The pattern rules come first.
    let weak = pin("12345678");
    assert_eq!(
        rules.check_change(&weak, &pin("12345678")),
        Err(PinQualityError::AscendingRun)
    );
    // Switched off, the same PIN is accepted.
    let lax = rules.refuse_same_as_old(false);
    assert_eq!(lax.check_change(&old, &pin("40271953")), Ok(()));
}

#[test]
fn n10_none_accepts_every_pattern() {
    let none = NewPinRules::none();
    let old = pin("11111111");
    for s in ["11111111", "12345678", "87654321", "90123456"] {
        assert_eq!(none.check(&pin(s)), Ok(()), "{s}");
        assert_eq!(none.check_change(&old, &pin(s)), Ok(()), "{s}");
    }
    assert!(!none.refuses_all_equal());
    assert!(!none.refuses_ascending());
    assert!(!none.refuses_descending());
    assert!(!none.refuses_same_as_old());
}

#[test]
fn n10_each_rule_switches_alone() {
    let only_equal = NewPinRules::none().refuse_all_equal(true);
    assert_eq!(
        only_equal.check(&pin("55555555")),
        Err(PinQualityError::AllDigitsEqual)
    );
    assert_eq!(only_equal.check(&pin("12345678")), Ok(()));
    assert_eq!(only_equal.check(&pin("87654321")), Ok(()));

    let only_up = NewPinRules::none().refuse_ascending(true);
    assert_eq!(only_up.check(&pin("55555555")), Ok(()));
    assert_eq!(
        only_up.check(&pin("12345678")),
        Err(PinQualityError::AscendingRun)
    );
    assert_eq!(only_up.check(&pin("87654321")), Ok(()));

    let only_down = NewPinRules::none().refuse_descending(true);
    assert_eq!(only_down.check(&pin("55555555")), Ok(()));
    assert_eq!(only_down.check(&pin("12345678")), Ok(()));
    assert_eq!(
        only_down.check(&pin("87654321")),
        Err(PinQualityError::DescendingRun)
    );

    let only_old = NewPinRules::none().refuse_same_as_old(true);
    assert_eq!(only_old.check(&pin("55555555")), Ok(()));
    assert_eq!(
        only_old.check_change(&pin("55555555"), &pin("55555555")),
        Err(PinQualityError::SameAsOld)
    );

    let official = NewPinRules::official();
    assert_eq!(NewPinRules::default(), official);
    assert!(official.refuses_all_equal() && official.refuses_ascending());
    assert!(official.refuses_descending() && official.refuses_same_as_old());
    let off = official
        .refuse_all_equal(false)
        .refuse_ascending(false)
        .refuse_descending(false)
        .refuse_same_as_old(false);
    assert_eq!(off, NewPinRules::none());
}

/// An independent model of the rules, on strings.
fn model(rules: &NewPinRules, s: &str) -> Result<(), PinQualityError> {
    let first = s.chars().next().unwrap();
    let (up, down) = if rules.wraps_around() {
        ("01234567890123456789", "98765432109876543210")
    } else {
        ("0123456789", "9876543210")
    };
    if rules.refuses_all_equal() && s.chars().all(|c| c == first) {
        Err(PinQualityError::AllDigitsEqual)
    } else if rules.refuses_ascending() && up.contains(s) {
        Err(PinQualityError::AscendingRun)
    } else if rules.refuses_descending() && down.contains(s) {
        Err(PinQualityError::DescendingRun)
    } else {
        Ok(())
    }
}

fn any_rules() -> impl Strategy<Value = NewPinRules> {
    any::<[bool; 5]>().prop_map(|[e, u, d, w, o]| {
        NewPinRules::none()
            .refuse_all_equal(e)
            .refuse_ascending(u)
            .refuse_descending(d)
            .wrap_around(w)
            .refuse_same_as_old(o)
    })
}

/// Eight digits, biased towards the patterns the rules look for.
fn pin_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{8}",
        (0u8..10).prop_map(|d| std::iter::repeat_n(char::from(b'0' + d), 8).collect()),
        (0usize..10, any::<bool>()).prop_map(|(start, up)| {
            let cycle = if up {
                "01234567890123456789"
            } else {
                "98765432109876543210"
            };
            cycle[start..start + 8].to_string()
        }),
    ]
}

proptest! {
    #[test]
    fn n10_official_never_accepts_an_all_equal_pin(d in 0u8..10, rules in any_rules()) {
        let s: String = std::iter::repeat_n(char::from(b'0' + d), 8).collect();
        prop_assert_eq!(NewPinRules::official().check(&pin(&s)), Err(PinQualityError::AllDigitsEqual));
        // Any rule set that refuses all-equal refuses it, whatever the other switches.
        let rules = rules.refuse_all_equal(true);
        prop_assert_eq!(rules.check(&pin(&s)), Err(PinQualityError::AllDigitsEqual));
    }

    #[test]
    fn n10_check_matches_the_string_model(s in pin_text(), rules in any_rules()) {
        prop_assert_eq!(rules.check(&pin(&s)), model(&rules, &s));
    }

    #[test]
    fn n10_check_change_refuses_exactly_the_old_pin(old in "[0-9]{8}", new in pin_text()) {
        let rules = NewPinRules::official();
        let got = rules.check_change(&pin(&old), &pin(&new));
        let want = model(&rules, &new).and(if old == new { Err(PinQualityError::SameAsOld) } else { Ok(()) });
        prop_assert_eq!(got, want);
    }
}

// ---------------------------------------------------------------- RetryStatus

#[test]
fn p_pin4_retry_status_from_counter() {
    assert_eq!(RetryStatus::from_counter(0), RetryStatus::Blocked);
    assert_eq!(RetryStatus::from_counter(1), RetryStatus::Remaining(1));
    assert_eq!(RetryStatus::from_counter(3), RetryStatus::Remaining(3));
    assert_eq!(RetryStatus::from_counter(10), RetryStatus::Remaining(10));
    assert_eq!(RetryStatus::from_counter(255), RetryStatus::Remaining(255));
}

#[test]
fn p_pin4_retry_status_helpers() {
    use RetryStatus::*;
    assert_eq!(Remaining(3).remaining(), Some(3));
    assert_eq!(Remaining(1).remaining(), Some(1));
    assert_eq!(Blocked.remaining(), Some(0));
    assert_eq!(Verified.remaining(), None);
    assert_eq!(Unknown.remaining(), None);

    assert!(Remaining(1).is_final_try());
    for s in [
        Remaining(0),
        Remaining(2),
        Remaining(10),
        Blocked,
        Verified,
        Unknown,
    ] {
        assert!(!s.is_final_try(), "{s:?}");
    }

    assert!(Blocked.is_blocked());
    assert!(Remaining(0).is_blocked());
    for s in [Remaining(1), Remaining(3), Verified, Unknown] {
        assert!(!s.is_blocked(), "{s:?}");
    }

    assert!(Verified.is_verified());
    assert!(!Remaining(3).is_verified());

    assert!(Remaining(1).may_attempt());
    assert!(Remaining(3).may_attempt());
    for s in [Remaining(0), Blocked, Unknown, Verified] {
        assert!(!s.may_attempt(), "{s:?}");
    }
}

#[test]
fn p_pin9_unknown_counter_is_not_an_attempt_licence() {
    let s = RetryStatus::Unknown;
    assert!(!s.may_attempt());
    assert!(!s.is_blocked());
    assert_eq!(s.remaining(), None);
}

#[test]
fn p_pin4_retry_status_display() {
    assert_eq!(RetryStatus::Remaining(3).to_string(), "3 tries left");
    assert_eq!(RetryStatus::Remaining(10).to_string(), "10 tries left");
    assert_eq!(
        RetryStatus::Remaining(1).to_string(),
        "1 try left (final try)"
    );
    assert_eq!(RetryStatus::Remaining(0).to_string(), "blocked");
    assert_eq!(RetryStatus::Blocked.to_string(), "blocked");
    assert_eq!(RetryStatus::Verified.to_string(), "verified");
    assert_eq!(RetryStatus::Unknown.to_string(), "unknown");
}

proptest! {
    #[test]
    fn p_pin4_from_counter_round_trips_remaining(n in any::<u8>()) {
        let s = RetryStatus::from_counter(n);
        prop_assert_eq!(s.remaining(), Some(n));
        prop_assert_eq!(s.is_blocked(), n == 0);
        prop_assert_eq!(s.is_final_try(), n == 1);
        prop_assert_eq!(s.may_attempt(), n > 0);
    }
}
