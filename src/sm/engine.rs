//! What both roles share: the key and counter types, the channel state (key schedules, SSC,
//! command cap, close-on-error), writing protected data objects, and verifying then
//! decrypting them.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::command::Writer;
use super::crypto::{BLOCK, Keys, unpad_last_block};
use super::dos::{TAG_ENC85, TAG_ENC87, TAG_MAC, ber_len_size};
use super::error::SmError;

/// Largest plaintext carried by one SM command; longer data is chained (docs/protocol.md §4.6).
pub const CHAIN_BLOCK: usize = 0xE7;

/// The two 16-byte session keys (`KS_ENC`, `KS_MAC`). Wiped on drop; `Debug` prints nothing
/// of them.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SessionKeys {
    pub(super) enc: [u8; 16],
    pub(super) mac: [u8; 16],
}

impl SessionKeys {
    /// Wraps the encryption and MAC keys.
    pub fn new(ks_enc: [u8; 16], ks_mac: [u8; 16]) -> Self {
        Self {
            enc: ks_enc,
            mac: ks_mac,
        }
    }

    /// `KS_ENC` (two-key 3DES: K1 = bytes 0..8, K2 = bytes 8..16).
    pub fn ks_enc(&self) -> &[u8; 16] {
        &self.enc
    }

    /// `KS_MAC`.
    pub fn ks_mac(&self) -> &[u8; 16] {
        &self.mac
    }
}

/// Constant-time comparison (both parties derived the same keys).
impl PartialEq for SessionKeys {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.enc.ct_eq(&other.enc) & self.mac.ct_eq(&other.mac))
    }
}

impl Eq for SessionKeys {}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKeys { .. }")
    }
}

/// The 8-byte send sequence counter, big-endian.
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
pub struct Ssc(pub(super) u64);

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
    /// exercised in production, docs/protocol.md §4.3).
    #[default]
    Middleware,
}

/// State shared by both roles: key schedules (None once closed), SSC, command cap.
#[derive(Clone)]
pub(super) struct Engine {
    pub(super) keys: Option<Keys>,
    pub(super) ssc: u64,
    pub(super) limit: Option<u64>,
    pub(super) commands: u64,
}

impl Engine {
    pub(super) fn new(keys: &SessionKeys, ssc: Ssc) -> Self {
        Self {
            keys: Some(Keys::new(&keys.enc, &keys.mac)),
            ssc: ssc.0,
            limit: None,
            commands: 0,
        }
    }

    pub(super) fn close(&mut self) {
        // Dropping the schedules wipes them (des is built with its `zeroize` feature).
        self.keys = None;
        self.ssc.zeroize();
    }

    /// SSC += 1, or `Exhausted` at FF…FF.
    pub(super) fn step(&mut self) -> Result<u64, SmError> {
        self.ssc = self.ssc.checked_add(1).ok_or(SmError::Exhausted)?;
        Ok(self.ssc)
    }

    /// Counts one command against the optional cap.
    pub(super) fn count_command(&mut self) -> Result<(), SmError> {
        if self.limit.is_some_and(|limit| self.commands >= limit) {
            return Err(SmError::CommandLimit);
        }
        self.commands = self.commands.saturating_add(1);
        Ok(())
    }

    /// Runs one operation; on error closes the channel and wipes `out`.
    pub(super) fn guard(
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
pub(super) struct Protect<'x> {
    pub(super) odd_ins: bool,
    pub(super) data: &'x [u8],
    pub(super) middle: Option<(u8, &'x [u8])>,
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

    pub(super) fn body_len(&self) -> usize {
        let middle = self.middle.map_or(0, |(_, v)| v.len().saturating_add(2));
        self.enc_do_len().saturating_add(middle).saturating_add(10)
    }

    /// Writes the DOs, MACs them (after `ssc` and `mac_prefix`) and writes DO 8E.
    pub(super) fn write(
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
pub(super) fn verify_and_decrypt(
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
