//! A node: registers three chips from their signed bindings, receives one epoch of
//! heartbeats as a single batch (checked across threads by `ChipLedger::apply_heartbeats`),
//! refuses a replayed heartbeat and one answering another slot's challenge with their stable
//! error codes, closes the epoch and computes its reward report. It then checks that the
//! money adds up to the base unit: the pools sum to the emission and the chips' shares plus
//! the unallocated rest equal the miners' pool. The miners' side is simulated in-process.

use poci::rewards::allocation::AllocationPolicy;
use poci::rewards::emission::{BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule};
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::x509::mint::{TEST_NOT_BEFORE, TestVendor, testnet_vendor};
use poci::{
    BindingOutcome, ChipBindingTbs, ChipIdentity, ChipLedger, DeviceKey, HeartbeatSubmission,
    HeartbeatTbs, NetworkParams, Signed, SlotId, TrustStore, Verifier, derive_challenge,
};

type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn check(ok: bool, what: &str) -> Outcome {
    Ok(ok
        .then_some(())
        .ok_or_else(|| format!("check failed: {what}"))?)
}

fn total(mut amounts: impl Iterator<Item = u128>) -> Outcome<u128> {
    Ok(amounts.try_fold(0, u128::checked_add).ok_or("overflow")?)
}

/// The challenge of `slot` of epoch 8. Its beacon, the chain's randomness, is a stand-in.
fn challenge(params: &NetworkParams, slot: u32) -> poci::Result<[u8; 32]> {
    derive_challenge(params, 8, slot, &[u8::try_from(slot).unwrap_or(0); 32])
}

/// What a miner sends for `slot` of epoch 8: a heartbeat signed by the chip.
fn heartbeat(key: &DeviceKey, wallet: &[u8], slot: u32, answer: [u8; 32]) -> Outcome<Vec<u8>> {
    let counter = u64::from(slot).checked_add(1).ok_or("overflow")?;
    let tbs = HeartbeatTbs {
        network_id: "poci-testnet".into(),
        chip_key_id: *key.key_id(),
        wallet: wallet.to_vec(),
        epoch: 8,
        slot,
        challenge: answer,
        counter,
        measurement: None,
    };
    Ok(Signed::sign(tbs, key)?.to_der()?)
}

fn main() -> Outcome {
    let params = NetworkParams::new("poci-testnet", TEST_NOT_BEFORE, 3600, 120)?;
    let verifier = Verifier::with_trust_store(TrustStore::embedded_testnet()?);
    let mut ledger = ChipLedger::new(params.clone());

    // Three chips, claimed in slot 0 of epoch 8; chip n then answers every n-th slot.
    let a = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A")?;
    let b = TestVendor::from_seed("poci-test-b", "POCI Test Vendor B")?;
    let nvidia = testnet_vendor("nvidia", "NVIDIA")?;
    let fleet = [
        (&nvidia, "nvidia-h100-sxm", b"alice".as_slice(), 1),
        (&a, "poci-test-accel-a1", b"alice", 2),
        (&b, "poci-test-npu-b1", b"bob", 4),
    ];
    let (bind_at, bind_challenge) = (SlotId { epoch: 8, slot: 0 }, challenge(&params, 0)?);
    let mut chips = Vec::new();
    for (serial, (vendor, model, wallet, every)) in (1u64..).zip(fleet) {
        let serial_bytes = format!("SN-{serial}").into_bytes();
        let identity = ChipIdentity {
            model_id: model.into(),
            serial: serial_bytes.clone(),
            security_version: 1,
        };
        let (key, certificate) = vendor.mint_chip(&serial_bytes, &identity, serial)?;
        let tbs = ChipBindingTbs {
            network_id: params.network_id().into(),
            chip_serial: serial_bytes,
            model_id: model.into(),
            wallet: wallet.to_vec(),
            binding_counter: 1,
            epoch: bind_at.epoch,
            slot: bind_at.slot,
            challenge: bind_challenge,
            certificates: vec![certificate, vendor.intermediate_der.clone()],
        };
        let der = Signed::sign(tbs, &key)?.to_der()?;
        let outcome =
            ledger.apply_binding(&verifier, &der, bind_at, &bind_challenge, wallet, bind_at)?;
        check(outcome == BindingOutcome::Claimed, "a new chip is claimed")?;
        println!(
            "{model:<20} chip {:.16}.. for {}: {outcome:?}",
            key.key_id().to_string(),
            String::from_utf8_lossy(wallet)
        );
        chips.push((key, wallet, every));
    }

    // The epoch's heartbeats (slot, its challenge, the DER, the code expected if refused),
    // then the first one replayed and one signed over the previous slot's challenge.
    let mut items = Vec::new();
    for slot in 0..params.slots_per_epoch() {
        let answer = challenge(&params, slot)?;
        for (key, wallet, every) in &chips {
            if slot.checked_rem(*every) == Some(0) {
                items.push((slot, answer, heartbeat(key, wallet, slot, answer)?, None));
            }
        }
    }
    let (slot, answer, der, _) = items.first().ok_or("no heartbeat")?;
    items.push((*slot, *answer, der.clone(), Some("COUNTER_REPLAY")));
    let (bob, _, _) = chips.last().ok_or("no chip")?;
    let wrong = heartbeat(bob, b"bob", 119, challenge(&params, 118)?)?;
    items.push((
        119,
        challenge(&params, 119)?,
        wrong,
        Some("CHALLENGE_MISMATCH"),
    ));

    // One call per slot, made in that slot (the ledger refuses a heartbeat past its grace):
    // signatures are checked across threads, then recorded in submission order.
    let mut results = Vec::with_capacity(items.len());
    for group in items.chunk_by(|a, b| a.0 == b.0) {
        let now = SlotId {
            epoch: 8,
            slot: group.first().map_or(0, |item| item.0),
        };
        let batch: Vec<HeartbeatSubmission<'_>> = group
            .iter()
            .map(|(_, challenge, der, _)| HeartbeatSubmission::poci(der, now, challenge))
            .collect();
        results.extend(ledger.apply_heartbeats(&verifier, &batch, now)?);
    }
    check(results.len() == items.len(), "one result per submission")?;
    let mut tally = RejectionTally::default();
    for (result, (slot, _, _, expected)) in results.iter().zip(&items) {
        let code = result.as_ref().err().map(poci::Error::code);
        check(
            code == *expected,
            &format!("slot {slot}: {code:?}, expected {expected:?}"),
        )?;
        if let Err(error) = result {
            println!("refused the heartbeat for slot {slot}: {}", error.code());
            tally.record(error);
        }
    }
    let accepted = results.iter().filter(|result| result.is_ok()).count();
    println!("batch of {} heartbeats: {accepted} accepted", results.len());
    let closed = ledger.close_epoch(8, None, &[])?;

    // 50 tokens an epoch, halving every 17,520 epochs (two years of hours), 21M tokens at most.
    let tokens = |n: u128| BASE_UNITS_PER_TOKEN.checked_mul(n).ok_or("overflow");
    let halving = HalvingSchedule {
        base_per_epoch: tokens(50)?,
        epochs_per_era: 17_520,
        cap: tokens(21_000_000)?,
    };
    let policy = AllocationPolicy {
        slots_per_epoch: params.slots_per_epoch(),
        min_availability_bps: 0,
    };
    let report = EpochReport::compute(
        8,
        &EmissionSchedule::Halving(halving),
        &PoolSplit::default(),
        &closed.availability,
        &policy,
        tally,
    )?;

    // Integer math with the remainders handed out: nothing is created or lost.
    let other_pools = total(report.pools.pools.iter().map(|pool| pool.amount))?;
    let shares = total(report.miners.shares.iter().map(|share| share.reward))?;
    let wallets = total(report.miners.wallets.iter().map(|wallet| wallet.reward))?;
    check(
        report.pools.miners.checked_add(other_pools) == Some(report.emission),
        "pools == emission",
    )?;
    check(
        shares.checked_add(report.miners.unallocated) == Some(report.pools.miners),
        "miners' pool",
    )?;
    check(wallets == shares, "wallets sum to the chips' shares")?;
    println!(
        "epoch 8: emission {}, miners' pool {}, other pools {other_pools} (base units)",
        report.emission, report.pools.miners
    );
    for share in &report.miners.shares {
        println!(
            "  chip {:.16}.. {:>6} milli-CU x {:>3} slots -> {}",
            share.key_id.to_string(),
            share.rating_milli_cu,
            share.proven_slots,
            share.reward
        );
    }
    println!("rejected: {:?}", report.rejected.counts());
    println!(
        "exact: shares {shares} + unallocated {} == miners' pool",
        report.miners.unallocated
    );
    Ok(())
}
