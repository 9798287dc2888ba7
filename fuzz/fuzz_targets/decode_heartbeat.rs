//! libFuzzer entry point of the `decode_heartbeat` target (see `poci_fuzz::decode_heartbeat`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::decode_heartbeat(data));
