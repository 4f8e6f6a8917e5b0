//! I6 as a property (docs/rules.md I6, P3; docs/testing.md P-POL5): no sequence of operations, clock
//! readings, restarts and store failures releases a PUK before 48 hours, or twice.
//!
//! The model keeps a real time that only moves forward and a clock reading `real + offset`
//! whose offset the sequence changes at will (backwards by up to 100 hours, or ahead). Two
//! statements are checked at every release:
//! - in clock time: the service's "now" (highest reading) is at least the stored request
//!   time + 48 h, the request time is never re-based, and "now" never goes back, across
//!   restarts too;
//! - in real time: when the clock was right at the request and never ran ahead afterwards
//!   (it may lag, i.e. go backwards, at will), at least 48 real hours have passed.
//!
//! Card signatures are the expensive part (RSA-2048 with the emulator's servizi key): the
//! challenges come from a dedicated RNG with a fixed seed in every case, so the k-th
//! challenge of every case is the same and its signature is computed once.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use std::collections::HashMap;
use std::sync::Mutex;

use cie_pinpuk::auth::{CardPublicKey, KeyKind, test_keys};
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::journal::{ManualClock, Timestamp};
use cie_pinpuk::notify::{Recipient, RecordingNotifier};
use cie_pinpuk::recovery::{
    CardRecord, Challenge, CompletionCode, CompletionOutcome, EventKind, MemoryRecoveryStore,
    MemoryRegistry, PossessionProof, ProcedureId, PukRecovery, RecoveryConfig, RecoveryRequest,
    RequestOutcome, verify_journal,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use recovery_support::*;

const CARDS: [(&str, &str, &str); 2] = [
    ("CA12345AB", "111111111111", "+39 333 0000001"),
    ("CA54321BA", "222222222222", "+39 333 0000002"),
];

#[derive(Clone, Debug)]
enum Op {
    /// Real time passes.
    Wait(u32),
    /// The clock's offset from real time changes (negative: behind).
    Offset(i64),
    Request {
        card: usize,
        good_contacts: bool,
    },
    Tick,
    Complete {
        proc: usize,
        right_code: bool,
        good_proof: bool,
    },
    Restart,
    FailNextWrite,
}

fn op() -> impl Strategy<Value = Op> {
    let h = 3600i64;
    prop_oneof![
        3 => (0u32..30 * 3600).prop_map(Op::Wait),
        2 => (47 * 3600u32..48 * 3600 + 60).prop_map(Op::Wait),
        2 => (0u32..7200).prop_map(Op::Wait),
        2 => prop_oneof![Just(0i64), -100 * h..=0, -100 * h..=100 * h].prop_map(Op::Offset),
        2 => (0usize..2, prop::bool::weighted(0.85))
            .prop_map(|(card, good_contacts)| Op::Request { card, good_contacts }),
        3 => Just(Op::Tick),
        3 => (0usize..2, prop::bool::weighted(0.7), prop::bool::weighted(0.85))
            .prop_map(|(proc, right_code, good_proof)| Op::Complete { proc, right_code, good_proof }),
        1 => Just(Op::Restart),
        1 => Just(Op::FailNextWrite),
    ]
}

/// Signatures of the k-th challenge of the fixed-seed challenge RNG.
fn cached_proof(challenge: &Challenge) -> PossessionProof {
    static CACHE: Mutex<Option<HashMap<[u8; 32], Vec<u8>>>> = Mutex::new(None);
    let mut guard = CACHE.lock().unwrap();
    let map = guard.get_or_insert_with(HashMap::new);
    let sig = map
        .entry(*challenge.as_bytes())
        .or_insert_with(|| sign(challenge).signature)
        .clone();
    PossessionProof {
        challenge: *challenge,
        signature: sig,
    }
}

fn registry2() -> MemoryRegistry {
    let mut reg = MemoryRegistry::new();
    let key = CardPublicKey::from_components(
        &test_keys::SERVIZI_N,
        &test_keys::SERVIZI_E,
        KeyKind::Servizi,
    )
    .unwrap();
    for (serial, nis, mobile) in CARDS {
        reg.insert(
            serial,
            CardRecord {
                nis: nis.into(),
                servizi_key: key.clone(),
                contacts: contacts(None, Some(mobile)),
            },
            cie_pinpuk::Puk::new(PUK).unwrap(),
        );
    }
    reg
}

struct Proc {
    id: ProcedureId,
    card: usize,
    requested_at: Timestamp,
    real_at_request: u64,
    exact_at_request: bool,
    ahead_since: bool,
    released: u32,
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let reg = registry2();
    let mut store = MemoryRecoveryStore::new();
    let mut notifier = RecordingNotifier::new();
    let clock = ManualClock::new(Timestamp(T0));
    let cfg = RecoveryConfig::default();
    let mut real = T0;
    let mut offset: i64 = 0;
    let mut challenge_rng = ChaCha20Rng::seed_from_u64(0);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut procs: Vec<Proc> = Vec::new();
    let mut last_hw: Option<Timestamp> = None;
    // The time of the last journaled decision: what a restart resumes from.
    let mut last_signed: Option<Timestamp> = None;
    let mut restarted = false;
    let device = device_key();

    let mut svc =
        Some(PukRecovery::open(&mut store, &reg, &mut notifier, &clock, secret(), cfg).unwrap());
    for op in ops {
        let s = svc.as_mut().unwrap();
        let reading = u64::try_from(i64::try_from(real).unwrap() + offset).unwrap();
        clock.set(Timestamp(reading));
        if offset > 0 {
            for p in procs.iter_mut() {
                p.ahead_since = true;
            }
        }
        match op {
            Op::Wait(secs) => real += u64::from(*secs),
            Op::Offset(o) => offset = (*o).max(-(i64::try_from(real).unwrap())),
            Op::Tick => {
                let _ = s.tick(&mut rng);
            }
            Op::Restart => {
                let (st, r, n, c) = svc.take().unwrap().into_parts();
                svc = Some(PukRecovery::open(st, r, n, c, secret(), cfg).unwrap());
                restarted = true;
                // A restart forgets the challenges: keep the challenge RNG in step with the
                // cache anyway (it is only a source of distinct challenges).
            }
            Op::FailNextWrite => s.store_mut().fail_next = 1,
            Op::Request {
                card,
                good_contacts,
            } => {
                let (serial, nis, mobile) = CARDS[*card];
                let typed = if *good_contacts {
                    contacts(None, Some(mobile))
                } else {
                    contacts(None, Some("+39 333 9999999"))
                };
                let Ok(ch) = s.challenge(serial, &mut challenge_rng) else {
                    continue;
                };
                let proof = cached_proof(&ch);
                let req = RecoveryRequest {
                    code: CodeKind::Puk,
                    serial,
                    nis,
                    contacts: &typed,
                    proof: &proof,
                    device_key: &device,
                };
                if let Ok(RequestOutcome::Accepted {
                    procedure,
                    not_before,
                }) = s.request(&req, &mut rng)
                {
                    prop_assert!(*good_contacts);
                    let stored = s.procedure(&procedure).unwrap().requested_at;
                    prop_assert_eq!(Some(stored), s.high_water());
                    prop_assert_eq!(not_before.0, stored.0 + H48);
                    procs.push(Proc {
                        id: procedure,
                        card: *card,
                        requested_at: stored,
                        real_at_request: real,
                        exact_at_request: offset == 0,
                        ahead_since: offset > 0,
                        released: 0,
                    });
                }
            }
            Op::Complete {
                proc,
                right_code,
                good_proof,
            } => {
                let Some(p) = procs.get(*proc) else { continue };
                let (serial, _, mobile) = CARDS[p.card];
                let national = mobile.replace(' ', "");
                // The last code sent to this card's phone belongs to its open procedure.
                let sent_code = s.notifier().sent.iter().rev().find_map(|m| match &m.to {
                    Recipient::Sms(n) if n.as_str() == national => Some(m.body.to_string()),
                    _ => None,
                });
                let code = match (sent_code, *right_code) {
                    (Some(body), true) => {
                        let digits: String = body
                            .split(|c: char| !c.is_ascii_digit())
                            .find(|w| w.len() == 8)
                            .unwrap()
                            .to_string();
                        CompletionCode::parse(&digits).unwrap()
                    }
                    _ => CompletionCode::parse(&format!("{:08}", rng.next_u32() % 100_000_000))
                        .unwrap(),
                };
                let Ok(ch) = s.challenge(serial, &mut challenge_rng) else {
                    continue;
                };
                let mut proof = cached_proof(&ch);
                if !*good_proof {
                    proof.signature[0] ^= 0x40;
                }
                let id = p.id;
                if let Ok(CompletionOutcome::Released(_)) = s.complete(&id, &code, &proof, &mut rng)
                {
                    let now = s.high_water().unwrap();
                    let p = &mut procs[*proc];
                    p.released += 1;
                    // Once only.
                    prop_assert_eq!(p.released, 1, "released twice");
                    // Clock time: at least 48 h after the stored, never re-based request time.
                    prop_assert!(
                        now.0 >= p.requested_at.0 + H48,
                        "released at {} for a request at {}",
                        now.0,
                        p.requested_at.0
                    );
                    // Real time, for a clock right at the request and never ahead since.
                    if p.exact_at_request && !p.ahead_since {
                        prop_assert!(
                            real >= p.real_at_request + H48,
                            "released after {} real seconds",
                            real - p.real_at_request
                        );
                    }
                }
            }
        }
        let s = svc.as_ref().unwrap();
        // "Now" never goes back while the service runs, and a restart resumes from the time
        // of the last journaled decision (the signed head's), never earlier; request times
        // are never re-based.
        let hw = s.high_water();
        if restarted {
            prop_assert!(hw >= last_signed, "high water went back past a decision");
            restarted = false;
        } else {
            prop_assert!(hw >= last_hw, "high water went back");
        }
        last_hw = hw;
        last_signed = s.signed_head().map(|h| h.time);
        prop_assert_eq!(last_signed.is_some(), s.journal().unwrap().last().is_some());
        for p in &procs {
            prop_assert_eq!(s.procedure(&p.id).unwrap().requested_at, p.requested_at);
        }
    }
    let s = svc.take().unwrap();
    let journal = s.journal().unwrap();
    prop_assert_eq!(verify_journal(&journal), Ok(()));
    for p in &procs {
        let n = journal
            .iter()
            .filter(|e| e.kind == EventKind::Released && e.procedure == Some(p.id))
            .count();
        prop_assert_eq!(n as u32, p.released);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn i6_no_sequence_of_operations_and_clock_readings_releases_early_or_twice(
        ops in prop::collection::vec(op(), 1..40)
    ) {
        run(&ops)?;
    }
}
