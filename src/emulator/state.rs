//! Saving and loading a virtual card, so that a card can live across runs of a program.
//!
//! The format is versioned, self-describing text, one `name = value` per line:
//!
//! ```text
//! cie-pinpuk virtual card state
//! version = 1
//! # A TEST CARD. This file holds the PIN and the PUK in clear, because the card must know
//! # them. Never put a real person's codes in it.
//! family = Gemalto
//! atr = 3B8F8001...
//! nis = 123456789012
//! pin = 12345678
//! pin_tries = 3
//! ...
//! keys = default
//! ```
//!
//! `keys = default` stands for the emulator key material shipped with the crate; otherwise
//! every key component follows (`ca_n`, …, `dh_q`, hex). Nothing is logged. What a reset
//! wipes (SM keys, verified state, current file) is not saved: a loaded card is freshly
//! powered.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use zeroize::Zeroizing;

use super::builder::{
    CaKeyComponents, Case1Acceptance, DhGroup, Docp, EofAnswer, LongAnswers, Switches,
};
use super::codes::EmptyVerify;
use super::keys::{RsaKeyComponents, decode_hex, encode_hex};
use super::rng::SeededRng;
use super::{EmulatorError, VirtualCie};
use crate::card::chip::ChipFamily;

const MAGIC: &str = "cie-pinpuk virtual card state";
const VERSION: u32 = 1;

/// Why a saved card state could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The text does not start with the state header.
    #[error("not a virtual card state")]
    NotAState,
    /// A version this crate does not read.
    #[error("unsupported state version {0}")]
    UnsupportedVersion(u32),
    /// A required field is missing.
    #[error("field `{0}` is missing")]
    Missing(&'static str),
    /// A field has a value that cannot be read (the value itself is not repeated).
    #[error("field `{0}` is invalid")]
    Invalid(&'static str),
    /// The fields do not make a valid card.
    #[error(transparent)]
    Card(#[from] EmulatorError),
}

fn family_by_name(name: &str) -> Option<ChipFamily> {
    ChipFamily::ALL.into_iter().find(|f| f.name() == name)
}

struct Fields<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &'static str) -> Result<&'a str, StateError> {
        self.pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .ok_or(StateError::Missing(name))
    }

    fn hex(&self, name: &'static str) -> Result<Vec<u8>, StateError> {
        decode_hex(self.get(name)?).ok_or(StateError::Invalid(name))
    }

    fn text(&self, name: &'static str) -> Result<String, StateError> {
        String::from_utf8(self.hex(name)?).map_err(|_| StateError::Invalid(name))
    }

    fn number<T: core::str::FromStr>(&self, name: &'static str) -> Result<T, StateError> {
        self.get(name)?
            .parse()
            .map_err(|_| StateError::Invalid(name))
    }

    fn rsa(&self, names: [&'static str; 5]) -> Result<RsaKeyComponents, StateError> {
        let [n, e, d, p, q] = names;
        Ok(RsaKeyComponents::new(
            &self.hex(n)?,
            &self.hex(e)?,
            &self.hex(d)?,
            &self.hex(p)?,
            &self.hex(q)?,
        )?)
    }
}

impl VirtualCie {
    /// The card's persistent state as text (see the module docs). It contains the PIN and
    /// the PUK: it is a **test card state**, returned in a zeroizing string.
    pub fn save_state(&self) -> Zeroizing<String> {
        let p = &self.perso;
        let mut s = Zeroizing::new(String::with_capacity(4096));
        let sw = p.switches;
        let empty_verify = match sw.empty_verify {
            EmptyVerify::Counter => "counter",
            EmptyVerify::WrongP1P2 => "6a86",
            EmptyVerify::InsNotSupported => "6d00",
            EmptyVerify::CountedAsWrong => "counted",
        };
        let case1 = match sw.case1 {
            Case1Acceptance::Both => "both",
            Case1Acceptance::IsoOnly => "iso",
            Case1Acceptance::MiddlewareOnly => "middleware",
        };
        let eof = match sw.eof {
            EofAnswer::EndOfFile6282 => "6282",
            EofAnswer::WrongLe6Cxx => "6cxx",
        };
        let docp = match sw.docp {
            Docp::Present => "present",
            Docp::Absent => "absent",
        };
        let long = match sw.long_answers {
            LongAnswers::Direct => "direct",
            LongAnswers::GetResponse => "get-response",
            LongAnswers::OnePiece => "one-piece",
        };
        // Writing into a String cannot fail.
        let _ = write!(
            s,
            "{MAGIC}\nversion = {VERSION}\n\
             # A TEST CARD. This file holds the PIN and the PUK in clear, because the card must\n\
             # know them. Never put a real person's codes in it.\n\
             family = {}\natr = {}\nnis = {}\nserial = {}\ngiven_name = {}\nsurname = {}\n",
            p.family.name(),
            encode_hex(p.atr.as_bytes()),
            core::str::from_utf8(&p.nis).unwrap_or(""),
            encode_hex(&p.serial),
            encode_hex(p.holder.given_name.as_bytes()),
            encode_hex(p.holder.surname.as_bytes()),
        );
        let _ = write!(
            s,
            "pin = {}\npuk = {}\npin_tries = {}\npuk_tries = {}\nseed = {}\nrng_counter = {}\n\
             empty_verify = {empty_verify}\ncase1 = {case1}\neof = {eof}\nlong_answers = {long}\n\
             docp = {docp}\n",
            core::str::from_utf8(self.codes.pin.code.as_bytes()).unwrap_or(""),
            core::str::from_utf8(self.codes.puk.code.as_bytes()).unwrap_or(""),
            self.codes.pin.left,
            self.codes.puk.left,
            encode_hex(&p.seed),
            self.rng.counter(),
        );
        if p.default_keys {
            s.push_str("keys = default\n");
        } else {
            s.push_str("keys = custom\n");
            let mut put = |name: &str, value: &[u8]| {
                let _ = writeln!(s, "{name} = {}", encode_hex(value));
            };
            put("ca_chr", &p.ca.chr);
            put("ca_cha", &p.ca.cha);
            for (prefix, k) in [
                ("ca", &p.ca.key),
                ("chip", &p.chip),
                ("servizi", &p.servizi),
            ] {
                for (suffix, v) in [
                    ("n", &k.n),
                    ("e", &k.e),
                    ("d", &k.d),
                    ("p", &k.p),
                    ("q", &k.q),
                ] {
                    let mut name = String::from(prefix);
                    name.push('_');
                    name.push_str(suffix);
                    put(&name, v);
                }
            }
            put("dh_g", &p.dh.g);
            put("dh_p", &p.dh.p);
            put("dh_q", &p.dh.q);
        }
        s
    }

    /// Rebuilds a card from [`save_state`](Self::save_state) text; the card is powered on.
    pub fn load_state(text: &str) -> Result<VirtualCie, StateError> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(MAGIC) {
            return Err(StateError::NotAState);
        }
        let pairs = lines
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_once(" = ").ok_or(StateError::Invalid("line")))
            .collect::<Result<Vec<_>, _>>()?;
        let f = Fields { pairs };
        let version: u32 = f.number("version")?;
        if version != VERSION {
            return Err(StateError::UnsupportedVersion(version));
        }
        let family = family_by_name(f.get("family")?).ok_or(StateError::Invalid("family"))?;
        let serial =
            String::from_utf8(f.hex("serial")?).map_err(|_| StateError::Invalid("serial"))?;
        let seed: [u8; 32] = f
            .hex("seed")?
            .try_into()
            .map_err(|_| StateError::Invalid("seed"))?;
        let switches = Switches {
            empty_verify: match f.get("empty_verify")? {
                "counter" => EmptyVerify::Counter,
                "6a86" => EmptyVerify::WrongP1P2,
                "6d00" => EmptyVerify::InsNotSupported,
                "counted" => EmptyVerify::CountedAsWrong,
                _ => return Err(StateError::Invalid("empty_verify")),
            },
            case1: match f.get("case1")? {
                "both" => Case1Acceptance::Both,
                "iso" => Case1Acceptance::IsoOnly,
                "middleware" => Case1Acceptance::MiddlewareOnly,
                _ => return Err(StateError::Invalid("case1")),
            },
            eof: match f.get("eof")? {
                "6282" => EofAnswer::EndOfFile6282,
                "6cxx" => EofAnswer::WrongLe6Cxx,
                _ => return Err(StateError::Invalid("eof")),
            },
            long_answers: match f.get("long_answers")? {
                "direct" => LongAnswers::Direct,
                "get-response" => LongAnswers::GetResponse,
                "one-piece" => LongAnswers::OnePiece,
                _ => return Err(StateError::Invalid("long_answers")),
            },
            // Absent from files written before the switch existed: the reference card.
            docp: match f.get("docp").unwrap_or("present") {
                "present" => Docp::Present,
                "absent" => Docp::Absent,
                _ => return Err(StateError::Invalid("docp")),
            },
        };
        let mut builder = VirtualCie::builder()
            .pin(f.get("pin")?)
            .puk(f.get("puk")?)
            .nis(f.get("nis")?)
            .serial(&serial)
            .holder(&f.text("given_name")?, &f.text("surname")?)
            .chip_family(family)
            .atr(&f.hex("atr")?)
            .seed(seed)
            .switches(switches)
            .tries_left(f.number("pin_tries")?, f.number("puk_tries")?);
        match f.get("keys")? {
            "default" => {}
            "custom" => {
                let ca = CaKeyComponents {
                    key: f.rsa(["ca_n", "ca_e", "ca_d", "ca_p", "ca_q"])?,
                    chr: f.hex("ca_chr")?,
                    cha: f.hex("ca_cha")?,
                };
                builder = builder
                    .ca_key(ca)
                    .chip_key(f.rsa(["chip_n", "chip_e", "chip_d", "chip_p", "chip_q"])?)
                    .servizi_key(f.rsa([
                        "servizi_n",
                        "servizi_e",
                        "servizi_d",
                        "servizi_p",
                        "servizi_q",
                    ])?)
                    .dh_group(DhGroup {
                        g: f.hex("dh_g")?,
                        p: f.hex("dh_p")?,
                        q: f.hex("dh_q")?,
                    });
            }
            _ => return Err(StateError::Invalid("keys")),
        }
        let mut card = builder.build()?;
        card.rng = SeededRng::resume(seed, f.number("rng_counter")?);
        Ok(card)
    }

    /// Saves the state to a file (see [`save_state`](Self::save_state)).
    pub fn save_to_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, self.save_state().as_bytes())
    }

    /// Loads a card from a file written by [`save_to_file`](Self::save_to_file).
    pub fn load_from_file(path: &std::path::Path) -> Result<VirtualCie, LoadError> {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        Ok(VirtualCie::load_state(&text)?)
    }
}

/// Why a card file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read the card state file")]
    Io(#[from] std::io::Error),
    /// The file is not a valid state.
    #[error(transparent)]
    State(#[from] StateError),
}
