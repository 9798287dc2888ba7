//! The `ledger` vector file (conformance/vectors/ledger.json) and its builders.

use super::*;

pub(super) fn ledger() -> Result<VectorFile> {
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
            json!({ "trust_store": "testnet", "params": params_json()?, "setup": in_their_slots(setup), "step": in_its_slot(step) }),
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
        json!({ "trust_store": "testnet-unknown-revocation-allowed", "params": params_json()?, "setup": [], "step": in_its_slot(raw_bind(&decoy)?) }),
        "CHAIN_NOT_A_PATH",
    );
    f.err(
        "a chip minted under that CA has no anchor",
        json!({ "trust_store": "testnet-unknown-revocation-allowed", "params": params_json()?, "setup": [], "step": in_its_slot(raw_bind(&minted_binding)?) }),
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
