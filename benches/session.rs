//! Whole sessions (open + VERIFY) against the virtual card, with the host's and the card's
//! costs measured apart, and the cost of one APDU inside an open session.
//!
//! ```text
//! cargo bench --features emulator --bench session -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! * `session/whole`: a long-lived host (`Cie`, certificate cached, as in an app) opens a
//!   session on a fresh virtual card and verifies the PIN: the wall-clock cost of a session,
//!   both sides on this core. `Throughput::Elements(1)`, so criterion prints sessions/s.
//! * `session/whole_cold_host`: the same with a new `Cie` each time (terminal key factoring
//!   and the terminal certificate signed again): the first session of a process.
//! * `session/host_only`: the host against a `Transcript` of the card's answers (the card
//!   costs nothing); the host RNG is re-seeded so that it sends exactly the recorded commands.
//! * `session/card_only`: the recorded host commands replayed into a fresh card (the host
//!   costs nothing).
//! * `apdu/verify_in_session`, `apdu/status_in_session`: one VERIFY (or empty VERIFY) inside
//!   an open session, host + card.
//!
//! All with the reference 2048-bit emulator keys. Two card seeds alternate, because the host
//! refuses the same card challenge twice in a row (K5).
//!
//! Before the criterion runs, two tables go to stderr, timed in the thread's CPU time
//! (`/proc/thread-self/schedstat`, Linux) so that they hold on a loaded machine: the cost of
//! each exchange on the host and on the card, and the CPU time per whole session, host only
//! and card only, with the resulting sessions per second per core.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::cell::RefCell;
use std::convert::Infallible;
use std::hint::black_box;
use std::rc::Rc;

use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::Pin;
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::transport::{CardTransport, Recorder, Transcript, TransportError};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryCryptoRng, TryRng};

const PIN: &str = "40271953";
const HOST_SEED: [u8; 32] = [0x11; 32];
const CARD_SEEDS: [[u8; 32]; 2] = [[0xA1; 32], [0xB2; 32]];

fn card(seed: [u8; 32]) -> VirtualCie {
    VirtualCie::builder().pin(PIN).seed(seed).build().unwrap()
}

/// A transport slot whose content can be replaced between sessions, so that one long-lived
/// host serves many cards.
struct Slot<T>(Option<T>);

impl<T: CardTransport> CardTransport for Slot<T> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        match self.0.as_mut() {
            Some(t) => t.transmit(command, response),
            None => Err(TransportError::CardRemoved),
        }
    }
}

/// A ChaCha20 RNG that the bench can re-seed while the host owns it.
#[derive(Clone)]
struct SharedRng(Rc<RefCell<ChaCha20Rng>>);

impl TryRng for SharedRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0.borrow_mut().try_next_u32()
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0.borrow_mut().try_next_u64()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.borrow_mut().try_fill_bytes(dst)
    }
}

impl TryCryptoRng for SharedRng {}

fn session<T: CardTransport, R: rand_core::CryptoRng>(cie: &mut Cie<T, R>, pin: &Pin) {
    let mut s = cie.open().unwrap();
    s.verify_pin(pin).unwrap();
}

/// Records open + VERIFY with a fresh host seeded with `HOST_SEED` on a card seeded `seed`.
fn record(seed: [u8; 32]) -> Transcript {
    let mut cie =
        Cie::with_rng(Recorder::new(card(seed)), ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    session(&mut cie, &Pin::new(PIN).unwrap());
    cie.into_transport().to_transcript()
}

/// A transcript replay that notes when the host hands over each command and gets its
/// answer back, so that the host's work between two exchanges can be timed.
struct Stamped {
    inner: Transcript,
    marks: Vec<(u64, u64)>,
}

impl CardTransport for Stamped {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let start = cpu_now();
        let r = self.inner.transmit(command, response);
        self.marks.push((start, cpu_now()));
        r
    }
}

fn label(command: &[u8]) -> String {
    let name = match (command[0] & 0x0C != 0, command[1]) {
        (_, 0xA4) => "SELECT",
        (_, 0xB0) => "READ BINARY",
        (false, 0xCB) => "GET DATA",
        (false, 0x22) => "MSE SET KAT (DH)",
        (true, 0x22) => "MSE SET (SM)",
        (_, 0x2A) => "PSO VERIFY CERTIFICATE",
        (_, 0x84) => "GET CHALLENGE",
        (_, 0x82) => "EXTERNAL AUTHENTICATE",
        (_, 0x88) => "INTERNAL AUTHENTICATE",
        (_, 0xC0) => "GET RESPONSE",
        (_, 0x20) => "VERIFY",
        _ => "other",
    };
    format!("{:02X} {:02X} {name}", command[0], command[1])
}

/// Thread CPU time in ns (0 where `/proc/thread-self/schedstat` is missing).
fn cpu_now() -> u64 {
    thread_cpu_ns().unwrap_or(0)
}

/// Prints where a session's time goes: per exchange, the card's CPU time to answer it and
/// the host's CPU time to produce it (from the previous answer). Means over `runs` sessions.
fn breakdown(transcripts: &[Transcript; 2], runs: u32) {
    let pin = Pin::new(PIN).unwrap();
    let t = &transcripts[0];
    let n = t.exchanges().len();
    let mut card_ns = vec![0u128; n];
    let mut host_ns = vec![0u128; n];
    let mut host_after = 0u128;
    let mut buf = vec![0u8; 4096];
    let rng = SharedRng(Rc::new(RefCell::new(ChaCha20Rng::from_seed(HOST_SEED))));
    let mut host = Cie::with_rng(Slot(None), rng.clone()).unwrap();
    host.transport_mut().0 = Some(Stamped {
        inner: transcripts[1].clone(),
        marks: Vec::new(),
    });
    session(&mut host, &pin);
    for _ in 0..runs {
        let mut fresh = card(CARD_SEEDS[0]);
        for (i, e) in t.exchanges().iter().enumerate() {
            let start = cpu_now();
            black_box(fresh.transmit(&e.command, &mut buf).unwrap());
            card_ns[i] += u128::from(cpu_now().saturating_sub(start));
        }
        *rng.0.borrow_mut() = ChaCha20Rng::from_seed(HOST_SEED);
        host.transport_mut().0 = Some(Stamped {
            inner: t.clone(),
            marks: Vec::new(),
        });
        let begin = cpu_now();
        session(&mut host, &pin);
        let end = cpu_now();
        let marks = &host.transport_mut().0.as_ref().unwrap().marks;
        let mut previous = begin;
        for (i, (start, stop)) in marks.iter().enumerate() {
            host_ns[i] += u128::from(start.saturating_sub(previous));
            previous = *stop;
        }
        host_after += u128::from(end.saturating_sub(previous));
        // Alternate the other transcript in, so that the next challenge differs (K5).
        *rng.0.borrow_mut() = ChaCha20Rng::from_seed(HOST_SEED);
        host.transport_mut().0 = Some(Stamped {
            inner: transcripts[1].clone(),
            marks: Vec::new(),
        });
        session(&mut host, &pin);
    }
    let runs = u128::from(runs);
    let total_card: u128 = card_ns.iter().sum::<u128>() / runs;
    let total_host: u128 = (host_ns.iter().sum::<u128>() + host_after) / runs;
    eprintln!(
        "session breakdown, thread CPU time, mean of {runs} runs, microseconds (host = its work before sending the command)"
    );
    eprintln!("{:>3} {:<32} {:>9} {:>9}", "#", "command", "host", "card");
    for (i, e) in t.exchanges().iter().enumerate() {
        let h = host_ns[i] / runs / 1000;
        let c = card_ns[i] / runs / 1000;
        if h >= 50 || c >= 50 {
            eprintln!("{i:>3} {:<32} {h:>9} {c:>9}", label(&e.command));
        }
    }
    eprintln!(
        "    after the last answer          {:>9}",
        host_after / runs / 1000
    );
    eprintln!(
        "    total                          {:>9} {:>9}",
        total_host / 1000,
        total_card / 1000
    );
}

/// CPU time of the calling thread in nanoseconds (Linux `/proc/thread-self/schedstat`),
/// so that the per-core rate can be read on a loaded machine where wall time is not.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Whole sessions, host only and card only, timed in thread CPU time: the per-core rates.
fn cpu_rates(transcripts: &[Transcript; 2], runs: u32) {
    let pin = Pin::new(PIN).unwrap();
    if thread_cpu_ns().is_none() {
        eprintln!("no /proc/thread-self/schedstat: CPU-time rates skipped");
        return;
    }
    // Whole: a long-lived host, a fresh card per session (built outside the timing).
    let mut cie = Cie::with_rng(Slot(None), ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    cie.transport_mut().0 = Some(card(CARD_SEEDS[1]));
    session(&mut cie, &pin);
    let mut whole = 0u64;
    for i in 0..runs {
        let fresh = card(CARD_SEEDS[(i % 2) as usize]);
        let t0 = thread_cpu_ns().unwrap_or(0);
        cie.transport_mut().0 = Some(fresh);
        session(&mut cie, &pin);
        whole += thread_cpu_ns().unwrap_or(0).saturating_sub(t0);
    }
    // Host only.
    let rng = SharedRng(Rc::new(RefCell::new(ChaCha20Rng::from_seed(HOST_SEED))));
    let mut host = Cie::with_rng(Slot(None), rng.clone()).unwrap();
    host.transport_mut().0 = Some(transcripts[1].clone());
    session(&mut host, &pin);
    let mut host_ns = 0u64;
    for i in 0..runs {
        let replay = transcripts[(i % 2) as usize].clone();
        let t0 = thread_cpu_ns().unwrap_or(0);
        *rng.0.borrow_mut() = ChaCha20Rng::from_seed(HOST_SEED);
        host.transport_mut().0 = Some(replay);
        session(&mut host, &pin);
        host_ns += thread_cpu_ns().unwrap_or(0).saturating_sub(t0);
    }
    // Card only.
    let mut card_ns = 0u64;
    let mut buf = vec![0u8; 4096];
    for i in 0..runs {
        let which = (i % 2) as usize;
        let mut fresh = card(CARD_SEEDS[which]);
        let t0 = thread_cpu_ns().unwrap_or(0);
        for e in transcripts[which].exchanges() {
            black_box(fresh.transmit(&e.command, &mut buf).unwrap());
        }
        card_ns += thread_cpu_ns().unwrap_or(0).saturating_sub(t0);
    }
    let per = |ns: u64| ns as f64 / f64::from(runs) / 1e6;
    eprintln!(
        "CPU time per session (mean of {runs}): whole {:.2} ms = {:.0} sessions/s per core; \
         host only {:.2} ms; card only {:.2} ms",
        per(whole),
        1e3 / per(whole),
        per(host_ns),
        per(card_ns)
    );
}

fn whole(c: &mut Criterion) {
    let pin = Pin::new(PIN).unwrap();
    let transcripts = CARD_SEEDS.map(record);
    breakdown(&transcripts, 10);
    cpu_rates(&transcripts, 40);
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));

    let mut cie = Cie::with_rng(Slot(None), ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    // First session: fills the certificate cache, as an app's first session would.
    cie.transport_mut().0 = Some(card(CARD_SEEDS[0]));
    session(&mut cie, &pin);
    let mut n = 0usize;
    g.bench_function("whole", |b| {
        b.iter_batched(
            || {
                n += 1;
                card(CARD_SEEDS[n % 2])
            },
            |fresh| {
                cie.transport_mut().0 = Some(fresh);
                session(&mut cie, &pin);
            },
            BatchSize::SmallInput,
        );
    });

    let mut n = 0usize;
    g.bench_function("whole_cold_host", |b| {
        b.iter_batched(
            || {
                n += 1;
                card(CARD_SEEDS[n % 2])
            },
            |fresh| {
                let mut cie = Cie::with_rng(fresh, ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
                session(&mut cie, &pin);
            },
            BatchSize::SmallInput,
        );
    });

    // Host only: the card's answers come from a transcript.
    let rng = SharedRng(Rc::new(RefCell::new(ChaCha20Rng::from_seed(HOST_SEED))));
    let mut host = Cie::with_rng(Slot(None), rng.clone()).unwrap();
    host.transport_mut().0 = Some(transcripts[0].clone());
    session(&mut host, &pin);
    let mut n = 0usize;
    g.bench_function("host_only", |b| {
        b.iter_batched(
            || {
                n += 1;
                transcripts[n % 2].clone()
            },
            |replay| {
                *rng.0.borrow_mut() = ChaCha20Rng::from_seed(HOST_SEED);
                host.transport_mut().0 = Some(replay);
                session(&mut host, &pin);
            },
            BatchSize::SmallInput,
        );
    });

    // Card only: the host's commands come from the recording.
    let commands: Vec<Vec<Vec<u8>>> = transcripts
        .iter()
        .map(|t| t.exchanges().iter().map(|e| e.command.clone()).collect())
        .collect();
    // Check once that a fresh card answers the recorded commands exactly as recorded.
    for (seed, t) in CARD_SEEDS.iter().zip(&transcripts) {
        let mut fresh = card(*seed);
        let mut buf = vec![0u8; 4096];
        for e in t.exchanges() {
            let len = fresh.transmit(&e.command, &mut buf).unwrap();
            assert_eq!(Some(&buf[..len]), e.outcome.response());
        }
    }
    let mut n = 0usize;
    g.bench_function("card_only", |b| {
        let mut buf = vec![0u8; 4096];
        b.iter_batched(
            || {
                n += 1;
                (card(CARD_SEEDS[n % 2]), n % 2)
            },
            |(mut fresh, which)| {
                for command in &commands[which] {
                    black_box(fresh.transmit(command, &mut buf).unwrap());
                }
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

fn per_apdu(c: &mut Criterion) {
    let pin = Pin::new(PIN).unwrap();
    let mut g = c.benchmark_group("apdu");
    g.throughput(Throughput::Elements(1));
    let mut cie = Cie::with_rng(card(CARD_SEEDS[0]), ChaCha20Rng::from_seed(HOST_SEED)).unwrap();
    let mut s = cie.open().unwrap();
    s.verify_pin(&pin).unwrap();
    g.bench_function("verify_in_session", |b| {
        b.iter(|| s.verify_pin(black_box(&pin)).unwrap());
    });
    g.bench_function("status_in_session", |b| {
        b.iter(|| black_box(s.pin_status().unwrap()));
    });
    g.finish();
}

criterion_group!(benches, whole, per_apdu);
criterion_main!(benches);
