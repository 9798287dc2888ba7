//! The `time` vector file (conformance/vectors/time.json) and its builders.

use super::*;

pub(super) fn time() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "time",
        "Network parameters, slot times and challenges (SPEC.md 5)",
    );
    let p = params_json()?;
    f.group("params", "network_params");
    let raw = |id: &str, genesis: &str, epoch_seconds: &str, slots: u32| json!({ "network_id": id, "genesis_unix": genesis, "epoch_seconds": epoch_seconds, "slots_per_epoch": slots });
    f.ok("valid parameters", raw(NETWORK, "1767225600", "3600", 120));
    f.err(
        "zero epoch length",
        raw(NETWORK, "0", "0", 1),
        "INVALID_NETWORK_PARAMS",
    );
    f.err(
        "epoch not a multiple of the slots",
        raw(NETWORK, "0", "3600", 7),
        "INVALID_NETWORK_PARAMS",
    );
    f.err(
        "network id with capitals",
        raw("POCI", "0", "3600", 120),
        "INVALID_NETWORK_PARAMS",
    );
    f.group("challenge", "derive_challenge");
    let beacon = |epoch: &str, slot: u32, beacon: &[u8]| json!({ "params": p, "epoch": epoch, "slot": slot, "beacon": h(beacon) });
    f.ok(
        "the worked example of SPEC.md 5",
        beacon("7", 42, &[0x11; 32]),
    );
    f.ok(
        "a 64-byte VRF output as beacon",
        beacon("7", 42, &[0x22; 64]),
    );
    f.ok(
        "last slot of a far epoch",
        beacon("18446744073709551615", 119, &[1]),
    );
    f.err(
        "slot outside the epoch",
        beacon("7", 120, &[0x11; 32]),
        "SLOT_OUT_OF_RANGE",
    );
    f.err("empty beacon", beacon("7", 1, &[]), "FIELD_EMPTY");
    f.err(
        "slot outside the epoch and an empty beacon: the slot first",
        beacon("7", 120, &[]),
        "SLOT_OUT_OF_RANGE",
    );
    f.err(
        "beacon over 64 bytes",
        beacon("7", 1, &[0; 65]),
        "FIELD_TOO_LONG",
    );
    f.group("slot_start", "slot_start_unix");
    let start = |epoch: &str, slot: u32| json!({ "params": p, "epoch": epoch, "slot": slot });
    f.ok("genesis", start("0", 0));
    f.ok("epoch 7 slot 42", start("7", 42));
    f.err(
        "beyond 2^64 seconds",
        start("18446744073709551615", 0),
        "TIME_OVERFLOW",
    );
    f.err(
        "slot outside the epoch",
        start("0", 120),
        "SLOT_OUT_OF_RANGE",
    );
    f.group("slot_at", "slot_at_unix");
    let at = |unix: &str| json!({ "params": p, "unix": unix });
    f.ok("a slot's first second", at("1767252060"));
    f.ok("a slot's last second", at("1767252089"));
    f.err("before genesis", at("1767225599"), "BEFORE_GENESIS");
    // The JSON form with well-formed but invalid values is judged as the constructor judges
    // it (finding P6 of the Step 12 review); a malformed form stays JSON_INVALID.
    f.group("params_json", "slot_start_unix");
    let with_params = |params: Value| json!({ "params": params, "epoch": "0", "slot": 0 });
    f.err(
        "JSON form with a zero epoch length",
        with_params(raw(NETWORK, "0", "0", 1)),
        "INVALID_NETWORK_PARAMS",
    );
    f.err(
        "JSON form with an epoch not a multiple of the slots",
        with_params(raw(NETWORK, "0", "3600", 7)),
        "INVALID_NETWORK_PARAMS",
    );
    f.err(
        "JSON form with a network id in capitals",
        with_params(raw("POCI", "0", "3600", 120)),
        "INVALID_NETWORK_PARAMS",
    );
    f.err(
        "JSON form with epoch_seconds as a number",
        with_params(json!({ "network_id": NETWORK, "genesis_unix": "0", "epoch_seconds": 3600, "slots_per_epoch": 120 })),
        "JSON_INVALID",
    );
    Ok(f.finish())
}
