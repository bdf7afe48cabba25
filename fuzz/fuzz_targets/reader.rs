#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kommunegraf::fuzz_targets::reader(data));
