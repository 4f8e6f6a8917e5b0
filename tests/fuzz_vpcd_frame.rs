//! Replays the committed corpus of the `vpcd_frame` fuzz target on stable Rust.
#![cfg(feature = "emulator")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unreachable_pub
)]

#[path = "../fuzz/harness/vpcd_frame.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_vpcd_frame_corpus_replays() {
    fuzz_corpus::replay("vpcd_frame", 6, harness::run);
}
