//! Python bindings of POCI: the core's verification and reward math, as the `poci` module.
//! Conversion and error mapping only; every rule lives in the core crate.

mod args;
mod error;
mod types;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use args::extract;
use error::{PociErr, PociResult, exception, invalid_argument};
use types::{
    Allocation, Availability, BindingOutcome, Bytes32, ChipModel, ChipRecord, ClosedEpoch,
    LeaseSettlement, PoolAmounts, VerifiedBinding, VerifiedHeartbeat, VerifiedLeaseAcceptance,
    VerifiedNvidiaReport,
};

/// Network parameters: network id, genesis, epoch length, slots per epoch.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
struct NetworkParams(poci::NetworkParams);

#[pymethods]
impl NetworkParams {
    #[new]
    fn new(
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] genesis_unix: u64,
        #[pyo3(from_py_with = extract)] epoch_seconds: u64,
        #[pyo3(from_py_with = extract)] slots_per_epoch: u32,
    ) -> PociResult<Self> {
        Ok(Self(poci::NetworkParams::new(
            &network_id,
            genesis_unix,
            epoch_seconds,
            slots_per_epoch,
        )?))
    }
    /// Parses the JSON form (invalid values: `INVALID_NETWORK_PARAMS`).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = extract)] text: String) -> PociResult<Self> {
        Ok(Self(poci::NetworkParams::from_json(&text)?))
    }
    /// The JSON form.
    fn to_json(&self) -> PociResult<String> {
        Ok(poci::json::to_json(&self.0)?)
    }
    /// The network id.
    #[getter]
    fn network_id(&self) -> &str {
        self.0.network_id()
    }
    /// Unix time of epoch 0, slot 0.
    #[getter]
    fn genesis_unix(&self) -> u64 {
        self.0.genesis_unix()
    }
    /// Seconds per epoch.
    #[getter]
    fn epoch_seconds(&self) -> u64 {
        self.0.epoch_seconds()
    }
    /// Slots per epoch.
    #[getter]
    fn slots_per_epoch(&self) -> u32 {
        self.0.slots_per_epoch()
    }
    /// Unix time at which `slot` of `epoch` starts.
    fn slot_start_unix(
        &self,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
    ) -> PociResult<u64> {
        Ok(self.0.slot_start_unix(epoch, slot)?)
    }
    /// The (epoch, slot) containing unix time `unix`.
    fn slot_at_unix(&self, #[pyo3(from_py_with = extract)] unix: u64) -> PociResult<(u64, u32)> {
        let id = self.0.slot_at_unix(unix)?;
        Ok((id.epoch, id.slot))
    }
    fn __repr__(&self) -> String {
        format!("NetworkParams({:?})", self.0.network_id())
    }
}

/// The challenge of `slot` of `epoch`: SHA-256 over the domain tag, network, slot and beacon.
#[pyfunction]
fn derive_challenge<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = extract)] params: PyRef<'_, NetworkParams>,
    #[pyo3(from_py_with = extract)] epoch: u64,
    #[pyo3(from_py_with = extract)] slot: u32,
    #[pyo3(from_py_with = extract)] beacon: &[u8],
) -> PociResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &poci::derive_challenge(&params.0, epoch, slot, beacon)?,
    ))
}

/// The requester nonce an NVIDIA GPU must sign to answer `slot` of `epoch` for `wallet`
/// (SPEC.md 17.2); `purpose` is "binding" or "heartbeat".
#[pyfunction]
#[pyo3(signature = (params, *, epoch, slot, challenge, wallet, purpose))]
fn evidence_nonce<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = extract)] params: PyRef<'_, NetworkParams>,
    #[pyo3(from_py_with = extract)] epoch: u64,
    #[pyo3(from_py_with = extract)] slot: u32,
    #[pyo3(from_py_with = extract)] challenge: Bytes32,
    #[pyo3(from_py_with = extract)] wallet: &[u8],
    #[pyo3(from_py_with = extract)] purpose: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let purpose = poci::evidence::nonce::EvidencePurpose::from_name(&purpose)
        .ok_or_else(|| invalid_argument("purpose must be 'binding' or 'heartbeat'"))?;
    let context = poci::SlotContext {
        network_id: params.0.network_id(),
        epoch,
        slot,
        challenge: &challenge,
        wallet,
    };
    let nonce = poci::evidence::nonce::evidence_nonce(&context, purpose).map_err(PociErr)?;
    Ok(PyBytes::new(py, &nonce))
}

/// A device public key, parsed once (uncompressed SEC1 point).
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
struct PublicKey(poci::DevicePublicKey);

#[pymethods]
impl PublicKey {
    #[new]
    fn new(#[pyo3(from_py_with = extract)] sec1: &[u8]) -> PociResult<Self> {
        Ok(Self(poci::DevicePublicKey::from_sec1_bytes(sec1)?))
    }
    /// The device key a device certificate certifies (DER, or PEM of one `CERTIFICATE`
    /// block): what a wallet verifies the chip's heartbeats with. Decoding only: the
    /// binding checks the chain.
    #[staticmethod]
    fn from_certificate(#[pyo3(from_py_with = extract)] certificate: &[u8]) -> PociResult<Self> {
        Ok(Self(poci::DevicePublicKey::from_certificate(certificate)?))
    }
    /// The uncompressed SEC1 point.
    #[getter]
    fn sec1(&self) -> &[u8] {
        self.0.sec1_bytes()
    }
    /// The chip's key id: SHA-256 of the SubjectPublicKeyInfo.
    #[getter]
    fn key_id(&self) -> &[u8] {
        self.0.key_id().as_bytes()
    }
}

/// A P-256 device key for simulated chips: RFC 6979 signatures, low-S.
#[pyclass(frozen, module = "poci")]
struct DeviceKey(poci::DeviceKey);

#[pymethods]
impl DeviceKey {
    /// Derives a key deterministically from a seed.
    #[staticmethod]
    fn from_seed(#[pyo3(from_py_with = extract)] seed: &[u8]) -> PociResult<Self> {
        Ok(Self(poci::DeviceKey::from_seed(seed)?))
    }
    /// A key from its 32-byte secret scalar.
    #[staticmethod]
    fn from_secret_bytes(#[pyo3(from_py_with = extract)] secret: &[u8]) -> PociResult<Self> {
        Ok(Self(poci::DeviceKey::from_secret_bytes(secret)?))
    }
    /// The secret scalar (keep it secret).
    fn secret_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_secret_bytes())
    }
    /// The public key.
    #[getter]
    fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key().clone())
    }
    /// The chip's key id.
    #[getter]
    fn key_id(&self) -> &[u8] {
        self.0.key_id().as_bytes()
    }
    /// Signs `message` (DER `Ecdsa-Sig-Value`, low-S).
    fn sign<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = extract)] message: &[u8],
    ) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.sign(message)?))
    }
}

fn key_id(bytes: Bytes32) -> poci::KeyId {
    poci::KeyId(bytes.0)
}

/// The methods every signed message shares: DER and JSON both ways, proof id, signature.
macro_rules! signed_message_methods {
    ($class:ident, $core:ty) => {
        #[pymethods]
        impl $class {
            /// Parses DER strictly.
            #[staticmethod]
            fn from_der(#[pyo3(from_py_with = extract)] der: &[u8]) -> PociResult<Self> {
                Ok(Self(<$core>::from_der(der)?))
            }
            /// Parses the JSON form of SPEC.md.
            #[staticmethod]
            fn from_json(#[pyo3(from_py_with = extract)] text: String) -> PociResult<Self> {
                Ok(Self(<$core>::from_json(&text)?))
            }
            /// The DER encoding.
            fn to_der<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
                Ok(PyBytes::new(py, &self.0.to_der()?))
            }
            /// The JSON form of SPEC.md.
            fn to_json(&self) -> PociResult<String> {
                Ok(self.0.to_json()?)
            }
            /// SHA-256 of the DER: the proof id.
            #[getter]
            fn proof_id<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
                Ok(PyBytes::new(py, &self.0.proof_id()?))
            }
            /// The signature (DER `Ecdsa-Sig-Value`).
            #[getter]
            fn signature(&self) -> &[u8] {
                &self.0.signature
            }
        }
    };
}

signed_message_methods!(Heartbeat, poci::Heartbeat);
signed_message_methods!(ChipBinding, poci::ChipBinding);
signed_message_methods!(LeaseAcceptance, poci::LeaseAcceptance);

/// A signed heartbeat: one chip's availability proof for one slot.
#[pyclass(frozen, module = "poci")]
struct Heartbeat(poci::Heartbeat);

#[pymethods]
impl Heartbeat {
    /// Signs a heartbeat with a device key.
    #[staticmethod]
    #[pyo3(signature = (key, *, network_id, wallet, epoch, slot, challenge, counter, measurement=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        #[pyo3(from_py_with = extract)] key: PyRef<'_, DeviceKey>,
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] wallet: Vec<u8>,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] counter: u64,
        #[pyo3(from_py_with = extract)] measurement: Option<Bytes32>,
    ) -> PociResult<Self> {
        let tbs = poci::HeartbeatTbs {
            network_id,
            chip_key_id: *key.0.key_id(),
            wallet,
            epoch,
            slot,
            challenge: challenge.0,
            counter,
            measurement: measurement.map(|m| m.0),
        };
        Ok(Self(poci::Signed::sign(tbs, &key.0)?))
    }
    /// The chip's key id.
    #[getter]
    fn chip_key_id(&self) -> &[u8] {
        self.0.tbs.chip_key_id.as_bytes()
    }
    /// The wallet.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.tbs.wallet
    }
    /// The epoch.
    #[getter]
    fn epoch(&self) -> u64 {
        self.0.tbs.epoch
    }
    /// The slot.
    #[getter]
    fn slot(&self) -> u32 {
        self.0.tbs.slot
    }
    /// The counter.
    #[getter]
    fn counter(&self) -> u64 {
        self.0.tbs.counter
    }
}

/// A signed chip binding: a chip's claim of a wallet, with its certificate chain.
#[pyclass(frozen, module = "poci")]
struct ChipBinding(poci::ChipBinding);

#[pymethods]
impl ChipBinding {
    /// Signs a binding with the chip's device key.
    #[staticmethod]
    #[pyo3(signature = (key, *, network_id, chip_serial, model_id, wallet, binding_counter, epoch, slot, challenge, certificates))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        #[pyo3(from_py_with = extract)] key: PyRef<'_, DeviceKey>,
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] chip_serial: Vec<u8>,
        #[pyo3(from_py_with = extract)] model_id: String,
        #[pyo3(from_py_with = extract)] wallet: Vec<u8>,
        #[pyo3(from_py_with = extract)] binding_counter: u64,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] certificates: Vec<Vec<u8>>,
    ) -> PociResult<Self> {
        let tbs = poci::ChipBindingTbs {
            network_id,
            chip_serial,
            model_id,
            wallet,
            binding_counter,
            epoch,
            slot,
            challenge: challenge.0,
            certificates,
        };
        Ok(Self(poci::Signed::sign(tbs, &key.0)?))
    }
    /// The binding counter.
    #[getter]
    fn binding_counter(&self) -> u64 {
        self.0.tbs.binding_counter
    }
    /// The wallet.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.tbs.wallet
    }
}

/// A signed lease acceptance: the chip consents to be rented.
#[pyclass(frozen, module = "poci")]
struct LeaseAcceptance(poci::LeaseAcceptance);

#[pymethods]
impl LeaseAcceptance {
    /// Signs a lease acceptance with the rented chip's key.
    #[staticmethod]
    #[pyo3(signature = (key, *, network_id, lease_id, renter_wallet, first_epoch, last_epoch, price))]
    fn sign(
        #[pyo3(from_py_with = extract)] key: PyRef<'_, DeviceKey>,
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] lease_id: Vec<u8>,
        #[pyo3(from_py_with = extract)] renter_wallet: Vec<u8>,
        #[pyo3(from_py_with = extract)] first_epoch: u64,
        #[pyo3(from_py_with = extract)] last_epoch: u64,
        #[pyo3(from_py_with = extract)] price: u128,
    ) -> PociResult<Self> {
        let tbs = poci::LeaseAcceptanceTbs {
            network_id,
            lease_id,
            renter_wallet,
            chip_key_id: *key.0.key_id(),
            first_epoch,
            last_epoch,
            price,
        };
        Ok(Self(poci::Signed::sign(tbs, &key.0)?))
    }
    /// Price of the lease, base units.
    #[getter]
    fn price(&self) -> u128 {
        self.0.tbs.price
    }
}

fn folder_files(files: &[(String, Vec<u8>)]) -> Vec<poci::FolderFile<'_>> {
    poci_folder::as_folder(files)
}

/// Lists a vendor-roots/ folder and reads the files core's loader reads (`OSError` if it
/// cannot).
fn read_folder(path: std::path::PathBuf) -> PyResult<Vec<(String, Vec<u8>)>> {
    poci_folder::read_vendor_roots(&path)
        .map_err(|error| pyo3::exceptions::PyOSError::new_err(error.to_string()))
}

/// Whether a file of a vendor-roots/ folder, by its path relative to the folder, is one
/// the loader reads (the others may be left unread).
#[pyfunction]
fn is_vendor_roots_file(#[pyo3(from_py_with = extract)] path: String) -> bool {
    poci::is_vendor_roots_file(&path)
}

/// The chip-model registry.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
struct ChipModelRegistry(poci::ChipModelRegistry);

#[pymethods]
impl ChipModelRegistry {
    /// The default registry (the real vendors of vendor-roots/, compiled in).
    #[staticmethod]
    fn embedded() -> PociResult<Self> {
        Ok(Self(poci::ChipModelRegistry::embedded()?))
    }
    /// The default registry plus the synthetic test vendors.
    #[staticmethod]
    fn embedded_with_test_vendors() -> PociResult<Self> {
        Ok(Self(poci::ChipModelRegistry::embedded_with_test_vendors()?))
    }
    /// A registry from `(file name, TOML text)` manifests.
    #[staticmethod]
    fn from_manifests(
        #[pyo3(from_py_with = extract)] manifests: Vec<(String, String)>,
    ) -> PociResult<Self> {
        let sources: Vec<poci::ManifestSource<'_>> = manifests
            .iter()
            .map(|(file, toml)| poci::ManifestSource { file, toml })
            .collect();
        Ok(Self(poci::ChipModelRegistry::from_manifests(&sources)?))
    }
    /// The registry of a vendor-roots/ folder's files, given as `(relative path, bytes)`
    /// pairs (`poci.registry_from_folder` lists and reads the folder).
    #[staticmethod]
    fn from_folder_files(
        #[pyo3(from_py_with = extract)] files: Vec<(String, Vec<u8>)>,
    ) -> PociResult<Self> {
        Ok(Self(poci::ChipModelRegistry::from_folder(&folder_files(
            &files,
        ))?))
    }
    /// The registry of a vendor-roots/ folder on disk.
    #[staticmethod]
    fn from_folder(#[pyo3(from_py_with = extract)] path: std::path::PathBuf) -> PyResult<Self> {
        let files = read_folder(path)?;
        Ok(Self(
            poci::ChipModelRegistry::from_folder(&folder_files(&files)).map_err(PociErr)?,
        ))
    }
    /// The model with this id, or None.
    fn get(&self, #[pyo3(from_py_with = extract)] model_id: String) -> Option<ChipModel> {
        self.0.get(&model_id).cloned().map(ChipModel)
    }
    /// Every model, by id.
    fn models(&self) -> Vec<ChipModel> {
        self.0.models().cloned().map(ChipModel).collect()
    }
    /// Vendor ids, sorted.
    fn vendor_ids(&self) -> Vec<String> {
        self.0
            .vendors()
            .map(|vendor| vendor.vendor_id.clone())
            .collect()
    }
    /// SHA-256 of the canonical encoding.
    fn digest<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.digest()?))
    }
    /// What changed from this version to `newer`: a dict of `added`, `removed`,
    /// `rerated` (model id, old, new) and `changed`.
    fn diff<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = extract)] newer: PyRef<'_, ChipModelRegistry>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let diff = self.0.diff(&newer.0);
        let dict = PyDict::new(py);
        dict.set_item("added", diff.added)?;
        dict.set_item("removed", diff.removed)?;
        let rerated: Vec<(String, u64, u64)> = diff
            .rerated
            .into_iter()
            .map(|r| (r.model_id, r.old_milli_cu, r.new_milli_cu))
            .collect();
        dict.set_item("rerated", rerated)?;
        dict.set_item("changed", diff.changed)?;
        Ok(dict)
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
}

/// Registry versions with the epochs they take effect from.
#[pyclass(frozen, module = "poci")]
struct RegistrySchedule(poci::RegistrySchedule);

#[pymethods]
impl RegistrySchedule {
    /// `RegistrySchedule([(activation_epoch, registry), ...])`, epochs strictly increasing.
    #[new]
    fn new(
        #[pyo3(from_py_with = extract)] versions: Vec<(u64, PyRef<'_, ChipModelRegistry>)>,
    ) -> PociResult<Self> {
        let versions = versions
            .into_iter()
            .map(|(epoch, registry)| (epoch, registry.0.clone()))
            .collect();
        Ok(Self(poci::RegistrySchedule::new(versions)?))
    }
    /// The model as rated at `epoch`, or None.
    fn lookup(
        &self,
        #[pyo3(from_py_with = extract)] model_id: String,
        #[pyo3(from_py_with = extract)] epoch: u64,
    ) -> Option<ChipModel> {
        self.0.lookup(&model_id, epoch).cloned().map(ChipModel)
    }
}

fn revocation_policy_named(name: &str) -> PyResult<poci::UnknownRevocationPolicy> {
    poci::UnknownRevocationPolicy::from_name(name)
        .ok_or_else(|| invalid_argument("unknown_revocation must be 'deny' or 'allow'"))
}

/// Vendor roots, CRLs and the registry a verifier judges chains against.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
struct TrustStore(poci::TrustStore);

#[pymethods]
impl TrustStore {
    /// An empty store over `registry`; test vendors refused unless allowed; unknown
    /// revocation status `"deny"` (default) or `"allow"`.
    #[new]
    #[pyo3(signature = (registry, *, allow_test_vendors=false, unknown_revocation=String::from("deny")))]
    #[pyo3(text_signature = "(registry, *, allow_test_vendors=False, unknown_revocation='deny')")]
    fn new(
        #[pyo3(from_py_with = extract)] registry: PyRef<'_, ChipModelRegistry>,
        #[pyo3(from_py_with = extract)] allow_test_vendors: bool,
        #[pyo3(from_py_with = extract)] unknown_revocation: String,
    ) -> PyResult<Self> {
        let policy = poci::TrustPolicy {
            allow_test_vendors,
            unknown_revocation: revocation_policy_named(&unknown_revocation)?,
        };
        Ok(Self(poci::TrustStore::new(registry.0.clone(), policy)))
    }
    /// The test-network trust material compiled in (test vendors allowed).
    #[staticmethod]
    fn embedded_testnet() -> PociResult<Self> {
        Ok(Self(poci::TrustStore::embedded_testnet()?))
    }
    /// The store of a vendor-roots/ folder's files, given as `(relative path, bytes)` pairs
    /// (`poci.trust_store_from_folder` lists and reads the folder); `include_testnet` adds
    /// the `testnet/` stand-in roots as test roots.
    #[staticmethod]
    #[pyo3(signature = (files, *, allow_test_vendors=false, include_testnet=false, unknown_revocation=String::from("deny")))]
    #[pyo3(
        text_signature = "(files, *, allow_test_vendors=False, include_testnet=False, unknown_revocation='deny')"
    )]
    fn from_folder_files(
        #[pyo3(from_py_with = extract)] files: Vec<(String, Vec<u8>)>,
        #[pyo3(from_py_with = extract)] allow_test_vendors: bool,
        #[pyo3(from_py_with = extract)] include_testnet: bool,
        #[pyo3(from_py_with = extract)] unknown_revocation: String,
    ) -> PyResult<Self> {
        let policy = poci::TrustPolicy {
            allow_test_vendors,
            unknown_revocation: revocation_policy_named(&unknown_revocation)?,
        };
        let store = poci::TrustStore::from_folder(&folder_files(&files), policy, include_testnet)
            .map_err(PociErr)?;
        Ok(Self(store))
    }
    /// The store of a vendor-roots/ folder on disk (as `from_folder_files`).
    #[staticmethod]
    #[pyo3(signature = (path, *, allow_test_vendors=false, include_testnet=false, unknown_revocation=String::from("deny")))]
    #[pyo3(
        text_signature = "(path, *, allow_test_vendors=False, include_testnet=False, unknown_revocation='deny')"
    )]
    fn from_folder(
        #[pyo3(from_py_with = extract)] path: std::path::PathBuf,
        #[pyo3(from_py_with = extract)] allow_test_vendors: bool,
        #[pyo3(from_py_with = extract)] include_testnet: bool,
        #[pyo3(from_py_with = extract)] unknown_revocation: String,
    ) -> PyResult<Self> {
        Self::from_folder_files(
            read_folder(path)?,
            allow_test_vendors,
            include_testnet,
            unknown_revocation,
        )
    }
    /// SHA-256 of the store's contents (SPEC.md 11): equal digests, equal trust material.
    fn digest<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.digest()?))
    }
    /// A copy with a vendor's roots and CRLs added (DER or PEM each); `test=True` marks
    /// stand-in roots of a test network.
    #[pyo3(signature = (vendor_id, roots, crls, *, test=false))]
    fn with_roots(
        &self,
        #[pyo3(from_py_with = extract)] vendor_id: String,
        #[pyo3(from_py_with = extract)] roots: Vec<Vec<u8>>,
        #[pyo3(from_py_with = extract)] crls: Vec<Vec<u8>>,
        #[pyo3(from_py_with = extract)] test: bool,
    ) -> PociResult<Self> {
        let mut store = self.0.clone();
        let kind = if test {
            poci::RootKind::Test
        } else {
            poci::RootKind::Vendor
        };
        let roots: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        store.add_roots(&vendor_id, kind, &roots, &crls)?;
        Ok(Self(store))
    }
    /// The registry.
    #[getter]
    fn registry(&self) -> ChipModelRegistry {
        ChipModelRegistry(self.0.registry().clone())
    }
    /// Number of roots.
    #[getter]
    fn root_count(&self) -> usize {
        self.0.root_count()
    }
}

/// The key of a `PublicKey` as is (no copy on the hot path), or parsed from SEC1 bytes.
fn public_key_of<'a>(
    value: &'a Bound<'_, PyAny>,
) -> PyResult<std::borrow::Cow<'a, poci::DevicePublicKey>> {
    if let Ok(key) = value.cast::<PublicKey>() {
        return Ok(std::borrow::Cow::Borrowed(&key.get().0));
    }
    let key = poci::DevicePublicKey::from_sec1_bytes(&key_bytes(value)?).map_err(PociErr)?;
    Ok(std::borrow::Cow::Owned(key))
}

/// The SEC1 bytes of a public-key argument that is not a `PublicKey`.
fn key_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    value.extract::<Vec<u8>>().map_err(|_| {
        invalid_argument(format!(
            "expected a PublicKey or bytes, got {}",
            args::describe(value)
        ))
    })
}

/// The rules of a network every node applies identically (SPEC.md 18).
#[pyclass(frozen, module = "poci")]
struct NetworkPolicy(poci::NetworkPolicy);

#[pymethods]
impl NetworkPolicy {
    /// Parses the JSON form (invalid values: `INVALID_POLICY`).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = extract)] text: String) -> PociResult<Self> {
        Ok(Self(poci::NetworkPolicy::from_json(&text)?))
    }
    /// The JSON form.
    fn to_json(&self) -> PociResult<String> {
        Ok(self.0.to_json()?)
    }
    /// SHA-256 of the canonical encoding.
    fn digest<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.digest()?))
    }
    /// Slots after its own that a proof is still accepted.
    #[getter]
    fn grace_slots(&self) -> u32 {
        self.0.grace_slots
    }
    /// One chip-slot in this many is drawn (1: every slot).
    #[getter]
    fn sample_one_in(&self) -> u32 {
        self.0.sample_one_in
    }
}

/// Whether chip `key_id` must answer the slot of `challenge` when one chip-slot in
/// `sample_one_in` is drawn (SPEC.md 18.3).
#[pyfunction]
fn is_sampled(
    #[pyo3(from_py_with = extract)] challenge: Bytes32,
    #[pyo3(from_py_with = extract)] key_id: Bytes32,
    #[pyo3(from_py_with = extract)] sample_one_in: u32,
) -> bool {
    poci::is_sampled(&challenge.0, &poci::KeyId(key_id.0), sample_one_in)
}

/// Verifies proofs with one backend and one trust store.
#[pyclass(frozen, module = "poci")]
struct Verifier(poci::Verifier);

fn backend_named(name: &str) -> PyResult<poci::Backend> {
    poci::Backend::from_name(name)
        .ok_or_else(|| invalid_argument(format!("unknown backend {name:?}")))
}

#[pymethods]
impl Verifier {
    /// A verifier; `backend` is `"aws-lc"` (the default), `"ring"` or `"pure-rust"`.
    #[new]
    #[pyo3(signature = (trust_store=None, *, backend=None))]
    fn new(
        #[pyo3(from_py_with = extract)] trust_store: Option<PyRef<'_, TrustStore>>,
        #[pyo3(from_py_with = extract)] backend: Option<String>,
    ) -> PyResult<Self> {
        let backend = backend
            .as_deref()
            .map_or(Ok(poci::Backend::default()), backend_named)?;
        let verifier = match trust_store {
            Some(store) => poci::Verifier::with_trust_store(store.0.clone()),
            None => poci::Verifier::default(),
        };
        Ok(Self(verifier.with_backend(backend)))
    }
    /// A verifier over `trust_store`, then each `(activation_epoch, store)` of `later`
    /// from its epoch (SPEC.md 18.5; epochs strictly increasing, after 0).
    #[staticmethod]
    #[pyo3(signature = (trust_store, later, *, backend=None))]
    fn scheduled(
        #[pyo3(from_py_with = extract)] trust_store: PyRef<'_, TrustStore>,
        #[pyo3(from_py_with = extract)] later: Vec<(u64, PyRef<'_, TrustStore>)>,
        #[pyo3(from_py_with = extract)] backend: Option<String>,
    ) -> PyResult<Self> {
        let backend = backend
            .as_deref()
            .map_or(Ok(poci::Backend::default()), backend_named)?;
        let mut verifier = poci::Verifier::with_trust_store(trust_store.0.clone());
        for (epoch, store) in later {
            verifier
                .schedule_trust_store(epoch, store.0.clone())
                .map_err(PociErr)?;
        }
        Ok(Self(verifier.with_backend(backend)))
    }
    /// Verifies a heartbeat against the chip's registered key (a `PublicKey` or SEC1 bytes).
    #[pyo3(signature = (der, public_key, *, network_id, epoch, slot, challenge, wallet))]
    #[allow(clippy::too_many_arguments)]
    fn verify_heartbeat(
        &self,
        #[pyo3(from_py_with = extract)] der: &[u8],
        public_key: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: &[u8],
    ) -> PyResult<VerifiedHeartbeat> {
        let key = public_key_of(public_key)?;
        let context = poci::SlotContext {
            network_id: &network_id,
            epoch,
            slot,
            challenge: &challenge,
            wallet,
        };
        Ok(VerifiedHeartbeat(
            self.0
                .verify_heartbeat(der, &key, &context)
                .map_err(PociErr)?,
        ))
    }
    /// Verifies many heartbeats without holding the GIL; `items` are
    /// `(der, public_key, network_id, epoch, slot, challenge, wallet)` tuples. Returns one
    /// result per item: a `VerifiedHeartbeat` or the `PociError` it failed with (not raised).
    #[allow(clippy::type_complexity)]
    fn verify_heartbeats<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = extract)] items: Vec<(
            Vec<u8>,
            Bound<'py, PyAny>,
            String,
            u64,
            u32,
            Bytes32,
            Vec<u8>,
        )>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        poci::limits::check_batch_len(items.len()).map_err(PociErr)?;
        let mut owned = Vec::with_capacity(items.len());
        for (der, key, network_id, epoch, slot, challenge, wallet) in items {
            // Bytes as they are: core decodes each key with its item, so a bad key fails
            // that item only.
            let public_key = match key.cast::<PublicKey>() {
                Ok(key) => key.get().0.sec1_bytes().to_vec(),
                Err(_) => key_bytes(&key)?,
            };
            owned.push((der, public_key, network_id, epoch, slot, challenge, wallet));
        }
        let verifier = &self.0;
        let results = py
            .detach(|| {
                let batch: Vec<poci::HeartbeatSec1Item<'_>> = owned
                    .iter()
                    .map(
                        |(der, public_key, network_id, epoch, slot, challenge, wallet)| {
                            poci::HeartbeatSec1Item {
                                der,
                                public_key,
                                context: poci::SlotContext {
                                    network_id,
                                    epoch: *epoch,
                                    slot: *slot,
                                    challenge,
                                    wallet,
                                },
                            }
                        },
                    )
                    .collect();
                verifier.verify_heartbeats_sec1(&batch)
            })
            .map_err(PociErr)?;
        results
            .into_iter()
            .map(|result| match result {
                Ok(verified) => Ok(Py::new(py, VerifiedHeartbeat(verified))?.into_any()),
                Err(error) => Ok(exception(py, &error).into_value(py).into_any()),
            })
            .collect()
    }
    /// Verifies an NVIDIA GPU's attestation report and its certificate chain (leaf first)
    /// against the trust store's NVIDIA roots at unix `time`, for `nonce`.
    #[pyo3(signature = (report, chain, *, nonce, time))]
    fn verify_nvidia_report(
        &self,
        #[pyo3(from_py_with = extract)] report: &[u8],
        #[pyo3(from_py_with = extract)] chain: Vec<Vec<u8>>,
        #[pyo3(from_py_with = extract)] nonce: Bytes32,
        #[pyo3(from_py_with = extract)] time: u64,
    ) -> PociResult<VerifiedNvidiaReport> {
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        Ok(VerifiedNvidiaReport(
            self.0.verify_nvidia_report(report, &chain, &nonce, time)?,
        ))
    }
    /// Verifies a chip binding submitted by `wallet` for `slot` of `epoch`.
    #[pyo3(signature = (der, *, params, epoch, slot, challenge, wallet))]
    fn verify_binding(
        &self,
        #[pyo3(from_py_with = extract)] der: &[u8],
        #[pyo3(from_py_with = extract)] params: PyRef<'_, NetworkParams>,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: &[u8],
    ) -> PociResult<VerifiedBinding> {
        let context = poci::BindingContext::new(&params.0, epoch, slot, &challenge, wallet);
        Ok(VerifiedBinding(self.0.verify_binding(der, &context)?))
    }
    /// Verifies a lease acceptance signed by the rented chip.
    fn verify_lease_acceptance(
        &self,
        #[pyo3(from_py_with = extract)] der: &[u8],
        public_key: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = extract)] network_id: String,
    ) -> PyResult<VerifiedLeaseAcceptance> {
        let key = public_key_of(public_key)?;
        Ok(VerifiedLeaseAcceptance(
            self.0
                .verify_lease_acceptance(der, &key, &network_id)
                .map_err(PociErr)?,
        ))
    }
}

/// The benchmark hook, only in builds with the `bench` feature (bench/overhead.py): not
/// part of the module's API.
#[cfg(feature = "bench")]
#[pymethods]
impl Verifier {
    /// Times `iterations` calls of `verify_heartbeat` inside Rust; nanoseconds per call.
    /// For the per-call overhead benchmark (bench/overhead.py), not for verification.
    ///
    /// # Errors
    /// The first verification error.
    #[allow(clippy::too_many_arguments)]
    fn _time_verify_heartbeat_in_rust(
        &self,
        #[pyo3(from_py_with = extract)] der: &[u8],
        #[pyo3(from_py_with = extract)] public_key: PyRef<'_, PublicKey>,
        #[pyo3(from_py_with = extract)] network_id: String,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: &[u8],
        #[pyo3(from_py_with = extract)] iterations: u32,
    ) -> PyResult<f64> {
        let context = poci::SlotContext {
            network_id: &network_id,
            epoch,
            slot,
            challenge: &challenge,
            wallet,
        };
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            self.0
                .verify_heartbeat(der, &public_key.0, &context)
                .map_err(PociErr)?;
        }
        let elapsed = start.elapsed().as_nanos();
        Ok(elapsed as f64 / f64::from(iterations.max(1)))
    }
}

/// The chip ledger: registered chips and the slots they proved.
#[pyclass(module = "poci")]
struct ChipLedger(poci::ChipLedger);

#[pymethods]
impl ChipLedger {
    #[new]
    fn new(#[pyo3(from_py_with = extract)] params: PyRef<'_, NetworkParams>) -> Self {
        Self(poci::ChipLedger::new(params.0.clone()))
    }
    /// Restores a persisted ledger.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = extract)] text: String) -> PociResult<Self> {
        Ok(Self(poci::json::from_json(&text)?))
    }
    /// Persists the ledger.
    fn to_json(&self) -> PociResult<String> {
        Ok(poci::json::to_json(&self.0)?)
    }
    /// Verifies and applies a chip binding submitted by `wallet`, at the network's
    /// current slot (`now_epoch`, `now_slot`).
    #[pyo3(signature = (verifier, der, *, epoch, slot, challenge, wallet, now_epoch, now_slot))]
    #[allow(clippy::too_many_arguments)]
    fn apply_binding(
        &mut self,
        #[pyo3(from_py_with = extract)] verifier: PyRef<'_, Verifier>,
        #[pyo3(from_py_with = extract)] der: &[u8],
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: &[u8],
        #[pyo3(from_py_with = extract)] now_epoch: u64,
        #[pyo3(from_py_with = extract)] now_slot: u32,
    ) -> PociResult<BindingOutcome> {
        let slot = poci::SlotId { epoch, slot };
        Ok(BindingOutcome(self.0.apply_binding(
            &verifier.0,
            der,
            slot,
            &challenge,
            wallet,
            poci::SlotId {
                epoch: now_epoch,
                slot: now_slot,
            },
        )?))
    }
    /// Verifies an NVIDIA GPU's report (answering the slot's binding nonce) and chain
    /// (leaf first) as a binding submitted by `wallet`, and applies it.
    #[pyo3(signature = (verifier, report, chain, *, epoch, slot, challenge, wallet, now_epoch, now_slot))]
    #[allow(clippy::too_many_arguments)]
    fn apply_nvidia_binding(
        &mut self,
        #[pyo3(from_py_with = extract)] verifier: PyRef<'_, Verifier>,
        #[pyo3(from_py_with = extract)] report: &[u8],
        #[pyo3(from_py_with = extract)] chain: Vec<Vec<u8>>,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: &[u8],
        #[pyo3(from_py_with = extract)] now_epoch: u64,
        #[pyo3(from_py_with = extract)] now_slot: u32,
    ) -> PociResult<BindingOutcome> {
        let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let slot = poci::SlotId { epoch, slot };
        Ok(BindingOutcome(self.0.apply_nvidia_binding(
            &verifier.0,
            report,
            &chain,
            slot,
            &challenge,
            wallet,
            poci::SlotId {
                epoch: now_epoch,
                slot: now_slot,
            },
        )?))
    }
    /// Verifies an NVIDIA report (answering the slot's heartbeat nonce) as the heartbeat
    /// of chip `key_id` and records the proven slot.
    #[pyo3(signature = (verifier, key_id, report, *, epoch, slot, challenge, now_epoch, now_slot))]
    #[allow(clippy::too_many_arguments)]
    fn apply_nvidia_heartbeat(
        &mut self,
        #[pyo3(from_py_with = extract)] verifier: PyRef<'_, Verifier>,
        #[pyo3(from_py_with = extract)] key_id: Bytes32,
        #[pyo3(from_py_with = extract)] report: &[u8],
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] now_epoch: u64,
        #[pyo3(from_py_with = extract)] now_slot: u32,
    ) -> PociResult<()> {
        Ok(self.0.apply_nvidia_heartbeat(
            &verifier.0,
            &poci::KeyId(key_id.0),
            report,
            poci::SlotId { epoch, slot },
            &challenge,
            poci::SlotId {
                epoch: now_epoch,
                slot: now_slot,
            },
        )?)
    }
    /// Verifies and records a heartbeat for `slot` of `epoch`, at the network's current
    /// slot (`now_epoch`, `now_slot`).
    #[pyo3(signature = (verifier, der, *, epoch, slot, challenge, now_epoch, now_slot))]
    #[allow(clippy::too_many_arguments)]
    fn apply_heartbeat(
        &mut self,
        #[pyo3(from_py_with = extract)] verifier: PyRef<'_, Verifier>,
        #[pyo3(from_py_with = extract)] der: &[u8],
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot: u32,
        #[pyo3(from_py_with = extract)] challenge: Bytes32,
        #[pyo3(from_py_with = extract)] now_epoch: u64,
        #[pyo3(from_py_with = extract)] now_slot: u32,
    ) -> PociResult<()> {
        Ok(self.0.apply_heartbeat(
            &verifier.0,
            der,
            poci::SlotId { epoch, slot },
            &challenge,
            poci::SlotId {
                epoch: now_epoch,
                slot: now_slot,
            },
        )?)
    }
    /// Closes an epoch: its availability, final. A sampled network passes the epoch's
    /// slot challenges, one per slot in order.
    #[pyo3(signature = (epoch, slot_challenges=Vec::new()))]
    fn close_epoch(
        &mut self,
        #[pyo3(from_py_with = extract)] epoch: u64,
        #[pyo3(from_py_with = extract)] slot_challenges: Vec<Bytes32>,
    ) -> PociResult<ClosedEpoch> {
        let challenges: Vec<[u8; 32]> = slot_challenges
            .iter()
            .map(|challenge| challenge.0)
            .collect();
        Ok(ClosedEpoch(self.0.close_epoch(epoch, None, &challenges)?))
    }
    /// An empty ledger applying `policy`.
    #[staticmethod]
    fn with_policy(
        #[pyo3(from_py_with = extract)] policy: PyRef<'_, NetworkPolicy>,
    ) -> PociResult<Self> {
        Ok(Self(poci::ChipLedger::with_policy(policy.0.clone())?))
    }
    /// Verifies a lease acceptance signed by the rented chip and holds the lease, at the
    /// network's current slot: `"accepted"` or `"already_applied"`.
    #[pyo3(signature = (verifier, der, *, now_epoch, now_slot))]
    fn apply_lease(
        &mut self,
        #[pyo3(from_py_with = extract)] verifier: PyRef<'_, Verifier>,
        #[pyo3(from_py_with = extract)] der: &[u8],
        #[pyo3(from_py_with = extract)] now_epoch: u64,
        #[pyo3(from_py_with = extract)] now_slot: u32,
    ) -> PociResult<&'static str> {
        let outcome = self.0.apply_lease(
            &verifier.0,
            der,
            poci::SlotId {
                epoch: now_epoch,
                slot: now_slot,
            },
        )?;
        Ok(if outcome == poci::LeaseOutcome::Accepted {
            "accepted"
        } else {
            "already_applied"
        })
    }
    /// Settles a lease whose epochs are all closed, from the slots the ledger counted.
    fn settle_lease(
        &mut self,
        #[pyo3(from_py_with = extract)] lease_id: &[u8],
    ) -> PociResult<types::SettledLease> {
        Ok(types::SettledLease(self.0.settle_lease(lease_id)?))
    }
    /// A registered chip's record, or None.
    fn chip(&self, #[pyo3(from_py_with = extract)] key_id: Bytes32) -> Option<ChipRecord> {
        self.0.chip(&poci::KeyId(key_id.0)).map(ChipRecord)
    }
    /// Number of registered chips.
    fn __len__(&self) -> usize {
        self.0.chip_count()
    }
}

/// An emission schedule (halving, tiered then decaying, or inflation), capped.
#[pyclass(frozen, module = "poci")]
struct EmissionSchedule(poci::rewards::emission::EmissionSchedule);

#[pymethods]
impl EmissionSchedule {
    /// Halving: `base_per_epoch >> era`.
    #[staticmethod]
    fn halving(
        #[pyo3(from_py_with = extract)] base_per_epoch: u128,
        #[pyo3(from_py_with = extract)] epochs_per_era: u64,
        #[pyo3(from_py_with = extract)] cap: u128,
    ) -> PociResult<Self> {
        let schedule = poci::rewards::emission::EmissionSchedule::Halving(
            poci::rewards::emission::HalvingSchedule {
                base_per_epoch,
                epochs_per_era,
                cap,
            },
        );
        schedule.validate()?;
        Ok(Self(schedule))
    }
    /// Yearly inflation in basis points on the supply at the year's start.
    #[staticmethod]
    fn inflation(
        #[pyo3(from_py_with = extract)] initial_supply: u128,
        #[pyo3(from_py_with = extract)] bps_per_year: u32,
        #[pyo3(from_py_with = extract)] epochs_per_year: u64,
        #[pyo3(from_py_with = extract)] cap: u128,
    ) -> PociResult<Self> {
        let schedule = poci::rewards::emission::EmissionSchedule::Inflation(
            poci::rewards::emission::InflationSchedule {
                initial_supply,
                bps_per_year,
                epochs_per_year,
                cap,
            },
        );
        schedule.validate()?;
        Ok(Self(schedule))
    }
    /// Any schedule from its JSON form (SPEC.md 15.1).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = extract)] text: String) -> PociResult<Self> {
        let schedule: poci::rewards::emission::EmissionSchedule = poci::json::from_json(&text)?;
        schedule.validate()?;
        Ok(Self(schedule))
    }
    /// The JSON form.
    fn to_json(&self) -> PociResult<String> {
        Ok(poci::json::to_json(&self.0)?)
    }
    /// The emission of `epoch`, base units.
    fn emission(&self, #[pyo3(from_py_with = extract)] epoch: u64) -> PociResult<u128> {
        Ok(self.0.emission(epoch)?)
    }
    /// Total supply before `epoch`, base units.
    fn cumulative(&self, #[pyo3(from_py_with = extract)] epoch: u64) -> PociResult<u128> {
        Ok(self.0.cumulative(epoch)?)
    }
    /// Total supply once `epoch` is paid, `C(epoch + 1)`, base units (the last epoch too).
    fn supply_after(&self, #[pyo3(from_py_with = extract)] epoch: u64) -> PociResult<u128> {
        Ok(self.0.supply_after(epoch)?)
    }
    /// The supply cap.
    #[getter]
    fn cap(&self) -> u128 {
        self.0.cap()
    }
}

/// How emission splits into pools: miners (9700 bps by default) and named pools.
#[pyclass(frozen, module = "poci")]
struct PoolSplit(poci::rewards::pools::PoolSplit);

#[pymethods]
impl PoolSplit {
    /// `PoolSplit()` is the default 97/1/1/1 split; else miners' bps and `(name, bps)` pools.
    #[new]
    #[pyo3(signature = (miners_bps=None, pools=None))]
    fn new(
        #[pyo3(from_py_with = extract)] miners_bps: Option<u32>,
        #[pyo3(from_py_with = extract)] pools: Option<Vec<(String, u32)>>,
    ) -> PociResult<Self> {
        let default = poci::rewards::pools::PoolSplit::default();
        let split = poci::rewards::pools::PoolSplit {
            miners_bps: miners_bps.unwrap_or(default.miners_bps),
            pools: match pools {
                Some(pools) => pools
                    .into_iter()
                    .map(|(name, bps)| poci::rewards::pools::NamedPool { name, bps })
                    .collect(),
                None => default.pools,
            },
        };
        split.validate()?;
        Ok(Self(split))
    }
    /// Splits an emission; the rounding remainder goes to the miners.
    fn split(&self, #[pyo3(from_py_with = extract)] emission: u128) -> PociResult<PoolAmounts> {
        Ok(PoolAmounts(self.0.split(emission)?))
    }
}

/// Allocates the miners' pool over `availability` by weight = rating x proven slots.
#[pyfunction]
#[pyo3(signature = (pool, availability, *, slots_per_epoch, min_availability_bps=0))]
fn allocate(
    #[pyo3(from_py_with = extract)] pool: u128,
    #[pyo3(from_py_with = extract)] availability: Vec<PyRef<'_, Availability>>,
    #[pyo3(from_py_with = extract)] slots_per_epoch: u32,
    #[pyo3(from_py_with = extract)] min_availability_bps: u32,
) -> PociResult<Allocation> {
    let entries: Vec<poci::rewards::allocation::AllocationInput> =
        availability.iter().map(|entry| entry.0.clone()).collect();
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch,
        min_availability_bps,
    };
    Ok(Allocation(poci::rewards::allocation::allocate(
        pool, &entries, &policy,
    )?))
}

/// Settles a lease: rent for the proven slots, the rest refunded.
#[pyfunction]
fn settle_lease(
    #[pyo3(from_py_with = extract)] price: u128,
    #[pyo3(from_py_with = extract)] lease_slots: u128,
    #[pyo3(from_py_with = extract)] proven_slots: u128,
) -> PociResult<LeaseSettlement> {
    Ok(LeaseSettlement(poci::rewards::lease::settle(
        price,
        lease_slots,
        proven_slots,
    )?))
}

/// Picks the slot's producer with probability proportional to weight; None without weight.
#[pyfunction]
fn select_producer<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = extract)] beacon: Bytes32,
    #[pyo3(from_py_with = extract)] candidates: Vec<(Bytes32, u128)>,
) -> PociResult<Option<Bound<'py, PyBytes>>> {
    let candidates: Vec<(poci::KeyId, u128)> = candidates
        .into_iter()
        .map(|(id, weight)| (key_id(id), weight))
        .collect();
    Ok(
        poci::rewards::producer::select_producer(&beacon, &candidates)?
            .map(|id| PyBytes::new(py, id.as_bytes())),
    )
}

/// A testnet NVIDIA GPU (SPEC.md 17.7): reports of the real layout under the testnet NVIDIA
/// chain, from a published seed. For tests and simulations: it proves nothing about silicon.
#[pyclass(frozen, module = "poci")]
struct EmulatedGpu(poci::evidence::nvidia_emulator::EmulatedGpu);

#[pymethods]
impl EmulatedGpu {
    /// The emulated board of `model_id` (`nvidia-h100-sxm`, `nvidia-h200-sxm`,
    /// `nvidia-b200`), its identity from `seed`, running `firmware`.
    #[new]
    #[pyo3(signature = (model_id, seed, firmware=String::from("96.00.9f.00.01")))]
    #[pyo3(text_signature = "(model_id, seed, firmware='96.00.9f.00.01')")]
    fn new(
        #[pyo3(from_py_with = extract)] model_id: String,
        #[pyo3(from_py_with = extract)] seed: String,
        #[pyo3(from_py_with = extract)] firmware: String,
    ) -> PyResult<Self> {
        use poci::evidence::nvidia_emulator::{NvidiaTestnetCa, board_for_model};
        let board = board_for_model(&model_id)
            .ok_or_else(|| invalid_argument("the emulator has no board of that model"))?;
        let gpu = NvidiaTestnetCa::testnet()
            .and_then(|ca| ca.gpu(board, &seed, &firmware))
            .map_err(PociErr)?;
        Ok(Self(gpu))
    }
    /// Its key id (SHA-256 of its identity certificate's key).
    #[getter]
    fn key_id<'py>(&self, py: Python<'py>) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, self.0.key_id()?.as_bytes()))
    }
    /// Its certificate chain, leaf first (DER each).
    fn chain<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.0
            .chain()
            .iter()
            .map(|der| PyBytes::new(py, der))
            .collect()
    }
    /// A report answering `nonce` (request, response, signature).
    fn report<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = extract)] nonce: Bytes32,
    ) -> PociResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.report(&nonce)?))
    }
}

/// The certificates of a PEM text, in order (DER each): an NVIDIA GPU's chain as NVML
/// returns it.
#[pyfunction]
fn certificates_from_pem<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = extract)] text: String,
) -> PociResult<Vec<Bound<'py, PyBytes>>> {
    Ok(poci::x509::certificates_from_pem(&text)?
        .iter()
        .map(|der| PyBytes::new(py, der))
        .collect())
}

/// A deterministic test vendor (root, intermediate, CRLs) that mints simulated chips.
#[pyclass(frozen, module = "poci")]
struct TestVendor(poci::x509::mint::TestVendor);

#[pymethods]
impl TestVendor {
    /// One of the repository's test vendors (`poci-test-a`, `poci-test-b`).
    #[new]
    fn new(
        #[pyo3(from_py_with = extract)] vendor_id: String,
        #[pyo3(from_py_with = extract)] organization: String,
    ) -> PociResult<Self> {
        Ok(Self(poci::x509::mint::TestVendor::from_seed(
            &vendor_id,
            &organization,
        )?))
    }
    /// The testnet stand-in of a real vendor (vendor-roots/testnet/).
    #[staticmethod]
    fn testnet(
        #[pyo3(from_py_with = extract)] vendor_id: String,
        #[pyo3(from_py_with = extract)] display_name: String,
    ) -> PociResult<Self> {
        Ok(Self(poci::x509::mint::testnet_vendor(
            &vendor_id,
            &display_name,
        )?))
    }
    /// Mints a chip: its device key (from `seed`) and device certificate (DER).
    #[pyo3(signature = (seed, *, model_id, serial, certificate_serial=1, security_version=1))]
    fn mint_chip<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = extract)] seed: &[u8],
        #[pyo3(from_py_with = extract)] model_id: String,
        #[pyo3(from_py_with = extract)] serial: Vec<u8>,
        #[pyo3(from_py_with = extract)] certificate_serial: u64,
        #[pyo3(from_py_with = extract)] security_version: u32,
    ) -> PociResult<(DeviceKey, Bound<'py, PyBytes>)> {
        let identity = poci::ChipIdentity {
            model_id,
            serial,
            security_version,
        };
        let (key, certificate) = self.0.mint_chip(seed, &identity, certificate_serial)?;
        Ok((DeviceKey(key), PyBytes::new(py, &certificate)))
    }
    /// The intermediate certificate chips carry (DER).
    #[getter]
    fn intermediate_der(&self) -> &[u8] {
        &self.0.intermediate_der
    }
}

/// Every error code of SPEC.md.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    poci::Error::ALL_CODES.to_vec()
}

/// The name of every error family: each is an exception class of this module.
#[pyfunction]
fn error_families() -> Vec<&'static str> {
    poci::ErrorFamily::ALL
        .iter()
        .map(|family| family.name())
        .collect()
}

/// The POCI core, compiled: verification and reward math shared with the Rust nodes.
#[pymodule]
fn _poci(module: &Bound<'_, PyModule>) -> PyResult<()> {
    error::register(module)?;
    module.add_class::<NetworkParams>()?;
    module.add_class::<NetworkPolicy>()?;
    module.add_class::<types::SettledLease>()?;
    module.add_function(wrap_pyfunction!(is_sampled, module)?)?;
    module.add_class::<VerifiedNvidiaReport>()?;
    module.add_class::<PublicKey>()?;
    module.add_class::<DeviceKey>()?;
    module.add_class::<Heartbeat>()?;
    module.add_class::<ChipBinding>()?;
    module.add_class::<LeaseAcceptance>()?;
    module.add_class::<ChipModelRegistry>()?;
    module.add_class::<RegistrySchedule>()?;
    module.add_class::<TrustStore>()?;
    module.add_class::<Verifier>()?;
    module.add_class::<ChipLedger>()?;
    module.add_class::<EmissionSchedule>()?;
    module.add_class::<PoolSplit>()?;
    module.add_class::<TestVendor>()?;
    module.add_class::<Availability>()?;
    module.add_class::<VerifiedHeartbeat>()?;
    module.add_class::<VerifiedBinding>()?;
    module.add_class::<VerifiedLeaseAcceptance>()?;
    module.add_class::<ChipRecord>()?;
    module.add_class::<ChipModel>()?;
    module.add_class::<BindingOutcome>()?;
    module.add_class::<ClosedEpoch>()?;
    module.add_class::<PoolAmounts>()?;
    module.add_class::<Allocation>()?;
    module.add_class::<types::ChipShare>()?;
    module.add_class::<LeaseSettlement>()?;
    module.add_function(wrap_pyfunction!(derive_challenge, module)?)?;
    module.add_function(wrap_pyfunction!(evidence_nonce, module)?)?;
    module.add_function(wrap_pyfunction!(certificates_from_pem, module)?)?;
    module.add_class::<EmulatedGpu>()?;
    module.add_function(wrap_pyfunction!(allocate, module)?)?;
    module.add_function(wrap_pyfunction!(settle_lease, module)?)?;
    module.add_function(wrap_pyfunction!(select_producer, module)?)?;
    module.add_function(wrap_pyfunction!(error_codes, module)?)?;
    module.add_function(wrap_pyfunction!(error_families, module)?)?;
    module.add_function(wrap_pyfunction!(is_vendor_roots_file, module)?)?;
    Ok(())
}
