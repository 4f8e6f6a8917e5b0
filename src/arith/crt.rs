//! RSA-2048 with the Chinese remainder theorem on the Montgomery core.

#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "fixed-size arrays indexed by constants and loop counters within their widths"
)]

use zeroize::Zeroize;

use super::{Limbs, Modulus, U1024, U2048, ct, mul_wide};

/// Exponent limbs of a CRT half with a 64-bit blinding multiple of `p - 1` added.
const BLINDED: usize = U1024 + 1;

/// An RSA private key of up to 2048 bits whose two primes have at most 1024 bits each, ready
/// for the private operation by CRT: the Montgomery contexts of `n`, `p` and `q` are
/// computed once. Every secret is zeroized on drop; `Debug` prints none.
#[derive(Clone)]
pub struct CrtKey {
    n: Modulus<U2048>,
    e: Limbs<U2048>,
    p: Modulus<U1024>,
    q: Modulus<U1024>,
    p_minus_1: Limbs<U1024>,
    q_minus_1: Limbs<U1024>,
    dp: Limbs<U1024>,
    dq: Limbs<U1024>,
    /// `q^-1 mod p` in Montgomery form modulo `p`.
    qinv: Limbs<U1024>,
}

impl core::fmt::Debug for CrtKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CrtKey")
            .field("bits", &self.n.bits())
            .finish_non_exhaustive()
    }
}

impl Drop for CrtKey {
    fn drop(&mut self) {
        self.p_minus_1.zeroize();
        self.q_minus_1.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
    }
}

impl CrtKey {
    /// A key from big-endian `n, e, p, q, dp = d mod (p-1), dq = d mod (q-1),
    /// qinv = q^-1 mod p`. `None` if `n ≠ p·q`, a prime is even, wider than 1024 bits, or a
    /// CRT value is not reduced. (The relation between `e` and the exponents is checked on
    /// every signature by the fault check, and once by the caller that parsed the key.)
    pub fn new(
        n: &[u8],
        e: &[u8],
        p: &[u8],
        q: &[u8],
        dp: &[u8],
        dq: &[u8],
        qinv: &[u8],
    ) -> Option<Self> {
        let n_limbs = super::from_be_bytes::<U2048>(n)?;
        let e_limbs = super::from_be_bytes::<U2048>(e)?;
        let p_limbs = super::from_be_bytes::<U1024>(p)?;
        let q_limbs = super::from_be_bytes::<U1024>(q)?;
        let mut dp_limbs = super::from_be_bytes::<U1024>(dp)?;
        let mut dq_limbs = super::from_be_bytes::<U1024>(dq)?;
        let mut qinv_limbs = super::from_be_bytes::<U1024>(qinv)?;
        let mut product = [0u64; U2048];
        mul_wide(&p_limbs, &q_limbs, &mut product)?;
        let ok = super::ct_eq(&product, &n_limbs)
            & super::ct_lt(&dp_limbs, &p_limbs)
            & super::ct_lt(&dq_limbs, &q_limbs)
            & super::ct_lt(&qinv_limbs, &p_limbs);
        let built = if bool::from(ok) {
            Self::build(
                n_limbs,
                e_limbs,
                p_limbs,
                q_limbs,
                dp_limbs,
                dq_limbs,
                &qinv_limbs,
            )
        } else {
            None
        };
        dp_limbs.zeroize();
        dq_limbs.zeroize();
        qinv_limbs.zeroize();
        built
    }

    fn build(
        n: Limbs<U2048>,
        e: Limbs<U2048>,
        p: Limbs<U1024>,
        q: Limbs<U1024>,
        dp: Limbs<U1024>,
        dq: Limbs<U1024>,
        qinv: &Limbs<U1024>,
    ) -> Option<Self> {
        let n = Modulus::new(&n)?;
        let pm = Modulus::new(&p)?;
        let qm = Modulus::new(&q)?;
        let mut one = [0u64; U1024];
        one[0] = 1;
        let mut p_minus_1 = [0u64; U1024];
        ct::sub(&mut p_minus_1, &p, &one);
        let mut q_minus_1 = [0u64; U1024];
        ct::sub(&mut q_minus_1, &q, &one);
        let qinv = pm.to_mont(qinv);
        Some(Self {
            n,
            e,
            p: pm,
            q: qm,
            p_minus_1,
            q_minus_1,
            dp,
            dq,
            qinv,
        })
    }

    /// The modulus context (for public operations with this key).
    pub fn modulus(&self) -> &Modulus<U2048> {
        &self.n
    }

    /// `m^d mod n` for `m < n`, by CRT, then checked: `s^e mod n` must give `m` back (a
    /// fault in one half would otherwise reveal a factor of `n`). `None` if `m ≥ n` or the
    /// check fails. With `blind = Some([k_p, k_q])` (random), the exponents are
    /// `dp + k_p·(p-1)` and `dq + k_q·(q-1)`: the same result, but the exponent bits the
    /// arithmetic sees change on every call. Constant time in `m`, the key and the blinding.
    pub fn sign(&self, m: &Limbs<U2048>, blind: Option<[u64; 2]>) -> Option<Limbs<U2048>> {
        if !bool::from(super::ct_lt(m, self.n.n())) {
            return None;
        }
        let (lo, hi) = super::split(m);
        // Whether to blind is public; the multiples are not.
        let bits = if blind.is_some() { 1024 + 64 } else { 1024 };
        let [k_p, k_q] = blind.unwrap_or([0, 0]);
        let mut m_p = half(&self.p, &lo, &hi, &self.dp, &self.p_minus_1, k_p, bits);
        let mut m_q = half(&self.q, &lo, &hi, &self.dq, &self.q_minus_1, k_q, bits);
        // h = qinv·(m_p - m_q) mod p; m_q < q may exceed p, reduce it first.
        let zero = [0u64; U1024];
        let mut m_q_mod_p = self.p.reduce_wide(&m_q, &zero);
        let mut diff = self.p.sub(&m_p, &m_q_mod_p);
        // (normal · Montgomery) → normal form.
        let mut h = self.p.mul(&diff, &self.qinv);
        let mut sum = super::crt_combine(&h, self.q.n(), &m_q)?;
        m_p.zeroize();
        m_q.zeroize();
        m_q_mod_p.zeroize();
        diff.zeroize();
        h.zeroize();
        // Fault check with the public exponent.
        let check = self
            .n
            .from_mont(&self.n.pow_vartime(&self.n.to_mont(&sum), &self.e));
        if bool::from(super::ct_eq(&check, m)) {
            Some(sum)
        } else {
            sum.zeroize();
            None
        }
    }
}

/// `x^(d + k·(p-1)) mod p` for `x = hi·2^1024 + lo < p·2^1024`.
fn half(
    p: &Modulus<U1024>,
    lo: &Limbs<U1024>,
    hi: &Limbs<U1024>,
    d: &Limbs<U1024>,
    p_minus_1: &Limbs<U1024>,
    k: u64,
    bits: u32,
) -> Limbs<U1024> {
    let mut x = p.reduce_wide(lo, hi);
    let mut base = p.to_mont(&x);
    // exp = d + k·(p-1), 17 limbs.
    let mut exp = [0u64; BLINDED];
    let mut carry = 0u64;
    for (i, slot) in exp.iter_mut().take(U1024).enumerate() {
        let (prod, hi_word) = ct::mac(k, p_minus_1[i], d[i], carry);
        *slot = prod;
        carry = hi_word;
    }
    exp[U1024] = carry;
    let mut r = p.pow(&base, &exp, bits);
    let out = p.from_mont(&r);
    x.zeroize();
    base.zeroize();
    exp.zeroize();
    r.zeroize();
    out
}
