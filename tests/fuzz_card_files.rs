//! Replays the committed corpus of the `card_files` fuzz target through its harness on stable
//! Rust, and regenerates the corpus from the virtual card's files (`-- --ignored regenerate`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unreachable_pub)]
#[path = "../fuzz/harness/card_files.rs"]
mod harness;

#[allow(dead_code)]
mod fuzz_corpus;

use cie_pinpuk::CardTransport;
use cie_pinpuk::emulator::VirtualCie;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/card_files");

#[test]
fn fuzz_card_files_corpus_replays() {
    fuzz_corpus::replay("card_files", 8, harness::run);
}

/// Random bytes behind every selector: no panic.
#[test]
fn fuzz_card_files_random_inputs() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..2000 {
        let len = (state % 300) as usize;
        let mut input = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(state as u8);
        }
        harness::run(&input);
    }
}

/// Reads a file of the virtual card in clear (select the CIE DF, then the EF, then READ BINARY
/// until the end), as the card answers it.
fn read(card: &mut VirtualCie, fid: [u8; 2]) -> Vec<u8> {
    let mut out = [0u8; 300];
    let mut send = |apdu: &[u8], out: &mut [u8]| card.transmit(apdu, out).unwrap();
    send(
        &[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0, 0x39],
        &mut out,
    );
    send(&[0x00, 0xA4, 0x02, 0x04, 0x02, fid[0], fid[1]], &mut out);
    let mut content = Vec::new();
    loop {
        let [hi, lo] = u16::try_from(content.len()).unwrap().to_be_bytes();
        let n = send(&[0x00, 0xB0, hi, lo, 0x80], &mut out);
        content.extend_from_slice(&out[..n - 2]);
        if out[n - 2..n] != [0x90, 0x00] || n == 2 {
            return content;
        }
    }
}

#[test]
#[ignore = "writes the seed corpus: run once with -- --ignored regenerate"]
fn regenerate() {
    let mut card = VirtualCie::builder().build().unwrap();
    let seeds: [(&str, u8, [u8; 2]); 5] = [
        ("nis_ef1001", 0, [0x10, 0x01]),
        ("chip_key_ef1004", 2, [0x10, 0x04]),
        ("servizi_key_ef1005", 2, [0x10, 0x05]),
        ("sod_ef1006", 3, [0x10, 0x06]),
        ("nis_as_key", 2, [0x10, 0x01]),
    ];
    for (name, selector, fid) in seeds {
        let mut bytes = vec![selector];
        bytes.extend(read(&mut card, fid));
        std::fs::write(format!("{DIR}/{name}"), bytes).unwrap();
    }
    let extra: [(&str, &[u8]); 5] = [
        ("serial", b"\x01CA00000AA\x00\x00"),
        ("serial_short", b"\x01CA0000"),
        ("nis_letters", b"\x0012345678901X"),
        ("key_truncated", b"\x02\x30\x82\x01\x0A\x02\x82\x01\x01\x00"),
        ("empty_sod", b"\x03"),
    ];
    for (name, bytes) in extra {
        std::fs::write(format!("{DIR}/{name}"), bytes).unwrap();
    }
}
