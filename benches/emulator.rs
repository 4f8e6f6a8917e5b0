//! Whole sessions against the virtual card: selects, DH, DAPP, VERIFY PIN (host and card
//! together, one core), and the card's side alone for the costly steps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/emulator_host/mod.rs"]
mod emulator_host;

use cie_pinpuk::auth::{DappHost, Strategy};
use cie_pinpuk::emulator::VirtualCie;
use criterion::{Criterion, criterion_group, criterion_main};
use emulator_host::{CARD_NANOS, CARD_NANOS_BY_INS, command, open, open_with, sm_tx};
use std::sync::atomic::Ordering;

fn sessions(c: &mut Criterion) {
    let mut card = VirtualCie::builder().build().unwrap();
    let mut seed = 0u64;
    let mut host = DappHost::well_known(Strategy::Fast).unwrap();
    let mut sessions = 0u64;
    CARD_NANOS.store(0, Ordering::Relaxed);
    let started = std::time::Instant::now();
    c.bench_function("emulator/open_and_verify_pin", |b| {
        b.iter(|| {
            seed += 1;
            sessions += 1;
            card.reset();
            let mut s = open_with(&mut card, seed, &mut host);
            let (_, sw) = sm_tx(
                &mut card,
                &mut s.channel,
                &command([0, 0x20, 0, 0x81], b"12345678", None),
            );
            assert_eq!(sw, 0x9000);
        })
    });
    let total = started.elapsed().as_nanos() as f64;
    let in_card = CARD_NANOS.load(Ordering::Relaxed) as f64;
    println!(
        "open_and_verify_pin: {sessions} sessions, card side {:.2} ms/session ({:.0}% of the total incl. criterion overhead)",
        in_card / sessions as f64 / 1e6,
        100.0 * in_card / total
    );
    for (ins, n) in CARD_NANOS_BY_INS.iter().enumerate() {
        let n = n.load(Ordering::Relaxed);
        if n > 0 {
            println!(
                "  card INS {ins:02X}: {:.3} ms/session",
                n as f64 / sessions as f64 / 1e6
            );
        }
    }
    // Sessions per CPU second (the machine may be shared, so wall time overstates the cost).
    let cpu_before = process_cpu_seconds();
    let card_before = CARD_NANOS.load(Ordering::Relaxed);
    let wall = std::time::Instant::now();
    let n = 100u64;
    for i in 0..n {
        card.reset();
        let mut s = open_with(&mut card, 10_000 + i, &mut host);
        let (_, sw) = sm_tx(
            &mut card,
            &mut s.channel,
            &command([0, 0x20, 0, 0x81], b"12345678", None),
        );
        assert_eq!(sw, 0x9000);
    }
    let cpu = process_cpu_seconds() - cpu_before;
    let wall = wall.elapsed().as_secs_f64();
    let card_wall = (CARD_NANOS.load(Ordering::Relaxed) - card_before) as f64 / 1e9;
    println!(
        "{n} sessions (open + VERIFY PIN, host and card on one thread): {:.1} sessions per CPU second \
         ({:.2} ms CPU each; wall {:.2} ms each, of which card {:.0}%)",
        n as f64 / cpu,
        cpu * 1e3 / n as f64,
        wall * 1e3 / n as f64,
        100.0 * card_wall / wall
    );
    let mut s = open(&mut card, 1);
    c.bench_function("emulator/sm_verify_pin_exchange", |b| {
        b.iter(|| {
            let (_, sw) = sm_tx(
                &mut card,
                &mut s.channel,
                &command([0, 0x20, 0, 0x81], b"12345678", None),
            );
            assert_eq!(sw, 0x9000);
        })
    });
}

/// utime + stime of this process, from /proc/self/stat (Linux; 0 elsewhere).
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); after the name, field 3 is at index 0.
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|x| x.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

criterion_group!(benches, sessions);
criterion_main!(benches);
