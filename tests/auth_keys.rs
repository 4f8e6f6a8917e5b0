//! Key objects (docs/protocol.md §1.5, 3.1, 3.4, 3.5; docs/testing.md K3, K6): the CA key object, EF 1004
//! content, the well-known host keys, the servizi signature.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::auth::test_keys;
use cie_pinpuk::auth::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

fn ca() -> CaPublicKey {
    test_keys::ca_public_key().unwrap()
}

#[test]
fn ca_public_key_car_and_aid() {
    let ca = ca();
    assert_eq!(ca.car(), &test_keys::CA_CHR[4..]);
    assert_eq!(ca.aid(), &[0xA0, 0, 0, 0, 0, 0x39]);
    assert_eq!(ca.modulus(), &test_keys::CA_N[..]);
    assert_eq!(ca.chr(), &test_keys::CA_CHR[..]);
    assert_eq!(ca.cha(), &test_keys::CA_CHA[..]);
}

#[test]
fn k3_malformed_ca_key_object_rejected() {
    let bad = Err(AuthError::MalformedKey(KeyKind::CaPublic));
    let n = &test_keys::CA_N[..];
    let e = &test_keys::CA_E[..];
    let (chr, cha) = (&test_keys::CA_CHR[..], &test_keys::CA_CHA[..]);
    assert_eq!(CaPublicKey::new(n, e, &chr[..4], cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, e, chr, &cha[..5]).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, e, &[0; 128], cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, &[], chr, cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, &[1], chr, cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, &[2], chr, cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(n, n, chr, cha).map(|_| ()), bad);
    assert_eq!(CaPublicKey::new(&[], e, chr, cha).map(|_| ()), bad);
    let mut even = n.to_vec();
    *even.last_mut().unwrap() &= 0xFE;
    assert_eq!(CaPublicKey::new(&even, &[3], chr, cha).map(|_| ()), bad);
    let mut long = vec![1u8];
    long.extend_from_slice(n);
    assert_eq!(
        CaPublicKey::new(&long, &[3], chr, cha).map(|_| ()),
        Err(AuthError::TooLarge)
    );
    // A leading 00 on n is accepted and dropped.
    let mut padded = vec![0u8];
    padded.extend_from_slice(n);
    let k = CaPublicKey::new(&padded, e, chr, cha).unwrap();
    assert_eq!(k.modulus(), n);
}

#[test]
fn k6_p_ct1_host_keys_are_the_public_well_known_values() {
    // The host's two private keys are the published values of every CIE client (public
    // material, P-CT1): nothing secret is decrypted or signed with a secret on the host.
    let file = include_str!("../data/keys/cie-terminal-keys.txt");
    let hex_after = |label: &str| -> Vec<u8> {
        let start = file.find(label).unwrap();
        let body: String = file[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .collect();
        hex::decode(body).unwrap()
    };
    let t = TerminalKeys::well_known();
    assert_eq!(t.modulus(), &hex_after("terminal_modulus_n")[..]);
    assert_eq!(t.public_exponent(), &[1, 0, 1]);
    // Debug output of the host-side holders shows no key material.
    let host = DappHost::well_known(Strategy::Fast).unwrap();
    for shown in [
        format!("{host:?}"),
        format!("{t:?}"),
        format!("{:?}", CaPrivateKey::well_known()),
    ] {
        assert!(!shown.contains("BA2837"), "{shown}");
        assert!(!shown.to_uppercase().contains("4716C2"), "{shown}");
        assert!(!shown.contains("186B31"), "{shown}");
    }
    assert_eq!(
        format!("{:?}", CaPrivateKey::well_known()),
        "CaPrivateKey { .. }"
    );
    // An integrator's own terminal key is validated.
    assert!(
        TerminalKeys::from_bytes(
            t.modulus(),
            &[1, 0, 1],
            &hex_after("terminal_private_exponent_d")
        )
        .is_ok()
    );
    assert!(TerminalKeys::from_bytes(t.modulus(), &[1, 0, 0, 0, 1], &[3]).is_err());
    assert!(TerminalKeys::from_bytes(&[0x41; 256], &[1, 0, 1], &[3]).is_err());
}

#[test]
fn k3_malformed_ef1004_rejected_before_use() {
    let chip = test_keys::chip_dapp_key().unwrap().public_key();
    let der = chip.to_der();
    // Well-formed: SEQUENCE { INTEGER 00 ‖ n, INTEGER e } (n's top bit is set).
    assert_eq!(&der[..4], &[0x30, 0x82, 0x01, 0x0A]);
    assert_eq!(&der[4..9], &[0x02, 0x82, 0x01, 0x01, 0x00]);
    assert_eq!(&der[der.len() - 5..], &[0x02, 0x03, 0x01, 0x00, 0x01]);
    let parsed = CardPublicKey::from_der(&der, KeyKind::ChipDapp).unwrap();
    assert_eq!(parsed.modulus(), chip.modulus());
    // Zero padding after the DER end (a file read in full) is accepted.
    let mut padded = der.clone();
    padded.extend_from_slice(&[0; 40]);
    assert!(CardPublicKey::from_der(&padded, KeyKind::ChipDapp).is_ok());

    let bad = |bytes: &[u8]| {
        let r = CardPublicKey::from_der(bytes, KeyKind::ChipDapp);
        assert!(
            matches!(
                r,
                Err(AuthError::MalformedKey(KeyKind::ChipDapp) | AuthError::TooLarge)
            ),
            "{r:?}"
        );
    };
    bad(&[]);
    bad(&[0x30]);
    bad(&[0x30, 0x00]);
    bad(&der[..der.len() - 1]);
    bad(&der[..10]);
    let mut wrong_tag = der.clone();
    wrong_tag[0] = 0x31;
    bad(&wrong_tag);
    let mut trailing = der.clone();
    trailing.push(0x01);
    bad(&trailing);
    let mut indefinite = der.clone();
    indefinite[1] = 0x80;
    bad(&indefinite);
    let mut long_form = der.clone();
    long_form[1] = 0x83;
    bad(&long_form);
    // Length beyond the input.
    let mut overlong = der.clone();
    overlong[3] = 0x0B;
    bad(&overlong);
    // Negative modulus (the 00 sign byte removed).
    let n = chip.modulus();
    let enc = |n: &[u8], e: &[u8]| {
        let mut body = vec![0x02, 0x82, (n.len() >> 8) as u8, n.len() as u8];
        body.extend_from_slice(n);
        body.extend_from_slice(&[0x02, e.len() as u8]);
        body.extend_from_slice(e);
        let mut out = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        out.extend_from_slice(&body);
        out
    };
    bad(&enc(n, &[1, 0, 1]));
    // Even modulus, e = 1, even e, tiny modulus, over-long modulus, missing exponent.
    let mut even = vec![0u8];
    even.extend_from_slice(n);
    *even.last_mut().unwrap() &= 0xFE;
    bad(&enc(&even, &[1, 0, 1]));
    let mut pos_n = vec![0u8];
    pos_n.extend_from_slice(n);
    bad(&enc(&pos_n, &[1]));
    bad(&enc(&pos_n, &[1, 0, 0]));
    bad(&enc(&[0x01; 32], &[1, 0, 1]));
    let mut huge = vec![0x01u8];
    huge.extend_from_slice(&pos_n);
    bad(&enc(&huge, &[1, 0, 1]));
    let mut only_n = vec![0x30, 0x82, 0x01, 0x05];
    only_n.extend_from_slice(&der[4..4 + 0x105]);
    bad(&only_n);
    // An extra element inside the SEQUENCE.
    let mut extra = enc(&pos_n, &[1, 0, 1]);
    extra.extend_from_slice(&[0x02, 0x01, 0x01]);
    let body_len = extra.len() - 4;
    extra[2] = (body_len >> 8) as u8;
    extra[3] = body_len as u8;
    bad(&extra);
}

#[test]
fn servizi_signature_is_deterministic_and_verifies() {
    let key = test_keys::servizi_key().unwrap();
    let public = CardPublicKey::from_der(&key.public_key().to_der(), KeyKind::Servizi).unwrap();
    let challenge = b"0123456789AB";
    let a = sign_servizi(&key, challenge, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    let b = sign_servizi(&key, challenge, &mut ChaCha20Rng::seed_from_u64(2)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 256);
    verify_servizi(&public, challenge, &a).unwrap();
    let fail = Err(AuthError::ServiziSignatureInvalid);
    assert_eq!(verify_servizi(&public, b"0123456789AC", &a), fail);
    let mut flipped = a.clone();
    flipped[100] ^= 1;
    assert_eq!(verify_servizi(&public, challenge, &flipped), fail);
    assert_eq!(verify_servizi(&public, challenge, &a[1..]), fail);
    let chip_pub = test_keys::chip_dapp_key().unwrap().public_key();
    assert_eq!(verify_servizi(&chip_pub, challenge, &a), fail);
    // Longest challenge: k - 11 bytes; one more is refused.
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let max = vec![0x31u8; 245];
    let s = sign_servizi(&key, &max, &mut rng).unwrap();
    verify_servizi(&public, &max, &s).unwrap();
    assert_eq!(
        sign_servizi(&key, &[0x31; 246], &mut rng),
        Err(AuthError::InvalidLength)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn ef1004_parser_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        let _ = CardPublicKey::from_der(&bytes, KeyKind::ChipDapp);
    }

    #[test]
    fn ef1004_der_round_trip(flip in 0usize..270, pad in 0usize..64) {
        let chip = test_keys::chip_dapp_key().unwrap().public_key();
        let mut der = chip.to_der();
        let parsed = CardPublicKey::from_der(&der, KeyKind::ChipDapp).unwrap();
        proptest::prop_assert_eq!(parsed.to_der(), der.clone());
        der.extend(std::iter::repeat_n(0u8, pad));
        proptest::prop_assert!(CardPublicKey::from_der(&der, KeyKind::ChipDapp).is_ok());
        let i = flip % der.len();
        der[i] ^= 0x5A;
        let _ = CardPublicKey::from_der(&der, KeyKind::ChipDapp);
    }
}

/// A hex block of `data/keys/emulator-keys.txt` (`name (N bytes):` then hex lines).
fn emulator_key_field(name: &str) -> Vec<u8> {
    let text = include_str!("../data/keys/emulator-keys.txt");
    let start = text.find(&format!("{name} (")).unwrap();
    let hex: String = text[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    hex::decode(hex.trim()).unwrap()
}

/// A card that owns its CA key pair verifies terminal certificates by CRT with the primes
/// (`CaPublicKey::with_factors`): the same keys come out, a forged certificate is refused
/// the same way, and primes that are not the modulus's are refused (K3).
#[test]
fn k3_ca_verification_by_crt_agrees_with_the_plain_public_operation() {
    let plain = test_keys::ca_public_key().unwrap();
    let p = emulator_key_field("ca_prime_p");
    let q = emulator_key_field("ca_prime_q");
    let fast = test_keys::ca_public_key()
        .unwrap()
        .with_factors(&p, &q)
        .unwrap();
    let mut dapp = DappHost::well_known(Strategy::Fast).unwrap();
    let certificate = dapp.certificate(&plain).unwrap().into_bytes();
    let a = verify_terminal_certificate(&plain, &certificate).unwrap();
    let b = verify_terminal_certificate(&fast, &certificate).unwrap();
    assert_eq!(a.chr(), b.chr());
    assert_eq!(a.key().modulus(), b.key().modulus());
    assert_eq!(a.key().public_exponent(), b.key().public_exponent());
    for byte in [20, 100, 200] {
        let mut forged = certificate.clone();
        forged[byte] ^= 0x01;
        assert_eq!(
            verify_terminal_certificate(&plain, &forged).map(|_| ()),
            verify_terminal_certificate(&fast, &forged).map(|_| ())
        );
    }
    assert_eq!(
        test_keys::ca_public_key()
            .unwrap()
            .with_factors(&p, &p)
            .map(|_| ()),
        Err(AuthError::KeyMismatch)
    );
}
