//! The terminal's card-verifiable certificate (docs/protocol.md §3.1): built and signed by the host
//! with the CA private exponent, verified by the card with its CA public key.

use alloc::vec::Vec;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{AuthError, KeyKind};
use super::keys::{CaPrivateKey, CaPublicKey, CardPublicKey, TerminalKeys};
use super::num;
use super::rsa_ops::{NoBlinding, RsaPath, RsaPrivate, RsaPublic};

/// `SN.IFD`, the terminal serial number every CIE client uses.
pub const SN_IFD: [u8; 8] = [0x20, 0, 0, 0, 0, 0, 0, 0x01];
/// The terminal CHR: `00 00 00 00 ‖ SN.IFD`.
pub const TERMINAL_CHR: [u8; 12] = [0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0x01];
/// Certificate profile identifier (IAS-ECC: device authentication with privacy protection).
pub const CPI: u8 = 0x8A;
/// The role byte appended to the CA AID to form the terminal CHA (device authentication).
pub const TERMINAL_ROLE: u8 = 0x01;
/// The key-usage OID of the terminal key (SHA-256 variant).
pub const TERMINAL_OID: [u8; 9] = [0x2A, 0x81, 0x22, 0xF4, 0x2A, 0x02, 0x04, 0x01, 0x04];

/// ISO/IEC 9796-2 scheme 1 header and trailer bytes.
pub(crate) const HEADER: u8 = 0x6A;
pub(crate) const TRAILER: u8 = 0xBC;
/// Header + hash + trailer.
pub(crate) const OVERHEAD: usize = 34;

/// Builds `6A ‖ body ‖ hash ‖ BC`.
pub(crate) fn iso9796_message(body: &[u8], hash: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len().saturating_add(OVERHEAD));
    m.push(HEADER);
    m.extend_from_slice(body);
    m.extend_from_slice(hash);
    m.push(TRAILER);
    m
}

/// Splits a recovered `6A ‖ body ‖ hash ‖ BC` into `(body, hash)`; `None` on bad framing.
pub(crate) fn iso9796_open(m: &[u8]) -> Option<(&[u8], &[u8])> {
    let inner = m.strip_prefix(&[HEADER])?.strip_suffix(&[TRAILER])?;
    let split = inner.len().checked_sub(32)?;
    Some(inner.split_at(split))
}

/// The certificate body `C = CPI ‖ CAR ‖ CHR ‖ CHA ‖ OID ‖ n_IFD ‖ e (4 bytes)`.
fn certificate_body(ca: &CaPublicKey, terminal_n: &[u8], terminal_e: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(320);
    body.push(CPI);
    body.extend_from_slice(ca.car());
    body.extend_from_slice(&TERMINAL_CHR);
    body.extend_from_slice(ca.aid());
    body.push(TERMINAL_ROLE);
    body.extend_from_slice(&TERMINAL_OID);
    body.extend_from_slice(terminal_n);
    let pad = 4usize.checked_sub(terminal_e.len())?;
    body.extend(core::iter::repeat_n(0u8, pad));
    body.extend_from_slice(terminal_e);
    Some(body)
}

/// A terminal certificate in the card's format
/// `7F21 L { 5F37 L SIG, 5F38 L PK_rem, 42 L CAR }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalCertificate {
    bytes: Vec<u8>,
}

impl TerminalCertificate {
    /// Builds and signs the certificate the straightforward way (full-width `M'^d mod n`,
    /// nothing cached), then re-checks `SIG^e mod n == M'` as the official middleware does.
    ///
    /// # Errors
    /// [`AuthError::UnsuitableCaKey`] if the CA modulus top byte is not above `0x6A` or the
    /// body is shorter than `N - 34`; [`AuthError::MalformedKey`] /
    /// [`AuthError::KeyMismatch`] if `d` is not the CA's private exponent.
    pub fn build(
        ca_public: &CaPublicKey,
        ca_private: &CaPrivateKey,
        terminal: &TerminalKeys,
    ) -> Result<Self, AuthError> {
        let ca = ca_signing_key(ca_public, ca_private)?;
        Self::build_with(ca_public, &ca, terminal, RsaPath::Plain)
    }

    pub(crate) fn build_with(
        ca_public: &CaPublicKey,
        ca_key: &RsaPrivate,
        terminal: &TerminalKeys,
        path: RsaPath,
    ) -> Result<Self, AuthError> {
        let ca = ca_public.rsa();
        let n_len = ca.len();
        if ca.n_bytes().first() <= Some(&HEADER) {
            return Err(AuthError::UnsuitableCaKey);
        }
        let body = certificate_body(ca_public, terminal.modulus(), terminal.public_exponent())
            .ok_or(AuthError::MalformedKey(KeyKind::Terminal))?;
        let split = n_len
            .checked_sub(OVERHEAD)
            .ok_or(AuthError::UnsuitableCaKey)?;
        if body.len() < split {
            return Err(AuthError::UnsuitableCaKey);
        }
        let (recoverable, remainder) = body.split_at(split);
        let hash: [u8; 32] = Sha256::digest(&body).into();
        let m = iso9796_message(recoverable, &hash);
        let sig = ca_key.private_op(&m, path, None::<&mut NoBlinding>, KeyKind::CaPrivate)?;
        let check = ca.public_op(&sig).ok_or(AuthError::KeyMismatch)?;
        if !bool::from(check.ct_eq(&m)) {
            return Err(AuthError::KeyMismatch);
        }
        let mut inner =
            Vec::with_capacity(sig.len().saturating_add(remainder.len()).saturating_add(24));
        num::push_tlv(&mut inner, &[0x5F, 0x37], &sig);
        num::push_tlv(&mut inner, &[0x5F, 0x38], remainder);
        num::push_tlv(&mut inner, &[0x42], ca_public.car());
        let mut bytes = Vec::with_capacity(inner.len().saturating_add(5));
        num::push_tlv(&mut bytes, &[0x7F, 0x21], &inner);
        Ok(Self { bytes })
    }

    /// The encoded certificate (data of PSO VERIFY CERTIFICATE).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded certificate.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// The CA signing key from the card's `(n, e)` and the host's `d`.
pub(crate) fn ca_signing_key(
    ca_public: &CaPublicKey,
    ca_private: &CaPrivateKey,
) -> Result<RsaPrivate, AuthError> {
    RsaPrivate::new(
        ca_public.modulus(),
        ca_public.public_exponent(),
        ca_private.exponent(),
        KeyKind::CaPrivate,
    )
}

/// What the card learns from a verified terminal certificate.
#[derive(Clone, Debug)]
pub struct TerminalPublicKey {
    key: CardPublicKey,
    chr: Vec<u8>,
}

impl TerminalPublicKey {
    /// The terminal's RSA public key.
    pub fn key(&self) -> &CardPublicKey {
        &self.key
    }

    /// The terminal's CHR (selected afterwards by MSE SET AT `83 0C <CHR>`).
    pub fn chr(&self) -> &[u8] {
        &self.chr
    }

    /// The terminal serial `SN.IFD` = `CHR[4..]`.
    pub fn serial(&self) -> &[u8] {
        self.chr.get(4..).unwrap_or(&[])
    }

    pub(crate) fn rsa(&self) -> &RsaPublic {
        self.key.rsa()
    }
}

/// Card side of PSO VERIFY CERTIFICATE: checks the `7F21` certificate with the CA public key
/// (signature recovery, `6A`/`BC` framing, SHA-256 of the body, CPI, CAR, CHA = CA AID ‖ 01,
/// OID) and returns the terminal public key.
///
/// # Errors
/// [`AuthError::CertificateRejected`] for any defect.
pub fn verify_terminal_certificate(
    ca: &CaPublicKey,
    certificate: &[u8],
) -> Result<TerminalPublicKey, AuthError> {
    let reject = AuthError::CertificateRejected;
    let (inner, rest) = num::read_tlv(certificate, &[0x7F, 0x21]).ok_or(reject)?;
    if !rest.is_empty() {
        return Err(reject);
    }
    let (sig, inner) = num::read_tlv(inner, &[0x5F, 0x37]).ok_or(reject)?;
    let (remainder, inner) = num::read_tlv(inner, &[0x5F, 0x38]).ok_or(reject)?;
    let (car, inner) = num::read_tlv(inner, &[0x42]).ok_or(reject)?;
    if !inner.is_empty() || car != ca.car() {
        return Err(reject);
    }
    let m = ca.rsa().public_op(sig).ok_or(reject)?;
    let (recovered, hash) = iso9796_open(&m).ok_or(reject)?;
    let mut body = Vec::with_capacity(recovered.len().saturating_add(remainder.len()));
    body.extend_from_slice(recovered);
    body.extend_from_slice(remainder);
    let expected: [u8; 32] = Sha256::digest(&body).into();
    if !bool::from(expected.as_slice().ct_eq(hash)) {
        return Err(reject);
    }
    // C = CPI ‖ CAR ‖ CHR(12) ‖ CHA(7) ‖ OID(9) ‖ n ‖ e(4)
    let rest = body.strip_prefix(&[CPI]).ok_or(reject)?;
    let rest = rest.strip_prefix(ca.car()).ok_or(reject)?;
    let (chr, rest) = rest.split_at_checked(12).ok_or(reject)?;
    let (cha, rest) = rest.split_at_checked(7).ok_or(reject)?;
    let (aid, role) = cha.split_at_checked(6).ok_or(reject)?;
    if aid != ca.aid() || role != [TERMINAL_ROLE] {
        return Err(reject);
    }
    let rest = rest.strip_prefix(&TERMINAL_OID).ok_or(reject)?;
    let split = rest.len().checked_sub(4).ok_or(reject)?;
    let (n, e) = rest.split_at(split);
    let key = CardPublicKey::from_components(n, e, KeyKind::Terminal).map_err(|_| reject)?;
    Ok(TerminalPublicKey {
        key,
        chr: chr.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn iso9796_frame_round_trip(body in proptest::collection::vec(any::<u8>(), 0..300), hash in any::<[u8; 32]>()) {
            let m = iso9796_message(&body, &hash);
            prop_assert_eq!(m.len(), body.len() + OVERHEAD);
            let (b, h) = iso9796_open(&m).unwrap();
            prop_assert_eq!(b, &body[..]);
            prop_assert_eq!(h, &hash[..]);
        }

        #[test]
        fn iso9796_open_never_panics(m in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = iso9796_open(&m);
        }
    }

    #[test]
    fn iso9796_open_refuses_bad_framing() {
        let m = iso9796_message(&[1, 2, 3], &[9; 32]);
        let mut bad = m.clone();
        bad[0] = 0x6B;
        assert!(iso9796_open(&bad).is_none());
        let mut bad = m.clone();
        *bad.last_mut().unwrap() = 0xCC;
        assert!(iso9796_open(&bad).is_none());
        assert!(iso9796_open(&[HEADER, TRAILER]).is_none());
        assert!(iso9796_open(&[]).is_none());
    }
}
