//! Constant-time Montgomery arithmetic for the sizes the protocol uses: 2048-bit moduli
//! (the DH prime, RSA moduli) and their 1024-bit CRT halves.
//!
//! Numbers are fixed arrays of `L` little-endian 64-bit limbs ([`Limbs`]); the width is a
//! const generic, so every loop has a compile-time trip count and the compiler specialises
//! the multiplication and the squaring for each width ([`U1024`] = 16 limbs, [`U2048`] =
//! 32 limbs). Nothing allocates and the module is `no_std`.
//!
//! * [`Modulus::mul`] multiplies by separated operand scanning (the full `2L`-limb product,
//!   then a Montgomery reduction); [`Modulus::square`] computes each cross product once and
//!   doubles it, which saves about a quarter of the work of a multiplication.
//! * The final subtraction of every reduction is done by mask: no branch depends on the
//!   value.
//! * [`Modulus::pow`] is a left-to-right fixed-window exponentiation (4-bit windows up to
//!   [`SHORT_EXPONENT`] bits, 5-bit beyond, chosen from the public length): the same
//!   sequence of squarings and multiplications for every exponent of the same public bit
//!   length, and each window's table entry is read by scanning the whole table with masks,
//!   so neither the time nor the memory addresses depend on the exponent or the base.
//! * [`Modulus::pow_vartime`] is for public exponents only (RSA `e`, the subgroup order `q`):
//!   it skips the table scan and the leading zero windows.
//!
//! What depends on the modulus: [`Modulus::new`] reads its bit length (public for an RSA
//! prime of a 2048-bit key and for a DH prime); everything else is constant time in the
//! modulus as well.
//!
//! The crate uses this core for the DH exponentiations, the subgroup checks and every RSA
//! operation (see `docs/arithmetic.md`); `crypto-bigint` and `rsa` stay for parsing keys
//! into components and for the one-time checks of a key pair.

mod crt;
mod ct;

use zeroize::Zeroize;
mod mont;

pub use crt::CrtKey;
pub(crate) use mont::mul_wide;
pub use mont::{Modulus, SHORT_EXPONENT, WINDOW};

/// A number as `L` little-endian 64-bit limbs.
pub type Limbs<const L: usize> = [u64; L];

/// Width of a 1024-bit number (an RSA-2048 CRT half).
pub const U1024: usize = 16;
/// Width of a 2048-bit number.
pub const U2048: usize = 32;

/// Reads big-endian bytes (leading zeros allowed) into limbs; `None` if the value needs more
/// than `64·L` bits.
pub fn from_be_bytes<const L: usize>(bytes: &[u8]) -> Option<Limbs<L>> {
    let digits = strip_zeros(bytes);
    if digits.len() > L.saturating_mul(8) {
        return None;
    }
    let mut out = [0u64; L];
    for (limb, chunk) in out.iter_mut().zip(digits.rchunks(8)) {
        let mut word = [0u8; 8];
        let start = 8usize.saturating_sub(chunk.len());
        if let Some(dst) = word.get_mut(start..) {
            dst.copy_from_slice(chunk);
        }
        *limb = u64::from_be_bytes(word);
    }
    Some(out)
}

/// Writes `x` big-endian into `out`, left-padded with zeros; `None` (and `out` untouched) if
/// the value does not fit in `out.len()` bytes.
pub fn write_be_bytes<const L: usize>(x: &Limbs<L>, out: &mut [u8]) -> Option<()> {
    let len = out.len();
    // Every limb byte beyond `len` must be zero.
    let mut overflow = 0u8;
    for (i, limb) in x.iter().enumerate() {
        for (j, b) in limb.to_le_bytes().iter().enumerate() {
            let pos = i.saturating_mul(8).saturating_add(j);
            if pos >= len {
                overflow |= *b;
            }
        }
    }
    if overflow != 0 {
        return None;
    }
    for (k, dst) in out.iter_mut().rev().enumerate() {
        let limb = x.get(k / 8).copied().unwrap_or(0);
        *dst = limb.to_le_bytes().get(k % 8).copied().unwrap_or(0);
    }
    Some(())
}

/// The bytes after the leading zero bytes.
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

/// Number of significant bits of `x` (variable time: for public values).
pub fn bits_vartime<const L: usize>(x: &Limbs<L>) -> u32 {
    for (i, limb) in x.iter().enumerate().rev() {
        if *limb != 0 {
            let below = u32::try_from(i).unwrap_or(0).saturating_mul(64);
            return below.saturating_add(64u32.saturating_sub(limb.leading_zeros()));
        }
    }
    0
}

/// The low and high 1024-bit halves of a 2048-bit number.
pub fn split(x: &Limbs<U2048>) -> (Limbs<U1024>, Limbs<U1024>) {
    let mut lo = [0u64; U1024];
    let mut hi = [0u64; U1024];
    for (i, limb) in x.iter().enumerate() {
        if let Some(slot) = lo.get_mut(i) {
            *slot = *limb;
        } else if let Some(slot) = hi.get_mut(i.wrapping_sub(U1024)) {
            *slot = *limb;
        }
    }
    (lo, hi)
}

/// `out = a - b`, returns the borrow (1 if `a < b`); constant time.
pub fn sub_limbs<const L: usize>(out: &mut Limbs<L>, a: &Limbs<L>, b: &Limbs<L>) -> u64 {
    ct::sub(out, a, b)
}

/// The CRT recombination `h·q + m_q` (Garner), as a 2048-bit number: `h < p`, `m_q < q`, so
/// the sum is below `p·q`. Constant time.
pub(crate) fn crt_combine(
    h: &Limbs<U1024>,
    q: &Limbs<U1024>,
    m_q: &Limbs<U1024>,
) -> Option<Limbs<U2048>> {
    let mut s = [0u64; U2048];
    mul_wide(h, q, &mut s)?;
    let mut wide = [0u64; U2048];
    for (dst, src) in wide.iter_mut().zip(m_q.iter()) {
        *dst = *src;
    }
    let mut sum = [0u64; U2048];
    ct::add(&mut sum, &s, &wide);
    s.zeroize();
    wide.zeroize();
    Some(sum)
}

/// Constant-time `x == y`.
pub fn ct_eq<const L: usize>(x: &Limbs<L>, y: &Limbs<L>) -> subtle::Choice {
    let mut diff = 0u64;
    for (a, b) in x.iter().zip(y.iter()) {
        diff |= a ^ b;
    }
    ct::is_zero(diff)
}

/// Constant-time `x < y`.
pub fn ct_lt<const L: usize>(x: &Limbs<L>, y: &Limbs<L>) -> subtle::Choice {
    let mut scratch = [0u64; L];
    let borrow = ct::sub(&mut scratch, x, y);
    subtle::Choice::from((borrow & 1) as u8)
}

#[cfg(test)]
mod tests;
