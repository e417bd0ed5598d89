#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| attrmap::fuzz_harness::extreme_calls(data));
