//! `ChipLedger`: the reference state machine of registered chips and proven slots that a
//! node embeds. Deterministic (ordered maps only), serialisable, and all-or-nothing: an
//! input that is refused changes nothing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{CertRole, Error, Result};
use crate::evidence::EvidenceKind;
use crate::evidence::p384::P384_SEC1_LEN;
use crate::json::{dec_u64, hex_32, hex_bytes};
use crate::limits::{PUBLIC_KEY_LEN, check_batch_len};
use crate::network_policy::NetworkPolicy;
use crate::proof::{HeartbeatRef, ProofId};
use crate::registry::RegistrySchedule;
use crate::rewards::allocation::AllocationInput;
use crate::sampling::is_sampled;
use crate::slot_context::BindingContext;
use crate::slot_context::SlotContext;
use crate::time::{NetworkParams, SlotId};
use crate::verifier::{ChipRecord, Verifier};
use crate::x509::ChainIdentity;

mod leases;
mod persisted;
mod storage;
mod submission;

use leases::LeaseBook;
pub use leases::{Lease, LeaseOutcome, MAX_LEASE_EPOCHS, SettledLease};
use persisted::LedgerState;
use storage::{ChipClass, ChipIndex, ChipSlot, HeartbeatKey, Interned, Proven};
pub use submission::{BindingEvidence, BindingSubmission, HeartbeatEvidence, HeartbeatSubmission};

/// A binding that passed verification, waiting to be recorded.
#[derive(Debug, Clone)]
struct CheckedBinding {
    verified: crate::verifier::VerifiedBinding,
    /// The answered slot, absolute.
    slot: u64,
}

/// A heartbeat that passed the stateless checks, waiting to be recorded.
#[derive(Debug, Clone, Copy)]
struct CheckedHeartbeat {
    /// The chip's place in the ledger.
    at: u32,
    key_id: KeyId,
    /// The heartbeat's counter (`poci`; other kinds have none: their slot orders them).
    counter: Option<u64>,
    slot: SlotId,
    /// The same slot, absolute.
    index: u64,
}

/// Two different bindings of one chip with the same counter, both signed by the chip: the
/// binding in force, named by its proof id (its bytes are on the chain that applied it),
/// and the conflicting one whole.
///
/// ```text
/// JSON form (SPEC.md 14): { key_id, binding_counter, first_proof_id, second }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquivocationEvidence {
    /// The chip.
    pub key_id: KeyId,
    /// The counter both bindings carry.
    #[serde(with = "dec_u64")]
    pub binding_counter: u64,
    /// The proof id (SHA-256 of the DER) of the binding in force.
    #[serde(with = "hex_32")]
    pub first_proof_id: ProofId,
    /// The conflicting binding (DER).
    #[serde(with = "hex_bytes")]
    pub second: Vec<u8>,
}

/// What applying a binding did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BindingOutcome {
    /// A new chip was registered.
    Claimed,
    /// A higher counter moved the chip to another wallet (it was sold).
    Rebound {
        /// The wallet before.
        #[serde(with = "hex_bytes")]
        previous_wallet: Vec<u8>,
    },
    /// The very binding in force was applied again: nothing changed.
    AlreadyApplied,
    /// A different binding with the same counter: nothing changed; here is the evidence.
    Equivocation(EquivocationEvidence),
}

/// A closed epoch: each (chip, wallet) with the slots it proved and the rating that applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedEpoch {
    /// The epoch.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// Availability, ordered by key id then wallet.
    pub availability: Vec<AllocationInput>,
}

/// Registered chips and the slots they proved in open epochs.
///
/// Stored densely for millions of chips: an ordered index from key id to a fixed-size
/// record, with wallets, model classes and serials shared or packed (BENCHMARKS.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "LedgerState", try_from = "LedgerState")]
pub struct ChipLedger {
    policy: NetworkPolicy,
    index: ChipIndex,
    chips: Vec<ChipSlot>,
    wallets: Interned<Vec<u8>>,
    classes: Interned<ChipClass>,
    /// Every serial, back to back (a re-bind with a new serial appends).
    serials: Vec<u8>,
    /// Binding chains, without the chip certificate's serial (chips of one vendor CA share one).
    chains: Interned<ChainIdentity>,
    /// P-384 heartbeat keys (`nvidia-spdm`), named by index from `ChipSlot::public_key`;
    /// a re-bind with a new key (a firmware update) appends.
    attestation_keys: Vec<[u8; P384_SEC1_LEN]>,
    closed: BTreeSet<u64>,
    leases: LeaseBook,
}

/// Two ledgers are equal when they hold the same chips, proofs and closed epochs, however
/// their shared values happen to be numbered.
impl PartialEq for ChipLedger {
    fn eq(&self, other: &Self) -> bool {
        self.index.len() == other.index.len() && LedgerState::of(self) == LedgerState::of(other)
    }
}

impl Eq for ChipLedger {}

impl ChipLedger {
    /// An empty ledger for the network of `params` under
    /// [`NetworkPolicy::ledger_defaults`] (a grace of one slot, no sampling).
    #[must_use]
    pub fn new(params: NetworkParams) -> Self {
        Self::of_policy(NetworkPolicy::ledger_defaults(params))
    }

    /// An empty ledger applying `policy` (SPEC.md 18).
    ///
    /// # Errors
    /// The errors of [`NetworkPolicy::validate`].
    pub fn with_policy(policy: NetworkPolicy) -> Result<Self> {
        policy.validate()?;
        Ok(Self::of_policy(policy))
    }

    fn of_policy(policy: NetworkPolicy) -> Self {
        Self {
            policy,
            index: ChipIndex::default(),
            chips: Vec::new(),
            wallets: Interned::default(),
            classes: Interned::default(),
            serials: Vec::new(),
            chains: Interned::default(),
            attestation_keys: Vec::new(),
            closed: BTreeSet::new(),
            leases: LeaseBook::default(),
        }
    }

    /// The network parameters.
    #[must_use]
    pub const fn params(&self) -> &NetworkParams {
        &self.policy.params
    }

    /// The network policy the ledger applies.
    #[must_use]
    pub const fn policy(&self) -> &NetworkPolicy {
        &self.policy
    }

    /// A held lease.
    #[must_use]
    pub fn lease(&self, lease_id: &[u8]) -> Option<&Lease> {
        self.leases.get(lease_id)
    }

    /// Every held lease, by lease id.
    pub fn leases(&self) -> impl Iterator<Item = &Lease> {
        self.leases.iter()
    }

    /// The chips whose binding chain the trust material in force at `epoch` no longer
    /// honours (SPEC.md 18.5), judged at the epoch's start, in key id order, each with the
    /// code its heartbeats get: what an epoch report lists as revoked.
    ///
    /// # Errors
    /// `TIME_OVERFLOW` for an epoch whose start is not a time.
    pub fn revoked_chips(&self, verifier: &Verifier, epoch: u64) -> Result<Vec<(KeyId, Error)>> {
        let time = self.policy.params.epoch_start_unix(epoch)?;
        let mut revoked = Vec::new();
        for (key_id, chip) in self.slots() {
            let class = self.classes.get(chip.class)?;
            let (chain, chip_serial) = self.chain_of(chip)?;
            if let Err(error) = verifier.check_bound_chain(
                epoch,
                time,
                class.evidence,
                &class.vendor_id,
                chain,
                chip_serial,
            ) {
                revoked.push((key_id, error));
            }
        }
        Ok(revoked)
    }

    /// The timeliness rule (SPEC.md 18.2): the current slot `now` lies in
    /// `[slot, slot + grace_slots]` (`slot` absolute).
    fn check_timely(&self, slot: u64, now: SlotId) -> Result<()> {
        let current = self.policy.params.slot_index(now)?;
        let late = current
            .checked_sub(slot)
            .ok_or(Error::SlotInFuture { slot, current })?;
        if late > u64::from(self.policy.grace_slots) {
            return Err(Error::SlotTooLate {
                slot,
                current,
                grace_slots: self.policy.grace_slots,
            });
        }
        Ok(())
    }

    /// The record of a registered chip.
    #[must_use]
    pub fn chip(&self, key_id: &KeyId) -> Option<ChipRecord> {
        let at = self.index.get(key_id)?;
        let slot = self.slot(at).ok()?;
        self.record_of(key_id, slot).ok()
    }

    /// Number of registered chips.
    #[must_use]
    pub fn chip_count(&self) -> usize {
        self.index.len()
    }

    /// Whether `epoch` is closed.
    #[must_use]
    pub fn is_closed(&self, epoch: u64) -> bool {
        self.closed.contains(&epoch)
    }

    /// Chips in key id order.
    fn slots(&self) -> impl Iterator<Item = (KeyId, &ChipSlot)> {
        self.index.iter().filter_map(|(key_id, at)| {
            usize::try_from(at)
                .ok()
                .and_then(|index| self.chips.get(index))
                .map(|slot| (key_id, slot))
        })
    }

    fn slot(&self, at: u32) -> Result<&ChipSlot> {
        usize::try_from(at)
            .ok()
            .and_then(|index| self.chips.get(index))
            .ok_or(Error::UnknownChip)
    }

    fn slot_mut(&mut self, at: u32) -> Result<&mut ChipSlot> {
        usize::try_from(at)
            .ok()
            .and_then(|index| self.chips.get_mut(index))
            .ok_or(Error::UnknownChip)
    }

    /// A chip's record, rebuilt from its slot and the shared tables.
    fn record_of(&self, key_id: &KeyId, slot: &ChipSlot) -> Result<ChipRecord> {
        let class = self.classes.get(slot.class)?;
        let from = usize::try_from(slot.serial_at).map_err(|_| Error::UnknownChip)?;
        let until = from
            .checked_add(usize::from(slot.serial_len))
            .ok_or(Error::UnknownChip)?;
        let serial = self.serials.get(from..until).ok_or(Error::UnknownChip)?;
        let public_key = match self.heartbeat_key(slot, class)? {
            HeartbeatKey::P256(key) => key.to_vec(),
            HeartbeatKey::P384(key) => key.to_vec(),
        };
        Ok(ChipRecord {
            evidence: class.evidence,
            key_id: *key_id,
            public_key,
            serial: serial.to_vec(),
            model_id: class.model_id.clone(),
            vendor_id: class.vendor_id.clone(),
            rating_milli_cu: class.rating_milli_cu,
            security_version: class.security_version,
            wallet: self.wallets.get(slot.wallet)?.clone(),
            binding_counter: slot.binding_counter,
            certificate_not_after: slot.certificate_not_after,
        })
    }

    /// The key a chip's heartbeats verify under.
    fn heartbeat_key<'s>(
        &'s self,
        slot: &'s ChipSlot,
        class: &ChipClass,
    ) -> Result<HeartbeatKey<'s>> {
        match class.evidence {
            EvidenceKind::Poci => Ok(HeartbeatKey::P256(&slot.public_key)),
            EvidenceKind::NvidiaSpdm => {
                let [a, b, c, d, ..] = slot.public_key;
                usize::try_from(u32::from_le_bytes([a, b, c, d]))
                    .ok()
                    .and_then(|index| self.attestation_keys.get(index))
                    .map(HeartbeatKey::P384)
                    .ok_or(Error::UnknownChip)
            }
        }
    }

    /// How `record`'s heartbeat key is kept in a `ChipSlot` (a P-384 key goes to the arena).
    fn store_key(&mut self, record: &ChipRecord) -> Result<[u8; PUBLIC_KEY_LEN]> {
        match record.evidence {
            EvidenceKind::Poci => <[u8; PUBLIC_KEY_LEN]>::try_from(record.public_key.as_slice())
                .map_err(|_| Error::PublicKeyInvalid),
            EvidenceKind::NvidiaSpdm => {
                let key = <[u8; P384_SEC1_LEN]>::try_from(record.public_key.as_slice())
                    .map_err(|_| Error::PublicKeyInvalid)?;
                let index = u32::try_from(self.attestation_keys.len())
                    .map_err(|_| Error::AmountOverflow)?;
                self.attestation_keys.push(key);
                let mut stored = [0u8; PUBLIC_KEY_LEN];
                if let Some(head) = stored.get_mut(..4) {
                    head.copy_from_slice(&index.to_le_bytes());
                }
                Ok(stored)
            }
        }
    }

    /// A fresh slot for `record`, its shared values interned (no proofs yet). A re-bind
    /// that keeps the serial of the slot it replaces (`previous`) keeps its bytes too.
    fn slot_for(
        &mut self,
        record: &ChipRecord,
        chain: &ChainIdentity,
        binding_proof_id: ProofId,
        binding_slot: u64,
        previous: Option<(u32, u8)>,
    ) -> Result<ChipSlot> {
        let serial_len = u8::try_from(record.serial.len()).map_err(|_| Error::FieldTooLong {
            field: crate::error::Field::ChipSerial,
            len: record.serial.len(),
            max: crate::limits::MAX_SERIAL_LEN,
        })?;
        let public_key = self.store_key(record)?;
        let class = self.classes.intern(ChipClass {
            evidence: record.evidence,
            model_id: record.model_id.clone(),
            vendor_id: record.vendor_id.clone(),
            rating_milli_cu: record.rating_milli_cu,
            security_version: record.security_version,
        })?;
        let wallet = self.wallets.intern(record.wallet.clone())?;
        let same = previous.filter(|(at, len)| {
            let from = usize::try_from(*at).unwrap_or(usize::MAX);
            from.checked_add(usize::from(*len))
                .and_then(|until| self.serials.get(from..until))
                == Some(record.serial.as_slice())
        });
        let serial_at = match same {
            Some((at, _)) => at,
            None => {
                let at = u32::try_from(self.serials.len()).map_err(|_| Error::AmountOverflow)?;
                self.serials.extend_from_slice(&record.serial);
                at
            }
        };
        let (chain, chip_cert_serial_at, chip_cert_serial_len) = self.store_chain(chain)?;
        Ok(ChipSlot {
            public_key,
            binding_proof_id,
            class,
            wallet,
            serial_at,
            serial_len,
            chain,
            chip_cert_serial_at,
            chip_cert_serial_len,
            binding_counter: record.binding_counter,
            certificate_not_after: record.certificate_not_after,
            flags: 0,
            last_heartbeat_counter: 0,
            binding_slot,
            last_proven: 0,
            proven: Proven::default(),
            more_proven: None,
        })
    }

    /// Interns `chain` without its chip level's serial, which goes to the serial arena.
    fn store_chain(&mut self, chain: &ChainIdentity) -> Result<(u32, u32, u8)> {
        let mut shared = chain.clone();
        let (serial_at, serial_len) = match shared.levels.first_mut() {
            Some(chip_level) => {
                let serial = core::mem::take(&mut chip_level.serial);
                let len = u8::try_from(serial.len()).map_err(|_| Error::BadCertificate {
                    problem: crate::error::CertProblem::Encoding,
                })?;
                let at = u32::try_from(self.serials.len()).map_err(|_| Error::AmountOverflow)?;
                self.serials.extend_from_slice(&serial);
                (at, len)
            }
            None => (0, 0),
        };
        Ok((self.chains.intern(shared)?, serial_at, serial_len))
    }

    /// A chip's chain as recorded: the shared part, and its chip certificate's serial.
    fn chain_of(&self, slot: &ChipSlot) -> Result<(&ChainIdentity, Option<&[u8]>)> {
        let chain = self.chains.get(slot.chain)?;
        if chain.levels.is_empty() {
            return Ok((chain, None));
        }
        let from = usize::try_from(slot.chip_cert_serial_at).map_err(|_| Error::UnknownChip)?;
        let until = from
            .checked_add(usize::from(slot.chip_cert_serial_len))
            .ok_or(Error::UnknownChip)?;
        let serial = self.serials.get(from..until).ok_or(Error::UnknownChip)?;
        Ok((chain, Some(serial)))
    }

    /// The chain identity a chip was bound with (SPEC.md 18.5).
    #[must_use]
    pub fn chain(&self, key_id: &KeyId) -> Option<ChainIdentity> {
        let slot = self.slot(self.index.get(key_id)?).ok()?;
        let (chain, serial) = self.chain_of(slot).ok()?;
        let mut chain = chain.clone();
        if let (Some(level), Some(serial)) = (chain.levels.first_mut(), serial) {
            level.serial = serial.to_vec();
        }
        Some(chain)
    }

    fn insert(&mut self, key_id: KeyId, slot: ChipSlot) -> Result<()> {
        let at = u32::try_from(self.chips.len()).map_err(|_| Error::AmountOverflow)?;
        self.chips.push(slot);
        self.index.insert(key_id, at);
        Ok(())
    }

    /// Verifies a chip binding submitted by `wallet` for `slot` of `epoch` (whose
    /// challenge is `challenge`) and applies it: claim, re-bind on a higher counter,
    /// evidence on equivocation.
    ///
    /// `now` is the network's current slot: a binding is accepted only within the
    /// policy's grace after its slot (SPEC.md 18.2).
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `SLOT_IN_FUTURE`, `SLOT_TOO_LATE`; the errors of
    /// [`Verifier::verify_binding`] (`FIRMWARE_BELOW_FLOOR` among them); `COUNTER_REPLAY`
    /// for a counter below the chip's. A refused binding changes nothing.
    pub fn apply_binding(
        &mut self,
        verifier: &Verifier,
        der: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
        wallet: &[u8],
        now: SlotId,
    ) -> Result<BindingOutcome> {
        let submission = BindingSubmission::poci(der, slot, challenge, wallet);
        let checked = self.check_binding(verifier, &submission, now)?;
        self.record_binding(&submission.evidence, checked)
    }

    /// Verifies an NVIDIA GPU's report and chain as a binding submitted by `wallet` for
    /// `slot` (SPEC.md 17.4) and applies it as [`ChipLedger::apply_binding`] does. The
    /// binding's counter is its absolute slot: a binding for a later slot re-binds (a sale,
    /// or the same wallet after a firmware update changed the attestation key).
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `SLOT_IN_FUTURE`, `SLOT_TOO_LATE`; the errors of
    /// [`Verifier::verify_nvidia_binding`]; `COUNTER_REPLAY` for a slot before the binding
    /// in force; `EVIDENCE_KIND_MISMATCH` for a chip registered with another kind. A
    /// refused binding changes nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_nvidia_binding(
        &mut self,
        verifier: &Verifier,
        report: &[u8],
        chain: &[&[u8]],
        slot: SlotId,
        challenge: &[u8; 32],
        wallet: &[u8],
        now: SlotId,
    ) -> Result<BindingOutcome> {
        let submission = BindingSubmission {
            evidence: BindingEvidence::NvidiaSpdm { report, chain },
            slot,
            challenge,
            wallet,
        };
        let checked = self.check_binding(verifier, &submission, now)?;
        self.record_binding(&submission.evidence, checked)
    }

    /// Applies many bindings, one result per item in input order, each exactly what
    /// [`ChipLedger::apply_binding`] would give applied one after another in that order.
    /// The certificate chains and signatures are checked across threads when the
    /// `parallel` feature is on; claims, re-binds and equivocations are then decided in order.
    ///
    /// All are judged at the one current slot `now`.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items: nothing is checked or applied.
    pub fn apply_bindings(
        &mut self,
        verifier: &Verifier,
        submissions: &[BindingSubmission<'_>],
        now: SlotId,
    ) -> Result<Vec<Result<BindingOutcome>>> {
        check_batch_len(submissions.len())?;
        let check =
            |submission: &BindingSubmission<'_>| self.check_binding(verifier, submission, now);
        #[cfg(feature = "parallel")]
        let checked: Vec<Result<CheckedBinding>> = {
            use rayon::prelude::*;
            submissions.par_iter().map(check).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let checked: Vec<Result<CheckedBinding>> = submissions.iter().map(check).collect();
        Ok(submissions
            .iter()
            .zip(checked)
            .map(|(submission, result)| {
                result.and_then(|binding| self.record_binding(&submission.evidence, binding))
            })
            .collect())
    }

    /// The checks of a binding that do not depend on the ledger's chips: the message, its
    /// certificate chain and the vendor policy.
    fn check_binding(
        &self,
        verifier: &Verifier,
        submission: &BindingSubmission<'_>,
        now: SlotId,
    ) -> Result<CheckedBinding> {
        let slot = self.policy.params.slot_index(submission.slot)?;
        self.check_timely(slot, now)?;
        let context = BindingContext::new(
            &self.policy.params,
            submission.slot.epoch,
            submission.slot.slot,
            submission.challenge,
            submission.wallet,
        );
        let verified = match submission.evidence {
            BindingEvidence::Poci(der) => verifier.verify_binding(der, &context)?,
            BindingEvidence::NvidiaSpdm { report, chain } => {
                verifier.verify_nvidia_binding(report, chain, &context)?
            }
        };
        Ok(CheckedBinding { verified, slot })
    }

    /// Claim, re-bind, replay or equivocation, against the chip's current binding.
    fn record_binding(
        &mut self,
        evidence: &BindingEvidence<'_>,
        checked: CheckedBinding,
    ) -> Result<BindingOutcome> {
        let CheckedBinding {
            verified,
            slot: binding_slot,
        } = checked;
        let key_id = verified.record.key_id;
        let Some(at) = self.index.get(&key_id) else {
            let slot = self.slot_for(
                &verified.record,
                &verified.chain,
                verified.proof_id,
                binding_slot,
                None,
            )?;
            self.insert(key_id, slot)?;
            return Ok(BindingOutcome::Claimed);
        };
        let current = self.slot(at)?;
        if self.classes.get(current.class)?.evidence != verified.record.evidence {
            return Err(Error::EvidenceKindMismatch);
        }
        let counter = verified.record.binding_counter;
        if counter < current.binding_counter {
            return Err(Error::CounterReplay);
        }
        if counter == current.binding_counter {
            if verified.proof_id == current.binding_proof_id {
                return Ok(BindingOutcome::AlreadyApplied);
            }
            return Ok(BindingOutcome::Equivocation(EquivocationEvidence {
                key_id,
                binding_counter: counter,
                first_proof_id: current.binding_proof_id,
                second: evidence.bytes().to_vec(),
            }));
        }
        // A binding never reaches back before the binding in force or a slot already
        // proven: a seller cannot take a sold chip back with a binding for an earlier slot.
        if binding_slot < current.binding_slot
            || current
                .last_proven()
                .is_some_and(|last| binding_slot < last)
        {
            return Err(Error::SlotBeforeBinding);
        }
        let previous_wallet = self.wallets.get(current.wallet)?.clone();
        let previous_serial = (current.serial_at, current.serial_len);
        let bound = self.slot_for(
            &verified.record,
            &verified.chain,
            verified.proof_id,
            binding_slot,
            Some(previous_serial),
        )?;
        // A sale moves the chip, not its history: counters and proven slots stay.
        let current = self.slot_mut(at)?;
        *current = ChipSlot {
            flags: current.flags,
            last_heartbeat_counter: current.last_heartbeat_counter,
            last_proven: current.last_proven,
            proven: current.proven,
            more_proven: current.more_proven.take(),
            ..bound
        };
        Ok(BindingOutcome::Rebound { previous_wallet })
    }

    /// Verifies a heartbeat for `slot` (whose challenge is `challenge`) against the chip's
    /// registered key and binding, and records the proven slot.
    ///
    /// Checks, in the order of SPEC.md 14 and 18: slot in range, timely at the current
    /// slot `now`, epoch open, strict DER, chip registered, sampled in the slot, not before
    /// its binding, device certificate still valid at the slot's start, its chain not
    /// revoked and its firmware not below the floor under the trust material in force,
    /// the heartbeat checks of SPEC.md 6.2 against the chip's wallet, counter above the
    /// last, slot after the last proven.
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `SLOT_IN_FUTURE`, `SLOT_TOO_LATE`, `EPOCH_CLOSED`, the parse
    /// errors, `UNKNOWN_CHIP`, `NOT_SELECTED`, `SLOT_BEFORE_BINDING`, `CERT_EXPIRED`, the
    /// revocation codes (`CERT_REVOKED`, `VENDOR_REVOKED`, `UNKNOWN_ISSUER`),
    /// `FIRMWARE_BELOW_FLOOR`, the heartbeat errors, `COUNTER_REPLAY`,
    /// `SLOT_ALREADY_PROVEN`. A refused heartbeat changes nothing.
    pub fn apply_heartbeat(
        &mut self,
        verifier: &Verifier,
        der: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
        now: SlotId,
    ) -> Result<()> {
        let checked = self.check_heartbeat(
            verifier,
            &HeartbeatSubmission::poci(der, slot, challenge),
            now,
        )?;
        self.record_heartbeat(checked)
    }

    /// Verifies an NVIDIA report as the heartbeat of chip `key_id` for `slot` (SPEC.md
    /// 17.4) under its registered attestation key, and records the proven slot. The same
    /// checks as [`ChipLedger::apply_heartbeat`] in the same order, the report's own in
    /// place of the DER message's; an NVIDIA heartbeat has no counter (its slot orders it).
    ///
    /// # Errors
    /// As [`ChipLedger::apply_heartbeat`], `EVIDENCE_KIND_MISMATCH`, and the errors of
    /// [`Verifier::verify_nvidia_heartbeat`] in place of the DER message's.
    pub fn apply_nvidia_heartbeat(
        &mut self,
        verifier: &Verifier,
        key_id: &KeyId,
        report: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
        now: SlotId,
    ) -> Result<()> {
        let submission = HeartbeatSubmission {
            evidence: HeartbeatEvidence::NvidiaSpdm {
                key_id: *key_id,
                report,
            },
            slot,
            challenge,
        };
        let checked = self.check_heartbeat(verifier, &submission, now)?;
        self.record_heartbeat(checked)
    }

    /// Applies many heartbeats, one result per item in input order, each exactly what
    /// [`ChipLedger::apply_heartbeat`] would give applied one after another in that order.
    /// The stateless checks (parsing, context, signature) run across threads when the
    /// `parallel` feature is on; counters and proven slots are then recorded in order.
    ///
    /// All are judged at the one current slot `now`.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items: nothing is checked or applied.
    pub fn apply_heartbeats(
        &mut self,
        verifier: &Verifier,
        submissions: &[HeartbeatSubmission<'_>],
        now: SlotId,
    ) -> Result<Vec<Result<()>>> {
        check_batch_len(submissions.len())?;
        let check =
            |submission: &HeartbeatSubmission<'_>| self.check_heartbeat(verifier, submission, now);
        #[cfg(feature = "parallel")]
        let checked: Vec<Result<CheckedHeartbeat>> = {
            use rayon::prelude::*;
            submissions.par_iter().map(check).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let checked: Vec<Result<CheckedHeartbeat>> = submissions.iter().map(check).collect();
        Ok(checked
            .into_iter()
            .map(|result| result.and_then(|heartbeat| self.record_heartbeat(heartbeat)))
            .collect())
    }

    /// The checks of a heartbeat that read the ledger but do not depend on earlier
    /// heartbeats: everything up to and including the signature.
    fn check_heartbeat(
        &self,
        verifier: &Verifier,
        submission: &HeartbeatSubmission<'_>,
        now: SlotId,
    ) -> Result<CheckedHeartbeat> {
        let HeartbeatSubmission {
            evidence,
            slot,
            challenge,
        } = *submission;
        self.policy.params.check_slot(slot.slot)?;
        let index = self.policy.params.slot_index(slot)?;
        self.check_timely(index, now)?;
        if self.closed.contains(&slot.epoch) {
            return Err(Error::EpochClosed { epoch: slot.epoch });
        }
        let (key_id, heartbeat) = match evidence {
            HeartbeatEvidence::Poci(der) => {
                let heartbeat = HeartbeatRef::from_der(der)?;
                (KeyId(*heartbeat.tbs().chip_key_id), Some(heartbeat))
            }
            HeartbeatEvidence::NvidiaSpdm { key_id, .. } => (key_id, None),
        };
        let at = self.index.get(&key_id).ok_or(Error::UnknownChip)?;
        let chip = self.slot(at)?;
        if !is_sampled(challenge, &key_id, self.policy.sample_one_in) {
            return Err(Error::NotSelected);
        }
        // Nobody is credited for a slot before the binding that names their wallet.
        if index < chip.binding_slot {
            return Err(Error::SlotBeforeBinding);
        }
        let time = self.policy.params.slot_start_unix(slot.epoch, slot.slot)?;
        if time > chip.certificate_not_after {
            return Err(Error::CertExpired {
                role: CertRole::Device,
            });
        }
        let class = self.classes.get(chip.class)?;
        if class.evidence != evidence.kind() {
            return Err(Error::EvidenceKindMismatch);
        }
        // Revocation reaches bound chips: the trust material in force at the slot's epoch.
        let (chain, chip_serial) = self.chain_of(chip)?;
        verifier.check_bound_chain(
            slot.epoch,
            time,
            class.evidence,
            &class.vendor_id,
            chain,
            chip_serial,
        )?;
        let trust = verifier.trust_store_at(slot.epoch);
        trust
            .registry()
            .check_floor(&class.model_id, class.security_version)?;
        let context = SlotContext {
            network_id: self.policy.params.network_id(),
            epoch: slot.epoch,
            slot: slot.slot,
            challenge,
            wallet: self.wallets.get(chip.wallet)?,
        };
        let counter = match (self.heartbeat_key(chip, class)?, heartbeat, evidence) {
            (HeartbeatKey::P256(key), Some(heartbeat), _) => {
                // Checked on the curve at binding: rebuilt without hashing or checking again.
                let key = DevicePublicKey::from_checked_parts(*key, key_id)?;
                heartbeat.verify(verifier.backend(), &key, &context)?;
                Some(heartbeat.tbs().counter)
            }
            (HeartbeatKey::P384(key), None, HeartbeatEvidence::NvidiaSpdm { report, .. }) => {
                verifier.verify_nvidia_heartbeat(report, key, &context)?;
                None
            }
            _ => return Err(Error::EvidenceKindMismatch),
        };
        Ok(CheckedHeartbeat {
            at,
            key_id,
            counter,
            slot,
            index,
        })
    }

    /// The checks against the chip's earlier heartbeats, then the state change.
    fn record_heartbeat(&mut self, heartbeat: CheckedHeartbeat) -> Result<()> {
        let CheckedHeartbeat {
            at,
            key_id,
            counter,
            slot,
            index,
        } = heartbeat;
        let chip = self.slot_mut(at)?;
        if let (Some(counter), Some(last)) = (counter, chip.last_heartbeat_counter()) {
            if counter <= last {
                return Err(Error::CounterReplay);
            }
        }
        if chip.last_proven().is_some_and(|last| index <= last) {
            return Err(Error::SlotAlreadyProven);
        }
        let wallet = chip.wallet;
        let held = chip
            .proven_mut()
            .find(|held| held.epoch == slot.epoch && held.wallet == wallet);
        match held {
            Some(held) => held.slots = held.slots.checked_add(1).ok_or(Error::AmountOverflow)?,
            // The chip's first proven slot for this wallet in the epoch.
            None => chip.add_proven(Proven {
                epoch: slot.epoch,
                wallet,
                slots: 1,
            }),
        }
        chip.set_heartbeat_state(counter.or(chip.last_heartbeat_counter()), Some(index));
        self.leases.count_proven(&key_id, slot.epoch);
        Ok(())
    }

    /// Closes `epoch`: its availability is final, later heartbeats for it are refused.
    /// Ratings come from `registry` as in force at `epoch` when given (a model absent
    /// there rates 0), else from each chip's binding.
    ///
    /// On a sampled network `slot_challenges` are the epoch's challenges, one per slot in
    /// order: they say which slots each chip was drawn for (its `selected_slots`, the
    /// threshold's denominator, and the slots due under a lease). Otherwise they are not
    /// read (pass `&[]`).
    ///
    /// # Errors
    /// `EPOCH_CLOSED` if the epoch was closed before; `SLOT_CHALLENGES_MISSING` on a
    /// sampled network without one challenge per slot. Nothing changes on an error.
    pub fn close_epoch(
        &mut self,
        epoch: u64,
        registry: Option<&RegistrySchedule>,
        slot_challenges: &[[u8; 32]],
    ) -> Result<ClosedEpoch> {
        if self.closed.contains(&epoch) {
            return Err(Error::EpochClosed { epoch });
        }
        let slots_per_epoch = self.policy.params.slots_per_epoch();
        let sampled = self.policy.is_sampled();
        if sampled && slot_challenges.len() != usize::try_from(slots_per_epoch).unwrap_or(0) {
            return Err(Error::SlotChallengesMissing {
                expected: slots_per_epoch,
                got: slot_challenges.len(),
            });
        }
        let one_in = self.policy.sample_one_in;
        // The slots of the epoch a chip had to answer.
        let due = |key_id: &KeyId| -> u32 {
            if !sampled {
                return slots_per_epoch;
            }
            let drawn = slot_challenges
                .iter()
                .filter(|challenge| is_sampled(challenge, key_id, one_in))
                .count();
            u32::try_from(drawn).unwrap_or(u32::MAX)
        };
        let mut availability: Vec<AllocationInput> = Vec::new();
        // Everything is read first and written after, so nothing changes on an error.
        let mut closing: Vec<u32> = Vec::new();
        // Chips in key id order, each chip's slots in wallet order: the order of SPEC.md 14.
        for (key_id, at) in self.index.iter() {
            let chip = self.slot(at)?;
            let mut held = chip.proven().filter(|held| held.epoch == epoch).peekable();
            if held.peek().is_none() {
                continue;
            }
            let class = self.classes.get(chip.class)?;
            let rating = match registry {
                Some(schedule) => schedule
                    .lookup(&class.model_id, epoch)
                    .map_or(0, |model| model.rating_milli_cu),
                None => class.rating_milli_cu,
            };
            let first = availability.len();
            let selected_slots = sampled.then(|| due(&key_id));
            for held in held {
                availability.push(AllocationInput {
                    key_id,
                    wallet: self.wallets.get(held.wallet)?.clone(),
                    rating_milli_cu: rating,
                    proven_slots: held.slots,
                    selected_slots,
                });
            }
            if let Some(entries) = availability.get_mut(first..) {
                entries.sort_by(|a, b| a.wallet.cmp(&b.wallet));
            }
            closing.push(at);
        }
        let leased: Vec<(Vec<u8>, u32)> = self
            .leases
            .covering(epoch)
            .into_iter()
            .map(|(key_id, lease_id)| (lease_id, due(&key_id)))
            .collect();
        for (lease_id, slots) in leased {
            self.leases.add_due(&lease_id, u64::from(slots));
        }
        for at in closing {
            let chip = self.slot_mut(at)?;
            // Usually nothing stays open: collecting nothing allocates nothing.
            let open: Vec<Proven> = chip
                .proven()
                .filter(|held| held.epoch != epoch)
                .copied()
                .collect();
            chip.set_proven(open);
        }
        self.closed.insert(epoch);
        Ok(ClosedEpoch {
            epoch,
            availability,
        })
    }
}
