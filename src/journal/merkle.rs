//! The Merkle tree of a transparency log, as RFC 9162 (Certificate Transparency 2.0,
//! section 2.1) defines it: leaf hash `SHA-256(0x00 || d)`, interior node
//! `SHA-256(0x01 || left || right)`, the split of `n` leaves at the largest power of two
//! smaller than `n`, and the inclusion and consistency proofs with their verification
//! algorithms.
//!
//! The tree is not kept in memory: a store keeps the hash of every *complete* subtree (a
//! block of `2^level` leaves starting at a multiple of `2^level`), at most `2n` hashes, each
//! written once when its last leaf arrives. Any subtree the RFC's recursion visits is either
//! such a block or lies on the right edge of the tree, and a right-edge subtree is the fold
//! of at most `log2 n` blocks; so a root, an inclusion proof or a consistency proof takes
//! `O(log n)` reads of stored hashes, whatever the size of the log.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `MTH({})`: the hash of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `MTH({d})`: `SHA-256(0x00 || d)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// An interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Where the hashes of complete subtrees are read from.
pub trait NodeSource {
    /// The error of the source.
    type Error;
    /// The hash of leaves `[index * 2^level, (index + 1) * 2^level)`; the source reports a
    /// missing block as an error.
    fn block(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;

    /// The blocks `wanted`, `(level, index)` each, in that order: one read of the store for
    /// all of them where the store can (the default reads them one by one).
    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Hash>, Self::Error> {
        wanted.iter().map(|&(l, i)| self.block(l, i)).collect()
    }

    /// `MTH(D[a:b])` if the source holds it without reading (a subtree on the right edge of
    /// the tree, kept in memory by a [`Frontier`]); `None`: compute it from blocks.
    fn known_subtree(&self, a: u64, b: u64) -> Option<Hash> {
        let _ = (a, b);
        None
    }
}

impl<T: NodeSource + ?Sized> NodeSource for &T {
    type Error = T::Error;
    fn block(&self, level: u32, index: u64) -> Result<Hash, T::Error> {
        (**self).block(level, index)
    }
    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Hash>, T::Error> {
        (**self).blocks(wanted)
    }
    fn known_subtree(&self, a: u64, b: u64) -> Option<Hash> {
        (**self).known_subtree(a, b)
    }
}

/// A source that records which blocks are asked for and answers zeros: the recursions of
/// this module depend on the sizes only, never on the hashes, so a first pass over it gives
/// the list of blocks a proof needs, read then in one go.
struct Recorder<'a, S: ?Sized> {
    inner: &'a S,
    wanted: core::cell::RefCell<Vec<(u32, u64)>>,
}

impl<S: NodeSource + ?Sized> NodeSource for Recorder<'_, S> {
    type Error = core::convert::Infallible;
    fn block(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        self.wanted.borrow_mut().push((level, index));
        Ok([0; 32])
    }
    fn known_subtree(&self, a: u64, b: u64) -> Option<Hash> {
        self.inner.known_subtree(a, b)
    }
}

/// The blocks read in one go, answered from memory (the second pass).
struct Fetched<'a, S: ?Sized> {
    inner: &'a S,
    got: Vec<((u32, u64), Hash)>,
}

impl<S: NodeSource + ?Sized> NodeSource for Fetched<'_, S> {
    type Error = S::Error;
    fn block(&self, level: u32, index: u64) -> Result<Hash, S::Error> {
        match self.got.iter().find(|(k, _)| *k == (level, index)) {
            Some((_, h)) => Ok(*h),
            None => self.inner.block(level, index),
        }
    }
    fn known_subtree(&self, a: u64, b: u64) -> Option<Hash> {
        self.inner.known_subtree(a, b)
    }
}

/// The recorded blocks, read in one [`NodeSource::blocks`] call.
fn fetch<'a, S: NodeSource + ?Sized>(
    src: &'a S,
    rec: Recorder<'_, S>,
) -> Result<Fetched<'a, S>, S::Error> {
    let mut wanted = rec.wanted.into_inner();
    wanted.sort_unstable();
    wanted.dedup();
    let hashes = src.blocks(&wanted)?;
    Ok(Fetched {
        inner: src,
        got: wanted.into_iter().zip(hashes).collect(),
    })
}

fn recorder<S: NodeSource + ?Sized>(src: &S) -> Recorder<'_, S> {
    Recorder {
        inner: src,
        wanted: core::cell::RefCell::new(Vec::new()),
    }
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    let p = 1u64 << 63u32.saturating_sub(n.leading_zeros());
    if p == n { p >> 1 } else { p }
}

/// `MTH(D[a:b])` for a range the RFC's recursion visits (`a` a multiple of a power of two
/// at least `b - a`), from stored blocks.
pub fn subtree_root<S: NodeSource + ?Sized>(src: &S, a: u64, b: u64) -> Result<Hash, S::Error> {
    let n = b.saturating_sub(a);
    if n == 0 {
        return Ok(empty_root());
    }
    if let Some(h) = src.known_subtree(a, b) {
        return Ok(h);
    }
    if n.is_power_of_two() {
        let level = n.trailing_zeros();
        return src.block(level, a >> level);
    }
    let k = split(n);
    let left = subtree_root(src, a, a.saturating_add(k))?;
    let right = subtree_root(src, a.saturating_add(k), b)?;
    Ok(node_hash(&left, &right))
}

/// `MTH(D[0:n])`.
pub fn root<S: NodeSource + ?Sized>(src: &S, n: u64) -> Result<Hash, S::Error> {
    let rec = recorder(src);
    if let Err(e) = subtree_root(&rec, 0, n) {
        match e {}
    }
    subtree_root(&fetch(src, rec)?, 0, n)
}

/// `PATH(m, D[0:n])` (RFC 9162 2.1.3.1): the inclusion proof of leaf `m` (0-based) in the
/// tree of `n` leaves, `O(log n)` reads. `m < n` is the caller's to check.
pub fn inclusion_path<S: NodeSource + ?Sized>(
    src: &S,
    m: u64,
    n: u64,
) -> Result<Vec<Hash>, S::Error> {
    let rec = recorder(src);
    let mut out = Vec::new();
    if let Err(e) = path_rec(&rec, m, 0, n, &mut out) {
        match e {}
    }
    let src = fetch(src, rec)?;
    out.clear();
    path_rec(&src, m, 0, n, &mut out)?;
    Ok(out)
}

fn path_rec<S: NodeSource + ?Sized>(
    src: &S,
    m: u64,
    a: u64,
    b: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = b.saturating_sub(a);
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path_rec(src, m, a, a.saturating_add(k), out)?;
        out.push(subtree_root(src, a.saturating_add(k), b)?);
    } else {
        path_rec(src, m.saturating_sub(k), a.saturating_add(k), b, out)?;
        out.push(subtree_root(src, a, a.saturating_add(k))?);
    }
    Ok(())
}

/// `PROOF(m, D[0:n])` (RFC 9162 2.1.4.1): the consistency proof between the tree of `m`
/// leaves and the tree of `n` leaves, `0 < m <= n`, `O(log n)` reads.
pub fn consistency_path<S: NodeSource + ?Sized>(
    src: &S,
    m: u64,
    n: u64,
) -> Result<Vec<Hash>, S::Error> {
    let mut out = Vec::new();
    if m == 0 || m >= n {
        return Ok(out);
    }
    let rec = recorder(src);
    if let Err(e) = subproof(&rec, m, 0, n, true, &mut out) {
        match e {}
    }
    let src = fetch(src, rec)?;
    out.clear();
    subproof(&src, m, 0, n, true, &mut out)?;
    Ok(out)
}

fn subproof<S: NodeSource + ?Sized>(
    src: &S,
    m: u64,
    a: u64,
    b: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = b.saturating_sub(a);
    if m == n {
        if !whole {
            out.push(subtree_root(src, a, b)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(src, m, a, a.saturating_add(k), whole, out)?;
        out.push(subtree_root(src, a.saturating_add(k), b)?);
    } else {
        subproof(src, m.saturating_sub(k), a.saturating_add(k), b, false, out)?;
        out.push(subtree_root(src, a, a.saturating_add(k))?);
    }
    Ok(())
}

fn ct_same(a: &Hash, b: &Hash) -> bool {
    bool::from(a.ct_eq(b))
}

/// Verifies an inclusion proof (RFC 9162 2.1.3.2): that the leaf with hash `leaf` is leaf
/// number `index` (0-based) of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let mut fn_ = index;
    let mut sn = size.saturating_sub(1);
    let mut r = *leaf;
    for p in path {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && ct_same(&r, root)
}

/// Verifies a consistency proof (RFC 9162 2.1.4.2): that the tree of `size1` leaves with
/// root `root1` is a prefix of the tree of `size2` leaves with root `root2`.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    path: &[Hash],
) -> bool {
    if size1 > size2 {
        return false;
    }
    if size1 == size2 {
        return path.is_empty() && ct_same(root1, root2);
    }
    if size1 == 0 {
        // The empty tree is a prefix of every tree; the RFC proves nothing for it.
        return path.is_empty();
    }
    // If size1 is a power of two, the first tree's root is the first proof element.
    let mut full: Vec<Hash> = Vec::with_capacity(path.len().saturating_add(1));
    if size1.is_power_of_two() {
        full.push(*root1);
    }
    full.extend_from_slice(path);
    let Some((first, rest)) = full.split_first() else {
        return false;
    };
    let mut fn_ = size1.saturating_sub(1);
    let mut sn = size2.saturating_sub(1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    ct_same(&fr, root1) && ct_same(&sr, root2) && sn == 0
}

/// The complete subtrees covering the leaves so far (the "frontier"), largest first: what
/// an append needs to compute the new blocks and the new root without reading the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// `(level, hash)` of the blocks of the binary decomposition of `size`, largest first.
    blocks: Vec<(u32, Hash)>,
}

/// A block to store: the hash of leaves `[index * 2^level, (index + 1) * 2^level)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The level (0: a leaf).
    pub level: u32,
    /// The index at that level.
    pub index: u64,
    /// The hash.
    pub hash: Hash,
}

impl Frontier {
    /// The frontier of a tree of `size` leaves, read from `src` (`O(log size)` reads).
    pub fn load<S: NodeSource + ?Sized>(src: &S, size: u64) -> Result<Frontier, S::Error> {
        let mut wanted = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            let bit = 1u64 << level;
            if size & bit != 0 {
                wanted.push((level, start >> level));
                start = start.saturating_add(bit);
            }
        }
        let mut read = src.blocks(&wanted)?.into_iter();
        let blocks = wanted
            .iter()
            .map(|&(l, i)| match read.next() {
                Some(h) => Ok((l, h)),
                None => src.block(l, i).map(|h| (l, h)),
            })
            .collect::<Result<Vec<_>, S::Error>>()?;
        Ok(Frontier { size, blocks })
    }

    /// The frontier's block `index` at `level`, if it is one of them.
    pub fn block(&self, level: u32, index: u64) -> Option<Hash> {
        let mut start = 0u64;
        for &(l, h) in &self.blocks {
            if l == level && start >> l == index {
                return Some(h);
            }
            start = start.saturating_add(1u64 << l);
        }
        None
    }

    /// `MTH(D[a:size])` when `a` is where one of the frontier's blocks starts: the fold of
    /// that block and the smaller ones after it, from memory.
    pub fn suffix_root(&self, a: u64) -> Option<Hash> {
        let mut start = 0u64;
        let mut from = None;
        for (i, &(l, _)) in self.blocks.iter().enumerate() {
            if start == a {
                from = Some(i);
                break;
            }
            start = start.saturating_add(1u64 << l);
        }
        let mut it = self.blocks.get(from?..)?.iter().rev();
        let &(_, mut acc) = it.next()?;
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        Some(acc)
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns the blocks completed by it (the leaf itself first).
    pub fn push(&mut self, leaf: Hash) -> Vec<Block> {
        let mut out = Vec::with_capacity(4);
        let mut level = 0u32;
        let mut index = self.size;
        let mut hash = leaf;
        out.push(Block { level, index, hash });
        while let Some(&(l, left)) = self.blocks.last() {
            if l != level {
                break;
            }
            self.blocks.pop();
            hash = node_hash(&left, &hash);
            level = level.saturating_add(1);
            index >>= 1;
            out.push(Block { level, index, hash });
        }
        self.blocks.push((level, hash));
        self.size = self.size.saturating_add(1);
        out
    }

    /// The root of the tree (`MTH(D[0:size])`).
    pub fn root(&self) -> Hash {
        let mut it = self.blocks.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return empty_root();
        };
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

/// A source whose right edge (the blocks of the frontier, and every subtree that ends at the
/// frontier's size) is answered from the frontier in memory; other blocks are read from
/// `src`. A proof against the frontier's size then reads only the blocks left of the edge.
#[derive(Debug)]
pub struct WithFrontier<'a, S> {
    /// The frontier of the tree the proofs are for.
    pub frontier: &'a Frontier,
    /// The stored blocks.
    pub src: S,
}

impl<S: NodeSource> NodeSource for WithFrontier<'_, S> {
    type Error = S::Error;
    fn block(&self, level: u32, index: u64) -> Result<Hash, S::Error> {
        match self.frontier.block(level, index) {
            Some(h) => Ok(h),
            None => self.src.block(level, index),
        }
    }
    fn blocks(&self, wanted: &[(u32, u64)]) -> Result<Vec<Hash>, S::Error> {
        let stored: Vec<(u32, u64)> = wanted
            .iter()
            .copied()
            .filter(|&(l, i)| self.frontier.block(l, i).is_none())
            .collect();
        let mut read = self.src.blocks(&stored)?.into_iter();
        wanted
            .iter()
            .map(|&(l, i)| match self.frontier.block(l, i) {
                Some(h) => Ok(h),
                None => match read.next() {
                    Some(h) => Ok(h),
                    None => self.src.block(l, i),
                },
            })
            .collect()
    }
    fn known_subtree(&self, a: u64, b: u64) -> Option<Hash> {
        if b == self.frontier.size() {
            self.frontier.suffix_root(a)
        } else {
            None
        }
    }
}
