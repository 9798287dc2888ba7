//! The ledger and the reward math: applying a batch of heartbeats and closing an epoch
//! (against one raw verify of the same run), and allocating the miners' pool over 10k,
//! 100k and 1M chips (the growth must stay within n log n).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

#[path = "support/fleet.rs"]
mod fleet;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use poci::rewards::allocation::{AllocationInput, AllocationPolicy, allocate};
use poci::x509::mint::TestVendor;
use poci::{
    Backend, BindingSubmission, ChipLedger, DeviceKey, HeartbeatRef, HeartbeatSubmission,
    HeartbeatTbs, KeyId, NetworkParams, Signed, SlotId, TrustStore, Verifier, derive_challenge,
    verify_signature,
};

const CHIPS: usize = 2048;

/// A ledger with `CHIPS` bound chips, and one heartbeat of each for slot 1.
fn bound_ledger() -> (Verifier, ChipLedger, Vec<Vec<u8>>, [u8; 32], DeviceKey) {
    let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
    let params = NetworkParams::new("poci-bench", 1_767_225_600, 3600, 120).unwrap();
    let bind_at = SlotId { epoch: 1, slot: 0 };
    let beat_at = SlotId { epoch: 1, slot: 1 };
    let bind_challenge = derive_challenge(&params, 1, 0, &[1; 32]).unwrap();
    let beat_challenge = derive_challenge(&params, 1, 1, &[2; 32]).unwrap();
    let verifier = Verifier::with_trust_store(TrustStore::embedded_testnet().unwrap());
    let mut ledger = ChipLedger::new(params);
    let chips: Vec<(DeviceKey, Vec<u8>)> = (0..CHIPS)
        .map(|index| {
            fleet::bound_chip(
                &vendor,
                "ledger",
                index,
                "poci-bench",
                b"bench-wallet",
                bind_challenge,
            )
        })
        .collect();
    let submissions: Vec<BindingSubmission<'_>> = chips
        .iter()
        .map(|(_, der)| BindingSubmission::poci(der, bind_at, &bind_challenge, b"bench-wallet"))
        .collect();
    assert!(
        ledger
            .apply_bindings(&verifier, &submissions, bind_at)
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
    let heartbeats = chips
        .iter()
        .map(|(key, _)| {
            let tbs = HeartbeatTbs {
                network_id: "poci-bench".into(),
                chip_key_id: *key.key_id(),
                wallet: b"bench-wallet".to_vec(),
                epoch: beat_at.epoch,
                slot: beat_at.slot,
                challenge: beat_challenge,
                counter: 1,
                measurement: None,
            };
            Signed::sign(tbs, key).unwrap().to_der().unwrap()
        })
        .collect();
    let first = chips.into_iter().next().unwrap().0;
    (verifier, ledger, heartbeats, beat_challenge, first)
}

fn bench_ledger(c: &mut Criterion) {
    let (verifier, ledger, heartbeats, challenge, first_key) = bound_ledger();
    let at = SlotId { epoch: 1, slot: 1 };
    let submissions: Vec<HeartbeatSubmission<'_>> = heartbeats
        .iter()
        .map(|der| HeartbeatSubmission::poci(der, at, &challenge))
        .collect();
    let parsed = HeartbeatRef::from_der(&heartbeats[0]).unwrap();
    let mut group = c.benchmark_group("ledger");
    group.bench_function("raw_verify/ring", |b| {
        b.iter(|| {
            verify_signature(
                Backend::default(),
                first_key.public_key(),
                parsed.tbs_der(),
                parsed.signature(),
            )
            .unwrap()
        });
    });
    group.sample_size(10);
    group.throughput(Throughput::Elements(CHIPS as u64));
    let all = rayon::current_num_threads();
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("apply_heartbeats_{CHIPS}/threads-{threads}"), |b| {
            b.iter_batched(
                || ledger.clone(),
                |mut fresh| {
                    pool.install(|| {
                        let results = fresh.apply_heartbeats(&verifier, &submissions, at).unwrap();
                        assert!(results.iter().all(Result::is_ok));
                    });
                    fresh
                },
                BatchSize::LargeInput,
            );
        });
    }
    let mut proven = ledger.clone();
    assert!(
        proven
            .apply_heartbeats(&verifier, &submissions, at)
            .unwrap()
            .iter()
            .all(Result::is_ok)
    );
    group.bench_function(format!("close_epoch_{CHIPS}"), |b| {
        b.iter_batched(
            || proven.clone(),
            |mut fresh| {
                let closed = fresh.close_epoch(1, None, &[]).unwrap();
                assert_eq!(closed.availability.len(), CHIPS);
                fresh
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

/// `count` chips with varied ratings and availability.
fn allocation_inputs(count: usize) -> Vec<AllocationInput> {
    (0..count)
        .map(|index| {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(
                &(index as u64)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .to_be_bytes(),
            );
            AllocationInput {
                key_id: KeyId(key),
                wallet: format!("wallet-{}", index % 997).into_bytes(),
                rating_milli_cu: 1_000 + (index as u64 % 1_000_000),
                proven_slots: 1 + (index as u32 % 24),
                selected_slots: None,
            }
        })
        .collect()
}

fn bench_allocation(c: &mut Criterion) {
    let policy = AllocationPolicy {
        slots_per_epoch: 24,
        min_availability_bps: 2_500,
    };
    let pool: u128 = 279_360 * 1_000_000_000_000_000_000_000_000;
    let mut group = c.benchmark_group("allocation");
    group.sample_size(10);
    for count in [10_000usize, 100_000, 1_000_000] {
        let inputs = allocation_inputs(count);
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function(format!("allocate/{count}"), |b| {
            b.iter(|| {
                let allocation = allocate(pool, &inputs, &policy).unwrap();
                assert_eq!(allocation.shares.len(), count);
                allocation
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ledger, bench_allocation);
criterion_main!(benches);
