//! The one-time completion code sent when the 48 hours are over (P3), and the keyed hash that
//! is the only form in which the service keeps it.
//!
//! The code is 8 random decimal digits. The service stores `HMAC-SHA256(secret, procedure id
//! ‖ generation ‖ digits)` with a secret of its own ([`ServiceSecret`]), so a copy of the
//! database alone does not let anyone try the 10^8 codes offline; and a completion needs a
//! fresh proof of card possession as well as the code.

use core::fmt;

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Number of digits of a completion code.
pub const CODE_DIGITS: usize = 8;

/// The service's secret key for hashing completion codes. Zeroized on drop; `Debug` shows
/// nothing of it.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ServiceSecret([u8; 32]);

impl ServiceSecret {
    /// A secret from 32 bytes (kept in the service's key store, not in the recovery database).
    pub fn from_bytes(bytes: [u8; 32]) -> ServiceSecret {
        ServiceSecret(bytes)
    }

    /// A fresh random secret.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> ServiceSecret {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        ServiceSecret(b)
    }

    /// HMAC-SHA256 (RFC 2104) of the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        const BLOCK: usize = 64;
        let mut ipad = Zeroizing::new([0x36u8; BLOCK]);
        let mut opad = Zeroizing::new([0x5cu8; BLOCK]);
        for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(self.0.iter()) {
            *i ^= k;
            *o ^= k;
        }
        let mut inner = Sha256::new();
        inner.update(ipad.as_slice());
        for p in parts {
            inner.update(p);
        }
        let inner_digest: [u8; 32] = inner.finalize().into();
        let mut outer = Sha256::new();
        outer.update(opad.as_slice());
        outer.update(inner_digest);
        outer.finalize().into()
    }
}

impl fmt::Debug for ServiceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceSecret(<redacted>)")
    }
}

/// Why a typed completion code was rejected before any comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompletionCodeError {
    /// Not exactly 8 decimal digits.
    #[error("a completion code is 8 decimal digits")]
    Format,
}

/// A one-time completion code: 8 decimal digits. Zeroized on drop; `Debug` and `Display`
/// show no digit; no `Clone`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct CompletionCode([u8; CODE_DIGITS]);

impl CompletionCode {
    /// Parses the code the holder types (spaces ignored).
    ///
    /// ```
    /// use cie_pinpuk::recovery::CompletionCode;
    /// assert!(CompletionCode::parse("1234 5678").is_ok());
    /// assert!(CompletionCode::parse("1234567").is_err());
    /// assert_eq!(format!("{:?}", CompletionCode::parse("12345678").unwrap()), "CompletionCode(********)");
    /// ```
    pub fn parse(s: &str) -> Result<CompletionCode, CompletionCodeError> {
        let mut out = [0u8; CODE_DIGITS];
        let mut n = 0usize;
        for c in s.bytes().filter(|c| *c != b' ') {
            if !c.is_ascii_digit() {
                out.zeroize();
                return Err(CompletionCodeError::Format);
            }
            match out.get_mut(n) {
                Some(slot) => *slot = c,
                None => {
                    out.zeroize();
                    return Err(CompletionCodeError::Format);
                }
            }
            n = n.saturating_add(1);
        }
        if n != CODE_DIGITS {
            out.zeroize();
            return Err(CompletionCodeError::Format);
        }
        Ok(CompletionCode(out))
    }

    /// A fresh uniform random code (rejection sampling, no modulo bias).
    pub(crate) fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> CompletionCode {
        const SPACE: u32 = 100_000_000;
        // The largest multiple of SPACE that fits in a u32.
        const LIMIT: u32 = (u32::MAX / SPACE) * SPACE;
        let mut value = loop {
            let mut b = [0u8; 4];
            rng.fill_bytes(&mut b);
            let v = u32::from_be_bytes(b);
            b.zeroize();
            if v < LIMIT {
                break v % SPACE;
            }
        };
        let mut out = [b'0'; CODE_DIGITS];
        for slot in out.iter_mut().rev() {
            // `value % 10` is below 10, so the cast cannot truncate.
            *slot = b'0'.saturating_add(u8::try_from(value % 10).unwrap_or(0));
            value /= 10;
        }
        CompletionCode(out)
    }

    /// The digits as ASCII. Hand them only to the notifier.
    pub fn expose_ascii(&self) -> &[u8; CODE_DIGITS] {
        &self.0
    }

    /// The keyed hash under which the service stores this code for `procedure`, generation
    /// `generation`.
    pub(crate) fn keyed_hash(
        &self,
        secret: &ServiceSecret,
        procedure: &[u8; 16],
        generation: u32,
    ) -> [u8; 32] {
        secret.mac(&[
            b"cie-pinpuk-recovery-code-v1",
            procedure,
            &generation.to_be_bytes(),
            &self.0,
        ])
    }

    /// Constant-time comparison of this code's keyed hash with a stored one.
    pub(crate) fn matches(
        &self,
        secret: &ServiceSecret,
        procedure: &[u8; 16],
        generation: u32,
        stored: &[u8; 32],
    ) -> bool {
        bool::from(self.keyed_hash(secret, procedure, generation).ct_eq(stored))
    }
}

impl fmt::Debug for CompletionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CompletionCode(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use rand_chacha::ChaCha20Rng;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn p3_random_codes_are_8_digits_and_spread_over_every_position() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let mut seen = [[false; 10]; CODE_DIGITS];
        for _ in 0..500 {
            let c = CompletionCode::random(&mut rng);
            for (i, d) in c.expose_ascii().iter().enumerate() {
                assert!(d.is_ascii_digit());
                seen[i][usize::from(d - b'0')] = true;
            }
        }
        assert!(seen.iter().all(|pos| pos.iter().all(|x| *x)));
    }

    #[test]
    fn p3_the_keyed_hash_binds_the_procedure_the_generation_and_the_secret() {
        let code = CompletionCode::parse("12345678").unwrap();
        let s = ServiceSecret::from_bytes([1; 32]);
        let h = code.keyed_hash(&s, &[0; 16], 1);
        assert!(code.matches(&s, &[0; 16], 1, &h));
        assert!(!code.matches(&s, &[1; 16], 1, &h));
        assert!(!code.matches(&s, &[0; 16], 2, &h));
        assert!(!code.matches(&ServiceSecret::from_bytes([2; 32]), &[0; 16], 1, &h));
        let other = CompletionCode::parse("12345679").unwrap();
        assert!(!other.matches(&s, &[0; 16], 1, &h));
        assert_eq!(format!("{s:?}"), "ServiceSecret(<redacted>)");
    }

    #[test]
    fn hmac_sha256_rfc4231_case_1() {
        // RFC 4231 test case 1: key = 0x0b * 20, data = "Hi There". Our key is 32 bytes, so
        // pad the RFC key with zeros (HMAC pads short keys with zeros to the block size, so
        // the result is the same).
        let mut key = [0u8; 32];
        key[..20].fill(0x0b);
        let mac = ServiceSecret::from_bytes(key).mac(&[b"Hi ", b"There"]);
        assert_eq!(
            mac,
            [
                0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b,
                0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c,
                0x2e, 0x32, 0xcf, 0xf7
            ]
        );
    }
}
