//! Records: results and inputs, mirroring the JSON forms of SPEC.md. Bytes are `Data` in
//! Swift, counters and epochs `UInt64`, token amounts decimal strings.

use crate::error::{Result, invalid_argument};

/// A slot: epoch and index.
#[derive(uniffi::Record)]
pub struct SlotId {
    pub epoch: u64,
    pub slot: u32,
}

/// One file of a vendor-roots/ folder: its path relative to the folder (`/`-separated)
/// and its bytes.
#[derive(uniffi::Record)]
pub struct FolderFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The fields of a heartbeat to sign.
#[derive(uniffi::Record)]
pub struct HeartbeatFields {
    pub network_id: String,
    pub wallet: Vec<u8>,
    pub epoch: u64,
    pub slot: u32,
    pub challenge: Vec<u8>,
    pub counter: u64,
    pub measurement: Option<Vec<u8>>,
}

/// The fields of a lease acceptance to sign (price: decimal base units).
#[derive(uniffi::Record)]
pub struct LeaseFields {
    pub network_id: String,
    pub lease_id: Vec<u8>,
    pub renter_wallet: Vec<u8>,
    pub first_epoch: u64,
    pub last_epoch: u64,
    pub price: String,
}

/// What a heartbeat must match.
#[derive(uniffi::Record)]
pub struct HeartbeatContext {
    pub network_id: String,
    pub epoch: u64,
    pub slot: u32,
    pub challenge: Vec<u8>,
    pub wallet: Vec<u8>,
}

/// What a binding must match.
#[derive(uniffi::Record)]
pub struct BindingContext {
    pub epoch: u64,
    pub slot: u32,
    pub challenge: Vec<u8>,
    pub wallet: Vec<u8>,
}

/// A manifest: file name and TOML text.
#[derive(uniffi::Record)]
pub struct Manifest {
    pub file: String,
    pub toml: String,
}

/// A named pool and its share in basis points.
#[derive(uniffi::Record)]
pub struct NamedPool {
    pub name: String,
    pub bps: u32,
}

/// A candidate producer and its weight (decimal).
#[derive(uniffi::Record)]
pub struct Candidate {
    pub key_id: Vec<u8>,
    pub weight: String,
}

/// The signed content of a verified heartbeat.
#[derive(uniffi::Record)]
pub struct HeartbeatContent {
    pub network_id: String,
    pub chip_key_id: Vec<u8>,
    pub wallet: Vec<u8>,
    pub epoch: u64,
    pub slot: u32,
    pub challenge: Vec<u8>,
    pub counter: u64,
    pub measurement: Option<Vec<u8>>,
}

/// A heartbeat that passed verification.
#[derive(uniffi::Record)]
pub struct VerifiedHeartbeat {
    pub proof_id: Vec<u8>,
    pub heartbeat: HeartbeatContent,
}

impl From<&poci::VerifiedHeartbeat> for VerifiedHeartbeat {
    fn from(v: &poci::VerifiedHeartbeat) -> Self {
        let hb = &v.heartbeat;
        Self {
            proof_id: v.proof_id.to_vec(),
            heartbeat: HeartbeatContent {
                network_id: hb.network_id.clone(),
                chip_key_id: hb.chip_key_id.as_bytes().to_vec(),
                wallet: hb.wallet.clone(),
                epoch: hb.epoch,
                slot: hb.slot,
                challenge: hb.challenge.to_vec(),
                counter: hb.counter,
                measurement: hb.measurement.map(|m| m.to_vec()),
            },
        }
    }
}

/// A registered chip.
#[derive(uniffi::Record)]
pub struct ChipRecord {
    /// "poci" or "nvidia-spdm".
    pub evidence: String,
    pub key_id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub serial: Vec<u8>,
    pub model_id: String,
    pub vendor_id: String,
    pub rating_milli_cu: u64,
    pub security_version: u32,
    pub wallet: Vec<u8>,
    pub binding_counter: u64,
    pub certificate_not_after: u64,
}

/// An NVIDIA GPU attestation report that passed verification (`nvidia-spdm` evidence).
#[derive(uniffi::Record)]
pub struct VerifiedNvidiaReport {
    pub vendor_id: String,
    pub chip: String,
    pub key_id: Vec<u8>,
    pub identity_subject: Vec<u8>,
    pub attestation_key: Vec<u8>,
    pub nonce: Vec<u8>,
    pub fwid: Option<Vec<u8>>,
    pub chip_sku: Option<String>,
    pub project: Option<String>,
    pub project_sku: Option<String>,
    pub driver_version: Option<String>,
    pub vbios_version: Option<String>,
    /// The registry model the signed fields map to, or nil.
    pub model_id: Option<String>,
}

impl From<poci::VerifiedNvidiaReport> for VerifiedNvidiaReport {
    fn from(v: poci::VerifiedNvidiaReport) -> Self {
        Self {
            vendor_id: v.vendor_id,
            chip: v.chip,
            key_id: v.key_id.as_bytes().to_vec(),
            identity_subject: v.identity_subject,
            attestation_key: v.attestation_key,
            nonce: v.nonce.to_vec(),
            fwid: v.fwid,
            chip_sku: v.chip_sku,
            project: v.project,
            project_sku: v.project_sku,
            driver_version: v.driver_version,
            vbios_version: v.vbios_version,
            model_id: v.model_id,
        }
    }
}

/// A chip binding that passed verification.
#[derive(uniffi::Record)]
pub struct VerifiedBinding {
    pub proof_id: Vec<u8>,
    pub epoch: u64,
    pub slot: u32,
    pub record: ChipRecord,
}

impl From<&poci::VerifiedBinding> for VerifiedBinding {
    fn from(v: &poci::VerifiedBinding) -> Self {
        let r = &v.record;
        Self {
            proof_id: v.proof_id.to_vec(),
            epoch: v.epoch,
            slot: v.slot,
            record: ChipRecord {
                evidence: r.evidence.name().to_owned(),
                key_id: r.key_id.as_bytes().to_vec(),
                public_key: r.public_key.clone(),
                serial: r.serial.clone(),
                model_id: r.model_id.clone(),
                vendor_id: r.vendor_id.clone(),
                rating_milli_cu: r.rating_milli_cu,
                security_version: r.security_version,
                wallet: r.wallet.clone(),
                binding_counter: r.binding_counter,
                certificate_not_after: r.certificate_not_after,
            },
        }
    }
}

/// The signed terms of a lease (price: decimal base units).
#[derive(uniffi::Record)]
pub struct LeaseTerms {
    pub network_id: String,
    pub lease_id: Vec<u8>,
    pub renter_wallet: Vec<u8>,
    pub chip_key_id: Vec<u8>,
    pub first_epoch: u64,
    pub last_epoch: u64,
    pub price: String,
}

/// A lease acceptance that passed verification.
#[derive(uniffi::Record)]
pub struct VerifiedLeaseAcceptance {
    pub proof_id: Vec<u8>,
    pub lease: LeaseTerms,
}

impl From<&poci::VerifiedLeaseAcceptance> for VerifiedLeaseAcceptance {
    fn from(v: &poci::VerifiedLeaseAcceptance) -> Self {
        let l = &v.lease;
        Self {
            proof_id: v.proof_id.to_vec(),
            lease: LeaseTerms {
                network_id: l.network_id.clone(),
                lease_id: l.lease_id.clone(),
                renter_wallet: l.renter_wallet.clone(),
                chip_key_id: l.chip_key_id.as_bytes().to_vec(),
                first_epoch: l.first_epoch,
                last_epoch: l.last_epoch,
                price: l.price.to_string(),
            },
        }
    }
}

/// A settled lease (decimal amounts): `rent + refund == price`.
#[derive(uniffi::Record)]
pub struct LeaseSettlement {
    pub rent: String,
    pub refund: String,
}

/// One named pool's amount (decimal).
#[derive(uniffi::Record)]
pub struct PoolAmount {
    pub name: String,
    pub amount: String,
}

/// An emission split into pools (decimal amounts).
#[derive(uniffi::Record)]
pub struct PoolAmounts {
    pub miners: String,
    pub pools: Vec<PoolAmount>,
}

impl From<&poci::rewards::pools::PoolAmounts> for PoolAmounts {
    fn from(p: &poci::rewards::pools::PoolAmounts) -> Self {
        Self {
            miners: p.miners.to_string(),
            pools: p
                .pools
                .iter()
                .map(|pool| PoolAmount {
                    name: pool.name.clone(),
                    amount: pool.amount.to_string(),
                })
                .collect(),
        }
    }
}

/// A chip's proven slots in an epoch under one wallet.
#[derive(uniffi::Record)]
pub struct Availability {
    pub key_id: Vec<u8>,
    pub wallet: Vec<u8>,
    pub rating_milli_cu: u64,
    pub proven_slots: u32,
    /// On a sampled network, the slots the chip was drawn for.
    pub selected_slots: Option<u32>,
}

impl Availability {
    /// The core input.
    pub fn to_core(&self) -> Result<poci::rewards::allocation::AllocationInput> {
        Ok(poci::rewards::allocation::AllocationInput {
            key_id: poci::KeyId(
                <[u8; 32]>::try_from(self.key_id.as_slice())
                    .map_err(|_| invalid_argument("keyId must be 32 bytes"))?,
            ),
            wallet: self.wallet.clone(),
            rating_milli_cu: self.rating_milli_cu,
            proven_slots: self.proven_slots,
            selected_slots: self.selected_slots,
        })
    }
}

impl From<&poci::rewards::allocation::AllocationInput> for Availability {
    fn from(a: &poci::rewards::allocation::AllocationInput) -> Self {
        Self {
            key_id: a.key_id.as_bytes().to_vec(),
            wallet: a.wallet.clone(),
            rating_milli_cu: a.rating_milli_cu,
            proven_slots: a.proven_slots,
            selected_slots: a.selected_slots,
        }
    }
}

/// One (chip, wallet)'s share of the miners' pool (decimal amounts).
#[derive(uniffi::Record)]
pub struct ChipShare {
    pub key_id: Vec<u8>,
    pub wallet: Vec<u8>,
    pub rating_milli_cu: u64,
    pub proven_slots: u32,
    pub eligible: bool,
    pub weight: String,
    pub reward: String,
}

/// A wallet's total (decimal).
#[derive(uniffi::Record)]
pub struct WalletReward {
    pub wallet: Vec<u8>,
    pub reward: String,
}

/// An allocated miners' pool (decimal amounts).
#[derive(uniffi::Record)]
pub struct Allocation {
    pub pool: String,
    pub shares: Vec<ChipShare>,
    pub wallets: Vec<WalletReward>,
    pub unallocated: String,
}

impl From<&poci::rewards::allocation::Allocation> for Allocation {
    fn from(a: &poci::rewards::allocation::Allocation) -> Self {
        Self {
            pool: a.pool.to_string(),
            shares: a
                .shares
                .iter()
                .map(|s| ChipShare {
                    key_id: s.key_id.as_bytes().to_vec(),
                    wallet: s.wallet.clone(),
                    rating_milli_cu: s.rating_milli_cu,
                    proven_slots: s.proven_slots,
                    eligible: s.eligible,
                    weight: s.weight.to_string(),
                    reward: s.reward.to_string(),
                })
                .collect(),
            wallets: a
                .wallets
                .iter()
                .map(|w| WalletReward {
                    wallet: w.wallet.clone(),
                    reward: w.reward.to_string(),
                })
                .collect(),
            unallocated: a.unallocated.to_string(),
        }
    }
}

/// Trust material and the epoch it takes effect from.
#[derive(uniffi::Record)]
pub struct ScheduledTrustStore {
    pub activation_epoch: u64,
    pub trust_store: std::sync::Arc<crate::TrustStore>,
}

/// A settled lease (amounts as decimal strings).
#[derive(uniffi::Record)]
pub struct SettledLease {
    pub lease_id: Vec<u8>,
    pub chip_key_id: Vec<u8>,
    pub lessor_wallet: Vec<u8>,
    pub renter_wallet: Vec<u8>,
    pub proven_slots: u64,
    pub due_slots: u64,
    pub rent: String,
    pub refund: String,
}

impl From<&poci::SettledLease> for SettledLease {
    fn from(s: &poci::SettledLease) -> Self {
        Self {
            lease_id: s.lease_id.clone(),
            chip_key_id: s.chip_key_id.0.to_vec(),
            lessor_wallet: s.lessor_wallet.clone(),
            renter_wallet: s.renter_wallet.clone(),
            proven_slots: s.proven_slots,
            due_slots: s.due_slots,
            rent: s.rent.to_string(),
            refund: s.refund.to_string(),
        }
    }
}

/// A closed epoch's availability.
#[derive(uniffi::Record)]
pub struct ClosedEpoch {
    pub epoch: u64,
    pub availability: Vec<Availability>,
}

impl From<&poci::ClosedEpoch> for ClosedEpoch {
    fn from(c: &poci::ClosedEpoch) -> Self {
        Self {
            epoch: c.epoch,
            availability: c.availability.iter().map(Availability::from).collect(),
        }
    }
}

/// What applying a binding did.
#[derive(uniffi::Enum)]
pub enum BindingOutcome {
    /// A new chip was registered.
    Claimed,
    /// A higher counter moved the chip to another wallet.
    Rebound { previous_wallet: Vec<u8> },
    /// The binding in force was applied again.
    AlreadyApplied,
    /// Two different bindings with one counter: the proof id of the binding in force (its
    /// bytes are on the chain) and the conflicting binding, signed by the chip.
    Equivocation {
        key_id: Vec<u8>,
        binding_counter: u64,
        first_proof_id: Vec<u8>,
        second: Vec<u8>,
    },
    /// An outcome this binding does not know yet.
    Unknown,
}

impl From<&poci::BindingOutcome> for BindingOutcome {
    fn from(o: &poci::BindingOutcome) -> Self {
        match o {
            poci::BindingOutcome::Claimed => Self::Claimed,
            poci::BindingOutcome::Rebound { previous_wallet } => Self::Rebound {
                previous_wallet: previous_wallet.clone(),
            },
            poci::BindingOutcome::AlreadyApplied => Self::AlreadyApplied,
            poci::BindingOutcome::Equivocation(e) => Self::Equivocation {
                key_id: e.key_id.as_bytes().to_vec(),
                binding_counter: e.binding_counter,
                first_proof_id: e.first_proof_id.to_vec(),
                second: e.second.clone(),
            },
            _ => Self::Unknown,
        }
    }
}

/// A recognised chip model.
#[derive(uniffi::Record)]
pub struct ChipModel {
    pub model_id: String,
    pub vendor_id: String,
    pub display_name: String,
    pub rating_milli_cu: u64,
    pub source: String,
    pub note: String,
}

impl From<&poci::ChipModel> for ChipModel {
    fn from(m: &poci::ChipModel) -> Self {
        Self {
            model_id: m.model_id.clone(),
            vendor_id: m.vendor_id.clone(),
            display_name: m.display_name.clone(),
            rating_milli_cu: m.rating_milli_cu,
            source: m.source.clone(),
            note: m.note.clone(),
        }
    }
}

/// One heartbeat of a batch: its DER, the chip's registered key and the context.
#[derive(uniffi::Record)]
pub struct HeartbeatBatchItem {
    pub der: Vec<u8>,
    pub public_key: std::sync::Arc<crate::PublicKey>,
    pub context: HeartbeatContext,
}

/// One result of a batch: the verified heartbeat, or the error's code and message.
#[derive(uniffi::Record)]
pub struct HeartbeatBatchResult {
    pub verified: Option<VerifiedHeartbeat>,
    pub error: Option<String>,
    pub message: Option<String>,
}

impl From<&poci::Result<poci::VerifiedHeartbeat>> for HeartbeatBatchResult {
    fn from(result: &poci::Result<poci::VerifiedHeartbeat>) -> Self {
        match result {
            Ok(verified) => Self {
                verified: Some(VerifiedHeartbeat::from(verified)),
                error: None,
                message: None,
            },
            Err(error) => Self {
                verified: None,
                error: Some(error.code().to_owned()),
                message: Some(error.to_string()),
            },
        }
    }
}
