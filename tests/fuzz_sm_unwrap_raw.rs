//! Replays every committed corpus file of the fuzz target `sm_unwrap_raw` through its harness, so
//! `cargo test` runs the corpus on stable Rust.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    unreachable_pub
)]

#[path = "../fuzz/harness/sm_unwrap_raw.rs"]
mod harness;

#[test]
fn fuzz_corpus_replays_sm_unwrap_raw() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/sm_unwrap_raw");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        harness::run(&std::fs::read(&path).unwrap());
        count += 1;
    }
    assert!(count >= 5, "corpus of sm_unwrap_raw has only {count} files");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, .. proptest::prelude::ProptestConfig::default() })]

    /// Stable-Rust stand-in for the fuzzer: random inputs through the same harness.
    #[test]
    fn fuzz_random_inputs_sm_unwrap_raw(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        harness::run(&data);
    }
}
