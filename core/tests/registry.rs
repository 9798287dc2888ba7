//! The chip-model registry: shipped ratings follow the rule, the digest is canonical,
//! versions diff and activate by epoch, and every manifest error names its place.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use poci::{ChipModelRegistry, Error, ManifestProblem, ManifestSource, RegistrySchedule};

const GOOD: &str = r#"
schema = 1
vendor_id = "acme"
display_name = "Acme"
test = false
status = "active"

[[models]]
model_id = "acme-x1"
display_name = "Acme X1"
fp16_tensor_tflops = "1979"
fp16_tensor_sparse = true
int8_tops = "3958"
int8_sparse = true
fp32_tflops = "67"
memory_gb = "80"
memory_bandwidth_gbps = "3350"
rating_milli_cu = 989500
source = "https://example.com/x1.pdf"
note = "sparse headline figures, halved"

[[models]]
model_id = "acme-n1"
display_name = "Acme N1"
int8_tops = "26"
int8_sparse = false
rating_milli_cu = 13000
source = "https://example.com/n1"
"#;

const OTHER: &str = r#"
schema = 1
vendor_id = "zeta"
display_name = "Zeta"
test = false
status = "active"

[[models]]
model_id = "zeta-z1"
display_name = "Zeta Z1"
fp16_tensor_tflops = "312"
fp16_tensor_sparse = false
rating_milli_cu = 312000
source = "https://example.com/z1"
"#;

fn registry(manifests: &[(&str, &str)]) -> Result<ChipModelRegistry, Error> {
    let sources: Vec<ManifestSource<'_>> = manifests
        .iter()
        .map(|(file, toml)| ManifestSource { file, toml })
        .collect();
    ChipModelRegistry::from_manifests(&sources)
}

/// The error's problem, file, model and field.
fn named(
    result: Result<ChipModelRegistry, Error>,
) -> (ManifestProblem, String, Option<String>, Option<String>) {
    match result.unwrap_err() {
        Error::ManifestInvalid { problem, location } => {
            (problem, location.file, location.model, location.field)
        }
        other => panic!("expected MANIFEST_INVALID, got {other:?}"),
    }
}

#[test]
fn lookups_and_ratings() {
    let registry = registry(&[("acme.toml", GOOD), ("zeta.toml", OTHER)]).unwrap();
    assert_eq!(registry.len(), 3);
    let x1 = registry.get("acme-x1").unwrap();
    assert_eq!(
        (x1.vendor_id.as_str(), x1.rating_milli_cu),
        ("acme", 989_500)
    );
    assert_eq!(registry.get("acme-n1").unwrap().rating_milli_cu, 13_000);
    assert!(registry.get("nope").is_none());
}

#[test]
fn every_shipped_rating_follows_from_its_figures() {
    for registry in [
        ChipModelRegistry::embedded().unwrap(),
        ChipModelRegistry::embedded_with_test_vendors().unwrap(),
    ] {
        assert!(!registry.is_empty());
        for model in registry.models() {
            assert_eq!(
                model.figures.rating_milli_cu().unwrap_or(0),
                model.rating_milli_cu,
                "{}",
                model.model_id
            );
            assert!(
                model.source.starts_with("https://")
                    || registry.vendor(&model.vendor_id).unwrap().test,
                "{}",
                model.model_id
            );
        }
    }
}

#[test]
fn shipped_registry_has_the_required_models() {
    let registry = ChipModelRegistry::embedded().unwrap();
    for model in [
        "nvidia-h100-sxm",
        "nvidia-h100-pcie",
        "nvidia-h200-sxm",
        "nvidia-a100-40gb",
        "nvidia-a100-80gb-sxm",
        "nvidia-a100-80gb-pcie",
        "nvidia-l40s",
        "nvidia-rtx-4090",
        "nvidia-rtx-3090",
        "nvidia-a10",
        "nvidia-t4",
        "nvidia-jetson-agx-orin-64gb",
        "amd-mi300x",
        "amd-mi250x",
        "intel-gaudi2",
        "intel-gaudi3",
        "google-tpu-v4",
        "google-tpu-v5e",
        "sophgo-bm1684",
        "sophgo-bm1684x",
        "huawei-ascend-910",
        "huawei-ascend-910b",
        "qualcomm-cloud-ai-100-pro",
        "hailo-8",
        "rockchip-rk3588",
    ] {
        assert!(registry.get(model).is_some(), "{model} missing");
    }
    assert!(registry.vendors().all(|vendor| !vendor.test));
    // Spot checks of the rule on shipped rows: sparse halved, INT8 / 2, INT8 sparse / 4, no figure 0.
    let rating = |id: &str| registry.get(id).unwrap().rating_milli_cu;
    assert_eq!(rating("nvidia-h100-sxm"), 989_500);
    assert_eq!(rating("nvidia-rtx-4090"), 165_200);
    assert_eq!(rating("sophgo-bm1684"), 8_800);
    assert_eq!(rating("nvidia-jetson-agx-orin-64gb"), 68_750);
    assert_eq!(rating("huawei-ascend-910b"), 0);
}

#[test]
fn digest_is_stable_under_reordering_and_reformatting() {
    let a = registry(&[("acme.toml", GOOD), ("zeta.toml", OTHER)]).unwrap();
    let b = registry(&[("zeta.toml", OTHER), ("acme.toml", GOOD)]).unwrap();
    // Models in another order, keys in another order, other whitespace and comments,
    // inline tables instead of [[models]].
    let (head, rows) = GOOD.split_once("[[models]]").unwrap();
    let (x1, n1) = rows.split_once("[[models]]").unwrap();
    let reordered = format!(
        "# comment\n{head}\n[[models]]{n1}\n[[models]]\n{}",
        x1.lines().rev().collect::<Vec<_>>().join("\n   ")
    );
    let c = registry(&[("acme.toml", &reordered), ("zeta.toml", OTHER)]).unwrap();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    assert_eq!(a.digest().unwrap(), c.digest().unwrap());
    assert_eq!(a, c);
    // Any rating change changes it (with its figure, so the rule still holds).
    let rerated = GOOD.replace("\"26\"", "\"28\"").replace("13000", "14000");
    let d = registry(&[("acme.toml", &rerated), ("zeta.toml", OTHER)]).unwrap();
    assert_ne!(a.digest().unwrap(), d.digest().unwrap());
    let renamed = GOOD.replace("\"Acme X1\"", "\"Acme X-1\"");
    assert_ne!(
        a.digest().unwrap(),
        registry(&[("acme.toml", &renamed), ("zeta.toml", OTHER)])
            .unwrap()
            .digest()
            .unwrap()
    );
}

#[test]
fn diff_between_versions() {
    let old = registry(&[("acme.toml", GOOD)]).unwrap();
    let rerated = GOOD
        .replace("\"26\"", "\"28\"")
        .replace("13000", "14000")
        .replace("Acme X1", "Acme X1 SXM");
    let new = registry(&[("acme.toml", &rerated), ("zeta.toml", OTHER)]).unwrap();
    let diff = old.diff(&new);
    assert_eq!(diff.added, vec!["zeta-z1".to_owned()]);
    assert!(diff.removed.is_empty());
    assert_eq!(diff.rerated.len(), 1);
    assert_eq!(
        (diff.rerated[0].old_milli_cu, diff.rerated[0].new_milli_cu),
        (13_000, 14_000)
    );
    assert_eq!(diff.changed, vec!["acme-x1".to_owned()]);
    assert_eq!(new.diff(&old).removed, vec!["zeta-z1".to_owned()]);
    assert!(old.diff(&old).is_empty());
}

#[test]
fn activation_epochs_choose_the_version() {
    let v1 = registry(&[("acme.toml", GOOD)]).unwrap();
    let v2 = registry(&[(
        "acme.toml",
        &GOOD.replace("\"26\"", "\"28\"").replace("13000", "14000"),
    )])
    .unwrap();
    let schedule = RegistrySchedule::new(vec![(0, v1), (100, v2)]).unwrap();
    assert_eq!(
        schedule.lookup("acme-n1", 0).unwrap().rating_milli_cu,
        13_000
    );
    assert_eq!(
        schedule.lookup("acme-n1", 99).unwrap().rating_milli_cu,
        13_000
    );
    assert_eq!(
        schedule.lookup("acme-n1", 100).unwrap().rating_milli_cu,
        14_000
    );
    let late = RegistrySchedule::new(vec![(5, registry(&[("acme.toml", GOOD)]).unwrap())]).unwrap();
    assert!(late.lookup("acme-n1", 4).is_none());
}

#[test]
fn code_registry_schedule_invalid() {
    let v = || registry(&[("acme.toml", GOOD)]).unwrap();
    assert_eq!(
        RegistrySchedule::new(vec![]).unwrap_err().code(),
        "REGISTRY_SCHEDULE_INVALID"
    );
    assert_eq!(
        RegistrySchedule::new(vec![(5, v()), (5, v())])
            .unwrap_err()
            .code(),
        "REGISTRY_SCHEDULE_INVALID"
    );
    assert_eq!(
        RegistrySchedule::new(vec![(6, v()), (5, v())])
            .unwrap_err()
            .code(),
        "REGISTRY_SCHEDULE_INVALID"
    );
}

#[test]
fn manifest_errors_name_file_model_and_field() {
    use ManifestProblem as P;
    let some = |s: &str| Some(s.to_owned());
    type Expected = (ManifestProblem, Option<String>, Option<String>);
    let cases: Vec<(String, Expected)> = vec![
        // Duplicate model id in one manifest.
        (
            GOOD.replace("acme-n1", "acme-x1"),
            (P::DuplicateModel, some("acme-x1"), some("model_id")),
        ),
        // A rating that does not follow from its figures.
        (
            GOOD.replace("989500", "989000"),
            (P::RatingMismatch, some("acme-x1"), some("rating_milli_cu")),
        ),
        // Missing source, and an empty one.
        (
            GOOD.replace("source = \"https://example.com/n1\"\n", ""),
            (P::MissingField, some("acme-n1"), some("source")),
        ),
        (
            GOOD.replace("\"https://example.com/n1\"", "\" \""),
            (P::MissingSource, some("acme-n1"), some("source")),
        ),
        // Unknown fields, in a model and at the top.
        (
            GOOD.replace("note = ", "notes = "),
            (P::UnknownField, some("acme-x1"), some("notes")),
        ),
        (
            format!("color = \"red\"\n{GOOD}"),
            (P::UnknownField, None, some("color")),
        ),
        // A figure that is not a decimal, a figure without its sparsity flag.
        (
            GOOD.replace("\"67\"", "\"67.0\""),
            (P::BadFigure, some("acme-x1"), some("fp32_tflops")),
        ),
        (
            GOOD.replace("int8_sparse = false\n", ""),
            (P::MissingField, some("acme-n1"), some("int8_sparse")),
        ),
        // No figure to rate from, yet a rating; or rated 0 without saying why.
        (
            GOOD.replace("int8_tops = \"26\"\nint8_sparse = false\n", ""),
            (
                P::NoRatingBasis,
                some("acme-n1"),
                some("fp16_tensor_tflops"),
            ),
        ),
        (
            GOOD.replace("int8_tops = \"26\"\nint8_sparse = false\n", "")
                .replace("13000", "0"),
            (P::MissingField, some("acme-n1"), some("note")),
        ),
        (
            GOOD.replace("schema = 1", "schema = 2"),
            (P::Schema, None, some("schema")),
        ),
        (
            GOOD.replace("\"acme-n1\"", "\"Acme N1\""),
            (P::Identifier, some("Acme N1"), some("model_id")),
        ),
        (
            GOOD.replace("rating_milli_cu = 13000", "rating_milli_cu = \"13000\""),
            (P::WrongType, some("acme-n1"), some("rating_milli_cu")),
        ),
        ("schema = [".to_owned(), (P::Syntax, None, None)),
    ];
    for (manifest, (problem, model, field)) in cases {
        let (got_problem, file, got_model, got_field) =
            named(registry(&[("vendor-roots/acme/manifest.toml", &manifest)]));
        assert_eq!(
            (got_problem, got_model, got_field),
            (problem, model, field),
            "{manifest}"
        );
        assert_eq!(file, "vendor-roots/acme/manifest.toml");
    }
    // A model claimed by two vendors names the second file (files are read in name order).
    let thief = OTHER.replace("zeta-z1", "acme-x1");
    let (problem, file, model, _) =
        named(registry(&[("b/zeta.toml", &thief), ("a/acme.toml", GOOD)]));
    assert_eq!(
        (problem, file.as_str(), model),
        (P::ModelClaimedTwice, "b/zeta.toml", some("acme-x1"))
    );
    // The same vendor twice.
    let (problem, file, _, field) = named(registry(&[("a.toml", GOOD), ("b.toml", GOOD)]));
    assert_eq!(
        (problem, file.as_str(), field),
        (P::DuplicateVendor, "b.toml", some("vendor_id"))
    );
    // The message names all three.
    let message = registry(&[("f.toml", &GOOD.replace("989500", "1"))])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("f.toml")
            && message.contains("acme-x1")
            && message.contains("rating_milli_cu"),
        "{message}"
    );
}

/// `GOOD` with an NVSwitch-like non-compute family and evidence model rows.
fn with_evidence(rows: &str) -> String {
    GOOD.replacen(
        "status = \"active\"\n",
        "status = \"active\"\nnon_compute_chips = [\"LS10\"]\n",
        1,
    ) + rows
}

const ROW_X1: &str = r#"
[[evidence_models]]
kind = "nvidia-spdm"
chip = "GH100"
project = "1010"
project_sku = "0200"
chip_sku = "882"
model_id = "acme-x1"
source = "https://example.com/boards"
"#;

const ROW_N1: &str = r#"
[[evidence_models]]
kind = "nvidia-spdm"
chip = "GH100"
project = "1010"
project_sku = "0201"
chip_sku = "882"
model_id = "acme-n1"
test = true
source = "testnet board"
"#;

#[test]
fn evidence_models_map_exact_signed_fields_only() {
    use poci::EvidenceFields;
    let reg = registry(&[("acme.toml", &with_evidence(&format!("{ROW_X1}{ROW_N1}")))]).unwrap();
    let fields = EvidenceFields {
        kind: "nvidia-spdm",
        chip: "GH100",
        project: Some("1010"),
        project_sku: Some("0200"),
        chip_sku: Some("882"),
        test: false,
    };
    let model = |fields: EvidenceFields<'_>| {
        reg.model_for_evidence("acme", &fields)
            .map(|model| model.model_id.clone())
            .map_err(|error| error.code())
    };
    assert_eq!(model(fields), Ok("acme-x1".to_owned()));
    for partial in [
        EvidenceFields {
            chip_sku: None,
            ..fields
        },
        EvidenceFields {
            project_sku: Some("0202"),
            ..fields
        },
        EvidenceFields {
            chip: "GB100",
            ..fields
        },
        EvidenceFields {
            kind: "amd-snp",
            ..fields
        },
    ] {
        assert_eq!(model(partial), Err("MODEL_UNMAPPED"), "{partial:?}");
    }
    // A test row maps test evidence only.
    let n1 = EvidenceFields {
        project_sku: Some("0201"),
        ..fields
    };
    assert_eq!(model(n1), Err("MODEL_UNMAPPED"));
    assert_eq!(
        model(EvidenceFields { test: true, ..n1 }),
        Ok("acme-n1".to_owned())
    );
    assert_eq!(
        model(EvidenceFields {
            chip: "LS10",
            ..fields
        }),
        Err("NOT_A_COMPUTE_CHIP")
    );
    assert_eq!(
        reg.model_for_evidence("zeta", &fields)
            .map_err(|error| error.code())
            .err(),
        Some("MODEL_UNMAPPED")
    );
    // Rows are part of the registry: order-free, but every row changes the digest.
    let swapped = registry(&[("acme.toml", &with_evidence(&format!("{ROW_N1}{ROW_X1}")))]).unwrap();
    assert_eq!(swapped.digest().unwrap(), reg.digest().unwrap());
    let fewer = registry(&[("acme.toml", &with_evidence(ROW_X1))]).unwrap();
    assert_ne!(fewer.digest().unwrap(), reg.digest().unwrap());
    // Without rows (absent or empty) a manifest keeps the encoding it had before rows
    // existed, so registries that have none kept their digests; rows change it.
    let plain = registry(&[("acme.toml", GOOD)]).unwrap();
    let empty = GOOD.replacen(
        "status = \"active\"\n",
        "status = \"active\"\nnon_compute_chips = []\nevidence_models = []\n",
        1,
    );
    let empty = registry(&[("acme.toml", &empty)]).unwrap();
    assert_eq!(empty.to_der().unwrap(), plain.to_der().unwrap());
    let chips_only = registry(&[("acme.toml", &with_evidence(""))]).unwrap();
    assert_ne!(chips_only.to_der().unwrap(), plain.to_der().unwrap());
    assert_ne!(fewer.to_der().unwrap(), chips_only.to_der().unwrap());
}

#[test]
fn bad_evidence_model_rows_are_refused_with_their_field() {
    use ManifestProblem as P;
    let some = |s: &str| Some(s.to_owned());
    let cases = [
        (
            ROW_X1.replace("acme-x1", "acme-x9"),
            P::EvidenceModel,
            some("model_id"),
        ),
        (
            ROW_X1.replace("GH100", "LS10"),
            P::EvidenceModel,
            some("chip"),
        ),
        (
            ROW_X1.replace("nvidia-spdm", "poci"),
            P::EvidenceModel,
            some("kind"),
        ),
        (
            ROW_X1.replace("nvidia-spdm", "amd-snp"),
            P::EvidenceModel,
            some("kind"),
        ),
        (
            format!("{ROW_X1}{ROW_X1}"),
            P::EvidenceModel,
            some("chip_sku"),
        ),
        (
            ROW_X1.replace("\"882\"", "\"8 82\""),
            P::WrongType,
            some("chip_sku"),
        ),
        (
            ROW_X1.replace("\"1010\"", "\"\""),
            P::WrongType,
            some("project"),
        ),
        (
            ROW_X1.replace("project_sku = \"0200\"\n", ""),
            P::MissingField,
            some("project_sku"),
        ),
        (
            ROW_X1.replace("source =", "sources ="),
            P::UnknownField,
            some("sources"),
        ),
        (
            ROW_X1.replace("\"https://example.com/boards\"", "\"  \""),
            P::MissingSource,
            some("source"),
        ),
    ];
    for (rows, problem, field) in cases {
        let (found, file, _, found_field) =
            named(registry(&[("acme.toml", &with_evidence(&rows))]));
        assert_eq!(
            (found, file.as_str(), found_field),
            (problem, "acme.toml", field),
            "{rows}"
        );
    }
    let twice = GOOD.replacen(
        "status = \"active\"\n",
        "status = \"active\"\nnon_compute_chips = [\"LS10\", \"LS10\"]\n",
        1,
    );
    assert_eq!(
        named(registry(&[("acme.toml", &twice)])).0,
        P::EvidenceModel
    );
}
