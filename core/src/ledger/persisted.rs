//! The persisted form of a ledger (SPEC.md 14, "Persisted state") and its restore, which
//! refuses every state no history of bindings, heartbeats and closes reaches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ChipLedger;
use super::storage::Proven;
use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::Field;
use crate::evidence::EvidenceKind;
use crate::evidence::p384::P384_SEC1_LEN;
use crate::identifier::validate_identifier;
use crate::json::{dec_u64, hex_32, hex_bytes, opt_dec_u64};
use crate::limits::{MAX_MODEL_ID_LEN, MAX_SERIAL_LEN, MAX_VENDOR_ID_LEN, MAX_WALLET_LEN};
use crate::proof::ProofId;
use crate::rewards::allocation::MAX_RATING_MILLI_CU;
use crate::time::{NetworkParams, SlotId};
use crate::verifier::ChipRecord;

/// The persisted form of one chip (its binding's bytes live on the chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChipState {
    record: ChipRecord,
    #[serde(with = "hex_32")]
    binding_proof_id: ProofId,
    /// The slot of the binding in force.
    binding_slot: SlotId,
    #[serde(with = "opt_dec_u64")]
    last_heartbeat_counter: Option<u64>,
    last_proven: Option<SlotId>,
}

/// The persisted form of the slots one chip proved under one wallet in one open epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvenState {
    #[serde(with = "dec_u64")]
    epoch: u64,
    key_id: KeyId,
    #[serde(with = "hex_bytes")]
    wallet: Vec<u8>,
    slots: u32,
}

/// A closed epoch, persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
struct ClosedState(#[serde(with = "dec_u64")] u64);

/// The persisted form of a ledger (SPEC.md 14): chips in key id order, open epochs' proven
/// slots in (epoch, key id, wallet) order, closed epochs ascending. Lists, not maps, so that
/// a duplicate or out-of-order entry is refused rather than silently merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LedgerState {
    params: NetworkParams,
    chips: Vec<ChipState>,
    proven: Vec<ProvenState>,
    closed: Vec<ClosedState>,
}

impl From<ChipLedger> for LedgerState {
    fn from(ledger: ChipLedger) -> Self {
        Self::of(&ledger)
    }
}

impl LedgerState {
    /// The persisted form of `ledger`.
    pub(super) fn of(ledger: &ChipLedger) -> Self {
        let mut chips = Vec::with_capacity(ledger.chip_count());
        let mut proven: Vec<ProvenState> = Vec::new();
        for (key_id, slot) in ledger.slots() {
            // Every index in a ledger is valid: a failed lookup cannot happen.
            let Ok(record) = ledger.record_of(&key_id, slot) else {
                continue;
            };
            for held in slot.proven() {
                if let Ok(wallet) = ledger.wallets.get(held.wallet) {
                    proven.push(ProvenState {
                        epoch: held.epoch,
                        key_id,
                        wallet: wallet.clone(),
                        slots: held.slots,
                    });
                }
            }
            chips.push(ChipState {
                record,
                binding_proof_id: slot.binding_proof_id,
                binding_slot: ledger.params.slot_of_index(slot.binding_slot),
                last_heartbeat_counter: slot.last_heartbeat_counter(),
                last_proven: slot.last_proven().map(|at| ledger.params.slot_of_index(at)),
            });
        }
        proven.sort_by(|a, b| (a.epoch, a.key_id, &a.wallet).cmp(&(b.epoch, b.key_id, &b.wallet)));
        Self {
            params: ledger.params.clone(),
            chips,
            proven,
            closed: ledger.closed.iter().copied().map(ClosedState).collect(),
        }
    }
}

impl TryFrom<LedgerState> for ChipLedger {
    type Error = &'static str;

    /// Restores a persisted ledger, refusing every state that no history of bindings,
    /// heartbeats and closes can reach (SPEC.md 14, "Persisted state").
    fn try_from(state: LedgerState) -> core::result::Result<Self, Self::Error> {
        let params = state.params;
        let slots_per_epoch = params.slots_per_epoch();
        let mut ledger = Self::new(params);
        if !state
            .closed
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a < b))
        {
            return Err("closed epochs not strictly ascending");
        }
        ledger.closed = state.closed.iter().map(|closed| closed.0).collect();
        if !state
            .chips
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.record.key_id < b.record.key_id))
        {
            return Err("chips not in strictly ascending key id order");
        }
        for chip in state.chips {
            let key_id = chip.record.key_id;
            check_record(&chip.record)?;
            let binding_slot = ledger
                .params
                .slot_index(chip.binding_slot)
                .map_err(|_| "a binding slot outside the network's time")?;
            match chip.record.evidence {
                EvidenceKind::Poci => {
                    let key = DevicePublicKey::from_sec1_bytes(&chip.record.public_key)
                        .map_err(|_| "a chip's public key is not a P-256 point")?;
                    if *key.key_id() != key_id {
                        return Err("a chip's public key does not match its key id");
                    }
                    // A heartbeat records its counter and its slot together.
                    if chip.last_proven.is_some() != chip.last_heartbeat_counter.is_some() {
                        return Err(
                            "a last proven slot without a heartbeat counter, or the reverse",
                        );
                    }
                }
                EvidenceKind::NvidiaSpdm => {
                    // The key id names the identity key, which the ledger does not keep:
                    // the attestation key is checked for its form (a point off the curve
                    // would only fail its heartbeats' signatures, on every backend).
                    if chip.record.public_key.len() != P384_SEC1_LEN
                        || chip.record.public_key.first() != Some(&0x04)
                    {
                        return Err("an attestation key that is not an uncompressed P-384 point");
                    }
                    if chip.last_heartbeat_counter.is_some() {
                        return Err("a heartbeat counter for evidence that has none");
                    }
                    if chip.record.binding_counter != binding_slot
                        || chip.record.security_version != 0
                    {
                        return Err("an NVIDIA binding whose counter is not its slot");
                    }
                }
            }
            let last_proven = chip
                .last_proven
                .map(|slot| ledger.params.slot_index(slot))
                .transpose()
                .map_err(|_| "a last proven slot outside the network's time")?;
            let mut slot = ledger
                .slot_for(&chip.record, chip.binding_proof_id, binding_slot, None)
                .map_err(|_| "a chip record beyond the ledger's limits")?;
            slot.set_heartbeat_state(chip.last_heartbeat_counter, last_proven);
            ledger
                .insert(key_id, slot)
                .map_err(|_| "more chips than the ledger can index")?;
        }
        if !state.proven.windows(2).all(|pair| {
            matches!(pair, [a, b] if (a.epoch, a.key_id, &a.wallet) < (b.epoch, b.key_id, &b.wallet))
        }) {
            return Err("proven slots not in strictly ascending (epoch, key id, wallet) order");
        }
        // Slots proven per (chip, epoch), over all wallets.
        let mut per_epoch: BTreeMap<(KeyId, u64), u32> = BTreeMap::new();
        for entry in state.proven {
            if ledger.closed.contains(&entry.epoch) {
                return Err("proven slots in a closed epoch");
            }
            if entry.slots == 0 {
                return Err("an entry of zero proven slots");
            }
            check_wallet(&entry.wallet)?;
            let at = ledger
                .index
                .get(&entry.key_id)
                .ok_or("proven slots of a chip the ledger does not hold")?;
            let chip = ledger.slot(at).map_err(|_| "a chip index out of range")?;
            // Every proven slot is at or before the chip's last one.
            let last = chip
                .last_proven()
                .map(|at| ledger.params.slot_of_index(at))
                .ok_or("proven slots of a chip that never proved one")?;
            let total = per_epoch.entry((entry.key_id, entry.epoch)).or_insert(0);
            *total = total
                .checked_add(entry.slots)
                .ok_or("more proven slots than the epoch has")?;
            let room = match entry.epoch.cmp(&last.epoch) {
                core::cmp::Ordering::Less => slots_per_epoch,
                core::cmp::Ordering::Equal => last.slot.saturating_add(1),
                core::cmp::Ordering::Greater => 0,
            };
            if *total > room {
                return Err("more proven slots than the epoch has up to the last proven slot");
            }
            let wallet = ledger
                .wallets
                .intern(entry.wallet)
                .map_err(|_| "more wallets than the ledger can index")?;
            ledger
                .slot_mut(at)
                .map_err(|_| "a chip index out of range")?
                .add_proven(Proven {
                    epoch: entry.epoch,
                    wallet,
                    slots: entry.slots,
                });
        }
        Ok(ledger)
    }
}

/// A wallet as a binding can name it: 1..`MAX_WALLET_LEN` bytes.
fn check_wallet(wallet: &[u8]) -> core::result::Result<(), &'static str> {
    if wallet.is_empty() || wallet.len() > MAX_WALLET_LEN {
        return Err("a wallet outside 1..64 bytes");
    }
    Ok(())
}

/// A chip record as binding verification can produce it.
fn check_record(record: &ChipRecord) -> core::result::Result<(), &'static str> {
    check_wallet(&record.wallet)?;
    if record.serial.is_empty() || record.serial.len() > MAX_SERIAL_LEN {
        return Err("a serial outside 1..64 bytes");
    }
    validate_identifier(&record.model_id, Field::ModelId, MAX_MODEL_ID_LEN)
        .map_err(|_| "a model id that is not an identifier")?;
    validate_identifier(&record.vendor_id, Field::ModelId, MAX_VENDOR_ID_LEN)
        .map_err(|_| "a vendor id that is not an identifier")?;
    if record.rating_milli_cu > MAX_RATING_MILLI_CU {
        return Err("a rating above MAX_RATING_MILLI_CU");
    }
    Ok(())
}
