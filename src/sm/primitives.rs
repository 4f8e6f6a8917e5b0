//! The raw SM primitives, public for tests, fuzz harnesses and protocol steps outside a
//! channel (e.g. a BAC-style mutual authentication): 3DES-CBC with IV 0 and the retail MAC.
//! They compute; they never accept or skip a check, so they open no path around the
//! channel's verification.

use core::fmt;

use super::crypto::{BLOCK, Keys};
use super::error::SmError;

/// 2-key 3DES (K1, K2, K1) CBC with IV 0 and the ISO/IEC 9797-1 MAC algorithm 3, with key
/// schedules computed once. The schedules are wiped on drop; `Debug` prints nothing of them.
///
/// ```
/// use cie_pinpuk::sm::SmCipher;
/// // ICAO Doc 9303-11 Appendix D.3: M_IFD = MAC(K_mac, E_IFD).
/// let kmac = [0x79, 0x62, 0xD9, 0xEC, 0xE0, 0x3D, 0x1A, 0xCD,
///             0x4C, 0x76, 0x08, 0x9D, 0xCE, 0x13, 0x15, 0x43];
/// let e_ifd = [0x72, 0xC2, 0x9C, 0x23, 0x71, 0xCC, 0x9B, 0xDB, 0x65, 0xB7, 0x79, 0xB8,
///              0xE8, 0xD3, 0x7B, 0x29, 0xEC, 0xC1, 0x54, 0xAA, 0x56, 0xA8, 0x79, 0x9F,
///              0xAE, 0x2F, 0x49, 0x8F, 0x76, 0xED, 0x92, 0xF2];
/// let c = SmCipher::new(&[0; 16], &kmac);
/// assert_eq!(c.retail_mac(&[&e_ifd]), [0x5F, 0x14, 0x48, 0xEE, 0xA8, 0xAD, 0x90, 0xA7]);
/// ```
pub struct SmCipher {
    keys: Keys,
}

impl fmt::Debug for SmCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmCipher { .. }")
    }
}

impl SmCipher {
    /// Computes the key schedules of the encryption key and the two halves of the MAC key.
    pub fn new(ks_enc: &[u8; 16], ks_mac: &[u8; 16]) -> Self {
        Self {
            keys: Keys::new(ks_enc, ks_mac),
        }
    }

    /// Encrypts `buf` in place (3DES-CBC, IV 0). `buf` must already be padded to a multiple
    /// of 8 bytes, else [`SmError::InvalidCommand`] and nothing is changed.
    pub fn cbc_encrypt(&self, buf: &mut [u8]) -> Result<(), SmError> {
        if !buf.len().is_multiple_of(BLOCK) {
            return Err(SmError::InvalidCommand);
        }
        self.keys.cbc_encrypt(buf);
        Ok(())
    }

    /// Decrypts `ct` (3DES-CBC, IV 0) into `out`, which must have the same length, a
    /// multiple of 8; no padding is removed.
    pub fn cbc_decrypt(&self, ct: &[u8], out: &mut [u8]) -> Result<(), SmError> {
        if !ct.len().is_multiple_of(BLOCK) || out.len() != ct.len() {
            return Err(SmError::InvalidCommand);
        }
        self.keys.cbc_decrypt(ct, out);
        Ok(())
    }

    /// The retail MAC of the concatenation of `parts`, after method-2 padding.
    pub fn retail_mac(&self, parts: &[&[u8]]) -> [u8; 8] {
        let mut m = self.keys.mac();
        for p in parts {
            m.update(p);
        }
        m.finalize()
    }
}
