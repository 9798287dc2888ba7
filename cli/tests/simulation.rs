//! The `poci simulate` network end to end: every attack refused, reports that `poci rewards`
//! reproduces, a seed that replays byte for byte, the wallets it really has, and the report
//! page's figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod common;

use common::{json, poci, scratch, simulate, small_run, status, text};
use serde_json::Value;
use std::path::Path;

#[test]
fn a_small_simulation_refuses_every_attack_and_pays_exactly() {
    let dir = scratch("simulate");
    let out = dir.join("report");
    let run = simulate(&out, "test-seed");
    assert_eq!(status(&run), 0, "{}", text(&run));
    assert!(text(&run).contains("every attack refused with its expected code"));

    let summary = json(&out.join("summary.json"));
    let attacks = summary["attacks"].as_array().unwrap();
    assert!(attacks.len() >= 12, "{attacks:?}");
    for attack in attacks {
        assert_eq!(attack["expected"], attack["got"], "{attack}");
    }
    for expected in [
        "SIGNATURE_HIGH_S",
        "WRONG_SLOT",
        "CHALLENGE_MISMATCH",
        "DER_MALFORMED",
        "UNKNOWN_ISSUER",
        "MODEL_NOT_ALLOWED_FOR_VENDOR",
        "EQUIVOCATION_EVIDENCE",
        "COUNTER_REPLAY",
        "NONCE_MISMATCH",
    ] {
        assert!(
            attacks.iter().any(|attack| attack["expected"] == expected),
            "no attack expects {expected}"
        );
    }
    assert_eq!(summary["faults"], Value::Array(vec![]));
    // The consensus rules: a late heartbeat, a replayed lease acceptance and a chip below
    // the firmware floor are refused; the chip the revised trust material revokes earns
    // nothing from its epoch; the lease settles from the slots counted.
    for expected in ["SLOT_TOO_LATE", "EPOCH_CLOSED", "FIRMWARE_BELOW_FLOOR"] {
        assert!(
            attacks.iter().any(|attack| attack["expected"] == expected),
            "no attack expects {expected}"
        );
    }
    let rules = &summary["consensus"];
    assert_eq!(rules["trust_activation_epoch"], 1);
    assert!(
        rules["revoked_heartbeats_refused"].as_u64().unwrap() >= 1,
        "{rules}"
    );
    let rewards = rules["revoked_chip_rewards"].as_array().unwrap();
    assert_ne!(rewards[0], "0", "{rules}");
    assert_eq!(rewards[1], "0", "{rules}");
    assert_eq!(rules["lease"]["due_slots"], 4, "{rules}");
    let sampled = &rules["sampled"];
    assert!(
        sampled["heartbeats_sampled"].as_u64().unwrap()
            < sampled["heartbeats_full"].as_u64().unwrap(),
        "{sampled}"
    );
    // The policy file prints with the digest the summary states; a changed grace is a diff.
    let policy = out.join("policy.json");
    let shown = poci(&["policy", "show", "--json", policy.to_str().unwrap()]);
    assert_eq!(status(&shown), 0, "{}", text(&shown));
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["digest"], rules["policy_digest"]);
    let same = poci(&[
        "policy",
        "diff",
        policy.to_str().unwrap(),
        policy.to_str().unwrap(),
    ]);
    assert_eq!(status(&same), 0, "{}", text(&same));
    let changed = dir.join("policy-grace-2.json");
    std::fs::write(
        &changed,
        std::fs::read_to_string(&policy)
            .unwrap()
            .replace("\"grace_slots\": 1", "\"grace_slots\": 2"),
    )
    .unwrap();
    let differs = poci(&[
        "policy",
        "diff",
        policy.to_str().unwrap(),
        changed.to_str().unwrap(),
    ]);
    assert_eq!(status(&differs), 1, "{}", text(&differs));
    assert!(
        text(&differs).contains("grace_slots: 1 -> 2"),
        "{}",
        text(&differs)
    );
    // Emulated NVIDIA GPUs bind and prove slots with their own SPDM reports.
    let kinds = summary["evidence"].as_array().unwrap();
    let kind = |name: &str| kinds.iter().find(|kind| kind["kind"] == name).unwrap();
    for name in ["poci", "nvidia-spdm"] {
        assert!(kind(name)["chips"].as_u64().unwrap() >= 1, "{name}");
        assert!(
            kind(name)["heartbeats_accepted"].as_u64().unwrap() >= 1,
            "{name}"
        );
    }
    let context = json(&out.join("samples/nvidia-context.json"));
    let verified = poci(&[
        "verify",
        "nvidia-report",
        "--testnet",
        "--json",
        "--chain",
        out.join("samples/nvidia-chain.pem").to_str().unwrap(),
        "--nonce",
        context["nonce"].as_str().unwrap(),
        "--time",
        context["time"].as_str().unwrap(),
        out.join("samples/nvidia-report.hex").to_str().unwrap(),
    ]);
    assert_eq!(status(&verified), 0, "{}", text(&verified));
    let line: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(line["result"]["model_id"], "nvidia-h100-sxm", "{line}");
    assert_eq!(summary["binding_outcomes"]["rebound"], 1);
    let series = summary["availability_by_slot_bps"].as_object().unwrap();
    assert!(series.contains_key("all") && series.contains_key("data center"));
    assert_eq!(series["all"].as_array().unwrap().len(), 8);

    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), 2);
    assert!(page.contains("<polyline") && page.contains("<rect"));
    assert!(page.contains("<code>nvidia-spdm</code>"));
    // Self-contained: nothing to run, nothing to fetch.
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("href="));

    // `poci rewards` recomputes each epoch report from the published inputs.
    for epoch in 0..2 {
        let recomputed = poci(&[
            "rewards",
            "--params",
            out.join("rewards-params.json").to_str().unwrap(),
            "--proven",
            out.join(format!("epoch-{epoch}.proven.json"))
                .to_str()
                .unwrap(),
        ]);
        assert_eq!(status(&recomputed), 0, "{}", text(&recomputed));
        let mut recomputed: Value = serde_json::from_slice(&recomputed.stdout).unwrap();
        let mut published = json(&out.join(format!("epoch-{epoch}.json")));
        // Refusal counts come from the run, not from the proven slots.
        recomputed["rejected"] = Value::Null;
        published["rejected"] = Value::Null;
        assert_eq!(recomputed, published);
    }

    // The samples verify, and fail with the right code in the wrong context.
    let context = json(&out.join("samples/binding-context.json"));
    let params = out.join("params.json");
    let binding = out.join("samples/binding.der");
    let verify_binding = |slot: &str| {
        poci(&[
            "verify",
            "binding",
            "--testnet",
            "--params",
            params.to_str().unwrap(),
            "--epoch",
            context["epoch"].as_str().unwrap(),
            "--slot",
            slot,
            "--challenge",
            context["challenge"].as_str().unwrap(),
            "--wallet",
            context["wallet"].as_str().unwrap(),
            binding.to_str().unwrap(),
        ])
    };
    let good = verify_binding(&context["slot"].to_string());
    assert_eq!(status(&good), 0, "{}", text(&good));
    // The same trust material read from the repository's vendor-roots/ folder.
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots");
    let from_folder = poci(&[
        "verify",
        "binding",
        "--vendor-roots",
        roots.to_str().unwrap(),
        "--testnet",
        "--params",
        params.to_str().unwrap(),
        "--epoch",
        context["epoch"].as_str().unwrap(),
        "--slot",
        &context["slot"].to_string(),
        "--challenge",
        context["challenge"].as_str().unwrap(),
        "--wallet",
        context["wallet"].as_str().unwrap(),
        binding.to_str().unwrap(),
    ]);
    assert_eq!(status(&from_folder), 0, "{}", text(&from_folder));
    let wrong = verify_binding("3");
    assert_eq!(status(&wrong), 1);
    assert!(text(&wrong).contains("WRONG_SLOT"), "{}", text(&wrong));

    let context = json(&out.join("samples/heartbeat-context.json"));
    let heartbeat = poci(&[
        "verify",
        "heartbeat",
        "--params",
        params.to_str().unwrap(),
        "--epoch",
        context["epoch"].as_str().unwrap(),
        "--slot",
        &context["slot"].to_string(),
        "--challenge",
        context["challenge"].as_str().unwrap(),
        "--wallet",
        context["wallet"].as_str().unwrap(),
        "--certificate",
        out.join("samples/device.pem").to_str().unwrap(),
        "--json",
        out.join("samples/heartbeat.der").to_str().unwrap(),
        binding.to_str().unwrap(),
    ]);
    assert_eq!(status(&heartbeat), 1, "{}", text(&heartbeat));
    let lines: Vec<Value> = String::from_utf8_lossy(&heartbeat.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["valid"], true);
    // A binding is far larger than any heartbeat: refused before parsing.
    assert_eq!(lines[1]["code"], "MESSAGE_TOO_LARGE");

    for (file, kind) in [
        ("samples/binding.der", "chip binding"),
        ("samples/heartbeat.der", "heartbeat"),
        ("samples/device.pem", "certificate"),
        ("epoch-0.json", "epoch report"),
        ("epoch-0.proven.json", "closed epoch (proven slots)"),
        ("params.json", "network params"),
    ] {
        let inspected = poci(&["inspect", "--json", out.join(file).to_str().unwrap()]);
        assert_eq!(status(&inspected), 0, "{file}: {}", text(&inspected));
        let value: Value = serde_json::from_slice(&inspected.stdout).unwrap();
        assert_eq!(value["kind"], kind, "{file}");
    }

    // The same seed replays the run exactly; another seed gives another run.
    let again = dir.join("again");
    assert_eq!(status(&simulate(&again, "test-seed")), 0);
    let other = dir.join("other");
    assert_eq!(status(&simulate(&other, "another seed")), 0);
    for file in [
        "epoch-0.json",
        "epoch-1.json",
        "epoch-1.proven.json",
        "samples/binding.der",
    ] {
        let first = std::fs::read(out.join(file)).unwrap();
        assert_eq!(first, std::fs::read(again.join(file)).unwrap(), "{file}");
        assert_ne!(first, std::fs::read(other.join(file)).unwrap(), "{file}");
    }
}

#[test]
fn a_small_fleet_reports_the_wallets_it_really_has() {
    let out = scratch("few-chips").join("report");
    let run = poci(&[
        "simulate",
        "--chips",
        "20",
        "--epochs",
        "2",
        "--slots-per-epoch",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(status(&run), 0, "{}", text(&run));
    let summary = json(&out.join("summary.json"));
    let wallets = summary["wallets"].as_u64().unwrap();
    assert!((1..=20).contains(&wallets), "{wallets}");
    // Every wallet of the epoch reports is counted.
    let mut paid = std::collections::BTreeSet::new();
    for epoch in 0..2 {
        let report = json(&out.join(format!("epoch-{epoch}.json")));
        for wallet in report["miners"]["wallets"].as_array().unwrap() {
            paid.insert(wallet["wallet"].as_str().unwrap().to_owned());
        }
    }
    assert!(paid.len() as u64 <= wallets, "{} > {wallets}", paid.len());
    let said = text(&run);
    assert!(
        said.contains(&format!("20 chips owned by {wallets} wallets")),
        "{said}"
    );
    assert!(!said.contains("300 wallets"), "{said}");
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains(&format!("owned by {wallets} wallets")));
}

#[test]
fn the_report_page_explains_zero_rewards_and_adds_up() {
    let out = small_run("report-page");
    let summary = json(&out.join("summary.json"));
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    for model in summary["models"].as_array().unwrap() {
        let reason = &model["zero_reward_reason"];
        if model["reward"] == "0" {
            let reason = reason.as_str().unwrap_or_else(|| panic!("{model}"));
            assert!(page.contains(&escape(reason)), "{reason}");
            if model["rating_milli_cu"] == 0 {
                assert!(reason.starts_with("rated 0 in the registry"), "{reason}");
            }
        } else {
            assert!(reason.is_null(), "{model}");
        }
        // Ratings exactly: 989500 milli-CU is 989.5 CU.
        let milli = model["rating_milli_cu"].as_u64().unwrap();
        let fraction = format!("{:03}", milli % 1000);
        let fraction = fraction.trim_end_matches('0');
        if !fraction.is_empty() {
            let whole = (milli / 1000).to_string();
            let grouped = match whole.len() {
                4..=6 => format!(
                    "{},{}",
                    &whole[..whole.len() - 3],
                    &whole[whole.len() - 3..]
                ),
                _ => whole,
            };
            let shown = format!("{grouped}.{fraction}</td>");
            assert!(page.contains(&shown), "{shown}");
        }
    }
    assert!(
        summary["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|model| model["rating_milli_cu"] == 0 && model["reward"] == "0"),
        "the run has no model rated 0"
    );
    assert!(page.contains("rated 0 in the registry: "));
    // Every chip of an epoch's report is in exactly one column.
    for (epoch, totals) in summary["epochs_paid"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let count = |field: &str| totals[field].as_u64().unwrap();
        assert_eq!(
            count("chips"),
            count("chips_paid") + count("chips_ineligible") + count("chips_unpaid_eligible"),
            "{totals}"
        );
        assert!(count("chips_unpaid_eligible") >= 1, "{totals}");
        let report = json(&out.join(format!("epoch-{epoch}.json")));
        assert_eq!(
            count("chips"),
            report["miners"]["shares"].as_array().unwrap().len() as u64
        );
    }
    assert!(page.contains("<th>paid nothing (rated 0)</th>"));
    // The availability chart labels its epochs and spans its data.
    for epoch in 0..2 {
        assert!(
            page.contains(&format!(">epoch {epoch}</text>")),
            "epoch {epoch}"
        );
    }
    let lowest = summary["availability_by_slot_bps"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|series| {
            series
                .as_array()
                .unwrap()
                .iter()
                .map(|bps| bps.as_u64().unwrap())
        })
        .min()
        .unwrap();
    if lowest >= 2_500 {
        assert!(
            !page.contains("aria-label=\"availability over slots, 0.0% to"),
            "the axis starts at 0 with data from {lowest} bps"
        );
    }
}
