//! Activation eligibility of the CIE credentials (rules A1, A2).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cie_pinpuk::codes::{CodeKind, FirstHalf};
use cie_pinpuk::policy::RuleId;
use cie_pinpuk::recovery::activation::{
    self, Level, Missing, MobileOnRecord, Presence, Reader, WithCard, WithoutCard,
};
use proptest::prelude::*;

/// The bundled text of `x` in `lang` (an error if the language lacks the message).
fn text(lang: &str, x: &impl cie_pinpuk::i18n::Localize) -> String {
    cie_pinpuk::i18n::Texts::bundled()
        .localizer_for(lang)
        .try_text(x)
        .unwrap()
}

const CF: &str = "RSSMRA85T10A562S";

fn puk_half() -> FirstHalf {
    FirstHalf::new(CodeKind::Puk, "1234").unwrap()
}

#[test]
fn a1_levels_1_2_with_fiscal_code_serial_puk_half_and_a_registered_mobile() {
    let half = puk_half();
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: Some(CF),
        serial: Some("CA12345AB"),
        puk_first_half: Some(&half),
        mobile: MobileOnRecord::Registered,
    });
    assert!(e.is_eligible());
    assert_eq!(e.level(), Level::OneAndTwo);
    assert!(e.reasons().is_empty());
}

#[test]
fn a1_refused_without_a_registered_mobile_even_with_everything_else() {
    let half = puk_half();
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: Some(CF),
        serial: Some("CA12345AB"),
        puk_first_half: Some(&half),
        mobile: MobileOnRecord::NotRegistered,
    });
    assert!(!e.is_eligible());
    assert_eq!(e.reasons().len(), 1);
    let r = e.reasons()[0];
    assert_eq!(
        (r.rule, r.missing),
        (RuleId::A1, Missing::MobileNotRegistered)
    );
    assert!(text("it", &r).contains("numero di cellulare"));
    assert!(text("en", &r).contains("mobile number"));
    assert!(text("de", &r).contains("Mobilnummer"));
    assert!(r.to_string().starts_with("A1: "));
}

#[test]
fn a1_lists_every_missing_element_in_order() {
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: None,
        serial: None,
        puk_first_half: None,
        mobile: MobileOnRecord::NotRegistered,
    });
    let missing: Vec<Missing> = e.reasons().iter().map(|r| r.missing).collect();
    assert_eq!(
        missing,
        [
            Missing::FiscalCode,
            Missing::Serial,
            Missing::PukFirstHalf,
            Missing::MobileNotRegistered
        ]
    );
    assert!(e.reasons().iter().all(|r| r.rule == RuleId::A1));
}

#[test]
fn a1_a_pin_half_an_invalid_fiscal_code_or_serial_are_refused() {
    let pin_half = FirstHalf::new(CodeKind::Pin, "1234").unwrap();
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: Some("RSSMRA85T10A562X"),
        serial: Some("CA1234AB"),
        puk_first_half: Some(&pin_half),
        mobile: MobileOnRecord::Registered,
    });
    let missing: Vec<Missing> = e.reasons().iter().map(|r| r.missing).collect();
    assert_eq!(
        missing,
        [
            Missing::FiscalCodeInvalid,
            Missing::SerialInvalid,
            Missing::PinHalfInsteadOfPuk
        ]
    );
}

#[test]
fn a2_level_3_with_card_pin_and_an_nfc_phone_or_a_reader() {
    for reader in [
        Reader::NfcPhoneWithCieId,
        Reader::ComputerWithReaderAndSoftware,
    ] {
        let e = activation::level_3(&WithCard {
            card: Presence::Present,
            pin: Presence::Present,
            reader,
        });
        assert!(e.is_eligible(), "{reader:?}");
        assert_eq!(e.level(), Level::Three);
    }
}

#[test]
fn a2_each_missing_element_is_named() {
    let cases = [
        (Reader::NfcPhoneWithoutCieId, Missing::CieIdApp),
        (
            Reader::ComputerWithReaderWithoutSoftware,
            Missing::CieSoftware,
        ),
        (Reader::PhoneWithoutNfc, Missing::Reader),
        (Reader::ComputerWithoutReader, Missing::Reader),
        (Reader::None, Missing::Reader),
    ];
    for (reader, missing) in cases {
        let e = activation::level_3(&WithCard {
            card: Presence::Absent,
            pin: Presence::Absent,
            reader,
        });
        let got: Vec<(RuleId, Missing)> = e.reasons().iter().map(|r| (r.rule, r.missing)).collect();
        assert_eq!(
            got,
            [
                (RuleId::A2, Missing::Card),
                (RuleId::A2, Missing::Pin),
                (RuleId::A2, missing)
            ]
        );
    }
}

#[test]
fn a1_a2_every_reason_has_both_texts() {
    let all = [
        Missing::FiscalCode,
        Missing::FiscalCodeInvalid,
        Missing::Serial,
        Missing::SerialInvalid,
        Missing::PukFirstHalf,
        Missing::PinHalfInsteadOfPuk,
        Missing::MobileNotRegistered,
        Missing::Card,
        Missing::Pin,
        Missing::Reader,
        Missing::CieIdApp,
        Missing::CieSoftware,
    ];
    for m in all {
        assert!(!text("it", &m).is_empty() && !text("en", &m).is_empty());
        assert_ne!(text("it", &m), text("en", &m));
        assert_ne!(text("de", &m), text("en", &m));
        assert!(matches!(m.rule(), RuleId::A1 | RuleId::A2));
    }
}

/// The fiscal-code check letter of the published algorithm, computed independently.
fn check_letter(first15: &str) -> char {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let v = |c: char| c.to_digit(10).unwrap_or_else(|| c as u32 - 'A' as u32);
    let sum: u32 = first15
        .chars()
        .enumerate()
        .map(|(i, c)| if i % 2 == 0 { ODD[v(c) as usize] } else { v(c) })
        .sum();
    char::from(b'A' + (sum % 26) as u8)
}

proptest! {
    #[test]
    fn a1_eligibility_is_exactly_all_four_conditions(
        cf in prop::option::of(Just(CF)),
        serial in prop::option::of(prop_oneof![Just("CA12345AB"), Just("bad")]),
        half in prop::option::of(prop_oneof![Just(CodeKind::Puk), Just(CodeKind::Pin)]),
        mobile in prop_oneof![Just(MobileOnRecord::Registered), Just(MobileOnRecord::NotRegistered)],
    ) {
        let h = half.map(|k| FirstHalf::new(k, "0000").unwrap());
        let e = activation::levels_1_2(&WithoutCard {
            fiscal_code: cf,
            serial,
            puk_first_half: h.as_ref(),
            mobile,
        });
        let expected = cf.is_some()
            && serial == Some("CA12345AB")
            && half == Some(CodeKind::Puk)
            && mobile == MobileOnRecord::Registered;
        prop_assert_eq!(e.is_eligible(), expected);
        prop_assert!(e.reasons().iter().all(|r| r.rule == RuleId::A1));
    }

    #[test]
    fn a1_fiscal_codes_with_their_check_letter_are_valid(
        surname in "[A-Z]{6}", year in "[0-9]{2}", month in "[ABCDEHLMPRST]",
        day in "[0-7][0-9]", town in "[A-Z][0-9]{3}", wrong in 1u8..26,
    ) {
        let first15 = format!("{surname}{year}{month}{day}{town}");
        let check = check_letter(&first15);
        let good = format!("{first15}{check}");
        prop_assert!(activation::is_valid_fiscal_code(&good));
        prop_assert!(activation::is_valid_fiscal_code(&good.to_lowercase()));
        let other = char::from(b'A' + ((check as u8 - b'A' + wrong) % 26));
        let bad = format!("{first15}{other}");
        prop_assert!(!activation::is_valid_fiscal_code(&bad));
    }

    #[test]
    fn a1_checks_never_panic(s in ".{0,40}") {
        let _ = activation::is_valid_fiscal_code(&s);
        let _ = activation::is_valid_serial(&s);
    }
}

/// A1: "subito dopo la richiesta al Comune": the holder has only the request's receipt (the
/// PUK's first half and the card number), no card yet; levels 1 and 2 are activated, and the
/// level-3 answer says that levels 1 and 2 are possible meanwhile.
#[test]
fn a1_right_after_the_request_before_the_card_arrives() {
    let half = puk_half();
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: Some(CF),
        serial: Some("CA12345AB"),
        puk_first_half: Some(&half),
        mobile: MobileOnRecord::Registered,
    });
    assert!(e.is_eligible());
    let no_card = activation::level_3(&WithCard {
        card: Presence::Absent,
        pin: Presence::Absent,
        reader: Reader::NfcPhoneWithCieId,
    });
    assert_eq!(no_card.reasons()[0].missing, Missing::Card);
    assert!(text("it", &no_card.reasons()[0]).contains("livelli 1 e 2"));
    assert!(text("en", &no_card.reasons()[0]).contains("levels 1 and 2"));
    // The serial number, when missing, is pointed to on the request's receipt as well.
    let e = activation::levels_1_2(&WithoutCard {
        fiscal_code: Some(CF),
        serial: None,
        puk_first_half: Some(&half),
        mobile: MobileOnRecord::Registered,
    });
    assert_eq!(e.reasons()[0].rule, RuleId::A1);
    assert!(text("it", &e.reasons()[0]).contains("ricevuta della richiesta"));
}
