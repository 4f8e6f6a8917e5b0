//! Parsing and encoding of the plain command APDU (ISO/IEC 7816-4 cases 1-4, short and
//! extended length) on both sides of the channel. Nothing here allocates.

/// The Le of a command as it was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Le {
    /// No Le.
    Absent,
    /// A one-byte Le (`00` = 256).
    Short(u8),
    /// A two-byte Le (`00 00` = 65536).
    Extended([u8; 2]),
}

impl Le {
    /// How many response data bytes this Le allows.
    pub(crate) fn max_len(self) -> usize {
        match self {
            // No Le: ISO 7816-4 expects no data, but the CIE's INTERNAL AUTHENTICATE is sent
            // without Le by the official middleware and answers SN.ICC ‖ SIG (264 bytes for
            // a 2048-bit key, docs/protocol.md §4.5, 8.4). The answer is then bounded by the caller's
            // buffer only.
            Le::Absent => 65536,
            Le::Short(0) => 256,
            Le::Short(n) => usize::from(n),
            Le::Extended([0, 0]) => 65536,
            Le::Extended(b) => usize::from(u16::from_be_bytes(b)),
        }
    }
}

/// A parsed plain command APDU, borrowing its data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlainCommand<'a> {
    pub(crate) header: [u8; 4],
    pub(crate) data: &'a [u8],
    pub(crate) le: Le,
}

/// Parses an encoded plain command APDU; `None` when Lc/Le do not match the length.
pub(crate) fn parse_plain(apdu: &[u8]) -> Option<PlainCommand<'_>> {
    let (header, rest) = apdu.split_first_chunk::<4>()?;
    let header = *header;
    let short = |data, le| Some(PlainCommand { header, data, le });
    let ext = short;
    match rest {
        [] => short(&[][..], Le::Absent),
        [le] => short(&[][..], Le::Short(*le)),
        [0, hi, lo] => ext(&[][..], Le::Extended([*hi, *lo])),
        [0, rest @ ..] => {
            let (lc, body) = rest.split_first_chunk::<2>()?;
            let lc = usize::from(u16::from_be_bytes(*lc));
            if lc == 0 {
                return None;
            }
            let (data, tail) = body.split_at_checked(lc)?;
            match tail {
                [] => ext(data, Le::Absent),
                [hi, lo] => ext(data, Le::Extended([*hi, *lo])),
                _ => None,
            }
        }
        [lc, body @ ..] => {
            let (data, tail) = body.split_at_checked(usize::from(*lc))?;
            match tail {
                [] => short(data, Le::Absent),
                [le] => short(data, Le::Short(*le)),
                _ => None,
            }
        }
    }
}

/// A bounds-checked writer into a caller's buffer.
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Appends bytes; `false` (and nothing written) when they do not fit.
    pub(crate) fn put(&mut self, bytes: &[u8]) -> bool {
        let end = self.pos.saturating_add(bytes.len());
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.pos = end;
                true
            }
            None => false,
        }
    }

    /// Reserves `n` bytes and returns them for the caller to fill.
    pub(crate) fn take(&mut self, n: usize) -> Option<&mut [u8]> {
        let end = self.pos.checked_add(n)?;
        let dst = self.buf.get_mut(self.pos..end)?;
        self.pos = end;
        Some(dst)
    }

    /// A BER length field (`xx`, `81 xx`, `82 xx xx`).
    pub(crate) fn put_ber_len(&mut self, len: usize) -> bool {
        match u8::try_from(len) {
            Ok(l) if l < 0x80 => self.put(&[l]),
            Ok(l) => self.put(&[0x81, l]),
            Err(_) => match u16::try_from(len) {
                Ok(l) => {
                    let [h, lo] = l.to_be_bytes();
                    self.put(&[0x82, h, lo])
                }
                Err(_) => false,
            },
        }
    }

    /// The bytes written so far, from `from`.
    pub(crate) fn written_from(&self, from: usize) -> &[u8] {
        self.buf.get(from..self.pos).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sc3_parse_every_case() {
        let c = parse_plain(&[0, 0xA4, 0, 0]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, Le::Absent));
        let c = parse_plain(&[0, 0xB0, 0, 0, 0x80]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, Le::Short(0x80)));
        let c = parse_plain(&[0, 0x20, 0, 0x81, 2, 1, 2]).unwrap();
        assert_eq!((c.data, c.le), (&[1u8, 2][..], Le::Absent));
        let c = parse_plain(&[0, 0x88, 0, 0, 1, 9, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[9u8][..], Le::Short(0)));
        let c = parse_plain(&[0, 0xB0, 0, 0, 0, 1, 0]).unwrap();
        assert_eq!(c.le, Le::Extended([1, 0]));
        let c = parse_plain(&[0, 0x2A, 0, 0, 0, 0, 1, 7]).unwrap();
        assert_eq!((c.data, c.le), (&[7u8][..], Le::Absent));
        let c = parse_plain(&[0, 0x2A, 0, 0, 0, 0, 1, 7, 0, 0]).unwrap();
        assert_eq!((c.data, c.le.max_len()), (&[7u8][..], 65536));
        assert!(parse_plain(&[0, 0xA4, 0]).is_none());
        assert!(parse_plain(&[0, 0xA4, 0, 0, 2, 1]).is_none());
        assert!(parse_plain(&[0, 0xA4, 0, 0, 0, 0]).is_none());
        assert!(parse_plain(&[0, 0xA4, 0, 0, 0, 0, 0, 1]).is_none());
        assert!(parse_plain(&[0, 0xA4, 0, 0, 1, 1, 0, 0]).is_none());
    }
}
