//! Differential checks against `crypto-bigint` (the integration tests add OpenSSL).

use super::*;
use alloc::vec;
use alloc::vec::Vec;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U1024 as CbU1024, U2048 as CbU2048};
use proptest::prelude::*;

fn cb2048(x: &Limbs<U2048>) -> CbU2048 {
    CbU2048::from_words(*x)
}

fn odd_modulus(mut n: Limbs<U2048>) -> Limbs<U2048> {
    n[0] |= 1;
    if n.iter().skip(1).all(|l| *l == 0) && n[0] < 3 {
        n[0] = 3;
    }
    n
}

fn reference_pow(base: &Limbs<U2048>, exp: &[u64], n: &Limbs<U2048>) -> CbU2048 {
    let mut e = [0u64; U2048];
    e[..exp.len()].copy_from_slice(exp);
    let params = FixedMontyParams::new_vartime(Odd::new(cb2048(n)).unwrap());
    let b = cb2048(base).rem_vartime(&crypto_bigint::NonZero::new(cb2048(n)).unwrap());
    FixedMontyForm::new(&b, &params).pow(&cb2048(&e)).retrieve()
}

fn edge_values(n: &Limbs<U2048>) -> Vec<Limbs<U2048>> {
    let mut v = vec![[0u64; U2048], {
        let mut one = [0u64; U2048];
        one[0] = 1;
        one
    }];
    let mut n_minus_1 = *n;
    n_minus_1[0] -= 1;
    v.push(n_minus_1);
    // Carries in every position: a run of all-ones limbs, shifted along the number, below n.
    for k in 0..U2048 {
        let mut x = [0u64; U2048];
        for limb in x.iter_mut().take(k + 1) {
            *limb = u64::MAX;
        }
        let reduced = cb2048(&x).rem_vartime(&crypto_bigint::NonZero::new(cb2048(n)).unwrap());
        v.push(reduced.to_words());
    }
    v
}

#[test]
fn arith1_modulus_constants() {
    let mut n = [u64::MAX; U2048];
    n[0] = u64::MAX - 188; // odd
    let m = Modulus::<U2048>::new(&n).unwrap();
    let mut unit = [0u64; U2048];
    unit[0] = 1;
    assert_eq!(m.from_mont(m.one()), unit);
    assert_eq!(m.from_mont(&m.to_mont(&unit)), unit);
    assert!(Modulus::<U2048>::new(&[0u64; U2048]).is_none());
    assert!(Modulus::<U2048>::new(&unit).is_none());
    let mut even = n;
    even[0] -= 1;
    assert!(Modulus::<U2048>::new(&even).is_none());
}

#[test]
fn arith2_edge_operands_all_ones_modulus() {
    // n = 2^2048 - 1: every limb all ones, carries everywhere.
    let n = [u64::MAX; U2048];
    let m = Modulus::<U2048>::new(&n).unwrap();
    let params = FixedMontyParams::new_vartime(Odd::new(cb2048(&n)).unwrap());
    let edges = edge_values(&n);
    for a in &edges {
        for b in edges.iter().step_by(5) {
            let got = m.from_mont(&m.mul(&m.to_mont(a), &m.to_mont(b)));
            let want = FixedMontyForm::new(&cb2048(a), &params)
                .mul(&FixedMontyForm::new(&cb2048(b), &params))
                .retrieve();
            assert_eq!(cb2048(&got), want);
        }
        let sq = m.from_mont(&m.square(&m.to_mont(a)));
        let want = FixedMontyForm::new(&cb2048(a), &params).square().retrieve();
        assert_eq!(cb2048(&sq), want);
    }
}

#[test]
fn arith3_pow_edge_exponents() {
    let mut n = [0x0123_4567_89AB_CDEFu64; U2048];
    n[31] = 0xFFFF_FFFF_FFFF_FFFF;
    n[0] |= 1;
    let m = Modulus::<U2048>::new(&n).unwrap();
    for base in edge_values(&n).iter().step_by(5) {
        for exp in edge_values(&n).iter().step_by(7) {
            let got = m.from_mont(&m.pow(&m.to_mont(base), exp, 2048));
            assert_eq!(cb2048(&got), reference_pow(base, exp, &n));
            let vt = m.from_mont(&m.pow_vartime(&m.to_mont(base), exp));
            assert_eq!(cb2048(&vt), reference_pow(base, exp, &n));
        }
    }
}

#[test]
fn arith4_reduce_wide_and_mul_wide() {
    let p: Limbs<U1024> =
        core::array::from_fn(|i| 0x9E37_79B9_7F4A_7C15u64.rotate_left(i as u32) | 1);
    let m = Modulus::<U1024>::new(&p).unwrap();
    let x: Limbs<U2048> =
        core::array::from_fn(|i| 0xD1B5_4A32_D192_ED03u64.rotate_left(i as u32 * 7));
    let mut x = x;
    x[31] = 0; // below p·2^1024
    let lo: Limbs<U1024> = x[..16].try_into().unwrap();
    let hi: Limbs<U1024> = x[16..].try_into().unwrap();
    let got = m.reduce_wide(&lo, &hi);
    let want = cb2048(&x).rem_vartime(
        &crypto_bigint::NonZero::new(CbU1024::from_words(p).resize::<{ CbU2048::LIMBS }>())
            .unwrap(),
    );
    assert_eq!(
        CbU1024::from_words(got).resize::<{ CbU2048::LIMBS }>(),
        want
    );
    let mut wide = [0u64; 32];
    mul_wide(&lo, &hi, &mut wide).unwrap();
    let prod = CbU1024::from_words(lo).concatenating_mul(&CbU1024::from_words(hi));
    assert_eq!(CbU2048::from_words(wide), prod);
}

#[test]
fn arith5_bytes_round_trip() {
    let bytes: Vec<u8> = (1..=200u8).collect();
    let x = from_be_bytes::<U2048>(&bytes).unwrap();
    let mut out = vec![0u8; 200];
    write_be_bytes(&x, &mut out).unwrap();
    assert_eq!(out, bytes);
    let mut short = vec![0u8; 199];
    assert!(write_be_bytes(&x, &mut short).is_none());
    assert!(from_be_bytes::<U1024>(&bytes).is_none());
    assert_eq!(bits_vartime(&x), 199 * 8 + 1);
}

/// `pow` switches from 4-bit to 5-bit windows above `SHORT_EXPONENT` bits (a choice made
/// from the public length alone): both sides of the boundary, lengths that are not a
/// multiple of either window, and an exponent shorter than the length it is declared with.
#[test]
fn arith7_window_choice_boundary() {
    let mut n = [0x9E37_79B9_7F4A_7C15u64; U2048];
    for (i, limb) in n.iter_mut().enumerate() {
        *limb = limb
            .rotate_left(i as u32)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    let n = odd_modulus(n);
    let m = Modulus::<U2048>::new(&n).unwrap();
    let mut base = n;
    base[U2048 - 1] >>= 3;
    let bm = m.to_mont(&base);
    let full = [0xF0E1_D2C3_B4A5_9687u64; 6];
    let bound = SHORT_EXPONENT;
    for bits in [
        1,
        3,
        4,
        5,
        63,
        64,
        65,
        255,
        256,
        257,
        bound - 1,
        bound,
        bound + 1,
        bound + 2,
        383,
    ] {
        let mut exp = [0u64; 6];
        for (i, limb) in exp.iter_mut().enumerate() {
            let low = i as u32 * 64;
            if low < bits {
                *limb = full[i];
                if bits - low < 64 {
                    *limb &= (1u64 << (bits - low)) - 1;
                }
            }
        }
        let want = reference_pow(&base, &exp, &n);
        assert_eq!(
            cb2048(&m.from_mont(&m.pow(&bm, &exp, bits))),
            want,
            "bits {bits}"
        );
        // Declared longer than it is: the same value from either window width.
        for declared in [bound, bound + 1] {
            if declared >= bits {
                let got = m.from_mont(&m.pow(&bm, &exp, declared));
                assert_eq!(cb2048(&got), want, "bits {bits} declared {declared}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn arith6_random_mul_square_pow(
        n in proptest::array::uniform32(any::<u64>()),
        a in proptest::array::uniform32(any::<u64>()),
        b in proptest::array::uniform32(any::<u64>()),
        e in proptest::array::uniform4(any::<u64>()),
    ) {
        let n = odd_modulus(n);
        let m = Modulus::<U2048>::new(&n).unwrap();
        let params = FixedMontyParams::new_vartime(Odd::new(cb2048(&n)).unwrap());
        let nz = crypto_bigint::NonZero::new(cb2048(&n)).unwrap();
        let ar = cb2048(&a).rem_vartime(&nz);
        let br = cb2048(&b).rem_vartime(&nz);
        let am = m.to_mont(&a);
        let bm = m.to_mont(&b);
        prop_assert_eq!(cb2048(&m.from_mont(&am)), ar);
        let want = FixedMontyForm::new(&ar, &params).mul(&FixedMontyForm::new(&br, &params)).retrieve();
        prop_assert_eq!(cb2048(&m.from_mont(&m.mul(&am, &bm))), want);
        let want_sq = FixedMontyForm::new(&ar, &params).square().retrieve();
        prop_assert_eq!(cb2048(&m.from_mont(&m.square(&am))), want_sq);
        let mut exp = [0u64; U2048];
        exp[..4].copy_from_slice(&e);
        let want_pow = reference_pow(&a, &exp, &n);
        prop_assert_eq!(cb2048(&m.from_mont(&m.pow(&am, &e, 256))), want_pow);
        prop_assert_eq!(cb2048(&m.from_mont(&m.pow_vartime(&am, &e))), want_pow);
        let diff = m.from_mont(&m.sub(&am, &bm));
        let want_diff = FixedMontyForm::new(&ar, &params) - FixedMontyForm::new(&br, &params);
        prop_assert_eq!(cb2048(&diff), want_diff.retrieve());
    }
}
