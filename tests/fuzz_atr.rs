//! Replays the committed corpus of the `atr` fuzz target through its harness on stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unreachable_pub)]
#[path = "../fuzz/harness/atr.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_atr_corpus_replays() {
    fuzz_corpus::replay("atr", 10, harness::run);
}
