//! Proof of card possession: the service issues a random challenge, the card signs it with
//! its servizi key (PIN-less internal authentication, docs/protocol.md §3.5: RSA-2048, PKCS#1 v1.5
//! type-1 padding of the raw challenge), and the service checks the signature with the
//! card's EF 1005 public key from the register. A challenge is bound to one serial number,
//! expires, and is accepted once.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;

use crate::auth::{CardPublicKey, KeyKind, TerminalKeys, verify_servizi};
use crate::journal::Timestamp;

/// Length of a recovery challenge, in bytes (well below the `k - 11 = 245` bytes that a
/// 2048-bit PKCS#1 v1.5 type-1 block can carry).
pub const CHALLENGE_LEN: usize = 32;

/// A challenge issued by the service for one card.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Challenge([u8; CHALLENGE_LEN]);

impl Challenge {
    /// The challenge bytes, for the card's INTERNAL AUTHENTICATE.
    pub fn as_bytes(&self) -> &[u8; CHALLENGE_LEN] {
        &self.0
    }

    /// A challenge from its bytes (as the client sends it back).
    pub fn from_bytes(bytes: [u8; CHALLENGE_LEN]) -> Challenge {
        Challenge(bytes)
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Challenge(")?;
        for b in self.0.iter().take(4) {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The card's answer to a challenge: the challenge and the servizi signature over it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PossessionProof {
    /// The challenge the service issued.
    pub challenge: Challenge,
    /// The card's servizi signature (256 bytes for RSA-2048).
    pub signature: Vec<u8>,
}

/// Why a proof was not accepted. The holder sees only "card not verified" (P2); the
/// journal keeps which check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProofFailure {
    /// The challenge was never issued, was already used, or was issued for another card.
    UnknownChallenge,
    /// The challenge expired before the answer came.
    Expired,
    /// The signature does not verify with the card's servizi key.
    BadSignature,
}

impl ProofFailure {
    /// A stable name for the journal.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProofFailure::UnknownChallenge => "unknown-challenge",
            ProofFailure::Expired => "challenge-expired",
            ProofFailure::BadSignature => "bad-signature",
        }
    }
}

/// The challenges outstanding, in memory: a restart forgets them, which only makes the
/// holder tap the card again. Bounded: when full, the expired ones are dropped first and
/// then a new challenge is refused.
#[derive(Debug, Default)]
pub(crate) struct ChallengeBook {
    open: BTreeMap<Challenge, (String, Timestamp)>,
    stand_in: Option<CardPublicKey>,
}

/// At most this many challenges are outstanding at once.
pub const MAX_OPEN_CHALLENGES: usize = 4096;

impl ChallengeBook {
    /// Issues a challenge for `serial`, valid until `expires`. `None` when the book is full.
    pub(crate) fn issue<R: CryptoRng + ?Sized>(
        &mut self,
        serial: &str,
        now: Timestamp,
        expires: Timestamp,
        rng: &mut R,
    ) -> Option<Challenge> {
        if self.open.len() >= MAX_OPEN_CHALLENGES {
            self.open.retain(|_, (_, exp)| *exp > now);
        }
        if self.open.len() >= MAX_OPEN_CHALLENGES {
            return None;
        }
        let mut b = [0u8; CHALLENGE_LEN];
        rng.fill_bytes(&mut b);
        let c = Challenge(b);
        self.open.insert(c, (String::from(serial), expires));
        Some(c)
    }

    /// Consumes the proof's challenge (whatever the outcome: a challenge is answered once)
    /// and checks the signature with `key`.
    pub(crate) fn check(
        &mut self,
        serial: &str,
        proof: &PossessionProof,
        key: Option<&CardPublicKey>,
        now: Timestamp,
    ) -> Result<(), ProofFailure> {
        let entry = self.open.get(&proof.challenge).cloned();
        let Some((for_serial, expires)) = entry else {
            return Err(ProofFailure::UnknownChallenge);
        };
        if for_serial != serial {
            // Not consumed: the rightful card may still answer it.
            return Err(ProofFailure::UnknownChallenge);
        }
        self.open.remove(&proof.challenge);
        if now >= expires {
            return Err(ProofFailure::Expired);
        }
        match key {
            Some(key) => verify_servizi(key, proof.challenge.as_bytes(), &proof.signature)
                .map_err(|_| ProofFailure::BadSignature),
            None => {
                // An unregistered serial: the same RSA work against a stand-in 2048-bit key
                // (the public terminal key), so timing does not tell whether the card exists.
                if self.stand_in.is_none() {
                    let terminal = TerminalKeys::well_known();
                    self.stand_in = CardPublicKey::from_components(
                        terminal.modulus(),
                        terminal.public_exponent(),
                        KeyKind::Servizi,
                    )
                    .ok();
                }
                if let Some(stand_in) = &self.stand_in {
                    let _ = verify_servizi(stand_in, proof.challenge.as_bytes(), &proof.signature);
                }
                Err(ProofFailure::BadSignature)
            }
        }
    }
}
