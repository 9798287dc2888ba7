//! Node.js bindings of POCI (napi-rs): the core's verification and reward math for
//! wallets. Conversion and error mapping only; every rule lives in the core crate.
//!
//! Every parameter is read by `args` with its name (its TypeScript type is declared with
//! `ts_arg_type`): a bad argument throws code `INVALID_ARGUMENT`, never a napi status.

mod args;
mod error;
mod types;

use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, ClassInstance, Unknown};
use napi::{Env, Task};
use napi_derive::napi;

use args::{Fields, Name};
use error::{NodeResult, OrThrow, invalid_argument, thrown};
use types::{
    Allocation, Availability, BindingOutcome, Candidate, ChipModel, ChipRecord, ClosedEpoch,
    CurrentSlot, HeartbeatContext, LeaseSettlement, Manifest, NamedPool, PoolAmounts, RegistryDiff,
    Rerating, SettledLease, SlotArgs, SlotId, VerifiedBinding, VerifiedHeartbeat,
    VerifiedLeaseAcceptance, VerifiedNvidiaReport,
};

/// Network parameters: network id, genesis, epoch length, slots per epoch.
#[napi]
pub struct NetworkParams(poci::NetworkParams);

/// A `NetworkParams` argument.
fn params_arg<'a>(
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

/// A device public key, parsed once.
#[napi]
pub struct PublicKey(poci::DevicePublicKey);

#[napi]
impl PublicKey {
    /// Parses an uncompressed SEC1 point.
    #[napi(constructor)]
    pub fn new(#[napi(ts_arg_type = "Buffer")] sec1: Unknown<'_>) -> napi::Result<Self, String> {
        let sec1 = args::bytes(sec1, &"sec1")?;
        Ok(Self(
            poci::DevicePublicKey::from_sec1_bytes(&sec1).or_throw()?,
        ))
    }
    /// The device key a device certificate certifies (DER, or PEM of one `CERTIFICATE`
    /// block): what a wallet verifies the chip's heartbeats with. Decoding only: the
    /// binding checks the chain.
    #[napi(factory)]
    pub fn from_certificate(
        #[napi(ts_arg_type = "Buffer")] certificate: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let certificate = args::bytes(certificate, &"certificate")?;
        Ok(Self(
            poci::DevicePublicKey::from_certificate(&certificate).or_throw()?,
        ))
    }
    /// The uncompressed SEC1 point.
    #[napi(getter)]
    pub fn sec1(&self) -> Buffer {
        Buffer::from(self.0.sec1_bytes().to_vec())
    }
    /// The chip's key id.
    #[napi(getter)]
    pub fn key_id(&self) -> Buffer {
        Buffer::from(self.0.key_id().as_bytes().to_vec())
    }
}

/// A public-key argument: a `PublicKey`, or the uncompressed SEC1 bytes of one.
enum KeyArg<'a> {
    /// A parsed key.
    Parsed(ClassInstance<'a, PublicKey>),
    /// SEC1 bytes, not parsed yet.
    Sec1(Buffer),
}

impl<'a> KeyArg<'a> {
    /// Reads a `PublicKey | Buffer` argument.
    fn read(value: Unknown<'a>, name: Name<'_>) -> NodeResult<Self> {
        if let Ok(key) = args::instance::<PublicKey>(value, name, "PublicKey") {
            return Ok(Self::Parsed(key));
        }
        args::bytes(value, name)
            .map(Self::Sec1)
            .map_err(|_| args::mismatch(name, "a PublicKey or a Buffer", &value))
    }

    /// The key as is (no copy on the hot path), or parsed from its bytes.
    fn key(&self) -> NodeResult<std::borrow::Cow<'_, poci::DevicePublicKey>> {
        match self {
            Self::Parsed(key) => Ok(std::borrow::Cow::Borrowed(&key.0)),
            Self::Sec1(bytes) => poci::DevicePublicKey::from_sec1_bytes(bytes)
                .map(std::borrow::Cow::Owned)
                .or_throw(),
        }
    }

    /// The SEC1 bytes, for a batch item (decoded with its item, so a bad key fails that
    /// item only).
    fn sec1(&self) -> Vec<u8> {
        match self {
            Self::Parsed(key) => key.0.sec1_bytes().to_vec(),
            Self::Sec1(bytes) => bytes.to_vec(),
        }
    }
}

/// A P-256 device key for simulated chips (RFC 6979, low-S).
#[napi]
pub struct DeviceKey(poci::DeviceKey);

#[napi]
impl DeviceKey {
    /// Derives a key deterministically from a seed.
    #[napi(factory)]
    pub fn from_seed(
        #[napi(ts_arg_type = "Buffer")] seed: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let seed = args::bytes(seed, &"seed")?;
        Ok(Self(poci::DeviceKey::from_seed(&seed).or_throw()?))
    }
    /// A key from its 32-byte secret scalar.
    #[napi(factory)]
    pub fn from_secret_bytes(
        #[napi(ts_arg_type = "Buffer")] secret: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let secret = args::bytes(secret, &"secret")?;
        Ok(Self(
            poci::DeviceKey::from_secret_bytes(&secret).or_throw()?,
        ))
    }
    /// The secret scalar (keep it secret).
    #[napi]
    pub fn secret_bytes(&self) -> Buffer {
        Buffer::from(self.0.to_secret_bytes().to_vec())
    }
    /// The public key.
    #[napi(getter)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key().clone())
    }
    /// The chip's key id.
    #[napi(getter)]
    pub fn key_id(&self) -> Buffer {
        Buffer::from(self.0.key_id().as_bytes().to_vec())
    }
    /// Signs `message` (DER, low-S).
    #[napi]
    pub fn sign(
        &self,
        #[napi(ts_arg_type = "Buffer")] message: Unknown<'_>,
    ) -> napi::Result<Buffer, String> {
        let message = args::bytes(message, &"message")?;
        Ok(Buffer::from(self.0.sign(&message).or_throw()?))
    }
}

/// A `DeviceKey` argument.
fn device_key_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, DeviceKey>> {
    args::instance(value, name, "DeviceKey")
}

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

/// A list of `Buffer`s argument, as owned bytes.
fn buffers(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<Vec<u8>>> {
    args::list(value, name, "an array of Buffers", |item, name| {
        args::bytes(item, name).map(|bytes| bytes.to_vec())
    })
}

/// A list of 32-byte `Buffer`s argument.
fn buffers32(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<[u8; 32]>> {
    args::list(value, name, "an array of 32-byte Buffers", args::bytes32)
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
        certificates: fields.get("certificates", buffers)?,
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

/// The chip-model registry.
#[napi]
pub struct ChipModelRegistry(poci::ChipModelRegistry);

/// A `ChipModelRegistry` argument.
fn registry_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, ChipModelRegistry>> {
    args::instance(value, name, "ChipModelRegistry")
}

#[napi]
impl ChipModelRegistry {
    /// The default registry (real vendors, compiled in).
    #[napi(factory)]
    pub fn embedded() -> napi::Result<Self, String> {
        Ok(Self(poci::ChipModelRegistry::embedded().or_throw()?))
    }
    /// The default registry plus the synthetic test vendors.
    #[napi(factory)]
    pub fn embedded_with_test_vendors() -> napi::Result<Self, String> {
        Ok(Self(
            poci::ChipModelRegistry::embedded_with_test_vendors().or_throw()?,
        ))
    }
    /// A registry from manifests.
    #[napi(factory)]
    pub fn from_manifests(
        #[napi(ts_arg_type = "Array<Manifest>")] manifests: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let manifests = args::list(
            manifests,
            &"manifests",
            "an array of Manifests",
            Manifest::read,
        )?;
        let sources: Vec<poci::ManifestSource<'_>> = manifests
            .iter()
            .map(|(file, toml)| poci::ManifestSource { file, toml })
            .collect();
        Ok(Self(
            poci::ChipModelRegistry::from_manifests(&sources).or_throw()?,
        ))
    }
    /// The model with this id, or null.
    #[napi]
    pub fn get(
        &self,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
    ) -> napi::Result<Option<ChipModel>, String> {
        let model_id = args::string(model_id, &"modelId")?;
        Ok(self.0.get(&model_id).map(ChipModel::from))
    }
    /// Every model, by id.
    #[napi]
    pub fn models(&self) -> Vec<ChipModel> {
        self.0.models().map(ChipModel::from).collect()
    }
    /// Vendor ids, sorted.
    #[napi]
    pub fn vendor_ids(&self) -> Vec<String> {
        self.0
            .vendors()
            .map(|vendor| vendor.vendor_id.clone())
            .collect()
    }
    /// SHA-256 of the canonical encoding.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(Buffer::from(self.0.digest().or_throw()?.to_vec()))
    }
    /// What changed from this version to `newer`.
    #[napi]
    pub fn diff(
        &self,
        #[napi(ts_arg_type = "ChipModelRegistry")] newer: Unknown<'_>,
    ) -> napi::Result<RegistryDiff, String> {
        let newer = registry_arg(newer, &"newer")?;
        let diff = self.0.diff(&newer.0);
        Ok(RegistryDiff {
            added: diff.added,
            removed: diff.removed,
            rerated: diff
                .rerated
                .into_iter()
                .map(|r| Rerating {
                    model_id: r.model_id,
                    old_milli_cu: BigInt::from(r.old_milli_cu),
                    new_milli_cu: BigInt::from(r.new_milli_cu),
                })
                .collect(),
            changed: diff.changed,
        })
    }
    /// Number of models.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

/// Lists a vendor-roots/ folder and reads the files core's loader reads.
fn folder_files(root: &std::path::Path) -> napi::Result<Vec<(String, Vec<u8>)>, String> {
    poci_folder::read_vendor_roots(root).map_err(|error| invalid_argument(&error.to_string()))
}

/// One file of a vendor-roots/ folder: its path relative to the folder, and its bytes.
#[napi(object, object_to_js = false)]
pub struct FolderFile {
    pub path: String,
    pub bytes: Buffer,
}

impl FolderFile {
    /// Reads an array of `FolderFile` argument as `(relative path, bytes)` pairs.
    fn read_all(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<(String, Vec<u8>)>> {
        args::list(value, name, "an array of FolderFile", |item, name| {
            let fields = Fields::of(item, name, "a FolderFile { path, bytes }")?;
            Ok((
                fields.get("path", args::string)?,
                fields.get("bytes", args::bytes)?.to_vec(),
            ))
        })
    }
}

#[napi]
impl ChipModelRegistry {
    /// The registry of a vendor-roots/ folder's files, given as `{ path, bytes }` (paths
    /// relative to the folder; `fromFolder` lists and reads a folder on disk).
    #[napi(factory)]
    pub fn from_folder_files(
        #[napi(ts_arg_type = "Array<FolderFile>")] files: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let files = FolderFile::read_all(files, &"files")?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&poci_folder::as_folder(&files)).or_throw()?,
        ))
    }
    /// The registry of a vendor-roots/ folder (every `<vendor>/manifest.toml`).
    #[napi(factory)]
    pub fn from_folder(
        #[napi(ts_arg_type = "string")] path: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let path = args::string(path, &"path")?;
        let files = folder_files(std::path::Path::new(&path))?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&poci_folder::as_folder(&files)).or_throw()?,
        ))
    }
}

/// Whether a file of a vendor-roots/ folder, by its path relative to the folder, is one
/// the loader reads (the others may be left unread).
#[napi]
pub fn is_vendor_roots_file(
    #[napi(ts_arg_type = "string")] path: Unknown<'_>,
) -> napi::Result<bool, String> {
    let path = args::string(path, &"path")?;
    Ok(poci::is_vendor_roots_file(&path))
}

/// Registry versions with their activation epochs.
#[napi]
pub struct RegistrySchedule(poci::RegistrySchedule);

#[napi]
impl RegistrySchedule {
    /// `new RegistrySchedule(epochs, registries)`: one activation epoch per registry version,
    /// epochs strictly increasing.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "Array<bigint>")] epochs: Unknown<'_>,
        #[napi(ts_arg_type = "Array<ChipModelRegistry>")] registries: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let epochs = args::list(epochs, &"epochs", "an array of bigints", args::u64)?;
        let registries = args::list(
            registries,
            &"registries",
            "an array of ChipModelRegistry",
            registry_arg,
        )?;
        // zip would drop the extra entries of the longer list and rate from the wrong version.
        if epochs.len() != registries.len() {
            return Err(invalid_argument(
                "one activation epoch per registry version",
            ));
        }
        let versions = epochs
            .into_iter()
            .zip(&registries)
            .map(|(epoch, registry)| (epoch, registry.0.clone()))
            .collect();
        Ok(Self(poci::RegistrySchedule::new(versions).or_throw()?))
    }
    /// The model as rated at `epoch`, or null.
    #[napi]
    pub fn lookup(
        &self,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<Option<ChipModel>, String> {
        let model_id = args::string(model_id, &"modelId")?;
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(self.0.lookup(&model_id, epoch).map(ChipModel::from))
    }
}

/// Trust policy options.
#[napi(object, object_to_js = false)]
pub struct TrustOptions {
    pub allow_test_vendors: Option<bool>,
    pub unknown_revocation: Option<String>,
}

impl TrustOptions {
    /// Reads an optional `TrustOptions` argument into the core policy.
    fn read(value: Option<Unknown<'_>>, name: Name<'_>) -> NodeResult<poci::TrustPolicy> {
        let Some(value) = value.filter(|value| !args::is_absent(value)) else {
            return Ok(poci::TrustPolicy::default());
        };
        let fields = Fields::of(
            value,
            name,
            "a TrustOptions { allowTestVendors?, unknownRevocation? }",
        )?;
        let allow_test_vendors = fields.optional("allowTestVendors", args::boolean)?;
        let unknown_revocation = match fields.optional("unknownRevocation", args::string)? {
            None => poci::UnknownRevocationPolicy::default(),
            Some(name) => poci::UnknownRevocationPolicy::from_name(&name)
                .ok_or_else(|| invalid_argument("unknownRevocation must be 'deny' or 'allow'"))?,
        };
        Ok(poci::TrustPolicy {
            allow_test_vendors: allow_test_vendors.unwrap_or(false),
            unknown_revocation,
        })
    }
}

/// Vendor roots, CRLs and the registry.
#[napi]
#[derive(Clone)]
pub struct TrustStore(poci::TrustStore);

/// A `TrustStore` argument.
fn trust_store_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, TrustStore>> {
    args::instance(value, name, "TrustStore")
}

#[napi]
impl TrustStore {
    /// An empty store over `registry`.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "ChipModelRegistry")] registry: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let registry = registry_arg(registry, &"registry")?;
        let policy = TrustOptions::read(options, &"options")?;
        Ok(Self(poci::TrustStore::new(registry.0.clone(), policy)))
    }
    /// A store from a vendor-roots/ folder: every vendor's manifest, `roots/`, `crls/`
    /// and `intermediates/`; with `includeTestnet`, also `testnet/<vendor>/` roots as test
    /// roots (the one loader of core, shared with the CLI and Python).
    #[napi(factory)]
    pub fn from_folder(
        #[napi(ts_arg_type = "string")] path: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "boolean | undefined | null")] include_testnet: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let path = args::string(path, &"path")?;
        let policy = TrustOptions::read(options, &"options")?;
        let include_testnet = args::optional(include_testnet, |value| {
            args::boolean(value, &"includeTestnet")
        })?;
        let files = folder_files(std::path::Path::new(&path))?;
        Ok(Self(
            poci::TrustStore::from_folder(
                &poci_folder::as_folder(&files),
                policy,
                include_testnet.unwrap_or(false),
            )
            .or_throw()?,
        ))
    }
    /// The store of a vendor-roots/ folder's files, given as `{ path, bytes }` (as
    /// `fromFolder`, which lists and reads a folder on disk).
    #[napi(factory)]
    pub fn from_folder_files(
        #[napi(ts_arg_type = "Array<FolderFile>")] files: Unknown<'_>,
        #[napi(ts_arg_type = "TrustOptions | undefined | null")] options: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "boolean | undefined | null")] include_testnet: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let files = FolderFile::read_all(files, &"files")?;
        let policy = TrustOptions::read(options, &"options")?;
        let include_testnet = args::optional(include_testnet, |value| {
            args::boolean(value, &"includeTestnet")
        })?;
        Ok(Self(
            poci::TrustStore::from_folder(
                &poci_folder::as_folder(&files),
                policy,
                include_testnet.unwrap_or(false),
            )
            .or_throw()?,
        ))
    }
    /// SHA-256 of the store's contents (SPEC.md 11): equal digests, equal trust material.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(self.0.digest().or_throw()?.to_vec().into())
    }
    /// The test-network trust material compiled in.
    #[napi(factory)]
    pub fn embedded_testnet() -> napi::Result<Self, String> {
        Ok(Self(poci::TrustStore::embedded_testnet().or_throw()?))
    }
    /// A copy with a vendor's roots and CRLs (DER or PEM) added; `test` marks stand-ins.
    #[napi]
    pub fn with_roots(
        &self,
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] roots: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] crls: Unknown<'_>,
        #[napi(ts_arg_type = "boolean | undefined | null")] test: Option<Unknown<'_>>,
    ) -> napi::Result<TrustStore, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let roots = buffers(roots, &"roots")?;
        let crls = buffers(crls, &"crls")?;
        let test = args::optional(test, |value| args::boolean(value, &"test"))?;
        let mut store = self.0.clone();
        let kind = if test.unwrap_or(false) {
            poci::RootKind::Test
        } else {
            poci::RootKind::Vendor
        };
        let roots: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        store
            .add_roots(&vendor_id, kind, &roots, &crls)
            .or_throw()?;
        Ok(Self(store))
    }
    /// The registry.
    #[napi(getter)]
    pub fn registry(&self) -> ChipModelRegistry {
        ChipModelRegistry(self.0.registry().clone())
    }
    /// Number of roots.
    #[napi(getter)]
    pub fn root_count(&self) -> u32 {
        u32::try_from(self.0.root_count()).unwrap_or(u32::MAX)
    }
    /// Number of models in the registry.
    #[napi(getter)]
    pub fn model_count(&self) -> u32 {
        u32::try_from(self.0.registry().len()).unwrap_or(u32::MAX)
    }
}

/// An owned heartbeat check, ready to cross to a worker thread.
struct OwnedHeartbeat {
    der: Vec<u8>,
    /// Uncompressed SEC1: decoded with its item, so a bad key fails that item only.
    public_key: Vec<u8>,
    context: SlotArgs,
}

impl OwnedHeartbeat {
    fn item(&self) -> poci::HeartbeatSec1Item<'_> {
        poci::HeartbeatSec1Item {
            der: &self.der,
            public_key: &self.public_key,
            context: self.context.context(),
        }
    }
}

/// One item of a heartbeat batch: the key as `verifyHeartbeat` takes it (a `PublicKey` or
/// its SEC1 bytes).
#[napi(object, object_to_js = false)]
pub struct HeartbeatBatchItem {
    pub der: Buffer,
    #[napi(ts_type = "PublicKey | Buffer")]
    pub public_key: Buffer,
    pub context: HeartbeatContext,
}

impl HeartbeatBatchItem {
    /// Reads one item.
    fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<OwnedHeartbeat> {
        let fields = Fields::of(
            value,
            name,
            "a HeartbeatBatchItem { der, publicKey, context }",
        )?;
        Ok(OwnedHeartbeat {
            der: fields.get("der", args::bytes)?.to_vec(),
            public_key: fields.get("publicKey", |value, name| {
                KeyArg::read(value, name).map(|key| key.sec1())
            })?,
            context: fields.get("context", HeartbeatContext::read)?,
        })
    }
}

/// One result of a heartbeat batch: `verified` or `error` (its code) and `message`.
#[napi(object)]
pub struct HeartbeatBatchResult {
    pub verified: Option<VerifiedHeartbeat>,
    pub error: Option<String>,
    pub message: Option<String>,
}

/// Verifies a batch on the libuv thread pool.
pub struct VerifyBatch {
    verifier: std::sync::Arc<poci::Verifier>,
    items: Vec<OwnedHeartbeat>,
}

impl Task for VerifyBatch {
    type Output = poci::Result<Vec<poci::Result<poci::VerifiedHeartbeat>>>;
    type JsValue = Vec<HeartbeatBatchResult>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let batch: Vec<poci::HeartbeatSec1Item<'_>> =
            self.items.iter().map(OwnedHeartbeat::item).collect();
        Ok(self.verifier.verify_heartbeats_sec1(&batch))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        // The size was checked before the task was queued, so this cannot refuse; if it did,
        // the message keeps the code (a rejected promise carries no `.code` here).
        let output = output
            .map_err(|error| napi::Error::from_reason(format!("{}: {error}", error.code())))?;
        Ok(output
            .iter()
            .map(|result| match result {
                Ok(verified) => HeartbeatBatchResult {
                    verified: Some(VerifiedHeartbeat::from(verified)),
                    error: None,
                    message: None,
                },
                Err(error) => HeartbeatBatchResult {
                    verified: None,
                    error: Some(error.code().to_owned()),
                    message: Some(error.to_string()),
                },
            })
            .collect())
    }
}

/// What a binding must match.
#[napi(object, object_to_js = false)]
pub struct BindingContext {
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub wallet: Buffer,
}

/// A read `BindingContext`.
struct BindingArgs {
    epoch: u64,
    slot: u32,
    challenge: [u8; 32],
    wallet: Buffer,
}

impl BindingContext {
    /// Reads a `BindingContext` argument.
    fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<BindingArgs> {
        let fields = Fields::of(
            value,
            name,
            "a BindingContext { epoch, slot, challenge, wallet }",
        )?;
        Ok(BindingArgs {
            epoch: fields.get("epoch", args::u64)?,
            slot: fields.get("slot", args::u32)?,
            challenge: fields.get("challenge", args::bytes32)?,
            wallet: fields.get("wallet", args::bytes)?,
        })
    }
}

/// Verifies proofs with one backend and one trust store.
#[napi]
pub struct Verifier(std::sync::Arc<poci::Verifier>);

/// A `Verifier` argument.
fn verifier_arg<'a>(value: Unknown<'a>, name: Name<'_>) -> NodeResult<ClassInstance<'a, Verifier>> {
    args::instance(value, name, "Verifier")
}

/// An optional backend name argument: `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
fn backend_arg(value: Option<Unknown<'_>>, name: Name<'_>) -> NodeResult<poci::Backend> {
    match args::optional(value, |value| args::string(value, name))? {
        None => Ok(poci::Backend::default()),
        Some(backend) => poci::Backend::from_name(&backend)
            .ok_or_else(|| invalid_argument(&format!("unknown backend {backend:?}"))),
    }
}

#[napi]
impl Verifier {
    /// A verifier; `backend` is `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "TrustStore | undefined | null")] trust_store: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "string | undefined | null")] backend: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let trust_store =
            args::optional(trust_store, |value| trust_store_arg(value, &"trustStore"))?;
        let backend = backend_arg(backend, &"backend")?;
        let verifier = match trust_store {
            Some(store) => poci::Verifier::with_trust_store(store.0.clone()),
            None => poci::Verifier::default(),
        };
        Ok(Self(std::sync::Arc::new(verifier.with_backend(backend))))
    }
    /// A verifier over `trustStore`, then each of `later` from its activation epoch
    /// (SPEC.md 18.5; epochs strictly increasing, after 0).
    #[napi(factory)]
    pub fn scheduled(
        #[napi(ts_arg_type = "TrustStore")] trust_store: Unknown<'_>,
        #[napi(ts_arg_type = "Array<bigint>")] activation_epochs: Unknown<'_>,
        #[napi(ts_arg_type = "Array<TrustStore>")] later: Unknown<'_>,
        #[napi(ts_arg_type = "string | undefined | null")] backend: Option<Unknown<'_>>,
    ) -> napi::Result<Self, String> {
        let trust_store = trust_store_arg(trust_store, &"trustStore")?;
        let epochs = args::list(
            activation_epochs,
            &"activationEpochs",
            "an array of bigints",
            args::u64,
        )?;
        let later = args::list(later, &"later", "an array of TrustStore", trust_store_arg)?;
        let backend = backend_arg(backend, &"backend")?;
        if epochs.len() != later.len() {
            return Err(invalid_argument("one activation epoch per trust store"));
        }
        let mut verifier = poci::Verifier::with_trust_store(trust_store.0.clone());
        for (epoch, store) in epochs.into_iter().zip(&later) {
            verifier
                .schedule_trust_store(epoch, store.0.clone())
                .or_throw()?;
        }
        Ok(Self(std::sync::Arc::new(verifier.with_backend(backend))))
    }
    /// Verifies a heartbeat against the chip's registered key (`PublicKey` or SEC1 bytes).
    #[napi]
    pub fn verify_heartbeat(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey | Buffer")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "HeartbeatContext")] context: Unknown<'_>,
    ) -> napi::Result<VerifiedHeartbeat, String> {
        let der = args::bytes(der, &"der")?;
        let key = KeyArg::read(public_key, &"publicKey")?;
        let key = key.key()?;
        let context = HeartbeatContext::read(context, &"context")?;
        let verified = self
            .0
            .verify_heartbeat(&der, &key, &context.context())
            .or_throw()?;
        Ok(VerifiedHeartbeat::from(&verified))
    }
    /// Verifies many heartbeats off the main thread; resolves to one result per item.
    /// Each item's key is a `PublicKey` or its SEC1 bytes, as `verifyHeartbeat` takes it.
    /// Throws `BATCH_TOO_LARGE` beyond `MAX_BATCH_LEN` (65,536) items, before checking any.
    #[napi(ts_return_type = "Promise<Array<HeartbeatBatchResult>>")]
    pub fn verify_heartbeats(
        &self,
        #[napi(ts_arg_type = "Array<HeartbeatBatchItem>")] items: Unknown<'_>,
    ) -> napi::Result<AsyncTask<VerifyBatch>, String> {
        let items = args::list(
            items,
            &"items",
            "an array of HeartbeatBatchItem",
            HeartbeatBatchItem::read,
        )?;
        poci::limits::check_batch_len(items.len()).or_throw()?;
        Ok(AsyncTask::new(VerifyBatch {
            verifier: self.0.clone(),
            items,
        }))
    }
    /// Verifies an NVIDIA GPU's attestation report and its certificate chain (leaf first)
    /// against the trust store's NVIDIA roots at unix `time`, for `nonce`.
    #[napi]
    pub fn verify_nvidia_report(
        &self,
        #[napi(ts_arg_type = "Buffer")] report: Unknown<'_>,
        #[napi(ts_arg_type = "Array<Buffer>")] chain: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] nonce: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] time: Unknown<'_>,
    ) -> napi::Result<VerifiedNvidiaReport, String> {
        let report = args::bytes(report, &"report")?;
        let chain = buffers(chain, &"chain")?;
        let nonce = args::bytes32(nonce, &"nonce")?;
        let time = args::u64(time, &"time")?;
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        Ok(VerifiedNvidiaReport::from(
            &self
                .0
                .verify_nvidia_report(&report, &chain, &nonce, time)
                .or_throw()?,
        ))
    }
    /// Verifies a chip binding submitted by `context.wallet`.
    #[napi]
    pub fn verify_binding(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "NetworkParams")] params: Unknown<'_>,
        #[napi(ts_arg_type = "BindingContext")] context: Unknown<'_>,
    ) -> napi::Result<VerifiedBinding, String> {
        let der = args::bytes(der, &"der")?;
        let params = params_arg(params, &"params")?;
        let context = BindingContext::read(context, &"context")?;
        let binding = poci::BindingContext::new(
            &params.0,
            context.epoch,
            context.slot,
            &context.challenge,
            &context.wallet,
        );
        Ok(VerifiedBinding::from(
            &self.0.verify_binding(&der, &binding).or_throw()?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip (`PublicKey` or SEC1 bytes).
    #[napi]
    pub fn verify_lease_acceptance(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey | Buffer")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "string")] network_id: Unknown<'_>,
    ) -> napi::Result<VerifiedLeaseAcceptance, String> {
        let der = args::bytes(der, &"der")?;
        let key = KeyArg::read(public_key, &"publicKey")?;
        let key = key.key()?;
        let network_id = args::string(network_id, &"networkId")?;
        Ok(VerifiedLeaseAcceptance::from(
            &self
                .0
                .verify_lease_acceptance(&der, &key, &network_id)
                .or_throw()?,
        ))
    }
}

/// The benchmark hook, only in builds with the `bench` feature (bench/overhead.mjs): not
/// part of the package's API or its type declarations.
#[cfg(feature = "bench")]
#[napi]
impl Verifier {
    /// Times `iterations` calls of verifyHeartbeat inside Rust; nanoseconds per call
    /// (for bench/overhead.mjs, not for verification).
    #[napi]
    pub fn time_verify_heartbeat_in_rust(
        &self,
        #[napi(ts_arg_type = "Buffer")] der: Unknown<'_>,
        #[napi(ts_arg_type = "PublicKey")] public_key: Unknown<'_>,
        #[napi(ts_arg_type = "HeartbeatContext")] context: Unknown<'_>,
        #[napi(ts_arg_type = "number")] iterations: Unknown<'_>,
    ) -> napi::Result<f64, String> {
        let der = args::bytes(der, &"der")?;
        let public_key = args::instance::<PublicKey>(public_key, &"publicKey", "PublicKey")?;
        let context = HeartbeatContext::read(context, &"context")?;
        let iterations = args::u32(iterations, &"iterations")?;
        let context = context.context();
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            self.0
                .verify_heartbeat(&der, &public_key.0, &context)
                .or_throw()?;
        }
        Ok(start.elapsed().as_nanos() as f64 / f64::from(iterations.max(1)))
    }
}

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
        let chain = buffers(chain, &"chain")?;
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
        let challenges =
            args::optional(slot_challenges, |value| buffers32(value, &"slotChallenges"))?
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

/// An emission schedule, capped.
#[napi]
pub struct EmissionSchedule(poci::rewards::emission::EmissionSchedule);

#[napi]
impl EmissionSchedule {
    /// Halving: `basePerEpoch >> era`.
    #[napi(factory)]
    pub fn halving(
        #[napi(ts_arg_type = "bigint")] base_per_epoch: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epochs_per_era: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] cap: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let schedule = poci::rewards::emission::EmissionSchedule::Halving(
            poci::rewards::emission::HalvingSchedule {
                base_per_epoch: args::u128(base_per_epoch, &"basePerEpoch")?,
                epochs_per_era: args::u64(epochs_per_era, &"epochsPerEra")?,
                cap: args::u128(cap, &"cap")?,
            },
        );
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// Yearly inflation in basis points on the supply at the year's start.
    #[napi(factory)]
    pub fn inflation(
        #[napi(ts_arg_type = "bigint")] initial_supply: Unknown<'_>,
        #[napi(ts_arg_type = "number")] bps_per_year: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epochs_per_year: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] cap: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let schedule = poci::rewards::emission::EmissionSchedule::Inflation(
            poci::rewards::emission::InflationSchedule {
                initial_supply: args::u128(initial_supply, &"initialSupply")?,
                bps_per_year: args::u32(bps_per_year, &"bpsPerYear")?,
                epochs_per_year: args::u64(epochs_per_year, &"epochsPerYear")?,
                cap: args::u128(cap, &"cap")?,
            },
        );
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// Any schedule from its JSON form (SPEC.md 15.1).
    #[napi(factory)]
    pub fn from_json(
        #[napi(ts_arg_type = "string")] text: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let text = args::string(text, &"text")?;
        let schedule: poci::rewards::emission::EmissionSchedule =
            poci::json::from_json(&text).or_throw()?;
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// The JSON form.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String, String> {
        poci::json::to_json(&self.0).or_throw()
    }
    /// The emission of `epoch`, base units.
    #[napi]
    pub fn emission(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.emission(epoch).or_throw()?))
    }
    /// Total supply before `epoch`, base units.
    #[napi]
    pub fn cumulative(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.cumulative(epoch).or_throw()?))
    }
    /// Total supply once `epoch` is paid, `C(epoch + 1)`, base units (the last epoch too).
    #[napi]
    pub fn supply_after(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.supply_after(epoch).or_throw()?))
    }
    /// The supply cap.
    #[napi(getter)]
    pub fn cap(&self) -> BigInt {
        BigInt::from(self.0.cap())
    }
}

/// Splits an emission into pools (default: miners 9700 bps, three 100 bps pools).
#[napi]
pub fn split_emission(
    #[napi(ts_arg_type = "bigint")] emission: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] miners_bps: Option<Unknown<'_>>,
    #[napi(ts_arg_type = "Array<NamedPool> | undefined | null")] pools: Option<Unknown<'_>>,
) -> napi::Result<PoolAmounts, String> {
    let emission = args::u128(emission, &"emission")?;
    let miners_bps = args::optional(miners_bps, |value| args::u32(value, &"minersBps"))?;
    let pools = args::optional(pools, |value| {
        args::list(value, &"pools", "an array of NamedPool", NamedPool::read)
    })?;
    let default = poci::rewards::pools::PoolSplit::default();
    let split = poci::rewards::pools::PoolSplit {
        miners_bps: miners_bps.unwrap_or(default.miners_bps),
        pools: pools.unwrap_or(default.pools),
    };
    Ok(PoolAmounts::from(&split.split(emission).or_throw()?))
}

/// An array of `Availability` argument, as allocation inputs.
fn availability_arg(
    value: Unknown<'_>,
    name: Name<'_>,
) -> NodeResult<Vec<poci::rewards::allocation::AllocationInput>> {
    args::list(value, name, "an array of Availability", Availability::read)
}

/// Allocates the miners' pool by weight = rating x proven slots.
#[napi]
pub fn allocate(
    #[napi(ts_arg_type = "bigint")] pool: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Availability>")] availability: Unknown<'_>,
    #[napi(ts_arg_type = "number")] slots_per_epoch: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] min_availability_bps: Option<Unknown<'_>>,
) -> napi::Result<Allocation, String> {
    let pool = args::u128(pool, &"pool")?;
    let entries = availability_arg(availability, &"availability")?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch: args::u32(slots_per_epoch, &"slotsPerEpoch")?,
        min_availability_bps: args::optional(min_availability_bps, |value| {
            args::u32(value, &"minAvailabilityBps")
        })?
        .unwrap_or(0),
    };
    Ok(Allocation::from(
        &poci::rewards::allocation::allocate(pool, &entries, &policy).or_throw()?,
    ))
}

/// The epoch report of SPEC.md 15.6 as JSON (what a node publishes and a wallet reads):
/// emission from `schedule`, the default pool split, the miners' pool allocated over
/// `availability`.
#[napi]
pub fn epoch_report_json(
    #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    #[napi(ts_arg_type = "EmissionSchedule")] schedule: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Availability>")] availability: Unknown<'_>,
    #[napi(ts_arg_type = "number")] slots_per_epoch: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] min_availability_bps: Option<Unknown<'_>>,
) -> napi::Result<String, String> {
    let epoch = args::u64(epoch, &"epoch")?;
    let schedule = args::instance::<EmissionSchedule>(schedule, &"schedule", "EmissionSchedule")?;
    let entries = availability_arg(availability, &"availability")?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch: args::u32(slots_per_epoch, &"slotsPerEpoch")?,
        min_availability_bps: args::optional(min_availability_bps, |value| {
            args::u32(value, &"minAvailabilityBps")
        })?
        .unwrap_or(0),
    };
    let report = poci::rewards::report::EpochReport::compute(
        epoch,
        &schedule.0,
        &poci::rewards::pools::PoolSplit::default(),
        &entries,
        &policy,
        poci::rewards::report::RejectionTally::default(),
    )
    .or_throw()?;
    poci::json::to_json(&report).or_throw()
}

/// Settles a lease: rent for the proven slots, the rest refunded.
#[napi]
pub fn settle_lease(
    #[napi(ts_arg_type = "bigint")] price: Unknown<'_>,
    #[napi(ts_arg_type = "bigint")] lease_slots: Unknown<'_>,
    #[napi(ts_arg_type = "bigint")] proven_slots: Unknown<'_>,
) -> napi::Result<LeaseSettlement, String> {
    let settlement = poci::rewards::lease::settle(
        args::u128(price, &"price")?,
        args::u128(lease_slots, &"leaseSlots")?,
        args::u128(proven_slots, &"provenSlots")?,
    )
    .or_throw()?;
    Ok(LeaseSettlement {
        rent: BigInt::from(settlement.rent),
        refund: BigInt::from(settlement.refund),
    })
}

/// Picks the slot's producer, weighted; null without weight.
#[napi]
pub fn select_producer(
    #[napi(ts_arg_type = "Buffer")] beacon: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Candidate>")] candidates: Unknown<'_>,
) -> napi::Result<Option<Buffer>, String> {
    let beacon = args::bytes32(beacon, &"beacon")?;
    let list = args::list(
        candidates,
        &"candidates",
        "an array of Candidate",
        Candidate::read,
    )?;
    let producer =
        poci::rewards::producer::select_producer(&beacon, &list).map_err(|e| thrown(&e))?;
    Ok(producer.map(|id| Buffer::from(id.as_bytes().to_vec())))
}

/// The certificates of a PEM text, in order (DER each): an NVIDIA GPU's chain as NVML
/// returns it.
#[napi]
pub fn certificates_from_pem(
    #[napi(ts_arg_type = "string")] text: Unknown<'_>,
) -> napi::Result<Vec<Buffer>, String> {
    let text = args::string(text, &"text")?;
    Ok(poci::x509::certificates_from_pem(&text)
        .or_throw()?
        .into_iter()
        .map(Buffer::from)
        .collect())
}

/// A deterministic test vendor that mints simulated chips.
#[napi]
pub struct TestVendor(poci::x509::mint::TestVendor);

/// A minted chip: its device key and certificate.
#[napi]
pub struct MintedChip {
    key: Option<poci::DeviceKey>,
    certificate: Vec<u8>,
}

#[napi]
impl MintedChip {
    /// The chip's device key.
    #[napi(getter)]
    pub fn key(&self) -> napi::Result<DeviceKey, String> {
        self.key
            .clone()
            .map(DeviceKey)
            .ok_or_else(|| invalid_argument("no key"))
    }
    /// The device certificate (DER).
    #[napi(getter)]
    pub fn certificate(&self) -> Buffer {
        Buffer::from(self.certificate.clone())
    }
}

#[napi]
impl TestVendor {
    /// One of the repository's test vendors.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "string")] organization: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let organization = args::string(organization, &"organization")?;
        Ok(Self(
            poci::x509::mint::TestVendor::from_seed(&vendor_id, &organization).or_throw()?,
        ))
    }
    /// The testnet stand-in of a real vendor.
    #[napi(factory)]
    pub fn testnet(
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "string")] display_name: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let display_name = args::string(display_name, &"displayName")?;
        Ok(Self(
            poci::x509::mint::testnet_vendor(&vendor_id, &display_name).or_throw()?,
        ))
    }
    /// Mints a chip of `modelId` with `serial`: its device key (from `seed`) and device
    /// certificate; `certificateSerial` and `securityVersion` default to 1.
    #[napi]
    pub fn mint_chip(
        &self,
        #[napi(ts_arg_type = "Buffer")] seed: Unknown<'_>,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] serial: Unknown<'_>,
        #[napi(ts_arg_type = "bigint | undefined | null")] certificate_serial: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "number | undefined | null")] security_version: Option<Unknown<'_>>,
    ) -> napi::Result<MintedChip, String> {
        let seed = args::bytes(seed, &"seed")?;
        let identity = poci::ChipIdentity {
            model_id: args::string(model_id, &"modelId")?,
            serial: args::bytes(serial, &"serial")?.to_vec(),
            security_version: args::optional(security_version, |value| {
                args::u32(value, &"securityVersion")
            })?
            .unwrap_or(1),
        };
        let certificate_serial = args::optional(certificate_serial, |value| {
            args::u64(value, &"certificateSerial")
        })?
        .unwrap_or(1);
        let (key, certificate) = self
            .0
            .mint_chip(&seed, &identity, certificate_serial)
            .or_throw()?;
        Ok(MintedChip {
            key: Some(key),
            certificate,
        })
    }
    /// The intermediate certificate chips carry (DER).
    #[napi(getter)]
    pub fn intermediate_der(&self) -> Buffer {
        Buffer::from(self.0.intermediate_der.clone())
    }
}

/// Every error code of SPEC.md.
#[napi]
pub fn error_codes() -> Vec<String> {
    poci::Error::ALL_CODES
        .iter()
        .map(|code| (*code).to_owned())
        .collect()
}

/// The name of every error family of the core (a thrown error carries its code only; the
/// family of a code is the core's).
#[napi]
pub fn error_families() -> Vec<String> {
    poci::ErrorFamily::ALL
        .iter()
        .map(|family| family.name().to_owned())
        .collect()
}
