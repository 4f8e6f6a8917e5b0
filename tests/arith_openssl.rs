//! Differential tests of the arithmetic core against OpenSSL's library (the `openssl` crate,
//! test-only): modular exponentiation modulo 2048- and 1024-bit odd moduli on random and
//! edge operands (0, 1, m - 1, all-ones limbs, a run of ones ending at every limb so that
//! carries cross every position), the DH values of the reference card, and RSA-2048
//! private operations by CRT against OpenSSL's raw RSA on keys OpenSSL generated.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::arith::{self, CrtKey, Limbs, Modulus, U1024, U2048};
use cie_pinpuk::auth::test_keys;
use openssl::bn::{BigNum, BigNumContext};
use openssl::rsa::{Padding, Rsa};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

fn to_bn<const L: usize>(x: &Limbs<L>) -> BigNum {
    let mut bytes = vec![0u8; L * 8];
    arith::write_be_bytes(x, &mut bytes).unwrap();
    BigNum::from_slice(&bytes).unwrap()
}

fn from_bn<const L: usize>(x: &BigNum) -> Limbs<L> {
    arith::from_be_bytes(&x.to_vec()).unwrap()
}

fn random<const L: usize>(rng: &mut ChaCha20Rng) -> Limbs<L> {
    core::array::from_fn(|_| rng.next_u64())
}

/// 0, 1, n - 1, n - 2, all-ones limbs reduced, and a run of ones ending at every limb.
fn edges<const L: usize>(n: &Limbs<L>) -> Vec<Limbs<L>> {
    let n_bn = to_bn(n);
    let mut ctx = BigNumContext::new().unwrap();
    let reduce = |x: Limbs<L>, ctx: &mut BigNumContext| {
        let mut r = BigNum::new().unwrap();
        r.nnmod(&to_bn(&x), &n_bn, ctx).unwrap();
        from_bn::<L>(&r)
    };
    let mut out = vec![[0u64; L]];
    let mut one = [0u64; L];
    one[0] = 1;
    out.push(one);
    let mut n1 = *n;
    n1[0] -= 1;
    out.push(n1);
    let mut n2 = *n;
    n2[0] -= 2;
    out.push(n2);
    out.push(reduce([u64::MAX; L], &mut ctx));
    for k in 0..L {
        let mut x = [0u64; L];
        for limb in x.iter_mut().take(k + 1) {
            *limb = u64::MAX;
        }
        out.push(reduce(x, &mut ctx));
        let mut y = [0u64; L];
        y[k] = 1 << 63;
        out.push(reduce(y, &mut ctx));
    }
    out
}

fn check_pow<const L: usize>(m: &Modulus<L>, base: &Limbs<L>, exp: &Limbs<L>, bits: u32) {
    let mut ctx = BigNumContext::new().unwrap();
    let mut want = BigNum::new().unwrap();
    want.mod_exp(&to_bn(base), &to_bn(exp), &to_bn(m.n()), &mut ctx)
        .unwrap();
    let got = m.from_mont(&m.pow(&m.to_mont(base), exp, bits));
    assert_eq!(to_bn(&got), want, "pow differs from OpenSSL");
    let vt = m.from_mont(&m.pow_vartime(&m.to_mont(base), exp));
    assert_eq!(to_bn(&vt), want, "pow_vartime differs from OpenSSL");
}

fn mask_bits<const L: usize>(mut x: Limbs<L>, bits: u32) -> Limbs<L> {
    for (i, limb) in x.iter_mut().enumerate() {
        let low = i as u32 * 64;
        if low >= bits {
            *limb = 0;
        } else if bits - low < 64 {
            *limb &= (1u64 << (bits - low)) - 1;
        }
    }
    x
}

#[test]
fn o1_modexp_2048_random_and_edge_operands() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x0A17);
    for round in 0..3 {
        let mut n: Limbs<U2048> = random(&mut rng);
        n[0] |= 1;
        if round == 0 {
            n = [u64::MAX; U2048];
        }
        if round == 1 {
            n[U2048 - 1] = 1; // a modulus much shorter than the limbs
        }
        let m = Modulus::new(&n).unwrap();
        let values = edges(&n);
        for (i, base) in values.iter().enumerate() {
            let exp = values[(i * 7 + round) % values.len()];
            // Full-width exponents on a sixth of the bases (the debug build is slow).
            if i % 6 == round {
                check_pow(&m, base, &exp, 2048);
            }
            check_pow(&m, base, &mask_bits(exp, 256), 256);
        }
        for _ in 0..2 {
            let base: Limbs<U2048> = random(&mut rng);
            let mut ctx = BigNumContext::new().unwrap();
            let mut b = BigNum::new().unwrap();
            b.nnmod(&to_bn(&base), &to_bn(&n), &mut ctx).unwrap();
            let base = from_bn::<U2048>(&b);
            check_pow(&m, &base, &random(&mut rng), 2048);
            check_pow(&m, &base, &mask_bits(random(&mut rng), 256), 256);
        }
    }
}

#[test]
fn o2_modexp_1024_random_and_edge_operands() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x1024);
    for _ in 0..6 {
        let mut n: Limbs<U1024> = random(&mut rng);
        n[0] |= 1;
        n[U1024 - 1] |= 1 << 63;
        let m = Modulus::new(&n).unwrap();
        for (i, base) in edges(&n).iter().enumerate() {
            let exp = mask_bits(random::<U1024>(&mut rng), 1024 - (i as u32 % 64));
            check_pow(&m, base, &exp, 1024);
        }
    }
}

#[test]
fn o3_dh_values_of_the_reference_card() {
    let p = arith::from_be_bytes::<U2048>(&test_keys::DH_P).unwrap();
    let g = arith::from_be_bytes::<U2048>(&test_keys::DH_G).unwrap();
    let q = arith::from_be_bytes::<U2048>(&test_keys::DH_Q).unwrap();
    let m = Modulus::new(&p).unwrap();
    // g^q = 1: the subgroup check of the generator, then random 256-bit exponents.
    assert!(bool::from(m.is_one(&m.pow_vartime(&m.to_mont(&g), &q))));
    let mut rng = ChaCha20Rng::seed_from_u64(0xD4);
    for _ in 0..8 {
        check_pow(&m, &g, &mask_bits(random(&mut rng), 256), 256);
    }
}

#[test]
fn o4_rsa2048_crt_against_openssl() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x25A);
    for _ in 0..2 {
        let rsa = Rsa::generate(2048).unwrap();
        let be = |b: &openssl::bn::BigNumRef| b.to_vec();
        let key = CrtKey::new(
            &be(rsa.n()),
            &be(rsa.e()),
            &be(rsa.p().unwrap()),
            &be(rsa.q().unwrap()),
            &be(rsa.dmp1().unwrap()),
            &be(rsa.dmq1().unwrap()),
            &be(rsa.iqmp().unwrap()),
        )
        .unwrap();
        let n = *key.modulus().n();
        let mut inputs = edges(&n);
        for _ in 0..6 {
            let mut x: Limbs<U2048> = random(&mut rng);
            x[U2048 - 1] >>= 2;
            inputs.push(x);
        }
        for (i, x) in inputs.iter().enumerate() {
            let mut bytes = vec![0u8; 256];
            arith::write_be_bytes(x, &mut bytes).unwrap();
            let mut want = vec![0u8; 256];
            rsa.private_encrypt(&bytes, &mut want, Padding::NONE)
                .unwrap();
            let blind = (i % 2 == 0).then(|| [rng.next_u64(), rng.next_u64()]);
            let got = key.sign(x, blind).unwrap();
            let mut got_bytes = vec![0u8; 256];
            arith::write_be_bytes(&got, &mut got_bytes).unwrap();
            assert_eq!(got_bytes, want, "input {i}");
        }
        // m >= n is refused.
        assert!(key.sign(&n, None).is_none());
        // A key whose p·q is not n is refused.
        assert!(
            CrtKey::new(
                &be(rsa.n()),
                &be(rsa.e()),
                &be(rsa.q().unwrap()),
                &be(rsa.q().unwrap()),
                &be(rsa.dmp1().unwrap()),
                &be(rsa.dmq1().unwrap()),
                &be(rsa.iqmp().unwrap()),
            )
            .is_none()
        );
    }
}
