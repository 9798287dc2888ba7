//! A miner: mints two simulated chips (an H100 under NVIDIA's testnet stand-in root and
//! an accelerator of the synthetic test vendor A), binds them to its wallet by answering
//! one slot's challenge, then answers a few slots' challenges with heartbeats. Before
//! "submitting" it checks every proof with the same verifier a node runs, and prints what
//! it would send: sizes, proof ids and the JSON of one heartbeat. Deterministic: the chips'
//! keys come from fixed seeds and the beacons from the slot numbers.

use poci::x509::mint::{TEST_NOT_BEFORE, TestVendor, testnet_vendor};
use poci::{
    BindingContext, ChipBindingTbs, ChipIdentity, ChipModelRegistry, HeartbeatTbs, NetworkParams,
    Signed, SlotContext, TrustStore, Verifier, derive_challenge,
};

type Outcome = Result<(), Box<dyn std::error::Error>>;

const WALLET: &[u8] = b"miner-wallet-0001";

/// The chain's randomness for a slot (block hash or VRF output): a stand-in here.
fn beacon(slot: u32) -> [u8; 32] {
    [u8::try_from(slot).unwrap_or(0); 32]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn check(ok: bool, what: &str) -> Outcome {
    Ok(ok
        .then_some(())
        .ok_or_else(|| format!("check failed: {what}"))?)
}

fn main() -> Outcome {
    let params = NetworkParams::new("poci-testnet", TEST_NOT_BEFORE, 3600, 120)?;
    // The miner checks its proofs exactly as a node would, before submitting them.
    let verifier = Verifier::with_trust_store(TrustStore::embedded_testnet()?);
    let registry = ChipModelRegistry::embedded_with_test_vendors()?;
    let test_vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A")?;
    let makers = [
        (testnet_vendor("nvidia", "NVIDIA")?, "nvidia-h100-sxm"),
        (test_vendor, "poci-test-accel-a1"),
    ];

    // Binding: each chip signs (wallet, counter, this slot's challenge) with its certificate
    // chain, so the claim answers one slot only and cannot be replayed or front-run.
    let (epoch, slot) = (7, 0);
    let challenge = derive_challenge(&params, epoch, slot, &beacon(slot))?;
    let mut chips = Vec::new();
    for (index, (vendor, model)) in (1u64..).zip(&makers) {
        let serial = format!("SIM-{index:04}").into_bytes();
        let identity = ChipIdentity {
            model_id: (*model).into(),
            serial: serial.clone(),
            security_version: 1,
        };
        let (key, certificate) =
            vendor.mint_chip(format!("miner chip {index}").as_bytes(), &identity, index)?;
        let tbs = ChipBindingTbs {
            network_id: params.network_id().into(),
            chip_serial: serial,
            model_id: (*model).into(),
            wallet: WALLET.to_vec(),
            binding_counter: 1,
            epoch,
            slot,
            challenge,
            certificates: vec![certificate, vendor.intermediate_der.clone()],
        };
        let der = Signed::sign(tbs, &key)?.to_der()?;
        let context = BindingContext::new(&params, epoch, slot, &challenge, WALLET);
        let verified = verifier.verify_binding(&der, &context)?;
        // The rating that rewards will use comes from the registry, never from the miner.
        let rating = registry.get(model).map(|model| model.rating_milli_cu);
        check(
            rating == Some(verified.record.rating_milli_cu),
            "registry rating",
        )?;
        println!(
            "binding   {model} of {}, chip {:.16}.., {} bytes, proof {:.16}.., rating {} milli-CU",
            verified.record.vendor_id,
            key.key_id().to_string(),
            der.len(),
            hex(&verified.proof_id),
            verified.record.rating_milli_cu
        );
        chips.push(key);
    }

    // Heartbeats: one per chip per slot, with a counter that only ever grows.
    let epoch = 8;
    let mut counter: u64 = 0;
    let (mut sample, mut first_proof) = (None, [0u8; 32]);
    for slot in 0..3 {
        let challenge = derive_challenge(&params, epoch, slot, &beacon(slot))?;
        counter = counter.checked_add(1).ok_or("counter overflow")?;
        for key in &chips {
            let tbs = HeartbeatTbs {
                network_id: params.network_id().into(),
                chip_key_id: *key.key_id(),
                wallet: WALLET.to_vec(),
                epoch,
                slot,
                challenge,
                counter,
                measurement: None,
            };
            let heartbeat = Signed::sign(tbs, key)?;
            let der = heartbeat.to_der()?;
            let context = SlotContext {
                network_id: params.network_id(),
                epoch,
                slot,
                challenge: &challenge,
                wallet: WALLET,
            };
            let verified = verifier.verify_heartbeat(&der, key.public_key(), &context)?;
            println!(
                "heartbeat epoch {epoch} slot {slot}, chip {:.16}.., {} bytes, proof {:.16}..",
                key.key_id().to_string(),
                der.len(),
                hex(&verified.proof_id)
            );
            if sample.is_none() {
                (sample, first_proof) = (Some(heartbeat), verified.proof_id);
            }
        }
    }
    // The JSON form (SPEC.md) is for people and APIs; it maps one to one onto the DER.
    let json = sample.ok_or("no heartbeat signed")?.to_json()?;
    println!("one heartbeat as JSON:\n{json}");
    let parsed = Signed::<HeartbeatTbs>::from_json(&json)?;
    check(
        parsed.proof_id()? == first_proof,
        "the JSON is the same proof",
    )?;
    Ok(())
}
