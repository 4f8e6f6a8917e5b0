//! How the costs of the desk journal and of the recovery service grow with the history kept:
//! each operation timed at 10^3, 10^4, 10^5 and 10^6 records in the store, in memory and in
//! SQLite (file-backed, WAL, `synchronous = FULL`), the sizes interleaved round by round so
//! the machine's noise falls on all of them alike. Prints the median time per operation and
//! the ratio of the largest size to the smallest.
//!
//! Run: `nice -n 10 cargo bench --features emulator,sqlite --bench stores`
//! (`STORES_SIZES=1000,10000` to choose the sizes, `STORES_ROUNDS=5` the rounds,
//! `STORES_PARTS=desk-memory,desk-sqlite,recovery-memory,recovery-sqlite` the parts).
//!
//! Rows: desk commit, pending, entry lookup, inclusion and consistency proof (each checked
//! as an auditor would), open, dispatch with nothing due; recovery open (100 open
//! procedures), request, tick with nothing due, challenge, lookup of a final procedure, and
//! complete (a code sent 48 hours after the request, a fresh card proof, the PUK released).
//!
//! The history is imported in bulk (one transaction per 50,000 records): its entries are
//! sealed and its intermediate heads signed by a null signer, only the last entry and the
//! last head by the real key, which is all that opening the store checks. The timed
//! operations use the real keys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cie_pinpuk::Puk;
use cie_pinpuk::auth::{CardPrivateKey, CardPublicKey, KeyKind, sign_servizi, test_keys};
use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::issuance::InMemoryIssuance;
use cie_pinpuk::journal::merkle::{self, Frontier};
use cie_pinpuk::journal::{
    self, Commit, Entry, EntryKind, Journal, JournalStore, ManualClock, MemoryStore, OrderSigner,
    SignedHead, SignerError, SoftwareSigner, SqliteStore, Timestamp, to_letters,
};
use cie_pinpuk::notify::{IdempotencyKey, OutboxRecord, OutboxState, RecordingNotifier};
use cie_pinpuk::policy::{Contacts, EmailAddress, MobileNumber, Preset, Profile, RuleId};
use cie_pinpuk::recovery::{
    CardRecord, CompletionCode, CompletionOutcome, DeviceKey, EventKind, MemoryRecoveryStore,
    MemoryRegistry, PossessionProof, ProcedureId, ProcedureRecord, ProcedureState, PukRecovery,
    RecoveryCommit, RecoveryConfig, RecoveryEvent, RecoveryRequest, RecoveryStore, ServiceSecret,
    SqliteRecoveryStore, journal_signer,
};
use p256::ecdsa::VerifyingKey;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

const T0: u64 = 1_780_272_000;
const CHUNK: u64 = 50_000;
/// Open recovery procedures in every store, whatever its history.
const OPEN: u32 = 100;
/// Requests timed per size and round.
const REQS: u32 = 20;

struct NullSigner(VerifyingKey);

impl OrderSigner for NullSigner {
    fn sign(&self, _: &[u8]) -> Result<[u8; 64], SignerError> {
        Ok([0; 64])
    }
    fn verifying_key(&self) -> VerifyingKey {
        self.0
    }
}

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x5a; 32]).unwrap()
}

fn secret() -> ServiceSecret {
    ServiceSecret::from_bytes([1; 32])
}

fn email() -> EmailAddress {
    EmailAddress::parse("mario.rossi@example.it").unwrap()
}

/// Imports `n` desk entries: decisions, and every fourth a reprint order with an outbox record
/// that the next entry marks sent (so nothing is pending).
fn populate_desk(store: &mut dyn JournalStore, n: u64) {
    let real = officer();
    let null = NullSigner(real.verifying_key());
    let mut frontier = Frontier::default();
    let mut last: Option<(u64, [u8; 32])> = None;
    let mut seq = 0u64;
    while seq < n {
        let end = (seq + CHUNK).min(n);
        let mut rows = Vec::new();
        while seq < end {
            seq += 1;
            let signer: &dyn OrderSigner = if seq == n { &real } else { &null };
            let key = |s: u64| {
                IdempotencyKey::derive("CA00000AA", s, CodeKind::Pin, Half::Second, &email())
            };
            let (kind, outbox, mark) = match seq % 4 {
                1 => (
                    EntryKind::ReprintOrdered,
                    vec![OutboxRecord {
                        key: key(seq),
                        card: "CA00000AA".into(),
                        code: CodeKind::Pin,
                        half: Half::Second,
                        to: email(),
                        state: OutboxState::Pending,
                        language: "it".into(),
                        failure: None,
                    }],
                    None,
                ),
                2 => (EntryKind::NotificationSent, vec![], Some(key(seq - 1))),
                _ => (EntryKind::Decision, vec![], None),
            };
            let e = Entry::seal(
                last,
                Timestamp(T0 + seq),
                kind,
                vec![RuleId::R1],
                "CA00000AA",
                &format!("step={seq}"),
                signer,
            )
            .unwrap();
            let blocks = frontier.push(merkle::leaf_hash(&e.hash));
            let head = SignedHead::sign(seq, frontier.root(), e.time, signer).unwrap();
            last = Some((e.seq, e.hash));
            rows.push((e, outbox, mark, blocks, head));
        }
        let commits: Vec<Commit<'_>> = rows
            .iter()
            .map(|(e, o, m, b, h)| Commit {
                entry: e,
                new_outbox: o,
                mark_sent: m.as_ref(),
                blocks: b,
                head: h,
            })
            .collect();
        store.commit_all(&commits).unwrap();
    }
}

fn serial(i: u32) -> String {
    format!("CA{:05}AB", i)
}

fn device_key() -> DeviceKey {
    DeviceKey::from_components(&test_keys::CHIP_N, &test_keys::CHIP_E).unwrap()
}

fn proc_id(i: u64) -> ProcedureId {
    ProcedureId::from_hex(&format!("{:032x}", i + 1)).unwrap()
}

/// Imports `n` recovery records: `OPEN` accepted requests still pending, then refused
/// requests, and every tenth record a procedure that expired (kept in the table).
fn populate_recovery(store: &mut dyn RecoveryStore, n: u64) {
    let signer = journal_signer(&secret());
    let null = NullSigner(signer.verifying_key());
    let dev = device_key();
    let mut frontier = Frontier::default();
    let mut prev = [0u8; 32];
    let mut seq = 0u64;
    while seq < n {
        let end = (seq + CHUNK).min(n);
        let mut rows = Vec::new();
        while seq < end {
            seq += 1;
            let (kind, proc) = if seq <= u64::from(OPEN) {
                let mut p = ProcedureRecord {
                    id: proc_id(seq),
                    serial: serial(u32::try_from(seq - 1).unwrap()),
                    requested_at: Timestamp(T0),
                    device_key: dev.clone(),
                    state: ProcedureState::Pending,
                    wrong_completions: 0,
                    code: None,
                    closed_at: None,
                    journal_seq: seq,
                };
                p.journal_seq = seq;
                (EventKind::RequestAccepted, Some(p))
            } else if seq.is_multiple_of(10) {
                let p = ProcedureRecord {
                    id: proc_id(seq),
                    serial: serial(99_999),
                    requested_at: Timestamp(T0 - 30 * 86_400),
                    device_key: dev.clone(),
                    state: ProcedureState::Expired,
                    wrong_completions: 0,
                    code: None,
                    closed_at: Some(Timestamp(T0)),
                    journal_seq: seq,
                };
                (EventKind::Expired, Some(p))
            } else {
                (EventKind::RequestRefused, None)
            };
            let mut detail = String::from("reason=no-match");
            if let Some(p) = &proc {
                detail = format!(
                    "requested_at={} record={}",
                    p.requested_at.0,
                    to_letters(&p.digest())
                );
            }
            let mut e = RecoveryEvent {
                seq,
                time: Timestamp(T0),
                kind,
                procedure: proc.as_ref().map(|p| p.id),
                card: serial(0),
                rules: vec![RuleId::P1],
                detail,
                prev,
                hash: [0; 32],
            };
            e.hash = e.content_hash();
            prev = e.hash;
            let blocks = frontier.push(merkle::leaf_hash(&e.hash));
            let s: &dyn OrderSigner = if seq == n { &signer } else { &null };
            let head = (seq == n || seq.is_multiple_of(1000))
                .then(|| SignedHead::sign(seq, frontier.root(), Timestamp(T0), s).unwrap());
            rows.push((e, proc, blocks, head));
        }
        let commits: Vec<RecoveryCommit<'_>> = rows
            .iter()
            .map(|(e, p, b, h)| RecoveryCommit {
                high_water: Timestamp(T0),
                procedure: p.as_ref(),
                events: std::slice::from_ref(e),
                blocks: b,
                head: h.as_ref(),
            })
            .collect();
        store.commit_all(&commits).unwrap();
    }
}

fn registry() -> MemoryRegistry {
    let key = CardPublicKey::from_components(
        &test_keys::SERVIZI_N,
        &test_keys::SERVIZI_E,
        KeyKind::Servizi,
    )
    .unwrap();
    let mut reg = MemoryRegistry::new();
    for i in 0..(OPEN + 1000) {
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
            Puk::new("87654321").unwrap(),
        );
    }
    reg
}

/// Median of the per-operation times of each round.
#[derive(Default, Clone)]
struct Samples(Vec<Duration>);

impl Samples {
    fn add(&mut self, total: Duration, ops: u32) {
        self.0.push(total / ops.max(1));
    }
    fn median(&self) -> Duration {
        let mut v = self.0.clone();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    }
}

fn fmt(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns >= 10_000_000 {
        format!("{:.1} ms", ns as f64 / 1e6)
    } else if ns >= 10_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{ns} ns")
    }
}

struct Table {
    sizes: Vec<u64>,
    rows: Vec<(String, Vec<Samples>)>,
}

impl Table {
    fn row(&mut self, name: &str) -> usize {
        if let Some(i) = self.rows.iter().position(|(n, _)| n == name) {
            return i;
        }
        self.rows
            .push((name.into(), vec![Samples::default(); self.sizes.len()]));
        self.rows.len() - 1
    }
    fn add(&mut self, name: &str, size: usize, total: Duration, ops: u32) {
        let r = self.row(name);
        self.rows[r].1[size].add(total, ops);
    }
    fn print(&self) {
        print!("| operation |");
        for s in &self.sizes {
            print!(" {s} |");
        }
        println!(" ratio {}/{} |", self.sizes.last().unwrap(), self.sizes[0]);
        print!("|---|");
        for _ in &self.sizes {
            print!("---|");
        }
        println!("---|");
        for (name, samples) in &self.rows {
            print!("| {name} |");
            for s in samples {
                print!(" {} |", fmt(s.median()));
            }
            let first = samples[0].median().as_nanos().max(1) as f64;
            let last = samples.last().unwrap().median().as_nanos() as f64;
            println!(" {:.2} |", last / first);
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let r = black_box(f());
    (t.elapsed(), r)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cie-stores-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn remove_db(p: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut s = p.to_path_buf().into_os_string();
        s.push(suffix);
        let _ = std::fs::remove_file(s);
    }
}

/// The desk side: the journal over each store, then a desk over it for the dispatch.
fn desk_bench(table: &mut Table, rounds: usize, backends: &[&str]) {
    let sizes = table.sizes.clone();
    let key = officer().verifying_key();
    let clock = ManualClock::new(Timestamp(T0 + 10_000_000));
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for &backend in backends {
        eprintln!("desk/{backend}: populating");
        let mut journals: Vec<Journal<Box<dyn JournalStore>>> = Vec::new();
        let mut paths = Vec::new();
        for &n in &sizes {
            let mut store: Box<dyn JournalStore> = if backend == "memory" {
                Box::new(MemoryStore::new())
            } else {
                let p = tmp(&format!("desk-{n}.sqlite"));
                remove_db(&p);
                paths.push(p.clone());
                Box::new(SqliteStore::open(&p).unwrap())
            };
            let t = Instant::now();
            populate_desk(&mut *store, n);
            eprintln!("  {n} entries in {:.1} s", t.elapsed().as_secs_f64());
            journals.push(Journal::open(store, &key).unwrap());
        }
        let signer = officer();
        for _ in 0..rounds {
            for (i, j) in journals.iter_mut().enumerate() {
                let ops = 20;
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        j.append(
                            &clock,
                            &signer,
                            EntryKind::Decision,
                            vec![RuleId::R1],
                            "CA00000AA",
                            "outcome=allowed",
                            &[],
                            None,
                        )
                        .unwrap();
                    }
                });
                table.add(&format!("desk commit ({backend})"), i, d, ops);
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        black_box(j.store().pending().unwrap());
                    }
                });
                table.add(&format!("desk pending ({backend})"), i, d, ops);
                let size = j.signed_head().unwrap().size;
                let head = j.signed_head().unwrap();
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        let seq = 1 + rng.next_u64() % size;
                        let p = j.inclusion_proof(seq).unwrap();
                        let e = j.entry(seq).unwrap().unwrap();
                        journal::verify_inclusion(&key, &head, &e.hash, &p).unwrap();
                    }
                });
                table.add(&format!("inclusion proof + check ({backend})"), i, d, ops);
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        let seq = 1 + rng.next_u64() % size;
                        black_box(j.entry(seq).unwrap().unwrap());
                    }
                });
                table.add(&format!("desk entry lookup ({backend})"), i, d, ops);
                // The heads an auditor kept: looked up here (their own row), then the proof
                // from each to the current head, and its check.
                let (d, olds) = timed(|| {
                    (0..ops)
                        .map(|_| {
                            let old_size = 1 + rng.next_u64() % size;
                            j.head_at(old_size).unwrap().unwrap()
                        })
                        .collect::<Vec<_>>()
                });
                table.add(&format!("signed head lookup ({backend})"), i, d, ops);
                let (d, _) = timed(|| {
                    for old in &olds {
                        let p = j.consistency_proof(old.size).unwrap();
                        // Intermediate heads of the import are not signed: check the tree.
                        assert!(merkle::verify_consistency(
                            old.size, head.size, &old.root, &head.root, &p.path
                        ));
                    }
                });
                table.add(&format!("consistency proof + check ({backend})"), i, d, ops);
            }
            // Open: memory over the same store; SQLite from the file.
            for (i, j) in journals.iter_mut().enumerate() {
                let ops = 5;
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        if backend == "memory" {
                            black_box(Journal::open(j.store_mut(), &key).unwrap());
                        } else {
                            let s = SqliteStore::open(&paths[i]).unwrap();
                            black_box(Journal::open(s, &key).unwrap());
                        }
                    }
                });
                table.add(&format!("open ({backend})"), i, d, ops);
            }
        }
        // Dispatch with nothing due, through the desk.
        let mut desks = Vec::new();
        for j in journals {
            let store = j.into_store();
            let desk = ReprintDesk::new(
                InMemoryIssuance::with_fixtures(key),
                RecordingNotifier::new(),
                Profile::preset(Preset::ResidentsWithDelegation)
                    .unwrap_or_else(|_| Profile::national()),
                Box::new(officer()),
            )
            .unwrap()
            .with_store(store)
            .unwrap();
            desks.push(desk);
        }
        for _ in 0..rounds {
            for (i, desk) in desks.iter_mut().enumerate() {
                let ops = 50;
                let (d, _) = timed(|| {
                    for _ in 0..ops {
                        assert!(desk.dispatch_pending().unwrap().is_empty());
                    }
                });
                table.add(&format!("dispatch, nothing due ({backend})"), i, d, ops);
            }
        }
        drop(desks);
        for p in &paths {
            remove_db(p);
        }
    }
}

type Svc<'a, S> = PukRecovery<S, &'a MemoryRegistry, RecordingNotifier, &'a ManualClock>;

#[allow(clippy::too_many_arguments)]
fn recovery_round<S: RecoveryStore>(
    table: &mut Table,
    backend: &str,
    i: usize,
    n: u64,
    svc: &mut Svc<'_, S>,
    next_card: &mut u32,
    card: &CardPrivateKey,
    rng: &mut ChaCha20Rng,
) {
    let typed = Contacts {
        email: None,
        mobile: MobileNumber::parse("3331234567").ok(),
    };
    let dev = device_key();
    let mut total = Duration::ZERO;
    for _ in 0..REQS {
        let s = serial(*next_card);
        *next_card += 1;
        let ch = svc.challenge(&s, rng).unwrap();
        let sig = sign_servizi(card, ch.as_bytes(), rng).unwrap();
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
        let (d, out) = timed(|| svc.request(&req, rng).unwrap());
        assert!(matches!(
            out,
            cie_pinpuk::recovery::RequestOutcome::Accepted { .. }
        ));
        total += d;
    }
    table.add(&format!("recovery request ({backend})"), i, total, REQS);
    let (d, _) = timed(|| {
        for _ in 0..50 {
            let r = svc.tick(rng).unwrap();
            assert_eq!(r.codes_sent + r.expired, 0);
        }
    });
    table.add(&format!("recovery tick, nothing due ({backend})"), i, d, 50);
    let (d, _) = timed(|| {
        for _ in 0..50 {
            black_box(svc.challenge(&serial(0), rng).unwrap());
        }
    });
    table.add(&format!("recovery challenge ({backend})"), i, d, 50);
    // A final (expired) procedure of the history: every tenth record after the open ones.
    let finals = (n / 10).saturating_sub(u64::from(OPEN) / 10);
    if finals == 0 {
        return;
    }
    let (d, _) = timed(|| {
        for _ in 0..50 {
            let seq = 10 * (u64::from(OPEN) / 10 + 1 + rng.next_u64() % finals);
            let p = svc.lookup(&proc_id(seq)).unwrap().unwrap();
            assert_eq!(p.state, ProcedureState::Expired);
        }
    });
    table.add(
        &format!("recovery lookup, final procedure ({backend})"),
        i,
        d,
        50,
    );
}

/// The completion code the service sent for procedure `id` (its first code).
fn code_for(n: &RecordingNotifier, id: &ProcedureId) -> CompletionCode {
    use sha2::{Digest, Sha256};
    let mut src = b"cie-pinpuk-recovery-notice-v1".to_vec();
    src.extend_from_slice(id.as_bytes());
    src.extend_from_slice(&1u32.to_be_bytes());
    let key = hex::encode(Sha256::digest(&src));
    let sent = n
        .sent
        .iter()
        .find(|s| s.key.as_str().eq_ignore_ascii_case(&key))
        .expect("a code was sent for the procedure");
    let body = sent.body.as_str();
    let b = body.as_bytes();
    let start = (0..b.len().saturating_sub(7))
        .find(|&k| b[k..k + 8].iter().all(u8::is_ascii_digit))
        .expect("a code in the message");
    CompletionCode::parse(&body[start..start + 8]).unwrap()
}

/// Completes `REQS` of the open procedures of the history (their codes sent by a tick 48 hours
/// after their request): a fresh card proof each (not timed), the completion timed.
fn complete_round<S: RecoveryStore>(
    table: &mut Table,
    backend: &str,
    i: usize,
    round: usize,
    svc: &mut Svc<'_, S>,
    card: &CardPrivateKey,
    rng: &mut ChaCha20Rng,
) {
    let mut total = Duration::ZERO;
    let mut ops = 0;
    for k in 0..REQS {
        let seq = u64::try_from(round).unwrap() * u64::from(REQS) + u64::from(k) + 1;
        if seq > u64::from(OPEN) {
            break;
        }
        let id = proc_id(seq);
        let s = serial(u32::try_from(seq - 1).unwrap());
        let code = code_for(svc.notifier(), &id);
        let ch = svc.challenge(&s, rng).unwrap();
        let signature = sign_servizi(card, ch.as_bytes(), rng).unwrap();
        let proof = PossessionProof {
            challenge: ch,
            signature,
        };
        let (d, out) = timed(|| svc.complete(&id, &code, &proof, rng).unwrap());
        assert!(matches!(out, CompletionOutcome::Released(_)));
        total += d;
        ops += 1;
    }
    if ops > 0 {
        table.add(&format!("recovery complete ({backend})"), i, total, ops);
    }
}

fn recovery_bench(table: &mut Table, rounds: usize, memory: bool, sqlite: bool) {
    let sizes = table.sizes.clone();
    let reg = registry();
    let card = test_keys::servizi_key().unwrap();
    let clock = ManualClock::new(Timestamp(T0 + 3600));
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let cfg = RecoveryConfig {
        challenge_ttl_secs: 1_000_000,
        ..RecoveryConfig::default()
    };
    // Memory.
    let mut stores: Vec<MemoryRecoveryStore> = Vec::new();
    if memory {
        eprintln!("recovery/memory: populating");
    }
    for &n in sizes.iter().filter(|_| memory) {
        let mut s = MemoryRecoveryStore::new();
        populate_recovery(&mut s, n);
        stores.push(s);
    }
    for round in 0..rounds {
        for (i, s) in stores.iter_mut().enumerate() {
            let (d, svc) = timed(|| {
                PukRecovery::open(
                    &mut *s,
                    &reg,
                    RecordingNotifier::new(),
                    &clock,
                    secret(),
                    cfg,
                )
                .unwrap()
            });
            table.add("recovery open (memory)", i, d, 1);
            let mut svc = svc;
            // New cards every round (each store gets the same ones).
            let mut next = OPEN + u32::try_from(round).unwrap() * REQS;
            recovery_round(
                table, "memory", i, sizes[i], &mut svc, &mut next, &card, &mut rng,
            );
        }
    }
    // Completion: 48 hours after the history's open requests, one service per store (the
    // tick that sends the codes is not timed), sizes interleaved per round.
    let later = ManualClock::new(Timestamp(T0 + 48 * 3600 + 120));
    let mut svcs: Vec<Svc<'_, &mut MemoryRecoveryStore>> = stores
        .iter_mut()
        .map(|s| {
            let mut svc =
                PukRecovery::open(s, &reg, RecordingNotifier::new(), &later, secret(), cfg)
                    .unwrap();
            assert_eq!(svc.tick(&mut rng).unwrap().codes_sent, OPEN as usize);
            svc
        })
        .collect();
    for round in 0..rounds {
        for (i, svc) in svcs.iter_mut().enumerate() {
            complete_round(table, "memory", i, round, svc, &card, &mut rng);
        }
    }
    drop(svcs);
    drop(stores);
    // SQLite, file-backed.
    if sqlite {
        eprintln!("recovery/sqlite: populating");
    }
    let mut paths = Vec::new();
    for &n in sizes.iter().filter(|_| sqlite) {
        let p = tmp(&format!("recovery-{n}.sqlite"));
        remove_db(&p);
        let mut s = SqliteRecoveryStore::open(&p).unwrap();
        let t = Instant::now();
        populate_recovery(&mut s, n);
        eprintln!("  {n} records in {:.1} s", t.elapsed().as_secs_f64());
        paths.push(p);
    }
    for round in 0..rounds {
        for (i, p) in paths.iter().enumerate() {
            let (d, svc) = timed(|| {
                let s = SqliteRecoveryStore::open(p).unwrap();
                PukRecovery::open(s, &reg, RecordingNotifier::new(), &clock, secret(), cfg).unwrap()
            });
            table.add("recovery open (sqlite)", i, d, 1);
            let mut svc = svc;
            let mut next = OPEN + u32::try_from(round).unwrap() * REQS;
            recovery_round(
                table, "sqlite", i, sizes[i], &mut svc, &mut next, &card, &mut rng,
            );
        }
    }
    let mut svcs: Vec<Svc<'_, SqliteRecoveryStore>> = paths
        .iter()
        .map(|p| {
            let s = SqliteRecoveryStore::open(p).unwrap();
            let mut svc =
                PukRecovery::open(s, &reg, RecordingNotifier::new(), &later, secret(), cfg)
                    .unwrap();
            assert_eq!(svc.tick(&mut rng).unwrap().codes_sent, OPEN as usize);
            svc
        })
        .collect();
    for round in 0..rounds {
        for (i, svc) in svcs.iter_mut().enumerate() {
            complete_round(table, "sqlite", i, round, svc, &card, &mut rng);
        }
    }
    drop(svcs);
    for p in &paths {
        remove_db(p);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, small.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<u64> = match std::env::var("STORES_SIZES") {
        Ok(s) => s.split(',').map(|x| x.trim().parse().unwrap()).collect(),
        Err(_) if quick => vec![100, 1000],
        Err(_) => vec![1_000, 10_000, 100_000, 1_000_000],
    };
    let rounds: usize = std::env::var("STORES_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 1 } else { 5 });
    let mut table = Table {
        sizes,
        rows: Vec::new(),
    };
    // STORES_PARTS: any of desk-memory, desk-sqlite, recovery-memory, recovery-sqlite.
    let parts = std::env::var("STORES_PARTS")
        .unwrap_or_else(|_| "desk-memory,desk-sqlite,recovery-memory,recovery-sqlite".into());
    let want = |p: &str| parts.split(',').any(|x| x.trim() == p);
    let backends: Vec<&str> = ["memory", "sqlite"]
        .into_iter()
        .filter(|b| want(&format!("desk-{b}")))
        .collect();
    desk_bench(&mut table, rounds, &backends);
    recovery_bench(
        &mut table,
        rounds,
        want("recovery-memory"),
        want("recovery-sqlite"),
    );
    table.print();
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("cie-stores-bench-{}", std::process::id())),
    );
}
