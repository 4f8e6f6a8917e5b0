//! The card's side of the key agreement (docs/protocol.md §2), device authentication (DAPP, 3.1-3.3),
//! the servizi internal authentication (3.5) and the secure-messaging session they open.
//!
//! The cryptography is [`crate::auth`]'s (DH, certificate and signature checks, signing) and
//! [`crate::sm`]'s (the card role of the channel); this module keeps the state between the
//! commands and checks their order.

use alloc::vec::Vec;

use crate::auth::{
    self, DhTranscript, SessionKeys, TerminalPublicKey, ssc_after_dapp, verify_external_auth,
    verify_terminal_certificate,
};
use crate::sm::CardSecureChannel;
use crate::tlv::TlvIter;

use super::VirtualCie;
use super::codes::{SW_INCORRECT_P1P2, SW_OK, SW_REF_NOT_FOUND, SW_WRONG_DATA, SW_WRONG_LENGTH};
use super::dispatch::{Cmd, SW_CONDITIONS, Secure};

const SW_VERIFICATION_FAILED: u16 = 0x6300;

/// The DH agreement of the current session.
#[derive(Clone)]
struct Agreement {
    y_ifd: Vec<u8>,
    y_icc: Vec<u8>,
    keys: SessionKeys,
}

/// Progress of device authentication in the current session.
#[derive(Debug, Default, Clone)]
struct Dapp {
    ca_selected: bool,
    terminal: Option<TerminalPublicKey>,
    terminal_selected: bool,
    rnd_icc: Option<[u8; 8]>,
    external_ok: bool,
    internal_selected: bool,
    authenticated: bool,
}

/// Security state of a card session; wiped by a reset and on any SM error.
#[derive(Default, Clone)]
pub(crate) struct Security {
    agreement: Option<Agreement>,
    channel: Option<CardSecureChannel>,
    sm_active: bool,
    dapp: Dapp,
    servizi_selected: bool,
    next_ssc: Option<[u8; 8]>,
}

impl core::fmt::Debug for Security {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Security")
            .field("channel", &self.channel.is_some())
            .field("sm_active", &self.sm_active)
            .field("authenticated", &self.dapp.authenticated)
            .finish_non_exhaustive()
    }
}

impl Security {
    pub(crate) fn has_channel(&self) -> bool {
        self.channel
            .as_ref()
            .is_some_and(CardSecureChannel::is_open)
    }

    pub(crate) fn channel_mut(&mut self) -> Option<&mut CardSecureChannel> {
        self.channel.as_mut()
    }

    /// Whether an SM command has been received in this session.
    pub(crate) fn sm_active(&self) -> bool {
        self.sm_active && self.channel.is_some()
    }

    pub(crate) fn mark_active(&mut self) {
        self.sm_active = true;
    }

    pub(crate) fn authenticated(&self) -> bool {
        self.dapp.authenticated && self.has_channel()
    }

    pub(crate) fn card_public_value(&self) -> Option<&[u8]> {
        self.agreement.as_ref().map(|a| a.y_icc.as_slice())
    }

    /// Closes the channel (its keys are wiped) and forgets the session.
    pub(crate) fn drop_session(&mut self) {
        if let Some(channel) = self.channel.as_mut() {
            channel.close();
        }
        *self = Security::default();
    }

    /// After a protected response went out: re-key the SSC once DAPP has completed
    /// (docs/protocol.md §3.3).
    pub(crate) fn after_response(&mut self) {
        if let (Some(ssc), Some(agreement)) = (self.next_ssc.take(), self.agreement.as_ref()) {
            self.channel = Some(CardSecureChannel::tdes(
                *agreement.keys.ks_enc(),
                *agreement.keys.ks_mac(),
                ssc,
            ));
        }
    }
}

/// The values of the first-level DOs `80`, `83`, `84`, `91` of an MSE data field.
#[derive(Default)]
struct MseData<'a> {
    algorithm: Option<&'a [u8]>,
    key_ref_83: Option<&'a [u8]>,
    key_ref_84: Option<&'a [u8]>,
    public_91: Option<&'a [u8]>,
}

fn parse_mse(data: &[u8]) -> Option<MseData<'_>> {
    let mut out = MseData::default();
    for item in TlvIter::new(data) {
        let tlv = item.ok()?;
        let slot = match tlv.tag().to_u32() {
            0x80 => &mut out.algorithm,
            0x83 => &mut out.key_ref_83,
            0x84 => &mut out.key_ref_84,
            0x91 => &mut out.public_91,
            _ => return None,
        };
        if slot.replace(tlv.value()).is_some() {
            return None;
        }
    }
    Some(out)
}

impl VirtualCie {
    /// Ends the SM session: keys, device authentication and the verified PIN/PUK are gone.
    pub(crate) fn drop_session(&mut self) {
        self.volatile.security.drop_session();
        self.volatile.chain.header = None;
        zeroize::Zeroize::zeroize(&mut self.volatile.chain.data);
        self.codes.reset_security();
    }

    /// MSE SET: KAT (DH), DST (CA key), AT (terminal key, chip key, servizi key).
    pub(crate) fn manage_security_environment(&mut self, cmd: &Cmd<'_>, secure: Secure) -> u16 {
        let Some(mse) = parse_mse(cmd.data) else {
            return SW_WRONG_DATA;
        };
        match (cmd.p1, cmd.p2) {
            (0x41, 0xA6) => self.key_agreement(&mse, secure),
            (0x81, 0xB6) => {
                if mse.key_ref_83 != Some(&[0x84]) || mse.algorithm.is_some_and(|a| a != [0x41]) {
                    return SW_REF_NOT_FOUND;
                }
                self.volatile.security.dapp.ca_selected = true;
                SW_OK
            }
            (0x81, 0xA4) => {
                let dapp = &mut self.volatile.security.dapp;
                match (&dapp.terminal, mse.key_ref_83) {
                    (Some(t), Some(chr)) if t.chr() == chr => {
                        dapp.terminal_selected = true;
                        SW_OK
                    }
                    _ => SW_REF_NOT_FOUND,
                }
            }
            (0x41, 0xA4) => {
                let security = &mut self.volatile.security;
                match (mse.key_ref_84, mse.algorithm) {
                    (Some([0x82]), None | Some([0x9B])) => {
                        security.dapp.internal_selected = true;
                        security.servizi_selected = false;
                        SW_OK
                    }
                    (Some([0x83]), None | Some([0x02])) => {
                        security.servizi_selected = true;
                        security.dapp.internal_selected = false;
                        SW_OK
                    }
                    _ => SW_REF_NOT_FOUND,
                }
            }
            _ => SW_INCORRECT_P1P2,
        }
    }

    /// MSE SET KAT in clear: the card draws its ephemeral key, agrees on the session keys and
    /// arms the SM channel (SSC 1). GET DATA `4D 04 A6 02 91 00` then returns its value.
    fn key_agreement(&mut self, mse: &MseData<'_>, secure: Secure) -> u16 {
        if secure.sm {
            return SW_CONDITIONS;
        }
        let (Some(y_ifd), Some([0x81]), None | Some([0x9B])) =
            (mse.public_91, mse.key_ref_83, mse.algorithm)
        else {
            return SW_WRONG_DATA;
        };
        self.drop_session();
        let params = &self.perso.dh_params;
        let card_key = params.generate_card_key(&mut self.rng);
        let Ok(keys) = card_key.agree(params, y_ifd) else {
            return SW_WRONG_DATA;
        };
        let channel = CardSecureChannel::tdes(*keys.ks_enc(), *keys.ks_mac(), auth::INITIAL_SSC);
        let security = &mut self.volatile.security;
        security.agreement = Some(Agreement {
            y_ifd: y_ifd.to_vec(),
            y_icc: card_key.public_value().to_vec(),
            keys,
        });
        security.channel = Some(channel);
        SW_OK
    }

    /// PSO VERIFY CERTIFICATE `00 2A 00 AE` (chained, under SM): the terminal certificate
    /// checked with the CA public key.
    pub(crate) fn verify_certificate(&mut self, cmd: &Cmd<'_>, secure: Secure) -> u16 {
        if (cmd.p1, cmd.p2) != (0x00, 0xAE) {
            return SW_INCORRECT_P1P2;
        }
        let dapp = &mut self.volatile.security.dapp;
        if !secure.sm || !dapp.ca_selected {
            return SW_CONDITIONS;
        }
        // The check is a pure function of the card's CA key and the certificate bytes, and the
        // CA public exponent is 2048 bits wide (it pairs with the well-known private
        // exponent), so the last verified certificate is remembered byte for byte.
        let memo = &mut self.verified_certificate;
        let verified = match memo {
            Some((bytes, key)) if bytes.as_slice() == cmd.data => Ok(key.clone()),
            _ => verify_terminal_certificate(&self.perso.ca_public, cmd.data).inspect(|key| {
                *memo = Some((cmd.data.to_vec(), key.clone()));
            }),
        };
        match verified {
            Ok(terminal) => {
                dapp.terminal = Some(terminal);
                dapp.terminal_selected = false;
                SW_OK
            }
            Err(_) => SW_WRONG_DATA,
        }
    }

    /// GET CHALLENGE `00 84 00 00 08`.
    pub(crate) fn get_challenge(&mut self, cmd: &Cmd<'_>, out: &mut Vec<u8>) -> u16 {
        if (cmd.p1, cmd.p2) != (0, 0) {
            return SW_INCORRECT_P1P2;
        }
        if cmd.le != Some(8) || !cmd.data.is_empty() {
            return SW_WRONG_LENGTH;
        }
        let rnd = auth::random_challenge(&mut self.rng);
        out.extend_from_slice(&rnd);
        let dapp = &mut self.volatile.security.dapp;
        dapp.rnd_icc = Some(rnd);
        dapp.external_ok = false;
        SW_OK
    }

    /// EXTERNAL AUTHENTICATE `00 82 00 00` SN.IFD ‖ SIG (chained, under SM).
    pub(crate) fn external_authenticate(&mut self, cmd: &Cmd<'_>, secure: Secure) -> u16 {
        if (cmd.p1, cmd.p2) != (0, 0) {
            return SW_INCORRECT_P1P2;
        }
        let security = &mut self.volatile.security;
        let (Some(agreement), Some(terminal), Some(rnd_icc)) = (
            security.agreement.as_ref(),
            security.dapp.terminal.as_ref(),
            security.dapp.rnd_icc.as_ref(),
        ) else {
            return SW_CONDITIONS;
        };
        if !secure.sm || !security.dapp.terminal_selected {
            return SW_CONDITIONS;
        }
        let transcript =
            DhTranscript::new(&self.perso.dh_params, &agreement.y_ifd, &agreement.y_icc);
        match verify_external_auth(terminal, cmd.data, rnd_icc, &transcript) {
            Ok(()) => {
                security.dapp.external_ok = true;
                SW_OK
            }
            Err(_) => {
                security.dapp.external_ok = false;
                security.dapp.rnd_icc = None;
                SW_VERIFICATION_FAILED
            }
        }
    }

    /// INTERNAL AUTHENTICATE `00 88 00 00`: the DAPP answer SN.ICC ‖ SIG under SM after
    /// EXTERNAL AUTHENTICATE, or the servizi signature (in clear or under SM) after
    /// `MSE SET AT` with key 83.
    pub(crate) fn internal_authenticate(
        &mut self,
        cmd: &Cmd<'_>,
        secure: Secure,
        out: &mut Vec<u8>,
    ) -> u16 {
        if (cmd.p1, cmd.p2) != (0, 0) {
            return SW_INCORRECT_P1P2;
        }
        if cmd.data.is_empty() {
            return SW_WRONG_LENGTH;
        }
        if self.volatile.security.servizi_selected {
            return match auth::sign_servizi(&self.perso.servizi_private, cmd.data, &mut self.rng) {
                Ok(sig) => {
                    out.extend_from_slice(&sig);
                    SW_OK
                }
                Err(_) => SW_WRONG_LENGTH,
            };
        }
        let Ok(rnd_ifd) = <[u8; 8]>::try_from(cmd.data) else {
            return SW_WRONG_LENGTH;
        };
        let security = &mut self.volatile.security;
        let (Some(agreement), Some(rnd_icc)) = (security.agreement.as_ref(), security.dapp.rnd_icc)
        else {
            return SW_CONDITIONS;
        };
        if !secure.sm || !security.dapp.external_ok || !security.dapp.internal_selected {
            return SW_CONDITIONS;
        }
        let transcript =
            DhTranscript::new(&self.perso.dh_params, &agreement.y_ifd, &agreement.y_icc);
        let sn_icc = self.perso.sn_icc();
        match auth::sign_internal_auth(
            &self.perso.chip_private,
            &sn_icc,
            &rnd_ifd,
            &transcript,
            &mut self.rng,
        ) {
            Ok(answer) => {
                out.extend_from_slice(&answer);
                security.dapp.authenticated = true;
                security.dapp.rnd_icc = None;
                security.next_ssc = Some(ssc_after_dapp(&rnd_icc, &rnd_ifd));
                SW_OK
            }
            Err(_) => SW_CONDITIONS,
        }
    }
}
