//! Project Wycheproof vectors that apply to the arithmetic core: the RSA-2048 PKCS#1 v1.5
//! signature checks (the public operation: `s^e mod n`, including signatures that are 0, 1,
//! `n - 1`, `n` or longer than `n`) and the RSA-2048 PKCS#1 v1.5 decryption vectors (the
//! private operation by CRT, with and without exponent blinding, and by the plain path).
//! Wycheproof has no finite-field DH vectors (its DH files are elliptic-curve ones), so the
//! DH arithmetic is checked against OpenSSL in `arith_openssl.rs` instead.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::arith::{self, CrtKey, Modulus, U2048};
use sha2::{Digest, Sha256};
use wycheproof::TestResult;

/// EMSA-PKCS1-v1_5 with SHA-256 on `k` bytes.
fn emsa_sha256(msg: &[u8], k: usize) -> Vec<u8> {
    let prefix: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let digest = Sha256::digest(msg);
    let t_len = prefix.len() + digest.len();
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xFF, k - t_len - 3));
    em.push(0);
    em.extend_from_slice(&prefix);
    em.extend_from_slice(&digest);
    em
}

fn public_op(m: &Modulus<U2048>, e: &[u64; U2048], sig: &[u8], k: usize) -> Option<Vec<u8>> {
    if sig.len() != k {
        return None;
    }
    let s = arith::from_be_bytes::<U2048>(sig)?;
    if !bool::from(arith::ct_lt(&s, m.n())) {
        return None;
    }
    let r = m.from_mont(&m.pow_vartime(&m.to_mont(&s), e));
    let mut out = vec![0u8; k];
    arith::write_be_bytes(&r, &mut out)?;
    Some(out)
}

#[test]
fn w1_rsa2048_pkcs1_sha256_signatures() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::Rsa2048Sha256).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        let n = arith::from_be_bytes::<U2048>(&group.key.n).unwrap();
        let e = arith::from_be_bytes::<U2048>(&group.key.e).unwrap();
        let m = Modulus::new(&n).unwrap();
        let k = arith::bits_vartime(&n).div_ceil(8) as usize;
        for test in &group.tests {
            let accepted =
                public_op(&m, &e, &test.sig, k).is_some_and(|em| em == emsa_sha256(&test.msg, k));
            match test.result {
                TestResult::Valid => {
                    assert!(accepted, "tc {} refused: {}", test.tc_id, test.comment)
                }
                TestResult::Invalid => {
                    assert!(!accepted, "tc {} accepted: {}", test.tc_id, test.comment)
                }
                TestResult::Acceptable => {}
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} vectors");
}

/// EME-PKCS1-v1_5 decoding (variable time: test only).
fn eme_decode(em: &[u8]) -> Option<Vec<u8>> {
    let rest = em.strip_prefix(&[0x00, 0x02])?;
    let zero = rest.iter().position(|b| *b == 0)?;
    if zero < 8 {
        return None;
    }
    Some(rest[zero + 1..].to_vec())
}

#[test]
fn w2_rsa2048_pkcs1_decryption_by_crt() {
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};
    let set = TestSet::load(TestName::Rsa2048).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        let key = &group.key;
        let crt = CrtKey::new(&key.n, &key.e, &key.p, &key.q, &key.d1, &key.d2, &key.c).unwrap();
        let n = *crt.modulus().n();
        let m = crt.modulus();
        let d = arith::from_be_bytes::<U2048>(&key.d).unwrap();
        let k = arith::bits_vartime(&n).div_ceil(8) as usize;
        for (i, test) in group.tests.iter().enumerate() {
            let c = (test.ct.len() == k)
                .then(|| arith::from_be_bytes::<U2048>(&test.ct))
                .flatten();
            let decoded = c.and_then(|c| {
                let blind = (i % 2 == 1).then_some([i as u64 * 0x9E37_79B9, !(i as u64)]);
                let s = crt.sign(&c, blind)?;
                // The plain path agrees.
                let plain = m.from_mont(&m.pow(&m.to_mont(&c), &d, 2048));
                assert_eq!(plain, s, "tc {}: CRT and plain differ", test.tc_id);
                let mut em = vec![0u8; k];
                arith::write_be_bytes(&s, &mut em).unwrap();
                eme_decode(&em)
            });
            match test.result {
                TestResult::Valid => assert_eq!(
                    decoded.as_deref(),
                    Some(&test.pt[..]),
                    "tc {}: {}",
                    test.tc_id,
                    test.comment
                ),
                TestResult::Invalid => assert!(
                    decoded.is_none(),
                    "tc {} accepted: {}",
                    test.tc_id,
                    test.comment
                ),
                TestResult::Acceptable => {}
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} vectors");
}
