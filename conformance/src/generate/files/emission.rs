//! The `emission` vector file (conformance/vectors/emission.json) and its builders.

use super::*;

pub(super) fn emission() -> Result<VectorFile> {
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
        Ok(json!({ "schedule": json_value(&schedule)?, "epoch": epoch.to_string() }))
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
