//! What the card says about itself: the NIS and the serial number.

use core::fmt;

/// The NIS (*Numero Identificativo Servizi*): 12 decimal digits, readable in clear from
/// EF 1001 without any key or PIN (docs/protocol.md §1.3). It identifies the card for online
/// services and is not linked to the holder's personal data, so it is not a secret.
///
/// ```
/// use cie_pinpuk::card::Nis;
///
/// let nis = Nis::from_bytes(b"123456789012").unwrap();
/// assert_eq!(nis.as_str(), "123456789012");
/// assert!(Nis::from_bytes(b"12345678901X").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nis([u8; 12]);

impl Nis {
    /// The NIS from the first 12 bytes of EF 1001; `None` unless they are all ASCII digits.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let digits: [u8; 12] = bytes.get(..12)?.try_into().ok()?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then_some(Self(digits))
    }

    /// The 12 digits as text.
    pub fn as_str(&self) -> &str {
        // The constructor admits ASCII digits only, which are valid UTF-8.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 12 ASCII digits.
    pub fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Debug for Nis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nis({})", self.as_str())
    }
}

impl fmt::Display for Nis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The card's serial number (the document number printed on the card, e.g. `CA00000AA`),
/// read from EF 1002 under secure messaging: 9 significant ASCII characters
/// (docs/protocol.md §1.3, 1.4).
///
/// ```
/// use cie_pinpuk::card::CardSerial;
///
/// let serial = CardSerial::from_bytes(b"CA12345AB\0\0").unwrap();
/// assert_eq!(serial.as_str(), "CA12345AB");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardSerial([u8; 9]);

impl CardSerial {
    /// The serial from the first 9 bytes of EF 1002; `None` unless they are ASCII letters
    /// and digits.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let chars: [u8; 9] = bytes.get(..9)?.try_into().ok()?;
        chars
            .iter()
            .all(u8::is_ascii_alphanumeric)
            .then_some(Self(chars))
    }

    /// The serial as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for CardSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardSerial({})", self.as_str())
    }
}

impl fmt::Display for CardSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
