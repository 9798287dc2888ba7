//! libFuzzer entry point of the `nvidia_report` target (see `poci_fuzz::nvidia_report`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| poci_fuzz::nvidia_report(data));
