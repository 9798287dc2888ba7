//! libFuzzer entry point of the `decode_lease` target (see `poci_fuzz::decode_lease`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::decode_lease(data));
