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

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_policy_engine_corpus_replays() {
    fuzz_corpus::replay("policy_engine", 10, harness::run);
}
