//! Replays the committed corpus of the `transcript_parse` fuzz target (the reader of recorded
//! APDU exchanges) through its harness on stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unreachable_pub
)]

#[path = "../fuzz/harness/transcript_parse.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_transcript_parse_corpus_replays() {
    fuzz_corpus::replay("transcript_parse", 6, harness::run);
}

#[test]
fn transcript_parse_harness_accepts_the_committed_transcripts() {
    for path in [
        "tests/data/card/session.apdu",
        "tests/data/transport/select_fallback.apdu",
    ] {
        let text =
            std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
        assert!(
            cie_pinpuk::transport::Transcript::parse(&String::from_utf8_lossy(&text)).is_ok(),
            "{path}"
        );
        harness::run(&text);
    }
}
