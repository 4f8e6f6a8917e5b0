//! Whole sessions against the virtual card through the library's own host, `Cie::open` +
//! VERIFY PIN (selects, DH, DAPP, secure messaging; host and card on one thread), and one
//! VERIFY inside an open session.
//!
//! Besides the criterion figures, the number of sessions per CPU second is printed, timed in
//! the thread's CPU time so that it holds on a shared machine:
//!
//! ```text
//! nice -n 10 cargo bench --features emulator --bench emulator
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::Pin;
use cie_pinpuk::emulator::VirtualCie;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const PIN: &str = "40271953";

/// CPU time of this thread in ns.
fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
}

fn sessions(c: &mut Criterion) {
    let pin = Pin::new(PIN).unwrap();
    let card = VirtualCie::builder()
        .pin(PIN)
        .seed([0xA1; 32])
        .build()
        .unwrap();
    // One long-lived host (its certificate cache filled by the first session, as in an app).
    let mut cie = Cie::with_rng(card, ChaCha20Rng::seed_from_u64(1)).unwrap();
    let session = |cie: &mut Cie<VirtualCie, ChaCha20Rng>| {
        let mut s = cie.open().unwrap();
        s.verify_pin(&pin).unwrap();
    };
    session(&mut cie);

    // Sessions per CPU second.
    let n = 100u32;
    let cpu = thread_cpu_ns();
    let wall = std::time::Instant::now();
    for _ in 0..n {
        session(&mut cie);
    }
    let cpu = (thread_cpu_ns() - cpu) as f64 / 1e9;
    let wall = wall.elapsed().as_secs_f64();
    println!(
        "{n} sessions (Cie::open + VERIFY PIN, host and card on one thread): {:.0} sessions per \
         CPU second ({:.2} ms CPU each; wall {:.2} ms each)",
        f64::from(n) / cpu,
        cpu * 1e3 / f64::from(n),
        wall * 1e3 / f64::from(n)
    );

    let mut g = c.benchmark_group("emulator");
    g.throughput(Throughput::Elements(1));
    g.bench_function("open_and_verify_pin", |b| b.iter(|| session(&mut cie)));
    let mut s = cie.open().unwrap();
    g.bench_function("verify_pin_in_session", |b| {
        b.iter(|| s.verify_pin(&pin).unwrap())
    });
    g.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
