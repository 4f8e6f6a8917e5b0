//! Raw RSA for ISO/IEC 9796-2 and PKCS#1 v1.5 type 1 (docs/protocol.md §3.1, 3.2, 3.5).
//!
//! * Public operations (certificate and signature checks) use `crypto-bigint` `U2048`
//!   Montgomery exponentiation (variable time in the public exponent only), or, for a party
//!   that owns the key pair and attached its primes (the virtual card's CA key, whose public
//!   exponent is 2048 bits long), the same operation by CRT modulo the two primes.
//! * Private operations have two paths. [`RsaPath::Plain`] is `m^d mod n` with a full-width,
//!   constant-time `U2048` exponentiation (the straightforward path). [`RsaPath::Crt`] uses the
//!   `rsa` crate's hazmat raw operation on a key whose primes are known (given, or recovered
//!   once from `(n, e, d)`), which runs with the Chinese remainder theorem, constant time,
//!   checked against a CRT fault (`s^e mod n == m`) and, when an RNG is given, blinded.
//!
//! On the host both private keys (terminal and CA) are the well-known public values of every
//! CIE client (checklist K6, P-CT1): no secret RSA decryption ever happens on the host.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::convert::Infallible;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{NonZero, Odd, U1024, U2048, U4096};
use rand_core::{CryptoRng, TryCryptoRng, TryRng};
use rsa::BoxedUint;
use rsa::traits::PublicKeyParts;
use zeroize::{Zeroize, Zeroizing};

use super::error::{AuthError, KeyKind};
use super::num::{self, Params, Residue};

/// Which implementation of the RSA private operation to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RsaPath {
    /// `m^d mod n` over the full modulus width (no precomputation).
    Plain,
    /// CRT with the factors of `n` (recovered once, or given); falls back to `Plain` when
    /// the key has no factors.
    #[default]
    Crt,
}

/// An RSA public key of up to 2048 bits.
#[derive(Clone)]
pub(crate) struct RsaPublic {
    n: U2048,
    e: U2048,
    params: Params,
    n_bytes: Vec<u8>,
    e_bytes: Vec<u8>,
    /// The primes of `n`, for a party that owns the key pair (the virtual card's CA): the
    /// public operation then runs modulo `p` and `q`.
    factors: Option<Box<Factored>>,
}

/// `x^e mod n` by the Chinese remainder theorem, for a holder of the factors: two
/// exponentiations modulo 1024-bit primes with `e mod (p-1)` and `e mod (q-1)` instead of
/// one modulo `n` with `e` (which is 2048 bits long for the emulator's CA key). Only public
/// values are exponentiated, so the variable-time operations are fine.
#[derive(Clone)]
struct Factored {
    p: Params1024,
    q: Params1024,
    p_wide: NonZero<U2048>,
    q_wide: NonZero<U2048>,
    e_p: U1024,
    e_q: U1024,
    q_inv: U1024,
}

type Params1024 = FixedMontyParams<{ U1024::LIMBS }>;
type Residue1024 = FixedMontyForm<{ U1024::LIMBS }>;

impl Factored {
    fn new(n: &U2048, e: &U2048, p: &U2048, q: &U2048) -> Option<Self> {
        if p.wrapping_mul(q) != *n || p.bits_vartime() > 1024 || q.bits_vartime() > 1024 {
            return None;
        }
        let p_wide: NonZero<U2048> = NonZero::new(*p).into_option()?;
        let q_wide: NonZero<U2048> = NonZero::new(*q).into_option()?;
        let p_minus_1: NonZero<U2048> = NonZero::new(p.wrapping_sub(&U2048::ONE)).into_option()?;
        let q_minus_1: NonZero<U2048> = NonZero::new(q.wrapping_sub(&U2048::ONE)).into_option()?;
        let e_p = e.rem_vartime(&p_minus_1).resize::<{ U1024::LIMBS }>();
        let e_q = e.rem_vartime(&q_minus_1).resize::<{ U1024::LIMBS }>();
        let p_small: U1024 = p.resize();
        let q_small: U1024 = q.resize();
        let pp = Params1024::new_vartime(Odd::new(p_small).into_option()?);
        let qp = Params1024::new_vartime(Odd::new(q_small).into_option()?);
        // q^-1 mod p by Fermat (p is prime): q^(p-2).
        let q_mod_p = q.rem_vartime(&p_wide).resize::<{ U1024::LIMBS }>();
        let q_inv = Residue1024::new(&q_mod_p, &pp)
            .pow_vartime(&p_small.wrapping_sub(&U1024::from_u8(2)))
            .retrieve();
        Some(Self {
            p: pp,
            q: qp,
            p_wide,
            q_wide,
            e_p,
            e_q,
            q_inv,
        })
    }

    fn apply(&self, x: &U2048) -> U2048 {
        let x_p = x.rem_vartime(&self.p_wide).resize::<{ U1024::LIMBS }>();
        let x_q = x.rem_vartime(&self.q_wide).resize::<{ U1024::LIMBS }>();
        let m_p = Residue1024::new(&x_p, &self.p).pow_vartime(&self.e_p);
        let m_q = Residue1024::new(&x_q, &self.q)
            .pow_vartime(&self.e_q)
            .retrieve();
        // m_q < q may exceed p: reduce before moving it into the p residues.
        let m_q_mod_p = m_q
            .resize::<{ U2048::LIMBS }>()
            .rem_vartime(&self.p_wide)
            .resize::<{ U1024::LIMBS }>();
        // Residue subtraction is modular: no overflow.
        let diff = core::ops::Sub::sub(m_p, Residue1024::new(&m_q_mod_p, &self.p));
        let h = diff.mul(&Residue1024::new(&self.q_inv, &self.p)).retrieve();
        let q: &U2048 = self.q_wide.as_ref();
        h.resize::<{ U2048::LIMBS }>()
            .wrapping_mul(q)
            .wrapping_add(&m_q.resize())
    }
}

impl core::fmt::Debug for RsaPublic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublic")
            .field("bits", &self.n.bits_vartime())
            .finish_non_exhaustive()
    }
}

impl RsaPublic {
    /// `n` odd, at least 512 and at most 2048 bits; `e` odd and `1 < e < n`.
    pub(crate) fn new(n: &[u8], e: &[u8], kind: KeyKind) -> Result<Self, AuthError> {
        let bad = AuthError::MalformedKey(kind);
        let nv = num::to_uint(n).ok_or(AuthError::TooLarge)?;
        let ev = num::to_uint(e).ok_or(bad)?;
        if nv.bits_vartime() < 512 {
            return Err(bad);
        }
        let params = num::params_for(&nv).ok_or(bad)?;
        if ev <= U2048::ONE || ev >= nv || !bool::from(ev.is_odd()) {
            return Err(bad);
        }
        Ok(Self {
            n: nv,
            e: ev,
            params,
            n_bytes: num::strip_zeros(n).to_vec(),
            e_bytes: num::strip_zeros(e).to_vec(),
            factors: None,
        })
    }

    /// Attaches the primes of `n`, so that [`public_op`](Self::public_op) runs by CRT.
    /// `None` if they are not the factors of `n` (or larger than 1024 bits).
    pub(crate) fn with_factors(mut self, p: &[u8], q: &[u8]) -> Option<Self> {
        let pv = num::to_uint(p)?;
        let qv = num::to_uint(q)?;
        self.factors = Some(Box::new(Factored::new(&self.n, &self.e, &pv, &qv)?));
        Some(self)
    }

    /// Modulus length in bytes (`k`).
    pub(crate) fn len(&self) -> usize {
        self.n_bytes.len()
    }

    /// Minimal big-endian modulus.
    pub(crate) fn n_bytes(&self) -> &[u8] {
        &self.n_bytes
    }

    /// Minimal big-endian public exponent.
    pub(crate) fn e_bytes(&self) -> &[u8] {
        &self.e_bytes
    }

    /// `s^e mod n` for a signature of exactly `k` bytes with `s < n`, encoded on `k` bytes.
    pub(crate) fn public_op(&self, s: &[u8]) -> Option<Vec<u8>> {
        if s.len() != self.len() {
            return None;
        }
        let sv = num::to_uint(s)?;
        if sv >= self.n {
            return None;
        }
        let m = match &self.factors {
            Some(factors) => factors.apply(&sv),
            None => Residue::new(&sv, &self.params)
                .pow_vartime(&self.e)
                .retrieve(),
        };
        num::to_fixed(&m, self.len())
    }
}

/// An RSA private key: public part, `d`, and optionally the `rsa` crate key with its CRT
/// values. Zeroized on drop (the `rsa` key zeroizes itself).
pub(crate) struct RsaPrivate {
    public: RsaPublic,
    d: U2048,
    crt: Option<rsa::RsaPrivateKey>,
}

impl Drop for RsaPrivate {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl core::fmt::Debug for RsaPrivate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPrivate")
            .field("public", &self.public)
            .field("crt", &self.crt.is_some())
            .finish_non_exhaustive()
    }
}

/// An uninhabited RNG type, to name "no blinding" in the `rsa` hazmat call.
#[derive(Debug)]
pub(crate) enum NoBlinding {}

impl TryRng for NoBlinding {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        match *self {}
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        match *self {}
    }
    fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), Infallible> {
        match *self {}
    }
}
impl TryCryptoRng for NoBlinding {}

impl RsaPrivate {
    /// A key from `(n, e, d)` only; `d < n` required. No precomputation.
    pub(crate) fn new(n: &[u8], e: &[u8], d: &[u8], kind: KeyKind) -> Result<Self, AuthError> {
        let public = RsaPublic::new(n, e, kind)?;
        let dv = num::to_uint(d).ok_or(AuthError::MalformedKey(kind))?;
        if dv == U2048::ZERO || dv >= public.n {
            return Err(AuthError::MalformedKey(kind));
        }
        Ok(Self {
            public,
            d: dv,
            crt: None,
        })
    }

    /// A key with known primes: CRT ready.
    pub(crate) fn with_primes(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
        kind: KeyKind,
    ) -> Result<Self, AuthError> {
        let mut key = Self::new(n, e, d, kind)?;
        let pv = num::to_uint(p).ok_or(AuthError::MalformedKey(kind))?;
        let qv = num::to_uint(q).ok_or(AuthError::MalformedKey(kind))?;
        key.crt = Some(key.build_crt(&pv, &qv)?);
        Ok(key)
    }

    pub(crate) fn public(&self) -> &RsaPublic {
        &self.public
    }

    /// Whether the CRT key is ready.
    #[cfg(test)]
    pub(crate) fn has_crt(&self) -> bool {
        self.crt.is_some()
    }

    /// Recovers the primes from `(n, e, d)` (once) and builds the CRT key.
    ///
    /// # Errors
    /// [`AuthError::KeyMismatch`] when `e·d - 1` does not lead to a factorisation (so `d`
    /// does not belong to `(n, e)`).
    pub(crate) fn precompute(&mut self) -> Result<(), AuthError> {
        if self.crt.is_some() {
            return Ok(());
        }
        let (mut p, mut q) = factor(&self.public, &self.d).ok_or(AuthError::KeyMismatch)?;
        let built = self.build_crt(&p, &q);
        p.zeroize();
        q.zeroize();
        self.crt = Some(built?);
        Ok(())
    }

    fn build_crt(&self, p: &U2048, q: &U2048) -> Result<rsa::RsaPrivateKey, AuthError> {
        let bits = U2048::BITS;
        let to_boxed = |x: &U2048| {
            let bytes: Zeroizing<[u8; num::MAX_BYTES]> = Zeroizing::new(x.to_be_bytes().into());
            BoxedUint::from_be_slice(bytes.as_slice(), bits).map_err(|_| AuthError::KeyMismatch)
        };
        let n = to_boxed(&self.public.n)?;
        let e = to_boxed(&self.public.e)?;
        let d = to_boxed(&self.d)?;
        let primes = vec![to_boxed(p)?, to_boxed(q)?];
        // The large-exponent constructor still checks n = p·q and e·d ≡ 1 mod (p-1), (q-1);
        // the emulator's CA key has a 2048-bit e (e = d^-1 mod λ(n)).
        let key = rsa::RsaPrivateKey::from_components_with_large_exponent(n, e, d, primes)
            .map_err(|_| AuthError::KeyMismatch)?;
        Ok(key)
    }

    /// `m^d mod n` for a message representative of exactly `k` bytes with `m < n`; the
    /// result on `k` bytes. With [`RsaPath::Crt`] and an RNG the operation is blinded.
    pub(crate) fn private_op<R: CryptoRng + ?Sized>(
        &self,
        m: &[u8],
        path: RsaPath,
        rng: Option<&mut R>,
        kind: KeyKind,
    ) -> Result<Vec<u8>, AuthError> {
        let k = self.public.len();
        let bad = AuthError::MalformedKey(kind);
        if m.len() != k {
            return Err(AuthError::InvalidLength);
        }
        let mut mv = num::to_uint(m).ok_or(AuthError::InvalidLength)?;
        if mv >= self.public.n {
            mv.zeroize();
            return Err(AuthError::InvalidLength);
        }
        let out = match (&self.crt, path) {
            (Some(key), RsaPath::Crt) => {
                let c = BoxedUint::from_be_slice(m, key.n_bits_precision()).map_err(|_| bad)?;
                // With the CRT fault check (s^e mod n == m): a faulty half-computation would
                // otherwise reveal a factor of n.
                let s = match rng {
                    Some(rng) => rsa::hazmat::rsa_decrypt_and_check(key, Some(rng), &c),
                    None => rsa::hazmat::rsa_decrypt_and_check(key, None::<&mut NoBlinding>, &c),
                }
                .map_err(|_| bad)?;
                let bytes = Zeroizing::new(s.to_be_bytes());
                let sv = num::to_uint(&bytes).ok_or(bad)?;
                num::to_fixed(&sv, k).ok_or(bad)?
            }
            _ => {
                let mut base = Residue::new(&mv, &self.public.params);
                let mut s = base.pow(&self.d);
                let sv = s.retrieve();
                base.zeroize();
                s.zeroize();
                num::to_fixed(&sv, k).ok_or(bad)?
            }
        };
        mv.zeroize();
        Ok(out)
    }
}

/// Recovers `(p, q)` from `(n, e, d)`: with `e·d - 1 = 2^t·r` (`r` odd), for small bases `g`
/// a square root of 1 other than ±1 among `g^r, g^2r, …` gives `p = gcd(x - 1, n)`. Variable
/// time: used only on the well-known host keys (public material).
fn factor(public: &RsaPublic, d: &U2048) -> Option<(U2048, U2048)> {
    let ed: U4096 = public.e.concatenating_mul(d);
    let k = ed.wrapping_sub(&U4096::ONE);
    if k == U4096::ZERO {
        return None;
    }
    let t = k.trailing_zeros();
    if t == 0 {
        return None;
    }
    let r = k.shr_vartime(t);
    let one = Residue::one(&public.params);
    let minus_one = one.neg();
    for base in [
        2u8, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
    ] {
        let mut x = Residue::new(&U2048::from_u8(base), &public.params).pow_vartime(&r);
        if x == one || x == minus_one {
            continue;
        }
        for _ in 0..t {
            let y = x.square();
            if y == one {
                // x is a non-trivial square root of 1.
                let x_minus_one = x.retrieve().wrapping_sub(&U2048::ONE);
                let p = x_minus_one.gcd_vartime(&public.n);
                if p <= U2048::ONE || p >= public.n {
                    return None;
                }
                let p_nz: NonZero<U2048> = NonZero::new(p).into_option()?;
                let (q, rem) = public.n.div_rem_vartime(&p_nz);
                if rem != U2048::ZERO {
                    return None;
                }
                return Some((p, q));
            }
            if y == minus_one {
                break;
            }
            x = y;
        }
    }
    None
}
