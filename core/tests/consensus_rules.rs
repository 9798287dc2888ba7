//! The consensus rules the ledger owns (SPEC.md 18): timeliness, sampling, firmware floors,
//! trust material scheduled by epoch, leases, and the network policy itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::vendors::*;
use poci::rewards::allocation::{AllocationInput, AllocationPolicy, allocate};
use poci::{
    ChipLedger, DeviceKey, Error, KeyId, LeaseAcceptanceTbs, LeaseOutcome, NetworkPolicy, Signed,
    SlotId, TrustStore, Verifier, is_sampled,
};
use sha2::{Digest, Sha256};

fn at(epoch: u64, slot: u32) -> SlotId {
    SlotId { epoch, slot }
}

const BIND_AT: SlotId = SlotId {
    epoch: EPOCH,
    slot: SLOT,
};

fn code<T>(result: Result<T, Error>) -> &'static str {
    result.err().map_or("OK", |error| error.code())
}

fn verifier() -> Verifier {
    Verifier::with_trust_store(store(allow_tests()))
}

fn policy() -> NetworkPolicy {
    NetworkPolicy::ledger_defaults(params())
}

fn ledger_with(change: impl FnOnce(&mut NetworkPolicy)) -> ChipLedger {
    let mut policy = policy();
    change(&mut policy);
    ChipLedger::with_policy(policy).unwrap()
}

/// A bound chip of vendor A (security version 3).
fn bound(ledger: &mut ChipLedger, verifier: &Verifier, seed: &[u8]) -> DeviceKey {
    let (key, der) = valid_binding(seed, seed);
    ledger
        .apply_binding(verifier, &der, BIND_AT, &challenge(), WALLET, BIND_AT)
        .unwrap();
    key
}

fn beat_at(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    key: &DeviceKey,
    slot: SlotId,
    counter: u64,
    now: SlotId,
) -> Result<(), Error> {
    ledger.apply_heartbeat(
        verifier,
        &heartbeat(key, slot, counter, WALLET),
        slot,
        &slot_challenge(slot),
        now,
    )
}

// --- Timeliness -------------------------------------------------------------------------

#[test]
fn code_slot_too_late() {
    let verifier = verifier();
    let mut ledger = ledger_with(|policy| policy.grace_slots = 2);
    let key = bound(&mut ledger, &verifier, b"late chip");
    let before = ledger.clone();
    // Three slots after its own: past a grace of two.
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(8, 0), 1, at(8, 3))),
        "SLOT_TOO_LATE"
    );
    assert_eq!(ledger, before, "a refused heartbeat changes nothing");
    // Within the grace, and at the edge of it.
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(8, 0), 1, at(8, 1))),
        "OK"
    );
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(8, 1), 2, at(8, 3))),
        "OK"
    );
    // Across an epoch boundary the slots are absolute: epoch 8's last slot is 1 before
    // epoch 9's first.
    assert_eq!(
        code(beat_at(
            &mut ledger,
            &verifier,
            &key,
            at(8, 119),
            3,
            at(9, 1)
        )),
        "OK"
    );
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(9, 0), 4, at(9, 3))),
        "SLOT_TOO_LATE"
    );
    // Bindings too: a binding for a past slot is refused once its grace is over.
    let (_, der) = valid_binding(b"late binder", b"late binder");
    let late = ledger.apply_binding(&verifier, &der, BIND_AT, &challenge(), WALLET, at(7, 45));
    assert_eq!(code(late), "SLOT_TOO_LATE");
}

#[test]
fn code_slot_in_future() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"early chip");
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(8, 5), 1, at(8, 4))),
        "SLOT_IN_FUTURE"
    );
    let (_, der) = valid_binding(b"early binder", b"early binder");
    let early = ledger.apply_binding(&verifier, &der, BIND_AT, &challenge(), WALLET, at(7, 41));
    assert_eq!(code(early), "SLOT_IN_FUTURE");
}

#[test]
fn an_offline_chip_cannot_sign_its_missed_slots_afterwards() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"offline chip");
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(8, 0), 1, at(8, 0))),
        "OK"
    );
    // Back at slot 50: slots 1..48 are gone for good, in any order.
    for (counter, slot) in (1..49).enumerate() {
        assert_eq!(
            code(beat_at(
                &mut ledger,
                &verifier,
                &key,
                at(8, slot),
                counter as u64 + 2,
                at(8, 50)
            )),
            "SLOT_TOO_LATE",
            "slot {slot}"
        );
    }
    let closed = ledger.close_epoch(8, None, &[]).unwrap();
    assert_eq!(closed.availability[0].proven_slots, 1);
}

// --- Policy -----------------------------------------------------------------------------

#[test]
fn code_invalid_policy() {
    let mut bad = policy();
    bad.sample_one_in = 0;
    assert_eq!(code(ChipLedger::with_policy(bad)), "INVALID_POLICY");
    let mut bad = policy();
    bad.grace_slots = params().slots_per_epoch() + 1;
    assert_eq!(code(ChipLedger::with_policy(bad.clone())), "INVALID_POLICY");
    assert_eq!(
        code(NetworkPolicy::from_json(&bad.to_json().unwrap())),
        "INVALID_POLICY"
    );
}

#[test]
fn the_policy_travels_with_the_persisted_ledger() {
    let verifier = verifier();
    let mut ledger = ledger_with(|policy| {
        policy.grace_slots = 5;
        policy.sample_one_in = 4;
    });
    bound(&mut ledger, &verifier, b"persisted chip");
    let text = poci::json::to_json(&ledger).unwrap();
    let back: ChipLedger = poci::json::from_json(&text).unwrap();
    assert_eq!(back, ledger);
    assert_eq!(back.policy(), ledger.policy());
    // A persisted policy outside its invariants does not restore.
    let broken = text.replace("\"sample_one_in\":4", "\"sample_one_in\":0");
    assert_ne!(broken, text);
    assert!(poci::json::from_json::<ChipLedger>(&broken).is_err());
}

// --- Sampling ---------------------------------------------------------------------------

/// A slot of epoch 8 in which the chip is drawn (`drawn`) or not, at one in `one_in`.
fn slot_where(key: &DeviceKey, one_in: u32, drawn: bool) -> SlotId {
    (0..120)
        .map(|slot| at(8, slot))
        .find(|slot| is_sampled(&slot_challenge(*slot), key.key_id(), one_in) == drawn)
        .unwrap()
}

#[test]
fn code_not_selected() {
    let verifier = verifier();
    let mut ledger = ledger_with(|policy| policy.sample_one_in = 4);
    let key = bound(&mut ledger, &verifier, b"sampled chip");
    let skipped = slot_where(&key, 4, false);
    let before = ledger.clone();
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, skipped, 1, skipped)),
        "NOT_SELECTED"
    );
    assert_eq!(ledger, before);
    let drawn = slot_where(&key, 4, true);
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, drawn, 1, drawn)),
        "OK"
    );
    // Closing counts the slots the chip was drawn for: the threshold's denominator.
    let challenges: Vec<[u8; 32]> = (0..120).map(|slot| slot_challenge(at(8, slot))).collect();
    let drawn_slots = challenges
        .iter()
        .filter(|challenge| is_sampled(challenge, key.key_id(), 4))
        .count() as u32;
    let closed = ledger.close_epoch(8, None, &challenges).unwrap();
    assert_eq!(closed.availability[0].proven_slots, 1);
    assert_eq!(closed.availability[0].selected_slots, Some(drawn_slots));
}

#[test]
fn code_slot_challenges_missing() {
    let mut ledger = ledger_with(|policy| policy.sample_one_in = 16);
    let before = ledger.clone();
    assert_eq!(
        code(ledger.close_epoch(8, None, &[[0; 32]; 119])),
        "SLOT_CHALLENGES_MISSING"
    );
    assert_eq!(ledger, before);
    // An unsampled network does not read them.
    let mut full = ChipLedger::new(params());
    assert_eq!(code(full.close_epoch(8, None, &[])), "OK");
}

/// Many epochs of a sampled network, without signatures (the draw and the allocation
/// are what is tested): each chip answers every slot it is drawn for with its own
/// availability. Rewards per unit of rating × availability come out the same for every
/// class of chips, and for chips with low and high key ids.
#[test]
fn sampled_rewards_follow_rating_times_availability_whatever_the_key_id() {
    const CHIPS: u32 = 160;
    const EPOCHS: u64 = 60;
    const SLOTS: u32 = 96;
    const ONE_IN: u32 = 8;
    let ratings = [1_000u64, 2_000, 4_000, 8_000];
    let availability_pct = [50u64, 100];
    let chips: Vec<(KeyId, u64, u64)> = (0..CHIPS)
        .map(|n| {
            let key_id = KeyId(Sha256::digest(n.to_be_bytes()).into());
            let rating = ratings[(n % 4) as usize];
            let availability = availability_pct[((n / 4) % 2) as usize];
            (key_id, rating, availability)
        })
        .collect();
    let policy = AllocationPolicy {
        slots_per_epoch: SLOTS,
        min_availability_bps: 0,
    };
    let pool: u128 = 1_000_000_000_000;
    let mut earned = vec![0u128; chips.len()];
    for epoch in 0..EPOCHS {
        let challenges: Vec<[u8; 32]> = (0..SLOTS)
            .map(|slot| {
                Sha256::digest([epoch.to_be_bytes(), u64::from(slot).to_be_bytes()].concat()).into()
            })
            .collect();
        let entries: Vec<AllocationInput> = chips
            .iter()
            .map(|(key_id, rating, availability)| {
                let mut selected = 0u32;
                let mut proven = 0u32;
                for challenge in &challenges {
                    if !is_sampled(challenge, key_id, ONE_IN) {
                        continue;
                    }
                    selected += 1;
                    // Online in this slot with the chip's availability.
                    let coin = Sha256::digest(
                        [challenge.as_slice(), key_id.as_bytes(), b"online"].concat(),
                    );
                    if u64::from(coin[0]) * 100 < *availability * 256 {
                        proven += 1;
                    }
                }
                AllocationInput {
                    key_id: *key_id,
                    wallet: b"w".to_vec(),
                    rating_milli_cu: *rating,
                    proven_slots: proven,
                    selected_slots: Some(selected),
                }
            })
            .collect();
        let allocation = allocate(pool, &entries, &policy).unwrap();
        // Shares come in key id order.
        for share in &allocation.shares {
            let index = chips
                .iter()
                .position(|(key_id, ..)| *key_id == share.key_id)
                .unwrap();
            earned[index] += share.reward;
        }
    }
    // Earnings per unit of rating × availability, by class and by key id half.
    let per_unit = |filter: &dyn Fn(usize) -> bool| -> f64 {
        let (mut reward, mut units) = (0f64, 0f64);
        for (index, (_, rating, availability)) in chips.iter().enumerate() {
            if filter(index) {
                reward += earned[index] as f64;
                units += (*rating * *availability) as f64;
            }
        }
        reward / units
    };
    let overall = per_unit(&|_| true);
    for class in 0..8usize {
        let ratio = per_unit(&|index| index % 8 == class) / overall;
        assert!((0.9..1.1).contains(&ratio), "class {class}: {ratio}");
    }
    let low = per_unit(&|index| chips[index].0.as_bytes()[0] < 128) / overall;
    let high = per_unit(&|index| chips[index].0.as_bytes()[0] >= 128) / overall;
    assert!((0.95..1.05).contains(&low), "low key ids: {low}");
    assert!((0.95..1.05).contains(&high), "high key ids: {high}");
}

// --- Firmware floors and trust material by epoch ----------------------------------------

/// The test vendors' store with a floor of `floor` on model a1.
fn store_with_floor(floor: u32) -> TrustStore {
    let manifest_a = manifest(0).replace(
        "model_id = \"poci-test-accel-a1\"\n",
        &format!("model_id = \"poci-test-accel-a1\"\nmin_security_version = {floor}\n"),
    );
    assert_ne!(manifest_a, manifest(0));
    let store = store_where(&manifest_a, None, true);
    let registry = store.registry();
    assert_eq!(
        registry
            .get("poci-test-accel-a1")
            .unwrap()
            .min_security_version,
        floor
    );
    assert_ne!(
        registry.digest().unwrap(),
        test_registry().digest().unwrap()
    );
    store
}

#[test]
fn code_firmware_below_floor() {
    // A binding below the floor in force is refused.
    let verifier = Verifier::with_trust_store(store_with_floor(4));
    let mut ledger = ChipLedger::new(params());
    let (_, der) = valid_binding(b"old firmware", b"old firmware");
    assert_eq!(
        code(ledger.apply_binding(&verifier, &der, BIND_AT, &challenge(), WALLET, BIND_AT)),
        "FIRMWARE_BELOW_FLOOR"
    );
    // At the floor is fine.
    let verifier = Verifier::with_trust_store(store_with_floor(3));
    assert_eq!(
        code(ledger.apply_binding(&verifier, &der, BIND_AT, &challenge(), WALLET, BIND_AT)),
        "OK"
    );
}

#[test]
fn a_floor_raised_from_an_epoch_stops_bound_chips_from_then_on() {
    let mut verifier = verifier();
    verifier
        .schedule_trust_store(9, store_with_floor(4))
        .unwrap();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"bound before the floor");
    assert_eq!(
        code(beat_at(
            &mut ledger,
            &verifier,
            &key,
            at(8, 119),
            1,
            at(8, 119)
        )),
        "OK"
    );
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(9, 0), 2, at(9, 0))),
        "FIRMWARE_BELOW_FLOOR"
    );
    // Epoch 8 was earned under the old floor and stays paid.
    let closed = ledger.close_epoch(8, None, &[]).unwrap();
    assert_eq!(closed.availability[0].proven_slots, 1);
}

#[test]
fn code_trust_schedule_invalid() {
    let mut verifier = verifier();
    assert_eq!(
        code(verifier.schedule_trust_store(0, store(allow_tests()))),
        "TRUST_SCHEDULE_INVALID"
    );
    verifier
        .schedule_trust_store(5, store(allow_tests()))
        .unwrap();
    assert_eq!(
        code(verifier.schedule_trust_store(5, store(allow_tests()))),
        "TRUST_SCHEDULE_INVALID"
    );
    assert_eq!(verifier.trust_activations(), vec![5]);
    assert!(core::ptr::eq(
        verifier.trust_store_at(4),
        verifier.trust_store()
    ));
    assert!(!core::ptr::eq(
        verifier.trust_store_at(5),
        verifier.trust_store()
    ));
}

// --- Leases -----------------------------------------------------------------------------

fn lease(key: &DeviceKey, id: &[u8], first: u64, last: u64, price: u128) -> Vec<u8> {
    let tbs = LeaseAcceptanceTbs {
        network_id: "poci-testnet".into(),
        lease_id: id.to_vec(),
        renter_wallet: b"renter".to_vec(),
        chip_key_id: *key.key_id(),
        first_epoch: first,
        last_epoch: last,
        price,
    };
    Signed::sign(tbs, key).unwrap().to_der().unwrap()
}

#[test]
fn a_lease_is_settled_from_the_slots_the_ledger_counted() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"rented chip");
    let acceptance = lease(&key, b"lease-1", 8, 9, 1_000_003);
    assert_eq!(
        ledger
            .apply_lease(&verifier, &acceptance, at(7, 50))
            .unwrap(),
        LeaseOutcome::Accepted
    );
    assert_eq!(
        ledger
            .apply_lease(&verifier, &acceptance, at(7, 51))
            .unwrap(),
        LeaseOutcome::AlreadyApplied
    );
    // 7 slots proven in epoch 8, 5 in epoch 9, one outside the lease (epoch 10).
    let mut counter = 1;
    for (epoch, slots) in [(8u64, 7u32), (9, 5), (10, 1)] {
        for slot in 0..slots {
            beat_at(
                &mut ledger,
                &verifier,
                &key,
                at(epoch, slot),
                counter,
                at(epoch, slot),
            )
            .unwrap();
            counter += 1;
        }
    }
    assert_eq!(code(ledger.settle_lease(b"lease-1")), "LEASE_NOT_ENDED");
    ledger.close_epoch(8, None, &[]).unwrap();
    assert!(matches!(
        ledger.settle_lease(b"lease-1"),
        Err(Error::LeaseNotEnded { epoch: 9 })
    ));
    ledger.close_epoch(9, None, &[]).unwrap();
    let settled = ledger.settle_lease(b"lease-1").unwrap();
    assert_eq!(settled.proven_slots, 12);
    assert_eq!(settled.due_slots, 240);
    assert_eq!(settled.rent, 1_000_003 * 12 / 240);
    assert_eq!(settled.rent + settled.refund, 1_000_003);
    assert_eq!(settled.lessor_wallet, WALLET);
    assert_eq!(settled.renter_wallet, b"renter");
    assert!(ledger.lease(b"lease-1").is_none());
    // Once settled, the acceptance can never apply again.
    assert_eq!(
        code(ledger.apply_lease(&verifier, &acceptance, at(7, 52))),
        "EPOCH_CLOSED"
    );
}

#[test]
fn code_lease_id_reused() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"lease chip a");
    let other = bound(&mut ledger, &verifier, b"lease chip b");
    ledger
        .apply_lease(&verifier, &lease(&key, b"L", 8, 8, 10), at(7, 50))
        .unwrap();
    let before = ledger.clone();
    assert_eq!(
        code(ledger.apply_lease(&verifier, &lease(&other, b"L", 9, 9, 10), at(7, 50))),
        "LEASE_ID_REUSED"
    );
    assert_eq!(ledger, before);
}

#[test]
fn code_lease_overlap() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"lease chip");
    ledger
        .apply_lease(&verifier, &lease(&key, b"L1", 10, 12, 10), at(7, 50))
        .unwrap();
    for (first, last) in [(8, 10), (12, 14), (11, 11), (9, 13)] {
        assert_eq!(
            code(ledger.apply_lease(&verifier, &lease(&key, b"L2", first, last, 10), at(7, 50))),
            "LEASE_OVERLAP",
            "{first}..={last}"
        );
    }
    for (id, first, last) in [(b"L3", 8, 9), (b"L4", 13, 13)] {
        assert_eq!(
            code(ledger.apply_lease(&verifier, &lease(&key, id, first, last, 10), at(7, 50))),
            "OK"
        );
    }
}

#[test]
fn code_lease_not_timely() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"lease chip");
    assert_eq!(
        code(ledger.apply_lease(&verifier, &lease(&key, b"L", 8, 9, 10), at(9, 0))),
        "LEASE_NOT_TIMELY"
    );
    assert_eq!(
        code(ledger.apply_lease(&verifier, &lease(&key, b"L", 8, 9, 10), at(8, 119))),
        "OK"
    );
}

#[test]
fn code_lease_unknown() {
    let mut ledger = ChipLedger::new(params());
    assert_eq!(code(ledger.settle_lease(b"nothing")), "LEASE_UNKNOWN");
}

#[test]
fn code_lease_not_ended() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"lease chip");
    ledger
        .apply_lease(&verifier, &lease(&key, b"L", 8, 8, 10), at(7, 50))
        .unwrap();
    let before = ledger.clone();
    assert_eq!(code(ledger.settle_lease(b"L")), "LEASE_NOT_ENDED");
    assert_eq!(ledger, before);
}

#[test]
fn leases_travel_with_the_persisted_ledger() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"lease chip");
    ledger
        .apply_lease(&verifier, &lease(&key, b"L", 8, 8, 10), at(7, 50))
        .unwrap();
    beat_at(&mut ledger, &verifier, &key, at(8, 0), 1, at(8, 0)).unwrap();
    let text = poci::json::to_json(&ledger).unwrap();
    let back: ChipLedger = poci::json::from_json(&text).unwrap();
    assert_eq!(back.lease(b"L"), ledger.lease(b"L"));
    assert_eq!(back, ledger);
    // A lease of a chip the ledger does not hold is refused.
    let stranger = DeviceKey::from_seed(b"stranger").unwrap();
    let forged = text.replace(
        &hex::encode(key.key_id().as_bytes()),
        &hex::encode(stranger.key_id().as_bytes()),
    );
    assert!(poci::json::from_json::<ChipLedger>(&forged).is_err());
}

#[test]
fn a_lease_on_a_sampled_network_is_due_its_drawn_slots() {
    let verifier = verifier();
    let mut ledger = ledger_with(|policy| policy.sample_one_in = 4);
    let key = bound(&mut ledger, &verifier, b"sampled lease chip");
    ledger
        .apply_lease(&verifier, &lease(&key, b"L", 8, 8, 1_000), at(7, 50))
        .unwrap();
    let drawn = slot_where(&key, 4, true);
    beat_at(&mut ledger, &verifier, &key, drawn, 1, drawn).unwrap();
    let challenges: Vec<[u8; 32]> = (0..120).map(|slot| slot_challenge(at(8, slot))).collect();
    let due = challenges
        .iter()
        .filter(|challenge| is_sampled(challenge, key.key_id(), 4))
        .count() as u64;
    ledger.close_epoch(8, None, &challenges).unwrap();
    let settled = ledger.settle_lease(b"L").unwrap();
    assert_eq!((settled.proven_slots, settled.due_slots), (1, due));
    assert_eq!(settled.rent, 1_000 / u128::from(due));
}

// --- Revocation reaches bound chips ----------------------------------------------------

/// The test vendors' store, vendor A's manifest and material changed by `change`.
fn store_where(
    manifest_a: &str,
    intermediate_crl: Option<Vec<u8>>,
    with_vendor_a_root: bool,
) -> TrustStore {
    let registry = registry_of(&[manifest_a, &manifest(1)]).unwrap();
    let mut store = TrustStore::new(registry, allow_tests());
    for index in 0..2 {
        let v = vendor(index);
        if index == 0 && !with_vendor_a_root {
            continue;
        }
        let crl = match (index, &intermediate_crl) {
            (0, Some(crl)) => crl.clone(),
            _ => v.intermediate_crl_der.clone(),
        };
        store
            .add_roots(
                &v.vendor_id,
                poci::RootKind::Vendor,
                &[&v.root_der],
                &[&v.root_crl_der, &crl],
            )
            .unwrap();
    }
    store
}

/// A newer CRL of vendor A's intermediate revoking device certificate serials `revoked`.
fn intermediate_crl_revoking(revoked: &[u64]) -> Vec<u8> {
    let start = poci::x509::mint::TEST_NOT_BEFORE;
    poci::x509::mint::mint_crl(
        vendor(0).intermediate(),
        start + 8 * 3_600,
        start + 400 * 24 * 3_600,
        1_000,
        revoked,
    )
    .unwrap()
}

/// A chip bound at epoch 7 and proving slot 0 of epochs 8 and 9 under `verifier`: the
/// two results.
fn prove_epochs_8_and_9(verifier: &Verifier) -> (ChipLedger, [&'static str; 2]) {
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, verifier, b"bound chip");
    let codes = [
        code(beat_at(&mut ledger, verifier, &key, at(8, 0), 1, at(8, 0))),
        code(beat_at(&mut ledger, verifier, &key, at(9, 0), 2, at(9, 0))),
    ];
    (ledger, codes)
}

#[test]
fn a_crl_that_activates_at_an_epoch_stops_the_chips_it_lists_from_then_on() {
    let mut verifier = verifier();
    let revoking = store_where(&manifest(0), Some(intermediate_crl_revoking(&[100])), true);
    verifier.schedule_trust_store(9, revoking).unwrap();
    let (mut ledger, codes) = prove_epochs_8_and_9(&verifier);
    assert_eq!(codes, ["OK", "CERT_REVOKED"]);
    // The epoch report's list: nobody before the activation, the chip from it on.
    assert!(ledger.revoked_chips(&verifier, 8).unwrap().is_empty());
    let revoked = ledger.revoked_chips(&verifier, 9).unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].1.code(), "CERT_REVOKED");
    // Epoch 8 stays paid; epoch 9 has nothing for the chip.
    assert_eq!(
        ledger.close_epoch(8, None, &[]).unwrap().availability.len(),
        1
    );
    assert!(
        ledger
            .close_epoch(9, None, &[])
            .unwrap()
            .availability
            .is_empty()
    );
    // A CRL listing other serials stops nobody.
    let mut verifier = self::verifier();
    let other = store_where(
        &manifest(0),
        Some(intermediate_crl_revoking(&[7, 99])),
        true,
    );
    verifier.schedule_trust_store(9, other).unwrap();
    assert_eq!(prove_epochs_8_and_9(&verifier).1, ["OK", "OK"]);
}

#[test]
fn a_vendor_marked_revoked_or_a_root_removed_reaches_bound_chips() {
    let revoked = manifest(0).replace("status = \"active\"", "status = \"revoked\"");
    assert_ne!(revoked, manifest(0));
    let mut verifier = verifier();
    verifier
        .schedule_trust_store(9, store_where(&revoked, None, true))
        .unwrap();
    assert_eq!(prove_epochs_8_and_9(&verifier).1, ["OK", "VENDOR_REVOKED"]);
    let mut verifier = self::verifier();
    verifier
        .schedule_trust_store(9, store_where(&manifest(0), None, false))
        .unwrap();
    assert_eq!(prove_epochs_8_and_9(&verifier).1, ["OK", "UNKNOWN_ISSUER"]);
}

#[test]
fn a_chip_rebound_under_a_valid_certificate_earns_again() {
    let mut verifier = verifier();
    let revoking = store_where(&manifest(0), Some(intermediate_crl_revoking(&[100])), true);
    verifier.schedule_trust_store(9, revoking).unwrap();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"reissued chip");
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(9, 0), 1, at(9, 0))),
        "CERT_REVOKED"
    );
    // The vendor issues the chip a new certificate (serial 101); it binds again.
    let (_, certificate) = vendor(0)
        .mint_chip(
            b"reissued chip",
            &identity("poci-test-accel-a1", b"reissued chip"),
            101,
        )
        .unwrap();
    let mut tbs = binding_tbs(
        b"reissued chip",
        "poci-test-accel-a1",
        vec![certificate, vendor(0).intermediate_der.clone()],
    );
    let rebind_at = at(9, 1);
    tbs.binding_counter = 2;
    tbs.epoch = rebind_at.epoch;
    tbs.slot = rebind_at.slot;
    tbs.challenge = slot_challenge(rebind_at);
    let der = signed(tbs, &key);
    let outcome = ledger
        .apply_binding(
            &verifier,
            &der,
            rebind_at,
            &slot_challenge(rebind_at),
            WALLET,
            rebind_at,
        )
        .unwrap();
    assert!(matches!(outcome, poci::BindingOutcome::Rebound { .. }));
    assert_eq!(
        ledger.chain(key.key_id()).unwrap().levels[0].serial,
        vec![101]
    );
    assert_eq!(
        code(beat_at(&mut ledger, &verifier, &key, at(9, 2), 2, at(9, 2))),
        "OK"
    );
}

#[test]
fn the_chain_identity_travels_with_the_persisted_ledger() {
    let verifier = verifier();
    let mut ledger = ChipLedger::new(params());
    let key = bound(&mut ledger, &verifier, b"persisted chain");
    let chain = ledger.chain(key.key_id()).unwrap();
    assert_eq!(
        chain.levels.len(),
        2,
        "the device certificate and the intermediate"
    );
    assert_eq!(chain.levels[0].serial, vec![100]);
    let text = poci::json::to_json(&ledger).unwrap();
    let back: ChipLedger = poci::json::from_json(&text).unwrap();
    assert_eq!(back.chain(key.key_id()), Some(chain));
    assert_eq!(back, ledger);
}
