//! The deterministic generator of conformance/vectors/*.json: fixed seeds, RFC 6979
//! signatures, fixed times. Every case's expected value comes from running it, and the
//! generator asserts that each case ends as intended (`ok` or the named code), so a
//! regression cannot slip into the vectors.

mod files;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Case, ExecError, Group, SCHEMA, VectorFile, execute, expected_of};

pub use files::all_files;

/// Builds one file.
pub(crate) struct FileBuilder {
    file: VectorFile,
}

/// What a case must end with.
pub(crate) enum Intent<'a> {
    Ok,
    Error(&'a str),
}

impl FileBuilder {
    pub(crate) fn new(name: &str, description: &str) -> Self {
        Self {
            file: VectorFile {
                schema: SCHEMA,
                name: name.to_owned(),
                description: description.to_owned(),
                trust_stores: BTreeMap::new(),
                groups: Vec::new(),
            },
        }
    }

    pub(crate) fn trust_store(&mut self, name: &str, spec: Value) {
        self.file.trust_stores.insert(name.to_owned(), spec);
    }

    pub(crate) fn group(&mut self, name: &str, operation: &str) {
        self.file.groups.push(Group {
            name: name.to_owned(),
            operation: operation.to_owned(),
            cases: Vec::new(),
        });
    }

    /// Adds a case to the last group after checking it ends as `intent` says.
    ///
    /// # Panics
    /// When the implementation does not end as intended: the generator refuses to write it.
    #[allow(clippy::panic, clippy::expect_used)]
    pub(crate) fn case(&mut self, description: &str, input: Value, intent: Intent<'_>) {
        let group = self
            .file
            .groups
            .last_mut()
            .expect("a group before its cases");
        let outcome = execute(&group.operation, &input, &self.file.trust_stores);
        match (&intent, &outcome) {
            (Intent::Ok, Ok(_)) => {}
            (Intent::Error(code), Err(ExecError::Case(error))) if error.code() == *code => {}
            _ => panic!(
                "case `{description}` of {}/{} ended with {:?}, not as intended",
                self.file.name, group.name, outcome
            ),
        }
        let id = format!(
            "{}/{}/{}",
            self.file.name,
            group.name,
            group.cases.len().saturating_add(1)
        );
        group.cases.push(Case {
            id,
            description: description.to_owned(),
            input,
            expected: expected_of(&outcome).expect("checked against the intent above"),
        });
    }

    pub(crate) fn ok(&mut self, description: &str, input: Value) {
        self.case(description, input, Intent::Ok);
    }

    pub(crate) fn err(&mut self, description: &str, input: Value, code: &str) {
        self.case(description, input, Intent::Error(code));
    }

    pub(crate) fn finish(self) -> VectorFile {
        self.file
    }
}
