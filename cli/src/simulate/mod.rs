//! `poci simulate`: a whole network on real cryptography. Chips of the registry's real models,
//! certified by the testnet vendors, bind to wallets and answer every slot's challenge; some
//! flap or go offline, some are sold and re-bound; attackers try what real networks meet. The
//! node side verifies everything in parallel, closes epochs and pays rewards, and the run
//! checks every verdict and every sum independently.

mod attacks;
mod html;
mod population;
mod progress;
mod summary;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use poci::rewards::allocation::AllocationPolicy;
use poci::rewards::emission::{BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule};
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::RejectionTally;
use poci::{
    BindingOutcome, BindingSubmission, ChipIdentity, ChipLedger, ChipModelRegistry,
    HeartbeatSubmission, HeartbeatTbs, KeyId, NetworkParams, Signed, SlotId, TrustStore, Verifier,
    derive_challenge,
};
use rayon::prelude::*;

use crate::error::{CliError, setup};
use crate::files::{write, write_json};
use crate::rewards::{RewardParams, check_sums, epoch_report};
use attacks::{AttackOutcome, BindingSlot, BoundChip, EQUIVOCATION, Victim};
use population::{FleetShape, Population, Rng, online};
use progress::Progress;
use summary::{ModelSummary, RunSummary, Throughput};

/// 2026-02-01T00:00:00Z: the simulated network's genesis.
const GENESIS_UNIX: u64 = 1_769_904_000;
/// One heartbeat an hour.
const SLOT_SECONDS: u64 = 3_600;

/// Arguments of `poci simulate`; the defaults are the demo.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of chips.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(20..=1_000_000))]
    pub chips: u32,
    /// Number of wallets owning them.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(3..=1_000_000))]
    pub wallets: u32,
    /// Epochs to run.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub epochs: u64,
    /// Slots per epoch (one slot is an hour).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(2..=1_440))]
    pub slots_per_epoch: u32,
    /// Seed of every key, owner, behaviour and beacon: a seed replays a run exactly.
    #[arg(long, default_value = "poci-demo")]
    pub seed: String,
    /// Report folder: epoch reports, the HTML page, sample proofs.
    #[arg(long, default_value = "poci-report")]
    pub out: PathBuf,
    /// Print the run summary as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Per-chip state as the miners see it.
#[derive(Debug, Clone, Default)]
struct ChipState {
    /// Wallet the chip is bound to (after its binding was accepted).
    wallet: Option<usize>,
    binding_counter: u64,
    heartbeat_counter: u64,
    online: bool,
    first_binding: Vec<u8>,
    /// Slots proven since binding, and slots it could have proven.
    proven: u64,
    possible: u64,
}

/// Runs the simulation.
pub fn run(args: &SimulateArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let chips = usize::try_from(args.chips).map_err(|_| CliError::Usage("--chips".into()))?;
    let wallets = usize::try_from(args.wallets).map_err(|_| CliError::Usage("--wallets".into()))?;
    let epoch_seconds = u64::from(args.slots_per_epoch).saturating_mul(SLOT_SECONDS);
    let params = NetworkParams::new(
        "poci-simnet",
        GENESIS_UNIX,
        epoch_seconds,
        args.slots_per_epoch,
    )
    .map_err(setup("network params"))?;
    let reward_params = demo_reward_params(args.slots_per_epoch);
    let registry = ChipModelRegistry::embedded().map_err(setup("registry"))?;
    let verifier =
        Verifier::with_trust_store(TrustStore::embedded_testnet().map_err(setup("trust store"))?);
    let threads = rayon::current_num_threads();
    let progress = Progress::new(args.epochs.saturating_mul(u64::from(args.slots_per_epoch)));
    progress.note(&format!(
        "poci simulate: minting {chips} chips of {} models for {wallets} wallets ({threads} threads)",
        registry.models().count()
    ));
    let population = Population::mint(
        &registry,
        FleetShape {
            seed: &args.seed,
            chips,
            wallets,
            epochs: args.epochs,
            slots_per_epoch: args.slots_per_epoch,
        },
    )?;
    let minted = started.elapsed();

    let mut sim = Simulation {
        params: &params,
        verifier: &verifier,
        population: &population,
        ledger: ChipLedger::new(params.clone()),
        states: vec![ChipState::default(); chips],
        key_index: population
            .chips
            .iter()
            .enumerate()
            .map(|(index, chip)| (*chip.key.key_id(), index))
            .collect(),
        behaviour_rng: Rng::new(&args.seed, "behaviour"),
        tally: RejectionTally::default(),
        refusals: BTreeMap::new(),
        attacks: Vec::new(),
        faults: Vec::new(),
        outcomes: BTreeMap::new(),
        expected_proven: BTreeMap::new(),
        availability_by_slot: BTreeMap::new(),
        outage: outage_window(args.epochs.saturating_mul(u64::from(args.slots_per_epoch))),
        previous_heartbeats: Vec::new(),
        last_slot: None,
        sign_time: Duration::ZERO,
        verify_time: Duration::ZERO,
        bind_time: Duration::ZERO,
        heartbeats_checked: 0,
        heartbeats_accepted: 0,
        bindings_checked: 0,
    };
    let total_slots = args.epochs.saturating_mul(u64::from(args.slots_per_epoch));
    let attack_slot = slot_of(&params, total_slots / 2)?;
    let mut beacons = Rng::new(&args.seed, "beacons");
    let mut reports = Vec::new();
    let mut model_rewards: BTreeMap<usize, u128> = BTreeMap::new();
    let mut done = 0u64;
    for epoch in 0..args.epochs {
        for slot in 0..args.slots_per_epoch {
            let at = SlotId { epoch, slot };
            let challenge = derive_challenge(&params, epoch, slot, &beacons.bytes32())
                .map_err(setup("challenge"))?;
            if slot == 0 {
                sim.bind_joining_chips(at, &challenge)?;
            }
            let sale = if at == attack_slot {
                Some(sim.sell_chips(at, &challenge)?)
            } else {
                None
            };
            sim.run_slot(at, &challenge, sale.as_ref())?;
            done = done.saturating_add(1);
            let per_second = per_second(sim.heartbeats_checked, sim.verify_time);
            progress.update(
                done,
                slot.saturating_add(1) == args.slots_per_epoch,
                &format!(
                    "epoch {epoch} slot {slot:>2}: {} heartbeats verified ({per_second}/s)",
                    crate::rewards::group_digits(sim.heartbeats_checked)
                ),
            );
        }
        let closed = sim
            .ledger
            .close_epoch(epoch, None)
            .map_err(setup("closing the epoch"))?;
        sim.check_availability(&closed);
        let tally = std::mem::take(&mut sim.tally);
        let report = epoch_report(&reward_params, &closed, tally).map_err(setup("epoch report"))?;
        if let Err(fault) = check_sums(&reward_params, &report) {
            sim.faults.push(fault);
        }
        for share in &report.miners.shares {
            if let Some(chip) = sim
                .key_index
                .get(&share.key_id)
                .and_then(|index| population.chips.get(*index))
            {
                let total = model_rewards.entry(chip.model).or_insert(0);
                *total = total.saturating_add(share.reward);
            }
        }
        write_json(
            &args.out.join(format!("epoch-{epoch}.proven.json")),
            &closed,
        )?;
        write_json(&args.out.join(format!("epoch-{epoch}.json")), &report)?;
        reports.push(report);
    }
    write_json(&args.out.join("params.json"), &params)?;
    write_json(&args.out.join("rewards-params.json"), &reward_params)?;
    sim.write_samples(&args.out)?;

    let chips_per_model = population.chips_per_model();
    let mut per_model: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for (chip, state) in population.chips.iter().zip(&sim.states) {
        let entry = per_model.entry(chip.model).or_insert((0, 0));
        entry.0 = entry.0.saturating_add(state.proven);
        entry.1 = entry.1.saturating_add(state.possible);
    }
    let models = population
        .models
        .iter()
        .enumerate()
        .filter_map(|(index, model)| {
            let chips = chips_per_model.get(&index).copied()?;
            let (proven, possible) = per_model.get(&index).copied().unwrap_or((0, 0));
            Some(ModelSummary {
                model_id: model.model_id.clone(),
                display_name: model.display_name.clone(),
                vendor_id: model.vendor_id.clone(),
                rating_milli_cu: model.rating_milli_cu,
                chips,
                proven_slots: proven,
                possible_slots: possible,
                availability_bps: bps(proven, possible),
                reward: model_rewards.get(&index).copied().unwrap_or(0),
            })
        })
        .collect();
    let summary = RunSummary {
        network: params.clone(),
        seed: args.seed.clone(),
        chips: args.chips,
        wallets: args.wallets,
        epochs: args.epochs,
        slots_per_epoch: args.slots_per_epoch,
        models,
        binding_outcomes: sim.outcomes.clone(),
        refusals: sim.refusals.clone(),
        attacks: sim.attacks.clone(),
        availability_by_slot_bps: sim.availability_by_slot.clone(),
        outage: summary::Outage {
            wallet: String::from_utf8_lossy(
                population
                    .wallets
                    .get(OUTAGE_WALLET)
                    .map_or(&[][..], Vec::as_slice),
            )
            .into_owned(),
            first_slot: sim.outage.start,
            end_slot: sim.outage.end,
        },
        epochs_paid: reports.iter().map(summary::EpochTotals::from).collect(),
        throughput: Throughput {
            threads,
            heartbeats_signed: sim.heartbeats_checked,
            heartbeats_verified: sim.heartbeats_checked,
            heartbeats_accepted: sim.heartbeats_accepted,
            bindings_verified: sim.bindings_checked,
            signed_per_second: per_second(sim.heartbeats_checked, sim.sign_time),
            verified_per_second: per_second(sim.heartbeats_checked, sim.verify_time),
            bindings_per_second: per_second(sim.bindings_checked, sim.bind_time),
            mint_seconds: minted.as_secs(),
            total_seconds: started.elapsed().as_secs(),
        },
        faults: sim.faults.clone(),
    };
    write_json(&args.out.join("summary.json"), &summary)?;
    write(&args.out.join("index.html"), html::render(&summary))?;
    if args.json {
        println!("{}", crate::files::pretty(&summary)?);
    } else {
        print!("{}", summary.tables());
        println!("report: {}", args.out.join("index.html").display());
    }
    if summary.faults.is_empty() {
        Ok(())
    } else {
        Err(CliError::SimulationFailed(summary.faults.join("; ")))
    }
}

/// The demo's reward rules: UtilityNet's first-year rate of 100 tokens a block at a block
/// every 30 s, halving every two years, capped at the schedule's sum; 97% to miners; chips
/// below 25% availability in an epoch earn nothing that epoch.
fn demo_reward_params(slots_per_epoch: u32) -> RewardParams {
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

/// The wallet whose chips suffer the outage: the biggest operator (ownership is skewed to
/// the first wallets).
const OUTAGE_WALLET: usize = 0;

/// Three slots from two fifths of the run: an operator's power cut.
fn outage_window(total_slots: u64) -> std::ops::Range<u64> {
    let start = total_slots.saturating_mul(2) / 5;
    start..start.saturating_add(3).min(total_slots)
}

/// The (epoch, slot) of a global slot index.
/// Applies `items` in batches of at most `MAX_BATCH_LEN`, one result per item in order. A
/// refused batch (it cannot be, each is within the limit) ends the run with its error.
fn in_batches<T, R>(
    items: &[T],
    mut apply: impl FnMut(&[T]) -> poci::Result<Vec<R>>,
) -> Result<Vec<R>, CliError> {
    let mut results = Vec::with_capacity(items.len());
    for chunk in items.chunks(poci::limits::MAX_BATCH_LEN) {
        results.extend(apply(chunk).map_err(setup("applying a batch"))?);
    }
    Ok(results)
}

fn slot_of(params: &NetworkParams, global: u64) -> Result<SlotId, CliError> {
    let per_epoch = u64::from(params.slots_per_epoch());
    let epoch = global.checked_div(per_epoch).unwrap_or(0);
    let slot = u32::try_from(global.checked_rem(per_epoch).unwrap_or(0))
        .map_err(|_| CliError::Usage("slot out of range".into()))?;
    Ok(SlotId { epoch, slot })
}

/// `part / whole` in basis points.
fn bps(part: u64, whole: u64) -> u64 {
    part.saturating_mul(10_000).checked_div(whole).unwrap_or(0)
}

/// Items per second over a duration, as an integer.
fn per_second(items: u64, time: Duration) -> u64 {
    let micros = time.as_micros().max(1);
    u64::try_from(
        u128::from(items)
            .saturating_mul(1_000_000)
            .checked_div(micros)
            .unwrap_or(0),
    )
    .unwrap_or(u64::MAX)
}

/// The chips sold in the attack slot: their new bindings, to pass to the attack builder.
#[derive(Debug, Clone)]
struct Sale {
    /// One sale binding (the front-running attack copies it).
    binding: Vec<u8>,
}

struct Simulation<'a> {
    params: &'a NetworkParams,
    verifier: &'a Verifier,
    population: &'a Population,
    ledger: ChipLedger,
    states: Vec<ChipState>,
    key_index: BTreeMap<KeyId, usize>,
    behaviour_rng: Rng,
    /// Refusals of the current epoch, for its report.
    tally: RejectionTally,
    /// Refusals of the whole run.
    refusals: BTreeMap<String, u64>,
    attacks: Vec<AttackOutcome>,
    /// What went wrong: an honest proof refused, an attack accepted, a sum that does not add up.
    faults: Vec<String>,
    outcomes: BTreeMap<String, u64>,
    /// Per epoch, per chip: slots whose heartbeat the ledger accepted, by the run's own count.
    expected_proven: BTreeMap<u64, BTreeMap<(KeyId, Vec<u8>), u32>>,
    /// Per site (and "all"): share of bound chips that proved each slot.
    availability_by_slot: BTreeMap<String, Vec<u64>>,
    /// Global slots of the biggest operator's outage.
    outage: std::ops::Range<u64>,
    /// (chip, DER) of the last slot's honest heartbeats.
    previous_heartbeats: Vec<(usize, Vec<u8>)>,
    /// The last slot run and its challenge.
    last_slot: Option<(SlotId, [u8; 32])>,
    sign_time: Duration,
    verify_time: Duration,
    bind_time: Duration,
    heartbeats_checked: u64,
    heartbeats_accepted: u64,
    bindings_checked: u64,
}

impl Simulation<'_> {
    fn network_id(&self) -> &str {
        self.params.network_id()
    }

    fn identity(&self, index: usize) -> Result<ChipIdentity, CliError> {
        let chip = self.chip(index)?;
        let model = self
            .population
            .models
            .get(chip.model)
            .ok_or_else(|| CliError::Usage("model index out of range".into()))?;
        Ok(ChipIdentity {
            model_id: model.model_id.clone(),
            serial: chip.serial.clone(),
            security_version: 1,
        })
    }

    fn chip(&self, index: usize) -> Result<&population::Chip, CliError> {
        self.population
            .chips
            .get(index)
            .ok_or_else(|| CliError::Usage("chip index out of range".into()))
    }

    fn wallet(&self, index: usize) -> &[u8] {
        self.population
            .wallets
            .get(index)
            .map_or(&[][..], Vec::as_slice)
    }

    fn refuse(&mut self, error: &poci::Error) {
        self.tally.record(error);
        let count = self.refusals.entry(error.code().to_owned()).or_insert(0);
        *count = count.saturating_add(1);
    }

    fn outcome(&mut self, name: &str) {
        let count = self.outcomes.entry(name.to_owned()).or_insert(0);
        *count = count.saturating_add(1);
    }

    /// Applies bindings (DER, submitting wallet) of one slot as a batch, counting outcomes.
    fn apply_bindings(
        &mut self,
        bindings: &[(Vec<u8>, Vec<u8>)],
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Vec<Result<BindingOutcome, poci::Error>>, CliError> {
        let submissions: Vec<BindingSubmission<'_>> = bindings
            .iter()
            .map(|(der, wallet)| BindingSubmission {
                der,
                slot: at,
                challenge,
                wallet,
            })
            .collect();
        let started = Instant::now();
        let results = in_batches(&submissions, |chunk| {
            self.ledger.apply_bindings(self.verifier, chunk)
        })?;
        self.bind_time = self.bind_time.saturating_add(started.elapsed());
        self.bindings_checked = self
            .bindings_checked
            .saturating_add(u64::try_from(results.len()).unwrap_or(u64::MAX));
        for result in &results {
            match result {
                Ok(BindingOutcome::Claimed) => self.outcome("claimed"),
                Ok(BindingOutcome::Rebound { .. }) => self.outcome("rebound"),
                Ok(BindingOutcome::AlreadyApplied) => self.outcome("already_applied"),
                Ok(BindingOutcome::Equivocation(_)) => self.outcome("equivocation"),
                Ok(_) => self.outcome("other"),
                Err(error) => self.refuse(error),
            }
        }
        Ok(results)
    }

    /// The chips that join in `at`'s epoch sign bindings (in parallel) and the node applies them.
    fn bind_joining_chips(&mut self, at: SlotId, challenge: &[u8; 32]) -> Result<(), CliError> {
        let joining: Vec<usize> = (0..self.population.chips.len())
            .filter(|index| {
                self.population
                    .chips
                    .get(*index)
                    .is_some_and(|chip| chip.joins_epoch == at.epoch)
            })
            .collect();
        let slot = BindingSlot {
            network_id: self.network_id(),
            at,
            challenge,
        };
        let signed: Vec<Vec<u8>> = joining
            .par_iter()
            .map(|&index| {
                let chip = self.chip(index)?;
                attacks::binding(
                    slot,
                    &chip.key,
                    &self.identity(index)?,
                    chip.certificates.clone(),
                    self.wallet(chip.wallet),
                    1,
                )
            })
            .collect::<Result<_, _>>()?;
        let bindings: Vec<(Vec<u8>, Vec<u8>)> = joining
            .iter()
            .zip(signed)
            .map(|(index, der)| {
                let wallet = self.chip(*index).map_or(0, |chip| chip.wallet);
                (der, self.wallet(wallet).to_vec())
            })
            .collect();
        let results = self.apply_bindings(&bindings, at, challenge)?;
        for ((index, (der, _)), result) in joining.into_iter().zip(bindings).zip(results) {
            match result {
                Ok(BindingOutcome::Claimed) => {
                    let wallet = self.chip(index)?.wallet;
                    if let Some(state) = self.states.get_mut(index) {
                        state.wallet = Some(wallet);
                        state.binding_counter = 1;
                        state.online = true;
                        state.first_binding = der;
                    }
                }
                other => self.faults.push(format!(
                    "chip {index}: honest binding gave {}",
                    verdict(&other)
                )),
            }
        }
        Ok(())
    }

    /// A few chips change hands: each signs a binding with the next counter for its buyer.
    fn sell_chips(&mut self, at: SlotId, challenge: &[u8; 32]) -> Result<Sale, CliError> {
        let sold: Vec<usize> = self
            .states
            .iter()
            .enumerate()
            .filter(|(_, state)| state.wallet.is_some())
            .map(|(index, _)| index)
            .step_by(997)
            .take(5)
            .collect();
        // (chip, seller, buyer, new counter) and the buyer's binding, applied as one batch.
        let mut sales = Vec::with_capacity(sold.len());
        let mut bindings = Vec::with_capacity(sold.len());
        for index in sold {
            let Some(state) = self.states.get(index) else {
                continue;
            };
            let (Some(seller), counter) = (state.wallet, state.binding_counter.saturating_add(1))
            else {
                continue;
            };
            let buyer = seller
                .saturating_add(1)
                .checked_rem(self.population.wallets.len())
                .unwrap_or(0);
            let chip = self.chip(index)?;
            let der = attacks::binding(
                BindingSlot {
                    network_id: self.network_id(),
                    at,
                    challenge,
                },
                &chip.key,
                &self.identity(index)?,
                chip.certificates.clone(),
                self.wallet(buyer),
                counter,
            )?;
            sales.push((index, seller, buyer, counter));
            bindings.push((der, self.wallet(buyer).to_vec()));
        }
        let results = self.apply_bindings(&bindings, at, challenge)?;
        for ((index, seller, buyer, counter), result) in sales.into_iter().zip(results) {
            match result {
                Ok(BindingOutcome::Rebound { previous_wallet })
                    if previous_wallet == self.wallet(seller) =>
                {
                    if let Some(state) = self.states.get_mut(index) {
                        state.wallet = Some(buyer);
                        state.binding_counter = counter;
                    }
                }
                other => self.faults.push(format!(
                    "chip {index}: sale binding gave {}",
                    verdict(&other)
                )),
            }
        }
        let sale_binding = bindings.pop().map(|(der, _)| der).unwrap_or_default();
        Ok(Sale {
            binding: sale_binding,
        })
    }

    /// One slot: online chips sign heartbeats in parallel, attackers add theirs in the attack
    /// slot, and the node applies the batch.
    fn run_slot(
        &mut self,
        at: SlotId,
        challenge: &[u8; 32],
        sale: Option<&Sale>,
    ) -> Result<(), CliError> {
        let global = at
            .epoch
            .saturating_mul(u64::from(self.params.slots_per_epoch()))
            .saturating_add(u64::from(at.slot));
        let mut answering: Vec<(usize, usize, u64)> = Vec::new();
        // Per site (and "all"): chips bound, chips that proved the slot.
        let mut bound: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
        for index in 0..self.states.len() {
            let Some(chip) = self.population.chips.get(index) else {
                continue;
            };
            let Some(state) = self.states.get_mut(index) else {
                continue;
            };
            let Some(wallet) = state.wallet else {
                continue;
            };
            let site = self
                .population
                .models
                .get(chip.model)
                .map_or("edge", |model| model.site.name());
            for name in ["all", site] {
                let entry = bound.entry(name).or_insert((0, 0));
                entry.0 = entry.0.saturating_add(1);
            }
            state.possible = state.possible.saturating_add(1);
            // The biggest operator's site loses power for a few slots.
            let outage = wallet == OUTAGE_WALLET && self.outage.contains(&global);
            state.online = online(chip, global, state.online, &mut self.behaviour_rng) && !outage;
            if state.online {
                state.heartbeat_counter = state.heartbeat_counter.saturating_add(1);
                answering.push((index, wallet, state.heartbeat_counter));
            }
        }
        let started = Instant::now();
        let network_id = self.network_id();
        let honest: Vec<Vec<u8>> = answering
            .par_iter()
            .map(|&(index, wallet, counter)| {
                let chip = self.chip(index)?;
                let tbs = HeartbeatTbs {
                    network_id: network_id.to_owned(),
                    chip_key_id: *chip.key.key_id(),
                    wallet: self.wallet(wallet).to_vec(),
                    epoch: at.epoch,
                    slot: at.slot,
                    challenge: *challenge,
                    counter,
                    measurement: None,
                };
                Signed::sign(tbs, &chip.key)
                    .and_then(|signed| signed.to_der())
                    .map_err(setup("signing a heartbeat"))
            })
            .collect::<Result<_, _>>()?;
        self.sign_time = self.sign_time.saturating_add(started.elapsed());

        // The batch: honest heartbeats, with the attacks placed around them in the attack slot.
        let mut batch: Vec<(Vec<u8>, Expect)> = Vec::with_capacity(honest.len().saturating_add(8));
        let mut binding_attacks = Vec::new();
        if let (Some(sale), Some(((victim_index, victim_wallet, victim_counter), victim_der))) =
            (sale, answering.first().zip(honest.first()))
        {
            let victim_chip = self.chip(*victim_index)?;
            let victim = Victim {
                key: &victim_chip.key,
                heartbeat: victim_der,
                wallet: self.wallet(*victim_wallet),
                counter: *victim_counter,
            };
            let previous = self
                .previous_heartbeats
                .iter()
                .find(|(index, _)| index != victim_index)
                .map(|(_, der)| der.clone())
                .unwrap_or_default();
            for attack in
                attacks::heartbeat_attacks(self.network_id(), at, challenge, victim, &previous)?
            {
                batch.push((
                    attack.der.clone(),
                    Expect::Attack(attack.name, attack.description, attack.expected),
                ));
            }
            let duplicate = attacks::duplicate(victim);
            // The duplicate follows the original (pushed below, first in the honest part).
            binding_attacks = self.prepare_binding_attacks(at, challenge, sale)?;
            let mut honest_part: Vec<(Vec<u8>, Expect)> = answering
                .iter()
                .zip(&honest)
                .map(|(&(index, wallet, _), der)| (der.clone(), Expect::Honest(index, wallet)))
                .collect();
            honest_part.insert(
                1.min(honest_part.len()),
                (
                    duplicate.der,
                    Expect::Attack(duplicate.name, duplicate.description, duplicate.expected),
                ),
            );
            batch.extend(honest_part);
        } else {
            batch.extend(
                answering
                    .iter()
                    .zip(&honest)
                    .map(|(&(index, wallet, _), der)| (der.clone(), Expect::Honest(index, wallet))),
            );
        }

        let submissions: Vec<HeartbeatSubmission<'_>> = batch
            .iter()
            .map(|(der, _)| HeartbeatSubmission {
                der,
                slot: at,
                challenge,
            })
            .collect();
        let started = Instant::now();
        let results = in_batches(&submissions, |chunk| {
            self.ledger.apply_heartbeats(self.verifier, chunk)
        })?;
        self.verify_time = self.verify_time.saturating_add(started.elapsed());
        self.heartbeats_checked = self
            .heartbeats_checked
            .saturating_add(u64::try_from(results.len()).unwrap_or(u64::MAX));
        for ((_, expect), result) in batch.iter().zip(results) {
            match (expect, result) {
                (Expect::Honest(index, wallet), Ok(())) => {
                    let site = self
                        .population
                        .chips
                        .get(*index)
                        .and_then(|chip| self.population.models.get(chip.model))
                        .map_or("edge", |model| model.site.name());
                    for name in ["all", site] {
                        let entry = bound.entry(name).or_insert((0, 0));
                        entry.1 = entry.1.saturating_add(1);
                    }
                    self.heartbeats_accepted = self.heartbeats_accepted.saturating_add(1);
                    if let Some(state) = self.states.get_mut(*index) {
                        state.proven = state.proven.saturating_add(1);
                    }
                    if let Some(chip) = self.population.chips.get(*index) {
                        let key = (*chip.key.key_id(), self.wallet(*wallet).to_vec());
                        let count = self
                            .expected_proven
                            .entry(at.epoch)
                            .or_default()
                            .entry(key)
                            .or_insert(0);
                        *count = count.saturating_add(1);
                    }
                }
                (Expect::Honest(index, _), Err(error)) => {
                    self.refuse(&error);
                    self.faults.push(format!(
                        "chip {index}: honest heartbeat of epoch {} slot {} refused: {}",
                        at.epoch,
                        at.slot,
                        error.code()
                    ));
                }
                (Expect::Attack(name, description, expected), result) => {
                    if let Err(error) = &result {
                        self.refuse(error);
                    } else {
                        self.heartbeats_accepted = self.heartbeats_accepted.saturating_add(1);
                    }
                    self.record_attack(name, description, expected, at, verdict_unit(&result));
                }
            }
        }
        let submitted: Vec<(Vec<u8>, Vec<u8>)> = binding_attacks
            .iter()
            .map(|attack| (attack.der.clone(), attack.submitter.clone()))
            .collect();
        let results = self.apply_bindings(&submitted, at, challenge)?;
        for (attack, result) in binding_attacks.into_iter().zip(results) {
            let got = match &result {
                Ok(BindingOutcome::Equivocation(evidence)) if evidence.second == attack.der => {
                    EQUIVOCATION.to_owned()
                }
                other => verdict(other),
            };
            self.record_attack(attack.name, attack.description, attack.expected, at, got);
        }
        for (name, (chips, proven)) in bound {
            self.availability_by_slot
                .entry(name.to_owned())
                .or_default()
                .push(bps(proven, chips));
        }
        self.last_slot = Some((at, *challenge));
        self.previous_heartbeats = answering
            .iter()
            .map(|(index, _, _)| *index)
            .zip(honest)
            .take(4)
            .collect();
        Ok(())
    }

    fn prepare_binding_attacks(
        &self,
        at: SlotId,
        challenge: &[u8; 32],
        sale: &Sale,
    ) -> Result<Vec<attacks::BindingAttack>, CliError> {
        let Some((index, state)) = self
            .states
            .iter()
            .enumerate()
            .find(|(_, state)| state.wallet.is_some() && state.binding_counter == 1)
        else {
            return Ok(Vec::new());
        };
        let chip = self.chip(index)?;
        let identity = self.identity(index)?;
        let foreign = self
            .population
            .vendors
            .iter()
            .find(|vendor| vendor.vendor_id != "nvidia")
            .ok_or_else(|| CliError::Usage("no second vendor".into()))?;
        attacks::binding_attacks(
            BindingSlot {
                network_id: self.network_id(),
                at,
                challenge,
            },
            BoundChip {
                key: &chip.key,
                identity: &identity,
                certificates: &chip.certificates,
                wallet: self.wallet(state.wallet.unwrap_or(0)),
                counter: state.binding_counter,
                first_binding: &state.first_binding,
            },
            &sale.binding,
            foreign,
        )
    }

    fn record_attack(
        &mut self,
        name: &'static str,
        description: &'static str,
        expected: &'static str,
        at: SlotId,
        got: String,
    ) {
        let outcome = AttackOutcome {
            name,
            description,
            expected,
            got,
            at,
        };
        if !outcome.refused_as_expected() {
            self.faults.push(format!(
                "attack '{name}': expected {expected}, got {}",
                outcome.got
            ));
        }
        self.attacks.push(outcome);
    }

    /// The ledger's availability of an epoch must be exactly the run's own count.
    fn check_availability(&mut self, closed: &poci::ClosedEpoch) {
        let from_ledger: BTreeMap<(KeyId, Vec<u8>), u32> = closed
            .availability
            .iter()
            .map(|entry| ((entry.key_id, entry.wallet.clone()), entry.proven_slots))
            .collect();
        let expected = self
            .expected_proven
            .remove(&closed.epoch)
            .unwrap_or_default();
        if from_ledger != expected {
            self.faults.push(format!(
                "epoch {}: the ledger's proven slots differ from the run's count ({} vs {} entries)",
                closed.epoch,
                from_ledger.len(),
                expected.len()
            ));
        }
    }

    /// A chip's binding and its last heartbeat with their contexts, for `poci inspect` and
    /// `poci verify` (samples/).
    fn write_samples(&self, out: &std::path::Path) -> Result<(), CliError> {
        let Some(((index, heartbeat), state)) = self
            .previous_heartbeats
            .iter()
            .filter_map(|entry| Some((entry, self.states.get(entry.0)?)))
            .find(|(_, state)| state.binding_counter == 1 && !state.first_binding.is_empty())
        else {
            return Ok(());
        };
        let Some((at, challenge)) = self.last_slot else {
            return Ok(());
        };
        let chip = self.chip(*index)?;
        let samples = out.join("samples");
        let binding = poci::ChipBindingRef::from_der(&state.first_binding)
            .map_err(setup("sample binding"))?;
        let tbs = binding.tbs();
        write(&samples.join("binding.der"), &state.first_binding)?;
        write_json(
            &samples.join("binding-context.json"),
            &serde_json::json!({
                "epoch": tbs.epoch.to_string(),
                "slot": tbs.slot,
                "challenge": hex::encode(tbs.challenge),
                "wallet": hex::encode(tbs.wallet),
            }),
        )?;
        write(&samples.join("heartbeat.der"), heartbeat)?;
        write_json(
            &samples.join("heartbeat-context.json"),
            &serde_json::json!({
                "epoch": at.epoch.to_string(),
                "slot": at.slot,
                "challenge": hex::encode(challenge),
                "wallet": hex::encode(tbs.wallet),
                "public_key": hex::encode(chip.key.public_key().sec1_bytes()),
            }),
        )?;
        let device = chip.certificates.first().map_or(&[][..], Vec::as_slice);
        let pem =
            poci::x509::mint::to_pem("CERTIFICATE", device).map_err(setup("sample certificate"))?;
        write(&samples.join("device.pem"), pem)?;
        Ok(())
    }
}

/// What a submitted heartbeat is and what it must get.
#[derive(Debug, Clone)]
enum Expect {
    /// An honest chip's heartbeat (chip, wallet): must be accepted.
    Honest(usize, usize),
    /// An attack (name, description, expected code): must be refused with that code.
    Attack(&'static str, &'static str, &'static str),
}

fn verdict(result: &Result<BindingOutcome, poci::Error>) -> String {
    match result {
        Ok(BindingOutcome::Claimed) => "ACCEPTED (claimed)".to_owned(),
        Ok(BindingOutcome::Rebound { .. }) => "ACCEPTED (rebound)".to_owned(),
        Ok(BindingOutcome::AlreadyApplied) => "ACCEPTED (already applied)".to_owned(),
        Ok(BindingOutcome::Equivocation(_)) => "EQUIVOCATION (other evidence)".to_owned(),
        Ok(_) => "ACCEPTED".to_owned(),
        Err(error) => error.code().to_owned(),
    }
}

fn verdict_unit(result: &Result<(), poci::Error>) -> String {
    match result {
        Ok(()) => "ACCEPTED".to_owned(),
        Err(error) => error.code().to_owned(),
    }
}
