//! What a run shows: per model, per refusal code, per attack, per epoch, and throughput;
//! as JSON (`summary.json`) and as text tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use poci::NetworkParams;
use poci::rewards::report::EpochReport;
use serde::Serialize;

use crate::rewards::{group_digits, tokens};
use crate::simulate::attacks::AttackOutcome;
use crate::simulate::population::SimModel;

/// One chip model's part in the run.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    /// Registry id.
    pub model_id: String,
    /// Name for people.
    pub display_name: String,
    /// Vendor.
    pub vendor_id: String,
    /// Rating, milli-CU.
    pub rating_milli_cu: u64,
    /// Chips of the model.
    pub chips: u64,
    /// Slots its chips proved.
    pub proven_slots: u64,
    /// Slots its chips could have proved (from their binding on).
    pub possible_slots: u64,
    /// `proven / possible`, basis points.
    pub availability_bps: u64,
    /// Rewards paid to its chips, base units.
    #[serde(with = "poci::json::dec_u128")]
    pub reward: u128,
    /// Why its chips earned nothing (none if they earned something): its registry rating
    /// of 0 with the registry's note, the availability threshold, or no chip paid a share.
    pub zero_reward_reason: Option<String>,
}

/// Why a model earned nothing, from the registry and the epochs' reports: `None` when it
/// earned something. `shares` is (shares in the reports, shares eligible); `threshold_bps`
/// the policy's availability floor.
pub fn zero_reward_reason(
    model: &SimModel,
    reward: u128,
    shares: (u64, u64),
    threshold_bps: u32,
) -> Option<String> {
    if reward > 0 {
        return None;
    }
    let (shares, eligible) = shares;
    Some(if model.rating_milli_cu == 0 {
        if model.note.is_empty() {
            "rated 0 in the registry".to_owned()
        } else {
            format!("rated 0 in the registry: {}", model.note)
        }
    } else if shares == 0 {
        "no chip of the model was bound in a closed epoch".to_owned()
    } else if eligible == 0 {
        format!(
            "below the availability threshold ({}) in every epoch",
            percent(u64::from(threshold_bps))
        )
    } else {
        "its eligible chips' shares round to 0 base units".to_owned()
    })
}

/// A rating in milli-CU as CU, exactly: `989500` is `989.5`, `1234000` is `1,234`.
pub fn cu(milli_cu: u64) -> String {
    let whole = group_digits(milli_cu / 1000);
    let fraction = milli_cu % 1000;
    if fraction == 0 {
        whole
    } else {
        let digits = format!("{fraction:03}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// An operator's outage: its chips miss a few slots in a row.
#[derive(Debug, Clone, Serialize)]
pub struct Outage {
    /// The operator's wallet.
    pub wallet: String,
    /// First global slot of the outage.
    pub first_slot: u64,
    /// First global slot after it.
    pub end_slot: u64,
}

/// What an epoch paid.
#[derive(Debug, Clone, Serialize)]
pub struct EpochTotals {
    /// The epoch.
    pub epoch: u64,
    /// Emission, base units.
    #[serde(with = "poci::json::dec_u128")]
    pub emission: u128,
    /// The miners' pool.
    #[serde(with = "poci::json::dec_u128")]
    pub miners_pool: u128,
    /// Paid to chips.
    #[serde(with = "poci::json::dec_u128")]
    pub paid: u128,
    /// Left unallocated (no eligible chip).
    #[serde(with = "poci::json::dec_u128")]
    pub unallocated: u128,
    /// Chips in the epoch's report: `chips_paid + chips_ineligible + chips_unpaid_eligible`.
    pub chips: usize,
    /// Chips paid.
    pub chips_paid: usize,
    /// Chips below the availability threshold (paid nothing).
    pub chips_ineligible: usize,
    /// Chips above the threshold paid nothing: rated 0 (no vendor figure), or a share that
    /// rounds to 0.
    pub chips_unpaid_eligible: usize,
}

impl From<&EpochReport> for EpochTotals {
    fn from(report: &EpochReport) -> Self {
        Self {
            epoch: report.epoch,
            emission: report.emission,
            miners_pool: report.pools.miners,
            paid: report
                .miners
                .shares
                .iter()
                .fold(0u128, |sum, share| sum.saturating_add(share.reward)),
            unallocated: report.miners.unallocated,
            chips: report.miners.shares.len(),
            chips_paid: report
                .miners
                .shares
                .iter()
                .filter(|share| share.reward > 0)
                .count(),
            chips_ineligible: report
                .miners
                .shares
                .iter()
                .filter(|share| share.reward == 0 && !share.eligible)
                .count(),
            chips_unpaid_eligible: report
                .miners
                .shares
                .iter()
                .filter(|share| share.reward == 0 && share.eligible)
                .count(),
        }
    }
}

/// Speeds measured in the run (wall clock of this machine; not part of any proof).
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Worker threads.
    pub threads: usize,
    /// Heartbeats the miners signed (attacks included).
    pub heartbeats_signed: u64,
    /// Heartbeats the node checked.
    pub heartbeats_verified: u64,
    /// Heartbeats it accepted.
    pub heartbeats_accepted: u64,
    /// Bindings it checked (certificate chains included).
    pub bindings_verified: u64,
    /// Heartbeat signatures per second (RFC 6979, pure-Rust P-256).
    pub signed_per_second: u64,
    /// Heartbeats applied per second (parse, checks, one ECDSA verification, ledger update).
    pub verified_per_second: u64,
    /// Bindings applied per second.
    pub bindings_per_second: u64,
    /// Seconds spent minting the fleet's certificates.
    pub mint_seconds: u64,
    /// Seconds for the whole run.
    pub total_seconds: u64,
}

/// One evidence kind's part in the run: its chips and the node's work on their proofs
/// (speeds are this machine's wall clock, not part of any proof).
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceSummary {
    /// The kind (`poci`, `nvidia-spdm`).
    pub kind: String,
    /// Chips proving themselves with it.
    pub chips: u64,
    /// Bindings of this kind the node checked.
    pub bindings_verified: u64,
    /// Heartbeats of this kind the node checked (attacks included).
    pub heartbeats_verified: u64,
    /// Heartbeats of this kind it accepted.
    pub heartbeats_accepted: u64,
    /// Heartbeats of this kind applied per second.
    pub verified_per_second: u64,
    /// Heartbeats of this kind the chips signed per second (RFC 6979, pure Rust).
    pub signed_per_second: u64,
}

/// Everything a run shows (`summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// The simulated network.
    pub network: NetworkParams,
    /// The run's seed.
    pub seed: String,
    /// Chips.
    pub chips: u32,
    /// Wallets that owned a chip in the run (buyers of sold chips included); at most
    /// `--wallets`.
    pub wallets: u32,
    /// Epochs.
    pub epochs: u64,
    /// Slots per epoch.
    pub slots_per_epoch: u32,
    /// Per model.
    pub models: Vec<ModelSummary>,
    /// Bindings by outcome.
    pub binding_outcomes: BTreeMap<String, u64>,
    /// Refused inputs by code.
    pub refusals: BTreeMap<String, u64>,
    /// The attacks and their verdicts.
    pub attacks: Vec<AttackOutcome>,
    /// Per site, and `all`: share of bound chips that proved each slot, basis points.
    pub availability_by_slot_bps: BTreeMap<String, Vec<u64>>,
    /// The simulated outage.
    pub outage: Outage,
    /// Per epoch payout.
    pub epochs_paid: Vec<EpochTotals>,
    /// Measured speeds.
    pub throughput: Throughput,
    /// Per evidence kind.
    pub evidence: Vec<EvidenceSummary>,
    /// The consensus rules the run exercised (SPEC.md 18).
    pub consensus: ConsensusSummary,
    /// Faults found (empty in a good run).
    pub faults: Vec<String>,
}

/// The consensus rules in the run: the policy, the trust material that took effect mid-run,
/// the lease, and the sampled network beside the full one.
#[derive(Debug, Clone, Serialize)]
pub struct ConsensusSummary {
    /// SHA-256 of the network policy's canonical encoding, hex.
    pub policy_digest: String,
    /// Slots after its own a proof is still accepted.
    pub grace_slots: u32,
    /// The epoch the revised trust material (a CRL, firmware floors) took effect from.
    pub trust_activation_epoch: Option<u64>,
    /// The chip it revoked, by key id.
    pub revoked_chip: Option<String>,
    /// That chip's heartbeats refused `CERT_REVOKED`.
    pub revoked_heartbeats_refused: u64,
    /// That chip's reward per epoch, base units.
    pub revoked_chip_rewards: Vec<String>,
    /// The lease of epoch 0: verdict, slots proven of due, rent and refund (base units).
    pub lease: Option<LeaseSummary>,
    /// The sampled network beside the full one.
    pub sampled: SampledSummary,
}

impl ConsensusSummary {
    /// The revoked chip's line: its key id, the refusals, its rewards by epoch in tokens.
    pub fn revoked_line(&self) -> Option<String> {
        let chip = self.revoked_chip.as_ref()?;
        let rewards: Vec<String> = self
            .revoked_chip_rewards
            .iter()
            .map(|amount| {
                amount
                    .parse::<u128>()
                    .map_or_else(|_| amount.clone(), |base| tokens(base, 2))
            })
            .collect();
        Some(format!(
            "{}..: {} heartbeats refused CERT_REVOKED; rewards by epoch (tokens) {}",
            chip.get(..16).unwrap_or_default(),
            self.revoked_heartbeats_refused,
            rewards.join(" / ")
        ))
    }

    /// The lease's line: verdict, slots proven of due, rent and refund in tokens.
    pub fn lease_line(&self) -> Option<String> {
        self.lease.as_ref().map(|lease| {
            format!(
                "{}; proved {} of {} slots; rent {} tokens, refund {} tokens",
                lease.verdict,
                lease.proven_slots,
                lease.due_slots,
                tokens(lease.rent, 4),
                tokens(lease.refund, 4)
            )
        })
    }

    /// The sampled network's line, against the full one.
    pub fn sampled_line(&self) -> String {
        let sampled = &self.sampled;
        format!(
            "1 in {}: {} heartbeats verified in {} ms (full network: {} in {} ms); each model's share of rewards within {}",
            sampled.sample_one_in,
            group_digits(sampled.heartbeats_sampled),
            group_digits(sampled.verify_ms_sampled),
            group_digits(sampled.heartbeats_full),
            group_digits(sampled.verify_ms_full),
            percent(sampled.max_model_share_difference_bps)
        )
    }

    /// When the revised trust material took effect.
    pub fn activation_line(&self) -> String {
        self.trust_activation_epoch.map_or_else(
            || "none (the run is too short)".to_owned(),
            |epoch| format!("from epoch {epoch}"),
        )
    }
}

/// A lease the ledger held and settled.
#[derive(Debug, Clone, Serialize)]
pub struct LeaseSummary {
    /// How the acceptance was applied.
    pub verdict: String,
    /// Slots the chip proved in the lease.
    pub proven_slots: u64,
    /// Slots it had to answer.
    pub due_slots: u64,
    /// Paid to the lessor.
    #[serde(with = "poci::json::dec_u128")]
    pub rent: u128,
    /// Returned to the renter.
    #[serde(with = "poci::json::dec_u128")]
    pub refund: u128,
}

/// The full network and the sampled one, side by side over the same chips.
#[derive(Debug, Clone, Serialize)]
pub struct SampledSummary {
    /// One chip-slot in this many is drawn.
    pub sample_one_in: u32,
    /// Heartbeats the full network verified.
    pub heartbeats_full: u64,
    /// Heartbeats the sampled network verified.
    pub heartbeats_sampled: u64,
    /// Time the full network spent on heartbeats, milliseconds.
    pub verify_ms_full: u64,
    /// Time the sampled network spent on heartbeats, milliseconds.
    pub verify_ms_sampled: u64,
    /// The largest difference of a model's share of all rewards between the two, bps.
    pub max_model_share_difference_bps: u64,
}

/// `bps` as a percentage with one decimal.
pub fn percent(bps: u64) -> String {
    format!("{}.{}%", bps / 100, (bps % 100) / 10)
}

impl RunSummary {
    /// The text tables printed at the end of a run.
    pub fn tables(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{} chips owned by {} wallets, {} epochs x {} slots on {}",
            group_digits(self.chips),
            group_digits(self.wallets),
            self.epochs,
            self.slots_per_epoch,
            self.network.network_id()
        );
        let _ = writeln!(
            out,
            "\n{:<32} {:>7} {:>9} {:>13} {:>18}",
            "model", "chips", "rating", "availability", "rewards (tokens)"
        );
        let mut models: Vec<&ModelSummary> = self.models.iter().collect();
        models.sort_by(|a, b| b.reward.cmp(&a.reward).then(a.model_id.cmp(&b.model_id)));
        for model in models {
            let _ = writeln!(
                out,
                "{:<32} {:>7} {:>9} {:>13} {:>18}",
                model.model_id,
                group_digits(model.chips),
                format!("{} CU", cu(model.rating_milli_cu)),
                percent(model.availability_bps),
                tokens(model.reward, 2)
            );
        }
        for model in self.models.iter().filter(|model| model.reward == 0) {
            if let Some(reason) = &model.zero_reward_reason {
                let _ = writeln!(out, "  {} earned 0: {reason}", model.model_id);
            }
        }
        let _ = writeln!(
            out,
            "\n{:<6} {:>20} {:>20} {:>18} {:>7} {:>7} {:>10} {:>8}",
            "epoch",
            "emission",
            "paid to chips",
            "unallocated",
            "chips",
            "paid",
            "ineligible",
            "unpaid"
        );
        for epoch in &self.epochs_paid {
            let _ = writeln!(
                out,
                "{:<6} {:>20} {:>20} {:>18} {:>7} {:>7} {:>10} {:>8}",
                epoch.epoch,
                tokens(epoch.emission, 2),
                tokens(epoch.paid, 2),
                tokens(epoch.unallocated, 2),
                epoch.chips,
                epoch.chips_paid,
                epoch.chips_ineligible,
                epoch.chips_unpaid_eligible
            );
        }
        let _ = writeln!(out, "\nbindings: {}", join_counts(&self.binding_outcomes));
        let _ = writeln!(out, "refused:  {}", join_counts(&self.refusals));
        let _ = writeln!(
            out,
            "\n{:<24} {:<30} {:<30} verdict",
            "attack", "expected", "got"
        );
        for attack in &self.attacks {
            let _ = writeln!(
                out,
                "{:<24} {:<30} {:<30} {}",
                attack.name,
                attack.expected,
                attack.got,
                if attack.refused_as_expected() {
                    "refused"
                } else {
                    "FAILED"
                }
            );
        }
        let speed = &self.throughput;
        let _ = writeln!(
            out,
            "\nthroughput ({} threads): node {} heartbeats/s ({} checked, {} accepted), {} bindings/s; miners signed {}/s; {} s in all",
            speed.threads,
            group_digits(speed.verified_per_second),
            group_digits(speed.heartbeats_verified),
            group_digits(speed.heartbeats_accepted),
            group_digits(speed.bindings_per_second),
            group_digits(speed.signed_per_second),
            speed.total_seconds
        );
        let _ = writeln!(
            out,
            "\n{:<12} {:>7} {:>9} {:>12} {:>12} {:>14} {:>12}",
            "evidence", "chips", "bindings", "heartbeats", "accepted", "verified/s", "signed/s"
        );
        for kind in &self.evidence {
            let _ = writeln!(
                out,
                "{:<12} {:>7} {:>9} {:>12} {:>12} {:>14} {:>12}",
                kind.kind,
                group_digits(kind.chips),
                group_digits(kind.bindings_verified),
                group_digits(kind.heartbeats_verified),
                group_digits(kind.heartbeats_accepted),
                group_digits(kind.verified_per_second),
                group_digits(kind.signed_per_second)
            );
        }
        let rules = &self.consensus;
        let _ = writeln!(
            out,
            "\nconsensus: policy {}.., grace {} slot(s); revised trust material {}",
            rules.policy_digest.get(..16).unwrap_or_default(),
            rules.grace_slots,
            rules.activation_line()
        );
        if let Some(line) = rules.revoked_line() {
            let _ = writeln!(out, "  revoked chip {line}");
        }
        if let Some(line) = rules.lease_line() {
            let _ = writeln!(out, "  lease of epoch 0: {line}");
        }
        let _ = writeln!(out, "  sampled network {}", rules.sampled_line());
        if self.faults.is_empty() {
            let _ = writeln!(
                out,
                "every attack refused with its expected code; every epoch's rewards sum exactly"
            );
        } else {
            for fault in &self.faults {
                let _ = writeln!(out, "FAULT: {fault}");
            }
        }
        out
    }
}

fn join_counts(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(name, count)| format!("{name} {}", group_digits(count)))
        .collect::<Vec<_>>()
        .join(", ")
}
