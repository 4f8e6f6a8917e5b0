//! The crate's arithmetic next to OpenSSL's, interleaved in one loop: each round times a batch
//! of the crate's operation and then a batch of OpenSSL's (the order alternates), and the
//! ratio reported is the median of the per-round ratios, so that a noisy neighbour slows both
//! sides of a round alike. Times are the thread's CPU time
//! (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), so that a batch preempted by another process is not
//! charged for it.
//!
//! Rows (the two marked "before" time the implementations the crate used until now, for the
//! record): 2048-bit modexp with a 256-bit and a 2048-bit exponent (constant time on both
//! sides: OpenSSL's exponent carries `BN_FLG_CONSTTIME`), one CRT half (1024-bit modulus,
//! 1088-bit exponent), RSA-2048 private operation by CRT (blinded on both sides), DES and
//! 3DES per block in CBC (the `des` crate as the secure messaging uses it; 3DES decryption
//! too), and a whole session on the virtual card through `Cie::open` + VERIFY against
//! OpenSSL doing the session's arithmetic (four 256-bit-exponent modexps and two RSA-2048
//! CRT signatures).
//!
//! OpenSSL picks its code by the CPU's features. To compare with its scalar (MULX/ADX) code
//! instead of its AVX-512 IFMA code, run with `OPENSSL_ia32cap=":~0x200000"` (CPUID leaf 7
//! EBX bit 21 cleared).
//!
//! Run: `nice -n 10 cargo bench --features emulator --bench arith` (`-- quick` for fewer rounds).
#![allow(
    missing_docs,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;
use std::time::Instant;

use cie_pinpuk::arith::{self, CrtKey, Modulus, U2048};
use cie_pinpuk::auth::test_keys;
use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::Pin;
use cie_pinpuk::emulator::VirtualCie;
use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use des::{Des, TdesEde2};
use openssl::bn::{BigNum, BigNumContext};
use openssl::rsa::{Padding, Rsa};
use openssl::symm::{Cipher, Crypter, Mode};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

struct Row {
    name: &'static str,
    subject_us: f64,
    reference_us: f64,
    ratio: f64,
    unit: &'static str,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `rounds` rounds of `per` calls of each side, alternating which side goes first.
fn interleave(
    name: &'static str,
    unit: &'static str,
    per: usize,
    rounds: usize,
    mut subject: impl FnMut(),
    mut reference: impl FnMut(),
) -> Row {
    for _ in 0..per.max(2) {
        subject();
        reference();
    }
    let (mut s, mut r, mut q) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let time = |f: &mut dyn FnMut()| {
            let cpu = thread_cpu_ns();
            let t = Instant::now();
            for _ in 0..per {
                f();
            }
            let wall = t.elapsed().as_secs_f64() * 1e6;
            let spent = match (cpu, thread_cpu_ns()) {
                (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e3,
                _ => wall,
            };
            spent / per as f64
        };
        let (a, b) = if round % 2 == 0 {
            let a = time(&mut subject);
            (a, time(&mut reference))
        } else {
            let b = time(&mut reference);
            (time(&mut subject), b)
        };
        s.push(a);
        r.push(b);
        q.push(a / b);
    }
    Row {
        name,
        subject_us: median(&mut s),
        reference_us: median(&mut r),
        ratio: median(&mut q),
        unit,
    }
}

/// CPU time of this thread in ns (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`): on a loaded
/// machine a batch that spans a preemption would otherwise be charged the other processes'
/// time.
fn thread_cpu_ns() -> Option<u64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let ns = u64::try_from(t.tv_sec).ok()? * 1_000_000_000 + u64::try_from(t.tv_nsec).ok()?;
    Some(ns)
}

fn bn(limbs: &[u64]) -> BigNum {
    let mut bytes = Vec::new();
    for l in limbs.iter().rev() {
        bytes.extend_from_slice(&l.to_be_bytes());
    }
    BigNum::from_slice(&bytes).unwrap()
}

fn random_limbs<const L: usize>(rng: &mut ChaCha20Rng, below: &[u64; L]) -> [u64; L] {
    let mut x = [0u64; L];
    for l in x.iter_mut() {
        *l = rng.next_u64();
    }
    let top = L - 1;
    x[top] %= below[top].max(1);
    x
}

/// `micro OP`: 100 000 calls of one primitive, for `perf stat -e cycles` (cycles do not
/// depend on the machine's load).
fn micro(op: &str) {
    let p_limbs = arith::from_be_bytes::<U2048>(&test_keys::DH_P).unwrap();
    let m = Modulus::<U2048>::new(&p_limbs).unwrap();
    let half: [u64; 16] = core::array::from_fn(|i| p_limbs[i + 16] | 1);
    let m16 = Modulus::<16>::new(&half).unwrap();
    let mut x = m.one().to_owned();
    let mut y: [u64; 16] = *m16.one();
    if op == "session" {
        let pin = Pin::new("12345678").unwrap();
        let card = VirtualCie::builder()
            .pin("12345678")
            .seed([0xA1; 32])
            .build()
            .unwrap();
        let mut cie = Cie::with_rng(card, ChaCha20Rng::seed_from_u64(99)).unwrap();
        for _ in 0..200 {
            let mut s = cie.open().unwrap();
            s.verify_pin(&pin).unwrap();
        }
        return;
    }
    if op == "rsa" {
        let rsa = Rsa::generate(2048).unwrap();
        let be = |b: &openssl::bn::BigNumRef| b.to_vec();
        let key = CrtKey::new(
            &be(rsa.n()),
            &be(rsa.e()),
            &be(rsa.p().unwrap()),
            &be(rsa.q().unwrap()),
            &be(rsa.dmp1().unwrap()),
            &be(rsa.dmq1().unwrap()),
            &be(rsa.iqmp().unwrap()),
        )
        .unwrap();
        let mut msg = *key.modulus().n();
        msg[31] >>= 1;
        let t = Instant::now();
        for i in 0..200u64 {
            black_box(key.sign(black_box(&msg), Some([i, !i])).unwrap());
        }
        println!(
            "rsa sign: {:.1} us wall",
            t.elapsed().as_secs_f64() * 1e6 / 200.0
        );
        return;
    }
    let n = 100_000;
    for _ in 0..n {
        match op {
            "sq32" => x = m.square(black_box(&x)),
            "mul32" => x = m.mul(black_box(&x), &p_limbs),
            "sq16" => y = m16.square(black_box(&y)),
            "mul16" => y = m16.mul(black_box(&y), &half),
            "pow16" => y = m16.pow(black_box(&y), &half, 1024),
            _ => panic!("unknown op"),
        }
    }
    black_box((x, y));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "micro") {
        micro(&args[i + 1]);
        return;
    }
    let quick = std::env::args().any(|a| a == "quick");
    let scale = if quick { 1 } else { 4 };
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let mut rows = Vec::new();

    // --- modexp modulo the DH prime of the reference card ---
    let p_limbs = arith::from_be_bytes::<U2048>(&test_keys::DH_P).unwrap();
    let m = Modulus::<U2048>::new(&p_limbs).unwrap();
    let p_bn = BigNum::from_slice(&test_keys::DH_P).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    for (name, exp_bits) in [
        ("modexp 2048, 256-bit exponent", 256u32),
        ("modexp 2048, 2048-bit exponent", 2048),
    ] {
        let base = random_limbs(&mut rng, &p_limbs);
        let mut exp = [0u64; U2048];
        for l in exp.iter_mut().take(exp_bits as usize / 64) {
            *l = rng.next_u64();
        }
        exp[exp_bits as usize / 64 - 1] |= 1 << 63;
        let base_m = m.to_mont(&base);
        let base_bn = bn(&base);
        let mut exp_bn = bn(&exp);
        exp_bn.set_const_time();
        let mut out = BigNum::new().unwrap();
        let per = if exp_bits == 256 { 20 } else { 3 };
        rows.push(interleave(
            name,
            "us",
            per,
            10 * scale,
            || {
                black_box(m.from_mont(&m.pow(black_box(&base_m), &exp, exp_bits)));
            },
            || {
                out.mod_exp(black_box(&base_bn), &exp_bn, &p_bn, &mut ctx)
                    .unwrap();
            },
        ));
    }

    // --- one CRT half: 1024-bit modulus, 1088-bit exponent (d_p blinded by 64 bits) ---
    // OpenSSL's BN_mod_exp_mont_consttime on one 1024-bit modulus; its RSA private operation
    // instead runs both halves at once (with AVX-512 IFMA where the CPU has it), which is
    // what the RSA row below compares against.
    {
        let rsa_half = Rsa::generate(2048).unwrap();
        let p_half = rsa_half.p().unwrap().to_vec();
        let p16 = arith::from_be_bytes::<{ arith::U1024 }>(&p_half).unwrap();
        let m16 = Modulus::new(&p16).unwrap();
        let base = random_limbs(&mut rng, &p16);
        let mut exp = [0u64; 17];
        for l in exp.iter_mut() {
            *l = rng.next_u64();
        }
        exp[16] |= 1 << 63;
        let base_m = m16.to_mont(&base);
        let p_bn = BigNum::from_slice(&p_half).unwrap();
        let base_bn = bn(&base);
        let mut exp_bn = bn(&exp);
        exp_bn.set_const_time();
        let mut out = BigNum::new().unwrap();
        rows.push(interleave(
            "modexp 1024 (one CRT half), 1088-bit exponent",
            "us",
            6,
            10 * scale,
            || {
                black_box(m16.from_mont(&m16.pow(black_box(&base_m), &exp, 1088)));
            },
            || {
                out.mod_exp(black_box(&base_bn), &exp_bn, &p_bn, &mut ctx)
                    .unwrap();
            },
        ));
    }

    // --- the previous implementation, for the record: crypto-bigint's exponentiation ---
    {
        use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
        use crypto_bigint::{Odd, U2048 as Cb};
        let params =
            FixedMontyParams::new_vartime(Odd::new(Cb::from_be_slice(&test_keys::DH_P)).unwrap());
        let base = random_limbs(&mut rng, &p_limbs);
        let mut exp = [0u64; U2048];
        for l in exp.iter_mut().take(4) {
            *l = rng.next_u64();
        }
        let mut bytes = vec![0u8; 256];
        arith::write_be_bytes(&base, &mut bytes).unwrap();
        let cb_base = FixedMontyForm::new(&Cb::from_be_slice(&bytes), &params);
        arith::write_be_bytes(&exp, &mut bytes).unwrap();
        let cb_exp = Cb::from_be_slice(&bytes);
        let base_bn = bn(&base);
        let mut exp_bn = bn(&exp);
        exp_bn.set_const_time();
        let mut out = BigNum::new().unwrap();
        rows.push(interleave(
            "(before) crypto-bigint 0.7 modexp 2048, 256-bit exponent",
            "us",
            10,
            10 * scale,
            || {
                black_box(black_box(&cb_base).pow_bounded_exp(&cb_exp, 256).retrieve());
            },
            || {
                out.mod_exp(black_box(&base_bn), &exp_bn, &p_bn, &mut ctx)
                    .unwrap();
            },
        ));
    }

    // --- RSA-2048 CRT private operation ---
    let rsa = Rsa::generate(2048).unwrap();
    let be = |b: &openssl::bn::BigNumRef| b.to_vec();
    let key = CrtKey::new(
        &be(rsa.n()),
        &be(rsa.e()),
        &be(rsa.p().unwrap()),
        &be(rsa.q().unwrap()),
        &be(rsa.dmp1().unwrap()),
        &be(rsa.dmq1().unwrap()),
        &be(rsa.iqmp().unwrap()),
    )
    .unwrap();
    let n_limbs = *key.modulus().n();
    let msg = random_limbs(&mut rng, &n_limbs);
    let mut msg_bytes = vec![0u8; 256];
    arith::write_be_bytes(&msg, &mut msg_bytes).unwrap();
    let mut sig = vec![0u8; 256];
    {
        // Same answer from both.
        let s = key
            .sign(&msg, Some([rng.next_u64(), rng.next_u64()]))
            .unwrap();
        rsa.private_encrypt(&msg_bytes, &mut sig, Padding::NONE)
            .unwrap();
        let mut mine = vec![0u8; 256];
        arith::write_be_bytes(&s, &mut mine).unwrap();
        assert_eq!(mine, sig, "CRT signature differs from OpenSSL's");
    }
    let mut blind_rng = ChaCha20Rng::seed_from_u64(7);
    rows.push(interleave(
        "RSA-2048 CRT sign (blinded)",
        "us",
        4,
        10 * scale,
        || {
            let k = [blind_rng.next_u64(), blind_rng.next_u64()];
            black_box(key.sign(black_box(&msg), Some(k)).unwrap());
        },
        || {
            rsa.private_encrypt(black_box(&msg_bytes), &mut sig, Padding::NONE)
                .unwrap();
        },
    ));

    // --- the previous implementation, for the record: the rsa crate's blinded CRT ---
    {
        use rsa::BoxedUint;
        use rsa::traits::PublicKeyParts;
        let big = |b: &openssl::bn::BigNumRef| BoxedUint::from_be_slice(&b.to_vec(), 2048).unwrap();
        let key = rsa::PrivateKey::from_components(
            big(rsa.n()),
            big(rsa.e()),
            big(rsa.d()),
            vec![big(rsa.p().unwrap()), big(rsa.q().unwrap())],
        )
        .unwrap();
        let c = BoxedUint::from_be_slice(&msg_bytes, key.n_bits_precision()).unwrap();
        let mut blind = ChaCha20Rng::seed_from_u64(8);
        rows.push(interleave(
            "(before) rsa 0.10 hazmat CRT sign (blinded)",
            "us",
            2,
            10 * scale,
            || {
                black_box(
                    rsa::hazmat::rsa_decrypt_and_check(&key, Some(&mut blind), black_box(&c))
                        .unwrap(),
                );
            },
            || {
                rsa.private_encrypt(black_box(&msg_bytes), &mut sig, Padding::NONE)
                    .unwrap();
            },
        ));
    }

    // --- DES and 3DES per block (CBC, 4 KiB) ---
    let legacy = openssl::provider::Provider::try_load(None, "legacy", true).ok();
    let data = vec![0x5Au8; 4096];
    let blocks = data.len() / 8;
    let tdes_key = [0x13u8; 16];
    let tdes = TdesEde2::new((&tdes_key).into());
    let des1 = Des::new((&[0x31u8; 8]).into());
    let mut out = vec![0u8; data.len() + 16];
    let cbc = |enc: &dyn Fn(&mut Array<u8, cipher::consts::U8>)| {
        let mut prev = [0u8; 8];
        for chunk in data.chunks_exact(8) {
            let mut b = Array::from([0u8; 8]);
            for i in 0..8 {
                b[i] = chunk[i] ^ prev[i];
            }
            enc(&mut b);
            prev.copy_from_slice(&b);
        }
        black_box(prev);
    };
    let mut tdes_key24 = [0u8; 24];
    tdes_key24[..16].copy_from_slice(&tdes_key);
    tdes_key24[16..].copy_from_slice(&tdes_key[..8]);
    let openssl_cbc = |cipher: Cipher, key: &[u8], out: &mut Vec<u8>| {
        let mut c = Crypter::new(cipher, Mode::Encrypt, key, Some(&[0u8; 8])).unwrap();
        c.pad(false);
        let n = c.update(&data, out).unwrap();
        black_box(n);
    };
    let mut des_row = interleave(
        "3DES (2-key EDE) CBC, per block",
        "ns",
        20,
        10 * scale,
        || cbc(&|b| tdes.encrypt_block(b)),
        || openssl_cbc(Cipher::des_ede3_cbc(), &tdes_key24, &mut out),
    );
    des_row.subject_us *= 1000.0 / blocks as f64;
    des_row.reference_us *= 1000.0 / blocks as f64;
    let single_available = Crypter::new(
        Cipher::des_cbc(),
        Mode::Encrypt,
        &[0x31u8; 8],
        Some(&[0u8; 8]),
    )
    .is_ok();
    if single_available {
        let mut row = interleave(
            "DES CBC, per block",
            "ns",
            20,
            10 * scale,
            || cbc(&|b| des1.encrypt_block(b)),
            || openssl_cbc(Cipher::des_cbc(), &[0x31u8; 8], &mut out),
        );
        row.subject_us *= 1000.0 / blocks as f64;
        row.reference_us *= 1000.0 / blocks as f64;
        rows.push(row);
    } else {
        println!("DES CBC: skipped, OpenSSL's legacy provider (single DES) is not available");
    }
    rows.push(des_row);
    // CBC decryption: the blocks are independent (each needs only its own ciphertext and the
    // previous one), so the processor can overlap consecutive block decryptions.
    let mut ct = vec![0u8; data.len() + 16];
    {
        let mut c = Crypter::new(
            Cipher::des_ede3_cbc(),
            Mode::Encrypt,
            &tdes_key24,
            Some(&[0u8; 8]),
        )
        .unwrap();
        c.pad(false);
        c.update(&data, &mut ct).unwrap();
    }
    ct.truncate(data.len());
    let mut plain = vec![0u8; data.len()];
    let mut dec_row = interleave(
        "3DES (2-key EDE) CBC decryption, per block",
        "ns",
        20,
        10 * scale,
        || {
            let mut prev = [0u8; 8];
            for (c, o) in ct.chunks_exact(8).zip(plain.chunks_exact_mut(8)) {
                let mut b = Array::from([0u8; 8]);
                b.copy_from_slice(c);
                tdes.decrypt_block(&mut b);
                for i in 0..8 {
                    o[i] = b[i] ^ prev[i];
                }
                prev.copy_from_slice(c);
            }
            black_box(&plain);
        },
        || {
            let mut c = Crypter::new(
                Cipher::des_ede3_cbc(),
                Mode::Decrypt,
                &tdes_key24,
                Some(&[0u8; 8]),
            )
            .unwrap();
            c.pad(false);
            black_box(c.update(&ct, &mut out).unwrap());
        },
    );
    assert_eq!(&plain, &data, "3DES CBC decryption differs");
    dec_row.subject_us *= 1000.0 / blocks as f64;
    dec_row.reference_us *= 1000.0 / blocks as f64;
    rows.push(dec_row);
    drop(legacy);

    // --- a whole session on the virtual card against OpenSSL doing its arithmetic ---
    let pin = Pin::new("12345678").unwrap();
    let card = VirtualCie::builder()
        .pin("12345678")
        .seed([0xA1; 32])
        .build()
        .unwrap();
    let mut cie = Cie::with_rng(card, ChaCha20Rng::seed_from_u64(99)).unwrap();
    let mut sessions = 0u64;
    let mut exps: Vec<BigNum> = (0..4)
        .map(|_| {
            let mut e = [0u64; 4];
            for l in e.iter_mut() {
                *l = rng.next_u64();
            }
            let mut b = bn(&e);
            b.set_const_time();
            b
        })
        .collect();
    let bases: Vec<BigNum> = (0..4)
        .map(|_| bn(&random_limbs(&mut rng, &p_limbs)))
        .collect();
    let mut out_bn = BigNum::new().unwrap();
    rows.push(interleave(
        "session: Cie::open + VERIFY (host+card) vs OpenSSL 4 modexp-256 + 2 RSA-CRT",
        "us",
        2,
        10 * scale,
        || {
            sessions += 1;
            let mut s = cie.open().unwrap();
            s.verify_pin(&pin).unwrap();
        },
        || {
            for (b, e) in bases.iter().zip(exps.iter_mut()) {
                out_bn.mod_exp(b, e, &p_bn, &mut ctx).unwrap();
            }
            for _ in 0..2 {
                rsa.private_encrypt(&msg_bytes, &mut sig, Padding::NONE)
                    .unwrap();
            }
        },
    ));

    println!();
    println!("| operation | this crate | OpenSSL (same run) | ratio |");
    println!("|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {:.3} {} | {:.3} {} | {:.2}x |",
            r.name, r.subject_us, r.unit, r.reference_us, r.unit, r.ratio
        );
    }
    if let Some(session) = rows.last() {
        println!(
            "\nsessions per second per core (this run): {:.0}",
            1e6 / session.subject_us
        );
    }
}
