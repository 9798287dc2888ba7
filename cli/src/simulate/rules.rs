//! The consensus rules of the ledger (SPEC.md 18), as the run exercises them: revised trust
//! material that takes effect mid-run (a CRL revoking one chip, a firmware floor on every
//! model), a lease accepted, counted, settled and then replayed, a late heartbeat, and a
//! sampled network beside the full one, fed the same chips.

use poci::x509::mint::{mint_crl, to_pem};
use poci::{
    ChipIdentity, ClosedEpoch, DeviceKey, FolderFile, HeartbeatEvidence, HeartbeatTbs,
    LeaseAcceptanceTbs, LeaseOutcome, NetworkPolicy, SettledLease, Signed, SlotId, TrustPolicy,
    TrustStore,
};

use super::attacks::{BindingAttack, BindingSlot, binding};
use super::audit::Expect;
use super::miners::Answers;
use super::node::Node;
use super::population::{Behaviour, Population};
use super::{Parts, World};
use std::collections::BTreeMap;

use super::summary::{ConsensusSummary, LeaseSummary, SampledSummary};
use crate::error::{CliError, setup};

/// The sampled network draws one chip-slot in this many.
pub const SAMPLE_ONE_IN: u32 = 16;
/// The lease's price, base units (one token).
const LEASE_PRICE: u128 = poci::rewards::emission::BASE_UNITS_PER_TOKEN;
/// The lease's id.
pub const LEASE_ID: &[u8] = b"simnet-lease-1";

/// The chips and the material the rules act on.
#[derive(Debug, Clone, Copy)]
pub struct RuleChips {
    /// The epoch from which the revised trust material applies (none in a one-epoch run).
    pub activation: Option<u64>,
    /// The chip the revised material revokes.
    pub revoked: Option<usize>,
    /// The chip leased for epoch 0.
    pub leased: Option<usize>,
}

impl RuleChips {
    /// Picks the chips: the last two reliable POCI chips that join at epoch 0 (the attack
    /// slot's victims are the first chips, and sales pick from the front).
    pub fn pick(population: &Population, activation: Option<u64>) -> Self {
        let mut steady = population
            .chips
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, chip)| {
                chip.poci().is_some()
                    && chip.joins_epoch == 0
                    && matches!(chip.behaviour, Behaviour::Reliable)
            })
            .map(|(index, _)| index);
        Self {
            activation,
            revoked: steady.next().filter(|_| activation.is_some()),
            leased: steady.next(),
        }
    }

    /// Whether chip `index`'s heartbeats for `at` must be refused as revoked.
    pub fn is_revoked_at(&self, index: usize, at: SlotId) -> bool {
        self.revoked == Some(index) && self.activation.is_some_and(|epoch| at.epoch >= epoch)
    }
}

/// The run's trust material as revised for `activation`: every model of the vendor
/// manifests gains a firmware floor of 1 (the fleet's firmware is 1, so only the
/// downgraded chip of the attacks falls below it), and the revoked chip's vendor publishes a
/// newer intermediate CRL listing its device certificate. Built by the same folder reader
/// as the embedded store.
pub fn revised_trust(
    population: &Population,
    chips: &RuleChips,
    activation_start_unix: u64,
) -> Result<TrustStore, CliError> {
    let floored: Vec<(String, String)> = poci::embedded::FILES
        .iter()
        .filter(|file| file.path.ends_with("manifest.toml"))
        .filter_map(|file| {
            let toml = core::str::from_utf8(file.bytes).ok()?;
            Some((file.path.to_owned(), with_floors(toml)))
        })
        .collect();
    let mut crl_file = None;
    if let Some(index) = chips.revoked {
        let chip = population
            .chips
            .get(index)
            .ok_or_else(|| CliError::Usage("chip index out of range".into()))?;
        let model = population
            .models
            .get(chip.model)
            .ok_or_else(|| CliError::Usage("model index out of range".into()))?;
        let vendor = population
            .vendors
            .get(model.vendor)
            .ok_or_else(|| CliError::Usage("vendor index out of range".into()))?;
        // The chip's device certificate serial (population.rs: its index + 1).
        let serial = u64::try_from(index).map_or(u64::MAX, |n| n.saturating_add(1));
        let crl = mint_crl(
            vendor.intermediate(),
            activation_start_unix,
            activation_start_unix.saturating_add(400 * 86_400),
            1_000,
            &[serial],
        )
        .map_err(setup("the revoking CRL"))?;
        crl_file = Some((
            format!("testnet/{}/crls/revoked-in-run.crl.pem", vendor.vendor_id),
            to_pem("X509 CRL", &crl).map_err(setup("the revoking CRL"))?,
        ));
    }
    let mut files: Vec<FolderFile<'_>> = poci::embedded::FILES
        .iter()
        .filter(|file| !file.path.ends_with("manifest.toml"))
        .copied()
        .collect();
    files.extend(floored.iter().map(|(path, toml)| FolderFile {
        path,
        bytes: toml.as_bytes(),
    }));
    if let Some((path, pem)) = &crl_file {
        files.push(FolderFile {
            path,
            bytes: pem.as_bytes(),
        });
    }
    let policy = TrustPolicy {
        allow_test_vendors: true,
        ..TrustPolicy::default()
    };
    TrustStore::from_folder(&files, policy, true).map_err(setup("the revised trust material"))
}

/// `toml` with `min_security_version = 1` after the `model_id` of every `[[models]]` table.
fn with_floors(toml: &str) -> String {
    let mut out = String::with_capacity(toml.len().saturating_add(512));
    let mut in_models = false;
    for line in toml.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_models = trimmed == "[[models]]";
        }
        out.push_str(line);
        out.push('\n');
        if in_models && trimmed.starts_with("model_id") {
            out.push_str("min_security_version = 1\n");
        }
    }
    out
}

/// The leased chip's acceptance of a lease for epoch 0, paid [`LEASE_PRICE`].
pub fn lease_acceptance(world: World<'_>, chips: &RuleChips) -> Result<Option<Vec<u8>>, CliError> {
    let Some(index) = chips.leased else {
        return Ok(None);
    };
    let Some((key, _)) = world.chip(index)?.poci() else {
        return Ok(None);
    };
    let renter = world.wallet(0).to_vec();
    let tbs = LeaseAcceptanceTbs {
        network_id: world.network_id().to_owned(),
        lease_id: LEASE_ID.to_vec(),
        renter_wallet: renter,
        chip_key_id: *key.key_id(),
        first_epoch: 0,
        last_epoch: 0,
        price: LEASE_PRICE,
    };
    Signed::sign(tbs, key)
        .and_then(|signed| signed.to_der())
        .map(Some)
        .map_err(setup("signing a lease acceptance"))
}

/// A chip that was offline signs, now, its heartbeat for a slot past the grace: `key`'s
/// heartbeat for `missed` (with its challenge) and the counter after `counter`.
pub fn late_heartbeat(
    world: World<'_>,
    key: &DeviceKey,
    wallet: &[u8],
    (missed, challenge): (SlotId, [u8; 32]),
    counter: u64,
) -> Result<Vec<u8>, CliError> {
    let tbs = HeartbeatTbs {
        network_id: world.network_id().to_owned(),
        chip_key_id: *key.key_id(),
        wallet: wallet.to_vec(),
        epoch: missed.epoch,
        slot: missed.slot,
        challenge,
        counter: counter.saturating_add(1_000),
        measurement: None,
    };
    Signed::sign(tbs, key)
        .and_then(|signed| signed.to_der())
        .map_err(setup("signing a heartbeat"))
}

/// A chip flashed back to firmware 0, below the floor, binding in `at`.
pub fn downgraded_binding(
    world: World<'_>,
    at: SlotId,
    challenge: &[u8; 32],
) -> Result<Option<BindingAttack>, CliError> {
    let Some(model) = world
        .population
        .models
        .iter()
        .find(|model| model.vendor_id != "nvidia")
    else {
        return Ok(None);
    };
    let vendor = world
        .population
        .vendors
        .get(model.vendor)
        .ok_or_else(|| CliError::Usage("vendor index out of range".into()))?;
    let identity = ChipIdentity {
        model_id: model.model_id.clone(),
        serial: b"SIM-DOWNGRADED".to_vec(),
        security_version: 0,
    };
    let (key, certificate) = vendor
        .mint_chip(b"simnet downgraded chip", &identity, 999_999)
        .map_err(setup("minting a chip"))?;
    let wallet = world.wallet(0).to_vec();
    let der = binding(
        BindingSlot {
            network_id: world.network_id(),
            at,
            challenge,
        },
        &key,
        &identity,
        vec![certificate, vendor.intermediate_der.clone()],
        &wallet,
        1,
    )?;
    Ok(Some(BindingAttack {
        name: "firmware below the floor",
        description: "a genuine chip flashed back to firmware 0 binds after the floor rose to 1",
        expected: "FIRMWARE_BELOW_FLOOR",
        der,
        submitter: wallet,
    }))
}

/// The sampled network: the same policy but one chip-slot in [`SAMPLE_ONE_IN`].
pub fn sampled_node(policy: &NetworkPolicy, population: &Population) -> Result<Node, CliError> {
    let mut sampled = policy.clone();
    sampled.sample_one_in = SAMPLE_ONE_IN;
    Node::new(&sampled, population)
}

/// What the rules did in the run, for the summary.
#[derive(Debug, Default)]
pub struct RulesLog {
    /// The lease acceptance applied at the start.
    pub lease: Option<Vec<u8>>,
    /// Heartbeats of the revoked chip refused `CERT_REVOKED`.
    pub revoked_refused: u64,
    /// The lease acceptance's verdict.
    pub lease_applied: Option<String>,
    /// The settled lease.
    pub settled: Option<SettledLease>,
}

/// Applies the leased chip's acceptance at the start of the run; it must be accepted.
pub fn accept_lease(world: World<'_>, parts: &mut Parts, at: SlotId) -> Result<(), CliError> {
    let Some(der) = lease_acceptance(world, &parts.rules)? else {
        return Ok(());
    };
    let verdict = match parts.node.apply_lease(world, &der, at) {
        Ok(LeaseOutcome::Accepted) => "accepted".to_owned(),
        Ok(_) => "already applied".to_owned(),
        Err(error) => error.code().to_owned(),
    };
    if verdict != "accepted" {
        parts
            .audit
            .fault(format!("the lease acceptance gave {verdict}"));
    }
    parts.log.lease_applied = Some(verdict);
    parts.log.lease = Some(der);
    Ok(())
}

/// Settles the lease once its epoch (0) closed: the ledger's count must be the chip's
/// proven slots of the epoch and the rent exact.
pub fn settle_lease(parts: &mut Parts, closed: &ClosedEpoch, world: World<'_>) {
    if closed.epoch != 0 || parts.log.lease.is_none() {
        return;
    }
    let Some(chip) = parts.rules.leased.and_then(|index| world.chip(index).ok()) else {
        return;
    };
    let proven: u64 = closed
        .availability
        .iter()
        .filter(|entry| entry.key_id == chip.key_id)
        .map(|entry| u64::from(entry.proven_slots))
        .sum();
    match parts.node.settle_lease(LEASE_ID) {
        Ok(settled) => {
            let due = u64::from(world.params.slots_per_epoch());
            let rent = LEASE_PRICE
                .checked_mul(u128::from(proven))
                .and_then(|paid| paid.checked_div(u128::from(due)));
            if settled.proven_slots != proven
                || settled.due_slots != due
                || Some(settled.rent) != rent
            {
                parts.audit.fault(format!(
                    "the lease settled {} of {} slots for {}, the run counted {proven} of {due}",
                    settled.proven_slots, settled.due_slots, settled.rent
                ));
            }
            parts.log.settled = Some(settled);
        }
        Err(error) => parts
            .audit
            .fault(format!("settling the lease gave {}", error.code())),
    }
}

/// The attack slot's rule attacks: a late heartbeat and the settled lease's acceptance
/// replayed are applied here; the downgraded chip's binding (once the floor is in force) is
/// returned to go with the other binding attacks.
pub fn attack_slot_extras(
    world: World<'_>,
    parts: &mut Parts,
    answers: &Answers,
    at: SlotId,
    challenge: &[u8; 32],
) -> Result<Vec<BindingAttack>, CliError> {
    // The first answering POCI chip signs, now, its heartbeat for two slots ago.
    let victim = answers
        .answering
        .iter()
        .find_map(|answer| Some((answer, world.chip(answer.chip).ok()?.poci()?.0)));
    let missed = parts
        .challenges
        .len()
        .checked_sub(3)
        .and_then(|index| parts.challenges.get(index))
        .copied();
    if let (Some((answer, key)), Some(missed)) = (victim, missed) {
        let der = late_heartbeat(
            world,
            key,
            world.wallet(answer.wallet),
            missed,
            answer.counter,
        )?;
        let results = parts.node.apply_heartbeats(
            world,
            &[HeartbeatEvidence::Poci(&der)],
            (missed.0, &missed.1),
            at,
        )?;
        let batch = [(
            der.clone(),
            Expect::Attack(
                "late heartbeat",
                "a chip signs, after the grace, the heartbeat of a slot it missed",
                "SLOT_TOO_LATE",
            ),
        )];
        parts.audit.heartbeats(world, at, &batch, results);
    }
    if let Some(der) = parts
        .log
        .lease
        .clone()
        .filter(|_| parts.log.settled.is_some())
    {
        let got = match parts.node.apply_lease(world, &der, at) {
            Ok(_) => "ACCEPTED".to_owned(),
            Err(error) => error.code().to_owned(),
        };
        parts.audit.record_attack(
            "replayed lease acceptance",
            "a renter submits a settled lease's acceptance again to be charged twice",
            "EPOCH_CLOSED",
            at,
            got,
        );
    }
    let floor_in_force = parts
        .rules
        .activation
        .is_some_and(|epoch| at.epoch >= epoch);
    Ok(if floor_in_force {
        downgraded_binding(world, at, challenge)?
            .into_iter()
            .collect()
    } else {
        Vec::new()
    })
}

/// Feeds the sampled network the slot's honest heartbeats of the chips drawn for it; each
/// must get the full network's verdict.
pub fn sample(
    world: World<'_>,
    parts: &mut Parts,
    batch: &[(Vec<u8>, Expect)],
    submitted: &[HeartbeatEvidence<'_>],
    (at, challenge): (SlotId, &[u8; 32]),
) -> Result<(), CliError> {
    let drawn: Vec<(&Expect, HeartbeatEvidence<'_>)> = batch
        .iter()
        .zip(submitted)
        .filter_map(|((_, expect), evidence)| {
            let index = match expect {
                Expect::Honest(index, _) | Expect::Revoked(index) => *index,
                _ => return None,
            };
            let chip = world.chip(index).ok()?;
            poci::is_sampled(challenge, &chip.key_id, SAMPLE_ONE_IN).then_some((expect, *evidence))
        })
        .collect();
    let evidence: Vec<HeartbeatEvidence<'_>> =
        drawn.iter().map(|(_, evidence)| *evidence).collect();
    let results = parts
        .sampled
        .apply_heartbeats(world, &evidence, (at, challenge), at)?;
    for ((expect, _), result) in drawn.iter().zip(results) {
        let fine = match expect {
            Expect::Revoked(_) => matches!(result, Err(poci::Error::CertRevoked)),
            _ => result.is_ok(),
        };
        if !fine {
            parts.audit.fault(format!(
                "the sampled network gave {} for {expect:?} in epoch {} slot {}",
                result.err().map_or("ACCEPTED", |error| error.code()),
                at.epoch,
                at.slot
            ));
        }
    }
    Ok(())
}

/// The summary of the rules in the run.
pub fn summary(world: World<'_>, parts: &Parts) -> ConsensusSummary {
    let revoked_key = parts
        .rules
        .revoked
        .and_then(|index| world.chip(index).ok())
        .map(|chip| chip.key_id);
    let revoked_chip_rewards = parts
        .node
        .reports()
        .iter()
        .map(|report| {
            report
                .miners
                .shares
                .iter()
                .filter(|share| Some(share.key_id) == revoked_key)
                .map(|share| share.reward)
                .sum::<u128>()
                .to_string()
        })
        .collect();
    let full = parts.node.work();
    let sampled = parts.sampled.work();
    ConsensusSummary {
        policy_digest: parts
            .node
            .policy()
            .digest()
            .map(hex::encode)
            .unwrap_or_default(),
        grace_slots: parts.node.policy().grace_slots,
        trust_activation_epoch: parts.rules.activation,
        revoked_chip: revoked_key.map(|key_id| hex::encode(key_id.as_bytes())),
        revoked_heartbeats_refused: parts.log.revoked_refused,
        revoked_chip_rewards: if revoked_key.is_some() {
            revoked_chip_rewards
        } else {
            Vec::new()
        },
        lease: parts.log.settled.as_ref().map(|settled| LeaseSummary {
            verdict: parts.log.lease_applied.clone().unwrap_or_default(),
            proven_slots: settled.proven_slots,
            due_slots: settled.due_slots,
            rent: settled.rent,
            refund: settled.refund,
        }),
        sampled: SampledSummary {
            sample_one_in: SAMPLE_ONE_IN,
            heartbeats_full: full.heartbeats_checked,
            heartbeats_sampled: sampled.heartbeats_checked,
            verify_ms_full: millis(full.verify_time),
            verify_ms_sampled: millis(sampled.verify_time),
            max_model_share_difference_bps: share_difference_bps(
                parts.node.rewards_per_model(),
                parts.sampled.rewards_per_model(),
            ),
        },
    }
}

fn millis(time: std::time::Duration) -> u64 {
    u64::try_from(time.as_millis()).unwrap_or(u64::MAX)
}

/// The largest difference, in bps, of a model's share of all rewards between two payouts.
fn share_difference_bps(full: &BTreeMap<usize, u128>, sampled: &BTreeMap<usize, u128>) -> u64 {
    let total = |rewards: &BTreeMap<usize, u128>| {
        rewards.values().copied().fold(0u128, u128::saturating_add)
    };
    let (full_total, sampled_total) = (total(full), total(sampled));
    let share = |amount: u128, total: u128| -> u128 {
        amount
            .saturating_mul(1_000_000)
            .checked_div(total)
            .unwrap_or(0)
    };
    full.keys()
        .chain(sampled.keys())
        .map(|model| {
            let a = share(full.get(model).copied().unwrap_or(0), full_total);
            let b = share(sampled.get(model).copied().unwrap_or(0), sampled_total);
            // Millionths to basis points.
            u64::try_from(a.abs_diff(b) / 100).unwrap_or(u64::MAX)
        })
        .max()
        .unwrap_or(0)
}

/// Writes the chips the trust material in force at `epoch` revokes (`epoch-N.revoked.json`):
/// exactly the revoked chip from the activation epoch on, nobody before.
pub fn list_revoked(
    world: World<'_>,
    parts: &mut Parts,
    epoch: u64,
    out: &std::path::Path,
) -> Result<(), CliError> {
    let revoked = parts.node.revoked_chips(world, epoch)?;
    let listed: Vec<serde_json::Value> = revoked
        .iter()
        .map(|(key_id, error)| {
            serde_json::json!({ "key_id": hex::encode(key_id.as_bytes()), "code": error.code() })
        })
        .collect();
    crate::files::write_json(&out.join(format!("epoch-{epoch}.revoked.json")), &listed)?;
    let expected: Vec<poci::KeyId> = parts
        .rules
        .revoked
        .filter(|_| parts.rules.activation.is_some_and(|first| epoch >= first))
        .and_then(|index| world.chip(index).ok())
        .map(|chip| chip.key_id)
        .into_iter()
        .collect();
    let got: Vec<poci::KeyId> = revoked.iter().map(|(key_id, _)| *key_id).collect();
    if got != expected {
        parts.audit.fault(format!(
            "epoch {epoch}: {} chips listed as revoked, {} expected",
            got.len(),
            expected.len()
        ));
    }
    Ok(())
}
