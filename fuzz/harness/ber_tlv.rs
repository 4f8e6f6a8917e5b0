//! Fuzz body for `ber_tlv` (docs/testing.md §6, item 2): parse, walk every nesting level,
//! re-encode canonical input and compare; differential against `iso7816-tlv`.
//!
//! Shared by `fuzz/fuzz_targets/ber_tlv.rs` (cargo-fuzz) and `tests/fuzz_ber_tlv.rs` (corpus
//! replay on stable). Uses only the public API of `cie_pinpuk`.

use cie_pinpuk::tlv::{MAX_DEPTH, Strictness, Tlv, TlvBuf, TlvError, TlvIter, validate, walk};

/// Runs every check on one input; panics on a violated invariant.
pub fn run(data: &[u8]) {
    let strict = validate(data, Strictness::Strict);
    let lenient = validate(data, Strictness::Lenient);

    // Strict acceptance implies lenient acceptance of the same objects; a lenient-only
    // acceptance can only come from a non-minimal length.
    match (&strict, &lenient) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Ok(_), Err(e)) => panic!("strict accepts, lenient rejects: {e:?}"),
        (Err(e), Ok(_)) => assert!(matches!(e, TlvError::NonMinimalLength { .. }), "{e:?}"),
        (Err(_), Err(_)) => {}
    }

    // Walk: depth within the bound, offsets inside the input, raw bytes where they claim.
    let mut visited = 0usize;
    let walked = walk(data, Strictness::Lenient, &mut |depth, tlv| {
        assert!((1..=MAX_DEPTH).contains(&depth));
        let end = tlv.offset() + tlv.raw().len();
        assert!(end <= data.len());
        assert_eq!(&data[tlv.offset()..end], tlv.raw());
        assert_eq!(tlv.raw().len(), tlv.header_len() + tlv.value().len());
        assert!(tlv.header_len() >= 2 && tlv.header_len() <= 3 + 5);
        assert_eq!(tlv.non_empty_value().is_ok(), !tlv.value().is_empty());
        visited += 1;
    });
    if let Ok(n) = walked {
        assert_eq!(n, visited);
    }

    // Sibling iteration never panics and stops after the first error.
    let mut it = TlvIter::with_strictness(data, Strictness::Lenient);
    let mut seen_err = false;
    for item in it.by_ref() {
        assert!(!seen_err, "iterator continued after an error");
        if let Ok(t) = item {
            if let Ok(c) = t.children() {
                let _ = c.count();
            }
            let _ = t.find(t.tag());
        } else {
            seen_err = true;
        }
    }
    assert!(it.next().is_none());

    // Canonical input re-encodes to itself.
    if strict.is_ok() {
        let mut out = TlvBuf::new();
        for t in TlvIter::new(data) {
            let t = t.expect("validated");
            reencode(&t, &mut out);
        }
        assert_eq!(out.as_bytes(), data, "canonical round trip");
    }

    differential(data);
}

fn reencode(tlv: &Tlv<'_>, out: &mut TlvBuf) {
    if tlv.is_constructed() {
        out.constructed(tlv.tag(), |b| {
            for k in tlv.children()? {
                reencode(&k?, b);
            }
            Ok(())
        })
        .expect("re-encoding a validated object");
    } else {
        out.push(tlv.tag(), tlv.value())
            .expect("re-encoding a primitive");
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Tree {
    Prim(Vec<u8>, Vec<u8>),
    Cons(Vec<u8>, Vec<Tree>),
}

fn ours_tree(t: &Tlv<'_>) -> Tree {
    let tag = t.tag().as_bytes().to_vec();
    match t.children() {
        Ok(c) => Tree::Cons(tag, c.map(|k| ours_tree(&k.expect("validated"))).collect()),
        Err(_) => Tree::Prim(tag, t.value().to_vec()),
    }
}

fn theirs_tree(t: &iso7816_tlv::ber::Tlv) -> Tree {
    let tag = t.tag().to_bytes().to_vec();
    match t.value() {
        iso7816_tlv::ber::Value::Primitive(v) => Tree::Prim(tag, v.clone()),
        iso7816_tlv::ber::Value::Constructed(c) => {
            Tree::Cons(tag, c.iter().map(theirs_tree).collect())
        }
    }
}

/// Canonical encoding of a tree from raw tag bytes (minimal lengths).
fn encode_tree(t: &Tree) -> Vec<u8> {
    let (tag, value) = match t {
        Tree::Prim(tag, v) => (tag, v.clone()),
        Tree::Cons(tag, c) => (tag, c.iter().flat_map(encode_tree).collect::<Vec<u8>>()),
    };
    let mut out = tag.clone();
    let n = value.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let be = (n as u32).to_be_bytes();
        let skip = be.iter().position(|&x| x != 0).unwrap_or(3);
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&be[skip..]);
    }
    out.extend_from_slice(&value);
    out
}

/// Differential check against iso7816-tlv on one whole object. The documented differences
/// (tests/tlv_differential.rs, D1-D5) are the only cases where we may reject what it
/// accepts; it must never reject what we accept.
fn differential(data: &[u8]) {
    // iso7816-tlv recurses without a depth bound: keep its input small enough that the
    // deepest possible nesting (one level per 2 bytes) stays far from the stack limit.
    if data.len() > 2048 {
        return;
    }
    // validate first: an error inside the first object (e.g. a non-minimal child length,
    // which makes iso7816-tlv read past the parent) is reported before trailing data.
    let ours = validate(data, Strictness::Strict).and_then(|_| Tlv::parse_exact(data));
    let theirs = iso7816_tlv::ber::Tlv::from_bytes(data);
    match (ours, theirs) {
        (Ok(a), Ok(b)) => assert_eq!(ours_tree(&a), theirs_tree(&b)),
        (Ok(_), Err(e)) => panic!("iso7816-tlv rejects what we accept: {e:?}"),
        (Err(e), Ok(t)) => {
            let documented = matches!(
                e,
                TlvError::NonMinimalLength { .. }
                    | TlvError::IndefiniteLength { .. }
                    | TlvError::InvalidTag { .. }
                    | TlvError::TooDeep { .. }
            );
            // D6: they over-read a parent thanks to a non-canonical length somewhere.
            let d6 = encode_tree(&theirs_tree(&t)) != data
                && validate(data, Strictness::Lenient).is_err();
            assert!(documented || d6, "undocumented difference: {e:?}");
        }
        (Err(_), Err(_)) => {}
    }
}
