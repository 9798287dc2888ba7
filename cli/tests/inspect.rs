//! `poci inspect` and the JSON files the CLI reads: what a damaged file is and where it ends,
//! refusals that name the field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod common;

use common::{poci, small_run, status, text};
use std::process::Output;

#[test]
fn inspect_names_a_truncated_binding_and_where_the_file_ends() {
    let out = small_run("truncated");
    let dir = out.parent().unwrap().to_owned();
    let binding = std::fs::read(out.join("samples/binding.der")).unwrap();
    assert!(binding.len() > 600);
    for cut in [600usize, 100] {
        let file = dir.join(format!("binding-{cut}.der"));
        std::fs::write(&file, &binding[..cut]).unwrap();
        let shown = poci(&["inspect", file.to_str().unwrap()]);
        assert_eq!(status(&shown), 1, "{}", text(&shown));
        let said = text(&shown);
        assert!(said.contains("DER_MALFORMED"), "{said}");
        assert!(said.contains("chip binding cut short"), "{said}");
        assert!(
            said.contains(&format!("declares {} bytes", binding.len())),
            "{said}"
        );
        assert!(said.contains(&format!("ends at byte {cut}")), "{said}");
        assert!(
            !said.contains("MESSAGE_TOO_LARGE") && !said.contains("at byte 0"),
            "{said}"
        );
        // `poci verify` tells the same.
        let context = out.join("samples/binding-context.json");
        let verified = poci(&[
            "verify",
            "binding",
            "--testnet",
            "--context",
            context.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(status(&verified), 1, "{}", text(&verified));
        assert!(
            text(&verified).contains(&format!("ends at byte {cut}")),
            "{}",
            text(&verified)
        );
    }
    // A heartbeat cut short is named a heartbeat; whole files still decode.
    let heartbeat = std::fs::read(out.join("samples/heartbeat.der")).unwrap();
    let file = dir.join("heartbeat-cut.der");
    std::fs::write(&file, &heartbeat[..heartbeat.len() - 10]).unwrap();
    let shown = poci(&["inspect", file.to_str().unwrap()]);
    assert_eq!(status(&shown), 1);
    assert!(
        text(&shown).contains("heartbeat cut short"),
        "{}",
        text(&shown)
    );
}

#[test]
fn json_refusals_name_the_field_and_no_made_up_position() {
    let out = small_run("json-errors");
    let dir = out.parent().unwrap().to_owned();
    let edit = |file: &str, from: &str, to: &str| {
        let original = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(original.contains(from), "{file} has no {from}");
        let path = dir.join(format!("bad-{}", file.replace('/', "-")));
        std::fs::write(&path, original.replacen(from, to, 1)).unwrap();
        path
    };
    let check = |output: &Output, code: i32, field: &str| {
        let said = text(output);
        assert_eq!(status(output), code, "{said}");
        assert!(said.contains("JSON_INVALID"), "{said}");
        assert!(said.contains(&format!("field `{field}`")), "{said}");
        assert!(!said.contains("line 0"), "{said}");
    };
    // Reward parameters and proven slots (`poci rewards`).
    let params = edit(
        "rewards-params.json",
        "\"miners_bps\": 9700",
        "\"miners_bps\": \"x\"",
    );
    let proven = out.join("epoch-0.proven.json");
    let refused = poci(&[
        "rewards",
        "--params",
        params.to_str().unwrap(),
        "--proven",
        proven.to_str().unwrap(),
    ]);
    check(&refused, 1, "pools.miners_bps");
    let bad_proven = edit(
        "epoch-0.proven.json",
        "\"proven_slots\": ",
        "\"proven_slots\": -",
    );
    let refused = poci(&[
        "rewards",
        "--params",
        out.join("rewards-params.json").to_str().unwrap(),
        "--proven",
        bad_proven.to_str().unwrap(),
    ]);
    check(&refused, 1, "availability[0].proven_slots");
    // A policy (`poci policy show`, `poci inspect`).
    let policy = edit(
        "policy.json",
        "\"grace_slots\": 1",
        "\"grace_slots\": \"1\"",
    );
    check(
        &poci(&["policy", "show", policy.to_str().unwrap()]),
        1,
        "grace_slots",
    );
    check(
        &poci(&["inspect", policy.to_str().unwrap()]),
        1,
        "grace_slots",
    );
    // Network params: our parameters in `poci verify` (exit 2), an input in `poci inspect`.
    let network = edit(
        "params.json",
        "\"slots_per_epoch\": 4",
        "\"slots_per_epoch\": \"4\"",
    );
    check(
        &poci(&["inspect", network.to_str().unwrap()]),
        1,
        "slots_per_epoch",
    );
    let verified = poci(&[
        "verify",
        "binding",
        "--testnet",
        "--params",
        network.to_str().unwrap(),
        "--epoch",
        "0",
        "--slot",
        "0",
        "--challenge",
        &"00".repeat(32),
        "--wallet",
        "00",
        out.join("samples/binding.der").to_str().unwrap(),
    ]);
    check(&verified, 2, "slots_per_epoch");
    // Well-formed params that break a rule are named by that rule, not a position.
    let zero = edit(
        "params.json",
        "\"slots_per_epoch\": 4",
        "\"slots_per_epoch\": 0",
    );
    let shown = poci(&["inspect", zero.to_str().unwrap()]);
    assert_eq!(status(&shown), 1);
    assert!(
        text(&shown).contains("INVALID_NETWORK_PARAMS"),
        "{}",
        text(&shown)
    );
    assert!(
        text(&shown).contains("slots_per_epoch is zero"),
        "{}",
        text(&shown)
    );
    // A context file's field.
    let context = edit("samples/binding-context.json", "\"slot\": ", "\"slot\": -");
    let verified = poci(&[
        "verify",
        "binding",
        "--testnet",
        "--context",
        context.to_str().unwrap(),
        out.join("samples/binding.der").to_str().unwrap(),
    ]);
    check(&verified, 2, "slot");
    // JSON of no known kind: no position at all.
    let unknown = dir.join("unknown.json");
    std::fs::write(&unknown, "{\"foo\": 1}").unwrap();
    let shown = poci(&["inspect", unknown.to_str().unwrap()]);
    assert_eq!(status(&shown), 1);
    assert!(!text(&shown).contains("line 0"), "{}", text(&shown));
}
