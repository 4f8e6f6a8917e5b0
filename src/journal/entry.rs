//! Journal entries: sequence number, time, kind, rule ids, card, detail, previous hash, hash
//! and the officer's signature. The content never holds a digit of a code: the types that
//! build it take no PIN, PUK or half (P-POL2).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::clock::Timestamp;
use super::signer::{OrderSigner, SignerError, verify_signature};
use crate::policy::RuleId;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[non_exhaustive]
pub enum EntryKind {
    /// The engine decided on a request (allowed, partial, deferred or refused).
    Decision,
    /// The issuance system generated the paper consent form (R6).
    ConsentFormGenerated,
    /// The signed paper consent form was acquired (R6, I3).
    ConsentAcquired,
    /// The officer signed a reprint order and the halves were reprinted; the second halves
    /// to send are in the outbox (same transaction).
    ReprintOrdered,
    /// The issuance system failed; nothing was released.
    ReprintFailed,
    /// A pending second half was read again from the issuance system, on a new signed
    /// order, to send it after a failure or a crash.
    RedeliveryOrdered,
    /// The first halves (or paper second halves) were handed to the officer's printer.
    PrintedOnPaper,
    /// A second half was sent by the notifier.
    NotificationSent,
    /// The registered contacts were changed (R7).
    ContactsUpdated,
}

impl EntryKind {
    /// The stable name used in the hashed content and the store.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryKind::Decision => "decision",
            EntryKind::ConsentFormGenerated => "consent-form-generated",
            EntryKind::ConsentAcquired => "consent-acquired",
            EntryKind::ReprintOrdered => "reprint-ordered",
            EntryKind::ReprintFailed => "reprint-failed",
            EntryKind::RedeliveryOrdered => "redelivery-ordered",
            EntryKind::PrintedOnPaper => "printed-on-paper",
            EntryKind::NotificationSent => "notification-sent",
            EntryKind::ContactsUpdated => "contacts-updated",
        }
    }

    /// Parses [`EntryKind::as_str`].
    pub fn parse(s: &str) -> Option<EntryKind> {
        [
            EntryKind::Decision,
            EntryKind::ConsentFormGenerated,
            EntryKind::ConsentAcquired,
            EntryKind::ReprintOrdered,
            EntryKind::ReprintFailed,
            EntryKind::RedeliveryOrdered,
            EntryKind::PrintedOnPaper,
            EntryKind::NotificationSent,
            EntryKind::ContactsUpdated,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One journal entry.
///
/// With the feature `serde`, its JSON form (`docs/json.md`) writes `prev`, `hash` and
/// `signature` as lower-case hex; reading it refuses an entry whose card or detail holds a
/// line break, whose number is 0, or whose `hash` is not the SHA-256 of its content (an
/// altered entry is never built from JSON). The signature needs the key: [`verify`] it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "serde_form::EntryForm")
)]
pub struct Entry {
    /// 1, 2, 3, ... without gaps.
    pub seq: u64,
    /// When.
    pub time: Timestamp,
    /// What.
    pub kind: EntryKind,
    /// The rules applied.
    pub rules: Vec<RuleId>,
    /// The card's number (the serial printed on the CIE).
    pub card: String,
    /// A structured, digit-of-code-free description (`key=value` pairs).
    pub detail: String,
    /// The hash of the previous entry (zeros for the first).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub prev: [u8; 32],
    /// SHA-256 of [`Entry::content`].
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub hash: [u8; 32],
    /// The officer's ECDSA P-256 signature over `hash`.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub signature: [u8; 64],
}

/// Base 16 written with the letters `a` to `p` (nibble 0 is `a`, 15 is `p`). Hashes,
/// signatures and keys in the journal use it so that no run of digits there can come from
/// them: an auditor searching the journal for a code's digits finds only sequence numbers,
/// times, card numbers and addresses.
///
/// ```
/// use cie_pinpuk::journal::{from_letters, to_letters};
/// assert_eq!(to_letters(&[0x00, 0x1f, 0xa5]), "aabpkf");
/// assert_eq!(from_letters::<3>("aabpkf"), Some([0x00, 0x1f, 0xa5]));
/// assert_eq!(from_letters::<1>("a1"), None);
/// ```
pub fn to_letters(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        s.push(char::from(b'a'.saturating_add(b >> 4)));
        s.push(char::from(b'a'.saturating_add(b & 0x0f)));
    }
    s
}

/// Parses [`to_letters`] into exactly `N` bytes.
pub fn from_letters<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != N.checked_mul(2)? {
        return None;
    }
    let nibble = |c: u8| -> Option<u8> {
        if (b'a'..=b'p').contains(&c) {
            c.checked_sub(b'a')
        } else {
            None
        }
    };
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let hi = nibble(*pair.first()?)?;
        let lo = nibble(*pair.get(1)?)?;
        *o = (hi << 4) | lo;
    }
    Some(out)
}

/// Replaces newlines and `|` so a field cannot forge another line of the content.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

impl Entry {
    /// The canonical text that is hashed: one `key=value` per line.
    pub fn content(&self) -> String {
        content(
            self.seq,
            self.time,
            self.kind,
            &self.rules,
            &self.card,
            &self.detail,
            &self.prev,
        )
    }

    /// Builds, hashes and signs the entry that follows `prev` (`None`: the first entry).
    #[allow(clippy::too_many_arguments)]
    pub fn seal(
        prev: Option<(u64, [u8; 32])>,
        time: Timestamp,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &str,
        detail: &str,
        signer: &dyn OrderSigner,
    ) -> Result<Entry, SignerError> {
        let (seq, prev) = match prev {
            Some((s, h)) => (s.saturating_add(1), h),
            None => (1, [0u8; 32]),
        };
        let card = clean(card);
        let detail = clean(detail);
        let text = content(seq, time, kind, &rules, &card, &detail, &prev);
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let signature = signer.sign(&hash)?;
        Ok(Entry {
            seq,
            time,
            kind,
            rules,
            card,
            detail,
            prev,
            hash,
            signature,
        })
    }
}

fn content(
    seq: u64,
    time: Timestamp,
    kind: EntryKind,
    rules: &[RuleId],
    card: &str,
    detail: &str,
    prev: &[u8; 32],
) -> String {
    let mut s = String::with_capacity(detail.len().saturating_add(160));
    let _ = writeln!(s, "cie-pinpuk-journal-v1");
    let _ = writeln!(s, "seq={seq}");
    let _ = writeln!(s, "time={}", time.0);
    let _ = writeln!(s, "kind={}", kind.as_str());
    s.push_str("rules=");
    for (i, r) in rules.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(r.as_str());
    }
    s.push('\n');
    let _ = writeln!(s, "card={}", clean(card));
    let _ = writeln!(s, "detail={}", clean(detail));
    let _ = writeln!(s, "prev={}", to_letters(prev));
    s
}

/// What is wrong with a journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An entry's number is not the one expected (missing, reordered or duplicated entry).
    #[error("entry {found} found where entry {expected} was expected")]
    Sequence {
        /// The number expected.
        expected: u64,
        /// The number found.
        found: u64,
    },
    /// An entry does not point to the hash of the one before it.
    #[error("entry {seq} does not follow the previous entry")]
    Chain {
        /// The entry.
        seq: u64,
    },
    /// An entry's content does not match its hash (edited).
    #[error("entry {seq} was altered")]
    Hash {
        /// The entry.
        seq: u64,
    },
    /// An entry's signature is not valid under the key.
    #[error("entry {seq} has an invalid signature")]
    Signature {
        /// The entry.
        seq: u64,
    },
    /// The journal is shorter than its anchored head.
    #[error("the journal ends before its recorded head")]
    Truncated,
}

/// The last entry of a verified journal: keep it elsewhere (printed, sent to a supervisor)
/// to detect a later truncation with [`verify_with_head`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Head {
    /// The number of entries.
    pub seq: u64,
    /// The hash of the last one.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_hex::array"))]
    pub hash: [u8; 32],
}

/// Verifies the whole chain: numbering from 1 without gaps, each `prev` equal to the hash of
/// the entry before, each hash recomputed from the content, each signature valid under
/// `key`. Returns the head.
pub fn verify(entries: &[Entry], key: &VerifyingKey) -> Result<Head, VerifyError> {
    let mut prev = [0u8; 32];
    let mut expected = 1u64;
    for e in entries {
        if e.seq != expected {
            return Err(VerifyError::Sequence {
                expected,
                found: e.seq,
            });
        }
        if !bool::from(e.prev.ct_eq(&prev)) {
            return Err(VerifyError::Chain { seq: e.seq });
        }
        let hash: [u8; 32] = Sha256::digest(e.content().as_bytes()).into();
        if !bool::from(hash.ct_eq(&e.hash)) {
            return Err(VerifyError::Hash { seq: e.seq });
        }
        if !verify_signature(key, &e.hash, &e.signature) {
            return Err(VerifyError::Signature { seq: e.seq });
        }
        prev = e.hash;
        expected = expected.saturating_add(1);
    }
    Ok(Head {
        seq: expected.saturating_sub(1),
        hash: prev,
    })
}

/// [`verify`], and the journal reaches at least `head` and passes through it.
pub fn verify_with_head(
    entries: &[Entry],
    key: &VerifyingKey,
    head: &Head,
) -> Result<Head, VerifyError> {
    let now = verify(entries, key)?;
    let idx = usize::try_from(head.seq).map_err(|_| VerifyError::Truncated)?;
    if head.seq == 0 {
        return Ok(now);
    }
    match entries.get(idx.saturating_sub(1)) {
        Some(e) if bool::from(e.hash.ct_eq(&head.hash)) => Ok(now),
        Some(e) => Err(VerifyError::Chain { seq: e.seq }),
        None => Err(VerifyError::Truncated),
    }
}

/// The unchecked JSON form of an [`Entry`], checked by `TryFrom` (feature `serde`).
#[cfg(feature = "serde")]
mod serde_form {
    use alloc::string::String;
    use alloc::vec::Vec;

    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;

    use super::{Entry, EntryKind, Timestamp, clean};
    use crate::policy::RuleId;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct EntryForm {
        seq: u64,
        time: Timestamp,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: String,
        detail: String,
        #[serde(with = "crate::serde_hex::array")]
        prev: [u8; 32],
        #[serde(with = "crate::serde_hex::array")]
        hash: [u8; 32],
        #[serde(with = "crate::serde_hex::array")]
        signature: [u8; 64],
    }

    impl TryFrom<EntryForm> for Entry {
        type Error = &'static str;

        fn try_from(f: EntryForm) -> Result<Entry, &'static str> {
            if f.seq == 0 {
                return Err("journal entries are numbered from 1");
            }
            if clean(&f.card) != f.card || clean(&f.detail) != f.detail {
                return Err("a journal entry's card and detail hold no line break");
            }
            let e = Entry {
                seq: f.seq,
                time: f.time,
                kind: f.kind,
                rules: f.rules,
                card: f.card,
                detail: f.detail,
                prev: f.prev,
                hash: f.hash,
                signature: f.signature,
            };
            let hash: [u8; 32] = Sha256::digest(e.content().as_bytes()).into();
            if bool::from(hash.ct_eq(&e.hash)) {
                Ok(e)
            } else {
                Err("the entry's hash is not the SHA-256 of its content")
            }
        }
    }
}
