//! Replays every committed corpus file of the fuzz target `sm_unwrap_sealed` through its harness, so
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

#[path = "../fuzz/harness/sm_unwrap_sealed.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_corpus_replays_sm_unwrap_sealed() {
    fuzz_corpus::replay("sm_unwrap_sealed", 5, harness::run);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, .. proptest::prelude::ProptestConfig::default() })]

    /// Stable-Rust stand-in for the fuzzer: random inputs through the same harness.
    #[test]
    fn fuzz_random_inputs_sm_unwrap_sealed(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        harness::run(&data);
    }
}
