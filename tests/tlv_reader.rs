//! docs/testing.md §4.5 (TLV framing) and P-PARSE1..3 for the BER-TLV reader and writer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::arithmetic_side_effects, missing_docs)]

use cie_pinpuk::tlv::{
    MAX_DEPTH, Strictness, Tag, Tlv, TlvBuf, TlvError, TlvIter, encoded_len, length_len, validate,
    walk, write_header, write_tlv,
};
use proptest::prelude::*;

fn tag(v: u32) -> Tag {
    Tag::from_u32(v).unwrap()
}

fn err(input: &[u8]) -> TlvError {
    Tlv::parse(input).unwrap_err()
}

#[test]
fn tlv_4_5_empty_input() {
    assert_eq!(err(&[]), TlvError::Empty { offset: 0 });
    assert_eq!(TlvIter::new(&[]).count(), 0);
    assert_eq!(validate(&[], Strictness::Strict), Ok(0));
    assert_eq!(Tlv::parse_exact(&[]), Err(TlvError::Empty { offset: 0 }));
}

#[test]
fn tlv_4_5_truncated_tag() {
    // 5F alone: a two-byte tag without its second byte.
    assert_eq!(err(&[0x5F]), TlvError::TruncatedTag { offset: 0 });
    // BF A1 announces a third byte that is missing.
    assert_eq!(err(&[0xBF, 0xA1]), TlvError::TruncatedTag { offset: 0 });
    // A tag with nothing after it: the length is missing.
    assert_eq!(err(&[0x97]), TlvError::TruncatedLength { offset: 1 });
    assert_eq!(err(&[0x7F, 0x49]), TlvError::TruncatedLength { offset: 2 });
}

#[test]
fn tlv_4_5_multi_byte_tag_missing_continuation() {
    // Third byte still has bit 8 set: would need a fourth byte (tags are at most 3 bytes).
    assert_eq!(
        err(&[0xBF, 0xA1, 0x81, 0x00]),
        TlvError::TagTooLong { offset: 0 }
    );
    assert_eq!(
        err(&[0x5F, 0x81, 0x81, 0x01, 0x00]),
        TlvError::TagTooLong { offset: 0 }
    );
    // Non-canonical: a number below 31 in two bytes, or a leading zero group.
    assert_eq!(err(&[0x1F, 0x05, 0x00]), TlvError::InvalidTag { offset: 0 });
    assert_eq!(
        err(&[0x1F, 0x80, 0x20, 0x00]),
        TlvError::InvalidTag { offset: 0 }
    );
    // The canonical shapes of the CIE answers are accepted.
    for t in [
        &[0x5F, 0x20][..],
        &[0x7F, 0x49],
        &[0xBF, 0xA1, 0x01],
        &[0xBF, 0xA0, 0x04],
    ] {
        let mut b = t.to_vec();
        b.push(0x00);
        let (tlv, rest) = Tlv::parse(&b).unwrap();
        assert!(rest.is_empty());
        assert_eq!(tlv.tag().as_bytes(), t);
        assert_eq!(tlv.header_len(), t.len() + 1);
    }
}

#[test]
fn tlv_4_5_tag_00_and_ff_rejected() {
    assert_eq!(err(&[0x00, 0x00]), TlvError::InvalidTag { offset: 0 });
    assert_eq!(err(&[0xFF, 0x01, 0x00]), TlvError::InvalidTag { offset: 0 });
    // Padding between objects is not skipped: the error points at it.
    let mut it = TlvIter::new(&[0x80, 0x00, 0x00, 0x81, 0x00]);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(it.next(), Some(Err(TlvError::InvalidTag { offset: 2 })));
    assert_eq!(it.next(), None, "the iterator stops after an error");
    assert!(Tag::from_u32(0x00).is_err());
    assert!(Tag::from_u32(0xFF).is_err());
    assert!(Tag::from_u32(0xFF20).is_err());
}

#[test]
fn tlv_4_5_length_form_80_indefinite_rejected() {
    assert_eq!(
        err(&[0x30, 0x80, 0x00, 0x00]),
        TlvError::IndefiniteLength { offset: 1 }
    );
    assert_eq!(
        Tlv::parse_with(&[0x30, 0x80, 0x00, 0x00], Strictness::Lenient).unwrap_err(),
        TlvError::IndefiniteLength { offset: 1 }
    );
}

#[test]
fn tlv_4_5_length_form_81() {
    let mut b = vec![0x87, 0x81, 0x80];
    b.extend_from_slice(&[0xAB; 0x80]);
    let (t, rest) = Tlv::parse(&b).unwrap();
    assert!(rest.is_empty());
    assert_eq!(t.value().len(), 0x80);
    assert_eq!(t.header_len(), 3);
    // Truncated: 81 with no byte after it.
    assert_eq!(err(&[0x87, 0x81]), TlvError::TruncatedLength { offset: 1 });
}

#[test]
fn tlv_4_5_length_form_82() {
    let mut b = vec![0x53, 0x82, 0x01, 0x00];
    b.extend_from_slice(&[1; 256]);
    b.push(0x99); // a trailing byte stays in `rest`
    let (t, rest) = Tlv::parse(&b).unwrap();
    assert_eq!(t.value().len(), 256);
    assert_eq!(rest, &[0x99]);
    assert_eq!(
        err(&[0x53, 0x82, 0x01]),
        TlvError::TruncatedLength { offset: 1 }
    );
}

#[test]
fn tlv_4_5_length_form_83() {
    let n = 0x01_00_00;
    let mut b = vec![0x04, 0x83, 0x01, 0x00, 0x00];
    b.resize(5 + n, 0x42);
    let (t, _) = Tlv::parse(&b).unwrap();
    assert_eq!(t.value().len(), n);
    assert_eq!(t.header_len(), 5);
}

#[test]
fn tlv_4_5_length_form_84() {
    let n = 0x0100_0000;
    let mut b = vec![0x04, 0x84, 0x01, 0x00, 0x00, 0x00];
    b.resize(6 + n, 0);
    let (t, _) = Tlv::parse(&b).unwrap();
    assert_eq!(t.value().len(), n);
    // A 4-byte length far beyond the input is refused without allocating anything.
    assert_eq!(
        err(&[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]),
        TlvError::LengthExceedsInput {
            offset: 1,
            length: 0xFFFF_FFFF,
            available: 1
        }
    );
}

#[test]
fn tlv_4_5_length_forms_85_and_above_rejected() {
    for first in 0x85..=0xFFu8 {
        let b = [0x04, first, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            err(&b),
            TlvError::UnsupportedLengthForm { offset: 1 },
            "{first:02X}"
        );
        assert_eq!(
            Tlv::parse_with(&b, Strictness::Lenient).unwrap_err(),
            TlvError::UnsupportedLengthForm { offset: 1 }
        );
    }
}

#[test]
fn tlv_4_5_non_minimal_length() {
    let cases: [&[u8]; 5] = [
        &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5],
        &[0x04, 0x82, 0x00, 0x80],
        &[0x04, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5],
        &[0x04, 0x83, 0x00, 0x00, 0x01, 9],
        &[0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 9],
    ];
    for b in cases {
        assert_eq!(err(b), TlvError::NonMinimalLength { offset: 1 }, "{b:02X?}");
    }
    // Lenient mode reads them (when the value is there).
    let (t, _) = Tlv::parse_with(cases[0], Strictness::Lenient).unwrap();
    assert_eq!(t.value(), &[1, 2, 3, 4, 5]);
    assert_eq!(t.header_len(), 3);
    let (t, _) = Tlv::parse_with(cases[3], Strictness::Lenient).unwrap();
    assert_eq!(t.value(), &[9]);
    // The children of a leniently parsed object are lenient too.
    let nested = [0x30, 0x04, 0x04, 0x81, 0x01, 0x07];
    assert_eq!(
        validate(&nested, Strictness::Strict),
        Err(TlvError::NonMinimalLength { offset: 3 })
    );
    assert_eq!(validate(&nested, Strictness::Lenient), Ok(2));
}

#[test]
fn tlv_4_5_length_exceeds_remaining() {
    assert_eq!(
        err(&[0x97, 0x03, 0x01, 0x02]),
        TlvError::LengthExceedsInput {
            offset: 1,
            length: 3,
            available: 2
        }
    );
    assert_eq!(
        err(&[0x97, 0x81, 0x90]),
        TlvError::LengthExceedsInput {
            offset: 1,
            length: 0x90,
            available: 0
        }
    );
}

#[test]
fn tlv_4_5_nested_length_exceeds_parent() {
    // 70 03 { 97 05 ... }: the child claims 5 bytes inside a 3-byte parent, although the
    // input after the parent would have enough bytes.
    let b = [0x70, 0x03, 0x97, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05];
    let (parent, rest) = Tlv::parse(&b).unwrap();
    assert_eq!(rest.len(), 4);
    let child = parent.children().unwrap().next().unwrap();
    assert_eq!(
        child,
        Err(TlvError::LengthExceedsInput {
            offset: 3,
            length: 5,
            available: 1
        })
    );
    assert_eq!(
        validate(&b[..5], Strictness::Strict),
        Err(TlvError::LengthExceedsInput {
            offset: 3,
            length: 5,
            available: 1
        })
    );
}

#[test]
fn tlv_4_5_zero_length_where_value_mandatory() {
    // 91 00: an empty ICC DH public value (docs/protocol.md §8.3, tag 91 inside A6).
    let b = [0xA6, 0x02, 0x91, 0x00];
    let outer = Tlv::parse_exact(&b).unwrap();
    let y = outer.find(tag(0x91)).unwrap().unwrap();
    assert_eq!(y.value(), &[] as &[u8]);
    assert_eq!(y.non_empty_value(), Err(TlvError::EmptyValue { offset: 2 }));
    let b = [0xA6, 0x03, 0x91, 0x01, 0x05];
    let y = Tlv::parse_exact(&b)
        .unwrap()
        .find(tag(0x91))
        .unwrap()
        .unwrap();
    assert_eq!(y.non_empty_value(), Ok(&[0x05][..]));
}

fn nested(depth: usize) -> Vec<u8> {
    // depth-1 constructed 30-wrappers around one primitive 04 00.
    let mut v = vec![0x04, 0x00];
    for _ in 1..depth {
        let mut w = Vec::new();
        let mut h = [0u8; 8];
        let n = write_header(tag(0x30), v.len(), &mut h).unwrap();
        w.extend_from_slice(&h[..n]);
        w.extend_from_slice(&v);
        v = w;
    }
    v
}

#[test]
fn tlv_4_5_depth_over_limit() {
    let ok = nested(MAX_DEPTH);
    assert_eq!(validate(&ok, Strictness::Strict), Ok(MAX_DEPTH));
    let deep = nested(MAX_DEPTH + 1);
    assert_eq!(
        validate(&deep, Strictness::Strict),
        Err(TlvError::TooDeep {
            offset: 2 * MAX_DEPTH,
            max: MAX_DEPTH
        })
    );
    // A very deep input is refused at the limit, without deep recursion.
    let very_deep = nested(5000);
    assert!(matches!(
        validate(&very_deep, Strictness::Strict),
        Err(TlvError::TooDeep { .. })
    ));
    // Depth-first order, parents first.
    let mut depths = Vec::new();
    walk(&nested(4), Strictness::Strict, &mut |d, _| depths.push(d)).unwrap();
    assert_eq!(depths, [1, 2, 3, 4]);
}

#[test]
fn tlv_4_5_hundred_thousand_siblings_linear() {
    // P-PARSE2: 100 000 siblings `81 01 xx`; the iterator reads each byte once.
    let n = 100_000;
    let mut b = Vec::with_capacity(3 * n);
    for i in 0..n {
        b.extend_from_slice(&[0x81, 0x01, i as u8]);
    }
    let mut count = 0usize;
    let mut covered = 0usize;
    let mut expected_offset = 0usize;
    for t in TlvIter::new(&b) {
        let t = t.unwrap();
        assert_eq!(t.offset(), expected_offset);
        expected_offset += t.raw().len();
        covered += t.raw().len();
        count += 1;
    }
    assert_eq!(count, n);
    // Every byte is in exactly one object: work is proportional to the input.
    assert_eq!(covered, b.len());
    assert_eq!(validate(&b, Strictness::Strict), Ok(n));
    // The same inside one constructed parent.
    let mut parent = TlvBuf::new();
    parent
        .constructed(tag(0x70), |p| {
            p.extend_raw(&b);
            Ok(())
        })
        .unwrap();
    let outer = Tlv::parse_exact(parent.as_bytes()).unwrap();
    assert_eq!(outer.header_len(), 5); // 70 83 04 93 E0
    assert_eq!(outer.children().unwrap().count(), n);
    assert_eq!(validate(parent.as_bytes(), Strictness::Strict), Ok(n + 1));
}

#[test]
fn tlv_find_path_on_protocol_8_3_answers() {
    // docs/protocol.md §8.3, CA key object: 70 { BF A0 04 { 7F 49 { 81 n, 82 e, 5F20 CHR, 5F4C CHA } } }
    let t = tag;
    let mut b = TlvBuf::new();
    b.constructed(t(0x70), |b| {
        b.constructed(t(0xBFA004), |b| {
            b.constructed(t(0x7F49), |b| {
                b.push(t(0x81), &[0xC5; 256])?;
                b.push(t(0x82), &[0x01, 0x00, 0x01])?;
                b.push(t(0x5F20), b"IT\x00\x00CIE0000001")?;
                b.push(t(0x5F4C), &[0xA0, 0x00, 0x00, 0x00, 0x00, 0x39, 0x01])
            })
        })
    })
    .unwrap();
    let bytes = b.as_bytes();
    // 7F49 holds 260 + 5 + 17 + 10 = 292 bytes; BF A0 04 holds 5 + 292; 70 holds 6 + 297.
    assert_eq!(&bytes[..4], &[0x70, 0x82, 0x01, 0x2F]);
    assert_eq!(bytes.len(), 4 + 0x12F);
    let root = TlvIter::new(bytes);
    let key = root
        .clone()
        .find_path(&[t(0x70), t(0xBFA004), t(0x7F49)])
        .unwrap()
        .unwrap();
    assert_eq!(
        key.find(t(0x82)).unwrap().unwrap().value(),
        &[0x01, 0x00, 0x01]
    );
    assert_eq!(key.find(t(0x81)).unwrap().unwrap().value().len(), 256);
    assert_eq!(
        &key.find(t(0x5F20)).unwrap().unwrap().value()[4..],
        b"CIE0000001"
    );
    assert_eq!(key.find(t(0x99)).unwrap(), None);
    assert_eq!(root.find_path(&[t(0x70), t(0xA3)]).unwrap(), None);
    // children of a primitive object are refused.
    let e = key.find(t(0x82)).unwrap().unwrap();
    assert!(matches!(e.children(), Err(TlvError::NotConstructed { .. })));
    assert_eq!(validate(bytes, Strictness::Strict), Ok(7));
}

#[test]
fn tlv_writer_length_forms() {
    assert_eq!(length_len(0x7F), Ok(1));
    assert_eq!(length_len(0x80), Ok(2));
    assert_eq!(length_len(0xFF), Ok(2));
    assert_eq!(length_len(0x100), Ok(3));
    assert_eq!(length_len(0xFFFF), Ok(3));
    assert_eq!(length_len(0x1_0000), Ok(4));
    assert_eq!(length_len(0x100_0000), Ok(5));
    #[cfg(target_pointer_width = "64")]
    assert_eq!(
        length_len(0x1_0000_0000),
        Err(TlvError::ValueTooLong { len: 0x1_0000_0000 })
    );
    let mut h = [0u8; 8];
    for (len, want) in [
        (5usize, &[0x97, 0x05][..]),
        (0x80, &[0x97, 0x81, 0x80]),
        (0x1234, &[0x97, 0x82, 0x12, 0x34]),
        (0x12_3456, &[0x97, 0x83, 0x12, 0x34, 0x56]),
        (0x1234_5678, &[0x97, 0x84, 0x12, 0x34, 0x56, 0x78]),
    ] {
        let n = write_header(tag(0x97), len, &mut h).unwrap();
        assert_eq!(&h[..n], want);
        assert_eq!(encoded_len(tag(0x97), len), Ok(n + len));
    }
    let n = write_header(tag(0xBFA101), 3, &mut h).unwrap();
    assert_eq!(&h[..n], &[0xBF, 0xA1, 0x01, 0x03]);
    let mut small = [0u8; 3];
    assert_eq!(
        write_tlv(tag(0x97), &[1, 2], &mut small),
        Err(TlvError::BufferTooSmall { needed: 4 })
    );
    assert_eq!(
        write_header(tag(0x97), 0x100, &mut small[..2]),
        Err(TlvError::BufferTooSmall { needed: 4 })
    );
}

#[test]
fn tlv_buf_failed_build_leaves_nothing() {
    let mut b = TlvBuf::new();
    b.push(tag(0x80), &[1]).unwrap();
    let r = b.constructed(tag(0x70), |b| {
        b.push(tag(0x81), &[2])?;
        Err(TlvError::EmptyValue { offset: 0 })
    });
    assert!(r.is_err());
    assert_eq!(b.as_bytes(), &[0x80, 0x01, 0x01]);
}

#[test]
fn tlv_tag_properties() {
    use cie_pinpuk::tlv::Class;
    assert_eq!(tag(0x97).class(), Class::ContextSpecific);
    assert!(!tag(0x97).is_constructed());
    assert_eq!(tag(0x5F20).class(), Class::Application);
    assert_eq!(tag(0x5F20).number(), 0x20);
    assert_eq!(tag(0x30).class(), Class::Universal);
    assert_eq!(tag(0xC1).class(), Class::Private);
    assert_eq!(tag(0x7F49).to_string(), "7F49");
    assert_eq!(format!("{:?}", tag(0xBFA101)), "Tag(BFA101)");
    assert_eq!(
        Tag::from_bytes(&[0x97, 0x00]),
        Err(TlvError::TrailingData { offset: 1 })
    );
    assert_eq!(
        Tlv::parse_exact(&[0x97, 0x00, 0x00]),
        Err(TlvError::TrailingData { offset: 2 })
    );
}

// ---- proptest round trips (docs/testing.md §4.5 last item) ----

/// Any canonical tag, drawn from its three shapes.
fn any_tag() -> impl Strategy<Value = Tag> {
    prop_oneof![
        any::<u8>().prop_filter_map("1-byte", |b| Tag::from_u32(u32::from(b)).ok()),
        (any::<u8>(), 0x1Fu8..=0x7F).prop_filter_map("2-byte", |(a, b)| Tag::from_u32(
            u32::from_be_bytes([0, 0, a | 0x1F, b])
        )
        .ok()),
        (any::<u8>(), 0x81u8..=0xFF, 0u8..=0x7F).prop_filter_map("3-byte", |(a, b, c)| {
            Tag::from_u32(u32::from_be_bytes([0, a | 0x1F, b, c])).ok()
        }),
    ]
}

/// A tree of objects: primitive leaves, constructed nodes with children.
#[derive(Debug, Clone)]
enum Node {
    Prim(Tag, Vec<u8>),
    Cons(Tag, Vec<Node>),
}

fn any_node() -> impl Strategy<Value = Node> {
    let leaf = (
        any_tag().prop_filter("primitive", |t| !t.is_constructed()),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(t, v)| Node::Prim(t, v));
    leaf.prop_recursive(6, 64, 6, |inner| {
        (
            any_tag().prop_filter("constructed", |t| t.is_constructed()),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(t, c)| Node::Cons(t, c))
    })
}

fn encode(node: &Node, b: &mut TlvBuf) {
    match node {
        Node::Prim(t, v) => b.push(*t, v).unwrap(),
        Node::Cons(t, c) => b
            .constructed(*t, |b| {
                for n in c {
                    encode(n, b);
                }
                Ok(())
            })
            .unwrap(),
    }
}

fn check_decoded(node: &Node, tlv: &Tlv<'_>) {
    match node {
        Node::Prim(t, v) => {
            assert_eq!(tlv.tag(), *t);
            assert_eq!(tlv.value(), &v[..]);
        }
        Node::Cons(t, c) => {
            assert_eq!(tlv.tag(), *t);
            let kids: Vec<_> = tlv.children().unwrap().map(Result::unwrap).collect();
            assert_eq!(kids.len(), c.len());
            for (n, k) in c.iter().zip(&kids) {
                check_decoded(n, k);
            }
        }
    }
}

/// Re-encodes a parsed object from its parts (tag, value), recursively for constructed ones.
fn reencode(tlv: &Tlv<'_>, out: &mut TlvBuf) {
    if tlv.is_constructed() {
        out.constructed(tlv.tag(), |b| {
            for k in tlv.children().unwrap() {
                reencode(&k.unwrap(), b);
            }
            Ok(())
        })
        .unwrap();
    } else {
        out.push(tlv.tag(), tlv.value()).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tlv_4_5_roundtrip_decode_encode_is_identity(nodes in prop::collection::vec(any_node(), 0..4)) {
        let mut b = TlvBuf::new();
        for n in &nodes { encode(n, &mut b); }
        let bytes = b.as_bytes();
        let parsed: Vec<_> = TlvIter::new(bytes).map(Result::unwrap).collect();
        prop_assert_eq!(parsed.len(), nodes.len());
        for (n, t) in nodes.iter().zip(&parsed) { check_decoded(n, t); }
        prop_assert!(validate(bytes, Strictness::Strict).is_ok());
    }

    #[test]
    fn tlv_4_5_roundtrip_encode_decode_canonical(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        // Any input the strict reader accepts at every level is canonical: re-encoding
        // from (tag, value) gives the same bytes.
        if validate(&bytes, Strictness::Strict).is_ok() {
            let mut out = TlvBuf::new();
            for t in TlvIter::new(&bytes) { reencode(&t.unwrap(), &mut out); }
            prop_assert_eq!(out.as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn tlv_4_5_roundtrip_single_primitive(t in any_tag(), v in prop::collection::vec(any::<u8>(), 0..1200)) {
        let mut out = vec![0u8; encoded_len(t, v.len()).unwrap()];
        let n = write_tlv(t, &v, &mut out).unwrap();
        prop_assert_eq!(n, out.len());
        let parsed = Tlv::parse_exact(&out).unwrap();
        prop_assert_eq!(parsed.tag(), t);
        prop_assert_eq!(parsed.value(), &v[..]);
        prop_assert_eq!(parsed.header_len(), t.encoded_len() + length_len(v.len()).unwrap());
    }

    #[test]
    fn tlv_tag_bytes_round_trip(t in any_tag()) {
        prop_assert_eq!(Tag::from_bytes(t.as_bytes()), Ok(t));
        prop_assert_eq!(Tag::from_u32(t.to_u32()), Ok(t));
    }

    #[test]
    fn p_parse1_tlv_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for s in [Strictness::Strict, Strictness::Lenient] {
            let _ = validate(&bytes, s);
            let _ = Tlv::parse_with(&bytes, s);
            for t in TlvIter::with_strictness(&bytes, s).flatten() {
                let _ = t.non_empty_value();
                if let Ok(c) = t.children() { let _ = c.count(); }
            }
        }
    }

    #[test]
    fn tlv_tag_from_u32_matches_reader(v in 0u32..=0xFF_FFFF) {
        // from_u32 accepts exactly the values whose bytes the reader takes as one whole tag.
        let bytes = v.to_be_bytes();
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(3);
        let enc = &bytes[start..];
        let read = Tag::from_bytes(enc);
        prop_assert_eq!(Tag::from_u32(v).ok(), read.ok());
    }
}
