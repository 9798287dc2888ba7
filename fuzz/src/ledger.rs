//! The ledger driven by a fuzzer-chosen sequence of bindings, heartbeats, batches, epoch
//! closes and restores, over three real chips, three wallets and three epochs.
//!
//! Oracles: a refused input changes nothing; a batch equals its items applied one by one;
//! a closed epoch never credits more slots than it has; the persisted form restores to an
//! equal ledger.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};

use poci::{
    Backend, BindingSubmission, ChipLedger, DeviceKey, HeartbeatSubmission, HeartbeatTbs, Signed,
    SlotId,
};

use crate::fixtures::{BIND_EPOCH, BIND_SLOT, MODEL, NETWORK, SLOTS, fixtures, identity};

const CHIPS: u8 = 3;
const WALLETS: [&[u8]; 3] = [b"alice", b"bob", b"carol"];
/// Binding counters 0..=3.
const COUNTERS: u8 = 4;
/// Most operations taken from one input.
const MAX_OPS: usize = 24;
/// Most items in one fuzzed batch.
const MAX_BATCH: usize = 8;

/// The chips, and every binding of each (counter, wallet), signed once per process.
struct LedgerFixtures {
    chips: Vec<DeviceKey>,
    /// Indexed by `(chip * COUNTERS + counter) * 3 + wallet`.
    bindings: Vec<Vec<u8>>,
}

fn ledger_fixtures() -> &'static LedgerFixtures {
    static FIXTURES: OnceLock<LedgerFixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let fixtures = fixtures();
        let [vendor_a, _] = &fixtures.vendors;
        let mut chips = Vec::new();
        let mut bindings = Vec::new();
        for chip in 0..CHIPS {
            let serial = [b'S', b'N', b'-', b'L', b'0' + chip];
            let (key, certificate) = vendor_a
                .mint_chip(
                    &[b'l', chip],
                    &identity(MODEL, &serial),
                    500 + u64::from(chip),
                )
                .expect("ledger chip");
            for counter in 0..COUNTERS {
                for wallet in WALLETS {
                    let mut tbs = fixtures.binding_tbs(
                        &serial,
                        MODEL,
                        vec![certificate.clone(), vendor_a.intermediate_der.clone()],
                    );
                    tbs.binding_counter = u64::from(counter);
                    tbs.wallet = wallet.to_vec();
                    bindings.push(
                        Signed::sign(tbs, &key)
                            .and_then(|binding| binding.to_der())
                            .expect("ledger binding"),
                    );
                }
            }
            chips.push(key);
        }
        LedgerFixtures { chips, bindings }
    })
}

/// A binding chosen by indices (each wraps).
#[derive(Debug, Clone, Copy, Arbitrary)]
struct BindingChoice {
    chip: u8,
    counter: u8,
    wallet: u8,
}

/// A heartbeat chosen by its fields (each wraps; slot may fall outside the epoch).
#[derive(Debug, Clone, Copy, Arbitrary)]
struct HeartbeatChoice {
    chip: u8,
    epoch: u8,
    slot: u8,
    counter: u8,
    wallet: u8,
    right_challenge: bool,
}

/// A lease acceptance chosen by its fields (each wraps), applied at epoch `now_epoch`.
#[derive(Debug, Clone, Copy, Arbitrary)]
struct LeaseChoice {
    chip: u8,
    id: u8,
    first: u8,
    span: u8,
    price: u8,
    now_epoch: u8,
}

#[derive(Debug, Arbitrary)]
enum Operation {
    Bind(BindingChoice),
    BindBatch(Vec<BindingChoice>),
    Heartbeat(HeartbeatChoice),
    HeartbeatBatch(Vec<HeartbeatChoice>),
    Close(u8),
    Restore,
    Lease(LeaseChoice),
    Settle(u8),
}

/// The acceptance of a lease chosen by `choice`, signed by its chip.
fn lease_der(choice: LeaseChoice) -> Vec<u8> {
    let chips = &ledger_fixtures().chips;
    let key = chips
        .get(usize::from(choice.chip) % chips.len().max(1))
        .expect("the fixtures have chips");
    let first = u64::from(choice.first % 3);
    let tbs = poci::LeaseAcceptanceTbs {
        network_id: NETWORK.into(),
        lease_id: vec![b'L', choice.id % 3],
        renter_wallet: b"renter".to_vec(),
        chip_key_id: *key.key_id(),
        first_epoch: first,
        last_epoch: first.saturating_add(u64::from(choice.span % 2)),
        price: u128::from(choice.price).saturating_mul(1_000_003),
    };
    Signed::sign(tbs, key)
        .and_then(|lease| lease.to_der())
        .expect("lease acceptance")
}

fn wallet(index: u8) -> &'static [u8] {
    WALLETS
        .get(usize::from(index) % WALLETS.len())
        .copied()
        .unwrap_or(b"alice")
}

fn binding_der(choice: BindingChoice) -> &'static [u8] {
    let chip = usize::from(choice.chip % CHIPS);
    let counter = usize::from(choice.counter % COUNTERS);
    let wallet = usize::from(choice.wallet) % WALLETS.len();
    let index = (chip * usize::from(COUNTERS) + counter) * WALLETS.len() + wallet;
    ledger_fixtures()
        .bindings
        .get(index)
        .map_or(&[], Vec::as_slice)
}

/// A signed heartbeat, the slot it is submitted for, and that slot's challenge as submitted.
fn heartbeat(choice: HeartbeatChoice) -> Option<(Vec<u8>, SlotId, [u8; 32])> {
    let fixtures = fixtures();
    let key = ledger_fixtures()
        .chips
        .get(usize::from(choice.chip % CHIPS))?;
    let at = SlotId {
        epoch: u64::from(choice.epoch % 3),
        slot: u32::from(choice.slot) % (SLOTS + 1),
    };
    let mut challenge = if at.slot < SLOTS {
        fixtures.challenge(at.epoch, at.slot)
    } else {
        [0; 32]
    };
    if !choice.right_challenge {
        challenge[0] ^= 1;
    }
    let tbs = HeartbeatTbs {
        network_id: NETWORK.into(),
        chip_key_id: *key.key_id(),
        wallet: wallet(choice.wallet).to_vec(),
        epoch: at.epoch,
        slot: at.slot,
        challenge,
        counter: u64::from(choice.counter % 8),
        measurement: None,
    };
    let der = Signed::sign(tbs, key).ok()?.to_der().ok()?;
    Some((der, at, challenge))
}

/// Applies one operation, checking the oracles.
fn apply(ledger: &mut ChipLedger, verifier: &poci::Verifier, operation: &Operation) {
    let bind_challenge = fixtures().challenge(BIND_EPOCH, BIND_SLOT);
    let bind_at = SlotId {
        epoch: BIND_EPOCH,
        slot: BIND_SLOT,
    };
    let before = ledger.clone();
    match operation {
        Operation::Bind(choice) => {
            let result = ledger.apply_binding(
                verifier,
                binding_der(*choice),
                bind_at,
                &bind_challenge,
                wallet(choice.wallet),
                bind_at,
            );
            if result.is_err() {
                assert_eq!(*ledger, before, "a refused binding changed the ledger");
            }
        }
        Operation::BindBatch(choices) => {
            let submissions: Vec<BindingSubmission<'_>> = choices
                .iter()
                .take(MAX_BATCH)
                .map(|choice| {
                    BindingSubmission::poci(
                        binding_der(*choice),
                        bind_at,
                        &bind_challenge,
                        wallet(choice.wallet),
                    )
                })
                .collect();
            let mut sequential = before.clone();
            let one_by_one: Vec<_> = choices
                .iter()
                .take(MAX_BATCH)
                .map(|choice| {
                    sequential.apply_binding(
                        verifier,
                        binding_der(*choice),
                        bind_at,
                        &bind_challenge,
                        wallet(choice.wallet),
                        bind_at,
                    )
                })
                .collect();
            let together = ledger
                .apply_bindings(verifier, &submissions, bind_at)
                .expect("a small batch is within the limit");
            assert_eq!(
                together, one_by_one,
                "binding batch differs from one by one"
            );
            assert_eq!(*ledger, sequential, "binding batch left another state");
        }
        Operation::Heartbeat(choice) => {
            if let Some((der, at, challenge)) = heartbeat(*choice) {
                if ledger
                    .apply_heartbeat(verifier, &der, at, &challenge, at)
                    .is_err()
                {
                    assert_eq!(*ledger, before, "a refused heartbeat changed the ledger");
                }
            }
        }
        Operation::HeartbeatBatch(choices) => {
            let items: Vec<_> = choices
                .iter()
                .take(MAX_BATCH)
                .filter_map(|choice| heartbeat(*choice))
                .collect();
            let submissions: Vec<HeartbeatSubmission<'_>> = items
                .iter()
                .map(|(der, slot, challenge)| HeartbeatSubmission::poci(der, *slot, challenge))
                .collect();
            // One current slot for the batch: the latest item's (earlier ones may be late).
            let now = items
                .iter()
                .map(|(_, slot, _)| *slot)
                .max()
                .unwrap_or(SlotId { epoch: 0, slot: 0 });
            let mut sequential = before.clone();
            let one_by_one: Vec<_> = items
                .iter()
                .map(|(der, slot, challenge)| {
                    sequential.apply_heartbeat(verifier, der, *slot, challenge, now)
                })
                .collect();
            let together = ledger
                .apply_heartbeats(verifier, &submissions, now)
                .expect("a small batch is within the limit");
            assert_eq!(
                together, one_by_one,
                "heartbeat batch differs from one by one"
            );
            assert_eq!(*ledger, sequential, "heartbeat batch left another state");
        }
        Operation::Close(epoch) => match ledger.close_epoch(u64::from(epoch % 3), None, &[]) {
            Ok(closed) => {
                for entry in &closed.availability {
                    assert!(entry.proven_slots <= SLOTS, "more slots than the epoch has");
                    assert!(entry.proven_slots > 0, "an entry with no proven slot");
                }
                assert!(ledger.is_closed(closed.epoch));
            }
            Err(_) => assert_eq!(*ledger, before, "a refused close changed the ledger"),
        },
        Operation::Lease(choice) => {
            let now = SlotId {
                epoch: u64::from(choice.now_epoch % 3),
                slot: 0,
            };
            let result = ledger.apply_lease(verifier, &lease_der(*choice), now);
            match result {
                Ok(_) => assert!(ledger.lease(&[b'L', choice.id % 3]).is_some()),
                Err(_) => assert_eq!(*ledger, before, "a refused lease changed the ledger"),
            }
        }
        Operation::Settle(id) => match ledger.settle_lease(&[b'L', id % 3]) {
            Ok(settled) => {
                let price = before
                    .lease(&[b'L', id % 3])
                    .expect("a settled lease was held")
                    .lease
                    .price;
                assert_eq!(settled.rent + settled.refund, price, "rent and refund");
                assert!(
                    settled.proven_slots <= settled.due_slots,
                    "more proven than due"
                );
            }
            Err(_) => assert_eq!(*ledger, before, "a refused settlement changed the ledger"),
        },
        Operation::Restore => {
            let json = serde_json::to_string(&*ledger).expect("the ledger serialises");
            let restored: ChipLedger =
                serde_json::from_str(&json).expect("the persisted ledger restores");
            assert_eq!(restored, *ledger, "restore changed the ledger");
            *ledger = restored;
        }
    }
}

/// The ledger under a sequence of operations; whether any was applied.
pub fn ledger_apply(data: &[u8]) -> bool {
    let verifier = fixtures().verifier(Backend::Ring);
    // The widest grace, so late heartbeats of an epoch still reach the later checks.
    let mut policy = poci::NetworkPolicy::ledger_defaults(fixtures().params.clone());
    policy.grace_slots = SLOTS;
    let mut ledger = ChipLedger::with_policy(policy).expect("a valid policy");
    // One operation after another until the bytes run out: every input drives the ledger.
    let mut choices = Unstructured::new(data);
    let mut applied = false;
    for _ in 0..MAX_OPS {
        let Ok(operation) = Operation::arbitrary(&mut choices) else {
            break;
        };
        apply(&mut ledger, &verifier, &operation);
        applied = true;
        if choices.is_empty() {
            break;
        }
    }
    assert!(ledger.chip_count() <= usize::from(CHIPS));
    applied
}
