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

#[test]
fn fuzz_atr_corpus_replays() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/atr");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        harness::run(&std::fs::read(&path).unwrap());
        count += 1;
    }
    assert!(count >= 10, "corpus too small: {count}");
}
