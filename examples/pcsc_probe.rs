//! Probe PC/SC readers with cie-pinpuk's transport: list readers, wait for a card, print its
//! ATR, send APDUs inside one transaction.
//!
//! ```text
//! cargo run --features pcsc --example pcsc_probe -- readers
//! cargo run --features pcsc --example pcsc_probe -- [--reader NAME] [--wait SECS] [APDU-HEX ...]
//! ```
//! `--reader` takes an exact reader name or a part of one; without it the first reader with
//! a card is used. With the project's private stack:
//! `scripts/pcsc-stack exec -- cargo run --features pcsc --example pcsc_probe -- readers`.
#![allow(clippy::print_stdout, clippy::arithmetic_side_effects)]

use cie_pinpuk::transport::CardTransport;
use cie_pinpuk::transport::pcsc::{OnClose, PcscTransport, ReaderSelector, list_readers};
use std::process::ExitCode;
use std::time::Duration;

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !matches!(b, b' ' | b':')).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut selector = ReaderSelector::FirstWithCard;
    let mut wait = Duration::from_secs(0);
    let mut apdus = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "readers" => {
                for r in list_readers()? {
                    let card = if r.card_present {
                        hex(&r.atr)
                    } else {
                        "no card".into()
                    };
                    println!("{}\t{}", r.name, card);
                }
                return Ok(());
            }
            "--reader" => {
                selector = ReaderSelector::Named(args.next().ok_or("--reader needs a name")?);
            }
            "--wait" => {
                let secs: u64 = args.next().ok_or("--wait needs seconds")?.parse()?;
                wait = Duration::from_secs(secs);
            }
            other => apdus.push(parse_hex(other).ok_or("APDUs are hex strings")?),
        }
    }
    let mut card = if wait.is_zero() {
        PcscTransport::connect(&selector)?
    } else {
        PcscTransport::wait_for_card(&selector, wait)?
    }
    .on_close(OnClose::LeaveCard);
    println!("reader: {}", card.reader_name());
    println!("ATR:    {}", hex(card.atr()));
    println!("T=1:    {}", card.is_t1());
    if !apdus.is_empty() {
        let mut tx = card.transaction()?;
        let mut buf = vec![0u8; 65_538];
        for apdu in &apdus {
            let n = tx.transmit(apdu, &mut buf)?;
            println!(
                "> {}\n< {}",
                hex(apdu),
                hex(buf.get(..n).unwrap_or_default())
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pcsc_probe: {e}");
            ExitCode::FAILURE
        }
    }
}
