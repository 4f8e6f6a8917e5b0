//! Command APDUs: building, encoding (short and extended form) and parsing.
//!
//! The encoding rules are those of ISO/IEC 7816-3 section 12.1 (and 7816-4 section 5.1):
//!
//! | case | short form | extended form |
//! |---|---|---|
//! | 1 | `CLA INS P1 P2` | same |
//! | 2 | `… Le` (`00` = 256) | `… 00 Le1 Le2` (`00 00` = 65 536) |
//! | 3 | `… Lc data` (Lc 1..=255) | `… 00 Lc1 Lc2 data` (Lc 1..=65 535) |
//! | 4 | `… Lc data Le` | `… 00 Lc1 Lc2 data Le1 Le2` |

use super::ApduError;

/// Length of the command header `CLA INS P1 P2`.
pub const HEADER_LEN: usize = 4;
/// Largest data field of a short command.
pub const SHORT_MAX_DATA: usize = 255;
/// Largest Le of a short command (encoded `00`).
pub const SHORT_MAX_LE: u32 = 256;
/// Largest data field of an extended command.
pub const EXTENDED_MAX_DATA: usize = 65_535;
/// Largest Le of an extended command (encoded `00 00`).
pub const EXTENDED_MAX_LE: u32 = 65_536;
/// Length of the longest short command: header, Lc, 255 data bytes, Le.
pub const SHORT_MAX_LEN: usize = HEADER_LEN + 1 + SHORT_MAX_DATA + 1;

/// Short or extended length fields.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Form {
    /// One-byte Lc and Le: data up to 255 bytes, Le up to 256.
    Short,
    /// Three-byte Lc (`00 HH LL`) and two- or three-byte Le: data up to 65 535 bytes, Le up
    /// to 65 536.
    Extended,
}

/// The ISO 7816-4 case of a command: whether it carries data and/or an Le.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Case {
    /// No data, no Le.
    Case1,
    /// No data, Le present.
    Case2,
    /// Data, no Le.
    Case3,
    /// Data and Le.
    Case4,
}

impl Case {
    /// The case number, 1 to 4.
    #[must_use]
    pub const fn number(self) -> u8 {
        match self {
            Self::Case1 => 1,
            Self::Case2 => 2,
            Self::Case3 => 3,
            Self::Case4 => 4,
        }
    }
}

/// A command APDU that borrows its data field.
///
/// Build one with [`Command::new`] and the `with_*` methods, or read one from bytes with
/// [`Command::parse`]. [`Command::encode`] picks the short form whenever the data and Le
/// allow it, unless a form was fixed with [`Command::with_form`] (as [`Command::parse`]
/// does for extended input, so that `encode(parse(b)) == b`).
///
/// ```
/// use cie_pinpuk::apdu::Command;
///
/// // READ BINARY of the NIS by short EF identifier (docs/protocol.md §1.4).
/// let read_nis = Command::new(0x00, 0xB0, 0x81, 0x00).with_le(0x0C);
/// let mut buf = [0u8; 8];
/// let n = read_nis.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x00, 0xB0, 0x81, 0x00, 0x0C]);
///
/// // SELECT DF_CIE by AID, then parse it back.
/// let aid = [0xA0, 0x00, 0x00, 0x00, 0x00, 0x39];
/// let select = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(&aid);
/// assert_eq!(select.encoded_len().unwrap(), 11);
/// let mut buf = [0u8; 16];
/// let n = select.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x39]);
/// assert_eq!(Command::parse(&buf[..n]).unwrap(), select);
/// ```
///
/// `Debug` shows the header, the data length, Le and the form, never the data bytes: a
/// plain VERIFY or CHANGE REFERENCE DATA carries a PIN (P-PIN7).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Command<'a> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    le: Option<u32>,
    form: Option<Form>,
}

impl<'a> Command<'a> {
    /// A case-1 command (header only).
    #[must_use]
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: &[],
            le: None,
            form: None,
        }
    }

    /// Sets the data field (an empty slice means no data field).
    #[must_use]
    pub const fn with_data(mut self, data: &'a [u8]) -> Self {
        self.data = data;
        self
    }

    /// Sets the expected response length Le, 1..=65 536 (256 is encoded `00` in short form,
    /// 65 536 is `00 00` in extended form). A value out of range is reported by
    /// [`Command::encode`] as [`ApduError::LeOutOfRange`].
    #[must_use]
    pub const fn with_le(mut self, le: u32) -> Self {
        self.le = Some(le);
        self
    }

    /// Removes the Le.
    #[must_use]
    pub const fn without_le(mut self) -> Self {
        self.le = None;
        self
    }

    /// Fixes the length form used by [`Command::encode`]; without it the shortest possible
    /// form is used.
    #[must_use]
    pub const fn with_form(mut self, form: Form) -> Self {
        self.form = Some(form);
        self
    }

    /// Replaces CLA.
    #[must_use]
    pub const fn with_cla(mut self, cla: u8) -> Self {
        self.cla = cla;
        self
    }

    /// The class byte.
    #[must_use]
    pub const fn cla(&self) -> u8 {
        self.cla
    }

    /// The instruction byte.
    #[must_use]
    pub const fn ins(&self) -> u8 {
        self.ins
    }

    /// Parameter P1.
    #[must_use]
    pub const fn p1(&self) -> u8 {
        self.p1
    }

    /// Parameter P2.
    #[must_use]
    pub const fn p2(&self) -> u8 {
        self.p2
    }

    /// The four header bytes.
    #[must_use]
    pub const fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// The data field (empty when absent).
    #[must_use]
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The expected response length, if any (1..=65 536 for a valid command).
    #[must_use]
    pub const fn le(&self) -> Option<u32> {
        self.le
    }

    /// The form fixed by [`Command::with_form`] or by [`Command::parse`], if any.
    #[must_use]
    pub const fn fixed_form(&self) -> Option<Form> {
        self.form
    }

    /// The ISO 7816-4 case.
    #[must_use]
    pub const fn case(&self) -> Case {
        match (self.data.is_empty(), self.le.is_some()) {
            (true, false) => Case::Case1,
            (true, true) => Case::Case2,
            (false, false) => Case::Case3,
            (false, true) => Case::Case4,
        }
    }

    /// The form [`Command::encode`] uses: the fixed one, else short when the data (≤ 255)
    /// and Le (≤ 256) allow it, else extended.
    #[must_use]
    pub fn form(&self) -> Form {
        match self.form {
            Some(f) => f,
            None if self.fits_short() => Form::Short,
            None => Form::Extended,
        }
    }

    /// Whether the short form can carry this command.
    #[must_use]
    pub fn fits_short(&self) -> bool {
        self.data.len() <= SHORT_MAX_DATA && self.le.is_none_or(|le| le <= SHORT_MAX_LE)
    }

    fn check(&self, form: Form) -> Result<(), ApduError> {
        let (max_data, max_le) = match form {
            Form::Short => (SHORT_MAX_DATA, SHORT_MAX_LE),
            Form::Extended => (EXTENDED_MAX_DATA, EXTENDED_MAX_LE),
        };
        if self.data.len() > max_data {
            return Err(ApduError::DataTooLong {
                len: self.data.len(),
                max: max_data,
            });
        }
        if let Some(le) = self.le
            && (le == 0 || le > max_le)
        {
            return Err(ApduError::LeOutOfRange { le, max: max_le });
        }
        Ok(())
    }

    /// The encoded length in the form [`Command::encode`] uses.
    ///
    /// # Errors
    /// As [`Command::encoded_len_with`].
    pub fn encoded_len(&self) -> Result<usize, ApduError> {
        self.encoded_len_with(self.form())
    }

    /// The encoded length in `form`.
    ///
    /// # Errors
    /// [`ApduError::DataTooLong`] or [`ApduError::LeOutOfRange`] when the command does not
    /// fit the form.
    pub fn encoded_len_with(&self, form: Form) -> Result<usize, ApduError> {
        self.check(form)?;
        // Bounded by the check: at most 4 + 3 + 65 535 + 2, no overflow possible.
        let data = self.data.len();
        let len = match (form, self.case()) {
            (_, Case::Case1) => HEADER_LEN,
            (Form::Short, Case::Case2) => HEADER_LEN.saturating_add(1),
            (Form::Short, Case::Case3) => HEADER_LEN.saturating_add(1).saturating_add(data),
            (Form::Short, Case::Case4) => HEADER_LEN.saturating_add(2).saturating_add(data),
            (Form::Extended, Case::Case2) => HEADER_LEN.saturating_add(3),
            (Form::Extended, Case::Case3) => HEADER_LEN.saturating_add(3).saturating_add(data),
            (Form::Extended, Case::Case4) => HEADER_LEN.saturating_add(5).saturating_add(data),
        };
        Ok(len)
    }

    /// Encodes the command into `out` in the form of [`Command::form`]; returns the length.
    ///
    /// # Errors
    /// As [`Command::encode_with`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        self.encode_with(self.form(), out)
    }

    /// Encodes the command into `out` in `form`; returns the length.
    ///
    /// # Errors
    /// [`ApduError::DataTooLong`] / [`ApduError::LeOutOfRange`] when the command does not fit
    /// `form` (e.g. 300 data bytes in short form), [`ApduError::BufferTooSmall`] when `out`
    /// is shorter than [`Command::encoded_len_with`].
    pub fn encode_with(&self, form: Form, out: &mut [u8]) -> Result<usize, ApduError> {
        let len = self.encoded_len_with(form)?;
        let dst = out
            .get_mut(..len)
            .ok_or(ApduError::BufferTooSmall { needed: len })?;
        let mut w = Writer { buf: dst, pos: 0 };
        w.put(&self.header())?;
        // `check` bounded the data length and Le by the form, so the casts below are exact.
        let lc = u16::try_from(self.data.len()).map_err(|_| ApduError::DataTooLong {
            len: self.data.len(),
            max: EXTENDED_MAX_DATA,
        })?;
        let le = self.le.map(|le| (le & 0xFFFF) as u16); // 65 536 -> 0, 256 -> 256
        match form {
            Form::Short => {
                if !self.data.is_empty() {
                    w.put(&[lc.to_be_bytes()[1]])?;
                    w.put(self.data)?;
                }
                if let Some(le) = le {
                    // 256 is 0x0100: its low byte 00 is the short encoding.
                    w.put(&[le.to_be_bytes()[1]])?;
                }
            }
            Form::Extended => {
                if !self.data.is_empty() {
                    let [hi, lo] = lc.to_be_bytes();
                    w.put(&[0x00, hi, lo])?;
                    w.put(self.data)?;
                    if let Some(le) = le {
                        w.put(&le.to_be_bytes())?;
                    }
                } else if let Some(le) = le {
                    let [hi, lo] = le.to_be_bytes();
                    w.put(&[0x00, hi, lo])?;
                }
            }
        }
        Ok(w.pos)
    }

    /// Parses a command APDU. The whole slice must be one command; the result borrows its
    /// data field. Extended input gets [`Form::Extended`] fixed, so re-encoding gives the
    /// same bytes.
    ///
    /// # Errors
    /// [`ApduError::TooShort`] below 4 bytes; [`ApduError::LengthMismatch`] when the length
    /// fields disagree with the slice length (including `Lc = 00 00 00` with data following
    /// and a 6-byte APDU whose fifth byte is 00).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes.split_first_chunk::<4>().ok_or(ApduError::TooShort {
            len: bytes.len(),
            min: HEADER_LEN,
        })?;
        let [cla, ins, p1, p2] = *header;
        let base = Self::new(cla, ins, p1, p2);
        let mismatch = ApduError::LengthMismatch { len: bytes.len() };
        match body {
            [] => Ok(base),
            [le] => Ok(base.with_le(short_le(*le))),
            // Case 2E: `00 Le1 Le2` (seven bytes in all; a case 3E has at least one data
            // byte after its three-byte Lc, so no ambiguity).
            [0x00, hi, lo] => Ok(base.with_form(Form::Extended).with_le(ext_le([*hi, *lo]))),
            [0x00, rest @ ..] if rest.len() >= 2 => {
                let (lc_bytes, tail) = rest.split_first_chunk::<2>().ok_or(mismatch)?;
                let lc = usize::from(u16::from_be_bytes(*lc_bytes));
                if lc == 0 {
                    // `00 00 00` followed by more bytes: Lc cannot be zero.
                    return Err(mismatch);
                }
                let base = base.with_form(Form::Extended);
                let (data, le_part) = tail.split_at_checked(lc).ok_or(mismatch)?;
                match le_part {
                    [] => Ok(base.with_data(data)),
                    [hi, lo] => Ok(base.with_data(data).with_le(ext_le([*hi, *lo]))),
                    _ => Err(mismatch),
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let (data, le_part) = rest.split_at_checked(usize::from(*lc)).ok_or(mismatch)?;
                match le_part {
                    [] => Ok(base.with_data(data)),
                    [le] => Ok(base.with_data(data).with_le(short_le(*le))),
                    _ => Err(mismatch),
                }
            }
            _ => Err(mismatch),
        }
    }
}

impl core::fmt::Debug for Command<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Command")
            .field("header", &format_args!("{:02X?}", self.header()))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .field("form", &self.form)
            .finish()
    }
}

/// Short Le byte to its value (`00` = 256).
const fn short_le(b: u8) -> u32 {
    if b == 0 { SHORT_MAX_LE } else { b as u32 }
}

/// Extended Le bytes to their value (`00 00` = 65 536).
const fn ext_le(b: [u8; 2]) -> u32 {
    let v = u16::from_be_bytes(b);
    if v == 0 { EXTENDED_MAX_LE } else { v as u32 }
}

/// A bounds-checked cursor over an output slice.
struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), ApduError> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(ApduError::BufferTooSmall { needed: usize::MAX })?;
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(ApduError::BufferTooSmall { needed: end })?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(c: &Command<'_>) -> alloc::vec::Vec<u8> {
        let mut buf = alloc::vec![0u8; c.encoded_len().unwrap()];
        let n = c.encode(&mut buf).unwrap();
        buf.truncate(n);
        buf
    }

    #[test]
    fn cases_short_and_extended() {
        let c = Command::new(0, 0xB0, 0, 0).with_le(256);
        assert_eq!(enc(&c), [0, 0xB0, 0, 0, 0]);
        let c = Command::new(0, 0xB0, 0, 0).with_le(65_536);
        assert_eq!(enc(&c), [0, 0xB0, 0, 0, 0, 0, 0]);
        let c = Command::new(0, 0xB0, 0, 0).with_le(257);
        assert_eq!(enc(&c), [0, 0xB0, 0, 0, 0, 1, 1]);
        let data = [7u8; 256];
        let c = Command::new(0, 0xD6, 0, 0).with_data(&data).with_le(2);
        let e = enc(&c);
        assert_eq!(&e[..7], &[0, 0xD6, 0, 0, 0, 1, 0]);
        assert_eq!(&e[e.len() - 2..], &[0, 2]);
        assert_eq!(Command::parse(&e).unwrap(), c.with_form(Form::Extended));
    }
}
