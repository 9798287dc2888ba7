//! Reward math: emission, pools, allocation, lease settlement, producer selection and the
//! epoch report. Integers only (u128 base units, 256-bit intermediates where products need
//! them), checked arithmetic, deterministic order everywhere.

pub mod allocation;
pub mod emission;
pub mod lease;
pub mod pools;
pub mod producer;
pub mod report;
mod wide;

pub use allocation::{
    Allocation, AllocationInput, AllocationPolicy, ChipShare, MAX_RATING_MILLI_CU, WalletReward,
    allocate,
};
pub use emission::{
    BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule, InflationSchedule, RewardDecay,
    RewardTier, TieredDecaySchedule,
};
pub use lease::{LeaseSettlement, settle, settle_lease};
pub use pools::{NamedPool, PoolAmount, PoolAmounts, PoolSplit};
pub use producer::select_producer;
pub use report::{EpochReport, RejectionTally};
