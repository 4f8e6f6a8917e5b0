//! Command and response APDU framing (docs/testing.md §4.5, P-PARSE1) and the status word
//! mapping, with proptest round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::arithmetic_side_effects, missing_docs)]

use cie_pinpuk::apdu::{ApduError, Case, Command, Form, Response, StatusWord};
use proptest::prelude::*;

fn enc(c: &Command<'_>) -> Vec<u8> {
    let mut b = vec![0u8; c.encoded_len().unwrap()];
    let n = c.encode(&mut b).unwrap();
    assert_eq!(n, b.len());
    b
}

fn enc_with(c: &Command<'_>, f: Form) -> Result<Vec<u8>, ApduError> {
    let mut b = vec![0u8; 70_000];
    let n = c.encode_with(f, &mut b)?;
    b.truncate(n);
    Ok(b)
}

#[test]
fn apdu_protocol_1_4_nis_read_bytes() {
    // docs/protocol.md §1.4: the clear NIS read sequence.
    let ias = [
        0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81, 0x60, 0x01,
    ];
    let c = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(&ias);
    let mut want = vec![0x00, 0xA4, 0x04, 0x0C, 0x0D];
    want.extend_from_slice(&ias);
    assert_eq!(enc(&c), want);
    assert_eq!(c.case(), Case::Case3);
    let c = Command::new(0x00, 0xA4, 0x02, 0x04).with_data(&[0x10, 0x01]);
    assert_eq!(enc(&c), [0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x01]);
    let c = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(0x0C);
    assert_eq!(enc(&c), [0x00, 0xB0, 0x00, 0x00, 0x0C]);
    assert_eq!(c.case(), Case::Case2);
    // EF 1005 by SFI with Le = 00 (256).
    let c = Command::parse(&[0x00, 0xB0, 0x85, 0x00, 0x00]).unwrap();
    assert_eq!(c.le(), Some(256));
    assert_eq!(c.p1(), 0x85);
    // NXP-family select of the IAS application: 4 bytes, case 1.
    let c = Command::parse(&[0x00, 0xA4, 0x00, 0x00]).unwrap();
    assert_eq!(c.case(), Case::Case1);
    assert_eq!(c.case().number(), 1);
    assert_eq!(enc(&c), [0x00, 0xA4, 0x00, 0x00]);
}

#[test]
fn apdu_protocol_1_5_get_data_case_3() {
    // docs/protocol.md §1.5: GET DATA of the DH generator, no Le.
    let raw = [
        0x00, 0xCB, 0x3F, 0xFF, 0x0C, 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3, 0x02,
        0x97, 0x00,
    ];
    let c = Command::parse(&raw).unwrap();
    assert_eq!(c.header(), [0x00, 0xCB, 0x3F, 0xFF]);
    assert_eq!(c.data(), &raw[5..]);
    assert_eq!(c.le(), None);
    assert_eq!(c.case(), Case::Case3);
    assert_eq!(enc(&c), raw);
}

#[test]
fn apdu_extended_forms() {
    // Case 2E: 00 Le1 Le2, and 00 00 00 for 65 536.
    let c = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(0x1234);
    assert_eq!(c.form(), Form::Extended);
    assert_eq!(enc(&c), [0x00, 0xB0, 0x00, 0x00, 0x00, 0x12, 0x34]);
    // Regression: a seven-byte `00 Le1 Le2` is case 2E, not an extended Lc.
    let p = Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x12, 0x34]).unwrap();
    assert_eq!(
        (p.le(), p.case(), p.fixed_form()),
        (Some(0x1234), Case::Case2, Some(Form::Extended))
    );
    let c = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(65_536);
    assert_eq!(enc(&c), [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!(Command::parse(&enc(&c)).unwrap().le(), Some(65_536));
    // Case 3E and 4E.
    let data = vec![0xAB; 300];
    let c = Command::new(0x0C, 0x2A, 0x00, 0xAE).with_data(&data);
    let e = enc(&c);
    assert_eq!(&e[..7], &[0x0C, 0x2A, 0x00, 0xAE, 0x00, 0x01, 0x2C]);
    assert_eq!(e.len(), 7 + 300);
    let c4 = c.with_le(65_536);
    let e = enc(&c4);
    assert_eq!(&e[e.len() - 2..], &[0x00, 0x00]);
    assert_eq!(e.len(), 9 + 300);
    let p = Command::parse(&e).unwrap();
    assert_eq!(
        (p.data(), p.le(), p.case()),
        (&data[..], Some(65_536), Case::Case4)
    );
    // A short-able command forced to extended, and back.
    let c = Command::new(0x00, 0x88, 0x00, 0x00)
        .with_data(&[1, 2, 3])
        .with_le(256);
    let e = enc_with(&c, Form::Extended).unwrap();
    assert_eq!(
        e,
        [
            0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0x03, 1, 2, 3, 0x01, 0x00
        ]
    );
    let p = Command::parse(&e).unwrap();
    assert_eq!(p.fixed_form(), Some(Form::Extended));
    assert_eq!(enc(&p), e, "parse keeps the form: lossless");
    assert_eq!(enc(&c), [0x00, 0x88, 0x00, 0x00, 0x03, 1, 2, 3, 0x00]);
}

#[test]
fn apdu_short_form_refused_when_impossible() {
    let data = [0u8; 256];
    let c = Command::new(0, 0xD6, 0, 0).with_data(&data);
    assert_eq!(
        enc_with(&c, Form::Short),
        Err(ApduError::DataTooLong { len: 256, max: 255 })
    );
    let c = Command::new(0, 0xB0, 0, 0).with_le(257);
    assert_eq!(
        enc_with(&c, Form::Short),
        Err(ApduError::LeOutOfRange { le: 257, max: 256 })
    );
    let c = Command::new(0, 0xB0, 0, 0).with_le(0);
    assert_eq!(
        c.encoded_len(),
        Err(ApduError::LeOutOfRange { le: 0, max: 256 })
    );
    let c = Command::new(0, 0xB0, 0, 0).with_le(65_537);
    assert_eq!(
        c.encoded_len(),
        Err(ApduError::LeOutOfRange {
            le: 65_537,
            max: 65_536
        })
    );
    let big = vec![0u8; 65_536];
    let c = Command::new(0, 0xD6, 0, 0).with_data(&big);
    assert_eq!(
        c.encoded_len(),
        Err(ApduError::DataTooLong {
            len: 65_536,
            max: 65_535
        })
    );
    let c = Command::new(0, 0xD6, 0, 0)
        .with_data(&[1, 2, 3])
        .with_form(Form::Short);
    let mut small = [0u8; 7];
    assert_eq!(
        c.encode(&mut small),
        Err(ApduError::BufferTooSmall { needed: 8 })
    );
}

#[test]
fn apdu_parse_rejects_bad_framing() {
    assert_eq!(
        Command::parse(&[]),
        Err(ApduError::TooShort { len: 0, min: 4 })
    );
    assert_eq!(
        Command::parse(&[0, 0xA4, 0]),
        Err(ApduError::TooShort { len: 3, min: 4 })
    );
    let mm = |b: &[u8]| Command::parse(b).unwrap_err();
    // Lc says 3, 2 bytes follow.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 3, 1, 2]),
        ApduError::LengthMismatch { len: 7 }
    );
    // Lc 2, data, then two bytes: neither case 3 nor 4.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 2, 1, 2, 0, 0]),
        ApduError::LengthMismatch { len: 9 }
    );
    // 6 bytes starting with 00: not a valid short or extended APDU.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 0, 5]),
        ApduError::LengthMismatch { len: 6 }
    );
    // Extended Lc 0 followed by data.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 0, 0, 0, 9]),
        ApduError::LengthMismatch { len: 8 }
    );
    // Extended Lc 3, 2 bytes of data.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 0, 0, 3, 1, 2]),
        ApduError::LengthMismatch { len: 9 }
    );
    // Extended case 4 with a one-byte Le.
    assert_eq!(
        mm(&[0, 0xA4, 0, 0, 0, 0, 1, 7, 0]),
        ApduError::LengthMismatch { len: 9 }
    );
}

#[test]
fn apdu_response_parse_and_encode() {
    assert_eq!(
        Response::parse(&[]),
        Err(ApduError::TooShort { len: 0, min: 2 })
    );
    assert_eq!(
        Response::parse(&[0x90]),
        Err(ApduError::TooShort { len: 1, min: 2 })
    );
    let r = Response::parse(&[0x63, 0xC1]).unwrap();
    assert_eq!(r.data(), &[] as &[u8]);
    assert_eq!(r.sw(), StatusWord::VerificationFailed { remaining: 1 });
    assert!(!r.is_success());
    let r = Response::parse(&[0x01, 0x02, 0x62, 0x82]).unwrap();
    assert_eq!(
        (r.data(), r.sw()),
        (&[1u8, 2][..], StatusWord::EndOfFileReached)
    );
    let mut out = [0u8; 3];
    assert_eq!(
        Response::encode(&[1, 2], StatusWord::Success, &mut out),
        Err(ApduError::BufferTooSmall { needed: 4 })
    );
    let mut out = [0u8; 4];
    assert_eq!(r.write(&mut out), Ok(4));
    assert_eq!(out, [0x01, 0x02, 0x62, 0x82]);
    assert_eq!(r.encoded_len(), 4);
}

/// Every named variant, to check that `Other` never shadows one.
const NAMED: [StatusWord; 23] = [
    StatusWord::Success,
    StatusWord::VerificationFailedNoInfo,
    StatusWord::EndOfFileReached,
    StatusWord::MemoryFailure,
    StatusWord::ExecutionError,
    StatusWord::WrongLength,
    StatusWord::SecurityStatusNotSatisfied,
    StatusWord::AuthenticationMethodBlocked,
    StatusWord::ReferenceDataNotUsable,
    StatusWord::ConditionsNotSatisfied,
    StatusWord::SmObjectsMissing,
    StatusWord::SmObjectsIncorrect,
    StatusWord::SmNotSupported,
    StatusWord::LastCommandOfChainExpected,
    StatusWord::ChainingNotSupported,
    StatusWord::WrongData,
    StatusWord::FileNotFound,
    StatusWord::IncorrectP1P2,
    StatusWord::ReferencedDataNotFound,
    StatusWord::WrongP1P2,
    StatusWord::InsNotSupported,
    StatusWord::ClaNotSupported,
    StatusWord::NoPreciseDiagnosis,
];

#[test]
fn apdu_status_word_exhaustive_round_trip() {
    let mut named = std::collections::HashSet::new();
    for sw in NAMED {
        named.insert(sw.to_u16());
    }
    for b in 0..=u8::MAX {
        named.insert(u16::from_be_bytes([0x61, b]));
        named.insert(u16::from_be_bytes([0x6C, b]));
    }
    for x in 0..16 {
        named.insert(0x63C0 | x);
    }
    let mut others = 0u32;
    for v in 0..=u16::MAX {
        let sw = StatusWord::from_u16(v);
        assert_eq!(sw.to_u16(), v);
        assert_eq!(sw.to_bytes(), v.to_be_bytes());
        assert_eq!(StatusWord::from_bytes(sw.sw1(), sw.sw2()), sw);
        assert_eq!(u16::from(sw), v);
        assert_eq!(sw.to_string(), format!("{v:04X}"));
        match sw {
            StatusWord::Other(x) => {
                assert_eq!(x, v);
                assert!(!named.contains(&v), "{v:04X} has its own variant");
                others += 1;
            }
            _ => assert!(named.contains(&v), "{v:04X} mapped to {sw:?}"),
        }
    }
    assert_eq!(others, 65_536 - named.len() as u32);
}

#[test]
fn apdu_status_word_pin_statuses() {
    // docs/protocol.md §4.4 / 5.4: 63C2 and 63C1 are "2 / 1 tries left", 6983 blocked.
    assert_eq!(
        StatusWord::from_u16(0x63C2),
        StatusWord::VerificationFailed { remaining: 2 }
    );
    assert_eq!(
        StatusWord::from_u16(0x63C0),
        StatusWord::VerificationFailed { remaining: 0 }
    );
    assert_eq!(
        StatusWord::from_u16(0x6983),
        StatusWord::AuthenticationMethodBlocked
    );
    assert_eq!(
        StatusWord::from_u16(0x6300),
        StatusWord::VerificationFailedNoInfo
    );
    assert_eq!(StatusWord::from_u16(0x63F1), StatusWord::Other(0x63F1));
    assert_eq!(StatusWord::from_u16(0x6100), StatusWord::BytesAvailable(0));
    assert_eq!(StatusWord::from_u16(0x6C80), StatusWord::WrongLe(0x80));
    assert!(StatusWord::Success.is_success());
    assert!(StatusWord::EndOfFileReached.is_warning());
    assert!(!StatusWord::WrongP1P2.is_warning());
    assert_eq!(
        StatusWord::SmObjectsIncorrect.description(),
        "secure messaging data objects incorrect"
    );
    assert_eq!(StatusWord::Other(0x1234).to_string(), "1234");
}

// ---- proptest round trips ----

fn any_command() -> impl Strategy<Value = (u8, u8, u8, u8, Vec<u8>, Option<u32>, Option<Form>)> {
    let data = prop_oneof![
        8 => prop::collection::vec(any::<u8>(), 0..=255),
        1 => prop::collection::vec(any::<u8>(), 256..1200),
    ];
    let le = prop_oneof![
        2 => Just(None),
        3 => (1u32..=256).prop_map(Some),
        1 => (1u32..=65_536).prop_map(Some),
        1 => Just(Some(65_536)),
    ];
    let form = prop_oneof![
        Just(None),
        Just(Some(Form::Short)),
        Just(Some(Form::Extended))
    ];
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        data,
        le,
        form,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn apdu_command_roundtrip_encode_parse((cla, ins, p1, p2, data, le, form) in any_command()) {
        let mut c = Command::new(cla, ins, p1, p2).with_data(&data);
        if let Some(le) = le { c = c.with_le(le); }
        if let Some(f) = form { c = c.with_form(f); }
        let mut buf = vec![0u8; 70_000];
        match c.encode(&mut buf) {
            Ok(n) => {
                prop_assert_eq!(Ok(n), c.encoded_len());
                let p = Command::parse(&buf[..n]).unwrap();
                prop_assert_eq!(p.header(), [cla, ins, p1, p2]);
                prop_assert_eq!(p.data(), &data[..]);
                prop_assert_eq!(p.le(), le);
                // Extended encodings are marked extended (except case 1, which has no
                // length field and is the same in both forms).
                let extended = c.form() == Form::Extended && c.case() != Case::Case1;
                prop_assert_eq!(p.fixed_form() == Some(Form::Extended), extended);
                let mut again = vec![0u8; n];
                prop_assert_eq!(p.encode(&mut again), Ok(n));
                prop_assert_eq!(&again[..], &buf[..n]);
                // Short is chosen whenever possible.
                if form.is_none() {
                    prop_assert_eq!(c.form() == Form::Short, data.len() <= 255 && le.is_none_or(|l| l <= 256));
                }
            }
            Err(e) => {
                // Only a short form that cannot hold the command fails.
                prop_assert_eq!(form, Some(Form::Short));
                prop_assert!(!c.fits_short());
                let expected = matches!(e, ApduError::DataTooLong { .. } | ApduError::LeOutOfRange { .. });
                prop_assert!(expected, "unexpected error {:?}", e);
            }
        }
    }

    #[test]
    fn apdu_command_parse_encode_is_identity(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        // P-PARSE1: never panics; whatever parses re-encodes to the same bytes.
        if let Ok(c) = Command::parse(&bytes) {
            let mut out = vec![0u8; bytes.len()];
            prop_assert_eq!(c.encode(&mut out), Ok(bytes.len()));
            prop_assert_eq!(out, bytes);
        }
    }

    #[test]
    fn apdu_command_parse_valid_shapes(header in any::<[u8; 4]>(), lc in 1usize..400, le in prop::option::of(any::<u8>())) {
        // Structured inputs hit the valid branches far more often than random bytes.
        let mut b = header.to_vec();
        if lc <= 255 { b.push(lc as u8) } else { b.extend_from_slice(&[0, (lc >> 8) as u8, lc as u8]) }
        b.extend(std::iter::repeat_n(0x5A, lc));
        if let Some(le) = le {
            if lc <= 255 { b.push(le) } else { b.extend_from_slice(&[0, le]) }
        }
        let c = Command::parse(&b).unwrap();
        prop_assert_eq!(c.data().len(), lc);
        let mut out = vec![0u8; b.len()];
        prop_assert_eq!(c.encode(&mut out), Ok(b.len()));
        prop_assert_eq!(out, b);
    }

    #[test]
    fn apdu_response_roundtrip(data in prop::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
        let sw = StatusWord::from_u16(sw);
        let mut out = vec![0u8; data.len() + 2];
        prop_assert_eq!(Response::encode(&data, sw, &mut out), Ok(data.len() + 2));
        let r = Response::parse(&out).unwrap();
        prop_assert_eq!(r.data(), &data[..]);
        prop_assert_eq!(r.sw(), sw);
        prop_assert_eq!(r, Response::new(&data, sw));
    }

    #[test]
    fn apdu_response_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        match Response::parse(&bytes) {
            Ok(r) => {
                prop_assert_eq!(r.data(), &bytes[..bytes.len() - 2]);
                prop_assert_eq!(r.sw().to_bytes(), [bytes[bytes.len() - 2], bytes[bytes.len() - 1]]);
            }
            Err(e) => prop_assert_eq!(e, ApduError::TooShort { len: bytes.len(), min: 2 }),
        }
    }
}

#[test]
fn p_pin7_debug_shows_no_apdu_body() {
    // A plain VERIFY carrying the PIN 12345678 (docs/protocol.md §5.3 shape).
    let pin = b"12345678";
    let c = Command::new(0x00, 0x20, 0x00, 0x81).with_data(pin);
    let d = format!("{c:?}");
    assert!(d.contains("data_len: 8"), "{d}");
    for needle in ["49", "31", "50", "32", "12345678"] {
        assert!(!d.contains(needle), "{needle} in {d}");
    }
    let r = Response::new(pin, StatusWord::Success);
    let d = format!("{r:?}");
    assert!(
        d.contains("data_len: 8") && !d.contains("49") && !d.contains("31"),
        "{d}"
    );
    let mut b = vec![0x80, 0x08];
    b.extend_from_slice(pin);
    let (t, _) = cie_pinpuk::tlv::Tlv::parse(&b).unwrap();
    let d = format!("{t:?} {:?}", cie_pinpuk::tlv::TlvIter::new(&b));
    assert!(
        d.contains("value_len: 8") && !d.contains("49") && !d.contains("31"),
        "{d}"
    );
    // Errors carry lengths only.
    let e = Command::parse(&[0x00, 0x20, 0x00, 0x81, 0x09, b'1', b'2']).unwrap_err();
    assert_eq!(format!("{e:?}"), "LengthMismatch { len: 7 }");
}
