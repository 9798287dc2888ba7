//! libFuzzer entry point of the `signature` target (see `poci_fuzz::signature`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::signature(data));
