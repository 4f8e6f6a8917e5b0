//! Diffie-Hellman key agreement in the card's prime-order subgroup (docs/protocol.md §2),
//! both roles, and the session-key derivation.
//!
//! The exponentiations (key generation, agreement, the `y^q` subgroup check) run on the
//! crate's constant-time Montgomery core ([`crate::arith`]): no allocation, the Montgomery
//! constants of `p` computed once per group, constant time in the secret exponent.
//! `crypto-bigint` parses and compares the values. Lengths come from the values the card
//! returns: `p` up to 2048 bits, `q` up to `p`.

use alloc::sync::Arc;
use alloc::vec::Vec;
use crypto_bigint::{NonZero, U2048};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::error::{AuthError, DhParameter};
use super::num::{self, Residue};
use crate::arith::{self, Limbs, Modulus};

/// Width of the DH numbers in limbs.
const W: usize = arith::U2048;
pub use crate::sm::SessionKeys;

/// How the DH exponentiation is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExponentWidth {
    /// Exponentiate over only as many bits as `q` has (256 on the reference card): the fast
    /// path. The bit length of `q` is public, so the timing reveals nothing secret.
    #[default]
    OrderBits,
    /// Exponentiate over the full 2048-bit width, as a generic raw-RSA primitive with modulus
    /// `p` would (the straightforward path, kept for the benchmarks).
    Full,
}

/// Miller-Rabin rounds with bases derived from the candidate, on top of the Baillie-PSW
/// test, in [`DhParams::check_group`]: a composite passes one round with probability at
/// most 1/4, so 50 rounds bound the error by 2^-100 even for a candidate built to fool the
/// test (and no number is known to pass Baillie-PSW and be composite).
pub const MILLER_RABIN_ROUNDS: usize = 50;

/// What the host requires of the card's DH group beyond its arithmetic consistency (which
/// [`DhParams::new`] checks): a floor on the sizes of `p` and `q`, and both prime.
///
/// The card sends its group in clear; a group that fails is refused with
/// [`AuthError::DhGroupRefused`] before the host draws any secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DhGroupPolicy {
    /// Least bit length of `p`.
    pub min_p_bits: u32,
    /// Least bit length of `q`.
    pub min_q_bits: u32,
}

impl DhGroupPolicy {
    /// `p` of at least 2048 bits and `q` of at least 224 bits (the sizes NIST SP 800-56A
    /// pairs for 112-bit security; the CIE's key-agreement group is expected to be 2048/256).
    pub const REFERENCE: Self = Self {
        min_p_bits: 2048,
        min_q_bits: 224,
    };

    /// Floors for test key material only (the crate's small test groups: 512-bit `p`,
    /// 64-bit `q`). Primality is still checked. Never for a real card.
    pub const TEST_ONLY_SMALL_GROUPS: Self = Self {
        min_p_bits: 256,
        min_q_bits: 32,
    };
}

impl Default for DhGroupPolicy {
    fn default() -> Self {
        Self::REFERENCE
    }
}

/// Why [`DhParams::check_group`] refused a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DhGroupDefect {
    /// `p` is shorter than the policy allows.
    #[error("p has {bits} bits, fewer than {min}")]
    PrimeTooShort {
        /// Bits of `p`.
        bits: u32,
        /// The floor.
        min: u32,
    },
    /// `q` is shorter than the policy allows.
    #[error("q has {bits} bits, fewer than {min}")]
    OrderTooShort {
        /// Bits of `q`.
        bits: u32,
        /// The floor.
        min: u32,
    },
    /// `p` is not prime.
    #[error("p is not prime")]
    PrimeComposite,
    /// `q` is not prime (so `g^q = 1` does not make `q` the order of `g`).
    #[error("q is not prime")]
    OrderComposite,
}

/// DH domain parameters `(g, p, q)` exactly as the card returned them.
///
/// The original bytes are kept: they enter both DAPP hashes unchanged.
#[derive(Clone)]
pub struct DhParams {
    g_bytes: Vec<u8>,
    p_bytes: Vec<u8>,
    q_bytes: Vec<u8>,
    g: U2048,
    p: U2048,
    q: U2048,
    p_minus_one: U2048,
    /// Montgomery constants of `p` for the crate's arithmetic.
    mont: Arc<Modulus<W>>,
    q_limbs: Limbs<W>,
    p_len: usize,
    q_bits: u32,
    /// Powers of `g` for fixed-base exponentiation, once [`DhParams::precompute_generator`]
    /// ran; shared between clones.
    table: Option<Arc<GeneratorTable>>,
}

impl core::fmt::Debug for DhParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhParams")
            .field("p_bits", &self.p.bit_width_vartime())
            .field("q_bits", &self.q_bits)
            .finish_non_exhaustive()
    }
}

impl DhParams {
    /// Validates and keeps `g`, `p`, `q` (big-endian, as returned by GET DATA; leading zero
    /// bytes are allowed and kept in the original bytes).
    ///
    /// Checks: `p` odd, at least 5 and at most 2048 bits; `1 < q < p`; `q` divides `p - 1`;
    /// `1 < g < p`; `g^q ≡ 1 (mod p)`.
    ///
    /// # Errors
    /// [`AuthError::TooLarge`] beyond 2048 bits, otherwise
    /// [`AuthError::InvalidDhParameter`] naming the parameter.
    pub fn new(g: &[u8], p: &[u8], q: &[u8]) -> Result<Self, AuthError> {
        let pv = num::to_uint(p).ok_or(AuthError::TooLarge)?;
        let qv = num::to_uint(q).ok_or(AuthError::TooLarge)?;
        let gv = num::to_uint(g).ok_or(AuthError::TooLarge)?;
        let bad = AuthError::InvalidDhParameter;
        if pv < U2048::from_u8(5) {
            return Err(bad(DhParameter::Prime));
        }
        let params = num::params_for(&pv).ok_or(bad(DhParameter::Prime))?;
        let p_minus_one = pv.wrapping_sub(&U2048::ONE);
        if qv <= U2048::ONE || qv >= pv {
            return Err(bad(DhParameter::Order));
        }
        let q_nz: NonZero<U2048> = NonZero::new(qv)
            .into_option()
            .ok_or(bad(DhParameter::Order))?;
        if !bool::from(p_minus_one.rem_vartime(&q_nz).is_zero()) {
            return Err(bad(DhParameter::Order));
        }
        if gv <= U2048::ONE || gv >= pv {
            return Err(bad(DhParameter::Generator));
        }
        let g_to_q = Residue::new(&gv, &params).pow_vartime(&qv).retrieve();
        if g_to_q != U2048::ONE {
            return Err(bad(DhParameter::Generator));
        }
        let p_len = num::strip_zeros(p).len();
        let mont = Modulus::new(&limbs(&pv)).ok_or(bad(DhParameter::Prime))?;
        Ok(Self {
            mont: Arc::new(mont),
            q_limbs: limbs(&qv),
            g_bytes: g.to_vec(),
            p_bytes: p.to_vec(),
            q_bytes: q.to_vec(),
            g: gv,
            p: pv,
            q: qv,
            p_minus_one,
            p_len,
            q_bits: qv.bit_width_vartime(),
            table: None,
        })
    }

    /// Checks the group against `policy`: the sizes of `p` and `q`, then both prime
    /// (Baillie-PSW and [`MILLER_RABIN_ROUNDS`] rounds of Miller-Rabin). With `q` prime,
    /// the `g^q = 1`, `g ≠ 1` of [`new`](Self::new) means that `g` has order exactly `q`.
    ///
    /// The primality tests cost a few hundred exponentiations modulo `p`: with the `std`
    /// feature a group that passed is remembered for the process (by the SHA-256 of `p`
    /// and `q`), so each group is tested once; a host also keeps the checked group of its
    /// card between sessions.
    ///
    /// # Errors
    /// [`AuthError::DhGroupRefused`] naming the defect.
    pub fn check_group(&self, policy: &DhGroupPolicy) -> Result<(), AuthError> {
        let refuse = |d| Err(AuthError::DhGroupRefused(d));
        let p_bits = self.p.bit_width_vartime();
        if p_bits < policy.min_p_bits {
            return refuse(DhGroupDefect::PrimeTooShort {
                bits: p_bits,
                min: policy.min_p_bits,
            });
        }
        if self.q_bits < policy.min_q_bits {
            return refuse(DhGroupDefect::OrderTooShort {
                bits: self.q_bits,
                min: policy.min_q_bits,
            });
        }
        let key = group_key(&self.p, &self.q);
        if PINNED_PRIME_GROUPS.contains(&key) || primes_known(&key) {
            return Ok(());
        }
        if !is_prime(&self.q) {
            return refuse(DhGroupDefect::OrderComposite);
        }
        if !is_prime(&self.p) {
            return refuse(DhGroupDefect::PrimeComposite);
        }
        remember_primes(key);
        Ok(())
    }

    /// Precomputes the powers of `g` that make every later key generation of this group
    /// (the `g^x` of [`generate_key`](Self::generate_key) with
    /// [`ExponentWidth::OrderBits`]) about five times cheaper: a fixed-base exponentiation
    /// with 4-bit windows, one multiplication per window and a constant-time table scan.
    /// Costs about as much as four exponentiations and `bits(q) / 4 × 16` residues of memory
    /// (256 KiB for the reference group); worth it when the same group serves many sessions
    /// (a host talking to the same card again, a card).
    pub fn precompute_generator(&mut self) {
        if self.table.is_none() {
            self.table = Some(Arc::new(GeneratorTable::new(
                &self.g,
                &self.mont,
                self.q_bits,
            )));
        }
    }

    /// The generator, as given.
    pub fn g(&self) -> &[u8] {
        &self.g_bytes
    }

    /// The prime, as given.
    pub fn p(&self) -> &[u8] {
        &self.p_bytes
    }

    /// The subgroup order, as given.
    pub fn q(&self) -> &[u8] {
        &self.q_bytes
    }

    /// Length in bytes of `p` (without leading zeros): the fixed length of public values and
    /// of the shared secret.
    pub fn p_len(&self) -> usize {
        self.p_len
    }

    /// Host role: a fresh ephemeral key (fast path, [`ExponentWidth::OrderBits`]).
    pub fn generate_host_key<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> HostEphemeral {
        self.generate_key(rng, ExponentWidth::OrderBits)
    }

    /// Card role: a fresh ephemeral key from the card's RNG.
    pub fn generate_card_key<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> CardEphemeral {
        self.generate_key(rng, ExponentWidth::OrderBits)
    }

    /// Either role: an ephemeral key with secret `x` uniform in `[1, q - 1]` (rejection
    /// sampling over `bits(q)`-bit candidates) and public value `g^x mod p` encoded on
    /// exactly [`p_len`](Self::p_len) bytes.
    pub fn generate_key<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        width: ExponentWidth,
    ) -> DhEphemeral {
        let q_len = usize::try_from(self.q_bits.div_ceil(8)).unwrap_or(num::MAX_BYTES);
        let mut buf = Zeroizing::new([0u8; num::MAX_BYTES]);
        let start = num::MAX_BYTES.saturating_sub(q_len);
        let excess_bits = u32::try_from(q_len)
            .unwrap_or(0)
            .saturating_mul(8)
            .saturating_sub(self.q_bits);
        let top_mask = 0xFFu8.checked_shr(excess_bits).unwrap_or(0);
        let mut x = loop {
            if let Some(window) = buf.get_mut(start..) {
                rng.fill_bytes(window);
                if let Some(top) = window.first_mut() {
                    *top &= top_mask;
                }
            }
            let candidate = U2048::from_be_slice(buf.as_slice());
            // Public comparison outcome: a rejected draw reveals nothing about the kept one.
            if candidate != U2048::ZERO && candidate < self.q {
                break candidate;
            }
        };
        let mut y = match (&self.table, width) {
            (Some(table), ExponentWidth::OrderBits) => table.pow(&x, &self.mont),
            _ => self.pow(&self.g, &x, width),
        };
        let public = num::to_fixed(&y, self.p_len).unwrap_or_default();
        y.zeroize();
        let ephemeral = DhEphemeral { x, public, width };
        x.zeroize();
        ephemeral
    }

    fn pow(&self, base: &U2048, exponent: &U2048, width: ExponentWidth) -> U2048 {
        let bits = match width {
            ExponentWidth::OrderBits => self.q_bits,
            ExponentWidth::Full => U2048::BITS,
        };
        let m = &self.mont;
        let mut e = limbs(exponent);
        let mut b = m.to_mont(&limbs(base));
        let mut r = m.pow(&b, &e, bits);
        let mut out = m.from_mont(&r);
        let value = from_limbs(&out);
        e.zeroize();
        b.zeroize();
        r.zeroize();
        out.zeroize();
        value
    }

    /// Full public-value validation (NIST SP 800-56A rev. 3, 5.6.2.3.1; checklist K1,
    /// property P-SM7): `1 < y < p - 1` and `y^q ≡ 1 (mod p)`. Leading zero bytes are
    /// accepted.
    ///
    /// # Errors
    /// [`AuthError::InvalidPublicValue`].
    pub fn validate_public(&self, y: &[u8]) -> Result<(), AuthError> {
        self.check_public(y).map(|_| ())
    }

    fn check_public(&self, y: &[u8]) -> Result<U2048, AuthError> {
        let yv = num::to_uint(y).ok_or(AuthError::InvalidPublicValue)?;
        if yv <= U2048::ONE || yv >= self.p_minus_one {
            return Err(AuthError::InvalidPublicValue);
        }
        // q is public: variable time in the exponent only.
        let m = &self.mont;
        let y_to_q = m.pow_vartime(&m.to_mont(&limbs(&yv)), &self.q_limbs);
        if !bool::from(m.is_one(&y_to_q)) {
            return Err(AuthError::InvalidPublicValue);
        }
        Ok(yv)
    }
}

/// An ephemeral DH key pair of either role. The secret exponent is zeroized on drop and
/// never printed.
#[derive(ZeroizeOnDrop)]
pub struct DhEphemeral {
    x: U2048,
    #[zeroize(skip)]
    public: Vec<u8>,
    #[zeroize(skip)]
    width: ExponentWidth,
}

/// The host's (terminal's) ephemeral key.
pub type HostEphemeral = DhEphemeral;
/// The card's ephemeral key.
pub type CardEphemeral = DhEphemeral;

impl core::fmt::Debug for DhEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhEphemeral")
            .field("public_len", &self.public.len())
            .finish_non_exhaustive()
    }
}

impl DhEphemeral {
    /// Our public value `g^x mod p`, exactly `len(p)` bytes (sent in MSE SET KAT by the host,
    /// returned by GET DATA by the card).
    pub fn public_value(&self) -> &[u8] {
        &self.public
    }

    /// Checks the peer's public value (K1: range and subgroup; K2: not our own value) and
    /// derives the session keys from `Z = y^x mod p` (fixed length `len(p)`); a degenerate
    /// `Z` (1 or `p - 1`) is refused. `Z` is zeroized before returning.
    ///
    /// # Errors
    /// [`AuthError::InvalidPublicValue`], [`AuthError::Reflection`],
    /// [`AuthError::DegenerateSecret`].
    pub fn agree(&self, params: &DhParams, peer_public: &[u8]) -> Result<SessionKeys, AuthError> {
        let y = params.check_public(peer_public)?;
        let own = num::to_uint(&self.public).unwrap_or(U2048::ZERO);
        if y == own {
            return Err(AuthError::Reflection);
        }
        let mut z = params.pow(&y, &self.x, self.width);
        let degenerate =
            z.ct_eq(&U2048::ONE) | z.ct_eq(&params.p_minus_one) | z.ct_eq(&U2048::ZERO);
        if bool::from(degenerate) {
            z.zeroize();
            return Err(AuthError::DegenerateSecret);
        }
        let mut z_bytes = Zeroizing::new([0u8; num::MAX_BYTES]);
        let z_len = params.p_len;
        let written = z_bytes
            .get_mut(..z_len)
            .and_then(|out| num::write_fixed(&z, out));
        z.zeroize();
        let z_slice = z_bytes.get(..z_len).filter(|_| written.is_some());
        let z_slice = z_slice.ok_or(AuthError::DegenerateSecret)?;
        Ok(derive_session_keys(z_slice))
    }
}

/// The SSC right after the key agreement (docs/protocol.md §2, step 9).
pub const INITIAL_SSC: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 1];

/// Derives the SM session keys from the shared secret `Z` as encoded on `len(p)` bytes:
/// `KS_ENC = SHA-256(Z ‖ 00000001)[0..16]`, `KS_MAC = SHA-256(Z ‖ 00000002)[0..16]`, both
/// two-key 3DES keys (docs/protocol.md §2, step 8). The SM channel starts at [`INITIAL_SSC`].
///
/// ```
/// use cie_pinpuk::auth::derive_session_keys;
/// let z: Vec<u8> = (0..=255u8).collect();
/// let keys = derive_session_keys(&z);
/// // docs/protocol.md §4.8.2
/// assert_eq!(keys.ks_enc()[..4], [0x20, 0xD0, 0xCA, 0x41]);
/// assert_eq!(keys.ks_mac()[..4], [0x9B, 0x0B, 0xB9, 0x85]);
/// ```
pub fn derive_session_keys(z: &[u8]) -> SessionKeys {
    let mut halves = [[0u8; 16]; 2];
    for (counter, out) in [1u8, 2].into_iter().zip(halves.iter_mut()) {
        let mut hasher = Sha256::new();
        hasher.update(z);
        hasher.update([0, 0, 0, counter]);
        let mut digest: [u8; 32] = hasher.finalize().into();
        if let Some(head) = digest.get(..16) {
            out.copy_from_slice(head);
        }
        digest.zeroize();
    }
    let [ks_enc, ks_mac] = halves;
    let keys = SessionKeys::new(ks_enc, ks_mac);
    halves.zeroize();
    keys
}

/// `x` as limbs for the crate's arithmetic (through bytes: portable to any word size).
fn limbs(x: &U2048) -> Limbs<W> {
    let bytes: Zeroizing<[u8; num::MAX_BYTES]> = Zeroizing::new(x.to_be_bytes().into());
    arith::from_be_bytes(bytes.as_slice()).unwrap_or([0; W])
}

/// Back from limbs.
fn from_limbs(x: &Limbs<W>) -> U2048 {
    let mut bytes = Zeroizing::new([0u8; num::MAX_BYTES]);
    let _fits = arith::write_be_bytes(x, bytes.as_mut_slice());
    U2048::from_be_slice(bytes.as_slice())
}

/// Fixed-base exponentiation table: row `i` holds `g^(j·16^i)` for `j` in `0..16`, in
/// Montgomery form, for the `bits(q) / 4` windows of an exponent below `2^bits(q)`.
struct GeneratorTable {
    rows: Vec<[Limbs<W>; 16]>,
}

impl GeneratorTable {
    fn new(g: &U2048, m: &Modulus<W>, bits: u32) -> Self {
        let windows = usize::try_from(bits.div_ceil(4)).unwrap_or(0);
        let mut rows = Vec::with_capacity(windows);
        // base = g^(16^i)
        let mut base = m.to_mont(&limbs(g));
        for _ in 0..windows {
            let mut row = [[0u64; W]; 16];
            let mut power = *m.one();
            for entry in row.iter_mut() {
                *entry = power;
                power = m.mul(&power, &base);
            }
            rows.push(row);
            base = power;
        }
        Self { rows }
    }

    /// `g^x mod p` for `x < 2^(4·rows)`: one multiplication per 4-bit window, each table row
    /// scanned whole with constant-time selection, so neither the time nor the memory
    /// accesses depend on `x`.
    fn pow(&self, x: &U2048, m: &Modulus<W>) -> U2048 {
        let mut bytes: Zeroizing<[u8; num::MAX_BYTES]> = Zeroizing::new(x.to_be_bytes().into());
        let mut acc = *m.one();
        for (i, row) in self.rows.iter().enumerate() {
            let byte = bytes
                .get(num::MAX_BYTES.saturating_sub(1).saturating_sub(i / 2))
                .copied()
                .unwrap_or(0);
            let digit = if i % 2 == 0 { byte & 0x0F } else { byte >> 4 };
            let mut selected = [0u64; W];
            for (j, entry) in (0u8..).zip(row.iter()) {
                let choice = j.ct_eq(&digit);
                for (s, e) in selected.iter_mut().zip(entry.iter()) {
                    s.conditional_assign(e, choice);
                }
            }
            acc = m.mul(&acc, &selected);
            selected.zeroize();
        }
        bytes.zeroize();
        let mut out = m.from_mont(&acc);
        let value = from_limbs(&out);
        acc.zeroize();
        out.zeroize();
        value
    }
}

/// Groups recognised by their exact values, whose `p` and `q` passed the full tests once
/// and for all (as OpenSSL's `DH_check` recognises its named groups): the SHA-256 of
/// `p ‖ q` (fixed width) of the virtual card's group (`test_keys::DH_P`, `DH_Q`), so that
/// a process that opens a session with the virtual card does not spend about a quarter of a
/// second proving it prime again. The unit test `k1_pinned_groups_pass_the_full_primality_tests`
/// reruns the tests on each one.
pub(super) const PINNED_PRIME_GROUPS: [[u8; 32]; 1] = [[
    0x9e, 0x24, 0x43, 0xbe, 0x05, 0x20, 0xbe, 0x4d, 0xc1, 0xf9, 0x56, 0x39, 0x68, 0x6d, 0x0e, 0x07,
    0x2f, 0x4f, 0x2c, 0xa6, 0x52, 0x9a, 0x89, 0x7f, 0xc9, 0xc4, 0x2c, 0xdf, 0x49, 0x01, 0x67, 0x58,
]];

/// The SHA-256 of `p ‖ q` (fixed width), the key of the primality cache.
pub(super) fn group_key(p: &U2048, q: &U2048) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(p.to_be_bytes());
    h.update(q.to_be_bytes());
    h.finalize().into()
}

/// Groups whose `p` and `q` passed the primality tests in this process.
#[cfg(feature = "std")]
static PRIME_GROUPS: std::sync::Mutex<Vec<[u8; 32]>> = std::sync::Mutex::new(Vec::new());
/// The most groups remembered (a host meets one group per card family).
#[cfg(feature = "std")]
const PRIME_GROUPS_KEPT: usize = 64;

#[cfg(feature = "std")]
fn primes_known(key: &[u8; 32]) -> bool {
    PRIME_GROUPS
        .lock()
        .map(|groups| groups.contains(key))
        .unwrap_or(false)
}

#[cfg(feature = "std")]
fn remember_primes(key: [u8; 32]) {
    if let Ok(mut groups) = PRIME_GROUPS.lock() {
        if groups.len() >= PRIME_GROUPS_KEPT {
            groups.remove(0);
        }
        groups.push(key);
    }
}

#[cfg(not(feature = "std"))]
fn primes_known(_key: &[u8; 32]) -> bool {
    false
}

#[cfg(not(feature = "std"))]
fn remember_primes(_key: [u8; 32]) {}

/// Baillie-PSW, then [`MILLER_RABIN_ROUNDS`] Miller-Rabin rounds with bases in `[2, n-2]`
/// derived from SHA-256 of the candidate and the round number (deterministic, so that the
/// check needs no RNG; the bases are not chosen by whoever chose `n`).
pub(super) fn is_prime(n: &U2048) -> bool {
    if !crypto_primes::is_prime(crypto_primes::Flavor::Any, n) {
        return false;
    }
    let Some(odd) = crypto_bigint::Odd::new(*n).into_option() else {
        // Even and prime: 2, below every floor.
        return true;
    };
    let Some(range) = NonZero::new(n.wrapping_sub(&U2048::from_u8(3))).into_option() else {
        return true;
    };
    let mr = crypto_primes::hazmat::MillerRabin::new(odd);
    let seed = n.to_be_bytes();
    (0..MILLER_RABIN_ROUNDS).all(|round| {
        let mut h = Sha256::new();
        h.update(b"cie-pinpuk DH group Miller-Rabin base");
        h.update(seed);
        h.update(u64::try_from(round).unwrap_or(u64::MAX).to_be_bytes());
        let digest: [u8; 32] = h.finalize().into();
        let mut wide = [0u8; 256];
        if let Some(tail) = wide.get_mut(224..) {
            tail.copy_from_slice(&digest);
        }
        let base = U2048::from_be_slice(&wide)
            .rem_vartime(&range)
            .wrapping_add(&U2048::from_u8(2));
        mr.test(&base).is_probably_prime()
    })
}
