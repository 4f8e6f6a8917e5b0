#![no_main]

#[path = "../harness/sm_unwrap_sealed.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
