//! Personalisation of a virtual card: codes, identity, chip family, keys, switches.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::codes::{Code, Codes, EmptyVerify};
use super::documents::{self, Holder};
use super::keys::{RsaKeyComponents, hex_field};
use super::rng::SeededRng;
use super::{EmulatorError, VirtualCie};
use crate::auth::{CaPublicKey, CardPrivateKey, DhParams};
use crate::card::chip::{Atr, ChipFamily};

/// Which case-1 SM form the card accepts (docs/protocol.md §4.3): a command with neither data nor
/// Le is protected either as ISO does (`8E` only) or as the official middleware does
/// (`97 01 00` before `8E`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Case1Acceptance {
    /// Both forms (the reference profile).
    #[default]
    Both,
    /// Only the ISO form: a `97 01 00` on a command that takes no Le answers `6700`.
    IsoOnly,
    /// Only the middleware form: a protected command with neither `87`/`85` nor `97`
    /// is an SM error (`6987`, session dropped).
    MiddlewareOnly,
}

/// How READ BINARY answers when fewer bytes than Le remain (docs/protocol.md §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EofAnswer {
    /// The remaining bytes with `6282` (the reference profile).
    #[default]
    EndOfFile6282,
    /// `6Cxx` with xx the bytes left, no data: the host repeats with Le = xx.
    WrongLe6Cxx,
}

/// How answers to commands without Le are delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum LongAnswers {
    /// Up to 256 bytes in the response itself; longer ones through `61xx` (the reference).
    #[default]
    Direct,
    /// Every answer with data to a command without Le comes through `61xx` + GET RESPONSE
    /// (the T=0 way; also for FCPs and GET DATA).
    GetResponse,
    /// Every answer to a command without Le or with Le `00` comes in one piece, however
    /// long: under secure messaging a 2048-bit INTERNAL AUTHENTICATE answer is 291 bytes
    /// to the outer Le `00` (a card seen by the official middleware, whose buffer is 3000
    /// bytes, may do this).
    OnePiece,
}

/// Whether GET DATA of the PIN and PUK DOCP (`BF 81 01`, `BF 81 02`: tags 9A maximum and
/// 9B remaining tries) is answered, under secure messaging after device authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Docp {
    /// Answered (the reference card).
    #[default]
    Present,
    /// Refused with `6A88` (referenced data not found), as a card without it would.
    Absent,
}

/// The behaviours real cards may differ in, so that both branches of a host get tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Switches {
    /// VERIFY without data.
    pub empty_verify: EmptyVerify,
    /// Case-1 form under SM.
    pub case1: Case1Acceptance,
    /// READ BINARY at the end of a file.
    pub eof: EofAnswer,
    /// Delivery of answers to commands without Le.
    pub long_answers: LongAnswers,
    /// GET DATA of the DOCP (the second way to read the counters).
    pub docp: Docp,
}

/// The CA key pair for terminal-certificate verification (SDO 84): the RSA key and the
/// certificate holder reference (5F20) and authorization (5F4C) the card returns with it.
#[derive(Clone, Debug)]
pub struct CaKeyComponents {
    /// The RSA key pair (its private exponent is what a host signs terminal certificates with).
    pub key: RsaKeyComponents,
    /// CHR (`CAR = CHR[4..]`), normally 12 bytes.
    pub chr: Vec<u8>,
    /// CHA (`AID = CHA[0..6]`), normally 7 bytes.
    pub cha: Vec<u8>,
}

/// A DH group as big-endian bytes, exactly as the card returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhGroup {
    /// Generator.
    pub g: Vec<u8>,
    /// Prime modulus (2048 bits in the reference profile).
    pub p: Vec<u8>,
    /// Subgroup order (256 bits in the reference profile).
    pub q: Vec<u8>,
}

const EMULATOR_KEYS: &str = include_str!("../../data/keys/emulator-keys.txt");

/// The emulator key material shipped by [`crate::auth`] (`data/keys/emulator-keys.txt`).
pub(crate) fn default_keys()
-> Option<(CaKeyComponents, RsaKeyComponents, RsaKeyComponents, DhGroup)> {
    let ca = CaKeyComponents {
        key: RsaKeyComponents::new(
            &hex_field(EMULATOR_KEYS, "ca_modulus_n")?,
            &hex_field(EMULATOR_KEYS, "ca_public_exponent_e")?,
            &hex_field(EMULATOR_KEYS, "ca_private_exponent_d")?,
            &hex_field(EMULATOR_KEYS, "ca_prime_p")?,
            &hex_field(EMULATOR_KEYS, "ca_prime_q")?,
        )
        .ok()?,
        chr: crate::auth::test_keys::CA_CHR.to_vec(),
        cha: crate::auth::test_keys::CA_CHA.to_vec(),
    };
    let rsa = |prefix: &str| -> Option<RsaKeyComponents> {
        let f = |what: &str| {
            let mut name = String::from(prefix);
            name.push_str(what);
            hex_field(EMULATOR_KEYS, &name)
        };
        RsaKeyComponents::new(
            &f("_modulus_n")?,
            &f("_public_exponent_e")?,
            &f("_private_exponent_d")?,
            &f("_prime_p")?,
            &f("_prime_q")?,
        )
        .ok()
    };
    let dh = DhGroup {
        g: hex_field(EMULATOR_KEYS, "dh_generator_g")?,
        p: hex_field(EMULATOR_KEYS, "dh_prime_p")?,
        q: hex_field(EMULATOR_KEYS, "dh_order_q")?,
    };
    Some((ca, rsa("chip")?, rsa("servizi")?, dh))
}

/// Builder of a [`VirtualCie`]. Every setter has a default; [`build`](Self::build) checks.
#[derive(Default)]
pub struct VirtualCieBuilder {
    pin: Option<Zeroizing<String>>,
    puk: Option<Zeroizing<String>>,
    nis: Option<String>,
    serial: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    family: Option<ChipFamily>,
    atr: Option<Vec<u8>>,
    ca: Option<CaKeyComponents>,
    chip: Option<RsaKeyComponents>,
    servizi: Option<RsaKeyComponents>,
    dh: Option<DhGroup>,
    seed: Option<[u8; 32]>,
    switches: Switches,
    tries: Option<(u8, u8)>,
}

impl fmt::Debug for VirtualCieBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtualCieBuilder")
            .field("family", &self.family)
            .field("switches", &self.switches)
            .finish_non_exhaustive()
    }
}

impl VirtualCieBuilder {
    /// The PIN (8 ASCII digits; default `12345678`).
    pub fn pin(mut self, pin: &str) -> Self {
        self.pin = Some(Zeroizing::new(String::from(pin)));
        self
    }

    /// The PUK (8 ASCII digits; default `87654321`).
    pub fn puk(mut self, puk: &str) -> Self {
        self.puk = Some(Zeroizing::new(String::from(puk)));
        self
    }

    /// The NIS (12 ASCII digits; default `123456789012`).
    pub fn nis(mut self, nis: &str) -> Self {
        self.nis = Some(String::from(nis));
        self
    }

    /// The card serial (9 printable ASCII characters; default `CA00000AA`).
    pub fn serial(mut self, serial: &str) -> Self {
        self.serial = Some(String::from(serial));
        self
    }

    /// The holder's names in the certificate (default `MARIO` `ROSSI`).
    pub fn holder(mut self, given_name: &str, surname: &str) -> Self {
        self.given_name = Some(String::from(given_name));
        self.surname = Some(String::from(surname));
        self
    }

    /// The chip family (default Gemalto); sets the ATR to the family's default unless
    /// [`atr`](Self::atr) is given too.
    pub fn chip_family(mut self, family: ChipFamily) -> Self {
        self.family = Some(family);
        self
    }

    /// An explicit ATR (1 to 33 bytes), e.g. a family's contact form.
    pub fn atr(mut self, atr: &[u8]) -> Self {
        self.atr = Some(atr.to_vec());
        self
    }

    /// The CA key pair of SDO 84 (default: the emulator pair whose private exponent is the
    /// well-known one, so any real CIE client authenticates).
    pub fn ca_key(mut self, ca: CaKeyComponents) -> Self {
        self.ca = Some(ca);
        self
    }

    /// The chip DAPP key pair (EF 1004, INTERNAL AUTHENTICATE).
    pub fn chip_key(mut self, key: RsaKeyComponents) -> Self {
        self.chip = Some(key);
        self
    }

    /// The servizi key pair (EF 1005, PIN-less internal authentication).
    pub fn servizi_key(mut self, key: RsaKeyComponents) -> Self {
        self.servizi = Some(key);
        self
    }

    /// The DH group (default: the emulator's 2048/256 group).
    pub fn dh_group(mut self, group: DhGroup) -> Self {
        self.dh = Some(group);
        self
    }

    /// The seed of the card's deterministic RNG (default all zero).
    pub fn seed(mut self, seed: [u8; 32]) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The behaviour switches.
    pub fn switches(mut self, switches: Switches) -> Self {
        self.switches = switches;
        self
    }

    /// Whether the card answers GET DATA of the DOCP.
    pub fn docp(mut self, docp: Docp) -> Self {
        self.switches.docp = docp;
        self
    }

    /// How the card answers a VERIFY without data.
    pub fn empty_verify(mut self, mode: EmptyVerify) -> Self {
        self.switches.empty_verify = mode;
        self
    }

    /// Which case-1 SM form the card accepts.
    pub fn case1(mut self, mode: Case1Acceptance) -> Self {
        self.switches.case1 = mode;
        self
    }

    /// Tries left at start (PIN at most 3, PUK at most 10), e.g. to start from a blocked PIN.
    pub fn tries_left(mut self, pin: u8, puk: u8) -> Self {
        self.tries = Some((pin, puk));
        self
    }

    /// Builds the card, powered on.
    pub fn build(self) -> Result<VirtualCie, EmulatorError> {
        let pin = Code::new(
            self.pin
                .as_deref()
                .map_or(b"12345678".as_slice(), |s| s.as_bytes()),
        )
        .ok_or(EmulatorError::InvalidPin)?;
        let puk = Code::new(
            self.puk
                .as_deref()
                .map_or(b"87654321".as_slice(), |s| s.as_bytes()),
        )
        .ok_or(EmulatorError::InvalidPuk)?;
        let nis: [u8; 12] = self
            .nis
            .as_deref()
            .unwrap_or("123456789012")
            .as_bytes()
            .try_into()
            .ok()
            .filter(|n: &[u8; 12]| n.iter().all(u8::is_ascii_digit))
            .ok_or(EmulatorError::InvalidNis)?;
        let serial: [u8; 9] = self
            .serial
            .as_deref()
            .unwrap_or("CA00000AA")
            .as_bytes()
            .try_into()
            .ok()
            .filter(|s: &[u8; 9]| s.iter().all(|c| c.is_ascii_graphic()))
            .ok_or(EmulatorError::InvalidSerial)?;
        let family = self.family.unwrap_or(ChipFamily::Gemalto);
        let atr = match &self.atr {
            Some(bytes) => Atr::from_bytes(bytes).ok_or(EmulatorError::InvalidAtr)?,
            None => family.default_atr(),
        };
        let (keys, defaults_used) = match (self.ca, self.chip, self.servizi, self.dh) {
            (Some(ca), Some(chip), Some(servizi), Some(dh)) => ((ca, chip, servizi, dh), false),
            (ca, chip, servizi, dh) => {
                let (dca, dchip, dservizi, ddh) =
                    default_keys().ok_or(EmulatorError::InvalidKey)?;
                let all_default =
                    ca.is_none() && chip.is_none() && servizi.is_none() && dh.is_none();
                (
                    (
                        ca.unwrap_or(dca),
                        chip.unwrap_or(dchip),
                        servizi.unwrap_or(dservizi),
                        dh.unwrap_or(ddh),
                    ),
                    all_default,
                )
            }
        };
        let holder = Holder {
            given_name: self.given_name.unwrap_or_else(|| String::from("MARIO")),
            surname: self.surname.unwrap_or_else(|| String::from("ROSSI")),
        };
        let perso = Personalisation::new(
            family,
            atr,
            nis,
            serial,
            holder,
            keys,
            defaults_used,
            self.seed.unwrap_or([0; 32]),
            self.switches,
        )?;
        let mut codes = Codes::new(pin, puk);
        codes.empty_verify = self.switches.empty_verify;
        if let Some((pin_left, puk_left)) = self.tries {
            if pin_left > codes.pin.max || puk_left > codes.puk.max {
                return Err(EmulatorError::InvalidCounter);
            }
            codes.pin.left = pin_left;
            codes.puk.left = puk_left;
        }
        let rng = SeededRng::new(perso.seed);
        Ok(VirtualCie::from_parts(perso, codes, rng))
    }
}

/// The card's fixed data, derived once at personalisation.
pub(crate) struct Personalisation {
    pub(crate) family: ChipFamily,
    pub(crate) atr: Atr,
    pub(crate) nis: [u8; 12],
    pub(crate) serial: [u8; 9],
    pub(crate) holder: Holder,
    pub(crate) seed: [u8; 32],
    pub(crate) switches: Switches,
    /// Whether every key is the shipped default (the state file then names no key).
    pub(crate) default_keys: bool,
    pub(crate) ca: CaKeyComponents,
    pub(crate) chip: RsaKeyComponents,
    pub(crate) servizi: RsaKeyComponents,
    pub(crate) dh: DhGroup,
    // Ready-to-use forms.
    pub(crate) ca_public: CaPublicKey,
    pub(crate) chip_private: CardPrivateKey,
    pub(crate) servizi_private: CardPrivateKey,
    pub(crate) dh_params: DhParams,
    // Files that need no signature.
    pub(crate) pan: Vec<u8>,
    pub(crate) dh_file: Vec<u8>,
    pub(crate) chip_key_file: Vec<u8>,
    pub(crate) servizi_key_file: Vec<u8>,
}

impl fmt::Debug for Personalisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Personalisation")
            .field("family", &self.family)
            .field("atr", &self.atr)
            .field("switches", &self.switches)
            .finish_non_exhaustive()
    }
}

impl Drop for Personalisation {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

impl Personalisation {
    /// SN.ICC of the INTERNAL AUTHENTICATE answer: the last 8 ASCII digits of the NIS (the
    /// host checks nothing about it, docs/protocol.md §8.4).
    pub(crate) fn sn_icc(&self) -> [u8; 8] {
        let mut sn = [0u8; 8];
        if let Some(tail) = self.nis.get(4..) {
            sn.copy_from_slice(tail);
        }
        sn
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        family: ChipFamily,
        atr: Atr,
        nis: [u8; 12],
        serial: [u8; 9],
        holder: Holder,
        keys: (CaKeyComponents, RsaKeyComponents, RsaKeyComponents, DhGroup),
        default_keys: bool,
        seed: [u8; 32],
        switches: Switches,
    ) -> Result<Personalisation, EmulatorError> {
        let (ca, chip, servizi, dh) = keys;
        let bad = |_| EmulatorError::InvalidKey;
        // The card owns its CA key pair: certificate checks run by CRT with its primes.
        let ca_public = CaPublicKey::new(&ca.key.n, &ca.key.e, &ca.chr, &ca.cha)
            .and_then(|key| key.with_factors(&ca.key.p, &ca.key.q))
            .map_err(bad)?;
        let private = |k: &RsaKeyComponents| {
            CardPrivateKey::from_components(&k.n, &k.e, &k.d, &k.p, &k.q).map_err(bad)
        };
        let chip_private = private(&chip)?;
        let servizi_private = private(&servizi)?;
        let mut dh_params = DhParams::new(&dh.g, &dh.p, &dh.q).map_err(bad)?;
        // The card draws a key of this group in every session: precompute the powers of g.
        dh_params.precompute_generator();
        Ok(Personalisation {
            pan: documents::pan(&nis),
            dh_file: documents::dh_params_file(&dh.p, &dh.g, &dh.q),
            chip_key_file: documents::rsa_public_key_file(&chip.n, &chip.e, 300),
            servizi_key_file: documents::rsa_public_key_file(&servizi.n, &servizi.e, 0),
            family,
            atr,
            nis,
            serial,
            holder,
            seed,
            switches,
            default_keys,
            ca,
            chip,
            servizi,
            dh,
            ca_public,
            chip_private,
            servizi_private,
            dh_params,
        })
    }
}

// `Zeroize`/`ZeroizeOnDrop` are implemented by the key types themselves.
const _: fn() = || {
    fn assert_zod<T: ZeroizeOnDrop>() {}
    assert_zod::<RsaKeyComponents>();
};
