//! Certificate chain validation: the one module that calls rustls-webpki.
//!
//! webpki builds and checks the path (signatures, validity, basic constraints, path
//! length, name constraints, critical extensions, CRLs). Its signature checks run on
//! POCI's own backends through [`PociEcdsaP256`], so a pure-Rust build needs no C.
//! webpki types stay inside this module.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use core::time::Duration;
use std::collections::BTreeMap;
use std::sync::Mutex;

use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime, alg_id,
};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, ExtendedKeyUsageValidator, KeyPurposeId,
    KeyPurposeIdIter, OwnedCertRevocationList, RevocationCheckDepth, RevocationOptionsBuilder,
    UnknownStatusPolicy,
};

use sha2::{Digest, Sha256};

use crate::error::{CertProblem, CertRole, Error, Result};
use crate::limits::{
    MAX_CHAIN_CERTIFICATES, MAX_CHAIN_SIGNATURE_CHECKS, MAX_REMEMBERED_SIGNATURES,
};
use crate::oid::DEVICE_ATTESTATION_EKU_DER;
use crate::signature::{Backend, verify_x509_signature};

/// ECDSA P-256 with SHA-256, verified by a POCI backend, counting its checks. One value
/// serves one chain validation, whose checks it caps at `MAX_CHAIN_SIGNATURE_CHECKS`.
#[derive(Debug)]
struct PociEcdsaP256<'c> {
    backend: Backend,
    checks: &'c AtomicU64,
    verified: &'c VerifiedSignatures,
    memo: &'c SignatureMemo,
    /// The device certificate's signed bytes: its signature is never remembered (one use).
    device_tbs: &'c [u8],
    /// Checks run in this validation.
    spent: AtomicU32,
    /// A check was refused because the budget was spent: the verdict is `CHAIN_TOO_COMPLEX`,
    /// whatever path building reports.
    exhausted: AtomicBool,
}

impl<'c> PociEcdsaP256<'c> {
    const fn new(
        backend: Backend,
        checks: &'c AtomicU64,
        verified: &'c VerifiedSignatures,
        memo: &'c SignatureMemo,
        device_tbs: &'c [u8],
    ) -> Self {
        Self {
            backend,
            checks,
            verified,
            memo,
            device_tbs,
            spent: AtomicU32::new(0),
            exhausted: AtomicBool::new(false),
        }
    }
}

/// Certificate and CRL signatures a verifier found valid, remembered for the exact same
/// (key, signed bytes, signature) only: a remembered signature is exactly what checking it
/// again would say, so it changes no verdict (SPEC.md 6.4), whatever the time, CRLs or
/// trust store. Only validity is remembered, never a failure or any other part of a chain's
/// verdict. Bounded by `MAX_REMEMBERED_SIGNATURES`, oldest forgotten first.
#[derive(Debug, Default)]
pub(crate) struct SignatureMemo(Mutex<MemoEntries>);

#[derive(Debug, Default)]
struct MemoEntries {
    /// By signature: what it signed ([`signed_by`]) and when it was remembered.
    entries: BTreeMap<Vec<u8>, ([u8; 32], u64)>,
    insertions: u64,
}

impl SignatureMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoEntries> {
        // Only saves work: whatever a panic elsewhere left, every entry is a valid signature.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What `signature` was remembered to sign, if it was.
    fn get(&self, signature: &[u8]) -> Option<[u8; 32]> {
        self.lock().entries.get(signature).map(|(bound, _)| *bound)
    }

    fn remember(&self, signature: &[u8], bound: [u8; 32]) {
        let mut memo = self.lock();
        if memo.entries.len() >= MAX_REMEMBERED_SIGNATURES {
            let oldest = memo
                .entries
                .iter()
                .min_by_key(|(_, (_, inserted))| *inserted)
                .map(|(key, _)| key.clone());
            if let Some(key) = oldest {
                memo.entries.remove(&key);
            }
        }
        memo.insertions = memo.insertions.saturating_add(1);
        let inserted = memo.insertions;
        memo.entries.insert(signature.to_vec(), (bound, inserted));
    }

    /// Signatures remembered.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

/// Signatures verified once already, by signature: the SHA-256 of the signer's key and the
/// signed bytes. webpki re-verifies every CRL on every chain; the trust store verifies each
/// CRL once when it is added, and a chain then reuses that verdict for the exact same
/// (key, message, signature) only.
pub(crate) type VerifiedSignatures = BTreeMap<Vec<u8>, [u8; 32]>;

/// What a verified signature is bound to: the key and the message, length-prefixed.
pub(crate) fn signed_by(public_key: &[u8], message: &[u8]) -> [u8; 32] {
    let len = u32::try_from(public_key.len()).unwrap_or(u32::MAX);
    Sha256::new()
        .chain_update(len.to_be_bytes())
        .chain_update(public_key)
        .chain_update(message)
        .finalize()
        .into()
}

impl SignatureVerificationAlgorithm for PociEcdsaP256<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> core::result::Result<(), InvalidSignature> {
        // The binding is hashed only when a remembered signature is found: the device
        // certificate's signature, checked once per chip, never pays for it.
        let remembered = self
            .verified
            .get(signature)
            .copied()
            .or_else(|| self.memo.get(signature));
        if remembered.is_some_and(|bound| bound == signed_by(public_key, message)) {
            return Ok(());
        }
        // Refused without computing: a crafted chain cannot buy more than the budget.
        if self.spent.fetch_add(1, Ordering::Relaxed) >= MAX_CHAIN_SIGNATURE_CHECKS {
            self.exhausted.store(true, Ordering::Relaxed);
            return Err(InvalidSignature);
        }
        self.checks.fetch_add(1, Ordering::Relaxed);
        verify_x509_signature(self.backend, public_key, message, signature)
            .map_err(|_| InvalidSignature)?;
        if message != self.device_tbs {
            self.memo
                .remember(signature, signed_by(public_key, message));
        }
        Ok(())
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P256
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA256
    }
}

/// Every certificate with an EKU extension must list the POCI device-attestation purpose;
/// CA certificates may omit the extension. (webpki applies the validator to every
/// certificate of the path; the device certificate's own EKU is required separately.)
struct DeviceAttestationEku;

impl ExtendedKeyUsageValidator for DeviceAttestationEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> core::result::Result<(), webpki::Error> {
        let wanted = KeyPurposeId::new(&DEVICE_ATTESTATION_EKU_DER);
        let mut empty = true;
        for purpose in iter {
            empty = false;
            if purpose? == wanted {
                return Ok(());
            }
        }
        // The context variant would decode every present OID into machine-word arcs;
        // POCI's own arc does not fit one, so the plain variant is used.
        #[allow(deprecated)]
        let missing = webpki::Error::RequiredEkuNotFound;
        if empty { Ok(()) } else { Err(missing) }
    }
}

/// What to do when no CRL speaks for a certificate of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnknownRevocationPolicy {
    /// Refuse the chain (`REVOCATION_STATUS_UNKNOWN`): every vendor CA must publish a CRL.
    #[default]
    Deny,
    /// Accept the chain as not revoked.
    Allow,
}

/// Parsed trust anchors and CRLs, in the form the chain validator needs.
#[derive(Debug, Default)]
pub(crate) struct ChainAnchors {
    anchors: Vec<TrustAnchor<'static>>,
    crls: Vec<CertRevocationList<'static>>,
    verified: VerifiedSignatures,
}

impl Clone for ChainAnchors {
    fn clone(&self) -> Self {
        Self {
            anchors: self.anchors.clone(),
            crls: self
                .crls
                .iter()
                .filter_map(|crl| match crl {
                    CertRevocationList::Owned(owned) => {
                        Some(CertRevocationList::Owned(owned.clone()))
                    }
                    CertRevocationList::Borrowed(_) => None,
                })
                .collect(),
            verified: self.verified.clone(),
        }
    }
}

impl ChainAnchors {
    /// Adds a root; returns its index.
    pub(crate) fn add_root(&mut self, der: &[u8]) -> Result<usize> {
        let certificate = CertificateDer::from(der);
        let anchor = webpki::anchor_from_trusted_cert(&certificate)
            .map_err(map_error)?
            .to_owned();
        self.anchors.push(anchor);
        Ok(self.anchors.len().saturating_sub(1))
    }

    /// Adds a CRL.
    pub(crate) fn add_crl(&mut self, der: &[u8]) -> Result<()> {
        let crl = OwnedCertRevocationList::from_der(der).map_err(|_| Error::BadCrl)?;
        self.crls.push(CertRevocationList::Owned(crl));
        Ok(())
    }

    /// Whether a signature was recorded as verified.
    pub(crate) fn is_verified(&self, signature: &[u8]) -> bool {
        self.verified.contains_key(signature)
    }

    /// Records a signature that was just verified, so chains reuse the verdict.
    pub(crate) fn add_verified_signature(
        &mut self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) {
        self.verified
            .insert(signature.to_vec(), signed_by(public_key, message));
    }
}

/// How a chain is checked: the backend, the verifier's signature counter and memo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainCheck<'c> {
    pub(crate) backend: Backend,
    pub(crate) checks: &'c AtomicU64,
    pub(crate) memo: &'c SignatureMemo,
}

/// Validates `device` (whose signed part is `device_tbs`) -> `intermediates` -> one of
/// `anchors` at `time` (unix seconds), with CRLs checked along the whole chain; returns
/// the index of the anchoring root in insertion order.
pub(crate) fn validate_chain(
    check: ChainCheck<'_>,
    anchors: &ChainAnchors,
    revocation: UnknownRevocationPolicy,
    device: &[u8],
    device_tbs: &[u8],
    intermediates: &[&[u8]],
    time: u64,
) -> Result<usize> {
    let algorithm = PociEcdsaP256::new(
        check.backend,
        check.checks,
        &anchors.verified,
        check.memo,
        device_tbs,
    );
    let algorithms: [&dyn SignatureVerificationAlgorithm; 1] = [&algorithm];
    let device = CertificateDer::from(device);
    let end_entity = EndEntityCert::try_from(&device).map_err(map_error)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|der| CertificateDer::from(*der))
        .collect();
    let crls: Vec<&CertRevocationList<'_>> = anchors.crls.iter().collect();
    let status = match revocation {
        UnknownRevocationPolicy::Deny => UnknownStatusPolicy::Deny,
        UnknownRevocationPolicy::Allow => UnknownStatusPolicy::Allow,
    };
    let revocation_options = match RevocationOptionsBuilder::new(&crls) {
        Ok(builder) => Some(
            builder
                .with_depth(RevocationCheckDepth::Chain)
                .with_status_policy(status)
                .with_expiration_policy(ExpirationPolicy::Enforce)
                .build(),
        ),
        // No CRL at all: every status is unknown, decided once the path is known to exist.
        Err(_) => None,
    };
    let no_crl_to_consult =
        revocation_options.is_none() && revocation == UnknownRevocationPolicy::Deny;
    let verdict = end_entity.verify_for_usage(
        &algorithms,
        &anchors.anchors,
        &intermediates,
        UnixTime::since_unix_epoch(Duration::from_secs(time)),
        DeviceAttestationEku,
        revocation_options,
        None,
    );
    if algorithm.exhausted.load(Ordering::Relaxed) && verdict.is_err() {
        return Err(Error::ChainTooComplex {
            max: MAX_CHAIN_SIGNATURE_CHECKS,
        });
    }
    let path = verdict.map_err(map_error)?;
    if no_crl_to_consult {
        return Err(Error::RevocationStatusUnknown);
    }
    let anchor = path.anchor();
    anchors
        .anchors
        .iter()
        .position(|candidate| {
            candidate.subject == anchor.subject
                && candidate.subject_public_key_info == anchor.subject_public_key_info
        })
        .ok_or(Error::UnknownIssuer)
}

fn map_error(err: webpki::Error) -> Error {
    use webpki::Error as W;
    let bad = |problem| Error::BadCertificate { problem };
    #[allow(deprecated)]
    match err {
        W::UnknownIssuer => Error::UnknownIssuer,
        W::CertExpired { .. } => Error::CertExpired {
            role: CertRole::Chain,
        },
        W::CertNotValidYet { .. } => Error::CertNotYetValid {
            role: CertRole::Chain,
        },
        W::CertRevoked => Error::CertRevoked,
        W::UnknownRevocationStatus => Error::RevocationStatusUnknown,
        W::CrlExpired { .. } => Error::CrlExpired,
        W::InvalidSignatureForPublicKey | W::InvalidCrlSignatureForPublicKey => {
            Error::CertSignatureInvalid
        }
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            Error::WrongKeyUsage
        }
        W::CaUsedAsEndEntity | W::EndEntityUsedAsCa => bad(CertProblem::BasicConstraints),
        W::PathLenConstraintViolated => bad(CertProblem::PathLength),
        W::MaximumPathDepthExceeded => Error::ChainTooLong {
            count: MAX_CHAIN_CERTIFICATES.saturating_add(1),
            max: MAX_CHAIN_CERTIFICATES,
        },
        W::UnsupportedCriticalExtension => bad(CertProblem::UnsupportedCriticalExtension),
        W::NameConstraintViolation | W::MalformedNameConstraint => {
            bad(CertProblem::NameConstraints)
        }
        W::InvalidSerialNumber => bad(CertProblem::Serial),
        W::MaximumSignatureChecksExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumNameConstraintComparisonsExceeded => Error::ChainTooComplex {
            max: MAX_CHAIN_SIGNATURE_CHECKS,
        },
        W::InvalidCertValidity | W::BadDerTime => bad(CertProblem::Validity),
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | W::SignatureAlgorithmMismatch => bad(CertProblem::Algorithm),
        W::BadDer
        | W::TrailingData(_)
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::UnsupportedCertVersion => bad(CertProblem::Encoding),
        W::IssuerNotCrlSigner
        | W::InvalidCrlNumber
        | W::UnsupportedCrlVersion
        | W::UnsupportedDeltaCrl
        | W::UnsupportedIndirectCrl
        | W::UnsupportedRevocationReason
        | W::UnsupportedRevocationReasonsPartitioning
        | W::UnsupportedCrlIssuingDistributionPoint
        | W::UnsupportedCrlSignatureAlgorithm
        | W::UnsupportedCrlSignatureAlgorithmContext(_)
        | W::UnsupportedCrlSignatureAlgorithmForPublicKey
        | W::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => Error::BadCrl,
        _ => bad(CertProblem::Other),
    }
}
