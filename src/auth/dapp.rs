//! DAPP mutual authentication (docs/protocol.md §3.2-3.3), both roles: the host's external
//! authentication and its check of the chip's internal authentication; the card's check of
//! the external authentication and its internal-authentication signature; challenges and the
//! SSC after DAPP.

use alloc::vec::Vec;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::cert::{self, OVERHEAD, SN_IFD, TerminalCertificate, TerminalPublicKey};
use super::dh::{DhParams, ExponentWidth};
use super::error::{AuthError, KeyKind};
use super::keys::{CaPrivateKey, CaPublicKey, CardPrivateKey, CardPublicKey, TerminalKeys};
use super::rsa_ops::{NoBlinding, RsaPath, RsaPrivate};

/// The DH values both DAPP signatures bind, as exchanged on the wire: the host's `Y_IFD`
/// (`len(p)` bytes), the card's `Y_ICC` and `g`, `p`, `q` exactly as the card returned them.
#[derive(Clone, Copy, Debug)]
pub struct DhTranscript<'a> {
    params: &'a DhParams,
    y_ifd: &'a [u8],
    y_icc: &'a [u8],
}

impl<'a> DhTranscript<'a> {
    /// Groups the values.
    pub fn new(params: &'a DhParams, y_ifd: &'a [u8], y_icc: &'a [u8]) -> Self {
        Self {
            params,
            y_ifd,
            y_icc,
        }
    }

    /// `SHA-256(PRND ‖ Y_IFD ‖ SN.IFD ‖ RND.ICC ‖ Y_ICC ‖ g ‖ p ‖ q)`.
    fn external_hash(&self, prnd: &[u8], sn_ifd: &[u8], rnd_icc: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [prnd, self.y_ifd, sn_ifd, rnd_icc, self.y_icc] {
            h.update(part);
        }
        self.finish(h)
    }

    /// `SHA-256(PRND2 ‖ Y_ICC ‖ SN.ICC ‖ RND.IFD ‖ Y_IFD ‖ g ‖ p ‖ q)`.
    fn internal_hash(&self, prnd: &[u8], sn_icc: &[u8], rnd_ifd: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [prnd, self.y_icc, sn_icc, rnd_ifd, self.y_ifd] {
            h.update(part);
        }
        self.finish(h)
    }

    fn finish(&self, mut h: Sha256) -> [u8; 32] {
        h.update(self.params.g());
        h.update(self.params.p());
        h.update(self.params.q());
        h.finalize().into()
    }
}

/// Speed strategy of the host side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Every session: build and sign the certificate again, RSA private operations as
    /// full-width `m^d mod n`, DH over full-width exponents. Kept as the baseline.
    Straightforward,
    /// Certificate cached per CA key (built once per CA key), terminal key factored once so
    /// the per-session RSA signature uses CRT, DH exponentiations over `bits(q)` only.
    #[default]
    Fast,
}

impl Strategy {
    /// The DH exponent width this strategy uses.
    pub fn exponent_width(self) -> ExponentWidth {
        match self {
            Self::Straightforward => ExponentWidth::Full,
            Self::Fast => ExponentWidth::OrderBits,
        }
    }

    fn rsa_path(self) -> RsaPath {
        match self {
            Self::Straightforward => RsaPath::Plain,
            Self::Fast => RsaPath::Crt,
        }
    }
}

/// Terminal certificates already built, keyed by the CA key they were built for
/// (modulus, exponent, CHR, CHA). The certificate depends only on that key and on the
/// terminal key, which is fixed for a [`DappHost`].
#[derive(Debug, Default, Clone)]
pub struct CertificateCache {
    entries: Vec<CacheEntry>,
}

#[derive(Debug, Clone)]
struct CacheEntry {
    n: Vec<u8>,
    e: Vec<u8>,
    chr: Vec<u8>,
    cha: Vec<u8>,
    certificate: TerminalCertificate,
}

impl CacheEntry {
    fn matches(&self, ca: &CaPublicKey) -> bool {
        self.n == ca.modulus()
            && self.e == ca.public_exponent()
            && self.chr == ca.chr()
            && self.cha == ca.cha()
    }
}

impl CertificateCache {
    /// At most this many CA keys are remembered (the oldest is dropped).
    pub const CAPACITY: usize = 8;

    /// The cached certificate for this CA key, if any.
    pub fn get(&self, ca: &CaPublicKey) -> Option<&TerminalCertificate> {
        self.entries
            .iter()
            .find(|e| e.matches(ca))
            .map(|e| &e.certificate)
    }

    /// Number of cached certificates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, ca: &CaPublicKey, certificate: TerminalCertificate) {
        if self.entries.len() >= Self::CAPACITY && !self.entries.is_empty() {
            self.entries.remove(0);
        }
        self.entries.push(CacheEntry {
            n: ca.modulus().to_vec(),
            e: ca.public_exponent().to_vec(),
            chr: ca.chr().to_vec(),
            cha: ca.cha().to_vec(),
            certificate,
        });
    }
}

/// The host (terminal) side of DAPP with its precomputed state: the terminal key (factored
/// once for CRT under [`Strategy::Fast`]), the CA private exponent and the certificate cache.
#[derive(Debug, Clone)]
pub struct DappHost {
    terminal_keys: TerminalKeys,
    terminal: RsaPrivate,
    ca_private: CaPrivateKey,
    strategy: Strategy,
    cache: CertificateCache,
}

impl DappHost {
    /// A host with the given keys. Under [`Strategy::Fast`] the terminal modulus is factored
    /// here, once.
    ///
    /// # Errors
    /// [`AuthError::MalformedKey`] or [`AuthError::KeyMismatch`] if the terminal key pair is
    /// inconsistent.
    pub fn new(
        terminal: TerminalKeys,
        ca_private: CaPrivateKey,
        strategy: Strategy,
    ) -> Result<Self, AuthError> {
        let mut key = terminal.private_key()?;
        if strategy == Strategy::Fast {
            key.precompute()?;
        }
        Ok(Self {
            terminal_keys: terminal,
            terminal: key,
            ca_private,
            strategy,
            cache: CertificateCache::default(),
        })
    }

    /// A host with the well-known terminal key pair and CA exponent.
    ///
    /// # Errors
    /// As [`DappHost::new`] (not expected: the embedded keys are checked by tests).
    pub fn well_known(strategy: Strategy) -> Result<Self, AuthError> {
        Self::new(
            TerminalKeys::well_known(),
            CaPrivateKey::well_known(),
            strategy,
        )
    }

    /// The strategy in use.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The certificate cache.
    pub fn cache(&self) -> &CertificateCache {
        &self.cache
    }

    /// The terminal certificate for the card's CA key: from the cache under
    /// [`Strategy::Fast`], built (and re-checked) otherwise.
    ///
    /// # Errors
    /// As [`TerminalCertificate::build`].
    pub fn certificate(&mut self, ca: &CaPublicKey) -> Result<TerminalCertificate, AuthError> {
        if let Some(hit) = self
            .cache
            .get(ca)
            .filter(|_| self.strategy == Strategy::Fast)
        {
            return Ok(hit.clone());
        }
        // The CA signature is made once per CA key and then cached: factoring the CA modulus
        // for CRT would cost more than the one full-width signature it speeds up (measured:
        // benches/auth.rs), so both strategies sign it with the plain path.
        let ca_key = cert::ca_signing_key(ca, &self.ca_private)?;
        let built =
            TerminalCertificate::build_with(ca, &ca_key, &self.terminal_keys, RsaPath::Plain)?;
        if self.strategy == Strategy::Fast {
            self.cache.insert(ca, built.clone());
        }
        Ok(built)
    }

    /// EXTERNAL AUTHENTICATE data `SN.IFD ‖ SIG_IFD` for the card's challenge.
    ///
    /// # Errors
    /// [`AuthError::ChallengeLength`] if `rnd_icc` is not 8 bytes.
    pub fn external_auth_data<R: CryptoRng + ?Sized>(
        &self,
        rnd_icc: &[u8],
        transcript: &DhTranscript<'_>,
        rng: &mut R,
    ) -> Result<Vec<u8>, AuthError> {
        sign_external(
            &self.terminal,
            self.strategy.rsa_path(),
            rnd_icc,
            transcript,
            rng,
        )
    }
}

fn sign_external<R: CryptoRng + ?Sized>(
    key: &RsaPrivate,
    path: RsaPath,
    rnd_icc: &[u8],
    transcript: &DhTranscript<'_>,
    rng: &mut R,
) -> Result<Vec<u8>, AuthError> {
    if rnd_icc.len() != 8 {
        return Err(AuthError::ChallengeLength);
    }
    let k = key.public().len();
    let prnd_len = k
        .checked_sub(OVERHEAD)
        .ok_or(AuthError::MalformedKey(KeyKind::Terminal))?;
    let mut prnd = alloc::vec![0u8; prnd_len];
    rng.fill_bytes(&mut prnd);
    let h = transcript.external_hash(&prnd, &SN_IFD, rnd_icc);
    let m = cert::iso9796_message(&prnd, &h);
    let sig = key.private_op(&m, path, None::<&mut NoBlinding>, KeyKind::Terminal)?;
    let mut out = Vec::with_capacity(SN_IFD.len().saturating_add(sig.len()));
    out.extend_from_slice(&SN_IFD);
    out.extend_from_slice(&sig);
    Ok(out)
}

/// EXTERNAL AUTHENTICATE data `SN.IFD ‖ SIG_IFD`, the straightforward way (no
/// precomputation: use [`DappHost`] for the fast path).
///
/// # Errors
/// [`AuthError::ChallengeLength`]; [`AuthError::MalformedKey`] for a bad terminal key.
pub fn external_auth_data<R: CryptoRng + ?Sized>(
    terminal: &TerminalKeys,
    rnd_icc: &[u8],
    transcript: &DhTranscript<'_>,
    rng: &mut R,
) -> Result<Vec<u8>, AuthError> {
    let key = terminal.private_key()?;
    sign_external(&key, RsaPath::Plain, rnd_icc, transcript, rng)
}

/// Host side: checks the INTERNAL AUTHENTICATE answer `SN.ICC ‖ SIG_ICC` with the chip key of
/// EF 1004 and returns `SN.ICC`. Requires `SIG^e mod n = 6A ‖ PRND2 ‖ h ‖ BC` with
/// `h = SHA-256(PRND2 ‖ Y_ICC ‖ SN.ICC ‖ RND.IFD ‖ Y_IFD ‖ g ‖ p ‖ q)`.
///
/// # Errors
/// [`AuthError::InternalAuthenticationFailed`] for every defect (checklist K4).
pub fn verify_internal_auth(
    chip: &CardPublicKey,
    response: &[u8],
    rnd_ifd: &[u8; 8],
    transcript: &DhTranscript<'_>,
) -> Result<[u8; 8], AuthError> {
    let fail = AuthError::InternalAuthenticationFailed;
    let (sn_icc, sig) = response.split_first_chunk::<8>().ok_or(fail)?;
    let m = chip.rsa().public_op(sig).ok_or(fail)?;
    let (prnd, h) = cert::iso9796_open(&m).ok_or(fail)?;
    let expected = transcript.internal_hash(prnd, sn_icc, rnd_ifd);
    if !bool::from(expected.as_slice().ct_eq(h)) {
        return Err(fail);
    }
    Ok(*sn_icc)
}

/// Card side: checks EXTERNAL AUTHENTICATE data `SN.IFD ‖ SIG_IFD` against the terminal key
/// from the verified certificate and the card's own challenge. `SN.IFD` must be the
/// certificate's serial (`CHR[4..]`).
///
/// # Errors
/// [`AuthError::ExternalAuthenticationFailed`].
pub fn verify_external_auth(
    terminal: &TerminalPublicKey,
    data: &[u8],
    rnd_icc: &[u8; 8],
    transcript: &DhTranscript<'_>,
) -> Result<(), AuthError> {
    let fail = AuthError::ExternalAuthenticationFailed;
    let (sn_ifd, sig) = data.split_first_chunk::<8>().ok_or(fail)?;
    if sn_ifd.as_slice() != terminal.serial() {
        return Err(fail);
    }
    let m = terminal.rsa().public_op(sig).ok_or(fail)?;
    let (prnd, h) = cert::iso9796_open(&m).ok_or(fail)?;
    let expected = transcript.external_hash(prnd, sn_ifd, rnd_icc);
    if !bool::from(expected.as_slice().ct_eq(h)) {
        return Err(fail);
    }
    Ok(())
}

/// Card side: the INTERNAL AUTHENTICATE answer `SN.ICC ‖ SIG_ICC` with
/// `SIG_ICC = (6A ‖ PRND2 ‖ h ‖ BC)^d mod n`. `PRND2` comes from `rng` (so the answer is
/// deterministic for a seeded RNG); the same RNG blinds the RSA operation.
///
/// # Errors
/// [`AuthError::MalformedKey`] if the chip modulus cannot hold the message (top byte not
/// above `0x6A`, or shorter than 35 bytes).
pub fn sign_internal_auth<R: CryptoRng + ?Sized>(
    chip: &CardPrivateKey,
    sn_icc: &[u8; 8],
    rnd_ifd: &[u8; 8],
    transcript: &DhTranscript<'_>,
    rng: &mut R,
) -> Result<Vec<u8>, AuthError> {
    let bad = AuthError::MalformedKey(KeyKind::CardPrivate);
    let k = chip.len();
    let prnd_len = k.checked_sub(OVERHEAD).filter(|l| *l > 0).ok_or(bad)?;
    let mut prnd = alloc::vec![0u8; prnd_len];
    rng.fill_bytes(&mut prnd);
    let h = transcript.internal_hash(&prnd, sn_icc, rnd_ifd);
    let m = cert::iso9796_message(&prnd, &h);
    let sig = chip.sign_raw(&m, Some(rng)).map_err(|_| bad)?;
    let mut out = Vec::with_capacity(sig.len().saturating_add(8));
    out.extend_from_slice(sn_icc);
    out.extend_from_slice(&sig);
    Ok(out)
}

/// The SSC after DAPP: `RND.ICC[4..8] ‖ RND.IFD[4..8]` (docs/protocol.md §3.3).
///
/// ```
/// let ssc = cie_pinpuk::auth::ssc_after_dapp(&[1, 2, 3, 4, 5, 6, 7, 8], &[9, 10, 11, 12, 13, 14, 15, 16]);
/// assert_eq!(ssc, [5, 6, 7, 8, 13, 14, 15, 16]);
/// ```
pub fn ssc_after_dapp(rnd_icc: &[u8; 8], rnd_ifd: &[u8; 8]) -> [u8; 8] {
    let mut ssc = [0u8; 8];
    let (head, tail) = ssc.split_at_mut(4);
    head.copy_from_slice(rnd_icc.last_chunk::<4>().unwrap_or(&[0; 4]));
    tail.copy_from_slice(rnd_ifd.last_chunk::<4>().unwrap_or(&[0; 4]));
    ssc
}

/// A fresh 8-byte challenge (the host's `RND.IFD` or the card's `RND.ICC`).
pub fn random_challenge<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; 8] {
    let mut c = [0u8; 8];
    rng.fill_bytes(&mut c);
    c
}

/// Freshness check of GET CHALLENGE answers (checklist K5): an answer must be 8 bytes and
/// differ from the previous one seen by this checker.
#[derive(Debug, Default, Clone)]
pub struct ChallengeCheck {
    last: Option<[u8; 8]>,
}

impl ChallengeCheck {
    /// A checker that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts a GET CHALLENGE answer.
    ///
    /// ```
    /// use cie_pinpuk::auth::{AuthError, ChallengeCheck};
    /// let mut check = ChallengeCheck::new();
    /// assert_eq!(check.accept(&[1; 8]), Ok([1; 8]));
    /// assert_eq!(check.accept(&[1; 8]), Err(AuthError::ChallengeRepeated));
    /// assert_eq!(check.accept(&[2; 7]), Err(AuthError::ChallengeLength));
    /// ```
    ///
    /// # Errors
    /// [`AuthError::ChallengeLength`], [`AuthError::ChallengeRepeated`].
    pub fn accept(&mut self, answer: &[u8]) -> Result<[u8; 8], AuthError> {
        let challenge: [u8; 8] = answer.try_into().map_err(|_| AuthError::ChallengeLength)?;
        if self.last == Some(challenge) {
            return Err(AuthError::ChallengeRepeated);
        }
        self.last = Some(challenge);
        Ok(challenge)
    }
}
