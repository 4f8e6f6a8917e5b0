//! Throughput of the BER-TLV reader and the APDU codec at real CIE sizes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;

use cie_pinpuk::apdu::{Command, Response};
use cie_pinpuk::tlv::{Strictness, Tag, TlvBuf, TlvIter, validate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn t(v: u32) -> Tag {
    Tag::from_u32(v).unwrap()
}

/// The CA key object of docs/protocol.md §8.3 with a 256-byte modulus (307 bytes).
fn ca_key_answer() -> Vec<u8> {
    let mut b = TlvBuf::new();
    b.constructed(t(0x70), |b| {
        b.constructed(t(0xBFA004), |b| {
            b.constructed(t(0x7F49), |b| {
                b.push(t(0x81), &[0xC5; 256])?;
                b.push(t(0x82), &[0x01, 0x00, 0x01])?;
                b.push(t(0x5F20), b"IT\x00\x00CIE0000001")?;
                b.push(t(0x5F4C), &[0xA0, 0x00, 0x00, 0x00, 0x00, 0x39, 0x01])
            })
        })
    })
    .unwrap();
    b.into_vec()
}

fn bench_tlv(c: &mut Criterion) {
    let answer = ca_key_answer();
    let mut g = c.benchmark_group("tlv");
    g.throughput(Throughput::Bytes(answer.len() as u64));
    g.bench_function("validate_ca_key_answer", |b| {
        b.iter(|| validate(black_box(&answer), Strictness::Strict).unwrap())
    });
    let path = [t(0x70), t(0xBFA004), t(0x7F49), t(0x81)];
    g.bench_function("find_path_modulus", |b| {
        b.iter(|| {
            TlvIter::new(black_box(&answer))
                .find_path(&path)
                .unwrap()
                .unwrap()
                .value()
                .len()
        })
    });
    let siblings: Vec<u8> = (0..100_000u32)
        .flat_map(|i| [0x81, 0x01, i as u8])
        .collect();
    g.throughput(Throughput::Bytes(siblings.len() as u64));
    g.bench_function("iterate_100k_siblings", |b| {
        b.iter(|| TlvIter::new(black_box(&siblings)).count())
    });
    g.finish();
}

fn bench_apdu(c: &mut Criterion) {
    let data = [0x5A; 255];
    let cmd = Command::new(0x00, 0x22, 0x41, 0xA6)
        .with_data(&data)
        .with_le(256);
    let mut buf = [0u8; 300];
    let n = cmd.encode(&mut buf).unwrap();
    let encoded = buf[..n].to_vec();
    let mut g = c.benchmark_group("apdu");
    g.throughput(Throughput::Bytes(n as u64));
    g.bench_function("command_encode_261", |b| {
        b.iter(|| black_box(&cmd).encode(&mut buf).unwrap())
    });
    g.bench_function("command_parse_261", |b| {
        b.iter(|| Command::parse(black_box(&encoded)).unwrap().data().len())
    });
    let mut resp = vec![0x42u8; 256];
    resp.extend_from_slice(&[0x90, 0x00]);
    g.throughput(Throughput::Bytes(resp.len() as u64));
    g.bench_function("response_parse_258", |b| {
        b.iter(|| Response::parse(black_box(&resp)).unwrap().sw())
    });
    g.finish();
}

criterion_group!(benches, bench_tlv, bench_apdu);
criterion_main!(benches);
