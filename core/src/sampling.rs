//! Sampled challenges (SPEC.md 18.3): in each slot the challenge selects, per chip, whether
//! it must answer. The draw is a hash of the slot's challenge and the chip's key id, so it
//! is identical on every node, unknown before the slot's beacon, and independent of key ids
//! (a key id is a hash of a key generated in the chip: no chip can choose a better one).

use sha2::{Digest, Sha256};

use crate::device_key::KeyId;

/// The domain separator of the sampling draw.
pub const SAMPLING_DOMAIN: &[u8] = b"POCI/1/sample";

/// Whether the chip `key_id` must answer the slot whose challenge is `challenge`, when one
/// chip-slot in `sample_one_in` is drawn: `u64be(SHA-256(SAMPLING_DOMAIN || challenge ||
/// key_id)[0..8]) mod sample_one_in == 0`. Every slot for `sample_one_in <= 1`.
#[must_use]
pub fn is_sampled(challenge: &[u8; 32], key_id: &KeyId, sample_one_in: u32) -> bool {
    if sample_one_in <= 1 {
        return true;
    }
    let digest = Sha256::new()
        .chain_update(SAMPLING_DOMAIN)
        .chain_update(challenge)
        .chain_update(key_id.0)
        .finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(head).checked_rem(u64::from(sample_one_in)) == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_one_in_n_chip_slots_is_drawn() {
        let mut drawn = 0u32;
        for slot in 0u32..64 {
            let challenge: [u8; 32] = Sha256::digest(slot.to_be_bytes()).into();
            for chip in 0u32..256 {
                let key_id = KeyId(Sha256::digest(chip.to_le_bytes()).into());
                if is_sampled(&challenge, &key_id, 16) {
                    drawn += 1;
                }
            }
        }
        // 16,384 chip-slots at 1/16: 1,024 expected, sd 31.
        assert!((900..1150).contains(&drawn), "{drawn}");
        assert!(is_sampled(&[0; 32], &KeyId([0; 32]), 1));
    }
}
