//! Replays the committed corpus of the `dh_and_devauth` fuzz target through its harness on
//! stable Rust, and (ignored) regenerates the seed files from a real in-memory run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    dead_code,
    unreachable_pub,
    missing_docs
)]

#[path = "../fuzz/harness/dh_and_devauth.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

use std::path::PathBuf;

use cie_pinpuk::auth::{DhTranscript, sign_internal_auth, test_keys};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/dh_and_devauth")
}

/// The fields of a genuine session: card DH value, CA key object, internal authentication
/// made by the emulator's chip key over the harness host's DH value, EF 1004, certificate.
fn real_fields() -> Vec<Vec<u8>> {
    let params = test_keys::dh_params().unwrap();
    let host = params.generate_host_key(&mut harness::HarnessRng(harness::HOST_SEED));
    let card = params.generate_card_key(&mut harness::HarnessRng(77));
    let y_icc = card.public_value().to_vec();
    let transcript = DhTranscript::new(&params, host.public_value(), &y_icc);
    let chip = test_keys::chip_dapp_key().unwrap();
    let internal = sign_internal_auth(
        &chip,
        &[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08],
        &harness::RND_IFD,
        &transcript,
        &mut harness::HarnessRng(78),
    )
    .unwrap();
    let certificate = cie_pinpuk::auth::TerminalCertificate::build(
        &test_keys::ca_public_key().unwrap(),
        &cie_pinpuk::auth::CaPrivateKey::well_known(),
        &cie_pinpuk::auth::TerminalKeys::well_known(),
    )
    .unwrap()
    .into_bytes();
    vec![
        y_icc,
        test_keys::CA_N.to_vec(),
        test_keys::CA_E.to_vec(),
        test_keys::CA_CHR.to_vec(),
        test_keys::CA_CHA.to_vec(),
        internal,
        chip.public_key().to_der(),
        certificate,
    ]
}

fn encode(fields: &[Vec<u8>]) -> Vec<u8> {
    let parts: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    harness::encode(&parts)
}

/// The seed files: the real run and variants of it.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let real = real_fields();
    let with = |i: usize, value: Vec<u8>| {
        let mut f = real.clone();
        f[i] = value;
        encode(&f)
    };
    let mut p_minus_one = test_keys::DH_P.to_vec();
    *p_minus_one.last_mut().unwrap() -= 1;
    let mut flipped_sig = real[5].clone();
    flipped_sig[100] ^= 0x01;
    let mut padded_ef = real[6].clone();
    padded_ef.extend_from_slice(&[0; 16]);
    vec![
        ("real_session", encode(&real)),
        ("y_icc_zero", with(0, vec![0; 256])),
        ("y_icc_one", with(0, vec![1])),
        ("y_icc_p_minus_one", with(0, p_minus_one)),
        ("y_icc_p", with(0, test_keys::DH_P.to_vec())),
        ("y_icc_outside_subgroup", with(0, vec![2])),
        ("internal_auth_flipped", with(5, flipped_sig)),
        ("internal_auth_short", with(5, real[5][..100].to_vec())),
        ("ef1004_zero_padded", with(6, padded_ef)),
        ("ef1004_truncated", with(6, real[6][..20].to_vec())),
        ("ca_chr_short", with(3, vec![0, 0, 0, 0])),
        ("ca_n_even", with(1, vec![0xF0; 256])),
        ("certificate_truncated", with(7, real[7][..200].to_vec())),
        ("empty", Vec::new()),
    ]
}

#[test]
fn fuzz_dh_and_devauth_corpus_replays() {
    fuzz_corpus::replay("dh_and_devauth", 10, harness::run);
}

#[test]
fn fuzz_dh_and_devauth_real_session_seed_passes_every_check() {
    let data = std::fs::read(corpus_dir().join("real_session")).unwrap();
    let outcome = harness::run_checked(&data);
    assert_eq!(
        outcome,
        harness::Outcome {
            agreed: true,
            ca_key: true,
            certificate_built: true,
            ef1004: true,
            internal_auth: true,
            certificate_verified: true,
        }
    );
    let flipped = std::fs::read(corpus_dir().join("internal_auth_flipped")).unwrap();
    assert!(!harness::run_checked(&flipped).internal_auth);
    let zero = std::fs::read(corpus_dir().join("y_icc_zero")).unwrap();
    assert!(!harness::run_checked(&zero).agreed);
}

#[test]
fn fuzz_dh_and_devauth_seeds_match_generator() {
    for (name, data) in seeds() {
        let committed = std::fs::read(corpus_dir().join(name)).unwrap();
        assert_eq!(committed, data, "{name} differs from the generator");
    }
}

/// Regenerates the seed files: `cargo test --features emulator --test fuzz_dh_and_devauth
/// -- --ignored write_seed_corpus`.
#[test]
#[ignore]
fn write_seed_corpus() {
    std::fs::create_dir_all(corpus_dir()).unwrap();
    for (name, data) in seeds() {
        std::fs::write(corpus_dir().join(name), data).unwrap();
    }
}
