//! The card role: [`CardSecureChannel`] unwraps commands and wraps responses.

use core::fmt;

use zeroize::Zeroize;

use super::command::{Le, Writer};
use super::dos::{TAG_LE, TAG_SW, parse_body};
use super::engine::{Engine, Protect, SessionKeys, Ssc, verify_and_decrypt};
use super::error::{FormatError, SmError};

/// The card side of a 3DES secure-messaging session: [`unwrap_command`](Self::unwrap_command)
/// verifies and decrypts a protected command, [`wrap_response`](Self::wrap_response)
/// protects the answer to it. Calls must alternate. Any error closes the channel; the card
/// should then answer [`SmError::card_status`] unprotected and drop the session.
///
/// Both case-1 forms are accepted; the middleware form (`97 01 00`) comes out as a case-2
/// plain command with Le `00`, which is what the middleware means by it.
#[derive(Clone)]
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
