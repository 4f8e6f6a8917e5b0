//! Fuzz body `dh_and_devauth` (docs/testing.md §6, target 8): the card's DH value, the CA
//! key object values and the INTERNAL AUTHENTICATE answer (plus EF 1004 content and a
//! terminal certificate for the card-side check) go into the host-side checks of
//! `cie_pinpuk::auth`. Nothing may panic; every success must be consistent.
//!
//! Input: a sequence of fields, each `u16` big-endian length + bytes (missing fields are
//! empty): `Y_ICC`, CA `n`, CA `e`, CA CHR, CA CHA, INTERNAL AUTHENTICATE answer, EF 1004
//! content, terminal certificate.
//!
//! Speed: the DH group and the keys are set up once per process, and each check's result is
//! kept per value of the fields it reads (the checks are pure functions of them, and their
//! assertions ran when the result was first computed), so a mutation of one field re-runs
//! only the checks of that field.

use std::cell::RefCell;
use std::collections::HashMap;

use cie_pinpuk::auth::rand_core::{TryCryptoRng, TryRng};
use cie_pinpuk::auth::{
    AuthError, CaPrivateKey, CaPublicKey, CardPublicKey, DhParams, DhTranscript, KeyKind,
    TerminalCertificate, TerminalKeys, test_keys, verify_internal_auth,
    verify_terminal_certificate,
};

/// Deterministic generator for the harness (splitmix64); not a CSPRNG, but the harness
/// must be reproducible and the host value it draws is public anyway.
pub struct HarnessRng(pub u64);

impl TryRng for HarnessRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_be_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl TryCryptoRng for HarnessRng {}

/// Seed of the host's ephemeral key in the harness.
pub const HOST_SEED: u64 = 0x00C1_E3DA_7A00_0001;
/// The host's `RND.IFD` in the harness.
pub const RND_IFD: [u8; 8] = [0x1F, 0x2E, 0x3D, 0x4C, 0x5B, 0x6A, 0x79, 0x88];

/// What the checks accepted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// `Y_ICC` passed validation and gave session keys.
    pub agreed: bool,
    /// The CA key object values were accepted.
    pub ca_key: bool,
    /// A terminal certificate could be built for that CA key.
    pub certificate_built: bool,
    /// The EF 1004 content parsed.
    pub ef1004: bool,
    /// The internal-authentication answer verified.
    pub internal_auth: bool,
    /// The terminal certificate verified with the emulator CA key.
    pub certificate_verified: bool,
}

/// Splits the input into length-prefixed fields.
pub fn fields(mut data: &[u8]) -> [&[u8]; 8] {
    let mut out: [&[u8]; 8] = [&[]; 8];
    for slot in out.iter_mut() {
        if data.len() < 2 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        *slot = &rest[..take];
        data = &rest[take..];
    }
    out
}

/// Encodes fields in the harness format (for building corpus files).
pub fn encode(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u16).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// The most results kept per check; a map starts over when full.
const KEPT: usize = 1 << 14;

struct Prepared {
    /// The group and the harness host's DH value in it.
    params: Option<(DhParams, Vec<u8>)>,
    /// `Y_ICC` → agreed.
    agreement: HashMap<Vec<u8>, bool>,
    /// CA `n ‖ e ‖ CHR ‖ CHA` (length-prefixed) → (key accepted, certificate built).
    ca: HashMap<Vec<u8>, (bool, bool)>,
    /// EF 1004 ‖ answer ‖ `Y_ICC` → (EF 1004 parsed, answer verified).
    internal: HashMap<Vec<u8>, (bool, bool)>,
    /// certificate → verified.
    certificate: HashMap<Vec<u8>, bool>,
}

thread_local! {
    static PREPARED: RefCell<Option<Prepared>> = const { RefCell::new(None) };
}

fn kept<V: Copy>(map: &mut HashMap<Vec<u8>, V>, key: Vec<u8>, compute: impl FnOnce() -> V) -> V {
    if let Some(v) = map.get(&key) {
        return *v;
    }
    let v = compute();
    if map.len() >= KEPT {
        map.clear();
    }
    map.insert(key, v);
    v
}

/// Runs every check and reports what passed.
pub fn run_checked(data: &[u8]) -> Outcome {
    PREPARED.with(|cell| {
        let mut slot = cell.borrow_mut();
        let prepared = slot.get_or_insert_with(|| Prepared {
            params: test_keys::dh_params().ok().map(|p| {
                let y_ifd = host_value(&p);
                (p, y_ifd)
            }),
            agreement: HashMap::new(),
            ca: HashMap::new(),
            internal: HashMap::new(),
            certificate: HashMap::new(),
        });
        run_prepared(prepared, data)
    })
}

fn run_prepared(prepared: &mut Prepared, data: &[u8]) -> Outcome {
    let [y_icc, ca_n, ca_e, chr, cha, internal, ef1004, certificate] = fields(data);
    let mut outcome = Outcome::default();
    let Some((params, y_ifd)) = prepared.params.clone() else {
        return outcome;
    };
    outcome.agreed = kept(&mut prepared.agreement, y_icc.to_vec(), || {
        check_agreement(&params, y_icc)
    });
    let ca_key = encode(&[ca_n, ca_e, chr, cha]);
    (outcome.ca_key, outcome.certificate_built) =
        kept(&mut prepared.ca, ca_key, || check_ca(ca_n, ca_e, chr, cha));
    let internal_key = encode(&[ef1004, internal, y_icc]);
    (outcome.ef1004, outcome.internal_auth) = kept(&mut prepared.internal, internal_key, || {
        check_internal(&params, &y_ifd, y_icc, internal, ef1004)
    });
    outcome.certificate_verified = kept(&mut prepared.certificate, certificate.to_vec(), || {
        check_certificate(certificate)
    });
    outcome
}

/// The host's DH value of the harness.
fn host_value(params: &DhParams) -> Vec<u8> {
    params
        .generate_host_key(&mut HarnessRng(HOST_SEED))
        .public_value()
        .to_vec()
}

fn check_agreement(params: &DhParams, y_icc: &[u8]) -> bool {
    let host = params.generate_host_key(&mut HarnessRng(HOST_SEED));
    let valid = params.validate_public(y_icc).is_ok();
    match host.agree(params, y_icc) {
        Ok(keys) => {
            assert!(valid, "agreement with an invalid public value");
            assert_ne!(keys.ks_enc(), keys.ks_mac());
            true
        }
        Err(e) => {
            assert!(
                !valid || e == AuthError::Reflection,
                "{e:?} for a valid value"
            );
            false
        }
    }
}

fn check_ca(ca_n: &[u8], ca_e: &[u8], chr: &[u8], cha: &[u8]) -> (bool, bool) {
    let Ok(ca) = CaPublicKey::new(ca_n, ca_e, chr, cha) else {
        return (false, false);
    };
    assert_eq!(ca.car(), &chr[4..]);
    assert_eq!(ca.aid(), &cha[..6]);
    match TerminalCertificate::build(
        &ca,
        &CaPrivateKey::well_known(),
        &TerminalKeys::well_known(),
    ) {
        Ok(cert) => {
            // What the host built, the card with that CA key accepts.
            assert!(verify_terminal_certificate(&ca, cert.as_bytes()).is_ok());
            (true, true)
        }
        Err(_) => (true, false),
    }
}

fn check_internal(
    params: &DhParams,
    y_ifd: &[u8],
    y_icc: &[u8],
    internal: &[u8],
    ef1004: &[u8],
) -> (bool, bool) {
    let mut parsed = false;
    let chip = match CardPublicKey::from_der(ef1004, KeyKind::ChipDapp) {
        Ok(key) => {
            parsed = true;
            let again = CardPublicKey::from_der(&key.to_der(), KeyKind::ChipDapp);
            assert_eq!(
                again.map(|k| k.modulus().to_vec()).ok(),
                Some(key.modulus().to_vec())
            );
            Some(key)
        }
        Err(_) => test_keys::chip_dapp_key().ok().map(|k| k.public_key()),
    };
    let mut verified = false;
    if let Some(chip) = chip {
        let transcript = DhTranscript::new(params, y_ifd, y_icc);
        if let Ok(sn) = verify_internal_auth(&chip, internal, &RND_IFD, &transcript) {
            assert_eq!(&sn[..], &internal[..8]);
            verified = true;
        }
    }
    (parsed, verified)
}

fn check_certificate(certificate: &[u8]) -> bool {
    let ca = test_keys::ca_public_key();
    if let Ok(terminal) = ca.and_then(|ca| verify_terminal_certificate(&ca, certificate)) {
        assert_eq!(terminal.chr().len(), 12);
        true
    } else {
        false
    }
}

/// The fuzz entry point.
pub fn run(data: &[u8]) {
    let _ = run_checked(data);
}
