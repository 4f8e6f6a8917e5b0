//! `virtual_card`: the virtual CIE in pcscd's vpcd reader, so that every PC/SC application
//! (the `cie` CLI with `--reader`, `opensc-tool`, `pcsc_scan`) sees it as a card.
//!
//! ```text
//! cargo run --features emulator --example virtual_card -- [--state FILE] [--addr HOST:PORT] [--new]
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
//! With the project's private stack (vpcd only listens inside its network namespace):
//! `scripts/pcsc-stack up --card 'target/debug/examples/virtual_card --state /tmp/cie.state'`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::{DEFAULT_PORT, VirtualCard, VpcdBridge};
use zeroize::Zeroizing;

const USAGE: &str = "\
usage: virtual_card [--state FILE] [--addr HOST:PORT] [--new]
  --state FILE      the card state (default virtual-card.state; created when missing)
  --addr HOST:PORT  vpcd's address (default $CIE_VPCD_ADDR, else 127.0.0.1:35963)
  --new             start from a fresh card (PIN 12345678, PUK 87654321)";

struct Args {
    state: PathBuf,
    addr: SocketAddr,
    new: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut state = PathBuf::from("virtual-card.state");
    let mut addr = std::env::var("CIE_VPCD_ADDR").ok();
    let mut new = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--state" => state = args.next().ok_or("--state takes a file")?.into(),
            "--addr" => addr = Some(args.next().ok_or("--addr takes HOST:PORT")?),
            "--new" => new = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let addr = match addr {
        Some(a) => a.parse().map_err(|_| format!("bad address {a:?}"))?,
        None => SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
    };
    Ok(Args { state, addr, new })
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
    let card = if args.new || !args.state.exists() {
        VirtualCie::builder().build().map_err(|e| e.to_string())?
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
