//! Weighted producer selection: every node elects the same chip from the slot's beacon.

use sha2::{Digest, Sha256};

use crate::device_key::KeyId;
use crate::error::{Error, Result};

/// Domain tag of the producer draw.
pub const PRODUCER_DOMAIN: &[u8] = b"POCI/1/producer";

/// Picks a chip with probability proportional to its weight (SPEC.md, "Producer selection").
///
/// Candidates are ordered by key id; draw `i` is the first 16 bytes (big-endian) of
/// `SHA-256("POCI/1/producer" || beacon || u32be(i))`; draws below `2^128 mod W` are
/// rejected (no modulo bias), the first accepted `x` gives `r = x mod W`, and the winner
/// is the first candidate whose running weight exceeds `r`. `None` when `W = 0`.
///
/// # Errors
/// `AMOUNT_OVERFLOW` if the weights sum beyond `u128`.
pub fn select_producer(beacon: &[u8; 32], candidates: &[(KeyId, u128)]) -> Result<Option<KeyId>> {
    let mut sorted: Vec<&(KeyId, u128)> = candidates
        .iter()
        .filter(|(_, weight)| *weight > 0)
        .collect();
    sorted.sort_by_key(|(key_id, _)| *key_id);
    let total = sorted
        .iter()
        .try_fold(0u128, |sum, (_, weight)| sum.checked_add(*weight))
        .ok_or(Error::AmountOverflow)?;
    if total == 0 {
        return Ok(None);
    }
    // 2^128 mod W, computed without 2^128.
    let reject_below = total
        .wrapping_neg()
        .checked_rem(total)
        .ok_or(Error::AmountOverflow)?;
    let mut draw: u128 = 0;
    // Each draw is rejected with probability below 1/2: the bound is never reached in practice.
    for counter in 0u32..=u32::MAX {
        let mut hasher = Sha256::new();
        hasher.update(PRODUCER_DOMAIN);
        hasher.update(beacon);
        hasher.update(counter.to_be_bytes());
        let digest: [u8; 32] = hasher.finalize().into();
        let mut first = [0u8; 16];
        first.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
        draw = u128::from_be_bytes(first);
        if draw >= reject_below {
            break;
        }
    }
    let target = draw.checked_rem(total).ok_or(Error::AmountOverflow)?;
    let mut running: u128 = 0;
    for (key_id, weight) in sorted {
        running = running.checked_add(*weight).ok_or(Error::AmountOverflow)?;
        if running > target {
            return Ok(Some(*key_id));
        }
    }
    Ok(None)
}
