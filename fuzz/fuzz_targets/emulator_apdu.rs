#![no_main]

#[path = "../harness/emulator_apdu.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
