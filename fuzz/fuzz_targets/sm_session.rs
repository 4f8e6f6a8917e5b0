#![no_main]

#[path = "../harness/sm_session.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
