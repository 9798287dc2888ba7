//! Node.js bindings of POCI (napi-rs): the core's verification and reward math for
//! wallets. Conversion and error mapping only; every rule lives in the core crate.

mod error;
mod types;

use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;

use error::{NodeResult, OrThrow, invalid_argument, thrown};
use types::{
    Allocation, Availability, BindingOutcome, Candidate, ChipModel, ChipRecord, ClosedEpoch,
    CurrentSlot, HeartbeatContext, LeaseSettlement, Manifest, NamedPool, PoolAmounts, RegistryDiff,
    Rerating, SettledLease, SlotId, VerifiedBinding, VerifiedHeartbeat, VerifiedLeaseAcceptance,
    VerifiedNvidiaReport, bytes32, u64_of, u128_of,
};

/// Network parameters: network id, genesis, epoch length, slots per epoch.
#[napi]
pub struct NetworkParams(poci::NetworkParams);

#[napi]
impl NetworkParams {
    /// Checks and builds network parameters.
    #[napi(constructor)]
    pub fn new(
        network_id: String,
        genesis_unix: BigInt,
        epoch_seconds: BigInt,
        slots_per_epoch: u32,
    ) -> napi::Result<Self, String> {
        let genesis = u64_of(&genesis_unix, "genesisUnix must be a u64 bigint")?;
        let epoch_seconds = u64_of(&epoch_seconds, "epochSeconds must be a u64 bigint")?;
        Ok(Self(
            poci::NetworkParams::new(&network_id, genesis, epoch_seconds, slots_per_epoch)
                .or_throw()?,
        ))
    }
    /// Parses the JSON form (invalid values: `INVALID_NETWORK_PARAMS`).
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<Self, String> {
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
    /// Slots per epoch.
    #[napi(getter)]
    pub fn slots_per_epoch(&self) -> u32 {
        self.0.slots_per_epoch()
    }
    /// Unix time at which `slot` of `epoch` starts.
    #[napi]
    pub fn slot_start_unix(&self, epoch: BigInt, slot: u32) -> napi::Result<BigInt, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        Ok(BigInt::from(
            self.0.slot_start_unix(epoch, slot).or_throw()?,
        ))
    }
    /// The slot containing unix time `unix`.
    #[napi]
    pub fn slot_at_unix(&self, unix: BigInt) -> napi::Result<SlotId, String> {
        let id = self
            .0
            .slot_at_unix(u64_of(&unix, "unix must be a u64 bigint")?)
            .or_throw()?;
        Ok(SlotId {
            epoch: BigInt::from(id.epoch),
            slot: id.slot,
        })
    }
}

/// The challenge of `slot` of `epoch` (SPEC.md 5).
#[napi]
pub fn derive_challenge(
    params: &NetworkParams,
    epoch: BigInt,
    slot: u32,
    beacon: Buffer,
) -> napi::Result<Buffer, String> {
    let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
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
    params: &NetworkParams,
    context: BindingContext,
    purpose: String,
) -> napi::Result<Buffer, String> {
    let purpose = poci::evidence::nonce::EvidencePurpose::from_name(&purpose)
        .ok_or_else(|| invalid_argument("purpose must be 'binding' or 'heartbeat'"))?;
    let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
    let slot_context = poci::SlotContext {
        network_id: params.0.network_id(),
        epoch: u64_of(&context.epoch, "epoch must be a u64 bigint")?,
        slot: context.slot,
        challenge: &challenge,
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
    pub fn new(sec1: Buffer) -> napi::Result<Self, String> {
        Ok(Self(
            poci::DevicePublicKey::from_sec1_bytes(&sec1).or_throw()?,
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

/// A P-256 device key for simulated chips (RFC 6979, low-S).
#[napi]
pub struct DeviceKey(poci::DeviceKey);

#[napi]
impl DeviceKey {
    /// Derives a key deterministically from a seed.
    #[napi(factory)]
    pub fn from_seed(seed: Buffer) -> napi::Result<Self, String> {
        Ok(Self(poci::DeviceKey::from_seed(&seed).or_throw()?))
    }
    /// A key from its 32-byte secret scalar.
    #[napi(factory)]
    pub fn from_secret_bytes(secret: Buffer) -> napi::Result<Self, String> {
        Ok(Self(
            poci::DeviceKey::from_secret_bytes(&secret).or_throw()?,
        ))
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
    pub fn sign(&self, message: Buffer) -> napi::Result<Buffer, String> {
        Ok(Buffer::from(self.0.sign(&message).or_throw()?))
    }
}

/// The fields of a heartbeat to sign.
#[napi(object)]
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
#[napi(object)]
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
#[napi(object)]
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
            pub fn from_der(der: Buffer) -> napi::Result<Self, String> {
                Ok(Self(<$core>::from_der(&der).or_throw()?))
            }
            /// Parses the JSON form of SPEC.md.
            #[napi(factory)]
            pub fn from_json(text: String) -> napi::Result<Self, String> {
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

/// Signs a heartbeat with a device key.
#[napi]
pub fn sign_heartbeat(key: &DeviceKey, fields: HeartbeatInput) -> napi::Result<Heartbeat, String> {
    let measurement = fields
        .measurement
        .map(|m| bytes32(&m, "measurement must be 32 bytes"))
        .transpose()?;
    let tbs = poci::HeartbeatTbs {
        network_id: fields.network_id,
        chip_key_id: *key.0.key_id(),
        wallet: fields.wallet.to_vec(),
        epoch: u64_of(&fields.epoch, "epoch must be a u64 bigint")?,
        slot: fields.slot,
        challenge: bytes32(&fields.challenge, "challenge must be 32 bytes")?,
        counter: u64_of(&fields.counter, "counter must be a u64 bigint")?,
        measurement,
    };
    Ok(Heartbeat(poci::Signed::sign(tbs, &key.0).or_throw()?))
}

/// Signs a chip binding with the chip's device key.
#[napi]
pub fn sign_chip_binding(
    key: &DeviceKey,
    fields: ChipBindingInput,
) -> napi::Result<ChipBinding, String> {
    let tbs = poci::ChipBindingTbs {
        network_id: fields.network_id,
        chip_serial: fields.chip_serial.to_vec(),
        model_id: fields.model_id,
        wallet: fields.wallet.to_vec(),
        binding_counter: u64_of(
            &fields.binding_counter,
            "bindingCounter must be a u64 bigint",
        )?,
        epoch: u64_of(&fields.epoch, "epoch must be a u64 bigint")?,
        slot: fields.slot,
        challenge: bytes32(&fields.challenge, "challenge must be 32 bytes")?,
        certificates: fields.certificates.iter().map(|c| c.to_vec()).collect(),
    };
    Ok(ChipBinding(poci::Signed::sign(tbs, &key.0).or_throw()?))
}

/// Signs a lease acceptance with the rented chip's key.
#[napi]
pub fn sign_lease_acceptance(
    key: &DeviceKey,
    fields: LeaseInput,
) -> napi::Result<LeaseAcceptance, String> {
    let tbs = poci::LeaseAcceptanceTbs {
        network_id: fields.network_id,
        lease_id: fields.lease_id.to_vec(),
        renter_wallet: fields.renter_wallet.to_vec(),
        chip_key_id: *key.0.key_id(),
        first_epoch: u64_of(&fields.first_epoch, "firstEpoch must be a u64 bigint")?,
        last_epoch: u64_of(&fields.last_epoch, "lastEpoch must be a u64 bigint")?,
        price: u128_of(&fields.price, "price must be a u128 bigint")?,
    };
    Ok(LeaseAcceptance(poci::Signed::sign(tbs, &key.0).or_throw()?))
}

/// The chip-model registry.
#[napi]
pub struct ChipModelRegistry(poci::ChipModelRegistry);

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
    pub fn from_manifests(manifests: Vec<Manifest>) -> napi::Result<Self, String> {
        let sources: Vec<poci::ManifestSource<'_>> = manifests
            .iter()
            .map(|m| poci::ManifestSource {
                file: &m.file,
                toml: &m.toml,
            })
            .collect();
        Ok(Self(
            poci::ChipModelRegistry::from_manifests(&sources).or_throw()?,
        ))
    }
    /// The model with this id, or null.
    #[napi]
    pub fn get(&self, model_id: String) -> Option<ChipModel> {
        self.0.get(&model_id).map(ChipModel::from)
    }
    /// Every model, by id.
    #[napi]
    pub fn models(&self) -> Vec<ChipModel> {
        self.0.models().map(ChipModel::from).collect()
    }
    /// SHA-256 of the canonical encoding.
    #[napi]
    pub fn digest(&self) -> napi::Result<Buffer, String> {
        Ok(Buffer::from(self.0.digest().or_throw()?.to_vec()))
    }
    /// What changed from this version to `newer`.
    #[napi]
    pub fn diff(&self, newer: &ChipModelRegistry) -> RegistryDiff {
        let diff = self.0.diff(&newer.0);
        RegistryDiff {
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
        }
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

#[napi]
impl ChipModelRegistry {
    /// The registry of a vendor-roots/ folder (every `<vendor>/manifest.toml`).
    #[napi(factory)]
    pub fn from_folder(path: String) -> napi::Result<Self, String> {
        let files = folder_files(std::path::Path::new(&path))?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&poci_folder::as_folder(&files)).or_throw()?,
        ))
    }
}

/// Registry versions with their activation epochs.
#[napi]
pub struct RegistrySchedule(poci::RegistrySchedule);

#[napi]
impl RegistrySchedule {
    /// `new RegistrySchedule([[activationEpoch, registry], ...])`, epochs strictly increasing.
    #[napi(constructor)]
    pub fn new(
        epochs: Vec<BigInt>,
        registries: Vec<&ChipModelRegistry>,
    ) -> napi::Result<Self, String> {
        // zip would drop the extra entries of the longer list and rate from the wrong version.
        if epochs.len() != registries.len() {
            return Err(invalid_argument(
                "one activation epoch per registry version",
            ));
        }
        let mut versions = Vec::with_capacity(epochs.len());
        for (epoch, registry) in epochs.iter().zip(registries) {
            versions.push((
                u64_of(epoch, "activation epoch must be a u64 bigint")?,
                registry.0.clone(),
            ));
        }
        Ok(Self(poci::RegistrySchedule::new(versions).or_throw()?))
    }
    /// The model as rated at `epoch`, or null.
    #[napi]
    pub fn lookup(
        &self,
        model_id: String,
        epoch: BigInt,
    ) -> napi::Result<Option<ChipModel>, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        Ok(self.0.lookup(&model_id, epoch).map(ChipModel::from))
    }
}

/// Trust policy options.
#[napi(object)]
pub struct TrustOptions {
    pub allow_test_vendors: Option<bool>,
    pub unknown_revocation: Option<String>,
}

fn trust_policy(options: Option<TrustOptions>) -> napi::Result<poci::TrustPolicy, String> {
    let options = options.unwrap_or(TrustOptions {
        allow_test_vendors: None,
        unknown_revocation: None,
    });
    let unknown_revocation = match options.unknown_revocation.as_deref() {
        None => poci::UnknownRevocationPolicy::default(),
        Some(name) => poci::UnknownRevocationPolicy::from_name(name)
            .ok_or_else(|| invalid_argument("unknownRevocation must be 'deny' or 'allow'"))?,
    };
    Ok(poci::TrustPolicy {
        allow_test_vendors: options.allow_test_vendors.unwrap_or(false),
        unknown_revocation,
    })
}

/// Vendor roots, CRLs and the registry.
#[napi]
#[derive(Clone)]
pub struct TrustStore(poci::TrustStore);

#[napi]
impl TrustStore {
    /// An empty store over `registry`.
    #[napi(constructor)]
    pub fn new(
        registry: &ChipModelRegistry,
        options: Option<TrustOptions>,
    ) -> napi::Result<Self, String> {
        Ok(Self(poci::TrustStore::new(
            registry.0.clone(),
            trust_policy(options)?,
        )))
    }
    /// A store from a vendor-roots/ folder: every vendor's manifest, `roots/`, `crls/`
    /// and `intermediates/`; with `includeTestnet`, also `testnet/<vendor>/` roots as test
    /// roots (the one loader of core, shared with the CLI and Python).
    #[napi(factory)]
    pub fn from_folder(
        path: String,
        options: Option<TrustOptions>,
        include_testnet: Option<bool>,
    ) -> napi::Result<Self, String> {
        let files = folder_files(std::path::Path::new(&path))?;
        let policy = trust_policy(options)?;
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
        vendor_id: String,
        roots: Vec<Buffer>,
        crls: Vec<Buffer>,
        test: Option<bool>,
    ) -> napi::Result<TrustStore, String> {
        let mut store = self.0.clone();
        let kind = if test.unwrap_or(false) {
            poci::RootKind::Test
        } else {
            poci::RootKind::Vendor
        };
        let roots: Vec<&[u8]> = roots.iter().map(|r| r.as_ref()).collect();
        let crls: Vec<&[u8]> = crls.iter().map(|c| c.as_ref()).collect();
        store
            .add_roots(&vendor_id, kind, &roots, &crls)
            .or_throw()?;
        Ok(Self(store))
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

/// The key of a `PublicKey` as is (no copy on the hot path), or parsed from SEC1 bytes.
fn key_of(
    key: Either<&PublicKey, Buffer>,
) -> napi::Result<std::borrow::Cow<'_, poci::DevicePublicKey>, String> {
    match key {
        Either::A(key) => Ok(std::borrow::Cow::Borrowed(&key.0)),
        Either::B(bytes) => poci::DevicePublicKey::from_sec1_bytes(&bytes)
            .map(std::borrow::Cow::Owned)
            .or_throw(),
    }
}

/// An owned heartbeat check, ready to cross to a worker thread.
struct OwnedHeartbeat {
    der: Vec<u8>,
    /// Uncompressed SEC1: decoded with its item, so a bad key fails that item only.
    public_key: Vec<u8>,
    network_id: String,
    epoch: u64,
    slot: u32,
    challenge: [u8; 32],
    wallet: Vec<u8>,
}

impl OwnedHeartbeat {
    fn from_js(
        der: &[u8],
        public_key: &[u8],
        context: &HeartbeatContext,
    ) -> napi::Result<Self, String> {
        Ok(Self {
            der: der.to_vec(),
            public_key: public_key.to_vec(),
            network_id: context.network_id.clone(),
            epoch: u64_of(&context.epoch, "epoch must be a u64 bigint")?,
            slot: context.slot,
            challenge: bytes32(&context.challenge, "challenge must be 32 bytes")?,
            wallet: context.wallet.to_vec(),
        })
    }

    fn item(&self) -> poci::HeartbeatSec1Item<'_> {
        poci::HeartbeatSec1Item {
            der: &self.der,
            public_key: &self.public_key,
            context: poci::SlotContext {
                network_id: &self.network_id,
                epoch: self.epoch,
                slot: self.slot,
                challenge: &self.challenge,
                wallet: &self.wallet,
            },
        }
    }
}

/// One item of a heartbeat batch.
#[napi(object)]
pub struct HeartbeatBatchItem {
    pub der: Buffer,
    pub public_key: Buffer,
    pub context: HeartbeatContext,
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
#[napi(object)]
pub struct BindingContext {
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub wallet: Buffer,
}

/// Verifies proofs with one backend and one trust store.
#[napi]
pub struct Verifier(std::sync::Arc<poci::Verifier>);

#[napi]
impl Verifier {
    /// A verifier; `backend` is `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
    #[napi(constructor)]
    pub fn new(
        trust_store: Option<&TrustStore>,
        backend: Option<String>,
    ) -> napi::Result<Self, String> {
        let backend = match backend {
            None => poci::Backend::default(),
            Some(name) => poci::Backend::from_name(&name)
                .ok_or_else(|| invalid_argument("unknown backend"))?,
        };
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
        trust_store: &TrustStore,
        activation_epochs: Vec<BigInt>,
        later: Vec<&TrustStore>,
    ) -> napi::Result<Self, String> {
        if activation_epochs.len() != later.len() {
            return Err(invalid_argument("one activation epoch per trust store"));
        }
        let mut verifier = poci::Verifier::with_trust_store(trust_store.0.clone());
        for (epoch, store) in activation_epochs.iter().zip(later) {
            let epoch = u64_of(epoch, "an activation epoch must be a u64 bigint")?;
            verifier
                .schedule_trust_store(epoch, store.0.clone())
                .or_throw()?;
        }
        Ok(Self(std::sync::Arc::new(verifier)))
    }
    /// Verifies a heartbeat against the chip's registered key (`PublicKey` or SEC1 bytes).
    #[napi]
    pub fn verify_heartbeat(
        &self,
        der: Buffer,
        public_key: Either<&PublicKey, Buffer>,
        context: HeartbeatContext,
    ) -> napi::Result<VerifiedHeartbeat, String> {
        let key = key_of(public_key)?;
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let context = poci::SlotContext {
            network_id: &context.network_id,
            epoch: u64_of(&context.epoch, "epoch must be a u64 bigint")?,
            slot: context.slot,
            challenge: &challenge,
            wallet: &context.wallet,
        };
        let verified = self.0.verify_heartbeat(&der, &key, &context).or_throw()?;
        Ok(VerifiedHeartbeat::from(&verified))
    }
    /// Verifies many heartbeats off the main thread; resolves to one result per item.
    /// Throws `BATCH_TOO_LARGE` beyond `MAX_BATCH_LEN` (65,536) items, before checking any.
    #[napi(ts_return_type = "Promise<Array<HeartbeatBatchResult>>")]
    pub fn verify_heartbeats(
        &self,
        items: Vec<HeartbeatBatchItem>,
    ) -> napi::Result<AsyncTask<VerifyBatch>, String> {
        poci::limits::check_batch_len(items.len()).or_throw()?;
        let mut owned = Vec::with_capacity(items.len());
        for item in &items {
            owned.push(OwnedHeartbeat::from_js(
                &item.der,
                &item.public_key,
                &item.context,
            )?);
        }
        Ok(AsyncTask::new(VerifyBatch {
            verifier: self.0.clone(),
            items: owned,
        }))
    }
    /// Verifies an NVIDIA GPU's attestation report and its certificate chain (leaf first)
    /// against the trust store's NVIDIA roots at unix `time`, for `nonce`.
    #[napi]
    pub fn verify_nvidia_report(
        &self,
        report: Buffer,
        chain: Vec<Buffer>,
        nonce: Buffer,
        time: BigInt,
    ) -> napi::Result<VerifiedNvidiaReport, String> {
        let nonce = bytes32(&nonce, "nonce must be 32 bytes")?;
        let time = u64_of(&time, "time must be a u64 bigint")?;
        let chain: Vec<&[u8]> = chain.iter().map(|der| der.as_ref()).collect();
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
        der: Buffer,
        params: &NetworkParams,
        context: BindingContext,
    ) -> napi::Result<VerifiedBinding, String> {
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let binding = poci::BindingContext::new(
            &params.0,
            u64_of(&context.epoch, "epoch must be a u64 bigint")?,
            context.slot,
            &challenge,
            &context.wallet,
        );
        Ok(VerifiedBinding::from(
            &self.0.verify_binding(&der, &binding).or_throw()?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip.
    #[napi]
    pub fn verify_lease_acceptance(
        &self,
        der: Buffer,
        public_key: Either<&PublicKey, Buffer>,
        network_id: String,
    ) -> napi::Result<VerifiedLeaseAcceptance, String> {
        let key = key_of(public_key)?;
        Ok(VerifiedLeaseAcceptance::from(
            &self
                .0
                .verify_lease_acceptance(&der, &key, &network_id)
                .or_throw()?,
        ))
    }
    /// Times `iterations` calls of verifyHeartbeat inside Rust; nanoseconds per call
    /// (for bench/overhead.mjs, not for verification).
    #[napi]
    pub fn time_verify_heartbeat_in_rust(
        &self,
        der: Buffer,
        public_key: &PublicKey,
        context: HeartbeatContext,
        iterations: u32,
    ) -> napi::Result<f64, String> {
        let owned = OwnedHeartbeat::from_js(&der, public_key.0.sec1_bytes(), &context)?;
        let item = owned.item();
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            self.0
                .verify_heartbeat(item.der, &public_key.0, &item.context)
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
    pub fn new(params: &NetworkParams) -> Self {
        Self(poci::ChipLedger::new(params.0.clone()))
    }
    /// Restores a persisted ledger.
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<Self, String> {
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
        verifier: &Verifier,
        der: Buffer,
        context: BindingContext,
        now: CurrentSlot,
    ) -> napi::Result<BindingOutcome, String> {
        let now = now.to_core()?;
        let slot = poci::SlotId {
            epoch: u64_of(&context.epoch, "epoch must be a u64 bigint")?,
            slot: context.slot,
        };
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let outcome = self
            .0
            .apply_binding(&verifier.0, &der, slot, &challenge, &context.wallet, now)
            .or_throw()?;
        Ok(BindingOutcome::from(&outcome))
    }
    /// Verifies an NVIDIA GPU's report (answering the slot's binding nonce) and chain
    /// (leaf first) as a binding submitted by `context.wallet`, and applies it.
    #[napi]
    pub fn apply_nvidia_binding(
        &mut self,
        verifier: &Verifier,
        report: Buffer,
        chain: Vec<Buffer>,
        context: BindingContext,
        now: CurrentSlot,
    ) -> napi::Result<BindingOutcome, String> {
        let now = now.to_core()?;
        let slot = poci::SlotId {
            epoch: u64_of(&context.epoch, "epoch must be a u64 bigint")?,
            slot: context.slot,
        };
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let chain: Vec<&[u8]> = chain.iter().map(|der| der.as_ref()).collect();
        let outcome = self
            .0
            .apply_nvidia_binding(
                &verifier.0,
                &report,
                &chain,
                slot,
                &challenge,
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
        verifier: &Verifier,
        key_id: Buffer,
        report: Buffer,
        epoch: BigInt,
        slot: u32,
        challenge: Buffer,
        now: CurrentSlot,
    ) -> napi::Result<(), String> {
        let now = now.to_core()?;
        let slot = poci::SlotId {
            epoch: u64_of(&epoch, "epoch must be a u64 bigint")?,
            slot,
        };
        let key_id = poci::KeyId(bytes32(&key_id, "keyId must be 32 bytes")?);
        let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
        self.0
            .apply_nvidia_heartbeat(&verifier.0, &key_id, &report, slot, &challenge, now)
            .or_throw()
    }
    /// Verifies and records a heartbeat for `slot` of `epoch`, at the network's current
    /// slot `now`.
    #[napi]
    pub fn apply_heartbeat(
        &mut self,
        verifier: &Verifier,
        der: Buffer,
        epoch: BigInt,
        slot: u32,
        challenge: Buffer,
        now: CurrentSlot,
    ) -> napi::Result<(), String> {
        let now = now.to_core()?;
        let slot = poci::SlotId {
            epoch: u64_of(&epoch, "epoch must be a u64 bigint")?,
            slot,
        };
        let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
        self.0
            .apply_heartbeat(&verifier.0, &der, slot, &challenge, now)
            .or_throw()
    }
    /// Closes an epoch: its availability, final. A sampled network passes the epoch's
    /// slot challenges, one per slot in order.
    #[napi]
    pub fn close_epoch(
        &mut self,
        epoch: BigInt,
        slot_challenges: Option<Vec<Buffer>>,
    ) -> napi::Result<ClosedEpoch, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        let challenges = slot_challenges
            .unwrap_or_default()
            .iter()
            .map(|challenge| bytes32(challenge, "challenge must be 32 bytes"))
            .collect::<napi::Result<Vec<_>, String>>()?;
        Ok(ClosedEpoch::from(
            &self.0.close_epoch(epoch, None, &challenges).or_throw()?,
        ))
    }
    /// An empty ledger applying `policy`.
    #[napi(factory)]
    pub fn with_policy(policy: &NetworkPolicy) -> napi::Result<Self, String> {
        Ok(Self(
            poci::ChipLedger::with_policy(policy.0.clone()).or_throw()?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip and holds the lease, at the
    /// network's current slot: `"accepted"` or `"already_applied"`.
    #[napi]
    pub fn apply_lease(
        &mut self,
        verifier: &Verifier,
        der: Buffer,
        now: CurrentSlot,
    ) -> napi::Result<String, String> {
        let now = now.to_core()?;
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
    pub fn settle_lease(&mut self, lease_id: Buffer) -> napi::Result<SettledLease, String> {
        Ok(SettledLease::from(
            &self.0.settle_lease(&lease_id).or_throw()?,
        ))
    }
    /// A registered chip, or null.
    #[napi]
    pub fn chip(&self, key_id: Buffer) -> napi::Result<Option<ChipRecord>, String> {
        let key_id = poci::KeyId(bytes32(&key_id, "keyId must be 32 bytes")?);
        Ok(self.0.chip(&key_id).as_ref().map(ChipRecord::from))
    }
}

/// The rules of a network every node applies identically (SPEC.md 18).
#[napi]
pub struct NetworkPolicy(poci::NetworkPolicy);

#[napi]
impl NetworkPolicy {
    /// Parses the JSON form (invalid values: `INVALID_POLICY`).
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<Self, String> {
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
    challenge: Buffer,
    key_id: Buffer,
    sample_one_in: u32,
) -> napi::Result<bool, String> {
    let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
    let key_id = poci::KeyId(bytes32(&key_id, "keyId must be 32 bytes")?);
    Ok(poci::is_sampled(&challenge, &key_id, sample_one_in))
}

/// An emission schedule, capped.
#[napi]
pub struct EmissionSchedule(poci::rewards::emission::EmissionSchedule);

#[napi]
impl EmissionSchedule {
    /// Any schedule from its JSON form (SPEC.md 15.1).
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<Self, String> {
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
    pub fn emission(&self, epoch: BigInt) -> napi::Result<BigInt, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        Ok(BigInt::from(self.0.emission(epoch).or_throw()?))
    }
    /// Total supply before `epoch`, base units.
    #[napi]
    pub fn cumulative(&self, epoch: BigInt) -> napi::Result<BigInt, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        Ok(BigInt::from(self.0.cumulative(epoch).or_throw()?))
    }
    /// Total supply once `epoch` is paid, `C(epoch + 1)`, base units (the last epoch too).
    #[napi]
    pub fn supply_after(&self, epoch: BigInt) -> napi::Result<BigInt, String> {
        let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
        Ok(BigInt::from(self.0.supply_after(epoch).or_throw()?))
    }
}

/// Splits an emission into pools (default: miners 9700 bps, three 100 bps pools).
#[napi]
pub fn split_emission(
    emission: BigInt,
    miners_bps: Option<u32>,
    pools: Option<Vec<NamedPool>>,
) -> napi::Result<PoolAmounts, String> {
    let default = poci::rewards::pools::PoolSplit::default();
    let split = poci::rewards::pools::PoolSplit {
        miners_bps: miners_bps.unwrap_or(default.miners_bps),
        pools: match pools {
            Some(pools) => pools
                .into_iter()
                .map(|p| poci::rewards::pools::NamedPool {
                    name: p.name,
                    bps: p.bps,
                })
                .collect(),
            None => default.pools,
        },
    };
    let emission = u128_of(&emission, "emission must be a u128 bigint")?;
    Ok(PoolAmounts::from(&split.split(emission).or_throw()?))
}

/// Allocates the miners' pool by weight = rating x proven slots.
#[napi]
pub fn allocate(
    pool: BigInt,
    availability: Vec<Availability>,
    slots_per_epoch: u32,
    min_availability_bps: Option<u32>,
) -> napi::Result<Allocation, String> {
    let entries = availability
        .iter()
        .map(Availability::to_core)
        .collect::<NodeResult<Vec<_>>>()?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch,
        min_availability_bps: min_availability_bps.unwrap_or(0),
    };
    let pool = u128_of(&pool, "pool must be a u128 bigint")?;
    Ok(Allocation::from(
        &poci::rewards::allocation::allocate(pool, &entries, &policy).or_throw()?,
    ))
}

/// The epoch report of SPEC.md 15.6 as JSON (what a node publishes and a wallet reads):
/// emission from `schedule`, the default pool split, the miners' pool allocated over
/// `availability`.
#[napi]
pub fn epoch_report_json(
    epoch: BigInt,
    schedule: &EmissionSchedule,
    availability: Vec<Availability>,
    slots_per_epoch: u32,
    min_availability_bps: Option<u32>,
) -> napi::Result<String, String> {
    let entries = availability
        .iter()
        .map(Availability::to_core)
        .collect::<napi::Result<Vec<_>, String>>()?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch,
        min_availability_bps: min_availability_bps.unwrap_or(0),
    };
    let epoch = u64_of(&epoch, "epoch must be a u64 bigint")?;
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
    price: BigInt,
    lease_slots: BigInt,
    proven_slots: BigInt,
) -> napi::Result<LeaseSettlement, String> {
    let settlement = poci::rewards::lease::settle(
        u128_of(&price, "price must be a u128 bigint")?,
        u128_of(&lease_slots, "leaseSlots must be a u128 bigint")?,
        u128_of(&proven_slots, "provenSlots must be a u128 bigint")?,
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
    beacon: Buffer,
    candidates: Vec<Candidate>,
) -> napi::Result<Option<Buffer>, String> {
    let beacon = bytes32(&beacon, "beacon must be 32 bytes")?;
    let mut list = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        list.push((
            poci::KeyId(bytes32(&candidate.key_id, "keyId must be 32 bytes")?),
            u128_of(&candidate.weight, "weight must be a u128 bigint")?,
        ));
    }
    let producer =
        poci::rewards::producer::select_producer(&beacon, &list).map_err(|e| thrown(&e))?;
    Ok(producer.map(|id| Buffer::from(id.as_bytes().to_vec())))
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
    pub fn new(vendor_id: String, organization: String) -> napi::Result<Self, String> {
        Ok(Self(
            poci::x509::mint::TestVendor::from_seed(&vendor_id, &organization).or_throw()?,
        ))
    }
    /// The testnet stand-in of a real vendor.
    #[napi(factory)]
    pub fn testnet(vendor_id: String, display_name: String) -> napi::Result<Self, String> {
        Ok(Self(
            poci::x509::mint::testnet_vendor(&vendor_id, &display_name).or_throw()?,
        ))
    }
    /// Mints a chip of `modelId` with `serial`.
    #[napi]
    pub fn mint_chip(
        &self,
        seed: Buffer,
        model_id: String,
        serial: Buffer,
    ) -> napi::Result<MintedChip, String> {
        let identity = poci::ChipIdentity {
            model_id,
            serial: serial.to_vec(),
            security_version: 1,
        };
        let (key, certificate) = self.0.mint_chip(&seed, &identity, 1).or_throw()?;
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
