//! Test material, the registry and the trust store from the command line: deterministic
//! vendors and chips, registry digests and diffs, test vendors only when asked, the folder's
//! trust digest, generated manifests, and `--help` everywhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

mod common;

use common::{poci, scratch, status, text, vendor_roots};
use serde_json::Value;
use std::path::Path;

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
