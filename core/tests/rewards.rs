//! Reward math: invariants (proptest), boundaries, and the worked examples of SPEC.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use poci::rewards::allocation::{AllocationInput, AllocationPolicy, MAX_RATING_MILLI_CU, allocate};
use poci::rewards::emission::{
    EmissionSchedule, HalvingSchedule, InflationSchedule, RewardDecay, RewardTier,
    TieredDecaySchedule,
};
use poci::rewards::lease::settle;
use poci::rewards::pools::{NamedPool, PoolSplit};
use poci::rewards::producer::select_producer;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::{Error, KeyId};
use proptest::prelude::*;

fn key(n: u8) -> KeyId {
    KeyId([n; 32])
}

fn entry(n: u8, rating: u64, slots: u32) -> AllocationInput {
    AllocationInput {
        key_id: key(n),
        wallet: vec![b'w', n],
        rating_milli_cu: rating,
        proven_slots: slots,
        selected_slots: None,
    }
}

const POLICY: AllocationPolicy = AllocationPolicy {
    slots_per_epoch: 120,
    min_availability_bps: 0,
};

fn halving() -> EmissionSchedule {
    EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1000,
        epochs_per_era: 10,
        cap: 1_000_000,
    })
}

fn tiered() -> EmissionSchedule {
    EmissionSchedule::TieredDecay(TieredDecaySchedule {
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
    })
}

fn inflation() -> EmissionSchedule {
    EmissionSchedule::Inflation(InflationSchedule {
        initial_supply: 1_000_000,
        bps_per_year: 500,
        epochs_per_year: 4,
        cap: 1_100_000,
    })
}

// ---- Worked examples of SPEC.md section 15 -------------------------------------------

#[test]
fn worked_example_halving() {
    let s = halving();
    assert_eq!(s.emission(9).unwrap(), 1000);
    assert_eq!(s.emission(10).unwrap(), 500);
    assert_eq!(s.emission(20).unwrap(), 250);
    assert_eq!(s.cumulative(25).unwrap(), 16_250);
    // Era 128 and beyond issue nothing; the cap is never passed.
    assert_eq!(s.emission(1280).unwrap(), 0);
    assert_eq!(s.cumulative(u64::MAX).unwrap(), 19_940);
}

#[test]
fn worked_example_tiered_decay() {
    let s = tiered();
    let emissions: Vec<u128> = (0..9).map(|e| s.emission(e).unwrap()).collect();
    assert_eq!(
        emissions,
        vec![1000, 750, 500, 300, 250, 135, 105, 100, 100]
    );
    assert_eq!(s.cumulative(8).unwrap(), 3140);
}

#[test]
fn worked_example_inflation() {
    let s = inflation();
    assert_eq!(s.cumulative(0).unwrap(), 1_000_000);
    assert_eq!(s.emission(0).unwrap(), 12_500);
    assert_eq!(s.cumulative(4).unwrap(), 1_050_000);
    assert_eq!(s.cumulative(5).unwrap(), 1_063_125);
    assert_eq!(s.emission(7).unwrap(), 10_625);
    assert_eq!(s.cumulative(8).unwrap(), 1_100_000);
    assert_eq!(s.emission(8).unwrap(), 0);
}

#[test]
fn worked_example_pools() {
    let amounts = PoolSplit::default().split(1_000_003).unwrap();
    assert_eq!(amounts.miners, 970_003);
    assert!(amounts.pools.iter().all(|pool| pool.amount == 10_000));
    let names: Vec<&str> = amounts
        .pools
        .iter()
        .map(|pool| pool.name.as_str())
        .collect();
    assert_eq!(names, ["technology-fund", "dao", "initial-mining"]);
}

#[test]
fn worked_example_allocation() {
    let allocation = allocate(
        1000,
        &[entry(3, 1, 1), entry(1, 3, 1), entry(2, 3, 1)],
        &POLICY,
    )
    .unwrap();
    let rewards: Vec<u128> = allocation.shares.iter().map(|share| share.reward).collect();
    assert_eq!(rewards, vec![429, 428, 143]);
    assert_eq!(allocation.unallocated, 0);
}

#[test]
fn worked_example_lease() {
    let settlement = settle(1000, 3, 2).unwrap();
    assert_eq!((settlement.rent, settlement.refund), (666, 334));
}

#[test]
fn worked_example_producer() {
    let candidates = [(key(1), 1u128), (key(2), 2), (key(3), 7)];
    let winners: Vec<u8> = (0u8..8)
        .map(|b| select_producer(&[b; 32], &candidates).unwrap().unwrap().0[0])
        .collect();
    assert_eq!(winners, WORKED_PRODUCERS);
}

/// Winners for beacons `00..00` to `07..07` over weights 1, 2, 7 (SPEC.md 15).
const WORKED_PRODUCERS: [u8; 8] = [1, 3, 3, 3, 2, 1, 3, 2];

#[test]
fn spec_shows_the_worked_examples() {
    let spec = include_str!("data/SPEC.md");
    for line in [
        "C(25) = 16250",
        "1000, 750, 500, 300, 250, 135, 105, 100, 100",
        "C(5) = 1063125",
        "miners 970003",
        "429, 428, 143",
        "rent 666, refund 334",
        &format!("{WORKED_PRODUCERS:?}"),
    ] {
        assert!(
            spec.contains(line),
            "SPEC.md section 15 does not show `{line}`"
        );
    }
}

// ---- Boundaries ------------------------------------------------------------------------

#[test]
fn halving_era_edges_and_far_epochs() {
    let s = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1 << 100,
        epochs_per_era: 1 << 20,
        cap: u128::MAX,
    });
    let era = 1u64 << 20;
    assert_eq!(s.emission(era - 1).unwrap(), 1 << 100);
    assert_eq!(s.emission(era).unwrap(), 1 << 99);
    assert_eq!(s.emission(era + 1).unwrap(), 1 << 99);
    for epoch in [
        1u64 << 32,
        (1 << 32) + 1,
        1 << 63,
        (1 << 63) - 1,
        u64::MAX - 1,
        u64::MAX,
    ] {
        assert_eq!(s.emission(epoch).unwrap(), 0, "{epoch}");
        assert!(s.cumulative(epoch).unwrap() <= s.cap());
    }
}

#[test]
fn last_epoch_before_the_cap() {
    // 1000 a epoch forever, capped at 10500: epoch 10 is the last, and only partly paid.
    let s = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1000,
        epochs_per_era: u64::MAX,
        cap: 10_500,
    });
    assert_eq!(s.emission(9).unwrap(), 1000);
    assert_eq!(s.emission(10).unwrap(), 500);
    assert_eq!(s.emission(11).unwrap(), 0);
    assert_eq!(s.cumulative(1 << 63).unwrap(), 10_500);
    // Overflowing intermediates mean "beyond the cap", never an error.
    let huge = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: u128::MAX,
        epochs_per_era: u64::MAX,
        cap: u128::MAX - 5,
    });
    assert_eq!(huge.cumulative(u64::MAX).unwrap(), u128::MAX - 5);
    assert_eq!(huge.emission(u64::MAX).unwrap(), 0);
}

#[test]
fn published_schedule_in_tokens() {
    let decay = RewardDecay {
        start_block: 4_000_000,
        period_blocks: 100_000,
        rate_num: 99,
        rate_den: 100,
        floor_per_block: 1_000_000_000_000_000_000_000_000,
    };
    let s = EmissionSchedule::TieredDecay(TieredDecaySchedule::published(
        120,
        [1_000_000, 2_000_000, 3_000_000],
        decay,
        u128::MAX,
    ));
    let token = 1_000_000_000_000_000_000_000_000u128;
    assert_eq!(s.emission(0).unwrap(), 120 * 100 * token);
    assert_eq!(s.emission(1_000_000 / 120 + 1).unwrap(), 120 * 75 * token);
    assert!(s.emission(u64::MAX).is_ok());
    assert!(s.emission(1 << 40).unwrap() >= 120 * token);
}

#[test]
fn allocation_edges() {
    // Zero chips: the whole pool is unallocated, never lost.
    let empty = allocate(777, &[], &POLICY).unwrap();
    assert_eq!((empty.unallocated, empty.shares.len()), (777, 0));
    // One chip takes everything.
    let single = allocate(777, &[entry(1, 5, 3)], &POLICY).unwrap();
    assert_eq!(single.shares[0].reward, 777);
    // Equal weights: the remainder goes to the smallest key ids.
    let equal: Vec<AllocationInput> = (0..7).map(|n| entry(n, 10, 120)).collect();
    let rewards: Vec<u128> = allocate(100, &equal, &POLICY)
        .unwrap()
        .shares
        .iter()
        .map(|s| s.reward)
        .collect();
    assert_eq!(rewards, vec![15, 15, 14, 14, 14, 14, 14]);
    // Documented maxima do not overflow, with the largest pool.
    let max: Vec<AllocationInput> = (0..=255)
        .map(|n| entry(n, MAX_RATING_MILLI_CU, 120))
        .collect();
    let allocation = allocate(u128::MAX, &max, &POLICY).unwrap();
    assert_eq!(
        allocation.shares.iter().map(|s| s.reward).sum::<u128>(),
        u128::MAX
    );
    // Above them: refused.
    assert_eq!(
        allocate(1, &[entry(1, MAX_RATING_MILLI_CU + 1, 1)], &POLICY).unwrap_err(),
        Error::AllocationOutOfBounds
    );
    assert_eq!(
        allocate(1, &[entry(1, 1, 121)], &POLICY).unwrap_err(),
        Error::AllocationOutOfBounds
    );
}

#[test]
fn availability_threshold() {
    let policy = AllocationPolicy {
        slots_per_epoch: 120,
        min_availability_bps: 9_000,
    };
    // 108 of 120 is exactly 90%: eligible; 107 is not.
    let allocation = allocate(1000, &[entry(1, 1, 108), entry(2, 1, 107)], &policy).unwrap();
    assert_eq!(
        (allocation.shares[0].reward, allocation.shares[1].reward),
        (1000, 0)
    );
    assert!(!allocation.shares[1].eligible);
    let nobody = allocate(1000, &[entry(2, 1, 107)], &policy).unwrap();
    assert_eq!(nobody.unallocated, 1000);
}

#[test]
fn per_wallet_totals() {
    let mut a = entry(1, 10, 10);
    let mut b = entry(2, 10, 10);
    a.wallet = b"alice".to_vec();
    b.wallet = b"alice".to_vec();
    let c = AllocationInput {
        wallet: b"bob".to_vec(),
        ..entry(3, 20, 10)
    };
    let allocation = allocate(1000, &[a, b, c], &POLICY).unwrap();
    let wallets: Vec<(Vec<u8>, u128)> = allocation
        .wallets
        .iter()
        .map(|w| (w.wallet.clone(), w.reward))
        .collect();
    assert_eq!(
        wallets,
        vec![(b"alice".to_vec(), 500), (b"bob".to_vec(), 500)]
    );
}

#[test]
fn code_invalid_schedule() {
    let zero = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1,
        epochs_per_era: 0,
        cap: 1,
    });
    assert_eq!(zero.emission(0).unwrap_err().code(), "INVALID_SCHEDULE");
    let EmissionSchedule::TieredDecay(mut bad) = tiered() else {
        unreachable!()
    };
    bad.decay.rate_num = 1023;
    bad.decay.rate_den = 1024;
    assert!(
        EmissionSchedule::TieredDecay(bad.clone())
            .validate()
            .is_ok()
    );
    bad.decay.rate_num = 2047;
    bad.decay.rate_den = 2048;
    assert_eq!(
        EmissionSchedule::TieredDecay(bad)
            .validate()
            .unwrap_err()
            .code(),
        "INVALID_SCHEDULE"
    );
    let over = EmissionSchedule::Inflation(InflationSchedule {
        initial_supply: 2,
        bps_per_year: 1,
        epochs_per_year: 1,
        cap: 1,
    });
    assert_eq!(over.cumulative(0).unwrap_err().code(), "INVALID_SCHEDULE");
}

#[test]
fn code_invalid_pools() {
    let split = PoolSplit {
        miners_bps: 9_600,
        ..PoolSplit::default()
    };
    assert_eq!(split.split(1).unwrap_err().code(), "INVALID_POOLS");
    let mut named_miners = PoolSplit::default();
    named_miners.pools[0] = NamedPool {
        name: "miners".into(),
        bps: 100,
    };
    assert_eq!(named_miners.validate().unwrap_err().code(), "INVALID_POOLS");
}

#[test]
fn code_allocation_out_of_bounds() {
    let policy = AllocationPolicy {
        slots_per_epoch: 0,
        min_availability_bps: 0,
    };
    assert_eq!(
        allocate(1, &[], &policy).unwrap_err().code(),
        "ALLOCATION_OUT_OF_BOUNDS"
    );
}

#[test]
fn code_duplicate_allocation_entry() {
    assert_eq!(
        allocate(1, &[entry(1, 1, 1), entry(1, 2, 2)], &POLICY)
            .unwrap_err()
            .code(),
        "DUPLICATE_ALLOCATION_ENTRY"
    );
}

#[test]
fn code_lease_out_of_bounds() {
    assert_eq!(settle(1, 0, 0).unwrap_err().code(), "LEASE_OUT_OF_BOUNDS");
    assert_eq!(settle(1, 3, 4).unwrap_err().code(), "LEASE_OUT_OF_BOUNDS");
}

#[test]
fn code_amount_overflow() {
    // Producer weights that sum beyond u128.
    let result = select_producer(&[0; 32], &[(key(1), u128::MAX), (key(2), 1)]);
    assert_eq!(result.unwrap_err().code(), "AMOUNT_OVERFLOW");
}

#[test]
fn schedules_and_reports_have_stable_json() {
    let json = serde_json::to_string(&halving()).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"halving","base_per_epoch":"1000","epochs_per_era":"10","cap":"1000000"}"#
    );
    let back: EmissionSchedule = serde_json::from_str(&json).unwrap();
    assert_eq!(back, halving());
}

// ---- Invariants ------------------------------------------------------------------------

fn any_schedule() -> impl Strategy<Value = EmissionSchedule> {
    prop_oneof![
        (any::<u128>(), 1u64..1000, any::<u128>()).prop_map(|(base, era, cap)| {
            EmissionSchedule::Halving(HalvingSchedule {
                base_per_epoch: base >> 20,
                epochs_per_era: era,
                cap,
            })
        }),
        (
            1u64..50,
            1u128..1 << 90,
            0u128..1 << 80,
            1u64..20,
            1u64..512,
            any::<u128>()
        )
            .prop_map(|(blocks, r0, floor, period, num, cap)| {
                let top = r0 + floor;
                EmissionSchedule::TieredDecay(TieredDecaySchedule {
                    blocks_per_epoch: blocks,
                    tiers: vec![
                        RewardTier {
                            start_block: 0,
                            reward_per_block: top * 3,
                        },
                        RewardTier {
                            start_block: 7,
                            reward_per_block: top * 2,
                        },
                        RewardTier {
                            start_block: 30,
                            reward_per_block: top,
                        },
                    ],
                    decay: RewardDecay {
                        start_block: 45,
                        period_blocks: period,
                        rate_num: num,
                        rate_den: 1024,
                        floor_per_block: floor,
                    },
                    cap,
                })
            }),
        (0u128..1 << 100, 100u32..=10_000, 1u64..100, any::<u128>()).prop_map(
            |(initial, bps, year, extra)| {
                EmissionSchedule::Inflation(InflationSchedule {
                    initial_supply: initial,
                    bps_per_year: bps,
                    epochs_per_year: year,
                    cap: initial.saturating_add(extra >> 1),
                })
            }
        ),
    ]
}

fn any_epoch() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..200,
        any::<u64>(),
        (0u64..64).prop_map(|shift| 1u64 << shift)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn cumulative_never_decreases_nor_passes_the_cap(schedule in any_schedule(), a in any_epoch(), b in any_epoch()) {
        let (low, high) = (a.min(b), a.max(b));
        let c_low = schedule.cumulative(low).unwrap();
        let c_high = schedule.cumulative(high).unwrap();
        prop_assert!(c_low <= c_high);
        prop_assert!(c_high <= schedule.cap());
        // Emissions telescope: the sum over a run equals the cumulative difference.
        let start = low.min(u64::MAX - 16);
        let sum: u128 = (start..start + 16).map(|e| schedule.emission(e).unwrap()).sum();
        prop_assert_eq!(sum, schedule.cumulative(start + 16).unwrap() - schedule.cumulative(start).unwrap());
    }

    #[test]
    fn pools_sum_to_the_emission(emission in any::<u128>(), bps in proptest::collection::vec(0u32..=10_000, 0..5)) {
        let total: u32 = bps.iter().sum();
        prop_assume!(total <= 10_000);
        let split = PoolSplit {
            miners_bps: 10_000 - total,
            pools: bps.iter().enumerate().map(|(i, bps)| NamedPool { name: format!("pool-{i}"), bps: *bps }).collect(),
        };
        let amounts = split.split(emission).unwrap();
        let others: u128 = amounts.pools.iter().map(|pool| pool.amount).sum();
        prop_assert_eq!(amounts.miners + others, emission);
    }

    #[test]
    fn shares_sum_to_the_pool_and_follow_weight(
        pool in any::<u128>(),
        raw in proptest::collection::vec((any::<u8>(), 0u64..=MAX_RATING_MILLI_CU, 0u32..=120), 0..40),
        threshold in 0u32..=10_000,
        seed in any::<u64>(),
    ) {
        let mut entries: Vec<AllocationInput> = Vec::new();
        for (n, rating, slots) in raw {
            if entries.iter().all(|e| e.key_id != key(n)) {
                entries.push(entry(n, rating, slots));
            }
        }
        let policy = AllocationPolicy { slots_per_epoch: 120, min_availability_bps: threshold };
        let allocation = allocate(pool, &entries, &policy).unwrap();
        let total: u128 = allocation.shares.iter().map(|share| share.reward).sum();
        prop_assert_eq!(total + allocation.unallocated, pool);
        let wallets: u128 = allocation.wallets.iter().map(|wallet| wallet.reward).sum();
        prop_assert_eq!(wallets, total);
        for a in &allocation.shares {
            for b in &allocation.shares {
                if a.weight > b.weight {
                    prop_assert!(a.reward >= b.reward);
                }
            }
        }
        // Input order does not matter.
        let mut shuffled = entries.clone();
        let len = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % len);
        shuffled.reverse();
        prop_assert_eq!(allocate(pool, &shuffled, &policy).unwrap(), allocation);
    }

    #[test]
    fn lease_parts_sum_to_the_price(price in any::<u128>(), slots in 1u128..1 << 70, proven in any::<u128>()) {
        let proven = proven % (slots + 1);
        let settlement = settle(price, slots, proven).unwrap();
        prop_assert_eq!(settlement.rent + settlement.refund, price);
    }

    #[test]
    fn producer_is_a_weighted_candidate_whatever_the_order(
        beacon in any::<[u8; 32]>(),
        weights in proptest::collection::vec(0u128..1 << 100, 1..20),
    ) {
        let candidates: Vec<(KeyId, u128)> = weights.iter().enumerate().map(|(i, w)| (key(i as u8), *w)).collect();
        let winner = select_producer(&beacon, &candidates).unwrap();
        let mut reversed = candidates.clone();
        reversed.reverse();
        prop_assert_eq!(select_producer(&beacon, &reversed).unwrap(), winner);
        match winner {
            None => prop_assert!(weights.iter().all(|w| *w == 0)),
            Some(id) => prop_assert!(candidates.iter().any(|(k, w)| *k == id && *w > 0)),
        }
    }
}

#[test]
fn producer_frequencies_follow_weights() {
    let candidates = [(key(1), 1u128), (key(2), 3)];
    let mut counts = [0u32; 2];
    for i in 0u32..4000 {
        let mut beacon = [0u8; 32];
        beacon[..4].copy_from_slice(&i.to_be_bytes());
        let winner = select_producer(&beacon, &candidates).unwrap().unwrap();
        counts[usize::from(winner.0[0] - 1)] += 1;
    }
    // Expect 1000 / 3000; allow a generous statistical margin.
    assert!((850..1150).contains(&counts[0]), "{counts:?}");
}

/// Finding R7 of the Step 12 review: the report of the last epoch gives `C(2^64)`, the
/// supply once that epoch is paid, so supply before plus emission is supply after.
#[test]
fn the_last_epoch_reports_the_supply_after_it() {
    let schedule = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: 1_000,
        epochs_per_era: u64::MAX,
        cap: u128::MAX,
    });
    let last = u64::MAX;
    let before = schedule.cumulative(last).unwrap();
    let emission = schedule.emission(last).unwrap();
    // Epoch 2^64 - 1 opens the second era.
    assert_eq!(emission, 500);
    assert_eq!(schedule.supply_after(last).unwrap(), before + emission);
    let report = EpochReport::compute(
        last,
        &schedule,
        &PoolSplit::default(),
        &[],
        &AllocationPolicy {
            slots_per_epoch: 120,
            min_availability_bps: 0,
        },
        RejectionTally::default(),
    )
    .unwrap();
    assert_eq!(report.supply_after, before + emission);
}
