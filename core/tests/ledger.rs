//! The chip ledger: claims, re-binds, equivocation, heartbeats, epoch close, persistence,
//! and a full epoch report from real proofs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::vendors::*;
use poci::rewards::allocation::AllocationPolicy;
use poci::rewards::emission::{EmissionSchedule, HalvingSchedule};
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::{
    BindingOutcome, BindingSubmission, ChipLedger, DeviceKey, Error, HeartbeatSubmission, SlotId,
    Verifier,
};
use proptest::prelude::*;
use sha2::Digest as _;

const BIND_AT: SlotId = SlotId {
    epoch: EPOCH,
    slot: SLOT,
};

fn verifier() -> Verifier {
    Verifier::with_trust_store(store(allow_tests()))
}

/// A binding of chip `seed` with `counter` for `wallet`, answering the binding slot.
fn binding(seed: &[u8], serial: &[u8], counter: u64, wallet: &[u8]) -> (DeviceKey, Vec<u8>) {
    binding_answering(seed, serial, counter, wallet, BIND_AT, challenge())
}

/// A binding like [`binding`] answering `slot` instead (with that slot's challenge).
fn binding_at(
    seed: &[u8],
    serial: &[u8],
    counter: u64,
    wallet: &[u8],
    slot: SlotId,
) -> (DeviceKey, Vec<u8>) {
    binding_answering(seed, serial, counter, wallet, slot, slot_challenge(slot))
}

fn binding_answering(
    seed: &[u8],
    serial: &[u8],
    counter: u64,
    wallet: &[u8],
    slot: SlotId,
    challenge: [u8; 32],
) -> (DeviceKey, Vec<u8>) {
    let (key, certificate) = chip_a(seed, serial);
    let mut tbs = binding_tbs(
        serial,
        "poci-test-accel-a1",
        vec![certificate, vendor(0).intermediate_der.clone()],
    );
    tbs.binding_counter = counter;
    tbs.wallet = wallet.to_vec();
    tbs.epoch = slot.epoch;
    tbs.slot = slot.slot;
    tbs.challenge = challenge;
    (key.clone(), signed(tbs, &key))
}

fn apply_binding_at(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    der: &[u8],
    wallet: &[u8],
    slot: SlotId,
) -> Result<BindingOutcome, Error> {
    ledger.apply_binding(verifier, der, slot, &slot_challenge(slot), wallet, slot)
}

fn beat(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    key: &DeviceKey,
    slot: SlotId,
    counter: u64,
    wallet: &[u8],
) -> Result<(), Error> {
    ledger.apply_heartbeat(
        verifier,
        &heartbeat(key, slot, counter, wallet),
        slot,
        &slot_challenge(slot),
        slot,
    )
}

fn apply_binding(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    der: &[u8],
    wallet: &[u8],
) -> Result<BindingOutcome, Error> {
    ledger.apply_binding(verifier, der, BIND_AT, &challenge(), wallet, BIND_AT)
}

fn at(epoch: u64, slot: u32) -> SlotId {
    SlotId { epoch, slot }
}

#[test]
fn claim_rebind_replay_and_equivocation() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, first) = binding(b"chip-1", b"SN-1", 1, b"alice");
    assert_eq!(
        apply_binding(&mut ledger, &verifier, &first, b"alice").unwrap(),
        BindingOutcome::Claimed
    );
    assert_eq!(
        apply_binding(&mut ledger, &verifier, &first, b"alice").unwrap(),
        BindingOutcome::AlreadyApplied
    );
    // Sold to bob: counter 2.
    let (_, sold) = binding(b"chip-1", b"SN-1", 2, b"bob");
    assert_eq!(
        apply_binding(&mut ledger, &verifier, &sold, b"bob").unwrap(),
        BindingOutcome::Rebound {
            previous_wallet: b"alice".to_vec()
        }
    );
    assert_eq!(ledger.chip(key.key_id()).unwrap().wallet, b"bob");
    // Alice replays her old binding: refused, nothing changes.
    let before = serde_json::to_string(&ledger).unwrap();
    assert_eq!(
        apply_binding(&mut ledger, &verifier, &first, b"alice")
            .unwrap_err()
            .code(),
        "COUNTER_REPLAY"
    );
    // The chip signs a second, different binding with counter 2: evidence, state stands.
    let (_, twin) = binding(b"chip-1", b"SN-1", 2, b"carol");
    let BindingOutcome::Equivocation(evidence) =
        apply_binding(&mut ledger, &verifier, &twin, b"carol").unwrap()
    else {
        panic!("expected equivocation evidence");
    };
    // The binding in force is named by its proof id: SHA-256 of its DER, on the chain.
    let sold_id: [u8; 32] = sha2::Sha256::digest(&sold).into();
    assert_eq!(
        (
            evidence.first_proof_id,
            evidence.second,
            evidence.binding_counter
        ),
        (sold_id, twin, 2)
    );
    assert_eq!(serde_json::to_string(&ledger).unwrap(), before);
}

#[test]
fn code_counter_replay() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    ledger
        .apply_heartbeat(
            &verifier,
            &heartbeat(&key, at(8, 0), 10, WALLET),
            at(8, 0),
            &slot_challenge(at(8, 0)),
            at(8, 0),
        )
        .unwrap();
    let replayed = heartbeat(&key, at(8, 1), 10, WALLET);
    let result = ledger.apply_heartbeat(
        &verifier,
        &replayed,
        at(8, 1),
        &slot_challenge(at(8, 1)),
        at(8, 1),
    );
    assert_eq!(result.unwrap_err().code(), "COUNTER_REPLAY");
}

#[test]
fn code_slot_already_proven() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    let slot = at(8, 5);
    ledger
        .apply_heartbeat(
            &verifier,
            &heartbeat(&key, slot, 1, WALLET),
            slot,
            &slot_challenge(slot),
            slot,
        )
        .unwrap();
    let again = heartbeat(&key, slot, 2, WALLET);
    assert_eq!(
        ledger
            .apply_heartbeat(&verifier, &again, slot, &slot_challenge(slot), slot)
            .unwrap_err()
            .code(),
        "SLOT_ALREADY_PROVEN"
    );
    let earlier = at(8, 4);
    let late = heartbeat(&key, earlier, 3, WALLET);
    assert_eq!(
        ledger
            .apply_heartbeat(&verifier, &late, earlier, &slot_challenge(earlier), earlier)
            .unwrap_err()
            .code(),
        "SLOT_ALREADY_PROVEN"
    );
}

#[test]
fn code_unknown_chip() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = DeviceKey::from_seed(b"never bound").unwrap();
    let slot = at(8, 0);
    let result = ledger.apply_heartbeat(
        &verifier,
        &heartbeat(&key, slot, 1, WALLET),
        slot,
        &slot_challenge(slot),
        slot,
    );
    assert_eq!(result.unwrap_err().code(), "UNKNOWN_CHIP");
}

#[test]
fn code_epoch_closed() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    ledger.close_epoch(8, None, &[]).unwrap();
    let slot = at(8, 0);
    let result = ledger.apply_heartbeat(
        &verifier,
        &heartbeat(&key, slot, 1, WALLET),
        slot,
        &slot_challenge(slot),
        slot,
    );
    assert_eq!(result.unwrap_err(), Error::EpochClosed { epoch: 8 });
    assert_eq!(
        ledger.close_epoch(8, None, &[]).unwrap_err().code(),
        "EPOCH_CLOSED"
    );
}

#[test]
fn heartbeat_after_the_certificate_expired_is_refused() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    // Test device certificates end on 2031-01-01; this epoch is in 2032.
    let slot = at(6 * 365 * 24, 0);
    let result = ledger.apply_heartbeat(
        &verifier,
        &heartbeat(&key, slot, 1, WALLET),
        slot,
        &slot_challenge(slot),
        slot,
    );
    assert_eq!(result.unwrap_err().code(), "CERT_EXPIRED");
}

#[test]
fn heartbeat_checks_reach_the_ledger() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    let slot = at(8, 0);
    let before = serde_json::to_string(&ledger).unwrap();
    // The previous owner's wallet, another slot's challenge, a closed-off slot number.
    let wrong_wallet = heartbeat(&key, slot, 1, b"someone-else");
    assert_eq!(
        ledger
            .apply_heartbeat(&verifier, &wrong_wallet, slot, &slot_challenge(slot), slot)
            .unwrap_err()
            .code(),
        "WALLET_MISMATCH"
    );
    let good = heartbeat(&key, slot, 1, WALLET);
    assert_eq!(
        ledger
            .apply_heartbeat(&verifier, &good, slot, &slot_challenge(at(8, 1)), slot)
            .unwrap_err()
            .code(),
        "CHALLENGE_MISMATCH"
    );
    assert_eq!(
        ledger
            .apply_heartbeat(
                &verifier,
                &good,
                at(8, 200),
                &slot_challenge(slot),
                at(8, 200)
            )
            .unwrap_err()
            .code(),
        "SLOT_OUT_OF_RANGE"
    );
    assert_eq!(
        serde_json::to_string(&ledger).unwrap(),
        before,
        "refused inputs changed the ledger"
    );
}

#[test]
fn a_full_epoch_from_proofs_to_rewards() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (a, bind_a) = binding(b"chip-a", b"SN-A", 1, b"alice");
    let (b, bind_b) = binding(b"chip-b", b"SN-B", 1, b"bob");
    apply_binding(&mut ledger, &verifier, &bind_a, b"alice").unwrap();
    apply_binding(&mut ledger, &verifier, &bind_b, b"bob").unwrap();
    let mut tally = RejectionTally::default();
    for slot in 0..120u32 {
        let at = at(8, slot);
        let result = ledger.apply_heartbeat(
            &verifier,
            &heartbeat(&a, at, u64::from(slot) + 1, b"alice"),
            at,
            &slot_challenge(at),
            at,
        );
        result.unwrap();
        if slot % 2 == 0 {
            ledger
                .apply_heartbeat(
                    &verifier,
                    &heartbeat(&b, at, u64::from(slot) + 1, b"bob"),
                    at,
                    &slot_challenge(at),
                    at,
                )
                .unwrap();
        } else if let Err(error) = ledger.apply_heartbeat(
            &verifier,
            &heartbeat(&b, at, 1, b"bob"),
            at,
            &slot_challenge(at),
            at,
        ) {
            tally.record(&error);
        }
    }
    let closed = ledger.close_epoch(8, None, &[]).unwrap();
    let slots: Vec<u32> = closed
        .availability
        .iter()
        .map(|entry| entry.proven_slots)
        .collect();
    let mut expected = [(*a.key_id(), 120), (*b.key_id(), 60)];
    expected.sort();
    assert_eq!(slots, expected.iter().map(|(_, n)| *n).collect::<Vec<_>>());
    let schedule = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 3_000_000_000,
        epochs_per_era: 1000,
        cap: u128::MAX,
    });
    let policy = AllocationPolicy {
        slots_per_epoch: 120,
        min_availability_bps: 0,
    };
    let report = EpochReport::compute(
        8,
        &schedule,
        &PoolSplit::default(),
        &closed.availability,
        &policy,
        tally,
    )
    .unwrap();
    assert_eq!(report.emission, 3_000_000_000);
    assert_eq!(report.pools.miners, 2_910_000_000);
    // Equal ratings: 120 vs 60 slots, two thirds and one third.
    let wallets: Vec<(Vec<u8>, u128)> = report
        .miners
        .wallets
        .iter()
        .map(|w| (w.wallet.clone(), w.reward))
        .collect();
    assert_eq!(
        wallets,
        vec![
            (b"alice".to_vec(), 1_940_000_000),
            (b"bob".to_vec(), 970_000_000)
        ]
    );
    assert_eq!(report.rejected.count("COUNTER_REPLAY"), 60);
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<EpochReport>(&json).unwrap(), report);
}

#[test]
fn slots_follow_the_wallet_that_held_the_chip() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, first) = binding(b"chip-1", b"SN-1", 1, b"alice");
    apply_binding(&mut ledger, &verifier, &first, b"alice").unwrap();
    ledger
        .apply_heartbeat(
            &verifier,
            &heartbeat(&key, at(8, 0), 1, b"alice"),
            at(8, 0),
            &slot_challenge(at(8, 0)),
            at(8, 0),
        )
        .unwrap();
    let (_, sold) = binding_at(b"chip-1", b"SN-1", 2, b"bob", at(8, 1));
    apply_binding_at(&mut ledger, &verifier, &sold, b"bob", at(8, 1)).unwrap();
    ledger
        .apply_heartbeat(
            &verifier,
            &heartbeat(&key, at(8, 1), 2, b"bob"),
            at(8, 1),
            &slot_challenge(at(8, 1)),
            at(8, 1),
        )
        .unwrap();
    // Persisted as lists in (epoch, key id, wallet) order; a state naming an unknown chip
    // is refused.
    let mut state = serde_json::to_value(&ledger).unwrap();
    let key_hex = key.key_id().to_string();
    let proven = state["proven"].as_array().unwrap().clone();
    assert_eq!(proven.len(), 2);
    assert_eq!(proven[0]["epoch"], "8");
    assert_eq!(proven[0]["key_id"], key_hex.as_str());
    assert_eq!(proven[0]["wallet"], hex::encode(b"alice"));
    assert_eq!(proven[1]["wallet"], hex::encode(b"bob"));
    assert_eq!(proven[1]["slots"], 1);
    assert_eq!(state["chips"][0]["binding_slot"]["slot"], 1);
    assert_eq!(state["chips"][0]["last_heartbeat_counter"], "2");
    let restored: ChipLedger = serde_json::from_value(state.clone()).unwrap();
    assert_eq!(restored, ledger);
    // A restored ledger decodes and checks every key up front: a key that is not the
    // chip's is refused, not discovered at its next heartbeat.
    let other = DeviceKey::from_seed(b"another chip").unwrap();
    let mut swapped = state.clone();
    swapped["chips"][0]["record"]["public_key"] =
        hex::encode(other.public_key().sec1_bytes()).into();
    assert!(serde_json::from_value::<ChipLedger>(swapped).is_err());
    state["proven"][1]["key_id"] = hex::encode([0xffu8; 32]).into();
    assert!(serde_json::from_value::<ChipLedger>(state).is_err());
    let closed = ledger.close_epoch(8, None, &[]).unwrap();
    let wallets: Vec<(Vec<u8>, u32)> = closed
        .availability
        .iter()
        .map(|e| (e.wallet.clone(), e.proven_slots))
        .collect();
    assert_eq!(wallets, vec![(b"alice".to_vec(), 1), (b"bob".to_vec(), 1)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn ledger_persists_and_restores_exactly(slots in proptest::collection::btree_set(0u32..120, 0..12), close in any::<bool>()) {
        let verifier = verifier();
        let mut ledger = ChipLedger::new(params());
        let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
        apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
        for (counter, slot) in slots.iter().enumerate() {
            let at = at(8, *slot);
            ledger.apply_heartbeat(&verifier, &heartbeat(&key, at, counter as u64 + 1, WALLET), at, &slot_challenge(at), at).unwrap();
        }
        if close {
            ledger.close_epoch(8, None, &[]).unwrap();
        }
        let json = serde_json::to_string(&ledger).unwrap();
        let mut restored: ChipLedger = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&restored, &ledger);
        prop_assert_eq!(serde_json::to_string(&restored).unwrap(), json);
        // The restored ledger keeps working (its key cache is rebuilt on demand).
        let next = at(9, 0);
        let hb = heartbeat(&key, next, 1000, WALLET);
        prop_assert!(restored.apply_heartbeat(&verifier, &hb, next, &slot_challenge(next), next).is_ok());
    }

    /// A batch gives, item by item and in the final state, exactly what applying the
    /// same heartbeats one after another gives: duplicates, reordered counters, bad bytes.
    #[test]
    fn a_batch_applies_like_one_after_another(
        submissions in proptest::collection::vec((0usize..3, 0u32..4, 1u64..6, 0u8..4), 0..16),
    ) {
        let verifier = verifier();
        // One current slot for the batch: every item's slot is within the grace of it.
        let now = at(8, 3);
        let mut policy = poci::NetworkPolicy::ledger_defaults(params());
        policy.grace_slots = 3;
        let mut sequential = ChipLedger::with_policy(policy).unwrap();
        let mut chips = Vec::new();
        for index in 0..2u8 {
            let (key, der) = binding(&[b'k', index], &[b'S', index], 1, WALLET);
            apply_binding(&mut sequential, &verifier, &der, WALLET).unwrap();
            chips.push(key);
        }
        let mut batched = sequential.clone();
        let stranger = DeviceKey::from_seed(b"never bound").unwrap();
        let items: Vec<(Vec<u8>, SlotId, [u8; 32])> = submissions
            .iter()
            .map(|&(chip, slot, counter, mode)| {
                let key = chips.get(chip).unwrap_or(&stranger);
                let at = at(8, slot);
                let mut der = heartbeat(key, at, counter, WALLET);
                let mut challenge = slot_challenge(at);
                match mode {
                    1 => challenge[0] ^= 1,
                    2 => der.truncate(der.len() / 2),
                    _ => {}
                }
                (der, at, challenge)
            })
            .collect();
        let one_by_one: Vec<Result<(), Error>> = items
            .iter()
            .map(|(der, at, challenge)| sequential.apply_heartbeat(&verifier, der, *at, challenge, now))
            .collect();
        let batch: Vec<HeartbeatSubmission<'_>> = items
            .iter()
            .map(|(der, slot, challenge)| HeartbeatSubmission::poci(der, *slot, challenge))
            .collect();
        let together = batched.apply_heartbeats(&verifier, &batch, now).unwrap();
        prop_assert_eq!(together, one_by_one);
        prop_assert_eq!(&batched, &sequential);
    }

    /// Bindings too: claims, re-binds, replays and equivocations decided in input order.
    #[test]
    fn a_binding_batch_applies_like_one_after_another(
        submissions in proptest::collection::vec((0u8..2, 1u64..4, 0usize..3, any::<bool>()), 0..8),
    ) {
        let verifier = verifier();
        let wallets: [&[u8]; 3] = [b"alice", b"bob", b"carol"];
        let items: Vec<(Vec<u8>, [u8; 32], &[u8])> = submissions
            .iter()
            .map(|&(chip, counter, wallet, right_challenge)| {
                let (_, der) = binding(&[b'c', chip], &[b'N', chip], counter, wallets[wallet]);
                let mut challenge = challenge();
                if !right_challenge {
                    challenge[31] ^= 1;
                }
                (der, challenge, wallets[wallet])
            })
            .collect();
        let mut sequential = ChipLedger::new(params());
        let mut batched = sequential.clone();
        let one_by_one: Vec<Result<BindingOutcome, Error>> = items
            .iter()
            .map(|(der, challenge, wallet)| sequential.apply_binding(&verifier, der, BIND_AT, challenge, wallet, BIND_AT))
            .collect();
        let batch: Vec<BindingSubmission<'_>> = items
            .iter()
            .map(|(der, challenge, wallet)| BindingSubmission::poci(der, BIND_AT, challenge, wallet))
            .collect();
        prop_assert_eq!(batched.apply_bindings(&verifier, &batch, BIND_AT).unwrap(), one_by_one);
        prop_assert_eq!(&batched, &sequential);
    }
}

/// With a registry schedule, a closed epoch rates each chip by the version in force at that
/// epoch, not by the record made at binding: a model the version lacks rates 0.
#[test]
fn closing_with_a_registry_schedule_rates_by_the_version_in_force() {
    let verifier = verifier();
    let (chip, der) = binding(b"chip-s", b"SN-S", 1, b"alice");
    let both = test_registry();
    let only_b = registry_of(&[&manifest(1)]).unwrap();
    let rating = both.get("poci-test-accel-a1").unwrap().rating_milli_cu;
    let close_under = |versions: Vec<(u64, poci::ChipModelRegistry)>| {
        let mut ledger = ChipLedger::new(params());
        apply_binding(&mut ledger, &verifier, &der, b"alice").unwrap();
        let slot = at(8, 0);
        ledger
            .apply_heartbeat(
                &verifier,
                &heartbeat(&chip, slot, 1, b"alice"),
                slot,
                &slot_challenge(slot),
                slot,
            )
            .unwrap();
        let schedule = poci::RegistrySchedule::new(versions).unwrap();
        let closed = ledger.close_epoch(8, Some(&schedule), &[]).unwrap();
        assert_eq!(closed.availability.len(), 1);
        closed.availability[0].rating_milli_cu
    };
    assert_eq!(
        close_under(vec![(0, both.clone()), (9, only_b.clone())]),
        rating
    );
    assert_eq!(close_under(vec![(0, both), (8, only_b)]), 0);
}

/// Finding R1 of the Step 12 review: nobody is credited for a slot before the binding that
/// names their wallet, and no binding for an earlier slot replaces the binding in force.
#[test]
fn code_slot_before_binding() {
    let verifier = verifier();
    // (a) The seller proves slots 0..=8 of epoch 8, the sale lands in slot 10, then the
    // chip signs slot 9 for the buyer: refused; the epoch pays the seller 9, the buyer 0.
    let mut ledger = ChipLedger::new(params());
    let (key, first) = binding(b"chip-1", b"SN-1", 1, b"seller");
    apply_binding(&mut ledger, &verifier, &first, b"seller").unwrap();
    for slot in 0..=8 {
        beat(
            &mut ledger,
            &verifier,
            &key,
            at(8, slot),
            u64::from(slot) + 1,
            b"seller",
        )
        .unwrap();
    }
    let (_, sale) = binding_at(b"chip-1", b"SN-1", 2, b"buyer", at(8, 10));
    apply_binding_at(&mut ledger, &verifier, &sale, b"buyer", at(8, 10)).unwrap();
    let before = serde_json::to_string(&ledger).unwrap();
    assert_eq!(
        beat(&mut ledger, &verifier, &key, at(8, 9), 20, b"buyer").unwrap_err(),
        Error::SlotBeforeBinding
    );
    assert_eq!(serde_json::to_string(&ledger).unwrap(), before);
    // (c) A binding with the highest counter for slot 9, signed before the hand-over and
    // applied after the sale: refused, the buyer keeps the chip.
    let (_, takeback) = binding_at(b"chip-1", b"SN-1", u64::MAX, b"seller", at(8, 9));
    assert_eq!(
        apply_binding_at(&mut ledger, &verifier, &takeback, b"seller", at(8, 9)).unwrap_err(),
        Error::SlotBeforeBinding
    );
    assert_eq!(serde_json::to_string(&ledger).unwrap(), before);
    beat(&mut ledger, &verifier, &key, at(8, 10), 21, b"buyer").unwrap();
    let (_, resale) = binding_at(b"chip-1", b"SN-1", 3, b"carol", at(8, 11));
    apply_binding_at(&mut ledger, &verifier, &resale, b"carol", at(8, 11)).unwrap();
    let closed = ledger.close_epoch(8, None, &[]).unwrap();
    let paid: Vec<(Vec<u8>, u32)> = closed
        .availability
        .iter()
        .map(|entry| (entry.wallet.clone(), entry.proven_slots))
        .collect();
    assert_eq!(paid, vec![(b"buyer".to_vec(), 1), (b"seller".to_vec(), 9)]);

    // (b) A chip claimed in slot 50 is not credited with earlier slots.
    let mut ledger = ChipLedger::new(params());
    let (key, late) = binding_at(b"chip-2", b"SN-2", 1, b"alice", at(8, 50));
    apply_binding_at(&mut ledger, &verifier, &late, b"alice", at(8, 50)).unwrap();
    for slot in [0, 20, 49] {
        assert_eq!(
            beat(
                &mut ledger,
                &verifier,
                &key,
                at(8, slot),
                u64::from(slot) + 1,
                b"alice"
            )
            .unwrap_err()
            .code(),
            "SLOT_BEFORE_BINDING"
        );
    }
    // The binding's own slot and later ones count.
    beat(&mut ledger, &verifier, &key, at(8, 50), 100, b"alice").unwrap();
    beat(&mut ledger, &verifier, &key, at(8, 51), 101, b"alice").unwrap();
    // A re-binding for a slot before the last proven one is refused too.
    let (_, stale) = binding_at(b"chip-2", b"SN-2", 2, b"bob", at(8, 50));
    assert_eq!(
        apply_binding_at(&mut ledger, &verifier, &stale, b"bob", at(8, 50))
            .unwrap_err()
            .code(),
        "SLOT_BEFORE_BINDING"
    );
    assert_eq!(
        ledger.close_epoch(8, None, &[]).unwrap().availability[0].proven_slots,
        2
    );
}

/// A ledger that proved slots 0 and 1 of epoch 8 and closed epoch 7, persisted.
fn persisted() -> (serde_json::Value, DeviceKey) {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let (key, der) = binding(b"chip-1", b"SN-1", 1, WALLET);
    apply_binding(&mut ledger, &verifier, &der, WALLET).unwrap();
    beat(&mut ledger, &verifier, &key, at(8, 0), 1, WALLET).unwrap();
    beat(
        &mut ledger,
        &verifier,
        &key,
        at(8, 1),
        u64::from(u32::MAX) << 20,
        WALLET,
    )
    .unwrap();
    ledger.close_epoch(7, None, &[]).unwrap();
    (serde_json::to_value(&ledger).unwrap(), key)
}

/// Finding R4: restore refuses every state that no history of the ledger reaches.
#[test]
fn restore_refuses_states_no_history_reaches() {
    let (state, _) = persisted();
    serde_json::from_value::<ChipLedger>(state.clone()).unwrap();
    let chip = state["chips"][0].clone();
    let entry = state["proven"][0].clone();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let unreachable: Vec<(&str, Edit)> = vec![
        (
            "more proven slots than the epoch has",
            Box::new(|s| s["proven"][0]["slots"] = 121.into()),
        ),
        (
            "more slots than up to the last proven one",
            Box::new(|s| s["proven"][0]["slots"] = 3.into()),
        ),
        (
            "zero proven slots",
            Box::new(|s| s["proven"][0]["slots"] = 0.into()),
        ),
        (
            "proven slots in a closed epoch",
            Box::new(|s| s["proven"][0]["epoch"] = "7".into()),
        ),
        (
            "proven slots after the last proven slot",
            Box::new(|s| s["proven"][0]["epoch"] = "9".into()),
        ),
        (
            "a last proven slot past the epoch",
            Box::new(|s| s["chips"][0]["last_proven"]["slot"] = 120.into()),
        ),
        (
            "a binding slot past the epoch",
            Box::new(|s| s["chips"][0]["binding_slot"]["slot"] = 120.into()),
        ),
        (
            "a last proven slot without a counter",
            Box::new(|s| s["chips"][0]["last_heartbeat_counter"] = serde_json::Value::Null),
        ),
        (
            "an empty wallet",
            Box::new(|s| s["chips"][0]["record"]["wallet"] = "".into()),
        ),
        (
            "a 300-byte wallet",
            Box::new(|s| s["chips"][0]["record"]["wallet"] = "ab".repeat(300).into()),
        ),
        (
            "a 300-byte proven wallet",
            Box::new(|s| s["proven"][0]["wallet"] = "ab".repeat(300).into()),
        ),
        (
            "a rating above the allocation bound",
            Box::new(|s| {
                s["chips"][0]["record"]["rating_milli_cu"] = ((1u64 << 40) + 1).to_string().into()
            }),
        ),
        (
            "a 200-byte serial",
            Box::new(|s| s["chips"][0]["record"]["serial"] = "ab".repeat(200).into()),
        ),
        (
            "a model id that is no identifier",
            Box::new(|s| s["chips"][0]["record"]["model_id"] = "Model A".into()),
        ),
        (
            "the same chip twice",
            Box::new(move |s| s["chips"].as_array_mut().unwrap().push(chip.clone())),
        ),
        (
            "the same proven entry twice",
            Box::new(move |s| s["proven"].as_array_mut().unwrap().push(entry.clone())),
        ),
        (
            "a closed epoch twice",
            Box::new(|s| s["closed"].as_array_mut().unwrap().push("7".into())),
        ),
        (
            "a counter as a JSON number",
            Box::new(|s| s["chips"][0]["last_heartbeat_counter"] = 2.into()),
        ),
        (
            "a closed epoch as a JSON number",
            Box::new(|s| s["closed"][0] = 7.into()),
        ),
    ];
    for (what, edit) in unreachable {
        let mut broken = state.clone();
        edit(&mut broken);
        assert!(
            serde_json::from_value::<ChipLedger>(broken).is_err(),
            "restored a state with {what}"
        );
    }
}

/// Finding R5: counters and closed epochs are decimal strings (SPEC.md 7), so a counter
/// above 2^53 survives a JavaScript round trip and `u64::MAX` restores.
#[test]
fn counters_and_epochs_persist_as_decimal_strings() {
    let (state, key) = persisted();
    assert_eq!(
        state["chips"][0]["last_heartbeat_counter"],
        (u64::from(u32::MAX) << 20).to_string().as_str()
    );
    assert_eq!(state["closed"][0], "7");
    let verifier = verifier();
    let mut ledger: ChipLedger = serde_json::from_value(state).unwrap();
    beat(&mut ledger, &verifier, &key, at(8, 2), u64::MAX, WALLET).unwrap();
    let text = serde_json::to_string(&ledger).unwrap();
    assert!(text.contains(&format!("\"{}\"", u64::MAX)));
    let restored: ChipLedger = serde_json::from_str(&text).unwrap();
    assert_eq!(restored, ledger);
}
