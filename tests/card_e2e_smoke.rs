//! A first end-to-end check: read the NIS, open a session and verify the PIN on the virtual CIE.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::{Pin, RetryStatus};
use cie_pinpuk::emulator::VirtualCie;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

#[test]
fn smoke_open_and_verify() {
    let mut card = VirtualCie::builder()
        .pin("11223344")
        .puk("55667788")
        .build()
        .unwrap();
    let rng = ChaCha20Rng::from_seed([7; 32]);
    let mut cie = Cie::with_rng(&mut card, rng).unwrap();
    let nis = cie.read_nis().unwrap();
    println!("nis {nis}");
    let mut s = cie.open().unwrap();
    println!("serial {}", s.serial().unwrap());
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    s.verify_pin(&Pin::new("11223344").unwrap()).unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Verified);
}
