//! Costs of the PUK self-recovery service: a request (challenge, servizi signature check,
//! contact match, commit), a completion (signature check, keyed-hash check, RSA-OAEP sealing
//! of both halves, commit), and a tick over 1,000 pending procedures with nothing due. The
//! card's signatures are made in the untimed setup. Every setup must succeed and every timed
//! request and completion must be accepted (the bench panics otherwise), so that the figures
//! are those of the full accepting path, not of an early refusal.

#![allow(clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use cie_pinpuk::Puk;
use cie_pinpuk::auth::{CardPublicKey, KeyKind, sign_servizi, test_keys};
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{ManualClock, Timestamp};
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::policy::{Contacts, MobileNumber};
use cie_pinpuk::recovery::{
    CardRecord, CompletionCode, CompletionOutcome, DeviceKey, MemoryRecoveryStore, MemoryRegistry,
    PossessionProof, PukRecovery, RecoveryConfig, RecoveryRequest, RequestOutcome, ServiceSecret,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const T0: u64 = 1_780_272_000;
const H48: u64 = 48 * 3600;

fn serial(i: u32) -> String {
    format!("CA{:05}AB", i % 100_000)
}

fn registry(cards: u32) -> Option<MemoryRegistry> {
    let key = CardPublicKey::from_components(
        &test_keys::SERVIZI_N,
        &test_keys::SERVIZI_E,
        KeyKind::Servizi,
    )
    .ok()?;
    let mut reg = MemoryRegistry::new();
    for i in 0..cards {
        reg.insert(
            &serial(i),
            CardRecord {
                nis: "123456789012".into(),
                servizi_key: key.clone(),
                contacts: Contacts {
                    email: None,
                    mobile: MobileNumber::parse("+39 333 1234567").ok(),
                },
            },
            Puk::new("87654321").ok()?,
        );
    }
    Some(reg)
}

fn device_key() -> Option<DeviceKey> {
    // The modulus of the emulator's chip key stands in for a device key (public material).
    DeviceKey::from_components(&test_keys::CHIP_N, &test_keys::CHIP_E).ok()
}

fn bench(c: &mut Criterion) {
    let (Some(reg), Some(dev), Ok(card)) = (registry(1000), device_key(), test_keys::servizi_key())
    else {
        return;
    };
    let typed = Contacts {
        email: None,
        mobile: MobileNumber::parse("3331234567").ok(),
    };
    let mut g = c.benchmark_group("recovery");

    g.bench_function("request", |b| {
        b.iter_batched(
            || {
                let mut rng = ChaCha20Rng::seed_from_u64(1);
                let mut svc = PukRecovery::open(
                    MemoryRecoveryStore::new(),
                    &reg,
                    RecordingNotifier::new(),
                    ManualClock::new(Timestamp(T0)),
                    ServiceSecret::from_bytes([1; 32]),
                    RecoveryConfig::default(),
                )
                .ok()?;
                let ch = svc.challenge(&serial(0), &mut rng).ok()?;
                let sig = sign_servizi(&card, ch.as_bytes(), &mut rng).ok()?;
                Some((
                    svc,
                    PossessionProof {
                        challenge: ch,
                        signature: sig,
                    },
                    rng,
                ))
            },
            |setup| {
                if let Some((mut svc, proof, mut rng)) = setup {
                    let s = serial(0);
                    let req = RecoveryRequest {
                        code: CodeKind::Puk,
                        serial: &s,
                        nis: "123456789012",
                        contacts: &typed,
                        proof: &proof,
                        device_key: &dev,
                    };
                    let outcome = black_box(svc.request(&req, &mut rng));
                    assert!(
                        matches!(outcome, Ok(RequestOutcome::Accepted { .. })),
                        "timed request not accepted: {outcome:?}"
                    );
                } else {
                    panic!("request setup failed");
                }
            },
            BatchSize::SmallInput,
        );
    });

    g.bench_function("complete", |b| {
        b.iter_batched(
            || {
                let mut rng = ChaCha20Rng::seed_from_u64(2);
                let clock = ManualClock::new(Timestamp(T0));
                let mut svc = PukRecovery::open(
                    MemoryRecoveryStore::new(),
                    &reg,
                    RecordingNotifier::new(),
                    clock,
                    ServiceSecret::from_bytes([1; 32]),
                    RecoveryConfig::default(),
                )
                .ok()?;
                let s = serial(0);
                let ch = svc.challenge(&s, &mut rng).ok()?;
                let sig = sign_servizi(&card, ch.as_bytes(), &mut rng).ok()?;
                let proof = PossessionProof {
                    challenge: ch,
                    signature: sig,
                };
                let req = RecoveryRequest {
                    code: CodeKind::Puk,
                    serial: &s,
                    nis: "123456789012",
                    contacts: &typed,
                    proof: &proof,
                    device_key: &dev,
                };
                let RequestOutcome::Accepted { procedure, .. } =
                    svc.request(&req, &mut rng).ok()?
                else {
                    return None;
                };
                let (st, r, n, c) = svc.into_parts();
                c.set(Timestamp(T0 + H48));
                let mut svc = PukRecovery::open(
                    st,
                    r,
                    n,
                    c,
                    ServiceSecret::from_bytes([1; 32]),
                    RecoveryConfig::default(),
                )
                .ok()?;
                svc.tick(&mut rng).ok()?;
                let body = svc.notifier().sent.last()?.body.to_string();
                let digits = body
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 8)?;
                let code = CompletionCode::parse(digits).ok()?;
                let ch = svc.challenge(&s, &mut rng).ok()?;
                let sig = sign_servizi(&card, ch.as_bytes(), &mut rng).ok()?;
                Some((
                    svc,
                    procedure,
                    code,
                    PossessionProof {
                        challenge: ch,
                        signature: sig,
                    },
                    rng,
                ))
            },
            |setup| {
                if let Some((mut svc, id, code, proof, mut rng)) = setup {
                    let outcome = black_box(svc.complete(&id, &code, &proof, &mut rng));
                    assert!(
                        matches!(outcome, Ok(CompletionOutcome::Released(_))),
                        "timed completion not accepted: {outcome:?}"
                    );
                } else {
                    panic!("completion setup failed");
                }
            },
            BatchSize::SmallInput,
        );
    });

    // 1,000 pending procedures, none due: the cost of a periodic tick.
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let clock = ManualClock::new(Timestamp(T0));
    let Ok(mut svc) = PukRecovery::open(
        MemoryRecoveryStore::new(),
        &reg,
        RecordingNotifier::new(),
        &clock,
        ServiceSecret::from_bytes([1; 32]),
        RecoveryConfig::default(),
    ) else {
        return;
    };
    for i in 0..1000 {
        let s = serial(i);
        let Ok(ch) = svc.challenge(&s, &mut rng) else {
            return;
        };
        let Ok(sig) = sign_servizi(&card, ch.as_bytes(), &mut rng) else {
            return;
        };
        let proof = PossessionProof {
            challenge: ch,
            signature: sig,
        };
        let req = RecoveryRequest {
            code: CodeKind::Puk,
            serial: &s,
            nis: "123456789012",
            contacts: &typed,
            proof: &proof,
            device_key: &dev,
        };
        let _ = svc.request(&req, &mut rng);
    }
    let mut t = T0;
    g.bench_function("tick_1000_pending", |b| {
        b.iter(|| {
            t = t.saturating_add(1);
            clock.set(Timestamp(t));
            let _ = black_box(svc.tick(&mut rng));
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    targets = bench
}
criterion_main!(benches);
