//! POCI conformance vectors: the file schema (conformance/README.md), the executor that
//! runs one case against this implementation, and the case builders of the generator.
//!
//! Every operation reads its input from the JSON form of SPEC.md and answers either
//! `{"ok": <result in JSON form>}` or `{"error": "<CODE>"}`.

mod execute;
pub mod generate;
mod input;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use execute::{ExecError, execute};

/// The schema version of vector files.
pub const SCHEMA: u32 = 1;

/// One vector file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// Schema version ([`SCHEMA`]).
    pub schema: u32,
    /// File name without extension.
    pub name: String,
    /// What the file covers.
    pub description: String,
    /// Named trust stores that cases of this file refer to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trust_stores: BTreeMap<String, Value>,
    /// Groups of cases.
    pub groups: Vec<Group>,
}

/// Cases of one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// The operation every case of the group runs (conformance/README.md).
    pub operation: String,
    /// The cases.
    pub cases: Vec<Case>,
}

/// One case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique id across all files: `<file>/<group>/<n>`.
    pub id: String,
    /// What the case shows.
    pub description: String,
    /// The operation's input.
    pub input: Value,
    /// `{"ok": result}` or `{"error": "CODE"}`.
    pub expected: Value,
}

/// The expected value of an operation's outcome.
///
/// # Errors
/// The reason, when the case could not be run as written (a fault of the vectors or runner).
pub fn expected_of(outcome: &Result<Value, ExecError>) -> Result<Value, String> {
    match outcome {
        Ok(value) => Ok(serde_json::json!({ "ok": value })),
        Err(ExecError::Case(error)) => Ok(serde_json::json!({ "error": error.code() })),
        Err(ExecError::Harness(why)) => Err(why.clone()),
    }
}

/// A file's canonical text: pretty JSON (keys sorted) and a final newline.
///
/// # Errors
/// Only serialisation errors (not expected).
pub fn to_text(file: &VectorFile) -> serde_json::Result<String> {
    let value = serde_json::to_value(file)?;
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

/// Result of running one folder of vectors.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Cases whose verdict, code and result matched.
    pub passed: usize,
    /// Ids and reasons of the cases that did not.
    pub failures: Vec<String>,
    /// Every error code some case expects.
    pub codes: std::collections::BTreeSet<String>,
}

/// Runs every case of every `*.json` file in `dir`.
///
/// # Errors
/// I/O or JSON errors reading the folder, as text.
pub fn run_dir(dir: &Path) -> Result<RunSummary, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut summary = RunSummary::default();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: VectorFile =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if file.schema != SCHEMA {
            return Err(format!(
                "{}: unknown schema {}",
                path.display(),
                file.schema
            ));
        }
        for group in &file.groups {
            for case in &group.cases {
                if let Some(code) = case.expected.get("error").and_then(Value::as_str) {
                    summary.codes.insert(code.to_owned());
                }
                match expected_of(&execute(&group.operation, &case.input, &file.trust_stores)) {
                    Ok(actual) if actual == case.expected => {
                        summary.passed = summary.passed.saturating_add(1);
                    }
                    Ok(actual) => summary.failures.push(format!(
                        "{}: expected {} got {}",
                        case.id, case.expected, actual
                    )),
                    // Never a pass: the case was not run as written.
                    Err(why) => summary
                        .failures
                        .push(format!("{}: cannot run: {why}", case.id)),
                }
            }
        }
    }
    Ok(summary)
}
