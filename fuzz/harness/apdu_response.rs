//! Fuzz body for `apdu_response` (docs/testing.md §6, item 1): response APDU and SW
//! split, status word round trip, command parse/encode round trip, and the GET RESPONSE
//! assembly and command chaining driven by a scripted transport built from the input.
//!
//! Input layout for the scripted part (the whole input is also parsed directly as a
//! response and as a command):
//!
//! ```text
//! byte 0      output capacity: 2 + 4 * byte0
//! byte 1      policy: bit 0 set = return 6Cxx, bits 1..7 = GET RESPONSE rounds (mod 65)
//! byte 2      n: length of the command that follows
//! n bytes     the command APDU sent first
//! then        answers, each `len_hi len_lo` (length mod 1024) followed by the answer bytes;
//!             when the script runs out the card times out
//! ```
//!
//! Shared by `fuzz/fuzz_targets/apdu_response.rs` and `tests/fuzz_apdu_response.rs`.

use std::collections::VecDeque;

use cie_pinpuk::apdu::{
    Command, GetResponsePolicy, MAX_GET_RESPONSE_ROUNDS, Response, StatusWord, WrongLeHandling,
    transmit_chained, transmit_with_get_response,
};
use cie_pinpuk::transport::{CardTransport, TransportError};

struct ScriptedCard {
    answers: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

impl CardTransport for ScriptedCard {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.sent.push(command.to_vec());
        let a = self.answers.pop_front().ok_or(TransportError::Timeout)?;
        let dst = response
            .get_mut(..a.len())
            .ok_or(TransportError::BufferTooSmall { needed: a.len() })?;
        dst.copy_from_slice(&a);
        Ok(a.len())
    }
}

/// Runs every check on one input; panics on a violated invariant.
pub fn run(data: &[u8]) {
    // Response split.
    match Response::parse(data) {
        Ok(r) => {
            assert_eq!(r.data().len() + 2, data.len());
            let mut out = vec![0u8; data.len()];
            assert_eq!(r.write(&mut out), Ok(data.len()));
            assert_eq!(out, data);
        }
        Err(_) => assert!(data.len() < 2),
    }

    // Status word round trip on the first two bytes.
    if let [a, b, ..] = *data {
        let sw = StatusWord::from_bytes(a, b);
        assert_eq!(sw.to_bytes(), [a, b]);
        assert_eq!(StatusWord::from_u16(sw.to_u16()), sw);
        if let StatusWord::Other(v) = sw {
            assert_eq!(v, u16::from_be_bytes([a, b]));
        }
    }

    // Command parse/encode round trip.
    if let Ok(c) = Command::parse(data) {
        let mut out = vec![0u8; data.len()];
        assert_eq!(c.encode(&mut out), Ok(data.len()));
        assert_eq!(out, data);
    }

    scripted(data);
}

fn scripted(data: &[u8]) {
    let [cap_sel, policy_byte, cmd_len, rest @ ..] = data else {
        return;
    };
    let Some((command, mut rest)) = rest.split_at_checked(usize::from(*cmd_len)) else {
        return;
    };
    let mut answers = VecDeque::new();
    while let [hi, lo, tail @ ..] = rest {
        let len = (usize::from(*hi) << 8 | usize::from(*lo)) % 1024;
        let take = len.min(tail.len());
        answers.push_back(tail[..take].to_vec());
        rest = &tail[take..];
    }
    let cap = 2 + 4 * usize::from(*cap_sel);
    let wrong_le = if policy_byte & 1 == 1 {
        WrongLeHandling::Return
    } else {
        WrongLeHandling::Reissue
    };
    let rounds = usize::from(policy_byte >> 1) % (MAX_GET_RESPONSE_ROUNDS + 1);
    let policy = GetResponsePolicy::default()
        .with_wrong_le(wrong_le)
        .with_max_rounds(rounds);

    // GET RESPONSE assembly.
    let mut card = ScriptedCard {
        answers: answers.clone(),
        sent: Vec::new(),
    };
    let mut out = vec![0u8; cap];
    // An error is a typed value (transport, framing, bounds) whose kind depends on the
    // script; only a success has more to check.
    if let Ok(n) = transmit_with_get_response(&mut card, command, &mut out, policy) {
        assert!((2..=cap).contains(&n));
        let r = Response::parse(&out[..n]).expect("at least two bytes");
        if rounds > 0 {
            assert!(!matches!(r.sw(), StatusWord::BytesAvailable(_)));
        }
    }
    if let Some(first) = card.sent.first() {
        assert_eq!(first.as_slice(), command, "the command goes out unchanged");
    }
    if Command::parse(command).is_err() {
        assert!(card.sent.is_empty(), "an invalid command must not be sent");
    }
    assert!(card.sent.len() <= 2 + rounds);
    // Every command after the first (and the 6Cxx re-issue) is a clear GET RESPONSE.
    for s in card.sent.iter().skip(1) {
        let is_get_response = s.len() == 5 && s[..4] == [0x00, 0xC0, 0x00, 0x00];
        let is_reissue = Command::parse(s).is_ok_and(|c| {
            Command::parse(command).is_ok_and(|o| o.header() == c.header() && o.data() == c.data())
        });
        assert!(is_get_response || is_reissue);
    }

    // Plain chaining of the command, if it parses.
    if let Ok(c) = Command::parse(command) {
        let mut card = ScriptedCard {
            answers,
            sent: Vec::new(),
        };
        let mut out = vec![0u8; cap];
        if let Ok(n) = transmit_chained(&mut card, &c, &mut out) {
            assert!(n >= 2 && n <= cap);
        }
        let blocks = c.data().len().div_ceil(255).max(1);
        assert!(card.sent.len() <= blocks);
        let mut joined = Vec::new();
        for (i, s) in card.sent.iter().enumerate() {
            let b = Command::parse(s).expect("blocks are valid commands");
            let last = i + 1 == blocks;
            assert_eq!(b.cla(), if last { c.cla() } else { c.cla() | 0x10 });
            joined.extend_from_slice(b.data());
        }
        if card.sent.len() == blocks {
            assert_eq!(joined, c.data());
        }
    }
}
