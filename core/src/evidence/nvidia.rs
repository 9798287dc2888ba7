//! Verifying NVIDIA GPU evidence (kind `nvidia-spdm`): a report ([`NvidiaReport`]) and the
//! GPU's certificate chain, leaf first, against the trust store's `nvidia-spdm` roots at a
//! time and a nonce.
//!
//! In order (cheap checks first; SPEC.md will give the same order):
//! 1. the report reads (`REPORT_MALFORMED`, `MESSAGE_TOO_LARGE`);
//! 2. its requester nonce is the expected one (`NONCE_MISMATCH`);
//! 3. the chain has at most `MAX_CHAIN_CERTIFICATES` + 1 certificates (`CHAIN_TOO_LONG`),
//!    each at most `MAX_CERTIFICATE_LEN` bytes (`FIELD_TOO_LONG`), and they read
//!    (`BAD_CERTIFICATE`), at least leaf and identity;
//! 4. the report's signature verifies under the leaf's key (`SIGNATURE_INVALID`);
//! 5. when the report states a firmware id, the leaf certifies the same one
//!    (`FWID_MISMATCH`): a report signed under another chain's leaf fails at step 4;
//! 6. the chain validates at `time` to a root of the trust store's `nvidia-spdm` roots
//!    named by the chain's top issuer, tried in ascending DER order (the chain codes;
//!    `UNKNOWN_ISSUER` when none is named); then the root's vendor must be active
//!    (`VENDOR_REVOKED`) and, for a test vendor or test root, the policy must allow it
//!    (`TEST_VENDOR_REFUSED`).
//!
//! The chip's identity is its identity certificate (the leaf's issuer, `... GSP BROM`):
//! the leaf is an alias key derived from the firmware and changes with it; the identity
//! key does not.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::device_key::KeyId;
use crate::error::{CertProblem, Error, Field, Result};
use crate::evidence::EvidenceKind;
use crate::evidence::nonce::{EvidencePurpose, evidence_nonce};
use crate::evidence::nvidia_certificate::NvidiaCertificate;
use crate::evidence::nvidia_spdm::{NvidiaReport, opaque};
use crate::evidence::p384::verify_p384;
use crate::json::{hex_32, hex_bytes, opt_hex_bytes};
use crate::limits::{MAX_CERTIFICATE_LEN, MAX_CHAIN_CERTIFICATES, MAX_SERIAL_LEN, check_len};
use crate::manifest::EvidenceFields;
use crate::manifest::VendorStatus;
use crate::proof::ProofId;
use crate::signature::Backend;
use crate::slot_context::{BindingContext, SlotContext};
use crate::time::SlotId;
use crate::trust::{EvidenceRoot, RootKind, TrustStore};
use crate::verifier::{ChipRecord, VerifiedBinding};
use crate::x509::chain::validate_p384_chain;
use crate::x509::{ChainIdentity, ChainLevel};

/// What a genuine NVIDIA report proves (JSON form of SPEC.md 17).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedNvidiaReport {
    /// The vendor whose root anchored the chain.
    pub vendor_id: String,
    /// The chip family both device certificates name (`GH100`).
    pub chip: String,
    /// SHA-256 of the identity certificate's `SubjectPublicKeyInfo`: the chip's key id,
    /// stable across firmware updates.
    pub key_id: KeyId,
    /// The identity certificate's subject Name TLV.
    #[serde(with = "hex_bytes")]
    pub identity_subject: Vec<u8>,
    /// The attestation (leaf) key, uncompressed SEC1 P-384.
    #[serde(with = "hex_bytes")]
    pub attestation_key: Vec<u8>,
    /// The requester nonce the report answers.
    #[serde(with = "hex_32")]
    pub nonce: [u8; 32],
    /// The firmware id (48 bytes), as the leaf certifies it.
    #[serde(with = "opt_hex_bytes")]
    pub fwid: Option<Vec<u8>>,
    /// Signed opaque fields, as text.
    pub chip_sku: Option<String>,
    /// The board project (`1010`).
    pub project: Option<String>,
    /// The board project SKU (`0200`).
    pub project_sku: Option<String>,
    /// The driver version.
    pub driver_version: Option<String>,
    /// The VBIOS version (`96.00.9f.00.01`).
    pub vbios_version: Option<String>,
    /// The registry model the signed fields map to (SPEC.md 17.5), or `None`: genuineness
    /// is judged apart from the mapping, which only a binding requires.
    pub model_id: Option<String>,
}

/// The chip family of a device certificate's common name: its first word (`GH100`).
fn family<'a>(certificate: &NvidiaCertificate<'a>) -> Option<&'a str> {
    certificate.common_name?.split(' ').next()
}

/// Verifies an NVIDIA report and chain (steps above).
///
/// # Errors
/// The codes of the steps above, the first that fails.
pub fn verify_nvidia_report(
    trust: &TrustStore,
    backend: Backend,
    report: &[u8],
    chain: &[&[u8]],
    nonce: &[u8; 32],
    time: u64,
) -> Result<VerifiedNvidiaReport> {
    Ok(verify_nvidia_evidence(trust, backend, report, chain, nonce, time)?.report)
}

/// A genuine report with what a binding needs beyond its public form.
struct NvidiaEvidence {
    report: VerifiedNvidiaReport,
    /// The identity certificate's serial number (content octets): the chip's serial.
    identity_serial: Vec<u8>,
    /// The earlier notAfter of the leaf and the identity certificate.
    not_after: u64,
    /// The mapped model and its rating, or why there is none (17.5).
    model: Result<(String, u64)>,
    /// SHA-256 of the signed bytes: the evidence's proof id. The signature is left out
    /// because ECDSA signatures are malleable (`s` and `n - s`) and NVIDIA's are not
    /// low-S: whoever holds a report can make a second encoding, never a second report.
    proof_id: [u8; 32],
    /// The security version read from the report (SPEC.md 17.4).
    security_version: u32,
    /// What identifies the chain for revocation of the bound chip (SPEC.md 18.5).
    chain: ChainIdentity,
}

/// The chain identity's levels: the identity certificate and each CA above it, up to the
/// root (a carried copy of the root is not a level), each with its issuer's P-384 key. The
/// firmware-derived leaf is left out: the GPU issues it itself, and a re-binding follows
/// every firmware update anyway.
fn chain_levels(
    certificates: &[NvidiaCertificate<'_>],
    root: &EvidenceRoot,
) -> Result<Vec<ChainLevel>> {
    let below_root: Vec<&NvidiaCertificate<'_>> = certificates
        .iter()
        .skip(1)
        .take_while(|certificate| certificate.subject != certificate.issuer)
        .collect();
    Ok(below_root
        .iter()
        .enumerate()
        .map(|(index, certificate)| ChainLevel {
            issuer: certificate.issuer.to_vec(),
            issuer_key: below_root
                .get(index.saturating_add(1))
                .map_or_else(|| root.key.clone(), |issuer| issuer.public_key.to_vec()),
            serial: certificate.serial.to_vec(),
        })
        .collect())
}

fn verify_nvidia_evidence(
    trust: &TrustStore,
    backend: Backend,
    report: &[u8],
    chain: &[&[u8]],
    nonce: &[u8; 32],
    time: u64,
) -> Result<NvidiaEvidence> {
    let parsed = NvidiaReport::parse(report)?;
    if parsed.requester_nonce != nonce {
        return Err(Error::NonceMismatch);
    }
    // Bounded before anything is parsed: the carried chain and a copy of its root.
    let max = MAX_CHAIN_CERTIFICATES.saturating_add(1);
    if chain.len() > max {
        return Err(Error::ChainTooLong {
            count: chain.len(),
            max,
        });
    }
    let certificates = chain
        .iter()
        .map(|der| {
            check_len(Field::Certificate, der.len(), MAX_CERTIFICATE_LEN)?;
            NvidiaCertificate::from_der(der)
        })
        .collect::<Result<Vec<_>>>()?;
    let [leaf, identity, ..] = certificates.as_slice() else {
        return Err(Error::UnknownIssuer);
    };
    let chip = match (family(leaf), family(identity)) {
        (Some(a), Some(b)) if a == b && !a.is_empty() => a.to_owned(),
        _ => {
            return Err(Error::BadCertificate {
                problem: CertProblem::Other,
            });
        }
    };
    verify_p384(backend, leaf.public_key, parsed.signed, parsed.signature)?;
    if let Some(reported) = parsed.opaque_field(opaque::FWID) {
        if leaf.fwid.map(<[u8; 48]>::as_slice) != Some(reported) {
            return Err(Error::FwidMismatch);
        }
    }
    let (vendor_id, test, root) = anchor(trust, backend, chain, &certificates, time)?;
    let levels = chain_levels(&certificates, &root)?;
    let text = |field| parsed.opaque_text(field).map(str::to_owned);
    let fields = EvidenceFields {
        kind: EvidenceKind::NvidiaSpdm.name(),
        chip: &chip,
        project: parsed.opaque_text(opaque::PROJECT),
        project_sku: parsed.opaque_text(opaque::PROJECT_SKU),
        chip_sku: parsed.opaque_text(opaque::CHIP_SKU),
        test,
    };
    let model = trust
        .registry()
        .model_for_evidence(&vendor_id, &fields)
        .map(|model| (model.model_id.clone(), model.rating_milli_cu));
    Ok(NvidiaEvidence {
        report: VerifiedNvidiaReport {
            vendor_id,
            chip,
            key_id: KeyId(Sha256::digest(identity.spki).into()),
            identity_subject: identity.subject.to_vec(),
            attestation_key: leaf.public_key.to_vec(),
            nonce: *nonce,
            fwid: leaf.fwid.map(|fwid| fwid.to_vec()),
            chip_sku: text(opaque::CHIP_SKU),
            project: text(opaque::PROJECT),
            project_sku: text(opaque::PROJECT_SKU),
            driver_version: text(opaque::DRIVER_VERSION),
            vbios_version: parsed.vbios_version(),
            model_id: model.as_ref().ok().map(|(model_id, _)| model_id.clone()),
        },
        model,
        identity_serial: identity.serial.to_vec(),
        not_after: leaf.not_after.min(identity.not_after),
        proof_id: Sha256::digest(parsed.signed).into(),
        security_version: parsed.security_version(),
        chain: ChainIdentity {
            root_subject: root.subject.clone(),
            levels,
        },
    })
}

/// Verifies an NVIDIA report and chain as a chip binding for `context` (SPEC.md 17.4):
/// the report must answer the context's binding nonce, the chain is judged at the slot's
/// start, and the signed fields must map to a model (17.5). The record's counter is the
/// binding's absolute slot: the GPU keeps no POCI counter, so a later slot re-binds.
///
/// # Errors
/// `SLOT_OUT_OF_RANGE`, `TIME_OVERFLOW`; the codes of [`verify_nvidia_report`];
/// `NOT_A_COMPUTE_CHIP`, `MODEL_UNMAPPED`; `FIELD_TOO_LONG` for an identity serial over
/// `MAX_SERIAL_LEN`.
pub(crate) fn verify_nvidia_binding(
    trust: &TrustStore,
    backend: Backend,
    report: &[u8],
    chain: &[&[u8]],
    context: &BindingContext<'_>,
) -> Result<VerifiedBinding> {
    let slot = context.slot();
    let params = context.params();
    let time = params.slot_start_unix(slot.epoch, slot.slot)?;
    let nonce = evidence_nonce(slot, EvidencePurpose::Binding)?;
    let evidence = verify_nvidia_evidence(trust, backend, report, chain, &nonce, time)?;
    let verified = &evidence.report;
    let (model_id, rating_milli_cu) = evidence.model.clone()?;
    trust
        .registry()
        .check_floor(&model_id, evidence.security_version)?;
    check_len(
        Field::ChipSerial,
        evidence.identity_serial.len(),
        MAX_SERIAL_LEN,
    )?;
    Ok(VerifiedBinding {
        proof_id: evidence.proof_id,
        epoch: slot.epoch,
        slot: slot.slot,
        record: ChipRecord {
            evidence: EvidenceKind::NvidiaSpdm,
            key_id: verified.key_id,
            public_key: verified.attestation_key.clone(),
            serial: evidence.identity_serial.clone(),
            model_id,
            vendor_id: verified.vendor_id.clone(),
            rating_milli_cu,
            security_version: evidence.security_version,
            wallet: slot.wallet.to_vec(),
            binding_counter: params.slot_index(SlotId {
                epoch: slot.epoch,
                slot: slot.slot,
            })?,
            certificate_not_after: evidence.not_after,
        },
        chain: evidence.chain.clone(),
    })
}

/// Verifies an NVIDIA report as a heartbeat for `context` (SPEC.md 17.4) under the chip's
/// registered attestation key: it must read, answer the context's heartbeat nonce and be
/// signed by that key. No chain: the binding judged it. Returns the proof id.
///
/// # Errors
/// `REPORT_MALFORMED`, `MESSAGE_TOO_LARGE`, `NONCE_MISMATCH`, `PUBLIC_KEY_INVALID`,
/// `SIGNATURE_INVALID`; `FIELD_TOO_LONG` for a network id or wallet over 255 bytes.
pub fn verify_nvidia_heartbeat(
    backend: Backend,
    report: &[u8],
    attestation_key: &[u8],
    context: &SlotContext<'_>,
) -> Result<ProofId> {
    let parsed = NvidiaReport::parse(report)?;
    let nonce = evidence_nonce(context, EvidencePurpose::Heartbeat)?;
    if parsed.requester_nonce != &nonce {
        return Err(Error::NonceMismatch);
    }
    verify_p384(backend, attestation_key, parsed.signed, parsed.signature)?;
    Ok(Sha256::digest(parsed.signed).into())
}

/// Step 6: the chain to one of the store's roots, then the root's vendor policy; the
/// vendor id, whether a test root or test vendor anchored it, and the root's subject.
fn anchor(
    trust: &TrustStore,
    backend: Backend,
    chain: &[&[u8]],
    certificates: &[NvidiaCertificate<'_>],
    time: u64,
) -> Result<(String, bool, EvidenceRoot)> {
    // The top issuer: that of the last certificate that is not self-issued (a chain may
    // end with a copy of its root).
    let top = certificates
        .iter()
        .rev()
        .find(|certificate| certificate.subject != certificate.issuer)
        .ok_or(Error::UnknownIssuer)?;
    let mut first_error = None;
    for root in trust.evidence_roots_named(EvidenceKind::NvidiaSpdm, top.issuer) {
        let crls: Vec<_> = trust
            .evidence_crls_of(EvidenceKind::NvidiaSpdm, &root.vendor_id)
            .collect();
        match validate_p384_chain(backend, chain, &root.der, &crls, time) {
            Ok(()) => {
                let vendor = trust.vendor(&root.vendor_id).ok_or(Error::UnknownIssuer)?;
                if vendor.status == VendorStatus::Revoked {
                    return Err(Error::VendorRevoked);
                }
                let test = vendor.test || root.root_kind == RootKind::Test;
                if test && !trust.policy().allow_test_vendors {
                    return Err(Error::TestVendorRefused);
                }
                return Ok((vendor.vendor_id.clone(), test, root.clone()));
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(Error::UnknownIssuer))
}
