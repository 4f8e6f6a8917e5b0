//! What an integrator's program shows a person, and logs for a maintainer, when things go
//! wrong: a wrong PIN, the last try, a blocked PIN, a card removed, a reader gone, pcscd not
//! running, the notifier down, the issuance system down. Public API only.
//!
//! ```text
//! cargo run --example integrator --features emulator                 # Italian
//! cargo run --example integrator --features emulator -- --lang de    # or en, or any tag
//! cargo run --example integrator --features emulator -- --lang fr --texts DIR  # fr.ftl in DIR
//! ```
//!
//! Each case prints the text for the person (from the bundled Italian, English and German
//! texts, or the integrator's own `.ftl` files), and the error's cause chain (`source()`
//! down to the transport, gateway or issuance error) for the log.

use std::error::Error as StdError;
use std::path::PathBuf;

use cie_pinpuk::card::{Cie, LastTry};
use cie_pinpuk::codes::Pin;
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::i18n::{Localize, Localizer, Medium, Texts};
use cie_pinpuk::issuance::{CardNumber, Faults, InMemoryIssuance, IssuanceBackend, IssuanceError};
use cie_pinpuk::journal::{OrderSigner, SoftwareSigner};
use cie_pinpuk::notify::{IdempotencyKey, Message, Notifier, NotifyError, Recipient};
use cie_pinpuk::policy::MobileNumber;
use cie_pinpuk::transport::{Fault, FaultInjector, TransportError, from_fn};
use cie_pinpuk::{CardTransport, Error};

const USAGE: &str = "\
usage: integrator [--lang TAG] [--texts DIR] [--nfc]

  --lang TAG   the language of the texts (it, en, de, or any tag with a TAG.ftl in DIR);
               default: LC_ALL / LC_MESSAGES / LANG, else Italian
  --texts DIR  add or override languages with the DIR/*.ftl files
  --nfc        texts for a contactless (NFC) reader instead of a contact one";

/// One case: what the person reads, and the cause chain for the log.
#[derive(Debug)]
pub struct Case {
    /// What happened.
    pub title: &'static str,
    /// The text for the person.
    pub text: String,
    /// The error, then each `source()` in turn.
    pub causes: Vec<String>,
}

fn case(
    title: &'static str,
    loc: &Localizer,
    error: &(dyn StdError + 'static),
    what: &dyn Localize,
) -> Case {
    let mut causes = Vec::new();
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = cause {
        causes.push(e.to_string());
        cause = e.source();
    }
    Case {
        title,
        text: loc.text(what),
        causes,
    }
}

fn pin(s: &str) -> Result<Pin, Box<dyn StdError>> {
    Ok(Pin::new(s)?)
}

/// Runs `f` on a session of a fresh virtual card behind `wrap`, returning its error.
fn on_card<T: CardTransport>(
    transport: T,
    f: impl FnOnce(
        &mut cie_pinpuk::card::Session<'_, T, cie_pinpuk::card::SystemRng>,
    ) -> Result<(), Error>,
) -> Result<Error, Box<dyn StdError>> {
    let mut cie = Cie::new(transport)?;
    let mut session = match cie.open() {
        Ok(s) => s,
        Err(e) => return Ok(e),
    };
    match f(&mut session) {
        Ok(()) => Err("the case did not fail".into()),
        Err(e) => Ok(e),
    }
}

/// A notifier whose SMS gateway refuses connections.
struct DownGateway;

impl Notifier for DownGateway {
    fn send(&mut self, _message: &Message) -> Result<(), NotifyError> {
        Err(NotifyError::Gateway(Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "sms-gateway.example.it:443: connection refused",
        ))))
    }
}

fn main() -> Result<(), Box<dyn StdError>> {
    let mut args = std::env::args_os().skip(1);
    let mut lang = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "it".into());
    let mut dir: Option<PathBuf> = None;
    let mut medium = Medium::Contact;
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("--lang") => {
                lang = args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or("--lang takes a language tag")?;
            }
            Some("--texts") => dir = Some(args.next().ok_or("--texts takes a directory")?.into()),
            Some("--nfc") => medium = Medium::Contactless,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => {
                eprintln!("integrator: unknown argument {a:?}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    let mut texts = Texts::bundled();
    if let Some(dir) = &dir {
        texts.add_dir(dir)?;
    }
    let loc = texts.localizer_for(&lang).with_medium(medium);
    println!("language: {}", loc.language());
    for c in cases(&loc)? {
        println!("\n== {}\n   {}", c.title, c.text);
        for (depth, cause) in c.causes.iter().enumerate() {
            let label = if depth == 0 {
                "log"
            } else {
                "log <- caused by"
            };
            println!("   {label}: {cause}");
        }
    }
    Ok(())
}

/// The cases, in the language of `loc`.
pub fn cases(loc: &Localizer) -> Result<Vec<Case>, Box<dyn StdError>> {
    let mut out = Vec::new();
    // 1. A wrong PIN; 2. the last try, refused before it is spent; 3. the PIN blocked.
    let wrong = pin("00000000")?;
    let mut card = VirtualCie::builder().build()?;
    let e = on_card(&mut card, |s| s.verify_pin(&wrong))?;
    out.push(case("wrong PIN", loc, &e, &e));
    // The second wrong try leaves one; the third would spend it, and is refused unless the
    // person confirmed it.
    on_card(&mut card, |s| s.verify_pin(&wrong))?;
    let e = on_card(&mut card, |s| s.verify_pin(&wrong))?;
    out.push(case("last try", loc, &e, &e));
    let e = on_card(&mut card, |s| s.verify_pin_with(&wrong, LastTry::Confirmed))?;
    out.push(case("PIN blocked", loc, &e, &e));

    // 4. The card taken out of the reader in the middle of a VERIFY: the counter is unknown,
    // and the text says why.
    let right = pin("12345678")?;
    let mut probe = FaultInjector::new(VirtualCie::builder().build()?);
    let _ = on_card(&mut probe, |s| s.pin_status().map(|_| ()));
    let opened = probe.exchanges(); // exchanges up to an open session and a status
    let removed = FaultInjector::new(VirtualCie::builder().build()?)
        .with_fault(opened, Fault::CardRemovedAfter);
    let e = on_card(removed, |s| {
        s.pin_status()?;
        s.verify_pin(&right)
    })?;
    out.push(case("card removed during the PIN command", loc, &e, &e));
    let removed =
        FaultInjector::new(VirtualCie::builder().build()?).with_fault(0, Fault::CardRemovedBefore);
    let e = match Cie::new(removed) {
        Err(e) => e,
        Ok(mut cie) => cie.open().err().ok_or("the card was not removed")?,
    };
    out.push(case("card removed", loc, &e, &e));

    // 5. The reader unplugged.
    let gone = FaultInjector::new(VirtualCie::builder().build()?).with_fault(0, Fault::ReaderGone);
    let e = match Cie::new(gone) {
        Err(e) => e,
        Ok(mut cie) => cie.open().err().ok_or("the reader did not go")?,
    };
    out.push(case("reader gone", loc, &e, &e));

    // 6. pcscd not running: what PcscTransport reports for SCARD_E_NO_SERVICE (here from a
    // transport that fails the same way, so that the example runs without PC/SC).
    let no_service =
        from_fn(|_cmd: &[u8], _resp: &mut [u8]| Err(TransportError::ServiceUnavailable));
    let e = match Cie::new(no_service) {
        Err(e) => e,
        Ok(mut cie) => cie.open().err().ok_or("the service did not fail")?,
    };
    out.push(case("pcscd not running", loc, &e, &e));

    // 7. The notifier down: the gateway's own error is the source.
    let sms = Message::notice(
        IdempotencyKey::from_stored("integrator-1"),
        Recipient::Sms(MobileNumber::parse("3331234567")?),
        "CIE",
        "Il Suo codice di completamento è pronto.",
    );
    let e = DownGateway
        .send(&sms)
        .err()
        .ok_or("the gateway did not fail")?;
    out.push(case("notifier down", loc, &e, &e));

    // 8. The issuance system down.
    let officer = SoftwareSigner::from_bytes(&[7; 32]).ok_or("not a signing key")?;
    let mut issuance = InMemoryIssuance::with_fixtures(officer.verifying_key());
    issuance.faults = Faults {
        unavailable: true,
        ..Faults::default()
    };
    let e: IssuanceError = issuance
        .lookup(&CardNumber::parse("CA00000AA")?)
        .err()
        .ok_or("the issuance system did not fail")?;
    out.push(case("issuance system down", loc, &e, &e));
    Ok(out)
}
