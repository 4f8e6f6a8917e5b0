//! APDU framing (short APDUs, chaining, `61xx` / GET RESPONSE, SM wrap and unwrap) and the
//! plain command set: SELECT, READ BINARY, GET DATA, the PIN commands.

use alloc::vec::Vec;
use zeroize::Zeroize;

use super::VirtualCie;
use super::builder::{Case1Acceptance, EofAnswer, LongAnswers};
use super::codes::{
    SW_INCORRECT_P1P2, SW_INS_NOT_SUPPORTED, SW_OK, SW_SECURITY_NOT_SATISFIED, SW_WRONG_DATA,
    SW_WRONG_LENGTH,
};
use super::der::{cons, tlv};
use super::documents;
use super::files::{AID_CIE, AID_IAS, Access, Ef, Level, fcp};
use super::keys::document_signer;
use crate::card::chip::IasSelect;

pub(crate) const SW_FILE_NOT_FOUND: u16 = 0x6A82;
pub(crate) const SW_WRONG_P1P2: u16 = 0x6B00;
pub(crate) const SW_EOF: u16 = 0x6282;
pub(crate) const SW_CONDITIONS: u16 = 0x6985;
pub(crate) const SW_NO_CURRENT_EF: u16 = 0x6986;
pub(crate) const SW_SM_INCORRECT: u16 = 0x6988;
pub(crate) const SW_SM_MISSING: u16 = 0x6987;
pub(crate) const SW_CLA: u16 = 0x6E00;
pub(crate) const SW_CHAIN_LAST_EXPECTED: u16 = 0x6883;
pub(crate) const SW_MEMORY: u16 = 0x6581;

/// The longest command data accepted through chaining (a terminal certificate is ~350
/// bytes, EXTERNAL AUTHENTICATE 264, MSE SET KAT 266).
const MAX_CHAIN: usize = 1024;

/// A short command APDU, borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cmd<'a> {
    pub(crate) cla: u8,
    pub(crate) ins: u8,
    pub(crate) p1: u8,
    pub(crate) p2: u8,
    pub(crate) data: &'a [u8],
    /// Expected answer length (1..=256), `None` when the command has no Le.
    pub(crate) le: Option<usize>,
}

impl<'a> Cmd<'a> {
    /// Parses a short APDU (cases 1 to 4); extended forms are refused.
    pub(crate) fn parse(bytes: &'a [u8]) -> Option<Cmd<'a>> {
        let (&[cla, ins, p1, p2], rest) = bytes.split_first_chunk::<4>()?;
        let le_of = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let (data, le) = match rest {
            [] => (&[][..], None),
            [le] => (&[][..], Some(le_of(*le))),
            [lc, body @ ..] => {
                let lc = usize::from(*lc);
                if lc == 0 {
                    return None;
                }
                match body.len().checked_sub(lc)? {
                    0 => (body, None),
                    1 => (body.get(..lc)?, Some(le_of(*body.get(lc)?))),
                    _ => return None,
                }
            }
        };
        Some(Cmd {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
        })
    }

    /// Parses a short or extended APDU. Used for the plain command recovered from SM, which
    /// is extended when DO `97` carried two bytes (the wire itself stays short).
    pub(crate) fn parse_any(bytes: &'a [u8]) -> Option<Cmd<'a>> {
        if let Some(cmd) = Cmd::parse(bytes) {
            return Some(cmd);
        }
        let (&[cla, ins, p1, p2], rest) = bytes.split_first_chunk::<4>()?;
        let ext = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
            0 => 65536usize,
            n => usize::from(n),
        };
        let (data, le) = match rest {
            [0, hi, lo] => (&[][..], Some(ext(*hi, *lo))),
            [0, h, l, body @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*h, *l]));
                if lc == 0 {
                    return None;
                }
                match body.len().checked_sub(lc)? {
                    0 => (body, None),
                    2 => (
                        body.get(..lc)?,
                        Some(ext(*body.get(lc)?, *body.get(lc.checked_add(1)?)?)),
                    ),
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(Cmd {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
        })
    }
}

/// The security context a command arrived in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Secure {
    /// Under secure messaging.
    pub(crate) sm: bool,
}

fn push_sw(out: &mut Vec<u8>, sw: u16) {
    out.extend_from_slice(&sw.to_be_bytes());
}

impl VirtualCie {
    /// One APDU in, its response (data ‖ SW) out.
    pub(super) fn handle(&mut self, command: &[u8], out: &mut Vec<u8>) {
        let Some(&[cla, ins, _, _]) = command.first_chunk::<4>() else {
            push_sw(out, SW_WRONG_LENGTH);
            return;
        };
        // GET RESPONSE in clear, and the middleware's `0C C0 00 00 00` without SM objects.
        if ins == 0xC0 && (cla == 0x00 || (cla == 0x0C && command.len() <= 5)) {
            self.get_response(command, out);
            return;
        }
        self.volatile.pending.active = false;
        if cla & 0x0C == 0x0C && cla & !0x1C == 0 {
            self.handle_sm(command, out);
        } else if cla & !0x10 == 0 {
            self.handle_plain(command, out);
        } else {
            push_sw(out, SW_CLA);
        }
    }

    fn handle_plain(&mut self, command: &[u8], out: &mut Vec<u8>) {
        if self.volatile.security.sm_active() {
            // A plain command inside an SM session ends it (P-SM5, card side).
            self.drop_session();
        }
        let Some(cmd) = Cmd::parse(command) else {
            push_sw(out, SW_WRONG_LENGTH);
            return;
        };
        let mut data = core::mem::take(&mut self.buffers.data);
        data.clear();
        let sw = self.process_chained(&cmd, Secure { sm: false }, &mut data);
        self.emit(out, &data, sw, cmd.le);
        data.zeroize();
        self.buffers.data = data;
    }

    fn handle_sm(&mut self, command: &[u8], out: &mut Vec<u8>) {
        let mut plain = core::mem::take(&mut self.buffers.plain);
        plain.clear();
        plain.resize(command.len().saturating_add(16), 0);
        let unwrapped = match self.volatile.security.channel_mut() {
            None => Err(SW_SM_INCORRECT),
            Some(channel) => channel
                .unwrap_command(command, &mut plain)
                .map_err(|_| SW_SM_INCORRECT),
        };
        let n = match unwrapped {
            Ok(n) => n,
            Err(sw) => {
                plain.zeroize();
                self.buffers.plain = plain;
                self.drop_session();
                push_sw(out, sw);
                return;
            }
        };
        plain.truncate(n);
        if self.perso.switches.case1 == Case1Acceptance::MiddlewareOnly && !has_sm_payload(command)
        {
            plain.zeroize();
            self.buffers.plain = plain;
            self.drop_session();
            push_sw(out, SW_SM_MISSING);
            return;
        }
        self.volatile.security.mark_active();
        let mut data = core::mem::take(&mut self.buffers.data);
        data.clear();
        let sw = match Cmd::parse_any(&plain) {
            None => SW_WRONG_LENGTH,
            Some(cmd)
                if self.perso.switches.case1 == Case1Acceptance::IsoOnly
                    && cmd.data.is_empty()
                    && cmd.le == Some(256)
                    && matches!(cmd.ins, 0x20 | 0x24 | 0x2C | 0x22 | 0x82) =>
            {
                SW_WRONG_LENGTH
            }
            Some(cmd) => self.process_chained(&cmd, Secure { sm: true }, &mut data),
        };
        plain.zeroize();
        self.buffers.plain = plain;
        let mut wrapped = core::mem::take(&mut self.buffers.wrapped);
        wrapped.clear();
        wrapped.resize(data.len().saturating_add(48), 0);
        let result = match self.volatile.security.channel_mut() {
            Some(channel) => channel.wrap_response(&data, sw, &mut wrapped).ok(),
            None => None,
        };
        data.zeroize();
        self.buffers.data = data;
        match result {
            Some(len) if len >= 2 => {
                self.volatile.security.after_response();
                let (body, sw_bytes) = wrapped
                    .get(..len)
                    .unwrap_or(&[])
                    .split_at(len.saturating_sub(2));
                let outer = u16::from_be_bytes([
                    sw_bytes.first().copied().unwrap_or(0x90),
                    sw_bytes.get(1).copied().unwrap_or(0x00),
                ]);
                self.emit(out, body, outer, Some(256));
            }
            _ => {
                self.drop_session();
                push_sw(out, SW_SM_INCORRECT);
            }
        }
        self.buffers.wrapped = wrapped;
    }

    /// Sends `data ‖ sw`, or parks it for GET RESPONSE and announces it with `61xx`.
    fn emit(&mut self, out: &mut Vec<u8>, data: &[u8], sw: u16, le: Option<usize>) {
        let one_piece = self.perso.switches.long_answers == LongAnswers::OnePiece
            && le.is_none_or(|l| l >= 256);
        let direct = one_piece
            || data.len() <= 256
                && match le {
                    Some(l) => data.len() <= l,
                    None => {
                        data.is_empty() || self.perso.switches.long_answers == LongAnswers::Direct
                    }
                };
        if direct {
            out.extend_from_slice(data);
            push_sw(out, sw);
            return;
        }
        let pending = &mut self.volatile.pending;
        pending.data.clear();
        pending.data.extend_from_slice(data);
        pending.pos = 0;
        pending.sw = sw;
        pending.active = true;
        push_sw(out, 0x6100 | (data.len().min(256) & 0xFF) as u16);
    }

    fn get_response(&mut self, command: &[u8], out: &mut Vec<u8>) {
        let pending = &mut self.volatile.pending;
        if !pending.active {
            push_sw(out, SW_CONDITIONS);
            return;
        }
        let le = match command.get(4) {
            None | Some(0) => 256,
            Some(b) => usize::from(*b),
        };
        let rest = pending.data.get(pending.pos..).unwrap_or(&[]);
        let n = le.min(rest.len());
        out.extend_from_slice(rest.get(..n).unwrap_or(&[]));
        pending.pos = pending.pos.saturating_add(n);
        let left = pending.data.len().saturating_sub(pending.pos);
        if left > 0 {
            push_sw(out, 0x6100 | (left.min(256) & 0xFF) as u16);
        } else {
            push_sw(out, pending.sw);
            pending.active = false;
            pending.data.zeroize();
        }
    }

    /// Reassembles command chaining (CLA bit `10`), then processes the whole command.
    fn process_chained(&mut self, cmd: &Cmd<'_>, secure: Secure, out: &mut Vec<u8>) -> u16 {
        let header = [cmd.ins, cmd.p1, cmd.p2];
        let chain = &mut self.volatile.chain;
        if cmd.cla & 0x10 != 0 {
            if chain.header.is_some_and(|h| h != header)
                || chain.data.len().saturating_add(cmd.data.len()) > MAX_CHAIN
            {
                chain.header = None;
                chain.data.zeroize();
                return SW_WRONG_LENGTH;
            }
            chain.header = Some(header);
            chain.data.extend_from_slice(cmd.data);
            return SW_OK;
        }
        let Some(h) = chain.header.take() else {
            return self.process(cmd, secure, out);
        };
        if h != header || chain.data.len().saturating_add(cmd.data.len()) > MAX_CHAIN {
            chain.data.zeroize();
            return SW_CHAIN_LAST_EXPECTED;
        }
        chain.data.extend_from_slice(cmd.data);
        let mut full = core::mem::take(&mut chain.data);
        let sw = self.process(
            &Cmd {
                data: &full,
                ..*cmd
            },
            secure,
            out,
        );
        full.zeroize();
        self.volatile.chain.data = full;
        sw
    }

    /// One complete plain command.
    fn process(&mut self, cmd: &Cmd<'_>, secure: Secure, out: &mut Vec<u8>) -> u16 {
        let authenticated = secure.sm && self.volatile.security.authenticated();
        match cmd.ins {
            0xA4 => self.select(cmd, out),
            0xB0 => self.read_binary(cmd, authenticated, out),
            0xB1 => self.read_binary_odd(cmd, authenticated, out),
            0xCB => self.get_data(cmd, authenticated, out),
            0x20 => self.codes.verify(authenticated, cmd.p1, cmd.p2, cmd.data),
            0x24 => self.codes.change(authenticated, cmd.p1, cmd.p2, cmd.data),
            0x2C => self
                .codes
                .reset_retry_counter(authenticated, cmd.p1, cmd.p2, cmd.data),
            0x22 => self.manage_security_environment(cmd, secure),
            0x2A => self.verify_certificate(cmd, secure),
            0x84 => self.get_challenge(cmd, out),
            0x82 => self.external_authenticate(cmd, secure),
            0x88 => self.internal_authenticate(cmd, secure, out),
            0xC0 => SW_CONDITIONS,
            _ => SW_INS_NOT_SUPPORTED,
        }
    }

    fn select(&mut self, cmd: &Cmd<'_>, out: &mut Vec<u8>) -> u16 {
        let wants_fcp = match cmd.p2 {
            0x0C => false,
            0x00 | 0x04 => true,
            _ => return SW_INCORRECT_P1P2,
        };
        match cmd.p1 {
            0x04 => {
                let level = if cmd.data == AID_IAS {
                    // NXP, Actalis and Bit4id chips do not answer the IAS AID (docs/protocol.md
                    // 1.2): the host must fall back to `00 A4 00 00`.
                    if self.perso.family.ias_select() == IasSelect::Implicit {
                        return SW_FILE_NOT_FOUND;
                    }
                    Level::Mf
                } else if cmd.data == AID_CIE {
                    Level::Cie
                } else {
                    return SW_FILE_NOT_FOUND;
                };
                self.volatile.level = level;
                self.volatile.current_ef = None;
                if wants_fcp {
                    out.extend_from_slice(&cons(&[0x6F], &[&tlv(&[0x84], cmd.data)]));
                }
                SW_OK
            }
            0x00 if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] => {
                self.volatile.level = Level::Mf;
                self.volatile.current_ef = None;
                SW_OK
            }
            0x00 | 0x02 => {
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data) else {
                    return SW_WRONG_LENGTH;
                };
                let Some(ef) = Ef::by_fid(self.volatile.level, u16::from_be_bytes(fid)) else {
                    return SW_FILE_NOT_FOUND;
                };
                self.volatile.current_ef = Some(ef);
                if wants_fcp {
                    let size = self.ef_content(ef).map_or(0, <[u8]>::len);
                    fcp(ef.fid(), size, out);
                }
                SW_OK
            }
            _ => SW_INCORRECT_P1P2,
        }
    }

    /// The content of an EF, building the signed ones on first use.
    pub(crate) fn ef_content(&self, ef: Ef) -> Option<&[u8]> {
        let p = &self.perso;
        Some(match ef {
            Ef::Pan => &p.pan,
            Ef::DhParams => &p.dh_file,
            Ef::Nis => &p.nis,
            Ef::Serial => &p.serial,
            Ef::ChipKey => &p.chip_key_file,
            Ef::ServiziKey => &p.servizi_key_file,
            Ef::Certificate => self.certificate()?,
            Ef::Sod => {
                if self.lazy.sod.get().is_none() {
                    let certificate = self.certificate()?;
                    let ds = document_signer()?;
                    let key = ds.private_key().ok()?;
                    let ds_cert =
                        documents::ds_certificate(&key, ds.modulus(), ds.public_exponent()).ok()?;
                    let inputs = documents::SodInputs {
                        nis: &p.nis,
                        serial: &p.serial,
                        certificate,
                        chip_key: &p.chip_key_file,
                        servizi_key: &p.servizi_key_file,
                        dh_params: &p.dh_file,
                    };
                    let sod = documents::sod(&key, &ds_cert, &inputs).ok()?;
                    let _ = self.lazy.sod.set(sod);
                }
                self.lazy.sod.get()?
            }
        })
    }

    fn certificate(&self) -> Option<&[u8]> {
        if self.lazy.certificate.get().is_none() {
            let ds = document_signer()?;
            let key = ds.private_key().ok()?;
            let p = &self.perso;
            let cert = documents::holder_certificate(
                &key,
                &p.holder,
                &p.serial,
                &p.servizi.n,
                &p.servizi.e,
            )
            .ok()?;
            let _ = self.lazy.certificate.set(cert);
        }
        self.lazy.certificate.get().map(Vec::as_slice)
    }

    fn read_ef(&mut self, ef: Ef, authenticated: bool) -> Result<&[u8], u16> {
        if ef.access() == Access::SecureMessaging && !authenticated {
            return Err(SW_SECURITY_NOT_SATISFIED);
        }
        self.volatile.current_ef = Some(ef);
        self.ef_content(ef).ok_or(SW_MEMORY)
    }

    fn read_binary(&mut self, cmd: &Cmd<'_>, authenticated: bool, out: &mut Vec<u8>) -> u16 {
        let (ef, offset) = if cmd.p1 & 0x80 != 0 {
            if cmd.p1 & 0x60 != 0 {
                return SW_INCORRECT_P1P2;
            }
            match Ef::by_sfi(self.volatile.level, cmd.p1 & 0x1F) {
                Some(ef) => (ef, usize::from(cmd.p2)),
                None => return SW_FILE_NOT_FOUND,
            }
        } else {
            match self.volatile.current_ef {
                Some(ef) => (ef, usize::from(u16::from_be_bytes([cmd.p1, cmd.p2]))),
                None => return SW_NO_CURRENT_EF,
            }
        };
        if !cmd.data.is_empty() {
            return SW_WRONG_LENGTH;
        }
        let Some(le) = cmd.le else {
            return SW_WRONG_LENGTH;
        };
        let eof = self.perso.switches.eof;
        let content = match self.read_ef(ef, authenticated) {
            Ok(c) => c,
            Err(sw) => return sw,
        };
        let Some(rest) = content.get(offset..).filter(|r| !r.is_empty()) else {
            return SW_WRONG_P1P2;
        };
        if rest.len() >= le {
            out.extend_from_slice(rest.get(..le).unwrap_or(&[]));
            return SW_OK;
        }
        match eof {
            EofAnswer::EndOfFile6282 => {
                out.extend_from_slice(rest);
                SW_EOF
            }
            EofAnswer::WrongLe6Cxx => 0x6C00 | (rest.len() & 0xFF) as u16,
        }
    }

    /// READ BINARY with the odd INS `B1` (PagoPA's SOD read): P1-P2 = SFI, data = `54`
    /// offset DO, answer wrapped in DO `53`.
    fn read_binary_odd(&mut self, cmd: &Cmd<'_>, authenticated: bool, out: &mut Vec<u8>) -> u16 {
        let Some(ef) = (if cmd.p1 == 0 {
            Ef::by_sfi(self.volatile.level, cmd.p2)
        } else {
            None
        }) else {
            return SW_FILE_NOT_FOUND;
        };
        let offset = match cmd.data {
            [0x54, len, value @ ..]
                if usize::from(*len) == value.len() && (1..=2).contains(&value.len()) =>
            {
                value
                    .iter()
                    .fold(0usize, |acc, b| acc.wrapping_shl(8) | usize::from(*b))
            }
            _ => return SW_WRONG_DATA,
        };
        let Some(le) = cmd.le else {
            return SW_WRONG_LENGTH;
        };
        let room = match le {
            0..=2 => return SW_WRONG_LENGTH,
            l if l <= 0x81 => l.saturating_sub(2),
            l => l.saturating_sub(3),
        };
        let content = match self.read_ef(ef, authenticated) {
            Ok(c) => c,
            Err(sw) => return sw,
        };
        let Some(rest) = content.get(offset..).filter(|r| !r.is_empty()) else {
            return SW_WRONG_P1P2;
        };
        let n = room.min(rest.len());
        out.extend_from_slice(&tlv(&[0x53], rest.get(..n).unwrap_or(&[])));
        if n < room { SW_EOF } else { SW_OK }
    }
}

/// Whether a protected command carries DO `87`/`85` or `97` before its MAC (the middleware
/// case-1 form has `97 01 00`; the ISO form has only `8E`).
fn has_sm_payload(command: &[u8]) -> bool {
    match command.get(4..) {
        Some([_, first, ..]) => matches!(*first, 0x87 | 0x85 | 0x97),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_apdu_cases() {
        let c = Cmd::parse(&[0, 0xA4, 0, 0]).unwrap();
        assert!(c.data.is_empty() && c.le.is_none());
        let c = Cmd::parse(&[0, 0xB0, 0, 0, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = Cmd::parse(&[0, 0xA4, 2, 4, 2, 0x10, 0x01]).unwrap();
        assert_eq!((c.data, c.le), (&[0x10, 0x01][..], None));
        let c = Cmd::parse(&[0, 0x88, 0, 0, 1, 0xAA, 0x00]).unwrap();
        assert_eq!((c.data, c.le), (&[0xAA][..], Some(256)));
        assert!(
            Cmd::parse(&[0, 0xB0, 0, 0, 0, 1, 0]).is_none(),
            "extended refused"
        );
        assert!(Cmd::parse(&[0, 0xA4, 2, 4, 2, 0x10]).is_none());
        assert!(Cmd::parse(&[0, 0xA4, 2]).is_none());
        let c = Cmd::parse_any(&[0, 0x88, 0, 0, 0, 0, 1, 0xAA, 0, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[0xAA][..], Some(65536)));
        let c = Cmd::parse_any(&[0, 0xB0, 0, 0, 0, 1, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[][..], Some(256)));
        assert!(Cmd::parse_any(&[0, 0x88, 0, 0, 0, 0, 1, 0xAA, 0]).is_none());
    }
}
