//! The persisted form of a ledger (SPEC.md 14, "Persisted state") and its restore, which
//! refuses every state no history of bindings, heartbeats and closes reaches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ChipLedger;
use super::leases::Lease;
use super::storage::Proven;
use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::Field;
use crate::evidence::EvidenceKind;
use crate::evidence::p384::P384_SEC1_LEN;
use crate::identifier::validate_identifier;
use crate::json::{dec_u64, hex_32, hex_bytes, opt_dec_u64};
use crate::limits::{MAX_MODEL_ID_LEN, MAX_SERIAL_LEN, MAX_VENDOR_ID_LEN, MAX_WALLET_LEN};
use crate::network_policy::NetworkPolicy;
use crate::proof::ProofId;
use crate::rewards::allocation::MAX_RATING_MILLI_CU;
use crate::time::SlotId;
use crate::verifier::ChipRecord;
use crate::x509::ChainIdentity;

/// The persisted form of one chip (its binding's bytes live on the chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChipState {
    record: ChipRecord,
    /// What identifies the binding's chain (SPEC.md 18.5).
    chain: ChainIdentity,
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
    policy: NetworkPolicy,
    chips: Vec<ChipState>,
    proven: Vec<ProvenState>,
    closed: Vec<ClosedState>,
    leases: Vec<Lease>,
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
            let (Ok(record), Some(chain)) =
                (ledger.record_of(&key_id, slot), ledger.chain(&key_id))
            else {
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
                chain,
                binding_proof_id: slot.binding_proof_id,
                binding_slot: ledger.policy.params.slot_of_index(slot.binding_slot),
                last_heartbeat_counter: slot.last_heartbeat_counter(),
                last_proven: slot
                    .last_proven()
                    .map(|at| ledger.policy.params.slot_of_index(at)),
            });
        }
        proven.sort_by(|a, b| (a.epoch, a.key_id, &a.wallet).cmp(&(b.epoch, b.key_id, &b.wallet)));
        Self {
            policy: ledger.policy.clone(),
            chips,
            proven,
            closed: ledger.closed.iter().copied().map(ClosedState).collect(),
            leases: ledger.leases.iter().cloned().collect(),
        }
    }
}

impl TryFrom<LedgerState> for ChipLedger {
    type Error = &'static str;

    /// Restores a persisted ledger, refusing every state that no history of bindings,
    /// heartbeats and closes can reach (SPEC.md 14, "Persisted state").
    fn try_from(state: LedgerState) -> core::result::Result<Self, Self::Error> {
        let slots_per_epoch = state.policy.params.slots_per_epoch();
        let mut ledger =
            Self::with_policy(state.policy).map_err(|_| "an invalid network policy")?;
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
            check_chain(&chip.chain, chip.record.evidence)?;
            let binding_slot = ledger
                .policy
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
                    if chip.record.binding_counter != binding_slot {
                        return Err("an NVIDIA binding whose counter is not its slot");
                    }
                }
            }
            let last_proven = chip
                .last_proven
                .map(|slot| ledger.policy.params.slot_index(slot))
                .transpose()
                .map_err(|_| "a last proven slot outside the network's time")?;
            let mut slot = ledger
                .slot_for(
                    &chip.record,
                    &chip.chain,
                    chip.binding_proof_id,
                    binding_slot,
                    None,
                )
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
                .map(|at| ledger.policy.params.slot_of_index(at))
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
        restore_leases(&mut ledger, state.leases)?;
        Ok(ledger)
    }
}

/// Leases as `apply_lease` and `close_epoch` leave them: ascending by lease id, each of a
/// `poci` chip the ledger holds, within `MAX_LEASE_EPOCHS`, not overlapping another of the
/// chip, no more proven than due slots and no more due slots than its closed epochs have.
fn restore_leases(
    ledger: &mut ChipLedger,
    leases: Vec<Lease>,
) -> core::result::Result<(), &'static str> {
    if !leases
        .windows(2)
        .all(|pair| matches!(pair, [a, b] if a.lease.lease_id < b.lease.lease_id))
    {
        return Err("leases not in strictly ascending lease id order");
    }
    let network_id = ledger.policy.params.network_id().to_owned();
    for lease in leases {
        let terms = &lease.lease;
        if terms.network_id != network_id {
            return Err("a lease of another network");
        }
        let at = ledger
            .index
            .get(&terms.chip_key_id)
            .ok_or("a lease of a chip the ledger does not hold")?;
        let chip = ledger.slot(at).map_err(|_| "a chip index out of range")?;
        let class = ledger
            .classes
            .get(chip.class)
            .map_err(|_| "a class index out of range")?;
        if class.evidence != EvidenceKind::Poci {
            return Err("a lease of a chip that signs no lease acceptances");
        }
        let span = terms
            .last_epoch
            .checked_sub(terms.first_epoch)
            .ok_or("a lease that ends before it starts")?;
        if span >= super::MAX_LEASE_EPOCHS
            || terms.lease_id.is_empty()
            || terms.lease_id.len() > crate::limits::MAX_LEASE_ID_LEN
        {
            return Err("a lease outside the ledger's bounds");
        }
        check_wallet(&terms.renter_wallet)?;
        check_wallet(&lease.lessor_wallet)?;
        let closed_epochs = ledger
            .closed
            .range(terms.first_epoch..=terms.last_epoch)
            .count();
        let most = u64::try_from(closed_epochs)
            .ok()
            .and_then(|epochs| {
                epochs.checked_mul(u64::from(ledger.policy.params.slots_per_epoch()))
            })
            .ok_or("a lease count out of range")?;
        let lease_slots = span
            .checked_add(1)
            .and_then(|epochs| {
                epochs.checked_mul(u64::from(ledger.policy.params.slots_per_epoch()))
            })
            .ok_or("a lease count out of range")?;
        if lease.due_slots > most || lease.proven_slots > lease_slots {
            return Err("a lease with more slots counted than its epochs have");
        }
        if ledger
            .leases
            .overlaps(&terms.chip_key_id, terms.first_epoch, terms.last_epoch)
        {
            return Err("two leases of one chip overlap");
        }
        ledger.leases.insert(lease);
    }
    Ok(())
}

/// A wallet as a binding can name it: 1..`MAX_WALLET_LEN` bytes.
fn check_wallet(wallet: &[u8]) -> core::result::Result<(), &'static str> {
    if wallet.is_empty() || wallet.len() > MAX_WALLET_LEN {
        return Err("a wallet outside 1..64 bytes");
    }
    Ok(())
}

/// A chain identity as binding verification records it: 1 to `MAX_CHAIN_CERTIFICATES`
/// levels (a `poci` chain's device certificate and CAs, an `nvidia-spdm` one's identity
/// certificate and CAs), keys of the kind's curve, names and serials within the profile's
/// sizes.
fn check_chain(
    chain: &ChainIdentity,
    kind: EvidenceKind,
) -> core::result::Result<(), &'static str> {
    let key_len = match kind {
        EvidenceKind::Poci => crate::limits::PUBLIC_KEY_LEN,
        EvidenceKind::NvidiaSpdm => P384_SEC1_LEN,
    };
    let levels = chain.levels.len();
    let sized = |bytes: &[u8], most: usize| !bytes.is_empty() && bytes.len() <= most;
    if levels == 0
        || levels > crate::limits::MAX_CHAIN_CERTIFICATES
        || !sized(&chain.root_subject, MAX_NAME_LEN)
        || !chain.levels.iter().all(|level| {
            sized(&level.issuer, MAX_NAME_LEN)
                && level.issuer_key.len() == key_len
                && sized(&level.serial, MAX_CERT_SERIAL_LEN)
        })
    {
        return Err("a chain identity outside what a binding records");
    }
    Ok(())
}

/// The longest Name a chain identity keeps (certificates are at most `MAX_CERTIFICATE_LEN`).
const MAX_NAME_LEN: usize = 1_024;
/// The longest certificate serial number kept (RFC 5280 4.1.2.2 allows 20 octets; 32 leaves room for a sign octet and lax CAs).
const MAX_CERT_SERIAL_LEN: usize = 32;

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
