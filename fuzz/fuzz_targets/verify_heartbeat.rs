//! libFuzzer entry point of the `verify_heartbeat` target (see `poci_fuzz::verify_heartbeat`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    poci_fuzz::verify_heartbeat(data);
});
