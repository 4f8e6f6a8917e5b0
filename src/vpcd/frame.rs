//! The vpcd wire format, without I/O.
//!
//! vsmartcard's vpcd driver (inside pcscd) and the virtual card exchange messages over one
//! TCP connection. Every message is a 2-byte big-endian length followed by that many bytes
//! (so at most 65 535). From the reader to the card, a one-byte message is a control
//! message (`00` power off, `01` power on, `02` reset, `04` send the ATR); anything longer
//! is a command APDU. From the card to the reader, a message is either the ATR (answer to
//! `04`) or the response APDU; power off, power on and reset get no answer. A zero-length
//! message from the card tells vpcd that the card is gone.
//!
//! Source: vsmartcard `virtualsmartcard/src/vpcd/vpcd.c` (`sendToVICC`, `recvFromVICC`,
//! `vicc_getatr`, `vicc_poweron`, ...) and its "Creating a virtual smart card" page.

use alloc::vec::Vec;
use zeroize::Zeroizing;

/// Largest payload a vpcd message can carry (the length prefix is 16 bits).
pub const MAX_PAYLOAD: usize = 0xFFFF;

/// Size of the length prefix of every vpcd message.
pub const HEADER_LEN: usize = 2;

/// A one-byte control message from the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// `00`: the reader powers the card off. No answer.
    PowerOff,
    /// `01`: the reader powers the card on. No answer; an ATR request follows.
    PowerOn,
    /// `02`: warm reset. No answer; an ATR request follows.
    Reset,
    /// `04`: the reader asks for the ATR (also its way of polling for presence).
    GetAtr,
}

impl Control {
    /// The byte that encodes this control message on the wire.
    ///
    /// ```
    /// use cie_pinpuk::vpcd::frame::Control;
    /// assert_eq!(Control::GetAtr.byte(), 0x04);
    /// assert_eq!(Control::from_byte(0x02), Some(Control::Reset));
    /// assert_eq!(Control::from_byte(0x03), None);
    /// ```
    #[must_use]
    pub const fn byte(self) -> u8 {
        match self {
            Self::PowerOff => 0x00,
            Self::PowerOn => 0x01,
            Self::Reset => 0x02,
            Self::GetAtr => 0x04,
        }
    }

    /// The control message a byte stands for, if any.
    #[must_use]
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0x00 => Some(Self::PowerOff),
            0x01 => Some(Self::PowerOn),
            0x02 => Some(Self::Reset),
            0x04 => Some(Self::GetAtr),
            _ => None,
        }
    }
}

/// What one message from the reader asks of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// A known control message.
    Control(Control),
    /// A one-byte message with an undefined code: ignored (no answer is expected).
    UnknownControl(u8),
    /// A command APDU (two bytes or more) to answer.
    Apdu(&'a [u8]),
    /// An empty message: ignored.
    Empty,
}

impl<'a> Request<'a> {
    /// Classifies the payload of one message from the reader. Never fails: every payload
    /// is one of the variants.
    ///
    /// ```
    /// use cie_pinpuk::vpcd::frame::{Control, Request};
    /// assert_eq!(Request::parse(&[0x04]), Request::Control(Control::GetAtr));
    /// assert_eq!(Request::parse(&[0x00, 0xA4, 0x04, 0x00]), Request::Apdu(&[0x00, 0xA4, 0x04, 0x00]));
    /// assert_eq!(Request::parse(&[]), Request::Empty);
    /// ```
    #[must_use]
    pub fn parse(payload: &'a [u8]) -> Self {
        match payload {
            [] => Self::Empty,
            [byte] => Control::from_byte(*byte).map_or(Self::UnknownControl(*byte), Self::Control),
            apdu => Self::Apdu(apdu),
        }
    }

    /// Appends this request as one framed message to `out` (what vpcd would send).
    ///
    /// # Errors
    /// [`FrameTooLong`] if an APDU is longer than [`MAX_PAYLOAD`].
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), FrameTooLong> {
        match self {
            Self::Control(c) => encode_frame(&[c.byte()], out),
            Self::UnknownControl(b) => encode_frame(&[*b], out),
            Self::Apdu(apdu) => encode_frame(apdu, out),
            Self::Empty => encode_frame(&[], out),
        }
    }
}

/// A payload longer than [`MAX_PAYLOAD`] cannot be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("vpcd payload of {len} bytes exceeds 65535")]
pub struct FrameTooLong {
    /// The length that was asked for.
    pub len: usize,
}

/// Appends `payload` to `out` as one vpcd message (2-byte big-endian length, then bytes).
///
/// ```
/// use cie_pinpuk::vpcd::frame::encode_frame;
/// let mut out = Vec::new();
/// encode_frame(&[0x90, 0x00], &mut out).unwrap();
/// assert_eq!(out, [0x00, 0x02, 0x90, 0x00]);
/// ```
///
/// # Errors
/// [`FrameTooLong`] if `payload` is longer than [`MAX_PAYLOAD`]; `out` is then unchanged.
pub fn encode_frame(payload: &[u8], out: &mut Vec<u8>) -> Result<(), FrameTooLong> {
    let len = u16::try_from(payload.len()).map_err(|_| FrameTooLong { len: payload.len() })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Splits a byte stream into vpcd messages, whatever the read boundaries.
///
/// Bytes go in with [`push`](Self::push); complete payloads come out of
/// [`next_frame`](Self::next_frame). The buffered bytes are zeroized when the decoder is
/// dropped, and every payload is returned in a [`Zeroizing`] buffer, since an APDU may carry
/// a PIN.
///
/// ```
/// use cie_pinpuk::vpcd::frame::FrameDecoder;
/// let mut d = FrameDecoder::default();
/// d.push(&[0x00, 0x01]);
/// assert!(d.next_frame().is_none()); // the payload has not arrived yet
/// d.push(&[0x04, 0x00, 0x04, 0x00, 0xA4]);
/// assert_eq!(d.next_frame().unwrap().as_slice(), &[0x04]);
/// assert!(d.next_frame().is_none());
/// d.push(&[0x00, 0x00]);
/// assert_eq!(d.next_frame().unwrap().as_slice(), &[0x00, 0xA4, 0x00, 0x00]);
/// ```
#[derive(Default)]
pub struct FrameDecoder {
    pending: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("pending_len", &self.pending.len())
            .finish()
    }
}

impl FrameDecoder {
    /// Appends bytes read from the connection.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// How many bytes are buffered and not yet returned as a frame.
    #[must_use]
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Removes and returns the next complete payload, if one has fully arrived.
    pub fn next_frame(&mut self) -> Option<Zeroizing<Vec<u8>>> {
        let header: [u8; HEADER_LEN] = self.pending.get(..HEADER_LEN)?.try_into().ok()?;
        let len = usize::from(u16::from_be_bytes(header));
        let end = HEADER_LEN.checked_add(len)?;
        let payload = Zeroizing::new(self.pending.get(HEADER_LEN..end)?.to_vec());
        self.pending.drain(..end);
        Some(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn control_bytes_round_trip() {
        for c in [
            Control::PowerOff,
            Control::PowerOn,
            Control::Reset,
            Control::GetAtr,
        ] {
            assert_eq!(Control::from_byte(c.byte()), Some(c));
        }
        assert_eq!(Request::parse(&[0x03]), Request::UnknownControl(0x03));
        assert_eq!(Request::parse(&[0xFF]), Request::UnknownControl(0xFF));
    }

    #[test]
    fn two_byte_message_is_an_apdu_not_a_control() {
        assert_eq!(Request::parse(&[0x00, 0x04]), Request::Apdu(&[0x00, 0x04]));
    }

    #[test]
    fn oversized_payload_is_refused_and_out_untouched() {
        let big = vec![0u8; MAX_PAYLOAD + 1];
        let mut out = vec![0xAA];
        assert_eq!(
            encode_frame(&big, &mut out),
            Err(FrameTooLong {
                len: MAX_PAYLOAD + 1
            })
        );
        assert_eq!(out, [0xAA]);
        let max = vec![0x5Au8; MAX_PAYLOAD];
        encode_frame(&max, &mut out).unwrap();
        assert_eq!(&out[1..3], &[0xFF, 0xFF]);
    }

    #[test]
    fn zero_length_frame_decodes_as_empty_payload() {
        let mut d = FrameDecoder::default();
        d.push(&[0, 0, 0, 1, 2]);
        assert_eq!(d.next_frame().unwrap().len(), 0);
        assert_eq!(d.next_frame().unwrap().as_slice(), &[2]);
        assert_eq!(d.pending_len(), 0);
    }

    proptest! {
        /// Any sequence of payloads, framed, then cut into arbitrary chunks, decodes back to
        /// the same sequence.
        #[test]
        fn frames_round_trip_across_any_split(
            payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 0..8),
            cuts in proptest::collection::vec(1usize..97, 0..40),
        ) {
            let mut wire = Vec::new();
            for p in &payloads {
                encode_frame(p, &mut wire).unwrap();
            }
            let mut d = FrameDecoder::default();
            let mut got = Vec::new();
            let mut rest = wire.as_slice();
            let mut cuts = cuts.into_iter();
            while !rest.is_empty() {
                let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
                let (head, tail) = rest.split_at(n);
                d.push(head);
                rest = tail;
                while let Some(f) = d.next_frame() {
                    got.push(f.to_vec());
                }
            }
            prop_assert_eq!(got, payloads);
            prop_assert_eq!(d.pending_len(), 0);
        }

        /// Request encode/parse round trip.
        #[test]
        fn request_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..300)) {
            let req = Request::parse(&payload);
            let mut wire = Vec::new();
            req.encode(&mut wire).unwrap();
            let mut d = FrameDecoder::default();
            d.push(&wire);
            let back = d.next_frame().unwrap();
            prop_assert_eq!(Request::parse(&back), req);
            prop_assert_eq!(back.as_slice(), payload.as_slice());
        }

        /// Arbitrary bytes never panic the decoder, and it never returns more than it got.
        #[test]
        fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut d = FrameDecoder::default();
            d.push(&bytes);
            let mut total = 0usize;
            while let Some(f) = d.next_frame() {
                total += f.len() + HEADER_LEN;
            }
            prop_assert_eq!(total + d.pending_len(), bytes.len());
        }
    }
}
