#![no_main]

#[path = "../harness/ber_tlv.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
