//! A case the runner cannot run as written is a failure, never a pass as some expected error
//! code: an unknown operation, an unknown trust store, a ledger setup step that is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;

use poci_conformance::{VectorFile, execute, expected_of};
use serde_json::{Value, json};

fn ledger_file() -> VectorFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/ledger.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn unknown_operations_and_stores_are_harness_faults() {
    let none = BTreeMap::new();
    assert!(expected_of(&execute("no-such-operation", &json!({}), &none)).is_err());
    let file = ledger_file();
    let case = &file.groups[0].cases[0];
    let mut input = case.input.clone();
    input["trust_store"] = Value::from("no-such-store");
    assert!(expected_of(&execute("ledger", &input, &file.trust_stores)).is_err());
}

#[test]
fn a_refused_setup_step_fails_the_case() {
    let file = ledger_file();
    let (group, case) = file
        .groups
        .iter()
        .flat_map(|group| group.cases.iter().map(move |case| (group, case)))
        .find(|(_, case)| {
            case.input["setup"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        })
        .expect("a ledger case with setup steps");
    // As published, the case runs and gives its expected verdict.
    let outcome = execute(&group.operation, &case.input, &file.trust_stores);
    assert_eq!(expected_of(&outcome).unwrap(), case.expected);
    // With its first setup step truncated, it cannot be judged at all.
    let mut input = case.input.clone();
    input["setup"][0]["der"] = Value::from("30");
    let why = expected_of(&execute(&group.operation, &input, &file.trust_stores)).unwrap_err();
    assert!(why.contains("setup step 0"), "{why}");
}

/// A case written wrong is a harness fault, not an expected `JSON_INVALID`: an unknown
/// message kind, revocation policy or root kind, a `setup` that is not a list, a `copies`
/// that is not a decimal count.
#[test]
fn malformed_cases_are_harness_faults() {
    let none = BTreeMap::new();
    for kind in ["decode_message", "message_from_json"] {
        let input = json!({ "kind": "telegram", "der": "3000", "json": "{}" });
        let why = expected_of(&execute(kind, &input, &none)).unwrap_err();
        assert!(why.contains("unknown message kind"), "{why}");
    }
    let store = |policy: &str, kind: &str| {
        json!({ "trust_store": {
            "policy": { "allow_test_vendors": true, "unknown_revocation": policy },
            "manifests": [],
            "roots": [{ "vendor_id": "v", "kind": kind, "roots": [], "crls": [] }],
        }})
    };
    for (policy, kind, words) in [
        ("sometimes", "vendor", "revocation policy"),
        ("deny", "borrowed", "root kind"),
    ] {
        let why = expected_of(&execute("trust_store", &store(policy, kind), &none)).unwrap_err();
        assert!(why.contains(words), "{why}");
    }
    let file = ledger_file();
    let case = &file.groups[0].cases[0];
    let mut input = case.input.clone();
    input["setup"] = json!({ "not": "a list" });
    let why = expected_of(&execute("ledger", &input, &file.trust_stores)).unwrap_err();
    assert!(why.contains("`setup` is not a list"), "{why}");
    let heartbeats = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/heartbeats.json");
    let file: VectorFile =
        serde_json::from_str(&std::fs::read_to_string(heartbeats).unwrap()).unwrap();
    let batch = file
        .groups
        .iter()
        .find(|group| group.operation == "verify_heartbeat_batch")
        .expect("a batch group");
    let mut input = batch.cases[0].input.clone();
    input["copies"] = json!(3);
    let why = expected_of(&execute(&batch.operation, &input, &file.trust_stores)).unwrap_err();
    assert!(why.contains("copies"), "{why}");
}
