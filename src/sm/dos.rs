//! The strict data-object parsing secure messaging needs. Stricter than general BER-TLV on
//! purpose: one-byte tags only, minimal lengths in the forms `xx`, `81 xx` (xx ≥ 80) and
//! `82 xx xx` (≥ 0100), a fixed order, no duplicates, nothing after DO `8E`.

use super::error::FormatError;

/// Tag of the encrypted data object with a padding-content indicator (even INS).
pub(crate) const TAG_ENC87: u8 = 0x87;
/// Tag of the encrypted data object without indicator (odd INS).
pub(crate) const TAG_ENC85: u8 = 0x85;
/// Tag of the protected Le.
pub(crate) const TAG_LE: u8 = 0x97;
/// Tag of the protected status word.
pub(crate) const TAG_SW: u8 = 0x99;
/// Tag of the MAC.
pub(crate) const TAG_MAC: u8 = 0x8E;

/// One data object: its tag, its value and where it starts and ends in the body.
#[derive(Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    value: &'a [u8],
    start: usize,
    end: usize,
}

/// Reads the data object starting at `pos`.
fn read_tlv(buf: &[u8], pos: usize) -> Result<Tlv<'_>, FormatError> {
    let rest = buf.get(pos..).ok_or(FormatError::Truncated)?;
    let (&tag, rest) = rest.split_first().ok_or(FormatError::Truncated)?;
    let (&l0, rest) = rest.split_first().ok_or(FormatError::Truncated)?;
    let (len, rest) = match l0 {
        0x00..=0x7F => (usize::from(l0), rest),
        0x81 => {
            let (&l1, rest) = rest.split_first().ok_or(FormatError::Truncated)?;
            if l1 < 0x80 {
                return Err(FormatError::Length);
            }
            (usize::from(l1), rest)
        }
        0x82 => {
            let (ls, rest) = rest
                .split_first_chunk::<2>()
                .ok_or(FormatError::Truncated)?;
            let l = u16::from_be_bytes(*ls);
            if l < 0x100 {
                return Err(FormatError::Length);
            }
            (usize::from(l), rest)
        }
        _ => return Err(FormatError::Length),
    };
    let value = rest.get(..len).ok_or(FormatError::Truncated)?;
    let header = buf.len().saturating_sub(pos).saturating_sub(rest.len());
    let end = pos.saturating_add(header).saturating_add(len);
    Ok(Tlv {
        tag,
        value,
        start: pos,
        end,
    })
}

/// Number of bytes of a BER length field for `len`.
pub(crate) const fn ber_len_size(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len < 0x100 {
        2
    } else {
        3
    }
}

/// Checks an encrypted data object's value and returns its ciphertext.
fn ciphertext(tag: u8, value: &[u8]) -> Result<&[u8], FormatError> {
    let ct = if tag == TAG_ENC87 {
        let (&indicator, ct) = value.split_first().ok_or(FormatError::CiphertextLength)?;
        if indicator != 0x01 {
            return Err(FormatError::Indicator);
        }
        ct
    } else {
        value
    };
    if ct.is_empty() || !ct.len().is_multiple_of(super::crypto::BLOCK) {
        return Err(FormatError::CiphertextLength);
    }
    Ok(ct)
}

/// The pieces of a protected body, borrowed from it.
pub(crate) struct Parsed<'a> {
    /// The ciphertext of DO 87/85, if present.
    pub(crate) ct: Option<&'a [u8]>,
    /// The value of DO 99 (responses) or DO 97 (commands), if present.
    pub(crate) middle: Option<&'a [u8]>,
    /// The MAC of DO 8E.
    pub(crate) mac: &'a [u8; 8],
    /// Where DO 8E starts: the MAC covers `body[..mac_start]`.
    pub(crate) mac_start: usize,
}

/// Parses the body of a protected response (`middle_tag` = 99) or command (`middle_tag` =
/// 97): `[87|85] [middle] 8E`, in this order, nothing else. `odd_ins` selects which of 85/87
/// is allowed.
pub(crate) fn parse_body(
    body: &[u8],
    odd_ins: bool,
    middle_tag: u8,
) -> Result<Parsed<'_>, FormatError> {
    let enc_tag = if odd_ins { TAG_ENC85 } else { TAG_ENC87 };
    let mut ct: Option<&[u8]> = None;
    let mut middle: Option<&[u8]> = None;
    let mut pos = 0usize;
    while let Some(&tag) = body.get(pos) {
        // An unknown tag is reported as such before its length is even read.
        if tag != enc_tag && tag != middle_tag && tag != TAG_MAC {
            return Err(FormatError::UnexpectedTag { tag });
        }
        let tlv = read_tlv(body, pos)?;
        match tlv.tag {
            t if t == enc_tag => {
                if ct.is_some() {
                    return Err(FormatError::Duplicate { tag: t });
                }
                if middle.is_some() {
                    return Err(FormatError::Order);
                }
                ct = Some(ciphertext(t, tlv.value)?);
            }
            t if t == middle_tag => {
                if middle.is_some() {
                    return Err(FormatError::Duplicate { tag: t });
                }
                let ok = if t == TAG_SW {
                    tlv.value.len() == 2
                } else {
                    matches!(tlv.value.len(), 1 | 2)
                };
                if !ok {
                    return Err(if t == TAG_SW {
                        FormatError::StatusLength
                    } else {
                        FormatError::LeLength
                    });
                }
                middle = Some(tlv.value);
            }
            TAG_MAC => {
                let mac: &[u8; 8] = tlv.value.try_into().map_err(|_| FormatError::MacLength)?;
                if tlv.end != body.len() {
                    return Err(match body.get(tlv.end) {
                        Some(&TAG_MAC) => FormatError::Duplicate { tag: TAG_MAC },
                        Some(&t) if t == enc_tag || t == middle_tag => FormatError::Order,
                        _ => FormatError::TrailingBytes,
                    });
                }
                if middle_tag == TAG_SW && middle.is_none() {
                    return Err(FormatError::MissingStatus);
                }
                return Ok(Parsed {
                    ct,
                    middle,
                    mac,
                    mac_start: tlv.start,
                });
            }
            tag => return Err(FormatError::UnexpectedTag { tag }),
        }
        pos = tlv.end;
    }
    Err(if middle_tag == TAG_SW && middle.is_none() {
        FormatError::MissingStatus
    } else {
        FormatError::MissingMac
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn sr7_ber_length_forms() {
        assert_eq!(read_tlv(&[0x87, 0x80], 0).err(), Some(FormatError::Length));
        assert_eq!(
            read_tlv(&[0x87, 0x81, 0x7F], 0).err(),
            Some(FormatError::Length)
        );
        assert_eq!(
            read_tlv(&[0x87, 0x82, 0x00, 0xFF], 0).err(),
            Some(FormatError::Length)
        );
        assert_eq!(
            read_tlv(&[0x87, 0x83, 0, 0, 1], 0).err(),
            Some(FormatError::Length)
        );
        assert_eq!(
            read_tlv(&[0x87, 0x82, 0xFF, 0xFF], 0).err(),
            Some(FormatError::Truncated)
        );
        let mut v = vec![0x87, 0x81, 0x80];
        v.extend([0u8; 0x80]);
        let t = read_tlv(&v, 0).unwrap();
        assert_eq!((t.value.len(), t.start, t.end), (0x80, 0, v.len()));
        assert_eq!(ber_len_size(0x7F), 1);
        assert_eq!(ber_len_size(0x80), 2);
        assert_eq!(ber_len_size(0x100), 3);
    }
}
