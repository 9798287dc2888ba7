//! Emission schedules (SPEC.md, "Emission"). Each is defined by its cumulative supply
//! `C(t)`, the total issued before epoch `t`, capped: `min(C_raw(t), cap)`. The emission of
//! epoch `e` is `C(e + 1) - C(e)`, so per-epoch truncation can never accumulate drift.
//!
//! Where an intermediate of `C_raw` exceeds `u128`, `C_raw` exceeds every cap, and `C` is
//! the cap: that is the definition, not an approximation.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, ScheduleProblem};
use crate::json::{dec_u64, dec_u128};
use crate::rewards::wide::mul_div;

/// Most tiers of a tiered schedule.
pub const MAX_TIERS: usize = 64;
/// Largest denominator of a decay rate.
pub const MAX_DECAY_DENOMINATOR: u64 = 1 << 32;
/// Largest excess above the floor that decays (so `excess * num` fits a `u128`).
pub const MAX_DECAY_EXCESS: u128 = 1 << 96;

fn invalid(problem: ScheduleProblem) -> Error {
    Error::InvalidSchedule { problem }
}

/// Halving: epoch `t` of era `k = t div epochs_per_era` issues `base_per_epoch >> k`
/// (nothing from era 128 on).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HalvingSchedule {
    /// Issuance per epoch in era 0, base units.
    #[serde(with = "dec_u128")]
    pub base_per_epoch: u128,
    /// Epochs per era.
    #[serde(with = "dec_u64")]
    pub epochs_per_era: u64,
    /// Supply cap, base units.
    #[serde(with = "dec_u128")]
    pub cap: u128,
}

/// A per-block reward from `start_block` until the next tier (or the decay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardTier {
    /// First block of the tier.
    #[serde(with = "dec_u64")]
    pub start_block: u64,
    /// Reward per block, base units.
    #[serde(with = "dec_u128")]
    pub reward_per_block: u128,
}

/// Decay after the last tier: every `period_blocks` the excess of the per-block reward
/// above `floor_per_block` is multiplied by `rate_num / rate_den`, rounding down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardDecay {
    /// First block of the decay (at or after the last tier's start).
    #[serde(with = "dec_u64")]
    pub start_block: u64,
    /// Blocks per decay step.
    #[serde(with = "dec_u64")]
    pub period_blocks: u64,
    /// Numerator of the rate.
    #[serde(with = "dec_u64")]
    pub rate_num: u64,
    /// Denominator of the rate.
    #[serde(with = "dec_u64")]
    pub rate_den: u64,
    /// The per-block reward the decay approaches, base units.
    #[serde(with = "dec_u128")]
    pub floor_per_block: u128,
}

/// The published tiered schedule (100, 75, 50, then 30 tokens per block at configurable
/// heights), then decay toward a floor; epochs are `blocks_per_epoch` blocks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TieredDecaySchedule {
    /// Blocks per epoch.
    #[serde(with = "dec_u64")]
    pub blocks_per_epoch: u64,
    /// Tiers, the first starting at block 0, starts strictly increasing.
    pub tiers: Vec<RewardTier>,
    /// The decay after the last tier.
    pub decay: RewardDecay,
    /// Supply cap, base units.
    #[serde(with = "dec_u128")]
    pub cap: u128,
}

/// Inflation: each year (`epochs_per_year` epochs) adds `bps_per_year / 10000` of the
/// supply at the year's start (rounded down), issued linearly over the year's epochs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InflationSchedule {
    /// Supply at genesis, base units.
    #[serde(with = "dec_u128")]
    pub initial_supply: u128,
    /// Yearly inflation in basis points (at most 10000).
    pub bps_per_year: u32,
    /// Epochs per year.
    #[serde(with = "dec_u64")]
    pub epochs_per_year: u64,
    /// Supply cap, base units.
    #[serde(with = "dec_u128")]
    pub cap: u128,
}

/// An emission schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmissionSchedule {
    /// Halving every era.
    Halving(HalvingSchedule),
    /// Tiers, then decay toward a floor.
    TieredDecay(TieredDecaySchedule),
    /// Yearly inflation on the current supply.
    Inflation(InflationSchedule),
}

/// `a * b` as an "exceeds every cap" option.
fn mul(a: u128, b: u128) -> Option<u128> {
    a.checked_mul(b)
}

impl HalvingSchedule {
    fn validate(&self) -> Result<()> {
        if self.epochs_per_era == 0 {
            return Err(invalid(ScheduleProblem::ZeroLength));
        }
        Ok(())
    }

    fn cumulative_raw(&self, t: u128) -> Option<u128> {
        let era_len = u128::from(self.epochs_per_era);
        let era = t.checked_div(era_len)?;
        let mut total: u128 = 0;
        for k in 0..era.min(128) {
            let reward = self.base_per_epoch.checked_shr(u32::try_from(k).ok()?)?;
            total = total.checked_add(mul(era_len, reward)?)?;
        }
        if era < 128 {
            let into_era = t.checked_sub(era.checked_mul(era_len)?)?;
            let reward = self.base_per_epoch.checked_shr(u32::try_from(era).ok()?)?;
            total = total.checked_add(mul(into_era, reward)?)?;
        }
        Some(total)
    }
}

impl TieredDecaySchedule {
    fn validate(&self) -> Result<()> {
        let decay = &self.decay;
        if self.blocks_per_epoch == 0 || decay.period_blocks == 0 {
            return Err(invalid(ScheduleProblem::ZeroLength));
        }
        let (Some(first), Some(last)) = (self.tiers.first(), self.tiers.last()) else {
            return Err(invalid(ScheduleProblem::Tiers));
        };
        let increasing = self
            .tiers
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.start_block < b.start_block));
        if first.start_block != 0 || !increasing || self.tiers.len() > MAX_TIERS {
            return Err(invalid(ScheduleProblem::Tiers));
        }
        let excess = last.reward_per_block.checked_sub(decay.floor_per_block);
        // The rate must shrink the excess by at least 1/1024 a step, so the decay reaches the
        // floor within a bounded number of steps (SPEC.md).
        let gap_ok = decay
            .rate_den
            .checked_sub(decay.rate_num)
            .and_then(|gap| gap.checked_mul(1024))
            .is_some_and(|gap| gap >= decay.rate_den);
        if decay.start_block < last.start_block
            || excess.is_none_or(|excess| excess > MAX_DECAY_EXCESS)
            || decay.rate_den == 0
            || decay.rate_den > MAX_DECAY_DENOMINATOR
            || !gap_ok
        {
            return Err(invalid(ScheduleProblem::Decay));
        }
        Ok(())
    }

    /// Supply issued in blocks `[0, h)`.
    fn blocks_cumulative_raw(&self, h: u128) -> Option<u128> {
        let decay = &self.decay;
        let decay_start = u128::from(decay.start_block);
        let mut total: u128 = 0;
        for (index, tier) in self.tiers.iter().enumerate() {
            let start = u128::from(tier.start_block);
            let end = self
                .tiers
                .get(index.checked_add(1)?)
                .map_or(decay_start, |next| u128::from(next.start_block));
            let covered = h.min(end).saturating_sub(start);
            total = total.checked_add(mul(covered, tier.reward_per_block)?)?;
        }
        if h <= decay_start {
            return Some(total);
        }
        let last = self.tiers.last()?;
        let period = u128::from(decay.period_blocks);
        let into_decay = h.checked_sub(decay_start)?;
        let periods = into_decay.checked_div(period)?;
        let partial = into_decay.checked_rem(period)?;
        let mut excess = last.reward_per_block.checked_sub(decay.floor_per_block)?;
        let mut step: u128 = 0;
        while step < periods && excess > 0 {
            let reward = decay.floor_per_block.checked_add(excess)?;
            total = total.checked_add(mul(period, reward)?)?;
            excess =
                mul(excess, u128::from(decay.rate_num))?.checked_div(u128::from(decay.rate_den))?;
            step = step.checked_add(1)?;
        }
        let remaining_periods = periods.checked_sub(step)?;
        total = total.checked_add(mul(mul(remaining_periods, period)?, decay.floor_per_block)?)?;
        let reward = decay.floor_per_block.checked_add(excess)?;
        total.checked_add(mul(partial, reward)?)
    }

    fn cumulative_raw(&self, t: u128) -> Option<u128> {
        self.blocks_cumulative_raw(mul(t, u128::from(self.blocks_per_epoch))?)
    }
}

impl InflationSchedule {
    fn validate(&self) -> Result<()> {
        if self.epochs_per_year == 0 {
            return Err(invalid(ScheduleProblem::ZeroLength));
        }
        if self.bps_per_year > 10_000 || self.initial_supply > self.cap {
            return Err(invalid(ScheduleProblem::Inflation));
        }
        Ok(())
    }

    fn increase(&self, supply: u128) -> Result<u128> {
        mul_div(supply, u128::from(self.bps_per_year), 10_000)
    }

    /// `C(t)`, capped (the loop stops once the supply reaches the cap or stops growing).
    fn cumulative(&self, t: u128) -> Result<u128> {
        let year_len = u128::from(self.epochs_per_year);
        let years = t.checked_div(year_len).ok_or(Error::AmountOverflow)?;
        let into_year = t.checked_rem(year_len).ok_or(Error::AmountOverflow)?;
        let mut supply = self.initial_supply;
        let mut year: u128 = 0;
        while year < years && supply < self.cap {
            let increase = self.increase(supply)?;
            if increase == 0 {
                break;
            }
            supply = supply.checked_add(increase).unwrap_or(self.cap);
            year = year.checked_add(1).ok_or(Error::AmountOverflow)?;
        }
        if supply >= self.cap {
            return Ok(self.cap);
        }
        let partial = mul_div(self.increase(supply)?, into_year, year_len)?;
        Ok(supply
            .checked_add(partial)
            .map_or(self.cap, |total| total.min(self.cap)))
    }
}

impl EmissionSchedule {
    /// Checks the parameters against their bounds (SPEC.md).
    ///
    /// # Errors
    /// `INVALID_SCHEDULE`.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Halving(schedule) => schedule.validate(),
            Self::TieredDecay(schedule) => schedule.validate(),
            Self::Inflation(schedule) => schedule.validate(),
        }
    }

    /// The supply cap.
    #[must_use]
    pub const fn cap(&self) -> u128 {
        match self {
            Self::Halving(schedule) => schedule.cap,
            Self::TieredDecay(schedule) => schedule.cap,
            Self::Inflation(schedule) => schedule.cap,
        }
    }

    /// `C(t)`: total supply before epoch `t` (epochs `0..t`), capped.
    ///
    /// # Errors
    /// `INVALID_SCHEDULE` for bad parameters.
    pub fn cumulative(&self, epochs: u64) -> Result<u128> {
        self.validate()?;
        self.cumulative_wide(u128::from(epochs))
    }

    fn cumulative_wide(&self, t: u128) -> Result<u128> {
        let cap = self.cap();
        let capped = |raw: Option<u128>| raw.map_or(cap, |raw| raw.min(cap));
        match self {
            Self::Halving(schedule) => Ok(capped(schedule.cumulative_raw(t))),
            Self::TieredDecay(schedule) => Ok(capped(schedule.cumulative_raw(t))),
            Self::Inflation(schedule) => schedule.cumulative(t),
        }
    }

    /// `C(epoch + 1)`: total supply once `epoch` has been paid. Computed in 128 bits, so the
    /// last epoch (`u64::MAX`) gets `C(2^64)`, not a saturated `C(2^64 - 1)`.
    ///
    /// # Errors
    /// `INVALID_SCHEDULE` for bad parameters.
    pub fn supply_after(&self, epoch: u64) -> Result<u128> {
        self.validate()?;
        self.cumulative_wide(u128::from(epoch).saturating_add(1))
    }

    /// The emission of `epoch`: `C(epoch + 1) - C(epoch)`.
    ///
    /// # Errors
    /// `INVALID_SCHEDULE` for bad parameters.
    pub fn emission(&self, epoch: u64) -> Result<u128> {
        self.validate()?;
        let before = self.cumulative_wide(u128::from(epoch))?;
        let after = self.cumulative_wide(u128::from(epoch).saturating_add(1))?;
        after.checked_sub(before).ok_or(Error::AmountOverflow)
    }
}

/// One token of the first POCI network: 10^24 base units.
pub const BASE_UNITS_PER_TOKEN: u128 = 1_000_000_000_000_000_000_000_000;

impl TieredDecaySchedule {
    /// The published UtilityNet per-block schedule: 100, 75, 50, then 30 tokens per block,
    /// tiers starting at the given heights, then the given decay (with its own floor).
    #[must_use]
    pub fn published(
        blocks_per_epoch: u64,
        tier_starts: [u64; 3],
        decay: RewardDecay,
        cap: u128,
    ) -> Self {
        let tokens = |n: u128| n.saturating_mul(BASE_UNITS_PER_TOKEN);
        let [t75, t50, t30] = tier_starts;
        Self {
            blocks_per_epoch,
            tiers: vec![
                RewardTier {
                    start_block: 0,
                    reward_per_block: tokens(100),
                },
                RewardTier {
                    start_block: t75,
                    reward_per_block: tokens(75),
                },
                RewardTier {
                    start_block: t50,
                    reward_per_block: tokens(50),
                },
                RewardTier {
                    start_block: t30,
                    reward_per_block: tokens(30),
                },
            ],
            decay,
            cap,
        }
    }
}
