//! Result types: each wraps the core value and exposes it with Python types
//! (`bytes` for byte strings, `int` for every integer and amount, never `float`).

use pyo3::prelude::*;

use crate::args::extract;
use crate::error::PociResult;

fn json_of<T: serde::Serialize>(value: &T) -> PociResult<String> {
    Ok(poci::json::to_json(value)?)
}

/// A heartbeat that passed verification.
#[pyclass(frozen, module = "poci")]
pub struct VerifiedHeartbeat(pub poci::VerifiedHeartbeat);

#[pymethods]
impl VerifiedHeartbeat {
    /// SHA-256 of the heartbeat's DER.
    #[getter]
    fn proof_id(&self) -> &[u8] {
        &self.0.proof_id
    }
    /// The chip's key id.
    #[getter]
    fn chip_key_id(&self) -> &[u8] {
        self.0.heartbeat.chip_key_id.as_bytes()
    }
    /// The network.
    #[getter]
    fn network_id(&self) -> &str {
        &self.0.heartbeat.network_id
    }
    /// The chip's wallet.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.heartbeat.wallet
    }
    /// The epoch proven.
    #[getter]
    fn epoch(&self) -> u64 {
        self.0.heartbeat.epoch
    }
    /// The slot proven.
    #[getter]
    fn slot(&self) -> u32 {
        self.0.heartbeat.slot
    }
    /// The challenge answered.
    #[getter]
    fn challenge(&self) -> &[u8] {
        &self.0.heartbeat.challenge
    }
    /// The chip's counter.
    #[getter]
    fn counter(&self) -> u64 {
        self.0.heartbeat.counter
    }
    /// The measured environment digest, if reported.
    #[getter]
    fn measurement(&self) -> Option<&[u8]> {
        self.0.heartbeat.measurement.as_ref().map(|m| m.as_slice())
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifiedHeartbeat(epoch={}, slot={}, counter={})",
            self.0.heartbeat.epoch, self.0.heartbeat.slot, self.0.heartbeat.counter
        )
    }
}

/// A registered chip.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
pub struct ChipRecord(pub poci::ChipRecord);

#[pymethods]
impl ChipRecord {
    /// The kind of evidence the chip proves itself with ("poci", "nvidia-spdm").
    #[getter]
    fn evidence(&self) -> &'static str {
        self.0.evidence.name()
    }
    /// The chip's key id.
    #[getter]
    fn key_id(&self) -> &[u8] {
        self.0.key_id.as_bytes()
    }
    /// The device public key (uncompressed SEC1).
    #[getter]
    fn public_key(&self) -> &[u8] {
        &self.0.public_key
    }
    /// The chip serial.
    #[getter]
    fn serial(&self) -> &[u8] {
        &self.0.serial
    }
    /// The chip model id.
    #[getter]
    fn model_id(&self) -> &str {
        &self.0.model_id
    }
    /// The vendor whose root anchored the chain.
    #[getter]
    fn vendor_id(&self) -> &str {
        &self.0.vendor_id
    }
    /// The model's rating in milli-CU.
    #[getter]
    fn rating_milli_cu(&self) -> u64 {
        self.0.rating_milli_cu
    }
    /// Firmware security version.
    #[getter]
    fn security_version(&self) -> u32 {
        self.0.security_version
    }
    /// The wallet the chip is bound to.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.wallet
    }
    /// The binding counter.
    #[getter]
    fn binding_counter(&self) -> u64 {
        self.0.binding_counter
    }
    /// End of the device certificate's validity, unix seconds.
    #[getter]
    fn certificate_not_after(&self) -> u64 {
        self.0.certificate_not_after
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
    fn __repr__(&self) -> String {
        format!(
            "ChipRecord(model_id={:?}, vendor_id={:?}, rating_milli_cu={})",
            self.0.model_id, self.0.vendor_id, self.0.rating_milli_cu
        )
    }
}

/// A chip binding that passed verification.
#[pyclass(frozen, module = "poci")]
pub struct VerifiedBinding(pub poci::VerifiedBinding);

#[pymethods]
impl VerifiedBinding {
    /// SHA-256 of the binding's DER.
    #[getter]
    fn proof_id(&self) -> &[u8] {
        &self.0.proof_id
    }
    /// Epoch of the answered slot.
    #[getter]
    fn epoch(&self) -> u64 {
        self.0.epoch
    }
    /// The answered slot.
    #[getter]
    fn slot(&self) -> u32 {
        self.0.slot
    }
    /// The chip as registered.
    #[getter]
    fn record(&self) -> ChipRecord {
        ChipRecord(self.0.record.clone())
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// An NVIDIA GPU attestation report that passed verification (`nvidia-spdm` evidence).
#[pyclass(frozen, module = "poci")]
pub struct VerifiedNvidiaReport(pub poci::VerifiedNvidiaReport);

#[pymethods]
impl VerifiedNvidiaReport {
    /// The vendor whose root anchored the chain (`nvidia`).
    #[getter]
    fn vendor_id(&self) -> &str {
        &self.0.vendor_id
    }
    /// The chip family (`GH100`).
    #[getter]
    fn chip(&self) -> &str {
        &self.0.chip
    }
    /// The chip's key id: SHA-256 of its identity certificate's key.
    #[getter]
    fn key_id(&self) -> &[u8] {
        &self.0.key_id.0
    }
    /// The identity certificate's subject Name (DER).
    #[getter]
    fn identity_subject(&self) -> &[u8] {
        &self.0.identity_subject
    }
    /// The attestation (leaf) key that signed the report, uncompressed SEC1 P-384.
    #[getter]
    fn attestation_key(&self) -> &[u8] {
        &self.0.attestation_key
    }
    /// The nonce the report answers.
    #[getter]
    fn nonce(&self) -> &[u8] {
        &self.0.nonce
    }
    /// The certified firmware id, or None.
    #[getter]
    fn fwid(&self) -> Option<&[u8]> {
        self.0.fwid.as_deref()
    }
    /// The signed board project (`1010`), or None.
    #[getter]
    fn project(&self) -> Option<&str> {
        self.0.project.as_deref()
    }
    /// The signed board project SKU, or None.
    #[getter]
    fn project_sku(&self) -> Option<&str> {
        self.0.project_sku.as_deref()
    }
    /// The signed chip SKU, or None.
    #[getter]
    fn chip_sku(&self) -> Option<&str> {
        self.0.chip_sku.as_deref()
    }
    /// The driver version, or None.
    #[getter]
    fn driver_version(&self) -> Option<&str> {
        self.0.driver_version.as_deref()
    }
    /// The VBIOS version, or None.
    #[getter]
    fn vbios_version(&self) -> Option<&str> {
        self.0.vbios_version.as_deref()
    }
    /// The registry model the signed fields map to, or None.
    #[getter]
    fn model_id(&self) -> Option<&str> {
        self.0.model_id.as_deref()
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// A lease acceptance that passed verification.
#[pyclass(frozen, module = "poci")]
pub struct VerifiedLeaseAcceptance(pub poci::VerifiedLeaseAcceptance);

#[pymethods]
impl VerifiedLeaseAcceptance {
    /// SHA-256 of the acceptance's DER.
    #[getter]
    fn proof_id(&self) -> &[u8] {
        &self.0.proof_id
    }
    /// The lease id.
    #[getter]
    fn lease_id(&self) -> &[u8] {
        &self.0.lease.lease_id
    }
    /// The renter's wallet.
    #[getter]
    fn renter_wallet(&self) -> &[u8] {
        &self.0.lease.renter_wallet
    }
    /// The rented chip.
    #[getter]
    fn chip_key_id(&self) -> &[u8] {
        self.0.lease.chip_key_id.as_bytes()
    }
    /// First epoch of the lease.
    #[getter]
    fn first_epoch(&self) -> u64 {
        self.0.lease.first_epoch
    }
    /// Last epoch of the lease.
    #[getter]
    fn last_epoch(&self) -> u64 {
        self.0.lease.last_epoch
    }
    /// Price of the lease in base units.
    #[getter]
    fn price(&self) -> u128 {
        self.0.lease.price
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// A settled lease: `rent + refund == price`.
#[pyclass(frozen, module = "poci")]
pub struct LeaseSettlement(pub poci::rewards::lease::LeaseSettlement);

#[pymethods]
impl LeaseSettlement {
    /// Paid to the lessor, base units.
    #[getter]
    fn rent(&self) -> u128 {
        self.0.rent
    }
    /// Returned to the renter, base units.
    #[getter]
    fn refund(&self) -> u128 {
        self.0.refund
    }
    fn __repr__(&self) -> String {
        format!(
            "LeaseSettlement(rent={}, refund={})",
            self.0.rent, self.0.refund
        )
    }
}

/// A lease the ledger settled: rent to the lessor, refund to the renter.
#[pyclass(frozen, module = "poci")]
pub struct SettledLease(pub poci::SettledLease);

#[pymethods]
impl SettledLease {
    /// The lease.
    #[getter]
    fn lease_id(&self) -> &[u8] {
        &self.0.lease_id
    }
    /// The rented chip.
    #[getter]
    fn chip_key_id(&self) -> &[u8] {
        self.0.chip_key_id.as_bytes()
    }
    /// Who is paid the rent.
    #[getter]
    fn lessor_wallet(&self) -> &[u8] {
        &self.0.lessor_wallet
    }
    /// Who is paid the refund.
    #[getter]
    fn renter_wallet(&self) -> &[u8] {
        &self.0.renter_wallet
    }
    /// Slots proven in the lease's epochs.
    #[getter]
    fn proven_slots(&self) -> u64 {
        self.0.proven_slots
    }
    /// Slots due in the lease's epochs.
    #[getter]
    fn due_slots(&self) -> u64 {
        self.0.due_slots
    }
    /// Paid to the lessor, base units.
    #[getter]
    fn rent(&self) -> u128 {
        self.0.rent
    }
    /// Returned to the renter, base units.
    #[getter]
    fn refund(&self) -> u128 {
        self.0.refund
    }
    /// The JSON form.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// An emission split into pools.
#[pyclass(frozen, module = "poci")]
pub struct PoolAmounts(pub poci::rewards::pools::PoolAmounts);

#[pymethods]
impl PoolAmounts {
    /// The miners' pool, base units.
    #[getter]
    fn miners(&self) -> u128 {
        self.0.miners
    }
    /// The other pools as (name, amount).
    #[getter]
    fn pools(&self) -> Vec<(String, u128)> {
        self.0
            .pools
            .iter()
            .map(|pool| (pool.name.clone(), pool.amount))
            .collect()
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// A chip's availability in an epoch under one wallet: an allocation input.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
pub struct Availability(pub poci::rewards::allocation::AllocationInput);

#[pymethods]
impl Availability {
    /// `Availability(key_id, wallet, rating_milli_cu, proven_slots, selected_slots=None)`;
    /// `selected_slots` only on a sampled network.
    #[new]
    #[pyo3(signature = (key_id, wallet, rating_milli_cu, proven_slots, selected_slots=None))]
    fn new(
        #[pyo3(from_py_with = extract)] key_id: Bytes32,
        #[pyo3(from_py_with = extract)] wallet: Vec<u8>,
        #[pyo3(from_py_with = extract)] rating_milli_cu: u64,
        #[pyo3(from_py_with = extract)] proven_slots: u32,
        #[pyo3(from_py_with = extract)] selected_slots: Option<u32>,
    ) -> Self {
        Self(poci::rewards::allocation::AllocationInput {
            key_id: poci::KeyId(key_id.0),
            wallet,
            rating_milli_cu,
            proven_slots,
            selected_slots,
        })
    }
    /// On a sampled network, the slots the chip was drawn for.
    #[getter]
    fn selected_slots(&self) -> Option<u32> {
        self.0.selected_slots
    }
    /// The chip.
    #[getter]
    fn key_id(&self) -> &[u8] {
        self.0.key_id.as_bytes()
    }
    /// The wallet.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.wallet
    }
    /// The rating, milli-CU.
    #[getter]
    fn rating_milli_cu(&self) -> u64 {
        self.0.rating_milli_cu
    }
    /// Slots proven.
    #[getter]
    fn proven_slots(&self) -> u32 {
        self.0.proven_slots
    }
    fn __repr__(&self) -> String {
        format!(
            "Availability(rating_milli_cu={}, proven_slots={})",
            self.0.rating_milli_cu, self.0.proven_slots
        )
    }
}

/// One (chip, wallet)'s share of the miners' pool.
#[pyclass(frozen, module = "poci")]
#[derive(Clone)]
pub struct ChipShare(pub poci::rewards::allocation::ChipShare);

#[pymethods]
impl ChipShare {
    /// The chip.
    #[getter]
    fn key_id(&self) -> &[u8] {
        self.0.key_id.as_bytes()
    }
    /// The wallet credited.
    #[getter]
    fn wallet(&self) -> &[u8] {
        &self.0.wallet
    }
    /// Rating used, milli-CU.
    #[getter]
    fn rating_milli_cu(&self) -> u64 {
        self.0.rating_milli_cu
    }
    /// Slots proven.
    #[getter]
    fn proven_slots(&self) -> u32 {
        self.0.proven_slots
    }
    /// Whether the chip met the availability threshold.
    #[getter]
    fn eligible(&self) -> bool {
        self.0.eligible
    }
    /// Weight: rating x slots when eligible.
    #[getter]
    fn weight(&self) -> u128 {
        self.0.weight
    }
    /// Reward, base units.
    #[getter]
    fn reward(&self) -> u128 {
        self.0.reward
    }
}

/// An allocated miners' pool: `sum(shares) + unallocated == pool`.
#[pyclass(frozen, module = "poci")]
pub struct Allocation(pub poci::rewards::allocation::Allocation);

#[pymethods]
impl Allocation {
    /// The pool, base units.
    #[getter]
    fn pool(&self) -> u128 {
        self.0.pool
    }
    /// Shares by (key id, wallet).
    #[getter]
    fn shares(&self) -> Vec<ChipShare> {
        self.0.shares.iter().cloned().map(ChipShare).collect()
    }
    /// Totals by wallet as (wallet, reward).
    #[getter]
    fn wallets<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, pyo3::types::PyBytes>, u128)> {
        self.0
            .wallets
            .iter()
            .map(|w| (pyo3::types::PyBytes::new(py, &w.wallet), w.reward))
            .collect()
    }
    /// What no eligible chip could take, base units.
    #[getter]
    fn unallocated(&self) -> u128 {
        self.0.unallocated
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// A closed epoch's availability.
#[pyclass(frozen, module = "poci")]
pub struct ClosedEpoch(pub poci::ClosedEpoch);

#[pymethods]
impl ClosedEpoch {
    /// The epoch.
    #[getter]
    fn epoch(&self) -> u64 {
        self.0.epoch
    }
    /// Per (chip, wallet), the slots proven and the rating.
    #[getter]
    fn availability(&self) -> Vec<Availability> {
        self.0
            .availability
            .iter()
            .cloned()
            .map(Availability)
            .collect()
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
}

/// What applying a binding did.
#[pyclass(frozen, module = "poci")]
pub struct BindingOutcome(pub poci::BindingOutcome);

#[pymethods]
impl BindingOutcome {
    /// `"claimed"`, `"rebound"`, `"already_applied"` or `"equivocation"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.0 {
            poci::BindingOutcome::Claimed => "claimed",
            poci::BindingOutcome::Rebound { .. } => "rebound",
            poci::BindingOutcome::AlreadyApplied => "already_applied",
            poci::BindingOutcome::Equivocation(_) => "equivocation",
            _ => "unknown",
        }
    }
    /// The wallet before a re-bind.
    #[getter]
    fn previous_wallet(&self) -> Option<&[u8]> {
        match &self.0 {
            poci::BindingOutcome::Rebound { previous_wallet } => Some(previous_wallet),
            _ => None,
        }
    }
    /// The evidence of an equivocation: the proof id of the binding in force (its bytes are
    /// on the chain) and the conflicting binding's DER.
    #[getter]
    fn evidence(&self) -> Option<(&[u8], &[u8])> {
        match &self.0 {
            poci::BindingOutcome::Equivocation(evidence) => {
                Some((&evidence.first_proof_id, &evidence.second))
            }
            _ => None,
        }
    }
    /// The JSON form of SPEC.md.
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
    fn __repr__(&self) -> String {
        format!("BindingOutcome({:?})", self.kind())
    }
}

/// A recognised chip model.
#[pyclass(frozen, module = "poci")]
pub struct ChipModel(pub poci::ChipModel);

#[pymethods]
impl ChipModel {
    /// Registry id.
    #[getter]
    fn model_id(&self) -> &str {
        &self.0.model_id
    }
    /// The vendor.
    #[getter]
    fn vendor_id(&self) -> &str {
        &self.0.vendor_id
    }
    /// Name for people.
    #[getter]
    fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Rating in milli-CU.
    #[getter]
    fn rating_milli_cu(&self) -> u64 {
        self.0.rating_milli_cu
    }
    /// Where the figures come from.
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    /// Remarks on the figures.
    #[getter]
    fn note(&self) -> &str {
        &self.0.note
    }
    /// The JSON form (figures included).
    fn to_json(&self) -> PociResult<String> {
        json_of(&self.0)
    }
    fn __repr__(&self) -> String {
        format!(
            "ChipModel({:?}, rating_milli_cu={})",
            self.0.model_id, self.0.rating_milli_cu
        )
    }
}

/// 32 bytes from Python (`bytes`, `bytearray` or a list of ints): a challenge, beacon,
/// measurement or key id. Anything else is `InvalidArgumentError`, as in Node and Swift.
#[derive(Debug, Clone, Copy)]
pub struct Bytes32(pub [u8; 32]);

impl std::ops::Deref for Bytes32 {
    type Target = [u8; 32];
    fn deref(&self) -> &[u8; 32] {
        &self.0
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Bytes32 {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let bytes: Vec<u8> = obj.extract().map_err(|_| {
            crate::error::invalid_argument(format!(
                "expected 32 bytes, got {}",
                crate::args::describe(&obj)
            ))
        })?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| {
                crate::error::invalid_argument(format!("expected 32 bytes, got {}", bytes.len()))
            })
    }
}
