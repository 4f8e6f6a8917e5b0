//! `virtual_card`: the virtual CIE in pcscd's vpcd reader, so that every PC/SC application
//! (the `cie` CLI with `--reader`, `opensc-tool`, `pcsc_scan`) sees it as a card.
//!
//! ```text
//! cargo run --features emulator --example virtual_card -- [--state FILE] [--addr HOST:PORT] [--new]
//!     [card options]
//! ```
//!
//! - `--state FILE` (default `virtual-card.state`): the card. Loaded when the file exists,
//!   else a fresh card (PIN `12345678`, PUK `87654321`) is created and saved there; `--new`
//!   replaces it with a fresh one. The file holds the PIN and the PUK of this **test** card:
//!   it is written with mode 0600.
//! - `--addr` (default `$CIE_VPCD_ADDR`, else `127.0.0.1:35963`): where vpcd listens. The
//!   process connects to it (retrying for 10 s) and serves the card until vpcd closes the
//!   connection or the process is stopped (SIGTERM, Ctrl-C): the card leaves the reader.
//! - The state is saved after every command that changed it (a PIN counter, the PIN, the
//!   card's random generator), by writing a new file and renaming it over the old one, so a
//!   stop at any moment leaves the last complete state and the counters survive a restart.
//!
//! - Card options (they make a new card, so they need `--new` when the state file exists):
//!   `--family NAME` (a chip family of the registry: `Gemalto`, `NXP`, `Actalis_B946`, ...;
//!   its pseudo-ATR, IAS select and DH GET DATA form follow), `--atr contactless|contact|HEX`
//!   (the family's contactless or contact form, or any ATR), `--pin`, `--puk` (8 digits),
//!   `--tries PIN,PUK`, `--ca-key FILE` (another CA key pair: lines `n = HEX`, `e`, `d`, `p`,
//!   `q`, `chr`, `cha`), `--small-keys` (the crate's small test keys: a host needs them too),
//!   and every behaviour switch: `--empty-verify counter|6a86|6d00|counted`,
//!   `--docp present|absent`, `--case1 both|iso|middleware`, `--eof 6282|6cxx`,
//!   `--long-answers direct|get-response|one-piece`.
//!
//! With the project's private stack (vpcd only listens inside its network namespace):
//! `scripts/pcsc-stack up --card 'target/debug/examples/virtual_card --state /tmp/cie.state'`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cie_pinpuk::card::chip::ChipFamily;
use cie_pinpuk::emulator::{
    CaKeyComponents, Case1Acceptance, DhGroup, Docp, EmptyVerify, EofAnswer, LongAnswers,
    RsaKeyComponents, VirtualCie, VirtualCieBuilder,
};
use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::{DEFAULT_PORT, VirtualCard, VpcdBridge};
use zeroize::Zeroizing;

const USAGE: &str = "\
usage: virtual_card [--state FILE] [--addr HOST:PORT] [--new]
  --state FILE      the card state (default virtual-card.state; created when missing)
  --addr HOST:PORT  vpcd's address (default $CIE_VPCD_ADDR, else 127.0.0.1:35963)
  --new             start from a fresh card (PIN 12345678, PUK 87654321)
card options (a new card; with an existing state file they need --new):
  --family NAME     chip family (Gemalto, Gemalto2, NXP, STM, STM2, STM3, Actalis,
                    Actalis_2023, Actalis_B946, Bit4id, Bit4id_2023, Bit4id_B9547)
  --atr FORM        contactless (default), contact, or the ATR in hex
  --pin CODE --puk CODE --tries PIN,PUK --nis DIGITS --seed HEX
  --ca-key FILE     another CA key pair (n, e, d, p, q, chr, cha = HEX lines)
  --small-keys      the crate's small test keys (512-bit DH, 1024-bit RSA)
  --empty-verify counter|6a86|6d00|counted    --docp present|absent
  --case1 both|iso|middleware   --eof 6282|6cxx   --long-answers direct|get-response|one-piece";

struct Args {
    state: PathBuf,
    addr: SocketAddr,
    new: bool,
    /// The card options given, in order (applied to a fresh builder).
    card: Vec<(String, String)>,
    small_keys: bool,
}

const CARD_OPTIONS: [&str; 13] = [
    "--family",
    "--atr",
    "--pin",
    "--puk",
    "--tries",
    "--ca-key",
    "--empty-verify",
    "--docp",
    "--case1",
    "--eof",
    "--long-answers",
    "--seed",
    "--nis",
];

fn choice<T: Copy>(option: &str, value: &str, table: &[(&str, T)]) -> Result<T, String> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            format!("{option}: {value:?} is not one of {}", names.join(", "))
        })
}

fn unhex(option: &str, value: &str) -> Result<Vec<u8>, String> {
    let clean: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if !clean.len().is_multiple_of(2) {
        return Err(format!("{option}: odd number of hex digits"));
    }
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{option}: not hex"))
}

/// A CA key pair from `n = HEX` lines.
fn ca_key(path: &str) -> Result<CaKeyComponents, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("--ca-key {path}: {e}"))?;
    let field = |name: &str| -> Result<Vec<u8>, String> {
        let line = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .ok_or_else(|| format!("--ca-key {path}: no {name}"))?;
        unhex("--ca-key", line.1.trim())
    };
    let key = RsaKeyComponents::new(
        &field("n")?,
        &field("e")?,
        &field("d")?,
        &field("p")?,
        &field("q")?,
    )
    .map_err(|e| format!("--ca-key {path}: {e}"))?;
    Ok(CaKeyComponents {
        key,
        chr: field("chr")?,
        cha: field("cha")?,
    })
}

/// The crate's small test keys (tests/data/card/small-keys.txt).
fn small_keys(builder: VirtualCieBuilder) -> Result<VirtualCieBuilder, String> {
    const KEYS: &str = include_str!("../tests/data/card/small-keys.txt");
    let field = |name: &str| -> Result<Vec<u8>, String> {
        let value = KEYS
            .lines()
            .find_map(|l| {
                let mut parts = l.split_whitespace();
                (parts.next() == Some(name)).then(|| parts.next().unwrap_or(""))
            })
            .ok_or_else(|| format!("small keys: no {name}"))?;
        unhex("small keys", value)
    };
    let rsa = |name: &str| -> Result<RsaKeyComponents, String> {
        let f = |what: &str| field(&format!("{name}_{what}"));
        RsaKeyComponents::new(
            &f("modulus_n")?,
            &f("public_exponent_e")?,
            &f("private_exponent_d")?,
            &f("prime_p")?,
            &f("prime_q")?,
        )
        .map_err(|e| format!("small keys: {e}"))
    };
    Ok(builder
        .dh_group(DhGroup {
            g: field("dh_generator_g")?,
            p: field("dh_prime_p")?,
            q: field("dh_order_q")?,
        })
        .chip_key(rsa("chip")?)
        .ca_key(CaKeyComponents {
            key: rsa("ca")?,
            chr: cie_pinpuk::auth::test_keys::CA_CHR.to_vec(),
            cha: cie_pinpuk::auth::test_keys::CA_CHA.to_vec(),
        }))
}

/// A fresh card with the card options applied in order.
fn build_card(args: &Args) -> Result<VirtualCie, String> {
    let mut b = VirtualCie::builder();
    if args.small_keys {
        b = small_keys(b)?;
    }
    let mut family = ChipFamily::Gemalto;
    let mut atr_form = String::from("contactless");
    let mut switches = cie_pinpuk::emulator::Switches::default();
    for (option, value) in &args.card {
        let value = value.as_str();
        match option.as_str() {
            "--family" => {
                family = ChipFamily::ALL
                    .into_iter()
                    .find(|f| f.name().eq_ignore_ascii_case(value))
                    .ok_or_else(|| format!("--family: unknown family {value:?}"))?;
                b = b.chip_family(family);
            }
            "--atr" => atr_form = value.to_string(),
            "--pin" => b = b.pin(value),
            "--puk" => b = b.puk(value),
            "--nis" => b = b.nis(value),
            "--tries" => {
                let (pin, puk) = value
                    .split_once(',')
                    .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                    .ok_or("--tries takes PIN,PUK (e.g. 3,10)")?;
                b = b.tries_left(pin, puk);
            }
            "--seed" => {
                let seed: [u8; 32] = unhex(option, value)?
                    .try_into()
                    .map_err(|_| "--seed takes 32 bytes in hex")?;
                b = b.seed(seed);
            }
            "--ca-key" => b = b.ca_key(ca_key(value)?),
            "--empty-verify" => {
                switches.empty_verify = choice(
                    option,
                    value,
                    &[
                        ("counter", EmptyVerify::Counter),
                        ("6a86", EmptyVerify::WrongP1P2),
                        ("6d00", EmptyVerify::InsNotSupported),
                        ("counted", EmptyVerify::CountedAsWrong),
                    ],
                )?;
            }
            "--docp" => {
                switches.docp = choice(
                    option,
                    value,
                    &[("present", Docp::Present), ("absent", Docp::Absent)],
                )?;
            }
            "--case1" => {
                switches.case1 = choice(
                    option,
                    value,
                    &[
                        ("both", Case1Acceptance::Both),
                        ("iso", Case1Acceptance::IsoOnly),
                        ("middleware", Case1Acceptance::MiddlewareOnly),
                    ],
                )?;
            }
            "--eof" => {
                switches.eof = choice(
                    option,
                    value,
                    &[
                        ("6282", EofAnswer::EndOfFile6282),
                        ("6cxx", EofAnswer::WrongLe6Cxx),
                    ],
                )?;
            }
            "--long-answers" => {
                switches.long_answers = choice(
                    option,
                    value,
                    &[
                        ("direct", LongAnswers::Direct),
                        ("get-response", LongAnswers::GetResponse),
                        ("one-piece", LongAnswers::OnePiece),
                    ],
                )?;
            }
            _ => return Err(format!("unknown card option {option}")),
        }
    }
    let atr = match atr_form.as_str() {
        "contactless" => family.contactless_atr().as_bytes().to_vec(),
        "contact" => family.contact_atr().as_bytes().to_vec(),
        hex => unhex("--atr", hex)?,
    };
    b.atr(&atr)
        .switches(switches)
        .build()
        .map_err(|e| e.to_string())
}

fn parse_args() -> Result<Args, String> {
    let mut state = PathBuf::from("virtual-card.state");
    let mut addr = std::env::var("CIE_VPCD_ADDR").ok();
    let mut new = false;
    let mut card = Vec::new();
    let mut small_keys = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--state" => state = args.next().ok_or("--state takes a file")?.into(),
            "--addr" => addr = Some(args.next().ok_or("--addr takes HOST:PORT")?),
            "--new" => new = true,
            "--small-keys" => small_keys = true,
            option if CARD_OPTIONS.contains(&option) => {
                let value = args
                    .next()
                    .ok_or_else(|| format!("{option} takes a value"))?;
                card.push((option.to_string(), value));
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let addr = match addr {
        Some(a) => a.parse().map_err(|_| format!("bad address {a:?}"))?,
        None => SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
    };
    Ok(Args {
        state,
        addr,
        new,
        card,
        small_keys,
    })
}

/// Writes `text` to `path` atomically (a temporary file renamed over it), readable by the
/// owner only.
fn write_state(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    // A fresh file, so that the mode below applies (a leftover would keep its own).
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// The virtual CIE, saved to its file whenever its persistent state changes.
struct SavedCard {
    card: VirtualCie,
    path: PathBuf,
    saved: Zeroizing<String>,
    failed: bool,
}

impl SavedCard {
    fn new(card: VirtualCie, path: PathBuf) -> std::io::Result<Self> {
        let saved = card.save_state();
        write_state(&path, &saved)?;
        Ok(Self {
            card,
            path,
            saved,
            failed: false,
        })
    }

    /// Saves the state if it differs from the last one written.
    fn save(&mut self) {
        let now = self.card.save_state();
        if *now == *self.saved {
            return;
        }
        match write_state(&self.path, &now) {
            Ok(()) => self.saved = now,
            Err(e) => {
                // The command has taken effect on the card; say loudly that the file lags.
                eprintln!("virtual_card: cannot save {}: {e}", self.path.display());
                self.failed = true;
            }
        }
    }
}

impl CardTransport for SavedCard {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let result = self.card.transmit(command, response);
        self.save();
        result
    }
}

impl VirtualCard for SavedCard {
    fn atr(&self) -> &[u8] {
        VirtualCard::atr(&self.card)
    }
    fn reset(&mut self) {
        VirtualCard::reset(&mut self.card);
    }
    fn power_on(&mut self) {
        VirtualCard::power_on(&mut self.card);
    }
    fn power_off(&mut self) {
        VirtualCard::power_off(&mut self.card);
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let card_options = !args.card.is_empty() || args.small_keys;
    let card = if args.new || !args.state.exists() {
        build_card(args)?
    } else if card_options {
        return Err(format!(
            "{} exists: card options make a new card, add --new to replace it",
            args.state.display()
        ));
    } else {
        VirtualCie::load_from_file(&args.state)
            .map_err(|e| format!("{}: {e}", args.state.display()))?
    };
    let nis = String::from_utf8_lossy(card.nis()).into_owned();
    let (pin, puk) = (card.pin_tries_left(), card.puk_tries_left());
    let mut card = SavedCard::new(card, args.state.clone())
        .map_err(|e| format!("{}: {e}", args.state.display()))?;
    eprintln!(
        "virtual_card: CIE NIS {nis} (PIN {pin}/3, PUK {puk}/10) from {}, serving vpcd at {}",
        args.state.display(),
        args.addr
    );
    let bridge = VpcdBridge::new(args.addr).connect_attempts(100, Duration::from_millis(100));
    let end = bridge.serve(&mut card).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        text
    });
    card.save();
    let end = end?;
    eprintln!(
        "virtual_card: connection ended ({end:?}); PIN {}/3, PUK {}/10 saved in {}",
        card.card.pin_tries_left(),
        card.card.puk_tries_left(),
        args.state.display()
    );
    Ok(!card.failed)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("virtual_card: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("virtual_card: {e}");
            ExitCode::FAILURE
        }
    }
}
