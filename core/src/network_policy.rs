//! `NetworkPolicy`: every rule a node must share that is not in the chip-model registry or
//! the trust store (SPEC.md 18): the network's clock, how late a proof may arrive, how
//! often chips are sampled, the availability threshold, the pools and the emission.
//! It has one canonical DER encoding and a SHA-256 digest, so two nodes can compare it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::der::{tag, tlv, uint_content};
use crate::error::{Error, PolicyProblem, Result};
use crate::oid::NETWORK_POLICY_DOMAIN_DER;
use crate::rewards::allocation::AllocationPolicy;
use crate::rewards::emission::EmissionSchedule;
use crate::rewards::pools::PoolSplit;
use crate::time::NetworkParams;

/// The largest sampling denominator: a chip answers at least one slot in 65,536.
pub const MAX_SAMPLE_ONE_IN: u32 = 1 << 16;

/// The rules of one network that every node applies identically.
///
/// ```text
/// JSON form (SPEC.md 18): { params, grace_slots, sample_one_in, min_availability_bps,
///                           pools, emission }
/// ```
///
/// Invariants (checked by [`NetworkPolicy::validate`], on deserialisation and by
/// [`crate::ChipLedger::with_policy`]): `grace_slots <= slots_per_epoch`,
/// `1 <= sample_one_in <= MAX_SAMPLE_ONE_IN`, `min_availability_bps <= 10000`, valid pools
/// and emission.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "PolicyJson")]
pub struct NetworkPolicy {
    /// The network's identity and clock.
    pub params: NetworkParams,
    /// How many slots after slot `s` a proof for `s` is still accepted: the current slot
    /// must lie in `[s, s + grace_slots]`.
    pub grace_slots: u32,
    /// Sampling: in each slot a chip must answer with probability `1 / sample_one_in`,
    /// drawn from the slot's challenge and its key id (SPEC.md 18.2); 1 means every slot.
    pub sample_one_in: u32,
    /// The availability below which a chip earns nothing in an epoch (basis points of
    /// the slots it had to answer).
    pub min_availability_bps: u32,
    /// How each emission is split.
    pub pools: PoolSplit,
    /// The emission schedule.
    pub emission: EmissionSchedule,
}

/// The serde form, checked into a [`NetworkPolicy`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    params: NetworkParams,
    grace_slots: u32,
    sample_one_in: u32,
    min_availability_bps: u32,
    pools: PoolSplit,
    emission: EmissionSchedule,
}

impl TryFrom<PolicyJson> for NetworkPolicy {
    type Error = Error;

    fn try_from(json: PolicyJson) -> Result<Self> {
        let policy = Self {
            params: json.params,
            grace_slots: json.grace_slots,
            sample_one_in: json.sample_one_in,
            min_availability_bps: json.min_availability_bps,
            pools: json.pools,
            emission: json.emission,
        };
        policy.validate()?;
        Ok(policy)
    }
}

/// One field that differs between two policies, as `poci policy diff` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyChange {
    /// The field's JSON name.
    pub field: String,
    /// Its JSON value before.
    pub old: serde_json::Value,
    /// Its JSON value after.
    pub new: serde_json::Value,
}

impl NetworkPolicy {
    /// A policy for `params` with the ledger's defaults: a grace of one slot, no sampling,
    /// no availability threshold, the default pools, and no emission (a halving schedule
    /// of 0): enough for a ledger that pays nothing itself. Valid for any `params`.
    #[must_use]
    pub fn ledger_defaults(params: NetworkParams) -> Self {
        Self {
            params,
            grace_slots: 1,
            sample_one_in: 1,
            min_availability_bps: 0,
            pools: PoolSplit::default(),
            emission: EmissionSchedule::Halving(crate::rewards::emission::HalvingSchedule {
                base_per_epoch: 0,
                epochs_per_era: 1,
                cap: 0,
            }),
        }
    }

    /// Checks the invariants listed on the type.
    ///
    /// # Errors
    /// `INVALID_POLICY` naming the broken invariant; `INVALID_POOLS`, `INVALID_SCHEDULE`.
    pub fn validate(&self) -> Result<()> {
        let invalid = |problem| Error::InvalidPolicy { problem };
        if self.grace_slots > self.params.slots_per_epoch() {
            return Err(invalid(PolicyProblem::GraceSlots));
        }
        if self.sample_one_in == 0 || self.sample_one_in > MAX_SAMPLE_ONE_IN {
            return Err(invalid(PolicyProblem::SampleOneIn));
        }
        if self.min_availability_bps > 10_000 {
            return Err(invalid(PolicyProblem::MinAvailability));
        }
        self.pools.validate()?;
        self.emission.validate()
    }

    /// Whether chips are sampled (`sample_one_in > 1`).
    #[must_use]
    pub const fn is_sampled(&self) -> bool {
        self.sample_one_in > 1
    }

    /// The allocation policy of an epoch's miners' pool.
    #[must_use]
    pub const fn allocation_policy(&self) -> AllocationPolicy {
        AllocationPolicy {
            slots_per_epoch: self.params.slots_per_epoch(),
            min_availability_bps: self.min_availability_bps,
        }
    }

    /// Parses the JSON form.
    ///
    /// # Errors
    /// `JSON_INVALID`; then the errors of [`NetworkPolicy::validate`] and of
    /// [`NetworkParams::new`].
    pub fn from_json(text: &str) -> Result<Self> {
        let json: PolicyJson = crate::json::from_json(text)?;
        Self::try_from(json)
    }

    /// The JSON form.
    ///
    /// # Errors
    /// Never in practice (`JSON_INVALID` if serialisation failed).
    pub fn to_json(&self) -> Result<String> {
        crate::json::to_json(self)
    }

    /// The canonical DER encoding (SPEC.md 18.1).
    ///
    /// # Errors
    /// Only if a value exceeds DER length limits (not possible for a valid policy).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let params = &self.params;
        let body = [
            tlv(tag::INTEGER, &[1])?,
            tlv(tag::OID, &NETWORK_POLICY_DOMAIN_DER)?,
            tlv(tag::UTF8_STRING, params.network_id().as_bytes())?,
            int(params.genesis_unix().into())?,
            int(params.epoch_seconds().into())?,
            int(params.slots_per_epoch().into())?,
            int(self.grace_slots.into())?,
            int(self.sample_one_in.into())?,
            int(self.min_availability_bps.into())?,
            encode_pools(&self.pools)?,
            encode_emission(&self.emission)?,
        ]
        .concat();
        tlv(tag::SEQUENCE, &body)
    }

    /// SHA-256 of the canonical encoding: the policy a node states it runs.
    ///
    /// # Errors
    /// As [`NetworkPolicy::to_der`].
    pub fn digest(&self) -> Result<[u8; 32]> {
        Ok(Sha256::digest(self.to_der()?).into())
    }

    /// The fields that differ from `self` to `newer`, in JSON field order, each with its
    /// old and new JSON value (a whole sub-object when any of its fields differs).
    ///
    /// # Errors
    /// Never in practice (`JSON_INVALID` if serialisation failed).
    pub fn diff(&self, newer: &Self) -> Result<Vec<PolicyChange>> {
        let value = |policy: &Self| {
            serde_json::to_value(policy).map_err(|_| Error::JsonInvalid {
                problem: crate::error::JsonProblem::Syntax,
                line: 0,
                column: 0,
            })
        };
        let (old, new) = (value(self)?, value(newer)?);
        let mut changes = Vec::new();
        for field in [
            "params",
            "grace_slots",
            "sample_one_in",
            "min_availability_bps",
            "pools",
            "emission",
        ] {
            let (before, after) = (old.get(field), new.get(field));
            if before != after {
                changes.push(PolicyChange {
                    field: field.to_owned(),
                    old: before.cloned().unwrap_or(serde_json::Value::Null),
                    new: after.cloned().unwrap_or(serde_json::Value::Null),
                });
            }
        }
        Ok(changes)
    }
}

fn int(value: u128) -> Result<Vec<u8>> {
    tlv(tag::INTEGER, &uint_content(&value.to_be_bytes()))
}

fn encode_pools(pools: &PoolSplit) -> Result<Vec<u8>> {
    let named = pools
        .pools
        .iter()
        .map(|pool| {
            tlv(
                tag::SEQUENCE,
                &[
                    tlv(tag::UTF8_STRING, pool.name.as_bytes())?,
                    int(pool.bps.into())?,
                ]
                .concat(),
            )
        })
        .collect::<Result<Vec<_>>>()?
        .concat();
    tlv(
        tag::SEQUENCE,
        &[int(pools.miners_bps.into())?, tlv(tag::SEQUENCE, &named)?].concat(),
    )
}

/// `[0] halving`, `[1] tieredDecay`, `[2] inflation` (constructed, implicit).
fn encode_emission(emission: &EmissionSchedule) -> Result<Vec<u8>> {
    match emission {
        EmissionSchedule::Halving(schedule) => tlv(
            0xa0,
            &[
                int(schedule.base_per_epoch)?,
                int(schedule.epochs_per_era.into())?,
                int(schedule.cap)?,
            ]
            .concat(),
        ),
        EmissionSchedule::TieredDecay(schedule) => {
            let tiers = schedule
                .tiers
                .iter()
                .map(|tier| {
                    tlv(
                        tag::SEQUENCE,
                        &[int(tier.start_block.into())?, int(tier.reward_per_block)?].concat(),
                    )
                })
                .collect::<Result<Vec<_>>>()?
                .concat();
            let decay = &schedule.decay;
            tlv(
                0xa1,
                &[
                    int(schedule.blocks_per_epoch.into())?,
                    tlv(tag::SEQUENCE, &tiers)?,
                    tlv(
                        tag::SEQUENCE,
                        &[
                            int(decay.start_block.into())?,
                            int(decay.period_blocks.into())?,
                            int(decay.rate_num.into())?,
                            int(decay.rate_den.into())?,
                            int(decay.floor_per_block)?,
                        ]
                        .concat(),
                    )?,
                    int(schedule.cap)?,
                ]
                .concat(),
            )
        }
        EmissionSchedule::Inflation(schedule) => tlv(
            0xa2,
            &[
                int(schedule.initial_supply)?,
                int(schedule.bps_per_year.into())?,
                int(schedule.epochs_per_year.into())?,
                int(schedule.cap)?,
            ]
            .concat(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> NetworkPolicy {
        let params = NetworkParams::new("poci-testnet", 1_767_225_600, 3_600, 120).unwrap();
        NetworkPolicy::ledger_defaults(params)
    }

    #[test]
    fn json_round_trip_keeps_the_digest() {
        let policy = policy();
        let back = NetworkPolicy::from_json(&policy.to_json().unwrap()).unwrap();
        assert_eq!(back, policy);
        assert_eq!(back.digest().unwrap(), policy.digest().unwrap());
    }

    #[test]
    fn every_field_is_in_the_digest() {
        let base = policy();
        let digest = base.digest().unwrap();
        let mut changed = Vec::new();
        let mut grace = base.clone();
        grace.grace_slots = 2;
        changed.push(grace);
        let mut sampled = base.clone();
        sampled.sample_one_in = 16;
        changed.push(sampled);
        let mut threshold = base.clone();
        threshold.min_availability_bps = 2_500;
        changed.push(threshold);
        let mut pools = base.clone();
        pools.pools.miners_bps = 9_800;
        pools.pools.pools.pop();
        changed.push(pools);
        let mut emission = base.clone();
        emission.emission = EmissionSchedule::Halving(crate::rewards::emission::HalvingSchedule {
            base_per_epoch: 1,
            epochs_per_era: 1,
            cap: 1,
        });
        changed.push(emission);
        let mut params = base.clone();
        params.params = NetworkParams::new("poci-testnet", 1_767_225_601, 3_600, 120).unwrap();
        changed.push(params);
        for other in &changed {
            assert_ne!(other.digest().unwrap(), digest, "{other:?}");
            assert_eq!(base.diff(other).unwrap().len(), 1);
        }
        assert!(base.diff(&base).unwrap().is_empty());
    }

    #[test]
    fn invariants_are_checked_on_every_path_in() {
        let mut bad = policy();
        bad.sample_one_in = 0;
        assert_eq!(bad.validate().unwrap_err().code(), "INVALID_POLICY");
        let text = bad.to_json().unwrap();
        assert_eq!(
            NetworkPolicy::from_json(&text).unwrap_err().code(),
            "INVALID_POLICY"
        );
        let mut late = policy();
        late.grace_slots = 121;
        assert_eq!(late.validate().unwrap_err().code(), "INVALID_POLICY");
        let mut threshold = policy();
        threshold.min_availability_bps = 10_001;
        assert_eq!(threshold.validate().unwrap_err().code(), "INVALID_POLICY");
        assert!(matches!(
            NetworkPolicy::from_json("{}").unwrap_err(),
            Error::JsonInvalid { .. }
        ));
    }
}
