//! The BER-TLV writer: canonical (DER-style minimal) lengths, into a caller buffer or, with
//! [`TlvBuf`], into a growing vector for nested structures.

use alloc::vec::Vec;

use super::{Tag, TlvError};

/// Size of the length field for a value of `value_len` bytes: 1 below `0x80`, then
/// `81 xx`, `82 xx xx`, `83 xx xx xx`, `84 xx xx xx xx`.
///
/// # Errors
/// [`TlvError::ValueTooLong`] above `0xFFFF_FFFF`.
pub const fn length_len(value_len: usize) -> Result<usize, TlvError> {
    if value_len < 0x80 {
        Ok(1)
    } else if value_len <= 0xFF {
        Ok(2)
    } else if value_len <= 0xFFFF {
        Ok(3)
    } else if value_len <= 0xFF_FFFF {
        Ok(4)
    } else if value_len as u64 <= 0xFFFF_FFFF {
        Ok(5)
    } else {
        Err(TlvError::ValueTooLong { len: value_len })
    }
}

/// The encoded size of a data object with `tag` and a value of `value_len` bytes.
///
/// # Errors
/// [`TlvError::ValueTooLong`] when it cannot be represented.
pub fn encoded_len(tag: Tag, value_len: usize) -> Result<usize, TlvError> {
    tag.encoded_len()
        .checked_add(length_len(value_len)?)
        .and_then(|h| h.checked_add(value_len))
        .ok_or(TlvError::ValueTooLong { len: value_len })
}

/// Writes the tag and the minimal length field for a value of `value_len` bytes at the
/// start of `out`; returns the header size. The value goes right after it.
///
/// # Errors
/// [`TlvError::ValueTooLong`], or [`TlvError::BufferTooSmall`] when `out` cannot hold the
/// header.
pub fn write_header(tag: Tag, value_len: usize, out: &mut [u8]) -> Result<usize, TlvError> {
    let mut header = [0u8; Tag::MAX_LEN + 5];
    let n = header_bytes(tag, value_len, &mut header)?;
    let src = header
        .get(..n)
        .ok_or(TlvError::BufferTooSmall { needed: n })?;
    let dst = out
        .get_mut(..n)
        .ok_or(TlvError::BufferTooSmall { needed: n })?;
    dst.copy_from_slice(src);
    Ok(n)
}

/// Writes `tag`, the minimal length and `value` at the start of `out`; returns the size.
///
/// ```
/// use cie_pinpuk::tlv::{write_tlv, Tag};
///
/// let mut out = [0u8; 8];
/// let n = write_tlv(Tag::from_u32(0x97).unwrap(), &[0x80], &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x97, 0x01, 0x80]);
///
/// let mut big = [0u8; 140];
/// let n = write_tlv(Tag::from_u32(0x87).unwrap(), &[0u8; 0x81], &mut big).unwrap();
/// assert_eq!(&big[..3], &[0x87, 0x81, 0x81]);
/// assert_eq!(n, 3 + 0x81);
/// ```
///
/// # Errors
/// As [`write_header`], and [`TlvError::BufferTooSmall`] for the whole object.
pub fn write_tlv(tag: Tag, value: &[u8], out: &mut [u8]) -> Result<usize, TlvError> {
    let total = encoded_len(tag, value.len())?;
    let dst = out
        .get_mut(..total)
        .ok_or(TlvError::BufferTooSmall { needed: total })?;
    let h = write_header(tag, value.len(), dst)?;
    let body = dst
        .get_mut(h..)
        .ok_or(TlvError::BufferTooSmall { needed: total })?;
    body.copy_from_slice(value);
    Ok(total)
}

/// Fills `header` with tag and length; returns the used size.
fn header_bytes(
    tag: Tag,
    value_len: usize,
    header: &mut [u8; Tag::MAX_LEN + 5],
) -> Result<usize, TlvError> {
    let ll = length_len(value_len)?;
    let t = tag.as_bytes();
    let len_bytes = u32::try_from(value_len)
        .map_err(|_| TlvError::ValueTooLong { len: value_len })?
        .to_be_bytes();
    let (tag_part, rest) = header.split_at_mut(t.len());
    tag_part.copy_from_slice(t);
    let too_long = TlvError::ValueTooLong { len: value_len };
    match (ll, rest) {
        (1, [l, ..]) => *l = len_bytes[3],
        (n, [l, tail @ ..]) => {
            // n - 1 significant bytes, big-endian, after 0x80 | (n - 1).
            let k = n.checked_sub(1).ok_or(too_long)?;
            let marker = u8::try_from(k).map_err(|_| too_long)?;
            *l = 0x80 | marker;
            let src = len_bytes
                .get(4usize.checked_sub(k).ok_or(too_long)?..)
                .ok_or(too_long)?;
            tail.get_mut(..k).ok_or(too_long)?.copy_from_slice(src);
        }
        _ => return Err(too_long),
    }
    t.len().checked_add(ll).ok_or(too_long)
}

/// A growing buffer for building nested BER-TLV structures (the virtual card's GET DATA
/// answers, test fixtures).
///
/// It holds public data: it is not wiped on drop, so build nothing secret in it.
///
/// ```
/// use cie_pinpuk::tlv::{Tag, TlvBuf};
///
/// let t = |v| Tag::from_u32(v).unwrap();
/// let mut b = TlvBuf::new();
/// b.constructed(t(0x70), |b| {
///     b.constructed(t(0xBFA101), |b| {
///         b.constructed(t(0xA3), |b| b.push(t(0x97), &[0x02]))
///     })
/// })
/// .unwrap();
/// assert_eq!(
///     b.as_bytes(),
///     &[0x70, 0x09, 0xBF, 0xA1, 0x01, 0x05, 0xA3, 0x03, 0x97, 0x01, 0x02]
/// );
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlvBuf {
    buf: Vec<u8>,
}

impl TlvBuf {
    /// An empty buffer.
    #[must_use]
    pub const fn new() -> Self {
        Self { buf: Vec::new() }
    }

    /// Appends a data object with `tag` and `value`.
    ///
    /// # Errors
    /// [`TlvError::ValueTooLong`] for a value above `0xFFFF_FFFF` bytes.
    pub fn push(&mut self, tag: Tag, value: &[u8]) -> Result<(), TlvError> {
        let mut header = [0u8; Tag::MAX_LEN + 5];
        let n = header_bytes(tag, value.len(), &mut header)?;
        self.buf.extend_from_slice(
            header
                .get(..n)
                .ok_or(TlvError::BufferTooSmall { needed: n })?,
        );
        self.buf.extend_from_slice(value);
        Ok(())
    }

    /// Appends a data object with `tag` whose value is whatever `build` appends.
    ///
    /// # Errors
    /// The error of `build`, or [`TlvError::ValueTooLong`].
    pub fn constructed<F>(&mut self, tag: Tag, build: F) -> Result<(), TlvError>
    where
        F: FnOnce(&mut Self) -> Result<(), TlvError>,
    {
        let start = self.buf.len();
        let result = build(self).and_then(|()| {
            let value_len = self
                .buf
                .len()
                .checked_sub(start)
                .ok_or(TlvError::BufferTooSmall { needed: start })?;
            let mut header = [0u8; Tag::MAX_LEN + 5];
            let n = header_bytes(tag, value_len, &mut header)?;
            let h = header
                .get(..n)
                .ok_or(TlvError::BufferTooSmall { needed: n })?;
            self.buf.splice(start..start, h.iter().copied());
            Ok(())
        });
        if result.is_err() {
            self.buf.truncate(start);
        }
        result
    }

    /// Appends already-encoded bytes (e.g. a TLV read elsewhere).
    pub fn extend_raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The bytes built so far.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Number of bytes built so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was built yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes, as a vector.
    #[must_use]
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

impl core::fmt::Debug for TlvBuf {
    /// The length only, like the other TLV types.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlvBuf")
            .field("len", &self.buf.len())
            .finish()
    }
}
