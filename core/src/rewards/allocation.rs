//! Allocating the miners' pool: weight = rating x proven slots, largest-remainder shares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::device_key::KeyId;
use crate::error::{Error, Result};
use crate::json::{dec_u64, dec_u128, hex_bytes};
use crate::limits::MAX_WALLET_LEN;
use crate::rewards::wide::mul_div_rem;

/// Largest rating an allocation accepts (milli-CU): 2^40, about 1.1 billion CU.
pub const MAX_RATING_MILLI_CU: u64 = 1 << 40;
/// Most entries in one allocation: 2^24.
pub const MAX_ALLOCATION_ENTRIES: usize = 1 << 24;

/// A chip's availability in an epoch, under one wallet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    /// The chip.
    pub key_id: KeyId,
    /// The wallet its proven slots were attested for.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// The chip model's rating, milli-CU (at most `MAX_RATING_MILLI_CU`).
    #[serde(with = "dec_u64")]
    pub rating_milli_cu: u64,
    /// Slots proven in the epoch (at most `slots_per_epoch`).
    pub proven_slots: u32,
    /// On a sampled network (SPEC.md 18.3), the slots of the epoch the chip was drawn to
    /// answer: the threshold's denominator in place of `slots_per_epoch`. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_slots: Option<u32>,
}

/// Who may earn: the epoch's slot count and the availability threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationPolicy {
    /// Slots in the epoch.
    pub slots_per_epoch: u32,
    /// Minimum availability in basis points of `slots_per_epoch`; below it a chip earns
    /// nothing (0: every proven slot counts).
    pub min_availability_bps: u32,
}

/// One entry's result.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipShare {
    /// The chip.
    pub key_id: KeyId,
    /// The wallet credited.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// Rating used, milli-CU.
    #[serde(with = "dec_u64")]
    pub rating_milli_cu: u64,
    /// Slots proven.
    pub proven_slots: u32,
    /// Whether the chip met the availability threshold.
    pub eligible: bool,
    /// Weight: rating x proven slots when eligible, else 0.
    #[serde(with = "dec_u128")]
    pub weight: u128,
    /// Reward, base units.
    #[serde(with = "dec_u128")]
    pub reward: u128,
}

/// A wallet's total.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletReward {
    /// The wallet.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// Its total, base units.
    #[serde(with = "dec_u128")]
    pub reward: u128,
}

/// An allocated pool: `sum(shares) + unallocated == pool`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The pool allocated, base units.
    #[serde(with = "dec_u128")]
    pub pool: u128,
    /// Per (chip, wallet), ordered by key id then wallet.
    pub shares: Vec<ChipShare>,
    /// Per wallet, ordered by wallet bytes.
    pub wallets: Vec<WalletReward>,
    /// What no eligible chip could take (the whole pool when the total weight is 0).
    #[serde(with = "dec_u128")]
    pub unallocated: u128,
}

/// Allocates `pool` over `entries` (any order) by the largest-remainder method:
/// each eligible entry gets `floor(pool * w / W)`; the `pool - sum` units left go one each
/// to the entries with the largest remainders `(pool * w) mod W`, ties to the smaller
/// (key id, wallet).
///
/// # Errors
/// `ALLOCATION_OUT_OF_BOUNDS` for too many entries, a rating above `MAX_RATING_MILLI_CU`,
/// proven slots above `slots_per_epoch`, a zero `slots_per_epoch`, a threshold above
/// 10000 bps or a bad wallet; `DUPLICATE_ALLOCATION_ENTRY` for a (chip, wallet) twice.
pub fn allocate(
    pool: u128,
    entries: &[AllocationInput],
    policy: &AllocationPolicy,
) -> Result<Allocation> {
    if entries.len() > MAX_ALLOCATION_ENTRIES
        || policy.slots_per_epoch == 0
        || policy.min_availability_bps > 10_000
    {
        return Err(Error::AllocationOutOfBounds);
    }
    // Sorted through a compact (key id, index) array, so comparisons read contiguous memory,
    // not the entries. Unstable is deterministic: equal (key id, wallet) pairs are refused.
    let mut order: Vec<(KeyId, usize)> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| (entry.key_id, index))
        .collect();
    let wallet_of = |index: usize| entries.get(index).map(|entry| entry.wallet.as_slice());
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| wallet_of(a.1).cmp(&wallet_of(b.1)))
    });
    let sorted: Vec<&AllocationInput> = order
        .iter()
        .filter_map(|(_, index)| entries.get(*index))
        .collect();
    if sorted
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if a.key_id == b.key_id && a.wallet == b.wallet))
    {
        return Err(Error::DuplicateAllocationEntry);
    }
    let mut shares = Vec::with_capacity(sorted.len());
    let mut total_weight: u128 = 0;
    for entry in sorted {
        let due = entry.selected_slots.unwrap_or(policy.slots_per_epoch);
        if entry.rating_milli_cu > MAX_RATING_MILLI_CU
            || due > policy.slots_per_epoch
            || entry.proven_slots > due
            || entry.wallet.is_empty()
            || entry.wallet.len() > MAX_WALLET_LEN
        {
            return Err(Error::AllocationOutOfBounds);
        }
        // proven / due >= bps / 10000, in integers.
        let threshold = u64::from(due).saturating_mul(u64::from(policy.min_availability_bps));
        let eligible = entry.proven_slots > 0
            && u64::from(entry.proven_slots).saturating_mul(10_000) >= threshold;
        // rating < 2^40 and slots < 2^32: the product fits 2^72; 2^24 entries sum below 2^96.
        let weight = if eligible {
            u128::from(entry.rating_milli_cu)
                .checked_mul(u128::from(entry.proven_slots))
                .ok_or(Error::AmountOverflow)?
        } else {
            0
        };
        total_weight = total_weight
            .checked_add(weight)
            .ok_or(Error::AmountOverflow)?;
        shares.push(ChipShare {
            key_id: entry.key_id,
            wallet: entry.wallet.clone(),
            rating_milli_cu: entry.rating_milli_cu,
            proven_slots: entry.proven_slots,
            eligible,
            weight,
            reward: 0,
        });
    }
    if total_weight == 0 {
        return Ok(Allocation {
            pool,
            wallets: Vec::new(),
            shares,
            unallocated: pool,
        });
    }
    // pool = q * total + r, so pool * w / total = q * w + (r * w) / total, where q * w never
    // exceeds the pool and r * w almost always fits a u128 (one wide division otherwise).
    let pool_quotient = pool
        .checked_div(total_weight)
        .ok_or(Error::AmountOverflow)?;
    let pool_remainder = pool
        .checked_rem(total_weight)
        .ok_or(Error::AmountOverflow)?;
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(shares.len());
    let mut allocated: u128 = 0;
    for (index, share) in shares.iter_mut().enumerate() {
        if share.weight == 0 {
            continue;
        }
        let (quotient, remainder) =
            share_of(pool_quotient, pool_remainder, share.weight, total_weight)?;
        share.reward = quotient;
        allocated = allocated
            .checked_add(quotient)
            .ok_or(Error::AmountOverflow)?;
        remainders.push((remainder, index));
    }
    // Fewer leftover units than weighted entries: each sum of floors is above pool - n.
    let leftover = pool.checked_sub(allocated).ok_or(Error::AmountOverflow)?;
    // Largest remainder first; entries are already in (key id, wallet) order, so the
    // smaller index wins a tie.
    let leftover_count = usize::try_from(leftover).map_err(|_| Error::AmountOverflow)?;
    // Only which entries are in the top `leftover_count` matters, not their order: a
    // selection (linear) instead of a sort. The order is total, so the set is unique.
    if let Some(last) = leftover_count
        .checked_sub(1)
        .filter(|last| *last < remainders.len())
    {
        remainders.select_nth_unstable_by(last, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    for (_, index) in remainders.iter().take(leftover_count) {
        let share = shares.get_mut(*index).ok_or(Error::AmountOverflow)?;
        share.reward = share.reward.checked_add(1).ok_or(Error::AmountOverflow)?;
    }
    let mut wallets: BTreeMap<&[u8], u128> = BTreeMap::new();
    for share in &shares {
        if share.reward > 0 {
            let total = wallets.entry(&share.wallet).or_insert(0);
            *total = total
                .checked_add(share.reward)
                .ok_or(Error::AmountOverflow)?;
        }
    }
    let wallets = wallets
        .into_iter()
        .map(|(wallet, reward)| WalletReward {
            wallet: wallet.to_vec(),
            reward,
        })
        .collect();
    Ok(Allocation {
        pool,
        shares,
        wallets,
        unallocated: 0,
    })
}

/// `floor(pool * weight / total)` and its remainder, from `pool = q * total + r`
/// (`weight <= total`).
fn share_of(q: u128, r: u128, weight: u128, total: u128) -> Result<(u128, u128)> {
    let whole = q.checked_mul(weight).ok_or(Error::AmountOverflow)?;
    let (quotient, remainder) = match r.checked_mul(weight) {
        Some(product) => {
            // One u128 division; the remainder by multiplication (quotient * total <= product).
            let quotient = product.checked_div(total).ok_or(Error::AmountOverflow)?;
            let below = quotient.checked_mul(total).ok_or(Error::AmountOverflow)?;
            (
                quotient,
                product.checked_sub(below).ok_or(Error::AmountOverflow)?,
            )
        }
        None => mul_div_rem(r, weight, total)?,
    };
    Ok((
        whole.checked_add(quotient).ok_or(Error::AmountOverflow)?,
        remainder,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The split form gives exactly the wide product's quotient and remainder, on the
        /// fast path (r * w fits) and on the wide one.
        #[test]
        fn share_of_is_the_wide_floor(pool in any::<u128>(), total in 1u128.., weight_seed in any::<u128>()) {
            let weight = weight_seed % total + 1;
            let weight = weight.min(total);
            let expected = mul_div_rem(pool, weight, total).unwrap();
            prop_assert_eq!(share_of(pool / total, pool % total, weight, total).unwrap(), expected);
        }
    }

    #[test]
    fn share_of_takes_both_paths() {
        // r * w fits a u128.
        assert_eq!(share_of(0, 7, 3, 10).unwrap(), (2, 1));
        // r * w does not: r and w near 2^96.
        let total = (1u128 << 96) + 12_345;
        let (pool, weight) = (total - 1, total - 2);
        assert_eq!(
            share_of(pool / total, pool % total, weight, total).unwrap(),
            mul_div_rem(pool, weight, total).unwrap()
        );
    }
}
