//! PUK self-recovery from request to release, on the virtual CIE, with a simulated clock.
//!
//! ```text
//! cargo run --example recovery --features emulator
//! ```
//!
//! The holder's app reads the NIS, has the card sign the service's challenge (servizi
//! internal authentication), and sends the serial, the NIS and the contacts. The service
//! waits 48 hours (a restart and a clock going backwards on the way change nothing), sends a
//! one-time code by SMS, and on completion with the code and a fresh card signature releases
//! the PUK sealed for the app's device key. The app opens it and unblocks the PIN.

use std::collections::HashMap;

use cie_pinpuk::auth::{CardPublicKey, KeyKind, test_keys};
use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::{CodeKind, Half, Pin, Puk};
use cie_pinpuk::emulator::VirtualCie;
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

fn step(clock: &ManualClock, text: &str) {
    let hours = clock.now().0.saturating_sub(START) as f64 / HOUR as f64;
    println!("[clock +{hours:>5.1} h] {text}");
}

fn main() -> Result<(), Failure> {
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
    step(&clock, &format!("app: card tapped, NIS {nis}"));
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
            &format!(
                "app: the card signed the challenge ({} bytes)",
                proof.signature.len()
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
            return Err(format!("request refused: {outcome:?}").into());
        };
        step(
            &clock,
            &format!(
                "service: request accepted, procedure {procedure}, PUK not before t={}",
                not_before.0
            ),
        );

        // 2. Waiting. A day later: nothing is due.
        clock.advance(24 * HOUR);
        let report = service.tick(&mut rng)?;
        step(
            &clock,
            &format!("service: tick, {} code(s) sent", report.codes_sent),
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
    step(&clock, "service: restarted, clock 5 h behind");
    let challenge = service.challenge(SERIAL, &mut rng)?;
    let proof = prove_possession(&mut card, &challenge)?;
    let guess = CompletionCode::parse("00000000")?;
    let early = service.complete(&procedure, &guess, &proof, &mut rng)?;
    if let CompletionOutcome::Refused(r) = &early {
        step(&clock, &format!("app: early completion refused: {r}"));
    }

    // 4. 48 hours after the request (by the highest time seen): the SMS with the code.
    clock.set(Timestamp(DUE));
    let report = service.tick(&mut rng)?;
    step(
        &clock,
        &format!("service: tick, {} code(s) sent", report.codes_sent),
    );
    let body = service
        .notifier()
        .sent
        .last()
        .ok_or("no SMS")?
        .body
        .to_string();
    println!("             SMS: {body}");
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
        return Err(format!("completion refused: {outcome:?}").into());
    };
    step(
        &clock,
        &format!(
            "service: PUK released, sealed for the device ({} + {} bytes)",
            sealed.first.len(),
            sealed.second.len()
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
    step(&clock, "app: PUK opened with the device key");
    let new_pin = Pin::new("24681357")?;
    let mut cie = Cie::new(&mut card)?;
    cie.open()?.unblock_pin(&puk, &new_pin)?;
    drop(cie);
    step(
        &clock,
        &format!(
            "app: PIN unblocked and changed; PIN tries left {}",
            card.pin_tries_left()
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
        step(&clock, &format!("app: second completion refused: {r}"));
    }

    println!("\njournal:");
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
