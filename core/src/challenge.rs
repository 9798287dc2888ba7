//! Challenge derivation (SPEC.md, "Challenge").
//!
//! A challenge binds a proof to one slot of one network and to the chain's randomness
//! for that slot, so a signature can be neither precomputed nor replayed elsewhere.

use sha2::{Digest, Sha256};

use crate::error::{Error, Field, Result};
use crate::limits::check_len;
use crate::limits::{CHALLENGE_LEN, MAX_BEACON_LEN};
use crate::time::NetworkParams;

/// Domain tag that starts every challenge preimage.
pub const CHALLENGE_DOMAIN: &[u8] = b"POCI/1/challenge";

/// Derives the challenge of `slot` of `epoch` on the network of `params`:
///
/// `SHA-256("POCI/1/challenge" || u8(len(networkId)) || networkId || u64be(epoch)
///  || u32be(slot) || u8(len(beacon)) || beacon)`
///
/// # Errors
/// `SLOT_OUT_OF_RANGE` for a slot outside the epoch; `FIELD_EMPTY` or
/// `FIELD_TOO_LONG` for a beacon outside 1..=`MAX_BEACON_LEN` bytes.
pub fn derive_challenge(
    params: &NetworkParams,
    epoch: u64,
    slot: u32,
    beacon: &[u8],
) -> Result<[u8; CHALLENGE_LEN]> {
    params.check_slot(slot)?;
    check_len(Field::Beacon, beacon.len(), MAX_BEACON_LEN)?;
    let network_id = params.network_id().as_bytes();
    // Both lengths are bounded far below 256 (MAX_NETWORK_ID_LEN, MAX_BEACON_LEN).
    let network_len = u8::try_from(network_id.len()).map_err(|_| Error::FieldTooLong {
        field: Field::NetworkId,
        len: network_id.len(),
        max: usize::from(u8::MAX),
    })?;
    let beacon_len = u8::try_from(beacon.len()).map_err(|_| Error::FieldTooLong {
        field: Field::Beacon,
        len: beacon.len(),
        max: MAX_BEACON_LEN,
    })?;
    let mut hasher = Sha256::new();
    hasher.update(CHALLENGE_DOMAIN);
    hasher.update([network_len]);
    hasher.update(network_id);
    hasher.update(epoch.to_be_bytes());
    hasher.update(slot.to_be_bytes());
    hasher.update([beacon_len]);
    hasher.update(beacon);
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of SPEC.md.
    #[test]
    fn spec_worked_example() {
        let params = NetworkParams::new("poci-testnet", 1_767_225_600, 3600, 120).unwrap();
        let beacon = [0x11u8; 32];
        let challenge = derive_challenge(&params, 7, 42, &beacon).unwrap();
        let mut preimage = Vec::new();
        preimage.extend_from_slice(b"POCI/1/challenge");
        preimage.push(12);
        preimage.extend_from_slice(b"poci-testnet");
        preimage.extend_from_slice(&7u64.to_be_bytes());
        preimage.extend_from_slice(&42u32.to_be_bytes());
        preimage.push(32);
        preimage.extend_from_slice(&beacon);
        let expected: [u8; 32] = Sha256::digest(&preimage).into();
        assert_eq!(challenge, expected);
        assert_eq!(
            hex::encode(challenge),
            "ee4773517a7edb7fa03d395fcde63d9c93c969961e301f487304329811d453a1"
        );
    }

    #[test]
    fn beacon_bounds_and_slot_range() {
        let params = NetworkParams::new("n", 0, 60, 2).unwrap();
        assert_eq!(
            derive_challenge(&params, 0, 0, &[]).unwrap_err().code(),
            "FIELD_EMPTY"
        );
        assert_eq!(
            derive_challenge(&params, 0, 0, &[0; 65])
                .unwrap_err()
                .code(),
            "FIELD_TOO_LONG"
        );
        assert_eq!(
            derive_challenge(&params, 0, 2, &[0; 32])
                .unwrap_err()
                .code(),
            "SLOT_OUT_OF_RANGE"
        );
        assert_ne!(
            derive_challenge(&params, 0, 0, &[0; 32]).unwrap(),
            derive_challenge(&params, 0, 1, &[0; 32]).unwrap()
        );
    }
}
