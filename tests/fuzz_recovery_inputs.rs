//! Replays the committed corpus of the `recovery_inputs` fuzz target through its harness on
//! stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(unreachable_pub)]

#[path = "../fuzz/harness/recovery_inputs.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_recovery_inputs_corpus_replays() {
    fuzz_corpus::replay("recovery_inputs", 10, harness::run);
}
