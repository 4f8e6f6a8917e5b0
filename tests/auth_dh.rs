//! DH key agreement (docs/protocol.md §2): KDF vector, both roles, public-value validation
//! (docs/testing.md P-SM7, K1, K2), parameter validation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeSet;

use cie_pinpuk::auth::test_keys;
use cie_pinpuk::auth::*;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// docs/protocol.md §4.8.2 (self-computed CIE-style vector): Z = 00 01 .. FF.
#[test]
fn p_sm7_kdf_vector_4_8_2() {
    let z: Vec<u8> = (0..=255u8).collect();
    let keys = derive_session_keys(&z);
    assert_eq!(
        keys.ks_enc(),
        &hex::decode("20D0CA4184B64CF791DA828CC135E354").unwrap()[..]
    );
    assert_eq!(
        keys.ks_mac(),
        &hex::decode("9B0BB985660ADF0B819D798B8A6D9071").unwrap()[..]
    );
}

#[test]
fn session_keys_debug_prints_no_key_byte() {
    let keys = derive_session_keys(&[7u8; 256]);
    let shown = format!("{keys:?}");
    assert_eq!(shown, "SessionKeys { .. }");
}

fn group() -> DhParams {
    test_keys::dh_params().unwrap()
}

fn p_bytes() -> Vec<u8> {
    test_keys::DH_P.to_vec()
}

fn p_minus(k: u8) -> Vec<u8> {
    let mut v = p_bytes();
    let last = v.last_mut().unwrap();
    *last -= k; // p is odd and its last byte is not tiny in this group: checked below
    v
}

#[test]
fn both_roles_derive_the_same_keys() {
    let params = group();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let host = params.generate_host_key(&mut rng);
    let card = params.generate_card_key(&mut rng);
    assert_eq!(host.public_value().len(), params.p_len());
    assert_eq!(card.public_value().len(), 256);
    let a = host.agree(&params, card.public_value()).unwrap();
    let b = card.agree(&params, host.public_value()).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.ks_enc(), a.ks_mac());
}

#[test]
fn full_width_and_order_bits_give_the_same_values() {
    let params = group();
    let a = params.generate_key(&mut ChaCha20Rng::seed_from_u64(9), ExponentWidth::Full);
    let b = params.generate_key(&mut ChaCha20Rng::seed_from_u64(9), ExponentWidth::OrderBits);
    assert_eq!(a.public_value(), b.public_value());
    let card = params.generate_card_key(&mut ChaCha20Rng::seed_from_u64(10));
    assert_eq!(
        a.agree(&params, card.public_value()).unwrap(),
        b.agree(&params, card.public_value()).unwrap()
    );
}

#[test]
fn k1_p_sm7_public_value_zero_one_p_minus_one_rejected() {
    let params = group();
    let host = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(2));
    assert!(*test_keys::DH_P.last().unwrap() > 2);
    for bad in [
        vec![0u8; 256],
        vec![0u8],
        vec![],
        vec![1u8],
        {
            let mut one = vec![0u8; 256];
            one[255] = 1;
            one
        },
        p_minus(1),
    ] {
        assert_eq!(
            params.validate_public(&bad),
            Err(AuthError::InvalidPublicValue)
        );
        assert_eq!(
            host.agree(&params, &bad).unwrap_err(),
            AuthError::InvalidPublicValue
        );
    }
}

#[test]
fn k1_p_sm7_public_value_at_or_above_p_rejected() {
    let params = group();
    let host = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(3));
    let mut above = p_bytes();
    *above.last_mut().unwrap() += 1;
    let mut too_long = vec![1u8];
    too_long.extend_from_slice(&p_bytes());
    for bad in [p_bytes(), above, vec![0xFF; 256], too_long, vec![0x01; 300]] {
        assert_eq!(
            host.agree(&params, &bad).unwrap_err(),
            AuthError::InvalidPublicValue
        );
    }
}

#[test]
fn k1_p_sm7_public_value_outside_subgroup_rejected() {
    let params = group();
    let host = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(4));
    // 2, 3 and p-2 are in range but (overwhelmingly) not of order q.
    for bad in [vec![2u8], vec![3u8], p_minus(2)] {
        assert_eq!(
            params.validate_public(&bad),
            Err(AuthError::InvalidPublicValue)
        );
        assert_eq!(
            host.agree(&params, &bad).unwrap_err(),
            AuthError::InvalidPublicValue
        );
    }
    // g itself is in the subgroup and passes.
    params.validate_public(&test_keys::DH_G).unwrap();
}

#[test]
fn k2_reflected_public_value_rejected() {
    let params = group();
    let host = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(5));
    let own = host.public_value().to_vec();
    assert_eq!(
        host.agree(&params, &own).unwrap_err(),
        AuthError::Reflection
    );
    // Also with a leading zero byte (same number, other encoding).
    let mut padded = vec![0u8];
    padded.extend_from_slice(&own);
    assert_eq!(
        host.agree(&params, &padded).unwrap_err(),
        AuthError::Reflection
    );
}

#[test]
fn dh_params_validation() {
    let (g, p, q) = (
        test_keys::DH_G.to_vec(),
        test_keys::DH_P.to_vec(),
        test_keys::DH_Q.to_vec(),
    );
    let bad = |which| Err(AuthError::InvalidDhParameter(which));
    let mut even_p = p.clone();
    *even_p.last_mut().unwrap() &= 0xFE;
    assert_eq!(
        DhParams::new(&g, &even_p, &q).map(|_| ()),
        bad(DhParameter::Prime)
    );
    assert_eq!(
        DhParams::new(&g, &[0], &q).map(|_| ()),
        bad(DhParameter::Prime)
    );
    assert_eq!(
        DhParams::new(&[1], &p, &q).map(|_| ()),
        bad(DhParameter::Generator)
    );
    assert_eq!(
        DhParams::new(&p, &p, &q).map(|_| ()),
        bad(DhParameter::Generator)
    );
    assert_eq!(
        DhParams::new(&[2], &p, &q).map(|_| ()),
        bad(DhParameter::Generator)
    );
    let mut q_plus_two = q.clone();
    *q_plus_two.last_mut().unwrap() = q_plus_two.last().unwrap().wrapping_add(2);
    assert_eq!(
        DhParams::new(&g, &p, &q_plus_two).map(|_| ()),
        bad(DhParameter::Order)
    );
    assert_eq!(
        DhParams::new(&g, &p, &[1]).map(|_| ()),
        bad(DhParameter::Order)
    );
    assert_eq!(
        DhParams::new(&g, &p, &p).map(|_| ()),
        bad(DhParameter::Order)
    );
    let mut big = vec![1u8];
    big.extend_from_slice(&p);
    assert_eq!(
        DhParams::new(&g, &big, &q).map(|_| ()),
        Err(AuthError::TooLarge)
    );
    assert_eq!(
        DhParams::new(&g, &p, &big).map(|_| ()),
        Err(AuthError::TooLarge)
    );
    // Leading zeros are accepted and kept as given (they enter the DAPP hashes).
    let mut p0 = vec![0u8];
    p0.extend_from_slice(&p);
    let params = DhParams::new(&g, &p0, &q).unwrap();
    assert_eq!(params.p(), &p0[..]);
    assert_eq!(params.p_len(), 256);
    assert_eq!(params.q(), &q[..]);
    assert_eq!(params.g(), &g[..]);
}

/// A toy group (p = 23, q = 11, g = 4) shows the exponent range: every public value is one of
/// the 10 non-identity subgroup elements, and all of them occur (x uniform in [1, q-1]).
#[test]
fn p_sm7_exponent_drawn_in_one_to_q_minus_one() {
    let params = DhParams::new(&[4], &[23], &[11]).unwrap();
    let subgroup: BTreeSet<u8> = (1..11u32).map(|x| (4u32.pow(x) % 23) as u8).collect();
    assert_eq!(subgroup.len(), 10);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let mut seen = BTreeSet::new();
    for _ in 0..400 {
        let k = params.generate_host_key(&mut rng);
        assert_eq!(k.public_value().len(), 1);
        let y = k.public_value()[0];
        assert_ne!(y, 1);
        assert!(subgroup.contains(&y));
        seen.insert(y);
    }
    assert_eq!(seen, subgroup);
}

#[test]
fn degenerate_group_values_refused() {
    // A "group" whose only valid-range elements are outside the subgroup: every peer value
    // is refused, never yielding a degenerate secret.
    let params = DhParams::new(&[22], &[23], &[2]).unwrap();
    let host = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(1));
    for y in 0..=30u8 {
        assert!(host.agree(&params, &[y]).is_err());
    }
}

#[test]
fn ephemeral_debug_hides_exponent() {
    let params = group();
    let k = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(1));
    assert_eq!(format!("{k:?}"), "DhEphemeral { public_len: 256, .. }");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn p_sm7_agreement_over_random_seeds(seed_a in any::<u64>(), seed_b in any::<u64>()) {
        let params = group();
        let a = params.generate_host_key(&mut ChaCha20Rng::seed_from_u64(seed_a));
        let b = params.generate_card_key(&mut ChaCha20Rng::seed_from_u64(seed_b ^ 1));
        prop_assert_eq!(a.public_value().len(), 256);
        params.validate_public(a.public_value()).unwrap();
        let ka = a.agree(&params, b.public_value()).unwrap();
        let kb = b.agree(&params, a.public_value()).unwrap();
        prop_assert_eq!(ka, kb);
    }
}

/// The fixed-base table (`precompute_generator`) changes the speed of key generation, not
/// its result: the same seed gives the same public value, and both agree with each other.
#[test]
fn p_sm7_generator_table_gives_the_same_keys() {
    let plain = test_keys::dh_params().unwrap();
    let mut fast = test_keys::dh_params().unwrap();
    fast.precompute_generator();
    for seed in 0..8u64 {
        let a = plain.generate_host_key(&mut ChaCha20Rng::seed_from_u64(seed));
        let b = fast.generate_host_key(&mut ChaCha20Rng::seed_from_u64(seed));
        assert_eq!(a.public_value(), b.public_value());
        fast.validate_public(b.public_value()).unwrap();
        let peer = plain.generate_card_key(&mut ChaCha20Rng::seed_from_u64(seed + 100));
        assert_eq!(
            b.agree(&fast, peer.public_value()).unwrap(),
            peer.agree(&plain, a.public_value()).unwrap()
        );
    }
}

// ---------------------------------------------------------------------------------------
// K1: the group the card sends in clear, checked before any secret (sizes, primality).

fn hex_bytes(s: &str) -> Vec<u8> {
    let s = if !s.len().is_multiple_of(2) {
        format!("0{s}")
    } else {
        s.to_string()
    };
    hex::decode(s).unwrap()
}

/// The crate's small test group (512-bit p, 64-bit q), from tests/data/card/small-keys.txt.
fn small_group() -> DhParams {
    let text = include_str!("data/card/small-keys.txt");
    let field = |name: &str| {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap();
        hex_bytes(line.split_whitespace().nth(1).unwrap())
    };
    DhParams::new(
        &field("dh_generator_g"),
        &field("dh_prime_p"),
        &field("dh_order_q"),
    )
    .unwrap()
}

#[test]
fn k1_reference_group_passes_the_reference_policy() {
    let params = test_keys::dh_params().unwrap();
    params.check_group(&DhGroupPolicy::REFERENCE).unwrap();
    // Remembered for the process: the second check is the cached one, same answer.
    params.check_group(&DhGroupPolicy::default()).unwrap();
}

#[test]
fn k1_group_below_the_size_floors_refused() {
    let small = small_group();
    assert_eq!(
        small.check_group(&DhGroupPolicy::REFERENCE),
        Err(AuthError::DhGroupRefused(DhGroupDefect::PrimeTooShort {
            bits: 512,
            min: 2048
        }))
    );
    let q_floor = DhGroupPolicy {
        min_p_bits: 256,
        min_q_bits: 128,
    };
    assert!(matches!(
        small.check_group(&q_floor),
        Err(AuthError::DhGroupRefused(DhGroupDefect::OrderTooShort {
            min: 128,
            ..
        }))
    ));
    small
        .check_group(&DhGroupPolicy::TEST_ONLY_SMALL_GROUPS)
        .unwrap();
}

#[test]
fn k1_composite_p_with_a_consistent_g_refused() {
    // p = r·s with q | r-1 and q | s-1, and g of order q modulo r, 1 modulo s: every
    // arithmetic check of DhParams::new passes (q | p-1, g^q = 1), only primality fails.
    let params = DhParams::new(
        &hex_bytes("17c6fa9360126bffa95cf5d95a996b2300598c356fab8cfd71dcfe4180626b2882269701797baf930a66591be7d9cd8021ea"),
        &hex_bytes("361e4ff4a13cde281a9fc958978eb1ff152a5ac40cd3bc58336580f9df217d37fbe40c4bba56fc10d254f28b928afcea8839"),
        &hex_bytes("8f967bcc0ca02f4d"),
    )
    .unwrap();
    assert_eq!(
        params.check_group(&DhGroupPolicy::TEST_ONLY_SMALL_GROUPS),
        Err(AuthError::DhGroupRefused(DhGroupDefect::PrimeComposite))
    );
}

#[test]
fn k1_composite_q_refused() {
    // q = q1·q2 (two 40-bit primes), p prime with q | p-1, g of order q: g^q = 1 holds but q
    // is not the prime order of a subgroup.
    let params = DhParams::new(
        &hex_bytes("5dcc590140d8ddc81fe067fc69c75d0698686f6fa0fc54094ae0b56259d21d72557ad6cc47059c95de1b429491cb1b"),
        &hex_bytes("2c508b0904bdf55fc98a7de0fd63dbb7985d97ef19ea906ee26e30840b05e11413d9e87a8a046f46af97b8310f26b3f"),
        &hex_bytes("4b75c35269d4fa1a9ad3"),
    )
    .unwrap();
    assert_eq!(
        params.check_group(&DhGroupPolicy::TEST_ONLY_SMALL_GROUPS),
        Err(AuthError::DhGroupRefused(DhGroupDefect::OrderComposite))
    );
}

#[test]
fn k1_generator_of_a_larger_subgroup_refused() {
    // g = 2 generates far more than the order-q subgroup of the reference group: g^q ≠ 1.
    let p = p_bytes();
    let q = test_keys::DH_Q.to_vec();
    assert_eq!(
        DhParams::new(&[2], &p, &q).unwrap_err(),
        AuthError::InvalidDhParameter(DhParameter::Generator)
    );
}
