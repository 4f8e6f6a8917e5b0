//! Key material of the virtual card, held as raw components so that a card state can be
//! saved and loaded.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crypto_bigint::BoxedUint;
use rsa::PrivateKey;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::EmulatorError;

/// An RSA key pair as big-endian components: modulus `n`, public exponent `e`, private
/// exponent `d` and the two primes `p`, `q` (so that the card signs with CRT).
///
/// `Debug` prints the modulus length only; the private parts are zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RsaKeyComponents {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
    pub(crate) d: Vec<u8>,
    pub(crate) p: Vec<u8>,
    pub(crate) q: Vec<u8>,
}

impl fmt::Debug for RsaKeyComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKeyComponents")
            .field("modulus_len", &self.n.len())
            .finish_non_exhaustive()
    }
}

/// Strips leading zero bytes (keeps one byte for zero).
fn trim(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    bytes.get(start..).unwrap_or(&[]).to_vec()
}

impl RsaKeyComponents {
    /// Takes the components as big-endian bytes and checks that they form a usable key
    /// (n = p·q, e·d ≡ 1 mod λ(n), as the `rsa` crate validates).
    pub fn new(n: &[u8], e: &[u8], d: &[u8], p: &[u8], q: &[u8]) -> Result<Self, EmulatorError> {
        let k = RsaKeyComponents {
            n: trim(n),
            e: trim(e),
            d: trim(d),
            p: trim(p),
            q: trim(q),
        };
        k.private_key()?;
        Ok(k)
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian, without leading zeros.
    pub fn public_exponent(&self) -> &[u8] {
        &self.e
    }

    /// A CRT private key for the `rsa` crate.
    pub(crate) fn private_key(&self) -> Result<PrivateKey, EmulatorError> {
        let uint = |b: &[u8]| BoxedUint::from_be_slice_vartime(b);
        PrivateKey::from_components(
            uint(&self.n),
            uint(&self.e),
            uint(&self.d),
            vec![uint(&self.p), uint(&self.q)],
        )
        .or_else(|_| {
            PrivateKey::from_components_with_large_exponent(
                uint(&self.n),
                uint(&self.e),
                uint(&self.d),
                vec![uint(&self.p), uint(&self.q)],
            )
        })
        .map_err(|_| EmulatorError::InvalidKey)
    }
}

/// The value of `name` in a key file: the hex lines after a line `name…:` up to a blank line.
pub(crate) fn hex_field(text: &str, name: &str) -> Option<Vec<u8>> {
    let mut lines = text.lines();
    lines.by_ref().find(|l| {
        let l = l.trim();
        !l.starts_with('#')
            && l.ends_with(':')
            && l.split([' ', ':'])
                .next()
                .is_some_and(|first| first == name)
    })?;
    let mut hex = alloc::string::String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            break;
        }
        hex.push_str(l);
    }
    decode_hex(&hex)
}

/// Decodes an even-length hex string.
pub(crate) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
            b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
            b'A'..=b'F' => Some(c.wrapping_sub(b'A').wrapping_add(10)),
            _ => None,
        }
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(*pair.first()?)? << 4 | digit(*pair.get(1)?)?))
        .collect()
}

/// Encodes bytes as upper-case hex.
pub(crate) fn encode_hex(bytes: &[u8]) -> alloc::string::String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = alloc::string::String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        s.push(char::from(
            HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            HEX.get(usize::from(b & 0x0F)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

/// Reads an RSA key written as `n`, `e`, `d`, `p`, `q` fields with a name prefix.
pub(crate) fn rsa_from_text(text: &str, prefix: &str) -> Option<RsaKeyComponents> {
    let f = |suffix: &str| {
        let mut name = alloc::string::String::from(prefix);
        name.push_str(suffix);
        hex_field(text, &name)
    };
    Some(RsaKeyComponents {
        n: trim(&f("n")?),
        e: trim(&f("e")?),
        d: trim(&f("d")?),
        p: trim(&f("p")?),
        q: trim(&f("q")?),
    })
}

/// The emulator's document-signer key (`data/emulator/ds-key.txt`).
pub(crate) fn document_signer() -> Option<RsaKeyComponents> {
    rsa_from_text(include_str!("../../data/emulator/ds-key.txt"), "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ds_key_parses_and_is_consistent() {
        let ds = document_signer().unwrap();
        assert_eq!(ds.n.len(), 256);
        assert_eq!(ds.e, [1, 0, 1]);
        ds.private_key().unwrap();
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(decode_hex("00FFa1").unwrap(), [0, 0xFF, 0xA1]);
        assert_eq!(encode_hex(&[0, 0xFF, 0xA1]), "00FFA1");
        assert!(decode_hex("0").is_none());
        assert!(decode_hex("zz").is_none());
    }
}
