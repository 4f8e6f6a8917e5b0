//! `cie`: the PIN and PUK of a CIE from the command line, on the built-in virtual card.
//!
//! ```text
//! cargo run --example cie --features emulator -- demo            # the whole story on a fresh card
//! cargo run --example cie --features emulator -- status          # the card kept in cie-card.state
//! cargo run --example cie --features emulator -- verify
//! cargo run --example cie --features emulator -- --lang en change
//! ```
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
usage: cie [--lang it|en] [--state FILE] [--stdin] [--confirm-last-try] COMMAND

commands:
  demo      the whole PIN story on a fresh virtual card (counters, guard, block, unblock)
  nis       read the NIS in clear
  status    open a secure session: serial number, PIN and PUK tries left
  verify    verify the PIN
  change    change the PIN (current PIN, new PIN twice)
  unblock   unblock the PIN with the PUK and choose a new PIN
  new-card  replace the card kept in the state file with a fresh one (PIN 12345678, PUK 87654321)

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
}

#[derive(Debug)]
struct Args {
    lang: Lang,
    state: PathBuf,
    stdin: bool,
    last_try: LastTry,
    command: Command,
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
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lang" => {
                lang = match args.next().as_deref() {
                    Some("it") => Lang::It,
                    Some("en") => Lang::En,
                    _ => return Err("--lang takes it or en".into()),
                }
            }
            "--state" => state = args.next().ok_or("--state takes a file")?.into(),
            "--stdin" => stdin = true,
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
    })
}

/// Picks the Italian or the English text.
fn t<'a>(lang: Lang, it: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::It => it,
        Lang::En => en,
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

    fn pin(&self, it: &str, en: &str, variable: &str) -> Result<Pin, String> {
        let text = self.read(t(self.lang, it, en), variable)?;
        Pin::new(&text).map_err(|e| e.to_string())
    }

    fn puk(&self) -> Result<Puk, String> {
        let text = self.read("PUK", "CIE_PUK")?;
        Puk::new(&text).map_err(|e| e.to_string())
    }

    /// A new PIN typed twice (the second time from CIE_NEW_PIN as well when scripted).
    fn new_pin(&self) -> Result<Pin, String> {
        let first = self.pin("Nuovo PIN", "New PIN", "CIE_NEW_PIN")?;
        let again = self.pin("Ripeti il nuovo PIN", "New PIN again", "CIE_NEW_PIN")?;
        confirm_new_pin(&first, &again).map_err(|e| e.describe(self.lang))?;
        Ok(first)
    }
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
    let outcome = run(&args, &mut card);
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

fn run(args: &Args, card: &mut VirtualCie) -> Result<(), String> {
    let lang = args.lang;
    let codes = Codes {
        stdin: args.stdin,
        lang,
    };
    let mut cie = Cie::new(card).map_err(|e| e.describe(lang))?;
    let say = |e: Error| e.describe(lang);
    match args.command {
        Command::NewCard => {
            println!(
                "{}",
                t(
                    lang,
                    "Nuova carta virtuale pronta.",
                    "A fresh virtual card is ready."
                )
            );
        }
        Command::Nis => println!("NIS {}", cie.read_nis().map_err(say)?),
        Command::Status => {
            let mut session = cie.open().map_err(say)?;
            print_status(lang, &mut session)?;
        }
        Command::Verify => {
            let pin = codes.pin("PIN", "PIN", "CIE_PIN")?;
            let mut session = cie.open().map_err(say)?;
            session.verify_pin_with(&pin, args.last_try).map_err(say)?;
            println!("{}", t(lang, "PIN corretto.", "PIN verified."));
        }
        Command::Change => {
            let old = codes.pin("PIN attuale", "Current PIN", "CIE_PIN")?;
            let new = codes.new_pin()?;
            let mut session = cie.open().map_err(say)?;
            session
                .change_pin_with(&old, &new, args.last_try)
                .map_err(say)?;
            println!("{}", t(lang, "PIN cambiato.", "PIN changed."));
        }
        Command::Unblock => {
            let puk = codes.puk()?;
            let new = codes.new_pin()?;
            let mut session = cie.open().map_err(say)?;
            session
                .unblock_pin_with(&puk, &new, args.last_try)
                .map_err(say)?;
            println!(
                "{}",
                t(
                    lang,
                    "PIN sbloccato e sostituito.",
                    "PIN unblocked and replaced."
                )
            );
        }
        Command::Demo => unreachable!("handled in main"),
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
        t(lang, "Numero di serie", "Serial number")
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
    let step = |n: u32, it: &str, en: &str| println!("\n{n}. {}", t(lang, it, en));
    let show = |outcome: Result<(), Error>, ok_it: &str, ok_en: &str| match outcome {
        Ok(()) => println!("   -> {}", t(lang, ok_it, ok_en)),
        Err(e) => println!("   -> {}", e.describe(lang)),
    };
    println!(
        "{}",
        t(
            lang,
            "Dimostrazione su una CIE virtuale nuova (PIN: 3 tentativi, PUK: 10).",
            "Demonstration on a fresh virtual CIE (PIN: 3 tries, PUK: 10)."
        )
    );
    let mut cie = Cie::new(&mut card).map_err(|e| e.describe(lang))?;
    let say = |e: Error| e.describe(lang);

    step(1, "Lettura del NIS in chiaro", "Reading the NIS in clear");
    println!("   NIS {}", cie.read_nis().map_err(say)?);

    step(
        2,
        "Apertura della sessione sicura (Diffie-Hellman, autenticazione del dispositivo, messaggi protetti)",
        "Opening the secure session (Diffie-Hellman, device authentication, secure messaging)",
    );
    let mut session = cie.open().map_err(say)?;
    print_status(lang, &mut session)?;

    step(3, "Un PIN sbagliato", "A wrong PIN");
    show(session.verify_pin(&wrong), "", "");
    step(4, "Un altro PIN sbagliato", "Another wrong PIN");
    show(session.verify_pin(&wrong), "", "");
    step(
        5,
        "Un terzo tentativo sbagliato: la libreria si ferma prima di usare l'ultimo",
        "A third wrong try: the library stops before spending the last one",
    );
    show(session.verify_pin(&wrong), "", "");
    step(
        6,
        "Il PIN giusto azzera il contatore",
        "The right PIN resets the counter",
    );
    show(
        session.verify_pin_with(&pin, LastTry::Confirmed),
        "PIN corretto.",
        "PIN verified.",
    );
    println!(
        "   {}",
        status_line(lang, CodeKind::Pin, session.pin_status().map_err(say)?)
    );

    step(7, "Cambio del PIN", "Changing the PIN");
    show(
        session.change_pin(&pin, &new_pin),
        "PIN cambiato.",
        "PIN changed.",
    );

    step(
        8,
        "Tre PIN sbagliati, l'ultimo confermato esplicitamente: il PIN si blocca",
        "Three wrong PINs, the last one confirmed explicitly: the PIN blocks",
    );
    for _ in 0..3 {
        show(session.verify_pin_with(&wrong, LastTry::Confirmed), "", "");
    }
    println!(
        "   {}",
        status_line(lang, CodeKind::Pin, session.pin_status().map_err(say)?)
    );
    step(
        9,
        "Il PIN bloccato non viene più inviato alla carta",
        "The blocked PIN is no longer sent to the card",
    );
    show(session.verify_pin(&new_pin), "", "");

    step(
        10,
        "Sblocco con un PUK sbagliato",
        "Unblocking with a wrong PUK",
    );
    show(session.unblock_pin(&wrong_puk, &other_pin), "", "");
    step(
        11,
        "Sblocco con il PUK giusto e un nuovo PIN",
        "Unblocking with the right PUK and a new PIN",
    );
    show(
        session.unblock_pin(&puk, &other_pin),
        "PIN sbloccato e sostituito.",
        "PIN unblocked and replaced.",
    );
    step(12, "Il nuovo PIN funziona", "The new PIN works");
    show(
        session.verify_pin(&other_pin),
        "PIN corretto.",
        "PIN verified.",
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
        t(lang, "Contatori nella carta:", "Counters on the card:"),
        card.pin_tries_left(),
        card.puk_tries_left()
    );
    Ok(())
}
