//! The Rust runner: every conformance vector, through this implementation.
//!
//! Reads `POCI_VECTORS_DIR` when set (conformance/vectors otherwise) and prints
//! `N passed, M failed`. On the repository's own folder it also checks that every
//! error code of SPEC.md is produced by some vector and that the generator reproduces
//! every file byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;

fn repository_vectors() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors"))
}

#[test]
fn every_vector_passes() {
    let dir = std::env::var_os("POCI_VECTORS_DIR").map_or_else(repository_vectors, PathBuf::from);
    let summary = poci_conformance::run_dir(&dir).unwrap();
    for failure in &summary.failures {
        println!("FAILED {failure}");
    }
    println!(
        "{} passed, {} failed",
        summary.passed,
        summary.failures.len()
    );
    assert!(summary.passed > 0, "no vectors in {}", dir.display());
    assert!(summary.failures.is_empty());
}

#[test]
fn every_error_code_has_a_vector() {
    let summary = poci_conformance::run_dir(&repository_vectors()).unwrap();
    // Reserved (SPEC.md 9): a path of at most MAX_CHAIN_CERTIFICATES never spends the
    // signature budget, so no input reaches it.
    let reserved = ["CHAIN_TOO_COMPLEX"];
    let missing: Vec<&&str> = poci::Error::ALL_CODES
        .iter()
        .filter(|code| !summary.codes.contains(**code) && !reserved.contains(*code))
        .collect();
    assert!(missing.is_empty(), "codes without a vector: {missing:?}");
    for code in &summary.codes {
        assert!(
            poci::Error::ALL_CODES.contains(&code.as_str()),
            "unknown code {code} in vectors"
        );
    }
}

#[test]
fn generator_reproduces_the_vectors_byte_for_byte() {
    let dir = repository_vectors();
    let files = poci_conformance::generate::all_files().unwrap();
    let mut names: Vec<String> = Vec::new();
    for file in &files {
        let name = format!("{}.json", file.name);
        let committed = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(
            committed == poci_conformance::to_text(file).unwrap(),
            "conformance/vectors/{name} differs from the generator's output: run `make vectors`"
        );
        names.push(name);
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    names.sort();
    assert_eq!(on_disk, names, "vector files the generator does not make");
}
