//! The `registry` vector file (conformance/vectors/registry.json) and its builders.

use super::*;

pub(super) fn registry() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "registry",
        "Chip-model registry, ratings and digests (SPEC.md 12, 13)",
    );
    f.group("digest", "registry");
    let real_manifests = embedded_manifests(false);
    let real = manifests_json(&real_manifests);
    f.ok("the default registry", json!({ "manifests": real }));
    let mut reversed = real_manifests.clone();
    reversed.reverse();
    f.ok(
        "the same manifests in reverse order: same digest",
        json!({ "manifests": manifests_json(&reversed) }),
    );
    let nvidia = embedded_text("nvidia/manifest.toml");
    let reformatted = format!("# reformatted\n{}", nvidia.replace(" = ", "="));
    f.ok("one manifest reformatted: same digest", json!({ "manifests": [{ "file": "vendor-roots/nvidia/manifest.toml", "toml": reformatted }] }));
    f.ok(
        "NVIDIA alone",
        json!({ "manifests": [{ "file": "vendor-roots/nvidia/manifest.toml", "toml": nvidia }] }),
    );
    let rerated = nvidia
        .replace("fp16_tensor_tflops = \"65\"", "fp16_tensor_tflops = \"66\"")
        .replace("rating_milli_cu = 65000", "rating_milli_cu = 66000");
    f.ok(
        "NVIDIA with the T4 re-rated: another digest",
        json!({ "manifests": [{ "file": "vendor-roots/nvidia/manifest.toml", "toml": rerated }] }),
    );
    let bad = |description: &str, toml: String| {
        (
            description.to_owned(),
            json!({ "manifests": [{ "file": "vendor-roots/nvidia/manifest.toml", "toml": toml }] }),
        )
    };
    for (description, input) in [
        bad(
            "a rating that does not follow from its figures",
            nvidia.replace("rating_milli_cu = 65000", "rating_milli_cu = 64000"),
        ),
        bad(
            "a model listed twice",
            nvidia.replace("\"nvidia-a10\"", "\"nvidia-t4\""),
        ),
        bad("an unknown field", nvidia.replace("note = ", "notes = ")),
        bad(
            "a figure with a trailing zero",
            nvidia.replace("\"8.1\"", "\"8.10\""),
        ),
        bad("schema 2", nvidia.replace("schema = 1", "schema = 2")),
    ] {
        f.err(&description, input, "MANIFEST_INVALID");
    }
    let thief =
        embedded_text("poci-test-a/manifest.toml").replace("poci-test-accel-a1", "nvidia-t4");
    f.err(
        "a model claimed by two vendors",
        json!({ "manifests": [{ "file": "a.toml", "toml": nvidia }, { "file": "b.toml", "toml": thief }] }),
        "MANIFEST_INVALID",
    );
    f.group("activation", "registry_schedule");
    let version = |epoch: &str, toml: &str| json!({ "activation_epoch": epoch, "manifests": [{ "file": "nvidia.toml", "toml": toml }] });
    let lookups = json!([
        { "model_id": "nvidia-t4", "epoch": "0" },
        { "model_id": "nvidia-t4", "epoch": "99" },
        { "model_id": "nvidia-t4", "epoch": "100" },
        { "model_id": "nvidia-t4", "epoch": "18446744073709551615" },
        { "model_id": "nvidia-h100-sxm", "epoch": "5" },
        { "model_id": "nobody", "epoch": "5" }
    ]);
    f.ok(
        "a re-rating from epoch 100",
        json!({ "versions": [version("0", nvidia), version("100", &rerated)], "lookups": lookups }),
    );
    f.ok(
        "nothing before the first activation",
        json!({ "versions": [version("50", nvidia)], "lookups": lookups }),
    );
    f.err(
        "activation epochs not increasing",
        json!({ "versions": [version("100", nvidia), version("100", &rerated)], "lookups": [] }),
        "REGISTRY_SCHEDULE_INVALID",
    );
    Ok(f.finish())
}
