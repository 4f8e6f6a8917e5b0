//! The journal's Merkle tree against RFC 9162 (section 2.1): the worked example of the RFC
//! (a tree of seven leaves, section 2.1.5) as known answers, the tree read from stored blocks
//! against a direct transcription of the RFC's recursive definitions, and property tests:
//! any two heads of one log are consistent, a forged or reordered log is not, a proof with
//! one hash changed does not verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::journal::merkle::*;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// The blocks of a tree built leaf by leaf, as a store keeps them.
#[derive(Default)]
struct Levels(Vec<Vec<Hash>>, Frontier);

impl Levels {
    fn of(leaves: &[Hash]) -> Levels {
        let mut l = Levels::default();
        for h in leaves {
            for b in l.1.push(*h) {
                let level = b.level as usize;
                if l.0.len() <= level {
                    l.0.resize(level + 1, Vec::new());
                }
                assert_eq!(l.0[level].len() as u64, b.index);
                l.0[level].push(b.hash);
            }
        }
        l
    }
}

impl NodeSource for Levels {
    type Error = ();
    fn block(&self, level: u32, index: u64) -> Result<Hash, ()> {
        self.0
            .get(level as usize)
            .and_then(|v| v.get(index as usize))
            .copied()
            .ok_or(())
    }
}

// --- RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1, transcribed directly over the list of leaves ---

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => Sha256::digest([]).into(),
        1 => d[0],
        n => {
            let k = k_of(n);
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("d{i}").as_bytes()))
        .collect()
}

#[test]
fn p_pol2_rfc9162_empty_tree_and_leaf_hashes() {
    assert_eq!(
        hex::encode(empty_root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    // MTH({d}) = SHA-256(0x00 || d); an interior node prefixes 0x01.
    let d = b"entry";
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(d);
    assert_eq!(leaf_hash(d), <[u8; 32]>::from(h.finalize()));
    let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(a);
    h.update(b);
    assert_eq!(node_hash(&a, &b), <[u8; 32]>::from(h.finalize()));
    assert_eq!(root(&Levels::of(&[]), 0).unwrap(), empty_root());
    assert_eq!(root(&Levels::of(&[a]), 1).unwrap(), a);
}

/// RFC 9162 2.1.5: the tree of seven leaves d0..d6, with a..f the leaves d0..d5, j the leaf
/// d6, g = (a, b), h = (c, d), i = (e, f), k = (g, h), l = (i, j).
#[test]
fn p_pol2_rfc9162_worked_example_of_seven_leaves() {
    let d = leaves(7);
    let (a, b, c, dd, e, f, j) = (d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
    let g = node_hash(&a, &b);
    let h = node_hash(&c, &dd);
    let i = node_hash(&e, &f);
    let k = node_hash(&g, &h);
    let l = node_hash(&i, &j);
    let root7 = node_hash(&k, &l);
    let src = Levels::of(&d);
    assert_eq!(root(&src, 7).unwrap(), root7);
    assert_eq!(src.1.root(), root7);
    // Inclusion proofs: d0 [b, h, l]; d3 [c, g, l]; d4 [f, j, k]; d6 [i, k].
    for (m, want) in [
        (0, vec![b, h, l]),
        (3, vec![c, g, l]),
        (4, vec![f, j, k]),
        (6, vec![i, k]),
    ] {
        let p = inclusion_path(&src, m, 7).unwrap();
        assert_eq!(p, want, "leaf {m}");
        assert!(verify_inclusion(m, 7, &d[m as usize], &p, &root7));
    }
    // Consistency proofs: 3 -> 7 [c, d, g, l]; 4 -> 7 [l]; 6 -> 7 [i, j, k].
    let root3 = node_hash(&g, &c);
    let root6 = node_hash(&k, &i);
    for (m, old_root, want) in [
        (3, root3, vec![c, dd, g, l]),
        (4, k, vec![l]),
        (6, root6, vec![i, j, k]),
    ] {
        assert_eq!(root(&src, m).unwrap(), old_root);
        let p = consistency_path(&src, m, 7).unwrap();
        assert_eq!(p, want, "from {m}");
        assert!(verify_consistency(m, 7, &old_root, &root7, &p));
    }
}

#[test]
fn p_pol2_proof_checks_refuse_wrong_sizes_and_indexes() {
    let d = leaves(5);
    let src = Levels::of(&d);
    let r = root(&src, 5).unwrap();
    let p = inclusion_path(&src, 2, 5).unwrap();
    assert!(verify_inclusion(2, 5, &d[2], &p, &r));
    assert!(!verify_inclusion(5, 5, &d[2], &p, &r));
    assert!(!verify_inclusion(3, 5, &d[2], &p, &r));
    // (The size is bound by the signed head with the root; a path of the same shape for a
    // tree of 6 or 8 leaves computes the same hash, as in the RFC; a wrong shape does not.)
    assert!(!verify_inclusion(2, 3, &d[2], &p, &r));
    assert!(!verify_inclusion(2, 5, &d[3], &p, &r));
    let mut longer = p.clone();
    longer.push(r);
    assert!(!verify_inclusion(2, 5, &d[2], &longer, &r));
    let r3 = root(&src, 3).unwrap();
    let c = consistency_path(&src, 3, 5).unwrap();
    assert!(verify_consistency(3, 5, &r3, &r, &c));
    assert!(!verify_consistency(5, 3, &r, &r3, &c));
    assert!(!verify_consistency(3, 5, &r3, &r, &[]));
    assert!(!verify_consistency(2, 5, &r3, &r, &c));
    assert!(verify_consistency(5, 5, &r, &r, &[]));
    assert!(!verify_consistency(5, 5, &r, &r3, &[]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// The tree read from stored blocks is the RFC's, for roots, paths and proofs.
    #[test]
    fn p_pol2_stored_blocks_agree_with_the_rfc_definitions(n in 1usize..140, m in 0usize..140, o in 0usize..140) {
        let d = leaves(n);
        let src = Levels::of(&d);
        let m = m % n;
        let o = 1 + o % n;
        prop_assert_eq!(root(&src, n as u64).unwrap(), mth(&d));
        prop_assert_eq!(root(&src, o as u64).unwrap(), mth(&d[..o]));
        prop_assert_eq!(inclusion_path(&src, m as u64, n as u64).unwrap(), path(m, &d));
        if o < n {
            prop_assert_eq!(consistency_path(&src, o as u64, n as u64).unwrap(), subproof(o, &d, true));
        }
    }

    /// Any two heads of one log are consistent, and every entry is included in every head
    /// that covers it.
    #[test]
    fn p_pol2_any_two_heads_of_one_log_are_consistent(n in 1u64..300, a in 0u64..300, b in 0u64..300, i in 0u64..300) {
        let d = leaves(n as usize);
        let src = Levels::of(&d);
        let (x, y) = (1 + a % n, 1 + b % n);
        let (old, new) = (x.min(y), x.max(y));
        let p = consistency_path(&src, old, new).unwrap();
        let (ro, rn) = (root(&src, old).unwrap(), root(&src, new).unwrap());
        prop_assert!(verify_consistency(old, new, &ro, &rn, &p));
        let i = i % new;
        let ip = inclusion_path(&src, i, new).unwrap();
        prop_assert!(verify_inclusion(i, new, &d[i as usize], &ip, &rn));
        // O(log n): never more hashes than levels.
        prop_assert!(ip.len() <= 64 - new.leading_zeros() as usize);
        prop_assert!(p.len() <= 2 * (64 - new.leading_zeros() as usize));
    }

    /// A log with one entry forged, or two entries swapped, before the old head is not
    /// consistent with it; and a proof with one hash changed verifies nothing.
    #[test]
    fn p_pol2_a_forged_or_reordered_log_is_not_consistent(n in 2u64..200, a in 0u64..200, x in 0u64..200, y in 0u64..200, swap in any::<bool>(), bit in 0usize..256) {
        let d = leaves(n as usize);
        let src = Levels::of(&d);
        let old = 1 + a % (n - 1); // old < n
        let ro = root(&src, old).unwrap();
        let mut forged = d.clone();
        let x = (x % old) as usize;
        if swap {
            let y = (y % n) as usize;
            prop_assume!(forged[x] != forged[y]);
            forged.swap(x, y);
        } else {
            forged[x] = leaf_hash(b"forged");
        }
        let fsrc = Levels::of(&forged);
        let rf = root(&fsrc, n).unwrap();
        let p = consistency_path(&fsrc, old, n).unwrap();
        prop_assert!(!verify_consistency(old, n, &ro, &rf, &p));
        // The honest proof does not fit the forged root either.
        let honest = consistency_path(&src, old, n).unwrap();
        prop_assert!(!verify_consistency(old, n, &ro, &rf, &honest));
        // One bit flipped in an honest proof.
        let rn = root(&src, n).unwrap();
        let mut bad = honest.clone();
        if !bad.is_empty() {
            let k = bit % (bad.len() * 256);
            bad[k / 256][(k % 256) / 8] ^= 1 << (k % 8);
            prop_assert!(!verify_consistency(old, n, &ro, &rn, &bad));
        }
        let ip = inclusion_path(&src, x as u64, n).unwrap();
        let mut bad = ip.clone();
        if !bad.is_empty() {
            bad[0][bit % 32] ^= 1;
            prop_assert!(!verify_inclusion(x as u64, n, &d[x], &bad, &rn));
        }
        prop_assert!(!verify_inclusion(x as u64, n, &leaf_hash(b"forged"), &ip, &rn));
    }
}

// --- The Certificate Transparency reference vectors (RFC 6962, the same tree as RFC 9162
// section 2.1) ---
//
// Source: google/certificate-transparency-go, `merkle/log_verifier_test.go` (Apache-2.0),
// the vectors the CT implementations share: the eight leaf inputs, the roots of the trees of
// 1..8 of them, and the inclusion and consistency proofs below. Leaf numbers are 0-based here
// (the Go file counts from 1).

const CT_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf, tree size, audit path).
const CT_INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, proof).
const CT_CONSISTENCY: [(u64, u64, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn h32(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn ct_leaves() -> Vec<Hash> {
    CT_LEAVES
        .iter()
        .map(|s| leaf_hash(&hex::decode(s).unwrap()))
        .collect()
}

#[test]
fn p_pol2_ct_reference_vectors_roots_of_1_to_8_leaves() {
    let d = ct_leaves();
    let src = Levels::of(&d);
    for (n, want) in CT_ROOTS.iter().enumerate() {
        let n = n as u64 + 1;
        assert_eq!(hex::encode(root(&src, n).unwrap()), *want, "size {n}");
        assert_eq!(Levels::of(&d[..n as usize]).1.root(), h32(want), "size {n}");
    }
}

#[test]
fn p_pol2_ct_reference_vectors_inclusion_proofs_and_their_mutations() {
    let d = ct_leaves();
    let src = Levels::of(&d);
    let empty = empty_root();
    for (m, n, want) in CT_INCLUSION {
        let want: Vec<Hash> = want.iter().map(|s| h32(s)).collect();
        let r = h32(CT_ROOTS[n as usize - 1]);
        let leaf = d[m as usize];
        // Produced as published, and verified.
        assert_eq!(inclusion_path(&src, m, n).unwrap(), want, "leaf {m} of {n}");
        assert!(verify_inclusion(m, n, &leaf, &want, &r));
        // Every mutation the reference test tries is refused.
        if m > 0 {
            assert!(!verify_inclusion(m - 1, n, &leaf, &want, &r));
        }
        assert!(!verify_inclusion(m + 1, n, &leaf, &want, &r));
        assert!(!verify_inclusion(m ^ 2, n, &leaf, &want, &r));
        assert!(!verify_inclusion(m, n * 2, &leaf, &want, &r));
        assert!(!verify_inclusion(m, n / 2, &leaf, &want, &r));
        assert!(!verify_inclusion(m, n, &leaf_hash(b"WrongLeaf"), &want, &r));
        assert!(!verify_inclusion(m, n, &leaf, &want, &empty));
        for i in 0..want.len() {
            let mut p = want.clone();
            p[i] = empty;
            assert!(
                !verify_inclusion(m, n, &leaf, &p, &r),
                "element {i} replaced"
            );
        }
        for extra in [empty, r] {
            let mut p = want.clone();
            p.push(extra);
            assert!(!verify_inclusion(m, n, &leaf, &p, &r), "trailing hash");
            let mut p = vec![extra];
            p.extend_from_slice(&want);
            assert!(!verify_inclusion(m, n, &leaf, &p, &r), "leading hash");
        }
        assert!(!verify_inclusion(m, n, &leaf, &want[..want.len() - 1], &r));
    }
    // No proof for a leaf outside the tree, or in an empty tree.
    assert!(!verify_inclusion(0, 0, &d[0], &[], &empty));
    assert!(!verify_inclusion(1, 1, &d[0], &[], &d[0]));
    assert!(!verify_inclusion(2, 1, &d[0], &[], &d[0]));
    assert!(verify_inclusion(0, 1, &d[0], &[], &d[0]));
}

#[test]
fn p_pol2_ct_reference_vectors_consistency_proofs_and_their_mutations() {
    let d = ct_leaves();
    let src = Levels::of(&d);
    let empty = empty_root();
    for (m, n, want) in CT_CONSISTENCY {
        let want: Vec<Hash> = want.iter().map(|s| h32(s)).collect();
        let (r1, r2) = (h32(CT_ROOTS[m as usize - 1]), h32(CT_ROOTS[n as usize - 1]));
        assert_eq!(consistency_path(&src, m, n).unwrap(), want, "{m} -> {n}");
        assert!(verify_consistency(m, n, &r1, &r2, &want));
        if want.is_empty() {
            continue;
        }
        assert!(!verify_consistency(m - 1, n, &r1, &r2, &want));
        assert!(!verify_consistency(m + 1, n, &r1, &r2, &want));
        assert!(!verify_consistency(m ^ 2, n, &r1, &r2, &want));
        assert!(!verify_consistency(m, n * 2, &r1, &r2, &want));
        assert!(!verify_consistency(m, n / 2, &r1, &r2, &want));
        assert!(!verify_consistency(
            m,
            n,
            &leaf_hash(b"WrongRoot"),
            &r2,
            &want
        ));
        assert!(!verify_consistency(
            m,
            n,
            &r1,
            &leaf_hash(b"WrongRoot"),
            &want
        ));
        assert!(!verify_consistency(m, n, &r2, &r1, &want));
        assert!(!verify_consistency(m, n, &r1, &r2, &[]));
        for i in 0..want.len() {
            let mut p = want.clone();
            p[i] = empty;
            assert!(
                !verify_consistency(m, n, &r1, &r2, &p),
                "element {i} replaced"
            );
        }
        for extra in [empty, r1, want[0]] {
            let mut p = want.clone();
            p.push(extra);
            assert!(!verify_consistency(m, n, &r1, &r2, &p), "trailing hash");
            let mut p = vec![extra];
            p.extend_from_slice(&want);
            assert!(!verify_consistency(m, n, &r1, &r2, &p), "leading hash");
        }
        assert!(!verify_consistency(m, n, &r1, &r2, &want[..want.len() - 1]));
    }
    // Always consistent: equal trees with no proof, the empty tree with no proof; never: a
    // tree going back in time, a proof where none is due, different roots of one size.
    let r1 = h32(CT_ROOTS[0]);
    assert!(verify_consistency(0, 0, &empty, &empty, &[]));
    assert!(verify_consistency(0, 1, &empty, &r1, &[]));
    assert!(verify_consistency(1, 1, &r1, &r1, &[]));
    assert!(!verify_consistency(1, 0, &r1, &empty, &[]));
    assert!(!verify_consistency(2, 1, &r1, &r1, &[]));
    assert!(!verify_consistency(1, 2, &r1, &h32(CT_ROOTS[1]), &[]));
    assert!(!verify_consistency(1, 1, &r1, &empty, &[]));
    assert!(!verify_consistency(0, 1, &empty, &r1, &[empty]));
    assert!(!verify_consistency(1, 1, &r1, &r1, &[r1]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Proofs produced with the right edge answered by the frontier in memory (and the other
    /// blocks read in one batch) are the RFC's proofs, byte for byte.
    #[test]
    fn p_pol2_proofs_with_the_frontier_edge_are_the_rfc_proofs(n in 1usize..300, m in 0usize..300, o in 0usize..300) {
        let d = leaves(n);
        let src = Levels::of(&d);
        let edge = WithFrontier { frontier: &src.1, src: &src };
        let m = (m % n) as u64;
        let o = (1 + o % n) as u64;
        let n = n as u64;
        prop_assert_eq!(inclusion_path(&edge, m, n).unwrap(), path(m as usize, &d));
        prop_assert_eq!(consistency_path(&edge, o, n).unwrap(), if o < n { subproof(o as usize, &d, true) } else { vec![] });
        prop_assert_eq!(root(&edge, n).unwrap(), mth(&d));
        prop_assert_eq!(root(&edge, o).unwrap(), mth(&d[..o as usize]));
        // The frontier's own blocks and right-edge roots.
        let f = Frontier::load(&src, n).unwrap();
        prop_assert_eq!(&f, &src.1);
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if n & (1 << level) != 0 {
                prop_assert_eq!(f.block(level, start >> level), Some(mth(&d[start as usize..(start + (1 << level)) as usize])));
                prop_assert_eq!(f.suffix_root(start), Some(mth(&d[start as usize..])));
                start += 1 << level;
            }
        }
        prop_assert_eq!(f.block(0, n), None);
    }
}
