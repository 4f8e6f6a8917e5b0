//! PUK self-recovery from request to release, on the virtual CIE, with a simulated clock.
//!
//! ```text
//! cargo run --example recovery --features emulator                # in Italian
//! cargo run --example recovery --features emulator -- --lang de   # or en
//! cargo run --example recovery --features emulator -- --help
//! ```
//!
//! The holder's app reads the NIS, has the card sign the service's challenge (servizi
//! internal authentication), and sends the serial, the NIS and the contacts. The service
//! waits 48 hours (a restart and a clock going backwards on the way change nothing), sends a
//! one-time code by SMS, and on completion with the code and a fresh card signature releases
//! the PUK sealed for the app's device key. The app opens it and unblocks the PIN.
//!
//! The example's own lines are Fluent messages added to the library's texts at run time
//! (as an integrator adds theirs); the service's refusals come from the library's texts.

use std::collections::HashMap;

use cie_pinpuk::auth::{CardPublicKey, KeyKind, test_keys};
use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::{CodeKind, Half, Pin, Puk};
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::i18n::{Arg, Localizer, Message, Texts};
use cie_pinpuk::journal::{Clock, ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::policy::{Contacts, EmailAddress, MobileNumber};
use cie_pinpuk::recovery::{
    CardRecord, CompletionCode, CompletionOutcome, DeviceKey, MemoryRecoveryStore, MemoryRegistry,
    PukRecovery, RecoveryConfig, RecoveryRequest, RequestOutcome, ServiceSecret, prove_possession,
};
use crypto_bigint::BoxedUint;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::{Oaep, PrivateKey};
use sha2::Sha256;

const SERIAL: &str = "CA12345AB";
const NIS: &str = "123456789012";
const PUK: &str = "87654321";
const HOUR: u64 = 3600;
/// 2026-06-01T00:00:00Z, when the holder makes the request.
const START: u64 = 1_780_272_000;
const DUE: u64 = START + 48 * HOUR;
const FIVE_HOURS: u64 = 5 * HOUR;

type Failure = Box<dyn std::error::Error>;

const USAGE: &str = "\
uso / usage / Aufruf: recovery [--lang it|en|de]

Simula il recupero del PUK dall'app su una CIE virtuale, con un orologio simulato (48 ore).
Simulates PUK recovery from the app on a virtual CIE, with a simulated clock (48 hours).
Simuliert die Wiederherstellung der PUK in der App auf einer virtuellen CIE (48 Stunden).";

/// The example's own texts, beside the library's.
const TEXTS: [(&str, &str); 3] = [
    (
        "it",
        "rx-card-tapped = app: carta avvicinata, NIS { $nis }
rx-challenge-signed = app: la carta ha firmato la sfida del servizio ({ $bytes } byte)
rx-request-accepted = servizio: richiesta accettata (procedura { $procedure }); il PUK sarà disponibile tra { $hours } ore
rx-tick = servizio: controllo periodico, { $sent ->
        [0] nessun codice da inviare
        [1] 1 codice inviato per SMS
       *[other] { $sent } codici inviati per SMS
    }
rx-restarted = servizio: riavviato con l'orologio indietro di 5 ore
rx-early-refused = app: completamento anticipato rifiutato: { $reason }
rx-sms = SMS ricevuto: { $body }
rx-released = servizio: PUK rilasciato, cifrato per il dispositivo ({ $first } + { $second } byte)
rx-puk-opened = app: PUK decifrato con la chiave del dispositivo
rx-pin-unblocked = app: PIN sbloccato e sostituito; tentativi del PIN: { $tries }
rx-second-refused = app: secondo completamento rifiutato: { $reason }
rx-journal = Registro delle operazioni:
",
    ),
    (
        "en",
        "rx-card-tapped = app: card held to the phone, NIS { $nis }
rx-challenge-signed = app: the card signed the service's challenge ({ $bytes } bytes)
rx-request-accepted = service: request accepted (procedure { $procedure }); the PUK will be available in { $hours } hours
rx-tick = service: periodic check, { $sent ->
        [0] no code to send
        [1] 1 code sent by SMS
       *[other] { $sent } codes sent by SMS
    }
rx-restarted = service: restarted with its clock 5 hours behind
rx-early-refused = app: early completion refused: { $reason }
rx-sms = SMS received: { $body }
rx-released = service: PUK released, encrypted for the device ({ $first } + { $second } bytes)
rx-puk-opened = app: PUK decrypted with the device key
rx-pin-unblocked = app: PIN unblocked and replaced; PIN tries: { $tries }
rx-second-refused = app: second completion refused: { $reason }
rx-journal = Journal of operations:
",
    ),
    (
        "de",
        "rx-card-tapped = App: Karte an das Smartphone gehalten, NIS { $nis }
rx-challenge-signed = App: Die Karte hat die Anfrage des Dienstes signiert ({ $bytes } Byte)
rx-request-accepted = Dienst: Antrag angenommen (Verfahren { $procedure }); die PUK ist in { $hours } Stunden verfügbar
rx-tick = Dienst: regelmäßige Prüfung, { $sent ->
        [0] kein Code zu senden
        [1] 1 Code per SMS gesendet
       *[other] { $sent } Codes per SMS gesendet
    }
rx-restarted = Dienst: neu gestartet, die Uhr geht 5 Stunden nach
rx-early-refused = App: vorzeitiger Abschluss abgelehnt: { $reason }
rx-sms = SMS erhalten: { $body }
rx-released = Dienst: PUK ausgegeben, für das Gerät verschlüsselt ({ $first } + { $second } Byte)
rx-puk-opened = App: PUK mit dem Geräteschlüssel entschlüsselt
rx-pin-unblocked = App: PIN entsperrt und ersetzt; Versuche der PIN: { $tries }
rx-second-refused = App: zweiter Abschluss abgelehnt: { $reason }
rx-journal = Vorgangsprotokoll:
",
    ),
];

/// The example's texts in the language asked for (`--lang`, else the locale, else Italian).
fn localizer() -> Result<Option<Localizer>, Failure> {
    let mut lang = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "it".into());
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(None);
            }
            Some("--lang") => {
                lang = args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or("--lang: it, en, de")?;
            }
            _ => return Err(format!("{a:?}?\n{USAGE}").into()),
        }
    }
    let mut texts = Texts::bundled();
    for (l, source) in TEXTS {
        texts.add_ftl(l, source)?;
    }
    Ok(Some(texts.localizer_for(&lang)))
}

/// One of the example's lines.
fn line(loc: &Localizer, id: &'static str, args: &[(&'static str, Arg)]) -> String {
    let mut m = Message::new(id);
    for (name, value) in args {
        m = m.with(name, value.clone());
    }
    loc.render(&m)
}

/// The app's device key pair (a fixed test key; a real app keeps it in its keystore).
fn device_keys() -> Result<(DeviceKey, PrivateKey), Failure> {
    let text = include_str!("../tests/data/recovery_device_key.txt");
    let mut v: HashMap<&str, Vec<u8>> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (k, hexv) = line.split_once('=').ok_or("bad key file")?;
        v.insert(k, hex::decode(hexv)?);
    }
    let get = |k: &str| v.get(k).ok_or("missing value");
    let public = DeviceKey::from_components(get("n")?, get("e")?)?;
    let big = |k: &str| -> Result<BoxedUint, Failure> {
        Ok(BoxedUint::from_be_slice(get(k)?, 2048).map_err(|_| "bad integer")?)
    };
    let private =
        PrivateKey::from_components(big("n")?, big("e")?, big("d")?, vec![big("p")?, big("q")?])?;
    Ok((public, private))
}

fn step(clock: &ManualClock, loc: &Localizer, text: &str) {
    let hours = clock.now().0.saturating_sub(START) as f64 / HOUR as f64;
    let mut hours = format!("{hours:>5.1}");
    if loc.language().language.as_str() != "en" {
        hours = hours.replace('.', ",");
    }
    println!("[+{hours} h] {text}");
}

fn main() -> Result<(), Failure> {
    let Some(loc) = localizer()? else {
        return Ok(());
    };
    let loc = &loc;
    let mut rng = ChaCha20Rng::seed_from_u64(2026);

    // The card (PIN blocked: the holder lost it, and then the PUK).
    let mut card = VirtualCie::builder()
        .serial(SERIAL)
        .nis(NIS)
        .puk(PUK)
        .tries_left(0, 10)
        .build()?;

    // The Ministry's register: the card's servizi key and the contacts given at the request.
    let mut registry = MemoryRegistry::new();
    registry.insert(
        SERIAL,
        CardRecord {
            nis: NIS.into(),
            servizi_key: CardPublicKey::from_components(
                &test_keys::SERVIZI_N,
                &test_keys::SERVIZI_E,
                KeyKind::Servizi,
            )?,
            contacts: Contacts {
                email: Some(EmailAddress::parse("mario.rossi@example.it")?),
                mobile: Some(MobileNumber::parse("+39 333 1234567")?),
            },
        },
        Puk::new(PUK)?,
    );

    let clock = ManualClock::new(Timestamp(START));
    let mut store = MemoryRecoveryStore::new();
    let mut sms = RecordingNotifier::new();
    let secret = [0x11u8; 32];
    let config = RecoveryConfig::default();
    let (device_key, device_private) = device_keys()?;

    // 1. The app reads the NIS and proves possession of the card.
    let nis = Cie::new(&mut card)?.read_nis()?;
    step(
        &clock,
        loc,
        &line(loc, "rx-card-tapped", &[("nis", nis.to_string().into())]),
    );
    let procedure = {
        let mut service = PukRecovery::open(
            &mut store,
            &registry,
            &mut sms,
            &clock,
            ServiceSecret::from_bytes(secret),
            config,
        )?;
        let challenge = service.challenge(SERIAL, &mut rng)?;
        let proof = prove_possession(&mut card, &challenge)?;
        step(
            &clock,
            loc,
            &line(
                loc,
                "rx-challenge-signed",
                &[("bytes", proof.signature.len().into())],
            ),
        );
        let typed = Contacts {
            email: Some(EmailAddress::parse("Mario.Rossi@example.it")?),
            mobile: Some(MobileNumber::parse("333 1234567")?),
        };
        let outcome = service.request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial: SERIAL,
                nis: nis.as_str(),
                contacts: &typed,
                proof: &proof,
                device_key: &device_key,
            },
            &mut rng,
        )?;
        let RequestOutcome::Accepted {
            procedure,
            not_before,
        } = outcome
        else {
            return Err(format!("{outcome:?}").into());
        };
        step(
            &clock,
            loc,
            &line(
                loc,
                "rx-request-accepted",
                &[
                    ("procedure", procedure.to_string().into()),
                    (
                        "hours",
                        (not_before.0.saturating_sub(clock.now().0) / HOUR).into(),
                    ),
                ],
            ),
        );

        // 2. Waiting. A day later: nothing is due.
        clock.advance(24 * HOUR);
        let report = service.tick(&mut rng)?;
        step(
            &clock,
            loc,
            &line(loc, "rx-tick", &[("sent", report.codes_sent.into())]),
        );
        procedure
    };

    // 3. The service restarts with its clock set back by 5 hours: nothing is lost or re-based.
    clock.set(Timestamp(clock.now().0.saturating_sub(FIVE_HOURS)));
    let mut service = PukRecovery::open(
        &mut store,
        &registry,
        &mut sms,
        &clock,
        ServiceSecret::from_bytes(secret),
        config,
    )?;
    step(&clock, loc, &line(loc, "rx-restarted", &[]));
    let challenge = service.challenge(SERIAL, &mut rng)?;
    let proof = prove_possession(&mut card, &challenge)?;
    let guess = CompletionCode::parse("00000000")?;
    let early = service.complete(&procedure, &guess, &proof, &mut rng)?;
    if let CompletionOutcome::Refused(r) = &early {
        step(
            &clock,
            loc,
            &line(loc, "rx-early-refused", &[("reason", loc.text(r).into())]),
        );
    }

    // 4. 48 hours after the request (by the highest time seen): the SMS with the code.
    clock.set(Timestamp(DUE));
    let report = service.tick(&mut rng)?;
    step(
        &clock,
        loc,
        &line(loc, "rx-tick", &[("sent", report.codes_sent.into())]),
    );
    let body = service
        .notifier()
        .sent
        .last()
        .ok_or("no SMS")?
        .body
        .to_string();
    println!(
        "           {}",
        line(loc, "rx-sms", &[("body", body.clone().into())])
    );
    let code_text: String = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 8)
        .ok_or("no code in the SMS")?
        .to_string();

    // 5. Completion: the code and a fresh card signature.
    let challenge = service.challenge(SERIAL, &mut rng)?;
    let proof = prove_possession(&mut card, &challenge)?;
    let outcome = service.complete(
        &procedure,
        &CompletionCode::parse(&code_text)?,
        &proof,
        &mut rng,
    )?;
    let CompletionOutcome::Released(sealed) = outcome else {
        return Err(format!("{outcome:?}").into());
    };
    step(
        &clock,
        loc,
        &line(
            loc,
            "rx-released",
            &[
                ("first", sealed.first.len().into()),
                ("second", sealed.second.len().into()),
            ],
        ),
    );

    // 6. The app opens the PUK and unblocks the PIN on the card.
    let id = procedure.to_hex();
    let first = device_private.decrypt(
        Oaep::<Sha256>::new_with_label(DeviceKey::label(&id, Half::First)),
        &sealed.first,
    )?;
    let second = device_private.decrypt(
        Oaep::<Sha256>::new_with_label(DeviceKey::label(&id, Half::Second)),
        &sealed.second,
    )?;
    let puk = Puk::from_ascii(&[first, second].concat())?;
    assert_eq!(puk.expose_ascii(), PUK.as_bytes());
    step(&clock, loc, &line(loc, "rx-puk-opened", &[]));
    let new_pin = Pin::new("24681357")?;
    let mut cie = Cie::new(&mut card)?;
    cie.open()?.unblock_pin(&puk, &new_pin)?;
    drop(cie);
    step(
        &clock,
        loc,
        &line(
            loc,
            "rx-pin-unblocked",
            &[("tries", card.pin_tries_left().into())],
        ),
    );

    // 7. A second completion releases nothing.
    let challenge = service.challenge(SERIAL, &mut rng)?;
    let proof = prove_possession(&mut card, &challenge)?;
    let again = service.complete(
        &procedure,
        &CompletionCode::parse(&code_text)?,
        &proof,
        &mut rng,
    )?;
    if let CompletionOutcome::Refused(r) = again {
        step(
            &clock,
            loc,
            &line(loc, "rx-second-refused", &[("reason", loc.text(&r).into())]),
        );
    }

    println!("\n{}", line(loc, "rx-journal", &[]));
    for e in service.journal()? {
        let rules: Vec<String> = e.rules.iter().map(ToString::to_string).collect();
        println!(
            "  #{:<2} t={} {:<20} [{}] {}",
            e.seq,
            e.time.0,
            e.kind.as_str(),
            rules.join(","),
            e.detail
        );
    }
    Ok(())
}
