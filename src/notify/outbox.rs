//! The outbox of second-half notifications. A record names what to send (card, code, half,
//! destination) and never holds the digits: on dispatch the desk reads the half from the
//! issuance system again (a reprint returns the same codes), so nothing secret rests on disk.
//! A record is written in the same transaction as the journal entry of its reprint order and
//! marked sent in the same transaction as the journal entry of its sending; the notifier
//! deduplicates by the idempotency key, so a crash between sending and marking neither loses
//! nor duplicates a message.

use alloc::string::String;

use sha2::{Digest, Sha256};

use crate::codes::{CodeKind, Half};
use crate::journal::to_letters;
use crate::policy::EmailAddress;

/// A stable key for one notification: a SHA-256 over what identifies it, written with
/// [`crate::journal::to_letters`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key of the notification of `half` of `code` of `card`, ordered by the journal entry
    /// `order_seq`, to `to`.
    pub fn derive(
        card: &str,
        order_seq: u64,
        code: CodeKind,
        half: Half,
        to: &EmailAddress,
    ) -> IdempotencyKey {
        let mut h = Sha256::new();
        h.update(b"cie-pinpuk-outbox-v1\n");
        h.update(card.as_bytes());
        h.update(b"\n");
        h.update(order_seq.to_be_bytes());
        h.update([code_byte(code), half_byte(half)]);
        h.update(to.as_str().as_bytes());
        let digest: [u8; 32] = h.finalize().into();
        IdempotencyKey(to_letters(&digest))
    }

    /// From its stored text.
    pub fn from_stored(s: &str) -> IdempotencyKey {
        IdempotencyKey(String::from(s))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) const fn code_byte(c: CodeKind) -> u8 {
    match c {
        CodeKind::Pin => b'P',
        CodeKind::Puk => b'K',
    }
}

pub(crate) const fn half_byte(h: Half) -> u8 {
    match h {
        Half::First => b'1',
        Half::Second => b'2',
    }
}

/// Whether a record was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutboxState {
    /// Written, not yet confirmed sent.
    Pending,
    /// Sent and marked.
    Sent,
}

/// One notification to send.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutboxRecord {
    /// The idempotency key.
    pub key: IdempotencyKey,
    /// The card number.
    pub card: String,
    /// The code.
    pub code: CodeKind,
    /// The half (always the second in practice).
    pub half: Half,
    /// The destination.
    pub to: EmailAddress,
    /// Whether it was sent.
    pub state: OutboxState,
}
