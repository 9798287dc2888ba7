//! libFuzzer entry point of the `verify_binding` target (see `poci_fuzz::verify_binding`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    poci_fuzz::verify_binding(data);
});
