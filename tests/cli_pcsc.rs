//! The `cie-pin` tool through the real PC/SC stack (pcscd + vpcd + the virtual CIE served by
//! an in-process bridge): readers, status, verify, refused input that never reaches the card,
//! a reader without a card, pcscd not running.
//!
//! ```text
//! cargo test --features cli,pcsc --test cli_pcsc --no-run
//! scripts/pcsc-stack run -- cargo test --offline --features cli,pcsc --test cli_pcsc
//! ```
//! Without the stack the stack tests print "skipped" and pass.
#![cfg(all(feature = "pcsc", feature = "cli"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pcsc_support;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::VirtualCard;
use pcsc_support::stack;

const PIN: &str = "12345678";

/// The virtual CIE with a log of the APDUs that reached it.
struct Logged {
    card: VirtualCie,
    apdus: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl CardTransport for Logged {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.apdus.lock().unwrap().push(command.to_vec());
        self.card.transmit(command, response)
    }
}

impl VirtualCard for Logged {
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

fn cli(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cie-pin"))
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn cli_pcsc1_readers_status_and_verify_through_pcscd() {
    let Some(stack) = stack("cli_pcsc1") else {
        return;
    };
    let card = VirtualCie::builder().tries_left(2, 9).build().unwrap();
    let _in = stack.insert(card);
    let o = cli(&["--lang", "it", "readers"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(&format!("{}: carta inserita", stack.reader)),
        "{}",
        text(&o.stdout)
    );
    let o = cli(&["--lang", "en", "--reader", &stack.reader, "status"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "Serial number: CA00000AA\nPIN: 2 tries left.\nPUK: 9 tries left.\n"
    );
    // Without --reader: the first reader holding a card.
    let o = cli(&["--lang", "it", "verify"], "00000000\n");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("PIN errato: resta 1 tentativo."));
    // One try left: refused without --confirm-last-try, spent with it.
    let o = cli(
        &["--lang", "de", "--reader", "Virtual", "verify"],
        &format!("{PIN}\n"),
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let o = cli(
        &[
            "--lang",
            "de",
            "--reader",
            "Virtual",
            "--confirm-last-try",
            "verify",
        ],
        &format!("{PIN}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "PIN richtig.\n");
}

#[test]
fn cli_pcsc2_refused_input_never_reaches_the_card() {
    let Some(stack) = stack("cli_pcsc2") else {
        return;
    };
    let apdus = Arc::new(Mutex::new(Vec::new()));
    let card = Logged {
        card: VirtualCie::builder().build().unwrap(),
        apdus: Arc::clone(&apdus),
    };
    let _in = stack.insert(card);
    let before = apdus.lock().unwrap().len();
    for input in [
        format!("{PIN}\n11111111\n11111111\n"),
        format!("{PIN}\n40271953\n40271954\n"),
        "1234\n".to_string(),
    ] {
        let o = cli(
            &["--lang", "it", "--reader", &stack.reader, "change"],
            &input,
        );
        assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    }
    assert_eq!(
        apdus.lock().unwrap().len(),
        before,
        "an APDU reached the card"
    );
}

#[test]
fn cli_pcsc3_an_empty_reader_or_an_unknown_one_is_exit_5() {
    let Some(stack) = stack("cli_pcsc3") else {
        return;
    };
    let o = cli(&["--lang", "it", "--reader", &stack.reader, "status"], "");
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    // The virtual CIE's ATR is the one a CIE shows through a contactless reader: NFC wording.
    let e = text(&o.stderr);
    assert!(e.contains("allontanata") || e.contains("rimossa"), "{e}");
    let o = cli(
        &["--lang", "en", "--reader", "No Such Reader", "status"],
        "",
    );
    assert_eq!(o.status.code(), Some(5));
    assert!(
        text(&o.stderr).contains("No reader matches"),
        "{}",
        text(&o.stderr)
    );
}

/// Outside the stack (no pcscd reachable through this socket), `readers` says that the
/// smart card service is not running: its own variant and text, exit 5.
#[test]
fn cli_pcsc4_pcscd_not_running_has_its_own_text() {
    if std::env::var("CIE_PCSC_STACK").as_deref() == Ok("1") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("cie-pin-nopcscd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_cie-pin"))
        .args(["--lang", "it", "readers"])
        .env("PCSCLITE_CSOCK_NAME", dir.join("no-pcscd.comm"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("Il servizio di sistema per le smart card non è attivo"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
