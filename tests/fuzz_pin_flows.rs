//! Replays the committed corpus of the `pin_flows` fuzz target through its harness on
//! stable Rust, and (ignored) writes that seed corpus:
//! `cargo test --features emulator --test fuzz_pin_flows -- --ignored regenerate`.
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "../fuzz/harness/pin_flows.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/pin_flows");

#[test]
fn fuzz_pin_flows_corpus_replays() {
    fuzz_corpus::replay("pin_flows", 10, harness::run);
}

/// `STATE` byte for a card with these tries left.
fn state(pin: u8, puk: u8) -> u8 {
    pin | (puk << 2)
}

#[test]
#[ignore = "writes fuzz/corpus/pin_flows; run once with -- --ignored regenerate"]
fn regenerate_pin_flows_corpus() {
    let fresh = state(3, 10);
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        (
            "verify_wrong_then_right_status",
            vec![fresh, 0, 1, 0, 0, 0, 9, 0, 9, 1],
        ),
        (
            "last_try_guard_then_confirmed",
            vec![fresh, 0, 1, 0, 1, 0, 0, 0, 2, 0],
        ),
        (
            "block_then_unblock",
            vec![fresh, 0, 1, 0, 1, 0, 3, 0, 0, 0, 7, 0, 0, 0],
        ),
        (
            "change_weak_wrong_old",
            vec![fresh, 0, 4, 0, 6, 1, 6, 2, 5, 0, 0, 0],
        ),
        (
            "puk_last_try_guard_confirmed",
            vec![state(0, 1), 0, 8, 0, 8, 1, 7, 1],
        ),
        (
            "puk_blocked_for_ever",
            vec![state(0, 0), 0, 7, 1, 9, 1, 0, 0],
        ),
        ("no_query_6a86", vec![fresh, 1, 9, 0, 1, 0, 0, 0]),
        ("no_query_blocked_6d00", vec![state(0, 10), 2, 0, 0, 7, 0]),
        ("iso_card_iso_host", vec![fresh, 0x14, 9, 0, 0, 0]),
        (
            "middleware_card_iso_host",
            vec![fresh, 0x18, 9, 0, 12, 0, 0, 0],
        ),
        (
            "malformed_codes",
            vec![fresh, 0, 10, 7, 10, 0x89, 10, 9, 10, 0],
        ),
        (
            "f2_at_verify_then_reopen",
            vec![fresh, 0, 9, 0, 11, 1, 0, 0, 12, 0, 0, 0],
        ),
        ("f5_at_change", vec![fresh, 0, 11, 4, 4, 0, 12, 0, 9, 0]),
        (
            "f4_reset_at_unblock",
            vec![state(0, 10), 0, 9, 1, 11, 3, 7, 0, 12, 0, 7, 0],
        ),
        (
            "sw_6c08_at_verify",
            vec![fresh, 0, 11, 0xD9, 0, 0, 12, 0, 0, 0],
        ),
        ("sw_63c0_at_verify", vec![fresh, 0, 11, 0x39, 1, 0, 0, 0]),
        ("f8_6f00_at_change", vec![fresh, 0, 0, 0, 11, 0xA7, 4, 0]),
        (
            "f9_busy_then_verify",
            vec![fresh, 0, 11, 8, 0, 0, 12, 0, 0, 0],
        ),
        (
            "f7_flip_at_status",
            vec![fresh, 0, 11, 0x56, 9, 0, 12, 0, 9, 0],
        ),
    ];
    std::fs::create_dir_all(DIR).unwrap();
    for (name, bytes) in seeds {
        std::fs::write(format!("{DIR}/{name}"), bytes).unwrap();
    }
}
