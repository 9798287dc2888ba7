//! `poci simulate`: a whole network on real cryptography. Chips of the registry's real models,
//! certified by the testnet vendors, bind to wallets and answer every slot's challenge; some
//! flap or go offline, some are sold and re-bound; attackers try what real networks meet. The
//! node side verifies everything in parallel, closes epochs and pays rewards, and the run
//! checks every verdict and every sum independently.
//!
//! The run is in parts: [`miners`] (the chips: their state, what they sign), [`node`] (the
//! ledger and the rewards) and [`audit`] (what each input must get, and whether it did). This
//! module wires them together slot by slot.

mod attacks;
mod audit;
mod html;
mod miners;
mod node;
mod population;
mod progress;
mod rules;
mod summary;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use poci::{
    BindingEvidence, ChipIdentity, ChipModelRegistry, EvidenceKind, HeartbeatEvidence,
    NetworkParams, SlotId, TrustStore, Verifier,
};

use crate::error::{CliError, setup};
use crate::files::{write, write_json};
use attacks::{BindingAttack, Victim};
use audit::{Audit, Expect};
use miners::{Answers, Miners, Sale};
use node::Node;
use population::{ChipProof, FleetShape, Population};
use progress::Progress;
use rules::{RuleChips, RulesLog};
use summary::{EvidenceSummary, ModelSummary, RunSummary, Throughput};

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
    /// Number of wallets owning them (at most one a chip; the run reports how many owned a
    /// chip).
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

/// What every part reads and none changes: the network, the node's verifier, the population.
#[derive(Clone, Copy)]
struct World<'a> {
    /// The network's parameters.
    params: &'a NetworkParams,
    /// The verifier the node checks proofs with.
    verifier: &'a Verifier,
    /// Vendors, models, wallets and chips.
    population: &'a Population,
}

impl<'a> World<'a> {
    /// The network's id.
    fn network_id(self) -> &'a str {
        self.params.network_id()
    }

    /// Chip `index`.
    fn chip(self, index: usize) -> Result<&'a population::Chip, CliError> {
        self.population
            .chips
            .get(index)
            .ok_or_else(|| CliError::Usage("chip index out of range".into()))
    }

    /// What chip `index`'s certificate says it is.
    fn identity(self, index: usize) -> Result<ChipIdentity, CliError> {
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

    /// Wallet `index`'s address (empty if there is none).
    fn wallet(self, index: usize) -> &'a [u8] {
        self.population
            .wallets
            .get(index)
            .map_or(&[][..], Vec::as_slice)
    }

    /// Where a chip runs, by name (a chip of an unknown model counts as edge).
    fn site(self, chip: &population::Chip) -> &'static str {
        self.population
            .models
            .get(chip.model)
            .map_or("edge", |model| model.site.name())
    }

    /// The run-wide index of a slot.
    fn global(self, at: SlotId) -> u64 {
        at.epoch
            .saturating_mul(u64::from(self.params.slots_per_epoch()))
            .saturating_add(u64::from(at.slot))
    }
}

/// The three parts of a run, each owning its own state.
struct Parts {
    /// The chips' side.
    miners: Miners,
    /// The node's side.
    node: Node,
    /// The independent checks.
    audit: Audit,
    /// The sampled network beside the full one (SPEC.md 18.3), fed the same chips.
    sampled: Node,
    /// The chips the consensus rules act on.
    rules: RuleChips,
    /// What the rules did.
    log: RulesLog,
    /// Every slot's challenge so far, in order.
    challenges: Vec<(SlotId, [u8; 32])>,
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
    let registry = ChipModelRegistry::embedded().map_err(setup("registry"))?;
    let policy = node::demo_network_policy(&params)?;
    let threads = rayon::current_num_threads();
    let total_slots = args.epochs.saturating_mul(u64::from(args.slots_per_epoch));
    let progress = Progress::new(total_slots);
    progress.note(&format!(
        "poci simulate: minting {chips} chips of {} models ({threads} threads)",
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
    // Revised trust material takes effect from the attack slot's epoch (at least 1).
    let attack_slot = slot_of(&params, total_slots / 2)?;
    let activation = Some(attack_slot.epoch.max(1)).filter(|epoch| *epoch < args.epochs);
    let rule_chips = RuleChips::pick(&population, activation);
    let mut verifier =
        Verifier::with_trust_store(TrustStore::embedded_testnet().map_err(setup("trust store"))?);
    if let Some(epoch) = activation {
        let start = params
            .epoch_start_unix(epoch)
            .map_err(setup("activation epoch"))?;
        let revised = rules::revised_trust(&population, &rule_chips, start)?;
        verifier
            .schedule_trust_store(epoch, revised)
            .map_err(setup("scheduling trust material"))?;
    }
    let world = World {
        params: &params,
        verifier: &verifier,
        population: &population,
    };
    let mut parts = Parts {
        miners: Miners::new(chips, &args.seed, miners::outage_window(total_slots)),
        node: Node::new(&policy, &population)?,
        audit: Audit::default(),
        sampled: rules::sampled_node(&policy, &population)?,
        rules: rule_chips,
        log: RulesLog::default(),
        challenges: Vec::new(),
    };
    run_epochs(world, &mut parts, args, &progress)?;
    write_json(&args.out.join("params.json"), &params)?;
    write_json(&args.out.join("policy.json"), &policy)?;
    write_json(
        &args.out.join("rewards-params.json"),
        parts.node.reward_params(),
    )?;
    parts.miners.write_samples(world, &args.out)?;
    let timing = Timing {
        threads,
        minted,
        total: started.elapsed(),
    };
    let summary = summarize(world, &parts, args, timing);
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

/// Every epoch, slot by slot: chips bind as they join, a few are sold (with the attacks) in
/// the middle slot of the run, and each epoch is closed, paid and written out.
fn run_epochs(
    world: World<'_>,
    parts: &mut Parts,
    args: &SimulateArgs,
    progress: &Progress,
) -> Result<(), CliError> {
    let total_slots = args.epochs.saturating_mul(u64::from(args.slots_per_epoch));
    let attack_slot = slot_of(world.params, total_slots / 2)?;
    let mut beacons = population::Rng::new(&args.seed, "beacons");
    let mut done = 0u64;
    for epoch in 0..args.epochs {
        for slot in 0..args.slots_per_epoch {
            let at = SlotId { epoch, slot };
            let challenge = poci::derive_challenge(world.params, epoch, slot, &beacons.bytes32())
                .map_err(setup("challenge"))?;
            parts.challenges.push((at, challenge));
            if slot == 0 {
                bind_joining_chips(world, parts, at, &challenge)?;
            }
            if at == (SlotId { epoch: 0, slot: 0 }) {
                rules::accept_lease(world, parts, at)?;
            }
            let sale = if at == attack_slot {
                Some(sell_chips(world, parts, at, &challenge)?)
            } else {
                None
            };
            run_slot(world, parts, at, &challenge, sale.as_ref())?;
            done = done.saturating_add(1);
            let work = parts.node.work();
            progress.update(
                done,
                slot.saturating_add(1) == args.slots_per_epoch,
                &format!(
                    "epoch {epoch} slot {slot:>2}: {} heartbeats verified ({}/s)",
                    crate::rewards::group_digits(work.heartbeats_checked),
                    per_second(work.heartbeats_checked, work.verify_time)
                ),
            );
        }
        close_epoch(world, parts, epoch, &args.out)?;
    }
    Ok(())
}

/// The chips that join in `at`'s epoch bind to their owners; each binding must be claimed.
fn bind_joining_chips(
    world: World<'_>,
    parts: &mut Parts,
    at: SlotId,
    challenge: &[u8; 32],
) -> Result<(), CliError> {
    let signed = parts.miners.sign_joining(world, at, challenge)?;
    // An NVIDIA binding carries the GPU's chain with its report; a POCI one has none.
    let chains: Vec<Option<Vec<&[u8]>>> = signed
        .iter()
        .map(
            |binding| match world.chip(binding.chip).map(|chip| &chip.proof) {
                Ok(ChipProof::NvidiaSpdm(gpu)) => {
                    Some(gpu.chain().iter().map(Vec::as_slice).collect())
                }
                _ => None,
            },
        )
        .collect();
    let submitted: Vec<(BindingEvidence<'_>, &[u8])> = signed
        .iter()
        .zip(&chains)
        .map(|(binding, chain)| {
            let evidence = match chain {
                Some(chain) => BindingEvidence::NvidiaSpdm {
                    report: &binding.proof,
                    chain,
                },
                None => BindingEvidence::Poci(&binding.proof),
            };
            (evidence, world.wallet(binding.wallet))
        })
        .collect();
    let results = parts
        .node
        .apply_bindings(world, &submitted, (at, challenge), at)?;
    parts
        .sampled
        .apply_bindings(world, &submitted, (at, challenge), at)?;
    for (binding, result) in signed.into_iter().zip(results) {
        if parts.audit.honest_binding(binding.chip, &result) {
            parts.miners.claimed(binding);
        }
    }
    Ok(())
}

/// A few chips change hands; each sale must re-bind the chip from its seller to its buyer.
fn sell_chips(
    world: World<'_>,
    parts: &mut Parts,
    at: SlotId,
    challenge: &[u8; 32],
) -> Result<Sale, CliError> {
    let resales = parts.miners.sell(world, at, challenge)?;
    let submitted: Vec<(BindingEvidence<'_>, &[u8])> = resales
        .iter()
        .map(|resale| {
            (
                BindingEvidence::Poci(&resale.binding.proof),
                world.wallet(resale.binding.wallet),
            )
        })
        .collect();
    let results = parts
        .node
        .apply_bindings(world, &submitted, (at, challenge), at)?;
    parts
        .sampled
        .apply_bindings(world, &submitted, (at, challenge), at)?;
    for (resale, result) in resales.iter().zip(results) {
        if parts.audit.sale(world, resale, &result) {
            parts.miners.rebound(resale);
        }
    }
    Ok(Sale::of(&resales))
}

/// One slot: online chips sign heartbeats, attackers add theirs in the attack slot, the node
/// applies the batch and the audit checks every verdict.
fn run_slot(
    world: World<'_>,
    parts: &mut Parts,
    at: SlotId,
    challenge: &[u8; 32],
    sale: Option<&Sale>,
) -> Result<(), CliError> {
    let answers = parts.miners.answer(world, at, challenge)?;
    let (mut batch, mut binding_attacks) = match sale {
        Some(sale) => attack_batch(world, &parts.miners, &answers, at, challenge, sale)?,
        None => (honest_batch(&answers), Vec::new()),
    };
    // The revised trust material revokes one chip: its heartbeats must now be refused.
    for (_, expect) in &mut batch {
        if let Expect::Honest(index, _) = *expect {
            if parts.rules.is_revoked_at(index, at) {
                *expect = Expect::Revoked(index);
            }
        }
    }
    if sale.is_some() {
        binding_attacks.extend(rules::attack_slot_extras(
            world, parts, &answers, at, challenge,
        )?);
    }
    let submitted: Vec<HeartbeatEvidence<'_>> = batch
        .iter()
        .map(|(bytes, expect)| match expect {
            Expect::Honest(index, _) | Expect::GpuAttack(index, ..) => match world.chip(*index) {
                Ok(chip) if chip.poci().is_none() => HeartbeatEvidence::NvidiaSpdm {
                    key_id: chip.key_id,
                    report: bytes,
                },
                _ => HeartbeatEvidence::Poci(bytes),
            },
            Expect::Attack(..) => HeartbeatEvidence::Poci(bytes),
            Expect::Revoked(_) => HeartbeatEvidence::Poci(bytes),
        })
        .collect();
    let results = parts
        .node
        .apply_heartbeats(world, &submitted, (at, challenge), at)?;
    rules::sample(world, parts, &batch, &submitted, (at, challenge))?;
    let accepted = parts.audit.heartbeats(world, at, &batch, results);
    parts.log.revoked_refused = parts.log.revoked_refused.saturating_add(count(
        batch
            .iter()
            .filter(|(_, expect)| matches!(expect, Expect::Revoked(_)))
            .count(),
    ));
    let submitted: Vec<(BindingEvidence<'_>, &[u8])> = binding_attacks
        .iter()
        .map(|attack| {
            (
                BindingEvidence::Poci(&attack.der),
                attack.submitter.as_slice(),
            )
        })
        .collect();
    let results = parts
        .node
        .apply_bindings(world, &submitted, (at, challenge), at)?;
    parts.audit.binding_attacks(at, &binding_attacks, results);
    parts
        .miners
        .end_slot(world, (at, *challenge), answers, &accepted);
    Ok(())
}

/// A slot's heartbeats as submitted, each with what it must get.
type Batch = Vec<(Vec<u8>, Expect)>;

/// The honest heartbeats of a slot, in the order the chips answered.
fn honest_batch(answers: &Answers) -> Batch {
    answers
        .answering
        .iter()
        .zip(&answers.heartbeats)
        .map(|(answer, der)| (der.clone(), Expect::Honest(answer.chip, answer.wallet)))
        .collect()
}

/// The attack slot's batch: the heartbeat attacks first, then the honest heartbeats with the
/// first one's duplicate right after it; and the binding attacks to apply after them. With no
/// chip answering there is no victim, and so no attack.
fn attack_batch(
    world: World<'_>,
    miners: &Miners,
    answers: &Answers,
    at: SlotId,
    challenge: &[u8; 32],
    sale: &Sale,
) -> Result<(Batch, Vec<BindingAttack>), CliError> {
    // The victim is the first chip that answered with a POCI heartbeat.
    let Some(((answer, victim_der), victim_key)) = answers
        .answering
        .iter()
        .zip(&answers.heartbeats)
        .find_map(|pair| Some((pair, world.chip(pair.0.chip).ok()?.poci()?.0)))
    else {
        return Ok((honest_batch(answers), Vec::new()));
    };
    let victim = Victim {
        key: victim_key,
        heartbeat: victim_der,
        wallet: world.wallet(answer.wallet),
        counter: answer.counter,
    };
    let previous = miners.previous_heartbeat_not_of(answer.chip);
    let mut batch: Batch = Vec::with_capacity(answers.heartbeats.len().saturating_add(8));
    for attack in attacks::heartbeat_attacks(world.network_id(), at, challenge, victim, previous)? {
        batch.push((
            attack.der,
            Expect::Attack(attack.name, attack.description, attack.expected),
        ));
    }
    if let Some(replay) = gpu_replay(world, miners, answers)? {
        batch.push(replay);
    }
    let duplicate = attacks::duplicate(victim);
    let binding_attacks = miners.binding_attacks(world, at, challenge, sale)?;
    let mut honest = honest_batch(answers);
    honest.insert(
        1.min(honest.len()),
        (
            duplicate.der,
            Expect::Attack(duplicate.name, duplicate.description, duplicate.expected),
        ),
    );
    batch.extend(honest);
    Ok((batch, binding_attacks))
}

/// The NVIDIA attack of the attack slot: the first answering GPU's report for the previous
/// slot submitted again for this one. None without an answering GPU or a previous slot.
fn gpu_replay(
    world: World<'_>,
    miners: &Miners,
    answers: &Answers,
) -> Result<Option<(Vec<u8>, Expect)>, CliError> {
    let Some((previous, previous_challenge)) = miners.last_slot() else {
        return Ok(None);
    };
    let Some((answer, gpu)) =
        answers
            .answering
            .iter()
            .find_map(|answer| match &world.chip(answer.chip).ok()?.proof {
                ChipProof::NvidiaSpdm(gpu) => Some((answer, gpu)),
                ChipProof::Poci { .. } => None,
            })
    else {
        return Ok(None);
    };
    let context = poci::SlotContext {
        network_id: world.network_id(),
        epoch: previous.epoch,
        slot: previous.slot,
        challenge: &previous_challenge,
        wallet: world.wallet(answer.wallet),
    };
    let nonce = poci::evidence::nonce::evidence_nonce(
        &context,
        poci::evidence::nonce::EvidencePurpose::Heartbeat,
    )
    .map_err(setup("an evidence nonce"))?;
    let report = gpu
        .report(&nonce)
        .map_err(setup("an emulated GPU's report"))?;
    Ok(Some((
        report,
        Expect::GpuAttack(
            answer.chip,
            "replayed GPU report",
            "an NVIDIA GPU's report for the previous slot, submitted again",
            "NONCE_MISMATCH",
        ),
    )))
}

/// Closes an epoch: the node closes and pays it, the audit checks the ledger's count and the
/// report's sums, and both are written out.
fn close_epoch(
    world: World<'_>,
    parts: &mut Parts,
    epoch: u64,
    out: &std::path::Path,
) -> Result<(), CliError> {
    let challenges: Vec<[u8; 32]> = parts
        .challenges
        .iter()
        .filter(|(at, _)| at.epoch == epoch)
        .map(|(_, challenge)| *challenge)
        .collect();
    let (closed, report) = parts.node.close_epoch(epoch, &challenges)?;
    parts.audit.check_availability(&closed);
    parts.audit.check_sums(parts.node.reward_params(), &report);
    write_json(&out.join(format!("epoch-{epoch}.proven.json")), &closed)?;
    write_json(&out.join(format!("epoch-{epoch}.json")), &report)?;
    parts.node.pay(world, report);
    let (sampled_closed, sampled_report) = parts.sampled.close_epoch(epoch, &challenges)?;
    parts
        .audit
        .check_sums(parts.sampled.reward_params(), &sampled_report);
    write_json(
        &out.join(format!("epoch-{epoch}.sampled.proven.json")),
        &sampled_closed,
    )?;
    parts.sampled.pay(world, sampled_report);
    rules::settle_lease(parts, &closed, world);
    rules::list_revoked(world, parts, epoch, out)?;
    Ok(())
}

/// The run's wall-clock times, for the summary.
struct Timing {
    /// Rayon's threads.
    threads: usize,
    /// Time to mint the population.
    minted: Duration,
    /// Time of the whole run.
    total: Duration,
}

/// Everything the run shows, from its three parts.
fn summarize(world: World<'_>, parts: &Parts, args: &SimulateArgs, timing: Timing) -> RunSummary {
    let work = parts.node.work();
    let outage = parts.miners.outage();
    RunSummary {
        network: world.params.clone(),
        seed: args.seed.clone(),
        chips: args.chips,
        wallets: u32::try_from(
            world
                .population
                .owners()
                .union(&parts.miners.bound_wallets())
                .count(),
        )
        .unwrap_or(u32::MAX),
        epochs: args.epochs,
        slots_per_epoch: args.slots_per_epoch,
        models: model_summaries(world, parts),
        binding_outcomes: parts.node.outcomes().clone(),
        refusals: parts.node.refusals().clone(),
        attacks: parts.audit.attacks().to_vec(),
        availability_by_slot_bps: parts.miners.availability_by_slot().clone(),
        outage: summary::Outage {
            wallet: String::from_utf8_lossy(world.wallet(miners::OUTAGE_WALLET)).into_owned(),
            first_slot: outage.start,
            end_slot: outage.end,
        },
        epochs_paid: parts
            .node
            .reports()
            .iter()
            .map(summary::EpochTotals::from)
            .collect(),
        throughput: Throughput {
            threads: timing.threads,
            heartbeats_signed: work.heartbeats_checked,
            heartbeats_verified: work.heartbeats_checked,
            heartbeats_accepted: work.heartbeats_accepted,
            bindings_verified: work.bindings_checked,
            signed_per_second: per_second(
                work.heartbeats_checked,
                EvidenceKind::ALL.iter().fold(Duration::ZERO, |sum, kind| {
                    sum.saturating_add(parts.miners.sign_time(*kind))
                }),
            ),
            verified_per_second: per_second(work.heartbeats_checked, work.verify_time),
            bindings_per_second: per_second(work.bindings_checked, work.bind_time),
            mint_seconds: timing.minted.as_secs(),
            total_seconds: timing.total.as_secs(),
        },
        evidence: evidence_summaries(world, parts),
        consensus: rules::summary(world, parts),
        faults: parts.audit.faults().to_vec(),
    }
}

/// Per evidence kind: its chips and what the node did with their proofs.
fn evidence_summaries(world: World<'_>, parts: &Parts) -> Vec<EvidenceSummary> {
    EvidenceKind::ALL
        .iter()
        .map(|&kind| {
            let work = parts.node.work_of(kind);
            EvidenceSummary {
                kind: kind.name().to_owned(),
                chips: count(
                    world
                        .population
                        .chips
                        .iter()
                        .filter(|chip| chip.evidence() == kind)
                        .count(),
                ),
                bindings_verified: work.bindings_checked,
                heartbeats_verified: work.heartbeats_checked,
                heartbeats_accepted: work.heartbeats_accepted,
                verified_per_second: per_second(work.heartbeats_checked, work.verify_time),
                signed_per_second: per_second(
                    work.heartbeats_checked,
                    parts.miners.sign_time(kind),
                ),
            }
        })
        .collect()
}

/// Per model with chips in the fleet: its chips' availability and rewards.
fn model_summaries(world: World<'_>, parts: &Parts) -> Vec<ModelSummary> {
    let chips_per_model = world.population.chips_per_model();
    let slots = parts.miners.slots_per_model(world);
    let rewards = parts.node.rewards_per_model();
    let shares = parts.node.shares_per_model();
    let threshold = parts.node.reward_params().policy.min_availability_bps;
    world
        .population
        .models
        .iter()
        .enumerate()
        .filter_map(|(index, model)| {
            let chips = chips_per_model.get(&index).copied()?;
            let (proven, possible) = slots.get(&index).copied().unwrap_or((0, 0));
            let reward = rewards.get(&index).copied().unwrap_or(0);
            let (shares, eligible) = shares.get(&index).copied().unwrap_or((0, 0));
            Some(ModelSummary {
                zero_reward_reason: summary::zero_reward_reason(
                    model,
                    reward,
                    (shares, eligible),
                    threshold,
                ),
                model_id: model.model_id.clone(),
                display_name: model.display_name.clone(),
                vendor_id: model.vendor_id.clone(),
                rating_milli_cu: model.rating_milli_cu,
                chips,
                proven_slots: proven,
                possible_slots: possible,
                availability_bps: bps(proven, possible),
                reward,
            })
        })
        .collect()
}

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

/// The (epoch, slot) of a global slot index.
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

/// A count of items, as a `u64` (a `usize` always fits on the targets POCI builds for).
fn count(items: usize) -> u64 {
    u64::try_from(items).unwrap_or(u64::MAX)
}

/// Adds one to the count of `name`.
fn bump(counts: &mut BTreeMap<String, u64>, name: &str) {
    let count = counts.entry(name.to_owned()).or_insert(0);
    *count = count.saturating_add(1);
}
