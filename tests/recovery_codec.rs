//! Round trips and refusals of the recovery value types: procedure ids, stored states and
//! journal kinds, completion codes, device keys, refusal texts (docs/rules.md P1-P4, I6).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cie_pinpuk::journal::Timestamp;
use cie_pinpuk::policy::RuleId;
use cie_pinpuk::recovery::{
    CompletionCode, CompletionCodeError, DeviceKey, DeviceKeyError, EventKind, ProcedureId,
    ProcedureState, RefusalReason,
};
use proptest::prelude::*;

/// The bundled text of `x` in `lang` (an error if the language lacks the message).
fn text(lang: &str, x: &impl cie_pinpuk::i18n::Localize) -> String {
    cie_pinpuk::i18n::Texts::bundled()
        .localizer_for(lang)
        .try_text(x)
        .unwrap()
}

#[test]
fn p3_states_and_event_kinds_round_trip_through_their_names() {
    for s in [
        ProcedureState::Pending,
        ProcedureState::CodeIssued,
        ProcedureState::Released,
        ProcedureState::Expired,
        ProcedureState::Closed,
    ] {
        assert_eq!(ProcedureState::parse(s.as_str()), Some(s));
    }
    assert_eq!(ProcedureState::parse("done"), None);
    for k in [
        EventKind::RequestRefused,
        EventKind::RequestAccepted,
        EventKind::CodeIssued,
        EventKind::CodeSent,
        EventKind::NotificationFailed,
        EventKind::CompletionRefused,
        EventKind::Released,
        EventKind::Expired,
        EventKind::Closed,
        EventKind::ClockBehind,
    ] {
        assert_eq!(EventKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(EventKind::parse(""), None);
}

#[test]
fn p1_p2_p3_p4_i6_every_refusal_names_its_rule_in_both_languages() {
    let id = ProcedureId::from_hex(&"ab".repeat(16)).unwrap();
    let all = [
        (RefusalReason::NoContactsRegistered, RuleId::P1),
        (RefusalReason::NoMatch, RuleId::P2),
        (RefusalReason::CardNotVerified, RuleId::P2),
        (RefusalReason::PukOnly, RuleId::P4),
        (
            RefusalReason::AlreadyOpen {
                procedure: id,
                not_before: Timestamp(1),
            },
            RuleId::P3,
        ),
        (
            RefusalReason::TooEarly {
                not_before: Timestamp(1),
            },
            RuleId::I6,
        ),
        (RefusalReason::WrongCode { remaining: 1 }, RuleId::P3),
        (RefusalReason::Closed, RuleId::P3),
        (RefusalReason::Expired, RuleId::P3),
        (RefusalReason::AlreadyReleased, RuleId::I6),
        (RefusalReason::UnknownProcedure, RuleId::P3),
    ];
    for (reason, rule) in all {
        assert_eq!(reason.rule(), rule, "{reason:?}");
        assert!(!text("it", &reason).is_empty() && !text("en", &reason).is_empty());
        assert_ne!(text("it", &reason), text("en", &reason));
        assert!(!reason.as_str().is_empty());
    }
    let too_early = RefusalReason::TooEarly {
        not_before: Timestamp(1),
    };
    assert!(text("en", &too_early).contains("48 hours"));
    assert!(text("it", &too_early).contains("48 ore"));
    assert!(text("de", &too_early).contains("48 Stunden"));
}

#[test]
fn p3_completion_codes_are_exactly_8_digits() {
    assert!(CompletionCode::parse("12345678").is_ok());
    assert!(CompletionCode::parse(" 1234 5678 ").is_ok());
    for bad in [
        "",
        "1234567",
        "123456789",
        "1234567a",
        "１２３４５６７８",
        "1234-5678",
    ] {
        assert_eq!(
            CompletionCode::parse(bad).err(),
            Some(CompletionCodeError::Format),
            "{bad}"
        );
    }
    let c = CompletionCode::parse("87654321").unwrap();
    assert_eq!(c.expose_ascii(), b"87654321");
    assert!(!format!("{c:?}").contains('8'));
}

#[test]
fn p3_device_keys_outside_2048_to_4096_bits_are_refused() {
    let mut n = vec![0xC5u8; 256];
    n[255] |= 1;
    let key = DeviceKey::from_components(&n, &[1, 0, 1]).unwrap();
    assert_eq!(key.modulus().len(), 256);
    assert_eq!(key.public_exponent(), &[1, 0, 1]);
    assert_eq!(format!("{key:?}"), "DeviceKey { bits: 2048, .. }");
    // Leading zeros are stripped.
    let padded = [&[0u8, 0][..], &n].concat();
    assert_eq!(
        DeviceKey::from_components(&padded, &[0, 1, 0, 1]).unwrap(),
        key
    );
    // 1024 bits, 4104 bits, an even modulus, exponent 1, no exponent.
    let mut small = [0xC5u8; 128];
    small[127] |= 1;
    let mut big = vec![0xC5u8; 513];
    big[512] |= 1;
    let mut even = n.clone();
    even[255] &= 0xFE;
    for (m, e) in [
        (&small[..], &[1u8, 0, 1][..]),
        (&big[..], &[1, 0, 1][..]),
        (&even[..], &[1, 0, 1][..]),
        (&n[..], &[1][..]),
        (&n[..], &[][..]),
    ] {
        assert_eq!(
            DeviceKey::from_components(m, e).err(),
            Some(DeviceKeyError::Invalid)
        );
    }
}

proptest! {
    #[test]
    fn p3_procedure_ids_round_trip_through_hex(bytes in any::<[u8; 16]>()) {
        let id = ProcedureId::from_hex(&hex::encode(bytes)).unwrap();
        prop_assert_eq!(id.as_bytes(), &bytes);
        prop_assert_eq!(ProcedureId::from_hex(&id.to_hex()), Some(id));
        prop_assert_eq!(ProcedureId::from_hex(&id.to_hex().to_uppercase()), Some(id));
        prop_assert_eq!(id.to_string(), id.to_hex());
    }

    #[test]
    fn p3_procedure_id_parser_never_panics(s in ".{0,40}") {
        if let Some(id) = ProcedureId::from_hex(&s) {
            prop_assert_eq!(id.to_hex(), s.to_lowercase());
        }
    }

    #[test]
    fn p3_completion_codes_round_trip(n in 0u32..100_000_000) {
        let text = format!("{n:08}");
        let c = CompletionCode::parse(&text).unwrap();
        prop_assert_eq!(c.expose_ascii(), text.as_bytes());
    }

    #[test]
    fn p3_completion_code_parser_never_panics(s in ".{0,20}") {
        let _ = CompletionCode::parse(&s);
    }

    #[test]
    fn p3_device_key_parser_never_panics(n in prop::collection::vec(any::<u8>(), 0..600), e in prop::collection::vec(any::<u8>(), 0..12)) {
        let _ = DeviceKey::from_components(&n, &e);
    }
}
