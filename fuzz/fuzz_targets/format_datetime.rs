#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::format_datetime(data));
