//! The signed messages: heartbeats, chip bindings and lease acceptances, parsed, encoded
//! and signed.

use napi::bindgen_prelude::{BigInt, Buffer, Unknown};
use napi_derive::napi;

use crate::args::{self, Fields};
use crate::error::OrThrow;
use crate::keys::device_key_arg;

/// The fields of a heartbeat to sign.
#[napi(object, object_to_js = false)]
pub struct HeartbeatInput {
    pub network_id: String,
    pub wallet: Buffer,
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub counter: BigInt,
    pub measurement: Option<Buffer>,
}

/// The fields of a chip binding to sign.
#[napi(object, object_to_js = false)]
pub struct ChipBindingInput {
    pub network_id: String,
    pub chip_serial: Buffer,
    pub model_id: String,
    pub wallet: Buffer,
    pub binding_counter: BigInt,
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub certificates: Vec<Buffer>,
}

/// The fields of a lease acceptance to sign.
#[napi(object, object_to_js = false)]
pub struct LeaseInput {
    pub network_id: String,
    pub lease_id: Buffer,
    pub renter_wallet: Buffer,
    pub first_epoch: BigInt,
    pub last_epoch: BigInt,
    pub price: BigInt,
}

/// The methods every signed message shares.
macro_rules! signed_message {
    ($class:ident, $core:ty, $doc:literal) => {
        #[doc = $doc]
        #[napi]
        pub struct $class($core);

        #[napi]
        impl $class {
            /// Parses DER strictly.
            #[napi(factory)]
            pub fn from_der(
                #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
            ) -> napi::Result<Self, String> {
                let der = args::bytes(der, &"der")?;
                Ok(Self(<$core>::from_der(&der).or_throw()?))
            }
            /// Parses the JSON form of SPEC.md.
            #[napi(factory)]
            pub fn from_json(
                #[napi(ts_arg_type = "string")] text: Unknown<'_>,
            ) -> napi::Result<Self, String> {
                let text = args::string(text, &"text")?;
                Ok(Self(<$core>::from_json(&text).or_throw()?))
            }
            /// The DER encoding.
            #[napi]
            pub fn to_der(&self) -> napi::Result<Buffer, String> {
                Ok(Buffer::from(self.0.to_der().or_throw()?))
            }
            /// The JSON form of SPEC.md.
            #[napi]
            pub fn to_json(&self) -> napi::Result<String, String> {
                self.0.to_json().or_throw()
            }
            /// SHA-256 of the DER: the proof id.
            #[napi(getter)]
            pub fn proof_id(&self) -> napi::Result<Buffer, String> {
                Ok(Buffer::from(self.0.proof_id().or_throw()?.to_vec()))
            }
            /// The signature (DER `Ecdsa-Sig-Value`).
            #[napi(getter)]
            pub fn signature(&self) -> Buffer {
                Buffer::from(self.0.signature.clone())
            }
        }
    };
}

signed_message!(
    Heartbeat,
    poci::Heartbeat,
    "A signed heartbeat: one chip's availability proof for one slot."
);
signed_message!(
    ChipBinding,
    poci::ChipBinding,
    "A signed chip binding: a chip's claim of a wallet with its chain."
);
signed_message!(
    LeaseAcceptance,
    poci::LeaseAcceptance,
    "A signed lease acceptance: the chip consents to be rented."
);

#[napi]
impl Heartbeat {
    /// The chip's key id.
    #[napi(getter)]
    pub fn chip_key_id(&self) -> Buffer {
        Buffer::from(self.0.tbs.chip_key_id.as_bytes().to_vec())
    }
    /// The wallet.
    #[napi(getter)]
    pub fn wallet(&self) -> Buffer {
        Buffer::from(self.0.tbs.wallet.clone())
    }
    /// The epoch.
    #[napi(getter)]
    pub fn epoch(&self) -> BigInt {
        BigInt::from(self.0.tbs.epoch)
    }
    /// The slot.
    #[napi(getter)]
    pub fn slot(&self) -> u32 {
        self.0.tbs.slot
    }
    /// The counter.
    #[napi(getter)]
    pub fn counter(&self) -> BigInt {
        BigInt::from(self.0.tbs.counter)
    }
}

#[napi]
impl ChipBinding {
    /// The binding counter.
    #[napi(getter)]
    pub fn binding_counter(&self) -> BigInt {
        BigInt::from(self.0.tbs.binding_counter)
    }
    /// The wallet.
    #[napi(getter)]
    pub fn wallet(&self) -> Buffer {
        Buffer::from(self.0.tbs.wallet.clone())
    }
}

#[napi]
impl LeaseAcceptance {
    /// Price of the lease, base units.
    #[napi(getter)]
    pub fn price(&self) -> BigInt {
        BigInt::from(self.0.tbs.price)
    }
}

/// Signs a heartbeat with a device key.
#[napi]
pub fn sign_heartbeat(
    #[napi(ts_arg_type = "DeviceKey")] key: Unknown<'_>,
    #[napi(ts_arg_type = "HeartbeatInput")] fields: Unknown<'_>,
) -> napi::Result<Heartbeat, String> {
    let key = device_key_arg(key, &"key")?;
    let fields = Fields::of(fields, &"fields", "a HeartbeatInput object")?;
    let tbs = poci::HeartbeatTbs {
        network_id: fields.get("networkId", args::string)?,
        chip_key_id: *key.0.key_id(),
        wallet: fields.get("wallet", args::bytes)?.to_vec(),
        epoch: fields.get("epoch", args::u64)?,
        slot: fields.get("slot", args::u32)?,
        challenge: fields.get("challenge", args::bytes32)?,
        counter: fields.get("counter", args::u64)?,
        measurement: fields.optional("measurement", args::bytes32)?,
    };
    Ok(Heartbeat(poci::Signed::sign(tbs, &key.0).or_throw()?))
}

/// Signs a chip binding with the chip's device key.
#[napi]
pub fn sign_chip_binding(
    #[napi(ts_arg_type = "DeviceKey")] key: Unknown<'_>,
    #[napi(ts_arg_type = "ChipBindingInput")] fields: Unknown<'_>,
) -> napi::Result<ChipBinding, String> {
    let key = device_key_arg(key, &"key")?;
    let fields = Fields::of(fields, &"fields", "a ChipBindingInput object")?;
    let tbs = poci::ChipBindingTbs {
        network_id: fields.get("networkId", args::string)?,
        chip_serial: fields.get("chipSerial", args::bytes)?.to_vec(),
        model_id: fields.get("modelId", args::string)?,
        wallet: fields.get("wallet", args::bytes)?.to_vec(),
        binding_counter: fields.get("bindingCounter", args::u64)?,
        epoch: fields.get("epoch", args::u64)?,
        slot: fields.get("slot", args::u32)?,
        challenge: fields.get("challenge", args::bytes32)?,
        certificates: fields.get("certificates", args::buffers)?,
    };
    Ok(ChipBinding(poci::Signed::sign(tbs, &key.0).or_throw()?))
}

/// Signs a lease acceptance with the rented chip's key.
#[napi]
pub fn sign_lease_acceptance(
    #[napi(ts_arg_type = "DeviceKey")] key: Unknown<'_>,
    #[napi(ts_arg_type = "LeaseInput")] fields: Unknown<'_>,
) -> napi::Result<LeaseAcceptance, String> {
    let key = device_key_arg(key, &"key")?;
    let fields = Fields::of(fields, &"fields", "a LeaseInput object")?;
    let tbs = poci::LeaseAcceptanceTbs {
        network_id: fields.get("networkId", args::string)?,
        lease_id: fields.get("leaseId", args::bytes)?.to_vec(),
        renter_wallet: fields.get("renterWallet", args::bytes)?.to_vec(),
        chip_key_id: *key.0.key_id(),
        first_epoch: fields.get("firstEpoch", args::u64)?,
        last_epoch: fields.get("lastEpoch", args::u64)?,
        price: fields.get("price", args::u128)?,
    };
    Ok(LeaseAcceptance(poci::Signed::sign(tbs, &key.0).or_throw()?))
}
