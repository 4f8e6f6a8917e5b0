//! The Montgomery context of one odd modulus, and the operations modulo it.

#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "indexes and their sums are loop counters below 2·L <= 2·MAX_L (checked at \
              compile time), never data: no overflow, and the bounds checks compile away"
)]

use subtle::Choice;
use zeroize::Zeroize;

use super::Limbs;
use super::ct::{self, adc, mac};

/// Width in bits of the exponent windows of [`Modulus::pow`] for exponents longer than
/// [`SHORT_EXPONENT`] bits (and of the sliding windows of [`Modulus::pow_vartime`]).
pub const WINDOW: u32 = 5;
const TABLE: usize = 1 << WINDOW;
/// Up to this public exponent length [`Modulus::pow`] uses 4-bit windows: for a 256-bit
/// exponent the 16-entry table costs 14 operations to build and half as much to scan, against
/// 12 more window multiplications (OpenSSL makes the same choice below 307 bits,
/// `BN_window_bits_for_ctime_exponent_size`). Measured on a 2048-bit modulus with a 256-bit
/// exponent: 2.4% faster than 5-bit windows.
pub const SHORT_EXPONENT: u32 = 320;
const SHORT_TABLE: usize = 1 << 4;
/// Widest supported number (4096 bits would need a larger product buffer).
const MAX_L: usize = 32;
const WIDE: usize = 2 * MAX_L;

/// An odd modulus `n > 1` of at most `64·L` bits with its Montgomery constants
/// (`R = 2^(64·L)`): `-n^-1 mod 2^64`, `R mod n` and `R^2 mod n`, computed once.
///
/// Values "in Montgomery form" are `x·R mod n`; [`to_mont`](Self::to_mont) and
/// [`from_mont`](Self::from_mont) convert. All operations take inputs below `n` (unless
/// stated) and return outputs below `n`, in constant time. Zeroized on drop (an RSA prime is
/// a secret).
#[derive(Clone)]
pub struct Modulus<const L: usize> {
    n: Limbs<L>,
    n0: u64,
    one: Limbs<L>,
    rr: Limbs<L>,
    bits: u32,
}

impl<const L: usize> core::fmt::Debug for Modulus<L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Modulus")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl<const L: usize> Drop for Modulus<L> {
    fn drop(&mut self) {
        self.n.zeroize();
        self.one.zeroize();
        self.rr.zeroize();
        self.n0.zeroize();
    }
}

impl<const L: usize> Modulus<L> {
    const WIDTH_OK: () = assert!(L > 0 && L <= MAX_L, "Modulus width out of range");

    /// The context for `n`; `None` if `n` is even or below 3. Reads the bit length of `n`
    /// (variable time in it, constant time in the other bits).
    pub fn new(n: &Limbs<L>) -> Option<Self> {
        let () = Self::WIDTH_OK;
        let bits = super::bits_vartime(n);
        if n[0] & 1 == 0 || bits < 2 {
            return None;
        }
        // -n^-1 mod 2^64 by Newton's iteration (n·n ≡ 1 mod 8 gives 3 correct bits).
        let mut inv = n[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let mut m = Self {
            n: *n,
            n0: inv.wrapping_neg(),
            one: [0; L],
            rr: [0; L],
            bits,
        };
        // 64·L = t·2^s with t odd. Start from 2^(bits-1) < n, double modulo n up to
        // 2^(64·L + t) = Montgomery form of 2^t, then square s times: Montgomery form of
        // 2^(t·2^s) = R, that is R^2 mod n.
        let width = u32::try_from(L).unwrap_or(0).saturating_mul(64);
        let s = width.trailing_zeros();
        let t = width >> s;
        let mut x = [0u64; L];
        let top = bits.saturating_sub(1);
        let top_index = usize::try_from(top / 64).unwrap_or(0);
        if let Some(limb) = x.get_mut(top_index) {
            *limb = 1u64 << (top % 64);
        }
        let doublings = width.saturating_add(t).saturating_sub(top);
        for _ in 0..doublings {
            let mut carry = 0u64;
            for limb in x.iter_mut() {
                let v = *limb;
                *limb = (v << 1) | carry;
                carry = v >> 63;
            }
            m.reduce_once(&mut x, carry);
        }
        for _ in 0..s {
            x = m.square(&x);
        }
        m.rr = x;
        let mut unit = [0u64; L];
        unit[0] = 1;
        m.one = m.mul(&m.rr, &unit);
        Some(m)
    }

    /// The modulus.
    pub fn n(&self) -> &Limbs<L> {
        &self.n
    }

    /// Bit length of the modulus.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// `1` in Montgomery form (`R mod n`).
    pub fn one(&self) -> &Limbs<L> {
        &self.one
    }

    /// `x < 2·n` (or `x + 2^(64·L)·carry`, below `2·n`) reduced below `n` by one masked
    /// subtraction.
    #[inline(always)]
    fn reduce_once(&self, x: &mut Limbs<L>, carry: u64) {
        let mut d = [0u64; L];
        let borrow = ct::sub(&mut d, x, &self.n);
        // Subtract when the value overflowed the limbs or is at least n.
        ct::assign_masked(x, &d, ct::mask(carry | (borrow ^ 1)));
    }

    /// Montgomery reduction of the `2L`-limb value `t < n·R`: `t·R^-1 mod n`.
    #[inline(always)]
    fn redc(&self, t: &mut [u64; WIDE]) -> Limbs<L> {
        let mut top = 0u64;
        for i in 0..L {
            let m = t[i].wrapping_mul(self.n0);
            let mut c = 0u64;
            for j in 0..L {
                let (lo, hi) = mac(m, self.n[j], t[i + j], c);
                t[i + j] = lo;
                c = hi;
            }
            let (s, carry) = adc(t[i + L], c, top);
            t[i + L] = s;
            top = carry;
        }
        let mut r = [0u64; L];
        r.copy_from_slice(&t[L..2 * L]);
        self.reduce_once(&mut r, top);
        r
    }

    /// Montgomery product `a·b·R^-1 mod n` (`a·b < n·R`, e.g. both below `n`), by finely
    /// integrated product scanning: column by column, the products of `a·b` and of `m·n`
    /// summed in a three-limb accumulator held in registers, the reduction digit `m[i]`
    /// chosen as soon as column `i` is complete.
    #[inline(never)]
    pub fn mul(&self, a: &Limbs<L>, b: &Limbs<L>) -> Limbs<L> {
        let n = &self.n;
        let mut m = [0u64; L];
        let mut r = [0u64; L];
        let mut acc = Acc::default();
        for i in 0..L {
            for j in 0..i {
                acc.mul_add(a[j], b[i - j]);
                acc.mul_add(m[j], n[i - j]);
            }
            acc.mul_add(a[i], b[0]);
            let mi = acc.low().wrapping_mul(self.n0);
            m[i] = mi;
            acc.mul_add(mi, n[0]);
            acc.shift();
        }
        for i in L..2 * L {
            for j in (i + 1 - L)..L {
                acc.mul_add(a[j], b[i - j]);
                acc.mul_add(m[j], n[i - j]);
            }
            r[i - L] = acc.low();
            acc.shift();
        }
        self.reduce_once(&mut r, acc.low());
        r
    }

    /// Montgomery square `a^2·R^-1 mod n`, by the same column scan with each cross product
    /// `a[j]·a[k]` (`j < k`) computed once and doubled.
    #[inline(never)]
    pub fn square(&self, a: &Limbs<L>) -> Limbs<L> {
        let n = &self.n;
        let mut m = [0u64; L];
        let mut r = [0u64; L];
        let mut acc = Acc::default();
        for i in 0..L {
            let mut cross = Acc::default();
            for j in 0..i.div_ceil(2) {
                cross.mul_add(a[j], a[i - j]);
            }
            acc.add_doubled(&cross);
            if i % 2 == 0 {
                acc.mul_add(a[i / 2], a[i / 2]);
            }
            for j in 0..i {
                acc.mul_add(m[j], n[i - j]);
            }
            let mi = acc.low().wrapping_mul(self.n0);
            m[i] = mi;
            acc.mul_add(mi, n[0]);
            acc.shift();
        }
        for i in L..2 * L {
            let mut cross = Acc::default();
            let start = i + 1 - L;
            for j in start..start.max(i.div_ceil(2)) {
                cross.mul_add(a[j], a[i - j]);
            }
            acc.add_doubled(&cross);
            if i % 2 == 0 {
                acc.mul_add(a[i / 2], a[i / 2]);
            }
            for j in start..L {
                acc.mul_add(m[j], n[i - j]);
            }
            r[i - L] = acc.low();
            acc.shift();
        }
        self.reduce_once(&mut r, acc.low());
        r
    }

    /// `x` (any value below `2^(64·L)`) in Montgomery form: `x·R mod n`.
    pub fn to_mont(&self, x: &Limbs<L>) -> Limbs<L> {
        self.mul(x, &self.rr)
    }

    /// Back from Montgomery form: `x·R^-1 mod n`.
    pub fn from_mont(&self, x: &Limbs<L>) -> Limbs<L> {
        let mut t = [0u64; WIDE];
        t[..L].copy_from_slice(x);
        self.redc(&mut t)
    }

    /// `(hi·2^(64·L) + lo) mod n` for a double-width value below `n·2^(64·L)` (e.g. an
    /// RSA-2048 value modulo a 1024-bit prime of the key).
    pub fn reduce_wide(&self, lo: &Limbs<L>, hi: &Limbs<L>) -> Limbs<L> {
        let mut t = [0u64; WIDE];
        t[..L].copy_from_slice(lo);
        t[L..2 * L].copy_from_slice(hi);
        let r = self.redc(&mut t);
        t.zeroize();
        self.mul(&r, &self.rr)
    }

    /// `a - b mod n` (both below `n`), in either form.
    pub fn sub(&self, a: &Limbs<L>, b: &Limbs<L>) -> Limbs<L> {
        let mut d = [0u64; L];
        let borrow = ct::sub(&mut d, a, b);
        let mut back = [0u64; L];
        ct::add(&mut back, &d, &self.n);
        ct::assign_masked(&mut d, &back, ct::mask(borrow));
        d
    }

    /// `base^exp` in Montgomery form (`base` in Montgomery form) for an exponent below
    /// `2^bits`, given as little-endian limbs (higher limbs may be absent). Constant time in
    /// `base` and `exp`: the work depends only on `bits`, a public length; fixed windows (4
    /// bits up to [`SHORT_EXPONENT`] bits, 5 beyond: chosen from `bits` alone), each table
    /// entry read by a masked scan of the whole table.
    pub fn pow(&self, base: &Limbs<L>, exp: &[u64], bits: u32) -> Limbs<L> {
        if bits <= SHORT_EXPONENT {
            self.pow_windows::<SHORT_TABLE>(base, exp, bits)
        } else {
            self.pow_windows::<TABLE>(base, exp, bits)
        }
    }

    /// Left-to-right fixed-window exponentiation with `T = 2^w` table entries.
    fn pow_windows<const T: usize>(&self, base: &Limbs<L>, exp: &[u64], bits: u32) -> Limbs<L> {
        let width = T.trailing_zeros();
        let windows = bits.div_ceil(width);
        let Some(top) = windows.checked_sub(1) else {
            return self.one;
        };
        let mut table = [[0u64; L]; T];
        table[0] = self.one;
        table[1] = *base;
        for k in 2..T {
            table[k] = if k % 2 == 0 {
                self.square(&table[k / 2])
            } else {
                self.mul(&table[k - 1], base)
            };
        }
        let mut acc = select(&table, digit(exp, top, width));
        for w in (0..top).rev() {
            for _ in 0..width {
                acc = self.square(&acc);
            }
            let mut entry = select(&table, digit(exp, w, width));
            acc = self.mul(&acc, &entry);
            entry.zeroize();
        }
        table.zeroize();
        acc
    }

    /// `base^exp` in Montgomery form for a public exponent (variable time in `exp` only):
    /// binary for short exponents, sliding windows of up to 5 bits over a table of the odd
    /// powers otherwise.
    pub fn pow_vartime(&self, base: &Limbs<L>, exp: &[u64]) -> Limbs<L> {
        let bits = exp
            .iter()
            .enumerate()
            .rev()
            .find(|(_, limb)| **limb != 0)
            .map_or(0, |(i, limb)| {
                u32::try_from(i)
                    .unwrap_or(0)
                    .saturating_mul(64)
                    .saturating_add(64 - limb.leading_zeros())
            });
        if bits == 0 {
            return self.one;
        }
        if bits <= 64 {
            let e = exp.first().copied().unwrap_or(0);
            let mut acc = *base;
            for i in (0..bits - 1).rev() {
                acc = self.square(&acc);
                if (e >> i) & 1 == 1 {
                    acc = self.mul(&acc, base);
                }
            }
            return acc;
        }
        // Sliding windows of up to 5 bits ending in a 1: a table of the 16 odd powers.
        let mut odd = [[0u64; L]; TABLE / 2];
        odd[0] = *base;
        let base_sq = self.square(base);
        for k in 1..TABLE / 2 {
            odd[k] = self.mul(&odd[k - 1], &base_sq);
        }
        let bit = |k: u32| (exp[(k / 64) as usize] >> (k % 64)) & 1;
        let mut acc: Option<Limbs<L>> = None;
        let mut i = bits - 1;
        loop {
            if bit(i) == 0 {
                if let Some(a) = acc.as_mut() {
                    *a = self.square(a);
                }
            } else {
                let mut j = i.saturating_sub(WINDOW - 1);
                while bit(j) == 0 {
                    j += 1;
                }
                let mut value = 0usize;
                for k in (j..=i).rev() {
                    value = (value << 1) | bit(k) as usize;
                }
                let entry = &odd[value >> 1];
                acc = Some(match acc {
                    Some(mut a) => {
                        for _ in j..=i {
                            a = self.square(&a);
                        }
                        self.mul(&a, entry)
                    }
                    None => *entry,
                });
                i = j;
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        acc.unwrap_or(self.one)
    }

    /// Constant-time `x == 1` for `x` in Montgomery form.
    pub fn is_one(&self, x: &Limbs<L>) -> Choice {
        super::ct_eq(x, &self.one)
    }
}

/// A three-limb column accumulator: 128 bits and an overflow limb.
#[derive(Default, Clone, Copy)]
struct Acc {
    lo: u128,
    hi: u64,
}

impl Acc {
    #[inline(always)]
    fn mul_add(&mut self, a: u64, b: u64) {
        let p = u128::from(a).wrapping_mul(u128::from(b));
        let (s, o) = self.lo.overflowing_add(p);
        self.lo = s;
        self.hi = self.hi.wrapping_add(u64::from(o));
    }

    /// Adds `2·other`.
    #[inline(always)]
    fn add_doubled(&mut self, other: &Acc) {
        let top = (other.hi << 1) | ((other.lo >> 127) as u64);
        let (s, o) = self.lo.overflowing_add(other.lo << 1);
        self.lo = s;
        self.hi = self.hi.wrapping_add(top).wrapping_add(u64::from(o));
    }

    #[inline(always)]
    fn low(&self) -> u64 {
        self.lo as u64
    }

    /// Drops the low limb: the accumulator moves to the next column.
    #[inline(always)]
    fn shift(&mut self) {
        self.lo = (self.lo >> 64) | (u128::from(self.hi) << 64);
        self.hi = 0;
    }
}

/// Window `w` of the exponent (bits `width·w .. width·(w+1)`, `width <= 8`), as a `u64`.
#[inline(always)]
fn digit(exp: &[u64], w: u32, width: u32) -> u64 {
    let pos = w.saturating_mul(width);
    let limb = usize::try_from(pos / 64).unwrap_or(usize::MAX);
    let off = pos % 64;
    let mut v = exp.get(limb).copied().unwrap_or(0) >> off;
    if off + width > 64 {
        let next = exp.get(limb.saturating_add(1)).copied().unwrap_or(0);
        v |= next << (64 - off);
    }
    v & ((1u64 << width) - 1)
}

/// `table[index]` read by scanning every entry with a mask.
#[inline(always)]
fn select<const L: usize, const T: usize>(table: &[[u64; L]; T], index: u64) -> Limbs<L> {
    let mut out = [0u64; L];
    for (k, entry) in (0u64..).zip(table.iter()) {
        let m = ct::mask(ct::eq_bit(k, index));
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & m;
        }
    }
    out
}

/// The plain product `a·b` into `out[..2L]` (the rest of `out` untouched); `None` if `out`
/// is shorter than `2L` limbs.
pub(crate) fn mul_wide<const L: usize>(a: &Limbs<L>, b: &Limbs<L>, out: &mut [u64]) -> Option<()> {
    let out = out.get_mut(..2 * L)?;
    out.fill(0);
    for i in 0..L {
        let mut c = 0u64;
        for j in 0..L {
            let (lo, hi) = mac(a[i], b[j], out[i + j], c);
            out[i + j] = lo;
            c = hi;
        }
        out[i + L] = c;
    }
    Some(())
}
