//! Network parameters and the mapping between (epoch, slot) and unix time.
//!
//! Certificates, CRLs and vendor validity are judged at a slot's start time computed
//! here, never at a wall clock, so every node reaches the same verdict.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, ParamsProblem, Result};
use crate::identifier::validate_identifier;
use crate::json::dec_u64;
use crate::limits::MAX_NETWORK_ID_LEN;

/// The parameters that fix a network's identity and clock.
///
/// Invariants (checked by [`NetworkParams::new`] and on deserialisation):
/// `network_id` is an identifier of 1..=32 bytes, `epoch_seconds` ≥ 1,
/// `slots_per_epoch` ≥ 1, and `epoch_seconds` is a multiple of `slots_per_epoch`
/// so that every slot lasts a whole number of seconds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "NetworkParamsJson", into = "NetworkParamsJson")]
pub struct NetworkParams {
    network_id: String,
    genesis_unix: u64,
    epoch_seconds: u64,
    slots_per_epoch: u32,
}

/// A slot of a network: its epoch and its index within the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotId {
    /// Epoch number, from 0 at genesis.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// Slot index within the epoch, below `slots_per_epoch`.
    pub slot: u32,
}

impl NetworkParams {
    /// Checks and builds network parameters.
    ///
    /// # Errors
    /// `INVALID_NETWORK_PARAMS` when an invariant listed on the type does not hold.
    pub fn new(
        network_id: &str,
        genesis_unix: u64,
        epoch_seconds: u64,
        slots_per_epoch: u32,
    ) -> Result<Self> {
        let invalid = |problem| Error::InvalidNetworkParams { problem };
        validate_identifier(network_id, Field::NetworkId, MAX_NETWORK_ID_LEN)
            .map_err(|_| invalid(ParamsProblem::NetworkId))?;
        if epoch_seconds == 0 {
            return Err(invalid(ParamsProblem::ZeroEpochSeconds));
        }
        if slots_per_epoch == 0 {
            return Err(invalid(ParamsProblem::ZeroSlotsPerEpoch));
        }
        if epoch_seconds.checked_rem(u64::from(slots_per_epoch)) != Some(0) {
            return Err(invalid(ParamsProblem::UnevenSlots));
        }
        Ok(Self {
            network_id: network_id.to_owned(),
            genesis_unix,
            epoch_seconds,
            slots_per_epoch,
        })
    }

    /// The network id every message of this network carries.
    #[must_use]
    pub fn network_id(&self) -> &str {
        &self.network_id
    }

    /// Unix time (seconds) at which epoch 0, slot 0 starts.
    #[must_use]
    pub const fn genesis_unix(&self) -> u64 {
        self.genesis_unix
    }

    /// Length of an epoch in seconds.
    #[must_use]
    pub const fn epoch_seconds(&self) -> u64 {
        self.epoch_seconds
    }

    /// Number of slots in an epoch.
    #[must_use]
    pub const fn slots_per_epoch(&self) -> u32 {
        self.slots_per_epoch
    }

    /// Length of a slot in seconds (`epoch_seconds / slots_per_epoch`, exact by invariant).
    #[must_use]
    pub fn slot_seconds(&self) -> u64 {
        // slots_per_epoch >= 1 by invariant, so the division cannot fail.
        self.epoch_seconds
            .checked_div(u64::from(self.slots_per_epoch))
            .unwrap_or(self.epoch_seconds)
    }

    /// Checks that `slot` is a slot index of this network.
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE` when `slot >= slots_per_epoch`.
    pub const fn check_slot(&self, slot: u32) -> Result<()> {
        if slot >= self.slots_per_epoch {
            return Err(Error::SlotOutOfRange {
                slot,
                slots_per_epoch: self.slots_per_epoch,
            });
        }
        Ok(())
    }

    /// Unix time at which `epoch` starts.
    ///
    /// # Errors
    /// `TIME_OVERFLOW` when the time does not fit a `u64`.
    pub fn epoch_start_unix(&self, epoch: u64) -> Result<u64> {
        epoch
            .checked_mul(self.epoch_seconds)
            .and_then(|offset| offset.checked_add(self.genesis_unix))
            .ok_or(Error::TimeOverflow)
    }

    /// Unix time at which `slot` of `epoch` starts: the instant at which
    /// certificates are judged for a message of that slot.
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE` for a slot index outside the epoch; `TIME_OVERFLOW`
    /// when the time does not fit a `u64`.
    pub fn slot_start_unix(&self, epoch: u64, slot: u32) -> Result<u64> {
        self.check_slot(slot)?;
        let into_epoch = u64::from(slot)
            .checked_mul(self.slot_seconds())
            .ok_or(Error::TimeOverflow)?;
        self.epoch_start_unix(epoch)?
            .checked_add(into_epoch)
            .ok_or(Error::TimeOverflow)
    }

    /// Parses the JSON form (SPEC.md 7). A form that does not parse is `JSON_INVALID`;
    /// well-formed values that break section 5 are `INVALID_NETWORK_PARAMS`, as
    /// [`NetworkParams::new`] gives.
    ///
    /// # Errors
    /// `JSON_INVALID`, then the errors of [`NetworkParams::new`].
    pub fn from_json(text: &str) -> Result<Self> {
        let json: NetworkParamsJson = crate::json::from_json(text)?;
        Self::try_from(json)
    }

    /// A slot's absolute number, `epoch * slots_per_epoch + slot`, for a slot whose start
    /// time exists (so the number fits a `u64`: `slots_per_epoch <= epoch_seconds`).
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `TIME_OVERFLOW` as [`NetworkParams::slot_start_unix`].
    pub(crate) fn slot_index(&self, slot: SlotId) -> Result<u64> {
        self.slot_start_unix(slot.epoch, slot.slot)?;
        slot.epoch
            .checked_mul(u64::from(self.slots_per_epoch))
            .and_then(|start| start.checked_add(u64::from(slot.slot)))
            .ok_or(Error::TimeOverflow)
    }

    /// The slot of an absolute slot number (the inverse of `slot_index`).
    pub(crate) fn slot_of_index(&self, index: u64) -> SlotId {
        let per_epoch = u64::from(self.slots_per_epoch).max(1);
        SlotId {
            epoch: index.checked_div(per_epoch).unwrap_or(0),
            slot: u32::try_from(index.checked_rem(per_epoch).unwrap_or(0)).unwrap_or(0),
        }
    }

    /// The slot that contains unix time `unix` (slots are half-open: a slot's start
    /// belongs to it, its end to the next).
    ///
    /// # Errors
    /// `BEFORE_GENESIS` for a time before genesis.
    pub fn slot_at_unix(&self, unix: u64) -> Result<SlotId> {
        let since_genesis = unix
            .checked_sub(self.genesis_unix)
            .ok_or(Error::BeforeGenesis {
                unix,
                genesis_unix: self.genesis_unix,
            })?;
        let epoch = since_genesis
            .checked_div(self.epoch_seconds)
            .ok_or(Error::TimeOverflow)?;
        let into_epoch = since_genesis
            .checked_rem(self.epoch_seconds)
            .ok_or(Error::TimeOverflow)?;
        let slot = into_epoch
            .checked_div(self.slot_seconds())
            .and_then(|slot| u32::try_from(slot).ok())
            .ok_or(Error::TimeOverflow)?;
        Ok(SlotId { epoch, slot })
    }
}

/// The JSON form of [`NetworkParams`] (SPEC.md, "JSON forms").
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkParamsJson {
    network_id: String,
    #[serde(with = "dec_u64")]
    genesis_unix: u64,
    #[serde(with = "dec_u64")]
    epoch_seconds: u64,
    slots_per_epoch: u32,
}

impl TryFrom<NetworkParamsJson> for NetworkParams {
    type Error = Error;

    fn try_from(json: NetworkParamsJson) -> Result<Self> {
        Self::new(
            &json.network_id,
            json.genesis_unix,
            json.epoch_seconds,
            json.slots_per_epoch,
        )
    }
}

impl From<NetworkParams> for NetworkParamsJson {
    fn from(params: NetworkParams) -> Self {
        Self {
            network_id: params.network_id,
            genesis_unix: params.genesis_unix,
            epoch_seconds: params.epoch_seconds,
            slots_per_epoch: params.slots_per_epoch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> NetworkParams {
        NetworkParams::new("poci-test", 1_700_000_000, 3600, 120).unwrap()
    }

    #[test]
    fn slot_start_and_back() {
        let p = params();
        assert_eq!(p.slot_seconds(), 30);
        assert_eq!(p.slot_start_unix(0, 0).unwrap(), 1_700_000_000);
        assert_eq!(p.slot_start_unix(2, 3).unwrap(), 1_700_000_000 + 7200 + 90);
        let id = p.slot_at_unix(1_700_000_000 + 7200 + 90 + 29).unwrap();
        assert_eq!(id, SlotId { epoch: 2, slot: 3 });
        let id = p.slot_at_unix(1_700_000_000 + 7200 + 120).unwrap();
        assert_eq!(id, SlotId { epoch: 2, slot: 4 });
    }

    #[test]
    fn invalid_params_are_refused() {
        let code = |r: Result<NetworkParams>| r.unwrap_err().code();
        assert_eq!(
            code(NetworkParams::new("x", 0, 0, 1)),
            "INVALID_NETWORK_PARAMS"
        );
        assert_eq!(
            code(NetworkParams::new("x", 0, 10, 0)),
            "INVALID_NETWORK_PARAMS"
        );
        assert_eq!(
            code(NetworkParams::new("x", 0, 10, 3)),
            "INVALID_NETWORK_PARAMS"
        );
        assert_eq!(
            code(NetworkParams::new("X", 0, 10, 1)),
            "INVALID_NETWORK_PARAMS"
        );
        assert_eq!(
            code(NetworkParams::new("", 0, 10, 1)),
            "INVALID_NETWORK_PARAMS"
        );
    }

    #[test]
    fn slot_out_of_range() {
        assert_eq!(
            params().slot_start_unix(0, 120).unwrap_err(),
            Error::SlotOutOfRange {
                slot: 120,
                slots_per_epoch: 120
            }
        );
    }

    #[test]
    fn time_overflow() {
        assert_eq!(
            params().epoch_start_unix(u64::MAX).unwrap_err().code(),
            "TIME_OVERFLOW"
        );
        let late = NetworkParams::new("n", u64::MAX - 10, 3600, 120).unwrap();
        assert_eq!(
            late.slot_start_unix(0, 1).unwrap_err().code(),
            "TIME_OVERFLOW"
        );
    }

    #[test]
    fn before_genesis() {
        assert_eq!(
            params().slot_at_unix(5).unwrap_err(),
            Error::BeforeGenesis {
                unix: 5,
                genesis_unix: 1_700_000_000
            }
        );
    }

    #[test]
    fn json_round_trip_and_validation() {
        let json = serde_json::to_string(&params()).unwrap();
        assert_eq!(
            json,
            r#"{"network_id":"poci-test","genesis_unix":"1700000000","epoch_seconds":"3600","slots_per_epoch":120}"#
        );
        let back: NetworkParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, params());
        let bad = json.replace("\"3600\"", "\"3601\"");
        assert!(serde_json::from_str::<NetworkParams>(&bad).is_err());
    }
}
