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
use crate::journal::{Timestamp, to_letters};
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
    /// The holder's language for the message (a language tag such as `it`, `de`, `en`):
    /// a message sent again later is in the same language.
    pub language: String,
    /// Why the last attempt failed, while the record is pending; `None` before the first
    /// attempt and once sent.
    pub failure: Option<DeliveryFailure>,
}

/// Why the last attempt to send a record failed: kept with the pending record (in every
/// store) until a later attempt sends it, and shown to the officer. It holds no digit of a
/// code: the kind names the reason (a text in every language, see its [`Localize`]
/// implementation), the detail is the gateway's own words with every run of four or more
/// digits masked.
///
/// [`Localize`]: crate::i18n::Localize
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeliveryFailure {
    /// What went wrong.
    pub kind: FailureKind,
    /// The cause as the gateway or the issuance system gave it (masked, at most
    /// [`DeliveryFailure::DETAIL_MAX`] characters; empty when there is none). Not translated:
    /// for the officer's technical support.
    pub detail: String,
    /// When the last attempt failed.
    pub at: Timestamp,
    /// How many attempts have failed so far (at least 1).
    pub attempts: u32,
}

/// The reason a sending failed, as [`DeliveryFailure`] keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The mail or SMS gateway refused or failed ([`NotifyError::Gateway`]): retried later.
    ///
    /// [`NotifyError::Gateway`]: super::NotifyError::Gateway
    Gateway,
    /// The destination is a PEC mailbox (R5): never sent there.
    PecDestination,
    /// The message template is missing or does not show the half exactly once.
    Template,
    /// The issuance system did not return the half to send (or could not be reached).
    HalfUnavailable,
    /// Any other refusal of the notifier.
    Other,
}

impl FailureKind {
    /// The stored form: `gateway`, `pec`, `template`, `half-unavailable`, `other` (also the
    /// selector of the Fluent message `outbox-failure`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureKind::Gateway => "gateway",
            FailureKind::PecDestination => "pec",
            FailureKind::Template => "template",
            FailureKind::HalfUnavailable => "half-unavailable",
            FailureKind::Other => "other",
        }
    }

    /// From its stored form.
    #[must_use]
    pub fn parse(s: &str) -> Option<FailureKind> {
        [
            FailureKind::Gateway,
            FailureKind::PecDestination,
            FailureKind::Template,
            FailureKind::HalfUnavailable,
            FailureKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The kind of a notifier's error.
    #[must_use]
    pub fn of(error: &super::NotifyError) -> FailureKind {
        use super::NotifyError as E;
        match error {
            E::Gateway(_) => FailureKind::Gateway,
            E::PecDestination => FailureKind::PecDestination,
            E::Template(_) => FailureKind::Template,
            _ => FailureKind::Other,
        }
    }
}

impl DeliveryFailure {
    /// The longest detail kept, in characters.
    pub const DETAIL_MAX: usize = 200;

    /// `detail` as it is kept: every run of four or more ASCII digits replaced by `#`s (a
    /// half is four digits; an SMTP status such as `550 5.1.1` stays readable), cut to
    /// [`DeliveryFailure::DETAIL_MAX`] characters, control characters as spaces.
    #[must_use]
    pub fn mask_detail(detail: &str) -> String {
        let chars: alloc::vec::Vec<char> = detail.chars().take(Self::DETAIL_MAX).collect();
        let mut out = String::with_capacity(chars.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c.is_ascii_digit() {
                let run = chars
                    .iter()
                    .skip(i)
                    .take_while(|d| d.is_ascii_digit())
                    .count();
                let masked = run >= 4;
                for d in chars.iter().skip(i).take(run) {
                    out.push(if masked { '#' } else { *d });
                }
                i = i.saturating_add(run);
            } else {
                out.push(if c.is_control() { ' ' } else { c });
                i = i.saturating_add(1);
            }
        }
        out
    }

    /// The cause of an error, for [`DeliveryFailure::detail`]: its text and the chain of
    /// its sources (the gateway's or the issuance system's own words), masked.
    #[must_use]
    pub fn detail_of(error: &dyn core::error::Error) -> String {
        let mut text = alloc::format!("{error}");
        let mut source = error.source();
        while let Some(s) = source {
            text.push_str(&alloc::format!(": {s}"));
            source = s.source();
        }
        Self::mask_detail(&text)
    }
}
