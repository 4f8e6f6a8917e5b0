//! Zero heap allocations per wrap and per unwrap (both roles), measured with a counting
//! global allocator on the test's own thread.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cie_pinpuk::sm::{CardSecureChannel, SecureChannel};

/// Allocations made by `f` on this thread (the crate forbids `unsafe`, so the counting
/// `#[global_allocator]` comes from the dev-dependency `allocation-counter`, which counts per
/// thread).
fn allocations(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

#[test]
fn zero_allocations_per_wrap_and_unwrap() {
    let ks_enc = [0x11; 16];
    let ks_mac = [0x22; 16];
    let ssc = [0, 0, 0, 0, 0, 0, 0, 1];
    let mut host = SecureChannel::tdes(ks_enc, ks_mac, ssc);
    let mut card = CardSecureChannel::tdes(ks_enc, ks_mac, ssc);
    let mut cmd = [0u8; 300];
    let mut plain = [0u8; 300];
    let mut resp = [0u8; 300];
    let mut out = [0u8; 300];

    let verify = [
        0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
    ];
    let read = [0x00, 0xB0, 0x00, 0x00, 0x80];
    let mut chunk = [0u8; 5 + 0xE7];
    chunk[..5].copy_from_slice(&[0x00, 0x2A, 0x00, 0xAE, 0xE7]);
    let file = [0x5A; 0x80];

    for (name, command, answer) in [
        ("VERIFY", &verify[..], &[][..]),
        ("READ BINARY 0x80", &read[..], &file[..]),
        ("0xE7 chunk", &chunk[..], &[][..]),
    ] {
        let mut n_cmd = 0;
        let a = allocations(|| n_cmd = host.wrap(command, &mut cmd).unwrap());
        assert_eq!(a, 0, "{name}: host wrap");
        let mut n_plain = 0;
        let a = allocations(|| n_plain = card.unwrap_command(&cmd[..n_cmd], &mut plain).unwrap());
        assert_eq!(a, 0, "{name}: card unwrap_command");
        assert_eq!(&plain[..n_plain], command);
        let mut n_resp = 0;
        let a = allocations(|| n_resp = card.wrap_response(answer, 0x9000, &mut resp).unwrap());
        assert_eq!(a, 0, "{name}: card wrap_response");
        let mut n_out = 0;
        let a = allocations(|| n_out = host.unwrap(&resp[..n_resp], &mut out).unwrap());
        assert_eq!(a, 0, "{name}: host unwrap");
        assert_eq!(&out[..n_out - 2], answer);
        // The chained path too.
        let mut n = None;
        let a = allocations(|| n = host.wrap_chain(command, 0, &mut cmd).unwrap());
        assert_eq!(a, 0, "{name}: host wrap_chain");
        let n_cmd = n.unwrap();
        card.unwrap_command(&cmd[..n_cmd], &mut plain).unwrap();
        let n_resp = card.wrap_response(answer, 0x9000, &mut resp).unwrap();
        host.unwrap(&resp[..n_resp], &mut out).unwrap();
    }
    // The counter works: an allocation is seen.
    assert_eq!(allocations(|| drop(std::hint::black_box(vec![1u8; 10]))), 1);
    // Closing on an error does not allocate either.
    let a = allocations(|| {
        host.wrap(&verify, &mut cmd).unwrap();
        assert!(host.unwrap(&[0x69, 0x88], &mut out).is_err());
    });
    assert_eq!(a, 0, "error path");
}
