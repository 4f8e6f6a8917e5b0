//! BER-TLV (ISO/IEC 7816-4 section 5.2.2, X.690 section 8.1): a zero-copy reader for the hot
//! path ([`Tlv`], [`TlvIter`], [`walk`]) and a writer ([`write_tlv`], [`TlvBuf`]).
//!
//! What the reader accepts:
//! * tags of 1 to 3 bytes in canonical form (see [`Tag`]); `00` and `FF` as first tag
//!   bytes are refused ([`TlvError::InvalidTag`]): ISO 7816-4 uses them as padding between
//!   objects, and none of the CIE answers contains padding, so a caller that must skip
//!   padding strips it before parsing;
//! * definite lengths only: short form `00..7F`, then `81 xx`, `82 xx xx`, `83 xx xx xx`,
//!   `84 xx xx xx xx`; `80` (indefinite) and `85`..`FF` are refused;
//! * in [`Strictness::Strict`] (the default), only minimal lengths: `81 05` or `82 00 80`
//!   are refused. The card's answers are DER-like and the SM layer MACs the bytes exactly
//!   as received, so two encodings of one length would be two different messages: strictness
//!   closes that gap. [`Strictness::Lenient`] accepts them for reading files written by
//!   other tools;
//! * a value must fit in the input (and a child in its parent's value, which is automatic
//!   with slices); nesting is bounded by [`MAX_DEPTH`] in [`walk`] and [`validate`].
//!
//! Nothing panics and no arithmetic is unchecked; errors carry a byte offset, never data.
//! Strict parsing and the writer are inverse: `encode(decode(b)) == b` for any `b` the
//! strict reader accepts, which is what "canonical" means here.

mod reader;
mod tag;
mod writer;

pub use reader::{MAX_DEPTH, Tlv, TlvIter, validate, walk};
pub use tag::{Class, Tag};
pub use writer::{TlvBuf, encoded_len, length_len, write_header, write_tlv};

/// How the reader treats length fields that are longer than needed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Strictness {
    /// Only minimal (DER-style) lengths: `81 xx` needs xx ≥ `80`, a longer form needs a
    /// non-zero first byte. For everything the card sends and the SM layer.
    #[default]
    Strict,
    /// Any definite length form up to `84`, minimal or not.
    Lenient,
}

/// A malformed or unencodable BER-TLV structure. Each variant gives the byte offset where
/// the problem starts (from the start of the buffer handed to the parser); none carries
/// data bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// No bytes where a data object was expected.
    #[error("no data object at offset {offset}")]
    Empty {
        /// Offset of the missing object.
        offset: usize,
    },
    /// The tag announces more bytes than there are.
    #[error("truncated tag at offset {offset}")]
    TruncatedTag {
        /// Offset of the tag.
        offset: usize,
    },
    /// A tag longer than 3 bytes.
    #[error("tag longer than 3 bytes at offset {offset}")]
    TagTooLong {
        /// Offset of the tag.
        offset: usize,
    },
    /// A reserved (`00`, `FF`) or non-canonical tag.
    #[error("invalid tag at offset {offset}")]
    InvalidTag {
        /// Offset of the tag.
        offset: usize,
    },
    /// The length field is missing or cut short.
    #[error("truncated length at offset {offset}")]
    TruncatedLength {
        /// Offset of the length field.
        offset: usize,
    },
    /// The indefinite length form `80`.
    #[error("indefinite length at offset {offset}")]
    IndefiniteLength {
        /// Offset of the length field.
        offset: usize,
    },
    /// A length form `85` to `FF`.
    #[error("unsupported length form at offset {offset}")]
    UnsupportedLengthForm {
        /// Offset of the length field.
        offset: usize,
    },
    /// A length encoded in more bytes than needed (strict mode).
    #[error("non-minimal length at offset {offset}")]
    NonMinimalLength {
        /// Offset of the length field.
        offset: usize,
    },
    /// The value runs past the end of the input (or of the parent's value).
    #[error("length {length} at offset {offset} exceeds the {available} bytes available")]
    LengthExceedsInput {
        /// Offset of the length field.
        offset: usize,
        /// The announced length.
        length: usize,
        /// Bytes left after the length field.
        available: usize,
    },
    /// Nesting deeper than the limit.
    #[error("nesting deeper than {max} at offset {offset}")]
    TooDeep {
        /// Offset of the first object too deep.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// Children asked of a primitive object.
    #[error("data object at offset {offset} is not constructed")]
    NotConstructed {
        /// Offset of the object.
        offset: usize,
    },
    /// An empty value where one is mandatory.
    #[error("empty value at offset {offset}")]
    EmptyValue {
        /// Offset of the object.
        offset: usize,
    },
    /// Bytes after the single object expected.
    #[error("trailing bytes at offset {offset}")]
    TrailingData {
        /// Offset of the first extra byte.
        offset: usize,
    },
    /// A value too long to encode (above `0xFFFF_FFFF` bytes).
    #[error("value of {len} bytes too long to encode")]
    ValueTooLong {
        /// The value length.
        len: usize,
    },
    /// The output buffer is too small.
    #[error("buffer too small ({needed} bytes needed)")]
    BufferTooSmall {
        /// Bytes needed (at least).
        needed: usize,
    },
}
