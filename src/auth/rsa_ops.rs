//! Raw RSA for ISO/IEC 9796-2 and PKCS#1 v1.5 type 1 (docs/protocol.md §3.1, 3.2, 3.5).
//!
//! All the arithmetic runs on the crate's constant-time Montgomery core ([`crate::arith`]):
//!
//! * Public operations (certificate and signature checks): `s^e mod n` with the exponent
//!   read in variable time (it is public), or, for a party that owns the key pair and
//!   attached its primes (the virtual card's CA key, whose public exponent is 2048 bits
//!   long), the same operation by CRT modulo the two primes.
//! * Private operations have two paths. [`RsaPath::Plain`] is `m^d mod n` with a
//!   full-width, constant-time exponentiation (the straightforward path). [`RsaPath::Crt`]
//!   runs modulo the two primes (given, or recovered once from `(n, e, d)`) with the
//!   Montgomery constants of `n`, `p` and `q` computed once, checks the result against a CRT
//!   fault (`s^e mod n == m`) and, when an RNG is given, blinds the exponents
//!   (`d mod (p-1) + k·(p-1)` with a fresh random 64-bit `k` for each prime).
//!
//! The `rsa` crate stays where it serves: it checks a key pair once when it is built
//! (`n = p·q`, `e·d ≡ 1` modulo `p - 1` and `q - 1`) and derives its CRT values.
//!
//! On the host both private keys (terminal and CA) are the well-known public values of every
//! CIE client (checklist K6, P-CT1): no secret RSA decryption ever happens on the host.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::convert::Infallible;
use crypto_bigint::{NonZero, U2048, U4096};
use rand_core::{CryptoRng, TryCryptoRng, TryRng};
use rsa::BoxedUint;
use rsa::traits::PrivateKeyParts;
use zeroize::{Zeroize, Zeroizing};

use super::error::{AuthError, KeyKind};
use super::num::{self, Params, Residue};
use crate::arith::{self, CrtKey, Limbs, Modulus};

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
    /// Montgomery constants of `n` for the public operation.
    mont: Box<Modulus<{ arith::U2048 }>>,
    e_limbs: Limbs<{ arith::U2048 }>,
    n_bytes: Vec<u8>,
    e_bytes: Vec<u8>,
    /// The primes of `n`, for a party that owns the key pair (the virtual card's CA): the
    /// public operation then runs modulo `p` and `q`.
    factors: Option<Box<Factored>>,
}

/// `x^e mod n` by the Chinese remainder theorem, for a holder of the factors: two
/// exponentiations modulo 1024-bit primes with `e mod (p-1)` and `e mod (q-1)` instead of
/// one modulo `n` with `e` (which is 2048 bits long for the emulator's CA key). The exponents
/// are public, so they are read in variable time; `q^-1 mod p` is computed once, in constant
/// time.
#[derive(Clone)]
struct Factored {
    p: Modulus<{ arith::U1024 }>,
    q: Modulus<{ arith::U1024 }>,
    e_p: Limbs<{ arith::U1024 }>,
    e_q: Limbs<{ arith::U1024 }>,
    /// `q^-1 mod p`, Montgomery form modulo `p`.
    q_inv: Limbs<{ arith::U1024 }>,
}

/// `x mod (y - 1)` for public 2048-bit values, as 1024-bit limbs.
fn rem_minus_one(x: &U2048, y: &U2048) -> Option<Limbs<{ arith::U1024 }>> {
    let y_minus_1: NonZero<U2048> = NonZero::new(y.wrapping_sub(&U2048::ONE)).into_option()?;
    let r = x.rem_vartime(&y_minus_1);
    arith::from_be_bytes(&r.to_be_bytes())
}

impl Factored {
    fn new(n: &U2048, e: &U2048, p: &U2048, q: &U2048) -> Option<Self> {
        if p.wrapping_mul(q) != *n || p.bit_width_vartime() > 1024 || q.bit_width_vartime() > 1024 {
            return None;
        }
        let p_limbs: Limbs<{ arith::U1024 }> = arith::from_be_bytes(&p.to_be_bytes())?;
        let q_limbs: Limbs<{ arith::U1024 }> = arith::from_be_bytes(&q.to_be_bytes())?;
        let pm = Modulus::new(&p_limbs)?;
        let qm = Modulus::new(&q_limbs)?;
        // q^-1 mod p by Fermat (p is prime): q^(p-2).
        let q_mod_p = pm.reduce_wide(&q_limbs, &[0; arith::U1024]);
        let mut p_minus_2 = p_limbs;
        let two = {
            let mut t = [0u64; arith::U1024];
            t[0] = 2;
            t
        };
        let mut scratch = [0u64; arith::U1024];
        let borrow = arith::sub_limbs(&mut scratch, &p_minus_2, &two);
        if borrow != 0 {
            return None;
        }
        p_minus_2 = scratch;
        // p is the owner's secret: constant time (its bit length is public).
        let q_inv = pm.pow(&pm.to_mont(&q_mod_p), &p_minus_2, pm.bits());
        Some(Self {
            e_p: rem_minus_one(e, p)?,
            e_q: rem_minus_one(e, q)?,
            p: pm,
            q: qm,
            q_inv,
        })
    }

    fn apply(&self, x: &Limbs<{ arith::U2048 }>) -> Option<Limbs<{ arith::U2048 }>> {
        let (lo, hi) = arith::split(x);
        let m_p = self.p.from_mont(
            &self
                .p
                .pow_vartime(&self.p.to_mont(&self.p.reduce_wide(&lo, &hi)), &self.e_p),
        );
        let m_q = self.q.from_mont(
            &self
                .q
                .pow_vartime(&self.q.to_mont(&self.q.reduce_wide(&lo, &hi)), &self.e_q),
        );
        // m_q < q may exceed p: reduce before moving it into the p residues.
        let m_q_mod_p = self.p.reduce_wide(&m_q, &[0; arith::U1024]);
        let h = self.p.mul(&self.p.sub(&m_p, &m_q_mod_p), &self.q_inv);
        arith::crt_combine(&h, self.q.n(), &m_q)
    }
}

impl core::fmt::Debug for RsaPublic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublic")
            .field("bits", &self.n.bit_width_vartime())
            .finish_non_exhaustive()
    }
}

impl RsaPublic {
    /// `n` odd, at least 512 and at most 2048 bits; `e` odd and `1 < e < n`.
    pub(crate) fn new(n: &[u8], e: &[u8], kind: KeyKind) -> Result<Self, AuthError> {
        let bad = AuthError::MalformedKey(kind);
        let nv = num::to_uint(n).ok_or(AuthError::TooLarge)?;
        let ev = num::to_uint(e).ok_or(bad)?;
        if nv.bit_width_vartime() < 512 {
            return Err(bad);
        }
        let params = num::params_for(&nv).ok_or(bad)?;
        if ev <= U2048::ONE || ev >= nv || !bool::from(ev.is_odd()) {
            return Err(bad);
        }
        let n_limbs = arith::from_be_bytes(n).ok_or(AuthError::TooLarge)?;
        let mont = Box::new(Modulus::new(&n_limbs).ok_or(bad)?);
        Ok(Self {
            n: nv,
            e: ev,
            params,
            mont,
            e_limbs: arith::from_be_bytes(e).ok_or(bad)?,
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
        let sv: Limbs<{ arith::U2048 }> = arith::from_be_bytes(s)?;
        if !bool::from(arith::ct_lt(&sv, self.mont.n())) {
            return None;
        }
        let m = match &self.factors {
            Some(factors) => factors.apply(&sv)?,
            None => self.public_op_limbs(&sv),
        };
        let mut out = vec![0u8; self.len()];
        arith::write_be_bytes(&m, &mut out)?;
        Some(out)
    }

    /// `s^e mod n` on limbs (`s < n`), without CRT.
    fn public_op_limbs(&self, s: &Limbs<{ arith::U2048 }>) -> Limbs<{ arith::U2048 }> {
        let m = &self.mont;
        m.from_mont(&m.pow_vartime(&m.to_mont(s), &self.e_limbs))
    }
}

/// An RSA private key: public part, `d`, and optionally its CRT form (primes, CRT exponents
/// and Montgomery constants, computed once). Zeroized on drop (the CRT key zeroizes itself).
#[derive(Clone)]
pub(crate) struct RsaPrivate {
    public: RsaPublic,
    d: U2048,
    crt: Option<Box<CrtKey>>,
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

    fn build_crt(&self, p: &U2048, q: &U2048) -> Result<Box<CrtKey>, AuthError> {
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
        let mut key = rsa::PrivateKey::from_components_with_large_exponent(n, e, d, primes)
            .map_err(|_| AuthError::KeyMismatch)?;
        key.precompute().map_err(|_| AuthError::KeyMismatch)?;
        let bytes = |x: &BoxedUint| Zeroizing::new(x.to_be_bytes());
        let dp = key.dp().map(bytes).ok_or(AuthError::KeyMismatch)?;
        let dq = key.dq().map(bytes).ok_or(AuthError::KeyMismatch)?;
        let qinv = key
            .crt_coefficient()
            .map(|x| bytes(&x))
            .ok_or(AuthError::KeyMismatch)?;
        let (p_bytes, q_bytes) = (
            Zeroizing::new(p.to_be_bytes()),
            Zeroizing::new(q.to_be_bytes()),
        );
        let crt = CrtKey::new(
            &self.public.n_bytes,
            &self.public.e_bytes,
            p_bytes.as_slice(),
            q_bytes.as_slice(),
            &dp,
            &dq,
            &qinv,
        )
        .ok_or(AuthError::KeyMismatch)?;
        Ok(Box::new(crt))
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
        let mut m_limbs: Limbs<{ arith::U2048 }> =
            arith::from_be_bytes(m).ok_or(AuthError::InvalidLength)?;
        let mut s = match (&self.crt, path) {
            (Some(key), RsaPath::Crt) => {
                // With the CRT fault check (s^e mod n == m): a faulty half-computation would
                // otherwise reveal a factor of n.
                let blind = rng.map(|r| [r.next_u64(), r.next_u64()]);
                key.sign(&m_limbs, blind).ok_or(bad)?
            }
            _ => {
                let mont = &self.public.mont;
                let mut d: Limbs<{ arith::U2048 }> =
                    arith::from_be_bytes(Zeroizing::new(self.d.to_be_bytes()).as_slice())
                        .ok_or(bad)?;
                let mut base = mont.to_mont(&m_limbs);
                let mut r = mont.pow(&base, &d, 2048);
                let s = mont.from_mont(&r);
                d.zeroize();
                base.zeroize();
                r.zeroize();
                s
            }
        };
        let mut out = vec![0u8; k];
        let written = arith::write_be_bytes(&s, &mut out);
        s.zeroize();
        m_limbs.zeroize();
        written.ok_or(bad)?;
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
