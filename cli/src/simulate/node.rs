//! The node's side of the run: the ledger that verifies every binding and heartbeat (in
//! parallel, in batches), the refusals it counts, the epochs it closes and the rewards it
//! pays. It knows nothing of the chips beyond what they submit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use poci::rewards::allocation::AllocationPolicy;
use poci::rewards::emission::{BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule};
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::{
    BindingOutcome, BindingSubmission, ChipLedger, ClosedEpoch, HeartbeatSubmission, KeyId,
    NetworkParams, SlotId,
};

use super::population::Population;
use super::{World, bump, count, in_batches};
use crate::error::{CliError, setup};
use crate::rewards::{RewardParams, epoch_report};

/// What the node verified and how long it took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Work {
    /// Time spent applying heartbeats.
    pub verify_time: Duration,
    /// Time spent applying bindings.
    pub bind_time: Duration,
    /// Heartbeats applied (honest and attacks).
    pub heartbeats_checked: u64,
    /// Heartbeats the ledger accepted.
    pub heartbeats_accepted: u64,
    /// Bindings applied (honest and attacks).
    pub bindings_checked: u64,
}

/// The rewards the node paid: its rules, each epoch's report, the totals per model.
#[derive(Debug)]
struct Rewards {
    /// The reward rules.
    params: RewardParams,
    /// A chip's index by its key, to sum rewards per model.
    key_index: BTreeMap<KeyId, usize>,
    /// Per model, everything its chips earned.
    per_model: BTreeMap<usize, u128>,
    /// The epochs' reports, in order.
    reports: Vec<EpochReport>,
}

/// The node's side of the run.
pub struct Node {
    /// The ledger: bindings, counters, proven slots.
    ledger: ChipLedger,
    /// Refusals of the current epoch, for its report.
    tally: RejectionTally,
    /// Refusals of the whole run, by code.
    refusals: BTreeMap<String, u64>,
    /// Accepted bindings of the whole run, by outcome.
    outcomes: BTreeMap<String, u64>,
    /// Counts and times.
    work: Work,
    /// What it paid.
    rewards: Rewards,
}

impl Node {
    /// An empty ledger for `params`, paying by `reward_params`.
    pub fn new(
        params: &NetworkParams,
        reward_params: RewardParams,
        population: &Population,
    ) -> Self {
        Self {
            ledger: ChipLedger::new(params.clone()),
            tally: RejectionTally::default(),
            refusals: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            work: Work::default(),
            rewards: Rewards {
                params: reward_params,
                key_index: population
                    .chips
                    .iter()
                    .enumerate()
                    .map(|(index, chip)| (*chip.key.key_id(), index))
                    .collect(),
                per_model: BTreeMap::new(),
                reports: Vec::new(),
            },
        }
    }

    /// Applies bindings (DER, submitting wallet) of one slot as a batch, counting outcomes
    /// and refusals. One result per binding, in order.
    pub fn apply_bindings(
        &mut self,
        world: World<'_>,
        bindings: &[(&[u8], &[u8])],
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Vec<Result<BindingOutcome, poci::Error>>, CliError> {
        let submissions: Vec<BindingSubmission<'_>> = bindings
            .iter()
            .map(|&(der, wallet)| BindingSubmission::poci(der, at, challenge, wallet))
            .collect();
        let started = Instant::now();
        let results = in_batches(&submissions, |chunk| {
            self.ledger.apply_bindings(world.verifier, chunk)
        })?;
        self.work.bind_time = self.work.bind_time.saturating_add(started.elapsed());
        self.work.bindings_checked = self
            .work
            .bindings_checked
            .saturating_add(count(results.len()));
        for result in &results {
            match result {
                Ok(BindingOutcome::Claimed) => bump(&mut self.outcomes, "claimed"),
                Ok(BindingOutcome::Rebound { .. }) => bump(&mut self.outcomes, "rebound"),
                Ok(BindingOutcome::AlreadyApplied) => bump(&mut self.outcomes, "already_applied"),
                Ok(BindingOutcome::Equivocation(_)) => bump(&mut self.outcomes, "equivocation"),
                Ok(_) => bump(&mut self.outcomes, "other"),
                Err(error) => self.refuse(error),
            }
        }
        Ok(results)
    }

    /// Applies the heartbeats of one slot as a batch, counting what it accepted and refused.
    /// One result per heartbeat, in order.
    pub fn apply_heartbeats(
        &mut self,
        world: World<'_>,
        heartbeats: &[&[u8]],
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Vec<Result<(), poci::Error>>, CliError> {
        let submissions: Vec<HeartbeatSubmission<'_>> = heartbeats
            .iter()
            .map(|&der| HeartbeatSubmission::poci(der, at, challenge))
            .collect();
        let started = Instant::now();
        let results = in_batches(&submissions, |chunk| {
            self.ledger.apply_heartbeats(world.verifier, chunk)
        })?;
        self.work.verify_time = self.work.verify_time.saturating_add(started.elapsed());
        self.work.heartbeats_checked = self
            .work
            .heartbeats_checked
            .saturating_add(count(results.len()));
        for result in &results {
            match result {
                Ok(()) => {
                    self.work.heartbeats_accepted = self.work.heartbeats_accepted.saturating_add(1);
                }
                Err(error) => self.refuse(error),
            }
        }
        Ok(results)
    }

    /// Counts a refused input, for the epoch's report and the run's totals.
    fn refuse(&mut self, error: &poci::Error) {
        self.tally.record(error);
        bump(&mut self.refusals, error.code());
    }

    /// Closes `epoch`: the ledger's proven slots, and the report that pays them (with the
    /// epoch's refusals).
    pub fn close_epoch(&mut self, epoch: u64) -> Result<(ClosedEpoch, EpochReport), CliError> {
        let closed = self
            .ledger
            .close_epoch(epoch, None)
            .map_err(setup("closing the epoch"))?;
        let tally = std::mem::take(&mut self.tally);
        let report =
            epoch_report(&self.rewards.params, &closed, tally).map_err(setup("epoch report"))?;
        Ok((closed, report))
    }

    /// Pays an epoch's report: adds each chip's reward to its model's total and keeps it.
    pub fn pay(&mut self, world: World<'_>, report: EpochReport) {
        for share in &report.miners.shares {
            if let Some(chip) = self
                .rewards
                .key_index
                .get(&share.key_id)
                .and_then(|index| world.population.chips.get(*index))
            {
                let total = self.rewards.per_model.entry(chip.model).or_insert(0);
                *total = total.saturating_add(share.reward);
            }
        }
        self.rewards.reports.push(report);
    }

    /// The reward rules.
    pub const fn reward_params(&self) -> &RewardParams {
        &self.rewards.params
    }

    /// The epochs' reports, in order.
    pub fn reports(&self) -> &[EpochReport] {
        &self.rewards.reports
    }

    /// Per model, everything its chips earned.
    pub const fn rewards_per_model(&self) -> &BTreeMap<usize, u128> {
        &self.rewards.per_model
    }

    /// Counts and times.
    pub const fn work(&self) -> Work {
        self.work
    }

    /// Refused inputs of the run, by code.
    pub const fn refusals(&self) -> &BTreeMap<String, u64> {
        &self.refusals
    }

    /// Accepted bindings of the run, by outcome.
    pub const fn outcomes(&self) -> &BTreeMap<String, u64> {
        &self.outcomes
    }
}

/// The demo's reward rules: UtilityNet's first-year rate of 100 tokens a block at a block
/// every 30 s, halving every two years, capped at the schedule's sum; 97% to miners; chips
/// below 25% availability in an epoch earn nothing that epoch.
pub fn demo_reward_params(slots_per_epoch: u32) -> RewardParams {
    let epoch_blocks = u128::from(slots_per_epoch).saturating_mul(120);
    let base_per_epoch = epoch_blocks
        .saturating_mul(100)
        .saturating_mul(BASE_UNITS_PER_TOKEN);
    let epochs_per_era = 730u64
        .saturating_mul(24)
        .checked_div(u64::from(slots_per_epoch))
        .unwrap_or(1)
        .max(1);
    RewardParams {
        schedule: EmissionSchedule::Halving(HalvingSchedule {
            base_per_epoch,
            epochs_per_era,
            cap: base_per_epoch
                .saturating_mul(u128::from(epochs_per_era))
                .saturating_mul(2),
        }),
        pools: PoolSplit::default(),
        policy: AllocationPolicy {
            slots_per_epoch,
            min_availability_bps: 2_500,
        },
    }
}
