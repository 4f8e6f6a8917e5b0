//! N12 / N11 / P-PIN7: no digit of a PIN, PUK or half appears in `Debug` (`{:?}`, `{:#?}`)
//! or `Display` (`{}`) of the value, nor of any error about it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::fmt::{Debug, Display};

use cie_pinpuk::codes::{
    CodeError, CodeKind, FirstHalf, NewPinRules, Pin, PinQualityError, Puk, SecondHalf,
};
use proptest::prelude::*;

/// All three renderings of a value.
fn renderings<T: Debug + Display + ?Sized>(v: &T) -> [String; 3] {
    [format!("{v:?}"), format!("{v:#?}"), format!("{v}")]
}

/// Asserts that no rendering of `v` contains any of the ASCII digits of `secret`.
fn assert_no_digit_of<T: Debug + Display + ?Sized>(v: &T, secret: &str) {
    for text in renderings(v) {
        for c in secret.chars().filter(char::is_ascii_digit) {
            assert!(!text.contains(c), "{text:?} shows digit {c:?}");
        }
    }
}

/// Asserts that no rendering of `v` contains any digit at all.
fn assert_no_digit<T: Debug + Display + ?Sized>(v: &T) {
    assert_no_digit_of(v, "0123456789");
}

#[test]
fn n12_pin_and_puk_show_no_digit() {
    let pin = Pin::new("40271953").unwrap();
    assert_no_digit(&pin);
    assert_eq!(format!("{pin:?}"), "Pin(********)");
    assert_eq!(format!("{pin:#?}"), "Pin(********)");
    assert_eq!(format!("{pin}"), "PIN ********");
    let puk = Puk::new("96385274").unwrap();
    assert_no_digit(&puk);
    assert_eq!(format!("{puk:?}"), "Puk(********)");
    assert_eq!(format!("{puk}"), "PUK ********");
}

#[test]
fn n12_halves_show_no_digit() {
    for kind in [CodeKind::Pin, CodeKind::Puk] {
        let first = FirstHalf::new(kind, "4027").unwrap();
        let second = SecondHalf::new(kind, "1953").unwrap();
        assert_no_digit(&first);
        assert_no_digit(&second);
    }
    let first = FirstHalf::new(CodeKind::Puk, "9638").unwrap();
    assert_eq!(format!("{first:?}"), "FirstHalf { kind: Puk, .. }");
    assert_eq!(format!("{first}"), "PUK first half ****");
    let second = Pin::new("40271953").unwrap().second_half();
    assert_eq!(format!("{second}"), "PIN second half ****");
}

#[test]
fn n12_code_errors_show_no_digit_of_the_input() {
    // Inputs chosen so that the numbers inside the error (lengths, positions) are not
    // digits of the input: any digit of the input in the text would be a leak.
    let cases: [(&str, CodeError); 6] = [
        ("", Pin::new("").unwrap_err()),
        ("4026195", Pin::new("4026195").unwrap_err()), // found 7, expected 8
        ("402613535", Pin::new("402613535").unwrap_err()), // found 9, expected 8
        ("569x0124", Pin::new("569x0124").unwrap_err()), // position 3
        ("569١0124", Puk::new("569١0124").unwrap_err()), // position 3
        ("569３0124", Puk::new("569３0124").unwrap_err()), // position 3
    ];
    for (input, err) in &cases {
        assert_no_digit_of(err, input);
        assert_no_digit_of(&cie_pinpuk::Error::from(*err), input);
    }
    assert_eq!(
        cases[1].1,
        CodeError::WrongLength {
            expected: 8,
            found: 7
        }
    );
    assert_eq!(cases[3].1, CodeError::NotADigit { position: 3 });
    // Halves: expected 4, so inputs without 4 and without their length.
    let err = FirstHalf::new(CodeKind::Pin, "12390").unwrap_err();
    assert_eq!(
        err,
        CodeError::WrongLength {
            expected: 4,
            found: 5
        }
    );
    assert_no_digit_of(&err, "12390");
    let err = SecondHalf::new(CodeKind::Pin, "9 36").unwrap_err();
    assert_no_digit_of(&err, "9 36");
    // Wrong kind carries no digit at all.
    let puk_half = FirstHalf::new(CodeKind::Puk, "4027").unwrap();
    let pin_half = SecondHalf::new(CodeKind::Pin, "1953").unwrap();
    let err = Pin::from_halves(&puk_half, &pin_half).unwrap_err();
    assert_no_digit(&err);
    assert_eq!(err.to_string(), "expected a PIN half, found a PUK half");
}

#[test]
fn n12_quality_errors_show_no_digit() {
    let rules = NewPinRules::official();
    for (input, want) in [
        ("44444444", PinQualityError::AllDigitsEqual),
        ("23456789", PinQualityError::AscendingRun),
        ("76543210", PinQualityError::DescendingRun),
    ] {
        let err = rules.check(&Pin::new(input).unwrap()).unwrap_err();
        assert_eq!(err, want);
        assert_no_digit(&err);
        assert_no_digit(&CodeError::from(err));
        assert_no_digit(&cie_pinpuk::Error::from(CodeError::from(err)));
    }
    let old = Pin::new("40271953").unwrap();
    let err = rules
        .check_change(&old, &Pin::new("40271953").unwrap())
        .unwrap_err();
    assert_eq!(err, PinQualityError::SameAsOld);
    assert_no_digit(&err);
}

proptest! {
    #[test]
    fn n12_no_rendering_of_any_code_shows_a_digit(s in "[0-9]{8}") {
        let pin = Pin::new(&s).unwrap();
        let puk = Puk::new(&s).unwrap();
        for text in renderings(&pin).iter().chain(renderings(&puk).iter())
            .chain(renderings(&pin.first_half()).iter())
            .chain(renderings(&puk.second_half()).iter())
        {
            prop_assert!(!text.chars().any(|c| c.is_ascii_digit()), "{}", text);
        }
    }
}
