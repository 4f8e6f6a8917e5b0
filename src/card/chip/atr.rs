//! ATRs: held by value ([`Atr`]) and parsed per ISO/IEC 7816-3 ([`ParsedAtr`]) into their
//! interface and historical bytes.

use core::fmt;

/// The longest ATR ISO/IEC 7816-3 allows (TS + 32 bytes). Longer input is refused unread.
pub const MAX_ATR_LEN: usize = 33;

/// An ATR held by value (at most [`MAX_ATR_LEN`] bytes), so that the registry needs no heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Atr {
    bytes: [u8; MAX_ATR_LEN],
    len: usize,
}

impl Atr {
    /// No ATR (the fallback of a constructor that cannot fail for the registry's bytes).
    pub(super) const EMPTY: Atr = Atr {
        bytes: [0; MAX_ATR_LEN],
        len: 0,
    };

    /// Copies an ATR; `None` if it is empty or longer than [`MAX_ATR_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Atr> {
        if bytes.is_empty() || bytes.len() > MAX_ATR_LEN {
            return None;
        }
        let mut out = [0u8; MAX_ATR_LEN];
        out.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(Atr {
            bytes: out,
            len: bytes.len(),
        })
    }

    /// The ATR bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// Builds `TS T0 <interface> <historical> [TCK]` with the TCK computed (XOR of every
    /// byte after TS) when `with_tck`.
    pub(super) fn assemble(
        t0_high: u8,
        interface: &[u8],
        historical: &[u8],
        with_tck: bool,
    ) -> Option<Atr> {
        let k = u8::try_from(historical.len()).ok().filter(|k| *k <= 15)?;
        let mut atr = Atr {
            bytes: [0u8; MAX_ATR_LEN],
            len: 0,
        };
        atr.push(0x3B)?;
        atr.push(t0_high | k)?;
        for &b in interface.iter().chain(historical) {
            atr.push(b)?;
        }
        if with_tck {
            let tck = atr.as_bytes().iter().skip(1).fold(0u8, |acc, b| acc ^ b);
            atr.push(tck)?;
        }
        Some(atr)
    }

    fn push(&mut self, b: u8) -> Option<()> {
        *self.bytes.get_mut(self.len)? = b;
        self.len = self.len.checked_add(1)?;
        Some(())
    }
}

impl fmt::Debug for Atr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Atr(")?;
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        f.write_str(")")
    }
}

/// Why an ATR could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtrError {
    /// Longer than [`MAX_ATR_LEN`] bytes.
    #[error("the ATR is longer than 33 bytes")]
    TooLong,
    /// The ATR ends before its interface or historical bytes (or the TCK) do.
    #[error("the ATR is truncated")]
    Truncated,
    /// TS is neither `3B` (direct) nor `3F` (inverse convention).
    #[error("the ATR's initial character is not 3B or 3F")]
    BadInitialCharacter,
    /// Bytes follow the last historical byte (and the TCK, if any).
    #[error("the ATR has trailing bytes")]
    TrailingBytes,
}

/// An ATR split into its parts (ISO/IEC 7816-3 section 8), borrowing the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedAtr<'a> {
    /// The historical bytes.
    pub historical: &'a [u8],
    /// Bit i set when protocol T=i is indicated in a TDi byte (T=0 if there is no TD1).
    pub protocols: u16,
    /// The TCK, when the ATR has one (it must when any protocol other than T=0 is offered).
    pub tck: Option<u8>,
    /// Whether the TCK (if present) is the XOR of the bytes from T0 to the last one before it.
    pub tck_valid: bool,
}

impl<'a> ParsedAtr<'a> {
    /// Parses an ATR of at most [`MAX_ATR_LEN`] bytes; never reads further than that.
    pub fn parse(atr: &'a [u8]) -> Result<ParsedAtr<'a>, AtrError> {
        if atr.len() > MAX_ATR_LEN {
            return Err(AtrError::TooLong);
        }
        let (&ts, rest) = atr.split_first().ok_or(AtrError::Truncated)?;
        if ts != 0x3B && ts != 0x3F {
            return Err(AtrError::BadInitialCharacter);
        }
        let (&t0, mut rest) = rest.split_first().ok_or(AtrError::Truncated)?;
        let k = usize::from(t0 & 0x0F);
        let mut y = t0 >> 4;
        let mut protocols = 0u16;
        let mut saw_td = false;
        // At most 32 bytes follow TS, so the loop runs at most 8 times (each TD adds >= 1 byte).
        loop {
            let count = (y & 0x7).count_ones() as usize;
            let has_td = y & 0x8 != 0;
            let (_, after) = rest.split_at_checked(count).ok_or(AtrError::Truncated)?;
            rest = after;
            if !has_td {
                break;
            }
            let (&td, after) = rest.split_first().ok_or(AtrError::Truncated)?;
            rest = after;
            saw_td = true;
            protocols |= 1u16 << (td & 0x0F);
            y = td >> 4;
        }
        if !saw_td {
            protocols |= 1;
        }
        let (historical, rest) = rest.split_at_checked(k).ok_or(AtrError::Truncated)?;
        let needs_tck = protocols & !1u16 != 0;
        let (tck, rest) = if needs_tck {
            let (&tck, r) = rest.split_first().ok_or(AtrError::Truncated)?;
            (Some(tck), r)
        } else {
            (None, rest)
        };
        if !rest.is_empty() {
            return Err(AtrError::TrailingBytes);
        }
        let tck_valid = match tck {
            None => true,
            Some(_) => atr
                .get(1..)
                .map(|b| b.iter().fold(0u8, |a, x| a ^ x) == 0)
                .unwrap_or(false),
        };
        Ok(ParsedAtr {
            historical,
            protocols,
            tck,
            tck_valid,
        })
    }
}
