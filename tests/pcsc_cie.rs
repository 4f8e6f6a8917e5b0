//! The whole PIN story of the virtual CIE through the real stack: pcscd + vpcd + the
//! virtual CIE served by an in-process bridge (or by the `virtual_card` example), driven by
//! `Cie`/`Session` over `PcscTransport`, by `opensc-tool`, and by the `cie` CLI with
//! `--reader`.
//!
//! ```text
//! cargo build --features pcsc,emulator --examples
//! cargo test --features pcsc,emulator --test pcsc_cie --no-run
//! scripts/pcsc-stack run -- cargo test --offline --features pcsc,emulator --test pcsc_cie
//! ```
//! Without the stack every test prints "skipped" and passes.
#![cfg(all(feature = "pcsc", feature = "emulator"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pcsc_support;

use cie_pinpuk::Error;
use cie_pinpuk::card::{CardError, Cie, LastTry, PinError};
use cie_pinpuk::codes::{CodeKind, Pin, Puk, RetryStatus};
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::transport::pcsc::{OnClose, PcscTransport, list_readers};
use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::VirtualCard;
use pcsc_support::{CIE_ATR, stack};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

const PIN: &str = "12345678";
const PUK: &str = "87654321";
const NIS: &str = "123456789012";

fn pin(s: &str) -> Pin {
    Pin::new(s).unwrap()
}

fn puk(s: &str) -> Puk {
    Puk::new(s).unwrap()
}

/// A fresh virtual CIE (PIN 12345678, PUK 87654321, NIS 123456789012).
fn fresh() -> VirtualCie {
    VirtualCie::builder().pin(PIN).puk(PUK).build().unwrap()
}

/// The virtual CIE with a log of the APDUs that reached it (shared with the test).
struct Logged {
    card: VirtualCie,
    apdus: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Logged {
    fn new(card: VirtualCie) -> (Self, Arc<Mutex<Vec<Vec<u8>>>>) {
        let apdus = Arc::new(Mutex::new(Vec::new()));
        (
            Self {
                card,
                apdus: apdus.clone(),
            },
            apdus,
        )
    }
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

fn count(log: &Arc<Mutex<Vec<Vec<u8>>>>) -> usize {
    log.lock().unwrap().len()
}

/// The transport error inside a session error, however the card layer wrapped it.
fn transport_error(e: &Error) -> Option<&TransportError> {
    match e {
        Error::Transport(t) => Some(t),
        _ => None,
    }
}

#[test]
fn pcsc_cie_reader_lists_the_virtual_cie_with_its_atr() {
    let Some(stack) = stack("pcsc_cie_readers") else {
        return;
    };
    let card = fresh();
    let atr = VirtualCard::atr(&card).to_vec();
    assert_eq!(atr, CIE_ATR);
    let _in = stack.insert(card);
    let readers = list_readers().unwrap();
    let r = readers.iter().find(|r| r.name == stack.reader).unwrap();
    assert!(r.card_present);
    assert_eq!(r.atr, atr);
    let t = PcscTransport::connect(&stack.selector()).unwrap();
    assert_eq!(t.atr(), atr.as_slice());
    assert!(t.is_t1());
}

#[test]
fn pcsc_cie_read_nis_in_clear() {
    let Some(stack) = stack("pcsc_cie_nis") else {
        return;
    };
    let _in = stack.insert(fresh());
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let nis = t
        .with_transaction(|tx| Cie::new(tx)?.read_nis())
        .unwrap()
        .unwrap();
    assert_eq!(nis.as_str(), NIS);
}

#[test]
fn pcsc_cie_open_and_status() {
    let Some(stack) = stack("pcsc_cie_status") else {
        return;
    };
    let card = VirtualCie::builder()
        .serial("CA12345ZZ")
        .tries_left(2, 9)
        .build()
        .unwrap();
    let _in = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let (serial, pin_status, puk_status) = t
        .with_transaction(|tx| {
            let mut cie = Cie::new(tx)?;
            let mut s = cie.open()?;
            Ok::<_, Error>((s.serial()?, s.pin_status()?, s.puk_status()?))
        })
        .unwrap()
        .unwrap();
    assert_eq!(serial.as_str(), "CA12345ZZ");
    assert_eq!(pin_status, RetryStatus::Remaining(2));
    assert_eq!(puk_status, RetryStatus::Remaining(9));
}

#[test]
fn pcsc_cie_verify_change_unblock() {
    let Some(stack) = stack("pcsc_cie_verify_change_unblock") else {
        return;
    };
    let inserted = stack.insert(fresh());
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    // One session per transaction, as an application does between two user inputs.
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        assert_eq!(
            s.verify_pin(&pin("00000000")).unwrap_err().to_string(),
            Error::from(PinError::Wrong {
                code: CodeKind::Pin,
                remaining: 2
            })
            .to_string()
        );
        s.verify_pin(&pin(PIN)).unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);
        s.change_pin(&pin(PIN), &pin("27182818")).unwrap();
    })
    .unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        assert!(matches!(
            s.verify_pin(&pin(PIN)),
            Err(Error::Pin(PinError::Wrong {
                code: CodeKind::Pin,
                remaining: 2
            }))
        ));
        s.verify_pin(&pin("27182818")).unwrap();
        // A wrong PUK, then the right one with a new PIN.
        assert!(matches!(
            s.unblock_pin(&puk("11111111"), &pin("31415926")),
            Err(Error::Pin(PinError::Wrong {
                code: CodeKind::Puk,
                remaining: 9
            }))
        ));
        s.unblock_pin(&puk(PUK), &pin("31415926")).unwrap();
        assert_eq!(s.puk_status().unwrap(), RetryStatus::Verified);
    })
    .unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        s.verify_pin(&pin("31415926")).unwrap();
    })
    .unwrap();
    drop(t);
    let card = inserted.remove();
    assert_eq!((card.pin_tries_left(), card.puk_tries_left()), (3, 10));
}

#[test]
fn pcsc_cie_block_and_unblock() {
    let Some(stack) = stack("pcsc_cie_block_unblock") else {
        return;
    };
    let (card, log) = Logged::new(fresh());
    let inserted = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        let wrong = pin("00000000");
        for left in [2u8, 1] {
            assert!(matches!(
                s.verify_pin(&wrong),
                Err(Error::Pin(PinError::Wrong { remaining, .. })) if remaining == left
            ));
        }
        // The guard keeps the last try unless it is confirmed: nothing is sent.
        let before = count(&log);
        assert!(matches!(
            s.verify_pin(&wrong),
            Err(Error::Pin(PinError::LastTryGuard {
                code: CodeKind::Pin,
                remaining: 1
            }))
        ));
        assert_eq!(count(&log), before);
        assert!(matches!(
            s.verify_pin_with(&wrong, LastTry::Confirmed),
            Err(Error::Pin(PinError::Blocked))
        ));
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Blocked);
        // A blocked PIN is not sent any more, even the right one.
        let before = count(&log);
        assert!(matches!(
            s.verify_pin_with(&pin(PIN), LastTry::Confirmed),
            Err(Error::Pin(PinError::Blocked))
        ));
        assert_eq!(count(&log), before);
    })
    .unwrap();
    // Unblocked in a later session (a later card connection, even).
    drop(t);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Blocked);
        s.unblock_pin(&puk(PUK), &pin("11223344")).unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
        s.verify_pin(&pin("11223344")).unwrap();
    })
    .unwrap();
    drop(t);
    let card = inserted.remove();
    assert_eq!(
        (card.card.pin_tries_left(), card.card.puk_tries_left()),
        (3, 10)
    );
}

#[test]
fn f1_p_pin9_cie_removed_between_commands_gives_card_removed() {
    let Some(stack) = stack("f1_cie_removed") else {
        return;
    };
    let (card, log) = Logged::new(fresh());
    let inserted = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let mut tx = t.transaction().unwrap();
    let mut cie = Cie::new(&mut tx).unwrap();
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    // The virtual card stops between two commands of the session.
    let card = inserted.remove();
    let seen = count(&log);
    let e = s.puk_status().unwrap_err();
    assert!(
        matches!(transport_error(&e), Some(TransportError::CardRemoved)),
        "{e:?}"
    );
    eprintln!("a session command after the card left: {e:?}");
    // The session is closed: nothing more is sent.
    assert!(matches!(
        s.pin_status(),
        Err(Error::Card(CardError::SessionClosed))
    ));
    assert_eq!(count(&log), seen);
    drop(s);
    drop(cie);
    drop(tx);
    assert_eq!(card.card.pin_tries_left(), 3);
}

#[test]
fn f1_p_pin9_n7_cie_removed_before_a_pin_command_leaves_the_counter_unknown() {
    let Some(stack) = stack("f1_cie_removed_pin") else {
        return;
    };
    let (card, log) = Logged::new(fresh());
    let inserted = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let mut tx = t.transaction().unwrap();
    let mut cie = Cie::new(&mut tx).unwrap();
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    let card = inserted.remove();
    let seen = count(&log);
    // The library cannot know whether the VERIFY reached the card: it says so.
    assert!(matches!(
        s.verify_pin(&pin("00000000")),
        Err(Error::Pin(PinError::CounterUnknown {
            code: CodeKind::Pin,
            cause: cie_pinpuk::transport::TransportErrorKind::CardRemoved,
        }))
    ));
    assert!(matches!(
        s.verify_pin(&pin(PIN)),
        Err(Error::Card(CardError::SessionClosed))
    ));
    assert_eq!(count(&log), seen);
    drop(s);
    drop(cie);
    drop(tx);
    assert_eq!(card.card.pin_tries_left(), 3);
    // The transport keeps reporting the removal until the caller reconnects.
    assert!(matches!(
        t.transaction().unwrap_err(),
        TransportError::CardRemoved
    ));
}

#[test]
fn p_pin8_n8_cie_reset_by_a_second_client_ends_the_session() {
    let Some(stack) = stack("p_pin8_cie_reset") else {
        return;
    };
    let (card, log) = Logged::new(fresh());
    let _in = stack.insert(card);
    // A works without a transaction between commands (as if it waited for the user), so B's
    // reset can fall between them.
    let a = PcscTransport::connect(&stack.selector()).unwrap();
    let mut cie = Cie::new(a).unwrap();
    {
        let mut s = cie.open().unwrap();
        s.verify_pin(&pin(PIN)).unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);

        let mut b = PcscTransport::connect(&stack.selector())
            .unwrap()
            .on_close(OnClose::LeaveCard);
        b.reset_card().unwrap();
        let at_reset = count(&log);

        // The verified PIN is gone with the card's security state, and the library says so.
        assert!(matches!(
            s.pin_status(),
            Err(Error::Card(CardError::SecurityStatusLost))
        ));
        assert!(!s.is_open());
        // The session refuses to go on, and sends nothing; no silent re-verification.
        assert!(matches!(
            s.change_pin(&pin(PIN), &pin("27182818")),
            Err(Error::Card(CardError::SessionClosed))
        ));
        assert!(matches!(
            s.pin_status(),
            Err(Error::Card(CardError::SessionClosed))
        ));
        assert_eq!(count(&log), at_reset);
    }
    // The transport itself keeps reporting the reset until its caller reconnects.
    assert!(matches!(
        cie.read_nis(),
        Err(Error::Transport(TransportError::Reset))
    ));
    cie.transport_mut().reconnect().unwrap();
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
}

#[test]
fn p_pin8_f9_two_cie_sessions_at_once_are_serialized_by_the_transaction() {
    let Some(stack) = stack("p_pin8_two_cie_sessions") else {
        return;
    };
    let _in = stack.insert(fresh());
    let barrier = Arc::new(Barrier::new(2));
    let t0 = Instant::now();
    let clients: Vec<_> = (0..2)
        .map(|i| {
            let barrier = barrier.clone();
            let selector = stack.selector();
            std::thread::spawn(move || {
                let mut t = PcscTransport::connect(&selector)
                    .unwrap()
                    .on_close(OnClose::LeaveCard);
                barrier.wait();
                t.with_transaction(|tx| {
                    let start = t0.elapsed();
                    let mut cie = Cie::new(tx)?;
                    let mut s = cie.open()?;
                    s.verify_pin(&pin(PIN))?;
                    // Hold the session a while: the other client must wait, not interleave.
                    std::thread::sleep(Duration::from_millis(300));
                    let status = s.pin_status()?;
                    let serial = s.serial()?;
                    eprintln!("client {i}: session from {start:?} to {:?}", t0.elapsed());
                    Ok::<_, Error>((start, t0.elapsed(), status, serial))
                })
                .unwrap()
            })
        })
        .collect();
    let results: Vec<_> = clients
        .into_iter()
        .map(|c| c.join().unwrap().unwrap())
        .collect();
    // Both sessions succeeded (an interleaved APDU would have broken secure messaging) ...
    for (_, _, status, serial) in &results {
        assert_eq!(*status, RetryStatus::Verified);
        assert_eq!(serial.as_str(), "CA00000AA");
    }
    // ... and did not overlap in time.
    let (a, b) = (&results[0], &results[1]);
    assert!(
        a.1 <= b.0 || b.1 <= a.0,
        "sessions overlapped: {:?}..{:?} and {:?}..{:?}",
        a.0,
        a.1,
        b.0,
        b.1
    );
}

#[test]
fn pcsc_cie_opensc_tool_sees_the_atr_and_reads_the_nis() {
    let Some(stack) = stack("pcsc_cie_opensc_tool") else {
        return;
    };
    let _in = stack.insert(fresh());
    let atr = Command::new("opensc-tool")
        .args(["-r", &stack.reader, "--atr"])
        .output()
        .unwrap();
    assert!(atr.status.success(), "{atr:?}");
    let hex: Vec<String> = CIE_ATR.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(String::from_utf8_lossy(&atr.stdout).trim(), hex.join(":"));
    // The minimal clear NIS read of docs/protocol.md §1.4.
    let nis = Command::new("opensc-tool")
        .args(["-r", &stack.reader])
        .args([
            "-s",
            "00:A4:04:0C:0D:A0:00:00:00:30:80:00:00:00:09:81:60:01",
        ])
        .args(["-s", "00:A4:04:0C:06:A0:00:00:00:00:39"])
        .args(["-s", "00:A4:02:04:02:10:01"])
        .args(["-s", "00:B0:00:00:0C"])
        .output()
        .unwrap();
    assert!(nis.status.success(), "{nis:?}");
    let out = String::from_utf8_lossy(&nis.stdout);
    assert_eq!(out.matches("SW1=0x90, SW2=0x00").count(), 4, "{out}");
    assert!(
        out.contains("31 32 33 34 35 36 37 38 39 30 31 32 123456789012"),
        "{out}"
    );
}

// ---- the example binaries -------------------------------------------------------------

/// An example binary built beside this test (`target/<profile>/examples/NAME`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} missing: build the examples first (cargo build --features pcsc,emulator --examples)",
        path.display()
    );
    path
}

/// The `cie` example, checked to be a build with the `pcsc` feature (a build without it,
/// e.g. from `cargo build --examples --features emulator`, has the same path).
fn cie_binary() -> PathBuf {
    let path = example("cie");
    let probe = Command::new(&path).arg("readers").output().unwrap();
    assert!(
        !String::from_utf8_lossy(&probe.stderr).contains("needs PC/SC"),
        "{} was built without the pcsc feature: cargo build --features pcsc,emulator --example cie",
        path.display()
    );
    path
}

/// A private temporary directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cie-pcsc-cie-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the `cie` CLI in English with the given codes in the environment (nothing else).
fn cie_cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(cie_binary());
    cmd.arg("--lang")
        .arg("en")
        .args(args)
        .env_remove("CIE_PIN")
        .env_remove("CIE_NEW_PIN")
        .env_remove("CIE_PUK")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// One CLI run: arguments, environment, whether it succeeds, its exact standard output.
type CliStep<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool, &'a str);

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn pcsc_cie_cli_through_the_reader_prints_what_the_built_in_card_prints() {
    let Some(stack) = stack("pcsc_cie_cli") else {
        return;
    };
    let dir = temp_dir("cli");
    let built_in = dir.join("built-in.state");
    let card = fresh();
    card.save_to_file(&built_in).unwrap();
    let state = built_in.to_str().unwrap();
    let inserted = stack.insert(card);
    let reader = stack.reader.as_str();

    // `readers` names the reader and the card's ATR.
    let readers = cie_cli(&["readers"], &[]);
    assert!(readers.status.success(), "{readers:?}");
    assert!(
        stdout(&readers).contains(&format!(
            "{reader}: ATR 3B 8F 80 01 80 31 80 65 B0 85 04 00 11 12 0F FF 82 90 00 8A\n"
        )),
        "{}",
        stdout(&readers)
    );

    // The same command on the built-in copy and through the reader: the same output.
    let steps: [CliStep<'_>; 9] = [
        (&["nis"], &[], true, "NIS 123456789012\n"),
        (
            &["status"],
            &[],
            true,
            "   Serial number CA00000AA\n   PIN: 3 tries left.\n   PUK: 10 tries left.\n",
        ),
        (&["verify"], &[("CIE_PIN", PIN)], true, "PIN verified.\n"),
        (&["verify"], &[("CIE_PIN", "00000000")], false, ""),
        (
            &["status"],
            &[],
            true,
            "   Serial number CA00000AA\n   PIN: 2 tries left.\n   PUK: 10 tries left.\n",
        ),
        (
            &["change"],
            &[("CIE_PIN", PIN), ("CIE_NEW_PIN", "27182818")],
            true,
            "PIN changed.\n",
        ),
        (
            &["verify"],
            &[("CIE_PIN", "27182818")],
            true,
            "PIN verified.\n",
        ),
        (
            &["unblock"],
            &[("CIE_PUK", PUK), ("CIE_NEW_PIN", "31415926")],
            true,
            "PIN unblocked and replaced.\n",
        ),
        (
            &["status"],
            &[],
            true,
            "   Serial number CA00000AA\n   PIN: 3 tries left.\n   PUK: 10 tries left.\n",
        ),
    ];
    for (args, env, ok, expected) in steps {
        let mine = cie_cli(&[&["--state", state], args].concat(), env);
        let theirs = cie_cli(&[&["--reader", reader], args].concat(), env);
        assert_eq!(mine.status.success(), ok, "built-in {args:?}: {mine:?}");
        assert_eq!(theirs.status.success(), ok, "reader {args:?}: {theirs:?}");
        assert_eq!(stdout(&mine), expected, "built-in {args:?}");
        assert_eq!(stdout(&theirs), expected, "reader {args:?}");
        assert_eq!(stderr(&theirs), stderr(&mine), "{args:?}");
    }
    // A part of the name selects the reader too.
    let nis = cie_cli(&["--reader", "virtual pcd 00 00", "nis"], &[]);
    assert_eq!(stdout(&nis), "NIS 123456789012\n", "{nis:?}");

    // The demo would block the PIN of whatever card is in the reader: refused, nothing sent.
    let demo = cie_cli(&["--reader", reader, "demo"], &[]);
    assert!(!demo.status.success());
    assert!(stderr(&demo).contains("not with --reader"), "{demo:?}");
    let none = cie_cli(&["--reader", "no such reader", "nis"], &[]);
    assert!(!none.status.success());
    assert!(stderr(&none).contains("no reader matches"), "{none:?}");

    let card = inserted.remove();
    assert_eq!((card.pin_tries_left(), card.puk_tries_left()), (3, 10));
    // Both copies of the card end in the same state: the new PIN works on the built-in one.
    let again = cie_cli(&["--state", state, "verify"], &[("CIE_PIN", "31415926")]);
    assert_eq!(stdout(&again), "PIN verified.\n", "{again:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A child process of this test, killed (by its pid) when dropped, also on a failure.
struct ChildGuard(std::process::Child);

impl ChildGuard {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the `virtual_card` example on `state` and waits until pcscd sees the card.
fn start_virtual_card(stack: &pcsc_support::Stack, state: &Path) -> ChildGuard {
    start_virtual_card_with(stack, state, &[])
}

/// As [`start_virtual_card`], with more options (card options, `--new`).
fn start_virtual_card_with(
    stack: &pcsc_support::Stack,
    state: &Path,
    options: &[&str],
) -> ChildGuard {
    let child = Command::new(example("virtual_card"))
        .args(options)
        .arg("--state")
        .arg(state)
        .arg("--addr")
        .arg(stack.vpcd.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let child = ChildGuard(child);
    stack.wait_card(true, Duration::from_secs(10));
    child
}

#[test]
fn f1_pcsc_cie_virtual_card_example_keeps_the_counters_and_its_stop_is_a_removal() {
    let Some(stack) = stack("pcsc_cie_virtual_card") else {
        return;
    };
    let dir = temp_dir("virtual_card");
    let state = dir.join("card.state");
    // First run: no file, a fresh card is created and saved.
    let mut first = start_virtual_card(&stack, &state);
    assert!(state.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the state holds the PIN: owner only");
    }
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        assert!(matches!(
            s.verify_pin(&pin("00000000")),
            Err(Error::Pin(PinError::Wrong { remaining: 2, .. }))
        ));
    })
    .unwrap();
    drop(t);
    // Killed without warning (SIGKILL): the state was saved when the counter changed.
    first.stop();
    stack.wait_card(false, Duration::from_secs(5));
    assert_eq!(
        VirtualCie::load_from_file(&state).unwrap().pin_tries_left(),
        2
    );

    // Second run: the same card, with its counter.
    let mut second = start_virtual_card(&stack, &state);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    t.with_transaction(|tx| {
        let mut cie = Cie::new(tx).unwrap();
        let mut s = cie.open().unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(2));
        // The card process stops between two commands of the session.
        second.stop();
        stack.wait_card(false, Duration::from_secs(5));
        let e = s.puk_status().unwrap_err();
        assert!(
            matches!(transport_error(&e), Some(TransportError::CardRemoved)),
            "{e:?}"
        );
        assert!(matches!(
            s.verify_pin(&pin(PIN)),
            Err(Error::Card(CardError::SessionClosed))
        ));
    })
    .unwrap();
    drop(t);
    assert_eq!(
        VirtualCie::load_from_file(&state).unwrap().pin_tries_left(),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pcsc_cie_script_up_serves_the_virtual_card_example_to_host_clients() {
    let Some(_stack) = stack("pcsc_cie_script_up") else {
        return;
    };
    let dir = temp_dir("script_up");
    let state_dir = dir.join("stack");
    let card_state = dir.join("card.state");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pcsc-stack");
    let run_script = |args: &[&str]| {
        Command::new(&script)
            .args(args)
            .env("CIE_PCSC_NO_INSTALL", "1")
            .env("CIE_PCSC_STACK_DIR", &state_dir)
            .output()
            .unwrap()
    };
    // A second, nested stack of its own, with the example as its card.
    let card_cmd = format!(
        "{} --state {}",
        example("virtual_card").display(),
        card_state.display()
    );
    let up = run_script(&["up", "--card", &card_cmd]);
    let up_err = stderr(&up);
    let pids: Vec<u32> = up_err
        .lines()
        .filter_map(|l| {
            let rest = l.split(" pid ").nth(1)?;
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let socket = state_dir.join("run/pcscd.comm");
    let result = std::panic::catch_unwind(|| {
        assert!(up.status.success(), "{up_err}");
        assert_eq!(pids.len(), 2, "pcscd and the card: {up_err}");
        // A host client (outside that stack's namespace) through the printed socket.
        assert!(stdout(&up).contains(&format!("export PCSCLITE_CSOCK_NAME={}", socket.display())));
        let host_cli = |args: &[&str], env: &[(&str, &str)]| {
            let mut cmd = Command::new(cie_binary());
            cmd.args(["--lang", "en", "--reader", "Virtual PCD 00 00"])
                .args(args)
                .env("PCSCLITE_CSOCK_NAME", &socket)
                .env_remove("CIE_PIN")
                .stdin(Stdio::null());
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd.output().unwrap()
        };
        let status = host_cli(&["status"], &[]);
        assert_eq!(
            stdout(&status),
            "   Serial number CA00000AA\n   PIN: 3 tries left.\n   PUK: 10 tries left.\n",
            "{status:?}"
        );
        let wrong = host_cli(&["verify"], &[("CIE_PIN", "00000000")]);
        assert!(!wrong.status.success());
        assert_eq!(stderr(&wrong), "Wrong PIN: 2 tries left.\n");
    });
    let down = run_script(&["down"]);
    assert!(down.status.success(), "{down:?}");
    for pid in &pids {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        assert!(comm.trim() != "pcscd", "pcscd (pid {pid}) left running");
    }
    // No process of that stack is left: none has the card's state path on its command line.
    let needle = card_state.to_str().unwrap().as_bytes().to_vec();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        assert!(
            !cmdline
                .windows(needle.len())
                .any(|w| w == needle.as_slice()),
            "left running: {:?} {}",
            entry.file_name(),
            String::from_utf8_lossy(&cmdline)
        );
    }
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
    // The counter the host client spent is in the card's file.
    assert_eq!(
        VirtualCie::load_from_file(&card_state)
            .unwrap()
            .pin_tries_left(),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `virtual_card` example serves every chip family of the registry through pcscd, with
/// the family's contactless pseudo-ATR (and, for one, the contact form), and a host opens a
/// session and reads the counters on each.
#[test]
fn pcsc_cie_virtual_card_example_serves_every_chip_family() {
    use cie_pinpuk::card::chip::ChipFamily;
    let Some(stack) = stack("pcsc_cie_families") else {
        return;
    };
    let dir = temp_dir("families");
    let mut runs: Vec<(ChipFamily, &str)> = ChipFamily::ALL
        .iter()
        .map(|f| (*f, "contactless"))
        .collect();
    runs.push((ChipFamily::Nxp, "contact"));
    for (family, form) in runs {
        let state = dir.join(format!("{}-{form}.state", family.name()));
        let mut card = start_virtual_card_with(
            &stack,
            &state,
            &["--new", "--family", family.name(), "--atr", form],
        );
        let expected = if form == "contact" {
            family.contact_atr()
        } else {
            family.contactless_atr()
        };
        let readers = list_readers().unwrap();
        let r = readers.iter().find(|r| r.name == stack.reader).unwrap();
        assert_eq!(r.atr, expected.as_bytes(), "{}", family.name());
        assert_eq!(
            ChipFamily::from_atr(&r.atr),
            Some(family),
            "{}",
            family.name()
        );
        let mut t = PcscTransport::connect(&stack.selector()).unwrap();
        t.with_transaction(|tx| {
            let mut cie = Cie::new(tx).unwrap();
            let mut s = cie.open().unwrap();
            assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
        })
        .unwrap();
        drop(t);
        card.stop();
        stack.wait_card(false, Duration::from_secs(5));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The behaviour switches through pcscd: a one-piece 291-byte SM answer (P-SM6), `61xx`
/// everywhere, `6Cxx` at the end of files, and a card that counts the empty VERIFY and has
/// no DOCP (P-PIN10: detected, then never queried again).
#[test]
fn p_sm6_p_pin10_pcsc_cie_virtual_card_switches() {
    let Some(stack) = stack("pcsc_cie_switches") else {
        return;
    };
    let dir = temp_dir("switches");
    for options in [
        &["--long-answers", "one-piece"][..],
        &["--long-answers", "get-response", "--eof", "6cxx"][..],
        &["--empty-verify", "counted", "--docp", "absent"][..],
    ] {
        let state = dir.join("card.state");
        let mut args = vec!["--new"];
        args.extend_from_slice(options);
        let mut card = start_virtual_card_with(&stack, &state, &args);
        let mut t = PcscTransport::connect(&stack.selector()).unwrap();
        t.with_transaction(|tx| {
            let mut cie = Cie::new(tx).unwrap();
            cie.read_nis().unwrap();
            let mut s = cie.open().unwrap();
            assert_eq!(s.serial().unwrap().as_str().len(), 9, "{options:?}");
            if options.contains(&"counted") {
                assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
                assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
            } else {
                assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
                s.verify_pin(&pin(PIN)).unwrap();
            }
        })
        .unwrap();
        drop(t);
        card.stop();
        stack.wait_card(false, Duration::from_secs(5));
        if options.contains(&"counted") {
            assert_eq!(
                VirtualCie::load_from_file(&state).unwrap().pin_tries_left(),
                1
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
