//! Leases the ledger holds (SPEC.md 18.6): each accepted lease by id, each chip's leases
//! by first epoch, and the slots the chip proved and was due in each lease's epochs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::device_key::KeyId;
use crate::error::{Error, Result};
use crate::json::{dec_u64, dec_u128, hex_32, hex_bytes};
use crate::proof::{LeaseAcceptanceTbs, ProofId};

/// The most epochs one lease may span: settlement reads each of them.
pub const MAX_LEASE_EPOCHS: u64 = 4_096;

/// A lease the ledger holds: the accepted terms, who let the chip, and what the chip
/// proved in the lease's epochs so far.
///
/// ```text
/// JSON form (SPEC.md 18.6): { proof_id, lease, lessor_wallet, proven_slots, due_slots }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// The acceptance's proof id (SHA-256 of its DER).
    #[serde(with = "hex_32")]
    pub proof_id: ProofId,
    /// The terms the chip signed.
    pub lease: LeaseAcceptanceTbs,
    /// The chip's wallet when the lease was accepted: the rent is theirs.
    #[serde(with = "hex_bytes")]
    pub lessor_wallet: Vec<u8>,
    /// Slots the chip proved in the lease's closed epochs, under any wallet.
    #[serde(with = "dec_u64")]
    pub proven_slots: u64,
    /// Slots the chip had to answer in the lease's closed epochs: every slot, or on a
    /// sampled network the slots it was drawn for.
    #[serde(with = "dec_u64")]
    pub due_slots: u64,
}

/// What applying a lease acceptance did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LeaseOutcome {
    /// The lease is held from now on.
    Accepted,
    /// The very acceptance in force was applied again: nothing changed.
    AlreadyApplied,
}

/// A settled lease: `rent + refund == price`, the rent to the lessor, the refund to the
/// renter (SPEC.md 15.4 over the slots the ledger counted).
///
/// ```text
/// JSON form (SPEC.md 18.6): { lease_id, chip_key_id, lessor_wallet, renter_wallet,
///                             proven_slots, due_slots, rent, refund }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettledLease {
    /// The lease.
    #[serde(with = "hex_bytes")]
    pub lease_id: Vec<u8>,
    /// The rented chip.
    pub chip_key_id: KeyId,
    /// Who is paid the rent.
    #[serde(with = "hex_bytes")]
    pub lessor_wallet: Vec<u8>,
    /// Who is paid the refund.
    #[serde(with = "hex_bytes")]
    pub renter_wallet: Vec<u8>,
    /// Slots proven in the lease's epochs.
    #[serde(with = "dec_u64")]
    pub proven_slots: u64,
    /// Slots due in the lease's epochs.
    #[serde(with = "dec_u64")]
    pub due_slots: u64,
    /// Paid to the lessor: `price * proven div due` (0 when nothing was due).
    #[serde(with = "dec_u128")]
    pub rent: u128,
    /// Returned to the renter: `price - rent`.
    #[serde(with = "dec_u128")]
    pub refund: u128,
}

/// The leases of a ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct LeaseBook {
    by_id: BTreeMap<Vec<u8>, Lease>,
    /// (chip, first epoch) to lease id: a chip's leases never overlap.
    by_chip: BTreeMap<(KeyId, u64), Vec<u8>>,
}

impl LeaseBook {
    pub(super) fn get(&self, lease_id: &[u8]) -> Option<&Lease> {
        self.by_id.get(lease_id)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Lease> {
        self.by_id.values()
    }

    /// The lease of `key_id` whose epochs include `epoch`.
    fn covering_id(&self, key_id: &KeyId, epoch: u64) -> Option<&Vec<u8>> {
        let (_, id) = self
            .by_chip
            .range((*key_id, 0)..=(*key_id, epoch))
            .next_back()?;
        self.by_id
            .get(id)
            .filter(|lease| lease.lease.last_epoch >= epoch)
            .map(|_| id)
    }

    /// Whether a lease of `key_id` shares an epoch with `first..=last`: the chip's leases
    /// never overlap, so only the last one starting at or before `last` can.
    pub(super) fn overlaps(&self, key_id: &KeyId, first: u64, last: u64) -> bool {
        self.by_chip
            .range((*key_id, 0)..=(*key_id, last))
            .next_back()
            .and_then(|(_, id)| self.by_id.get(id))
            .is_some_and(|lease| lease.lease.last_epoch >= first)
    }

    /// Records a lease (its checks done).
    pub(super) fn insert(&mut self, lease: Lease) {
        let key = (lease.lease.chip_key_id, lease.lease.first_epoch);
        self.by_chip.insert(key, lease.lease.lease_id.clone());
        self.by_id.insert(lease.lease.lease_id.clone(), lease);
    }

    /// Counts a slot `key_id` proved in `epoch`, if a lease covers it.
    pub(super) fn count_proven(&mut self, key_id: &KeyId, epoch: u64) -> Result<()> {
        let Some(id) = self.covering_id(key_id, epoch).cloned() else {
            return Ok(());
        };
        if let Some(lease) = self.by_id.get_mut(&id) {
            lease.proven_slots = lease
                .proven_slots
                .checked_add(1)
                .ok_or(Error::AmountOverflow)?;
        }
        Ok(())
    }

    /// The leased chips whose lease covers `epoch`, with their lease ids.
    pub(super) fn covering(&self, epoch: u64) -> Vec<(KeyId, Vec<u8>)> {
        self.by_id
            .values()
            .filter(|lease| lease.lease.first_epoch <= epoch && epoch <= lease.lease.last_epoch)
            .map(|lease| (lease.lease.chip_key_id, lease.lease.lease_id.clone()))
            .collect()
    }

    /// Adds `due` slots to lease `lease_id`.
    pub(super) fn add_due(&mut self, lease_id: &[u8], due: u64) -> Result<()> {
        if let Some(lease) = self.by_id.get_mut(lease_id) {
            lease.due_slots = lease
                .due_slots
                .checked_add(due)
                .ok_or(Error::AmountOverflow)?;
        }
        Ok(())
    }

    /// Removes and returns lease `lease_id`.
    pub(super) fn remove(&mut self, lease_id: &[u8]) -> Option<Lease> {
        let lease = self.by_id.remove(lease_id)?;
        self.by_chip
            .remove(&(lease.lease.chip_key_id, lease.lease.first_epoch));
        Some(lease)
    }
}
