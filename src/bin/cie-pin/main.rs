//! `cie-pin`: the PIN and PUK of an Italian electronic identity card (CIE), for citizens.
//!
//! ```text
//! cargo install --path . --features cli,pcsc
//! cie-pin readers
//! cie-pin status                      # the first reader holding a card
//! cie-pin --reader "ACS" verify
//! cie-pin --virtual card.state change # the built-in virtual card, kept in card.state
//! ```
//!
//! Help and messages in the user's language (`--lang`, else `LC_ALL`, `LC_MESSAGES`,
//! `LANG`; Italian, English and German bundled, more from `.ftl` files in the directory named
//! by `CIE_PIN_TEXTS`). Codes never come from the command line: they are asked for without
//! echo, or read from standard input (one per line) when it is not a terminal. Input that
//! can be refused without the card (a malformed code, a new PIN that breaks the rules, a
//! repetition that differs) is refused before the card is touched, and nothing is written.
//! The exit codes are listed in `--help` (see [`Exit`]).

mod input;
mod spinner;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(feature = "pcsc")]
use cie_pinpuk::TransportError;
use cie_pinpuk::card::{Cie, LastTry, PinError, confirm_new_pin};
use cie_pinpuk::codes::{CodeKind, NewPinRules, Pin, Puk};
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::i18n::{Localize, Localizer, Message, TextError, Texts};
use cie_pinpuk::{CardTransport, Error};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

/// The exit codes, as `--help` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// 0: done.
    Done = 0,
    /// 1: wrong PIN or PUK.
    WrongCode = 1,
    /// 2: invalid command line.
    Usage = 2,
    /// 3: a code refused before the card was used.
    Refused = 3,
    /// 4: blocked, or the last try without `--confirm-last-try`.
    Blocked = 4,
    /// 5: reader, card or smart-card service unavailable.
    Unavailable = 5,
    /// 6: anything else.
    Other = 6,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// A failure: its text for the user and its exit code.
struct Failure {
    text: String,
    exit: Exit,
}

impl Failure {
    fn new(text: String, exit: Exit) -> Self {
        Failure { text, exit }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "cie-pin",
    disable_help_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    /// Language of the messages.
    #[arg(long, value_name = "LANG", global = true)]
    lang: Option<OsString>,
    /// The built-in virtual card kept in FILE.
    #[arg(
        long = "virtual",
        value_name = "FILE",
        global = true,
        conflicts_with = "reader"
    )]
    virtual_card: Option<PathBuf>,
    /// The PC/SC reader.
    #[arg(long, value_name = "NAME", global = true)]
    reader: Option<String>,
    /// Allow the last try.
    #[arg(long, global = true)]
    confirm_last_try: bool,
    /// Help.
    #[arg(short = 'h', long, action = ArgAction::Help, global = true)]
    help: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
enum Command {
    /// Readers.
    Readers,
    /// Status.
    Status,
    /// Verify.
    Verify,
    /// Change.
    Change,
    /// Unblock.
    Unblock,
}

/// The language asked for on the command line (`--lang X` or `--lang=X`, read before clap
/// so that its help and errors are in that language), else the locale.
fn requested_language(args: &[OsString]) -> String {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if a == "--lang" {
            if let Some(v) = it.next() {
                return v.to_string_lossy().into_owned();
            }
        } else if let Some(v) = a.strip_prefix("--lang=") {
            return v.to_string();
        }
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The library's texts, the tool's own, and the user's `.ftl` files from `CIE_PIN_TEXTS`
/// (with the error, if that directory cannot be used).
fn texts() -> (Texts, Option<(PathBuf, TextError)>) {
    let mut texts = Texts::bundled();
    for (lang, source) in [
        ("it", include_str!("texts/it.ftl")),
        ("en", include_str!("texts/en.ftl")),
        ("de", include_str!("texts/de.ftl")),
    ] {
        // The tool's own resources parse (tests/cli_pin.rs runs every language).
        let _ = texts.add_ftl(lang, source);
    }
    let mut warning = None;
    if let Some(dir) = std::env::var_os("CIE_PIN_TEXTS").map(PathBuf::from)
        && let Err(e) = texts.add_dir(&dir)
    {
        warning = Some((dir, e));
    }
    (texts, warning)
}

fn say(loc: &Localizer, id: &'static str) -> String {
    loc.render(&Message::new(id))
}

fn say_with(loc: &Localizer, id: &'static str, args: &[(&'static str, String)]) -> String {
    let mut m = Message::new(id);
    for (name, value) in args {
        m = m.with(name, value.clone());
    }
    loc.render(&m)
}

/// The clap command with every text in the user's language.
fn command(loc: &Localizer) -> clap::Command {
    let heading = |id| say(loc, id);
    let template = format!(
        "{{about}}\n\n{}: {{usage}}\n\n{}:\n{{subcommands}}\n\n{}:\n{{options}}{{after-help}}",
        heading("cli-heading-usage"),
        heading("cli-heading-commands"),
        heading("cli-heading-options"),
    );
    let sub_template = format!(
        "{{about}}\n\n{}: {{usage}}\n\n{}:\n{{options}}{{after-help}}",
        heading("cli-heading-usage"),
        heading("cli-heading-options"),
    );
    let mut cmd = Cli::command()
        .about(say(loc, "cli-about"))
        .override_usage(say(loc, "cli-usage"))
        .help_template(template)
        .after_help(say(loc, "cli-after-help"))
        .mut_arg("lang", |a| a.help(say(loc, "cli-opt-lang")))
        .mut_arg("virtual_card", |a| a.help(say(loc, "cli-opt-virtual")))
        .mut_arg("reader", |a| a.help(say(loc, "cli-opt-reader")))
        .mut_arg("confirm_last_try", |a| {
            a.help(say(loc, "cli-opt-confirm-last-try"))
        })
        .mut_arg("help", |a| a.help(say(loc, "cli-opt-help")));
    for (name, id) in [
        ("readers", "cli-cmd-readers"),
        ("status", "cli-cmd-status"),
        ("verify", "cli-cmd-verify"),
        ("change", "cli-cmd-change"),
        ("unblock", "cli-cmd-unblock"),
    ] {
        let usage = format!(
            "cie-pin {name} [{}]",
            heading("cli-heading-options").to_uppercase()
        );
        let template = sub_template.clone();
        let after = say(loc, "cli-after-help");
        cmd = cmd.mut_subcommand(name, |s| {
            s.about(say(loc, id))
                .override_usage(usage)
                .help_template(template)
                .after_help(after)
        });
    }
    cmd
}

/// A clap error as a sentence in the user's language.
fn usage_error(loc: &Localizer, e: &clap::Error) -> String {
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let detail = match e.kind() {
        ErrorKind::UnknownArgument => say_with(
            loc,
            "cli-usage-unknown-argument",
            &[("arg", context(ContextKind::InvalidArg))],
        ),
        ErrorKind::InvalidSubcommand => say_with(
            loc,
            "cli-usage-unknown-argument",
            &[("arg", context(ContextKind::InvalidSubcommand))],
        ),
        ErrorKind::MissingRequiredArgument | ErrorKind::NoEquals => say_with(
            loc,
            "cli-usage-missing",
            &[("arg", context(ContextKind::InvalidArg))],
        ),
        ErrorKind::InvalidUtf8 => say(loc, "cli-usage-not-utf8"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => say_with(
            loc,
            "cli-usage-invalid-value",
            &[
                ("arg", context(ContextKind::InvalidArg)),
                ("value", context(ContextKind::InvalidValue)),
            ],
        ),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            say(loc, "cli-usage-no-command")
        }
        ErrorKind::ArgumentConflict => say(loc, "cli-usage-conflict"),
        _ => say_with(loc, "cli-usage-other", &[("detail", e.kind().to_string())]),
    };
    format!(
        "cie-pin: {}\n{}",
        say_with(loc, "cli-usage-error", &[("detail", detail)]),
        say(loc, "cli-usage-hint")
    )
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (texts, texts_warning) = texts();
    let loc = texts.localizer_for(&requested_language(&args));
    if let Some((path, e)) = texts_warning {
        eprintln!(
            "cie-pin: {}",
            say_with(
                &loc,
                "cli-texts-dir",
                &[
                    ("path", path.display().to_string()),
                    ("detail", e.to_string())
                ]
            )
        );
    }
    let matches = match command(&loc).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{}", e.render());
            return Exit::Done.into();
        }
        Err(e) => {
            eprintln!("{}", usage_error(&loc, &e));
            return Exit::Usage.into();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{}", usage_error(&loc, &e));
            return Exit::Usage.into();
        }
    };
    match run(&cli, loc) {
        Ok(()) => Exit::Done.into(),
        Err(f) => {
            eprintln!("cie-pin: {}", f.text);
            f.exit.into()
        }
    }
}

/// The codes a command needs, all read (and checked) before the card is touched.
#[derive(Default)]
struct Inputs {
    pin: Option<Pin>,
    new_pin: Option<Pin>,
    puk: Option<Puk>,
}

fn refused(loc: &Localizer, e: &impl Localize) -> Failure {
    Failure::new(loc.text(e), Exit::Refused)
}

/// Reads the codes of `command` and refuses, before any card is touched, what the card
/// would refuse anyway: a malformed code, a new PIN that breaks the rules, a repetition that
/// differs.
fn read_inputs(command: Command, loc: &Localizer) -> Result<Inputs, Failure> {
    let mut source = input::CodeSource::new();
    let mut read = |id: &'static str| -> Result<zeroize::Zeroizing<String>, Failure> {
        source.read(&say(loc, id)).map_err(|e| {
            let what = say(loc, id);
            let text = match e {
                input::InputError::Missing => say_with(loc, "cli-input-missing", &[("what", what)]),
                input::InputError::Io => say_with(loc, "cli-input-error", &[("what", what)]),
            };
            Failure::new(text, Exit::Refused)
        })
    };
    let rules = NewPinRules::official();
    Ok(match command {
        Command::Readers | Command::Status => Inputs::default(),
        Command::Verify => {
            let pin = Pin::new(&read("cli-prompt-pin")?).map_err(|e| refused(loc, &e))?;
            Inputs {
                pin: Some(pin),
                ..Inputs::default()
            }
        }
        Command::Change => {
            let old = Pin::new(&read("cli-prompt-current-pin")?).map_err(|e| refused(loc, &e))?;
            let new = Pin::new(&read("cli-prompt-new-pin")?).map_err(|e| refused(loc, &e))?;
            rules
                .check_change(&old, &new)
                .map_err(|e| refused(loc, &e))?;
            let again =
                Pin::new(&read("cli-prompt-new-pin-again")?).map_err(|e| refused(loc, &e))?;
            confirm_new_pin(&new, &again).map_err(|e| refused(loc, &e))?;
            Inputs {
                pin: Some(old),
                new_pin: Some(new),
                puk: None,
            }
        }
        Command::Unblock => {
            let puk = Puk::new(&read("cli-prompt-puk")?).map_err(|e| refused(loc, &e))?;
            let new = Pin::new(&read("cli-prompt-new-pin")?).map_err(|e| refused(loc, &e))?;
            rules.check(&new).map_err(|e| refused(loc, &e))?;
            let again =
                Pin::new(&read("cli-prompt-new-pin-again")?).map_err(|e| refused(loc, &e))?;
            confirm_new_pin(&new, &again).map_err(|e| refused(loc, &e))?;
            Inputs {
                pin: None,
                new_pin: Some(new),
                puk: Some(puk),
            }
        }
    })
}

/// The exit code of a library error.
fn exit_of(e: &Error) -> Exit {
    match e {
        Error::Pin(PinError::Wrong { .. } | PinError::WrongNoCount { .. }) => Exit::WrongCode,
        Error::Pin(PinError::Blocked | PinError::PukBlocked | PinError::LastTryGuard { .. }) => {
            Exit::Blocked
        }
        Error::Pin(PinError::Quality(_) | PinError::ConfirmationMismatch) | Error::Code(_) => {
            Exit::Refused
        }
        Error::Transport(_) | Error::Pin(PinError::CounterUnknown { .. }) => Exit::Unavailable,
        _ => Exit::Other,
    }
}

#[cfg(feature = "pcsc")]
fn transport_failure(loc: &Localizer, e: &TransportError) -> Failure {
    Failure::new(loc.text(e), Exit::Unavailable)
}

fn run(cli: &Cli, loc: Localizer) -> Result<(), Failure> {
    if cli.command == Command::Readers {
        return readers(&loc);
    }
    // Everything that can be refused without the card is refused here, before any file or
    // reader is opened.
    let inputs = read_inputs(cli.command, &loc)?;
    let last_try = if cli.confirm_last_try {
        LastTry::Confirmed
    } else {
        LastTry::Refuse
    };
    if let Some(path) = &cli.virtual_card {
        return on_virtual_card(cli.command, path, &inputs, last_try, &loc);
    }
    on_reader(cli, &inputs, last_try, loc)
}

fn on_virtual_card(
    command: Command,
    path: &Path,
    inputs: &Inputs,
    last_try: LastTry,
    loc: &Localizer,
) -> Result<(), Failure> {
    let state_error = |detail: String| {
        Failure::new(
            say_with(
                loc,
                "cli-state-file",
                &[("path", path.display().to_string()), ("detail", detail)],
            ),
            Exit::Other,
        )
    };
    let mut card = if path.exists() {
        VirtualCie::load_from_file(path).map_err(|e| state_error(e.to_string()))?
    } else {
        VirtualCie::builder()
            .build()
            .map_err(|e| state_error(e.to_string()))?
    };
    let before = card.save_state();
    let outcome = on_card(command, &mut card, inputs, last_try, loc);
    // The counters may have moved even when the command failed: keep them. (Any session
    // moves the virtual card's random-number counter, which must be kept as well.)
    if card.save_state() != before || !path.exists() {
        card.save_to_file(path).map_err(|e| {
            Failure::new(
                say_with(
                    loc,
                    "cli-state-save",
                    &[
                        ("path", path.display().to_string()),
                        ("detail", e.to_string()),
                    ],
                ),
                Exit::Other,
            )
        })?;
    }
    outcome
}

#[cfg(feature = "pcsc")]
fn on_reader(cli: &Cli, inputs: &Inputs, last_try: LastTry, loc: Localizer) -> Result<(), Failure> {
    use cie_pinpuk::transport::pcsc::{PcscTransport, ReaderSelector, list_readers};
    let readers = list_readers().map_err(|e| transport_failure(&loc, &e))?;
    let selector = match &cli.reader {
        Some(name) => ReaderSelector::Named(name.clone()),
        None => ReaderSelector::FirstWithCard,
    };
    let Some(reader) = selector.pick(&readers) else {
        return Err(match &cli.reader {
            Some(name) => Failure::new(
                say_with(&loc, "cli-no-reader-matches", &[("name", name.clone())]),
                Exit::Unavailable,
            ),
            None if readers.is_empty() => {
                Failure::new(say(&loc, "cli-no-readers"), Exit::Unavailable)
            }
            None => transport_failure(&loc, &TransportError::CardRemoved),
        });
    };
    let loc = loc.with_medium(cie_pinpuk::i18n::Medium::from_atr(&reader.atr));
    let name = reader.name.clone();
    let mut card = PcscTransport::connect(&ReaderSelector::Exact(name))
        .map_err(|e| transport_failure(&loc, &e))?;
    card.with_transaction(|tx| on_card(cli.command, tx, inputs, last_try, &loc))
        .map_err(|e| transport_failure(&loc, &e))?
}

#[cfg(not(feature = "pcsc"))]
fn on_reader(
    _cli: &Cli,
    _inputs: &Inputs,
    _last_try: LastTry,
    loc: Localizer,
) -> Result<(), Failure> {
    Err(Failure::new(say(&loc, "cli-no-pcsc"), Exit::Unavailable))
}

#[cfg(feature = "pcsc")]
fn readers(loc: &Localizer) -> Result<(), Failure> {
    let readers =
        cie_pinpuk::transport::pcsc::list_readers().map_err(|e| transport_failure(loc, &e))?;
    if readers.is_empty() {
        println!("{}", say(loc, "cli-no-readers"));
    }
    for r in readers {
        let state = if r.card_present {
            say(loc, "cli-reader-card")
        } else {
            say(loc, "cli-reader-no-card")
        };
        println!("{}: {state}", r.name);
    }
    Ok(())
}

#[cfg(not(feature = "pcsc"))]
fn readers(loc: &Localizer) -> Result<(), Failure> {
    Err(Failure::new(say(loc, "cli-no-pcsc"), Exit::Unavailable))
}

/// The command on a card, with a progress line on stderr while the card works.
fn on_card<T: CardTransport>(
    command: Command,
    card: T,
    inputs: &Inputs,
    last_try: LastTry,
    loc: &Localizer,
) -> Result<(), Failure> {
    let fail = |e: Error| Failure::new(loc.text(&e), exit_of(&e));
    let spinner =
        spinner::Spinner::start(&say(loc, "cli-working"), std::io::stderr().is_terminal());
    let result = (|| -> Result<Vec<String>, Failure> {
        let mut cie = Cie::new(card).map_err(fail)?;
        let mut session = cie.open().map_err(fail)?;
        let mut out = Vec::new();
        match command {
            Command::Readers => {}
            Command::Status => {
                let serial = session.serial().map_err(fail)?;
                out.push(say_with(
                    loc,
                    "cli-serial",
                    &[("serial", serial.to_string())],
                ));
                for (code, status) in [
                    (CodeKind::Pin, session.pin_status().map_err(fail)?),
                    (CodeKind::Puk, session.puk_status().map_err(fail)?),
                ] {
                    out.push(say_with(
                        loc,
                        "cli-status-line",
                        &[("code", code.to_string()), ("status", loc.text(&status))],
                    ));
                }
            }
            Command::Verify => {
                let pin = inputs.pin.as_ref().ok_or_else(internal)?;
                session.verify_pin_with(pin, last_try).map_err(fail)?;
                out.push(say(loc, "cli-verified"));
            }
            Command::Change => {
                let old = inputs.pin.as_ref().ok_or_else(internal)?;
                let new = inputs.new_pin.as_ref().ok_or_else(internal)?;
                session.change_pin_with(old, new, last_try).map_err(fail)?;
                out.push(say(loc, "cli-changed"));
            }
            Command::Unblock => {
                let puk = inputs.puk.as_ref().ok_or_else(internal)?;
                let new = inputs.new_pin.as_ref().ok_or_else(internal)?;
                session.unblock_pin_with(puk, new, last_try).map_err(fail)?;
                out.push(say(loc, "cli-unblocked"));
            }
        }
        Ok(out)
    })();
    spinner.stop();
    for line in result? {
        println!("{line}");
    }
    Ok(())
}

/// A code the command needs was not read: a bug of this tool, not of the user.
fn internal() -> Failure {
    Failure::new(
        String::from("internal error: a code was not read"),
        Exit::Other,
    )
}
