//! Replays the committed corpus of the `load_state` fuzz target (the virtual card's state
//! file parser) through its harness on stable Rust, and (ignored) regenerates the seeds.
#![cfg(feature = "emulator")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unreachable_pub
)]

#[path = "../fuzz/harness/load_state.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[allow(dead_code)]
#[path = "../fuzz/harness/small_keys.rs"]
mod small_keys;

use cie_pinpuk::card::chip::ChipFamily;
use cie_pinpuk::emulator::{EmptyVerify, VirtualCie};

#[test]
fn fuzz_load_state_corpus_replays() {
    fuzz_corpus::replay("load_state", 6, harness::run);
}

/// The seeds: saved states of cards with the default and the small keys, every switch, and
/// broken variants (a bad line, a wrong version, a counter out of range).
fn seeds() -> Vec<(&'static str, String)> {
    let default = VirtualCie::builder()
        .build()
        .unwrap()
        .save_state()
        .to_string();
    let small = small_keys::with_small_keys(
        VirtualCie::builder()
            .pin("40271953")
            .puk("73918462")
            .chip_family(ChipFamily::Nxp)
            .empty_verify(EmptyVerify::WrongP1P2)
            .tries_left(1, 9),
    )
    .build()
    .unwrap()
    .save_state()
    .to_string();
    vec![
        ("default", default.clone()),
        ("small_keys_nxp", small.clone()),
        ("bad_line", default.replace("pin_tries = 3", "pin_tries 3")),
        ("bad_version", default.replace("version = ", "version = 9")),
        (
            "counter_out_of_range",
            default.replace("puk_tries = 10", "puk_tries = 11"),
        ),
        (
            "switches",
            default
                .replace("eof = 6282", "eof = 6cxx")
                .replace("case1 = both", "case1 = iso"),
        ),
        ("truncated", small[..small.len() / 2].to_string()),
    ]
}

#[test]
fn load_state_seeds_exercise_the_parser() {
    for (name, text) in seeds() {
        harness::run(text.as_bytes());
        let loads = VirtualCie::load_state(&text).is_ok();
        let expected = matches!(name, "default" | "small_keys_nxp" | "switches");
        assert_eq!(loads, expected, "{name}");
    }
}

#[test]
#[ignore = "regenerates fuzz/corpus/load_state; run by hand"]
fn regenerate_load_state_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/load_state");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in seeds() {
        std::fs::write(dir.join(name), text).unwrap();
    }
}
