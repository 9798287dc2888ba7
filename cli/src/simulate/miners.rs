//! The chips' side of the run: what each chip knows of itself (its wallet, its counters,
//! whether it is online), the bindings and heartbeats it signs, and the chips that change
//! hands. The node never sees this state; it only sees what the chips sign.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use poci::evidence::nonce::{EvidencePurpose, evidence_nonce};
use poci::{EvidenceKind, HeartbeatTbs, Signed, SlotContext, SlotId};
use rayon::prelude::*;

use super::attacks::{self, BindingAttack, BindingSlot, BoundChip};
use super::population::{ChipProof, Rng, online};
use super::{World, bps};
use crate::error::{CliError, setup};
use crate::files::{write, write_json};

/// The wallet whose chips suffer the outage: the biggest operator (ownership is skewed to
/// the first wallets).
pub const OUTAGE_WALLET: usize = 0;

/// Per-chip state as the miners see it.
#[derive(Debug, Clone, Default)]
struct ChipState {
    /// Wallet the chip is bound to (after its binding was accepted).
    wallet: Option<usize>,
    /// Counter of its current binding.
    binding_counter: u64,
    /// Counter of its last heartbeat.
    heartbeat_counter: u64,
    /// Whether it answered the last slot.
    online: bool,
    /// Its first accepted binding (DER).
    first_binding: Vec<u8>,
    /// Slots proven since binding.
    proven: u64,
    /// Slots it could have proven (it was bound in them).
    possible: u64,
}

/// A binding a chip signed: the chip, the wallet it binds to, what it signed.
#[derive(Debug, Clone)]
pub struct SignedBinding {
    /// The chip.
    pub chip: usize,
    /// The wallet it binds to (and that submits it).
    pub wallet: usize,
    /// The signed binding (DER), or an NVIDIA GPU's report answering the binding nonce.
    pub proof: Vec<u8>,
}

/// A chip changing hands: its buyer's binding, who sold it, the binding's counter.
#[derive(Debug, Clone)]
pub struct Resale {
    /// The binding to the buyer.
    pub binding: SignedBinding,
    /// The wallet that sold it.
    pub seller: usize,
    /// The new binding counter.
    pub counter: u64,
}

/// The chips sold in the attack slot: their new bindings, to pass to the attack builder.
#[derive(Debug, Clone)]
pub struct Sale {
    /// One sale binding (the front-running attack copies it).
    pub binding: Vec<u8>,
}

impl Sale {
    /// The last resale's binding (none if nothing was sold).
    pub fn of(resales: &[Resale]) -> Self {
        Self {
            binding: resales
                .last()
                .map(|resale| resale.binding.proof.clone())
                .unwrap_or_default(),
        }
    }
}

/// A bound chip answering a slot.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// The chip.
    pub chip: usize,
    /// Its wallet.
    pub wallet: usize,
    /// Its heartbeat's counter.
    pub counter: u64,
}

/// The chips that answered one slot and the heartbeats they signed, in the same order.
#[derive(Debug, Clone)]
pub struct Answers {
    /// The chips that answered.
    pub answering: Vec<Answer>,
    /// Their heartbeats (DER), or for NVIDIA GPUs their reports.
    pub heartbeats: Vec<Vec<u8>>,
    /// Per site (and "all"): chips bound, chips that proved the slot.
    bound: BTreeMap<&'static str, (u64, u64)>,
}

/// The chips' side of the run.
#[derive(Debug)]
pub struct Miners {
    /// One per chip, in population order.
    states: Vec<ChipState>,
    /// Draws who flaps or goes away.
    behaviour_rng: Rng,
    /// Global slots of the biggest operator's outage.
    outage: Range<u64>,
    /// (chip, DER) of the last slot's honest heartbeats.
    previous_heartbeats: Vec<(usize, Vec<u8>)>,
    /// The last slot run and its challenge.
    last_slot: Option<(SlotId, [u8; 32])>,
    /// Time spent signing heartbeats, by evidence kind.
    sign_time: BTreeMap<EvidenceKind, Duration>,
    /// Per site (and "all"): share of bound chips that proved each slot.
    availability_by_slot: BTreeMap<String, Vec<u64>>,
}

impl Miners {
    /// `chips` unbound chips, their behaviour drawn from `seed`, the outage in `outage`.
    pub fn new(chips: usize, seed: &str, outage: Range<u64>) -> Self {
        Self {
            states: vec![ChipState::default(); chips],
            behaviour_rng: Rng::new(seed, "behaviour"),
            outage,
            previous_heartbeats: Vec::new(),
            last_slot: None,
            sign_time: BTreeMap::new(),
            availability_by_slot: BTreeMap::new(),
        }
    }

    /// The chips that join in `at`'s epoch sign bindings to their owners, in parallel.
    pub fn sign_joining(
        &self,
        world: World<'_>,
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Vec<SignedBinding>, CliError> {
        let joining: Vec<usize> = (0..world.population.chips.len())
            .filter(|index| {
                world
                    .population
                    .chips
                    .get(*index)
                    .is_some_and(|chip| chip.joins_epoch == at.epoch)
            })
            .collect();
        let slot = BindingSlot {
            network_id: world.network_id(),
            at,
            challenge,
        };
        joining
            .par_iter()
            .map(|&index| {
                let chip = world.chip(index)?;
                let wallet = world.wallet(chip.wallet);
                let proof = match &chip.proof {
                    ChipProof::Poci { key, certificates } => attacks::binding(
                        slot,
                        key,
                        &world.identity(index)?,
                        certificates.clone(),
                        wallet,
                        1,
                    )?,
                    ChipProof::NvidiaSpdm(gpu) => gpu
                        .report(&nonce(
                            world,
                            at,
                            challenge,
                            wallet,
                            EvidencePurpose::Binding,
                        )?)
                        .map_err(setup("an emulated GPU's report"))?,
                };
                Ok(SignedBinding {
                    chip: index,
                    wallet: chip.wallet,
                    proof,
                })
            })
            .collect()
    }

    /// The node claimed a joining chip for its owner: it is bound and online.
    pub fn claimed(&mut self, binding: SignedBinding) {
        if let Some(state) = self.states.get_mut(binding.chip) {
            state.wallet = Some(binding.wallet);
            state.binding_counter = 1;
            state.online = true;
            state.first_binding = binding.proof;
        }
    }

    /// A few bound POCI chips change hands: each signs a binding with the next counter for
    /// its buyer, the next wallet after its seller's.
    pub fn sell(
        &self,
        world: World<'_>,
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Vec<Resale>, CliError> {
        let sold: Vec<(usize, usize, u64)> = self
            .states
            .iter()
            .enumerate()
            .filter(|(index, _)| world.chip(*index).is_ok_and(|chip| chip.poci().is_some()))
            .filter_map(|(index, state)| {
                Some((
                    index,
                    state.wallet?,
                    state.binding_counter.saturating_add(1),
                ))
            })
            .step_by(997)
            .take(5)
            .collect();
        let slot = BindingSlot {
            network_id: world.network_id(),
            at,
            challenge,
        };
        let mut resales = Vec::with_capacity(sold.len());
        for (index, seller, counter) in sold {
            let buyer = seller
                .saturating_add(1)
                .checked_rem(world.population.wallets.len())
                .unwrap_or(0);
            let Some((key, certificates)) = world.chip(index)?.poci() else {
                continue;
            };
            let proof = attacks::binding(
                slot,
                key,
                &world.identity(index)?,
                certificates.clone(),
                world.wallet(buyer),
                counter,
            )?;
            resales.push(Resale {
                binding: SignedBinding {
                    chip: index,
                    wallet: buyer,
                    proof,
                },
                seller,
                counter,
            });
        }
        Ok(resales)
    }

    /// The node re-bound a sold chip: it now belongs to its buyer.
    pub fn rebound(&mut self, resale: &Resale) {
        if let Some(state) = self.states.get_mut(resale.binding.chip) {
            state.wallet = Some(resale.binding.wallet);
            state.binding_counter = resale.counter;
        }
    }

    /// One slot: each bound chip is online or not (by its behaviour and the outage), and the
    /// online ones sign their heartbeats in parallel, each evidence kind timed apart.
    pub fn answer(
        &mut self,
        world: World<'_>,
        at: SlotId,
        challenge: &[u8; 32],
    ) -> Result<Answers, CliError> {
        let (answering, bound) = self.wake(world, at);
        let mut heartbeats: Vec<Vec<u8>> = vec![Vec::new(); answering.len()];
        for kind in EvidenceKind::ALL {
            let started = Instant::now();
            let of_kind: Vec<(usize, Vec<u8>)> = answering
                .par_iter()
                .enumerate()
                .filter(|(_, answer)| {
                    world
                        .chip(answer.chip)
                        .is_ok_and(|chip| chip.evidence() == kind)
                })
                .map(|(at_index, answer)| Ok((at_index, heartbeat(world, *answer, at, challenge)?)))
                .collect::<Result<_, CliError>>()?;
            let time = self.sign_time.entry(kind).or_default();
            *time = time.saturating_add(started.elapsed());
            for (at_index, signed) in of_kind {
                if let Some(slot) = heartbeats.get_mut(at_index) {
                    *slot = signed;
                }
            }
        }
        Ok(Answers {
            answering,
            heartbeats,
            bound,
        })
    }

    /// Which bound chips are online in `at`, with the next counter of each; and per site (and
    /// "all") how many chips are bound. Draws behaviour in chip order, so a seed replays it.
    fn wake(
        &mut self,
        world: World<'_>,
        at: SlotId,
    ) -> (Vec<Answer>, BTreeMap<&'static str, (u64, u64)>) {
        let global = world.global(at);
        let mut answering = Vec::new();
        let mut bound: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
        for (index, (state, chip)) in self
            .states
            .iter_mut()
            .zip(&world.population.chips)
            .enumerate()
        {
            let Some(wallet) = state.wallet else {
                continue;
            };
            for name in ["all", world.site(chip)] {
                let entry = bound.entry(name).or_insert((0, 0));
                entry.0 = entry.0.saturating_add(1);
            }
            state.possible = state.possible.saturating_add(1);
            // The biggest operator's site loses power for a few slots.
            let outage = wallet == OUTAGE_WALLET && self.outage.contains(&global);
            state.online = online(chip, global, state.online, &mut self.behaviour_rng) && !outage;
            if state.online {
                state.heartbeat_counter = state.heartbeat_counter.saturating_add(1);
                answering.push(Answer {
                    chip: index,
                    wallet,
                    counter: state.heartbeat_counter,
                });
            }
        }
        (answering, bound)
    }

    /// Ends a slot: the chips whose heartbeat the node `accepted` proved it, each site's
    /// share is recorded, and the first heartbeats are kept for the next slot's replay and
    /// for the samples.
    pub fn end_slot(
        &mut self,
        world: World<'_>,
        slot: (SlotId, [u8; 32]),
        answers: Answers,
        accepted: &[usize],
    ) {
        let mut bound = answers.bound;
        for &index in accepted {
            let site = world
                .population
                .chips
                .get(index)
                .map_or("edge", |chip| world.site(chip));
            for name in ["all", site] {
                let entry = bound.entry(name).or_insert((0, 0));
                entry.1 = entry.1.saturating_add(1);
            }
            if let Some(state) = self.states.get_mut(index) {
                state.proven = state.proven.saturating_add(1);
            }
        }
        for (name, (chips, proven)) in bound {
            self.availability_by_slot
                .entry(name.to_owned())
                .or_default()
                .push(bps(proven, chips));
        }
        self.last_slot = Some(slot);
        // POCI heartbeats only: the replay attack submits one as a POCI heartbeat.
        self.previous_heartbeats = answers
            .answering
            .iter()
            .map(|answer| answer.chip)
            .zip(answers.heartbeats)
            .filter(|(index, _)| world.chip(*index).is_ok_and(|chip| chip.poci().is_some()))
            .take(4)
            .collect();
    }

    /// The last slot's heartbeat of a chip other than `chip` (empty if there is none), for
    /// the replay attack.
    pub fn previous_heartbeat_not_of(&self, chip: usize) -> &[u8] {
        self.previous_heartbeats
            .iter()
            .find(|(index, _)| *index != chip)
            .map_or(&[][..], |(_, der)| der.as_slice())
    }

    /// The binding attacks of the attack slot, on the first POCI chip still on its first
    /// binding.
    pub fn binding_attacks(
        &self,
        world: World<'_>,
        at: SlotId,
        challenge: &[u8; 32],
        sale: &Sale,
    ) -> Result<Vec<BindingAttack>, CliError> {
        let Some(((index, state), (key, certificates))) = self
            .states
            .iter()
            .enumerate()
            .filter(|(_, state)| state.wallet.is_some() && state.binding_counter == 1)
            .find_map(|(index, state)| Some(((index, state), world.chip(index).ok()?.poci()?)))
        else {
            return Ok(Vec::new());
        };
        let identity = world.identity(index)?;
        let foreign = world
            .population
            .vendors
            .iter()
            .find(|vendor| vendor.vendor_id != "nvidia")
            .ok_or_else(|| CliError::Usage("no second vendor".into()))?;
        attacks::binding_attacks(
            BindingSlot {
                network_id: world.network_id(),
                at,
                challenge,
            },
            BoundChip {
                key,
                identity: &identity,
                certificates,
                wallet: world.wallet(state.wallet.unwrap_or(0)),
                counter: state.binding_counter,
                first_binding: &state.first_binding,
            },
            &sale.binding,
            foreign,
        )
    }

    /// Per model: slots its chips proved, and slots they could have proved.
    pub fn slots_per_model(&self, world: World<'_>) -> BTreeMap<usize, (u64, u64)> {
        let mut per_model: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        for (chip, state) in world.population.chips.iter().zip(&self.states) {
            let entry = per_model.entry(chip.model).or_insert((0, 0));
            entry.0 = entry.0.saturating_add(state.proven);
            entry.1 = entry.1.saturating_add(state.possible);
        }
        per_model
    }

    /// The last slot run and its challenge.
    pub const fn last_slot(&self) -> Option<(SlotId, [u8; 32])> {
        self.last_slot
    }

    /// Global slots of the outage.
    pub fn outage(&self) -> Range<u64> {
        self.outage.clone()
    }

    /// Wallets chips are bound to now (buyers of sold chips included).
    pub fn bound_wallets(&self) -> std::collections::BTreeSet<usize> {
        self.states
            .iter()
            .filter_map(|state| state.wallet)
            .collect()
    }

    /// Time spent signing heartbeats of `kind`.
    pub fn sign_time(&self, kind: EvidenceKind) -> Duration {
        self.sign_time.get(&kind).copied().unwrap_or_default()
    }

    /// Per site (and "all"): share of bound chips that proved each slot, basis points.
    pub const fn availability_by_slot(&self) -> &BTreeMap<String, Vec<u64>> {
        &self.availability_by_slot
    }

    /// A chip's binding and its last heartbeat with their contexts, for `poci inspect` and
    /// `poci verify` (samples/); and an emulated GPU's report with its chain and nonce.
    pub fn write_samples(&self, world: World<'_>, out: &std::path::Path) -> Result<(), CliError> {
        self.write_gpu_sample(world, out)?;
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
        let Some((key, certificates)) = world.chip(*index)?.poci() else {
            return Ok(());
        };
        let samples = out.join("samples");
        let binding = poci::ChipBindingRef::from_der(&state.first_binding)
            .map_err(setup("sample binding"))?;
        let tbs = binding.tbs();
        write(&samples.join("binding.der"), &state.first_binding)?;
        // Everything `poci verify binding --context` needs but the trust flag.
        write_json(
            &samples.join("binding-context.json"),
            &serde_json::json!({
                "purpose": "binding",
                "params": world.params,
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
                "purpose": "heartbeat",
                "params": world.params,
                "epoch": at.epoch.to_string(),
                "slot": at.slot,
                "challenge": hex::encode(challenge),
                "wallet": hex::encode(tbs.wallet),
                "certificate": "device.pem",
                "public_key": hex::encode(key.public_key().sec1_bytes()),
            }),
        )?;
        let device = certificates.first().map_or(&[][..], Vec::as_slice);
        let pem =
            poci::x509::mint::to_pem("CERTIFICATE", device).map_err(setup("sample certificate"))?;
        write(&samples.join("device.pem"), pem)?;
        Ok(())
    }
}

impl Miners {
    /// The first bound GPU's report for the last slot, its chain and what it answers:
    /// `samples/nvidia-report.hex`, `nvidia-chain.pem`, `nvidia-context.json`.
    fn write_gpu_sample(&self, world: World<'_>, out: &std::path::Path) -> Result<(), CliError> {
        let Some((at, challenge)) = self.last_slot else {
            return Ok(());
        };
        let Some((wallet, gpu)) =
            self.states
                .iter()
                .zip(&world.population.chips)
                .find_map(|(state, chip)| match &chip.proof {
                    ChipProof::NvidiaSpdm(gpu) => Some((state.wallet?, gpu)),
                    ChipProof::Poci { .. } => None,
                })
        else {
            return Ok(());
        };
        let wallet = world.wallet(wallet);
        let nonce = nonce(world, at, &challenge, wallet, EvidencePurpose::Heartbeat)?;
        let report = gpu
            .report(&nonce)
            .map_err(setup("an emulated GPU's report"))?;
        let samples = out.join("samples");
        write(&samples.join("nvidia-report.hex"), hex::encode(report))?;
        let mut chain = String::new();
        for der in gpu.chain() {
            chain.push_str(
                &poci::x509::mint::to_pem("CERTIFICATE", der).map_err(setup("sample chain"))?,
            );
        }
        write(&samples.join("nvidia-chain.pem"), chain)?;
        let time = world
            .params
            .slot_start_unix(at.epoch, at.slot)
            .map_err(setup("sample time"))?;
        write_json(
            &samples.join("nvidia-context.json"),
            &serde_json::json!({
                "purpose": "heartbeat",
                "params": world.params,
                "epoch": at.epoch.to_string(),
                "slot": at.slot,
                "challenge": hex::encode(challenge),
                "wallet": hex::encode(wallet),
                "nonce": hex::encode(nonce),
                "time": time.to_string(),
                "chain": "nvidia-chain.pem",
            }),
        )?;
        Ok(())
    }
}

/// The nonce an NVIDIA GPU signs to answer `at` for `wallet` (SPEC.md 17.2).
fn nonce(
    world: World<'_>,
    at: SlotId,
    challenge: &[u8; 32],
    wallet: &[u8],
    purpose: EvidencePurpose,
) -> Result<[u8; 32], CliError> {
    let context = SlotContext {
        network_id: world.network_id(),
        epoch: at.epoch,
        slot: at.slot,
        challenge,
        wallet,
    };
    evidence_nonce(&context, purpose).map_err(setup("an evidence nonce"))
}

/// A chip's heartbeat for `at`: a POCI heartbeat, or an NVIDIA report for the slot's
/// heartbeat nonce.
fn heartbeat(
    world: World<'_>,
    answer: Answer,
    at: SlotId,
    challenge: &[u8; 32],
) -> Result<Vec<u8>, CliError> {
    let wallet = world.wallet(answer.wallet);
    match &world.chip(answer.chip)?.proof {
        ChipProof::Poci { key, .. } => {
            let tbs = HeartbeatTbs {
                network_id: world.network_id().to_owned(),
                chip_key_id: *key.key_id(),
                wallet: wallet.to_vec(),
                epoch: at.epoch,
                slot: at.slot,
                challenge: *challenge,
                counter: answer.counter,
                measurement: None,
            };
            Signed::sign(tbs, key)
                .and_then(|signed| signed.to_der())
                .map_err(setup("signing a heartbeat"))
        }
        ChipProof::NvidiaSpdm(gpu) => gpu
            .report(&nonce(
                world,
                at,
                challenge,
                wallet,
                EvidencePurpose::Heartbeat,
            )?)
            .map_err(setup("an emulated GPU's report")),
    }
}

/// Three slots from two fifths of the run: an operator's power cut.
pub fn outage_window(total_slots: u64) -> Range<u64> {
    let start = total_slots.saturating_mul(2) / 5;
    start..start.saturating_add(3).min(total_slots)
}
