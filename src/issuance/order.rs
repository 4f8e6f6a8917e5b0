//! The reprint order the officer signs (the Ministry's procedure has the operator sign the
//! request digitally with the operator smart card).

use alloc::string::String;
use core::fmt::Write as _;

use p256::ecdsa::VerifyingKey;

use super::CardNumber;
use crate::journal::{OrderSigner, SignerError, Timestamp, verify_signature};
use crate::policy::HalfSet;

/// What is ordered: which halves of which card, which of the second halves on paper, when,
/// and the journal entry that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReprintOrder {
    /// The card.
    pub card: CardNumber,
    /// The halves to reprint.
    pub halves: HalfSet,
    /// The second halves to print on paper (a subset of `halves`; needs the consent form).
    pub paper_second: HalfSet,
    /// When the order was made.
    pub issued_at: Timestamp,
    /// The sequence number of the journal entry of the decision.
    pub decision_seq: u64,
}

impl ReprintOrder {
    /// The canonical text that is signed (UTF-8).
    pub fn to_signed_text(&self) -> String {
        let mut s = String::with_capacity(128);
        let _ = write!(
            s,
            "cie-pinpuk-reprint-order-v1\ncard={}\nhalves={:x}\npaper_second={:x}\nissued_at={}\ndecision={}\n",
            self.card.as_str(),
            self.halves.bits(),
            self.paper_second.bits(),
            self.issued_at.0,
            self.decision_seq
        );
        s
    }

    /// Signs the order.
    pub fn sign(self, signer: &dyn OrderSigner) -> Result<SignedOrder, SignerError> {
        let signature = signer.sign(self.to_signed_text().as_bytes())?;
        Ok(SignedOrder {
            order: self,
            signature,
        })
    }
}

/// An order with the officer's ECDSA P-256 signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedOrder {
    /// The order.
    pub order: ReprintOrder,
    /// The signature (`r || s`).
    pub signature: [u8; 64],
}

impl SignedOrder {
    /// Whether the signature is valid under `key`.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        verify_signature(key, self.order.to_signed_text().as_bytes(), &self.signature)
    }
}
