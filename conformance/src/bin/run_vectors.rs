//! Runs every conformance vector and prints `N passed, M failed`; exits 1 on any failure.
//! Reads `POCI_VECTORS_DIR` when set, conformance/vectors otherwise.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let default = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors"));
    let dir = std::env::var_os("POCI_VECTORS_DIR").map_or(default, PathBuf::from);
    match poci_conformance::run_dir(&dir) {
        Ok(summary) => {
            for failure in &summary.failures {
                println!("FAILED {failure}");
            }
            println!(
                "{} passed, {} failed",
                summary.passed,
                summary.failures.len()
            );
            if summary.failures.is_empty() && summary.passed > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            println!("cannot read vectors: {error}");
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}
