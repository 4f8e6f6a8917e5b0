//! Unit tests of the internals: key-file consistency, factoring, CRT versus plain RSA.

use crypto_bigint::{NonZero, U2048, U4096};

use super::error::{AuthError, KeyKind};
use super::keys::{TERMINAL_KEY_FILE, TerminalKeys};
use super::num::{self, Residue};
use super::rsa_ops::{NoBlinding, RsaPath, RsaPrivate};
use super::test_keys::{self, *};

fn u(bytes: &[u8]) -> U2048 {
    num::to_uint(bytes).unwrap()
}

/// `e·d ≡ 1 (mod p-1)` and `(mod q-1)`, hence mod λ(n) = lcm(p-1, q-1); and `n = p·q`.
fn assert_rsa_consistent(n: &[u8], e: &[u8], d: &[u8], p: &[u8], q: &[u8]) {
    let (p, q) = (u(p), u(q));
    let n_calc: U4096 = p.concatenating_mul(&q);
    assert_eq!(n_calc, u(n).resize::<{ U4096::LIMBS }>());
    let ed: U4096 = u(e).concatenating_mul(&u(d));
    for prime in [p, q] {
        let m = NonZero::new(prime.wrapping_sub(&U2048::ONE).resize::<{ U4096::LIMBS }>()).unwrap();
        assert_eq!(ed.rem_vartime(&m), U4096::ONE);
    }
}

/// Miller-Rabin with the first 20 prime bases (deterministic; test-only).
fn probably_prime(x: &U2048) -> bool {
    let params = num::params_for(x).unwrap();
    let x_minus_one = x.wrapping_sub(&U2048::ONE);
    let s = x_minus_one.trailing_zeros();
    let d = x_minus_one.shr_vartime(s);
    let one = Residue::one(&params);
    let minus_one = one.neg();
    'bases: for a in [
        2u8, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
    ] {
        let mut y = Residue::new(&U2048::from_u8(a), &params).pow_vartime(&d);
        if y == one || y == minus_one {
            continue;
        }
        for _ in 1..s {
            y = y.square();
            if y == minus_one {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

#[test]
fn emulator_ca_pair_uses_the_well_known_private_exponent() {
    let well_known: [u8; 256] =
        num::hex_section(TERMINAL_KEY_FILE.as_bytes(), b"ca_private_exponent").unwrap();
    assert_eq!(test_keys::CA_D_FOR_TESTS, well_known);
    assert!(CA_N[0] > 0x6A, "ISO 9796-2 needs n's top byte above 6A");
}

#[test]
fn emulator_keys_are_consistent() {
    let f = include_str!("../../data/keys/emulator-keys.txt").as_bytes();
    for label in ["ca", "chip", "servizi"] {
        let get256 = |what: &str| -> [u8; 256] {
            num::hex_section(f, alloc::format!("{label}_{what}").as_bytes()).unwrap()
        };
        let get128 = |what: &str| -> [u8; 128] {
            num::hex_section(f, alloc::format!("{label}_{what}").as_bytes()).unwrap()
        };
        let e: alloc::vec::Vec<u8> = if label == "ca" {
            get256("public_exponent_e").to_vec()
        } else {
            let e4: [u8; 4] =
                num::hex_section(f, alloc::format!("{label}_public_exponent_e").as_bytes())
                    .unwrap();
            e4.to_vec()
        };
        let (n, d, p, q) = (
            get256("modulus_n"),
            get256("private_exponent_d"),
            get128("prime_p"),
            get128("prime_q"),
        );
        assert_rsa_consistent(&n, &e, &d, &p, &q);
        assert!(
            probably_prime(&u(&p)) && probably_prime(&u(&q)),
            "{label} primes"
        );
        assert_eq!(u(&n).bit_width_vartime(), 2048, "{label} modulus size");
    }
    assert_eq!(CHIP_E, [0, 1, 0, 1]);
    assert_eq!(SERVIZI_E, [0, 1, 0, 1]);
}

#[test]
fn emulator_dh_group_has_prime_order_subgroup() {
    let (p, q, g) = (u(&DH_P), u(&DH_Q), u(&DH_G));
    assert_eq!(p.bit_width_vartime(), 2048);
    assert_eq!(q.bit_width_vartime(), 256);
    assert!(probably_prime(&p));
    assert!(probably_prime(&q));
    let q_nz = NonZero::new(q).unwrap();
    assert_eq!(p.wrapping_sub(&U2048::ONE).rem_vartime(&q_nz), U2048::ZERO);
    let params = num::params_for(&p).unwrap();
    assert_eq!(
        Residue::new(&g, &params).pow_vartime(&q).retrieve(),
        U2048::ONE
    );
    assert_ne!(g, U2048::ONE);
    test_keys::dh_params().unwrap();
}

#[test]
fn well_known_terminal_pair_is_consistent_and_factors_once() {
    let t = TerminalKeys::well_known();
    let mut key = t.private_key().unwrap();
    assert!(!key.has_crt());
    key.precompute().unwrap();
    assert!(key.has_crt());
    // CRT and plain give the same signature.
    let mut m = alloc::vec![0x55u8; 256];
    m[0] = 0x6A;
    let plain = key
        .private_op(
            &m,
            RsaPath::Plain,
            None::<&mut NoBlinding>,
            KeyKind::Terminal,
        )
        .unwrap();
    let crt = key
        .private_op(&m, RsaPath::Crt, None::<&mut NoBlinding>, KeyKind::Terminal)
        .unwrap();
    assert_eq!(plain, crt);
    assert_eq!(key.public().public_op(&plain).unwrap(), m);
}

#[test]
fn large_exponent_ca_key_factors_from_e_and_d() {
    // The emulator CA has a 2048-bit e (e = d^-1 mod λ): recovery must still work.
    let mut key = RsaPrivate::new(&CA_N, &CA_E, &CA_D_FOR_TESTS, KeyKind::CaPrivate).unwrap();
    key.precompute().unwrap();
    let mut m = alloc::vec![0x11u8; 256];
    m[0] = 0x6A;
    let a = key
        .private_op(
            &m,
            RsaPath::Plain,
            None::<&mut NoBlinding>,
            KeyKind::CaPrivate,
        )
        .unwrap();
    let b = key
        .private_op(
            &m,
            RsaPath::Crt,
            None::<&mut NoBlinding>,
            KeyKind::CaPrivate,
        )
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn mismatched_private_exponent_does_not_factor() {
    // The terminal d with the CA modulus: no factorisation, a typed error.
    let t = TerminalKeys::well_known();
    let d: [u8; 256] =
        num::hex_section(TERMINAL_KEY_FILE.as_bytes(), b"terminal_private_exponent_d").unwrap();
    let mut key = RsaPrivate::new(&CA_N, t.public_exponent(), &d, KeyKind::Terminal).unwrap();
    assert_eq!(key.precompute(), Err(AuthError::KeyMismatch));
}

#[test]
fn private_op_refuses_wrong_length_and_out_of_range() {
    let key = TerminalKeys::well_known().private_key().unwrap();
    let short = [0x01u8; 255];
    assert_eq!(
        key.private_op(
            &short,
            RsaPath::Plain,
            None::<&mut NoBlinding>,
            KeyKind::Terminal
        ),
        Err(AuthError::InvalidLength)
    );
    let too_big = [0xFFu8; 256];
    assert_eq!(
        key.private_op(
            &too_big,
            RsaPath::Crt,
            None::<&mut NoBlinding>,
            KeyKind::Terminal
        ),
        Err(AuthError::InvalidLength)
    );
}

/// The pinned groups of `check_group` are exactly groups whose `p` and `q` pass the full
/// primality tests (Baillie-PSW and the Miller-Rabin rounds), computed here without any cache.
#[test]
fn k1_pinned_groups_pass_the_full_primality_tests() {
    use super::dh::{PINNED_PRIME_GROUPS, group_key, is_prime};
    let (p, q) = (u(&DH_P), u(&DH_Q));
    assert_eq!(PINNED_PRIME_GROUPS, [group_key(&p, &q)]);
    assert!(is_prime(&p) && is_prime(&q));
    // A neighbour of a pinned group is not recognised.
    let other = group_key(&p, &q.wrapping_add(&U2048::from_u8(2)));
    assert!(!PINNED_PRIME_GROUPS.contains(&other));
}
