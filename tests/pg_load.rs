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
//! `scripts/pg-stack run -- nice -n 10 cargo test --release --features postgres,sqlite
//! --test pg_load -- --nocapture --test-threads=1`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pg_support;

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
        other => panic!("unknown role {other}"),
    }
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
