//! Shared fixtures of the recovery tests: a registered card (the virtual CIE's default
//! servizi key), a device key pair (tests/data/recovery_device_key.txt), the signature of
//! challenges, and the opening of a sealed PUK on the device side.
#![allow(
    clippy::arithmetic_side_effects,
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use cie_pinpuk::Puk;
use cie_pinpuk::auth::{CardPrivateKey, CardPublicKey, KeyKind, sign_servizi, test_keys};
use cie_pinpuk::codes::Half;
use cie_pinpuk::journal::{ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::policy::{Contacts, EmailAddress, MobileNumber};
use cie_pinpuk::recovery::{
    CardRecord, Challenge, CompletionCode, DeviceKey, MemoryRecoveryStore, MemoryRegistry,
    PossessionProof, PukRecovery, RecoveryConfig, SealedPuk, ServiceSecret,
};
use crypto_bigint::BoxedUint;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::{Oaep, PrivateKey};
use sha2::Sha256;
use std::sync::OnceLock;

pub const SERIAL: &str = "CA12345AB";
pub const OTHER_SERIAL: &str = "CA99999ZZ";
pub const NIS: &str = "123456789012";
pub const PUK: &str = "87654321";
pub const EMAIL: &str = "mario.rossi@example.it";
pub const MOBILE: &str = "+39 333 1234567";
/// 2026-06-01T00:00:00Z.
pub const T0: u64 = 1_780_272_000;
pub const H48: u64 = 48 * 3600;

pub type Service<'a> = PukRecovery<
    &'a mut MemoryRecoveryStore,
    &'a MemoryRegistry,
    &'a mut RecordingNotifier,
    &'a ManualClock,
>;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn contacts(email: Option<&str>, mobile: Option<&str>) -> Contacts {
    Contacts {
        email: email.map(|e| EmailAddress::parse(e).unwrap()),
        mobile: mobile.map(|m| MobileNumber::parse(m).unwrap()),
    }
}

pub fn servizi_public() -> CardPublicKey {
    CardPublicKey::from_components(
        &test_keys::SERVIZI_N,
        &test_keys::SERVIZI_E,
        KeyKind::Servizi,
    )
    .unwrap()
}

/// Another card's key: the chip DAPP key of the emulator (a valid RSA key, not the servizi one).
pub fn wrong_public() -> CardPublicKey {
    CardPublicKey::from_components(&test_keys::CHIP_N, &test_keys::CHIP_E, KeyKind::Servizi)
        .unwrap()
}

pub fn servizi_private() -> &'static CardPrivateKey {
    static KEY: OnceLock<CardPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| test_keys::servizi_key().unwrap())
}

/// The card's answer to `challenge` (what the virtual CIE computes).
pub fn sign(challenge: &Challenge) -> PossessionProof {
    let mut r = rng(7);
    PossessionProof {
        challenge: *challenge,
        signature: sign_servizi(servizi_private(), challenge.as_bytes(), &mut r).unwrap(),
    }
}

pub fn registry_with(c: Contacts) -> MemoryRegistry {
    let mut reg = MemoryRegistry::new();
    reg.insert(
        SERIAL,
        CardRecord {
            nis: NIS.into(),
            servizi_key: servizi_public(),
            contacts: c,
        },
        Puk::new(PUK).unwrap(),
    );
    reg
}

pub fn registry() -> MemoryRegistry {
    registry_with(contacts(Some(EMAIL), Some(MOBILE)))
}

fn key_file() -> std::collections::HashMap<String, Vec<u8>> {
    let text = include_str!("../data/recovery_device_key.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), hex::decode(v).unwrap())
        })
        .collect()
}

pub fn device_key() -> DeviceKey {
    let f = key_file();
    DeviceKey::from_components(&f["n"], &f["e"]).unwrap()
}

pub fn device_private() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let f = key_file();
        let big = |k: &str| BoxedUint::from_be_slice(&f[k], 2048).unwrap();
        PrivateKey::from_components(big("n"), big("e"), big("d"), vec![big("p"), big("q")]).unwrap()
    })
}

/// The device side: decrypts both halves with the labels of the procedure.
pub fn open_sealed(sealed: &SealedPuk, procedure: &str) -> String {
    let key = device_private();
    let first = key
        .decrypt(
            Oaep::<Sha256>::new_with_label(DeviceKey::label(procedure, Half::First)),
            &sealed.first,
        )
        .unwrap();
    let second = key
        .decrypt(
            Oaep::<Sha256>::new_with_label(DeviceKey::label(procedure, Half::Second)),
            &sealed.second,
        )
        .unwrap();
    String::from_utf8([first, second].concat()).unwrap()
}

pub fn secret() -> ServiceSecret {
    ServiceSecret::from_bytes([0x5A; 32])
}

pub fn open_service<'a>(
    store: &'a mut MemoryRecoveryStore,
    reg: &'a MemoryRegistry,
    notifier: &'a mut RecordingNotifier,
    clock: &'a ManualClock,
) -> Service<'a> {
    PukRecovery::open(
        store,
        reg,
        notifier,
        clock,
        secret(),
        RecoveryConfig::default(),
    )
    .unwrap()
}

pub fn clock() -> ManualClock {
    ManualClock::new(Timestamp(T0))
}

/// The 8-digit code in the last message sent.
pub fn last_code(n: &RecordingNotifier) -> CompletionCode {
    let body = n.sent.last().expect("a message was sent").body.as_str();
    let bytes = body.as_bytes();
    let start = (0..bytes.len().saturating_sub(7))
        .find(|&i| {
            bytes[i..i + 8].iter().all(u8::is_ascii_digit)
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
        })
        .expect("a code in the message");
    CompletionCode::parse(&body[start..start + 8]).unwrap()
}
