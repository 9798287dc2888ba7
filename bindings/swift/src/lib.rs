//! Swift bindings of POCI (uniffi, proc-macro interface): the core's verification and reward
//! math for mobile wallets. Conversion and error mapping only; every rule lives in the core.
//!
//! Swift has no native 128-bit integer, so token amounts and prices cross as canonical
//! decimal strings (exact, and what the JSON forms use); counters and epochs as UInt64.

mod error;
mod types;

use std::sync::{Arc, Mutex};

pub use error::PociError;
use error::{Result, invalid_argument};
pub use types::*;

uniffi::setup_scaffolding!("poci");

/// A u128 amount from a canonical decimal string.
fn amount(text: &str) -> Result<u128> {
    poci::json::parse_decimal_u128(text).ok_or_else(|| {
        invalid_argument("amounts are canonical decimal strings of at most 2^128 - 1")
    })
}

fn bytes32(bytes: &[u8], what: &str) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).map_err(|_| invalid_argument(what))
}

/// Network parameters: network id, genesis, epoch length, slots per epoch.
#[derive(uniffi::Object)]
pub struct NetworkParams(poci::NetworkParams);

#[uniffi::export]
impl NetworkParams {
    /// Checks and builds network parameters.
    #[uniffi::constructor]
    pub fn new(
        network_id: String,
        genesis_unix: u64,
        epoch_seconds: u64,
        slots_per_epoch: u32,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::NetworkParams::new(
            &network_id,
            genesis_unix,
            epoch_seconds,
            slots_per_epoch,
        )?)))
    }
    /// Parses the JSON form (invalid values: `INVALID_NETWORK_PARAMS`).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::NetworkParams::from_json(&text)?)))
    }
    /// The JSON form.
    pub fn to_json(&self) -> Result<String> {
        Ok(poci::json::to_json(&self.0)?)
    }
    /// The network id.
    pub fn network_id(&self) -> String {
        self.0.network_id().to_owned()
    }
    /// Slots per epoch.
    pub fn slots_per_epoch(&self) -> u32 {
        self.0.slots_per_epoch()
    }
    /// Unix time at which `slot` of `epoch` starts.
    pub fn slot_start_unix(&self, epoch: u64, slot: u32) -> Result<u64> {
        Ok(self.0.slot_start_unix(epoch, slot)?)
    }
    /// The slot containing unix time `unix`.
    pub fn slot_at_unix(&self, unix: u64) -> Result<SlotId> {
        let id = self.0.slot_at_unix(unix)?;
        Ok(SlotId {
            epoch: id.epoch,
            slot: id.slot,
        })
    }
}

/// The challenge of `slot` of `epoch` (SPEC.md 5).
#[uniffi::export]
pub fn derive_challenge(
    params: &NetworkParams,
    epoch: u64,
    slot: u32,
    beacon: Vec<u8>,
) -> Result<Vec<u8>> {
    Ok(poci::derive_challenge(&params.0, epoch, slot, &beacon)?.to_vec())
}

/// The requester nonce an NVIDIA GPU must sign to answer a slot for a wallet
/// (SPEC.md 17.2); `purpose` is "binding" or "heartbeat".
#[uniffi::export]
pub fn evidence_nonce(
    params: &NetworkParams,
    context: BindingContext,
    purpose: String,
) -> Result<Vec<u8>> {
    let purpose = poci::evidence::nonce::EvidencePurpose::from_name(&purpose)
        .ok_or_else(|| invalid_argument("purpose must be \"binding\" or \"heartbeat\""))?;
    let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
    let slot_context = poci::SlotContext {
        network_id: params.0.network_id(),
        epoch: context.epoch,
        slot: context.slot,
        challenge: &challenge,
        wallet: &context.wallet,
    };
    Ok(poci::evidence::nonce::evidence_nonce(&slot_context, purpose)?.to_vec())
}

/// A device public key, parsed once.
#[derive(uniffi::Object)]
pub struct PublicKey(poci::DevicePublicKey);

#[uniffi::export]
impl PublicKey {
    /// Parses an uncompressed SEC1 point.
    #[uniffi::constructor]
    pub fn new(sec1: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::DevicePublicKey::from_sec1_bytes(
            &sec1,
        )?)))
    }
    /// The device key a device certificate certifies (DER, or PEM of one `CERTIFICATE`
    /// block): what a wallet verifies the chip's heartbeats with. Decoding only: the
    /// binding checks the chain.
    #[uniffi::constructor]
    pub fn from_certificate(certificate: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::DevicePublicKey::from_certificate(
            &certificate,
        )?)))
    }
    /// The uncompressed SEC1 point.
    pub fn sec1(&self) -> Vec<u8> {
        self.0.sec1_bytes().to_vec()
    }
    /// The chip's key id.
    pub fn key_id(&self) -> Vec<u8> {
        self.0.key_id().as_bytes().to_vec()
    }
}

/// A P-256 device key for simulated chips (RFC 6979, low-S).
#[derive(uniffi::Object)]
pub struct DeviceKey(poci::DeviceKey);

#[uniffi::export]
impl DeviceKey {
    /// Derives a key deterministically from a seed.
    #[uniffi::constructor]
    pub fn from_seed(seed: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::DeviceKey::from_seed(&seed)?)))
    }
    /// A key from its 32-byte secret scalar.
    #[uniffi::constructor]
    pub fn from_secret_bytes(secret: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::DeviceKey::from_secret_bytes(&secret)?)))
    }
    /// The public key.
    pub fn public_key(&self) -> Arc<PublicKey> {
        Arc::new(PublicKey(self.0.public_key().clone()))
    }
    /// The chip's key id.
    pub fn key_id(&self) -> Vec<u8> {
        self.0.key_id().as_bytes().to_vec()
    }
    /// Signs `message` (DER, low-S).
    pub fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.0.sign(&message)?)
    }
    /// Signs a heartbeat; returns its DER.
    pub fn sign_heartbeat(&self, fields: HeartbeatFields) -> Result<Vec<u8>> {
        let tbs = poci::HeartbeatTbs {
            network_id: fields.network_id,
            chip_key_id: *self.0.key_id(),
            wallet: fields.wallet,
            epoch: fields.epoch,
            slot: fields.slot,
            challenge: bytes32(&fields.challenge, "challenge must be 32 bytes")?,
            counter: fields.counter,
            measurement: fields
                .measurement
                .map(|m| bytes32(&m, "measurement must be 32 bytes"))
                .transpose()?,
        };
        Ok(poci::Signed::sign(tbs, &self.0)?.to_der()?)
    }
    /// Signs a lease acceptance; returns its DER.
    pub fn sign_lease_acceptance(&self, fields: LeaseFields) -> Result<Vec<u8>> {
        let tbs = poci::LeaseAcceptanceTbs {
            network_id: fields.network_id,
            lease_id: fields.lease_id,
            renter_wallet: fields.renter_wallet,
            chip_key_id: *self.0.key_id(),
            first_epoch: fields.first_epoch,
            last_epoch: fields.last_epoch,
            price: amount(&fields.price)?,
        };
        Ok(poci::Signed::sign(tbs, &self.0)?.to_der()?)
    }
    /// Signs a chip binding; returns its DER.
    #[allow(clippy::too_many_arguments)]
    pub fn sign_chip_binding(
        &self,
        network_id: String,
        chip_serial: Vec<u8>,
        model_id: String,
        wallet: Vec<u8>,
        binding_counter: u64,
        epoch: u64,
        slot: u32,
        challenge: Vec<u8>,
        certificates: Vec<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let tbs = poci::ChipBindingTbs {
            network_id,
            chip_serial,
            model_id,
            wallet,
            binding_counter,
            epoch,
            slot,
            challenge: bytes32(&challenge, "challenge must be 32 bytes")?,
            certificates,
        };
        Ok(poci::Signed::sign(tbs, &self.0)?.to_der()?)
    }
}

/// The kinds of signed message.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `Heartbeat`
    Heartbeat,
    /// `ChipBinding`
    ChipBinding,
    /// `LeaseAcceptance`
    LeaseAcceptance,
}

/// A decoded message: its JSON form and proof id.
#[derive(uniffi::Record)]
pub struct DecodedMessage {
    /// The JSON form of SPEC.md.
    pub json: String,
    /// SHA-256 of the DER.
    pub proof_id: Vec<u8>,
}

/// Decodes a message strictly from DER.
#[uniffi::export]
pub fn decode_message(kind: MessageKind, der: Vec<u8>) -> Result<DecodedMessage> {
    let (json, proof_id) = match kind {
        MessageKind::Heartbeat => {
            let message = poci::HeartbeatRef::from_der(&der)?;
            (message.to_owned_message().to_json()?, message.proof_id())
        }
        MessageKind::ChipBinding => {
            let message = poci::ChipBindingRef::from_der(&der)?;
            (message.to_owned_message().to_json()?, message.proof_id())
        }
        MessageKind::LeaseAcceptance => {
            let message = poci::LeaseAcceptanceRef::from_der(&der)?;
            (message.to_owned_message().to_json()?, message.proof_id())
        }
    };
    Ok(DecodedMessage {
        json,
        proof_id: proof_id.to_vec(),
    })
}

/// Encodes a message from its JSON form to DER.
#[uniffi::export]
pub fn encode_message(kind: MessageKind, json: String) -> Result<Vec<u8>> {
    Ok(match kind {
        MessageKind::Heartbeat => poci::Heartbeat::from_json(&json)?.to_der()?,
        MessageKind::ChipBinding => poci::ChipBinding::from_json(&json)?.to_der()?,
        MessageKind::LeaseAcceptance => poci::LeaseAcceptance::from_json(&json)?.to_der()?,
    })
}

/// The chip-model registry.
#[derive(uniffi::Object)]
pub struct ChipModelRegistry(poci::ChipModelRegistry);

#[uniffi::export]
impl ChipModelRegistry {
    /// The default registry (real vendors, compiled in).
    #[uniffi::constructor]
    pub fn embedded() -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::ChipModelRegistry::embedded()?)))
    }
    /// The default registry plus the synthetic test vendors.
    #[uniffi::constructor]
    pub fn embedded_with_test_vendors() -> Result<Arc<Self>> {
        Ok(Arc::new(Self(
            poci::ChipModelRegistry::embedded_with_test_vendors()?,
        )))
    }
    /// A registry from manifests.
    #[uniffi::constructor]
    pub fn from_manifests(manifests: Vec<Manifest>) -> Result<Arc<Self>> {
        let sources: Vec<poci::ManifestSource<'_>> = manifests
            .iter()
            .map(|m| poci::ManifestSource {
                file: &m.file,
                toml: &m.toml,
            })
            .collect();
        Ok(Arc::new(Self(poci::ChipModelRegistry::from_manifests(
            &sources,
        )?)))
    }
    /// The model with this id.
    pub fn get(&self, model_id: String) -> Option<ChipModel> {
        self.0.get(&model_id).map(ChipModel::from)
    }
    /// Every model, by id.
    pub fn models(&self) -> Vec<ChipModel> {
        self.0.models().map(ChipModel::from).collect()
    }
    /// SHA-256 of the canonical encoding.
    pub fn digest(&self) -> Result<Vec<u8>> {
        Ok(self.0.digest()?.to_vec())
    }
}

/// Registry versions with their activation epochs.
#[derive(uniffi::Object)]
pub struct RegistrySchedule(poci::RegistrySchedule);

#[uniffi::export]
impl RegistrySchedule {
    /// Versions as (activation epoch, registry), epochs strictly increasing.
    #[uniffi::constructor]
    pub fn new(epochs: Vec<u64>, registries: Vec<Arc<ChipModelRegistry>>) -> Result<Arc<Self>> {
        // zip would drop the extra entries of the longer list and rate from the wrong version.
        if epochs.len() != registries.len() {
            return Err(invalid_argument(
                "one activation epoch per registry version",
            ));
        }
        let versions = epochs
            .into_iter()
            .zip(registries.iter().map(|r| r.0.clone()))
            .collect();
        Ok(Arc::new(Self(poci::RegistrySchedule::new(versions)?)))
    }
    /// The model as rated at `epoch`.
    pub fn lookup(&self, model_id: String, epoch: u64) -> Option<ChipModel> {
        self.0.lookup(&model_id, epoch).map(ChipModel::from)
    }
}

const fn revocation_policy(deny_unknown_revocation: bool) -> poci::UnknownRevocationPolicy {
    if deny_unknown_revocation {
        poci::UnknownRevocationPolicy::Deny
    } else {
        poci::UnknownRevocationPolicy::Allow
    }
}

/// Vendor roots, CRLs and the registry.
#[derive(uniffi::Object)]
pub struct TrustStore(poci::TrustStore);

#[uniffi::export]
impl TrustStore {
    /// An empty store over `registry`.
    #[uniffi::constructor]
    pub fn new(
        registry: &ChipModelRegistry,
        allow_test_vendors: bool,
        deny_unknown_revocation: bool,
    ) -> Arc<Self> {
        let policy = poci::TrustPolicy {
            allow_test_vendors,
            unknown_revocation: revocation_policy(deny_unknown_revocation),
        };
        Arc::new(Self(poci::TrustStore::new(registry.0.clone(), policy)))
    }
    /// The test-network trust material compiled in.
    #[uniffi::constructor]
    pub fn embedded_testnet() -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::TrustStore::embedded_testnet()?)))
    }
    /// The store of a vendor-roots/ folder's files (an app bundle's copy, say): core's one
    /// loader, shared with the CLI, Python and Node; `include_testnet` adds the stand-ins.
    #[uniffi::constructor]
    pub fn from_folder_files(
        files: Vec<FolderFile>,
        allow_test_vendors: bool,
        deny_unknown_revocation: bool,
        include_testnet: bool,
    ) -> Result<Arc<Self>> {
        let files: Vec<poci::FolderFile<'_>> = files
            .iter()
            .map(|file| poci::FolderFile {
                path: &file.path,
                bytes: &file.bytes,
            })
            .collect();
        let policy = poci::TrustPolicy {
            allow_test_vendors,
            unknown_revocation: revocation_policy(deny_unknown_revocation),
        };
        Ok(Arc::new(Self(poci::TrustStore::from_folder(
            &files,
            policy,
            include_testnet,
        )?)))
    }
    /// SHA-256 of the store's contents (SPEC.md 11.2): equal digests, equal trust material.
    pub fn digest(&self) -> Result<Vec<u8>> {
        Ok(self.0.digest()?.to_vec())
    }
    /// A copy with a vendor's roots and CRLs (DER or PEM) added; `test` marks stand-ins.
    pub fn with_roots(
        &self,
        vendor_id: String,
        roots: Vec<Vec<u8>>,
        crls: Vec<Vec<u8>>,
        test: bool,
    ) -> Result<Arc<TrustStore>> {
        let mut store = self.0.clone();
        let kind = if test {
            poci::RootKind::Test
        } else {
            poci::RootKind::Vendor
        };
        let roots: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        store.add_roots(&vendor_id, kind, &roots, &crls)?;
        Ok(Arc::new(Self(store)))
    }
    /// Number of roots.
    pub fn root_count(&self) -> u64 {
        u64::try_from(self.0.root_count()).unwrap_or(u64::MAX)
    }
    /// Number of models.
    pub fn model_count(&self) -> u64 {
        u64::try_from(self.0.registry().len()).unwrap_or(u64::MAX)
    }
}

/// Verifies proofs with one backend and one trust store.
#[derive(uniffi::Object)]
pub struct Verifier(poci::Verifier);

#[uniffi::export]
impl Verifier {
    /// A verifier over `trust_store` (none: heartbeats and leases only), default backend
    /// (aws-lc).
    #[uniffi::constructor]
    pub fn new(trust_store: Option<Arc<TrustStore>>) -> Arc<Self> {
        Arc::new(Self(match trust_store {
            Some(store) => poci::Verifier::with_trust_store(store.0.clone()),
            None => poci::Verifier::default(),
        }))
    }
    /// A verifier over `trust_store`, then each of `later` from its activation epoch
    /// (SPEC.md 18.5; epochs strictly increasing, after 0).
    #[uniffi::constructor]
    pub fn scheduled(
        trust_store: &TrustStore,
        later: Vec<ScheduledTrustStore>,
    ) -> Result<Arc<Self>> {
        let mut verifier = poci::Verifier::with_trust_store(trust_store.0.clone());
        for version in later {
            verifier
                .schedule_trust_store(version.activation_epoch, version.trust_store.0.clone())?;
        }
        Ok(Arc::new(Self(verifier)))
    }
    /// Verifies a heartbeat against the chip's registered key.
    pub fn verify_heartbeat(
        &self,
        der: Vec<u8>,
        public_key: &PublicKey,
        context: HeartbeatContext,
    ) -> Result<VerifiedHeartbeat> {
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let context = poci::SlotContext {
            network_id: &context.network_id,
            epoch: context.epoch,
            slot: context.slot,
            challenge: &challenge,
            wallet: &context.wallet,
        };
        Ok(VerifiedHeartbeat::from(&self.0.verify_heartbeat(
            &der,
            &public_key.0,
            &context,
        )?))
    }
    /// Verifies many heartbeats across threads: one result per item, in order.
    pub fn verify_heartbeats(
        &self,
        items: Vec<HeartbeatBatchItem>,
    ) -> Result<Vec<HeartbeatBatchResult>> {
        poci::limits::check_batch_len(items.len())?;
        let challenges = items
            .iter()
            .map(|item| bytes32(&item.context.challenge, "challenge must be 32 bytes"))
            .collect::<Result<Vec<_>>>()?;
        let batch: Vec<poci::HeartbeatItem<'_>> = items
            .iter()
            .zip(&challenges)
            .map(|(item, challenge)| poci::HeartbeatItem {
                der: &item.der,
                key: &item.public_key.0,
                context: poci::SlotContext {
                    network_id: &item.context.network_id,
                    epoch: item.context.epoch,
                    slot: item.context.slot,
                    challenge,
                    wallet: &item.context.wallet,
                },
            })
            .collect();
        Ok(self
            .0
            .verify_heartbeats(&batch)?
            .iter()
            .map(HeartbeatBatchResult::from)
            .collect())
    }
    /// Verifies an NVIDIA GPU's attestation report and its certificate chain (leaf first)
    /// against the trust store's NVIDIA roots at unix `time`, for `nonce`.
    pub fn verify_nvidia_report(
        &self,
        report: Vec<u8>,
        chain: Vec<Vec<u8>>,
        nonce: Vec<u8>,
        time: u64,
    ) -> Result<VerifiedNvidiaReport> {
        let nonce = bytes32(&nonce, "nonce must be 32 bytes")?;
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        Ok(self
            .0
            .verify_nvidia_report(&report, &chain, &nonce, time)?
            .into())
    }
    /// Verifies a chip binding submitted by `context.wallet`.
    pub fn verify_binding(
        &self,
        der: Vec<u8>,
        params: &NetworkParams,
        context: BindingContext,
    ) -> Result<VerifiedBinding> {
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let context = poci::BindingContext::new(
            &params.0,
            context.epoch,
            context.slot,
            &challenge,
            &context.wallet,
        );
        Ok(VerifiedBinding::from(
            &self.0.verify_binding(&der, &context)?,
        ))
    }
    /// Verifies a lease acceptance signed by the rented chip.
    pub fn verify_lease_acceptance(
        &self,
        der: Vec<u8>,
        public_key: &PublicKey,
        network_id: String,
    ) -> Result<VerifiedLeaseAcceptance> {
        Ok(VerifiedLeaseAcceptance::from(
            &self
                .0
                .verify_lease_acceptance(&der, &public_key.0, &network_id)?,
        ))
    }
}

/// The chip ledger.
#[derive(uniffi::Object)]
pub struct ChipLedger(Mutex<poci::ChipLedger>);

impl ChipLedger {
    fn with<T>(&self, f: impl FnOnce(&mut poci::ChipLedger) -> poci::Result<T>) -> Result<T> {
        // A poisoned lock means a panic mid-call; the ledger changes nothing on error, so
        // its state is still whole.
        let mut ledger = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(f(&mut ledger)?)
    }
}

#[uniffi::export]
impl ChipLedger {
    /// An empty ledger.
    #[uniffi::constructor]
    pub fn new(params: &NetworkParams) -> Arc<Self> {
        Arc::new(Self(Mutex::new(poci::ChipLedger::new(params.0.clone()))))
    }
    /// Restores a persisted ledger.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(Mutex::new(poci::json::from_json(&text)?))))
    }
    /// Persists the ledger.
    pub fn to_json(&self) -> Result<String> {
        self.with(|ledger| poci::json::to_json(ledger))
    }
    /// Verifies and applies a chip binding submitted by `context.wallet`, at the
    /// network's current slot (`now_epoch`, `now_slot`).
    pub fn apply_binding(
        &self,
        verifier: &Verifier,
        der: Vec<u8>,
        context: BindingContext,
        now_epoch: u64,
        now_slot: u32,
    ) -> Result<BindingOutcome> {
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let slot = poci::SlotId {
            epoch: context.epoch,
            slot: context.slot,
        };
        let outcome = self.with(|ledger| {
            ledger.apply_binding(
                &verifier.0,
                &der,
                slot,
                &challenge,
                &context.wallet,
                poci::SlotId {
                    epoch: now_epoch,
                    slot: now_slot,
                },
            )
        })?;
        Ok(BindingOutcome::from(&outcome))
    }
    /// Verifies an NVIDIA GPU's report (answering the slot's binding nonce) and chain
    /// (leaf first) as a binding submitted by `context.wallet`, and applies it.
    pub fn apply_nvidia_binding(
        &self,
        verifier: &Verifier,
        report: Vec<u8>,
        chain: Vec<Vec<u8>>,
        context: BindingContext,
        now_epoch: u64,
        now_slot: u32,
    ) -> Result<BindingOutcome> {
        let challenge = bytes32(&context.challenge, "challenge must be 32 bytes")?;
        let slot = poci::SlotId {
            epoch: context.epoch,
            slot: context.slot,
        };
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let outcome = self.with(|ledger| {
            ledger.apply_nvidia_binding(
                &verifier.0,
                &report,
                &chain,
                slot,
                &challenge,
                &context.wallet,
                poci::SlotId {
                    epoch: now_epoch,
                    slot: now_slot,
                },
            )
        })?;
        Ok(BindingOutcome::from(&outcome))
    }
    /// Verifies an NVIDIA report (answering the slot's heartbeat nonce) as the heartbeat
    /// of chip `key_id` and records the proven slot.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_nvidia_heartbeat(
        &self,
        verifier: &Verifier,
        key_id: Vec<u8>,
        report: Vec<u8>,
        epoch: u64,
        slot: u32,
        challenge: Vec<u8>,
        now_epoch: u64,
        now_slot: u32,
    ) -> Result<()> {
        let key_id = poci::KeyId(bytes32(&key_id, "key_id must be 32 bytes")?);
        let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
        self.with(|ledger| {
            ledger.apply_nvidia_heartbeat(
                &verifier.0,
                &key_id,
                &report,
                poci::SlotId { epoch, slot },
                &challenge,
                poci::SlotId {
                    epoch: now_epoch,
                    slot: now_slot,
                },
            )
        })
    }
    /// Verifies and records a heartbeat for `slot` of `epoch`, at the network's current
    /// slot (`now_epoch`, `now_slot`).
    #[allow(clippy::too_many_arguments)]
    pub fn apply_heartbeat(
        &self,
        verifier: &Verifier,
        der: Vec<u8>,
        epoch: u64,
        slot: u32,
        challenge: Vec<u8>,
        now_epoch: u64,
        now_slot: u32,
    ) -> Result<()> {
        let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
        self.with(|ledger| {
            ledger.apply_heartbeat(
                &verifier.0,
                &der,
                poci::SlotId { epoch, slot },
                &challenge,
                poci::SlotId {
                    epoch: now_epoch,
                    slot: now_slot,
                },
            )
        })
    }
    /// Closes an epoch: its availability, final. A sampled network passes the epoch's
    /// slot challenges, one per slot in order; others pass none.
    pub fn close_epoch(&self, epoch: u64, slot_challenges: Vec<Vec<u8>>) -> Result<ClosedEpoch> {
        let challenges = slot_challenges
            .iter()
            .map(|challenge| bytes32(challenge, "challenge must be 32 bytes"))
            .collect::<Result<Vec<_>>>()?;
        Ok(ClosedEpoch::from(&self.with(|ledger| {
            ledger.close_epoch(epoch, None, &challenges)
        })?))
    }
    /// Verifies a lease acceptance signed by the rented chip and holds the lease, at the
    /// network's current slot; `true` if it was new, `false` if the very acceptance was
    /// already held.
    pub fn apply_lease(
        &self,
        verifier: &Verifier,
        der: Vec<u8>,
        now_epoch: u64,
        now_slot: u32,
    ) -> Result<bool> {
        let outcome = self.with(|ledger| {
            ledger.apply_lease(
                &verifier.0,
                &der,
                poci::SlotId {
                    epoch: now_epoch,
                    slot: now_slot,
                },
            )
        })?;
        Ok(outcome == poci::LeaseOutcome::Accepted)
    }
    /// Settles a lease whose epochs are all closed, from the slots the ledger counted.
    pub fn settle_lease(&self, lease_id: Vec<u8>) -> Result<SettledLease> {
        Ok(SettledLease::from(
            &self.with(|ledger| ledger.settle_lease(&lease_id))?,
        ))
    }
    /// An empty ledger applying `policy`.
    #[uniffi::constructor]
    pub fn with_policy(policy: &NetworkPolicy) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(Mutex::new(poci::ChipLedger::with_policy(
            policy.0.clone(),
        )?))))
    }
}

/// The rules of a network every node applies identically (SPEC.md 18).
#[derive(uniffi::Object)]
pub struct NetworkPolicy(poci::NetworkPolicy);

#[uniffi::export]
impl NetworkPolicy {
    /// Parses the JSON form (invalid values: `INVALID_POLICY`).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::NetworkPolicy::from_json(&text)?)))
    }
    /// The JSON form.
    pub fn to_json(&self) -> Result<String> {
        Ok(self.0.to_json()?)
    }
    /// SHA-256 of the canonical encoding.
    pub fn digest(&self) -> Result<Vec<u8>> {
        Ok(self.0.digest()?.to_vec())
    }
    /// Slots after its own that a proof is still accepted.
    pub fn grace_slots(&self) -> u32 {
        self.0.grace_slots
    }
    /// One chip-slot in this many is drawn (1: every slot).
    pub fn sample_one_in(&self) -> u32 {
        self.0.sample_one_in
    }
}

/// Whether chip `key_id` must answer the slot of `challenge` when one chip-slot in
/// `sample_one_in` is drawn (SPEC.md 18.3).
#[uniffi::export]
pub fn is_sampled(challenge: Vec<u8>, key_id: Vec<u8>, sample_one_in: u32) -> Result<bool> {
    let challenge = bytes32(&challenge, "challenge must be 32 bytes")?;
    let key_id = poci::KeyId(bytes32(&key_id, "key_id must be 32 bytes")?);
    Ok(poci::is_sampled(&challenge, &key_id, sample_one_in))
}

/// An emission schedule, capped.
#[derive(uniffi::Object)]
pub struct EmissionSchedule(poci::rewards::emission::EmissionSchedule);

#[uniffi::export]
impl EmissionSchedule {
    /// Any schedule from its JSON form (SPEC.md 15.1).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>> {
        let schedule: poci::rewards::emission::EmissionSchedule = poci::json::from_json(&text)?;
        schedule.validate()?;
        Ok(Arc::new(Self(schedule)))
    }
    /// The emission of `epoch`, base units (decimal).
    pub fn emission(&self, epoch: u64) -> Result<String> {
        Ok(self.0.emission(epoch)?.to_string())
    }
    /// Total supply before `epoch`, base units (decimal).
    pub fn cumulative(&self, epoch: u64) -> Result<String> {
        Ok(self.0.cumulative(epoch)?.to_string())
    }
    /// Total supply once `epoch` is paid, `C(epoch + 1)`, base units (decimal; the last epoch too).
    pub fn supply_after(&self, epoch: u64) -> Result<String> {
        Ok(self.0.supply_after(epoch)?.to_string())
    }
}

/// Splits an emission (decimal) into pools: `miners_bps` and named pools summing to 10000.
#[uniffi::export]
pub fn split_emission(
    emission: String,
    miners_bps: u32,
    pools: Vec<NamedPool>,
) -> Result<PoolAmounts> {
    let split = poci::rewards::pools::PoolSplit {
        miners_bps,
        pools: pools
            .into_iter()
            .map(|p| poci::rewards::pools::NamedPool {
                name: p.name,
                bps: p.bps,
            })
            .collect(),
    };
    Ok(PoolAmounts::from(&split.split(amount(&emission)?)?))
}

/// Allocates the miners' pool (decimal) by weight = rating x proven slots.
#[uniffi::export]
pub fn allocate(
    pool: String,
    availability: Vec<Availability>,
    slots_per_epoch: u32,
    min_availability_bps: u32,
) -> Result<Allocation> {
    let entries = availability
        .iter()
        .map(Availability::to_core)
        .collect::<Result<Vec<_>>>()?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch,
        min_availability_bps,
    };
    Ok(Allocation::from(&poci::rewards::allocation::allocate(
        amount(&pool)?,
        &entries,
        &policy,
    )?))
}

/// Settles a lease (amounts decimal): rent for the proven slots, the rest refunded.
#[uniffi::export]
pub fn settle_lease(
    price: String,
    lease_slots: String,
    proven_slots: String,
) -> Result<LeaseSettlement> {
    let settlement = poci::rewards::lease::settle(
        amount(&price)?,
        amount(&lease_slots)?,
        amount(&proven_slots)?,
    )?;
    Ok(LeaseSettlement {
        rent: settlement.rent.to_string(),
        refund: settlement.refund.to_string(),
    })
}

/// Picks the slot's producer, weighted; none without weight.
#[uniffi::export]
pub fn select_producer(beacon: Vec<u8>, candidates: Vec<Candidate>) -> Result<Option<Vec<u8>>> {
    let beacon = bytes32(&beacon, "beacon must be 32 bytes")?;
    let mut list = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        list.push((
            poci::KeyId(bytes32(&candidate.key_id, "keyId must be 32 bytes")?),
            amount(&candidate.weight)?,
        ));
    }
    Ok(poci::rewards::producer::select_producer(&beacon, &list)?.map(|id| id.as_bytes().to_vec()))
}

/// The epoch report of SPEC.md 15.6 as JSON, with the default pool split.
#[uniffi::export]
pub fn epoch_report_json(
    epoch: u64,
    schedule: &EmissionSchedule,
    availability: Vec<Availability>,
    slots_per_epoch: u32,
    min_availability_bps: u32,
) -> Result<String> {
    let entries = availability
        .iter()
        .map(Availability::to_core)
        .collect::<Result<Vec<_>>>()?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch,
        min_availability_bps,
    };
    let report = poci::rewards::report::EpochReport::compute(
        epoch,
        &schedule.0,
        &poci::rewards::pools::PoolSplit::default(),
        &entries,
        &policy,
        poci::rewards::report::RejectionTally::default(),
    )?;
    Ok(poci::json::to_json(&report)?)
}

/// A deterministic test vendor that mints simulated chips.
#[derive(uniffi::Object)]
pub struct TestVendor(poci::x509::mint::TestVendor);

#[uniffi::export]
impl TestVendor {
    /// One of the repository's test vendors.
    #[uniffi::constructor]
    pub fn new(vendor_id: String, organization: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::x509::mint::TestVendor::from_seed(
            &vendor_id,
            &organization,
        )?)))
    }
    /// The testnet stand-in of a real vendor.
    #[uniffi::constructor]
    pub fn testnet(vendor_id: String, display_name: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Self(poci::x509::mint::testnet_vendor(
            &vendor_id,
            &display_name,
        )?)))
    }
    /// Mints a chip: its device key and device certificate (DER).
    pub fn mint_chip(
        &self,
        seed: Vec<u8>,
        model_id: String,
        serial: Vec<u8>,
    ) -> Result<MintedChip> {
        let identity = poci::ChipIdentity {
            model_id,
            serial,
            security_version: 1,
        };
        let (key, certificate) = self.0.mint_chip(&seed, &identity, 1)?;
        Ok(MintedChip {
            key: Arc::new(DeviceKey(key)),
            certificate,
        })
    }
    /// The intermediate certificate chips carry (DER).
    pub fn intermediate_der(&self) -> Vec<u8> {
        self.0.intermediate_der.clone()
    }
}

/// A minted chip: its device key and certificate.
#[derive(uniffi::Record)]
pub struct MintedChip {
    /// The device key.
    pub key: Arc<DeviceKey>,
    /// The device certificate (DER).
    pub certificate: Vec<u8>,
}

/// Every error code of SPEC.md.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    poci::Error::ALL_CODES
        .iter()
        .map(|code| (*code).to_owned())
        .collect()
}

/// The name of every error family (`ParseError`, …): each is a case of `PociError`.
#[uniffi::export]
pub fn error_families() -> Vec<String> {
    poci::ErrorFamily::ALL
        .iter()
        .map(|family| family.name().to_owned())
        .collect()
}
