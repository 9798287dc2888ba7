//! libFuzzer entry point of the `json_forms` target (see `poci_fuzz::json_forms`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::json_forms(data));
