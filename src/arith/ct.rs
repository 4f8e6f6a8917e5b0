//! Limb helpers: carries through `u128`, masks instead of branches.

use subtle::Choice;

/// `a·b + c + d` as (low, high) limbs; cannot overflow: `(2^64-1)^2 + 2(2^64-1) = 2^128-1`.
#[inline(always)]
pub(super) fn mac(a: u64, b: u64, c: u64, d: u64) -> (u64, u64) {
    let t = u128::from(a)
        .wrapping_mul(u128::from(b))
        .wrapping_add(u128::from(c))
        .wrapping_add(u128::from(d));
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry` as (sum, carry out), `carry` in {0, 1}.
#[inline(always)]
pub(super) fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a)
        .wrapping_add(u128::from(b))
        .wrapping_add(u128::from(carry));
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow` as (difference, borrow out), `borrow` in {0, 1}.
#[inline(always)]
pub(super) fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = u128::from(a)
        .wrapping_sub(u128::from(b))
        .wrapping_sub(u128::from(borrow));
    (t as u64, ((t >> 64) as u64) & 1)
}

/// All ones if `bit` is 1, zero if it is 0; hidden from the optimiser so that it stays a mask
/// and does not become a branch.
#[inline(always)]
pub(super) fn mask(bit: u64) -> u64 {
    core::hint::black_box(0u64.wrapping_sub(bit & 1))
}

/// `Choice(1)` if `x == 0`.
#[inline(always)]
pub(super) fn is_zero(x: u64) -> Choice {
    let nonzero = (x | x.wrapping_neg()) >> 63;
    Choice::from((nonzero ^ 1) as u8)
}

/// 1 if `x == y` else 0, without a branch.
#[inline(always)]
pub(super) fn eq_bit(x: u64, y: u64) -> u64 {
    let d = x ^ y;
    ((d | d.wrapping_neg()) >> 63) ^ 1
}

/// `out = a - b`, returns the borrow (1 if `a < b`).
#[inline(always)]
pub(super) fn sub<const L: usize>(out: &mut [u64; L], a: &[u64; L], b: &[u64; L]) -> u64 {
    let mut borrow = 0;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (d, br) = sbb(*x, *y, borrow);
        *o = d;
        borrow = br;
    }
    borrow
}

/// `out = a + b`, returns the carry.
#[inline(always)]
pub(super) fn add<const L: usize>(out: &mut [u64; L], a: &[u64; L], b: &[u64; L]) -> u64 {
    let mut carry = 0;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (s, c) = adc(*x, *y, carry);
        *o = s;
        carry = c;
    }
    carry
}

/// `dst = src` where `m` is all ones, unchanged where it is zero.
#[inline(always)]
pub(super) fn assign_masked<const L: usize>(dst: &mut [u64; L], src: &[u64; L], m: u64) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= (*d ^ *s) & m;
    }
}
