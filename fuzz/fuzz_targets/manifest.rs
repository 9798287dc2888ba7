//! libFuzzer entry point of the `manifest` target (see `poci_fuzz::manifest`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::manifest(data));
