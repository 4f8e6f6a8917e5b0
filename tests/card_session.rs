//! End to end against the virtual card: every operation of `Cie` and `Session`, and every
//! status-word path of the PIN and PUK (docs/testing.md §2.2 and 4.4; rules C3-C6 of docs/rules.md).
//!
//! Each test drives a real session (DH + DAPP + secure messaging) against
//! `emulator::VirtualCie` through a `Spy`, and checks three things: the typed outcome, the
//! card's counters (`pin_tries_left()`, `puk_tries_left()`) after every step, and what went
//! over the wire (zero APDUs where something must be refused locally).
//!
//! Most tests use the small test key material (tests/data/card/small-keys.txt) to keep the
//! debug run short; `reference_keys_*` run the same flow with the 2048-bit reference keys.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use card_common::*;
use cie_pinpuk::Error;
use cie_pinpuk::card::{CardError, Describe, Lang, LastTry, Options, PinError, confirm_new_pin};
use cie_pinpuk::codes::{CodeError, CodeKind, Pin, PinQualityError, Puk, RetryStatus};
use cie_pinpuk::emulator::{Case1Acceptance, EmptyVerify};
use cie_pinpuk::sm::Case1Form;

fn pin_err(r: Result<(), Error>) -> PinError {
    match r {
        Err(Error::Pin(e)) => e,
        other => panic!("expected a PinError, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// read_nis, open, serial

#[test]
fn reference_keys_read_nis_open_serial_status_verify() {
    let (wire, mut cie) = rig(builder().nis("001122334455").serial("CA12345XY"), false);
    let nis = cie.read_nis().unwrap();
    assert_eq!(nis.to_string(), "001122334455");
    // The NIS is read in clear: no command of it is SM-wrapped.
    assert!(commands(&wire).iter().all(|c| c[0] & 0x0C == 0));
    let before = sent(&wire);
    let mut s = cie.open().unwrap();
    assert!(s.is_open());
    assert_eq!(s.serial().unwrap().to_string(), "CA12345XY");
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    assert_eq!(s.puk_status().unwrap(), RetryStatus::Remaining(10));
    s.verify_pin(&pin(PIN)).unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);
    assert_eq!(tries(&wire), (3, 10));
    assert!(wire.borrow().inner().pin_verified());
    // Every command after the key agreement is under SM (CLA 0C, or 1C when chained).
    let cmds = commands(&wire);
    let first_sm = cmds[before..]
        .iter()
        .position(|c| c[0] & 0x0C == 0x0C)
        .unwrap()
        + before;
    // The only exception is the plain GET RESPONSE that fetches a long protected answer
    // (the INTERNAL AUTHENTICATE answer exceeds 256 bytes with the reference keys), which
    // the reference profile allows (docs/protocol.md, "0C C0 quirk"; docs/testing.md SC7).
    for c in &cmds[first_sm..] {
        assert!(
            c[0] & 0x0C == 0x0C || c[..2] == [0x00, 0xC0],
            "{}",
            hex::encode(c)
        );
    }
    assert!(cmds[first_sm..].iter().any(|c| c[..2] == [0x00, 0xC0]));
}

#[test]
fn serial_is_read_under_secure_messaging() {
    let (wire, mut cie) = rig(builder().serial("CA99999ZZ"), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(s.serial().unwrap().to_string(), "CA99999ZZ");
    let cmds = commands(&wire);
    // SELECT EF 1002 and at least one READ BINARY, all protected.
    assert!(cmds[before..].len() >= 2);
    assert!(cmds[before..].iter().all(|c| c[0] == 0x0C));
    assert_eq!(cmds[before][1], 0xA4);
    assert!(cmds[before + 1..].iter().all(|c| c[1] == 0xB0));
}

#[test]
fn closed_session_sends_nothing_r18() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    s.close();
    assert!(!s.is_open());
    let before = sent(&wire);
    for r in [
        s.pin_status().map(|_| ()),
        s.puk_status().map(|_| ()),
        s.serial().map(|_| ()),
        s.verify_pin(&pin(PIN)),
        s.change_pin(&pin(PIN), &pin(NEW_PIN)),
        s.unblock_pin(&puk(PUK), &pin(NEW_PIN)),
    ] {
        assert!(
            matches!(r, Err(Error::Card(CardError::SessionClosed))),
            "{r:?}"
        );
    }
    assert_eq!(sent(&wire), before);
}

// ---------------------------------------------------------------------------------------
// Status queries (docs/protocol.md §5.5, P-PIN2, N5)

#[test]
fn c3_status_fresh_card_is_remaining_3_and_10_and_spends_nothing() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    for _ in 0..3 {
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
        assert_eq!(s.puk_status().unwrap(), RetryStatus::Remaining(10));
    }
    assert_eq!(tries(&wire), (3, 10));
    assert!(code_commands(&commands(&wire)).is_empty());
}

#[test]
fn p_pin2_n5_verified_status_is_not_a_verification() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    s.verify_pin(&pin(PIN)).unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);
    assert_eq!(s.known_pin_status(), RetryStatus::Verified);
    // verify_pin on an already-verified card still sends the PIN it is given: a 9000 to the
    // status query never stands in for a verification by this call.
    let before = sent(&wire);
    s.verify_pin(&pin(PIN)).unwrap();
    let cmds = commands(&wire);
    assert_eq!(code_commands(&cmds[before..]), vec![(0x20, 0x81)]);
    // And a wrong PIN on a verified card is wrong.
    assert_eq!(
        pin_err(s.verify_pin(&pin(WRONG_PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 2
        }
    );
    assert_eq!(tries(&wire), (2, 10));
    assert!(!wire.borrow().inner().pin_verified());
}

fn unknown_status_spends_nothing(mode: EmptyVerify) {
    let (wire, mut cie) = rig(builder().empty_verify(mode), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Unknown);
    // The DOCP GET DATA and the empty VERIFY, both refused.
    assert_eq!(sent(&wire), before + 2);
    // The host remembers that the card cannot tell and does not ask again.
    assert_eq!(s.puk_status().unwrap(), RetryStatus::Unknown);
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Unknown);
    assert_eq!(sent(&wire), before + 2);
    assert_eq!(tries(&wire), (3, 10));
    // With the counter unknown, a try needs a confirmation (P-PIN10); confirmed, a right
    // PIN verifies (nothing is assumed).
    assert_eq!(
        pin_err(s.verify_pin(&pin(PIN))),
        PinError::CounterUnreadable {
            code: CodeKind::Pin
        }
    );
    s.verify_pin_with(&pin(PIN), LastTry::Confirmed).unwrap();
    assert_eq!(s.known_pin_status(), RetryStatus::Verified);
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn p_pin2_status_unknown_when_card_answers_6a86() {
    unknown_status_spends_nothing(EmptyVerify::WrongP1P2);
}

#[test]
fn p_pin2_status_unknown_when_card_answers_6d00() {
    unknown_status_spends_nothing(EmptyVerify::InsNotSupported);
}

// ---------------------------------------------------------------------------------------
// VERIFY: right, wrong, the last-try guard, blocked (N3, N4, C3, P-PIN4)

#[test]
fn c3_right_pin_resets_the_counter() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    assert_eq!(
        pin_err(s.verify_pin(&pin(WRONG_PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 2
        }
    );
    assert_eq!(tries(&wire), (2, 10));
    s.verify_pin(&pin(PIN)).unwrap();
    assert_eq!(tries(&wire), (3, 10));
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);
}

#[test]
fn n3_c3_p_pin4_wrong_pin_63c2_63c1_guard_then_63c0_blocked() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();

    // 63C2.
    assert_eq!(
        pin_err(s.verify_pin(&pin(WRONG_PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 2
        }
    );
    assert!(responded_do99(&wire, 0x63C2));
    assert_eq!(tries(&wire), (2, 10));
    assert_eq!(s.known_pin_status(), RetryStatus::Remaining(2));

    // 63C1: the final-try flag.
    assert_eq!(
        pin_err(s.verify_pin(&pin(WRONG_PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 1
        }
    );
    assert!(responded_do99(&wire, 0x63C1));
    assert_eq!(tries(&wire), (1, 10));
    assert!(s.known_pin_status().is_final_try());

    // The guard: the last try is refused without a single APDU, right or wrong PIN.
    let before = sent(&wire);
    for code in [WRONG_PIN, PIN] {
        assert_eq!(
            pin_err(s.verify_pin(&pin(code))),
            PinError::LastTryGuard {
                code: CodeKind::Pin,
                remaining: 1
            }
        );
    }
    assert_eq!(sent(&wire), before);
    assert_eq!(tries(&wire), (1, 10));

    // Confirmed: sent; 63C0 is Blocked.
    assert_eq!(
        pin_err(s.verify_pin_with(&pin(WRONG_PIN), LastTry::Confirmed)),
        PinError::Blocked
    );
    assert_eq!(sent(&wire), before + 1);
    assert!(responded_do99(&wire, 0x63C0));
    assert_eq!(tries(&wire), (0, 10));
    assert_eq!(s.known_pin_status(), RetryStatus::Blocked);

    // N4: blocked, so nothing more is sent, even confirmed, even the right PIN.
    let before = sent(&wire);
    assert_eq!(
        pin_err(s.verify_pin_with(&pin(PIN), LastTry::Confirmed)),
        PinError::Blocked
    );
    assert_eq!(sent(&wire), before);
    // The card agrees: its status query answers 6983.
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Blocked);
    assert!(responded_do99(&wire, 0x6983));
    assert_eq!(tries(&wire), (0, 10));
}

#[test]
fn n3_last_try_confirmed_and_right_restores_the_counter() {
    let (wire, mut cie) = rig(builder().tries_left(1, 10), true);
    let mut s = cie.open().unwrap();
    assert!(matches!(
        pin_err(s.verify_pin(&pin(PIN))),
        PinError::LastTryGuard {
            code: CodeKind::Pin,
            ..
        }
    ));
    s.verify_pin_with(&pin(PIN), LastTry::Confirmed).unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn n4_blocked_pin_is_refused_after_the_query_without_sending_it() {
    let (wire, mut cie) = rig(builder().tries_left(0, 10), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(
        pin_err(s.verify_pin_with(&pin(PIN), LastTry::Confirmed)),
        PinError::Blocked
    );
    // Only the DOCP GET DATA (refused by this card) and the empty VERIFY went out.
    let cmds = commands(&wire);
    assert_eq!(cmds.len(), before + 2);
    assert_eq!(cmds[before][1], 0xCB);
    assert!(is_pin_command(&cmds[before + 1]) && !carries_code(&cmds[before + 1]));
    assert!(responded_do99(&wire, 0x6983));
    assert_eq!(tries(&wire), (0, 10));
}

#[test]
fn n3_blocked_pin_answers_6983_when_the_host_cannot_know() {
    // A card without the status query: the host does not know the PIN is blocked, sends the
    // VERIFY, and the card answers 6983 (blocked), which is Blocked, not Wrong.
    let (wire, mut cie) = rig(
        builder()
            .tries_left(0, 10)
            .empty_verify(EmptyVerify::WrongP1P2),
        true,
    );
    let mut s = cie.open().unwrap();
    // P-PIN10: the counter cannot be read, so the try needs a confirmation.
    let before = sent(&wire);
    assert_eq!(
        pin_err(s.verify_pin(&pin(PIN))),
        PinError::CounterUnreadable {
            code: CodeKind::Pin
        }
    );
    assert!(code_commands(&commands(&wire)[before..]).is_empty());
    assert_eq!(
        pin_err(s.verify_pin_with(&pin(PIN), LastTry::Confirmed)),
        PinError::Blocked
    );
    assert!(responded_do99(&wire, 0x6983));
    assert_eq!(s.known_pin_status(), RetryStatus::Blocked);
    assert_eq!(tries(&wire), (0, 10));
    // Now known: nothing more is sent.
    let before = sent(&wire);
    assert_eq!(pin_err(s.verify_pin(&pin(PIN))), PinError::Blocked);
    assert_eq!(sent(&wire), before);
}

#[test]
fn p_pin1_no_automatic_resend_each_call_sends_at_most_one_verify() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    for expected in [2u8, 1] {
        let before = commands(&wire).len();
        let _ = s.verify_pin(&pin(WRONG_PIN));
        let cmds = commands(&wire);
        assert_eq!(code_commands(&cmds[before..]).len(), 1);
        assert_eq!(tries(&wire).0, expected);
    }
}

// ---------------------------------------------------------------------------------------
// N1, N2, P-PIN3: a malformed code never becomes a Pin, so nothing is sent

#[test]
fn n1_n2_p_pin3_malformed_codes_never_reach_the_card() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    let cases: [(&str, CodeError); 9] = [
        ("", CodeError::Empty),
        (
            "4027195",
            CodeError::WrongLength {
                expected: 8,
                found: 7,
            },
        ),
        (
            "402719530",
            CodeError::WrongLength {
                expected: 8,
                found: 9,
            },
        ),
        ("4027195a", CodeError::NotADigit { position: 7 }),
        ("4027 953", CodeError::NotADigit { position: 4 }),
        (" 4027195", CodeError::NotADigit { position: 0 }),
        ("٤٠٢٧١٩٥٣", CodeError::NotADigit { position: 0 }),
        ("４０２７１９５３", CodeError::NotADigit { position: 0 }),
        ("-4027195", CodeError::NotADigit { position: 0 }),
    ];
    for (input, expected) in cases {
        // The only path to VERIFY goes through a Pin: the parse error stops it.
        let outcome = Pin::new(input)
            .map_err(Error::from)
            .and_then(|p| s.verify_pin(&p));
        match outcome {
            Err(Error::Code(e)) => assert_eq!(e, expected, "{input:?}"),
            other => panic!("{input:?}: {other:?}"),
        }
        assert!(Puk::new(input).is_err());
    }
    assert_eq!(sent(&wire), before);
    assert_eq!(tries(&wire), (3, 10));
    assert!(s.is_open());
}

// ---------------------------------------------------------------------------------------
// CHANGE (C5, N10)

#[test]
fn c5_change_pin_right_old_sets_the_new_pin() {
    let (wire, mut cie) = rig(builder(), true);
    {
        let mut s = cie.open().unwrap();
        let before = sent(&wire);
        s.change_pin(&pin(PIN), &pin(NEW_PIN)).unwrap();
        let cmds = commands(&wire);
        // VERIFY (old), then CHANGE REFERENCE DATA, both carrying codes, both under SM.
        assert_eq!(
            code_commands(&cmds[before..]),
            vec![(0x20, 0x81), (0x24, 0x81)]
        );
        assert_eq!(tries(&wire), (3, 10));
    }
    let mut s = cie.open().unwrap();
    assert_eq!(
        pin_err(s.verify_pin(&pin(PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 2
        }
    );
    s.verify_pin(&pin(NEW_PIN)).unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn n10_change_pin_wrong_old_reports_the_decrement_and_sends_no_change() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(
        pin_err(s.change_pin(&pin(WRONG_PIN), &pin(NEW_PIN))),
        PinError::Wrong {
            code: CodeKind::Pin,
            remaining: 2
        }
    );
    assert_eq!(tries(&wire), (2, 10));
    let cmds = commands(&wire);
    assert_eq!(code_commands(&cmds[before..]), vec![(0x20, 0x81)]);
    // The last try is guarded in change too.
    let _ = s.change_pin(&pin(WRONG_PIN), &pin(NEW_PIN));
    assert_eq!(tries(&wire), (1, 10));
    let before = sent(&wire);
    assert!(matches!(
        pin_err(s.change_pin(&pin(PIN), &pin(NEW_PIN))),
        PinError::LastTryGuard { .. }
    ));
    assert_eq!(sent(&wire), before);
    s.change_pin_with(&pin(PIN), &pin(NEW_PIN), LastTry::Confirmed)
        .unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn n10_change_pin_same_or_weak_new_pin_sends_nothing() {
    let (wire, mut cie) = rig(builder(), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    let cases = [
        (PIN, PinQualityError::SameAsOld),
        ("11111111", PinQualityError::AllDigitsEqual),
        ("00000000", PinQualityError::AllDigitsEqual),
        ("12345678", PinQualityError::AscendingRun),
        ("23456789", PinQualityError::AscendingRun),
        ("87654321", PinQualityError::DescendingRun),
        ("76543210", PinQualityError::DescendingRun),
    ];
    for (new, why) in cases {
        assert_eq!(
            pin_err(s.change_pin(&pin(PIN), &pin(new))),
            PinError::Quality(why),
            "{new}"
        );
        // Even with a wrong old PIN: the local check comes first.
        assert_eq!(
            pin_err(s.change_pin_with(&pin(WRONG_PIN), &pin(new), LastTry::Confirmed)),
            if why == PinQualityError::SameAsOld {
                // WRONG_PIN vs PIN differ, so only the pattern rules can apply here.
                PinError::Wrong {
                    code: CodeKind::Pin,
                    remaining: 2,
                }
            } else {
                PinError::Quality(why)
            },
            "{new}"
        );
        if why == PinQualityError::SameAsOld {
            // That one did reach the card (old != new): restore the counter.
            s.verify_pin(&pin(PIN)).unwrap();
        }
    }
    let cmds = commands(&wire);
    // The only codes sent are the one wrong VERIFY and the restoring VERIFY.
    assert_eq!(code_commands(&cmds[before..]).len(), 2);
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn n10_change_pin_rules_none_lets_a_weak_pin_through() {
    let options = Options {
        new_pin_rules: cie_pinpuk::codes::NewPinRules::none(),
        ..Options::default()
    };
    let (wire, cie) = rig(builder(), true);
    let mut cie = cie.with_options(options);
    let mut s = cie.open().unwrap();
    s.change_pin(&pin(PIN), &pin("11111111")).unwrap();
    drop(s);
    let mut s = cie.open().unwrap();
    s.verify_pin(&pin("11111111")).unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

// ---------------------------------------------------------------------------------------
// UNBLOCK (C4, C6, N9)

#[test]
fn c4_unblock_with_right_puk_sets_a_new_pin_and_restores_both_counters() {
    let (wire, mut cie) = rig(builder().tries_left(0, 7), true);
    {
        let mut s = cie.open().unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Blocked);
        assert_eq!(s.puk_status().unwrap(), RetryStatus::Remaining(7));
        let before = sent(&wire);
        s.unblock_pin(&puk(PUK), &pin(NEW_PIN)).unwrap();
        let cmds = commands(&wire);
        // VERIFY PUK then RESET RETRY COUNTER P1=02 with the new PIN.
        assert_eq!(
            code_commands(&cmds[before..]),
            vec![(0x20, 0x82), (0x2C, 0x81)]
        );
        assert_eq!(cmds.last().unwrap()[2], 0x02);
        assert_eq!(tries(&wire), (3, 10));
    }
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    s.verify_pin(&pin(NEW_PIN)).unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn n9_wrong_puk_reports_remaining_out_of_10_and_never_chains() {
    let (wire, mut cie) = rig(builder().tries_left(0, 10), true);
    let mut s = cie.open().unwrap();
    for remaining in [9u8, 8, 7] {
        let before = sent(&wire);
        assert_eq!(
            pin_err(s.unblock_pin(&puk(WRONG_PUK), &pin(NEW_PIN))),
            PinError::Wrong {
                code: CodeKind::Puk,
                remaining
            }
        );
        let cmds = commands(&wire);
        // One PUK attempt, no RESET RETRY COUNTER, no second attempt.
        assert_eq!(code_commands(&cmds[before..]), vec![(0x20, 0x82)]);
        assert_eq!(tries(&wire), (0, remaining));
    }
    assert_eq!(s.known_puk_status(), RetryStatus::Remaining(7));
}

#[test]
fn n9_new_pin_double_entry_mismatch_sends_nothing() {
    let (wire, mut cie) = rig(builder().tries_left(0, 10), true);
    let s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(
        confirm_new_pin(&pin(NEW_PIN), &pin("58302717")),
        Err(PinError::ConfirmationMismatch)
    );
    assert_eq!(confirm_new_pin(&pin(NEW_PIN), &pin(NEW_PIN)), Ok(()));
    assert_eq!(sent(&wire), before);
    assert!(s.is_open());
}

#[test]
fn n9_unblock_weak_new_pin_sends_nothing() {
    let (wire, mut cie) = rig(builder().tries_left(0, 10), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(
        pin_err(s.unblock_pin(&puk(PUK), &pin("99999999"))),
        PinError::Quality(PinQualityError::AllDigitsEqual)
    );
    assert_eq!(sent(&wire), before);
    assert_eq!(tries(&wire), (0, 10));
}

#[test]
fn n9_c6_final_puk_try_guard_warns_of_irreversibility() {
    let (wire, mut cie) = rig(builder().tries_left(0, 1), true);
    let mut s = cie.open().unwrap();
    let _ = s.puk_status().unwrap();
    let before = sent(&wire);
    let e = pin_err(s.unblock_pin(&puk(PUK), &pin(NEW_PIN)));
    assert_eq!(
        e,
        PinError::LastTryGuard {
            code: CodeKind::Puk,
            remaining: 1
        }
    );
    assert_eq!(sent(&wire), before);
    let it = e.describe(Lang::It);
    let en = e.describe(Lang::En);
    assert!(
        it.contains("per sempre") && it.contains("nuova carta"),
        "{it}"
    );
    assert!(en.contains("for good") && en.contains("new card"), "{en}");
    assert_eq!(tries(&wire), (0, 1));
}

#[test]
fn c6_puk_exhausted_is_puk_blocked_for_ever() {
    let (wire, mut cie) = rig(builder().tries_left(0, 1), true);
    {
        let mut s = cie.open().unwrap();
        let e = pin_err(s.unblock_pin_with(&puk(WRONG_PUK), &pin(NEW_PIN), LastTry::Confirmed));
        assert_eq!(e, PinError::PukBlocked);
        assert!(responded_do99(&wire, 0x63C0));
        assert_eq!(tries(&wire), (0, 0));
        assert!(e.describe(Lang::En).contains("new identity card"));
        // Nothing more is sent in this session.
        let before = sent(&wire);
        assert_eq!(
            pin_err(s.unblock_pin_with(&puk(PUK), &pin(NEW_PIN), LastTry::Confirmed)),
            PinError::PukBlocked
        );
        assert_eq!(sent(&wire), before);
    }
    // A new session: the card says 6983 to the status query; the right PUK is never sent.
    for _ in 0..2 {
        let mut s = cie.open().unwrap();
        let before = sent(&wire);
        assert_eq!(
            pin_err(s.unblock_pin_with(&puk(PUK), &pin(NEW_PIN), LastTry::Confirmed)),
            PinError::PukBlocked
        );
        let cmds = commands(&wire);
        assert!(code_commands(&cmds[before..]).is_empty());
        assert_eq!(s.puk_status().unwrap(), RetryStatus::Blocked);
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Blocked);
        assert_eq!(tries(&wire), (0, 0));
    }
    assert!(responded_do99(&wire, 0x6983));
}

#[test]
fn c6_puk_blocked_answers_6983_even_to_the_right_puk() {
    // Without the status query the host sends the right PUK; the card still refuses (6983).
    let (wire, mut cie) = rig(
        builder()
            .tries_left(0, 0)
            .empty_verify(EmptyVerify::InsNotSupported),
        true,
    );
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    // P-PIN10: without a readable counter the PUK try needs a confirmation.
    assert_eq!(
        pin_err(s.unblock_pin(&puk(PUK), &pin(NEW_PIN))),
        PinError::CounterUnreadable {
            code: CodeKind::Puk
        }
    );
    assert!(code_commands(&commands(&wire)[before..]).is_empty());
    assert_eq!(
        pin_err(s.unblock_pin_with(&puk(PUK), &pin(NEW_PIN), LastTry::Confirmed)),
        PinError::PukBlocked
    );
    let cmds = commands(&wire);
    // The PUK was sent once; no RESET RETRY COUNTER followed.
    assert_eq!(code_commands(&cmds[before..]), vec![(0x20, 0x82)]);
    assert!(responded_do99(&wire, 0x6983));
    assert_eq!(tries(&wire), (0, 0));
}

#[test]
fn c4_reset_retry_counter_without_puk_is_not_authorized() {
    // Through the Session API, RESET RETRY COUNTER is sent only after a 9000 to VERIFY PUK
    // in the same session, so the card's 6982 for it cannot be provoked end to end. What the
    // host makes of that answer is `classify`'s: NotAuthorized, never Ok, never Wrong.
    use cie_pinpuk::apdu::StatusWord;
    use cie_pinpuk::card::{PinCommand, classify};
    assert_eq!(
        classify(PinCommand::ResetRetryCounter, StatusWord::from_u16(0x6982)),
        Err(PinError::NotAuthorized)
    );
    // And a failed VERIFY PUK stops the unblock before RESET RETRY COUNTER (checked in
    // n9_wrong_puk_reports_remaining_out_of_10_and_never_chains).
}

// ---------------------------------------------------------------------------------------
// The two case-1 forms (docs/protocol.md §4.3)

fn status_query_with(
    form: Case1Form,
    card: Case1Acceptance,
) -> (Result<RetryStatus, Error>, Vec<u8>, bool) {
    let options = Options {
        case1: form,
        ..Options::default()
    };
    let (wire, cie) = rig(builder().case1(card), true);
    let mut cie = cie.with_options(options);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    let r = s.pin_status();
    let open = s.is_open();
    drop(s);
    // The first empty VERIFY (the refused DOCP GET DATA goes first).
    let cmd = commands(&wire)[before..]
        .iter()
        .find(|c| c[1] == 0x20)
        .unwrap()
        .clone();
    assert_eq!(tries(&wire), (3, 10));
    (r, cmd, open)
}

#[test]
fn sc3_case1_iso_form_against_iso_only_card() {
    let (r, cmd, open) = status_query_with(Case1Form::Iso, Case1Acceptance::IsoOnly);
    assert_eq!(r.unwrap(), RetryStatus::Remaining(3));
    // 0C 20 00 81 0A 8E 08 <mac> 00: no DO'97'.
    assert_eq!(&cmd[..6], &[0x0C, 0x20, 0x00, 0x81, 0x0A, 0x8E]);
    assert!(open);
}

#[test]
fn sc3_case1_middleware_form_against_middleware_only_card() {
    let (r, cmd, open) = status_query_with(Case1Form::Middleware, Case1Acceptance::MiddlewareOnly);
    assert_eq!(r.unwrap(), RetryStatus::Remaining(3));
    // 0C 20 00 81 0D 97 01 00 8E 08 <mac> 00.
    assert_eq!(
        &cmd[..9],
        &[0x0C, 0x20, 0x00, 0x81, 0x0D, 0x97, 0x01, 0x00, 0x8E]
    );
    assert!(open);
}

#[test]
fn sc3_case1_both_forms_against_the_reference_card() {
    for form in [Case1Form::Iso, Case1Form::Middleware] {
        let (r, _, open) = status_query_with(form, Case1Acceptance::Both);
        assert_eq!(r.unwrap(), RetryStatus::Remaining(3));
        assert!(open);
    }
}

#[test]
fn sc3_case1_mismatch_degrades_without_spending_a_try() {
    // Middleware form to an ISO-only card: 6700 under SM, so the host reports Unknown.
    let (r, _, open) = status_query_with(Case1Form::Middleware, Case1Acceptance::IsoOnly);
    assert_eq!(r.unwrap(), RetryStatus::Unknown);
    assert!(open);
    // ISO form to a middleware-only card: an SM error (6987, unprotected): the session is
    // lost, and the counters untouched (checked in the helper).
    let (r, _, open) = status_query_with(Case1Form::Iso, Case1Acceptance::MiddlewareOnly);
    assert!(
        matches!(r, Err(Error::Card(CardError::Unprotected { .. }))),
        "{r:?}"
    );
    assert!(!open);
}

// ---------------------------------------------------------------------------------------
// N11: no code on the wire outside SM; N12 / P-PIN7: no code in any Debug or Display

#[test]
fn n11_p_pin5_whole_session_never_shows_a_code_on_the_wire() {
    let (wire, mut cie) = rig(builder().tries_left(3, 10), true);
    cie.read_nis().unwrap();
    {
        let mut s = cie.open().unwrap();
        s.serial().unwrap();
        s.pin_status().unwrap();
        s.puk_status().unwrap();
        let _ = s.verify_pin(&pin(WRONG_PIN));
        s.verify_pin(&pin(PIN)).unwrap();
        s.change_pin(&pin(PIN), &pin(NEW_PIN)).unwrap();
        let _ = s.unblock_pin(&puk(WRONG_PUK), &pin(PIN));
        s.unblock_pin(&puk(PUK), &pin(PIN)).unwrap();
        s.verify_pin(&pin(PIN)).unwrap();
    }
    assert_eq!(tries(&wire), (3, 10));
    let w = wire.borrow();
    let cmds: Vec<Vec<u8>> = w.commands().map(<[u8]>::to_vec).collect();
    // Every code command carried a code, and all were SM-wrapped (CLA 0C, DO'87').
    let codes = code_commands(&cmds);
    assert_eq!(codes.len(), 8);
    for c in cmds.iter().filter(|c| is_pin_command(c)) {
        assert_eq!(c[0], 0x0C, "{}", hex::encode(c));
    }
    // No code, whole or by half, in any command or response.
    for c in &cmds {
        assert!(!bytes_hold_secret(c), "{}", hex::encode(c));
    }
    for r in w.responses().flatten() {
        assert!(!bytes_hold_secret(r));
    }
}

fn every_pin_error() -> Vec<PinError> {
    use cie_pinpuk::apdu::StatusWord;
    let mut all = vec![
        PinError::Blocked,
        PinError::PukBlocked,
        PinError::WrongLength,
        PinError::NotAuthorized,
        PinError::ConfirmationMismatch,
        PinError::StateUnknown {
            sw: StatusWord::from_u16(0x6581),
        },
        PinError::Card {
            sw: StatusWord::from_u16(0x6A88),
        },
    ];
    for code in [CodeKind::Pin, CodeKind::Puk] {
        all.push(PinError::Wrong { code, remaining: 2 });
        all.push(PinError::WrongNoCount { code });
        all.push(PinError::LastTryGuard { code, remaining: 1 });
        all.push(PinError::CounterUnknown {
            code,
            cause: cie_pinpuk::transport::TransportErrorKind::CardRemoved,
        });
    }
    for q in [
        PinQualityError::AllDigitsEqual,
        PinQualityError::AscendingRun,
        PinQualityError::DescendingRun,
        PinQualityError::SameAsOld,
    ] {
        all.push(PinError::Quality(q));
    }
    all
}

#[test]
fn n12_p_pin7_no_error_value_or_text_shows_a_code() {
    use cie_pinpuk::apdu::StatusWord;
    use cie_pinpuk::card::Step;
    use cie_pinpuk::transport::TransportError;
    let mut errors: Vec<Error> = every_pin_error().into_iter().map(Error::from).collect();
    errors.extend(
        [
            CardError::SessionClosed,
            CardError::SecurityStatusLost,
            CardError::Status {
                step: Step::PinCommand,
                sw: StatusWord::from_u16(0x6A80),
            },
            CardError::Malformed {
                step: Step::ReadFile,
            },
            CardError::Unprotected {
                sw: StatusWord::from_u16(0x6988),
            },
        ]
        .map(Error::from),
    );
    errors.extend(
        [
            TransportError::CardRemoved,
            TransportError::ReaderGone,
            TransportError::Reset,
            TransportError::Timeout,
            TransportError::Busy,
        ]
        .map(Error::from),
    );
    // Parse errors of every test code mistyped.
    for code in SECRETS {
        for bad in [
            &code[..7],
            &format!("{code}1")[..],
            &code.replace('1', "x")[..],
        ] {
            if let Err(e) = Pin::new(bad) {
                errors.push(e.into());
            }
        }
    }
    for e in &errors {
        assert_no_secret(&format!("{e:?}"));
        assert_no_secret(&format!("{e}"));
        assert_no_secret(&e.describe(Lang::It));
        assert_no_secret(&e.describe(Lang::En));
    }
    // The codes themselves redact.
    for code in SECRETS {
        assert_no_secret(&format!("{:?}", pin(code)));
        assert_no_secret(&format!("{}", pin(code)));
        assert_no_secret(&format!("{:?}", puk(code)));
    }
}

#[test]
fn n12_p_pin7_session_cie_and_card_debug_show_no_code() {
    let (wire, mut cie) = rig(builder(), true);
    let mut texts = vec![format!("{cie:?}")];
    {
        let mut s = cie.open().unwrap();
        texts.push(format!("{s:?}"));
        let mut outcomes = vec![
            s.verify_pin(&pin(WRONG_PIN)),
            s.verify_pin(&pin(PIN)),
            s.change_pin(&pin(PIN), &pin(PIN)),
            s.change_pin(&pin(PIN), &pin(NEW_PIN)),
            s.unblock_pin(&puk(WRONG_PUK), &pin(NEW_PIN)),
        ];
        outcomes.push(s.pin_status().map(|_| ()));
        texts.push(format!("{s:?}"));
        for o in &outcomes {
            texts.push(format!("{o:?}"));
            if let Err(e) = o {
                texts.push(format!("{e}"));
                texts.push(e.describe(Lang::It));
                texts.push(e.describe(Lang::En));
            }
        }
        s.close();
        texts.push(format!("{s:?}"));
    }
    texts.push(format!("{cie:?}"));
    texts.push(format!("{:?}", wire.borrow().inner()));
    for t in &texts {
        assert_no_secret(t);
    }
}

#[test]
fn k1_open_refuses_a_group_below_the_floor_before_any_secret() {
    // The small test group (512-bit p) against the reference policy: refused after the
    // GET DATA of g, p, q, before MSE SET KAT (no host exponent drawn, no value sent).
    let (wire, cie) = rig(builder(), true);
    let mut cie = cie.with_dh_group_policy(cie_pinpuk::auth::DhGroupPolicy::REFERENCE);
    let err = cie.open().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth(cie_pinpuk::auth::AuthError::DhGroupRefused(
                cie_pinpuk::auth::DhGroupDefect::PrimeTooShort {
                    bits: 512,
                    min: 2048
                }
            ))
        ),
        "{err:?}"
    );
    assert!(!commands(&wire).iter().any(|c| c[1] == 0x22));
}
