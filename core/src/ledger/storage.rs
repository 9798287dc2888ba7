//! How the ledger keeps chips densely: shared values interned, one fixed-size record per
//! chip, the key id index, and P-384 keys beside the records.

use std::collections::BTreeMap;

use crate::device_key::KeyId;
use crate::error::{Error, Result};
use crate::evidence::EvidenceKind;
use crate::evidence::p384::P384_SEC1_LEN;
use crate::limits::PUBLIC_KEY_LEN;
use crate::proof::ProofId;

/// Values many chips share (wallets, model classes), stored once and named by index.
/// Append-only: an index never changes meaning while the ledger lives.
#[derive(Debug, Clone)]
pub(super) struct Interned<T: Ord> {
    pub(super) values: Vec<T>,
    pub(super) ids: BTreeMap<T, u32>,
}

impl<T: Ord> Default for Interned<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            ids: BTreeMap::new(),
        }
    }
}

impl<T: Ord + Clone> Interned<T> {
    /// The index of `value`, added if new.
    pub(super) fn intern(&mut self, value: T) -> Result<u32> {
        if let Some(id) = self.ids.get(&value) {
            return Ok(*id);
        }
        let id = u32::try_from(self.values.len()).map_err(|_| Error::AmountOverflow)?;
        self.values.push(value.clone());
        self.ids.insert(value, id);
        Ok(id)
    }

    pub(super) fn get(&self, id: u32) -> Result<&T> {
        usize::try_from(id)
            .ok()
            .and_then(|index| self.values.get(index))
            .ok_or(Error::UnknownChip)
    }
}

/// What chips of one model share: the certified model, its vendor, the rating at binding
/// and the firmware security version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ChipClass {
    pub(super) evidence: EvidenceKind,
    pub(super) model_id: String,
    pub(super) vendor_id: String,
    pub(super) rating_milli_cu: u64,
    pub(super) security_version: u32,
}

/// Slots a chip proved under one wallet (interned) in one open epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Proven {
    pub(super) epoch: u64,
    pub(super) wallet: u32,
    pub(super) slots: u32,
}

/// `ChipSlot::flags`: a heartbeat counter is recorded.
pub(super) const HAS_COUNTER: u8 = 1;
/// `ChipSlot::flags`: a slot was proven.
pub(super) const HAS_PROVEN_SLOT: u8 = 2;
/// `ChipSlot::flags`: `ChipSlot::proven` holds an entry.
pub(super) const HAS_PROVEN_ENTRY: u8 = 4;

/// The key a chip's heartbeats verify under, as the ledger keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeartbeatKey<'a> {
    /// A `poci` device key (P-256), checked on the curve at binding.
    P256(&'a [u8; PUBLIC_KEY_LEN]),
    /// An `nvidia-spdm` attestation key (P-384).
    P384(&'a [u8; P384_SEC1_LEN]),
}

/// A registered chip, densely (192 bytes): its key, its binding's proof id, the indices of
/// what it shares with other chips, and its heartbeat state with presence flags instead of
/// `Option`s. The binding's bytes are not kept (SPEC.md 14: evidence names the binding in
/// force by proof id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ChipSlot {
    /// `poci`: the uncompressed SEC1 point, checked on the curve at binding. Other kinds:
    /// the little-endian `u32` index of the key in the ledger's key arena, then zeros (a
    /// P-384 key does not fit, and most chips are P-256).
    pub(super) public_key: [u8; PUBLIC_KEY_LEN],
    pub(super) flags: u8,
    pub(super) serial_len: u8,
    pub(super) binding_proof_id: ProofId,
    pub(super) class: u32,
    pub(super) wallet: u32,
    /// Where the serial sits in the ledger's serial arena.
    pub(super) serial_at: u32,
    /// The binding's chain ([`crate::x509::ChainIdentity`]), interned without the chip
    /// certificate's serial, which sits in the serial arena at `chip_cert_serial_at`.
    pub(super) chain: u32,
    pub(super) chip_cert_serial_at: u32,
    /// 0 when the chain tracks no chip certificate (`nvidia-spdm`).
    pub(super) chip_cert_serial_len: u8,
    pub(super) binding_counter: u64,
    pub(super) certificate_not_after: u64,
    pub(super) last_heartbeat_counter: u64,
    /// The slot of the binding in force, as an absolute slot number
    /// (`epoch * slots_per_epoch + slot`): nothing before it counts for the chip.
    pub(super) binding_slot: u64,
    /// The last proven slot, absolute.
    pub(super) last_proven: u64,
    /// Slots proven in open epochs: usually one (epoch, wallet), kept inline; any more boxed
    /// behind one thin pointer (rare: several wallets or open epochs).
    pub(super) proven: Proven,
    #[allow(clippy::box_collection)]
    pub(super) more_proven: Option<Box<Vec<Proven>>>,
}

impl ChipSlot {
    pub(super) const fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub(super) fn last_heartbeat_counter(&self) -> Option<u64> {
        self.has(HAS_COUNTER).then_some(self.last_heartbeat_counter)
    }

    /// The last proven slot, absolute.
    pub(super) fn last_proven(&self) -> Option<u64> {
        self.has(HAS_PROVEN_SLOT).then_some(self.last_proven)
    }

    pub(super) fn set_heartbeat_state(&mut self, counter: Option<u64>, proven: Option<u64>) {
        self.flags &= !(HAS_COUNTER | HAS_PROVEN_SLOT);
        if let Some(counter) = counter {
            self.flags |= HAS_COUNTER;
            self.last_heartbeat_counter = counter;
        }
        if let Some(slot) = proven {
            self.flags |= HAS_PROVEN_SLOT;
            self.last_proven = slot;
        }
    }

    pub(super) fn proven(&self) -> impl Iterator<Item = &Proven> {
        self.has(HAS_PROVEN_ENTRY)
            .then_some(&self.proven)
            .into_iter()
            .chain(self.more_proven.iter().flat_map(|more| more.iter()))
    }

    pub(super) fn proven_mut(&mut self) -> impl Iterator<Item = &mut Proven> {
        self.has(HAS_PROVEN_ENTRY)
            .then_some(&mut self.proven)
            .into_iter()
            .chain(self.more_proven.iter_mut().flat_map(|more| more.iter_mut()))
    }

    /// Adds an (epoch, wallet) entry the chip does not have yet: inline if it is the first.
    pub(super) fn add_proven(&mut self, entry: Proven) {
        if !self.has(HAS_PROVEN_ENTRY) {
            self.flags |= HAS_PROVEN_ENTRY;
            self.proven = entry;
            return;
        }
        self.more_proven
            .get_or_insert_with(|| Box::new(Vec::new()))
            .push(entry);
    }

    pub(super) fn set_proven(&mut self, list: Vec<Proven>) {
        let mut entries = list.into_iter();
        match entries.next() {
            Some(first) => {
                self.flags |= HAS_PROVEN_ENTRY;
                self.proven = first;
            }
            None => {
                self.flags &= !HAS_PROVEN_ENTRY;
                self.proven = Proven::default();
            }
        }
        let rest: Vec<Proven> = entries.collect();
        self.more_proven = (!rest.is_empty()).then(|| Box::new(rest));
    }
}

/// Key id to chip position: a sorted array, plus the chips added since it was last merged
/// (36 bytes per chip instead of a B-tree's 55 or so).
#[derive(Debug, Clone, Default)]
pub(super) struct ChipIndex {
    pub(super) sorted: Vec<(KeyId, u32)>,
    pub(super) recent: BTreeMap<KeyId, u32>,
}

impl ChipIndex {
    pub(super) fn get(&self, key_id: &KeyId) -> Option<u32> {
        if let Some(at) = self.recent.get(key_id) {
            return Some(*at);
        }
        let found = self
            .sorted
            .binary_search_by(|(key, _)| key.cmp(key_id))
            .ok()?;
        self.sorted.get(found).map(|(_, at)| *at)
    }

    pub(super) fn len(&self) -> usize {
        self.sorted.len().saturating_add(self.recent.len())
    }

    /// Adds a chip not yet indexed. Merging when the recent chips reach an eighth of the
    /// sorted ones keeps the cost of merging at a few moves per chip.
    pub(super) fn insert(&mut self, key_id: KeyId, at: u32) {
        self.recent.insert(key_id, at);
        if self.recent.len() > (self.sorted.len() / 8).max(1024) {
            self.merge();
        }
    }

    pub(super) fn merge(&mut self) {
        let mut merged = Vec::with_capacity(self.len());
        merged.extend(self.iter());
        self.sorted = merged;
        self.recent.clear();
    }

    /// Every chip in key id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (KeyId, u32)> + '_ {
        let mut sorted = self.sorted.iter().copied().peekable();
        let mut recent = self.recent.iter().map(|(key, at)| (*key, *at)).peekable();
        core::iter::from_fn(move || match (sorted.peek(), recent.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => recent.next(),
            (Some(_), _) => sorted.next(),
            (None, _) => recent.next(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use sha2::{Digest, Sha256};

    use super::{ChipIndex, ChipSlot, KeyId, Proven};

    fn key(n: u32) -> KeyId {
        KeyId(Sha256::digest(n.to_be_bytes()).into())
    }

    #[test]
    fn the_index_finds_every_chip_and_walks_them_in_key_order() {
        let mut index = ChipIndex::default();
        for n in 0..20_000u32 {
            index.insert(key(n), n);
            // Lookups work between merges too.
            assert_eq!(index.get(&key(n / 2)), Some(n / 2));
        }
        assert!(index.sorted.len() > index.recent.len(), "merges happened");
        assert_eq!(index.len(), 20_000);
        for n in 0..20_000u32 {
            assert_eq!(index.get(&key(n)), Some(n));
        }
        assert_eq!(index.get(&key(20_000)), None);
        let walked: Vec<KeyId> = index.iter().map(|(key_id, _)| key_id).collect();
        let mut expected: Vec<KeyId> = (0..20_000).map(key).collect();
        expected.sort();
        assert_eq!(walked, expected);
    }

    #[test]
    fn a_chip_slot_stays_compact() {
        assert!(core::mem::size_of::<ChipSlot>() <= 192);
    }

    #[test]
    fn proven_lists_keep_their_entries() {
        let mut slot = ChipSlot {
            public_key: [4; 65],
            flags: 0,
            serial_len: 0,
            binding_proof_id: [0; 32],
            class: 0,
            wallet: 0,
            serial_at: 0,
            chain: 0,
            chip_cert_serial_at: 0,
            chip_cert_serial_len: 0,
            binding_counter: 0,
            certificate_not_after: 0,
            last_heartbeat_counter: 0,
            binding_slot: 0,
            last_proven: 0,
            proven: Proven::default(),
            more_proven: None,
        };
        assert_eq!(slot.proven().count(), 0);
        let list: Vec<Proven> = (0..3)
            .map(|n| Proven {
                epoch: n,
                wallet: 7,
                slots: 1,
            })
            .collect();
        slot.set_proven(list.clone());
        assert_eq!(slot.proven().copied().collect::<Vec<_>>(), list);
        slot.set_proven(list[..1].to_vec());
        assert_eq!(slot.proven().count(), 1);
        assert!(slot.more_proven.is_none());
        slot.set_proven(Vec::new());
        assert_eq!(slot.proven().count(), 0);
        assert_eq!(slot.last_heartbeat_counter(), None);
        slot.set_heartbeat_state(Some(0), None);
        assert_eq!(slot.last_heartbeat_counter(), Some(0));
        assert_eq!(slot.last_proven(), None);
    }
}
