//! Replays the committed corpus of the `emulator_apdu` fuzz target through its harness on
//! stable Rust.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unreachable_pub)]
#[path = "../fuzz/harness/emulator_apdu.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

#[test]
fn fuzz_emulator_apdu_corpus_replays() {
    fuzz_corpus::replay("emulator_apdu", 10, harness::run);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Random raw APDUs, resets and power cycles (no session): the harness invariants hold.
    #[test]
    fn emulator_apdu_random_raw_sequences(steps in proptest::collection::vec(
        (proptest::prop_oneof![proptest::strategy::Just(0u8), proptest::strategy::Just(3), proptest::strategy::Just(4)],
         proptest::collection::vec(proptest::num::u8::ANY, 0..40)),
        0..24,
    )) {
        let mut input = Vec::new();
        for (op, bytes) in steps {
            input.push(op);
            input.push(bytes.len() as u8);
            input.extend_from_slice(&bytes);
        }
        harness::run(&input);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// One opened session, then random steps of every kind but `open`.
    #[test]
    fn emulator_apdu_random_sequences_in_a_session(steps in proptest::collection::vec(
        (proptest::prop_oneof![
            proptest::strategy::Just(0u8), proptest::strategy::Just(2), proptest::strategy::Just(3),
            proptest::strategy::Just(5), proptest::strategy::Just(5), proptest::strategy::Just(5)
        ],
         proptest::collection::vec(proptest::num::u8::ANY, 0..24)),
        0..24,
    )) {
        let mut input = vec![1u8, 0];
        for (op, bytes) in steps {
            input.push(op);
            input.push(bytes.len() as u8);
            input.extend_from_slice(&bytes);
        }
        harness::run(&input);
    }
}

#[test]
fn virtual_card_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<cie_pinpuk::emulator::VirtualCie>();
}
