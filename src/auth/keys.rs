//! Key material: the terminal key pair and CA private exponent the host uses (well-known
//! values by default), the CA public key read from the card, the chip's public keys read
//! from EF 1004 / EF 1005, and the card-side private keys.

use alloc::vec::Vec;
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::error::{AuthError, KeyKind};
use super::num::{self, embedded_hex};
use super::rsa_ops::{RsaPath, RsaPrivate, RsaPublic};

/// The well-known key file, embedded. Provenance: see NOTICE and the file's header.
pub(crate) const TERMINAL_KEY_FILE: &str = include_str!("../../data/keys/cie-terminal-keys.txt");

const WELL_KNOWN_TERMINAL_N: [u8; 256] =
    embedded_hex!(TERMINAL_KEY_FILE, "terminal_modulus_n", 256);
const WELL_KNOWN_TERMINAL_E: [u8; 4] =
    embedded_hex!(TERMINAL_KEY_FILE, "terminal_public_exponent_e", 4);
const WELL_KNOWN_TERMINAL_D: [u8; 256] =
    embedded_hex!(TERMINAL_KEY_FILE, "terminal_private_exponent_d", 256);
const WELL_KNOWN_CA_D: [u8; 256] = embedded_hex!(TERMINAL_KEY_FILE, "ca_private_exponent", 256);

/// The terminal (IFD) DAPP key pair: modulus `n`, public exponent `e` (at most 4 bytes, it is
/// encoded on 4 bytes in the certificate) and private exponent `d`.
///
/// The default ([`TerminalKeys::well_known`]) is the key pair every CIE client embeds
/// (`data/keys/cie-terminal-keys.txt`, see NOTICE). It is public material (checklist K6).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TerminalKeys {
    n: Vec<u8>,
    e: Vec<u8>,
    d: Vec<u8>,
}

impl core::fmt::Debug for TerminalKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TerminalKeys")
            .field("n_len", &self.n.len())
            .finish_non_exhaustive()
    }
}

impl TerminalKeys {
    /// The well-known terminal key pair of the CIE ecosystem.
    ///
    /// ```
    /// let keys = cie_pinpuk::auth::TerminalKeys::well_known();
    /// assert_eq!(keys.modulus().len(), 256);
    /// assert_eq!(keys.public_exponent(), &[0x01, 0x00, 0x01]);
    /// ```
    pub fn well_known() -> Self {
        Self {
            n: WELL_KNOWN_TERMINAL_N.to_vec(),
            e: num::strip_zeros(&WELL_KNOWN_TERMINAL_E).to_vec(),
            d: WELL_KNOWN_TERMINAL_D.to_vec(),
        }
    }

    /// An integrator's own terminal key pair (big-endian bytes).
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`] if `n` is not odd of 512..=2048 bits with its top byte above
    /// `0x6A` (ISO/IEC 9796-2 needs it), `e` is not odd, `1 < e < n`, at most 4 bytes, or
    /// `d` is zero or not below `n`.
    pub fn from_bytes(n: &[u8], e: &[u8], d: &[u8]) -> Result<Self, AuthError> {
        let bad = AuthError::MalformedKey(KeyKind::Terminal);
        let key = RsaPrivate::new(n, e, d, KeyKind::Terminal)?;
        if key.public().e_bytes().len() > 4 || key.public().n_bytes().first() <= Some(&0x6A) {
            return Err(bad);
        }
        Ok(Self {
            n: num::strip_zeros(n).to_vec(),
            e: num::strip_zeros(e).to_vec(),
            d: num::strip_zeros(d).to_vec(),
        })
    }

    /// The modulus (minimal big-endian).
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent (minimal big-endian).
    pub fn public_exponent(&self) -> &[u8] {
        &self.e
    }

    pub(crate) fn private_key(&self) -> Result<RsaPrivate, AuthError> {
        RsaPrivate::new(&self.n, &self.e, &self.d, KeyKind::Terminal)
    }
}

/// The CA private exponent the host signs its terminal certificate with. Its modulus and
/// public exponent are read from the card (SDO 84), see [`CaPublicKey`].
///
/// The default ([`CaPrivateKey::well_known`]) is the well-known exponent of every CIE client.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct CaPrivateKey {
    d: Vec<u8>,
}

impl core::fmt::Debug for CaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CaPrivateKey { .. }")
    }
}

impl CaPrivateKey {
    /// The well-known CA private exponent (`ca_private_exponent` in
    /// `data/keys/cie-terminal-keys.txt`).
    pub fn well_known() -> Self {
        Self {
            d: WELL_KNOWN_CA_D.to_vec(),
        }
    }

    /// An integrator's own exponent (big-endian, at most 2048 bits, not zero).
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`] or [`AuthError::TooLarge`].
    pub fn from_bytes(d: &[u8]) -> Result<Self, AuthError> {
        let digits = num::strip_zeros(d);
        if digits.is_empty() {
            return Err(AuthError::MalformedKey(KeyKind::CaPrivate));
        }
        if digits.len() > num::MAX_BYTES {
            return Err(AuthError::TooLarge);
        }
        Ok(Self { d: digits.to_vec() })
    }

    pub(crate) fn exponent(&self) -> &[u8] {
        &self.d
    }
}

/// The card's CA public key for terminal-certificate verification, as read with GET DATA of
/// SDO 84 (docs/protocol.md §1.5): `81` modulus, `82` exponent, `5F20` CHR, `5F4C` CHA.
#[derive(Clone, Debug)]
pub struct CaPublicKey {
    key: RsaPublic,
    chr: Vec<u8>,
    cha: Vec<u8>,
}

impl CaPublicKey {
    /// Validates the four values.
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`]`(CaPublic)` if the key is not a valid RSA public key of
    /// 512..=2048 bits, the CHR has 4 bytes or fewer (the CAR would be empty) or more than
    /// 127, or the CHA has fewer than 6 or more than 127 bytes; [`AuthError::TooLarge`].
    pub fn new(n: &[u8], e: &[u8], chr: &[u8], cha: &[u8]) -> Result<Self, AuthError> {
        let bad = AuthError::MalformedKey(KeyKind::CaPublic);
        let key = RsaPublic::new(n, e, KeyKind::CaPublic)?;
        if chr.len() <= 4 || chr.len() > 127 || cha.len() < 6 || cha.len() > 127 {
            return Err(bad);
        }
        Ok(Self {
            key,
            chr: chr.to_vec(),
            cha: cha.to_vec(),
        })
    }

    /// The modulus (minimal big-endian).
    pub fn modulus(&self) -> &[u8] {
        self.key.n_bytes()
    }

    /// The public exponent (minimal big-endian).
    pub fn public_exponent(&self) -> &[u8] {
        self.key.e_bytes()
    }

    /// The CHR (`5F20`).
    pub fn chr(&self) -> &[u8] {
        &self.chr
    }

    /// The CHA (`5F4C`).
    pub fn cha(&self) -> &[u8] {
        &self.cha
    }

    /// The certification authority reference: `CHR[4..]`.
    pub fn car(&self) -> &[u8] {
        self.chr.get(4..).unwrap_or(&[])
    }

    /// The CA application identifier: `CHA[0..6]`.
    pub fn aid(&self) -> &[u8] {
        self.cha.get(..6).unwrap_or(&[])
    }

    pub(crate) fn rsa(&self) -> &RsaPublic {
        &self.key
    }

    /// For a card that owns this CA key pair (the virtual CIE): attaches the primes of the
    /// modulus so that certificate verification runs by CRT, with two 1024-bit
    /// exponentiations instead of one 2048-bit one (the emulator's CA exponent `e` is as long
    /// as `n`, because it is derived from the well-known private exponent). The results are
    /// the same.
    ///
    /// # Errors
    /// [`AuthError::KeyMismatch`] if `p · q` is not the modulus.
    pub fn with_factors(mut self, p: &[u8], q: &[u8]) -> Result<Self, AuthError> {
        self.key = self.key.with_factors(p, q).ok_or(AuthError::KeyMismatch)?;
        Ok(self)
    }
}

/// A chip public key read in clear from EF 1004 (DAPP, internal authentication) or EF 1005
/// (servizi), or the terminal's public key recovered from its certificate.
#[derive(Clone, Debug)]
pub struct CardPublicKey {
    key: RsaPublic,
}

impl CardPublicKey {
    /// Parses the file content: DER `SEQUENCE { INTEGER n, INTEGER e }`, possibly followed by
    /// zero bytes up to the end of the file; leading `00` bytes of the integers are stripped
    /// (checklist K3: malformed content is an error before any secret is used).
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`]`(kind)`, or [`AuthError::TooLarge`] above 2048 bits.
    pub fn from_der(content: &[u8], kind: KeyKind) -> Result<Self, AuthError> {
        let bad = AuthError::MalformedKey(kind);
        let (seq, trailer) = num::read_tlv(content, &[0x30]).ok_or(bad)?;
        if trailer.iter().any(|b| *b != 0) {
            return Err(bad);
        }
        let (n, rest) = num::read_tlv(seq, &[0x02]).ok_or(bad)?;
        let (e, rest) = num::read_tlv(rest, &[0x02]).ok_or(bad)?;
        if !rest.is_empty() {
            return Err(bad);
        }
        // DER INTEGERs here must be positive.
        if n.first().is_some_and(|b| b & 0x80 != 0) || e.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(bad);
        }
        Self::from_components(n, e, kind)
    }

    /// A key from its modulus and exponent.
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`]`(kind)` or [`AuthError::TooLarge`].
    pub fn from_components(n: &[u8], e: &[u8], kind: KeyKind) -> Result<Self, AuthError> {
        Ok(Self {
            key: RsaPublic::new(n, e, kind)?,
        })
    }

    /// The DER encoding `SEQUENCE { INTEGER n, INTEGER e }` (the EF 1004/1005 content).
    pub fn to_der(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for value in [self.key.n_bytes(), self.key.e_bytes()] {
            let mut int = Vec::with_capacity(value.len().saturating_add(1));
            if value.first().is_some_and(|b| b & 0x80 != 0) {
                int.push(0);
            }
            int.extend_from_slice(value);
            num::push_tlv(&mut body, &[0x02], &int);
        }
        let mut out = Vec::new();
        num::push_tlv(&mut out, &[0x30], &body);
        out
    }

    /// The modulus (minimal big-endian).
    pub fn modulus(&self) -> &[u8] {
        self.key.n_bytes()
    }

    /// The public exponent (minimal big-endian).
    pub fn public_exponent(&self) -> &[u8] {
        self.key.e_bytes()
    }

    pub(crate) fn from_rsa(key: RsaPublic) -> Self {
        Self { key }
    }

    pub(crate) fn rsa(&self) -> &RsaPublic {
        &self.key
    }
}

/// A card-side RSA private key (the chip DAPP key behind EF 1004, the servizi key behind
/// EF 1005, or the CA key pair of SDO 84), with its primes so that it signs with CRT.
/// Zeroized on drop; `Debug` prints no secret.
#[derive(Debug)]
pub struct CardPrivateKey {
    key: RsaPrivate,
}

impl CardPrivateKey {
    /// A key from `n, e, d, p, q` (big-endian).
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`] or [`AuthError::KeyMismatch`] if the values are not a
    /// consistent RSA key (`n = p·q`, `e·d ≡ 1` modulo `p - 1` and `q - 1`).
    pub fn from_components(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
    ) -> Result<Self, AuthError> {
        Ok(Self {
            key: RsaPrivate::with_primes(n, e, d, p, q, KeyKind::CardPrivate)?,
        })
    }

    /// The public half.
    pub fn public_key(&self) -> CardPublicKey {
        CardPublicKey::from_rsa(self.key.public().clone())
    }

    /// Modulus length in bytes.
    pub fn len(&self) -> usize {
        self.key.public().len()
    }

    /// Always false (a key has a modulus); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.key.public().len() == 0
    }

    pub(crate) fn sign_raw<R: CryptoRng + ?Sized>(
        &self,
        m: &[u8],
        rng: Option<&mut R>,
    ) -> Result<Vec<u8>, AuthError> {
        self.key
            .private_op(m, RsaPath::Crt, rng, KeyKind::CardPrivate)
    }
}
