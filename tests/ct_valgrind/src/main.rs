//! ctgrind-style probe: marks secrets undefined for valgrind memcheck, runs one operation,
//! marks the result defined again. Memcheck then reports every conditional jump and every
//! memory address computed from a secret ("Conditional jump or move depends on
//! uninitialised value(s)", "Use of uninitialised value of size 8"). Outside valgrind the
//! client requests are no-ops.
//!
//! `ct-valgrind SECTION` with SECTION one of `pow256`, `pow2048`, `pow1088`, `ops`, `control` (the
//! variable-time exponentiation: must be reported), `des`.

use cie_pinpuk::arith::{self, Limbs, Modulus, U1024, U2048};
use cie_pinpuk::auth::test_keys;

const MAKE_MEM_UNDEFINED: u64 = 0x4D43_0001;
const MAKE_MEM_DEFINED: u64 = 0x4D43_0002;

/// A valgrind client request (amd64 magic sequence); returns `default` outside valgrind.
#[cfg(target_arch = "x86_64")]
fn client_request(request: u64, addr: u64, len: u64) -> u64 {
    let args: [u64; 6] = [request, addr, len, 0, 0, 0];
    let result: u64;
    // SAFETY: the sequence rotates rdi by 128 bits in total (unchanged) and exchanges rbx
    // with itself: a no-op for the CPU, recognised by valgrind, which reads `args`.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51", "xchg rbx, rbx",
            inout("rdx") 0u64 => result,
            in("rax") args.as_ptr(),
            inout("rdi") 0u64 => _,
            options(nostack)
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn client_request(_request: u64, _addr: u64, _len: u64) -> u64 {
    0
}

fn secret<T>(x: &T) {
    client_request(
        MAKE_MEM_UNDEFINED,
        x as *const T as u64,
        core::mem::size_of_val(x) as u64,
    );
}

fn public<T>(x: &T) {
    client_request(
        MAKE_MEM_DEFINED,
        x as *const T as u64,
        core::mem::size_of_val(x) as u64,
    );
}

fn pseudo<const L: usize>(seed: u64) -> Limbs<L> {
    let mut s = seed;
    core::array::from_fn(|_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s ^ (s >> 29)
    })
}

fn main() {
    let section = std::env::args().nth(1).unwrap_or_default();
    let p = arith::from_be_bytes::<U2048>(&test_keys::DH_P).expect("p");
    let m = Modulus::new(&p).expect("modulus");
    match section.as_str() {
        "pow256" | "pow2048" => {
            let bits = if section == "pow256" { 256 } else { 2048 };
            let g = arith::from_be_bytes::<U2048>(&test_keys::DH_G).expect("g");
            let base = m.to_mont(&g);
            let mut exp: Limbs<U2048> = pseudo(7);
            if bits == 256 {
                exp[4..].fill(0);
            } else {
                exp[31] >>= 1;
            }
            secret(&base);
            secret(&exp);
            let r = m.pow(&base, &exp, bits);
            let out = m.from_mont(&r);
            public(&out);
            println!("{section}: {:016x}", out[0]);
        }
        "pow1088" => {
            // A CRT half: 1024-bit prime, exponent dp + k·(p-1) of 1088 bits.
            let mut half: Limbs<U1024> = pseudo(11);
            half[0] |= 1;
            half[15] |= 1 << 63;
            let mh = Modulus::new(&half).expect("half");
            let lo: Limbs<U1024> = pseudo(12);
            let mut hi: Limbs<U1024> = pseudo(13);
            hi[15] >>= 1;
            let exp: [u64; 17] = pseudo(14);
            secret(&lo);
            secret(&hi);
            secret(&exp);
            let x = mh.reduce_wide(&lo, &hi);
            let r = mh.pow(&mh.to_mont(&x), &exp, 1088);
            let out = mh.from_mont(&r);
            public(&out);
            println!("{section}: {:016x}", out[0]);
        }
        "ops" => {
            let mut a: Limbs<U2048> = pseudo(21);
            let mut b: Limbs<U2048> = pseudo(22);
            a[31] >>= 2;
            b[31] >>= 2;
            secret(&a);
            secret(&b);
            let am = m.to_mont(&a);
            let bm = m.to_mont(&b);
            let r = m.sub(&m.mul(&am, &bm), &m.square(&am));
            let eq = arith::ct_eq(&r, &bm).unwrap_u8() ^ arith::ct_lt(&am, &bm).unwrap_u8();
            let out = m.from_mont(&r);
            public(&out);
            public(&eq);
            println!("{section}: {:016x} {eq}", out[0]);
        }
        "control" => {
            // Must be reported: the variable-time exponentiation branches on the exponent
            // (shows that the probe sees what it should).
            let g = arith::from_be_bytes::<U2048>(&test_keys::DH_G).expect("g");
            let base = m.to_mont(&g);
            let mut exp: Limbs<U2048> = pseudo(7);
            exp[4..].fill(0);
            secret(&exp);
            let out = m.from_mont(&m.pow_vartime(&base, &exp));
            public(&out);
            println!("{section}: {:016x}", out[0]);
        }
        "des" => {
            use cipher::{Array, BlockCipherEncrypt, KeyInit};
            let key = [0x13u8; 16];
            let mut block = Array::from([0x5Au8; 8]);
            secret(&key);
            secret(&block);
            let c = des::TdesEde2::new((&key).into());
            c.encrypt_block(&mut block);
            public(&block);
            println!("{section}: {:02x?}", &block[..]);
        }
        _ => {
            eprintln!("usage: ct-valgrind pow256|pow2048|pow1088|ops|control|des");
            std::process::exit(2);
        }
    }
}
