//! The vector files and their cases.
// The generator crafts fixed inputs: an out-of-range index or overflow here can only abort a
// generation run (and the byte-for-byte check would catch its output), never a node.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use serde_json::{Value, json};

use poci::embedded::{TEST_VENDOR_MANIFESTS, TESTNET_ROOTS, VENDOR_MANIFESTS};
use poci::rewards::emission::{
    EmissionSchedule, HalvingSchedule, InflationSchedule, RewardDecay, RewardTier,
    TieredDecaySchedule,
};
use poci::rewards::pools::{NamedPool, PoolSplit};
use poci::x509::mint::{
    CertificateTemplate, DistinguishedName, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE,
    TestVendor, X509Extension, device_extensions, issue_certificate, mint_crl,
    mint_device_certificate, mint_intermediate, mint_root, testnet_vendor, to_pem,
};
use poci::{
    ChipBindingTbs, ChipIdentity, DeviceKey, EcdsaSignature, Error, HeartbeatRef, HeartbeatTbs,
    LeaseAcceptanceTbs, ManifestSource, NetworkParams, Signed, derive_challenge,
};

use super::FileBuilder;
use super::der::{octets, oid, seq, tlv, uint, utf8};
use crate::VectorFile;

type Result<T> = core::result::Result<T, Error>;

const NETWORK: &str = "poci-testnet";
const EPOCH: u64 = 7;
const SLOT: u32 = 42;
const WALLET: &[u8] = b"wallet-of-alice";

fn h(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn params() -> Result<NetworkParams> {
    NetworkParams::new(NETWORK, TEST_NOT_BEFORE, 3600, 120)
}

fn params_json() -> Result<Value> {
    Ok(serde_json::to_value(params()?)?)
}

fn challenge_at(epoch: u64, slot: u32) -> Result<[u8; 32]> {
    derive_challenge(&params()?, epoch, slot, &epoch.to_be_bytes())
}

fn challenge() -> Result<[u8; 32]> {
    challenge_at(EPOCH, SLOT)
}

/// Every vector file, in name order.
///
/// # Errors
/// Only if minting or signing fails (not expected).
pub fn all_files() -> Result<Vec<VectorFile>> {
    Ok(vec![
        bindings()?,
        emission()?,
        heartbeats()?,
        keys()?,
        ledger()?,
        messages()?,
        registry()?,
        rewards()?,
        time()?,
    ])
}

// ---- time ---------------------------------------------------------------------------

fn time() -> Result<VectorFile> {
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

// ---- keys ---------------------------------------------------------------------------

fn keys() -> Result<VectorFile> {
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

// ---- messages -----------------------------------------------------------------------

fn chip() -> Result<DeviceKey> {
    DeviceKey::from_seed(b"vector chip 1")
}

fn heartbeat_tbs(key: &DeviceKey) -> Result<HeartbeatTbs> {
    Ok(HeartbeatTbs {
        network_id: NETWORK.into(),
        chip_key_id: *key.key_id(),
        wallet: WALLET.to_vec(),
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge()?,
        counter: 1000,
        measurement: Some([0x22; 32]),
    })
}

fn heartbeat_fields(tbs: &HeartbeatTbs) -> Vec<Vec<u8>> {
    let mut fields = vec![
        uint(1),
        oid(&poci::oid::HEARTBEAT_DOMAIN_DER),
        utf8(&tbs.network_id),
        octets(&tbs.chip_key_id.0),
        octets(&tbs.wallet),
        uint(u128::from(tbs.epoch)),
        uint(u128::from(tbs.slot)),
        octets(&tbs.challenge),
        uint(u128::from(tbs.counter)),
    ];
    if let Some(measurement) = tbs.measurement {
        fields.push(tlv(0x80, &measurement));
    }
    fields
}

fn sign_raw(key: &DeviceKey, tbs_der: &[u8]) -> Result<Vec<u8>> {
    Ok(seq(&[tbs_der.to_vec(), octets(&key.sign(tbs_der)?)]))
}

fn with_field(key: &DeviceKey, index: usize, value: Vec<u8>) -> Result<Vec<u8>> {
    let mut fields = heartbeat_fields(&heartbeat_tbs(key)?);
    if let Some(slot) = fields.get_mut(index) {
        *slot = value;
    }
    sign_raw(key, &seq(&fields))
}

fn lease_tbs(key: &DeviceKey) -> LeaseAcceptanceTbs {
    LeaseAcceptanceTbs {
        network_id: NETWORK.into(),
        lease_id: b"lease-0001".to_vec(),
        renter_wallet: b"wallet-of-renter".to_vec(),
        chip_key_id: *key.key_id(),
        first_epoch: 10,
        last_epoch: 19,
        price: 5_000_000_000_000_000_000_000_000,
    }
}

fn messages() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "messages",
        "Strict DER decoding and the JSON forms of every message (SPEC.md 3, 7)",
    );
    let key = chip()?;
    let heartbeat = Signed::sign(heartbeat_tbs(&key)?, &key)?;
    let heartbeat_der = heartbeat.to_der()?;
    let decode = |kind: &str, der: &[u8]| json!({ "kind": kind, "der": h(der) });
    f.group("decode_valid", "decode_message");
    f.ok(
        "heartbeat with a measurement",
        decode("heartbeat", &heartbeat_der),
    );
    let mut plain = heartbeat_tbs(&key)?;
    plain.measurement = None;
    f.ok(
        "heartbeat without a measurement",
        decode("heartbeat", &Signed::sign(plain, &key)?.to_der()?),
    );
    f.ok(
        "lease acceptance",
        decode(
            "lease_acceptance",
            &Signed::sign(lease_tbs(&key), &key)?.to_der()?,
        ),
    );
    let vendor = vendor_a()?;
    let (chip_key, certificate) = vendor.mint_chip(
        b"vector binding chip",
        &identity("poci-test-accel-a1", b"SN-1"),
        100,
    )?;
    let binding = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, vendor.intermediate_der.clone()],
        )?,
        &chip_key,
    )?;
    f.ok(
        "chip binding with its chain",
        decode("chip_binding", &binding.to_der()?),
    );

    f.group("decode_invalid", "decode_message");
    let mut large = heartbeat_der.clone();
    large.resize(513, 0);
    f.err(
        "longer than MAX_HEARTBEAT_LEN",
        decode("heartbeat", &large),
        "MESSAGE_TOO_LARGE",
    );
    f.err(
        "truncated by one byte",
        decode("heartbeat", &heartbeat_der[..heartbeat_der.len() - 1]),
        "DER_MALFORMED",
    );
    let mut trailing = heartbeat_der.clone();
    trailing.push(0);
    f.err(
        "one trailing byte",
        decode("heartbeat", &trailing),
        "TRAILING_DATA",
    );
    f.err(
        "INTEGER padded with a leading zero",
        decode("heartbeat", &with_field(&key, 5, tlv(0x02, &[0, 7]))?),
        "DER_NONCANONICAL",
    );
    let mut long_wallet = vec![0x04, 0x81, u8::try_from(WALLET.len()).unwrap_or(0)];
    long_wallet.extend_from_slice(WALLET);
    f.err(
        "long-form length for a short field",
        decode("heartbeat", &with_field(&key, 4, long_wallet)?),
        "DER_NONCANONICAL",
    );
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend(heartbeat_fields(&heartbeat_tbs(&key)?).concat());
    indefinite.extend([0, 0]);
    f.err(
        "indefinite length (BER)",
        decode("heartbeat", &sign_raw(&key, &indefinite)?),
        "DER_NONCANONICAL",
    );
    f.err(
        "version 2",
        decode("heartbeat", &with_field(&key, 0, uint(2))?),
        "UNSUPPORTED_VERSION",
    );
    f.err(
        "a heartbeat read as a lease acceptance",
        decode("lease_acceptance", &heartbeat_der),
        "WRONG_DOMAIN_TAG",
    );
    f.err(
        "empty wallet",
        decode("heartbeat", &with_field(&key, 4, octets(&[]))?),
        "FIELD_EMPTY",
    );
    f.err(
        "65-byte wallet",
        decode("heartbeat", &with_field(&key, 4, octets(&[7; 65]))?),
        "FIELD_TOO_LONG",
    );
    f.err(
        "31-byte chip key id",
        decode("heartbeat", &with_field(&key, 3, octets(&[7; 31]))?),
        "FIELD_WRONG_LENGTH",
    );
    f.err(
        "slot of 2^32",
        decode("heartbeat", &with_field(&key, 6, uint(1 << 32))?),
        "INTEGER_OUT_OF_RANGE",
    );
    f.err(
        "negative epoch",
        decode("heartbeat", &with_field(&key, 5, tlv(0x02, &[0xff]))?),
        "INTEGER_OUT_OF_RANGE",
    );
    f.err(
        "slot as an OCTET STRING",
        decode("heartbeat", &with_field(&key, 6, octets(&[1]))?),
        "DER_MALFORMED",
    );
    f.err(
        "network id with capitals",
        decode("heartbeat", &with_field(&key, 2, utf8("POCI-testnet"))?),
        "INVALID_IDENTIFIER",
    );
    let mut backwards = lease_tbs(&key);
    backwards.first_epoch = 20;
    let lease_fields = [
        uint(1),
        oid(&poci::oid::LEASE_ACCEPTANCE_DOMAIN_DER),
        utf8(NETWORK),
        octets(&backwards.lease_id),
        octets(&backwards.renter_wallet),
        octets(&backwards.chip_key_id.0),
        uint(20),
        uint(19),
        uint(backwards.price),
    ];
    f.err(
        "lease ending before it starts",
        decode("lease_acceptance", &sign_raw(&key, &seq(&lease_fields))?),
        "INVALID_EPOCH_RANGE",
    );
    let binding_fields = |certificates: Vec<Vec<u8>>| {
        seq(&[
            uint(1),
            oid(&poci::oid::CHIP_BINDING_DOMAIN_DER),
            utf8(NETWORK),
            octets(b"SN-1"),
            utf8("poci-test-accel-a1"),
            octets(WALLET),
            uint(1),
            uint(u128::from(EPOCH)),
            uint(u128::from(SLOT)),
            octets(&[0x33; 32]),
            seq(&certificates),
        ])
    };
    let junk_certificate = seq(&[octets(b"certificate")]);
    f.err(
        "five certificates",
        decode(
            "chip_binding",
            &sign_raw(&key, &binding_fields(vec![junk_certificate; 5]))?,
        ),
        "CHAIN_TOO_LONG",
    );
    f.err(
        "no certificate",
        decode("chip_binding", &sign_raw(&key, &binding_fields(vec![]))?),
        "FIELD_EMPTY",
    );

    // SPEC.md 6.1: every DER defect before any bound, then the bounds in field order
    // (finding P5 of the Step 12 review: fixed lengths were judged while decoding).
    f.group("check_order", "decode_message");
    let with_fields = |edits: &[(usize, Vec<u8>)]| -> Result<Vec<u8>> {
        let mut fields = heartbeat_fields(&heartbeat_tbs(&key)?);
        for (index, value) in edits {
            fields[*index] = value.clone();
        }
        sign_raw(&key, &seq(&fields))
    };
    f.err(
        "31-byte chip key id, then an epoch padded with a zero: DER first",
        decode(
            "heartbeat",
            &with_fields(&[(3, octets(&[7; 31])), (5, tlv(0x02, &[0, 7]))])?,
        ),
        "DER_NONCANONICAL",
    );
    f.err(
        "31-byte chip key id, then bytes after the last field: DER first",
        decode("heartbeat", &{
            let mut fields = heartbeat_fields(&heartbeat_tbs(&key)?);
            fields[3] = octets(&[7; 31]);
            fields.push(octets(&[1]));
            sign_raw(&key, &seq(&fields))?
        }),
        "TRAILING_DATA",
    );
    f.err(
        "65-byte wallet and a 31-byte measurement: the earlier field first",
        decode(
            "heartbeat",
            &with_fields(&[(4, octets(&[7; 65])), (9, tlv(0x80, &[0x22; 31]))])?,
        ),
        "FIELD_TOO_LONG",
    );
    f.err(
        "a network id outside the alphabet and a 31-byte chip key id: field order",
        decode(
            "heartbeat",
            &with_fields(&[(2, utf8("POCI-testnet")), (3, octets(&[7; 31]))])?,
        ),
        "INVALID_IDENTIFIER",
    );
    f.err(
        "a 31-byte measurement alone",
        decode("heartbeat", &with_fields(&[(9, tlv(0x80, &[0x22; 31]))])?),
        "FIELD_WRONG_LENGTH",
    );

    // Ambiguities A1 to A3 of the Step 12 review, decided in SPEC.md 3.2 and 6.1.
    f.group("decided", "decode_message");
    let outer_content = content_of(&heartbeat_der).to_vec();
    let with_length = |length: &[u8]| -> Vec<u8> {
        let mut der = vec![0x30];
        der.extend_from_slice(length);
        der.extend_from_slice(&outer_content);
        der
    };
    let len = u8::try_from(outer_content.len()).unwrap_or(u8::MAX);
    f.err(
        "a three-octet length whose value fits one octet (30 83 00 00 ..)",
        decode("heartbeat", &with_length(&[0x83, 0x00, 0x00, len])),
        "DER_NONCANONICAL",
    );
    f.err(
        "a four-octet length field (30 84 ..), whatever its value",
        decode("heartbeat", &with_length(&[0x84, 0x00, 0x00, 0x00, len])),
        "DER_MALFORMED",
    );
    f.err(
        "an ff-padded negative epoch (02 02 ff 87)",
        decode("heartbeat", &with_fields(&[(5, tlv(0x02, &[0xff, 0x87]))])?),
        "INTEGER_OUT_OF_RANGE",
    );
    f.err(
        "a negative version (02 02 ff 81)",
        decode("heartbeat", &with_fields(&[(0, tlv(0x02, &[0xff, 0x81]))])?),
        "UNSUPPORTED_VERSION",
    );
    f.err(
        "a truncated TLV after the last tbs field",
        decode("heartbeat", &{
            let mut fields = heartbeat_fields(&heartbeat_tbs(&key)?);
            fields.push(vec![0x04, 0x05, 0x00]);
            sign_raw(&key, &seq(&fields))?
        }),
        "TRAILING_DATA",
    );
    f.err(
        "a truncated TLV after the outer SEQUENCE",
        decode(
            "heartbeat",
            &[heartbeat_der.clone(), vec![0x04, 0x05, 0x00]].concat(),
        ),
        "TRAILING_DATA",
    );

    f.group("json", "message_from_json");
    let json_text = heartbeat.to_json()?;
    let from_json = |kind: &str, text: &str| json!({ "kind": kind, "json": text });
    f.ok(
        "heartbeat JSON back to DER",
        from_json("heartbeat", &json_text),
    );
    f.ok(
        "lease JSON back to DER",
        from_json(
            "lease_acceptance",
            &Signed::sign(lease_tbs(&key), &key)?.to_json()?,
        ),
    );
    f.err(
        "uppercase hex",
        from_json("heartbeat", &json_text.to_uppercase()),
        "JSON_INVALID",
    );
    f.err(
        "decimal with a leading zero",
        from_json(
            "heartbeat",
            &json_text.replace("\"epoch\":\"7\"", "\"epoch\":\"07\""),
        ),
        "JSON_INVALID",
    );
    f.err(
        "unknown field",
        from_json(
            "heartbeat",
            &json_text.replacen("{\"tbs\":{", "{\"tbs\":{\"extra\":1,", 1),
        ),
        "JSON_INVALID",
    );
    f.err(
        "wallet over 64 bytes",
        from_json(
            "heartbeat",
            &json_text.replace(&h(WALLET), &"ab".repeat(65)),
        ),
        "FIELD_TOO_LONG",
    );
    let key_hex = h(&key.key_id().0);
    f.err(
        "a 31-byte chip key id: the bound, as in DER",
        from_json("heartbeat", &json_text.replace(&key_hex, &key_hex[..62])),
        "FIELD_WRONG_LENGTH",
    );
    f.err(
        "a 33-byte challenge",
        from_json(
            "heartbeat",
            &json_text.replace(&h(&challenge()?), &format!("{}00", h(&challenge()?))),
        ),
        "FIELD_WRONG_LENGTH",
    );
    f.err(
        "a 65-byte wallet and a 31-byte key id: field order",
        from_json(
            "heartbeat",
            &json_text
                .replace(&key_hex, &key_hex[..62])
                .replace(&h(WALLET), &"ab".repeat(65)),
        ),
        "FIELD_WRONG_LENGTH",
    );
    Ok(f.finish())
}

// ---- heartbeats ---------------------------------------------------------------------

fn heartbeats() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "heartbeats",
        "Heartbeat and lease acceptance verification (SPEC.md 4, 6.2, 6.3)",
    );
    let key = chip()?;
    let der = Signed::sign(heartbeat_tbs(&key)?, &key)?.to_der()?;
    let context = |network: &str, epoch: &str, slot: u32, challenge: &[u8], wallet: &[u8]| json!({ "network_id": network, "epoch": epoch, "slot": slot, "challenge": h(challenge), "wallet": h(wallet) });
    let good = context(NETWORK, "7", SLOT, &challenge()?, WALLET);
    let public = h(key.public_key().sec1_bytes());
    let input = |der: &[u8], public: &str, context: &Value| json!({ "der": h(der), "public_key": public, "context": context });
    f.group("verify", "verify_heartbeat");
    f.ok("valid heartbeat", input(&der, &public, &good));
    f.err(
        "context expects the next slot",
        input(
            &der,
            &public,
            &context(NETWORK, "7", SLOT + 1, &challenge()?, WALLET),
        ),
        "WRONG_SLOT",
    );
    f.err(
        "context expects another epoch",
        input(
            &der,
            &public,
            &context(NETWORK, "8", SLOT, &challenge()?, WALLET),
        ),
        "WRONG_SLOT",
    );
    f.err(
        "another slot's challenge",
        input(
            &der,
            &public,
            &context(NETWORK, "7", SLOT, &challenge_at(7, 41)?, WALLET),
        ),
        "CHALLENGE_MISMATCH",
    );
    f.err(
        "the chip is bound to another wallet",
        input(
            &der,
            &public,
            &context(NETWORK, "7", SLOT, &challenge()?, b"wallet-of-bob"),
        ),
        "WALLET_MISMATCH",
    );
    f.err(
        "another network",
        input(
            &der,
            &public,
            &context("poci-mainnet", "7", SLOT, &challenge()?, WALLET),
        ),
        "WRONG_NETWORK",
    );
    let other = DeviceKey::from_seed(b"vector chip 2")?;
    f.err(
        "checked against another chip's key",
        input(&der, &h(other.public_key().sec1_bytes()), &good),
        "CHIP_KEY_MISMATCH",
    );
    let parsed = HeartbeatRef::from_der(&der)?;
    let with_signature = |signature: &[u8]| seq(&[parsed.tbs_der().to_vec(), octets(signature)]);
    f.err(
        "high-S twin of the valid signature",
        input(
            &with_signature(
                &EcdsaSignature::from_der(parsed.signature())?
                    .twin()
                    .to_der(),
            ),
            &public,
            &good,
        ),
        "SIGNATURE_HIGH_S",
    );
    f.err(
        "signature that is not DER",
        input(
            &with_signature(&[0x30, 0x03, 0x02, 0x01, 0x01]),
            &public,
            &good,
        ),
        "SIGNATURE_MALFORMED",
    );
    f.err(
        "signature over another message",
        input(
            &with_signature(&key.sign(b"another message")?),
            &public,
            &good,
        ),
        "SIGNATURE_INVALID",
    );
    f.err(
        "truncated",
        input(&der[..der.len() - 1], &public, &good),
        "DER_MALFORMED",
    );
    let mut trailing = der.clone();
    trailing.push(0);
    f.err(
        "trailing byte",
        input(&trailing, &public, &good),
        "TRAILING_DATA",
    );
    f.err(
        "registered key is not a point",
        input(&der, &h(&[4; 65]), &good),
        "PUBLIC_KEY_INVALID",
    );
    let mut flipped = der.clone();
    let last = flipped.len() - 40;
    flipped[last] ^= 1;
    f.err(
        "one flipped bit in the tbs",
        input(&flipped, &public, &good),
        "SIGNATURE_INVALID",
    );

    f.group("lease", "verify_lease_acceptance");
    let lease = Signed::sign(lease_tbs(&key), &key)?.to_der()?;
    let lease_input = |public: &str, network: &str| json!({ "der": h(&lease), "public_key": public, "network_id": network });
    f.ok("valid lease acceptance", lease_input(&public, NETWORK));
    f.err(
        "another network",
        lease_input(&public, "poci-mainnet"),
        "WRONG_NETWORK",
    );
    f.err(
        "offered by a chip the lessor does not hold",
        lease_input(&h(other.public_key().sec1_bytes()), NETWORK),
        "CHIP_KEY_MISMATCH",
    );
    f.group("batch", "verify_heartbeat_batch");
    let batch = |copies: usize| {
        let mut item = input(&der, &public, &good);
        item["copies"] = json!(copies.to_string());
        item
    };
    f.ok("three copies: one result each", batch(3));
    f.err(
        "one item more than MAX_BATCH_LEN: refused whole",
        batch(poci::limits::MAX_BATCH_LEN + 1),
        "BATCH_TOO_LARGE",
    );
    // One result per item, in input order, each with its own code.
    f.group("mixed_batch", "verify_heartbeats");
    let mut truncated = der.clone();
    truncated.truncate(der.len() / 2);
    let items = vec![
        input(&der, &public, &good),
        input(
            &der,
            &public,
            &context(NETWORK, "7", SLOT, &challenge()?, b"somebody-else"),
        ),
        input(&truncated, &public, &good),
        input(
            &der,
            &public,
            &context(NETWORK, "7", SLOT + 1, &challenge()?, WALLET),
        ),
        input(&der, &public, &good),
    ];
    f.ok(
        "valid, wallet mismatch, truncated, wrong slot, valid: one result each, in order",
        json!({ "items": items }),
    );
    Ok(f.finish())
}

// ---- bindings -----------------------------------------------------------------------

fn vendor_a() -> Result<TestVendor> {
    TestVendor::from_seed("poci-test-a", "POCI Test Vendor A")
}

fn identity(model: &str, serial: &[u8]) -> ChipIdentity {
    ChipIdentity {
        model_id: model.into(),
        serial: serial.to_vec(),
        security_version: 3,
    }
}

fn binding_tbs(serial: &[u8], model: &str, certificates: Vec<Vec<u8>>) -> Result<ChipBindingTbs> {
    Ok(ChipBindingTbs {
        network_id: NETWORK.into(),
        chip_serial: serial.to_vec(),
        model_id: model.into(),
        wallet: WALLET.to_vec(),
        binding_counter: 1,
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge()?,
        certificates,
    })
}

fn manifests_json(sources: &[ManifestSource<'_>]) -> Value {
    Value::Array(
        sources
            .iter()
            .map(|s| json!({ "file": s.file, "toml": s.toml }))
            .collect(),
    )
}

fn store_spec(
    allow_test_vendors: bool,
    unknown_revocation: &str,
    manifests: Value,
    roots: Vec<Value>,
) -> Value {
    json!({
        "policy": { "allow_test_vendors": allow_test_vendors, "unknown_revocation": unknown_revocation },
        "manifests": manifests,
        "roots": roots,
    })
}

fn roots_entry(vendor_id: &str, kind: &str, roots: &[String], crls: &[String]) -> Value {
    json!({ "vendor_id": vendor_id, "kind": kind, "roots": roots, "crls": crls })
}

fn pem_certificate(der: &[u8]) -> Result<String> {
    to_pem("CERTIFICATE", der)
}

fn pem_crl(der: &[u8]) -> Result<String> {
    to_pem("X509 CRL", der)
}

fn all_manifests() -> Value {
    let all: Vec<ManifestSource<'static>> = VENDOR_MANIFESTS
        .iter()
        .chain(TEST_VENDOR_MANIFESTS)
        .copied()
        .collect();
    manifests_json(&all)
}

fn testnet_roots() -> Vec<Value> {
    TESTNET_ROOTS
        .iter()
        .filter(|r| ["poci-test-a", "poci-test-b", "nvidia"].contains(&r.vendor_id))
        .map(|r| {
            let kind = if r.kind == poci::RootKind::Test {
                "test"
            } else {
                "vendor"
            };
            let roots: Vec<String> = r.roots.iter().map(|s| (*s).to_owned()).collect();
            let crls: Vec<String> = r.crls.iter().map(|s| (*s).to_owned()).collect();
            roots_entry(r.vendor_id, kind, &roots, &crls)
        })
        .collect()
}

fn vendor_a_manifest() -> Value {
    manifests_json(&TEST_VENDOR_MANIFESTS[..1])
}

fn vendor_a_roots(vendor: &TestVendor, crls: &[Vec<u8>]) -> Result<Value> {
    let crls = crls
        .iter()
        .map(|crl| pem_crl(crl))
        .collect::<Result<Vec<_>>>()?;
    Ok(roots_entry(
        "poci-test-a",
        "vendor",
        &[pem_certificate(&vendor.root_der)?],
        &crls,
    ))
}

fn template(vendor: &TestVendor, serial: &[u8], model: &str) -> Result<CertificateTemplate> {
    Ok(CertificateTemplate {
        serial: 77,
        subject: DistinguishedName {
            organization: "POCI Test Vendor A".into(),
            common_name: "chip".into(),
        },
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_DEVICE_NOT_AFTER,
        extensions: device_extensions(
            vendor.intermediate_key.public_key(),
            &identity(model, serial),
        )?,
    })
}

fn bindings() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "bindings",
        "Chip bindings against vendor trust (SPEC.md 6.4, 10, 11)",
    );
    let vendor = vendor_a()?;
    f.trust_store(
        "testnet",
        store_spec(true, "deny", all_manifests(), testnet_roots()),
    );
    f.trust_store(
        "production",
        store_spec(false, "deny", all_manifests(), testnet_roots()),
    );
    let empty_crls = [
        vendor.root_crl_der.clone(),
        vendor.intermediate_crl_der.clone(),
    ];
    let revoking = mint_crl(
        vendor.intermediate(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[100],
    )?;
    f.trust_store(
        "revoked-device",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                &vendor,
                &[vendor.root_crl_der.clone(), revoking],
            )?],
        ),
    );
    f.trust_store(
        "no-crls",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(&vendor, &[])?],
        ),
    );
    f.trust_store(
        "no-crls-allowed",
        store_spec(
            true,
            "allow",
            vendor_a_manifest(),
            vec![vendor_a_roots(&vendor, &[])?],
        ),
    );
    let stale = mint_crl(
        vendor.intermediate(),
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 60,
        2,
        &[],
    )?;
    f.trust_store(
        "expired-crl",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                &vendor,
                &[vendor.root_crl_der.clone(), stale],
            )?],
        ),
    );
    let revoked_manifest = TEST_VENDOR_MANIFESTS[0]
        .toml
        .replace("status = \"active\"", "status = \"revoked\"");
    f.trust_store(
        "revoked-vendor",
        store_spec(
            true,
            "deny",
            json!([{ "file": "poci-test-a/manifest.toml", "toml": revoked_manifest }]),
            vec![vendor_a_roots(&vendor, &empty_crls)?],
        ),
    );
    // A vendor whose root expires an hour after genesis while its CA and chips live on.
    let short_key = DeviceKey::from_seed(b"short/root")?;
    let short_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short Root".into(),
    };
    let short_root = mint_root(
        &short_key,
        &short_name,
        1,
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 3600,
    )?;
    let short_issuer = Issuer {
        name: &short_name,
        key: &short_key,
    };
    let short_ca_key = DeviceKey::from_seed(b"short/intermediate")?;
    let short_ca_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short CA".into(),
    };
    let short_ca = mint_intermediate(
        short_issuer,
        short_ca_key.public_key(),
        &short_ca_name,
        2,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )?;
    let short_ca_issuer = Issuer {
        name: &short_ca_name,
        key: &short_ca_key,
    };
    let short_crls = [
        pem_crl(&mint_crl(
            short_issuer,
            TEST_NOT_BEFORE,
            TEST_DEVICE_NOT_AFTER,
            1,
            &[],
        )?)?,
        pem_crl(&mint_crl(
            short_ca_issuer,
            TEST_NOT_BEFORE,
            TEST_DEVICE_NOT_AFTER,
            1,
            &[],
        )?)?,
    ];
    let short_manifest = "schema = 1\nvendor_id = \"short\"\ndisplay_name = \"Short\"\ntest = true\nstatus = \"active\"\n\n\
        [[models]]\nmodel_id = \"short-accel-1\"\ndisplay_name = \"Short accelerator\"\nint8_tops = \"2\"\n\
        int8_sparse = false\nrating_milli_cu = 1000\nsource = \"synthetic\"\n";
    f.trust_store(
        "short-root",
        store_spec(
            true,
            "deny",
            json!([{ "file": "short/manifest.toml", "toml": short_manifest }]),
            vec![roots_entry(
                "short",
                "vendor",
                &[pem_certificate(&short_root)?],
                &short_crls,
            )],
        ),
    );

    let context = json!({ "params": params_json()?, "epoch": "7", "slot": SLOT, "challenge": h(&challenge()?), "wallet": h(WALLET) });
    let input = |store: &str, der: &[u8]| json!({ "trust_store": store, "der": h(der), "context": context });
    let chain_of =
        |key: &DeviceKey, certificate: Vec<u8>, serial: &[u8], model: &str| -> Result<Vec<u8>> {
            Signed::sign(
                binding_tbs(
                    serial,
                    model,
                    vec![certificate, vendor.intermediate_der.clone()],
                )?,
                key,
            )?
            .to_der()
        };
    let crafted = |template: CertificateTemplate, serial: &[u8], model: &str| -> Result<Vec<u8>> {
        let key = DeviceKey::from_seed(b"vector crafted chip")?;
        let certificate = issue_certificate(&template, key.public_key(), vendor.intermediate())?;
        chain_of(&key, certificate, serial, model)
    };

    f.group("valid", "verify_binding");
    let (key, certificate) = vendor.mint_chip(
        b"vector binding chip",
        &identity("poci-test-accel-a1", b"SN-1"),
        100,
    )?;
    let valid = chain_of(&key, certificate, b"SN-1", "poci-test-accel-a1")?;
    f.ok("test vendor chip", input("testnet", &valid));
    let nvidia = testnet_vendor("nvidia", "NVIDIA")?;
    let (h100, h100_cert) =
        nvidia.mint_chip(b"vector h100", &identity("nvidia-h100-sxm", b"H100-1"), 5)?;
    let h100_binding = Signed::sign(
        binding_tbs(
            b"H100-1",
            "nvidia-h100-sxm",
            vec![h100_cert, nvidia.intermediate_der.clone()],
        )?,
        &h100,
    )?
    .to_der()?;
    f.ok(
        "real model under a testnet root, rated by the registry",
        input("testnet", &h100_binding),
    );
    f.ok(
        "no CRL, policy allows unknown status",
        input("no-crls-allowed", &valid),
    );

    f.group("chain", "verify_binding");
    let mut expired = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    expired.not_after = TEST_NOT_BEFORE + 3600;
    f.err(
        "device certificate expired",
        input("testnet", &crafted(expired, b"SN-1", "poci-test-accel-a1")?),
        "CERT_EXPIRED",
    );
    let mut early = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    early.not_before = TEST_NOT_BEFORE + 86_400;
    f.err(
        "device certificate not yet valid",
        input("testnet", &crafted(early, b"SN-1", "poci-test-accel-a1")?),
        "CERT_NOT_YET_VALID",
    );
    f.err(
        "device certificate revoked",
        input("revoked-device", &valid),
        "CERT_REVOKED",
    );
    let rogue = TestVendor::from_seed("rogue", "Rogue")?;
    let (rogue_key, rogue_cert) =
        rogue.mint_chip(b"rogue chip", &identity("poci-test-accel-a1", b"SN-9"), 5)?;
    let rogue_binding = Signed::sign(
        binding_tbs(
            b"SN-9",
            "poci-test-accel-a1",
            vec![rogue_cert, rogue.intermediate_der.clone()],
        )?,
        &rogue_key,
    )?
    .to_der()?;
    f.err(
        "chain to an unknown root",
        input("testnet", &rogue_binding),
        "UNKNOWN_ISSUER",
    );
    let mut server = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    if let Some(eku) = server.extensions.get_mut(1) {
        *eku = X509Extension::ext_key_usage(&[&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]])?;
    }
    f.err(
        "TLS server EKU instead of device attestation",
        input("testnet", &crafted(server, b"SN-1", "poci-test-accel-a1")?),
        "WRONG_KEY_USAGE",
    );
    let swapped = template(&vendor, b"SN-1", "poci-test-npu-b1")?;
    f.err(
        "vendor A certifies a model of vendor B",
        input("testnet", &crafted(swapped, b"SN-1", "poci-test-npu-b1")?),
        "MODEL_NOT_ALLOWED_FOR_VENDOR",
    );
    f.err(
        "test vendor under a production policy",
        input("production", &valid),
        "TEST_VENDOR_REFUSED",
    );
    f.err(
        "testnet root of a real vendor under a production policy",
        input("production", &h100_binding),
        "TEST_VENDOR_REFUSED",
    );
    let junk = seq(&[octets(b"certificate")]);
    let too_long = hand_built_binding(&key, seq(&vec![junk; 5]))?;
    f.err(
        "five certificates",
        input("testnet", &too_long),
        "CHAIN_TOO_LONG",
    );
    let impostor = DeviceKey::from_seed(b"impostor")?;
    let crafted_key = DeviceKey::from_seed(b"vector crafted chip")?;
    let forged = issue_certificate(
        &template(&vendor, b"SN-1", "poci-test-accel-a1")?,
        crafted_key.public_key(),
        Issuer {
            name: &vendor.intermediate_name,
            key: &impostor,
        },
    )?;
    f.err(
        "device certificate signed by an impostor",
        input(
            "testnet",
            &chain_of(&crafted_key, forged, b"SN-1", "poci-test-accel-a1")?,
        ),
        "CERT_SIGNATURE_INVALID",
    );
    f.err(
        "no CRL speaks for the chain",
        input("no-crls", &valid),
        "REVOCATION_STATUS_UNKNOWN",
    );
    f.err(
        "the intermediate's CRL is past nextUpdate",
        input("expired-crl", &valid),
        "CRL_EXPIRED",
    );
    f.err(
        "vendor revoked in its manifest",
        input("revoked-vendor", &valid),
        "VENDOR_REVOKED",
    );
    let short_chip = DeviceKey::from_seed(b"short chip")?;
    let short_cert = mint_device_certificate(
        short_ca_issuer,
        short_chip.public_key(),
        &identity("short-accel-1", b"SN-1"),
        9,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )?;
    let short_binding = Signed::sign(
        binding_tbs(b"SN-1", "short-accel-1", vec![short_cert, short_ca])?,
        &short_chip,
    )?
    .to_der()?;
    f.err(
        "root expired although its CA and chip are valid",
        input("short-root", &short_binding),
        "CERT_EXPIRED",
    );

    f.group("policy", "verify_binding");
    let mut anonymous = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    anonymous.extensions.remove(2);
    f.err(
        "no chip identity extension",
        input(
            "testnet",
            &crafted(anonymous, b"SN-1", "poci-test-accel-a1")?,
        ),
        "MISSING_CHIP_IDENTITY",
    );
    f.err(
        "model not in the registry",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "nobody-accel-9")?,
                b"SN-1",
                "nobody-accel-9",
            )?,
        ),
        "MODEL_UNKNOWN",
    );
    f.err(
        "binding names another serial",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "poci-test-accel-a1")?,
                b"SN-2",
                "poci-test-accel-a1",
            )?,
        ),
        "SERIAL_MISMATCH",
    );
    f.err(
        "binding names another model",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "poci-test-accel-a1")?,
                b"SN-1",
                "poci-test-accel-a2",
            )?,
        ),
        "MODEL_MISMATCH",
    );
    let junk_device = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![seq(&[octets(b"not a certificate")])],
        )?,
        &key,
    )?
    .to_der()?;
    f.err(
        "device certificate that is not X.509",
        input("testnet", &junk_device),
        "BAD_CERTIFICATE",
    );
    let ca_as_device = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![vendor.intermediate_der.clone()],
        )?,
        &key,
    )?
    .to_der()?;
    f.err(
        "a CA certificate as the device certificate",
        input("testnet", &ca_as_device),
        "BAD_CERTIFICATE",
    );
    let thief = DeviceKey::from_seed(b"thief")?;
    let (_, victim_cert) = vendor.mint_chip(
        b"vector binding chip",
        &identity("poci-test-accel-a1", b"SN-1"),
        100,
    )?;
    f.err(
        "binding signed by a key the certificate does not name",
        input(
            "testnet",
            &chain_of(&thief, victim_cert, b"SN-1", "poci-test-accel-a1")?,
        ),
        "SIGNATURE_INVALID",
    );
    let wrong_wallet = json!({ "trust_store": "testnet", "der": h(&valid), "context": { "params": params_json()?, "epoch": "7", "slot": SLOT, "challenge": h(&challenge()?), "wallet": h(b"front-runner") } });
    f.err(
        "claim submitted by another wallet (front-running)",
        wrong_wallet,
        "WALLET_MISMATCH",
    );

    f.group("trust_material", "trust_store");
    let store_input = |spec: Value| json!({ "trust_store": spec });
    f.ok(
        "the test-network trust material",
        store_input(store_spec(true, "deny", all_manifests(), testnet_roots())),
    );
    f.err(
        "a CRL that is not a CRL",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.root_der)?],
                &[pem_crl(&[0x30, 0x03, 0x02, 0x01, 0x01])?],
            )],
        )),
        "BAD_CRL",
    );
    f.err(
        "roots for a vendor no manifest declares",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "nobody",
                "vendor",
                &[pem_certificate(&vendor.root_der)?],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "a device certificate as a root",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.intermediate_der)?],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    // Ambiguous roots are refused whatever the order (SPEC.md 11).
    let same_name = |seed: &[u8], serial: u64| -> Result<String> {
        let key = DeviceKey::from_seed(seed)?;
        let template = CertificateTemplate {
            serial,
            subject: vendor.root_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![
                X509Extension::ca(None)?,
                X509Extension::key_usage_ca()?,
                X509Extension::subject_key_identifier(key.public_key())?,
            ],
        };
        let issuer = Issuer {
            name: &vendor.root_name,
            key: &key,
        };
        pem_certificate(&issue_certificate(&template, key.public_key(), issuer)?)
    };
    let impostor_root = same_name(b"same-name root", 900)?;
    f.err(
        "a second root with the vendor root's name and another key",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.root_der)?, impostor_root],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "one root listed by two vendors",
        store_input(store_spec(
            true,
            "deny",
            all_manifests(),
            vec![
                roots_entry(
                    "poci-test-a",
                    "vendor",
                    &[pem_certificate(&vendor.root_der)?],
                    &[],
                ),
                roots_entry(
                    "poci-test-b",
                    "vendor",
                    &[pem_certificate(&vendor.root_der)?],
                    &[],
                ),
            ],
        )),
        "MANIFEST_INVALID",
    );
    adversarial_bindings(&mut f, &vendor, &valid, &context)?;
    strict_certificates(&mut f, &vendor, &context)?;
    decided_revocation(&mut f, &vendor, &valid, &context)?;
    Ok(f.finish())
}

/// A binding of serial `SN-1` (model a1, the vectors' slot and wallet) built by hand around
/// `certificates` (a SEQUENCE TLV), for chains the library refuses to encode.
fn hand_built_binding(key: &DeviceKey, certificates: Vec<u8>) -> Result<Vec<u8>> {
    sign_raw(
        key,
        &seq(&[
            uint(1),
            oid(&poci::oid::CHIP_BINDING_DOMAIN_DER),
            utf8(NETWORK),
            octets(b"SN-1"),
            utf8("poci-test-accel-a1"),
            octets(WALLET),
            uint(1),
            uint(u128::from(EPOCH)),
            uint(u128::from(SLOT)),
            octets(&challenge()?),
            certificates,
        ]),
    )
}

/// The content octets of a DER TLV (definite length).
fn content_of(der: &[u8]) -> &[u8] {
    let first = der[1];
    if first < 0x80 {
        &der[2..2 + usize::from(first)]
    } else {
        let count = usize::from(first & 0x7f);
        let len = der[2..2 + count]
            .iter()
            .fold(0usize, |len, byte| (len << 8) | usize::from(*byte));
        &der[2 + count..2 + count + len]
    }
}

/// The TLVs of a SEQUENCE's content, each whole.
fn elements(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let inner = content_of(content).len();
        let header = if content[1] < 0x80 {
            2
        } else {
            2 + usize::from(content[1] & 0x7f)
        };
        out.push(content[..header + inner].to_vec());
        content = &content[header + inner..];
    }
    out
}

/// `certificate` (or a CRL: the same outer shape) with its signed part's elements edited,
/// signed again by `issuer_key`.
fn resign(
    certificate: &[u8],
    issuer_key: &DeviceKey,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> Result<Vec<u8>> {
    let outer = elements(content_of(certificate));
    let mut tbs = elements(content_of(&outer[0]));
    edit(&mut tbs);
    let tbs = seq(&tbs);
    let mut bits = vec![0u8];
    bits.extend(issuer_key.sign(&tbs)?);
    Ok(seq(&[tbs, outer[1].clone(), tlv(0x03, &bits)]))
}

/// A private OID arc nobody defines (1.3.6.1.4.1.99999.n).
fn private_oid(n: u8) -> Vec<u8> {
    vec![0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, n]
}

/// Vendor A's intermediate issued again by its root (same name and key, so its CRLs still
/// speak), with other extensions.
fn reissued_intermediate(vendor: &TestVendor, extensions: Vec<X509Extension>) -> Result<Vec<u8>> {
    issue_certificate(
        &CertificateTemplate {
            serial: 12,
            subject: vendor.intermediate_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions,
        },
        vendor.intermediate_key.public_key(),
        vendor.root(),
    )
}

/// A TLV with a long-form length (`81 LL`) even where the short form fits: BER, not DER.
fn long_form(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, 0x81, u8::try_from(content.len()).unwrap_or(u8::MAX)];
    out.extend_from_slice(content);
    out
}

/// A Name `CN=<common_name>` whose attribute value has a long-form length.
fn ber_name(common_name: &str) -> Vec<u8> {
    let value = long_form(0x0c, common_name.as_bytes());
    seq(&[tlv(0x31, &seq(&[oid(&[0x55, 0x04, 0x03]), value]))])
}

/// The certificate profile read whole at step 2 (SPEC.md 6.4, 10; findings P2, P3, P4, P8
/// and ambiguities A7, A8, A10 of the Step 12 review): each defect is `BAD_CERTIFICATE`
/// before any signature or chain check, however the rest of the binding looks.
fn strict_certificates(f: &mut FileBuilder, vendor: &TestVendor, context: &Value) -> Result<()> {
    let input = |der: &[u8]| json!({ "trust_store": "testnet", "der": h(der), "context": context });
    let chip = DeviceKey::from_seed(b"vector strict chip")?;
    let bind = |certificates: Vec<Vec<u8>>| -> Result<Vec<u8>> {
        Signed::sign(
            binding_tbs(b"SN-1", "poci-test-accel-a1", certificates)?,
            &chip,
        )?
        .to_der()
    };
    let base = template(vendor, b"SN-1", "poci-test-accel-a1")?;
    let device = issue_certificate(&base, chip.public_key(), vendor.intermediate())?;
    let with_device = |edit: &dyn Fn(&mut Vec<Vec<u8>>)| -> Result<Vec<u8>> {
        let certificate = resign(&device, &vendor.intermediate_key, |tbs| edit(tbs))?;
        bind(vec![certificate, vendor.intermediate_der.clone()])
    };
    // tbs elements: version, serial, signature, issuer, validity, subject, spki, extensions.
    f.err(
        "device subject Name with a long-form length inside it, re-signed",
        input(&with_device(&|tbs| tbs[5] = ber_name("chip"))?),
        "BAD_CERTIFICATE",
    );
    let issuer_common_name = vendor.intermediate_name.common_name.clone();
    f.err(
        "device issuer Name with a long-form length inside it, re-signed",
        input(&with_device(&|tbs| tbs[3] = ber_name(&issuer_common_name))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "an empty extensions SEQUENCE (a3 02 30 00)",
        input(&with_device(&|tbs| tbs[7] = tlv(0xa3, &seq(&[])))?),
        "BAD_CERTIFICATE",
    );
    let mut serial = vec![0x00, 0x80];
    serial.extend([0x11; 19]);
    f.ok(
        "a serial of 20 value octets after its 00 sign octet",
        input(&with_device(&|tbs| tbs[1] = tlv(0x02, &serial))?),
    );
    let mut explicit_false = base.clone();
    explicit_false.extensions.push(X509Extension {
        oid: vec![0x55, 0x1d, 0x13],
        critical: true,
        value: seq(&[tlv(0x01, &[0x00])]),
    });
    let certificate = issue_certificate(&explicit_false, chip.public_key(), vendor.intermediate())?;
    f.err(
        "basicConstraints with cA FALSE encoded (DER omits the DEFAULT)",
        input(&bind(vec![certificate, vendor.intermediate_der.clone()])?),
        "BAD_CERTIFICATE",
    );
    // A carried CA whose key is not on the curve, re-signed by the root: the device under
    // it is refused when the certificates are read, not at its signature check.
    let off_curve = resign(&vendor.intermediate_der, &vendor.root_key, |tbs| {
        let mut spki = tbs[6].clone();
        if let Some(last) = spki.last_mut() {
            *last ^= 0x01;
        }
        tbs[6] = spki;
    })?;
    f.err(
        "a carried CA key that is not a P-256 point",
        input(&bind(vec![device.clone(), off_curve])?),
        "BAD_CERTIFICATE",
    );
    // The intermediate's signature value made a SET instead of a SEQUENCE: the binding signed
    // over it, then the same mutation after the binding was signed (an unsigned mutation).
    let mut broken_signature = vendor.intermediate_der.clone();
    let outer = elements(content_of(&vendor.intermediate_der));
    let signature_at = broken_signature.len() - outer[2].len() + 3;
    broken_signature[signature_at] = 0x31;
    f.err(
        "a carried certificate whose signature value is not an Ecdsa-Sig-Value",
        input(&bind(vec![device.clone(), broken_signature.clone()])?),
        "BAD_CERTIFICATE",
    );
    let signed_first = bind(vec![device.clone(), vendor.intermediate_der.clone()])?;
    let mutated = replace_once(&signed_first, &vendor.intermediate_der, &broken_signature);
    f.err(
        "the same mutation made after the binding was signed: step 2 before step 4",
        input(&mutated),
        "BAD_CERTIFICATE",
    );
    let mut critical_unknown = base.clone();
    critical_unknown.extensions.push(X509Extension {
        oid: private_oid(2),
        critical: true,
        value: vec![0x05, 0x00],
    });
    let certificate =
        issue_certificate(&critical_unknown, chip.public_key(), vendor.intermediate())?;
    let stranger = DeviceKey::from_seed(b"vector strict stranger")?;
    let signed_by_stranger = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, vendor.intermediate_der.clone()],
        )?,
        &stranger,
    )?
    .to_der()?;
    f.err(
        "an unknown critical extension is refused at step 2, before the binding's signature",
        input(&signed_by_stranger),
        "BAD_CERTIFICATE",
    );
    Ok(())
}

/// `haystack` with the first occurrence of `needle` replaced by `replacement` (same length).
fn replace_once(haystack: &[u8], needle: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut out = haystack.to_vec();
    if let Some(at) = haystack
        .windows(needle.len())
        .position(|window| window == needle)
    {
        out[at..at + needle.len()].copy_from_slice(replacement);
    }
    out
}

/// Ambiguities A5, A6, A9, A11 of the Step 12 review, decided in SPEC.md 6.4 step 6f, 10
/// and 11, one vector each.
fn decided_revocation(
    f: &mut FileBuilder,
    vendor: &TestVendor,
    valid: &[u8],
    context: &Value,
) -> Result<()> {
    let t = params()?.slot_start_unix(EPOCH, SLOT)?;
    let store_with_crl = |f: &mut FileBuilder, name: &str, crl: Vec<u8>| -> Result<()> {
        f.trust_store(
            name,
            store_spec(
                true,
                "deny",
                vendor_a_manifest(),
                vec![vendor_a_roots(vendor, &[vendor.root_crl_der.clone(), crl])?],
            ),
        );
        Ok(())
    };
    let input = |store: &str| json!({ "trust_store": store, "der": h(valid), "context": context });
    // A5: a CRL is current only while t < nextUpdate.
    store_with_crl(
        f,
        "crl-next-update-at-t",
        mint_crl(vendor.intermediate(), TEST_NOT_BEFORE, t, 2, &[])?,
    )?;
    store_with_crl(
        f,
        "crl-next-update-after-t",
        mint_crl(vendor.intermediate(), TEST_NOT_BEFORE, t + 1, 2, &[])?,
    )?;
    f.err(
        "the intermediate's CRL has nextUpdate exactly at the slot's start",
        input("crl-next-update-at-t"),
        "CRL_EXPIRED",
    );
    f.ok(
        "the intermediate's CRL has nextUpdate one second after the slot's start",
        input("crl-next-update-after-t"),
    );
    // A6: a v2 CRL without extensions serves; an issuingDistributionPoint is refused.
    let plain = resign(
        &vendor.intermediate_crl_der,
        &vendor.intermediate_key,
        |tbs| {
            tbs.retain(|element| element.first() != Some(&0xa0));
        },
    )?;
    f.group("trust_material_decided", "trust_store");
    let store_input = |spec: Value| json!({ "trust_store": spec });
    f.err(
        "a v2 CRL without extensions (RFC 5280 5.2 requires them)",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), plain],
            )?],
        )),
        "BAD_CRL",
    );
    let partitioned = resign(
        &vendor.intermediate_crl_der,
        &vendor.intermediate_key,
        |tbs| {
            if let Some(extensions) = tbs
                .iter_mut()
                .find(|element| element.first() == Some(&0xa0))
            {
                let mut list = elements(content_of(content_of(extensions)));
                // issuingDistributionPoint { onlyContainsUserCerts TRUE }
                list.push(seq(&[
                    oid(&[0x55, 0x1d, 0x1c]),
                    octets(&seq(&[tlv(0x81, &[0xff])])),
                ]));
                *extensions = tlv(0xa0, &seq(&list));
            }
        },
    )?;
    f.err(
        "a CRL with an issuingDistributionPoint (onlyContainsUserCerts)",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), partitioned],
            )?],
        )),
        "BAD_CRL",
    );
    // A11: no roots; a root that is not a certificate.
    f.err(
        "a vendor entry with no roots",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry("poci-test-a", "vendor", &[], &[])],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "a root that does not parse as a certificate",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&[0x30, 0x03, 0x02, 0x01, 0x01])?],
                &[],
            )],
        )),
        "BAD_CERTIFICATE",
    );
    // A9: an issuer whose keyUsage lacks cRLSign cannot sign the CRL that would speak.
    f.group("revocation_decided", "verify_binding");
    let no_crl_sign = reissued_intermediate(
        vendor,
        vec![
            X509Extension::ca(Some(0))?,
            X509Extension::key_usage(KU_KEY_CERT_SIGN_BIT)?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(vendor.root_key.public_key())?,
        ],
    )?;
    let parsed = poci::ChipBinding::from_der(valid)?;
    let mut tbs = parsed.tbs.clone();
    tbs.certificates[1] = no_crl_sign;
    // The key of the bindings file's valid chip (`mint_chip` derives it from its seed).
    let chip = DeviceKey::from_seed(b"vector binding chip")?;
    let rebuilt = Signed::sign(tbs, &chip)?.to_der()?;
    f.err(
        "the intermediate's keyUsage lacks cRLSign, and its CRL is the one that speaks",
        json!({ "trust_store": "testnet", "der": h(&rebuilt), "context": context }),
        "BAD_CRL",
    );
    Ok(())
}

/// keyUsage keyCertSign alone, as `X509Extension::key_usage` takes it (first octet bits).
const KU_KEY_CERT_SIGN_BIT: u8 = 0x04;

/// Certificates, CRLs and bindings built to fool the verifier (SECURITY.md): each must be
/// refused with its code.
fn adversarial_bindings(
    f: &mut FileBuilder,
    vendor: &TestVendor,
    valid: &[u8],
    context: &Value,
) -> Result<()> {
    let input = |store: &str, der: &[u8]| json!({ "trust_store": store, "der": h(der), "context": context });
    let chip = DeviceKey::from_seed(b"vector adversarial chip")?;
    let bind = |certificates: Vec<Vec<u8>>, key: &DeviceKey| -> Result<Vec<u8>> {
        Signed::sign(
            binding_tbs(b"SN-1", "poci-test-accel-a1", certificates)?,
            key,
        )?
        .to_der()
    };
    let under_intermediate = |template: &CertificateTemplate| -> Result<Vec<u8>> {
        let certificate = issue_certificate(template, chip.public_key(), vendor.intermediate())?;
        bind(vec![certificate, vendor.intermediate_der.clone()], &chip)
    };
    let base = template(vendor, b"SN-1", "poci-test-accel-a1")?;
    let base_certificate = issue_certificate(&base, chip.public_key(), vendor.intermediate())?;
    let resigned = |edit: &dyn Fn(&mut Vec<Vec<u8>>)| -> Result<Vec<u8>> {
        let certificate = resign(&base_certificate, &vendor.intermediate_key, |tbs| edit(tbs))?;
        bind(vec![certificate, vendor.intermediate_der.clone()], &chip)
    };
    f.group("adversarial", "verify_binding");

    // The certificate profile (SPEC.md 10).
    let mut twice = base.clone();
    twice.extensions.push(X509Extension::key_usage_device()?);
    f.err(
        "device certificate with keyUsage twice",
        input("testnet", &under_intermediate(&twice)?),
        "BAD_CERTIFICATE",
    );
    let mut critical_unknown = base.clone();
    critical_unknown.extensions.push(X509Extension {
        oid: private_oid(1),
        critical: true,
        value: vec![0x05, 0x00],
    });
    f.err(
        "device certificate with an unknown critical extension",
        input("testnet", &under_intermediate(&critical_unknown)?),
        "BAD_CERTIFICATE",
    );
    let mut critical_identity = base.clone();
    critical_identity.extensions[2].critical = true;
    f.err(
        "chip identity extension marked critical",
        input("testnet", &under_intermediate(&critical_identity)?),
        "BAD_CERTIFICATE",
    );
    let mut crowded = base.clone();
    let room = poci::limits::MAX_CERTIFICATE_EXTENSIONS - crowded.extensions.len();
    for n in 0..=room {
        crowded.extensions.push(X509Extension {
            oid: private_oid(10 + n as u8),
            critical: false,
            value: vec![0x05, 0x00],
        });
    }
    f.err(
        "one extension more than MAX_CERTIFICATE_EXTENSIONS",
        input("testnet", &under_intermediate(&crowded)?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "negative serial number",
        input("testnet", &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x9c]))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "serial number of 21 octets",
        input(
            "testnet",
            &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x01; 21]))?,
        ),
        "BAD_CERTIFICATE",
    );
    f.err(
        "serial number zero",
        input("testnet", &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x00]))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "issuer unique identifier",
        input(
            "testnet",
            &resigned(&|tbs| tbs.insert(7, tlv(0x81, &[0x00, 0x01])))?,
        ),
        "BAD_CERTIFICATE",
    );
    f.err(
        "notAfter before notBefore",
        input(
            "testnet",
            &resigned(&|tbs| {
                let times = elements(content_of(&tbs[4]));
                tbs[4] = seq(&[times[1].clone(), times[0].clone()]);
            })?,
        ),
        "BAD_CERTIFICATE",
    );
    // ecdsa-with-SHA384 in the signed part.
    let sha384 = seq(&[oid(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03])]);
    f.err(
        "signature algorithm other than ecdsa-with-SHA256",
        input("testnet", &resigned(&|tbs| tbs[2] = sha384.clone())?),
        "BAD_CERTIFICATE",
    );
    // Built by hand: the library will not encode it.
    let oversized = tlv(0x30, &vec![0u8; poci::limits::MAX_CERTIFICATE_LEN]);
    let with_oversized = hand_built_binding(&chip, seq(&[oversized]))?;
    f.err(
        "a carried certificate longer than MAX_CERTIFICATE_LEN",
        input("testnet", &with_oversized),
        "FIELD_TOO_LONG",
    );

    // The chain: path validation (SPEC.md 6.4 step 6).
    let ca_extensions = |issuer: &DeviceKey| -> Result<Vec<X509Extension>> {
        Ok(vec![
            X509Extension::ca(Some(0))?,
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(issuer.public_key())?,
        ])
    };
    let dns_constrained = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        // permittedSubtrees: dNSName chips.poci-test-a.example
        let subtree = seq(&[tlv(0x82, b"chips.poci-test-a.example")]);
        extensions.push(X509Extension {
            oid: vec![0x55, 0x1d, 0x1e],
            critical: true,
            value: seq(&[tlv(0xa0, &subtree)]),
        });
        reissued_intermediate(vendor, extensions)?
    };
    let mut named = base.clone();
    named.extensions.push(X509Extension {
        oid: vec![0x55, 0x1d, 0x11],
        critical: false,
        value: seq(&[tlv(0x82, b"chip.elsewhere.example")]),
    });
    let named_certificate = issue_certificate(&named, chip.public_key(), vendor.intermediate())?;
    f.err(
        "device name outside the intermediate's DNS name constraints",
        input(
            "testnet",
            &bind(vec![named_certificate, dns_constrained], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let directory_constrained = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        let subtree = seq(&[tlv(0xa4, &vendor.intermediate_name.to_der()?)]);
        extensions.push(X509Extension {
            oid: vec![0x55, 0x1d, 0x1e],
            critical: true,
            value: seq(&[tlv(0xa0, &subtree)]),
        });
        reissued_intermediate(vendor, extensions)?
    };
    f.err(
        "directoryName name constraints (not evaluated: refused whole)",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), directory_constrained], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let sub_key = DeviceKey::from_seed(b"vector sub CA")?;
    let sub_name = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Rogue Sub CA".into(),
    };
    let sub_ca = issue_certificate(
        &CertificateTemplate {
            serial: 13,
            subject: sub_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![
                X509Extension::ca(None)?,
                X509Extension::key_usage_ca()?,
                X509Extension::subject_key_identifier(sub_key.public_key())?,
                X509Extension::authority_key_identifier(vendor.intermediate_key.public_key())?,
            ],
        },
        sub_key.public_key(),
        vendor.intermediate(),
    )?;
    let mut below = base.clone();
    below.extensions = device_extensions(
        sub_key.public_key(),
        &identity("poci-test-accel-a1", b"SN-1"),
    )?;
    let below_sub = issue_certificate(
        &below,
        chip.public_key(),
        Issuer {
            name: &sub_name,
            key: &sub_key,
        },
    )?;
    f.err(
        "a CA below the pathLen 0 intermediate",
        input(
            "no-crls-allowed",
            &bind(
                vec![below_sub, sub_ca, vendor.intermediate_der.clone()],
                &chip,
            )?,
        ),
        "BAD_CERTIFICATE",
    );
    let not_a_ca = reissued_intermediate(
        vendor,
        vec![
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(vendor.root_key.public_key())?,
        ],
    )?;
    f.err(
        "intermediate without CA basic constraints",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), not_a_ca], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let server_only = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        extensions.push(X509Extension::ext_key_usage(&[&[
            0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
        ]])?);
        reissued_intermediate(vendor, extensions)?
    };
    f.err(
        "intermediate whose EKU lacks device attestation",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), server_only], &chip)?,
        ),
        "WRONG_KEY_USAGE",
    );
    f.err(
        "the vendor root carried as the device certificate",
        input(
            "testnet",
            &bind(vec![vendor.root_der.clone()], &vendor.root_key)?,
        ),
        "BAD_CERTIFICATE",
    );

    // Revocation material that lies.
    let root_revokes_intermediate = mint_crl(
        vendor.root(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[2],
    )?;
    f.trust_store(
        "intermediate-revoked",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[
                    root_revokes_intermediate,
                    vendor.intermediate_crl_der.clone(),
                ],
            )?],
        ),
    );
    f.err(
        "the intermediate is on its root's CRL",
        input("intermediate-revoked", valid),
        "CERT_REVOKED",
    );
    let forger = DeviceKey::from_seed(b"vector CRL forger")?;
    let forged_crl = mint_crl(
        Issuer {
            name: &vendor.intermediate_name,
            key: &forger,
        },
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[],
    )?;
    f.trust_store(
        "forged-crl",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), forged_crl],
            )?],
        ),
    );
    f.err(
        "the intermediate's CRL is signed by another key",
        input("forged-crl", valid),
        "CERT_SIGNATURE_INVALID",
    );

    // Three intermediates sharing one name, carried with a device of that name's issuer:
    // path building could try each ordering. A binding carries exactly its path, so this
    // is refused before any signature check (SPEC.md 6.4 step 6a).
    let maze = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Maze".into(),
    };
    let ca = |key: &DeviceKey, issuer: &DeviceKey, serial: u64| -> Result<Vec<u8>> {
        issue_certificate(
            &CertificateTemplate {
                serial,
                subject: maze.clone(),
                not_before: TEST_NOT_BEFORE,
                not_after: TEST_DEVICE_NOT_AFTER,
                extensions: vec![
                    X509Extension::ca(None)?,
                    X509Extension::key_usage_ca()?,
                    X509Extension::subject_key_identifier(key.public_key())?,
                    X509Extension::authority_key_identifier(issuer.public_key())?,
                ],
            },
            key.public_key(),
            Issuer {
                name: &maze,
                key: issuer,
            },
        )
    };
    let stranger = DeviceKey::from_seed(b"maze stranger")?;
    let mut maze_chain = vec![];
    let mut maze_device = base.clone();
    maze_device.extensions = device_extensions(
        stranger.public_key(),
        &identity("poci-test-accel-a1", b"SN-1"),
    )?;
    maze_chain.push(issue_certificate(
        &maze_device,
        chip.public_key(),
        Issuer {
            name: &maze,
            key: &stranger,
        },
    )?);
    for n in 0..3u8 {
        maze_chain.push(ca(
            &DeviceKey::from_seed(&[b'm', b'i', n])?,
            &stranger,
            200 + u64::from(n),
        )?);
    }
    f.err(
        "a chain built to make path building expensive",
        input("testnet", &bind(maze_chain, &chip)?),
        "CHAIN_NOT_A_PATH",
    );

    // The binding itself.
    let parsed = poci::ChipBinding::from_der(valid)?;
    let mut twin = parsed.clone();
    twin.signature = EcdsaSignature::from_der(&parsed.signature)?.twin().to_der();
    f.err(
        "the high-S twin of a valid binding",
        input("testnet", &twin.to_der()?),
        "SIGNATURE_HIGH_S",
    );
    let mut other = context.clone();
    other["params"]["network_id"] = json!("poci-othernet");
    f.err(
        "a binding for another network",
        json!({ "trust_store": "testnet", "der": h(valid), "context": other }),
        "WRONG_NETWORK",
    );
    let mut later = context.clone();
    later["slot"] = json!(SLOT + 1);
    f.err(
        "a binding replayed in a later slot",
        json!({ "trust_store": "testnet", "der": h(valid), "context": later }),
        "WRONG_SLOT",
    );
    let mut fresh = context.clone();
    fresh["challenge"] = json!(h(&challenge_at(EPOCH, SLOT + 1)?));
    f.err(
        "a binding that answers another challenge",
        json!({ "trust_store": "testnet", "der": h(valid), "context": fresh }),
        "CHALLENGE_MISMATCH",
    );
    Ok(())
}

// ---- registry -----------------------------------------------------------------------

fn registry() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "registry",
        "Chip-model registry, ratings and digests (SPEC.md 12, 13)",
    );
    f.group("digest", "registry");
    let real = manifests_json(VENDOR_MANIFESTS);
    f.ok("the default registry", json!({ "manifests": real }));
    let mut reversed: Vec<ManifestSource<'static>> = VENDOR_MANIFESTS.to_vec();
    reversed.reverse();
    f.ok(
        "the same manifests in reverse order: same digest",
        json!({ "manifests": manifests_json(&reversed) }),
    );
    let nvidia = VENDOR_MANIFESTS
        .iter()
        .find(|m| m.file.contains("nvidia"))
        .map(|m| m.toml)
        .unwrap_or_default();
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
    let thief = TEST_VENDOR_MANIFESTS[0]
        .toml
        .replace("poci-test-accel-a1", "nvidia-t4");
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

// ---- emission -----------------------------------------------------------------------

fn emission() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "emission",
        "Emission schedules at their boundaries (SPEC.md 15.1)",
    );
    let halving = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1000,
        epochs_per_era: 10,
        cap: 1_000_000,
    });
    let big = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 50 * poci::rewards::emission::BASE_UNITS_PER_TOKEN,
        epochs_per_era: 17_520,
        cap: 21_000_000 * poci::rewards::emission::BASE_UNITS_PER_TOKEN,
    });
    let capped = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1000,
        epochs_per_era: u64::MAX,
        cap: 10_500,
    });
    let tiered = EmissionSchedule::TieredDecay(TieredDecaySchedule {
        blocks_per_epoch: 10,
        tiers: vec![
            RewardTier {
                start_block: 0,
                reward_per_block: 100,
            },
            RewardTier {
                start_block: 10,
                reward_per_block: 75,
            },
            RewardTier {
                start_block: 20,
                reward_per_block: 50,
            },
            RewardTier {
                start_block: 30,
                reward_per_block: 30,
            },
        ],
        decay: RewardDecay {
            start_block: 40,
            period_blocks: 5,
            rate_num: 1,
            rate_den: 2,
            floor_per_block: 10,
        },
        cap: 1_000_000,
    });
    let published = EmissionSchedule::TieredDecay(TieredDecaySchedule::published(
        120,
        [1_051_200, 2_102_400, 3_153_600],
        RewardDecay {
            start_block: 4_204_800,
            period_blocks: 1_051_200,
            rate_num: 9,
            rate_den: 10,
            floor_per_block: poci::rewards::emission::BASE_UNITS_PER_TOKEN,
        },
        10_000_000_000 * poci::rewards::emission::BASE_UNITS_PER_TOKEN,
    ));
    let inflation = EmissionSchedule::Inflation(InflationSchedule {
        initial_supply: 1_000_000,
        bps_per_year: 500,
        epochs_per_year: 4,
        cap: 1_100_000,
    });
    // Ambiguity A14 of the Step 12 review: within a year the supply is interpolated even
    // when the next year's supply would pass 2^128 - 1; only C(t) is capped (SPEC.md 15.1).
    let inflation_overflow = EmissionSchedule::Inflation(InflationSchedule {
        initial_supply: 255_211_775_190_703_847_597_530_955_573_826_158_592,
        bps_per_year: 10_000,
        epochs_per_year: 4,
        cap: u128::MAX,
    });
    // The last epoch: supply_after is C(2^64), one past what u64 holds (SPEC.md 15.6).
    let last = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1000,
        epochs_per_era: u64::MAX,
        cap: u128::MAX,
    });
    let input = |schedule: &EmissionSchedule, epoch: u64| -> Result<Value> {
        Ok(json!({ "schedule": serde_json::to_value(schedule)?, "epoch": epoch.to_string() }))
    };
    for (name, schedule, epochs) in [
        (
            "halving",
            &halving,
            vec![
                0,
                9,
                10,
                11,
                19,
                20,
                25,
                1279,
                1280,
                1 << 32,
                1 << 63,
                u64::MAX,
            ],
        ),
        (
            "halving_tokens",
            &big,
            vec![0, 17_519, 17_520, 35_040, 1 << 32],
        ),
        ("cap", &capped, vec![9, 10, 11, (1 << 63) - 1]),
        (
            "tiered",
            &tiered,
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 1 << 32, u64::MAX],
        ),
        (
            "published_tiers",
            &published,
            vec![
                0,
                8_759,
                8_760,
                17_520,
                26_280,
                35_040,
                35_041,
                43_800,
                1 << 40,
            ],
        ),
        ("inflation", &inflation, vec![0, 3, 4, 5, 7, 8, 1 << 32]),
        ("last_epoch", &last, vec![u64::MAX - 1, u64::MAX]),
        ("inflation_overflow", &inflation_overflow, vec![0, 1, 2]),
    ] {
        f.group(name, "emission");
        for epoch in epochs {
            f.ok(&format!("epoch {epoch}"), input(schedule, epoch)?);
        }
    }
    f.group("invalid", "emission");
    let zero_era = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1,
        epochs_per_era: 0,
        cap: 1,
    });
    f.err(
        "era of zero epochs",
        input(&zero_era, 0)?,
        "INVALID_SCHEDULE",
    );
    let EmissionSchedule::TieredDecay(mut slow) = tiered.clone() else {
        return Ok(f.finish());
    };
    slow.decay.rate_num = 2047;
    slow.decay.rate_den = 2048;
    f.err(
        "decay slower than 1023/1024 a step",
        input(&EmissionSchedule::TieredDecay(slow), 0)?,
        "INVALID_SCHEDULE",
    );
    let above = EmissionSchedule::Inflation(InflationSchedule {
        initial_supply: 2,
        bps_per_year: 1,
        epochs_per_year: 1,
        cap: 1,
    });
    f.err(
        "initial supply above the cap",
        input(&above, 0)?,
        "INVALID_SCHEDULE",
    );
    Ok(f.finish())
}

// ---- rewards ------------------------------------------------------------------------

fn rewards() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "rewards",
        "Pools, allocation, lease settlement and producer selection (SPEC.md 15.2-15.5)",
    );
    f.group("pools", "pools");
    let split = |split: &PoolSplit, emission: u128| -> Result<Value> {
        Ok(json!({ "split": serde_json::to_value(split)?, "emission": emission.to_string() }))
    };
    let default = PoolSplit::default();
    for emission in [0, 1, 99, 100, 1_000_003, u128::MAX] {
        f.ok(
            &format!("default split of {emission}"),
            split(&default, emission)?,
        );
    }
    let treasury = PoolSplit {
        miners_bps: 9_000,
        pools: vec![NamedPool {
            name: "treasury".into(),
            bps: 1_000,
        }],
    };
    f.ok(
        "90/10 treasury split (the deployed first-network node)",
        split(&treasury, 123_456_789)?,
    );
    let short = PoolSplit {
        miners_bps: 9_600,
        ..PoolSplit::default()
    };
    f.err(
        "shares summing to 9900 bps",
        split(&short, 1)?,
        "INVALID_POOLS",
    );

    f.group("allocate", "allocate");
    let key = |n: u8| h(&[n; 32]);
    let entry = |n: u8, rating: u64, slots: u32| json!({ "key_id": key(n), "wallet": h(&[b'w', n]), "rating_milli_cu": rating.to_string(), "proven_slots": slots });
    let policy =
        |threshold: u32| json!({ "slots_per_epoch": 120, "min_availability_bps": threshold });
    let alloc = |pool: u128, entries: Vec<Value>, threshold: u32| json!({ "pool": pool.to_string(), "entries": entries, "policy": policy(threshold) });
    f.ok(
        "worked example: weights 3, 3, 1 of 1000",
        alloc(
            1000,
            vec![entry(3, 1, 1), entry(1, 3, 1), entry(2, 3, 1)],
            0,
        ),
    );
    f.ok(
        "seven equal weights share 100: ties to the smaller key ids",
        alloc(100, (0..7).map(|n| entry(n, 10, 120)).collect(), 0),
    );
    f.ok("no chips: all unallocated", alloc(777, vec![], 0));
    f.ok(
        "a single chip takes the pool",
        alloc(777, vec![entry(1, 5, 3)], 0),
    );
    f.ok(
        "90% availability threshold, one chip just under",
        alloc(1000, vec![entry(1, 1, 108), entry(2, 1, 107)], 9_000),
    );
    f.ok(
        "nobody eligible: all unallocated",
        alloc(1000, vec![entry(2, 1, 107)], 9_000),
    );
    // Ambiguities A12, A13 of the Step 12 review (SPEC.md 15.3).
    f.err(
        "a threshold above 10000 bps with a duplicate entry: the policy first",
        alloc(1000, vec![entry(1, 1, 1), entry(1, 1, 1)], 10_001),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "no slots in the epoch, no entries",
        json!({ "pool": "1000", "entries": [], "policy": { "slots_per_epoch": 0, "min_availability_bps": 0 } }),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "a duplicate entry before an entry out of bounds",
        alloc(
            1000,
            vec![entry(1, 1, 1), entry(1, 1, 1), entry(2, (1 << 40) + 1, 1)],
            0,
        ),
        "DUPLICATE_ALLOCATION_ENTRY",
    );
    f.ok(
        "the wallets list holds only wallets paid more than 0",
        alloc(
            1000,
            vec![
                entry(1, 1, 1),
                entry(2, 1, 1),
                entry(3, 0, 1),
                entry(4, 5, 0),
            ],
            0,
        ),
    );
    f.ok(
        "real ratings: H100, RTX 4090, BM1684",
        alloc(
            970_000_000_000_000_000_000_000_000,
            vec![
                entry(1, 989_500, 120),
                entry(2, 165_200, 120),
                entry(3, 8_800, 60),
            ],
            0,
        ),
    );
    f.ok(
        "documented maxima with the largest pool",
        alloc(
            u128::MAX,
            (0..16).map(|n| entry(n, 1 << 40, 120)).collect(),
            0,
        ),
    );
    f.err(
        "the same chip and wallet twice",
        alloc(1, vec![entry(1, 1, 1), entry(1, 2, 2)], 0),
        "DUPLICATE_ALLOCATION_ENTRY",
    );
    f.err(
        "rating above 2^40",
        alloc(1, vec![entry(1, (1 << 40) + 1, 1)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "more slots than the epoch has",
        alloc(1, vec![entry(1, 1, 121)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );

    f.group("lease", "settle_lease");
    let lease = |price: u128, slots: u128, proven: u128| json!({ "price": price.to_string(), "lease_slots": slots.to_string(), "proven_slots": proven.to_string() });
    f.ok("worked example: 2 of 3 slots", lease(1000, 3, 2));
    f.ok(
        "fully available",
        lease(5_000_000_000_000_000_000_000_000, 1200, 1200),
    );
    f.ok(
        "never available: full refund",
        lease(5_000_000_000_000_000_000_000_000, 1200, 0),
    );
    f.ok("largest price", lease(u128::MAX, 7, 3));
    f.err(
        "more proven slots than the lease has",
        lease(1, 3, 4),
        "LEASE_OUT_OF_BOUNDS",
    );
    f.err("a lease of no slots", lease(1, 0, 0), "LEASE_OUT_OF_BOUNDS");

    f.group("producer", "select_producer");
    let candidates = |weights: &[(u8, u128)]| -> Value {
        Value::Array(
            weights
                .iter()
                .map(|(n, w)| json!({ "key_id": key(*n), "weight": w.to_string() }))
                .collect(),
        )
    };
    for beacon in 0u8..8 {
        f.ok(&format!("weights 1, 2, 7, beacon {beacon:02x}.."), json!({ "beacon": h(&[beacon; 32]), "candidates": candidates(&[(1, 1), (2, 2), (3, 7)]) }));
    }
    f.ok(
        "candidates in another order: same winner",
        json!({ "beacon": h(&[5; 32]), "candidates": candidates(&[(3, 7), (1, 1), (2, 2)]) }),
    );
    f.ok(
        "no weight: no producer",
        json!({ "beacon": h(&[1; 32]), "candidates": candidates(&[(1, 0)]) }),
    );
    f.ok(
        "a weight near 2^127 forces rejection sampling",
        json!({ "beacon": h(&[9; 32]), "candidates": candidates(&[(1, (1 << 127) + 1), (2, 3)]) }),
    );
    f.ok(
        "a key id listed twice counts as one summed weight",
        json!({ "beacon": h(&[5; 32]), "candidates": candidates(&[(1, 1), (1, 1), (2, 2)]) }),
    );
    f.err(
        "weights summing beyond u128",
        json!({ "beacon": h(&[1; 32]), "candidates": candidates(&[(1, u128::MAX), (2, 1)]) }),
        "AMOUNT_OVERFLOW",
    );
    Ok(f.finish())
}

// ---- ledger -------------------------------------------------------------------------

fn ledger() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "ledger",
        "The chip ledger: claims, re-binds, equivocation, heartbeats, epoch close (SPEC.md 14)",
    );
    f.trust_store(
        "testnet",
        store_spec(true, "deny", all_manifests(), testnet_roots()),
    );
    let vendor = vendor_a()?;
    let (chip, certificate) = vendor.mint_chip(
        b"ledger chip",
        &identity("poci-test-accel-a1", b"SN-L"),
        100,
    )?;
    let bind_at = |counter: u64, wallet: &[u8], epoch: u64, slot: u32| -> Result<Value> {
        let mut tbs = binding_tbs(
            b"SN-L",
            "poci-test-accel-a1",
            vec![certificate.clone(), vendor.intermediate_der.clone()],
        )?;
        tbs.binding_counter = counter;
        tbs.wallet = wallet.to_vec();
        tbs.epoch = epoch;
        tbs.slot = slot;
        tbs.challenge = challenge_at(epoch, slot)?;
        let der = Signed::sign(tbs, &chip)?.to_der()?;
        Ok(
            json!({ "op": "bind", "der": h(&der), "epoch": epoch.to_string(), "slot": slot, "challenge": h(&challenge_at(epoch, slot)?), "wallet": h(wallet) }),
        )
    };
    let bind = |counter: u64, wallet: &[u8]| bind_at(counter, wallet, EPOCH, SLOT);
    let beat = |key: &DeviceKey,
                epoch: u64,
                slot: u32,
                counter: u64,
                wallet: &[u8]|
     -> Result<Value> {
        let tbs = HeartbeatTbs {
            network_id: NETWORK.into(),
            chip_key_id: *key.key_id(),
            wallet: wallet.to_vec(),
            epoch,
            slot,
            challenge: challenge_at(epoch, slot)?,
            counter,
            measurement: None,
        };
        let der = Signed::sign(tbs, key)?.to_der()?;
        Ok(
            json!({ "op": "heartbeat", "der": h(&der), "epoch": epoch.to_string(), "slot": slot, "challenge": h(&challenge_at(epoch, slot)?) }),
        )
    };
    let close = |epoch: u64| json!({ "op": "close", "epoch": epoch.to_string() });
    let case = |setup: Vec<Value>, step: Value| -> Result<Value> {
        Ok(
            json!({ "trust_store": "testnet", "params": params_json()?, "setup": setup, "step": step }),
        )
    };
    f.group("bindings", "ledger");
    f.ok("claim", case(vec![], bind(1, b"alice")?)?);
    f.ok(
        "the same binding again changes nothing",
        case(vec![bind(1, b"alice")?], bind(1, b"alice")?)?,
    );
    f.ok(
        "sold: a higher counter re-binds",
        case(vec![bind(1, b"alice")?], bind(2, b"bob")?)?,
    );
    f.ok(
        "equivocation: same counter, other wallet",
        case(vec![bind(2, b"bob")?], bind(2, b"carol")?)?,
    );
    f.err(
        "the old owner replays a lower counter",
        case(
            vec![bind(1, b"alice")?, bind(2, b"bob")?],
            bind(1, b"alice")?,
        )?,
        "COUNTER_REPLAY",
    );
    f.group("heartbeats", "ledger");
    f.ok(
        "a heartbeat is recorded",
        case(vec![bind(1, b"alice")?], beat(&chip, 8, 0, 1, b"alice")?)?,
    );
    f.err(
        "replayed counter",
        case(
            vec![bind(1, b"alice")?, beat(&chip, 8, 0, 5, b"alice")?],
            beat(&chip, 8, 1, 5, b"alice")?,
        )?,
        "COUNTER_REPLAY",
    );
    f.err(
        "second heartbeat for one slot",
        case(
            vec![bind(1, b"alice")?, beat(&chip, 8, 3, 1, b"alice")?],
            beat(&chip, 8, 3, 2, b"alice")?,
        )?,
        "SLOT_ALREADY_PROVEN",
    );
    f.err(
        "a slot before the last proven",
        case(
            vec![bind(1, b"alice")?, beat(&chip, 8, 3, 1, b"alice")?],
            beat(&chip, 8, 2, 2, b"alice")?,
        )?,
        "SLOT_ALREADY_PROVEN",
    );
    let stranger = DeviceKey::from_seed(b"never bound")?;
    f.err(
        "a chip never bound",
        case(
            vec![bind(1, b"alice")?],
            beat(&stranger, 8, 0, 1, b"alice")?,
        )?,
        "UNKNOWN_CHIP",
    );
    f.err(
        "the previous owner's wallet after a sale",
        case(
            vec![bind(1, b"alice")?, bind(2, b"bob")?],
            beat(&chip, 8, 0, 1, b"alice")?,
        )?,
        "WALLET_MISMATCH",
    );
    f.err(
        "an epoch already closed",
        case(
            vec![bind(1, b"alice")?, close(8)],
            beat(&chip, 8, 0, 1, b"alice")?,
        )?,
        "EPOCH_CLOSED",
    );
    f.err(
        "a heartbeat after the device certificate expired",
        case(
            vec![bind(1, b"alice")?],
            beat(&chip, 52_608, 0, 1, b"alice")?,
        )?,
        "CERT_EXPIRED",
    );
    f.group("races", "ledger");
    f.ok(
        "two sales at one counter: the first to land keeps the chip, the second is evidence",
        case(
            vec![bind(1, b"alice")?, bind(2, b"bob")?],
            bind(2, b"carol")?,
        )?,
    );
    f.err(
        "sales landing out of order: the older one after the newer",
        case(
            vec![bind(1, b"alice")?, bind(3, b"carol")?],
            bind(2, b"bob")?,
        )?,
        "COUNTER_REPLAY",
    );
    f.err(
        "the buyer's heartbeat before the re-bind lands",
        case(vec![bind(1, b"alice")?], beat(&chip, 8, 0, 1, b"bob")?)?,
        "WALLET_MISMATCH",
    );
    // A chain may carry certificates its path does not use. A verifier that remembered the
    // first carried CA as an anchor would accept chips its owner then mints under it.
    f.trust_store(
        "testnet-unknown-revocation-allowed",
        store_spec(true, "allow", all_manifests(), testnet_roots()),
    );
    let forger = DeviceKey::from_seed(b"ledger forger CA")?;
    let forged_name = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Forged CA".into(),
    };
    let forged_issuer = Issuer {
        name: &forged_name,
        key: &forger,
    };
    let forged_ca = issue_certificate(
        &CertificateTemplate {
            serial: 66,
            subject: forged_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![X509Extension::ca(Some(0))?, X509Extension::key_usage_ca()?],
        },
        forger.public_key(),
        forged_issuer,
    )?;
    let (decoy_chip, decoy_certificate) = vendor.mint_chip(
        b"ledger decoy chip",
        &identity("poci-test-accel-a1", b"SN-D"),
        101,
    )?;
    let decoy = Signed::sign(
        binding_tbs(
            b"SN-D",
            "poci-test-accel-a1",
            vec![
                decoy_certificate,
                forged_ca.clone(),
                vendor.intermediate_der.clone(),
            ],
        )?,
        &decoy_chip,
    )?
    .to_der()?;
    let minted = DeviceKey::from_seed(b"ledger minted chip")?;
    let minted_certificate = mint_device_certificate(
        forged_issuer,
        minted.public_key(),
        &identity("poci-test-accel-a1", b"SN-M"),
        7,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )?;
    let minted_binding = Signed::sign(
        binding_tbs(
            b"SN-M",
            "poci-test-accel-a1",
            vec![minted_certificate, forged_ca],
        )?,
        &minted,
    )?
    .to_der()?;
    let raw_bind = |der: &[u8]| -> Result<Value> {
        Ok(
            json!({ "op": "bind", "der": h(der), "epoch": "7", "slot": SLOT, "challenge": h(&challenge()?), "wallet": h(WALLET) }),
        )
    };
    f.err(
        "a genuine chain carrying a CA off its path is not a path",
        json!({ "trust_store": "testnet-unknown-revocation-allowed", "params": params_json()?, "setup": [], "step": raw_bind(&decoy)? }),
        "CHAIN_NOT_A_PATH",
    );
    f.err(
        "a chip minted under that CA has no anchor",
        json!({ "trust_store": "testnet-unknown-revocation-allowed", "params": params_json()?, "setup": [], "step": raw_bind(&minted_binding)? }),
        "UNKNOWN_ISSUER",
    );
    // Nobody is credited for a slot before their binding's slot; no binding for an earlier
    // slot replaces the binding in force (SPEC.md 14).
    let mut sold_at_10 = vec![bind(1, b"alice")?];
    for slot in 0..=8u32 {
        sold_at_10.push(beat(&chip, 8, slot, u64::from(slot) + 1, b"alice")?);
    }
    sold_at_10.push(bind_at(2, b"bob", 8, 10)?);
    f.err(
        "the buyer's heartbeat for a slot before the sale",
        case(sold_at_10.clone(), beat(&chip, 8, 9, 20, b"bob")?)?,
        "SLOT_BEFORE_BINDING",
    );
    f.err(
        "the seller's take-back: the highest counter for a slot before the sale",
        case(sold_at_10.clone(), bind_at(u64::MAX, b"alice", 8, 9)?)?,
        "SLOT_BEFORE_BINDING",
    );
    f.ok(
        "the buyer's heartbeat in the sale's own slot",
        case(sold_at_10, beat(&chip, 8, 10, 20, b"bob")?)?,
    );
    f.err(
        "a chip claimed in slot 50 proves slot 20",
        case(
            vec![bind_at(1, b"alice", 8, 50)?],
            beat(&chip, 8, 20, 1, b"alice")?,
        )?,
        "SLOT_BEFORE_BINDING",
    );
    f.err(
        "a re-binding for a slot before the last proven one",
        case(
            vec![bind(1, b"alice")?, beat(&chip, 8, 5, 1, b"alice")?],
            bind_at(2, b"bob", 8, 4)?,
        )?,
        "SLOT_BEFORE_BINDING",
    );
    f.group("close", "ledger");
    let mut setup = vec![bind(1, b"alice")?];
    for slot in 0..4u32 {
        setup.push(beat(&chip, 8, slot, u64::from(slot) + 1, b"alice")?);
    }
    setup.push(bind_at(2, b"bob", 8, 4)?);
    for slot in 4..6u32 {
        setup.push(beat(&chip, 8, slot, u64::from(slot) + 1, b"bob")?);
    }
    f.ok(
        "slots follow the wallet that held the chip",
        case(setup, close(8))?,
    );
    f.err(
        "closing twice",
        case(vec![close(8)], close(8))?,
        "EPOCH_CLOSED",
    );
    Ok(f.finish())
}
