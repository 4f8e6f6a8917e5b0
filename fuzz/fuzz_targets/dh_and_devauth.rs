#![no_main]

#[path = "../harness/dh_and_devauth.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
