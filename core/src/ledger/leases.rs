//! Leases the ledger holds (SPEC.md 18.6): each accepted lease by id, each chip's leases
//! by first epoch, and the slots the chip proved and was due in each lease's epochs; and
//! the ledger's two lease operations, `apply_lease` and `settle_lease`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ChipLedger;
use super::storage::HeartbeatKey;
use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{Error, Result};
use crate::json::{dec_u64, dec_u128, hex_32, hex_bytes};
use crate::proof::{LeaseAcceptanceRef, LeaseAcceptanceTbs, ProofId};
use crate::rewards::lease::settle;
use crate::time::SlotId;
use crate::verifier::Verifier;

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

    /// Counts a slot `key_id` proved in `epoch`, if a lease covers it. Infallible, so a
    /// heartbeat's state change never stops half-way: a lease counts at most its
    /// `MAX_LEASE_EPOCHS` epochs' slots, far below `u64::MAX`.
    pub(super) fn count_proven(&mut self, key_id: &KeyId, epoch: u64) {
        let Some(id) = self.covering_id(key_id, epoch).cloned() else {
            return;
        };
        if let Some(lease) = self.by_id.get_mut(&id) {
            lease.proven_slots = lease.proven_slots.saturating_add(1);
        }
    }

    /// The leased chips whose lease covers `epoch`, with their lease ids.
    pub(super) fn covering(&self, epoch: u64) -> Vec<(KeyId, Vec<u8>)> {
        self.by_id
            .values()
            .filter(|lease| lease.lease.first_epoch <= epoch && epoch <= lease.lease.last_epoch)
            .map(|lease| (lease.lease.chip_key_id, lease.lease.lease_id.clone()))
            .collect()
    }

    /// Adds `due` slots to lease `lease_id`. Infallible for the same reason as
    /// [`LeaseBook::count_proven`]: closing an epoch never stops half-way.
    pub(super) fn add_due(&mut self, lease_id: &[u8], due: u64) {
        if let Some(lease) = self.by_id.get_mut(lease_id) {
            lease.due_slots = lease.due_slots.saturating_add(due);
        }
    }

    /// Removes and returns lease `lease_id`.
    pub(super) fn remove(&mut self, lease_id: &[u8]) -> Option<Lease> {
        let lease = self.by_id.remove(lease_id)?;
        self.by_chip
            .remove(&(lease.lease.chip_key_id, lease.lease.first_epoch));
        Some(lease)
    }
}

impl ChipLedger {
    /// Verifies a lease acceptance signed by the rented chip and holds the lease
    /// (SPEC.md 18.6), at the network's current slot `now`.
    ///
    /// Checks, in order: `now` in the network's time, strict DER, chip registered with
    /// `poci` evidence (other kinds sign no POCI messages), the acceptance's network and
    /// signature under the chip's key, a span of at most `MAX_LEASE_EPOCHS`, its first
    /// epoch not closed and not before `now`'s epoch (so an acceptance cannot be replayed
    /// once its lease began), its lease id unused, no overlap with another lease of the
    /// chip. The rent goes to the chip's wallet at acceptance.
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, the parse errors, `UNKNOWN_CHIP`, `EVIDENCE_KIND_MISMATCH`,
    /// `WRONG_NETWORK`, the signature errors, `LEASE_OUT_OF_BOUNDS`, `EPOCH_CLOSED`,
    /// `LEASE_NOT_TIMELY`, `LEASE_ID_REUSED`, `LEASE_OVERLAP`. A refused acceptance
    /// changes nothing.
    pub fn apply_lease(
        &mut self,
        verifier: &Verifier,
        der: &[u8],
        now: SlotId,
    ) -> Result<LeaseOutcome> {
        self.policy.params.slot_index(now)?;
        let acceptance = LeaseAcceptanceRef::from_der(der)?;
        let key_id = KeyId(*acceptance.tbs().chip_key_id);
        let at = self.index.get(&key_id).ok_or(Error::UnknownChip)?;
        let chip = self.slot(at)?;
        let class = self.classes.get(chip.class)?;
        let HeartbeatKey::P256(key) = self.heartbeat_key(chip, class)? else {
            return Err(Error::EvidenceKindMismatch);
        };
        let key = DevicePublicKey::from_checked_parts(*key, key_id)?;
        acceptance.verify(verifier.backend(), &key, self.policy.params.network_id())?;
        let verified = acceptance.to_verified();
        let tbs = verified.lease;
        let span = tbs
            .last_epoch
            .checked_sub(tbs.first_epoch)
            .ok_or(Error::LeaseOutOfBounds)?;
        if span >= MAX_LEASE_EPOCHS {
            return Err(Error::LeaseOutOfBounds);
        }
        if self.closed.contains(&tbs.first_epoch) {
            return Err(Error::EpochClosed {
                epoch: tbs.first_epoch,
            });
        }
        if tbs.first_epoch < now.epoch {
            return Err(Error::LeaseNotTimely {
                first_epoch: tbs.first_epoch,
                current_epoch: now.epoch,
            });
        }
        if let Some(held) = self.leases.get(&tbs.lease_id) {
            if held.proof_id == verified.proof_id {
                return Ok(LeaseOutcome::AlreadyApplied);
            }
            return Err(Error::LeaseIdReused);
        }
        if self
            .leases
            .overlaps(&key_id, tbs.first_epoch, tbs.last_epoch)
        {
            return Err(Error::LeaseOverlap);
        }
        let lessor_wallet = self.wallets.get(chip.wallet)?.clone();
        self.leases.insert(Lease {
            proof_id: verified.proof_id,
            lease: tbs,
            lessor_wallet,
            proven_slots: 0,
            due_slots: 0,
        });
        Ok(LeaseOutcome::Accepted)
    }

    /// Settles lease `lease_id` once every epoch of it is closed, from the slots the
    /// ledger counted (SPEC.md 18.6): `rent = price * proven div due`, `refund = price -
    /// rent` (everything refunded when nothing was due). The lease leaves the ledger; its
    /// acceptance can never apply again (its first epoch is closed).
    ///
    /// # Errors
    /// `LEASE_UNKNOWN`; `LEASE_NOT_ENDED` naming the first open epoch of the lease.
    /// Nothing changes on an error.
    pub fn settle_lease(&mut self, lease_id: &[u8]) -> Result<SettledLease> {
        let lease = self.leases.get(lease_id).ok_or(Error::LeaseUnknown)?;
        let terms = &lease.lease;
        let mut epoch = terms.first_epoch;
        loop {
            if !self.closed.contains(&epoch) {
                return Err(Error::LeaseNotEnded { epoch });
            }
            if epoch >= terms.last_epoch {
                break;
            }
            epoch = epoch.checked_add(1).ok_or(Error::AmountOverflow)?;
        }
        let (rent, refund) = if lease.due_slots == 0 {
            (0, terms.price)
        } else {
            let settled = settle(
                terms.price,
                u128::from(lease.due_slots),
                u128::from(lease.proven_slots),
            )?;
            (settled.rent, settled.refund)
        };
        let settled = SettledLease {
            lease_id: terms.lease_id.clone(),
            chip_key_id: terms.chip_key_id,
            lessor_wallet: lease.lessor_wallet.clone(),
            renter_wallet: terms.renter_wallet.clone(),
            proven_slots: lease.proven_slots,
            due_slots: lease.due_slots,
            rent,
            refund,
        };
        self.leases.remove(lease_id);
        Ok(settled)
    }
}
