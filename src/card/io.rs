//! Moving APDUs for the card layer: plain exchanges with GET RESPONSE, plain command
//! chaining, exchanges inside secure messaging, and file reads. Stack buffers only.

use alloc::vec::Vec;

use zeroize::Zeroize;

use super::error::{CardError, Step};
use crate::apdu::{self, Command, GetResponsePolicy, StatusWord};
use crate::error::Error;
use crate::sm::{SecureChannel, SmError};
use crate::tlv::{Tag, Tlv};
use crate::transport::CardTransport;

/// Room for any assembled answer: the official middleware's 3000-byte buffer (the DH
/// public value and the INTERNAL AUTHENTICATE answer are the longest the protocol makes,
/// about 300 bytes with SM; GET DATA answers of some cards are around 570 bytes in clear).
pub(crate) const RESPONSE_CAP: usize = 3000;
/// GET RESPONSE handling inside secure messaging: `61xx` assembled, `6Cxx` not re-issued
/// (a protected command is never sent twice), and a long answer in one piece to the outer
/// Le `00` accepted up to the buffer: the MAC covers it and DO'97' bounds its plain data
/// (docs/protocol-tolerances.md).
const SM_POLICY: GetResponsePolicy = GetResponsePolicy::DEFAULT
    .with_wrong_le(apdu::WrongLeHandling::Return)
    .with_long_answers(true);
/// Room for any short command APDU, plain or protected.
pub(crate) const COMMAND_CAP: usize = 261;
/// Largest file the host reads (EF.SOD and the certificate are the largest, a few KiB).
const MAX_FILE: usize = 16 * 1024;
/// READ BINARY chunk: 0x80 in clear and under SM, as the official middleware (docs/protocol.md §1.4).
const READ_CHUNK: u8 = 0x80;

/// The status word at the end of an answer of `len` bytes in `buf`, and the data length.
fn split_sw(buf: &[u8], len: usize) -> Result<(StatusWord, usize), Error> {
    let data_len = len.checked_sub(2).ok_or(SHORT)?;
    match buf.get(data_len..len) {
        Some(&[sw1, sw2]) => Ok((StatusWord::from_bytes(sw1, sw2), data_len)),
        _ => Err(SHORT.into()),
    }
}

/// An answer without its two status bytes.
const SHORT: apdu::ApduError = apdu::ApduError::TooShort { len: 0, min: 2 };

/// One plain command (short form), with `61xx` GET RESPONSE and `6Cxx` handled. The data
/// lands in `out[..len]`.
pub(crate) fn plain<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    out: &mut [u8],
) -> Result<(StatusWord, usize), Error> {
    let mut buf = [0u8; COMMAND_CAP];
    let n = command.encode(&mut buf)?;
    let encoded = buf.get(..n).ok_or(SHORT)?;
    let len = apdu::transmit_with_get_response(t, encoded, out, GetResponsePolicy::DEFAULT)?;
    split_sw(out, len)
}

/// A plain command whose data may exceed 255 bytes, sent with command chaining.
pub(crate) fn plain_chained<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    out: &mut [u8],
) -> Result<(StatusWord, usize), Error> {
    let len = apdu::transmit_chained(t, command, out)?;
    split_sw(out, len)
}

/// A plain command that must answer `9000`.
pub(crate) fn plain_ok<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    out: &mut [u8],
    step: Step,
) -> Result<usize, Error> {
    match plain(t, command, out)? {
        (StatusWord::Success, len) => Ok(len),
        (sw, _) => Err(CardError::Status { step, sw }.into()),
    }
}

/// One command inside secure messaging: wrapped (chained in 0xE7-byte blocks when longer),
/// sent, its answer reassembled with plain GET RESPONSE and unwrapped. Intermediate chain
/// blocks must answer `9000`. The plain data lands in `out[..len]`.
///
/// Any failure closes the channel (the SM layer does that for its own errors; transport
/// errors close it here), so nothing is ever re-sent with the same SSC.
pub(crate) fn secure<T: CardTransport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    plain_command: &[u8],
    out: &mut [u8],
) -> Result<(StatusWord, usize), Error> {
    let result = secure_inner(t, channel, plain_command, out);
    if result.is_err() {
        channel.close();
    }
    result
}

fn secure_inner<T: CardTransport + ?Sized>(
    t: &mut T,
    channel: &mut SecureChannel,
    plain_command: &[u8],
    out: &mut [u8],
) -> Result<(StatusWord, usize), Error> {
    let blocks = SecureChannel::chain_len(plain_command)?;
    let mut wrapped = [0u8; COMMAND_CAP];
    let mut answer = [0u8; RESPONSE_CAP];
    let mut index = 0usize;
    loop {
        let n = channel
            .wrap_chain(plain_command, index, &mut wrapped)?
            .ok_or(SmError::Sequence)?;
        let protected = wrapped.get(..n).ok_or(SmError::Sequence)?;
        // A protected command is never re-sent (its SSC and MAC are spent): a `6Cxx` goes to
        // the channel, which treats it as an unprotected answer and closes.
        let len = apdu::transmit_with_get_response(t, protected, &mut answer, SM_POLICY)?;
        let received = answer.get(..len).ok_or(SHORT)?;
        let plain_len = match channel.unwrap(received, out) {
            Ok(plain_len) => plain_len,
            Err(SmError::Unprotected { sw }) => {
                return Err(CardError::Unprotected {
                    sw: StatusWord::from_u16(sw),
                }
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        let (sw, data_len) = split_sw(out, plain_len)?;
        index = index.saturating_add(1);
        if index >= blocks || sw != StatusWord::Success {
            answer.zeroize();
            return Ok((sw, data_len));
        }
    }
}

/// Where a file is read from.
pub(crate) enum Link<'a> {
    /// In clear.
    Plain,
    /// Inside secure messaging.
    Secure(&'a mut SecureChannel),
}

impl Link<'_> {
    fn exchange<T: CardTransport + ?Sized>(
        &mut self,
        t: &mut T,
        command: &Command<'_>,
        out: &mut [u8],
    ) -> Result<(StatusWord, usize), Error> {
        match self {
            Link::Plain => plain(t, command, out),
            Link::Secure(channel) => {
                let mut buf = [0u8; COMMAND_CAP];
                let n = command.encode(&mut buf)?;
                let encoded = buf.get(..n).ok_or(SHORT)?;
                secure(t, channel, encoded, out)
            }
        }
    }
}

/// Selects the elementary file `fid` under the current DF (`00 A4 02 04 02 <fid>`) and reads
/// it whole in 0x80-byte chunks, until `6282` or `6B00` (docs/protocol.md §1.4, 8.2).
pub(crate) fn read_file<T: CardTransport + ?Sized>(
    t: &mut T,
    mut link: Link<'_>,
    fid: [u8; 2],
) -> Result<Vec<u8>, Error> {
    let mut out = [0u8; RESPONSE_CAP];
    let select = Command::new(0x00, 0xA4, 0x02, 0x04).with_data(&fid);
    match link.exchange(t, &select, &mut out)? {
        (StatusWord::Success, _) => {}
        (sw, _) => {
            return Err(CardError::Status {
                step: Step::ReadFile,
                sw,
            }
            .into());
        }
    }
    let mut content = Vec::new();
    // The Le of the next read: the chunk, or the xx of a `6Cxx` (once per chunk).
    let mut le = READ_CHUNK;
    let mut repeated = false;
    loop {
        let offset = u16::try_from(content.len()).map_err(|_| CardError::Malformed {
            step: Step::ReadFile,
        })?;
        let [hi, lo] = offset.to_be_bytes();
        let le_value = if le == 0 { 256 } else { u32::from(le) };
        let read = Command::new(0x00, 0xB0, hi, lo).with_le(le_value);
        let (sw, len) = link.exchange(t, &read, &mut out)?;
        // `6Cxx` from inside the envelope (in clear the exchange already repeated the
        // command): read again with Le = xx, a new protected command, as the middleware
        // does (docs/protocol-tolerances.md). Only once in a row.
        if let StatusWord::WrongLe(xx) = sw
            && !repeated
            && len == 0
        {
            le = xx;
            repeated = true;
            continue;
        }
        le = READ_CHUNK;
        repeated = false;
        let data = out.get(..len).ok_or(SHORT)?;
        if content.len().saturating_add(data.len()) > MAX_FILE {
            return Err(CardError::Malformed {
                step: Step::ReadFile,
            }
            .into());
        }
        content.extend_from_slice(data);
        match sw {
            StatusWord::Success if !data.is_empty() => continue,
            StatusWord::Success | StatusWord::EndOfFileReached | StatusWord::WrongP1P2 => {
                return Ok(content);
            }
            sw => {
                return Err(CardError::Status {
                    step: Step::ReadFile,
                    sw,
                }
                .into());
            }
        }
    }
}

/// The value at `path` inside a GET DATA answer (each element a tag), e.g.
/// `70 / BF A1 01 / A3 / 97` for the DH generator.
pub(crate) fn value_at<'a>(answer: &'a [u8], path: &[u32]) -> Result<&'a [u8], Error> {
    let malformed = || {
        Error::from(CardError::Malformed {
            step: Step::GetData,
        })
    };
    let (first, rest) = path.split_first().ok_or_else(malformed)?;
    let (mut tlv, _) = Tlv::parse(answer)?;
    if tlv.tag() != Tag::from_u32(*first)? {
        return Err(malformed());
    }
    for tag in rest {
        tlv = tlv.find(Tag::from_u32(*tag)?)?.ok_or_else(malformed)?;
    }
    Ok(tlv.value())
}
