//! Exchange helpers over [`CardTransport`]: one checked round trip, plain command chaining
//! and the `61xx` / `6Cxx` GET RESPONSE handling (docs/protocol.md §4.6, 8.1).
//!
//! They are generic over `T: CardTransport + ?Sized`, so they work on a concrete transport,
//! on `&mut dyn CardTransport` and on a mock. Secure messaging wraps its protected commands
//! and hands them to [`transmit_with_get_response`]; the GET RESPONSE it sends is always the
//! clear `00 C0 00 00 xx` (docs/protocol.md §4.4 and 4.6).

use alloc::vec::Vec;

use zeroize::Zeroize;

use super::command::{Form, SHORT_MAX_DATA, SHORT_MAX_LE, SHORT_MAX_LEN};
use super::{ApduError, Command, Response, StatusWord};
use crate::transport::{CardTransport, TransportError};

/// Upper bound on GET RESPONSE rounds after one command (P-SM6, P-PARSE2). At 256 bytes a
/// round this allows 16 KiB, far above any CIE answer (the largest, a DH public key or a
/// certificate chunk, is under 600 bytes).
pub const MAX_GET_RESPONSE_ROUNDS: usize = 64;

/// Size of a block of plain command chaining (docs/protocol.md §4.6: blocks of 255 bytes).
pub const CHAIN_BLOCK_LEN: usize = SHORT_MAX_DATA;

/// The chaining bit of CLA (ISO 7816-4 5.1.1): set on every block except the last.
const CLA_CHAINING: u8 = 0x10;

/// Large enough for any command with at most 255 data bytes, in either form
/// (header, 3-byte Lc, data, 2-byte Le).
const BLOCK_BUF_LEN: usize = 4 + 3 + CHAIN_BLOCK_LEN + 2;

/// A failed exchange: the transport failed, or the APDUs were malformed or out of bounds.
///
/// A status word other than `9000` is not an error here: it is returned in the response
/// for the caller to interpret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The transport failed (card removed, reset, timeout, …).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A command could not be encoded, or a response broke the framing rules or the bounds.
    #[error(transparent)]
    Apdu(#[from] ApduError),
}

/// What [`transmit_with_get_response`] does with a `6Cxx` (wrong Le) answer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum WrongLeHandling {
    /// Re-issue the same command once with Le = xx (`00` meaning 256), as ISO 7816-4 and
    /// every CIE host do for clear commands (docs/protocol.md §1.4).
    ///
    /// Not for secure messaging: the re-issued bytes would repeat the SSC and MAC of the
    /// first command, and the Le of an SM command lives inside the MACed DO'97'. The SM
    /// layer uses [`WrongLeHandling::Return`] and rebuilds the command itself.
    Reissue,
    /// Return the `6Cxx` response to the caller.
    Return,
}

/// Limits and choices of [`transmit_with_get_response`].
///
/// ```
/// use cie_pinpuk::apdu::{GetResponsePolicy, WrongLeHandling, MAX_GET_RESPONSE_ROUNDS};
///
/// let p = GetResponsePolicy::default();
/// assert_eq!(p.max_rounds(), MAX_GET_RESPONSE_ROUNDS);
/// assert_eq!(p.wrong_le(), WrongLeHandling::Reissue);
/// // Never above the crate-wide bound.
/// assert_eq!(p.with_max_rounds(1000).max_rounds(), MAX_GET_RESPONSE_ROUNDS);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct GetResponsePolicy {
    max_rounds: usize,
    wrong_le: WrongLeHandling,
    long_answers: bool,
}

impl GetResponsePolicy {
    /// [`MAX_GET_RESPONSE_ROUNDS`] rounds, `6Cxx` re-issued once.
    pub const DEFAULT: Self = Self {
        max_rounds: MAX_GET_RESPONSE_ROUNDS,
        wrong_le: WrongLeHandling::Reissue,
        long_answers: false,
    };

    /// Caps the GET RESPONSE rounds at `rounds` (clamped to [`MAX_GET_RESPONSE_ROUNDS`]).
    /// Zero means a `61xx` is returned to the caller as is.
    #[must_use]
    pub const fn with_max_rounds(mut self, rounds: usize) -> Self {
        self.max_rounds = if rounds > MAX_GET_RESPONSE_ROUNDS {
            MAX_GET_RESPONSE_ROUNDS
        } else {
            rounds
        };
        self
    }

    /// Chooses what happens on `6Cxx`.
    #[must_use]
    pub const fn with_wrong_le(mut self, wrong_le: WrongLeHandling) -> Self {
        self.wrong_le = wrong_le;
        self
    }

    /// Accepts an answer longer than 256 bytes, in one piece, to a command whose Le is the
    /// short `00` (256), bounded only by the output buffer. For secure messaging: the outer
    /// Le of a protected command is always `00`, the official middleware takes such answers
    /// whole (3000-byte buffer), and the MAC and the plain Le inside the envelope (DO'97')
    /// still bound what is accepted. Any other Le (and every GET RESPONSE) is still checked.
    #[must_use]
    pub const fn with_long_answers(mut self, accept: bool) -> Self {
        self.long_answers = accept;
        self
    }

    /// Whether [`with_long_answers`](Self::with_long_answers) is on.
    #[must_use]
    pub const fn long_answers(&self) -> bool {
        self.long_answers
    }

    /// The GET RESPONSE round limit.
    #[must_use]
    pub const fn max_rounds(&self) -> usize {
        self.max_rounds
    }

    /// The `6Cxx` handling.
    #[must_use]
    pub const fn wrong_le(&self) -> WrongLeHandling {
        self.wrong_le
    }
}

impl Default for GetResponsePolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Sends `command` once and checks the framing of the answer: at least SW1 SW2, and no
/// length beyond the buffer. Returns the response length (data + 2).
///
/// # Errors
/// [`ExchangeError::Transport`] from the transport; [`ApduError::TooShort`] for an answer
/// under 2 bytes; [`ApduError::BufferTooSmall`] when `response` cannot hold the answer.
pub fn transmit<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &[u8],
    response: &mut [u8],
) -> Result<usize, ExchangeError> {
    let (data_len, _) = transmit_at(t, command, response, 0)?;
    Ok(data_len.saturating_add(2))
}

/// Sends `command`, cutting a data field above 255 bytes into 255-byte blocks with plain
/// command chaining (docs/protocol.md §4.6, 8.3: `10 22 41 A6 FF …` then `00 22 41 A6 0B …`).
///
/// Every block but the last has CLA | `10` and no Le, and must be answered `9000`; any other
/// answer stops the chain and is returned as the result. The last block keeps CLA, the Le
/// and the form of `command`; its answer is the result. A command of at most 255 data bytes
/// is sent as is. Blocks are encoded into a stack buffer, wiped after use; nothing is
/// allocated. Returns the response length in `response` (data + SW1 SW2).
///
/// ```
/// use cie_pinpuk::apdu::{transmit_chained, Command, Response, StatusWord};
/// use cie_pinpuk::transport::{CardTransport, TransportError};
///
/// /// Records the CLA and Lc of each command and answers 9000.
/// struct Card(Vec<(u8, u8)>);
/// impl CardTransport for Card {
///     fn transmit(&mut self, c: &[u8], r: &mut [u8]) -> Result<usize, TransportError> {
///         self.0.push((c[0], c[4]));
///         r[..2].copy_from_slice(&[0x90, 0x00]);
///         Ok(2)
///     }
/// }
///
/// let data = [0x5A; 266];
/// let mse = Command::new(0x00, 0x22, 0x41, 0xA6).with_data(&data);
/// let mut card = Card(Vec::new());
/// let mut resp = [0u8; 258];
/// let n = transmit_chained(&mut card, &mse, &mut resp).unwrap();
/// assert_eq!(Response::parse(&resp[..n]).unwrap().sw(), StatusWord::Success);
/// assert_eq!(card.0, [(0x10, 0xFF), (0x00, 0x0B)]);
/// ```
///
/// # Errors
/// As [`transmit`], and [`ApduError`] when a block cannot be encoded (e.g. an Le above 256
/// with a fixed short form).
pub fn transmit_chained<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    response: &mut [u8],
) -> Result<usize, ExchangeError> {
    let mut buf = [0u8; BLOCK_BUF_LEN];
    let result = chain_blocks(t, command, response, &mut buf);
    buf.zeroize();
    result
}

fn chain_blocks<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    response: &mut [u8],
    buf: &mut [u8; BLOCK_BUF_LEN],
) -> Result<usize, ExchangeError> {
    let mut rest = command.data();
    while rest.len() > CHAIN_BLOCK_LEN {
        let (block, tail) = rest.split_at(CHAIN_BLOCK_LEN);
        let c = Command::new(
            command.cla() | CLA_CHAINING,
            command.ins(),
            command.p1(),
            command.p2(),
        )
        .with_data(block);
        let len = c.encode_with(Form::Short, buf)?;
        let cmd = buf
            .get(..len)
            .ok_or(ApduError::BufferTooSmall { needed: len })?;
        let (data_len, sw) = transmit_at(t, cmd, response, 0)?;
        if !sw.is_success() {
            return Ok(data_len.saturating_add(2));
        }
        rest = tail;
    }
    let last = command.with_data(rest);
    let len = last.encode(buf)?;
    let cmd = buf
        .get(..len)
        .ok_or(ApduError::BufferTooSmall { needed: len })?;
    let (data_len, _) = transmit_at(t, cmd, response, 0)?;
    Ok(data_len.saturating_add(2))
}

/// Sends the encoded `command` and assembles the whole answer into `out`: on `61xx` it
/// sends `00 C0 00 00 xx` (xx = `00` asks for 256) and appends the data, as long as the card
/// answers `61xx`, up to [`GetResponsePolicy::max_rounds`] rounds and the capacity of `out`;
/// on `6Cxx` it re-issues `command` once with Le = xx (unless the policy says otherwise).
///
/// `out` receives `data || SW1 SW2` with the final status word; the return value is its
/// length, so `Response::parse(&out[..n])` gives the assembled response. Each answer's data
/// is checked against the Le that asked for it (P-SM6): the command's own Le if it has one,
/// xx for a GET RESPONSE.
///
/// The official middleware sends `0C C0 00 00 00` for a `6100` under SM (docs/protocol.md §8.1);
/// that is a quirk of that host, not followed here: this function always sends `00 C0`.
///
/// ```
/// use cie_pinpuk::apdu::{transmit_with_get_response, GetResponsePolicy, Response, StatusWord};
/// use cie_pinpuk::transport::{CardTransport, TransportError};
///
/// /// Answers the first command with 6102, the GET RESPONSE with two bytes and 9000.
/// struct Card(u8);
/// impl CardTransport for Card {
///     fn transmit(&mut self, c: &[u8], r: &mut [u8]) -> Result<usize, TransportError> {
///         self.0 += 1;
///         let answer: &[u8] = if self.0 == 1 {
///             &[0x61, 0x02]
///         } else {
///             assert_eq!(c, &[0x00, 0xC0, 0x00, 0x00, 0x02]);
///             &[0xCA, 0xFE, 0x90, 0x00]
///         };
///         r[..answer.len()].copy_from_slice(answer);
///         Ok(answer.len())
///     }
/// }
///
/// let mut out = [0u8; 64];
/// let select = [0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x01];
/// let n = transmit_with_get_response(&mut Card(0), &select, &mut out, GetResponsePolicy::DEFAULT)
///     .unwrap();
/// let r = Response::parse(&out[..n]).unwrap();
/// assert_eq!(r.data(), &[0xCA, 0xFE]);
/// assert_eq!(r.sw(), StatusWord::Success);
/// ```
///
/// # Errors
/// [`ApduError`] when `command` is not a valid command APDU, when an answer exceeds its
/// Le ([`ApduError::ResponseExceedsLe`]), when the round limit is passed
/// ([`ApduError::GetResponseLoopExceeded`]) or `out` is full
/// ([`ApduError::BufferTooSmall`]); [`ExchangeError::Transport`] from the transport.
pub fn transmit_with_get_response<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &[u8],
    out: &mut [u8],
    policy: GetResponsePolicy,
) -> Result<usize, ExchangeError> {
    let parsed = Command::parse(command)?;
    let (mut data_len, mut sw) = transmit_at(t, command, out, 0)?;
    let first_le = match parsed.le() {
        Some(SHORT_MAX_LE) if policy.long_answers && command.len() <= SHORT_MAX_LEN => None,
        le => le,
    };
    check_le(data_len, first_le)?;

    if let (StatusWord::WrongLe(xx), WrongLeHandling::Reissue) = (sw, policy.wrong_le) {
        let le = le_from_byte(xx);
        (data_len, sw) = reissue(t, &parsed.with_le(le), out)?;
        check_le(data_len, Some(le))?;
    }

    let mut filled = data_len;
    let mut rounds = 0usize;
    while let StatusWord::BytesAvailable(xx) = sw {
        if rounds >= policy.max_rounds {
            if policy.max_rounds == 0 {
                break;
            }
            return Err(ApduError::GetResponseLoopExceeded { rounds }.into());
        }
        rounds = rounds.saturating_add(1);
        let get_response = [0x00, 0xC0, 0x00, 0x00, xx];
        let (n, next) = transmit_at(t, &get_response, out, filled)?;
        check_le(n, Some(le_from_byte(xx)))?;
        filled = filled
            .checked_add(n)
            .ok_or(ApduError::BufferTooSmall { needed: usize::MAX })?;
        sw = next;
    }
    // The last answer's SW1 SW2 already sit at out[filled..filled + 2].
    Ok(filled.saturating_add(2))
}

/// Sends `command` with a new Le, from a stack buffer when it fits a short APDU (always,
/// for the Le of a `6Cxx`, unless the data field is above 255 bytes).
fn reissue<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    out: &mut [u8],
) -> Result<(usize, StatusWord), ExchangeError> {
    let len = command.encoded_len()?;
    if len <= BLOCK_BUF_LEN {
        let mut buf = [0u8; BLOCK_BUF_LEN];
        let result = command
            .encode(&mut buf)
            .map_err(ExchangeError::from)
            .and_then(|n| {
                let cmd = buf
                    .get(..n)
                    .ok_or(ApduError::BufferTooSmall { needed: n })?;
                transmit_at(t, cmd, out, 0)
            });
        buf.zeroize();
        result
    } else {
        let mut buf: Vec<u8> = alloc::vec![0u8; len];
        let result = command
            .encode(&mut buf)
            .map_err(ExchangeError::from)
            .and_then(|n| {
                let cmd = buf
                    .get(..n)
                    .ok_or(ApduError::BufferTooSmall { needed: n })?;
                transmit_at(t, cmd, out, 0)
            });
        buf.zeroize();
        result
    }
}

/// The Le asked for by a one-byte Le field or an SW2 (`00` = 256).
const fn le_from_byte(b: u8) -> u32 {
    if b == 0 { SHORT_MAX_LE } else { b as u32 }
}

fn check_le(data_len: usize, le: Option<u32>) -> Result<(), ApduError> {
    match le {
        Some(le) if u32::try_from(data_len).map_or(true, |n| n > le) => {
            Err(ApduError::ResponseExceedsLe { len: data_len, le })
        }
        _ => Ok(()),
    }
}

/// One round trip writing the answer at `out[offset..]`; returns the data length of the
/// answer and its status word (which sits right after the data).
fn transmit_at<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &[u8],
    out: &mut [u8],
    offset: usize,
) -> Result<(usize, StatusWord), ExchangeError> {
    let dst = out.get_mut(offset..).ok_or(ApduError::BufferTooSmall {
        needed: offset.saturating_add(2),
    })?;
    let capacity = dst.len();
    let n = t.transmit(command, dst).map_err(|e| match e {
        TransportError::BufferTooSmall { needed } => {
            ExchangeError::Apdu(ApduError::BufferTooSmall {
                needed: offset.saturating_add(needed),
            })
        }
        other => ExchangeError::Transport(other),
    })?;
    let answer = dst.get(..n).ok_or(ApduError::TransportLengthInvalid {
        reported: n,
        capacity,
    })?;
    let r = Response::parse(answer)?;
    // Header and status word only, never a body (P-PIN7).
    log::trace!(
        "apdu {:02X?} -> {} ({} data bytes)",
        command.get(..4).unwrap_or(&[]),
        r.sw(),
        r.data().len()
    );
    Ok((r.data().len(), r.sw()))
}
