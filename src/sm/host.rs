//! The host role: [`SecureChannel`] wraps commands and unwraps responses.

use core::fmt;

use zeroize::Zeroize;

use super::command::{Le, PlainCommand, Writer, parse_plain};
use super::dos::{TAG_LE, TAG_SW, parse_body};
use super::engine::{
    CHAIN_BLOCK, Case1Form, Engine, Protect, SessionKeys, Ssc, verify_and_decrypt,
};
use super::error::{FormatError, SmError};

/// What the host remembers between a command and its response.
#[derive(Clone, Copy)]
struct Pending {
    odd_ins: bool,
    max_data: usize,
}

/// The host side of a 3DES secure-messaging session (IAS-ECC / ICAO 9303 style, docs/protocol.md
/// §4). Sans-I/O: [`wrap`](Self::wrap) turns a plain command APDU into a protected one,
/// [`unwrap`](Self::unwrap) turns the card's protected response into plain data followed by
/// the status word of DO `99`. Calls must alternate wrap, unwrap, wrap, …
///
/// Any error closes the channel for good: the key schedules are wiped and every later call
/// returns [`SmError::Closed`] without producing output. Neither operation allocates.
///
/// ```
/// use cie_pinpuk::sm::SecureChannel;
/// # fn h<const N: usize>(s: &str) -> [u8; N] {
/// #     let v: Vec<u8> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
/// #     v.try_into().unwrap()
/// # }
/// // ICAO Doc 9303-11 Appendix D.4, second exchange (READ BINARY of 4 bytes).
/// let mut ch = SecureChannel::tdes(
///     h("979EC13B1CBFE9DCD01AB0FED307EAE5"),
///     h("F1CB1F1FB5ADF208806B89DC579DC1F8"),
///     h("887022120C06C228"),
/// );
/// let mut apdu = [0u8; 64];
/// let n = ch.wrap(&[0x00, 0xB0, 0x00, 0x00, 0x04], &mut apdu)?;
/// assert_eq!(&apdu[..n], &h::<19>("0CB000000D9701048E08ED6705417E96BA5500")[..]);
/// let resp: [u8; 27] = h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000");
/// let mut plain = [0u8; 64];
/// let n = ch.unwrap(&resp, &mut plain)?;
/// assert_eq!(&plain[..n], &[0x60, 0x14, 0x5F, 0x01, 0x90, 0x00]);
/// # Ok::<(), cie_pinpuk::sm::SmError>(())
/// ```
#[derive(Clone)]
pub struct SecureChannel {
    eng: Engine,
    case1: Case1Form,
    pending: Option<Pending>,
}

impl fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureChannel")
            .field("open", &self.is_open())
            .field("case1", &self.case1)
            .finish_non_exhaustive()
    }
}

impl SecureChannel {
    /// Opens a host channel with 2-key 3DES session keys and the initial SSC (the value
    /// before the first increment).
    pub fn tdes(ks_enc: [u8; 16], ks_mac: [u8; 16], ssc: [u8; 8]) -> Self {
        let mut keys = SessionKeys::new(ks_enc, ks_mac);
        let ch = Self::with_keys(&keys, Ssc::new(ssc));
        keys.zeroize();
        ch
    }

    /// Opens a host channel from zeroizing key and SSC types.
    pub fn with_keys(keys: &SessionKeys, ssc: Ssc) -> Self {
        Self {
            eng: Engine::new(keys, ssc),
            case1: Case1Form::default(),
            pending: None,
        }
    }

    /// Chooses how case-1 commands are protected (default [`Case1Form::Middleware`]).
    #[must_use]
    pub fn with_case1_form(mut self, form: Case1Form) -> Self {
        self.case1 = form;
        self
    }

    /// Caps the number of commands this session may protect (each chained block counts);
    /// the command after the cap fails with [`SmError::CommandLimit`] and closes the channel.
    #[must_use]
    pub fn with_command_limit(mut self, limit: u64) -> Self {
        self.eng.limit = Some(limit);
        self
    }

    /// Whether the channel is still usable.
    pub fn is_open(&self) -> bool {
        self.eng.keys.is_some()
    }

    /// The current SSC (the value used by the last protected message), `None` once closed.
    pub fn ssc(&self) -> Option<Ssc> {
        self.eng.keys.as_ref().map(|_| Ssc(self.eng.ssc))
    }

    /// Closes the channel and wipes its keys.
    pub fn close(&mut self) {
        self.eng.close();
        self.pending = None;
    }

    /// Protects a plain command APDU (short or extended, cases 1-4) whose data fits in one SM
    /// block (at most [`CHAIN_BLOCK`] bytes). Writes the protected APDU into `out` and
    /// returns its length.
    pub fn wrap(&mut self, plain_command: &[u8], out: &mut [u8]) -> Result<usize, SmError> {
        let case1 = self.case1;
        let pending = &mut self.pending;
        self.eng.guard(out, |eng, out| {
            let cmd = parse_plain(plain_command).ok_or(SmError::InvalidCommand)?;
            if cmd.data.len() > CHAIN_BLOCK {
                return Err(SmError::ChainingRequired);
            }
            wrap_block(eng, pending, case1, &cmd, cmd.data, false, cmd.le, out)
        })
    }

    /// Number of SM commands [`wrap_chain`](Self::wrap_chain) makes of this plain command:
    /// one per started [`CHAIN_BLOCK`] bytes of data, at least one.
    pub fn chain_len(plain_command: &[u8]) -> Result<usize, SmError> {
        let cmd = parse_plain(plain_command).ok_or(SmError::InvalidCommand)?;
        Ok(cmd.data.len().div_ceil(CHAIN_BLOCK).max(1))
    }

    /// Protects block `block_index` of a plain command cut for SM chaining (docs/protocol.md §4.6):
    /// 0xE7-byte blocks, CLA `1C` on all but the last (`0C`), the Le only on the last. Each
    /// block is a complete SM command with its own SSC step and MAC, and must be followed by
    /// [`unwrap`](Self::unwrap) of its own response before the next block. Returns
    /// `Ok(None)` (and changes nothing) when `block_index` is past the last block.
    pub fn wrap_chain(
        &mut self,
        plain_command: &[u8],
        block_index: usize,
        out: &mut [u8],
    ) -> Result<Option<usize>, SmError> {
        if !self.is_open() {
            return Err(SmError::Closed);
        }
        let Ok(blocks) = Self::chain_len(plain_command) else {
            self.close();
            return Err(SmError::InvalidCommand);
        };
        if block_index >= blocks {
            return Ok(None);
        }
        let case1 = self.case1;
        let pending = &mut self.pending;
        self.eng
            .guard(out, |eng, out| {
                let cmd = parse_plain(plain_command).ok_or(SmError::InvalidCommand)?;
                let start = block_index.saturating_mul(CHAIN_BLOCK);
                let end = start.saturating_add(CHAIN_BLOCK).min(cmd.data.len());
                let chunk = cmd.data.get(start..end).unwrap_or_default();
                let last = block_index.saturating_add(1) == blocks;
                let le = if last { cmd.le } else { Le::Absent };
                wrap_block(eng, pending, case1, &cmd, chunk, !last, le, out)
            })
            .map(Some)
    }

    /// Verifies and decrypts the card's protected response (`body ‖ SW1 SW2`, as received,
    /// after any GET RESPONSE reassembly). Writes the plain data followed by the two bytes of
    /// DO `99` into `out` and returns their length.
    ///
    /// Checks, in this order: the outer SW (`9000`, `6282`, `6B00`, else
    /// [`SmError::Unprotected`]); the structure (`87`/`85`, `99`, `8E`, strict); the MAC in
    /// constant time; then decryption and padding ([`SmError::Integrity`] for MAC and padding
    /// alike); the data length against the command's Le and `out`. A non-`9000` outer SW must
    /// equal DO `99`. A verified DO `99` of `6987`/`6988` means the card dropped its session:
    /// [`SmError::CardAbort`].
    pub fn unwrap(&mut self, protected_response: &[u8], out: &mut [u8]) -> Result<usize, SmError> {
        let pending = self.pending.take();
        self.eng.guard(out, |eng, out| {
            let pending = pending.ok_or(SmError::Sequence)?;
            let (body, sw) = protected_response
                .split_last_chunk::<2>()
                .ok_or(FormatError::Truncated)?;
            let sw = u16::from_be_bytes(*sw);
            if !matches!(sw, 0x9000 | 0x6282 | 0x6B00) {
                return Err(SmError::Unprotected { sw });
            }
            let parsed = parse_body(body, pending.odd_ins, TAG_SW)?;
            let sw99: [u8; 2] = parsed
                .middle
                .and_then(|v| v.try_into().ok())
                .ok_or(FormatError::MissingStatus)?;
            if sw != 0x9000 && sw.to_be_bytes() != sw99 {
                return Err(FormatError::StatusMismatch.into());
            }
            let ssc = eng.step()?;
            let keys = eng.keys.as_ref().ok_or(SmError::Closed)?;
            let covered = body.get(..parsed.mac_start).ok_or(FormatError::Truncated)?;
            let n = verify_and_decrypt(
                keys,
                ssc,
                None,
                covered,
                parsed.mac,
                parsed.ct,
                pending.max_data,
                out,
                (2, 0),
            )?;
            let status = u16::from_be_bytes(sw99);
            if matches!(status, 0x6987 | 0x6988) {
                return Err(SmError::CardAbort { sw: status });
            }
            let needed = n.saturating_add(2);
            let dst = out
                .get_mut(n..needed)
                .ok_or(SmError::OutputTooSmall { needed })?;
            dst.copy_from_slice(&sw99);
            Ok(needed)
        })
    }
}

/// Host: protects one SM command carrying `data` (the whole data or one chained block).
#[allow(clippy::too_many_arguments)]
fn wrap_block(
    eng: &mut Engine,
    pending: &mut Option<Pending>,
    case1: Case1Form,
    cmd: &PlainCommand<'_>,
    data: &[u8],
    chained: bool,
    le: Le,
    out: &mut [u8],
) -> Result<usize, SmError> {
    if pending.is_some() {
        return Err(SmError::Sequence);
    }
    let [cla, ins, p1, p2] = cmd.header;
    let odd_ins = ins & 1 == 1;
    let le_bytes: [u8; 2];
    let middle: Option<&[u8]> = match le {
        Le::Short(b) => {
            le_bytes = [b, 0];
            le_bytes.get(..1)
        }
        Le::Extended(b) => {
            le_bytes = b;
            Some(le_bytes.as_slice())
        }
        Le::Absent if cmd.data.is_empty() && case1 == Case1Form::Middleware => Some(&[0u8][..]),
        Le::Absent => None,
    };
    let protect = Protect {
        odd_ins,
        data,
        middle: middle.map(|v| (TAG_LE, v)),
    };
    let body_len = protect.body_len();
    // Short form whenever the body fits (always, with at most 0xE7 data bytes per block):
    // SM chaining exists so that extended length is not needed (docs/protocol.md §4.6).
    let extended = body_len > 255;
    let total = 4usize
        .saturating_add(if extended { 3 } else { 1 })
        .saturating_add(body_len)
        .saturating_add(if extended { 2 } else { 1 });
    if out.len() < total {
        return Err(SmError::OutputTooSmall { needed: total });
    }
    let body_len16 = u16::try_from(body_len).map_err(|_| SmError::InvalidCommand)?;
    eng.count_command()?;
    let ssc = eng.step()?;
    let keys = eng.keys.as_ref().ok_or(SmError::Closed)?;
    let cla = cla | 0x0C | if chained { 0x10 } else { 0 };
    let small = SmError::OutputTooSmall { needed: total };
    let mut w = Writer::new(out);
    let [lh, ll] = body_len16.to_be_bytes();
    let ok = w.put(&[cla, ins, p1, p2])
        && if extended {
            w.put(&[0, lh, ll])
        } else {
            w.put(&[ll])
        };
    if !ok {
        return Err(small);
    }
    protect.write(keys, ssc, Some(&[cla, ins, p1, p2, 0x80, 0, 0, 0]), &mut w)?;
    let ok = if extended {
        w.put(&[0, 0])
    } else {
        w.put(&[0])
    };
    if !ok {
        return Err(small);
    }
    *pending = Some(Pending {
        odd_ins,
        max_data: le.max_len(),
    });
    Ok(w.pos())
}
