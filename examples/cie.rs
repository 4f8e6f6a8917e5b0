//! `cie`: the PIN and PUK of a CIE from the command line, on the built-in virtual card.
//!
//! ```text
//! cargo run --example cie --features emulator -- demo            # the whole story on a fresh card
//! cargo run --example cie --features emulator -- status          # the card kept in cie-card.state
//! cargo run --example cie --features emulator -- verify
//! cargo run --example cie --features emulator -- --lang en change
//! cargo run --example cie --features emulator,pcsc -- readers
//! cargo run --example cie --features emulator,pcsc -- --reader "Virtual PCD" status
//! ```
//!
//! With the feature `pcsc`, `--reader NAME` (an exact reader name, else a part of one) runs
//! `nis`, `status`, `verify`, `change` and `unblock` on the card in that reader instead of the
//! built-in one, with the same outputs: the codes are read first, then one PC/SC transaction
//! holds the card for the whole command (no other application can slip an APDU in between),
//! and the card is reset when the command ends. `demo` and `new-card` refuse `--reader`: the
//! demo blocks the PIN and spends PUK tries, which must never happen to a real card.
//!
//! Codes are never taken from the command line (where `ps` would show them): they are read
//! without echo from the terminal, or from the environment (`CIE_PIN`, `CIE_NEW_PIN`,
//! `CIE_PUK`) or from standard input (`--stdin`, one code per line) for scripts.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use cie_pinpuk::card::{Cie, Describe, Lang, LastTry, Session, confirm_new_pin};
use cie_pinpuk::codes::{CodeKind, Pin, Puk, RetryStatus};
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::{CardTransport, Error};
use zeroize::Zeroizing;

const USAGE: &str = "\
usage: cie [--lang it|en|de] [--state FILE] [--reader NAME] [--stdin] [--confirm-last-try] COMMAND

commands:
  demo      the whole PIN story on a fresh virtual card (counters, guard, block, unblock)
  nis       read the NIS in clear
  status    open a secure session: serial number, PIN and PUK tries left
  verify    verify the PIN
  change    change the PIN (current PIN, new PIN twice)
  unblock   unblock the PIN with the PUK and choose a new PIN
  new-card  replace the card kept in the state file with a fresh one (PIN 12345678, PUK 87654321)
  readers   list the PC/SC readers and their cards (feature pcsc)

--reader NAME runs nis/status/verify/change/unblock on the card in that PC/SC reader (exact
name, else part of one; feature pcsc) instead of the built-in card in the state file.

codes come from the terminal (no echo), from CIE_PIN / CIE_NEW_PIN / CIE_PUK, or with --stdin
from standard input, one per line; never from the command line.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Demo,
    Nis,
    Status,
    Verify,
    Change,
    Unblock,
    NewCard,
    #[cfg(feature = "pcsc")]
    Readers,
}

#[derive(Debug)]
struct Args {
    lang: Lang,
    state: PathBuf,
    stdin: bool,
    last_try: LastTry,
    command: Command,
    #[cfg(feature = "pcsc")]
    reader: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut lang = std::env::var("LC_ALL")
        .or_else(|_| std::env::var("LANG"))
        .map(|l| Lang::from_locale(&l))
        .unwrap_or(Lang::It);
    let mut state = PathBuf::from("cie-card.state");
    let mut stdin = false;
    let mut last_try = LastTry::Refuse;
    let mut command = None;
    #[cfg(feature = "pcsc")]
    let mut reader = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lang" => {
                lang = match args.next().as_deref() {
                    Some("it") => Lang::It,
                    Some("en") => Lang::En,
                    Some("de") => Lang::De,
                    _ => return Err("--lang takes it, en or de".into()),
                }
            }
            "--state" => state = args.next().ok_or("--state takes a file")?.into(),
            "--stdin" => stdin = true,
            #[cfg(feature = "pcsc")]
            "--reader" => reader = Some(args.next().ok_or("--reader takes a reader name")?),
            #[cfg(feature = "pcsc")]
            "readers" => command = Some(Command::Readers),
            #[cfg(not(feature = "pcsc"))]
            "--reader" | "readers" => {
                return Err(format!(
                    "{arg} needs PC/SC: cargo run --example cie --features emulator,pcsc -- ..."
                ));
            }
            "--confirm-last-try" => last_try = LastTry::Confirmed,
            "-h" | "--help" => return Err(String::new()),
            "demo" => command = Some(Command::Demo),
            "nis" => command = Some(Command::Nis),
            "status" => command = Some(Command::Status),
            "verify" => command = Some(Command::Verify),
            "change" => command = Some(Command::Change),
            "unblock" => command = Some(Command::Unblock),
            "new-card" => command = Some(Command::NewCard),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let command = command.ok_or_else(String::new)?;
    Ok(Args {
        lang,
        state,
        stdin,
        last_try,
        command,
        #[cfg(feature = "pcsc")]
        reader,
    })
}

/// Picks the Italian, English or German text.
fn t<'a>(lang: Lang, it: &'a str, en: &'a str, de: &'a str) -> &'a str {
    match lang {
        Lang::It => it,
        Lang::De => de,
        _ => en,
    }
}

/// Where codes come from.
struct Codes {
    stdin: bool,
    lang: Lang,
}

impl Codes {
    fn read(&self, what: &str, variable: &str) -> Result<Zeroizing<String>, String> {
        if let Ok(value) = std::env::var(variable) {
            return Ok(Zeroizing::new(value));
        }
        if self.stdin || !std::io::stdin().is_terminal() {
            let mut line = Zeroizing::new(String::new());
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
            return Ok(trimmed);
        }
        rpassword::prompt_password(format!("{what}: "))
            .map(Zeroizing::new)
            .map_err(|e| e.to_string())
    }

    fn pin(&self, it: &str, en: &str, de: &str, variable: &str) -> Result<Pin, String> {
        let text = self.read(t(self.lang, it, en, de), variable)?;
        Pin::new(&text).map_err(|e| e.describe(self.lang))
    }

    fn puk(&self) -> Result<Puk, String> {
        let text = self.read("PUK", "CIE_PUK")?;
        Puk::new(&text).map_err(|e| e.describe(self.lang))
    }

    /// A new PIN typed twice (the second time from CIE_NEW_PIN as well when scripted).
    fn new_pin(&self) -> Result<Pin, String> {
        let first = self.pin("Nuovo PIN", "New PIN", "Neue PIN", "CIE_NEW_PIN")?;
        let again = self.pin(
            "Ripeti il nuovo PIN",
            "New PIN again",
            "Neue PIN wiederholen",
            "CIE_NEW_PIN",
        )?;
        confirm_new_pin(&first, &again).map_err(|e| e.describe(self.lang))?;
        Ok(first)
    }
}

/// The codes a command needs, all read before the card is touched (with a reader: before
/// its transaction starts, which must never be held across user input).
#[derive(Default)]
struct Inputs {
    pin: Option<Pin>,
    new_pin: Option<Pin>,
    puk: Option<Puk>,
}

fn read_inputs(args: &Args) -> Result<Inputs, String> {
    let lang = args.lang;
    let codes = Codes {
        stdin: args.stdin,
        lang,
    };
    Ok(match args.command {
        Command::Verify => Inputs {
            pin: Some(codes.pin("PIN", "PIN", "PIN", "CIE_PIN")?),
            ..Inputs::default()
        },
        Command::Change => {
            let old = codes.pin("PIN attuale", "Current PIN", "Aktuelle PIN", "CIE_PIN")?;
            let new = codes.new_pin()?;
            Inputs {
                pin: Some(old),
                new_pin: Some(new),
                puk: None,
            }
        }
        Command::Unblock => {
            let puk = codes.puk()?;
            let new = codes.new_pin()?;
            Inputs {
                pin: None,
                new_pin: Some(new),
                puk: Some(puk),
            }
        }
        _ => Inputs::default(),
    })
}

fn status_line(lang: Lang, code: CodeKind, status: RetryStatus) -> String {
    format!("{code}: {}", status.describe(lang))
}

fn load_card(args: &Args) -> Result<VirtualCie, String> {
    if args.command == Command::NewCard || !args.state.exists() {
        return VirtualCie::builder().build().map_err(|e| e.to_string());
    }
    VirtualCie::load_from_file(&args.state).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("cie: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let lang = args.lang;
    #[cfg(feature = "pcsc")]
    if args.command == Command::Readers {
        return report(list_pcsc_readers(lang));
    }
    #[cfg(feature = "pcsc")]
    if let Some(name) = &args.reader {
        return report(on_reader(&args, name));
    }
    if args.command == Command::Demo {
        return match demo(lang) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cie: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut card = match load_card(&args) {
        Ok(card) => card,
        Err(e) => {
            eprintln!("cie: {}: {e}", args.state.display());
            return ExitCode::FAILURE;
        }
    };
    let outcome = read_inputs(&args).and_then(|inputs| run(&args, &inputs, &mut card));
    if let Err(e) = card.save_to_file(&args.state) {
        eprintln!("cie: {}: {e}", args.state.display());
        return ExitCode::FAILURE;
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the outcome of a reader command and turns it into the exit code.
#[cfg(feature = "pcsc")]
fn report(outcome: Result<(), String>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// A transport failure of the reader, with the PC/SC detail when it is not one of the
/// well-known cases.
#[cfg(feature = "pcsc")]
fn reader_error(lang: Lang, reader: &str, e: cie_pinpuk::TransportError) -> String {
    let text = e.describe(lang);
    match &e {
        cie_pinpuk::TransportError::Other(source) => format!("{reader}: {text} ({source})"),
        _ => format!("{reader}: {text}"),
    }
}

/// `readers`: every PC/SC reader, with its card's ATR.
#[cfg(feature = "pcsc")]
fn list_pcsc_readers(lang: Lang) -> Result<(), String> {
    let readers =
        cie_pinpuk::transport::pcsc::list_readers().map_err(|e| reader_error(lang, "PC/SC", e))?;
    if readers.is_empty() {
        println!(
            "{}",
            t(lang, "Nessun lettore.", "No reader.", "Kein Lesegerät.")
        );
    }
    for r in readers {
        if r.card_present {
            let atr: Vec<String> = r.atr.iter().map(|b| format!("{b:02X}")).collect();
            println!("{}: ATR {}", r.name, atr.join(" "));
        } else {
            println!(
                "{}: {}",
                r.name,
                t(lang, "nessuna carta", "no card", "keine Karte")
            );
        }
    }
    Ok(())
}

/// A command on the card in a PC/SC reader: codes first, then one transaction for the whole
/// command; the card is reset when the connection is dropped.
#[cfg(feature = "pcsc")]
fn on_reader(args: &Args, name: &str) -> Result<(), String> {
    use cie_pinpuk::transport::pcsc::{PcscTransport, ReaderSelector, list_readers};
    let lang = args.lang;
    match args.command {
        Command::Demo => {
            return Err(t(
                lang,
                "cie: la dimostrazione blocca il PIN e consuma tentativi del PUK: gira solo sulla carta virtuale interna, non con --reader.",
                "cie: the demo blocks the PIN and spends PUK tries: it runs on the built-in virtual card only, not with --reader.", "cie: Die Vorführung sperrt die PIN und verbraucht Versuche der PUK: Sie läuft nur auf der eingebauten virtuellen Karte, nicht mit --reader.",
            )
            .into());
        }
        Command::NewCard => {
            return Err(t(
                lang,
                "cie: new-card riguarda la carta virtuale interna, non un lettore.",
                "cie: new-card is about the built-in virtual card, not a reader.",
                "cie: new-card betrifft die eingebaute virtuelle Karte, kein Lesegerät.",
            )
            .into());
        }
        _ => {}
    }
    let selector = ReaderSelector::Named(name.into());
    let readers = list_readers().map_err(|e| reader_error(lang, "PC/SC", e))?;
    let reader = selector.pick(&readers).ok_or_else(|| {
        format!(
            "cie: {} {name:?} ({})",
            t(
                lang,
                "nessun lettore corrisponde a",
                "no reader matches",
                "kein Lesegerät entspricht"
            ),
            t(
                lang,
                "vedi `cie readers`",
                "see `cie readers`",
                "siehe `cie readers`"
            )
        )
    })?;
    let reader_name = reader.name.clone();
    let inputs = read_inputs(args)?;
    let mut card = PcscTransport::connect(&ReaderSelector::Exact(reader_name.clone()))
        .map_err(|e| reader_error(lang, &reader_name, e))?;
    card.with_transaction(|tx| run(args, &inputs, tx))
        .map_err(|e| reader_error(lang, &reader_name, e))?
}

fn run<T: CardTransport>(args: &Args, inputs: &Inputs, card: T) -> Result<(), String> {
    let lang = args.lang;
    let missing = || String::from("cie: internal error: a code was not read");
    let mut cie = Cie::new(card).map_err(|e| e.describe(lang))?;
    let say = |e: Error| e.describe(lang);
    match args.command {
        Command::NewCard => {
            println!(
                "{}",
                t(
                    lang,
                    "Nuova carta virtuale pronta.",
                    "A fresh virtual card is ready.",
                    "Eine neue virtuelle Karte ist bereit."
                )
            );
        }
        Command::Nis => println!("NIS {}", cie.read_nis().map_err(say)?),
        Command::Status => {
            let mut session = cie.open().map_err(say)?;
            print_status(lang, &mut session)?;
        }
        Command::Verify => {
            let pin = inputs.pin.as_ref().ok_or_else(missing)?;
            let mut session = cie.open().map_err(say)?;
            session.verify_pin_with(pin, args.last_try).map_err(say)?;
            println!(
                "{}",
                t(lang, "PIN corretto.", "PIN verified.", "PIN korrekt.")
            );
        }
        Command::Change => {
            let old = inputs.pin.as_ref().ok_or_else(missing)?;
            let new = inputs.new_pin.as_ref().ok_or_else(missing)?;
            let mut session = cie.open().map_err(say)?;
            session
                .change_pin_with(old, new, args.last_try)
                .map_err(say)?;
            println!(
                "{}",
                t(lang, "PIN cambiato.", "PIN changed.", "PIN geändert.")
            );
        }
        Command::Unblock => {
            let puk = inputs.puk.as_ref().ok_or_else(missing)?;
            let new = inputs.new_pin.as_ref().ok_or_else(missing)?;
            let mut session = cie.open().map_err(say)?;
            session
                .unblock_pin_with(puk, new, args.last_try)
                .map_err(say)?;
            println!(
                "{}",
                t(
                    lang,
                    "PIN sbloccato e sostituito.",
                    "PIN unblocked and replaced.",
                    "PIN entsperrt und ersetzt."
                )
            );
        }
        Command::Demo => unreachable!("handled in main"),
        #[cfg(feature = "pcsc")]
        Command::Readers => unreachable!("handled in main"),
    }
    Ok(())
}

fn print_status<T: CardTransport, R: rand_core::CryptoRng>(
    lang: Lang,
    session: &mut Session<'_, T, R>,
) -> Result<(), String> {
    let say = |e: Error| e.describe(lang);
    let serial = session.serial().map_err(say)?;
    println!(
        "   {} {serial}",
        t(lang, "Numero di serie", "Serial number", "Seriennummer")
    );
    let pin = session.pin_status().map_err(say)?;
    let puk = session.puk_status().map_err(say)?;
    println!("   {}", status_line(lang, CodeKind::Pin, pin));
    println!("   {}", status_line(lang, CodeKind::Puk, puk));
    Ok(())
}

/// The whole story on a fresh card, told step by step.
fn demo(lang: Lang) -> Result<(), String> {
    let pin = Pin::new("12345678").map_err(|e| e.to_string())?;
    let puk = Puk::new("87654321").map_err(|e| e.to_string())?;
    let wrong = Pin::new("00000000").map_err(|e| e.to_string())?;
    let new_pin = Pin::new("27182818").map_err(|e| e.to_string())?;
    let other_pin = Pin::new("31415926").map_err(|e| e.to_string())?;
    let wrong_puk = Puk::new("11111111").map_err(|e| e.to_string())?;

    let mut card = VirtualCie::builder().build().map_err(|e| e.to_string())?;
    let step = |n: u32, it: &str, en: &str, de: &str| println!("\n{n}. {}", t(lang, it, en, de));
    let show = |outcome: Result<(), Error>, ok_it: &str, ok_en: &str, ok_de: &str| match outcome {
        Ok(()) => println!("   -> {}", t(lang, ok_it, ok_en, ok_de)),
        Err(e) => println!("   -> {}", e.describe(lang)),
    };
    println!(
        "{}",
        t(
            lang,
            "Dimostrazione su una CIE virtuale nuova (PIN: 3 tentativi, PUK: 10).",
            "Demonstration on a fresh virtual CIE (PIN: 3 tries, PUK: 10).",
            "Vorführung auf einer neuen virtuellen CIE (PIN: 3 Versuche, PUK: 10)."
        )
    );
    let mut cie = Cie::new(&mut card).map_err(|e| e.describe(lang))?;
    let say = |e: Error| e.describe(lang);

    step(
        1,
        "Lettura del NIS in chiaro",
        "Reading the NIS in clear",
        "Lesen der NIS im Klartext",
    );
    println!("   NIS {}", cie.read_nis().map_err(say)?);

    step(
        2,
        "Apertura della sessione sicura (Diffie-Hellman, autenticazione del dispositivo, messaggi protetti)",
        "Opening the secure session (Diffie-Hellman, device authentication, secure messaging)",
        "Aufbau der gesicherten Sitzung (Diffie-Hellman, Geräteauthentisierung, gesicherte Nachrichten)",
    );
    let mut session = cie.open().map_err(say)?;
    print_status(lang, &mut session)?;

    step(3, "Un PIN sbagliato", "A wrong PIN", "Eine falsche PIN");
    show(session.verify_pin(&wrong), "", "", "");
    step(
        4,
        "Un altro PIN sbagliato",
        "Another wrong PIN",
        "Noch eine falsche PIN",
    );
    show(session.verify_pin(&wrong), "", "", "");
    step(
        5,
        "Un terzo tentativo sbagliato: la libreria si ferma prima di usare l'ultimo",
        "A third wrong try: the library stops before spending the last one",
        "Ein dritter falscher Versuch: Die Bibliothek hält an, bevor der letzte verbraucht wird",
    );
    show(session.verify_pin(&wrong), "", "", "");
    step(
        6,
        "Il PIN corretto ripristina i tentativi",
        "The right PIN restores the tries",
        "Die richtige PIN stellt die Versuche wieder her",
    );
    show(
        session.verify_pin_with(&pin, LastTry::Confirmed),
        "PIN corretto.",
        "PIN verified.",
        "PIN korrekt.",
    );
    println!(
        "   {}",
        status_line(lang, CodeKind::Pin, session.pin_status().map_err(say)?)
    );

    step(7, "Cambio del PIN", "Changing the PIN", "Ändern der PIN");
    show(
        session.change_pin(&pin, &new_pin),
        "PIN cambiato.",
        "PIN changed.",
        "PIN geändert.",
    );

    step(
        8,
        "Tre PIN sbagliati, l'ultimo confermato esplicitamente: il PIN si blocca",
        "Three wrong PINs, the last one confirmed explicitly: the PIN blocks",
        "Drei falsche PINs, die letzte ausdrücklich bestätigt: Die PIN wird gesperrt",
    );
    for _ in 0..3 {
        show(
            session.verify_pin_with(&wrong, LastTry::Confirmed),
            "",
            "",
            "",
        );
    }
    println!(
        "   {}",
        status_line(lang, CodeKind::Pin, session.pin_status().map_err(say)?)
    );
    step(
        9,
        "Il PIN bloccato non viene più inviato alla carta",
        "The blocked PIN is no longer sent to the card",
        "Die gesperrte PIN wird nicht mehr an die Karte gesendet",
    );
    show(session.verify_pin(&new_pin), "", "", "");

    step(
        10,
        "Sblocco con un PUK sbagliato",
        "Unblocking with a wrong PUK",
        "Entsperren mit einer falschen PUK",
    );
    show(session.unblock_pin(&wrong_puk, &other_pin), "", "", "");
    step(
        11,
        "Sblocco con il PUK giusto e un nuovo PIN",
        "Unblocking with the right PUK and a new PIN",
        "Entsperren mit der richtigen PUK und einer neuen PIN",
    );
    show(
        session.unblock_pin(&puk, &other_pin),
        "PIN sbloccato e sostituito.",
        "PIN unblocked and replaced.",
        "PIN entsperrt und ersetzt.",
    );
    step(
        12,
        "Il nuovo PIN funziona",
        "The new PIN works",
        "Die neue PIN funktioniert",
    );
    show(
        session.verify_pin(&other_pin),
        "PIN corretto.",
        "PIN verified.",
        "PIN korrekt.",
    );
    println!(
        "   {}",
        status_line(lang, CodeKind::Pin, session.pin_status().map_err(say)?)
    );
    println!(
        "   {}",
        status_line(lang, CodeKind::Puk, session.puk_status().map_err(say)?)
    );
    drop(session);
    drop(cie);
    println!(
        "\n{} PIN {}/3, PUK {}/10.",
        t(
            lang,
            "Contatori nella carta:",
            "Counters on the card:",
            "Zähler auf der Karte:"
        ),
        card.pin_tries_left(),
        card.puk_tries_left()
    );
    Ok(())
}
