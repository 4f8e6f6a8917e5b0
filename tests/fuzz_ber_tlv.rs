//! Replays every committed corpus file of the `ber_tlv` fuzz target (fuzz/corpus/ber_tlv/)
//! through the same harness, so `cargo test` runs the corpus on stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(
    clippy::arithmetic_side_effects,
    missing_docs,
    unreachable_pub,
    dead_code
)]

#[path = "../fuzz/harness/ber_tlv.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_ber_tlv_corpus_replays() {
    fuzz_corpus::replay("ber_tlv", 10, harness::run);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The harness on random inputs: a short stable-Rust stand-in for a fuzzing run.
    #[test]
    fn fuzz_ber_tlv_random_inputs(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        harness::run(&data);
    }
}
