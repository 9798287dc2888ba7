//! The `heartbeats` vector file (conformance/vectors/heartbeats.json) and its builders.

use super::*;

pub(super) fn heartbeats() -> Result<VectorFile> {
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
