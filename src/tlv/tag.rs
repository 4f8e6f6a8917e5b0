//! BER-TLV tags of one to three bytes (ISO/IEC 7816-4 section 5.2.2.1, X.690 8.1.2).

use core::fmt;

use super::TlvError;

/// The class of a tag: its two high bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Class {
    /// `00xxxxxx`
    Universal,
    /// `01xxxxxx`
    Application,
    /// `10xxxxxx`
    ContextSpecific,
    /// `11xxxxxx`
    Private,
}

/// A BER-TLV tag in its canonical encoding of 1 to 3 bytes.
///
/// Accepted encodings (ISO/IEC 7816-4 5.2.2.1):
/// * one byte whose low five bits are not `11111`, other than `00` and `FF`;
/// * two bytes `x1F`-style first byte, then `1F..=7F` (numbers 31 to 127);
/// * three bytes: first byte as above, then `81..=FF`, then `00..=7F`.
///
/// `00` and `FF` are rejected as first bytes: ISO 7816-4 reserves them (they pad between
/// data objects, and `00` is the BER end-of-contents marker of the indefinite form, which is
/// refused too). A second byte below `1F` (a number that fits one byte) or equal to `80`
/// (a leading zero group) is a non-canonical encoding and is rejected, as is a fourth byte.
///
/// ```
/// use cie_pinpuk::tlv::{Class, Tag};
///
/// let t = Tag::from_u32(0xBF_A1_01).unwrap();
/// assert_eq!(t.as_bytes(), &[0xBF, 0xA1, 0x01]);
/// assert!(t.is_constructed());
/// assert_eq!(t.class(), Class::ContextSpecific);
/// assert_eq!(t.number(), 0x21 << 7 | 0x01);
/// assert_eq!(Tag::from_bytes(&[0x7F, 0x49]).unwrap().to_u32(), 0x7F49);
/// assert!(Tag::from_u32(0x1F05).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    bytes: [u8; 3],
    len: u8,
}

impl Tag {
    /// The longest tag accepted, in bytes.
    pub const MAX_LEN: usize = 3;

    /// The tag whose encoding, read as a big-endian number, is `value` (e.g. `0x7F49`,
    /// `0xBFA101`, `0x97`).
    ///
    /// # Errors
    /// [`TlvError::InvalidTag`] (offset 0) for a value that is not a canonical tag encoding.
    pub const fn from_u32(value: u32) -> Result<Self, TlvError> {
        let [b0, b1, b2, b3] = value.to_be_bytes();
        let err = Err(TlvError::InvalidTag { offset: 0 });
        if b0 != 0 {
            return err;
        }
        if b1 == 0 && b2 == 0 {
            if b3 == 0x00 || b3 == 0xFF || b3 & 0x1F == 0x1F {
                return err;
            }
            return Ok(Self {
                bytes: [b3, 0, 0],
                len: 1,
            });
        }
        if b1 == 0 {
            if !multi_byte_first(b2) || b3 < 0x1F || b3 > 0x7F {
                return err;
            }
            return Ok(Self {
                bytes: [b2, b3, 0],
                len: 2,
            });
        }
        if !multi_byte_first(b1) || b2 < 0x81 || b3 > 0x7F {
            return err;
        }
        Ok(Self {
            bytes: [b1, b2, b3],
            len: 3,
        })
    }

    /// The tag encoded by exactly `bytes`.
    ///
    /// # Errors
    /// As [`Tag::read`], plus [`TlvError::TrailingData`] when bytes follow the tag.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TlvError> {
        let tag = Self::read(bytes, 0)?;
        if bytes.len() > tag.encoded_len() {
            return Err(TlvError::TrailingData {
                offset: tag.encoded_len(),
            });
        }
        Ok(tag)
    }

    /// Reads the tag at the start of `input`; `offset` is the position of `input` in the
    /// caller's buffer, used in errors.
    ///
    /// # Errors
    /// [`TlvError::Empty`] for no input, [`TlvError::TruncatedTag`] when a continuation byte
    /// is missing, [`TlvError::InvalidTag`] for `00`, `FF` or a non-canonical encoding,
    /// [`TlvError::TagTooLong`] beyond three bytes.
    pub fn read(input: &[u8], offset: usize) -> Result<Self, TlvError> {
        let Some(&b0) = input.first() else {
            return Err(TlvError::Empty { offset });
        };
        if b0 == 0x00 || b0 == 0xFF {
            return Err(TlvError::InvalidTag { offset });
        }
        if b0 & 0x1F != 0x1F {
            return Ok(Self {
                bytes: [b0, 0, 0],
                len: 1,
            });
        }
        let Some(&b1) = input.get(1) else {
            return Err(TlvError::TruncatedTag { offset });
        };
        if b1 < 0x1F || b1 == 0x80 {
            return Err(TlvError::InvalidTag { offset });
        }
        if b1 & 0x80 == 0 {
            return Ok(Self {
                bytes: [b0, b1, 0],
                len: 2,
            });
        }
        let Some(&b2) = input.get(2) else {
            return Err(TlvError::TruncatedTag { offset });
        };
        if b2 & 0x80 != 0 {
            return Err(TlvError::TagTooLong { offset });
        }
        Ok(Self {
            bytes: [b0, b1, b2],
            len: 3,
        })
    }

    /// The encoding, 1 to 3 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The encoding as a big-endian number (`7F 49` → `0x7F49`).
    #[must_use]
    pub const fn to_u32(&self) -> u32 {
        let [a, b, c] = self.bytes;
        match self.len {
            1 => a as u32,
            2 => u32::from_be_bytes([0, 0, a, b]),
            _ => u32::from_be_bytes([0, a, b, c]),
        }
    }

    /// Length of the encoding, 1 to 3.
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        self.len as usize
    }

    /// Bit 6 (`0x20`) of the first byte: the value is itself a sequence of TLVs.
    #[must_use]
    pub const fn is_constructed(&self) -> bool {
        self.bytes[0] & 0x20 != 0
    }

    /// The class, from the two high bits of the first byte.
    #[must_use]
    pub const fn class(&self) -> Class {
        match self.bytes[0] >> 6 {
            0 => Class::Universal,
            1 => Class::Application,
            2 => Class::ContextSpecific,
            _ => Class::Private,
        }
    }

    /// The tag number (the low five bits of a one-byte tag, else the base-128 number of the
    /// following bytes).
    #[must_use]
    pub const fn number(&self) -> u32 {
        let [a, b, c] = self.bytes;
        match self.len {
            1 => (a & 0x1F) as u32,
            2 => b as u32,
            _ => (((b & 0x7F) as u32) << 7) | c as u32,
        }
    }
}

/// A first byte that announces more tag bytes, other than the reserved `FF`.
const fn multi_byte_first(b: u8) -> bool {
    b & 0x1F == 0x1F && b != 0xFF
}

impl fmt::Display for Tag {
    /// The encoding in upper-case hex, e.g. `7F49`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_bytes() {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl TryFrom<u32> for Tag {
    type Error = TlvError;
    fn try_from(value: u32) -> Result<Self, TlvError> {
        Self::from_u32(value)
    }
}
