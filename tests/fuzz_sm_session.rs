//! Replays the committed corpus of the `sm_session` fuzz target through its harness on
//! stable Rust, and (ignored) writes that seed corpus from a clean session's exchange
//! indices: `cargo test --features emulator --test fuzz_sm_session -- --ignored regenerate`.
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/sm_session.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/sm_session");

#[test]
fn fuzz_sm_session_corpus_replays() {
    fuzz_corpus::replay("sm_session", 10, harness::run);
}

/// A script whose chunk `at` is `event` and every earlier chunk empty.
fn at(index: usize, event: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; index];
    out.push(u8::try_from(event.len()).unwrap());
    out.extend_from_slice(event);
    out
}

#[test]
#[ignore = "writes fuzz/corpus/sm_session; run once with -- --ignored regenerate"]
fn regenerate_sm_session_corpus() {
    use cie_pinpuk::card::{Cie, SystemRng};
    use cie_pinpuk::transport::Spy;
    // A clean run of the harness's flow, to find the exchange of each phase.
    let mut cie = Cie::with_dapp(
        Spy::new(harness::card()),
        SystemRng::default(),
        harness::dapp(),
    )
    .with_dh_group_policy(cie_pinpuk::auth::DhGroupPolicy::TEST_ONLY_SMALL_GROUPS);
    cie.read_nis().unwrap();
    {
        let mut s = cie.open().unwrap();
        s.serial().unwrap();
        s.pin_status().unwrap();
        s.puk_status().unwrap();
        s.verify_pin(&cie_pinpuk::Pin::new("40271953").unwrap())
            .unwrap();
    }
    let cmds: Vec<Vec<u8>> = cie.transport().commands().map(<[u8]>::to_vec).collect();
    let find = |f: &dyn Fn(&[u8]) -> bool| cmds.iter().position(|c| f(c)).unwrap();
    let select_cie = find(&|c| c.starts_with(&[0x00, 0xA4, 0x04, 0x0C, 0x06]) && c[10] == 0x39);
    let mse = find(&|c| c[0] == 0x00 && c[1..4] == [0x22, 0x41, 0xA6]);
    let external = find(&|c| c[0] & 0x0C == 0x0C && c[1] == 0x82);
    let internal = find(&|c| c[0] == 0x0C && c[1] == 0x88);
    let read_sm = find(&|c| c[0] == 0x0C && c[1] == 0xB0);
    let verify = find(&|c| c[1] == 0x20 && c[5] == 0x87);
    // CHANGE follows VERIFY (old) in the harness flow: the VERIFY at `verify` + 1 is that
    // VERIFY (the session knows the PIN is verified, so no query), CHANGE is the next one.
    let change = verify + 2;
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("clean", Vec::new()),
        ("f1_select_cie", at(select_cie, &[1])),
        ("f2_verify", at(verify, &[2])),
        ("f3_mse_set_kat", at(mse, &[3])),
        ("f4_verify", at(verify, &[4])),
        ("f5_change", at(change, &[5])),
        ("f6_read_binary_keep_5", at(read_sm, &[6, 0, 5])),
        ("f7_external_auth_byte_10", at(external, &[7, 0, 10, 0])),
        ("f8_6f00_change", at(change, &[8, 0x6F, 0x00])),
        ("f9_verify", at(verify, &[9])),
        ("sw_6c10_verify", at(verify, &[0x0B, 0x6C, 0x10])),
        ("plain_63c0_verify", at(verify, &[0x0A, 0x63, 0xC0])),
        ("plain_9000_change", at(change, &[0x0A, 0x90, 0x00])),
        (
            "garbage_internal_auth",
            at(
                internal,
                &[
                    0x0A, 0x87, 0x09, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x99, 0x02, 0x90, 0x00, 0x90,
                    0x00,
                ],
            ),
        ),
        ("sw_6988_serial", at(read_sm, &[0x0B, 0x69, 0x88])),
        ("two_faults", {
            let mut s = at(mse, &[0x0B, 0x61, 0x10]);
            s.extend(std::iter::repeat_n(0u8, verify - mse - 1));
            s.extend([1, 5]);
            s
        }),
    ];
    std::fs::create_dir_all(DIR).unwrap();
    for (name, bytes) in seeds {
        std::fs::write(format!("{DIR}/{name}"), bytes).unwrap();
    }
}
