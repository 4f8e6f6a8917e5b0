//! The device key registered with a recovery request, and the PUK sealed for it.
//!
//! The Ministry's app registers an RSA public key of the device; at release the service
//! encrypts each half of the PUK with RSA-OAEP (SHA-256 for the hash and MGF1), with a label
//! that binds the ciphertext to the procedure and to the half, so a ciphertext cannot be
//! replayed as the other half or for another procedure. The service only encrypts; the
//! device decrypts with its private key.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use crypto_bigint::BoxedUint;
use rand_core::CryptoRng;
use rsa::{Oaep, PublicKey};
use sha2::Sha256;

use crate::codes::{Half, Puk};

/// Smallest accepted device-key modulus, in bits.
pub const DEVICE_KEY_MIN_BITS: usize = 2048;
/// Largest accepted device-key modulus, in bits.
pub const DEVICE_KEY_MAX_BITS: usize = 4096;

/// Why a device key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceKeyError {
    /// The modulus is outside 2048..=4096 bits, even, or the exponent is not a valid odd
    /// public exponent.
    #[error("the device key is not an RSA public key of 2048 to 4096 bits")]
    Invalid,
    /// RSA-OAEP encryption failed.
    #[error("RSA-OAEP encryption for the device key failed")]
    Encrypt,
}

/// An RSA public key of the holder's device (modulus and exponent, big-endian).
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceKey {
    n: Vec<u8>,
    e: Vec<u8>,
    key: PublicKey,
}

fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

impl DeviceKey {
    /// A key from its modulus `n` and public exponent `e` (big-endian, leading zeros
    /// allowed).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<DeviceKey, DeviceKeyError> {
        let n = strip(n);
        let e = strip(e);
        if n.len() > DEVICE_KEY_MAX_BITS / 8 || e.is_empty() || e.len() > 8 {
            return Err(DeviceKeyError::Invalid);
        }
        let bits = u32::try_from(n.len().saturating_mul(8)).map_err(|_| DeviceKeyError::Invalid)?;
        let big_n = BoxedUint::from_be_slice(n, bits).map_err(|_| DeviceKeyError::Invalid)?;
        let big_e = BoxedUint::from_be_slice(e, 64).map_err(|_| DeviceKeyError::Invalid)?;
        let key = PublicKey::new_with_size_limits(
            big_n,
            big_e,
            DEVICE_KEY_MIN_BITS..=DEVICE_KEY_MAX_BITS,
        )
        .map_err(|_| DeviceKeyError::Invalid)?;
        Ok(DeviceKey {
            n: n.to_vec(),
            e: e.to_vec(),
            key,
        })
    }

    /// The modulus (big-endian, no leading zero).
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent (big-endian, no leading zero).
    pub fn public_exponent(&self) -> &[u8] {
        &self.e
    }

    /// The OAEP label for `half` of the PUK released by `procedure`.
    pub fn label(procedure: &str, half: Half) -> Vec<u8> {
        let mut l = Vec::with_capacity(64);
        l.extend_from_slice(b"cie-pinpuk puk-recovery v1 ");
        l.extend_from_slice(procedure.as_bytes());
        l.extend_from_slice(match half {
            Half::First => b" first",
            Half::Second => b" second",
        });
        l
    }

    /// Seals both halves of `puk` for this key, bound to `procedure`.
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        puk: &Puk,
        procedure: &str,
        rng: &mut R,
    ) -> Result<SealedPuk, DeviceKeyError> {
        let first = puk.first_half();
        let second = puk.second_half();
        let enc = |half: Half, digits: &[u8], rng: &mut R| {
            let label: Box<[u8]> = DeviceKey::label(procedure, half).into_boxed_slice();
            self.key
                .encrypt(rng, Oaep::<Sha256>::new_with_label(label), digits)
                .map_err(|_| DeviceKeyError::Encrypt)
        };
        Ok(SealedPuk {
            first: enc(Half::First, first.expose_ascii(), rng)?,
            second: enc(Half::Second, second.expose_ascii(), rng)?,
        })
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceKey")
            .field("bits", &self.n.len().saturating_mul(8))
            .finish_non_exhaustive()
    }
}

/// The two halves of the released PUK, each RSA-OAEP-encrypted for the device key. Only the
/// device can read them.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedPuk {
    /// The first half (digits 1-4), encrypted with the label of [`DeviceKey::label`] for
    /// [`Half::First`].
    pub first: Vec<u8>,
    /// The second half (digits 5-8), encrypted with the label for [`Half::Second`].
    pub second: Vec<u8>,
}

impl fmt::Debug for SealedPuk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedPuk")
            .field("first_len", &self.first.len())
            .field("second_len", &self.second.len())
            .finish()
    }
}
