//! A minimal DER *writer* for the virtual card's files and answers (certificates, SOD, key
//! files, GET DATA templates). Parsing is never done here: the card reads incoming TLV with
//! [`crate::tlv`].

use alloc::vec::Vec;

/// Appends a DER/BER definite length.
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
}

/// `tag ‖ len ‖ value`, with a tag of one or more bytes given as written.
pub(crate) fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len().saturating_add(value.len()).saturating_add(4));
    out.extend_from_slice(tag);
    push_len(&mut out, value.len());
    out.extend_from_slice(value);
    out
}

/// A constructed TLV whose value is the concatenation of `parts`.
pub(crate) fn cons(tag: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let value: Vec<u8> = parts.concat();
    tlv(tag, &value)
}

/// `SEQUENCE { parts }`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(&[0x30], parts)
}

/// `SET { parts }` (the parts are taken in the order given).
pub(crate) fn set(parts: &[&[u8]]) -> Vec<u8> {
    cons(&[0x31], parts)
}

/// A non-negative `INTEGER` from big-endian magnitude bytes (leading zeros stripped, one 00
/// added when the top bit is set).
pub(crate) fn uint(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let trimmed = magnitude.get(start..).unwrap_or(&[]);
    let mut value = Vec::with_capacity(trimmed.len().saturating_add(1));
    match trimmed.first() {
        None => value.push(0),
        Some(b) if *b >= 0x80 => value.push(0),
        Some(_) => {}
    }
    value.extend_from_slice(trimmed);
    tlv(&[0x02], &value)
}

/// An `OBJECT IDENTIFIER` from its already encoded content bytes.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(&[0x06], content)
}

/// `AlgorithmIdentifier { oid, NULL }`.
pub(crate) fn alg_null(oid_content: &[u8]) -> Vec<u8> {
    seq(&[&oid(oid_content), &[0x05, 0x00]])
}

/// `OCTET STRING`.
pub(crate) fn octets(value: &[u8]) -> Vec<u8> {
    tlv(&[0x04], value)
}

/// `BIT STRING` with no unused bits.
pub(crate) fn bits(value: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(value.len().saturating_add(1));
    v.push(0);
    v.extend_from_slice(value);
    tlv(&[0x03], &v)
}

/// `UTF8String`.
pub(crate) fn utf8(s: &str) -> Vec<u8> {
    tlv(&[0x0C], s.as_bytes())
}

/// `PrintableString`.
pub(crate) fn printable(s: &str) -> Vec<u8> {
    tlv(&[0x13], s.as_bytes())
}

/// Length of the DER object at the start of `bytes` (header + value), read with the crate's
/// TLV reader; used to trim zero-padded files.
pub(crate) fn der_len(bytes: &[u8]) -> Option<usize> {
    crate::tlv::Tlv::parse(bytes)
        .ok()
        .map(|(t, _)| t.raw().len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(tlv(&[0x04], &[1, 2]), [0x04, 0x02, 1, 2]);
        assert_eq!(tlv(&[0x04], &[0u8; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(&[0x04], &[0u8; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
        assert_eq!(uint(&[0, 0, 0x7F]), [0x02, 0x01, 0x7F]);
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0]), [0x02, 0x01, 0x00]);
        assert_eq!(der_len(&[0x30, 0x82, 0x01, 0x0A]), None, "truncated");
        let mut padded = seq(&[&uint(&[5])]);
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(der_len(&padded), Some(5));
    }

    proptest::proptest! {
        /// What the writer emits, the crate's strict TLV reader parses back.
        #[test]
        fn tlv_writer_round_trips_through_the_reader(
            tag in proptest::prop_oneof![
                proptest::strategy::Just(vec![0x04u8]), proptest::strategy::Just(vec![0x5F, 0x20]),
                proptest::strategy::Just(vec![0x7F, 0x49]), proptest::strategy::Just(vec![0xBF, 0xA1, 0x01]),
            ],
            value in proptest::collection::vec(proptest::num::u8::ANY, 0..700),
        ) {
            let bytes = tlv(&tag, &value);
            let (t, rest) = crate::tlv::Tlv::parse(&bytes).unwrap();
            proptest::prop_assert!(rest.is_empty());
            let got_tag = t.tag();
            proptest::prop_assert_eq!(got_tag.as_bytes(), tag.as_slice());
            proptest::prop_assert_eq!(t.value(), value.as_slice());
            proptest::prop_assert_eq!(der_len(&bytes), Some(bytes.len()));
        }

        #[test]
        fn uint_is_minimal_and_non_negative(m in proptest::collection::vec(proptest::num::u8::ANY, 1..40)) {
            let enc = uint(&m);
            let (t, _) = crate::tlv::Tlv::parse(&enc).unwrap();
            let v = t.value();
            proptest::prop_assert!(v[0] < 0x80);
            proptest::prop_assert!(v.len() == 1 || v[0] != 0 || v[1] >= 0x80);
            let strip = |b: &[u8]| b.iter().skip_while(|x| **x == 0).copied().collect::<Vec<u8>>();
            proptest::prop_assert_eq!(strip(v), strip(&m));
        }
    }
}
