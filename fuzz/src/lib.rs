//! Fuzz targets for POCI (cargo-fuzz; `make fuzz` runs a short campaign).
//!
//! Each target is a plain function of the fuzzer's bytes, so the same code runs under
//! libFuzzer (`fuzz_targets/`), in the regression tests over the seeds and every kept crash
//! input (`tests/regressions.rs`, part of `make test`), and nowhere else.
//!
//! - Parsers, on raw bytes: each message's DER, certificates through the chip identity
//!   extension, CRLs, vendor manifests, the JSON forms, signatures and public keys. Anything
//!   accepted must re-encode to the same bytes or the same value.
//! - Verification, on structure-aware inputs (`arbitrary`): heartbeats and bindings built
//!   from chosen fields, signers, chains and byte edits, checked against both signature
//!   backends and, for bindings, a verifier that has verified other chains before; the ledger,
//!   driven by sequences of bindings, heartbeats, batches, closes and restores.
//!
//! Any panic is a finding: an oracle that failed or a crash inside POCI.
#![forbid(unsafe_code)]
// Test code: a harness states its oracles as assertions, stops on a broken fixture, and
// indexes its small fixture tables with wrapped `u8` choices.
#![allow(clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

mod fixtures;
mod ledger;
mod parsers;
pub mod seeds;
mod verify;

pub use ledger::ledger_apply;
pub use parsers::{
    certificate, crl, decode_binding, decode_heartbeat, decode_lease, json_forms, manifest,
    nvidia_report, pack_folder, signature, unpack_folder, vendor_roots,
};
pub use verify::{verify_binding, verify_heartbeat};

/// A fuzz target: never panics unless it found something.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz_targets/` and `fuzz/corpus/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_heartbeat", decode_heartbeat),
    ("decode_binding", decode_binding),
    ("decode_lease", decode_lease),
    ("certificate", certificate),
    ("crl", crl),
    ("manifest", manifest),
    ("vendor_roots", vendor_roots),
    ("nvidia_report", nvidia_report),
    ("json_forms", json_forms),
    ("signature", signature),
    ("verify_heartbeat", |data| {
        verify_heartbeat(data);
    }),
    ("verify_binding", |data| {
        verify_binding(data);
    }),
    ("ledger_apply", |data| {
        ledger_apply(data);
    }),
];

/// The structure-aware targets: they read their input as choices, so any seed serves.
pub const STRUCTURED: [&str; 3] = ["verify_heartbeat", "verify_binding", "ledger_apply"];
