//! The `keys` vector file (conformance/vectors/keys.json) and its builders.

use super::*;

pub(super) fn keys() -> Result<VectorFile> {
    let mut f = FileBuilder::new("keys", "Device keys and key ids (SPEC.md 4)");
    let chip = DeviceKey::from_seed(b"demo chip 1")?;
    f.group("device_key", "device_key");
    f.ok(
        "secret of DeviceKey::from_seed(\"demo chip 1\")",
        json!({ "secret_key": h(&chip.to_secret_bytes()) }),
    );
    f.err(
        "zero secret",
        json!({ "secret_key": h(&[0; 32]) }),
        "DEVICE_KEY_INVALID",
    );
    f.err(
        "secret equal to the group order",
        json!({ "secret_key": "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551" }),
        "DEVICE_KEY_INVALID",
    );
    f.group("public_key", "public_key");
    let point = chip.public_key().sec1_bytes();
    f.ok("uncompressed point", json!({ "public_key": h(point) }));
    let mut off_curve = *point;
    off_curve[64] ^= 1;
    f.err(
        "point off the curve",
        json!({ "public_key": h(&off_curve) }),
        "PUBLIC_KEY_INVALID",
    );
    let mut compressed = point[..33].to_vec();
    compressed[0] = 0x02;
    f.err(
        "compressed point",
        json!({ "public_key": h(&compressed) }),
        "PUBLIC_KEY_INVALID",
    );
    Ok(f.finish())
}
