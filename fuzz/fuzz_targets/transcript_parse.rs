#![no_main]

#[path = "../harness/transcript_parse.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
