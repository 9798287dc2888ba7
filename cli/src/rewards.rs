//! `poci rewards`: reward parameters and an epoch's proven slots in, the epoch report out.

use std::path::PathBuf;

use clap::Args;
use poci::ClosedEpoch;
use poci::rewards::allocation::AllocationPolicy;
use poci::rewards::emission::EmissionSchedule;
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use serde::{Deserialize, Serialize};

use crate::error::CliError;
use crate::files::{pretty, read_text, write};

/// Everything that decides an epoch's payout besides the proofs (`rewards-params.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardParams {
    /// The emission schedule.
    pub schedule: EmissionSchedule,
    /// The split of each epoch's emission into pools.
    pub pools: PoolSplit,
    /// How the miners' pool is shared.
    pub policy: AllocationPolicy,
}

impl RewardParams {
    /// The reward rules of a network policy.
    pub fn of_policy(policy: &poci::NetworkPolicy) -> Self {
        Self {
            schedule: policy.emission.clone(),
            pools: policy.pools.clone(),
            policy: policy.allocation_policy(),
        }
    }
}

/// Arguments of `poci rewards`.
#[derive(Debug, Args)]
pub struct RewardsArgs {
    /// Reward parameters (JSON: schedule, pools, policy), as `poci simulate` writes them.
    #[arg(long)]
    pub params: PathBuf,
    /// The epoch's proven slots: the JSON of a closed epoch (`epoch-N.proven.json`).
    #[arg(long)]
    pub proven: PathBuf,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `poci rewards`.
pub fn run(args: &RewardsArgs) -> Result<(), CliError> {
    let params: RewardParams = crate::jsonfile::parse(&read_text(&args.params)?)
        .map_err(|failure| failure.refused(args.params.display().to_string()))?;
    let closed: ClosedEpoch = crate::jsonfile::parse(&read_text(&args.proven)?)
        .map_err(|failure| failure.refused(args.proven.display().to_string()))?;
    let report = epoch_report(&params, &closed, RejectionTally::default())
        .map_err(|error| CliError::refused("rewards", error))?;
    check_sums(&params, &report).map_err(CliError::SimulationFailed)?;
    let text = format!("{}\n", pretty(&report)?);
    match &args.out {
        Some(path) => write(path, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// The report of a closed epoch.
///
/// # Errors
/// The errors of [`EpochReport::compute`].
pub fn epoch_report(
    params: &RewardParams,
    closed: &ClosedEpoch,
    rejected: RejectionTally,
) -> Result<EpochReport, poci::Error> {
    EpochReport::compute(
        closed.epoch,
        &params.schedule,
        &params.pools,
        &closed.availability,
        &params.policy,
        rejected,
    )
}

/// Checks, independently of the reward code, that the report pays out exactly what was
/// emitted: pools sum to the emission, shares plus the unallocated rest to the miners' pool,
/// wallet totals to the shares, and the supply after the epoch is the schedule's.
pub fn check_sums(params: &RewardParams, report: &EpochReport) -> Result<(), String> {
    let fail = |what: &str| format!("epoch {}: {what}", report.epoch);
    let total = |start: u128, amounts: &mut dyn Iterator<Item = u128>, what: &str| {
        let mut sum = start;
        for amount in amounts {
            sum = sum
                .checked_add(amount)
                .ok_or_else(|| fail(&format!("{what} sum overflows")))?;
        }
        Ok::<u128, String>(sum)
    };
    let pools = total(
        report.pools.miners,
        &mut report.pools.pools.iter().map(|pool| pool.amount),
        "pool",
    )?;
    if pools != report.emission {
        return Err(fail(&format!(
            "pools sum to {pools}, emission is {}",
            report.emission
        )));
    }
    let unallocated = report.miners.unallocated;
    let shares = total(
        unallocated,
        &mut report.miners.shares.iter().map(|share| share.reward),
        "share",
    )?;
    if shares != report.pools.miners || report.miners.pool != report.pools.miners {
        return Err(fail(&format!(
            "shares and unallocated sum to {shares}, the miners' pool is {}",
            report.pools.miners
        )));
    }
    let wallets = total(
        unallocated,
        &mut report.miners.wallets.iter().map(|wallet| wallet.reward),
        "wallet",
    )?;
    if wallets != shares {
        return Err(fail(&format!(
            "wallets sum to {wallets}, shares to {shares}"
        )));
    }
    let supply = params
        .schedule
        .supply_after(report.epoch)
        .map_err(|error| fail(error.code()))?;
    if supply != report.supply_after {
        return Err(fail(&format!(
            "supply after is {}, the schedule says {supply}",
            report.supply_after
        )));
    }
    Ok(())
}

/// A base-unit amount in whole tokens with `decimals` digits (10^24 base units a token).
pub fn tokens(amount: u128, decimals: u32) -> String {
    let unit = poci::rewards::emission::BASE_UNITS_PER_TOKEN;
    let whole = amount.checked_div(unit).unwrap_or(0);
    let rest = amount.checked_rem(unit).unwrap_or(0);
    let scale = 10u128
        .checked_pow(24u32.saturating_sub(decimals))
        .unwrap_or(1);
    let fraction = rest.checked_div(scale).unwrap_or(0);
    let whole = group_digits(whole);
    if decimals == 0 {
        whole
    } else {
        format!("{whole}.{fraction:0width$}", width = decimals as usize)
    }
}

/// `1234567` as `1,234,567`.
pub fn group_digits(value: impl std::fmt::Display) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len().saturating_mul(4) / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && digits.len().saturating_sub(index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )]
    use super::*;
    use poci::KeyId;
    use poci::rewards::allocation::AllocationInput;
    use poci::rewards::emission::HalvingSchedule;

    fn params() -> RewardParams {
        RewardParams {
            schedule: EmissionSchedule::Halving(HalvingSchedule {
                base_per_epoch: 1_000_003,
                epochs_per_era: 10,
                cap: 100_000_000,
            }),
            pools: PoolSplit::default(),
            policy: AllocationPolicy {
                slots_per_epoch: 24,
                min_availability_bps: 0,
            },
        }
    }

    fn report() -> EpochReport {
        let availability = (1u8..4)
            .map(|index| AllocationInput {
                key_id: KeyId([index; 32]),
                wallet: vec![index],
                rating_milli_cu: u64::from(index) * 1_000,
                proven_slots: 7,
                selected_slots: None,
            })
            .collect();
        let closed = ClosedEpoch {
            epoch: 2,
            availability,
        };
        epoch_report(&params(), &closed, RejectionTally::default()).unwrap()
    }

    #[test]
    fn sums_that_add_up_pass_and_one_base_unit_off_fails() {
        let good = report();
        assert_eq!(check_sums(&params(), &good), Ok(()));
        let mut share = good.clone();
        share.miners.shares[0].reward += 1;
        assert!(check_sums(&params(), &share).is_err());
        let mut pool = good.clone();
        pool.pools.pools[0].amount -= 1;
        assert!(check_sums(&params(), &pool).is_err());
        let mut wallet = good.clone();
        wallet.miners.wallets[1].reward -= 1;
        assert!(check_sums(&params(), &wallet).is_err());
        let mut supply = good;
        supply.supply_after += 1;
        assert!(check_sums(&params(), &supply).is_err());
    }

    #[test]
    fn amounts_are_shown_without_floats() {
        assert_eq!(group_digits(1_234_567u64), "1,234,567");
        assert_eq!(group_digits(999u64), "999");
        let unit = poci::rewards::emission::BASE_UNITS_PER_TOKEN;
        assert_eq!(tokens(1_234 * unit + unit / 4, 2), "1,234.25");
        assert_eq!(tokens(unit - 1, 2), "0.99");
        assert_eq!(tokens(5 * unit, 0), "5");
    }
}
