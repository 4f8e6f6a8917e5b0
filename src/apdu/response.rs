//! Response APDUs: `data || SW1 SW2`.

use super::{ApduError, StatusWord};

/// A response APDU that borrows its data field.
///
/// ```
/// use cie_pinpuk::apdu::{Response, StatusWord};
///
/// // The answer to the clear NIS read of docs/protocol.md §1.4: 12 bytes then 9000.
/// let raw = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x31, 0x32, 0x90, 0x00];
/// let r = Response::parse(&raw).unwrap();
/// assert_eq!(r.data(), b"123456789012");
/// assert_eq!(r.sw(), StatusWord::Success);
///
/// // The card side writes one.
/// let mut out = [0u8; 4];
/// let n = Response::encode(&[0xAB, 0xCD], StatusWord::EndOfFileReached, &mut out).unwrap();
/// assert_eq!(&out[..n], &[0xAB, 0xCD, 0x62, 0x82]);
/// ```
///
/// `Debug` shows the data length and the status word, never the data bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Response<'a> {
    data: &'a [u8],
    sw: StatusWord,
}

impl<'a> Response<'a> {
    /// A response from its parts.
    #[must_use]
    pub const fn new(data: &'a [u8], sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits `bytes` into the data field and the trailing status word.
    ///
    /// # Errors
    /// [`ApduError::TooShort`] when fewer than 2 bytes are given.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let (data, sw) = bytes.split_last_chunk::<2>().ok_or(ApduError::TooShort {
            len: bytes.len(),
            min: 2,
        })?;
        let [sw1, sw2] = *sw;
        Ok(Self {
            data,
            sw: StatusWord::from_bytes(sw1, sw2),
        })
    }

    /// The data field (possibly empty).
    #[must_use]
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The status word.
    #[must_use]
    pub const fn sw(&self) -> StatusWord {
        self.sw
    }

    /// `true` when the status word is `9000`.
    #[must_use]
    pub const fn is_success(&self) -> bool {
        self.sw.is_success()
    }

    /// The encoded length: data plus two.
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        self.data.len().saturating_add(2)
    }

    /// Writes this response into `out`; returns the length.
    ///
    /// # Errors
    /// As [`Response::encode`].
    pub fn write(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        Self::encode(self.data, self.sw, out)
    }

    /// Writes `data || SW1 SW2` into `out`; returns the length (the card side's encoder).
    ///
    /// # Errors
    /// [`ApduError::BufferTooSmall`] when `out` is shorter than `data.len() + 2`.
    pub fn encode(data: &[u8], sw: StatusWord, out: &mut [u8]) -> Result<usize, ApduError> {
        let needed = data
            .len()
            .checked_add(2)
            .ok_or(ApduError::BufferTooSmall { needed: usize::MAX })?;
        let dst = out
            .get_mut(..needed)
            .ok_or(ApduError::BufferTooSmall { needed })?;
        let (d, s) = dst.split_at_mut(data.len());
        d.copy_from_slice(data);
        s.copy_from_slice(&sw.to_bytes());
        Ok(needed)
    }
}

impl core::fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Response")
            .field("data_len", &self.data.len())
            .field("sw", &self.sw)
            .finish()
    }
}
