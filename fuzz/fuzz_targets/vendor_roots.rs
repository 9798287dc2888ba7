//! libFuzzer entry point of the `vendor_roots` target (see `poci_fuzz::vendor_roots`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::vendor_roots(data));
