//! `ChipLedger`: the reference state machine of registered chips and proven slots that a
//! node embeds. Deterministic (ordered maps only), serialisable, and all-or-nothing: an
//! input that is refused changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{CertRole, Error, Result};
use crate::json::{dec_u64, hex_32, hex_bytes};
use crate::limits::check_batch_len;
use crate::proof::{HeartbeatContext, HeartbeatRef, ProofId};
use crate::registry::RegistrySchedule;
use crate::rewards::allocation::AllocationInput;
use crate::time::{NetworkParams, SlotId};
use crate::verifier::{BindingContext, ChipRecord, Verifier};

/// A wallet as a map key (lowercase hex in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
struct WalletKey(#[serde(with = "hex_bytes")] Vec<u8>);

// Looked up by slice, so a heartbeat does not copy its wallet (same order as `Vec<u8>`).
impl core::borrow::Borrow<[u8]> for WalletKey {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

/// A registered chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChipEntry {
    record: ChipRecord,
    #[serde(with = "hex_32")]
    binding_proof_id: ProofId,
    /// The binding in force, kept whole: it is half of any equivocation evidence.
    #[serde(with = "hex_bytes")]
    binding: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_heartbeat_counter: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_proven: Option<SlotId>,
    /// The decoded device key: set at binding and when a ledger is restored, so a heartbeat
    /// never decodes it (always `Some`; not persisted, the record holds its bytes).
    #[serde(skip)]
    key: Option<DevicePublicKey>,
    /// Slots proven in open epochs, by (epoch, wallet) ascending. Kept with the chip, so a
    /// heartbeat touches one entry; persisted per epoch (see `LedgerState`).
    #[serde(skip)]
    proven: Vec<ProvenSlots>,
}

/// Slots a chip proved under one wallet in one open epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProvenSlots {
    epoch: u64,
    wallet: Vec<u8>,
    slots: u32,
}

/// One heartbeat submitted to [`ChipLedger::apply_heartbeats`]: its bytes and the slot
/// (with that slot's challenge) it is submitted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatSubmission<'a> {
    /// The heartbeat DER.
    pub der: &'a [u8],
    /// The slot it proves.
    pub slot: SlotId,
    /// That slot's challenge.
    pub challenge: &'a [u8; 32],
}

/// One binding submitted to [`ChipLedger::apply_bindings`]: its bytes, the slot whose
/// challenge it answers, and the wallet that submits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingSubmission<'a> {
    /// The binding DER.
    pub der: &'a [u8],
    /// The slot it answers.
    pub slot: SlotId,
    /// That slot's challenge.
    pub challenge: &'a [u8; 32],
    /// The submitting wallet.
    pub wallet: &'a [u8],
}

/// A binding that passed verification, with its device key decoded, waiting to be recorded.
#[derive(Debug, Clone)]
struct CheckedBinding {
    verified: crate::verifier::VerifiedBinding,
    key: DevicePublicKey,
}

/// A heartbeat that passed the stateless checks, waiting to be recorded.
#[derive(Debug, Clone, Copy)]
struct CheckedHeartbeat {
    key_id: KeyId,
    counter: u64,
    slot: SlotId,
}

/// Two different bindings of one chip with the same counter, both signed by the chip.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquivocationEvidence {
    /// The chip.
    pub key_id: KeyId,
    /// The counter both bindings carry.
    #[serde(with = "dec_u64")]
    pub binding_counter: u64,
    /// The binding in force (DER).
    #[serde(with = "hex_bytes")]
    pub first: Vec<u8>,
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "LedgerState", try_from = "LedgerState")]
pub struct ChipLedger {
    params: NetworkParams,
    chips: BTreeMap<KeyId, ChipEntry>,
    closed: BTreeSet<u64>,
}

/// The persisted form of a ledger: open epochs' proven slots per epoch, per chip, per wallet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerState {
    params: NetworkParams,
    chips: BTreeMap<KeyId, ChipEntry>,
    proven: BTreeMap<u64, BTreeMap<KeyId, BTreeMap<WalletKey, u32>>>,
    closed: BTreeSet<u64>,
}

impl From<ChipLedger> for LedgerState {
    fn from(ledger: ChipLedger) -> Self {
        let mut proven: BTreeMap<u64, BTreeMap<KeyId, BTreeMap<WalletKey, u32>>> = BTreeMap::new();
        let mut chips = ledger.chips;
        for (key_id, entry) in &mut chips {
            for slots in core::mem::take(&mut entry.proven) {
                proven
                    .entry(slots.epoch)
                    .or_default()
                    .entry(*key_id)
                    .or_default()
                    .insert(WalletKey(slots.wallet), slots.slots);
            }
        }
        Self {
            params: ledger.params,
            chips,
            proven,
            closed: ledger.closed,
        }
    }
}

impl TryFrom<LedgerState> for ChipLedger {
    type Error = &'static str;

    fn try_from(state: LedgerState) -> core::result::Result<Self, Self::Error> {
        let mut chips = state.chips;
        for entry in chips.values_mut() {
            let key = DevicePublicKey::from_sec1_bytes(&entry.record.public_key)
                .map_err(|_| "a chip's public key is not a P-256 point")?;
            if *key.key_id() != entry.record.key_id {
                return Err("a chip's public key does not match its key id");
            }
            entry.key = Some(key);
        }
        // Epochs, then chips, then wallets ascending: each chip's list comes out sorted.
        for (epoch, per_chip) in state.proven {
            for (key_id, wallets) in per_chip {
                let entry = chips
                    .get_mut(&key_id)
                    .ok_or("proven slots of a chip the ledger does not hold")?;
                for (wallet, slots) in wallets {
                    entry.proven.push(ProvenSlots {
                        epoch,
                        wallet: wallet.0,
                        slots,
                    });
                }
            }
        }
        Ok(Self {
            params: state.params,
            chips,
            closed: state.closed,
        })
    }
}

impl PartialEq for ChipLedger {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params && self.chips == other.chips && self.closed == other.closed
    }
}

impl Eq for ChipLedger {}

impl ChipLedger {
    /// An empty ledger for the network of `params`.
    #[must_use]
    pub fn new(params: NetworkParams) -> Self {
        Self {
            params,
            chips: BTreeMap::new(),
            closed: BTreeSet::new(),
        }
    }

    /// The network parameters.
    #[must_use]
    pub const fn params(&self) -> &NetworkParams {
        &self.params
    }

    /// The record of a registered chip.
    #[must_use]
    pub fn chip(&self, key_id: &KeyId) -> Option<&ChipRecord> {
        self.chips.get(key_id).map(|entry| &entry.record)
    }

    /// Number of registered chips.
    #[must_use]
    pub fn chip_count(&self) -> usize {
        self.chips.len()
    }

    /// Whether `epoch` is closed.
    #[must_use]
    pub fn is_closed(&self, epoch: u64) -> bool {
        self.closed.contains(&epoch)
    }

    /// Verifies a chip binding submitted by `wallet` for `slot` of `epoch` (whose
    /// challenge is `challenge`) and applies it: claim, re-bind on a higher counter,
    /// evidence on equivocation.
    ///
    /// # Errors
    /// The errors of [`Verifier::verify_binding`]; `COUNTER_REPLAY` for a counter below the
    /// chip's. A refused binding changes nothing.
    pub fn apply_binding(
        &mut self,
        verifier: &Verifier,
        der: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
        wallet: &[u8],
    ) -> Result<BindingOutcome> {
        let checked = self.check_binding(
            verifier,
            &BindingSubmission {
                der,
                slot,
                challenge,
                wallet,
            },
        )?;
        self.record_binding(der, checked)
    }

    /// Applies many bindings, one result per item in input order, each exactly what
    /// [`ChipLedger::apply_binding`] would give applied one after another in that order.
    /// The certificate chains and signatures are checked across threads when the
    /// `parallel` feature is on; claims, re-binds and equivocations are then decided in order.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items: nothing is checked or applied.
    pub fn apply_bindings(
        &mut self,
        verifier: &Verifier,
        submissions: &[BindingSubmission<'_>],
    ) -> Result<Vec<Result<BindingOutcome>>> {
        check_batch_len(submissions.len())?;
        let check = |submission: &BindingSubmission<'_>| self.check_binding(verifier, submission);
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
                result.and_then(|binding| self.record_binding(submission.der, binding))
            })
            .collect())
    }

    /// The checks of a binding that do not depend on the ledger's chips: the message, its
    /// certificate chain and the vendor policy.
    fn check_binding(
        &self,
        verifier: &Verifier,
        submission: &BindingSubmission<'_>,
    ) -> Result<CheckedBinding> {
        let context = BindingContext {
            params: &self.params,
            epoch: submission.slot.epoch,
            slot: submission.slot.slot,
            challenge: submission.challenge,
            wallet: submission.wallet,
        };
        let verified = verifier.verify_binding(submission.der, &context)?;
        // Decoded once here, so heartbeats never decode the key again.
        let key = DevicePublicKey::from_sec1_bytes(&verified.record.public_key)?;
        Ok(CheckedBinding { verified, key })
    }

    /// Claim, re-bind, replay or equivocation, against the chip's current binding.
    fn record_binding(&mut self, der: &[u8], checked: CheckedBinding) -> Result<BindingOutcome> {
        let CheckedBinding { verified, key } = checked;
        let key_id = verified.record.key_id;
        let Some(entry) = self.chips.get_mut(&key_id) else {
            self.chips.insert(
                key_id,
                ChipEntry {
                    record: verified.record,
                    binding_proof_id: verified.proof_id,
                    binding: der.to_vec(),
                    last_heartbeat_counter: None,
                    last_proven: None,
                    key: Some(key),
                    proven: Vec::new(),
                },
            );
            return Ok(BindingOutcome::Claimed);
        };
        let current = entry.record.binding_counter;
        let counter = verified.record.binding_counter;
        if counter < current {
            return Err(Error::CounterReplay);
        }
        if counter == current {
            if verified.proof_id == entry.binding_proof_id {
                return Ok(BindingOutcome::AlreadyApplied);
            }
            return Ok(BindingOutcome::Equivocation(EquivocationEvidence {
                key_id,
                binding_counter: counter,
                first: entry.binding.clone(),
                second: der.to_vec(),
            }));
        }
        let previous_wallet = core::mem::replace(&mut entry.record, verified.record).wallet;
        entry.binding_proof_id = verified.proof_id;
        entry.binding = der.to_vec();
        Ok(BindingOutcome::Rebound { previous_wallet })
    }

    /// Verifies a heartbeat for `slot` (whose challenge is `challenge`) against the chip's
    /// registered key and binding, and records the proven slot.
    ///
    /// Checks, in order: slot in range, epoch open, strict DER, chip registered, device
    /// certificate still valid at the slot's start, the heartbeat checks of SPEC.md 6.2
    /// against the chip's wallet, counter above the last, slot after the last proven.
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `EPOCH_CLOSED`, the parse errors, `UNKNOWN_CHIP`,
    /// `CERT_EXPIRED`, the heartbeat errors, `COUNTER_REPLAY`, `SLOT_ALREADY_PROVEN`.
    /// A refused heartbeat changes nothing (the key cache aside).
    pub fn apply_heartbeat(
        &mut self,
        verifier: &Verifier,
        der: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
    ) -> Result<()> {
        let checked = self.check_heartbeat(verifier, der, slot, challenge)?;
        self.record_heartbeat(checked)
    }

    /// Applies many heartbeats, one result per item in input order, each exactly what
    /// [`ChipLedger::apply_heartbeat`] would give applied one after another in that order.
    /// The stateless checks (parsing, context, signature) run across threads when the
    /// `parallel` feature is on; counters and proven slots are then recorded in order.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items: nothing is checked or applied.
    pub fn apply_heartbeats(
        &mut self,
        verifier: &Verifier,
        submissions: &[HeartbeatSubmission<'_>],
    ) -> Result<Vec<Result<()>>> {
        check_batch_len(submissions.len())?;
        let check = |submission: &HeartbeatSubmission<'_>| {
            self.check_heartbeat(
                verifier,
                submission.der,
                submission.slot,
                submission.challenge,
            )
        };
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
        der: &[u8],
        slot: SlotId,
        challenge: &[u8; 32],
    ) -> Result<CheckedHeartbeat> {
        self.params.check_slot(slot.slot)?;
        if self.closed.contains(&slot.epoch) {
            return Err(Error::EpochClosed { epoch: slot.epoch });
        }
        let heartbeat = HeartbeatRef::from_der(der)?;
        let key_id = KeyId(*heartbeat.tbs().chip_key_id);
        let entry = self.chips.get(&key_id).ok_or(Error::UnknownChip)?;
        if self.params.slot_start_unix(slot.epoch, slot.slot)? > entry.record.certificate_not_after
        {
            return Err(Error::CertExpired {
                role: CertRole::Device,
            });
        }
        let key = entry.key.as_ref().ok_or(Error::PublicKeyInvalid)?;
        let context = HeartbeatContext {
            network_id: self.params.network_id(),
            epoch: slot.epoch,
            slot: slot.slot,
            challenge,
            wallet: &entry.record.wallet,
        };
        heartbeat.verify(verifier.backend(), key, &context)?;
        Ok(CheckedHeartbeat {
            key_id,
            counter: heartbeat.tbs().counter,
            slot,
        })
    }

    /// The checks against the chip's earlier heartbeats, then the state change.
    fn record_heartbeat(&mut self, heartbeat: CheckedHeartbeat) -> Result<()> {
        let CheckedHeartbeat {
            key_id,
            counter,
            slot,
        } = heartbeat;
        let entry = self.chips.get_mut(&key_id).ok_or(Error::UnknownChip)?;
        if entry
            .last_heartbeat_counter
            .is_some_and(|last| counter <= last)
        {
            return Err(Error::CounterReplay);
        }
        if entry.last_proven.is_some_and(|last| slot <= last) {
            return Err(Error::SlotAlreadyProven);
        }
        let ChipEntry { record, proven, .. } = entry;
        let wallet = record.wallet.as_slice();
        match proven.binary_search_by(|held| {
            (held.epoch, held.wallet.as_slice()).cmp(&(slot.epoch, wallet))
        }) {
            Ok(index) => {
                let held = proven.get_mut(index).ok_or(Error::AmountOverflow)?;
                held.slots = held.slots.checked_add(1).ok_or(Error::AmountOverflow)?;
            }
            // The chip's first proven slot for this wallet in the epoch: the one allocation.
            Err(index) => proven.insert(
                index,
                ProvenSlots {
                    epoch: slot.epoch,
                    wallet: wallet.to_vec(),
                    slots: 1,
                },
            ),
        }
        entry.last_heartbeat_counter = Some(counter);
        entry.last_proven = Some(slot);
        Ok(())
    }

    /// Closes `epoch`: its availability is final, later heartbeats for it are refused.
    /// Ratings come from `registry` as in force at `epoch` when given (a model absent
    /// there rates 0), else from each chip's binding.
    ///
    /// # Errors
    /// `EPOCH_CLOSED` if the epoch was closed before.
    pub fn close_epoch(
        &mut self,
        epoch: u64,
        registry: Option<&RegistrySchedule>,
    ) -> Result<ClosedEpoch> {
        if self.closed.contains(&epoch) {
            return Err(Error::EpochClosed { epoch });
        }
        let mut availability = Vec::new();
        // Chips in key id order, each chip's slots in wallet order: the order of SPEC.md 14.
        for (key_id, entry) in &mut self.chips {
            if !entry.proven.iter().any(|held| held.epoch == epoch) {
                continue;
            }
            let rating = match registry {
                Some(schedule) => schedule
                    .lookup(&entry.record.model_id, epoch)
                    .map_or(0, |model| model.rating_milli_cu),
                None => entry.record.rating_milli_cu,
            };
            let (closing, open): (Vec<ProvenSlots>, Vec<ProvenSlots>) =
                core::mem::take(&mut entry.proven)
                    .into_iter()
                    .partition(|held| held.epoch == epoch);
            entry.proven = open;
            availability.extend(closing.into_iter().map(|held| AllocationInput {
                key_id: *key_id,
                wallet: held.wallet,
                rating_milli_cu: rating,
                proven_slots: held.slots,
            }));
        }
        self.closed.insert(epoch);
        Ok(ClosedEpoch {
            epoch,
            availability,
        })
    }
}
