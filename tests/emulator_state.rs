//! Saving and loading a virtual card: the round trip keeps codes, counters, identity, keys
//! and the RNG position; what a reset wipes is not saved; bad input is refused with a typed
//! error that does not repeat the value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod emulator_host;

use cie_pinpuk::card::chip::ChipFamily;
use cie_pinpuk::emulator::{CaKeyComponents, EmptyVerify, StateError, Switches, VirtualCie};
use emulator_host::{SELECT_CIE, command, open, read_all, sm_tx, tx};

#[test]
fn save_load_round_trip_keeps_counters_and_codes() {
    let mut c = VirtualCie::builder()
        .pin("11223344")
        .puk("55667788")
        .nis("987654321098")
        .serial("CA12345BC")
        .holder("ANNA", "VERDI")
        .chip_family(ChipFamily::ActalisB946)
        .seed([3; 32])
        .empty_verify(EmptyVerify::InsNotSupported)
        .build()
        .unwrap();
    let mut s = open(&mut c, 1);
    assert_eq!(
        sm_tx(
            &mut c,
            &mut s.channel,
            &command([0, 0x20, 0, 0x81], b"00000000", None)
        )
        .1,
        0x63C2
    );
    assert_eq!(
        sm_tx(
            &mut c,
            &mut s.channel,
            &command([0, 0x20, 0, 0x82], b"00000000", None)
        )
        .1,
        0x63C9
    );
    let text = c.save_state();
    assert!(text.starts_with("cie-pinpuk virtual card state\nversion = 1\n"));
    assert!(text.contains("A TEST CARD"));
    let mut d = VirtualCie::load_state(&text).unwrap();
    assert_eq!((d.pin_tries_left(), d.puk_tries_left()), (2, 9));
    assert_eq!(d.atr(), c.atr());
    assert_eq!(d.chip_family(), ChipFamily::ActalisB946);
    assert_eq!(d.nis(), b"987654321098");
    assert_eq!(d.serial(), b"CA12345BC");
    assert!(!d.has_secure_session(), "a loaded card is freshly powered");
    assert_eq!(*d.save_state(), *text, "stable text");
    let mut s = open(&mut d, 2);
    assert_eq!(
        sm_tx(&mut d, &mut s.channel, &[0, 0x20, 0, 0x81]).1,
        0x6D00,
        "switch kept"
    );
    assert_eq!(
        sm_tx(
            &mut d,
            &mut s.channel,
            &command([0, 0x20, 0, 0x81], b"11223344", None)
        )
        .1,
        0x9000
    );
    assert_eq!(
        sm_tx(
            &mut d,
            &mut s.channel,
            &command([0, 0x20, 0, 0x82], b"55667788", None)
        )
        .1,
        0x9000
    );
}

#[test]
fn a_changed_pin_survives_the_round_trip() {
    let mut c = VirtualCie::builder().build().unwrap();
    let mut s = open(&mut c, 3);
    let change = command([0, 0x24, 0, 0x81], b"1234567801010101", None);
    assert_eq!(sm_tx(&mut c, &mut s.channel, &change).1, 0x9000);
    let mut d = VirtualCie::load_state(&c.save_state()).unwrap();
    let mut s = open(&mut d, 4);
    assert_eq!(
        sm_tx(
            &mut d,
            &mut s.channel,
            &command([0, 0x20, 0, 0x81], b"01010101", None)
        )
        .1,
        0x9000
    );
}

#[test]
fn custom_keys_are_saved_and_files_are_identical_after_load() {
    // Swap the chip and servizi keys: a card with custom key material.
    let base = VirtualCie::builder().build().unwrap();
    let text = base.save_state();
    assert!(text.contains("keys = default"));
    let mut c = VirtualCie::builder()
        .chip_key(keys_from_emulator_file("servizi"))
        .servizi_key(keys_from_emulator_file("chip"))
        .build()
        .unwrap();
    let text = c.save_state();
    assert!(text.contains("keys = custom"));
    let mut d = VirtualCie::load_state(&text).unwrap();
    for card in [&mut c, &mut d] {
        let _ = tx(card, &SELECT_CIE);
    }
    for fid in [[0x10, 0x04], [0x10, 0x05], [0x10, 0x06]] {
        let a = {
            let _ = tx(&mut c, &[0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]]);
            read_all(&mut c, None)
        };
        let b = {
            let _ = tx(&mut d, &[0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]]);
            read_all(&mut d, None)
        };
        assert_eq!(a, b);
    }
    open(&mut d, 5);
}

fn keys_from_emulator_file(prefix: &str) -> cie_pinpuk::emulator::RsaKeyComponents {
    let text = include_str!("../data/keys/emulator-keys.txt");
    let field = |name: &str| -> Vec<u8> {
        let mut lines = text.lines().skip_while(|l| !l.starts_with(name));
        lines.next().unwrap();
        hex::decode(
            lines
                .take_while(|l| !l.trim().is_empty())
                .collect::<String>(),
        )
        .unwrap()
    };
    let f = |s: &str| field(&format!("{prefix}_{s}"));
    cie_pinpuk::emulator::RsaKeyComponents::new(
        &f("modulus_n"),
        &f("public_exponent_e"),
        &f("private_exponent_d"),
        &f("prime_p"),
        &f("prime_q"),
    )
    .unwrap()
}

#[test]
fn bad_states_are_refused_with_typed_errors() {
    assert_eq!(
        VirtualCie::load_state("hello").err(),
        Some(StateError::NotAState)
    );
    let good = VirtualCie::builder().build().unwrap().save_state();
    let v2 = good.replace("version = 1", "version = 2");
    assert_eq!(
        VirtualCie::load_state(&v2).err(),
        Some(StateError::UnsupportedVersion(2))
    );
    let no_pin: String = good
        .lines()
        .filter(|l| !l.starts_with("pin ="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        VirtualCie::load_state(&no_pin).err(),
        Some(StateError::Missing("pin"))
    );
    let bad_pin = good.replace("pin = 12345678", "pin = 1234");
    let err = VirtualCie::load_state(&bad_pin).err().unwrap();
    assert!(matches!(err, StateError::Card(_)));
    assert!(
        !format!("{err} {err:?}").contains("1234"),
        "no code in the error"
    );
    let bad_tries = good.replace("pin_tries = 3", "pin_tries = 4");
    assert!(matches!(
        VirtualCie::load_state(&bad_tries),
        Err(StateError::Card(_))
    ));
    let bad_family = good.replace("family = Gemalto", "family = Nokia");
    assert_eq!(
        VirtualCie::load_state(&bad_family).err(),
        Some(StateError::Invalid("family"))
    );
}

#[test]
fn file_round_trip() {
    let c = VirtualCie::builder()
        .tries_left(1, 4)
        .switches(Switches::default())
        .build()
        .unwrap();
    let path = std::env::temp_dir().join(format!(
        "cie-pinpuk-emulator-state-{}.txt",
        std::process::id()
    ));
    c.save_to_file(&path).unwrap();
    let d = VirtualCie::load_from_file(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!((d.pin_tries_left(), d.puk_tries_left()), (1, 4));
}

#[test]
fn builder_refuses_bad_personalisation() {
    use cie_pinpuk::emulator::EmulatorError as E;
    assert_eq!(
        VirtualCie::builder().pin("1234567").build().err(),
        Some(E::InvalidPin)
    );
    assert_eq!(
        VirtualCie::builder().puk("1234567a").build().err(),
        Some(E::InvalidPuk)
    );
    assert_eq!(
        VirtualCie::builder().nis("12345").build().err(),
        Some(E::InvalidNis)
    );
    assert_eq!(
        VirtualCie::builder().serial("CA 12345B").build().err(),
        Some(E::InvalidSerial)
    );
    assert_eq!(
        VirtualCie::builder().atr(&[0x3B; 34]).build().err(),
        Some(E::InvalidAtr)
    );
    assert_eq!(
        VirtualCie::builder().tries_left(4, 10).build().err(),
        Some(E::InvalidCounter)
    );
    let bad_ca = CaKeyComponents {
        key: keys_from_emulator_file("chip"),
        chr: vec![1; 3],
        cha: vec![2; 7],
    };
    assert_eq!(
        VirtualCie::builder().ca_key(bad_ca).build().err(),
        Some(E::InvalidKey),
        "CHR too short"
    );
}

#[test]
fn debug_output_shows_no_code() {
    let c = VirtualCie::builder()
        .pin("24681357")
        .puk("97531864")
        .build()
        .unwrap();
    let dbg = format!("{c:?}");
    assert!(
        !dbg.contains("24681357") && !dbg.contains("97531864"),
        "{dbg}"
    );
    let b = VirtualCie::builder().pin("24681357");
    assert!(!format!("{b:?}").contains("2468"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]

    /// save_state / load_state is the identity on every saved field.
    #[test]
    fn state_text_round_trips(
        pin in "[0-9]{8}",
        puk in "[0-9]{8}",
        nis in "[0-9]{12}",
        serial in "[A-Z0-9]{9}",
        given in "[A-Z ]{1,12}",
        pin_left in 0u8..=3,
        puk_left in 0u8..=10,
        seed in proptest::array::uniform32(proptest::num::u8::ANY),
        family in 0usize..12,
        verify_mode in 0usize..3,
        eof_6c in proptest::bool::ANY,
    ) {
        use cie_pinpuk::emulator::{EofAnswer, LongAnswers};
        let switches = Switches {
            empty_verify: [EmptyVerify::Counter, EmptyVerify::WrongP1P2, EmptyVerify::InsNotSupported][verify_mode],
            eof: if eof_6c { EofAnswer::WrongLe6Cxx } else { EofAnswer::EndOfFile6282 },
            long_answers: if eof_6c { LongAnswers::GetResponse } else { LongAnswers::Direct },
            ..Switches::default()
        };
        let c = VirtualCie::builder()
            .pin(&pin).puk(&puk).nis(&nis).serial(&serial).holder(&given, "ROSSI")
            .tries_left(pin_left, puk_left).seed(seed).chip_family(ChipFamily::ALL[family])
            .switches(switches)
            .build()
            .unwrap();
        let text = c.save_state();
        let d = VirtualCie::load_state(&text).unwrap();
        proptest::prop_assert_eq!(&*d.save_state(), &*text);
        proptest::prop_assert_eq!((d.pin_tries_left(), d.puk_tries_left()), (pin_left, puk_left));
        proptest::prop_assert_eq!(d.nis().as_slice(), nis.as_bytes());
    }
}

#[test]
fn p_pin7_debug_shows_no_code_even_mid_chain() {
    let mut c = VirtualCie::builder().pin("24681357").build().unwrap();
    let _ = tx(&mut c, &SELECT_CIE);
    // First block of a chained VERIFY in clear: the card holds the digits until the end.
    let _ = emulator_host::raw(
        &mut c,
        &[0x10, 0x20, 0x00, 0x81, 0x04, b'2', b'4', b'6', b'8'],
    );
    let dbg = format!("{c:?}");
    assert!(
        !dbg.contains("2468") && !dbg.contains("50, 52, 54, 56"),
        "{dbg}"
    );
    assert!(dbg.contains("pin_tries_left: 3"));
}
