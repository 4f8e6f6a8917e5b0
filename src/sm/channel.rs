//! The secure-messaging channel in its two roles: [`SecureChannel`] (the host, which wraps
//! commands and unwraps responses) and [`CardSecureChannel`] (the card, which unwraps
//! commands and wraps responses). The roles are two types so that the SSC order cannot be
//! mixed: each type only offers the operations of its side, in strict alternation.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::command::{Le, PlainCommand, Writer, parse_plain};
use super::crypto::{BLOCK, Keys, unpad_last_block};
use super::dos::{TAG_ENC85, TAG_ENC87, TAG_LE, TAG_MAC, TAG_SW, ber_len_size, parse_body};
use super::error::{FormatError, SmError};

/// Largest plaintext carried by one SM command; longer data is chained (PROTOCOL.md §4.6).
pub const CHAIN_BLOCK: usize = 0xE7;

/// The two 16-byte session keys (`KS_ENC`, `KS_MAC`). Wiped on drop; `Debug` prints nothing
/// of them.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    enc: [u8; 16],
    mac: [u8; 16],
}

impl SessionKeys {
    /// Wraps the encryption and MAC keys.
    pub fn new(ks_enc: [u8; 16], ks_mac: [u8; 16]) -> Self {
        Self {
            enc: ks_enc,
            mac: ks_mac,
        }
    }
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKeys { .. }")
    }
}

/// The 8-byte send sequence counter, big-endian.
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
pub struct Ssc(u64);

impl Ssc {
    /// The counter from its 8 big-endian bytes.
    pub const fn new(bytes: [u8; 8]) -> Self {
        Self(u64::from_be_bytes(bytes))
    }

    /// The 8 big-endian bytes.
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Debug for Ssc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssc({:016X})", self.0)
    }
}

/// How the host protects a command that has neither data nor Le (ISO case 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Case1Form {
    /// ISO/ICAO form: no DO `97`, only DO `8E`.
    Iso,
    /// The official middleware's form: `97 01 00` before DO `8E` (the default; the form
    /// exercised in production, PROTOCOL.md §4.3).
    #[default]
    Middleware,
}

/// State shared by both roles: key schedules (None once closed), SSC, command cap.
struct Engine {
    keys: Option<Keys>,
    ssc: u64,
    limit: Option<u64>,
    commands: u64,
}

impl Engine {
    fn new(keys: &SessionKeys, ssc: Ssc) -> Self {
        Self {
            keys: Some(Keys::new(&keys.enc, &keys.mac)),
            ssc: ssc.0,
            limit: None,
            commands: 0,
        }
    }

    fn close(&mut self) {
        // Dropping the schedules wipes them (des is built with its `zeroize` feature).
        self.keys = None;
        self.ssc.zeroize();
    }

    /// SSC += 1, or `Exhausted` at FF…FF.
    fn step(&mut self) -> Result<u64, SmError> {
        self.ssc = self.ssc.checked_add(1).ok_or(SmError::Exhausted)?;
        Ok(self.ssc)
    }

    /// Counts one command against the optional cap.
    fn count_command(&mut self) -> Result<(), SmError> {
        if self.limit.is_some_and(|limit| self.commands >= limit) {
            return Err(SmError::CommandLimit);
        }
        self.commands = self.commands.saturating_add(1);
        Ok(())
    }

    /// Runs one operation; on error closes the channel and wipes `out`.
    fn guard(
        &mut self,
        out: &mut [u8],
        op: impl FnOnce(&mut Self, &mut [u8]) -> Result<usize, SmError>,
    ) -> Result<usize, SmError> {
        if self.keys.is_none() {
            return Err(SmError::Closed);
        }
        let r = op(self, out);
        if r.is_err() {
            self.close();
            out.zeroize();
        }
        r
    }
}

/// Writes one protected data-object block `[87|85] [97|99] 8E` and returns nothing: used by
/// both roles. `mac_prefix` is the header block fed to the MAC before the DOs (commands only).
struct Protect<'x> {
    odd_ins: bool,
    data: &'x [u8],
    middle: Option<(u8, &'x [u8])>,
}

impl Protect<'_> {
    /// Length of DO 87/85 (0 when there is no data).
    fn enc_do_len(&self) -> usize {
        if self.data.is_empty() {
            return 0;
        }
        let vlen = self.ct_len().saturating_add(usize::from(!self.odd_ins));
        1usize
            .saturating_add(ber_len_size(vlen))
            .saturating_add(vlen)
    }

    fn ct_len(&self) -> usize {
        (self.data.len() / BLOCK)
            .saturating_add(1)
            .saturating_mul(BLOCK)
    }

    fn body_len(&self) -> usize {
        let middle = self.middle.map_or(0, |(_, v)| v.len().saturating_add(2));
        self.enc_do_len().saturating_add(middle).saturating_add(10)
    }

    /// Writes the DOs, MACs them (after `ssc` and `mac_prefix`) and writes DO 8E.
    fn write(
        &self,
        keys: &Keys,
        ssc: u64,
        mac_prefix: Option<&[u8; 8]>,
        w: &mut Writer<'_>,
    ) -> Result<(), SmError> {
        let small = SmError::OutputTooSmall {
            needed: self.body_len(),
        };
        let start = w.pos();
        if !self.data.is_empty() {
            let ct_len = self.ct_len();
            let ok = if self.odd_ins {
                w.put(&[TAG_ENC85]) && w.put_ber_len(ct_len)
            } else {
                w.put(&[TAG_ENC87]) && w.put_ber_len(ct_len.saturating_add(1)) && w.put(&[0x01])
            };
            if !ok {
                return Err(small);
            }
            let ct = w.take(ct_len).ok_or(small)?;
            let (head, pad) = ct.split_at_mut_checked(self.data.len()).ok_or(small)?;
            head.copy_from_slice(self.data);
            if let Some((first, rest)) = pad.split_first_mut() {
                *first = 0x80;
                rest.fill(0);
            }
            keys.cbc_encrypt(ct);
        }
        if let Some((tag, value)) = self.middle {
            let len = u8::try_from(value.len()).map_err(|_| small)?;
            if !(w.put(&[tag, len]) && w.put(value)) {
                return Err(small);
            }
        }
        let mut mac = keys.mac();
        mac.update(&ssc.to_be_bytes());
        if let Some(prefix) = mac_prefix {
            mac.update(prefix);
        }
        mac.update(w.written_from(start));
        let cc = mac.finalize();
        if !(w.put(&[TAG_MAC, 0x08]) && w.put(&cc)) {
            return Err(small);
        }
        Ok(())
    }
}

/// Verifies the MAC of a parsed body (constant time), then decrypts and unpads its
/// ciphertext into `out` (at most `max_data` bytes, and `reserve` bytes must stay free after
/// them; `offset` is added to the size reported when `out` is too small). Returns the data
/// length.
#[allow(clippy::too_many_arguments)]
fn verify_and_decrypt(
    keys: &Keys,
    ssc: u64,
    mac_prefix: Option<&[u8; 8]>,
    covered: &[u8],
    mac: &[u8; 8],
    ct: Option<&[u8]>,
    max_data: usize,
    out: &mut [u8],
    (reserve, offset): (usize, usize),
) -> Result<usize, SmError> {
    let mut m = keys.mac();
    m.update(&ssc.to_be_bytes());
    if let Some(prefix) = mac_prefix {
        m.update(prefix);
    }
    m.update(covered);
    let cc = m.finalize();
    if !bool::from(cc.ct_eq(mac)) {
        return Err(SmError::Integrity);
    }
    let Some(ct) = ct else {
        return Ok(0);
    };
    // The last block first: its unpadding gives the exact data length before anything is
    // written to `out`.
    let (blocks, _) = ct.as_chunks::<BLOCK>();
    let (last, init) = blocks.split_last().ok_or(SmError::Integrity)?;
    let prev = init.last().map_or(0, |b| u64::from_be_bytes(*b));
    let mut tail = keys.cbc_decrypt_block(prev, last);
    let Some(in_last) = unpad_last_block(&tail) else {
        tail.zeroize();
        return Err(SmError::Integrity);
    };
    let head_len = ct.len().saturating_sub(BLOCK);
    let out_len = out.len();
    let data_len = head_len.saturating_add(in_last);
    if data_len > max_data {
        tail.zeroize();
        return Err(SmError::TooLong);
    }
    let room = data_len.saturating_add(reserve);
    let Some(dst) = out.get_mut(..data_len).filter(|_| room <= out_len) else {
        tail.zeroize();
        return Err(SmError::OutputTooSmall {
            needed: room.saturating_add(offset),
        });
    };
    let (dst_head, dst_tail) = dst.split_at_mut(head_len.min(data_len));
    keys.cbc_decrypt(ct, dst_head);
    for (d, s) in dst_tail.iter_mut().zip(tail.iter()) {
        *d = *s;
    }
    tail.zeroize();
    Ok(data_len)
}

/// What the host remembers between a command and its response.
#[derive(Clone, Copy)]
struct Pending {
    odd_ins: bool,
    max_data: usize,
}

/// The host side of a 3DES secure-messaging session (IAS-ECC / ICAO 9303 style, PROTOCOL.md
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

    /// Protects block `block_index` of a plain command cut for SM chaining (PROTOCOL.md §4.6):
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
    // SM chaining exists so that extended length is not needed (PROTOCOL.md §4.6).
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

/// The card side of a 3DES secure-messaging session: [`unwrap_command`](Self::unwrap_command)
/// verifies and decrypts a protected command, [`wrap_response`](Self::wrap_response)
/// protects the answer to it. Calls must alternate. Any error closes the channel; the card
/// should then answer [`SmError::card_status`] unprotected and drop the session.
///
/// Both case-1 forms are accepted; the middleware form (`97 01 00`) comes out as a case-2
/// plain command with Le `00`, which is what the middleware means by it.
pub struct CardSecureChannel {
    eng: Engine,
    pending: Option<bool>,
    last_chained: bool,
}

impl fmt::Debug for CardSecureChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardSecureChannel")
            .field("open", &self.is_open())
            .finish_non_exhaustive()
    }
}

impl CardSecureChannel {
    /// Opens a card channel with the session keys and the initial SSC.
    pub fn tdes(ks_enc: [u8; 16], ks_mac: [u8; 16], ssc: [u8; 8]) -> Self {
        let mut keys = SessionKeys::new(ks_enc, ks_mac);
        let ch = Self::with_keys(&keys, Ssc::new(ssc));
        keys.zeroize();
        ch
    }

    /// Opens a card channel from zeroizing key and SSC types.
    pub fn with_keys(keys: &SessionKeys, ssc: Ssc) -> Self {
        Self {
            eng: Engine::new(keys, ssc),
            pending: None,
            last_chained: false,
        }
    }

    /// Caps the number of commands accepted in this session.
    #[must_use]
    pub fn with_command_limit(mut self, limit: u64) -> Self {
        self.eng.limit = Some(limit);
        self
    }

    /// Whether the channel is still usable.
    pub fn is_open(&self) -> bool {
        self.eng.keys.is_some()
    }

    /// The current SSC, `None` once closed.
    pub fn ssc(&self) -> Option<Ssc> {
        self.eng.keys.as_ref().map(|_| Ssc(self.eng.ssc))
    }

    /// Whether the last unwrapped command was a non-final block of an SM chain (CLA bit
    /// `10`); the plain CLA returned keeps that bit too.
    pub fn last_command_chained(&self) -> bool {
        self.last_chained
    }

    /// Closes the channel and wipes its keys.
    pub fn close(&mut self) {
        self.eng.close();
        self.pending = None;
    }

    /// Verifies and decrypts a protected command APDU and writes the plain command APDU into
    /// `out` (CLA without the SM bits `0C`; short form unless the data exceeds 255 bytes or
    /// DO `97` has two bytes). Returns its length. `out` needs 7 bytes more than the
    /// decrypted data (the data is staged after the longest header, then moved into place);
    /// 7 + 256 is enough for any block the host sends.
    pub fn unwrap_command(&mut self, protected: &[u8], out: &mut [u8]) -> Result<usize, SmError> {
        let pending = &mut self.pending;
        let last_chained = &mut self.last_chained;
        self.eng.guard(out, |eng, out| {
            if pending.is_some() {
                return Err(SmError::Sequence);
            }
            let (header, rest) = protected
                .split_first_chunk::<4>()
                .ok_or(FormatError::Truncated)?;
            let [cla, ins, p1, p2] = *header;
            if cla & 0x0C != 0x0C {
                return Err(FormatError::Command.into());
            }
            let body = protected_body(rest)?;
            let odd_ins = ins & 1 == 1;
            let parsed = parse_body(body, odd_ins, TAG_LE)?;
            let le = match parsed.middle {
                None => Le::Absent,
                Some([b]) => Le::Short(*b),
                Some([h, l]) => Le::Extended([*h, *l]),
                Some(_) => return Err(FormatError::LeLength.into()),
            };
            eng.count_command()?;
            let ssc = eng.step()?;
            let keys = eng.keys.as_ref().ok_or(SmError::Closed)?;
            let covered = body.get(..parsed.mac_start).ok_or(FormatError::Truncated)?;
            let mac_ok_prefix = [cla, ins, p1, p2, 0x80, 0, 0, 0];
            // Data goes after the longest possible header (4 + 3); it is moved into place
            // once its length, hence the Lc form, is known.
            let max_data = parsed.ct.map_or(0, <[u8]>::len);
            let data_area = out.get_mut(7..).unwrap_or_default();
            let n = verify_and_decrypt(
                keys,
                ssc,
                Some(&mac_ok_prefix),
                covered,
                parsed.mac,
                parsed.ct,
                max_data,
                data_area,
                (0, 7),
            )?;
            let extended = n > 255 || matches!(le, Le::Extended(_));
            let plain_cla = cla & !0x0C;
            let lc_len = match (n, extended) {
                (0, _) => 0,
                (_, false) => 1,
                (_, true) => 3,
            };
            let le_len = match (le, extended, n) {
                (Le::Absent, _, _) => 0,
                (_, false, _) => 1,
                (_, true, 0) => 3,
                (_, true, _) => 2,
            };
            let data_at = 4usize.saturating_add(lc_len);
            let total = data_at.saturating_add(n).saturating_add(le_len);
            if out.len() < total {
                return Err(SmError::OutputTooSmall { needed: total });
            }
            out.copy_within(7..7usize.saturating_add(n), data_at);
            let le_val: u16 = match le {
                Le::Absent => 0,
                Le::Short(0) => 256,
                Le::Short(b) => u16::from(b),
                Le::Extended(b) => u16::from_be_bytes(b),
            };
            let mut w = Writer::new(out);
            let [nh, nl] = u16::try_from(n)
                .map_err(|_| FormatError::Command)?
                .to_be_bytes();
            let [eh, el] = le_val.to_be_bytes();
            let mut ok = w.put(&[plain_cla, ins, p1, p2]);
            ok = ok
                && match lc_len {
                    0 => true,
                    1 => w.put(&[nl]),
                    _ => w.put(&[0, nh, nl]),
                };
            ok = ok && w.take(n).is_some();
            ok = ok
                && match le_len {
                    0 => true,
                    1 => w.put(&[el]),
                    2 => w.put(&[eh, el]),
                    _ => w.put(&[0, eh, el]),
                };
            if !ok {
                return Err(SmError::OutputTooSmall { needed: total });
            }
            let end = w.pos();
            // Wipe what is left of the staging copy past the plain APDU.
            if let Some(stale) = out.get_mut(end..7usize.saturating_add(n)) {
                stale.zeroize();
            }
            *pending = Some(odd_ins);
            *last_chained = cla & 0x10 != 0;
            Ok(end)
        })
    }

    /// Protects the answer to the last unwrapped command: DO `87` (or `85` for an odd INS)
    /// when `data` is not empty, DO `99` with `sw`, DO `8E`; then the outer SW, which is `sw`
    /// itself for `6282`/`6B00` and `9000` otherwise. Returns the response length.
    pub fn wrap_response(
        &mut self,
        data: &[u8],
        sw: u16,
        out: &mut [u8],
    ) -> Result<usize, SmError> {
        let pending = self.pending.take();
        self.eng.guard(out, |eng, out| {
            let odd_ins = pending.ok_or(SmError::Sequence)?;
            let sw_bytes = sw.to_be_bytes();
            let protect = Protect {
                odd_ins,
                data,
                middle: Some((TAG_SW, &sw_bytes[..])),
            };
            let total = protect.body_len().saturating_add(2);
            if out.len() < total {
                return Err(SmError::OutputTooSmall { needed: total });
            }
            let ssc = eng.step()?;
            let keys = eng.keys.as_ref().ok_or(SmError::Closed)?;
            let mut w = Writer::new(out);
            protect.write(keys, ssc, None, &mut w)?;
            let outer = if matches!(sw, 0x6282 | 0x6B00) {
                sw
            } else {
                0x9000
            };
            if !w.put(&outer.to_be_bytes()) {
                return Err(SmError::OutputTooSmall { needed: total });
            }
            Ok(w.pos())
        })
    }
}

/// Splits `Lc' body [Le']` of a protected command (short or extended form) and returns the
/// body. The outer Le may be absent or `00` (`00 00` in extended form), nothing else.
fn protected_body(rest: &[u8]) -> Result<&[u8], SmError> {
    let bad = SmError::Format(FormatError::Command);
    match rest {
        [] | [0] => Err(FormatError::MissingMac.into()),
        [0, rest @ ..] => {
            let (lc, tail) = rest
                .split_first_chunk::<2>()
                .ok_or(FormatError::Truncated)?;
            let lc = usize::from(u16::from_be_bytes(*lc));
            let (body, le) = tail.split_at_checked(lc).ok_or(FormatError::Truncated)?;
            match le {
                [] | [0, 0] => Ok(body),
                _ => Err(bad),
            }
        }
        [lc, tail @ ..] => {
            let (body, le) = tail
                .split_at_checked(usize::from(*lc))
                .ok_or(FormatError::Truncated)?;
            match le {
                [] | [0] => Ok(body),
                _ => Err(bad),
            }
        }
    }
}
