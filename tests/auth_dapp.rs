//! DAPP both roles in memory, with the emulator key material (PROTOCOL.md 3; TESTING.md K3-K6).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
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
    let mut card_keys = card_eph.agree(&params, &y_ifd).unwrap();
    let mut host_keys = host_eph.agree(&params, &y_icc).unwrap();
    assert_eq!(host_keys.ks_enc(), card_keys.ks_enc());
    assert_eq!(host_keys.ks_mac(), card_keys.ks_mac());
    assert_eq!(host_keys.ssc(), &INITIAL_SSC);
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
    host_keys.set_ssc(host_ssc);
    card_keys.set_ssc(card_ssc);
    assert_eq!(host_keys, card_keys);
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
