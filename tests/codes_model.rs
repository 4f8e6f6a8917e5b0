//! The PIN/PUK model: C1 (8 ASCII digits), C2 (two halves of a kind), N1 (empty input),
//! N2 (malformed input), N12 (no digit in Debug/Display, no Clone, constant-time equality).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CODE_LEN, CodeError, CodeKind, FirstHalf, Half, Pin, Puk, SecondHalf};
use proptest::prelude::*;
use subtle::ConstantTimeEq;

// ---------------------------------------------------------------- C1: exactly 8 digits

#[test]
fn c1_pin_and_puk_accept_eight_ascii_digits() {
    let pin = Pin::new("40271953").unwrap();
    assert_eq!(pin.expose_ascii(), b"40271953");
    assert_eq!(pin.kind(), CodeKind::Pin);
    let puk = Puk::new("00000000").unwrap();
    assert_eq!(puk.expose_ascii(), b"00000000");
    assert_eq!(puk.kind(), CodeKind::Puk);
    assert_eq!(
        Pin::from_ascii(b"99999999").unwrap().expose_ascii(),
        b"99999999"
    );
    assert_eq!(
        Puk::from_ascii(b"12345678").unwrap().expose_ascii(),
        b"12345678"
    );
    assert_eq!(CODE_LEN, 8);
}

#[test]
fn c1_kind_constants() {
    assert_eq!(Pin::KIND, CodeKind::Pin);
    assert_eq!(Puk::KIND, CodeKind::Puk);
    assert_eq!(CodeKind::Pin.other(), CodeKind::Puk);
    assert_eq!(CodeKind::Puk.other(), CodeKind::Pin);
    assert_eq!(CodeKind::Pin.to_string(), "PIN");
    assert_eq!(CodeKind::Puk.to_string(), "PUK");
}

// ---------------------------------------------------------------- N1: empty input

#[test]
fn n1_empty_string_is_refused() {
    assert_eq!(Pin::new("").err(), Some(CodeError::Empty));
    assert_eq!(Puk::new("").err(), Some(CodeError::Empty));
    assert_eq!(Pin::from_ascii(b"").err(), Some(CodeError::Empty));
    assert_eq!(Puk::from_ascii(b"").err(), Some(CodeError::Empty));
    assert_eq!(
        FirstHalf::new(CodeKind::Pin, "").err(),
        Some(CodeError::Empty)
    );
    assert_eq!(
        SecondHalf::new(CodeKind::Puk, "").err(),
        Some(CodeError::Empty)
    );
    assert_eq!(
        FirstHalf::from_ascii(CodeKind::Pin, b"").err(),
        Some(CodeError::Empty)
    );
    assert_eq!(
        SecondHalf::from_ascii(CodeKind::Pin, b"").err(),
        Some(CodeError::Empty)
    );
}

#[test]
fn n1_empty_error_converts_into_crate_error() {
    fn parse() -> Result<Pin, cie_pinpuk::Error> {
        Ok(Pin::new("")?)
    }
    assert!(matches!(
        parse(),
        Err(cie_pinpuk::Error::Code(CodeError::Empty))
    ));
}

// ---------------------------------------------------------------- N2: malformed input

fn wrong_length(found: usize) -> Option<CodeError> {
    Some(CodeError::WrongLength { expected: 8, found })
}

fn not_a_digit(position: usize) -> Option<CodeError> {
    Some(CodeError::NotADigit { position })
}

#[test]
fn n2_seven_and_nine_digits_are_refused() {
    assert_eq!(Pin::new("1234567").err(), wrong_length(7));
    assert_eq!(Pin::new("123456789").err(), wrong_length(9));
    assert_eq!(Puk::new("1234567").err(), wrong_length(7));
    assert_eq!(Puk::new("123456789").err(), wrong_length(9));
    assert_eq!(Pin::from_ascii(b"1234567").err(), wrong_length(7));
    assert_eq!(Pin::from_ascii(b"123456789").err(), wrong_length(9));
}

#[test]
fn n2_four_and_twelve_digits_are_refused_as_a_code() {
    // The "cached first half + full PIN" bug class: neither a half nor a half glued in
    // front of a full code is a code.
    assert_eq!(Pin::new("1234").err(), wrong_length(4));
    assert_eq!(Pin::new("123412345678").err(), wrong_length(12));
    assert_eq!(
        FirstHalf::new(CodeKind::Pin, "12345678").err(),
        Some(CodeError::WrongLength {
            expected: 4,
            found: 8
        })
    );
    assert_eq!(
        SecondHalf::new(CodeKind::Pin, "12345678").err(),
        Some(CodeError::WrongLength {
            expected: 4,
            found: 8
        })
    );
}

#[test]
fn n2_letters_are_refused() {
    assert_eq!(Pin::new("1234567a").err(), not_a_digit(7));
    assert_eq!(Pin::new("abcdefgh").err(), not_a_digit(0));
    assert_eq!(Puk::new("12O45678").err(), not_a_digit(2)); // letter O, not zero
    assert_eq!(Pin::from_ascii(b"1234l678").err(), not_a_digit(4)); // letter l, not one
    assert_eq!(
        FirstHalf::new(CodeKind::Pin, "12a4").err(),
        Some(CodeError::NotADigit { position: 2 })
    );
}

#[test]
fn n2_arabic_indic_digits_are_refused() {
    // U+0660..U+0669, two bytes each in UTF-8.
    assert_eq!(Pin::new("١٢٣٤٥٦٧٨").err(), not_a_digit(0));
    // Eight characters, nine bytes: counted as 8 characters, refused at the non-ASCII one.
    assert_eq!(Pin::new("1234567٣").err(), not_a_digit(7));
    // Seven characters, eight bytes: a multi-byte char cannot make a code of 8 bytes pass.
    assert_eq!("123456٣".len(), 8);
    assert_eq!(Pin::new("123456٣").err(), wrong_length(7));
    assert_eq!(Pin::from_ascii("123456٣".as_bytes()).err(), not_a_digit(6));
    // Extended Arabic-Indic (U+06F0..) and Devanagari (U+0966..) digits too.
    assert_eq!(Puk::new("۱۲۳۴۵۶۷۸").err(), not_a_digit(0));
    assert_eq!(Puk::new("१२३४५६७८").err(), not_a_digit(0));
}

#[test]
fn n2_fullwidth_digits_are_refused() {
    // U+FF10..U+FF19, three bytes each.
    assert_eq!(Pin::new("１２３４５６７８").err(), not_a_digit(0));
    assert_eq!(Pin::new("1234567３").err(), not_a_digit(7));
    assert_eq!(
        SecondHalf::new(CodeKind::Pin, "５６７８").err(),
        Some(CodeError::NotADigit { position: 0 })
    );
    assert_eq!(
        Pin::from_ascii("1234567３".as_bytes()).err(),
        wrong_length(10)
    );
}

#[test]
fn n2_spaces_and_signs_are_refused() {
    assert_eq!(Pin::new(" 1234567").err(), not_a_digit(0));
    assert_eq!(Pin::new("1234 678").err(), not_a_digit(4));
    assert_eq!(Pin::new("1234 5678").err(), wrong_length(9));
    assert_eq!(Pin::new(" 12345678").err(), wrong_length(9));
    assert_eq!(Pin::new("12345678 ").err(), wrong_length(9));
    assert_eq!(Pin::new("12345678\n").err(), wrong_length(9));
    assert_eq!(Pin::new("        ").err(), not_a_digit(0));
    assert_eq!(Pin::new("1234567\t").err(), not_a_digit(7));
    assert_eq!(Pin::new("+1234567").err(), not_a_digit(0));
    assert_eq!(Pin::new("-1234567").err(), not_a_digit(0));
    assert_eq!(Puk::new("1234-678").err(), not_a_digit(4));
    assert_eq!(Pin::new("1234567\u{0}").err(), not_a_digit(7));
    assert_eq!(Pin::from_ascii(b"1234567\xff").err(), not_a_digit(7));
    // A non-breaking space and a zero-width space are characters too.
    assert_eq!(Pin::new("1234\u{a0}678").err(), not_a_digit(4));
    assert_eq!(Pin::new("1234567\u{200b}8").err(), wrong_length(9));
}

// ---------------------------------------------------------------- C2: halves

#[test]
fn c2_halves_of_a_pin() {
    let pin = Pin::new("40271953").unwrap();
    let first = pin.first_half();
    let second = pin.second_half();
    assert_eq!(first.expose_ascii(), b"4027");
    assert_eq!(second.expose_ascii(), b"1953");
    assert_eq!(first.kind(), CodeKind::Pin);
    assert_eq!(second.kind(), CodeKind::Pin);
    assert_eq!(first.half(), Half::First);
    assert_eq!(second.half(), Half::Second);
    assert_eq!(FirstHalf::ROLE, Half::First);
    assert_eq!(SecondHalf::ROLE, Half::Second);
    let joined = Pin::from_halves(&first, &second).unwrap();
    assert_eq!(joined.expose_ascii(), b"40271953");
}

#[test]
fn c2_halves_of_a_puk() {
    let puk = Puk::new("96385274").unwrap();
    assert_eq!(puk.first_half().kind(), CodeKind::Puk);
    assert_eq!(puk.second_half().kind(), CodeKind::Puk);
    assert_eq!(puk.first_half().expose_ascii(), b"9638");
    assert_eq!(puk.second_half().expose_ascii(), b"5274");
    let first = FirstHalf::from_ascii(CodeKind::Puk, b"9638").unwrap();
    let second = SecondHalf::from_ascii(CodeKind::Puk, b"5274").unwrap();
    assert_eq!(
        Puk::from_halves(&first, &second).unwrap().expose_ascii(),
        b"96385274"
    );
}

#[test]
fn c2_from_halves_refuses_a_puk_half_for_a_pin() {
    let pin_first = FirstHalf::new(CodeKind::Pin, "4027").unwrap();
    let pin_second = SecondHalf::new(CodeKind::Pin, "1953").unwrap();
    let puk_first = FirstHalf::new(CodeKind::Puk, "4027").unwrap();
    let puk_second = SecondHalf::new(CodeKind::Puk, "1953").unwrap();
    let want = Some(CodeError::WrongKind {
        expected: CodeKind::Pin,
        found: CodeKind::Puk,
    });
    assert_eq!(Pin::from_halves(&puk_first, &pin_second).err(), want);
    assert_eq!(Pin::from_halves(&pin_first, &puk_second).err(), want);
    assert_eq!(Pin::from_halves(&puk_first, &puk_second).err(), want);
    let want = Some(CodeError::WrongKind {
        expected: CodeKind::Puk,
        found: CodeKind::Pin,
    });
    assert_eq!(Puk::from_halves(&pin_first, &puk_second).err(), want);
    assert_eq!(Puk::from_halves(&puk_first, &pin_second).err(), want);
}

#[test]
fn c2_halves_check_their_own_format() {
    assert_eq!(
        FirstHalf::new(CodeKind::Pin, "123").err(),
        Some(CodeError::WrongLength {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        SecondHalf::from_ascii(CodeKind::Puk, b"12345").err(),
        Some(CodeError::WrongLength {
            expected: 4,
            found: 5
        })
    );
    assert_eq!(
        SecondHalf::new(CodeKind::Puk, "１２３４").err(),
        Some(CodeError::NotADigit { position: 0 })
    );
}

// ---------------------------------------------------------------- N12: equality, no Clone

#[test]
fn n12_constant_time_equality() {
    let a = Pin::new("40271953").unwrap();
    assert!(bool::from(a.ct_eq(&Pin::new("40271953").unwrap())));
    assert!(!bool::from(a.ct_eq(&Pin::new("40271954").unwrap())));
    assert!(!bool::from(a.ct_eq(&Pin::new("50271953").unwrap())));
    let p = Puk::new("96385274").unwrap();
    assert!(bool::from(p.ct_eq(&Puk::new("96385274").unwrap())));
    assert!(!bool::from(p.ct_eq(&Puk::new("96385275").unwrap())));
    // Halves: the same digits of another kind are a different half.
    let pin_half = FirstHalf::new(CodeKind::Pin, "4027").unwrap();
    let puk_half = FirstHalf::new(CodeKind::Puk, "4027").unwrap();
    assert!(bool::from(pin_half.ct_eq(&a.first_half())));
    assert!(!bool::from(pin_half.ct_eq(&puk_half)));
    assert!(bool::from(
        SecondHalf::new(CodeKind::Pin, "1953")
            .unwrap()
            .ct_eq(&a.second_half())
    ));
}

/// Compile-time checks that the secret types have no `Clone`, `Copy` or `PartialEq`: if one
/// of these impls appeared, the blanket trait below would become ambiguous and this would
/// fail to compile (the "does not implement" probe of static_assertions, written out).
mod n12_no_clone_no_partial_eq {
    use super::*;

    trait AmbiguousIfClone<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfClone<()> for T {}
    struct ViaClone;
    impl<T: Clone> AmbiguousIfClone<ViaClone> for T {}

    trait AmbiguousIfEq<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfEq<()> for T {}
    struct ViaEq;
    impl<T: PartialEq> AmbiguousIfEq<ViaEq> for T {}

    #[test]
    fn n12_secret_types_are_not_clone_nor_partial_eq() {
        let _ = <Pin as AmbiguousIfClone<_>>::some_item;
        let _ = <Puk as AmbiguousIfClone<_>>::some_item;
        let _ = <FirstHalf as AmbiguousIfClone<_>>::some_item;
        let _ = <SecondHalf as AmbiguousIfClone<_>>::some_item;
        let _ = <Pin as AmbiguousIfEq<_>>::some_item;
        let _ = <Puk as AmbiguousIfEq<_>>::some_item;
        let _ = <FirstHalf as AmbiguousIfEq<_>>::some_item;
        let _ = <SecondHalf as AmbiguousIfEq<_>>::some_item;
    }
}

// ---------------------------------------------------------------- proptest round trips

proptest! {
    #[test]
    fn c1_parse_round_trip(s in "[0-9]{8}") {
        let pin = Pin::new(&s).unwrap();
        prop_assert_eq!(pin.expose_ascii().as_slice(), s.as_bytes());
        let puk = Puk::from_ascii(s.as_bytes()).unwrap();
        prop_assert_eq!(puk.expose_ascii().as_slice(), s.as_bytes());
        let again = Pin::from_ascii(pin.expose_ascii()).unwrap();
        prop_assert!(bool::from(again.ct_eq(&pin)));
    }

    #[test]
    fn c2_halves_round_trip(s in "[0-9]{8}") {
        let pin = Pin::new(&s).unwrap();
        let (first, second) = (pin.first_half(), pin.second_half());
        prop_assert_eq!(first.expose_ascii().as_slice(), &s.as_bytes()[..4]);
        prop_assert_eq!(second.expose_ascii().as_slice(), &s.as_bytes()[4..]);
        let joined = Pin::from_halves(&first, &second).unwrap();
        prop_assert_eq!(joined.expose_ascii().as_slice(), s.as_bytes());
        // Halves parsed from text join to the same PIN.
        let first = FirstHalf::new(CodeKind::Pin, &s[..4]).unwrap();
        let second = SecondHalf::new(CodeKind::Pin, &s[4..]).unwrap();
        prop_assert!(bool::from(Pin::from_halves(&first, &second).unwrap().ct_eq(&pin)));
        // And never to a PUK.
        prop_assert_eq!(
            Puk::from_halves(&first, &second).err(),
            Some(CodeError::WrongKind { expected: CodeKind::Puk, found: CodeKind::Pin })
        );
        let puk = Puk::new(&s).unwrap();
        let joined = Puk::from_halves(&puk.first_half(), &puk.second_half()).unwrap();
        prop_assert_eq!(joined.expose_ascii().as_slice(), s.as_bytes());
    }

    #[test]
    fn n2_any_string_is_accepted_iff_eight_ascii_digits(s in "\\PC{0,12}|[0-9]{7,9}|[0-9 ]{8}") {
        let valid = s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
        prop_assert_eq!(Pin::new(&s).is_ok(), valid);
        prop_assert_eq!(Puk::new(&s).is_ok(), valid);
        prop_assert_eq!(Pin::from_ascii(s.as_bytes()).is_ok(), valid);
        let chars = s.chars().count();
        match Pin::new(&s) {
            Ok(_) => {}
            Err(CodeError::Empty) => prop_assert_eq!(chars, 0),
            Err(CodeError::WrongLength { expected, found }) => {
                prop_assert_eq!(expected, 8);
                prop_assert_eq!(found, chars);
                prop_assert_ne!(chars, 8);
            }
            Err(CodeError::NotADigit { position }) => {
                prop_assert_eq!(chars, 8);
                let c = s.chars().nth(position).unwrap();
                prop_assert!(!c.is_ascii_digit());
                prop_assert!(s.chars().take(position).all(|c| c.is_ascii_digit()));
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn n2_any_bytes_are_accepted_iff_eight_ascii_digits(b in proptest::collection::vec(any::<u8>(), 0..12)) {
        let valid = b.len() == 8 && b.iter().all(u8::is_ascii_digit);
        prop_assert_eq!(Pin::from_ascii(&b).is_ok(), valid);
        let half_valid = b.len() == 4 && b.iter().all(u8::is_ascii_digit);
        prop_assert_eq!(FirstHalf::from_ascii(CodeKind::Puk, &b).is_ok(), half_valid);
        prop_assert_eq!(SecondHalf::from_ascii(CodeKind::Pin, &b).is_ok(), half_valid);
    }
}
