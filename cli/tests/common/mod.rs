//! What the CLI tests share: running the built `poci`, its output and exit status, scratch
//! folders, JSON files, small simulations.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn poci(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poci"))
        .args(args)
        .output()
        .expect("the poci binary runs")
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn status(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// A fresh folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("poci-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn simulate(out: &Path, seed: &str) -> Output {
    poci(&[
        "simulate",
        "--chips",
        "40",
        "--wallets",
        "6",
        "--epochs",
        "2",
        "--slots-per-epoch",
        "4",
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ])
}

/// The repository's vendor-roots/ folder.
pub fn vendor_roots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots")
}

/// A small simulation's report folder, for the tests that read its samples.
pub fn small_run(name: &str) -> PathBuf {
    let out = scratch(name).join("report");
    // The demo's seed: its 40 chips include a model rated 0 (Huawei Ascend 910B).
    let run = simulate(&out, "poci-demo");
    assert_eq!(status(&run), 0, "{}", text(&run));
    out
}

pub fn strings(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
