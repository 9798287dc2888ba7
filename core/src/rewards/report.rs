//! The epoch report: emission, pools, per-chip and per-wallet rewards, rejections.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::json::{dec_u64, dec_u128};
use crate::rewards::allocation::{Allocation, AllocationInput, AllocationPolicy, allocate};
use crate::rewards::emission::EmissionSchedule;
use crate::rewards::pools::{PoolAmounts, PoolSplit};

/// Refused inputs of an epoch, counted by error code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RejectionTally(BTreeMap<String, u64>);

impl RejectionTally {
    /// Counts one refused input.
    pub fn record(&mut self, error: &Error) {
        let count = self.0.entry(error.code().to_owned()).or_insert(0);
        *count = count.saturating_add(1);
    }

    /// Count for one code.
    #[must_use]
    pub fn count(&self, code: &str) -> u64 {
        self.0.get(code).copied().unwrap_or(0)
    }

    /// All counts, by code.
    #[must_use]
    pub const fn counts(&self) -> &BTreeMap<String, u64> {
        &self.0
    }
}

/// Everything an epoch paid, to the base unit (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochReport {
    /// The epoch.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// Its emission, base units.
    #[serde(with = "dec_u128")]
    pub emission: u128,
    /// Total supply after the epoch, base units.
    #[serde(with = "dec_u128")]
    pub supply_after: u128,
    /// The emission split into pools.
    pub pools: PoolAmounts,
    /// The miners' pool allocated to chips and wallets.
    pub miners: Allocation,
    /// Refused inputs by code.
    pub rejected: RejectionTally,
}

impl EpochReport {
    /// Computes the report of `epoch`.
    ///
    /// # Errors
    /// `INVALID_SCHEDULE`, `INVALID_POOLS`, and the errors of [`allocate`].
    pub fn compute(
        epoch: u64,
        schedule: &EmissionSchedule,
        split: &PoolSplit,
        availability: &[AllocationInput],
        policy: &AllocationPolicy,
        rejected: RejectionTally,
    ) -> Result<Self> {
        let emission = schedule.emission(epoch)?;
        let supply_after = schedule.supply_after(epoch)?;
        let pools = split.split(emission)?;
        let miners = allocate(pools.miners, availability, policy)?;
        Ok(Self {
            epoch,
            emission,
            supply_after,
            pools,
            miners,
            rejected,
        })
    }
}
