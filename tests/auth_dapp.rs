//! DAPP both roles in memory, with the emulator key material (docs/protocol.md §3; docs/testing.md K3-K6).
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

/// What one complete in-memory session produced on each side.
struct Run {
    host_keys: SessionKeys,
    card_keys: SessionKeys,
    certificate: Vec<u8>,
    external: Vec<u8>,
    internal: Vec<u8>,
    sn_icc: [u8; 8],
}

/// Host <-> card: DH, certificate, external and internal authentication, final SSC.
fn full_run(host: &mut DappHost, seed: u64) -> Run {
    let mut host_rng = ChaCha20Rng::seed_from_u64(seed);
    let mut card_rng = ChaCha20Rng::seed_from_u64(seed ^ 0xC1E0_C1E0);
    let chip = test_keys::chip_dapp_key().unwrap();
    let ca_pub = test_keys::ca_public_key().unwrap();
    let ef1004 = chip.public_key().to_der();

    // DH (clear): the host reads g, p, q; both draw keys.
    let params = test_keys::dh_params().unwrap();
    let host_eph = params.generate_key(&mut host_rng, host.strategy().exponent_width());
    let card_eph = params.generate_card_key(&mut card_rng);
    let y_ifd = host_eph.public_value().to_vec();
    let y_icc = card_eph.public_value().to_vec();
    assert_eq!(y_ifd.len(), 256);
    let card_keys = card_eph.agree(&params, &y_ifd).unwrap();
    let host_keys = host_eph.agree(&params, &y_icc).unwrap();
    assert_eq!(host_keys.ks_enc(), card_keys.ks_enc());
    assert_eq!(host_keys.ks_mac(), card_keys.ks_mac());
    let transcript = DhTranscript::new(&params, &y_ifd, &y_icc);

    // PSO VERIFY CERTIFICATE.
    let certificate = host.certificate(&ca_pub).unwrap().into_bytes();
    let terminal = verify_terminal_certificate(&ca_pub, &certificate).unwrap();
    assert_eq!(terminal.chr(), &TERMINAL_CHR);
    assert_eq!(
        terminal.key().modulus(),
        TerminalKeys::well_known().modulus()
    );

    // GET CHALLENGE, EXTERNAL AUTHENTICATE.
    let rnd_icc = random_challenge(&mut card_rng);
    let mut check = ChallengeCheck::new();
    let rnd_icc_seen = check.accept(&rnd_icc).unwrap();
    let external = host
        .external_auth_data(&rnd_icc_seen, &transcript, &mut host_rng)
        .unwrap();
    assert_eq!(external.len(), 8 + 256);
    verify_external_auth(&terminal, &external, &rnd_icc, &transcript).unwrap();

    // INTERNAL AUTHENTICATE.
    let rnd_ifd = random_challenge(&mut host_rng);
    let sn = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80];
    let internal = sign_internal_auth(&chip, &sn, &rnd_ifd, &transcript, &mut card_rng).unwrap();
    let chip_pub = CardPublicKey::from_der(&ef1004, KeyKind::ChipDapp).unwrap();
    let sn_icc = verify_internal_auth(&chip_pub, &internal, &rnd_ifd, &transcript).unwrap();
    assert_eq!(sn_icc, sn);

    let host_ssc = ssc_after_dapp(&rnd_icc_seen, &rnd_ifd);
    let card_ssc = ssc_after_dapp(&rnd_icc, &rnd_ifd);
    assert_eq!(host_keys, card_keys);
    assert_eq!(host_ssc, card_ssc);
    assert_eq!(&host_ssc[..4], &rnd_icc[4..]);
    assert_eq!(&host_ssc[4..], &rnd_ifd[4..]);
    Run {
        host_keys,
        card_keys,
        certificate,
        external,
        internal,
        sn_icc,
    }
}

#[test]
fn full_dh_dapp_run_fast_and_straightforward_agree() {
    let mut fast = DappHost::well_known(Strategy::Fast).unwrap();
    let mut slow = DappHost::well_known(Strategy::Straightforward).unwrap();
    let a = full_run(&mut fast, 7);
    let b = full_run(&mut slow, 7);
    // Same seed: the CRT path and the plain path give the same bytes.
    assert_eq!(a.certificate, b.certificate);
    assert_eq!(a.external, b.external);
    assert_eq!(a.internal, b.internal);
    assert_eq!(a.host_keys, b.host_keys);
    assert_eq!(a.card_keys, b.card_keys);
    assert_eq!(a.sn_icc, b.sn_icc);
    assert_eq!(fast.cache().len(), 1);
    assert!(slow.cache().is_empty());
}

fn ca() -> CaPublicKey {
    test_keys::ca_public_key().unwrap()
}

fn certificate() -> Vec<u8> {
    TerminalCertificate::build(
        &ca(),
        &CaPrivateKey::well_known(),
        &TerminalKeys::well_known(),
    )
    .unwrap()
    .into_bytes()
}

/// A DH exchange and its transcript values, for the authentication tests.
struct Dh {
    params: DhParams,
    y_ifd: Vec<u8>,
    y_icc: Vec<u8>,
}

fn dh(seed: u64) -> Dh {
    let params = test_keys::dh_params().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let y_ifd = params.generate_host_key(&mut rng).public_value().to_vec();
    let y_icc = params.generate_card_key(&mut rng).public_value().to_vec();
    Dh {
        params,
        y_ifd,
        y_icc,
    }
}

impl Dh {
    fn transcript(&self) -> DhTranscript<'_> {
        DhTranscript::new(&self.params, &self.y_ifd, &self.y_icc)
    }
}

#[test]
fn terminal_certificate_layout() {
    let cert = certificate();
    // 7F21 82 015D { 5F37 82 0100 SIG(256), 5F38 4B PK_rem(75), 42 08 CAR }:
    // 261 + 78 + 10 = 349 = 0x15D bytes inside, 354 in all.
    assert_eq!(&cert[..5], &[0x7F, 0x21, 0x82, 0x01, 0x5D]);
    assert_eq!(cert.len(), 5 + 0x15D);
    assert_eq!(&cert[5..9], &[0x5F, 0x37, 0x82, 0x01]);
    assert_eq!(cert[9], 0x00);
    let rem = &cert[10 + 256..];
    assert_eq!(&rem[..3], &[0x5F, 0x38, 0x4B]);
    // C = 8A ‖ CAR(8) ‖ CHR(12) ‖ CHA(7) ‖ OID(9) ‖ n(256) ‖ e(4) = 297 bytes; the last
    // 75 = 297 - (256 - 34) are the remainder: the tail of n and e = 00 01 00 01.
    let pk_rem = &rem[3..3 + 75];
    assert_eq!(&pk_rem[71..], &[0, 1, 0, 1]);
    assert_eq!(
        &pk_rem[..71],
        &TerminalKeys::well_known().modulus()[256 - 71..]
    );
    assert_eq!(
        &rem[78..],
        &[&[0x42, 0x08][..], &test_keys::CA_CHR[4..]].concat()[..]
    );
    // Straightforward build is deterministic and equals the cached one.
    let mut host = DappHost::well_known(Strategy::Fast).unwrap();
    assert_eq!(host.certificate(&ca()).unwrap().as_bytes(), &cert[..]);
}

#[test]
fn card_verifies_certificate_and_rejects_any_flip() {
    let cert = certificate();
    let ca = ca();
    let terminal = verify_terminal_certificate(&ca, &cert).unwrap();
    assert_eq!(terminal.serial(), &SN_IFD);
    // Every framing byte, and every 11th byte of the signature and remainder.
    let positions = (0..cert.len()).filter(|i| *i < 10 || *i >= 266 || i % 11 == 0);
    for i in positions {
        for mask in [0x01u8, 0x80] {
            let mut bad = cert.clone();
            bad[i] ^= mask;
            assert_eq!(
                verify_terminal_certificate(&ca, &bad).unwrap_err(),
                AuthError::CertificateRejected,
                "byte {i} mask {mask:02X}"
            );
        }
    }
    for cut in [0, 1, 5, 100, cert.len() - 1] {
        assert!(verify_terminal_certificate(&ca, &cert[..cut]).is_err());
    }
    let mut longer = cert.clone();
    longer.push(0);
    assert!(verify_terminal_certificate(&ca, &longer).is_err());
}

#[test]
fn certificate_for_another_ca_is_rejected() {
    // Same modulus and exponent, another CHA (AID): the certificate's CHA no longer matches.
    let other = CaPublicKey::new(
        &test_keys::CA_N,
        &test_keys::CA_E,
        &test_keys::CA_CHR,
        &[0xA0, 0, 0, 0, 0, 0x40, 0],
    )
    .unwrap();
    let cert = TerminalCertificate::build(
        &other,
        &CaPrivateKey::well_known(),
        &TerminalKeys::well_known(),
    )
    .unwrap();
    assert_eq!(
        verify_terminal_certificate(&ca(), cert.as_bytes()).unwrap_err(),
        AuthError::CertificateRejected
    );
    // A card whose CA is another key (here: the chip key) rejects the certificate.
    let chip = test_keys::chip_dapp_key().unwrap().public_key();
    let wrong_ca = CaPublicKey::new(
        chip.modulus(),
        chip.public_exponent(),
        &test_keys::CA_CHR,
        &test_keys::CA_CHA,
    )
    .unwrap();
    assert!(verify_terminal_certificate(&wrong_ca, &certificate()).is_err());
}

#[test]
fn certificate_build_refuses_wrong_exponent_and_unsuitable_ca() {
    // The CA exponent must match the card's CA key: the re-check after signing catches it.
    let wrong_d = CaPrivateKey::from_bytes(&[0x03; 200]).unwrap();
    assert_eq!(
        TerminalCertificate::build(&ca(), &wrong_d, &TerminalKeys::well_known()).unwrap_err(),
        AuthError::KeyMismatch
    );
    // A CA modulus whose top byte is not above 6A cannot hold M' = 6A ‖ ….
    let mut low = test_keys::CA_N.to_vec();
    low[0] = 0x6A;
    let low_ca = CaPublicKey::new(
        &low,
        &[0x01, 0x00, 0x01],
        &test_keys::CA_CHR,
        &test_keys::CA_CHA,
    )
    .unwrap();
    assert_eq!(
        TerminalCertificate::build(
            &low_ca,
            &CaPrivateKey::well_known(),
            &TerminalKeys::well_known()
        )
        .unwrap_err(),
        AuthError::UnsuitableCaKey
    );
    assert!(CaPrivateKey::from_bytes(&[0, 0]).is_err());
    assert_eq!(
        CaPrivateKey::from_bytes(&[1; 257]).unwrap_err(),
        AuthError::TooLarge
    );
}

#[test]
fn certificate_cache_is_keyed_by_the_ca_key() {
    let mut host = DappHost::well_known(Strategy::Fast).unwrap();
    let a = host.certificate(&ca()).unwrap();
    let again = host.certificate(&ca()).unwrap();
    assert_eq!(a, again);
    assert_eq!(host.cache().len(), 1);
    for serial in 0..9u8 {
        let mut chr = test_keys::CA_CHR;
        chr[11] = serial.wrapping_add(0x10);
        let other =
            CaPublicKey::new(&test_keys::CA_N, &test_keys::CA_E, &chr, &test_keys::CA_CHA).unwrap();
        let cert = host.certificate(&other).unwrap();
        assert_ne!(cert, a);
        assert_eq!(host.cache().get(&other), Some(&cert));
    }
    assert_eq!(host.cache().len(), CertificateCache::CAPACITY);
    assert!(host.cache().get(&ca()).is_none());
}

#[test]
fn card_rejects_bad_external_authentication() {
    let dh = dh(21);
    let t = dh.transcript();
    let terminal = verify_terminal_certificate(&ca(), &certificate()).unwrap();
    let host = DappHost::well_known(Strategy::Fast).unwrap();
    let rnd_icc = [9u8; 8];
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let data = host.external_auth_data(&rnd_icc, &t, &mut rng).unwrap();
    verify_external_auth(&terminal, &data, &rnd_icc, &t).unwrap();
    let fail = Err(AuthError::ExternalAuthenticationFailed);
    assert_eq!(verify_external_auth(&terminal, &data, &[8u8; 8], &t), fail);
    let other = DhTranscript::new(&dh.params, &dh.y_icc, &dh.y_ifd);
    assert_eq!(
        verify_external_auth(&terminal, &data, &rnd_icc, &other),
        fail
    );
    for i in [0, 7, 8, 100, data.len() - 1] {
        let mut bad = data.clone();
        bad[i] ^= 0x04;
        assert_eq!(
            verify_external_auth(&terminal, &bad, &rnd_icc, &t),
            fail,
            "byte {i}"
        );
    }
    for cut in [0, 8, data.len() - 1] {
        assert_eq!(
            verify_external_auth(&terminal, &data[..cut], &rnd_icc, &t),
            fail
        );
    }
    // The straightforward free function gives the same bytes for the same random draws.
    let plain = external_auth_data(
        &TerminalKeys::well_known(),
        &rnd_icc,
        &t,
        &mut ChaCha20Rng::seed_from_u64(4),
    )
    .unwrap();
    assert_eq!(plain, data);
}

#[test]
fn k4_internal_authentication_failures_are_one_variant() {
    let dh = dh(31);
    let t = dh.transcript();
    let chip = test_keys::chip_dapp_key().unwrap();
    let chip_pub = chip.public_key();
    let rnd_ifd = [0x33u8; 8];
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let good = sign_internal_auth(&chip, &[7; 8], &rnd_ifd, &t, &mut rng).unwrap();
    assert_eq!(good.len(), 264);
    assert_eq!(
        verify_internal_auth(&chip_pub, &good, &rnd_ifd, &t),
        Ok([7; 8])
    );
    let fail = Err(AuthError::InternalAuthenticationFailed);
    // Wrong length.
    for cut in [0, 1, 8, 9, 263] {
        assert_eq!(
            verify_internal_auth(&chip_pub, &good[..cut], &rnd_ifd, &t),
            fail
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(verify_internal_auth(&chip_pub, &longer, &rnd_ifd, &t), fail);
    // Invalid signature: any flipped bit, a value >= n, all zeros.
    for i in [8, 9, 50, 263] {
        let mut bad = good.clone();
        bad[i] ^= 0x10;
        assert_eq!(verify_internal_auth(&chip_pub, &bad, &rnd_ifd, &t), fail);
    }
    let mut big = good.clone();
    big[8..].fill(0xFF);
    assert_eq!(verify_internal_auth(&chip_pub, &big, &rnd_ifd, &t), fail);
    let mut zero = good.clone();
    zero[8..].fill(0);
    assert_eq!(verify_internal_auth(&chip_pub, &zero, &rnd_ifd, &t), fail);
    // Wrong padding: a valid RSA signature of a PKCS#1 type-1 block, not 6A … BC.
    let pkcs1 = sign_servizi(&chip, &[0x55; 32], &mut rng).unwrap();
    let wrong_padding = [&[7u8; 8][..], &pkcs1].concat();
    assert_eq!(
        verify_internal_auth(&chip_pub, &wrong_padding, &rnd_ifd, &t),
        fail
    );
    // Wrong challenge echoed, another SN.ICC, another DH transcript.
    assert_eq!(verify_internal_auth(&chip_pub, &good, &[0x34; 8], &t), fail);
    let mut other_sn = good.clone();
    other_sn[0] ^= 1;
    assert_eq!(
        verify_internal_auth(&chip_pub, &other_sn, &rnd_ifd, &t),
        fail
    );
    let other = DhTranscript::new(&dh.params, &dh.y_icc, &dh.y_ifd);
    assert_eq!(
        verify_internal_auth(&chip_pub, &good, &rnd_ifd, &other),
        fail
    );
    // Another chip key.
    let servizi_pub = test_keys::servizi_key().unwrap().public_key();
    assert_eq!(
        verify_internal_auth(&servizi_pub, &good, &rnd_ifd, &t),
        fail
    );
}

#[test]
fn internal_authentication_is_deterministic_for_a_seeded_rng() {
    let dh = dh(41);
    let t = dh.transcript();
    let chip = test_keys::chip_dapp_key().unwrap();
    let a = sign_internal_auth(
        &chip,
        &[1; 8],
        &[2; 8],
        &t,
        &mut ChaCha20Rng::seed_from_u64(8),
    );
    let b = sign_internal_auth(
        &chip,
        &[1; 8],
        &[2; 8],
        &t,
        &mut ChaCha20Rng::seed_from_u64(8),
    );
    assert_eq!(a.unwrap(), b.unwrap());
}

#[test]
fn k5_challenge_length_and_freshness() {
    let mut check = ChallengeCheck::new();
    for bad in [&[][..], &[1; 7][..], &[1; 9][..], &[1; 256][..]] {
        assert_eq!(check.accept(bad), Err(AuthError::ChallengeLength));
    }
    assert_eq!(check.accept(&[1; 8]), Ok([1; 8]));
    assert_eq!(check.accept(&[1; 8]), Err(AuthError::ChallengeRepeated));
    assert_eq!(check.accept(&[2; 8]), Ok([2; 8]));
    assert_eq!(check.accept(&[1; 8]), Ok([1; 8]));
    // The host refuses to sign for a challenge of the wrong length.
    let dh = dh(51);
    let host = DappHost::well_known(Strategy::Fast).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    assert_eq!(
        host.external_auth_data(&[0; 7], &dh.transcript(), &mut rng),
        Err(AuthError::ChallengeLength)
    );
    // Fresh challenges differ.
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    assert_ne!(random_challenge(&mut rng), random_challenge(&mut rng));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]
    #[test]
    fn full_run_over_random_seeds(seed in proptest::prelude::any::<u64>()) {
        let mut host = DappHost::well_known(Strategy::Fast).unwrap();
        let run = full_run(&mut host, seed);
        proptest::prop_assert_eq!(run.host_keys, run.card_keys);
    }

}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]
    /// Certificate encode (host) → decode and verify (card) over random CA references.
    #[test]
    fn certificate_round_trip_over_ca_references(
        chr in proptest::collection::vec(proptest::prelude::any::<u8>(), 5..=20),
        cha in proptest::collection::vec(proptest::prelude::any::<u8>(), 6..=10),
    ) {
        let ca = CaPublicKey::new(&test_keys::CA_N, &test_keys::CA_E, &chr, &cha).unwrap();
        let cert = TerminalCertificate::build(
            &ca,
            &CaPrivateKey::well_known(),
            &TerminalKeys::well_known(),
        )
        .unwrap();
        let terminal = verify_terminal_certificate(&ca, cert.as_bytes()).unwrap();
        proptest::prop_assert_eq!(terminal.chr(), &TERMINAL_CHR[..]);
        let well_known = TerminalKeys::well_known();
        proptest::prop_assert_eq!(terminal.key().modulus(), well_known.modulus());
        proptest::prop_assert_eq!(terminal.key().public_exponent(), &[1u8, 0, 1][..]);
    }
}
