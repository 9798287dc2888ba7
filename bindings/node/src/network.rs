//! Network parameters, and what derives from them: a slot's challenge and the evidence
//! nonce an NVIDIA GPU signs.

use napi::bindgen_prelude::{BigInt, Buffer, ClassInstance, Unknown};
use napi_derive::napi;

use crate::args::{self, Name};
use crate::error::{NodeResult, OrThrow, invalid_argument};
use crate::types::SlotId;
use crate::verifier::BindingContext;

/// Network parameters: network id, genesis, epoch length, slots per epoch.
#[napi]
pub struct NetworkParams(pub(crate) poci::NetworkParams);

/// A `NetworkParams` argument.
pub(crate) fn params_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, NetworkParams>> {
    args::instance(value, name, "NetworkParams")
}

#[napi]
impl NetworkParams {
    /// Checks and builds network parameters.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string")] network_id: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] genesis_unix: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epoch_seconds: Unknown<'_>,
        #[napi(ts_arg_type = "number")] slots_per_epoch: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let network_id = args::string(network_id, &"networkId")?;
        let genesis = args::u64(genesis_unix, &"genesisUnix")?;
        let epoch_seconds = args::u64(epoch_seconds, &"epochSeconds")?;
        let slots_per_epoch = args::u32(slots_per_epoch, &"slotsPerEpoch")?;
        Ok(Self(
            poci::NetworkParams::new(&network_id, genesis, epoch_seconds, slots_per_epoch)
                .or_throw()?,
        ))
    }
    /// Parses the JSON form (invalid values: `INVALID_NETWORK_PARAMS`).
    #[napi(factory)]
    pub fn from_json(
        #[napi(ts_arg_type = "string")] text: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let text = args::string(text, &"text")?;
        Ok(Self(poci::NetworkParams::from_json(&text).or_throw()?))
    }
    /// The JSON form.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String, String> {
        poci::json::to_json(&self.0).or_throw()
    }
    /// The network id.
    #[napi(getter)]
    pub fn network_id(&self) -> String {
        self.0.network_id().to_owned()
    }
    /// Unix time of epoch 0, slot 0.
    #[napi(getter)]
    pub fn genesis_unix(&self) -> BigInt {
        BigInt::from(self.0.genesis_unix())
    }
    /// Seconds per epoch.
    #[napi(getter)]
    pub fn epoch_seconds(&self) -> BigInt {
        BigInt::from(self.0.epoch_seconds())
    }
    /// Slots per epoch.
    #[napi(getter)]
    pub fn slots_per_epoch(&self) -> u32 {
        self.0.slots_per_epoch()
    }
    /// Unix time at which `slot` of `epoch` starts.
    #[napi]
    pub fn slot_start_unix(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
        #[napi(ts_arg_type = "number")] slot: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        let slot = args::u32(slot, &"slot")?;
        Ok(BigInt::from(
            self.0.slot_start_unix(epoch, slot).or_throw()?,
        ))
    }
    /// The slot containing unix time `unix`.
    #[napi]
    pub fn slot_at_unix(
        &self,
        #[napi(ts_arg_type = "bigint")] unix: Unknown<'_>,
    ) -> napi::Result<SlotId, String> {
        let id = self.0.slot_at_unix(args::u64(unix, &"unix")?).or_throw()?;
        Ok(SlotId {
            epoch: BigInt::from(id.epoch),
            slot: id.slot,
        })
    }
}

/// The challenge of `slot` of `epoch` (SPEC.md 5).
#[napi]
pub fn derive_challenge(
    #[napi(ts_arg_type = "NetworkParams")] params: Unknown<'_>,
    #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    #[napi(ts_arg_type = "number")] slot: Unknown<'_>,
    #[napi(ts_arg_type = "Buffer")] beacon: Unknown<'_>,
) -> napi::Result<Buffer, String> {
    let params = params_arg(params, &"params")?;
    let epoch = args::u64(epoch, &"epoch")?;
    let slot = args::u32(slot, &"slot")?;
    let beacon = args::bytes(beacon, &"beacon")?;
    Ok(Buffer::from(
        poci::derive_challenge(&params.0, epoch, slot, &beacon)
            .or_throw()?
            .to_vec(),
    ))
}

/// The requester nonce an NVIDIA GPU must sign to answer a slot for a wallet
/// (SPEC.md 17.2); `purpose` is 'binding' or 'heartbeat'.
#[napi]
pub fn evidence_nonce(
    #[napi(ts_arg_type = "NetworkParams")] params: Unknown<'_>,
    #[napi(ts_arg_type = "BindingContext")] context: Unknown<'_>,
    #[napi(ts_arg_type = "string")] purpose: Unknown<'_>,
) -> napi::Result<Buffer, String> {
    let params = params_arg(params, &"params")?;
    let context = BindingContext::read(context, &"context")?;
    let purpose = args::string(purpose, &"purpose")?;
    let purpose = poci::evidence::nonce::EvidencePurpose::from_name(&purpose)
        .ok_or_else(|| invalid_argument("purpose must be 'binding' or 'heartbeat'"))?;
    let slot_context = poci::SlotContext {
        network_id: params.0.network_id(),
        epoch: context.epoch,
        slot: context.slot,
        challenge: &context.challenge,
        wallet: &context.wallet,
    };
    Ok(Buffer::from(
        poci::evidence::nonce::evidence_nonce(&slot_context, purpose)
            .or_throw()?
            .to_vec(),
    ))
}
