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

/// Length of the DER object at the start of `bytes` (header + value), if it is well formed
/// enough to tell; used to trim zero-padded files.
pub(crate) fn der_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    let (header, len) = match first {
        l if l < 0x80 => (2usize, usize::from(l)),
        0x81 => (3, usize::from(*bytes.get(2)?)),
        0x82 => (
            4,
            usize::from(*bytes.get(2)?) << 8 | usize::from(*bytes.get(3)?),
        ),
        _ => return None,
    };
    header
        .checked_add(len)
        .filter(|total| *total <= bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(tlv(&[0x04], &[1, 2]), [0x04, 0x02, 1, 2]);
        assert_eq!(tlv(&[0x04], &[0u8; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(&[0x04], &[0u8; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
        assert_eq!(uint(&[0, 0, 0x7F]), [0x02, 0x01, 0x7F]);
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0]), [0x02, 0x01, 0x00]);
        assert_eq!(der_len(&[0x30, 0x82, 0x01, 0x0A]), None);
        let mut padded = seq(&[&uint(&[5])]);
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(der_len(&padded), Some(5));
    }
}
