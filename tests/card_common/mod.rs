//! Shared helpers of the card-layer tests (tests/card_*.rs): the codes used, virtual cards
//! with the reference or the small test key material, hosts with fixed seeds, and the
//! checks that no code digit leaks into a string.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cie_pinpuk::auth::{CaPrivateKey, DappHost, Strategy, TerminalKeys};
use cie_pinpuk::card::{Cie, Options};
use cie_pinpuk::codes::{Pin, Puk};
use cie_pinpuk::emulator::{
    CaKeyComponents, DhGroup, RsaKeyComponents, VirtualCie, VirtualCieBuilder,
};
use cie_pinpuk::transport::CardTransport;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// The PIN of every test card. Its digits were chosen so that no 4-digit run of it is a
/// status word, a count or a length that an error message could print.
pub const PIN: &str = "40271953";
/// A wrong PIN (right format).
pub const WRONG_PIN: &str = "40271954";
/// A new PIN that passes the official rules.
pub const NEW_PIN: &str = "58302716";
/// The PUK of every test card.
pub const PUK: &str = "73918462";
/// A wrong PUK (right format).
pub const WRONG_PUK: &str = "73918463";

/// The codes whose digits must never show up in a string (N11, N12, P-PIN7).
pub const SECRETS: [&str; 5] = [PIN, WRONG_PIN, NEW_PIN, PUK, WRONG_PUK];

pub fn pin(s: &str) -> Pin {
    Pin::new(s).unwrap()
}

pub fn puk(s: &str) -> Puk {
    Puk::new(s).unwrap()
}

/// A builder of a card with the test codes and the reference (2048-bit) key material.
pub fn builder() -> VirtualCieBuilder {
    VirtualCie::builder().pin(PIN).puk(PUK)
}

/// A card with the reference key material.
pub fn card() -> VirtualCie {
    builder().build().unwrap()
}

const SMALL_KEYS: &str = include_str!("../data/card/small-keys.txt");

fn small_field(name: &str) -> Vec<u8> {
    let line = SMALL_KEYS
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap();
    hex::decode(line.split_whitespace().nth(1).unwrap()).unwrap()
}

/// The small test DH group (512-bit p, 160-bit q: tests/data/card/gen_small_keys.py).
pub fn small_group() -> DhGroup {
    DhGroup {
        g: small_field("dh_generator_g"),
        p: small_field("dh_prime_p"),
        q: small_field("dh_order_q"),
    }
}

/// A small test RSA key (1024 bits, e = 65537): `chip`, `ca` or `terminal`.
pub fn small_rsa(name: &str) -> RsaKeyComponents {
    let f = |what: &str| small_field(&format!("{name}_{what}"));
    RsaKeyComponents::new(
        &f("modulus_n"),
        &f("public_exponent_e"),
        &f("private_exponent_d"),
        &f("prime_p"),
        &f("prime_q"),
    )
    .unwrap()
}

/// A builder of a card with the small, fast key material (same protocol, same APDUs; the
/// host must be a [`small_host`]).
pub fn small_builder() -> VirtualCieBuilder {
    builder()
        .dh_group(small_group())
        .chip_key(small_rsa("chip"))
        .ca_key(CaKeyComponents {
            key: small_rsa("ca"),
            chr: cie_pinpuk::auth::test_keys::CA_CHR.to_vec(),
            cha: cie_pinpuk::auth::test_keys::CA_CHA.to_vec(),
        })
}

/// The host side of DAPP with the small terminal and CA keys.
pub fn small_dapp() -> DappHost {
    let terminal = TerminalKeys::from_bytes(
        &small_field("terminal_modulus_n"),
        &small_field("terminal_public_exponent_e"),
        &small_field("terminal_private_exponent_d"),
    )
    .unwrap();
    let ca = CaPrivateKey::from_bytes(&small_field("ca_private_exponent_d")).unwrap();
    DappHost::new(terminal, ca, Strategy::Fast).unwrap()
}

/// A host for a [`small_builder`] card, with a fixed seed.
pub fn small_host<T: CardTransport>(transport: T, seed: u8) -> Cie<T, ChaCha20Rng> {
    Cie::with_dapp(transport, ChaCha20Rng::from_seed([seed; 32]), small_dapp())
}

/// A host with a fixed seed.
pub fn host<T: CardTransport>(transport: T, seed: u8) -> Cie<T, ChaCha20Rng> {
    Cie::with_rng(transport, ChaCha20Rng::from_seed([seed; 32])).unwrap()
}

/// A host with a fixed seed and options.
pub fn host_with<T: CardTransport>(transport: T, seed: u8, options: Options) -> Cie<T, ChaCha20Rng> {
    host(transport, seed).with_options(options)
}

/// Every run of 4 consecutive digits of the test codes (a half, or a straddling run).
pub fn secret_runs() -> Vec<String> {
    let mut runs = Vec::new();
    for code in SECRETS {
        for start in 0..=code.len() - 4 {
            runs.push(code[start..start + 4].to_string());
        }
    }
    runs
}

/// Panics if `text` contains a run of 4 digits of any test code (N12, P-PIN7).
pub fn assert_no_secret(text: &str) {
    for run in secret_runs() {
        assert!(
            !text.contains(&run),
            "a run of a code's digits ({run}) leaked into: {text}"
        );
    }
}

/// Whether a byte string contains the ASCII of any test code, whole or by half.
pub fn bytes_hold_secret(bytes: &[u8]) -> bool {
    SECRETS.iter().any(|code| {
        let c = code.as_bytes();
        [&c[..], &c[..4], &c[4..]]
            .iter()
            .any(|needle| bytes.windows(needle.len()).any(|w| w == *needle))
    })
}
