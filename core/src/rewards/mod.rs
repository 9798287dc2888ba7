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
