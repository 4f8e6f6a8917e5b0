//! The PIN-less "servizi" internal authentication (docs/protocol.md §3.5): an RSA signature with
//! PKCS#1 v1.5 type-1 padding of the raw challenge (no DigestInfo), made by the card with
//! the key behind EF 1005. Deterministic: the same challenge always gives the same answer,
//! which the official middleware relies on (section 8.3).

use alloc::vec::Vec;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use super::error::AuthError;
use super::keys::{CardPrivateKey, CardPublicKey};

/// `00 01 FF…FF 00 ‖ challenge` on `k` bytes, at least 8 `FF` bytes.
fn encode(challenge: &[u8], k: usize) -> Result<Vec<u8>, AuthError> {
    let ps_len = k
        .checked_sub(challenge.len())
        .and_then(|r| r.checked_sub(3))
        .filter(|l| *l >= 8)
        .ok_or(AuthError::InvalidLength)?;
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.extend(core::iter::repeat_n(0xFFu8, ps_len));
    em.push(0x00);
    em.extend_from_slice(challenge);
    Ok(em)
}

/// Card side: the servizi signature of `challenge`. The RNG only blinds the RSA operation;
/// the signature itself is deterministic.
///
/// # Errors
/// [`AuthError::InvalidLength`] if the challenge is longer than `k - 11` bytes.
pub fn sign_servizi<R: CryptoRng + ?Sized>(
    key: &CardPrivateKey,
    challenge: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, AuthError> {
    let em = encode(challenge, key.len())?;
    key.sign_raw(&em, Some(rng))
}

/// Host side: checks a servizi signature with the EF 1005 key.
///
/// # Errors
/// [`AuthError::ServiziSignatureInvalid`].
pub fn verify_servizi(
    key: &CardPublicKey,
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AuthError> {
    let fail = AuthError::ServiziSignatureInvalid;
    let expected = encode(challenge, key.rsa().len()).map_err(|_| fail)?;
    let em = key.rsa().public_op(signature).ok_or(fail)?;
    if bool::from(em.ct_eq(&expected)) {
        Ok(())
    } else {
        Err(fail)
    }
}
