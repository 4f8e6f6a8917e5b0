//! Opening a session, host and card side: straightforward versus cached/CRT
//! (issue target: host side at least 3x faster).
//!
//! Run: `cargo bench --features emulator --bench auth -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use cie_pinpuk::auth::test_keys;
use cie_pinpuk::auth::*;
use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const HOST_SEED: u64 = 11;

/// The card's fixed part of a session whose host side is seeded with `HOST_SEED`.
struct CardSide {
    params: DhParams,
    y_icc: Vec<u8>,
    ca: CaPublicKey,
    chip: CardPublicKey,
    rnd_icc: [u8; 8],
    internal: Vec<u8>,
    rnd_ifd: [u8; 8],
}

fn card_side(strategy: Strategy) -> CardSide {
    let params = test_keys::dh_params().unwrap();
    let mut card_rng = ChaCha20Rng::seed_from_u64(99);
    let card_eph = params.generate_card_key(&mut card_rng);
    let y_icc = card_eph.public_value().to_vec();
    // Replay the host's draws to know Y_IFD and RND.IFD.
    let mut host_rng = ChaCha20Rng::seed_from_u64(HOST_SEED);
    let host_eph = params.generate_key(&mut host_rng, strategy.exponent_width());
    let y_ifd = host_eph.public_value().to_vec();
    let mut prnd = vec![0u8; 256 - 34];
    rand_chacha::rand_core::Rng::fill_bytes(&mut host_rng, &mut prnd);
    let rnd_ifd = random_challenge(&mut host_rng);
    let rnd_icc = random_challenge(&mut card_rng);
    let chip_key = test_keys::chip_dapp_key().unwrap();
    let transcript = DhTranscript::new(&params, &y_ifd, &y_icc);
    let internal =
        sign_internal_auth(&chip_key, &[1; 8], &rnd_ifd, &transcript, &mut card_rng).unwrap();
    CardSide {
        y_icc,
        ca: test_keys::ca_public_key().unwrap(),
        chip: chip_key.public_key(),
        rnd_icc,
        internal,
        rnd_ifd,
        params,
    }
}

/// Everything the host computes to open a session: DH, certificate, external
/// authentication, internal-authentication check, keys and SSC.
fn host_session(host: &mut DappHost, card: &CardSide) -> (SessionKeys, [u8; 8]) {
    let mut rng = ChaCha20Rng::seed_from_u64(HOST_SEED);
    let eph = card
        .params
        .generate_key(&mut rng, host.strategy().exponent_width());
    let keys = eph.agree(&card.params, &card.y_icc).unwrap();
    let transcript = DhTranscript::new(&card.params, eph.public_value(), &card.y_icc);
    let cert = host.certificate(&card.ca).unwrap();
    black_box(cert.as_bytes());
    let ext = host
        .external_auth_data(&card.rnd_icc, &transcript, &mut rng)
        .unwrap();
    black_box(&ext);
    let rnd_ifd = random_challenge(&mut rng);
    assert_eq!(rnd_ifd, card.rnd_ifd);
    verify_internal_auth(&card.chip, &card.internal, &rnd_ifd, &transcript).unwrap();
    (keys, ssc_after_dapp(&card.rnd_icc, &rnd_ifd))
}

fn bench_dh(c: &mut Criterion) {
    let params = test_keys::dh_params().unwrap();
    let mut card_rng = ChaCha20Rng::seed_from_u64(5);
    let y_icc = params
        .generate_card_key(&mut card_rng)
        .public_value()
        .to_vec();
    let mut group = c.benchmark_group("dh_host_agreement");
    for (name, width) in [
        ("full_width", ExponentWidth::Full),
        ("order_bits", ExponentWidth::OrderBits),
    ] {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        group.bench_function(name, |b| {
            b.iter(|| {
                let eph = params.generate_key(&mut rng, width);
                black_box(eph.agree(&params, &y_icc).unwrap())
            })
        });
    }
    group.finish();
}

fn bench_host_session(c: &mut Criterion) {
    let mut group = c.benchmark_group("dapp_host_session");
    group.sample_size(10);
    let slow_card = card_side(Strategy::Straightforward);
    let mut slow = DappHost::well_known(Strategy::Straightforward).unwrap();
    group.bench_function("straightforward", |b| {
        b.iter(|| black_box(host_session(&mut slow, &slow_card)))
    });
    let fast_card = card_side(Strategy::Fast);
    let mut fast = DappHost::well_known(Strategy::Fast).unwrap();
    host_session(&mut fast, &fast_card);
    group.bench_function("cached_crt", |b| {
        b.iter(|| black_box(host_session(&mut fast, &fast_card)))
    });
    group.bench_function("cached_crt_first_session", |b| {
        b.iter(|| {
            let mut host = DappHost::well_known(Strategy::Fast).unwrap();
            black_box(host_session(&mut host, &fast_card))
        })
    });
    group.finish();

    let mut parts = c.benchmark_group("dapp_host_parts");
    parts.sample_size(10);
    let ca = test_keys::ca_public_key().unwrap();
    parts.bench_function("certificate_build_plain", |b| {
        b.iter(|| {
            black_box(
                TerminalCertificate::build(
                    &ca,
                    &CaPrivateKey::well_known(),
                    &TerminalKeys::well_known(),
                )
                .unwrap(),
            )
        })
    });
    parts.bench_function("certificate_cached", |b| {
        b.iter(|| black_box(fast.certificate(&ca).unwrap()))
    });
    let transcript = DhTranscript::new(&fast_card.params, &fast_card.y_icc, &fast_card.y_icc);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    parts.bench_function("external_auth_plain", |b| {
        b.iter(|| {
            black_box(
                external_auth_data(
                    &TerminalKeys::well_known(),
                    &fast_card.rnd_icc,
                    &transcript,
                    &mut rng,
                )
                .unwrap(),
            )
        })
    });
    parts.bench_function("external_auth_crt", |b| {
        b.iter(|| {
            black_box(
                fast.external_auth_data(&fast_card.rnd_icc, &transcript, &mut rng)
                    .unwrap(),
            )
        })
    });
    parts.finish();
}

fn bench_card(c: &mut Criterion) {
    let mut group = c.benchmark_group("card_side");
    group.sample_size(20);
    let params = test_keys::dh_params().unwrap();
    let chip = test_keys::chip_dapp_key().unwrap();
    let servizi = test_keys::servizi_key().unwrap();
    let y = vec![0x42u8; 256];
    let transcript = DhTranscript::new(&params, &y, &y);
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    group.bench_function("sign_internal_auth", |b| {
        b.iter(|| {
            black_box(sign_internal_auth(
                &chip,
                &[1; 8],
                &[2; 8],
                &transcript,
                &mut rng,
            ))
        })
    });
    group.bench_function("sign_servizi", |b| {
        b.iter(|| black_box(sign_servizi(&servizi, b"0123456789AB", &mut rng)))
    });
    let ca = test_keys::ca_public_key().unwrap();
    let cert = TerminalCertificate::build(
        &ca,
        &CaPrivateKey::well_known(),
        &TerminalKeys::well_known(),
    )
    .unwrap();
    group.bench_function("verify_terminal_certificate", |b| {
        b.iter(|| black_box(verify_terminal_certificate(&ca, cert.as_bytes()).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_dh, bench_host_session, bench_card);
criterion_main!(benches);
