//! libFuzzer entry point of the `ledger_apply` target (see `poci_fuzz::ledger_apply`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    poci_fuzz::ledger_apply(data);
});
