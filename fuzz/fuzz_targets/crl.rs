//! libFuzzer entry point of the `crl` target (see `poci_fuzz::crl`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::crl(data));
