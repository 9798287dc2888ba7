//! The chip ledger, and the network policy it applies.

use napi::bindgen_prelude::{Buffer, Unknown};
use napi_derive::napi;

use crate::args;
use crate::error::OrThrow;
use crate::network::params_arg;
use crate::types::{BindingOutcome, ChipRecord, ClosedEpoch, CurrentSlot, SettledLease};
use crate::verifier::{BindingContext, verifier_arg};

/// The chip ledger.
#[napi]
pub struct ChipLedger(poci::ChipLedger);

#[napi]
impl ChipLedger {
    /// An empty ledger.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "NetworkParams")] params: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let params = params_arg(params, &"params")?;
        Ok(Self(poci::ChipLedger::new(params.0.clone())))
    }
    /// Restores a persisted ledger.
    #[napi(factory)]
    pub fn from_json(
        #[napi(ts_arg_type = "string")] text: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let text = args::string(text, &"text")?;
        Ok(Self(poci::json::from_json(&text).or_throw()?))
    }
    /// Persists the ledger.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String, String> {
        poci::json::to_json(&self.0).or_throw()
    }
    /// Verifies and applies a chip binding submitted by `context.wallet`, at the network's
    /// current slot `now`.
    #[napi]
    pub fn apply_binding(
        &mut self,
        #[napi(ts_arg_type = "Verifier")] verifier: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "BindingContext")] context: Unknown<'_>,
        #[napi(ts_arg_type = "CurrentSlot")] now: Unknown<'_>,
    ) -> napi::Result<BindingOutcome, String> {
        let verifier = verifier_arg(verifier, &"verifier")?;
        let der = args::bytes(der, &"der")?;
        let context = BindingContext::read(context, &"context")?;
        let now = CurrentSlot::read(now, &"now")?;
        let slot = poci::SlotId {
            epoch: context.epoch,
            slot: context.slot,
        };
        let outcome = self
            .0
            .apply_binding(
                &verifier.0,
                &der,
                slot,
                &context.challenge,
                &context.wallet,
                now,
            )
            .or_throw()?;
        Ok(BindingOutcome::from(&outcome))
    }
    /// Verifies an NVIDIA GPU's report (answering the slot's binding nonce) and chain
    /// (leaf first) as a binding submitted by `context.wallet`, and applies it.
    #[napi]
    pub fn apply_nvidia_binding(
        &mut self,
        #[napi(ts_arg_type = "Verifier")] verifier: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] report: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] chain: Unknown<'_>,
        #[napi(ts_arg_type = "BindingContext")] context: Unknown<'_>,
        #[napi(ts_arg_type = "CurrentSlot")] now: Unknown<'_>,
    ) -> napi::Result<BindingOutcome, String> {
        let verifier = verifier_arg(verifier, &"verifier")?;
        let report = args::bytes(report, &"report")?;
        let chain = args::buffers(chain, &"chain")?;
        let context = BindingContext::read(context, &"context")?;
        let now = CurrentSlot::read(now, &"now")?;
        let slot = poci::SlotId {
            epoch: context.epoch,
            slot: context.slot,
        };
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let outcome = self
            .0
            .apply_nvidia_binding(
                &verifier.0,
                &report,
                &chain,
                slot,
                &context.challenge,
                &context.wallet,
                now,
            )
            .or_throw()?;
        Ok(BindingOutcome::from(&outcome))
    }
    /// Verifies an NVIDIA report (answering the slot's heartbeat nonce) as the heartbeat
    /// of chip `keyId` and records the proven slot.
    #[allow(clippy::too_many_arguments)]
    #[napi]
    pub fn apply_nvidia_heartbeat(
        &mut self,
        #[napi(ts_arg_type = "Verifier")] verifier: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] key_id: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] report: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
        #[napi(ts_arg_type = "number")] slot: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] challenge: Unknown<'_>,
        #[napi(ts_arg_type = "CurrentSlot")] now: Unknown<'_>,
    ) -> napi::Result<(), String> {
        let verifier = verifier_arg(verifier, &"verifier")?;
        let key_id = poci::KeyId(args::bytes32(key_id, &"keyId")?);
        let report = args::bytes(report, &"report")?;
        let slot = poci::SlotId {
            epoch: args::u64(epoch, &"epoch")?,
            slot: args::u32(slot, &"slot")?,
        };
        let challenge = args::bytes32(challenge, &"challenge")?;
        let now = CurrentSlot::read(now, &"now")?;
        self.0
            .apply_nvidia_heartbeat(&verifier.0, &key_id, &report, slot, &challenge, now)
            .or_throw()
    }
    /// Verifies and records a heartbeat for `slot` of `epoch`, at the network's current
    /// slot `now`.
    #[napi]
    pub fn apply_heartbeat(
        &mut self,
        #[napi(ts_arg_type = "Verifier")] verifier: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
        #[napi(ts_arg_type = "number")] slot: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] challenge: Unknown<'_>,
        #[napi(ts_arg_type = "CurrentSlot")] now: Unknown<'_>,
    ) -> napi::Result<(), String> {
        let verifier = verifier_arg(verifier, &"verifier")?;
        let der = args::bytes(der, &"der")?;
        let slot = poci::SlotId {
            epoch: args::u64(epoch, &"epoch")?,
            slot: args::u32(slot, &"slot")?,
        };
        let challenge = args::bytes32(challenge, &"challenge")?;
        let now = CurrentSlot::read(now, &"now")?;
        self.0
            .apply_heartbeat(&verifier.0, &der, slot, &challenge, now)
            .or_throw()
    }
    /// Closes an epoch: its availability, final. A sampled network passes the epoch's
    /// slot challenges, one per slot in order.
    #[napi]
    pub fn close_epoch(
        &mut self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer> | undefined | null")] slot_challenges: Option<
            Unknown<'_>,
        >,
    ) -> napi::Result<ClosedEpoch, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        let challenges = args::optional(slot_challenges, |value| {
            args::buffers32(value, &"slotChallenges")
        })?
        .unwrap_or_default();
        Ok(ClosedEpoch::from(
            &self.0.close_epoch(epoch, None, &challenges).or_throw()?,
        ))
    }
    /// An empty ledger applying `policy`.
    #[napi(factory)]
    pub fn with_policy(
        #[napi(ts_arg_type = "NetworkPolicy")] policy: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let policy = args::instance::<NetworkPolicy>(policy, &"policy", "NetworkPolicy")?;
        Ok(Self(
            poci::ChipLedger::with_policy(policy.0.clone()).or_throw()?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip and holds the lease, at the
    /// network's current slot: `"accepted"` or `"already_applied"`.
    #[napi]
    pub fn apply_lease(
        &mut self,
        #[napi(ts_arg_type = "Verifier")] verifier: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "CurrentSlot")] now: Unknown<'_>,
    ) -> napi::Result<String, String> {
        let verifier = verifier_arg(verifier, &"verifier")?;
        let der = args::bytes(der, &"der")?;
        let now = CurrentSlot::read(now, &"now")?;
        let outcome = self.0.apply_lease(&verifier.0, &der, now).or_throw()?;
        Ok(if outcome == poci::LeaseOutcome::Accepted {
            "accepted"
        } else {
            "already_applied"
        }
        .to_owned())
    }
    /// Settles a lease whose epochs are all closed, from the slots the ledger counted.
    #[napi]
    pub fn settle_lease(
        &mut self,
        #[napi(ts_arg_type = "Buffer")] lease_id: Unknown<'_>,
    ) -> napi::Result<SettledLease, String> {
        let lease_id = args::bytes(lease_id, &"leaseId")?;
        Ok(SettledLease::from(
            &self.0.settle_lease(&lease_id).or_throw()?,
        ))
    }
    /// A registered chip, or null.
    #[napi]
    pub fn chip(
        &self,
        #[napi(ts_arg_type = "Buffer")] key_id: Unknown<'_>,
    ) -> napi::Result<Option<ChipRecord>, String> {
        let key_id = poci::KeyId(args::bytes32(key_id, &"keyId")?);
        Ok(self.0.chip(&key_id).as_ref().map(ChipRecord::from))
    }
    /// Number of registered chips.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.0.chip_count()).unwrap_or(u32::MAX)
    }
}

/// The rules of a network every node applies identically (SPEC.md 18).
#[napi]
pub struct NetworkPolicy(poci::NetworkPolicy);

#[napi]
impl NetworkPolicy {
    /// Parses the JSON form (invalid values: `INVALID_POLICY`).
    #[napi(factory)]
    pub fn from_json(
        #[napi(ts_arg_type = "string")] text: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let text = args::string(text, &"text")?;
        Ok(Self(poci::NetworkPolicy::from_json(&text).or_throw()?))
    }
    /// The JSON form.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String, String> {
        self.0.to_json().or_throw()
    }
    /// SHA-256 of the canonical encoding.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(Buffer::from(self.0.digest().or_throw()?.to_vec()))
    }
    /// Slots after its own that a proof is still accepted.
    #[napi(getter)]
    pub fn grace_slots(&self) -> u32 {
        self.0.grace_slots
    }
    /// One chip-slot in this many is drawn (1: every slot).
    #[napi(getter)]
    pub fn sample_one_in(&self) -> u32 {
        self.0.sample_one_in
    }
}

/// Whether chip `keyId` must answer the slot of `challenge` when one chip-slot in
/// `sampleOneIn` is drawn (SPEC.md 18.3).
#[napi]
pub fn is_sampled(
    #[napi(ts_arg_type = "Buffer")] challenge: Unknown<'_>,
    #[napi(ts_arg_type = "Buffer")] key_id: Unknown<'_>,
    #[napi(ts_arg_type = "number")] sample_one_in: Unknown<'_>,
) -> napi::Result<bool, String> {
    let challenge = args::bytes32(challenge, &"challenge")?;
    let key_id = poci::KeyId(args::bytes32(key_id, &"keyId")?);
    let sample_one_in = args::u32(sample_one_in, &"sampleOneIn")?;
    Ok(poci::is_sampled(&challenge, &key_id, sample_one_in))
}
