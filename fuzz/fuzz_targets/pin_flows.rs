#![no_main]

#[path = "../harness/pin_flows.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
