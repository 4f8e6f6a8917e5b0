#![no_main]

#[path = "../harness/sm_unwrap_raw.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
