//! The officer's signature on reprint orders and journal entries: ECDSA P-256 with SHA-256,
//! behind [`OrderSigner`] so that an operator smart card (the Smart Card Operatore of
//! CieOnline) can stand in for the software key.

use alloc::boxed::Box;
use core::fmt;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The signing device refused or failed (card removed, PIN not verified, ...); the
    /// source says why.
    #[error("the signing device failed")]
    Device(#[source] Box<dyn core::error::Error + Send + Sync + 'static>),
}

/// Something that signs for the officer.
pub trait OrderSigner {
    /// An ECDSA P-256 / SHA-256 signature over `message`, as the 64-byte `r || s`.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError>;
    /// The public key that verifies the signatures.
    fn verifying_key(&self) -> VerifyingKey;
}

impl<T: OrderSigner + ?Sized> OrderSigner for &T {
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        (**self).sign(message)
    }
    fn verifying_key(&self) -> VerifyingKey {
        (**self).verifying_key()
    }
}

/// A software P-256 key (deterministic RFC 6979 signatures). The key is zeroized on drop
/// by `p256`; `Debug` shows only the public key.
pub struct SoftwareSigner {
    key: SigningKey,
}

impl SoftwareSigner {
    /// From a 32-byte secret scalar; `None` if it is zero or not below the group order.
    pub fn from_bytes(secret: &[u8; 32]) -> Option<SoftwareSigner> {
        SigningKey::from_slice(secret)
            .ok()
            .map(|key| SoftwareSigner { key })
    }

    /// A fresh random key.
    pub fn random<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> SoftwareSigner {
        loop {
            let mut secret = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill_bytes(secret.as_mut());
            // A uniformly random 32-byte string is a valid scalar except with probability
            // about 2^-32; draw again in that case.
            if let Some(s) = SoftwareSigner::from_bytes(&secret) {
                return s;
            }
        }
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner").finish_non_exhaustive()
    }
}

impl OrderSigner for SoftwareSigner {
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        let sig: Signature = self.key.sign(message);
        let bytes = sig.to_bytes();
        let mut out = [0u8; 64];
        if bytes.len() != out.len() {
            return Err(SignerError::Device(
                "the signature has an unexpected length".into(),
            ));
        }
        out.copy_from_slice(&bytes);
        Ok(out)
    }

    fn verifying_key(&self) -> VerifyingKey {
        *self.key.verifying_key()
    }
}

/// Whether `signature` (64-byte `r || s`) is a valid signature of `message` under `key`.
pub fn verify_signature(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
    match Signature::from_slice(signature) {
        Ok(sig) => key.verify(message, &sig).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn software_signer_signs_and_verifies() {
        let s = SoftwareSigner::from_bytes(&[7u8; 32]).unwrap();
        let sig = s.sign(b"ordine di ristampa").unwrap();
        assert!(verify_signature(
            &s.verifying_key(),
            b"ordine di ristampa",
            &sig
        ));
        assert!(!verify_signature(
            &s.verifying_key(),
            b"ordine di ristampa!",
            &sig
        ));
        assert!(SoftwareSigner::from_bytes(&[0u8; 32]).is_none());
        assert!(!format!("{s:?}").contains('7'));
    }
}
