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

#[test]
fn fuzz_recovery_inputs_corpus_replays() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/recovery_inputs");
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
