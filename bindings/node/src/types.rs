//! Plain-object results: camelCase fields, `Buffer` for bytes, `bigint` for every u64/u128.
//! Each mirrors the JSON form of SPEC.md field for field.

use napi::bindgen_prelude::{BigInt, Buffer, Unknown};
use napi_derive::napi;

use crate::args::{self, Fields, Name};
use crate::error::NodeResult;

fn buf(bytes: &[u8]) -> Buffer {
    Buffer::from(bytes.to_vec())
}

/// The signed content of a heartbeat.
#[napi(object, use_nullable = true)]
pub struct HeartbeatFields {
    pub network_id: String,
    pub chip_key_id: Buffer,
    pub wallet: Buffer,
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub counter: BigInt,
    pub measurement: Option<Buffer>,
}

/// A heartbeat that passed verification.
#[napi(object)]
pub struct VerifiedHeartbeat {
    pub proof_id: Buffer,
    pub heartbeat: HeartbeatFields,
}

impl From<&poci::VerifiedHeartbeat> for VerifiedHeartbeat {
    fn from(v: &poci::VerifiedHeartbeat) -> Self {
        let hb = &v.heartbeat;
        Self {
            proof_id: buf(&v.proof_id),
            heartbeat: HeartbeatFields {
                network_id: hb.network_id.clone(),
                chip_key_id: buf(hb.chip_key_id.as_bytes()),
                wallet: buf(&hb.wallet),
                epoch: BigInt::from(hb.epoch),
                slot: hb.slot,
                challenge: buf(&hb.challenge),
                counter: BigInt::from(hb.counter),
                measurement: hb.measurement.map(|m| buf(&m)),
            },
        }
    }
}

/// A registered chip.
#[napi(object)]
pub struct ChipRecord {
    /// "poci" or "nvidia-spdm".
    pub evidence: String,
    pub key_id: Buffer,
    pub public_key: Buffer,
    pub serial: Buffer,
    pub model_id: String,
    pub vendor_id: String,
    pub rating_milli_cu: BigInt,
    pub security_version: u32,
    pub wallet: Buffer,
    pub binding_counter: BigInt,
    pub certificate_not_after: BigInt,
}

impl From<&poci::ChipRecord> for ChipRecord {
    fn from(r: &poci::ChipRecord) -> Self {
        Self {
            evidence: r.evidence.name().to_owned(),
            key_id: buf(r.key_id.as_bytes()),
            public_key: buf(&r.public_key),
            serial: buf(&r.serial),
            model_id: r.model_id.clone(),
            vendor_id: r.vendor_id.clone(),
            rating_milli_cu: BigInt::from(r.rating_milli_cu),
            security_version: r.security_version,
            wallet: buf(&r.wallet),
            binding_counter: BigInt::from(r.binding_counter),
            certificate_not_after: BigInt::from(r.certificate_not_after),
        }
    }
}

/// A chip binding that passed verification.
#[napi(object)]
pub struct VerifiedBinding {
    pub proof_id: Buffer,
    pub epoch: BigInt,
    pub slot: u32,
    pub record: ChipRecord,
}

impl From<&poci::VerifiedBinding> for VerifiedBinding {
    fn from(v: &poci::VerifiedBinding) -> Self {
        Self {
            proof_id: buf(&v.proof_id),
            epoch: BigInt::from(v.epoch),
            slot: v.slot,
            record: ChipRecord::from(&v.record),
        }
    }
}

/// An NVIDIA GPU attestation report that passed verification (`nvidia-spdm` evidence).
#[napi(object)]
pub struct VerifiedNvidiaReport {
    pub vendor_id: String,
    pub chip: String,
    pub key_id: Buffer,
    pub identity_subject: Buffer,
    pub attestation_key: Buffer,
    pub nonce: Buffer,
    pub fwid: Option<Buffer>,
    pub chip_sku: Option<String>,
    pub project: Option<String>,
    pub project_sku: Option<String>,
    pub driver_version: Option<String>,
    pub vbios_version: Option<String>,
    /// The registry model the signed fields map to, or null.
    pub model_id: Option<String>,
}

impl From<&poci::VerifiedNvidiaReport> for VerifiedNvidiaReport {
    fn from(v: &poci::VerifiedNvidiaReport) -> Self {
        Self {
            vendor_id: v.vendor_id.clone(),
            chip: v.chip.clone(),
            key_id: buf(&v.key_id.0),
            identity_subject: buf(&v.identity_subject),
            attestation_key: buf(&v.attestation_key),
            nonce: buf(&v.nonce),
            fwid: v.fwid.as_deref().map(buf),
            chip_sku: v.chip_sku.clone(),
            project: v.project.clone(),
            project_sku: v.project_sku.clone(),
            driver_version: v.driver_version.clone(),
            vbios_version: v.vbios_version.clone(),
            model_id: v.model_id.clone(),
        }
    }
}

/// The signed terms of a lease.
#[napi(object)]
pub struct LeaseFields {
    pub network_id: String,
    pub lease_id: Buffer,
    pub renter_wallet: Buffer,
    pub chip_key_id: Buffer,
    pub first_epoch: BigInt,
    pub last_epoch: BigInt,
    pub price: BigInt,
}

/// A lease acceptance that passed verification.
#[napi(object)]
pub struct VerifiedLeaseAcceptance {
    pub proof_id: Buffer,
    pub lease: LeaseFields,
}

impl From<&poci::VerifiedLeaseAcceptance> for VerifiedLeaseAcceptance {
    fn from(v: &poci::VerifiedLeaseAcceptance) -> Self {
        let l = &v.lease;
        Self {
            proof_id: buf(&v.proof_id),
            lease: LeaseFields {
                network_id: l.network_id.clone(),
                lease_id: buf(&l.lease_id),
                renter_wallet: buf(&l.renter_wallet),
                chip_key_id: buf(l.chip_key_id.as_bytes()),
                first_epoch: BigInt::from(l.first_epoch),
                last_epoch: BigInt::from(l.last_epoch),
                price: BigInt::from(l.price),
            },
        }
    }
}

/// A settled lease: `rent + refund == price`.
#[napi(object)]
pub struct LeaseSettlement {
    pub rent: BigInt,
    pub refund: BigInt,
}

/// One named pool's amount.
#[napi(object)]
pub struct PoolAmount {
    pub name: String,
    pub amount: BigInt,
}

/// An emission split into pools.
#[napi(object)]
pub struct PoolAmounts {
    pub miners: BigInt,
    pub pools: Vec<PoolAmount>,
}

impl From<&poci::rewards::pools::PoolAmounts> for PoolAmounts {
    fn from(p: &poci::rewards::pools::PoolAmounts) -> Self {
        Self {
            miners: BigInt::from(p.miners),
            pools: p
                .pools
                .iter()
                .map(|pool| PoolAmount {
                    name: pool.name.clone(),
                    amount: BigInt::from(pool.amount),
                })
                .collect(),
        }
    }
}

/// The network's current slot, as a node passes it with every submission.
#[napi(object)]
pub struct CurrentSlot {
    pub epoch: BigInt,
    pub slot: u32,
}

impl CurrentSlot {
    /// Reads a `CurrentSlot` argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<poci::SlotId> {
        let fields = Fields::of(value, name, "a CurrentSlot { epoch, slot }")?;
        Ok(poci::SlotId {
            epoch: fields.get("epoch", args::u64)?,
            slot: fields.get("slot", args::u32)?,
        })
    }
}

/// A lease the ledger settled: rent to the lessor, refund to the renter.
#[napi(object)]
pub struct SettledLease {
    pub lease_id: Buffer,
    pub chip_key_id: Buffer,
    pub lessor_wallet: Buffer,
    pub renter_wallet: Buffer,
    pub proven_slots: BigInt,
    pub due_slots: BigInt,
    /// Base units, decimal.
    pub rent: String,
    /// Base units, decimal.
    pub refund: String,
}

impl From<&poci::SettledLease> for SettledLease {
    fn from(s: &poci::SettledLease) -> Self {
        Self {
            lease_id: buf(&s.lease_id),
            chip_key_id: buf(s.chip_key_id.as_bytes()),
            lessor_wallet: buf(&s.lessor_wallet),
            renter_wallet: buf(&s.renter_wallet),
            proven_slots: BigInt::from(s.proven_slots),
            due_slots: BigInt::from(s.due_slots),
            rent: s.rent.to_string(),
            refund: s.refund.to_string(),
        }
    }
}

/// A chip's proven slots in an epoch under one wallet (an allocation input).
#[napi(object)]
pub struct Availability {
    pub key_id: Buffer,
    pub wallet: Buffer,
    pub rating_milli_cu: BigInt,
    pub proven_slots: u32,
    /// On a sampled network, the slots the chip was drawn for.
    pub selected_slots: Option<u32>,
}

impl From<&poci::rewards::allocation::AllocationInput> for Availability {
    fn from(a: &poci::rewards::allocation::AllocationInput) -> Self {
        Self {
            key_id: buf(a.key_id.as_bytes()),
            wallet: buf(&a.wallet),
            rating_milli_cu: BigInt::from(a.rating_milli_cu),
            proven_slots: a.proven_slots,
            selected_slots: a.selected_slots,
        }
    }
}

impl Availability {
    /// Reads an `Availability` argument (an allocation input).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(
        value: Unknown<'_>,
        name: Name<'_>,
    ) -> NodeResult<poci::rewards::allocation::AllocationInput> {
        let fields = Fields::of(
            value,
            name,
            "an Availability { keyId, wallet, ratingMilliCu, provenSlots }",
        )?;
        Ok(poci::rewards::allocation::AllocationInput {
            key_id: poci::KeyId(fields.get("keyId", args::bytes32)?),
            wallet: fields.get("wallet", args::bytes)?.to_vec(),
            rating_milli_cu: fields.get("ratingMilliCu", args::u64)?,
            proven_slots: fields.get("provenSlots", args::u32)?,
            selected_slots: fields.optional("selectedSlots", args::u32)?,
        })
    }
}

/// One (chip, wallet)'s share of the miners' pool.
#[napi(object)]
pub struct ChipShare {
    pub key_id: Buffer,
    pub wallet: Buffer,
    pub rating_milli_cu: BigInt,
    pub proven_slots: u32,
    pub eligible: bool,
    pub weight: BigInt,
    pub reward: BigInt,
}

/// A wallet's total.
#[napi(object)]
pub struct WalletReward {
    pub wallet: Buffer,
    pub reward: BigInt,
}

/// An allocated miners' pool: `sum(shares) + unallocated == pool`.
#[napi(object)]
pub struct Allocation {
    pub pool: BigInt,
    pub shares: Vec<ChipShare>,
    pub wallets: Vec<WalletReward>,
    pub unallocated: BigInt,
}

impl From<&poci::rewards::allocation::Allocation> for Allocation {
    fn from(a: &poci::rewards::allocation::Allocation) -> Self {
        Self {
            pool: BigInt::from(a.pool),
            shares: a
                .shares
                .iter()
                .map(|s| ChipShare {
                    key_id: buf(s.key_id.as_bytes()),
                    wallet: buf(&s.wallet),
                    rating_milli_cu: BigInt::from(s.rating_milli_cu),
                    proven_slots: s.proven_slots,
                    eligible: s.eligible,
                    weight: BigInt::from(s.weight),
                    reward: BigInt::from(s.reward),
                })
                .collect(),
            wallets: a
                .wallets
                .iter()
                .map(|w| WalletReward {
                    wallet: buf(&w.wallet),
                    reward: BigInt::from(w.reward),
                })
                .collect(),
            unallocated: BigInt::from(a.unallocated),
        }
    }
}

/// A closed epoch's availability.
#[napi(object)]
pub struct ClosedEpoch {
    pub epoch: BigInt,
    pub availability: Vec<Availability>,
}

impl From<&poci::ClosedEpoch> for ClosedEpoch {
    fn from(c: &poci::ClosedEpoch) -> Self {
        Self {
            epoch: BigInt::from(c.epoch),
            availability: c.availability.iter().map(Availability::from).collect(),
        }
    }
}

/// What applying a binding did: `outcome` is `claimed`, `rebound`, `already_applied` or
/// `equivocation` (evidence: the proof id of the binding in force, and the conflicting binding).
#[napi(object)]
pub struct BindingOutcome {
    pub outcome: String,
    pub previous_wallet: Option<Buffer>,
    pub key_id: Option<Buffer>,
    pub binding_counter: Option<BigInt>,
    pub first_proof_id: Option<Buffer>,
    pub second: Option<Buffer>,
}

impl From<&poci::BindingOutcome> for BindingOutcome {
    fn from(o: &poci::BindingOutcome) -> Self {
        let mut out = Self {
            outcome: String::new(),
            previous_wallet: None,
            key_id: None,
            binding_counter: None,
            first_proof_id: None,
            second: None,
        };
        match o {
            poci::BindingOutcome::Claimed => "claimed".clone_into(&mut out.outcome),
            poci::BindingOutcome::Rebound { previous_wallet } => {
                "rebound".clone_into(&mut out.outcome);
                out.previous_wallet = Some(buf(previous_wallet));
            }
            poci::BindingOutcome::AlreadyApplied => "already_applied".clone_into(&mut out.outcome),
            poci::BindingOutcome::Equivocation(e) => {
                "equivocation".clone_into(&mut out.outcome);
                out.key_id = Some(buf(e.key_id.as_bytes()));
                out.binding_counter = Some(BigInt::from(e.binding_counter));
                out.first_proof_id = Some(buf(&e.first_proof_id));
                out.second = Some(buf(&e.second));
            }
            _ => "unknown".clone_into(&mut out.outcome),
        }
        out
    }
}

/// A recognised chip model.
#[napi(object)]
pub struct ChipModel {
    pub model_id: String,
    pub vendor_id: String,
    pub display_name: String,
    pub rating_milli_cu: BigInt,
    pub source: String,
    pub note: String,
}

impl From<&poci::ChipModel> for ChipModel {
    fn from(m: &poci::ChipModel) -> Self {
        Self {
            model_id: m.model_id.clone(),
            vendor_id: m.vendor_id.clone(),
            display_name: m.display_name.clone(),
            rating_milli_cu: BigInt::from(m.rating_milli_cu),
            source: m.source.clone(),
            note: m.note.clone(),
        }
    }
}

/// A model whose rating changed between two registry versions.
#[napi(object)]
pub struct Rerating {
    pub model_id: String,
    pub old_milli_cu: BigInt,
    pub new_milli_cu: BigInt,
}

/// What changed between two registry versions.
#[napi(object)]
pub struct RegistryDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub rerated: Vec<Rerating>,
    pub changed: Vec<String>,
}

/// A slot: epoch and index.
#[napi(object)]
pub struct SlotId {
    pub epoch: BigInt,
    pub slot: u32,
}

/// What a heartbeat must match.
#[napi(object)]
pub struct HeartbeatContext {
    pub network_id: String,
    pub epoch: BigInt,
    pub slot: u32,
    pub challenge: Buffer,
    pub wallet: Buffer,
}

/// A read `HeartbeatContext`, owned (a batch crosses to a worker thread).
pub struct SlotArgs {
    network_id: String,
    epoch: u64,
    slot: u32,
    challenge: [u8; 32],
    wallet: Vec<u8>,
}

impl SlotArgs {
    /// The core context.
    pub fn context(&self) -> poci::SlotContext<'_> {
        poci::SlotContext {
            network_id: &self.network_id,
            epoch: self.epoch,
            slot: self.slot,
            challenge: &self.challenge,
            wallet: &self.wallet,
        }
    }
}

impl HeartbeatContext {
    /// Reads a `HeartbeatContext` argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<SlotArgs> {
        let fields = Fields::of(
            value,
            name,
            "a HeartbeatContext { networkId, epoch, slot, challenge, wallet }",
        )?;
        Ok(SlotArgs {
            network_id: fields.get("networkId", args::string)?,
            epoch: fields.get("epoch", args::u64)?,
            slot: fields.get("slot", args::u32)?,
            challenge: fields.get("challenge", args::bytes32)?,
            wallet: fields.get("wallet", args::bytes)?.to_vec(),
        })
    }
}

/// A named pool and its share in basis points.
#[napi(object)]
pub struct NamedPool {
    pub name: String,
    pub bps: u32,
}

impl NamedPool {
    /// Reads a `NamedPool` argument.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<poci::rewards::pools::NamedPool> {
        let fields = Fields::of(value, name, "a NamedPool { name, bps }")?;
        Ok(poci::rewards::pools::NamedPool {
            name: fields.get("name", args::string)?,
            bps: fields.get("bps", args::u32)?,
        })
    }
}

/// A candidate producer and its weight.
#[napi(object)]
pub struct Candidate {
    pub key_id: Buffer,
    pub weight: BigInt,
}

impl Candidate {
    /// Reads a `Candidate` argument: key id and weight.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<(poci::KeyId, u128)> {
        let fields = Fields::of(value, name, "a Candidate { keyId, weight }")?;
        Ok((
            poci::KeyId(fields.get("keyId", args::bytes32)?),
            fields.get("weight", args::u128)?,
        ))
    }
}

/// A manifest: file name and TOML text.
#[napi(object)]
pub struct Manifest {
    pub file: String,
    pub toml: String,
}

impl Manifest {
    /// Reads a `Manifest` argument: file name and TOML text.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the field that does not convert.
    pub fn read(value: Unknown<'_>, name: Name<'_>) -> NodeResult<(String, String)> {
        let fields = Fields::of(value, name, "a Manifest { file, toml }")?;
        Ok((
            fields.get("file", args::string)?,
            fields.get("toml", args::string)?,
        ))
    }
}
