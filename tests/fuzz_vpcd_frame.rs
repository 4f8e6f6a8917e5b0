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

#[test]
fn fuzz_vpcd_frame_corpus_replays() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/vpcd_frame");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        harness::run(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n >= 6, "corpus has {n} files");
}
