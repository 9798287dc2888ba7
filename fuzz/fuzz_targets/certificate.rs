//! libFuzzer entry point of the `certificate` target (see `poci_fuzz::certificate`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::certificate(data));
