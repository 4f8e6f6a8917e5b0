#![no_main]

#[path = "../harness/recovery_inputs.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
