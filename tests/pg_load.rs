//! Load on one journal (feature `postgres`, with `sqlite` for the comparison):
//!
//! - `load_8_desk_processes_whole_log_checked`: 8 desk processes run requests against one
//!   PostgreSQL journal at once; then the whole log is checked (no gap, no fork, chain,
//!   signatures, every stored head consistent with the last, every e-mailed half marked sent
//!   exactly once). `CIE_PG_LOAD_ROUNDS` sets the requests per desk (default 10; each journals
//!   4 entries).
//! - `load_throughput_pg_processes_vs_sqlite`: journal appends per second with 1, 2, 4 and 8
//!   writers, PostgreSQL (one process per writer, one connection each, one log) and SQLite
//!   (file-backed, WAL, `synchronous = FULL`: one process, the writers as threads sharing the
//!   one journal, which is how SQLite serves several counters), measured side by side in one
//!   run, each size PostgreSQL then SQLite. Prints a table. `CIE_PG_LOAD_OPS` sets the
//!   appends per measurement (default 400); then the cost of one append at the start of a log
//!   and after `CIE_PG_LOAD_HISTORY` entries (default 1000).
//!
//! - `load_8_recovery_instances_whole_journal_checked`: 8 recovery service processes (one
//!   instance each, one connection each, one database) open `CIE_PG_LOAD_RECOVERY_ROUNDS`
//!   procedures each (default 3) at once, the database clock moves past 48 hours, all tick at
//!   once, then each completes its own procedures with the codes the others may have sent;
//!   then the whole recovery journal is checked (chain, signed head, every procedure with one
//!   request, one code issued and sent, one release).
//! - `load_throughput_recovery_pg_instances_vs_sqlite`: recovery operations per second (a
//!   request or a completion, each with its card challenge) with 1, 2, 4 and 8 instances,
//!   PostgreSQL (one process per instance) and SQLite (file-backed, one service shared by the
//!   threads: one SQLite file has one writer), side by side in one run.
//!   `CIE_PG_LOAD_RECOVERY_OPS` sets the procedures per cell (default 16).
//!
//! `scripts/pg-stack run -- nice -n 10 cargo test --release --features
//! postgres,sqlite,emulator,mock --test pg_load -- --nocapture --test-threads=1`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pg_support;
mod recovery_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance};
use cie_pinpuk::journal::{
    self, EntryKind, Journal, JournalStore, ManualClock, OrderSigner, PgStore, SoftwareSigner,
    SqliteStore, Timestamp,
};
use cie_pinpuk::notify::{OutboxState, RecordingNotifier};
use cie_pinpuk::policy::*;
use pg_support::*;

const CHILD_ENTRY: &str = "zz_child_process_entry";

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[7; 32]).unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(Timestamp(1_772_442_000))
}

fn append<S: JournalStore>(j: &mut Journal<S>, i: u64) {
    j.append(
        &clock(),
        &officer(),
        EntryKind::Decision,
        vec![RuleId::R1],
        "CA00000AA",
        &format!("step={i}"),
        &[],
        None,
    )
    .unwrap();
}

fn request() -> Request {
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut r = Request::new(Requester::Holder, Channel::Counter, at);
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.residence = Residence::Resident;
    // R5: the fixture mailbox is on a domain no list knows; the officer confirmed it ordinary.
    r.confirmed_ordinary = vec![EmailAddress::parse("mario.rossi@example.it").unwrap()];
    r.wanted = HalfSet::both(CodeKind::Pin);
    r
}

/// Waits for the go line on stdin (all children connected), then works.
fn wait_for_go() {
    println!("ready");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
}

#[test]
fn zz_child_process_entry() {
    let Some(role) = child_role() else {
        return; // only a child started by the tests below runs anything here
    };
    let url = std::env::var("CIE_PG_CHILD_URL").unwrap();
    let rounds: u64 = std::env::var("CIE_PG_CHILD_ROUNDS")
        .unwrap()
        .parse()
        .unwrap();
    match role.as_str() {
        "desk" => {
            let o = officer();
            let mut d = ReprintDesk::new(
                InMemoryIssuance::with_fixtures(o.verifying_key()),
                RecordingNotifier::new(),
                Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
                Box::new(o),
            )
            .unwrap()
            .with_clock(Box::new(clock()))
            .with_store(Box::new(PgStore::connect(&url).unwrap()))
            .unwrap();
            wait_for_go();
            let card = CardNumber::parse("CA00000AA").unwrap();
            for _ in 0..rounds {
                d.run(&card, request()).unwrap();
            }
        }
        "appender" => {
            let mut j =
                Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key()).unwrap();
            wait_for_go();
            for i in 0..rounds {
                append(&mut j, i);
            }
        }
        "recovery" => {
            let index: u64 = std::env::var("CIE_PG_CHILD_INDEX")
                .unwrap()
                .parse()
                .unwrap();
            let children: u64 = std::env::var("CIE_PG_CHILD_COUNT")
                .unwrap()
                .parse()
                .unwrap();
            recovery_child(&url, index, children, rounds);
        }
        other => panic!("unknown role {other}"),
    }
}

// --- recovery instances ---

use cie_pinpuk::notify::Recipient;
use cie_pinpuk::recovery::{
    CardRecord, CompletionCode, CompletionOutcome, EventKind, MemoryRegistry, PgRecoveryStore,
    ProcedureId, PukRecovery, RecoveryConfig, RecoveryRequest, RecoveryStore, RequestOutcome,
    SqliteRecoveryStore, verify_journal,
};
use recovery_support as rs;

/// The card of procedure `round` of instance `index`: its own serial and its own mailbox,
/// so that a code sent by any instance names its card.
fn card_serial(index: u64, round: u64) -> String {
    format!("CA{:05}AA", index * 1000 + round)
}

fn mailbox(serial: &str) -> String {
    format!("{}@example.it", serial.to_ascii_lowercase())
}

/// Every card of `children` instances × `rounds` procedures (the same in every process).
fn load_registry(children: u64, rounds: u64) -> MemoryRegistry {
    let mut reg = MemoryRegistry::new();
    for i in 0..children {
        for r in 0..rounds {
            let serial = card_serial(i, r);
            reg.insert(
                &serial,
                CardRecord {
                    nis: rs::NIS.into(),
                    servizi_key: rs::servizi_public(),
                    contacts: rs::contacts(Some(&mailbox(&serial)), None),
                },
                cie_pinpuk::Puk::new(rs::PUK).unwrap(),
            );
        }
    }
    reg
}

/// A challenge and a request for `serial`; the procedure accepted.
fn recovery_request<S: RecoveryStore>(
    svc: &mut PukRecovery<S, &MemoryRegistry, RecordingNotifier, ManualClock>,
    serial: &str,
    seed: u64,
) -> ProcedureId {
    let mut r = rs::rng(seed);
    let ch = svc.challenge(serial, &mut r).unwrap();
    let typed = rs::contacts(Some(&mailbox(serial)), None);
    let key = rs::device_key();
    match svc
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial,
                nis: rs::NIS,
                contacts: &typed,
                proof: &rs::sign(&ch),
                device_key: &key,
            },
            &mut r,
        )
        .unwrap()
    {
        RequestOutcome::Accepted { procedure, .. } => procedure,
        o => panic!("{o:?}"),
    }
}

/// A challenge and a completion; the PUK released.
fn recovery_complete<S: RecoveryStore>(
    svc: &mut PukRecovery<S, &MemoryRegistry, RecordingNotifier, ManualClock>,
    serial: &str,
    id: &ProcedureId,
    code: &CompletionCode,
    seed: u64,
) {
    let mut r = rs::rng(seed);
    let ch = svc.challenge(serial, &mut r).unwrap();
    match svc.complete(id, code, &rs::sign(&ch), &mut r).unwrap() {
        CompletionOutcome::Released(_) => {}
        CompletionOutcome::Refused(r) => panic!("{serial}: {r:?}"),
    }
}

/// `(serial, code digits)` of every message `n` sent.
fn sent_codes(n: &RecordingNotifier) -> Vec<(String, String)> {
    n.sent
        .iter()
        .map(|m| {
            let Recipient::Email(to) = &m.to else {
                panic!("the load cards have a mailbox only")
            };
            let serial = to.as_str().split('@').next().unwrap().to_ascii_uppercase();
            let b = m.body.as_bytes();
            let start = (0..b.len() - 7)
                .find(|&i| {
                    b[i..i + 8].iter().all(u8::is_ascii_digit)
                        && (i == 0 || !b[i - 1].is_ascii_digit())
                })
                .unwrap();
            (serial, m.body[start..start + 8].to_string())
        })
        .collect()
}

fn read_line() -> String {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    line.trim().to_string()
}

/// One recovery instance in its own process: requests, then (on `tick`) one tick printing
/// the codes it sent, then (after the `code SERIAL DIGITS` lines and `complete`) the
/// completions of its own procedures.
fn recovery_child(url: &str, index: u64, children: u64, rounds: u64) {
    let reg = load_registry(children, rounds);
    let mut svc = PukRecovery::open(
        PgRecoveryStore::connect(url).unwrap(),
        &reg,
        RecordingNotifier::new(),
        ManualClock::new(Timestamp(rs::T0)),
        rs::secret(),
        RecoveryConfig::default(),
    )
    .unwrap();
    wait_for_go();
    let ids: Vec<(String, ProcedureId)> = (0..rounds)
        .map(|r| {
            let serial = card_serial(index, r);
            let id = recovery_request(&mut svc, &serial, index * 1000 + r);
            (serial, id)
        })
        .collect();
    println!("requested");
    std::io::stdout().flush().unwrap();
    assert_eq!(read_line(), "tick");
    svc.tick(&mut rs::rng(index)).unwrap();
    for (serial, code) in sent_codes(svc.notifier()) {
        println!("code {serial} {code}");
    }
    println!("ticked");
    std::io::stdout().flush().unwrap();
    let mut codes = BTreeMap::new();
    loop {
        let line = read_line();
        if line == "complete" {
            break;
        }
        let mut w = line.split(' ');
        assert_eq!(w.next(), Some("code"));
        codes.insert(w.next().unwrap().to_string(), w.next().unwrap().to_string());
    }
    for (k, (serial, id)) in ids.iter().enumerate() {
        let code = CompletionCode::parse(&codes[serial]).unwrap();
        recovery_complete(
            &mut svc,
            serial,
            id,
            &code,
            50_000 + index * 1000 + k as u64,
        );
    }
    println!("completed");
    std::io::stdout().flush().unwrap();
}

/// Runs `n` recovery processes of `rounds` procedures each over `url`: the seconds of the
/// request phase and of the completion phase.
fn run_recovery_children(n: u64, url: &str, rounds: u64) -> (f64, f64) {
    let mut children: Vec<Child> = (0..n)
        .map(|i| {
            spawn_child(
                CHILD_ENTRY,
                "recovery",
                &[
                    ("CIE_PG_CHILD_URL", url.to_string()),
                    ("CIE_PG_CHILD_ROUNDS", rounds.to_string()),
                    ("CIE_PG_CHILD_INDEX", i.to_string()),
                    ("CIE_PG_CHILD_COUNT", n.to_string()),
                ],
            )
        })
        .collect();
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    let mut stdins: Vec<_> = children
        .iter_mut()
        .map(|c| c.stdin.take().unwrap())
        .collect();
    let wait_for = |readers: &mut Vec<BufReader<std::process::ChildStdout>>, word: &str| {
        let mut lines = Vec::new();
        for r in readers.iter_mut() {
            loop {
                let mut line = String::new();
                assert!(r.read_line(&mut line).unwrap() > 0, "child ended early");
                // (libtest prints `test NAME ... ` without a newline before the first line.)
                if line.trim().ends_with(word) {
                    break;
                }
                lines.push(line.trim().to_string());
            }
        }
        lines
    };
    wait_for(&mut readers, "ready");
    let start = Instant::now();
    for s in &mut stdins {
        s.write_all(b"go\n").unwrap();
    }
    wait_for(&mut readers, "requested");
    let requests = start.elapsed().as_secs_f64();
    PgRecoveryStore::connect(url)
        .unwrap()
        .shift_test_clock(rs::H48 as i64 + 1)
        .unwrap();
    for s in &mut stdins {
        s.write_all(b"tick\n").unwrap();
    }
    let codes: Vec<String> = wait_for(&mut readers, "ticked")
        .into_iter()
        .filter(|l| l.starts_with("code "))
        .collect();
    // One code per procedure, whichever instance sent it.
    let serials: std::collections::BTreeSet<&str> =
        codes.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(codes.len() as u64, n * rounds, "{codes:?}");
    assert_eq!(serials.len() as u64, n * rounds);
    let start = Instant::now();
    for s in &mut stdins {
        for l in &codes {
            s.write_all(format!("{l}\n").as_bytes()).unwrap();
        }
        s.write_all(b"complete\n").unwrap();
    }
    wait_for(&mut readers, "completed");
    let completions = start.elapsed().as_secs_f64();
    drop(stdins);
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    (requests, completions)
}

/// The whole recovery journal of `url`: an unbroken chain under a valid signed head (the
/// service opens on it), and every one of `procedures` requested, issued a code, sent it and
/// released exactly once.
fn check_recovery_journal(url: &str, procedures: u64, reg: &MemoryRegistry) {
    let svc = PukRecovery::open(
        PgRecoveryStore::connect(url).unwrap(),
        reg,
        RecordingNotifier::new(),
        ManualClock::new(Timestamp(rs::T0)),
        rs::secret(),
        RecoveryConfig::default(),
    )
    .unwrap();
    assert_eq!(svc.procedures().count(), 0, "every procedure released");
    let journal = svc.journal().unwrap();
    verify_journal(&journal).unwrap();
    assert_eq!(journal.len() as u64, svc.signed_head().unwrap().size);
    let mut per: std::collections::HashMap<(ProcedureId, EventKind), u64> =
        std::collections::HashMap::new();
    for e in &journal {
        if let Some(p) = e.procedure {
            *per.entry((p, e.kind)).or_default() += 1;
        }
    }
    let ids: std::collections::BTreeSet<ProcedureId> = per.keys().map(|(p, _)| *p).collect();
    assert_eq!(ids.len() as u64, procedures);
    for id in ids {
        for kind in [
            EventKind::RequestAccepted,
            EventKind::CodeIssued,
            EventKind::CodeSent,
            EventKind::Released,
        ] {
            assert_eq!(per.get(&(id, kind)), Some(&1), "{id} {kind:?}");
        }
    }
}

fn recovery_rounds(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn load_8_recovery_instances_whole_journal_checked() {
    let Some(url) = fresh_schema(
        "load_8_recovery_instances_whole_journal_checked",
        "t_rload8",
    ) else {
        return;
    };
    drop(PgRecoveryStore::connect(&url).unwrap());
    let rounds = recovery_rounds("CIE_PG_LOAD_RECOVERY_ROUNDS", 3);
    let (req, comp) = run_recovery_children(8, &url, rounds);
    check_recovery_journal(&url, 8 * rounds, &load_registry(8, rounds));
    println!(
        "8 recovery processes: {} procedures, requests {:.2} s, completions {:.2} s, whole journal checked",
        8 * rounds,
        req,
        comp
    );
}

type SqliteSvc<'a> =
    PukRecovery<SqliteRecoveryStore, &'a MemoryRegistry, RecordingNotifier, &'a ManualClock>;
type Job = Box<dyn for<'a, 'b> FnOnce(&'b mut SqliteSvc<'a>) + Send>;

/// Runs `f` on the service thread and waits for its answer.
fn on_service<T: Send + 'static>(
    tx: &std::sync::mpsc::Sender<Job>,
    f: impl for<'a, 'b> FnOnce(&'b mut SqliteSvc<'a>) -> T + Send + 'static,
) -> T {
    let (reply, answer) = std::sync::mpsc::channel();
    tx.send(Box::new(move |svc| {
        let _ = reply.send(f(svc));
    }))
    .unwrap();
    answer.recv().unwrap()
}

/// SQLite: one service over one file (one SQLite file has one writer) on its own thread;
/// `n` client threads, each signing its card challenges itself, send it their requests and
/// completions. The seconds of the requests and of the completions of `per` procedures each.
fn recovery_sqlite_threads(n: u64, per: u64, dir: &std::path::Path) -> (f64, f64) {
    let path = dir.join(format!("recovery-{n}.sqlite"));
    let _ = std::fs::remove_file(&path);
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let clock = Arc::new(ManualClock::new(Timestamp(rs::T0)));
    let service_clock = Arc::clone(&clock);
    let service = std::thread::spawn(move || {
        let reg = load_registry(n, per);
        let mut svc = PukRecovery::open(
            SqliteRecoveryStore::open(&path).unwrap(),
            &reg,
            RecordingNotifier::new(),
            &*service_clock,
            rs::secret(),
            RecoveryConfig::default(),
        )
        .unwrap();
        for job in rx {
            job(&mut svc);
        }
    });
    let challenge_and_sign = |tx: &std::sync::mpsc::Sender<Job>, serial: &str, seed: u64| {
        let s = serial.to_string();
        let ch = on_service(tx, move |svc| {
            svc.challenge(&s, &mut rs::rng(seed)).unwrap()
        });
        rs::sign(&ch)
    };
    let start = Instant::now();
    let ids: Vec<(String, ProcedureId)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .map(|i| {
                let tx = tx.clone();
                let challenge_and_sign = &challenge_and_sign;
                s.spawn(move || {
                    (0..per)
                        .map(|r| {
                            let serial = card_serial(i, r);
                            let seed = i * 1000 + r;
                            let proof = challenge_and_sign(&tx, &serial, seed);
                            let sr = serial.clone();
                            let id = on_service(&tx, move |svc| {
                                let typed = rs::contacts(Some(&mailbox(&sr)), None);
                                let key = rs::device_key();
                                match svc
                                    .request(
                                        &RecoveryRequest {
                                            code: CodeKind::Puk,
                                            serial: &sr,
                                            nis: rs::NIS,
                                            contacts: &typed,
                                            proof: &proof,
                                            device_key: &key,
                                        },
                                        &mut rs::rng(seed),
                                    )
                                    .unwrap()
                                {
                                    RequestOutcome::Accepted { procedure, .. } => procedure,
                                    o => panic!("{o:?}"),
                                }
                            });
                            (serial, id)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let requests = start.elapsed().as_secs_f64();
    // 48 hours later by the service's clock: one tick sends every code.
    let c = Arc::clone(&clock);
    let codes: BTreeMap<String, String> = on_service(&tx, move |svc| {
        c.set(Timestamp(rs::T0 + rs::H48 + 1));
        assert_eq!(
            svc.tick(&mut rs::rng(1)).unwrap().codes_sent as u64,
            n * per
        );
        sent_codes(svc.notifier()).into_iter().collect()
    });
    let start = Instant::now();
    std::thread::scope(|s| {
        for (i, chunk) in ids.chunks(per as usize).enumerate() {
            let tx = tx.clone();
            let (codes, challenge_and_sign) = (&codes, &challenge_and_sign);
            s.spawn(move || {
                for (k, (serial, id)) in chunk.iter().enumerate() {
                    let seed = 50_000 + i as u64 * 1000 + k as u64;
                    let proof = challenge_and_sign(&tx, serial, seed);
                    let (id, digits) = (*id, codes[serial].clone());
                    on_service(&tx, move |svc| {
                        let code = CompletionCode::parse(&digits).unwrap();
                        match svc
                            .complete(&id, &code, &proof, &mut rs::rng(seed))
                            .unwrap()
                        {
                            CompletionOutcome::Released(_) => {}
                            CompletionOutcome::Refused(r) => panic!("{r:?}"),
                        }
                    });
                }
            });
        }
    });
    let completions = start.elapsed().as_secs_f64();
    drop(tx);
    service.join().unwrap();
    (requests, completions)
}

#[test]
fn load_throughput_recovery_pg_instances_vs_sqlite() {
    let Some(_) = base_url("load_throughput_recovery_pg_instances_vs_sqlite") else {
        return;
    };
    let ops = recovery_rounds("CIE_PG_LOAD_RECOVERY_OPS", 16);
    let dir = std::env::temp_dir().join(format!("cie-pg-rload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "recovery operations/s ({ops} procedures per cell; an operation is a request or a completion, each with its card challenge)"
    );
    println!(
        "instances | PostgreSQL (processes) req / compl | SQLite (one service, threads) req / compl"
    );
    for n in [1u64, 2, 4, 8] {
        let per = (ops / n).max(1);
        let total = (per * n) as f64;
        let url = fresh_schema(
            "load_throughput_recovery_pg_instances_vs_sqlite",
            &format!("t_rtp{n}"),
        )
        .unwrap();
        drop(PgRecoveryStore::connect(&url).unwrap());
        let (pr, pc) = run_recovery_children(n, &url, per);
        let (sr, sc) = recovery_sqlite_threads(n, per, &dir);
        println!(
            "{n:9} | {:16.1} / {:5.1} ({:5.1} ops/s) | {:16.1} / {:5.1} ({:5.1} ops/s)",
            total / pr,
            total / pc,
            2.0 * total / (pr + pc),
            total / sr,
            total / sc,
            2.0 * total / (sr + sc),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts `n` children of `role`, waits until all are connected, lets them go, and returns
/// the seconds until the last one is done.
fn run_children(role: &str, n: usize, url: &str, rounds: u64) -> f64 {
    let mut children: Vec<Child> = (0..n)
        .map(|_| {
            spawn_child(
                CHILD_ENTRY,
                role,
                &[
                    ("CIE_PG_CHILD_URL", url.to_string()),
                    ("CIE_PG_CHILD_ROUNDS", rounds.to_string()),
                ],
            )
        })
        .collect();
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    for r in &mut readers {
        let mut line = String::new();
        while !line.contains("ready") {
            line.clear();
            assert!(r.read_line(&mut line).unwrap() > 0, "child ended early");
        }
    }
    let start = Instant::now();
    for c in &mut children {
        c.stdin_go();
    }
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    start.elapsed().as_secs_f64()
}

trait Go {
    fn stdin_go(&mut self);
}
impl Go for Child {
    fn stdin_go(&mut self) {
        if let Some(mut s) = self.stdin.take() {
            s.write_all(b"go\n").unwrap();
        }
    }
}

fn check_whole_log(url: &str) -> u64 {
    let key = officer().verifying_key();
    let j = Journal::open(PgStore::connect(url).unwrap(), &key).unwrap();
    let entries = j.entries().unwrap();
    let n = entries.len() as u64;
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "gap or reorder");
    }
    journal::verify(&entries, &key).unwrap();
    let last = j.audit().unwrap().unwrap();
    assert_eq!(last.size, n);
    for size in (1..=n).step_by(7).chain([n]) {
        let h = j.head_at(size).unwrap().unwrap();
        journal::verify_consistency(&key, &h, &last, &j.consistency_proof(size).unwrap()).unwrap();
    }
    let mut marks: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        if e.kind == EntryKind::NotificationSent {
            let k = e
                .detail
                .split(' ')
                .next()
                .unwrap()
                .trim_start_matches("key=");
            *marks.entry(k.to_string()).or_default() += 1;
        }
    }
    for r in j.store().outbox().unwrap() {
        assert_eq!(r.state, OutboxState::Sent);
        assert_eq!(marks.get(r.key.as_str()), Some(&1));
    }
    n
}

#[test]
fn load_8_desk_processes_whole_log_checked() {
    let Some(url) = fresh_schema("load_8_desk_processes_whole_log_checked", "t_load8") else {
        return;
    };
    drop(PgStore::connect(&url).unwrap());
    let rounds: u64 = std::env::var("CIE_PG_LOAD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let secs = run_children("desk", 8, &url, rounds);
    let n = check_whole_log(&url);
    assert_eq!(n, 8 * rounds * 4);
    println!(
        "8 desk processes: {n} entries in {secs:.2} s ({:.0} entries/s), whole log checked",
        n as f64 / secs
    );
}

fn sqlite_threads(writers: usize, ops: u64, dir: &std::path::Path) -> f64 {
    let path = dir.join(format!("load-{writers}.sqlite"));
    let _ = std::fs::remove_file(&path);
    let j = Journal::open(
        SqliteStore::open(&path).unwrap(),
        &officer().verifying_key(),
    )
    .unwrap();
    let j = Arc::new(Mutex::new(j));
    let per = ops / writers as u64;
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..writers {
            let j = Arc::clone(&j);
            s.spawn(move || {
                for i in 0..per {
                    append(&mut j.lock().unwrap(), i);
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let n = j.lock().unwrap().entries().unwrap().len() as u64;
    assert_eq!(n, per * writers as u64);
    secs
}

#[test]
fn load_throughput_pg_processes_vs_sqlite() {
    let Some(base) = base_url("load_throughput_pg_processes_vs_sqlite") else {
        return;
    };
    let ops: u64 = std::env::var("CIE_PG_LOAD_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let dir = std::env::temp_dir().join(format!("cie-pg-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("appends/s, {ops} appends per cell (signed entry + signed head per append)");
    println!("writers | PostgreSQL (processes) | SQLite (threads, one process)");
    for writers in [1usize, 2, 4, 8] {
        let name = format!("t_tp{writers}");
        let url = fresh_schema("load_throughput_pg_processes_vs_sqlite", &name).unwrap();
        drop(PgStore::connect(&url).unwrap());
        let per = ops / writers as u64;
        let pg = run_children("appender", writers, &url, per);
        let total = per * writers as u64;
        let mut c = client(&base);
        let n: i64 = c
            .query_one(&format!("SELECT COUNT(*) FROM {name}.cie_journal"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n as u64, total);
        let sq = sqlite_threads(writers, ops, &dir);
        println!(
            "{writers:7} | {:22.0} | {:.0}",
            total as f64 / pg,
            (ops / writers as u64 * writers as u64) as f64 / sq
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    // The cost of one append does not grow with the history: one writer, 200 appends timed
    // at the start and again after the log was filled to `CIE_PG_LOAD_HISTORY` entries.
    let history: u64 = std::env::var("CIE_PG_LOAD_HISTORY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let url = fresh_schema("load_throughput_pg_processes_vs_sqlite", "t_history").unwrap();
    let mut j = Journal::open(PgStore::connect(&url).unwrap(), &officer().verifying_key()).unwrap();
    let timed = |j: &mut Journal<PgStore>| {
        let start = Instant::now();
        for i in 0..200 {
            append(j, i);
        }
        start.elapsed().as_secs_f64() / 200.0 * 1e6
    };
    let early = timed(&mut j);
    while j.signed_head().map_or(0, |h| h.size) < history {
        append(&mut j, 0);
    }
    let late = timed(&mut j);
    println!(
        "one writer, µs per append: {early:.0} at 200 entries, {late:.0} at {history} entries (ratio {:.2})",
        late / early
    );
}
