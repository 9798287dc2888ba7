//! libFuzzer entry point of the `decode_binding` target (see `poci_fuzz::decode_binding`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::decode_binding(data));
