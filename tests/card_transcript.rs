//! A whole session recorded once against the virtual card (reference 2048-bit keys) and
//! replayed byte for byte: with the same host seed the host must send exactly the recorded
//! commands, and reach the same outcomes, against the recorded answers alone
//! (docs/testing.md SC6 "one transcript", the house style: "recorded APDU transcripts replayed byte for
//! byte").
//!
//! The transcript is tests/data/card/session.apdu, written by the ignored test
//! `regenerate_session_transcript`:
//!
//! ```text
//! cargo test --features emulator --test card_transcript -- --ignored regenerate
//! ```
//!
//! Seeds: host `ChaCha20Rng::from_seed([0x5E; 32])`, card `seed([0xCA; 32])`; codes from
//! tests/card_common (PIN, PUK, wrong ones, new PIN).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use card_common::*;
use cie_pinpuk::Error;
use cie_pinpuk::card::{Cie, PinError};
use cie_pinpuk::codes::{CodeKind, RetryStatus};
use cie_pinpuk::transport::{
    CardTransport, Recorder, Transcript, TranscriptDivergence, TransportError,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const HOST_SEED: [u8; 32] = [0x5E; 32];
const CARD_SEED: [u8; 32] = [0xCA; 32];
const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/card/session.apdu");

/// What each step of the session gave, as text (no code digits in any of it).
fn session<T: CardTransport>(cie: &mut Cie<T, ChaCha20Rng>) -> Vec<String> {
    let mut log = Vec::new();
    log.push(format!("nis {}", cie.read_nis().unwrap()));
    let mut s = cie.open().unwrap();
    log.push(format!("serial {}", s.serial().unwrap()));
    log.push(format!("pin {:?}", s.pin_status().unwrap()));
    log.push(format!("puk {:?}", s.puk_status().unwrap()));
    log.push(format!(
        "verify wrong {:?}",
        s.verify_pin(&pin(WRONG_PIN)).err()
    ));
    log.push(format!("verify right {:?}", s.verify_pin(&pin(PIN)).err()));
    log.push(format!("pin {:?}", s.pin_status().unwrap()));
    log.push(format!(
        "change {:?}",
        s.change_pin(&pin(PIN), &pin(NEW_PIN)).err()
    ));
    log.push(format!(
        "unblock wrong {:?}",
        s.unblock_pin(&puk(WRONG_PUK), &pin(PIN)).err()
    ));
    log.push(format!(
        "unblock right {:?}",
        s.unblock_pin(&puk(PUK), &pin(PIN)).err()
    ));
    log.push(format!("verify right {:?}", s.verify_pin(&pin(PIN)).err()));
    log.push(format!("puk {:?}", s.puk_status().unwrap()));
    log
}

fn expected_log() -> Vec<String> {
    let none: Option<Error> = None;
    let wrong = |code, remaining| Some(Error::Pin(PinError::Wrong { code, remaining }));
    vec![
        "nis 123456789012".to_string(),
        "serial CA00000AA".to_string(),
        format!("pin {:?}", RetryStatus::Remaining(3)),
        format!("puk {:?}", RetryStatus::Remaining(10)),
        format!("verify wrong {:?}", wrong(CodeKind::Pin, 2)),
        format!("verify right {none:?}"),
        format!("pin {:?}", RetryStatus::Verified),
        format!("change {none:?}"),
        format!("unblock wrong {:?}", wrong(CodeKind::Puk, 9)),
        format!("unblock right {none:?}"),
        format!("verify right {none:?}"),
        format!("puk {:?}", RetryStatus::Verified),
    ]
}

#[test]
#[ignore = "writes tests/data/card/session.apdu; run once with -- --ignored regenerate"]
fn regenerate_session_transcript() {
    let card = builder().seed(CARD_SEED).build().unwrap();
    let mut cie = Cie::with_rng(Recorder::new(card), ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    let log = session(&mut cie);
    assert_eq!(log, expected_log());
    let recorder = cie.into_transport();
    assert_eq!(recorder.inner().pin_tries_left(), 3);
    assert_eq!(recorder.inner().puk_tries_left(), 10);
    let mut text = String::from(
        "# A whole CIE session against the virtual card (reference 2048-bit emulator keys),\n\
         # recorded by tests/card_transcript.rs regenerate_session_transcript.\n\
         # Host RNG ChaCha20Rng::from_seed([0x5E; 32]); card seed [0xCA; 32].\n\
         # read_nis, open (DH + DAPP), serial, PIN/PUK status, VERIFY wrong then right,\n\
         # status, CHANGE, unblock with a wrong then the right PUK, VERIFY, PUK status.\n",
    );
    text.push_str(&recorder.to_transcript_string());
    std::fs::write(PATH, text).unwrap();
}

#[test]
fn sc6_transcript_replays_a_whole_session_byte_for_byte() {
    let transcript = Transcript::from_file(PATH).unwrap();
    let total = transcript.remaining();
    assert!(total > 30, "{total}");
    let mut cie = Cie::with_rng(transcript, ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    assert_eq!(session(&mut cie), expected_log());
    // Every recorded exchange was used, and every command matched.
    cie.into_transport().finish().unwrap();
}

#[test]
fn sc6_transcript_holds_no_code_and_every_pin_command_is_protected() {
    let transcript = Transcript::from_file(PATH).unwrap();
    let mut pin_commands = 0;
    for e in transcript.exchanges() {
        assert!(!bytes_hold_secret(&e.command));
        if let Some(r) = e.outcome.response() {
            assert!(!bytes_hold_secret(r));
        }
        if is_pin_command(&e.command) {
            assert_eq!(e.command[0], 0x0C);
            pin_commands += 1;
        }
    }
    // 2 status queries at the start, 2 VERIFY, 1 query, VERIFY + CHANGE, 2 VERIFY PUK,
    // 1 RESET RETRY COUNTER, a query before the last VERIFY, that VERIFY and the PUK query.
    assert!(pin_commands >= 12, "{pin_commands}");
    // Nor in the file as text: the hex of a code's ASCII (at any nibble alignment).
    let text: String = std::fs::read_to_string(PATH)
        .unwrap()
        .lines()
        .map(|l| l.split('#').next().unwrap().replace(' ', "").to_uppercase())
        .collect::<Vec<_>>()
        .join("\n");
    for code in SECRETS {
        for part in [code, &code[..4], &code[4..]] {
            assert!(!text.contains(&hex::encode_upper(part)), "{part}");
        }
    }
}

#[test]
fn sc6_another_host_seed_diverges_at_the_dh_public_value() {
    let transcript = Transcript::from_file(PATH).unwrap();
    let mse = transcript
        .exchanges()
        .iter()
        .position(|e| e.command[0] & 0x0C == 0 && e.command[1..4] == [0x22, 0x41, 0xA6])
        .unwrap();
    let mut cie = Cie::with_rng(transcript, ChaCha20Rng::from_seed([0x5F; 32])).unwrap();
    cie.read_nis().unwrap();
    let err = cie.open().unwrap_err();
    let t = match &err {
        Error::Transport(t) => t,
        other => panic!("{other:?}"),
    };
    let TransportError::Other(source) = t else {
        panic!("{t:?}")
    };
    let divergence = source.downcast_ref::<TranscriptDivergence>().unwrap();
    assert_eq!(divergence.index, mse);
}
