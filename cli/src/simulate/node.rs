//! The node's side of the run: the ledger that verifies every binding and heartbeat (in
//! parallel, in batches), the refusals it counts, the epochs it closes and the rewards it
//! pays. It knows nothing of the chips beyond what they submit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use poci::rewards::emission::{BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule};
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::{
    BindingEvidence, BindingOutcome, BindingSubmission, ChipLedger, ClosedEpoch, EvidenceKind,
    HeartbeatEvidence, HeartbeatSubmission, KeyId, LeaseOutcome, NetworkParams, NetworkPolicy,
    SettledLease, SlotId,
};

use super::population::Population;
use super::{World, bump, count, in_batches};
use crate::error::{CliError, setup};
use crate::rewards::{RewardParams, epoch_report};

/// What the node verified and how long it took, in all or of one evidence kind.
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

/// What one evidence kind's batch did: its kind, items checked, items accepted, time.
type KindTiming = (EvidenceKind, u64, u64, Duration);

/// Applies `items` one evidence kind at a time, each kind's items in order and in batches,
/// timing each kind; the results come back in the items' order.
fn per_kind<T: Copy, R>(
    items: &[(EvidenceKind, T)],
    mut apply: impl FnMut(&[T]) -> poci::Result<Vec<poci::Result<R>>>,
) -> Result<(Vec<poci::Result<R>>, Vec<KindTiming>), CliError> {
    let mut results: Vec<Option<poci::Result<R>>> = Vec::with_capacity(items.len());
    results.resize_with(items.len(), || None);
    let mut timed = Vec::new();
    for kind in EvidenceKind::ALL {
        let (positions, of_kind): (Vec<usize>, Vec<T>) = items
            .iter()
            .enumerate()
            .filter(|(_, (item_kind, _))| *item_kind == kind)
            .map(|(position, (_, item))| (position, *item))
            .unzip();
        if of_kind.is_empty() {
            continue;
        }
        let started = Instant::now();
        let verdicts = in_batches(&of_kind, &mut apply)?;
        let accepted = count(verdicts.iter().filter(|verdict| verdict.is_ok()).count());
        timed.push((kind, count(verdicts.len()), accepted, started.elapsed()));
        for (position, verdict) in positions.into_iter().zip(verdicts) {
            if let Some(slot) = results.get_mut(position) {
                *slot = Some(verdict);
            }
        }
    }
    let results = results
        .into_iter()
        .map(|verdict| {
            verdict.ok_or_else(|| CliError::Usage("a submission without a verdict".into()))
        })
        .collect::<Result<_, _>>()?;
    Ok((results, timed))
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
    /// Per model, its chips' shares in the epochs' reports: (shares, shares eligible).
    shares_per_model: BTreeMap<usize, (u64, u64)>,
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
    /// Counts and times, in all.
    work: Work,
    /// Counts and times by evidence kind.
    work_by_kind: BTreeMap<EvidenceKind, Work>,
    /// What it paid.
    rewards: Rewards,
}

impl Node {
    /// An empty ledger applying `policy`, paying by its reward rules.
    pub fn new(policy: &NetworkPolicy, population: &Population) -> Result<Self, CliError> {
        Ok(Self {
            ledger: ChipLedger::with_policy(policy.clone()).map_err(setup("network policy"))?,
            tally: RejectionTally::default(),
            refusals: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            work: Work::default(),
            work_by_kind: BTreeMap::new(),
            rewards: Rewards {
                params: RewardParams::of_policy(policy),
                key_index: population
                    .chips
                    .iter()
                    .enumerate()
                    .map(|(index, chip)| (chip.key_id, index))
                    .collect(),
                per_model: BTreeMap::new(),
                shares_per_model: BTreeMap::new(),
                reports: Vec::new(),
            },
        })
    }

    /// The policy the node applies.
    pub fn policy(&self) -> &NetworkPolicy {
        self.ledger.policy()
    }

    /// Applies a lease acceptance at `now`, counting a refusal.
    pub fn apply_lease(
        &mut self,
        world: World<'_>,
        der: &[u8],
        now: SlotId,
    ) -> Result<LeaseOutcome, poci::Error> {
        let result = self.ledger.apply_lease(world.verifier, der, now);
        if let Err(error) = &result {
            self.refuse(error);
        }
        result
    }

    /// The chips the trust material in force at `epoch` revokes, with their codes.
    pub fn revoked_chips(
        &self,
        world: World<'_>,
        epoch: u64,
    ) -> Result<Vec<(KeyId, poci::Error)>, CliError> {
        self.ledger
            .revoked_chips(world.verifier, epoch)
            .map_err(setup("listing revoked chips"))
    }

    /// Settles a lease whose epochs are closed.
    pub fn settle_lease(&mut self, lease_id: &[u8]) -> Result<SettledLease, poci::Error> {
        self.ledger.settle_lease(lease_id)
    }

    /// Applies bindings (evidence, submitting wallet) for slot `at`, submitted at the
    /// network's current slot `now`, counting outcomes and refusals: one batch per evidence
    /// kind, as [`Node::apply_heartbeats`]. One result per binding, in order.
    pub fn apply_bindings(
        &mut self,
        world: World<'_>,
        bindings: &[(BindingEvidence<'_>, &[u8])],
        (at, challenge): (SlotId, &[u8; 32]),
        now: SlotId,
    ) -> Result<Vec<Result<BindingOutcome, poci::Error>>, CliError> {
        let submissions: Vec<(EvidenceKind, BindingSubmission<'_>)> = bindings
            .iter()
            .map(|&(evidence, wallet)| {
                let submission = BindingSubmission {
                    evidence,
                    slot: at,
                    challenge,
                    wallet,
                };
                (evidence.kind(), submission)
            })
            .collect();
        let ledger = &mut self.ledger;
        let (results, timed) = per_kind(&submissions, |chunk| {
            ledger.apply_bindings(world.verifier, chunk, now)
        })?;
        for (kind, checked, _, elapsed) in timed {
            let by_kind = self.work_by_kind.entry(kind).or_default();
            for work in [&mut self.work, by_kind] {
                work.bind_time = work.bind_time.saturating_add(elapsed);
                work.bindings_checked = work.bindings_checked.saturating_add(checked);
            }
        }
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

    /// Applies the heartbeats for slot `at`, submitted at the network's current slot `now`,
    /// counting what it accepted and refused: one batch per evidence kind (timed apart), each
    /// in submission order. Heartbeats of different kinds are of different chips, so their
    /// order between kinds changes no verdict. One result per heartbeat, in order.
    pub fn apply_heartbeats(
        &mut self,
        world: World<'_>,
        heartbeats: &[HeartbeatEvidence<'_>],
        (at, challenge): (SlotId, &[u8; 32]),
        now: SlotId,
    ) -> Result<Vec<Result<(), poci::Error>>, CliError> {
        let submissions: Vec<(EvidenceKind, HeartbeatSubmission<'_>)> = heartbeats
            .iter()
            .map(|&evidence| {
                let submission = HeartbeatSubmission {
                    evidence,
                    slot: at,
                    challenge,
                };
                (evidence.kind(), submission)
            })
            .collect();
        let ledger = &mut self.ledger;
        let (results, timed) = per_kind(&submissions, |chunk| {
            ledger.apply_heartbeats(world.verifier, chunk, now)
        })?;
        for (kind, checked, accepted, elapsed) in timed {
            let by_kind = self.work_by_kind.entry(kind).or_default();
            for work in [&mut self.work, by_kind] {
                work.verify_time = work.verify_time.saturating_add(elapsed);
                work.heartbeats_checked = work.heartbeats_checked.saturating_add(checked);
                work.heartbeats_accepted = work.heartbeats_accepted.saturating_add(accepted);
            }
        }
        for result in &results {
            if let Err(error) = result {
                self.refuse(error);
            }
        }
        Ok(results)
    }

    /// The node's work on evidence of `kind`.
    pub fn work_of(&self, kind: EvidenceKind) -> Work {
        self.work_by_kind.get(&kind).copied().unwrap_or_default()
    }

    /// Counts a refused input, for the epoch's report and the run's totals.
    fn refuse(&mut self, error: &poci::Error) {
        self.tally.record(error);
        bump(&mut self.refusals, error.code());
    }

    /// Closes `epoch` (with its slot challenges, which a sampled network reads): the ledger's
    /// proven slots, and the report that pays them (with the epoch's refusals).
    pub fn close_epoch(
        &mut self,
        epoch: u64,
        challenges: &[[u8; 32]],
    ) -> Result<(ClosedEpoch, EpochReport), CliError> {
        let closed = self
            .ledger
            .close_epoch(epoch, None, challenges)
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
                let shares = self
                    .rewards
                    .shares_per_model
                    .entry(chip.model)
                    .or_insert((0, 0));
                shares.0 = shares.0.saturating_add(1);
                shares.1 = shares.1.saturating_add(u64::from(share.eligible));
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

    /// Per model, its chips' shares in the epochs' reports: (shares, shares eligible).
    pub const fn shares_per_model(&self) -> &BTreeMap<usize, (u64, u64)> {
        &self.rewards.shares_per_model
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

/// The demo's network policy: UtilityNet's first-year rate of 100 tokens a block at a block
/// every 30 s, halving every two years, capped at the schedule's sum; 97% to miners; chips
/// below 25% availability in an epoch earn nothing that epoch; a proof is accepted in its
/// slot and the next; every chip answers every slot (`sample_one_in` 1).
pub fn demo_network_policy(params: &NetworkParams) -> Result<NetworkPolicy, CliError> {
    let slots_per_epoch = params.slots_per_epoch();
    let epoch_blocks = u128::from(slots_per_epoch).saturating_mul(120);
    let base_per_epoch = epoch_blocks
        .saturating_mul(100)
        .saturating_mul(BASE_UNITS_PER_TOKEN);
    let epochs_per_era = 730u64
        .saturating_mul(24)
        .checked_div(u64::from(slots_per_epoch))
        .unwrap_or(1)
        .max(1);
    let policy = NetworkPolicy {
        params: params.clone(),
        grace_slots: 1,
        sample_one_in: 1,
        min_availability_bps: 2_500,
        pools: PoolSplit::default(),
        emission: EmissionSchedule::Halving(HalvingSchedule {
            base_per_epoch,
            epochs_per_era,
            cap: base_per_epoch
                .saturating_mul(u128::from(epochs_per_era))
                .saturating_mul(2),
        }),
    };
    policy.validate().map_err(setup("network policy"))?;
    Ok(policy)
}
