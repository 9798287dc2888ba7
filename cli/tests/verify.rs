//! `poci verify`: exit statuses (0 valid, 1 invalid, 2 usage), the trust material it must be
//! told, keys and certificates as DER or PEM, beacons, sample contexts, real H100 evidence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod common;

use common::{json, poci, scratch, small_run, status, strings, text, vendor_roots};
use serde_json::Value;
use std::path::Path;

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
