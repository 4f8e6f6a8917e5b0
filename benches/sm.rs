//! Secure-messaging benches (criterion). Each protected exchange (host wrap of the command +
//! host unwrap of the card's answer) is measured next to its raw block-cipher work: the same
//! number of 3DES-CBC and single-DES block operations, with key schedules built once, done
//! directly with `des`. The ratio `exchange / raw` is the SM engine's overhead.
//!
//! Run: `cargo bench --bench sm -- --warm-up-time 1 --measurement-time 3`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use cie_pinpuk::sm::{CardSecureChannel, SecureChannel};
use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use des::{Des, TdesEde2};

const KS_ENC: [u8; 16] = [
    0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC, 0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5,
];
const KS_MAC: [u8; 16] = [
    0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08, 0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8,
];
const SSC: [u8; 8] = [0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x26];
/// Exchanges per fresh host channel (the responses are precomputed for these SSCs).
const BATCH: usize = 256;

/// One exchange shape and its block-operation counts.
#[derive(Clone)]
struct Shape {
    name: &'static str,
    command: Vec<u8>,
    answer: Vec<u8>,
    /// 3DES-CBC encryptions (command data) and decryptions (response data).
    tdes_enc: usize,
    tdes_dec: usize,
    /// Blocks of each retail MAC (command, response): each is that many DES-K1 encryptions
    /// plus one DES-K2 decryption and one DES-K1 encryption.
    mac_blocks: [usize; 2],
}

fn shapes() -> Vec<Shape> {
    let mut chunk = vec![0x00, 0x2A, 0x00, 0xAE, 0xE7];
    chunk.extend([0x5A; 0xE7]);
    vec![
        // VERIFY: 8 data bytes -> 2 blocks; MAC over SSC|hdr|DO87(19) = 35 -> 5 blocks;
        // response 99|8E: MAC over SSC|DO99 = 12 -> 2 blocks.
        Shape {
            name: "verify",
            command: vec![
                0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
            ],
            answer: vec![],
            tdes_enc: 2,
            tdes_dec: 0,
            mac_blocks: [5, 2],
        },
        // READ BINARY 0x80: MAC over SSC|hdr|DO97 = 19 -> 3 blocks; response DO87 carries
        // 136 bytes (17 blocks), MAC over SSC|DO87(140)|DO99 = 152 -> 20 blocks.
        Shape {
            name: "read_binary_0x80",
            command: vec![0x00, 0xB0, 0x00, 0x00, 0x80],
            answer: vec![0x3C; 0x80],
            tdes_enc: 0,
            tdes_dec: 17,
            mac_blocks: [3, 20],
        },
        // A 0xE7-byte chained chunk: 29 blocks; MAC over SSC|hdr|DO87(236) = 252 -> 32
        // blocks; response 99|8E: 2 blocks.
        Shape {
            name: "chunk_0xe7",
            command: chunk,
            answer: vec![],
            tdes_enc: 29,
            tdes_dec: 0,
            mac_blocks: [32, 2],
        },
    ]
}

/// The card's answers for BATCH consecutive exchanges from SSC.
fn responses(shape: &Shape) -> Vec<Vec<u8>> {
    let mut host = SecureChannel::tdes(KS_ENC, KS_MAC, SSC);
    let mut card = CardSecureChannel::tdes(KS_ENC, KS_MAC, SSC);
    let mut buf = [0u8; 512];
    (0..BATCH)
        .map(|_| {
            let n = host.wrap(&shape.command, &mut buf).unwrap();
            let cmd = buf[..n].to_vec();
            card.unwrap_command(&cmd, &mut buf).unwrap();
            let n = card.wrap_response(&shape.answer, 0x9000, &mut buf).unwrap();
            let resp = buf[..n].to_vec();
            host.unwrap(&resp, &mut buf).unwrap();
            resp
        })
        .collect()
}

struct Raw {
    tdes: TdesEde2,
    k1: Des,
    k2: Des,
}

impl Raw {
    fn new() -> Self {
        Self {
            tdes: TdesEde2::new(&Array::from(KS_ENC)),
            k1: Des::new(&Array::from(<[u8; 8]>::try_from(&KS_MAC[..8]).unwrap())),
            k2: Des::new(&Array::from(<[u8; 8]>::try_from(&KS_MAC[8..]).unwrap())),
        }
    }

    /// The block work of one exchange, chained like CBC so nothing can be skipped.
    #[inline(always)]
    fn work(&self, s: &Shape, seed: u64) -> u64 {
        let mut x = seed;
        for _ in 0..s.tdes_enc {
            let mut b = Array::from((x ^ 0x5A5A).to_be_bytes());
            self.tdes.encrypt_block(&mut b);
            x = u64::from_be_bytes(b.into());
        }
        for _ in 0..s.tdes_dec {
            let mut b = Array::from(x.to_be_bytes());
            self.tdes.decrypt_block(&mut b);
            x ^= u64::from_be_bytes(b.into());
        }
        for blocks in s.mac_blocks {
            let mut h = 0u64;
            for _ in 0..blocks {
                let mut b = Array::from((h ^ x).to_be_bytes());
                self.k1.encrypt_block(&mut b);
                h = u64::from_be_bytes(b.into());
            }
            let mut b = Array::from(h.to_be_bytes());
            self.k2.decrypt_block(&mut b);
            self.k1.encrypt_block(&mut b);
            x ^= u64::from_be_bytes(b.into());
        }
        x
    }
}

/// Interleaved measurement, robust on a loaded machine: batches of exchanges and batches of
/// the raw work alternate, and the fastest batch of each is kept (interference only ever
/// adds time). Prints the per-exchange times and their ratio.
fn interleaved_ratio(shape: &Shape, resps: &[Vec<u8>], raw: &Raw) {
    let counts = Shape {
        name: shape.name,
        command: vec![],
        answer: vec![],
        ..*shape
    };
    let (mut best_x, mut best_r) = (Duration::MAX, Duration::MAX);
    let mut cmd = [0u8; 512];
    let mut out = [0u8; 512];
    let mut seed = black_box(1u64);
    for _ in 0..200 {
        let mut host = SecureChannel::tdes(KS_ENC, KS_MAC, SSC);
        let t = Instant::now();
        for r in &resps[..32] {
            let n = host.wrap(black_box(&shape.command), &mut cmd).unwrap();
            black_box(&cmd[..n]);
            let n = host.unwrap(black_box(r), &mut out).unwrap();
            black_box(&out[..n]);
        }
        best_x = best_x.min(t.elapsed());
        let t = Instant::now();
        for _ in 0..32 {
            seed = raw.work(&counts, seed);
        }
        best_r = best_r.min(t.elapsed());
    }
    black_box(seed);
    let (x, r) = (
        best_x.as_nanos() as f64 / 32.0,
        best_r.as_nanos() as f64 / 32.0,
    );
    eprintln!(
        "sm/{}: exchange {x:.0} ns, raw block work {r:.0} ns, ratio {:.3} (fastest of 200 interleaved batches of 32)",
        shape.name,
        x / r
    );
}

fn bench(c: &mut Criterion) {
    let raw = Raw::new();
    for shape in shapes() {
        interleaved_ratio(&shape, &responses(&shape), &raw);
    }
    let mut g = c.benchmark_group("sm");
    for shape in shapes() {
        let resps = responses(&shape);
        g.throughput(Throughput::Bytes(
            (shape.command.len() + shape.answer.len()) as u64,
        ));
        g.bench_function(format!("{}/exchange", shape.name), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters as usize;
                let mut cmd = [0u8; 512];
                let mut out = [0u8; 512];
                while left > 0 {
                    let k = left.min(BATCH);
                    let mut host = SecureChannel::tdes(KS_ENC, KS_MAC, SSC);
                    let t = Instant::now();
                    for r in &resps[..k] {
                        let n = host.wrap(black_box(&shape.command), &mut cmd).unwrap();
                        black_box(&cmd[..n]);
                        let n = host.unwrap(black_box(r), &mut out).unwrap();
                        black_box(&out[..n]);
                    }
                    total += t.elapsed();
                    left -= k;
                }
                total
            })
        });
        g.bench_function(format!("{}/raw_blocks", shape.name), |b| {
            let counts = Shape {
                command: vec![],
                answer: vec![],
                ..shape
            };
            b.iter_custom(|iters| {
                let mut seed = black_box(1u64);
                let t = Instant::now();
                for _ in 0..iters {
                    seed = raw.work(&counts, seed);
                }
                black_box(seed);
                t.elapsed()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
