//! The zero-copy BER-TLV reader: one data object ([`Tlv`]), its siblings ([`TlvIter`]),
//! its children, lookups by tag and path, and a depth-bounded walk.

use core::fmt;

use super::{Strictness, Tag, TlvError};

/// Deepest nesting [`walk`] and [`validate`] accept. Top-level objects are at depth 1; the
/// deepest CIE answer (the DH parameters of docs/protocol.md §8.3) has 4 levels.
pub const MAX_DEPTH: usize = 16;

/// One BER-TLV data object, borrowing its bytes from the input.
///
/// Parsing reads only the tag and length; a constructed value is parsed when asked for
/// ([`Tlv::children`], [`Tlv::find`]) or checked as a whole with [`validate`].
///
/// ```
/// use cie_pinpuk::tlv::{Tag, Tlv};
///
/// // The answer shape for the DH generator g (docs/protocol.md §8.3), with a 1-byte g.
/// let answer = [0x70, 0x09, 0xBF, 0xA1, 0x01, 0x05, 0xA3, 0x03, 0x97, 0x01, 0x02];
/// let (outer, rest) = Tlv::parse(&answer).unwrap();
/// assert!(rest.is_empty());
/// assert_eq!(outer.tag(), Tag::from_u32(0x70).unwrap());
/// assert_eq!(outer.header_len(), 2);
/// let path = [0xBFA101, 0xA3, 0x97].map(|t| Tag::from_u32(t).unwrap());
/// let g = outer.find_path(&path).unwrap().unwrap();
/// assert_eq!(g.value(), &[0x02]);
/// assert_eq!(g.offset(), 8);
/// ```
///
/// `Debug` shows the tag, offset and lengths, never the value bytes (a value may be SM
/// plaintext).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    tag: Tag,
    value: &'a [u8],
    raw: &'a [u8],
    offset: usize,
    strictness: Strictness,
}

impl<'a> Tlv<'a> {
    /// Parses the first data object of `input` with [`Strictness::Strict`]; returns it and
    /// the bytes after it.
    ///
    /// # Errors
    /// Any [`TlvError`] about the tag or the length; offsets count from the start of `input`.
    pub fn parse(input: &'a [u8]) -> Result<(Self, &'a [u8]), TlvError> {
        Self::parse_at(input, 0, Strictness::Strict)
    }

    /// As [`Tlv::parse`], with the given strictness for lengths.
    ///
    /// # Errors
    /// As [`Tlv::parse`].
    pub fn parse_with(
        input: &'a [u8],
        strictness: Strictness,
    ) -> Result<(Self, &'a [u8]), TlvError> {
        Self::parse_at(input, 0, strictness)
    }

    /// Parses `input` as exactly one data object (strict).
    ///
    /// # Errors
    /// As [`Tlv::parse`], and [`TlvError::TrailingData`] when bytes follow it.
    pub fn parse_exact(input: &'a [u8]) -> Result<Self, TlvError> {
        let (tlv, rest) = Self::parse(input)?;
        if rest.is_empty() {
            Ok(tlv)
        } else {
            Err(TlvError::TrailingData {
                offset: tlv.raw.len(),
            })
        }
    }

    /// Parses the object at the start of `input`, which sits at `base` in the caller's
    /// buffer.
    pub(crate) fn parse_at(
        input: &'a [u8],
        base: usize,
        strictness: Strictness,
    ) -> Result<(Self, &'a [u8]), TlvError> {
        let tag = Tag::read(input, base)?;
        let tag_len = tag.encoded_len();
        let after_tag = input.get(tag_len..).unwrap_or(&[]);
        let len_offset = base.saturating_add(tag_len);
        let (value_len, len_len) = read_length(after_tag, len_offset, strictness)?;
        let header_len = tag_len.saturating_add(len_len);
        let after_header = after_tag.get(len_len..).unwrap_or(&[]);
        let value = after_header
            .get(..value_len)
            .ok_or(TlvError::LengthExceedsInput {
                offset: len_offset,
                length: value_len,
                available: after_header.len(),
            })?;
        // header_len + value_len <= input.len(): both slices came from `input`.
        let total = header_len.saturating_add(value_len);
        let (raw, rest) = input
            .split_at_checked(total)
            .ok_or(TlvError::LengthExceedsInput {
                offset: len_offset,
                length: value_len,
                available: after_header.len(),
            })?;
        Ok((
            Self {
                tag,
                value,
                raw,
                offset: base,
                strictness,
            },
            rest,
        ))
    }

    /// The tag.
    #[must_use]
    pub const fn tag(&self) -> Tag {
        self.tag
    }

    /// The value field (possibly empty).
    #[must_use]
    pub const fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The value, which must not be empty: for data objects whose value is mandatory (a key
    /// modulus, a DH public value, an SM cryptogram).
    ///
    /// # Errors
    /// [`TlvError::EmptyValue`] when the length is zero.
    pub const fn non_empty_value(&self) -> Result<&'a [u8], TlvError> {
        if self.value.is_empty() {
            Err(TlvError::EmptyValue {
                offset: self.offset,
            })
        } else {
            Ok(self.value)
        }
    }

    /// The whole encoding: tag, length and value, exactly as in the input.
    #[must_use]
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Length of the tag and length fields.
    #[must_use]
    pub const fn header_len(&self) -> usize {
        self.raw.len().saturating_sub(self.value.len())
    }

    /// Position of the first tag byte in the buffer the parse started from.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The strictness this object was parsed with (its children use the same).
    #[must_use]
    pub const fn strictness(&self) -> Strictness {
        self.strictness
    }

    /// Whether the tag marks a constructed value.
    #[must_use]
    pub const fn is_constructed(&self) -> bool {
        self.tag.is_constructed()
    }

    /// Iterates over the data objects inside a constructed value. Each child must fit in
    /// the parent's value (a nested length beyond the parent is an error).
    ///
    /// # Errors
    /// [`TlvError::NotConstructed`] for a primitive tag.
    pub fn children(&self) -> Result<TlvIter<'a>, TlvError> {
        if !self.is_constructed() {
            return Err(TlvError::NotConstructed {
                offset: self.offset,
            });
        }
        Ok(TlvIter {
            rest: self.value,
            offset: self.offset.saturating_add(self.header_len()),
            strictness: self.strictness,
            done: false,
        })
    }

    /// The first child with `tag` (children before it are parsed; those after are not).
    ///
    /// # Errors
    /// [`TlvError::NotConstructed`], or the parse error of a child met before the match.
    pub fn find(&self, tag: Tag) -> Result<Option<Self>, TlvError> {
        self.children()?.find_tag(tag)
    }

    /// Follows `path` down from this object: the first child with `path[0]`, then its first
    /// child with `path[1]`, and so on. An empty path gives this object. No backtracking:
    /// only the first match at each level is followed.
    ///
    /// # Errors
    /// As [`Tlv::find`] at each level.
    pub fn find_path(&self, path: &[Tag]) -> Result<Option<Self>, TlvError> {
        let mut current = *self;
        for &tag in path {
            match current.find(tag)? {
                Some(next) => current = next,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }
}

/// Iterator over sibling data objects. It yields `Err` once on malformed input and then
/// stops.
///
/// ```
/// use cie_pinpuk::tlv::{Tag, TlvIter};
///
/// let bytes = [0x81, 0x01, 0xAA, 0x82, 0x00, 0x5F, 0x20, 0x01, 0xBB];
/// let tags: Vec<u32> = TlvIter::new(&bytes).map(|t| t.unwrap().tag().to_u32()).collect();
/// assert_eq!(tags, [0x81, 0x82, 0x5F20]);
/// let chr = TlvIter::new(&bytes).find_tag(Tag::from_u32(0x5F20).unwrap()).unwrap().unwrap();
/// assert_eq!(chr.value(), &[0xBB]);
/// ```
#[derive(Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    offset: usize,
    strictness: Strictness,
    done: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates over the data objects of `input` with [`Strictness::Strict`].
    #[must_use]
    pub const fn new(input: &'a [u8]) -> Self {
        Self::with_strictness(input, Strictness::Strict)
    }

    /// Iterates over the data objects of `input` with the given strictness.
    #[must_use]
    pub const fn with_strictness(input: &'a [u8], strictness: Strictness) -> Self {
        Self {
            rest: input,
            offset: 0,
            strictness,
            done: false,
        }
    }

    /// The bytes not yet parsed.
    #[must_use]
    pub const fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// The first object with `tag`, parsing only up to it.
    ///
    /// # Errors
    /// The parse error of an object met before the match.
    pub fn find_tag(self, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        for item in self {
            let tlv = item?;
            if tlv.tag == tag {
                return Ok(Some(tlv));
            }
        }
        Ok(None)
    }

    /// The first object with `path[0]`, then its first child with `path[1]`, and so on.
    /// An empty path gives `None`.
    ///
    /// # Errors
    /// As [`Tlv::find_path`].
    pub fn find_path(self, path: &[Tag]) -> Result<Option<Tlv<'a>>, TlvError> {
        let Some((&first, rest)) = path.split_first() else {
            return Ok(None);
        };
        match self.find_tag(first)? {
            Some(tlv) => tlv.find_path(rest),
            None => Ok(None),
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        match Tlv::parse_at(self.rest, self.offset, self.strictness) {
            Ok((tlv, rest)) => {
                self.offset = self.offset.saturating_add(tlv.raw.len());
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl core::iter::FusedIterator for TlvIter<'_> {}

impl fmt::Debug for Tlv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tlv")
            .field("tag", &self.tag)
            .field("offset", &self.offset)
            .field("header_len", &self.header_len())
            .field("value_len", &self.value.len())
            .finish()
    }
}

impl fmt::Debug for TlvIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlvIter")
            .field("offset", &self.offset)
            .field("remaining_len", &self.rest.len())
            .field("strictness", &self.strictness)
            .field("done", &self.done)
            .finish()
    }
}

/// Visits every data object of `input`, depth first, parents before children; `visit`
/// gets the depth (1 for top-level objects) and the object. Every constructed value must
/// be a complete sequence of objects. Returns the number of objects visited.
///
/// The work is linear in the input: each byte is read once as part of a header or skipped
/// over inside a value, and the recursion stops at [`MAX_DEPTH`] (P-PARSE2).
///
/// ```
/// use cie_pinpuk::tlv::{walk, Strictness};
///
/// let answer = [0x70, 0x09, 0xBF, 0xA1, 0x01, 0x05, 0xA3, 0x03, 0x97, 0x01, 0x02];
/// let mut depths = Vec::new();
/// let n = walk(&answer, Strictness::Strict, &mut |depth, _tlv| depths.push(depth)).unwrap();
/// assert_eq!(n, 4);
/// assert_eq!(depths, [1, 2, 3, 4]);
/// ```
///
/// # Errors
/// The first [`TlvError`] met, or [`TlvError::TooDeep`] for an object below [`MAX_DEPTH`].
pub fn walk<'a, F>(
    input: &'a [u8],
    strictness: Strictness,
    visit: &mut F,
) -> Result<usize, TlvError>
where
    F: FnMut(usize, &Tlv<'a>),
{
    let mut count = 0usize;
    walk_level(
        TlvIter::with_strictness(input, strictness),
        1,
        visit,
        &mut count,
    )?;
    Ok(count)
}

/// Checks that `input` is a well-formed sequence of data objects at every nesting level
/// (within [`MAX_DEPTH`]); returns the number of objects.
///
/// # Errors
/// As [`walk`].
pub fn validate(input: &[u8], strictness: Strictness) -> Result<usize, TlvError> {
    walk(input, strictness, &mut |_, _| {})
}

fn walk_level<'a, F>(
    iter: TlvIter<'a>,
    depth: usize,
    visit: &mut F,
    count: &mut usize,
) -> Result<(), TlvError>
where
    F: FnMut(usize, &Tlv<'a>),
{
    for item in iter {
        let tlv = item?;
        if depth > MAX_DEPTH {
            return Err(TlvError::TooDeep {
                offset: tlv.offset,
                max: MAX_DEPTH,
            });
        }
        *count = count.saturating_add(1);
        visit(depth, &tlv);
        if tlv.is_constructed() {
            walk_level(tlv.children()?, depth.saturating_add(1), visit, count)?;
        }
    }
    Ok(())
}

/// Reads a length field at the start of `input` (which sits at `offset`); returns the
/// value length and the size of the length field.
fn read_length(
    input: &[u8],
    offset: usize,
    strictness: Strictness,
) -> Result<(usize, usize), TlvError> {
    let Some((&first, rest)) = input.split_first() else {
        return Err(TlvError::TruncatedLength { offset });
    };
    match first {
        0x00..=0x7F => Ok((usize::from(first), 1)),
        0x80 => Err(TlvError::IndefiniteLength { offset }),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let bytes = rest.get(..n).ok_or(TlvError::TruncatedLength { offset })?;
            let value = bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            if strictness == Strictness::Strict {
                let minimal = match bytes {
                    [b] => *b >= 0x80,
                    [b, ..] => *b != 0,
                    [] => false,
                };
                if !minimal {
                    return Err(TlvError::NonMinimalLength { offset });
                }
            }
            let value = usize::try_from(value).map_err(|_| TlvError::LengthExceedsInput {
                offset,
                length: usize::MAX,
                available: rest.len().saturating_sub(n),
            })?;
            Ok((value, n.saturating_add(1)))
        }
        _ => Err(TlvError::UnsupportedLengthForm { offset }),
    }
}
