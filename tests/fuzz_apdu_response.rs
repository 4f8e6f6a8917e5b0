//! Replays every committed corpus file of the `apdu_response` fuzz target (fuzz/corpus/apdu_response/)
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

#[path = "../fuzz/harness/apdu_response.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_apdu_response_corpus_replays() {
    fuzz_corpus::replay("apdu_response", 10, harness::run);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The harness on random inputs: a short stable-Rust stand-in for a fuzzing run.
    #[test]
    fn fuzz_apdu_response_random_inputs(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        harness::run(&data);
    }
}

/// Inputs in the harness's script layout: a valid short command and a list of answers
/// made mostly of `61xx` / `6Cxx` / `9000` endings, so the GET RESPONSE code is reached.
fn script_input() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let answer = (
        proptest::collection::vec(any::<u8>(), 0..260),
        prop_oneof![
            Just([0x90u8, 0x00]),
            any::<u8>().prop_map(|x| [0x61, x]),
            any::<u8>().prop_map(|x| [0x6C, x]),
            any::<[u8; 2]>()
        ],
    )
        .prop_map(|(mut d, sw)| {
            d.extend_from_slice(&sw);
            d
        });
    (
        any::<u8>(),
        any::<u8>(),
        any::<[u8; 4]>(),
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::option::of(any::<u8>()),
        proptest::collection::vec(answer, 1..12),
    )
        .prop_map(|(cap, policy, header, data, le, answers)| {
            let mut cmd = header.to_vec();
            if !data.is_empty() {
                cmd.push(data.len() as u8);
                cmd.extend_from_slice(&data);
            }
            if let Some(le) = le {
                cmd.push(le);
            }
            let mut out = vec![cap, policy, cmd.len() as u8];
            out.extend_from_slice(&cmd);
            for a in answers {
                out.extend_from_slice(&(a.len() as u16).to_be_bytes());
                out.extend_from_slice(&a);
            }
            out
        })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The harness on structured scripts (the fuzzer finds these through the corpus).
    #[test]
    fn fuzz_apdu_response_scripted_inputs(data in script_input()) {
        harness::run(&data);
    }
}
