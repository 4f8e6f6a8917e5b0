//! The virtual card driven through whole sessions by the crate's host-side `auth`/`sm`:
//! DH + DAPP, then the PIN and PUK status words of the reference profile under SM.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod emulator_host;

use cie_pinpuk::emulator::{Case1Acceptance, EmptyVerify, VirtualCie};
use emulator_host::{SELECT_CIE, command, open, raw, read_all, sm_tx, tx};

fn card() -> VirtualCie {
    VirtualCie::builder()
        .pin("12345678")
        .puk("87654321")
        .build()
        .unwrap()
}

fn verify(
    card: &mut VirtualCie,
    ch: &mut cie_pinpuk::sm::SecureChannel,
    reference: u8,
    code: &[u8],
) -> u16 {
    sm_tx(
        card,
        ch,
        &command([0x00, 0x20, 0x00, reference], code, None),
    )
    .1
}

#[test]
fn full_session_opens_and_verifies_pin() {
    let mut c = card();
    let mut s = open(&mut c, 1);
    assert!(c.is_authenticated());
    assert_eq!(s.sn_icc, *b"56789012", "SN.ICC = last 8 NIS digits");
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x9000);
    assert!(c.pin_verified());
    assert_eq!(c.pin_tries_left(), 3);
}

#[test]
fn n3_wrong_pins_under_sm_answer_63c2_63c1_63c0_then_6983() {
    let mut c = card();
    let mut s = open(&mut c, 2);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"00000000"), 0x63C2);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"00000000"), 0x63C1);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"00000000"), 0x63C0);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x6983);
    assert_eq!(c.pin_tries_left(), 0);
}

#[test]
fn n5_empty_verify_queries_the_counter_without_spending() {
    let mut c = card();
    let mut s = open(&mut c, 3);
    // Middleware case-1 form (97 01 00): the host's default.
    assert_eq!(
        sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x81]).1,
        0x63C3
    );
    assert_eq!(
        sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x82]).1,
        0x63CA
    );
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x9000);
    assert_eq!(
        sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x81]).1,
        0x9000
    );
    assert_eq!((c.pin_tries_left(), c.puk_tries_left()), (3, 10));
}

#[test]
fn empty_verify_switch_answers_6a86_or_6d00() {
    for (mode, sw) in [
        (EmptyVerify::WrongP1P2, 0x6A86),
        (EmptyVerify::InsNotSupported, 0x6D00),
    ] {
        let mut c = VirtualCie::builder().empty_verify(mode).build().unwrap();
        let mut s = open(&mut c, 4);
        assert_eq!(
            sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x82]).1,
            sw
        );
        assert_eq!(
            sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x81]).1,
            sw
        );
        assert_eq!(c.pin_tries_left(), 3);
    }
}

#[test]
fn case1_iso_only_card_refuses_the_middleware_form() {
    let mut c = VirtualCie::builder()
        .case1(Case1Acceptance::IsoOnly)
        .build()
        .unwrap();
    let mut s = open(&mut c, 5);
    assert_eq!(
        sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x81]).1,
        0x6700
    );
    assert_eq!(c.pin_tries_left(), 3);
}

#[test]
fn case1_middleware_only_card_refuses_the_iso_form() {
    let mut c = VirtualCie::builder()
        .case1(Case1Acceptance::MiddlewareOnly)
        .build()
        .unwrap();
    let s = open(&mut c, 6);
    let mut iso = s.iso_channel();
    assert_eq!(sm_tx(&mut c, &mut iso, &[0x00, 0x20, 0x00, 0x81]).1, 0x6987);
    assert!(!c.has_secure_session(), "SM error drops the session");
    assert_eq!(c.pin_tries_left(), 3);
}

#[test]
fn unblock_needs_a_right_puk_in_the_same_session() {
    let mut c = VirtualCie::builder().tries_left(0, 10).build().unwrap();
    let mut s = open(&mut c, 7);
    let rrc = command([0x00, 0x2C, 0x02, 0x81], b"11112222", None);
    assert_eq!(sm_tx(&mut c, &mut s.channel, &rrc).1, 0x6982);
    // C_InitPIN's `00 2C 03 81` (middleware case-1 form) without the PUK: 6982 too.
    assert_eq!(
        sm_tx(&mut c, &mut s.channel, &[0x00, 0x2C, 0x03, 0x81]).1,
        0x6982
    );
    assert_eq!(verify(&mut c, &mut s.channel, 0x82, b"00000000"), 0x63C9);
    assert_eq!(verify(&mut c, &mut s.channel, 0x82, b"87654321"), 0x9000);
    assert_eq!(c.puk_tries_left(), 10);
    assert_eq!(sm_tx(&mut c, &mut s.channel, &rrc).1, 0x9000);
    assert_eq!(c.pin_tries_left(), 3);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"11112222"), 0x9000);
}

#[test]
fn change_reference_data_old_then_new() {
    let mut c = card();
    let mut s = open(&mut c, 8);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x9000);
    let change = command([0x00, 0x24, 0x00, 0x81], b"1234567899998888", None);
    assert_eq!(sm_tx(&mut c, &mut s.channel, &change).1, 0x9000);
    let wrong = command([0x00, 0x24, 0x00, 0x81], b"1234567877776666", None);
    assert_eq!(sm_tx(&mut c, &mut s.channel, &wrong).1, 0x63C2);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"99998888"), 0x9000);
}

#[test]
fn n2_wrong_length_under_sm_answers_6700_without_spending() {
    let mut c = card();
    let mut s = open(&mut c, 9);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"1234567"), 0x6700);
    assert_eq!(verify(&mut c, &mut s.channel, 0x82, b"123456789"), 0x6700);
    assert_eq!((c.pin_tries_left(), c.puk_tries_left()), (3, 10));
}

#[test]
fn p_pin5_verify_in_clear_answers_6982_and_spends_nothing() {
    let mut c = card();
    let _ = tx(&mut c, &SELECT_CIE);
    assert_eq!(
        tx(
            &mut c,
            &command([0x00, 0x20, 0x00, 0x81], b"00000000", None)
        )
        .1,
        0x6982
    );
    assert_eq!(
        tx(
            &mut c,
            &command([0x00, 0x2C, 0x02, 0x81], b"00000000", None)
        )
        .1,
        0x6982
    );
    assert_eq!(c.pin_tries_left(), 3);
}

#[test]
fn reset_drops_sm_and_verified_state() {
    let mut c = card();
    let mut s = open(&mut c, 10);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x9000);
    c.reset();
    assert!(!c.pin_verified());
    assert!(!c.has_secure_session());
    // The old session's protected command is refused unprotected.
    let (_, sw) = sm_tx(&mut c, &mut s.channel, &[0x00, 0x20, 0x00, 0x81]);
    assert_eq!(sw, 0x6988);
    // A new session starts from scratch.
    let mut s2 = open(&mut c, 11);
    assert_eq!(
        sm_tx(&mut c, &mut s2.channel, &[0x00, 0x20, 0x00, 0x81]).1,
        0x63C3
    );
}

#[test]
fn power_off_refuses_transmit_until_power_on() {
    let mut c = card();
    c.power_off();
    let mut buf = [0u8; 16];
    assert!(cie_pinpuk::CardTransport::transmit(&mut c, &SELECT_CIE, &mut buf).is_err());
    let atr = c.power_on().to_vec();
    assert_eq!(atr, c.atr());
    assert_eq!(tx(&mut c, &SELECT_CIE).1, 0x9000);
}

#[test]
fn p_sm1_bad_mac_answers_6988_unprotected_and_drops_the_session() {
    let mut c = card();
    let mut s = open(&mut c, 12);
    let mut out = [0u8; 64];
    let n = s
        .channel
        .wrap(
            &command([0x00, 0x20, 0x00, 0x81], b"12345678", None),
            &mut out,
        )
        .unwrap();
    out[n - 3] ^= 0x01; // inside the MAC
    assert_eq!(raw(&mut c, &out[..n]), (vec![], 0x6988));
    assert!(!c.has_secure_session());
    assert_eq!(c.pin_tries_left(), 3);
}

#[test]
fn p_sm5_plain_command_inside_session_ends_it() {
    let mut c = card();
    let mut s = open(&mut c, 13);
    assert_eq!(verify(&mut c, &mut s.channel, 0x81, b"12345678"), 0x9000);
    // A plain READ BINARY of the NIS still works, but the session is over.
    assert_eq!(
        tx(&mut c, &[0x00, 0xB0, 0x81, 0x00, 0x0C]),
        (c.nis().to_vec(), 0x9000)
    );
    assert!(!c.has_secure_session());
    assert!(!c.pin_verified());
}

#[test]
fn serial_and_certificate_need_an_authenticated_sm_session() {
    let mut c = card();
    let _ = tx(&mut c, &SELECT_CIE);
    assert_eq!(tx(&mut c, &[0x00, 0xB0, 0x82, 0x00, 0x09]).1, 0x6982);
    assert_eq!(tx(&mut c, &[0x00, 0xB0, 0x83, 0x00, 0x80]).1, 0x6982);
    let mut s = open(&mut c, 14);
    let (serial, sw) = sm_tx(&mut c, &mut s.channel, &[0x00, 0xB0, 0x82, 0x00, 0x09]);
    assert_eq!((serial.as_slice(), sw), (&c.serial()[..], 0x9000));
    assert_eq!(
        sm_tx(
            &mut c,
            &mut s.channel,
            &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x03]
        )
        .1,
        0x9000
    );
    let cert = read_all(&mut c, Some(&mut s.channel));
    assert_eq!(cert[0], 0x30);
    assert_eq!(cert.len() % 256, 0, "zero-padded to 256");
}

#[test]
fn servizi_internal_authentication_in_clear_is_deterministic() {
    let mut c = card();
    let _ = tx(&mut c, &SELECT_CIE);
    let mse = [
        0x00, 0x22, 0x41, 0xA4, 0x06, 0x80, 0x01, 0x02, 0x84, 0x01, 0x83,
    ];
    assert_eq!(tx(&mut c, &mse).1, 0x9000);
    let ia = command([0x00, 0x88, 0x00, 0x00], b"313233343536", None);
    let (sig1, sw) = tx(&mut c, &ia);
    assert_eq!((sig1.len(), sw), (256, 0x9000));
    c.reset();
    let _ = tx(&mut c, &SELECT_CIE);
    assert_eq!(tx(&mut c, &mse).1, 0x9000);
    let (sig2, _) = tx(&mut c, &ia);
    assert_eq!(sig1, sig2);
    assert_eq!(
        tx(&mut c, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x05]).1,
        0x9000
    );
    let key = cie_pinpuk::auth::CardPublicKey::from_der(
        &read_all(&mut c, None),
        cie_pinpuk::auth::KeyKind::Servizi,
    )
    .unwrap();
    cie_pinpuk::auth::verify_servizi(&key, b"313233343536", &sig1).unwrap();
}

#[test]
fn internal_authenticate_with_an_extended_le_inside_sm() {
    // The plain command recovered from SM is extended when DO 97 has two bytes; the card
    // accepts it (the protected APDU on the wire stays short).
    let mut c = card();
    let s = open(&mut c, 20);
    let mut ch = s.channel;
    let mse = [
        0x00, 0x22, 0x41, 0xA4, 0x06, 0x84, 0x01, 0x82, 0x80, 0x01, 0x9B,
    ];
    assert_eq!(sm_tx(&mut c, &mut ch, &mse).1, 0x9000);
    let ia = [
        0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x00, 0x00,
    ];
    // Parsed (not 6700), then refused: after DAPP a second INTERNAL AUTHENTICATE needs a new
    // EXTERNAL AUTHENTICATE.
    assert_eq!(sm_tx(&mut c, &mut ch, &ia).1, 0x6985);
}

#[test]
fn sm_answer_over_256_bytes_via_61xx_and_the_0c_c0_quirk() {
    let mut c = card();
    let s = open(&mut c, 21);
    let mut ch = s.channel;
    assert_eq!(
        sm_tx(&mut c, &mut ch, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x10, 0x05]).1,
        0x9000
    );
    // READ BINARY Le 00: 256 plain bytes make a protected body > 256 bytes.
    let mut out = [0u8; 64];
    let n = ch.wrap(&[0x00, 0xB0, 0x00, 0x00, 0x00], &mut out).unwrap();
    let (first, sw) = raw(&mut c, &out[..n]);
    assert!(first.is_empty());
    assert_eq!(sw, 0x6100);
    // The middleware's GET RESPONSE for 6100 under SM: `0C C0 00 00 00` without SM objects.
    let (mut body, mut sw) = raw(&mut c, &[0x0C, 0xC0, 0x00, 0x00, 0x00]);
    while sw & 0xFF00 == 0x6100 {
        let (more, next) = raw(&mut c, &[0x00, 0xC0, 0x00, 0x00, sw as u8]);
        body.extend_from_slice(&more);
        sw = next;
    }
    body.extend_from_slice(&sw.to_be_bytes());
    let mut plain = [0u8; 300];
    let m = ch.unwrap(&body, &mut plain).unwrap();
    assert_eq!(m, 256 + 2);
    assert_eq!(&plain[..4], &[0x30, 0x82, 0x01, 0x0A]);
    assert_eq!(&plain[256..258], &[0x90, 0x00]);
    assert!(
        c.has_secure_session(),
        "GET RESPONSE in clear does not end the session"
    );
}

/// Selects and DH only: an SM channel at SSC 1, before any DAPP step.
fn dh_only(c: &mut VirtualCie) -> (cie_pinpuk::sm::SecureChannel, cie_pinpuk::auth::CaPublicKey) {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    assert_eq!(tx(c, &SELECT_CIE).1, 0x9000);
    let params = emulator_host::get_dh_params(c);
    let ca = emulator_host::get_ca_key(c);
    let eph = params.generate_host_key(&mut rng);
    let y = eph.public_value();
    let mut kat = vec![0x80, 0x01, 0x9B, 0x83, 0x01, 0x81, 0x91, 0x82, 0x01, 0x00];
    kat.extend_from_slice(y);
    assert_eq!(
        tx(c, &command([0x10, 0x22, 0x41, 0xA6], &kat[..255], None)).1,
        0x9000
    );
    assert_eq!(
        tx(c, &command([0x00, 0x22, 0x41, 0xA6], &kat[255..], None)).1,
        0x9000
    );
    let (a, sw) = tx(
        c,
        &[
            0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00,
        ],
    );
    assert_eq!(sw, 0x9000);
    let keys = eph.agree(&params, &a[8..]).unwrap();
    assert_eq!(&a[..8], &[0xA6, 0x82, 0x01, 0x04, 0x91, 0x82, 0x01, 0x00]);
    (
        cie_pinpuk::sm::SecureChannel::tdes(
            *keys.ks_enc(),
            *keys.ks_mac(),
            cie_pinpuk::auth::INITIAL_SSC,
        ),
        ca,
    )
}

#[test]
fn dapp_steps_out_of_order_are_refused_and_pin_needs_dapp() {
    let mut c = card();
    let (mut ch, ca) = dh_only(&mut c);
    assert!(c.has_secure_session() && !c.is_authenticated());
    // SM works, but PIN commands and the serial need device authentication first.
    assert_eq!(verify(&mut c, &mut ch, 0x81, b"12345678"), 0x6982);
    assert_eq!(
        sm_tx(&mut c, &mut ch, &[0x00, 0xB0, 0x82, 0x00, 0x09]).1,
        0x6982
    );
    assert_eq!(c.pin_tries_left(), 3);
    // The NIS is readable under SM too.
    assert_eq!(
        sm_tx(&mut c, &mut ch, &[0x00, 0xB0, 0x81, 0x00, 0x0C]),
        (c.nis().to_vec(), 0x9000)
    );
    let mut dapp =
        cie_pinpuk::auth::DappHost::well_known(cie_pinpuk::auth::Strategy::Fast).unwrap();
    let cert = dapp.certificate(&ca).unwrap();
    let pso = command([0x00, 0x2A, 0x00, 0xAE], cert.as_bytes(), None);
    assert_eq!(
        sm_tx(&mut c, &mut ch, &pso).1,
        0x6985,
        "PSO before MSE SET DST"
    );
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &[0x00, 0x82, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]
        )
        .1,
        0x6985
    );
    let mut at = vec![0x83, 0x0C];
    at.extend_from_slice(&cie_pinpuk::auth::TERMINAL_CHR);
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command([0x00, 0x22, 0x81, 0xA4], &at, None)
        )
        .1,
        0x6A88,
        "no verified certificate"
    );
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &[
                0x00, 0x22, 0x81, 0xB6, 0x06, 0x80, 0x01, 0x41, 0x83, 0x01, 0x84
            ]
        )
        .1,
        0x9000
    );
    let mut bad = cert.as_bytes().to_vec();
    bad[10] ^= 0x01;
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command([0x00, 0x2A, 0x00, 0xAE], &bad, None)
        )
        .1,
        0x6A80,
        "forged certificate"
    );
    assert_eq!(sm_tx(&mut c, &mut ch, &pso).1, 0x9000);
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command([0x00, 0x22, 0x81, 0xA4], &at, None)
        )
        .1,
        0x9000
    );
    let (rnd_icc, sw) = sm_tx(&mut c, &mut ch, &[0x00, 0x84, 0x00, 0x00, 0x08]);
    assert_eq!((rnd_icc.len(), sw), (8, 0x9000));
    // A wrong external signature: 6300, and the challenge is used up.
    let mut ext = vec![0u8; 264];
    ext[..8].copy_from_slice(&cie_pinpuk::auth::SN_IFD);
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command([0x00, 0x82, 0x00, 0x00], &ext, None)
        )
        .1,
        0x6300
    );
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &[
                0x00, 0x22, 0x41, 0xA4, 0x06, 0x84, 0x01, 0x82, 0x80, 0x01, 0x9B
            ]
        )
        .1,
        0x9000
    );
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command([0x00, 0x88, 0x00, 0x00], &[1; 8], None)
        )
        .1,
        0x6985
    );
    assert!(!c.is_authenticated());
    assert_eq!(verify(&mut c, &mut ch, 0x81, b"12345678"), 0x6982);
    // MSE SET KAT is refused under SM.
    assert_eq!(
        sm_tx(
            &mut c,
            &mut ch,
            &command(
                [0x00, 0x22, 0x41, 0xA6],
                &[0x83, 0x01, 0x81, 0x91, 0x01, 0x02],
                None
            )
        )
        .1,
        0x6985
    );
}

#[test]
fn k1_card_refuses_a_degenerate_host_dh_value() {
    let mut c = card();
    assert_eq!(tx(&mut c, &SELECT_CIE).1, 0x9000);
    for y in [
        vec![0u8; 256],
        {
            let mut v = vec![0u8; 256];
            v[255] = 1;
            v
        },
        vec![0xFF; 256],
    ] {
        let mut kat = vec![0x80, 0x01, 0x9B, 0x83, 0x01, 0x81, 0x91, 0x82, 0x01, 0x00];
        kat.extend_from_slice(&y);
        assert_eq!(
            tx(
                &mut c,
                &command([0x10, 0x22, 0x41, 0xA6], &kat[..255], None)
            )
            .1,
            0x9000
        );
        assert_eq!(
            tx(
                &mut c,
                &command([0x00, 0x22, 0x41, 0xA6], &kat[255..], None)
            )
            .1,
            0x6A80
        );
        assert!(!c.has_secure_session());
        assert_eq!(
            tx(
                &mut c,
                &[
                    0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00
                ]
            )
            .1,
            0x6A88
        );
    }
}

#[test]
fn every_chip_family_works_with_the_crate_host_session() {
    use cie_pinpuk::card::Cie;
    use cie_pinpuk::card::chip::ChipFamily;
    use cie_pinpuk::codes::{Pin, RetryStatus};
    use rand_core::SeedableRng;
    for family in [
        ChipFamily::Gemalto,
        ChipFamily::Nxp,
        ChipFamily::ActalisB946,
        ChipFamily::Bit4idB9547,
    ] {
        let mut c = VirtualCie::builder().chip_family(family).build().unwrap();
        let rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
        let mut cie = Cie::with_rng(&mut c, rng).unwrap();
        let mut s = cie.open().unwrap_or_else(|e| panic!("{family}: {e}"));
        assert_eq!(
            s.pin_status().unwrap(),
            RetryStatus::Remaining(3),
            "{family}"
        );
        s.verify_pin(&Pin::new("12345678").unwrap()).unwrap();
    }
}
