//! The `poci` command end to end: a small simulation (every attack refused, reports that
//! `poci rewards` reproduces, a seed that replays byte for byte), verification exit
//! statuses, deterministic test material, the registry, and `--help` everywhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn poci(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poci"))
        .args(args)
        .output()
        .expect("the poci binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("poci-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn simulate(out: &Path, seed: &str) -> Output {
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
fn exit_statuses_separate_invalid_input_from_usage_errors() {
    let dir = scratch("exit");
    let garbage = dir.join("garbage.der");
    std::fs::write(&garbage, [0x30, 0x03, 0x02, 0x01]).unwrap();
    let args = |file: &Path| {
        vec![
            "verify".to_owned(),
            "heartbeat".to_owned(),
            "--epoch".to_owned(),
            "0".to_owned(),
            "--slot".to_owned(),
            "0".to_owned(),
            "--beacon".to_owned(),
            "00".repeat(32),
            "--wallet".to_owned(),
            "00".to_owned(),
            "--public-key".to_owned(),
            hex::encode(
                poci::DeviceKey::from_seed(b"k")
                    .unwrap()
                    .public_key()
                    .sec1_bytes(),
            ),
            file.to_str().unwrap().to_owned(),
        ]
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        poci(&refs)
    };
    let refused = run(args(&garbage));
    assert_eq!(status(&refused), 1);
    assert!(
        text(&refused).contains("DER_MALFORMED"),
        "{}",
        text(&refused)
    );
    let missing = run(args(&dir.join("no such file")));
    assert_eq!(status(&missing), 2);
    let mut bad_hex = args(&garbage);
    bad_hex[7] = "zz".to_owned();
    assert_eq!(status(&run(bad_hex)), 2);
    assert_eq!(
        status(&poci(&["inspect", dir.join("nothing").to_str().unwrap()])),
        2
    );
    assert_eq!(status(&poci(&["inspect", garbage.to_str().unwrap()])), 1);
    assert_eq!(status(&poci(&["no-such-command"])), 2);
}

#[test]
fn test_material_is_deterministic_and_loads() {
    let dir = scratch("mint");
    let vendor = |out: &Path| {
        poci(&[
            "vendor",
            "new",
            "--vendor-id",
            "acme",
            "--organization",
            "Acme Chips",
            "--seed",
            "acme seed",
            "--model",
            "acme-x1=100",
            "--model",
            "acme-npu=int8:26",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    for name in ["one", "two"] {
        let made = vendor(&dir.join(name));
        assert_eq!(status(&made), 0, "{}", text(&made));
    }
    for file in [
        "manifest.toml",
        "roots/root.pem",
        "intermediates/intermediate.pem",
        "crls/root.crl.pem",
    ] {
        assert_eq!(
            std::fs::read(dir.join("one/acme").join(file)).unwrap(),
            std::fs::read(dir.join("two/acme").join(file)).unwrap(),
            "{file}"
        );
    }
    let manifest = poci(&[
        "inspect",
        "--json",
        dir.join("one/acme/manifest.toml").to_str().unwrap(),
    ]);
    let manifest: Value = serde_json::from_slice(&manifest.stdout).unwrap();
    assert_eq!(manifest["kind"], "vendor manifest");
    assert_eq!(manifest["value"]["test"], true);
    let listed = poci(&[
        "registry",
        "list",
        "--json",
        // acme is a test vendor: listed only when asked for.
        "--with-test-vendors",
        "--vendor-roots",
        dir.join("one").to_str().unwrap(),
    ]);
    assert_eq!(status(&listed), 0, "{}", text(&listed));
    let models: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let ratings: Vec<(String, u64)> = models
        .as_array()
        .unwrap()
        .iter()
        .map(|model| {
            (
                model["model_id"].as_str().unwrap().to_owned(),
                model["rating_milli_cu"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ratings,
        [
            ("acme-npu".to_owned(), 13_000),
            ("acme-x1".to_owned(), 100_000)
        ]
    );

    let chip = dir.join("chip");
    let minted = poci(&[
        "chip",
        "mint",
        "--vendor-id",
        "nvidia",
        "--testnet",
        "--model",
        "nvidia-h100-sxm",
        "--serial",
        "SN-42",
        "--seed",
        "my chip",
        "--out",
        chip.to_str().unwrap(),
    ]);
    assert_eq!(status(&minted), 0, "{}", text(&minted));
    let secret = std::fs::read_to_string(chip.join("device-key.hex")).unwrap();
    let key = poci::DeviceKey::from_secret_bytes(&hex::decode(secret.trim()).unwrap()).unwrap();
    assert_eq!(
        key.key_id(),
        poci::DeviceKey::from_seed(b"my chip").unwrap().key_id()
    );
    assert!(text(&minted).contains(&key.key_id().to_string()));
    let inspected = poci(&[
        "inspect",
        "--json",
        chip.join("device.pem").to_str().unwrap(),
    ]);
    let certificate: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(
        certificate["value"]["chip_identity"]["model_id"],
        "nvidia-h100-sxm"
    );
    assert_eq!(certificate["value"]["key_id"], key.key_id().to_string());
    assert!(
        certificate["value"]["issuer"]
            .as_str()
            .unwrap()
            .contains("NVIDIA (testnet)")
    );
}

#[test]
fn registry_digest_and_diff() {
    let digest = poci(&["registry", "digest"]);
    assert_eq!(status(&digest), 0);
    let expected = hex::encode(
        poci::ChipModelRegistry::embedded()
            .unwrap()
            .digest()
            .unwrap(),
    );
    assert_eq!(String::from_utf8_lossy(&digest.stdout).trim(), expected);

    // A copy of two vendors with one rating changed.
    let dir = scratch("diff");
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots");
    for side in ["old", "new"] {
        for vendor in ["hailo", "rockchip"] {
            let folder = dir.join(side).join(vendor);
            std::fs::create_dir_all(&folder).unwrap();
            let mut manifest =
                std::fs::read_to_string(roots.join(vendor).join("manifest.toml")).unwrap();
            if side == "new" && vendor == "hailo" {
                // A corrected datasheet figure, and the rating that follows from it.
                manifest = manifest
                    .replace("int8_tops = \"26\"", "int8_tops = \"28\"")
                    .replace("rating_milli_cu = 13000", "rating_milli_cu = 14000");
            }
            std::fs::write(folder.join("manifest.toml"), manifest).unwrap();
        }
    }
    let diff = poci(&[
        "registry",
        "diff",
        "--json",
        dir.join("old").to_str().unwrap(),
        dir.join("new").to_str().unwrap(),
    ]);
    assert_eq!(status(&diff), 0, "{}", text(&diff));
    let diff: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(diff["rerated"][0]["model_id"], "hailo-8");
    assert_eq!(diff["rerated"][0]["new_milli_cu"], 14000);
    let same = poci(&[
        "registry",
        "diff",
        dir.join("old").to_str().unwrap(),
        dir.join("old").to_str().unwrap(),
    ]);
    assert!(text(&same).contains("no difference"));
    let shown = poci(&[
        "registry",
        "diff",
        dir.join("old").to_str().unwrap(),
        dir.join("new").to_str().unwrap(),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout),
        "~ hailo-8: 13,000 -> 14,000 milli-CU\n"
    );
}

#[test]
fn trust_digest_of_the_folder_is_the_embedded_default() {
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots");
    let roots = roots.to_str().unwrap();
    let digest = |args: &[&str]| {
        let output = poci(args);
        assert_eq!(status(&output), 0, "{}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    // The embedded default, which the Python and Node tests compare their folder loads to.
    let expected = hex::encode(
        poci::TrustStore::embedded_testnet()
            .unwrap()
            .digest()
            .unwrap(),
    );
    assert_eq!(digest(&["trust", "digest", "--testnet"]), expected);
    // No trust by default.
    let none = poci(&["trust", "digest"]);
    assert_eq!(status(&none), 2, "{}", text(&none));
    assert_eq!(
        digest(&["trust", "digest", "--vendor-roots", roots, "--testnet"]),
        expected
    );
    assert_ne!(
        digest(&["trust", "digest", "--vendor-roots", roots]),
        expected
    );

    // Files outside the format are left unread; a manifest in the wrong folder is refused.
    let dir = scratch("trust");
    let vendor = dir.join("hailo");
    std::fs::create_dir_all(&vendor).unwrap();
    let manifest = std::fs::read(Path::new(roots).join("hailo/manifest.toml")).unwrap();
    std::fs::write(vendor.join("manifest.toml"), &manifest).unwrap();
    std::fs::write(dir.join("README.md"), "notes").unwrap();
    let folder = dir.to_str().unwrap();
    let alone = digest(&["trust", "digest", "--vendor-roots", folder]);
    std::fs::write(vendor.join("notes.txt"), "notes").unwrap();
    assert_eq!(
        digest(&["trust", "digest", "--vendor-roots", folder]),
        alone
    );
    let misplaced = dir.join("renamed");
    std::fs::rename(&vendor, &misplaced).unwrap();
    let refused = poci(&["trust", "digest", "--vendor-roots", folder]);
    assert_eq!(status(&refused), 1, "{}", text(&refused));
    assert!(
        text(&refused).contains("MANIFEST_INVALID"),
        "{}",
        text(&refused)
    );
}

#[test]
fn verify_nvidia_report_judges_real_h100_evidence() {
    let silicon = Path::new(env!("CARGO_MANIFEST_DIR")).join("../silicon/nvidia");
    let roots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots");
    let report = silicon.join("h100-a/report.hex");
    let chain = silicon.join("h100-a/chain.pem");
    let report_hex = std::fs::read_to_string(&report).unwrap();
    let nonce = &report_hex.trim()[8..72];
    let run = |nonce: &str, files: &[&Path]| {
        let mut args = vec![
            "verify",
            "nvidia-report",
            // Real NVIDIA evidence under the repository's real trust material.
            "--vendor-roots",
            roots.to_str().unwrap(),
            "--chain",
            chain.to_str().unwrap(),
            "--nonce",
            nonce,
            "--time",
            "1796083200",
            "--json",
        ];
        args.extend(files.iter().map(|file| file.to_str().unwrap()));
        poci(&args)
    };
    let genuine = run(nonce, &[&report]);
    assert_eq!(status(&genuine), 0, "{}", text(&genuine));
    let verdict: Value = serde_json::from_slice(&genuine.stdout).unwrap();
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["result"]["chip"], "GH100");
    assert_eq!(verdict["result"]["project"], "1010");
    assert_eq!(verdict["result"]["model_id"], Value::Null);
    // The same report as binary.
    let dir = scratch("nvidia");
    let binary = dir.join("report.bin");
    std::fs::write(&binary, hex::decode(report_hex.trim()).unwrap()).unwrap();
    assert_eq!(status(&run(nonce, &[&binary])), 0);
    let other = "00".repeat(32);
    let refused = run(&other, &[&report]);
    assert_eq!(status(&refused), 1);
    let verdict: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(verdict["code"], "NONCE_MISMATCH");
    let bad = run(nonce, &[&silicon.join("h100-bad-signature/report.hex")]);
    assert_eq!(status(&bad), 1);
    // `poci inspect` recognises the report (hex or binary) and the chain.
    for file in [&report, &binary] {
        let shown = poci(&["inspect", "--json", file.to_str().unwrap()]);
        assert_eq!(status(&shown), 0, "{}", text(&shown));
        let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(shown["kind"], "NVIDIA attestation report (nvidia-spdm)");
        assert_eq!(shown["value"]["requester_nonce"], nonce);
    }
    let shown = poci(&["inspect", "--json", chain.to_str().unwrap()]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["kind"], "certificate chain");
    assert_eq!(
        shown["value"]["certificates"][1]["common_name"],
        "GH100 A01 GSP BROM"
    );
    assert_eq!(shown["value"]["certificates"][4]["self_issued"], true);
    assert_eq!(status(&run("zz", &[&report])), 2);
}

#[test]
fn every_subcommand_has_help() {
    for command in [
        vec!["--help"],
        vec!["inspect", "--help"],
        vec!["verify", "--help"],
        vec!["trust", "digest", "--help"],
        vec!["verify", "nvidia-report", "--help"],
        vec!["verify", "binding", "--help"],
        vec!["verify", "heartbeat", "--help"],
        vec!["vendor", "new", "--help"],
        vec!["chip", "mint", "--help"],
        vec!["registry", "list", "--help"],
        vec!["registry", "digest", "--help"],
        vec!["registry", "diff", "--help"],
        vec!["policy", "show", "--help"],
        vec!["policy", "diff", "--help"],
        vec!["rewards", "--help"],
        vec!["simulate", "--help"],
    ] {
        let output = poci(&command);
        assert_eq!(status(&output), 0, "{command:?}");
        assert!(text(&output).contains("Usage: poci"), "{command:?}");
    }
}

/// The repository's vendor-roots/ folder.
fn vendor_roots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vendor-roots")
}

/// A small simulation's report folder, for the tests that read its samples.
fn small_run(name: &str) -> PathBuf {
    let out = scratch(name).join("report");
    // The demo's seed: its 40 chips include a model rated 0 (Huawei Ascend 910B).
    let run = simulate(&out, "poci-demo");
    assert_eq!(status(&run), 0, "{}", text(&run));
    out
}

fn strings(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

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

#[test]
fn bad_key_or_certificate_arguments_are_usage_errors() {
    let out = small_run("key-args");
    let samples = out.join("samples");
    let context = samples.join("heartbeat-context.json");
    let heartbeat = samples.join("heartbeat.der");
    let run = |extra: &[&str], file: &Path| {
        let mut args = vec![
            "verify",
            "heartbeat",
            "--context",
            context.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        poci(&args)
    };
    let good = run(&[], &heartbeat);
    assert_eq!(status(&good), 0, "{}", text(&good));
    let bad_key = run(&["--public-key", "0011"], &heartbeat);
    assert_eq!(status(&bad_key), 2, "{}", text(&bad_key));
    assert!(
        text(&bad_key).contains("--public-key"),
        "{}",
        text(&bad_key)
    );
    assert!(
        text(&bad_key).contains("PUBLIC_KEY_INVALID"),
        "{}",
        text(&bad_key)
    );
    let not_a_certificate = run(&["--certificate", heartbeat.to_str().unwrap()], &heartbeat);
    assert_eq!(
        status(&not_a_certificate),
        2,
        "{}",
        text(&not_a_certificate)
    );
    assert!(
        text(&not_a_certificate).contains("not a device certificate"),
        "{}",
        text(&not_a_certificate)
    );
    // A proof that does not verify is still 1.
    let wrong_slot = run(&["--slot", "0"], &heartbeat);
    assert_eq!(status(&wrong_slot), 1, "{}", text(&wrong_slot));
}

#[test]
fn minted_chip_files_inspect_and_verify_as_pem_or_der() {
    let dir = scratch("mint-flow");
    let chip = dir.join("chip");
    let minted = poci(&[
        "chip",
        "mint",
        "--vendor-id",
        "nvidia",
        "--testnet",
        "--model",
        "nvidia-h100-sxm",
        "--serial",
        "SN-7",
        "--seed",
        "flow chip",
        "--out",
        chip.to_str().unwrap(),
    ]);
    assert_eq!(status(&minted), 0, "{}", text(&minted));
    let secret = std::fs::read_to_string(chip.join("device-key.hex")).unwrap();
    let key = poci::DeviceKey::from_secret_bytes(&hex::decode(secret.trim()).unwrap()).unwrap();
    // chain.pem: the device certificate first, then the intermediate.
    let shown = poci(&[
        "inspect",
        "--json",
        chip.join("chain.pem").to_str().unwrap(),
    ]);
    assert_eq!(status(&shown), 0, "{}", text(&shown));
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["kind"], "certificate chain");
    assert_eq!(
        shown["value"]["certificates"][0]["key_id"],
        key.key_id().to_string()
    );
    assert_eq!(shown["value"]["certificates"][1]["is_ca"], true);
    let chain = poci::x509::certificates_from_pem(
        &std::fs::read_to_string(chip.join("chain.pem")).unwrap(),
    )
    .unwrap();
    let device_der = dir.join("device.der");
    std::fs::write(&device_der, &chain[0]).unwrap();
    let shown = poci(&["inspect", "--json", device_der.to_str().unwrap()]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["kind"], "certificate");

    // A heartbeat and a binding the minted key signs, on the default network.
    let params = poci::NetworkParams::new("poci-testnet", 1_767_225_600, 86_400, 24).unwrap();
    let challenge = [7u8; 32];
    let wallet = b"my wallet".to_vec();
    let heartbeat = poci::Heartbeat::sign(
        poci::HeartbeatTbs {
            network_id: "poci-testnet".into(),
            chip_key_id: *key.key_id(),
            wallet: wallet.clone(),
            epoch: 0,
            slot: 1,
            challenge,
            counter: 1,
            measurement: None,
        },
        &key,
    )
    .unwrap();
    let heartbeat_file = dir.join("heartbeat.der");
    std::fs::write(&heartbeat_file, heartbeat.to_der().unwrap()).unwrap();
    let binding = poci::ChipBinding::sign(
        poci::ChipBindingTbs {
            network_id: params.network_id().into(),
            chip_serial: b"SN-7".to_vec(),
            model_id: "nvidia-h100-sxm".into(),
            wallet: wallet.clone(),
            binding_counter: 1,
            epoch: 0,
            slot: 1,
            challenge,
            certificates: chain.clone(),
        },
        &key,
    )
    .unwrap();
    let binding_file = dir.join("binding.der");
    std::fs::write(&binding_file, binding.to_der().unwrap()).unwrap();
    let slot = |command: &str| {
        vec![
            "verify".to_owned(),
            command.to_owned(),
            "--epoch".to_owned(),
            "0".to_owned(),
            "--slot".to_owned(),
            "1".to_owned(),
            "--challenge".to_owned(),
            hex::encode(challenge),
            "--wallet".to_owned(),
            hex::encode(&wallet),
        ]
    };
    for certificate in [
        chip.join("chain.pem"),
        chip.join("device.pem"),
        device_der.clone(),
    ] {
        let mut args = slot("heartbeat");
        args.push("--certificate".into());
        args.push(certificate.to_str().unwrap().into());
        args.push(heartbeat_file.to_str().unwrap().into());
        let verified = poci(&strings(&args));
        assert_eq!(status(&verified), 0, "{certificate:?}: {}", text(&verified));
    }
    let mut args = slot("binding");
    args.push("--testnet".into());
    args.push("--json".into());
    args.push(binding_file.to_str().unwrap().into());
    let verified = poci(&strings(&args));
    assert_eq!(status(&verified), 0, "{}", text(&verified));
    let line: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(line["result"]["key_id"], key.key_id().to_string());
    for (file, kind) in [
        (&binding_file, "chip binding"),
        (&heartbeat_file, "heartbeat"),
    ] {
        let shown = poci(&["inspect", "--json", file.to_str().unwrap()]);
        let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
        assert_eq!(shown["kind"], kind);
    }
    let help = poci(&["verify", "heartbeat", "--help"]);
    assert!(
        text(&help).contains("device certificate first"),
        "{}",
        text(&help)
    );
}

#[test]
fn trust_material_must_be_named_and_testnet_trust_is_stated() {
    let out = small_run("trust-flags");
    let samples = out.join("samples");
    let context = samples.join("binding-context.json");
    let binding = samples.join("binding.der");
    let run = |extra: &[&str]| {
        let mut args = vec!["verify", "binding", "--context", context.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(binding.to_str().unwrap());
        poci(&args)
    };
    let none = run(&[]);
    assert_eq!(status(&none), 2, "{}", text(&none));
    assert!(
        text(&none).contains("--vendor-roots DIR") && text(&none).contains("--testnet"),
        "{}",
        text(&none)
    );
    let testnet = run(&["--testnet"]);
    assert_eq!(status(&testnet), 0, "{}", text(&testnet));
    assert!(
        text(&testnet).contains("valid (TESTNET trust material: keys anyone can derive"),
        "{}",
        text(&testnet)
    );
    let line: Value = serde_json::from_slice(&run(&["--testnet", "--json"]).stdout).unwrap();
    assert_eq!(line["trust"], "testnet");
    assert_eq!(line["valid"], true);
    assert_eq!(line["trust_digest"].as_str().unwrap().len(), 64);
    // Real trust material alone does not anchor the testnet stand-in roots.
    let roots = vendor_roots();
    let production = run(&["--vendor-roots", roots.to_str().unwrap(), "--json"]);
    assert_eq!(status(&production), 1, "{}", text(&production));
    let line: Value = serde_json::from_slice(&production.stdout).unwrap();
    assert_eq!(line["trust"], "production");
    assert_eq!(line["code"], "UNKNOWN_ISSUER");
    let both = run(&[
        "--vendor-roots",
        roots.to_str().unwrap(),
        "--testnet",
        "--json",
    ]);
    assert_eq!(status(&both), 0, "{}", text(&both));
    let line: Value = serde_json::from_slice(&both.stdout).unwrap();
    assert_eq!(line["trust"], "testnet");
}

#[test]
fn ratings_are_json_numbers_everywhere() {
    let out = small_run("ratings");
    let verified = poci(&[
        "verify",
        "binding",
        "--testnet",
        "--json",
        "--context",
        out.join("samples/binding-context.json").to_str().unwrap(),
        out.join("samples/binding.der").to_str().unwrap(),
    ]);
    assert_eq!(status(&verified), 0, "{}", text(&verified));
    let line: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert!(line["result"]["rating_milli_cu"].is_u64(), "{line}");
    let manifest = vendor_roots().join("hailo/manifest.toml");
    let shown = poci(&["inspect", "--json", manifest.to_str().unwrap()]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["value"]["models"][0]["rating_milli_cu"], 13_000);
    let summary = json(&out.join("summary.json"));
    assert!(summary["models"][0]["rating_milli_cu"].is_u64());
}

#[test]
fn beacons_of_every_length_the_spec_accepts() {
    let out = small_run("beacons");
    let context = out.join("samples/heartbeat-context.json");
    let heartbeat = out.join("samples/heartbeat.der");
    let run = |beacon: &str| {
        poci(&[
            "verify",
            "heartbeat",
            "--context",
            context.to_str().unwrap(),
            "--beacon",
            beacon,
            heartbeat.to_str().unwrap(),
        ])
    };
    // Accepted: the heartbeat answers another challenge, so it is refused (1), not usage (2).
    for len in [1usize, 16, 32, 64] {
        let refused = run(&"ab".repeat(len));
        assert_eq!(status(&refused), 1, "{len}: {}", text(&refused));
        assert!(
            text(&refused).contains("CHALLENGE_MISMATCH"),
            "{}",
            text(&refused)
        );
    }
    for len in [0usize, 65] {
        let usage = run(&"ab".repeat(len));
        assert_eq!(status(&usage), 2, "{len}: {}", text(&usage));
        assert!(text(&usage).contains("1 to 64 bytes"), "{}", text(&usage));
    }
}

#[test]
fn registry_of_a_folder_has_test_vendors_only_when_asked() {
    let roots = vendor_roots();
    let roots = roots.to_str().unwrap();
    let out = |args: &[&str]| {
        let output = poci(args);
        assert_eq!(status(&output), 0, "{}", text(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The folder's registry is the embedded one (which is built from this folder).
    assert_eq!(
        out(&["registry", "digest", "--vendor-roots", roots]),
        out(&["registry", "digest"])
    );
    assert_eq!(
        out(&[
            "registry",
            "digest",
            "--vendor-roots",
            roots,
            "--with-test-vendors"
        ]),
        out(&["registry", "digest", "--with-test-vendors"])
    );
    assert_ne!(
        out(&["registry", "digest", "--vendor-roots", roots, "--testnet"]),
        out(&["registry", "digest", "--vendor-roots", roots])
    );
    assert!(!out(&["registry", "list", "--vendor-roots", roots]).contains("poci-test-a"));
    assert!(
        out(&["registry", "list", "--vendor-roots", roots, "--testnet"]).contains("poci-test-a")
    );
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
fn a_vendor_manifest_names_the_command_that_made_it() {
    let dir = scratch("vendor-header");
    let made = poci(&[
        "vendor",
        "new",
        "--vendor-id",
        "acme",
        "--organization",
        "Acme's Chips",
        "--model",
        "acme-x1=100",
        "--model",
        "acme-npu=int8:26",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(status(&made), 0, "{}", text(&made));
    let manifest = std::fs::read_to_string(dir.join("acme/manifest.toml")).unwrap();
    let first = manifest.lines().next().unwrap();
    assert!(
        first.contains(
            "`poci vendor new --vendor-id acme --organization 'Acme'\\''s Chips' --model acme-x1=100 --model acme-npu=int8:26`"
        ),
        "{first}"
    );
    assert!(!manifest.contains("make"), "{manifest}");
}

#[test]
fn sample_contexts_verify_with_no_hex_on_the_command_line() {
    let out = small_run("contexts");
    let samples = out.join("samples");
    let path = |name: &str| samples.join(name).to_str().unwrap().to_owned();
    let binding = poci(&[
        "verify",
        "binding",
        "--testnet",
        "--context",
        &path("binding-context.json"),
        &path("binding.der"),
    ]);
    assert_eq!(status(&binding), 0, "{}", text(&binding));
    // A flag given explicitly overrides the context.
    let context = json(&samples.join("binding-context.json"));
    let other_slot = (context["slot"].as_u64().unwrap() + 1) % 4;
    let wrong = poci(&[
        "verify",
        "binding",
        "--testnet",
        "--context",
        &path("binding-context.json"),
        "--slot",
        &other_slot.to_string(),
        &path("binding.der"),
    ]);
    assert_eq!(status(&wrong), 1, "{}", text(&wrong));
    assert!(text(&wrong).contains("WRONG_SLOT"), "{}", text(&wrong));
    let heartbeat = poci(&[
        "verify",
        "heartbeat",
        "--context",
        &path("heartbeat-context.json"),
        &path("heartbeat.der"),
    ]);
    assert_eq!(status(&heartbeat), 0, "{}", text(&heartbeat));
    let nvidia = poci(&[
        "verify",
        "nvidia-report",
        "--testnet",
        "--context",
        &path("nvidia-context.json"),
        &path("nvidia-report.hex"),
    ]);
    assert_eq!(status(&nvidia), 0, "{}", text(&nvidia));
    // The context of a binding is refused for a heartbeat.
    let crossed = poci(&[
        "verify",
        "heartbeat",
        "--context",
        &path("binding-context.json"),
        &path("heartbeat.der"),
    ]);
    assert_eq!(status(&crossed), 2, "{}", text(&crossed));
    // Context files are self-contained: params inline, files named relative to them.
    let heartbeat_context = json(&samples.join("heartbeat-context.json"));
    assert_eq!(heartbeat_context["certificate"], "device.pem");
    assert_eq!(heartbeat_context["params"], json(&out.join("params.json")));
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
