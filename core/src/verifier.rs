//! `Verifier`: the entry point a node uses to check proofs.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{CertProblem, CertRole, Error, Result};
use crate::evidence::EvidenceKind;
use crate::evidence::nvidia::{VerifiedNvidiaReport, verify_nvidia_report};
use crate::json::{dec_u64, hex_32, hex_bytes};
use crate::limits::check_batch_len;
use crate::manifest::VendorStatus;
use crate::proof::{
    ChipBindingRef, ChipBindingTbsRef, HeartbeatRef, LeaseAcceptanceRef, ProofId,
    VerifiedHeartbeat, VerifiedLeaseAcceptance,
};
use crate::registry::ChipModel;
use crate::signature::Backend;
use crate::slot_context::{BindingContext, SlotClaims, SlotContext};
use crate::trust::{RootKind, TrustStore};
use crate::x509::cert::ParsedCertificate;
use crate::x509::chain::{AnchorRoot, CarriedChain, ChainCheck, SignatureMemo, validate_chain};
use crate::x509::{ChainIdentity, ChainLevel, ChipIdentity};

/// One heartbeat of a batch: its bytes, the chip's registered key and the context.
#[derive(Debug, Clone, Copy)]
pub struct HeartbeatItem<'a> {
    /// The heartbeat DER.
    pub der: &'a [u8],
    /// The chip's registered device key.
    pub key: &'a DevicePublicKey,
    /// What it must match.
    pub context: SlotContext<'a>,
}

/// One heartbeat of a batch with its chip's key as uncompressed SEC1 bytes, as the
/// language bindings receive it.
#[derive(Debug, Clone, Copy)]
pub struct HeartbeatSec1Item<'a> {
    /// The heartbeat DER.
    pub der: &'a [u8],
    /// The chip's registered device key, uncompressed SEC1 (65 bytes).
    pub public_key: &'a [u8],
    /// What it must match.
    pub context: SlotContext<'a>,
}

/// A registered chip: everything a node needs to check its heartbeats and pay it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipRecord {
    /// The kind of evidence the chip proves itself with: its heartbeats must be of it.
    pub evidence: EvidenceKind,
    /// The chip's key id.
    pub key_id: KeyId,
    /// The key its heartbeats are signed with, uncompressed SEC1: the device key (P-256)
    /// for `poci`, the attestation (alias) key (P-384) for `nvidia-spdm`.
    #[serde(with = "hex_bytes")]
    pub public_key: Vec<u8>,
    /// The chip's serial.
    #[serde(with = "hex_bytes")]
    pub serial: Vec<u8>,
    /// The chip's model id.
    pub model_id: String,
    /// The vendor whose root anchored the chain.
    pub vendor_id: String,
    /// The model's rating in milli-CU.
    #[serde(with = "dec_u64")]
    pub rating_milli_cu: u64,
    /// Firmware security version from the certificate.
    pub security_version: u32,
    /// Wallet the chip is bound to.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// The binding's counter.
    #[serde(with = "dec_u64")]
    pub binding_counter: u64,
    /// End of the device certificate's validity, unix seconds.
    #[serde(with = "dec_u64")]
    pub certificate_not_after: u64,
}

/// A chip binding that passed verification (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedBinding {
    /// SHA-256 of the binding's DER.
    #[serde(with = "hex_32")]
    pub proof_id: ProofId,
    /// Epoch of the answered slot.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// The answered slot.
    pub slot: u32,
    /// The chip as registered by this binding.
    pub record: ChipRecord,
    /// What identifies the binding's chain, for revocation of the bound chip (SPEC.md
    /// 18.5); not part of the JSON form.
    #[serde(skip)]
    pub chain: ChainIdentity,
}

/// Verifies POCI proofs with one signature backend and one trust store.
///
/// It remembers the vendor certificate and CRL signatures it found valid (at most
/// `MAX_REMEMBERED_SIGNATURES`), for the exact same key, signed bytes and signature only.
/// Every binding still gets the full chain check (path, validity, constraints, CRLs), so
/// its verdict is what a verifier that remembers nothing would give; only the repeated
/// signature arithmetic is saved.
#[derive(Debug, Default)]
pub struct Verifier {
    backend: Backend,
    trust: TrustStore,
    /// Trust material that takes effect later: `(activation epoch, store)`, epochs
    /// strictly increasing, all after the base store (SPEC.md 18.5).
    scheduled: Vec<(u64, TrustStore)>,
    memo: SignatureMemo,
    certificate_signature_checks: AtomicU64,
}

impl Verifier {
    /// A verifier using `backend` and an empty trust store (heartbeats and leases only).
    #[must_use]
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            ..Self::default()
        }
    }

    /// A verifier using the default backend and `trust`.
    #[must_use]
    pub fn with_trust_store(trust: TrustStore) -> Self {
        Self {
            trust,
            ..Self::default()
        }
    }

    /// Chooses the backend.
    #[must_use]
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// The backend in use.
    #[must_use]
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// The trust store in use.
    #[must_use]
    pub const fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Replaces the trust store (new CRLs, vendors) for every epoch, dropping any
    /// scheduled one. Remembered signatures stay: a signature's validity does not depend on
    /// the trust material, and every chain is checked against the new material in full.
    pub fn set_trust_store(&mut self, trust: TrustStore) {
        self.trust = trust;
        self.scheduled.clear();
    }

    /// Schedules trust material that takes effect from `activation_epoch` (SPEC.md 18.5):
    /// a CRL, a vendor marked revoked, a root removed, a registry with new floors.
    /// Bindings and heartbeats for a slot are judged under the version in force at the
    /// slot's epoch, and from then on the ledger stops crediting chips whose binding chain
    /// that version revokes.
    ///
    /// # Errors
    /// `TRUST_SCHEDULE_INVALID` if `activation_epoch` is 0 or not after every epoch
    /// already scheduled; nothing changes.
    pub fn schedule_trust_store(&mut self, activation_epoch: u64, trust: TrustStore) -> Result<()> {
        let after = self.scheduled.last().map_or(0, |(epoch, _)| *epoch);
        if activation_epoch == 0 || activation_epoch <= after {
            return Err(Error::TrustScheduleInvalid);
        }
        self.scheduled.push((activation_epoch, trust));
        Ok(())
    }

    /// The trust material in force at `epoch`: the last scheduled version whose activation
    /// epoch is at most `epoch`, else the base store.
    #[must_use]
    pub fn trust_store_at(&self, epoch: u64) -> &TrustStore {
        self.scheduled
            .iter()
            .rev()
            .find(|(activation, _)| *activation <= epoch)
            .map_or(&self.trust, |(_, trust)| trust)
    }

    /// The activation epochs of the scheduled trust material, in order.
    #[must_use]
    pub fn trust_activations(&self) -> Vec<u64> {
        self.scheduled.iter().map(|(epoch, _)| *epoch).collect()
    }

    /// Whether the trust material in force at `epoch` still honours a bound chip's chain
    /// at `time` ([`ChainIdentity`], SPEC.md 18.5).
    pub(crate) fn check_bound_chain(
        &self,
        epoch: u64,
        time: u64,
        kind: EvidenceKind,
        vendor_id: &str,
        chain: &ChainIdentity,
        chip_serial: Option<&[u8]>,
    ) -> Result<()> {
        let check = ChainCheck {
            backend: self.backend,
            checks: &self.certificate_signature_checks,
            memo: &self.memo,
        };
        chain.check(
            check,
            self.trust_store_at(epoch),
            kind,
            vendor_id,
            chip_serial,
            time,
        )
    }

    /// Certificate and CRL signatures checked so far (an operator metric; shows the cache at work).
    #[must_use]
    pub fn certificate_signature_checks(&self) -> u64 {
        self.certificate_signature_checks.load(Ordering::Relaxed)
    }

    /// Number of vendor certificate and CRL signatures remembered as valid.
    #[must_use]
    pub fn remembered_signatures(&self) -> usize {
        self.memo.len()
    }

    /// Parses and verifies a heartbeat against an already registered device key.
    ///
    /// Steps, in order (SPEC.md, "Heartbeat verification"): size, strict DER, field
    /// bounds, chip key, network, slot, challenge, wallet, signature.
    ///
    /// # Errors
    /// Any parse error of [`HeartbeatRef::from_der`], then the errors of
    /// [`HeartbeatRef::verify`].
    pub fn verify_heartbeat(
        &self,
        der: &[u8],
        key: &DevicePublicKey,
        context: &SlotContext<'_>,
    ) -> Result<VerifiedHeartbeat> {
        let heartbeat = HeartbeatRef::from_der(der)?;
        heartbeat.verify(self.backend, key, context)?;
        Ok(heartbeat.to_verified())
    }

    /// Verifies many heartbeats, one result per item in input order; across threads when
    /// the `parallel` feature is on. Each result is what [`Verifier::verify_heartbeat`] gives.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items, before any is checked.
    pub fn verify_heartbeats(
        &self,
        items: &[HeartbeatItem<'_>],
    ) -> Result<Vec<Result<VerifiedHeartbeat>>> {
        check_batch_len(items.len())?;
        let one =
            |item: &HeartbeatItem<'_>| self.verify_heartbeat(item.der, item.key, &item.context);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            Ok(items.par_iter().map(one).collect())
        }
        #[cfg(not(feature = "parallel"))]
        {
            Ok(items.iter().map(one).collect())
        }
    }

    /// Verifies many heartbeats whose keys come as bytes: each key is decoded with its
    /// item, so a key that is not a P-256 point is that item's `PUBLIC_KEY_INVALID`, never
    /// the whole batch's. One result per item in input order, each what decoding the key
    /// and then [`Verifier::verify_heartbeat`] gives.
    ///
    /// # Errors
    /// `BATCH_TOO_LARGE` for more than `MAX_BATCH_LEN` items, before any is checked.
    pub fn verify_heartbeats_sec1(
        &self,
        items: &[HeartbeatSec1Item<'_>],
    ) -> Result<Vec<Result<VerifiedHeartbeat>>> {
        check_batch_len(items.len())?;
        let one = |item: &HeartbeatSec1Item<'_>| {
            let key = DevicePublicKey::from_sec1_bytes(item.public_key)?;
            self.verify_heartbeat(item.der, &key, &item.context)
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            Ok(items.par_iter().map(one).collect())
        }
        #[cfg(not(feature = "parallel"))]
        {
            Ok(items.iter().map(one).collect())
        }
    }

    /// Parses and verifies a lease acceptance signed by the rented chip.
    ///
    /// # Errors
    /// Any parse error of [`LeaseAcceptanceRef::from_der`], then the errors of
    /// [`LeaseAcceptanceRef::verify`].
    pub fn verify_lease_acceptance(
        &self,
        der: &[u8],
        key: &DevicePublicKey,
        network_id: &str,
    ) -> Result<VerifiedLeaseAcceptance> {
        let acceptance = LeaseAcceptanceRef::from_der(der)?;
        acceptance.verify(self.backend, key, network_id)?;
        Ok(acceptance.to_verified())
    }

    /// Verifies an NVIDIA GPU's attestation report and certificate chain (leaf first)
    /// against the trust store's `nvidia-spdm` roots at unix `time`, for `nonce`
    /// ([`crate::evidence::nvidia`] gives the steps).
    ///
    /// # Errors
    /// `REPORT_MALFORMED`, `MESSAGE_TOO_LARGE`, `NONCE_MISMATCH`, `BAD_CERTIFICATE`,
    /// `SIGNATURE_INVALID`, `FWID_MISMATCH`, the chain codes, `VENDOR_REVOKED`,
    /// `TEST_VENDOR_REFUSED`.
    pub fn verify_nvidia_report(
        &self,
        report: &[u8],
        chain: &[&[u8]],
        nonce: &[u8; 32],
        time: u64,
    ) -> Result<VerifiedNvidiaReport> {
        verify_nvidia_report(&self.trust, self.backend, report, chain, nonce, time)
    }

    /// Verifies an NVIDIA GPU's report and chain as a binding of the chip to the context's
    /// wallet (SPEC.md 17.4): the report answers the context's binding nonce, the chain is
    /// judged at the slot's start, the signed fields map to a model (17.5).
    ///
    /// # Errors
    /// `SLOT_OUT_OF_RANGE`, `TIME_OVERFLOW`; the codes of [`Verifier::verify_nvidia_report`];
    /// `NOT_A_COMPUTE_CHIP`, `MODEL_UNMAPPED`.
    pub fn verify_nvidia_binding(
        &self,
        report: &[u8],
        chain: &[&[u8]],
        context: &BindingContext<'_>,
    ) -> Result<VerifiedBinding> {
        crate::evidence::nvidia::verify_nvidia_binding(
            self.trust_store_at(context.slot().epoch),
            self.backend,
            report,
            chain,
            context,
        )
    }

    /// Verifies an NVIDIA report as a heartbeat for `context` under the chip's registered
    /// attestation key (SPEC.md 17.4); returns its proof id.
    ///
    /// # Errors
    /// `REPORT_MALFORMED`, `MESSAGE_TOO_LARGE`, `NONCE_MISMATCH`, `PUBLIC_KEY_INVALID`,
    /// `SIGNATURE_INVALID`.
    pub fn verify_nvidia_heartbeat(
        &self,
        report: &[u8],
        attestation_key: &[u8],
        context: &SlotContext<'_>,
    ) -> Result<ProofId> {
        crate::evidence::nvidia::verify_nvidia_heartbeat(
            self.backend,
            report,
            attestation_key,
            context,
        )
    }

    /// Parses and verifies a chip binding: the message, its device certificate chain
    /// against the trust store at the slot's start time, and the binding policy, in
    /// the order of SPEC.md 6.4.
    ///
    /// # Errors
    /// The parse errors of SPEC.md 6.1; `WRONG_NETWORK`, `WRONG_SLOT`,
    /// `CHALLENGE_MISMATCH`, `WALLET_MISMATCH`; `SLOT_OUT_OF_RANGE`, `TIME_OVERFLOW`;
    /// `BAD_CERTIFICATE`, `WRONG_KEY_USAGE`, `MISSING_CHIP_IDENTITY`, `SERIAL_MISMATCH`,
    /// `MODEL_MISMATCH`, `MODEL_UNKNOWN`; the signature errors; `CERT_EXPIRED`,
    /// `CERT_NOT_YET_VALID`; the chain errors (`UNKNOWN_ISSUER`, `CERT_REVOKED`,
    /// `REVOCATION_STATUS_UNKNOWN`, `CRL_EXPIRED`, `CERT_SIGNATURE_INVALID`,
    /// `CHAIN_TOO_LONG`, `BAD_CRL`); `VENDOR_REVOKED`, `TEST_VENDOR_REFUSED`,
    /// `MODEL_NOT_ALLOWED_FOR_VENDOR`.
    pub fn verify_binding(
        &self,
        der: &[u8],
        context: &BindingContext<'_>,
    ) -> Result<VerifiedBinding> {
        let binding = ChipBindingRef::from_der(der)?;
        let tbs = binding.tbs();
        let time = context.check(&SlotClaims {
            network_id: tbs.network_id,
            epoch: tbs.epoch,
            slot: tbs.slot,
            challenge: tbs.challenge,
            wallet: tbs.wallet,
        })?;
        let parsed = tbs
            .certificates
            .iter()
            .map(|der| ParsedCertificate::from_der(der))
            .collect::<Result<Vec<_>>>()?;
        let trust = self.trust_store_at(tbs.epoch);
        let device = device_profile(trust, tbs, &parsed)?;
        // The binding's own signature, under the certified key: one check, before the chain's.
        binding.verify_signature(self.backend, &device.key)?;
        check_carried_validity(&parsed, time)?;
        let (vendor_id, root) = self.anchoring_vendor(trust, tbs, &parsed, time, device.model)?;
        let chain = chain_identity(&parsed, root)?;
        Ok(VerifiedBinding {
            proof_id: binding.proof_id(),
            epoch: tbs.epoch,
            slot: tbs.slot,
            record: ChipRecord {
                evidence: EvidenceKind::Poci,
                key_id: *device.key.key_id(),
                public_key: device.key.sec1_bytes().to_vec(),
                serial: device.identity.serial.clone(),
                model_id: device.identity.model_id.clone(),
                vendor_id: vendor_id.to_owned(),
                rating_milli_cu: device.model.rating_milli_cu,
                security_version: device.identity.security_version,
                wallet: tbs.wallet.to_vec(),
                binding_counter: tbs.binding_counter,
                certificate_not_after: device.not_after,
            },
            chain,
        })
    }
}

/// SPEC.md 6.4 steps 2 and 3: every carried certificate read whole (a P-256 key each),
/// the device certificate's profile and identity, and its model in the registry.
fn device_profile<'p>(
    trust: &'p TrustStore,
    tbs: &ChipBindingTbsRef<'_>,
    parsed: &'p [ParsedCertificate<'_>],
) -> Result<DeviceProfile<'p>> {
    let mut keys = parsed.iter().map(|certificate| {
        DevicePublicKey::from_spki_der(certificate.spki).map_err(|_| Error::BadCertificate {
            problem: CertProblem::Algorithm,
        })
    });
    let key = keys.next().ok_or(Error::FieldEmpty {
        field: crate::error::Field::Certificates,
    })??;
    for other in keys {
        other?;
    }
    let device = parsed.first().ok_or(Error::FieldEmpty {
        field: crate::error::Field::Certificates,
    })?;
    device.check_device_usage()?;
    let identity = device
        .chip_identity
        .as_ref()
        .ok_or(Error::MissingChipIdentity)?;
    if identity.serial != tbs.chip_serial {
        return Err(Error::SerialMismatch);
    }
    if identity.model_id != tbs.model_id {
        return Err(Error::ModelMismatch);
    }
    let model = trust
        .registry()
        .get(&identity.model_id)
        .ok_or(Error::ModelUnknown)?;
    trust
        .registry()
        .check_floor(&identity.model_id, identity.security_version)?;
    Ok(DeviceProfile {
        key,
        identity,
        model,
        not_after: device.not_after,
    })
}

impl Verifier {
    /// SPEC.md 6.4 steps 6 and 7: the chain at `time`, then the anchoring vendor's policy;
    /// returns the vendor id.
    fn anchoring_vendor<'t>(
        &self,
        trust: &'t TrustStore,
        tbs: &ChipBindingTbsRef<'_>,
        parsed: &[ParsedCertificate<'_>],
        time: u64,
        model: &ChipModel,
    ) -> Result<(&'t str, &'t AnchorRoot)> {
        let check = ChainCheck {
            backend: self.backend,
            checks: &self.certificate_signature_checks,
            memo: &self.memo,
        };
        let chain = CarriedChain {
            ders: &tbs.certificates,
            parsed,
        };
        let root_index = validate_chain(
            check,
            trust.roots(),
            trust.crls(),
            trust.policy().unknown_revocation,
            chain,
            time,
        )?;
        let root = trust.root(root_index).ok_or(Error::UnknownIssuer)?;
        let vendor = trust.vendor(&root.vendor_id).ok_or(Error::UnknownIssuer)?;
        if vendor.status == VendorStatus::Revoked {
            return Err(Error::VendorRevoked);
        }
        let test = vendor.test || root.kind == RootKind::Test;
        if test && !trust.policy().allow_test_vendors {
            return Err(Error::TestVendorRefused);
        }
        if model.vendor_id != vendor.vendor_id {
            return Err(Error::ModelNotAllowedForVendor);
        }
        Ok((&vendor.vendor_id, root))
    }
}

/// The chain identity of a validated path (device first) under `root`: each certificate's
/// issuer, issuer key and serial.
fn chain_identity(parsed: &[ParsedCertificate<'_>], root: &AnchorRoot) -> Result<ChainIdentity> {
    let mut levels = Vec::with_capacity(parsed.len());
    for (index, certificate) in parsed.iter().enumerate() {
        // The issuer's key: the next carried certificate's, or the root's (its subject).
        let issuer_key = match parsed.get(index.saturating_add(1)) {
            Some(issuer) => DevicePublicKey::from_spki_der(issuer.spki)
                .map_err(|_| Error::BadCertificate {
                    problem: CertProblem::Algorithm,
                })?
                .sec1_bytes()
                .to_vec(),
            None => root.key.clone(),
        };
        levels.push(ChainLevel {
            issuer: certificate.issuer.to_vec(),
            issuer_key,
            serial: certificate.serial.to_vec(),
        });
    }
    Ok(ChainIdentity {
        root_subject: root.subject.clone(),
        levels,
    })
}

/// What the device certificate of a binding certifies (SPEC.md 6.4 steps 2 and 3).
struct DeviceProfile<'p> {
    key: DevicePublicKey,
    identity: &'p ChipIdentity,
    model: &'p ChipModel,
    not_after: u64,
}

/// SPEC.md 6.4 step 1: the binding answers the context's network, slot, challenge and
/// wallet (cheap comparisons first); returns the slot's start time.
/// SPEC.md 6.4 step 5: every carried certificate valid at `time`, the device first.
fn check_carried_validity(parsed: &[ParsedCertificate<'_>], time: u64) -> Result<()> {
    for (index, certificate) in parsed.iter().enumerate() {
        let role = if index == 0 {
            CertRole::Device
        } else {
            CertRole::Intermediate
        };
        check_validity(certificate.not_before, certificate.not_after, time, role)?;
    }
    Ok(())
}

/// `notBefore <= time <= notAfter`, or the error naming `role`.
const fn check_validity(not_before: u64, not_after: u64, time: u64, role: CertRole) -> Result<()> {
    if time < not_before {
        Err(Error::CertNotYetValid { role })
    } else if time > not_after {
        Err(Error::CertExpired { role })
    } else {
        Ok(())
    }
}
