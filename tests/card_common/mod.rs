//! Shared helpers of the card-layer tests (tests/card_*.rs): the codes used, virtual cards
//! with the reference or the small test key material, hosts with fixed seeds, and the
//! checks that no code digit leaks into a string.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::card::{Cie, Options};
use cie_pinpuk::codes::{Pin, Puk};
use cie_pinpuk::emulator::{Docp, VirtualCie, VirtualCieBuilder};
use cie_pinpuk::transport::{CardTransport, Spy};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::cell::RefCell;
use std::rc::Rc;

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
///
/// The card answers no DOCP GET DATA, so that the host reads the counters with the empty
/// VERIFY, whose answers (`9000` verified, `6983` blocked) these tests check; the DOCP
/// source and the choice between the two are tested in `card_counters.rs`.
pub fn builder() -> VirtualCieBuilder {
    VirtualCie::builder().pin(PIN).puk(PUK).docp(Docp::Absent)
}

/// A card with the reference key material.
pub fn card() -> VirtualCie {
    builder().build().unwrap()
}

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/harness/small_keys.rs"]
mod small_keys;

pub use small_keys::{small_dapp, with_small_keys};

/// A builder of a card with the small, fast key material (same protocol, same APDUs; the
/// host must be a [`small_host`]).
pub fn small_builder() -> VirtualCieBuilder {
    with_small_keys(builder())
}

/// A host for a [`small_builder`] card, with a fixed seed.
pub fn small_host<T: CardTransport>(transport: T, seed: u8) -> Cie<T, ChaCha20Rng> {
    Cie::with_dapp(transport, ChaCha20Rng::from_seed([seed; 32]), small_dapp())
        .with_dh_group_policy(cie_pinpuk::auth::DhGroupPolicy::TEST_ONLY_SMALL_GROUPS)
}

/// A host with a fixed seed.
pub fn host<T: CardTransport>(transport: T, seed: u8) -> Cie<T, ChaCha20Rng> {
    Cie::with_rng(transport, ChaCha20Rng::from_seed([seed; 32])).unwrap()
}

/// A host with a fixed seed and options.
pub fn host_with<T: CardTransport>(
    transport: T,
    seed: u8,
    options: Options,
) -> Cie<T, ChaCha20Rng> {
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
    assert_no_secret_run(text, 4);
}

/// Panics if `text` contains a run of `len` digits of any test code. Randomised tests use
/// 6: a status word chosen or garbled by a fault prints as up to 5 decimal digits
/// (`Other(27301)`), which could match a 4-digit half by chance.
pub fn assert_no_secret_run(text: &str, len: usize) {
    for code in SECRETS {
        for start in 0..=code.len() - len {
            let run = &code[start..start + len];
            assert!(
                !text.contains(run),
                "a run of a code's digits ({run}) leaked into: {text}"
            );
        }
    }
}

/// Whether a byte string contains the ASCII of any test code, whole or by half. (For
/// deterministic runs: a 4-byte half matches random ciphertext with probability 2^-32 per
/// position; randomised tests use [`bytes_hold_whole_code`].)
pub fn bytes_hold_secret(bytes: &[u8]) -> bool {
    SECRETS.iter().any(|code| {
        let c = code.as_bytes();
        [c, &c[..4], &c[4..]]
            .iter()
            .any(|needle| bytes.windows(needle.len()).any(|w| w == *needle))
    })
}

/// A transport shared between the host and the test, so that the test can look at the wire
/// and at the card while a session (which borrows the host) is open.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<RefCell<T>>);

impl<T: CardTransport> CardTransport for Shared<T> {
    fn transmit(
        &mut self,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<usize, cie_pinpuk::transport::TransportError> {
        self.0.borrow_mut().transmit(command, response)
    }
}

/// The wire of a [`rig`]: a spy over the virtual card.
pub type Wire = Rc<RefCell<Spy<VirtualCie>>>;
/// The host of a [`rig`].
pub type Host = Cie<Shared<Spy<VirtualCie>>, ChaCha20Rng>;

/// A card behind a spy and a host on it: the small key material when `small`, else the
/// reference one.
pub fn rig(builder: VirtualCieBuilder, small: bool) -> (Wire, Host) {
    let builder = if small {
        with_small_keys(builder)
    } else {
        builder
    };
    let wire = Rc::new(RefCell::new(Spy::new(builder.build().unwrap())));
    let transport = Shared(Rc::clone(&wire));
    let cie = if small {
        small_host(transport, 1)
    } else {
        host(transport, 1)
    };
    (wire, cie)
}

/// How many commands went over the wire.
pub fn sent(wire: &Wire) -> usize {
    wire.borrow().count()
}

/// The commands sent so far.
pub fn commands(wire: &Wire) -> Vec<Vec<u8>> {
    wire.borrow().commands().map(<[u8]>::to_vec).collect()
}

/// The card's (PIN, PUK) tries left.
pub fn tries(wire: &Wire) -> (u8, u8) {
    let w = wire.borrow();
    (w.inner().pin_tries_left(), w.inner().puk_tries_left())
}

/// Whether a command (plain or SM-wrapped) is VERIFY, CHANGE REFERENCE DATA or RESET
/// RETRY COUNTER.
pub fn is_pin_command(cmd: &[u8]) -> bool {
    matches!(cmd.get(1), Some(0x20 | 0x24 | 0x2C))
}

/// Whether a PIN command carries data (a code): under SM its first DO is `87`; in clear it
/// has an Lc. The empty VERIFY of the status query carries none.
pub fn carries_code(cmd: &[u8]) -> bool {
    if !is_pin_command(cmd) {
        return false;
    }
    if cmd[0] & 0x0C == 0x0C {
        cmd.get(5) == Some(&0x87)
    } else {
        cmd.len() > 5
    }
}

/// The commands of `cmds` that carry a code, with the instruction byte and P2.
pub fn code_commands(cmds: &[Vec<u8>]) -> Vec<(u8, u8)> {
    cmds.iter()
        .filter(|c| carries_code(c))
        .map(|c| (c[1], c[3]))
        .collect()
}

/// Whether some response holds DO'99' with this status word (SM responses carry the card's
/// status word in clear inside DO'99').
pub fn responded_do99(wire: &Wire, sw: u16) -> bool {
    let [a, b] = sw.to_be_bytes();
    wire.borrow()
        .response_contains_subsequence(&[0x99, 0x02, a, b])
}

/// Whether a byte string contains the ASCII of a whole test code (8 bytes).
pub fn bytes_hold_whole_code(bytes: &[u8]) -> bool {
    SECRETS
        .iter()
        .any(|code| bytes.windows(8).any(|w| w == code.as_bytes()))
}
