//! N12 (docs/testing.md §4.4): PIN/PUK containers are zeroized when dropped.
//!
//! A global allocator probe (tests/codes_alloc_probe) records the bytes of one watched block
//! at the moment it is freed. A boxed plain byte array is the control: the probe must see its
//! digits. A boxed `Pin`, `Puk`, `FirstHalf` or `SecondHalf` must leave only zeros.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use cie_pinpuk::codes::{CodeKind, FirstHalf, Pin, Puk, SecondHalf};
use cie_pinpuk_alloc_probe::{ProbeAlloc, take_freed, watch};
use zeroize::Zeroize;

#[global_allocator]
static ALLOC: ProbeAlloc = ProbeAlloc;

/// The probe watches one block at a time, and the test harness runs tests on threads.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Boxes `value`, watches its block, drops it, and returns the bytes left in the block.
fn freed_bytes<T>(value: T) -> Vec<u8> {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let boxed = Box::new(value);
    watch(std::ptr::from_ref::<T>(&*boxed) as usize);
    drop(black_box(boxed));
    take_freed().expect("the watched block was freed")
}

#[test]
fn n12_control_probe_sees_plain_bytes() {
    let bytes = freed_bytes(*b"40271953");
    assert_eq!(bytes, b"40271953".to_vec());
}

#[test]
fn n12_boxed_pin_is_zero_when_freed() {
    let pin = Pin::new("40271953").unwrap();
    assert_eq!(std::mem::size_of::<Pin>(), 8);
    assert_eq!(freed_bytes(pin), vec![0u8; 8]);
}

#[test]
fn n12_boxed_puk_is_zero_when_freed() {
    let puk = Puk::new("96385274").unwrap();
    assert_eq!(std::mem::size_of::<Puk>(), 8);
    assert_eq!(freed_bytes(puk), vec![0u8; 8]);
}

#[test]
fn n12_boxed_halves_have_zero_digits_when_freed() {
    // A half is its kind tag (not secret, kept) and its 4 digits (wiped).
    let first = FirstHalf::new(CodeKind::Pin, "4027").unwrap();
    let bytes = freed_bytes(first);
    assert_eq!(bytes.len(), std::mem::size_of::<FirstHalf>());
    assert_eq!(bytes.iter().filter(|b| b.is_ascii_digit()).count(), 0);
    assert!(!bytes.windows(4).any(|w| w == b"4027"));

    let second = SecondHalf::new(CodeKind::Puk, "1953").unwrap();
    let bytes = freed_bytes(second);
    assert_eq!(bytes.iter().filter(|b| b.is_ascii_digit()).count(), 0);
    assert!(!bytes.windows(4).any(|w| w == b"1953"));
}

#[test]
fn n12_pin_from_halves_is_zero_when_freed() {
    let first = FirstHalf::new(CodeKind::Pin, "4027").unwrap();
    let second = SecondHalf::new(CodeKind::Pin, "1953").unwrap();
    let pin = Pin::from_halves(&first, &second).unwrap();
    assert_eq!(freed_bytes(pin), vec![0u8; 8]);
}

#[test]
fn n12_zeroize_trait_wipes_in_place() {
    let mut pin = Pin::new("40271953").unwrap();
    pin.zeroize();
    assert_eq!(pin.expose_ascii(), &[0u8; 8]);

    let mut puk = Puk::new("96385274").unwrap();
    puk.zeroize();
    assert_eq!(puk.expose_ascii(), &[0u8; 8]);

    let mut first = FirstHalf::new(CodeKind::Puk, "9638").unwrap();
    first.zeroize();
    assert_eq!(first.expose_ascii(), &[0u8; 4]);
    assert_eq!(
        first.kind(),
        CodeKind::Puk,
        "the kind is not secret and is kept"
    );

    let mut second = SecondHalf::new(CodeKind::Pin, "1953").unwrap();
    second.zeroize();
    assert_eq!(second.expose_ascii(), &[0u8; 4]);
}

#[test]
fn n12_secret_types_implement_zeroize_on_drop() {
    fn assert_zod<T: zeroize::ZeroizeOnDrop + Zeroize>() {}
    assert_zod::<Pin>();
    assert_zod::<Puk>();
    assert_zod::<FirstHalf>();
    assert_zod::<SecondHalf>();
}
