//! The run's independent checks: every input has a verdict it must get (an honest proof is
//! accepted, an attack refused with its code), the ledger's proven slots must equal the run's
//! own count, and every epoch report must add up. Whatever differs is a fault, and a run with
//! a fault fails.

use std::collections::BTreeMap;

use poci::{BindingOutcome, ClosedEpoch, KeyId, SlotId};

use super::World;
use super::attacks::{AttackOutcome, BindingAttack, EQUIVOCATION};
use super::miners::Resale;
use super::population::Chip;
use crate::rewards::{RewardParams, check_sums};
use poci::rewards::report::EpochReport;

/// What a submitted heartbeat is and what it must get.
#[derive(Debug, Clone)]
pub enum Expect {
    /// An honest chip's heartbeat (chip, wallet): must be accepted.
    Honest(usize, usize),
    /// An attack (name, description, expected code): must be refused with that code.
    Attack(&'static str, &'static str, &'static str),
    /// An attack submitted as the NVIDIA evidence of chip `.0` (then name, description,
    /// expected code): must be refused with that code.
    GpuAttack(usize, &'static str, &'static str, &'static str),
    /// A chip's heartbeat after the trust material in force revoked it: must be refused
    /// `CERT_REVOKED`.
    Revoked(usize),
}

/// Per chip (key, wallet): slots whose heartbeat the ledger accepted.
type ProvenCount = BTreeMap<(KeyId, Vec<u8>), u32>;

/// The audit's findings.
#[derive(Debug, Default)]
pub struct Audit {
    /// What went wrong: an honest proof refused, an attack accepted, a sum that does not add up.
    faults: Vec<String>,
    /// The attacks and their verdicts.
    attacks: Vec<AttackOutcome>,
    /// Per epoch, per chip: slots whose heartbeat the ledger accepted, by the run's own count.
    expected_proven: BTreeMap<u64, ProvenCount>,
}

impl Audit {
    /// A joining chip's binding must be claimed; whether it was.
    pub fn honest_binding(
        &mut self,
        chip: usize,
        result: &Result<BindingOutcome, poci::Error>,
    ) -> bool {
        if matches!(result, Ok(BindingOutcome::Claimed)) {
            return true;
        }
        self.faults.push(format!(
            "chip {chip}: honest binding gave {}",
            verdict(result)
        ));
        false
    }

    /// A sale's binding must re-bind the chip from its seller; whether it did.
    pub fn sale(
        &mut self,
        world: World<'_>,
        resale: &Resale,
        result: &Result<BindingOutcome, poci::Error>,
    ) -> bool {
        if let Ok(BindingOutcome::Rebound { previous_wallet }) = result {
            if previous_wallet == world.wallet(resale.seller) {
                return true;
            }
        }
        self.faults.push(format!(
            "chip {}: sale binding gave {}",
            resale.binding.chip,
            verdict(result)
        ));
        false
    }

    /// Checks each heartbeat's verdict against what it must get; returns the honest chips
    /// whose heartbeat was accepted, in batch order.
    pub fn heartbeats(
        &mut self,
        world: World<'_>,
        at: SlotId,
        batch: &[(Vec<u8>, Expect)],
        results: Vec<Result<(), poci::Error>>,
    ) -> Vec<usize> {
        let mut accepted = Vec::new();
        for ((_, expect), result) in batch.iter().zip(results) {
            match (expect, result) {
                (Expect::Honest(index, wallet), Ok(())) => {
                    accepted.push(*index);
                    if let Some(chip) = world.population.chips.get(*index) {
                        self.count_proven(at, chip, world.wallet(*wallet));
                    }
                }
                (Expect::Honest(index, _), Err(error)) => self.faults.push(format!(
                    "chip {index}: honest heartbeat of epoch {} slot {} refused: {}",
                    at.epoch,
                    at.slot,
                    error.code()
                )),
                (Expect::Revoked(index), result) => {
                    if !matches!(result, Err(poci::Error::CertRevoked)) {
                        self.faults.push(format!(
                            "chip {index}: revoked chip's heartbeat of epoch {} slot {} gave {}",
                            at.epoch,
                            at.slot,
                            result.err().map_or("ACCEPTED", |error| error.code())
                        ));
                    }
                }
                (
                    Expect::Attack(name, description, expected)
                    | Expect::GpuAttack(_, name, description, expected),
                    result,
                ) => {
                    let got = match result {
                        Ok(()) => "ACCEPTED".to_owned(),
                        Err(error) => error.code().to_owned(),
                    };
                    self.record_attack(name, description, expected, at, got);
                }
            }
        }
        accepted
    }

    /// One more slot `chip` proved for `wallet` in `at`'s epoch, by the run's own count.
    fn count_proven(&mut self, at: SlotId, chip: &Chip, wallet: &[u8]) {
        let count = self
            .expected_proven
            .entry(at.epoch)
            .or_default()
            .entry((chip.key_id, wallet.to_vec()))
            .or_insert(0);
        *count = count.saturating_add(1);
    }

    /// Checks each binding attack's verdict; an equivocation must come with the attack's own
    /// binding as the evidence.
    pub fn binding_attacks(
        &mut self,
        at: SlotId,
        attacks: &[BindingAttack],
        results: Vec<Result<BindingOutcome, poci::Error>>,
    ) {
        for (attack, result) in attacks.iter().zip(results) {
            let got = match &result {
                Ok(BindingOutcome::Equivocation(evidence)) if evidence.second == attack.der => {
                    EQUIVOCATION.to_owned()
                }
                other => verdict(other),
            };
            self.record_attack(attack.name, attack.description, attack.expected, at, got);
        }
    }

    /// Records something that went wrong.
    pub fn fault(&mut self, fault: String) {
        self.faults.push(fault);
    }

    /// Records an attack's verdict, a fault unless it is the expected one.
    pub fn record_attack(
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
    pub fn check_availability(&mut self, closed: &ClosedEpoch) {
        let from_ledger: ProvenCount = closed
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

    /// An epoch report's amounts must add up.
    pub fn check_sums(&mut self, params: &RewardParams, report: &EpochReport) {
        if let Err(fault) = check_sums(params, report) {
            self.faults.push(fault);
        }
    }

    /// The faults found.
    pub fn faults(&self) -> &[String] {
        &self.faults
    }

    /// The attacks and their verdicts.
    pub fn attacks(&self) -> &[AttackOutcome] {
        &self.attacks
    }
}

/// A binding's verdict as the summary shows it.
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
