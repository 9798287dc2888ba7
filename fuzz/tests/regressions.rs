//! Every fuzz target over its seeds from the conformance vectors and over every input a
//! campaign kept (`fuzz/regressions/<target>/`): what was found once stays fixed, and the
//! harness itself is exercised by `make test`.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use poci_fuzz::{TARGETS, seeds};

/// Seeds given to the structure-aware targets (slow: they sign and verify for real).
const STRUCTURED_SEEDS: usize = 48;

#[test]
fn every_target_passes_its_seeds() {
    let seeds = seeds::from_vectors();
    let all: Vec<&[u8]> = seeds.all().map(|(_, seed)| seed).collect();
    for (name, target) in TARGETS {
        let list: Vec<&[u8]> = if poci_fuzz::STRUCTURED.contains(name) {
            // A spread of every kind of seed, as choices.
            let step = (all.len() / STRUCTURED_SEEDS).max(1);
            all.iter().step_by(step).copied().collect()
        } else {
            seeds.of(name).iter().map(Vec::as_slice).collect()
        };
        assert!(!list.is_empty(), "no seeds for {name}");
        for seed in list {
            target(seed);
        }
    }
}

#[test]
fn each_parser_has_seeds_from_the_vectors() {
    let seeds = seeds::from_vectors();
    for name in [
        "decode_heartbeat",
        "decode_binding",
        "decode_lease",
        "certificate",
        "crl",
        "manifest",
        "vendor_roots",
        "nvidia_report",
        "json_forms",
        "signature",
    ] {
        assert!(
            seeds.of(name).len() >= 3,
            "{name}: {} seeds",
            seeds.of(name).len()
        );
    }
}

/// The empty input is the honest case of each structure-aware target (every choice at its
/// default): it must get past decoding and signing to the verdict, whose oracles then
/// require it to be accepted. A target that returned early would pass every seed silently.
#[test]
fn the_honest_case_reaches_each_verdict() {
    assert!(poci_fuzz::verify_heartbeat(&[]));
    assert!(poci_fuzz::verify_binding(&[]));
    assert!(poci_fuzz::ledger_apply(&[]));
}

/// Each kept input runs through its target; a folder name that is no target, or a stray
/// file, is a mistake.
#[test]
fn every_kept_input_passes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut ran = 0usize;
    for entry in std::fs::read_dir(&root).expect("fuzz/regressions") {
        let folder = entry.expect("regression folder").path();
        if !folder.is_dir() {
            assert!(
                folder.ends_with("README.md"),
                "stray file {}",
                folder.display()
            );
            continue;
        }
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let (_, target) = TARGETS
            .iter()
            .find(|(target, _)| *target == name)
            .unwrap_or_else(|| panic!("fuzz/regressions/{name} names no target"));
        for input in std::fs::read_dir(&folder).expect("regression inputs") {
            let path = input.expect("regression input").path();
            target(&std::fs::read(&path).expect("regression input"));
            ran += 1;
        }
    }
    assert!(ran > 0, "no kept input ran");
}
