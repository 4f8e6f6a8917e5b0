//! Replays the committed corpus of the `policy_engine` fuzz target on stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/policy_engine.rs"]
mod harness;

#[test]
fn fuzz_policy_engine_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/policy_engine");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        harness::run(&data);
        n += 1;
    }
    assert!(n >= 10, "corpus too small: {n}");
}
