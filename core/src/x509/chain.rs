//! Certificate chain validation (SPEC.md 6.4 step 6): the path a binding carries, its
//! anchor, signatures and CA constraints, revocation; the one module that calls
//! rustls-webpki.
//!
//! A binding carries exactly its path, so no search is needed and none is done: every
//! verdict follows from the input and the trust material alone, in the order SPEC.md
//! gives. POCI checks the path's structure, anchor, CA constraints, signatures and
//! revocation itself; webpki then validates the same single path (name constraints, and
//! everything else again) with the signatures POCI just checked. webpki types stay inside
//! this module.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use core::time::Duration;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime, alg_id,
};
use webpki::{
    CertRevocationList, EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter,
    OwnedCertRevocationList,
};

use sha2::{Digest, Sha256};

use crate::device_key::DevicePublicKey;
use crate::error::{CertProblem, CertRole, Error, Result};
use crate::limits::{
    MAX_CHAIN_CERTIFICATES, MAX_CHAIN_SIGNATURE_CHECKS, MAX_REMEMBERED_SIGNATURES,
};
use crate::oid::DEVICE_ATTESTATION_EKU_DER;
use crate::signature::{Backend, verify_x509_signature};
use crate::trust::RootKind;
use crate::x509::ChainLevel;
use crate::x509::cert::{ECDSA_WITH_SHA384_ALG, KU_CRL_SIGN, ParsedCertificate, ParsedCrl};

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

/// What a verified signature is bound to: the key and the SHA-256 of the message,
/// length-prefixed. A CRL's digest is computed once when it is loaded, so remembering its
/// signature never costs a pass over its bytes again.
fn signed_by(public_key: &[u8], message_digest: &[u8; 32]) -> [u8; 32] {
    let len = u32::try_from(public_key.len()).unwrap_or(u32::MAX);
    Sha256::new()
        .chain_update(len.to_be_bytes())
        .chain_update(public_key)
        .chain_update(message_digest)
        .finalize()
        .into()
}

/// The signature checks of one chain validation: every check counts against
/// `MAX_CHAIN_SIGNATURE_CHECKS`, remembered or not, so the verdict never depends on what
/// the verifier saw before (SPEC.md 6.4).
struct SignatureChecks<'c> {
    check: ChainCheck<'c>,
    spent: u32,
}

impl SignatureChecks<'_> {
    /// Checks `signature` by `public_key` (SEC1) over a message whose SHA-256 is
    /// `message_digest`; `remember` says whether a valid one may be remembered.
    fn verify(
        &mut self,
        public_key: &[u8],
        message: &[u8],
        message_digest: &[u8; 32],
        signature: &[u8],
        remember: bool,
    ) -> Result<()> {
        if self.spent >= MAX_CHAIN_SIGNATURE_CHECKS {
            return Err(Error::ChainTooComplex {
                max: MAX_CHAIN_SIGNATURE_CHECKS,
            });
        }
        self.spent = self.spent.saturating_add(1);
        let bound = self.check.memo.get(signature);
        if bound.is_some_and(|bound| bound == signed_by(public_key, message_digest)) {
            return Ok(());
        }
        self.check.checks.fetch_add(1, Ordering::Relaxed);
        verify_x509_signature(self.check.backend, public_key, message, signature)
            .map_err(|_| Error::CertSignatureInvalid)?;
        if remember {
            self.check
                .memo
                .remember(signature, signed_by(public_key, message_digest));
        }
        Ok(())
    }
}

/// ECDSA P-256 with SHA-256 for webpki's pass over the path: it accepts exactly the
/// signatures POCI checked in this validation, and checks anything else itself.
#[derive(Debug)]
struct CheckedSignatures<'c> {
    backend: Backend,
    checks: &'c AtomicU64,
    /// (signature, issuer key, signed bytes) of each certificate signature of the path:
    /// compared as bytes, so webpki's pass hashes nothing again.
    valid: Vec<(&'c [u8], &'c [u8], &'c [u8])>,
    extra: AtomicU32,
}

impl SignatureVerificationAlgorithm for CheckedSignatures<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> core::result::Result<(), InvalidSignature> {
        if self.valid.iter().any(|(valid, key, signed)| {
            *valid == signature && *key == public_key && *signed == message
        }) {
            return Ok(());
        }
        // Unreachable for a path POCI checked; bounded all the same.
        if self.extra.fetch_add(1, Ordering::Relaxed) >= MAX_CHAIN_SIGNATURE_CHECKS {
            return Err(InvalidSignature);
        }
        self.checks.fetch_add(1, Ordering::Relaxed);
        verify_x509_signature(self.backend, public_key, message, signature)
            .map_err(|_| InvalidSignature)
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

/// ECDSA P-384 with SHA-384 on POCI's backends, for the vendor-format chains of evidence
/// kinds (an NVIDIA GPU's attestation chain).
#[derive(Debug)]
struct P384Signatures {
    backend: Backend,
}

impl SignatureVerificationAlgorithm for P384Signatures {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> core::result::Result<(), InvalidSignature> {
        crate::evidence::p384::verify_p384_der(self.backend, public_key, message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P384
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA384
    }
}

/// Vendor-format chains set their own extended key usages: any, or none, is accepted.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> core::result::Result<(), webpki::Error> {
        for purpose in iter {
            purpose?;
        }
        Ok(())
    }
}

/// Validates a vendor-format P-384 chain (leaf first, already bounded by the caller; a copy
/// of the root at its end is dropped) up to `root` at unix `time`, with rustls-webpki: signatures, validity, CA and
/// path-length constraints, name constraints. Revocation is the evidence kind's rule.
///
/// # Errors
/// `UNKNOWN_ISSUER`, `CERT_EXPIRED`, `CERT_NOT_YET_VALID`, `CERT_SIGNATURE_INVALID`,
/// `CHAIN_TOO_LONG`, `BAD_CERTIFICATE`, as webpki finds them.
pub(crate) fn validate_p384_chain(
    backend: Backend,
    chain: &[&[u8]],
    root: &[u8],
    crls: &[&EvidenceCrl],
    time: u64,
) -> Result<()> {
    let carried = match chain.split_last() {
        Some((last, rest)) if *last == root => rest,
        _ => chain,
    };
    let (leaf, intermediates) = carried.split_first().ok_or(Error::UnknownIssuer)?;
    let root = CertificateDer::from(root);
    let anchor = webpki::anchor_from_trusted_cert(&root).map_err(map_error)?;
    let leaf = CertificateDer::from(*leaf);
    let end_entity = EndEntityCert::try_from(&leaf).map_err(map_error)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|der| CertificateDer::from(*der))
        .collect();
    let algorithm = P384Signatures { backend };
    let algorithms: [&dyn SignatureVerificationAlgorithm; 1] = [&algorithm];
    // CRLs where supplied, for every level of the chain; a certificate no CRL speaks for
    // (NVIDIA's device-level ones name none) is not refused for it (SPEC.md 17.6).
    let list_refs: Vec<&CertRevocationList<'_>> =
        crls.iter().map(|crl| crl.list.as_ref()).collect();
    let revocation = match list_refs.as_slice() {
        [] => None,
        some => Some(
            webpki::RevocationOptionsBuilder::new(some)
                .map_err(|_| Error::BadCrl)?
                .with_depth(webpki::RevocationCheckDepth::Chain)
                .with_status_policy(webpki::UnknownStatusPolicy::Allow)
                .with_expiration_policy(webpki::ExpirationPolicy::Enforce)
                .build(),
        ),
    };
    end_entity
        .verify_for_usage(
            &algorithms,
            core::slice::from_ref(&anchor),
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(time)),
            AnyEku,
            revocation,
            None,
        )
        .map(|_| ())
        .map_err(map_error)
}

/// A CRL of a vendor-format evidence kind's CAs, read once when it is loaded (as POCI's
/// own CRLs are): chain validation then only looks its entries up.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceCrl {
    pub(crate) der: Vec<u8>,
    /// Shared, as `StoredCrl`'s: a trust store clone does not copy the revoked serials.
    list: Arc<CertRevocationList<'static>>,
    /// What judging bound chips needs (SPEC.md 18.5), when the CRL is of the profile of
    /// section 10 signed with ecdsa-with-SHA384; a CRL outside it still serves bindings.
    bound: Option<BoundCrlFields>,
}

/// A vendor-format CRL's fields as POCI reads them: its issuer, its place in the
/// preference order, and its signed bytes and signature.
#[derive(Debug, Clone)]
struct BoundCrlFields {
    issuer: Vec<u8>,
    this_update: u64,
    crl_number: Option<Vec<u8>>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl EvidenceCrl {
    /// Reads `der`.
    ///
    /// # Errors
    /// `BAD_CRL` if rustls-webpki cannot read it.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self> {
        let list = OwnedCertRevocationList::from_der(der).map_err(|_| Error::BadCrl)?;
        let bound = ParsedCrl::signed_with(der, &ECDSA_WITH_SHA384_ALG)
            .ok()
            .map(|parsed| BoundCrlFields {
                issuer: parsed.issuer.to_vec(),
                this_update: parsed.this_update,
                crl_number: parsed.crl_number.map(<[u8]>::to_vec),
                tbs: parsed.tbs.to_vec(),
                signature: parsed.signature.to_vec(),
            });
        Ok(Self {
            der: der.to_vec(),
            list: Arc::new(CertRevocationList::Owned(list)),
            bound,
        })
    }
}

/// Whether the vendor-format CRL that speaks for `level` at `time` (of `crls`, naming its
/// issuer, the latest thisUpdate at or before `time`, then the greatest cRLNumber, then the
/// smallest DER) lists `serial` and is signed by the level's P-384 issuer key. The signature
/// is checked only for a listed serial, so only revoked chips pay for it.
pub(crate) fn evidence_level_revoked<'c>(
    backend: Backend,
    crls: impl Iterator<Item = &'c EvidenceCrl>,
    level: &ChainLevel,
    serial: &[u8],
    time: u64,
) -> bool {
    let chosen = crls
        .filter_map(|crl| crl.bound.as_ref().map(|bound| (crl, bound)))
        .filter(|(_, bound)| bound.issuer == level.issuer && bound.this_update <= time)
        .max_by_key(|(crl, bound)| {
            crl_preference(bound.this_update, bound.crl_number.as_deref(), &crl.der)
        });
    let Some((crl, bound)) = chosen else {
        return false;
    };
    matches!(crl.list.find_serial(serial), Ok(Some(_)))
        && crate::evidence::p384::verify_p384_der(
            backend,
            &level.issuer_key,
            &bound.tbs,
            &bound.signature,
        )
        .is_ok()
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

impl UnknownRevocationPolicy {
    /// Every policy.
    pub const ALL: &'static [Self] = &[Self::Deny, Self::Allow];

    /// A stable lowercase name (`"deny"`, `"allow"`), as the vectors and bindings spell it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Allow => "allow",
        }
    }

    /// The policy named `name`: the one parser of policy names.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|policy| policy.name() == name)
    }
}

/// A root of the trust store, as chain validation reads it.
#[derive(Debug, Clone)]
pub(crate) struct AnchorRoot {
    /// The root certificate's DER (ties between renewals are broken on it).
    pub(crate) der: Vec<u8>,
    /// Subject Name TLV.
    pub(crate) subject: Vec<u8>,
    /// SEC1 P-256 key.
    pub(crate) key: Vec<u8>,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
    /// First keyUsage octet, if the root has the extension.
    pub(crate) key_usage: Option<u8>,
    /// Whether the root carries nameConstraints.
    has_name_constraints: bool,
    /// The vendor it belongs to.
    pub(crate) vendor_id: String,
    /// A vendor's own root or a test network's stand-in.
    pub(crate) kind: RootKind,
    anchor: TrustAnchor<'static>,
}

impl AnchorRoot {
    /// A root of `vendor_id` from its DER, read by POCI's reader first.
    pub(crate) fn new(
        vendor_id: &str,
        kind: RootKind,
        der: &[u8],
        parsed: &ParsedCertificate<'_>,
    ) -> Result<Self> {
        let key =
            DevicePublicKey::from_spki_der(parsed.spki).map_err(|_| Error::BadCertificate {
                problem: CertProblem::Algorithm,
            })?;
        let certificate = CertificateDer::from(der);
        let anchor = webpki::anchor_from_trusted_cert(&certificate)
            .map_err(map_error)?
            .to_owned();
        Ok(Self {
            der: der.to_vec(),
            subject: parsed.subject.to_vec(),
            key: key.sec1_bytes().to_vec(),
            not_before: parsed.not_before,
            not_after: parsed.not_after,
            key_usage: parsed.key_usage,
            has_name_constraints: parsed.has_name_constraints,
            vendor_id: vendor_id.to_owned(),
            kind,
            anchor,
        })
    }
}

/// A CRL of the trust material, parsed once when it is loaded.
#[derive(Debug, Clone)]
pub(crate) struct StoredCrl {
    /// The vendor whose material it is: it speaks only for that vendor's chains.
    pub(crate) vendor_id: String,
    /// Issuer Name TLV.
    pub(crate) issuer: Vec<u8>,
    this_update: u64,
    next_update: u64,
    crl_number: Option<Vec<u8>>,
    der: Vec<u8>,
    /// Where the signed TBSCertList lies in `der`.
    tbs: core::ops::Range<usize>,
    tbs_digest: [u8; 32],
    /// The DER `Ecdsa-Sig-Value`.
    signature: Vec<u8>,
    /// Keys (SEC1) of the vendor's CAs it was found signed by when loaded.
    verified_under: Vec<Vec<u8>>,
    /// The revoked serials, as webpki reads them.
    list: Arc<CertRevocationList<'static>>,
}

impl StoredCrl {
    /// The CRL's DER.
    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }

    /// Reads a CRL of `vendor_id`'s material.
    ///
    /// # Errors
    /// `MESSAGE_TOO_LARGE` beyond `MAX_CRL_LEN`; `BAD_CRL` outside SPEC.md 10's profile.
    pub(crate) fn new(vendor_id: &str, der: &[u8]) -> Result<Self> {
        let parsed = ParsedCrl::from_der(der)?;
        let list = OwnedCertRevocationList::from_der(der).map_err(|_| Error::BadCrl)?;
        // The TBSCertList is the first element of the outer SEQUENCE, right after its
        // (DER, so short or 81..83) length octets.
        let header = match der.get(1) {
            Some(len) if *len >= 0x80 => usize::from(len & 0x7f).saturating_add(2),
            _ => 2,
        };
        let tbs = header..header.saturating_add(parsed.tbs.len());
        if der.get(tbs.clone()) != Some(parsed.tbs) {
            return Err(Error::BadCrl);
        }
        Ok(Self {
            vendor_id: vendor_id.to_owned(),
            issuer: parsed.issuer.to_vec(),
            this_update: parsed.this_update,
            next_update: parsed.next_update,
            crl_number: parsed.crl_number.map(<[u8]>::to_vec),
            der: der.to_vec(),
            tbs,
            tbs_digest: Sha256::digest(parsed.tbs).into(),
            signature: parsed.signature.to_vec(),
            verified_under: Vec::new(),
            list: Arc::new(CertRevocationList::Owned(list)),
        })
    }

    /// Checks the signature under `key` (SEC1) of a CA of the same vendor and name, once,
    /// when trust material is loaded; records the key if it verifies.
    pub(crate) fn check_signer(&mut self, key: &[u8]) {
        if self.verified_under.iter().any(|known| known == key) {
            return;
        }
        let Some(tbs) = self.der.get(self.tbs.clone()) else {
            return;
        };
        if verify_x509_signature(Backend::default(), key, tbs, &self.signature).is_ok() {
            self.verified_under.push(key.to_vec());
        }
    }

    /// Whether it was found signed by `key` (SEC1) when loaded.
    pub(crate) fn was_verified_under(&self, key: &[u8]) -> bool {
        self.verified_under.iter().any(|known| known == key)
    }

    /// Whether it lists `serial` (content octets); a list that cannot be read lists nothing
    /// (it was read whole when loaded).
    pub(crate) fn lists(&self, serial: &[u8]) -> bool {
        matches!(self.list.find_serial(serial), Ok(Some(_)))
    }

    /// The order in which CRLs of one issuer are preferred: the latest thisUpdate, then
    /// the greatest cRLNumber (absent below any), then the smallest DER.
    fn preference(&self) -> CrlPreference<'_> {
        crl_preference(self.this_update, self.crl_number.as_deref(), &self.der)
    }
}

/// Where a CRL stands in the order CRLs of one issuer are preferred (SPEC.md 6.4 step 6f),
/// the greatest first.
type CrlPreference<'a> = (u64, usize, &'a [u8], core::cmp::Reverse<&'a [u8]>);

/// The one preference rule of CRLs, POCI's and vendor-format evidence's: the latest
/// thisUpdate, then the greatest cRLNumber (absent below any), then the smallest DER.
fn crl_preference<'a>(
    this_update: u64,
    crl_number: Option<&'a [u8]>,
    der: &'a [u8],
) -> CrlPreference<'a> {
    let number = crl_number.unwrap_or(&[]);
    // Minimal positive INTEGERs: longer is greater, then bytewise.
    (this_update, number.len(), number, core::cmp::Reverse(der))
}

/// The certificate chain of a binding, read by POCI's reader (device first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CarriedChain<'c, 'a> {
    /// Each carried certificate's DER.
    pub(crate) ders: &'c [&'a [u8]],
    /// The same certificates, read.
    pub(crate) parsed: &'c [ParsedCertificate<'a>],
}

/// How a chain is checked: the backend, the verifier's signature counter and memo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainCheck<'c> {
    pub(crate) backend: Backend,
    pub(crate) checks: &'c AtomicU64,
    pub(crate) memo: &'c SignatureMemo,
}

/// Validates the carried chain against `roots` and `crls` at `time` (unix seconds), in
/// the order of SPEC.md 6.4 step 6; returns the index of the anchoring root.
pub(crate) fn validate_chain(
    check: ChainCheck<'_>,
    roots: &[AnchorRoot],
    crls: &[StoredCrl],
    revocation: UnknownRevocationPolicy,
    chain: CarriedChain<'_, '_>,
    time: u64,
) -> Result<usize> {
    let path = chain.parsed;
    let (last, _) = path.split_last().ok_or(Error::UnknownIssuer)?;
    // 6a. The carried certificates are exactly the path, and name one root.
    for (index, certificate) in path.iter().enumerate() {
        if let Some(next) = path.get(index.saturating_add(1)) {
            if certificate.issuer != next.subject {
                return Err(Error::ChainNotAPath);
            }
        }
        let named_again = path
            .iter()
            .skip(index.saturating_add(1))
            .any(|other| other.subject == certificate.subject);
        let named_like_a_root = roots.iter().any(|root| root.subject == certificate.subject);
        if named_again || named_like_a_root {
            return Err(Error::ChainNotAPath);
        }
    }
    // 6b. The anchor: the root named by the last issuer, valid at `time`.
    let root_index = choose_root(roots, last.issuer, time)?;
    let root = roots.get(root_index).ok_or(Error::UnknownIssuer)?;

    // 6c. Name constraints are not part of the profile: a chain through a root or a CA
    // that carries them is refused whole (fail closed; POCI names nothing they could permit).
    if root.has_name_constraints {
        return Err(Error::BadCertificate {
            problem: CertProblem::NameConstraints,
        });
    }
    // Each carried CA: basic constraints, path length, name constraints, EKU.
    for (below, ca) in path.iter().skip(1).enumerate() {
        if !ca.is_ca {
            return Err(Error::BadCertificate {
                problem: CertProblem::BasicConstraints,
            });
        }
        // `below` CA certificates lie between this one and the device.
        if ca
            .path_len
            .is_some_and(|limit| u64::try_from(below).unwrap_or(u64::MAX) > limit)
        {
            return Err(Error::BadCertificate {
                problem: CertProblem::PathLength,
            });
        }
        if ca.has_name_constraints {
            return Err(Error::BadCertificate {
                problem: CertProblem::NameConstraints,
            });
        }
        if ca
            .ext_key_usage
            .as_ref()
            .is_some_and(|oids| !oids.contains(&DEVICE_ATTESTATION_EKU_DER.as_slice()))
        {
            return Err(Error::WrongKeyUsage);
        }
    }

    // 6d. Signatures, from the device up to the root.
    let mut keys: Vec<Vec<u8>> = Vec::with_capacity(path.len());
    for certificate in path.iter().skip(1) {
        let key = DevicePublicKey::from_spki_der(certificate.spki).map_err(|_| {
            Error::BadCertificate {
                problem: CertProblem::Algorithm,
            }
        })?;
        keys.push(key.sec1_bytes().to_vec());
    }
    keys.push(root.key.clone());
    let mut signatures = SignatureChecks { check, spent: 0 };
    let mut valid = Vec::with_capacity(path.len());
    for (index, (certificate, issuer_key)) in path.iter().zip(&keys).enumerate() {
        let digest: [u8; 32] = Sha256::digest(certificate.tbs).into();
        // The device certificate's signature is checked once per chip: never remembered.
        signatures.verify(
            issuer_key,
            certificate.tbs,
            &digest,
            certificate.signature,
            index != 0,
        )?;
        valid.push((
            certificate.signature,
            issuer_key.as_slice(),
            certificate.tbs,
        ));
    }

    // 6e. webpki over the same single path, as a second opinion: for a path that passed
    // the checks above it finds nothing more to refuse.
    let algorithm = CheckedSignatures {
        backend: check.backend,
        checks: check.checks,
        valid,
        extra: AtomicU32::new(0),
    };
    let algorithms: [&dyn SignatureVerificationAlgorithm; 1] = [&algorithm];
    let (device_der, intermediate_ders) = chain.ders.split_first().ok_or(Error::UnknownIssuer)?;
    let device = CertificateDer::from(*device_der);
    let end_entity = EndEntityCert::try_from(&device).map_err(map_error)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediate_ders
        .iter()
        .map(|der| CertificateDer::from(*der))
        .collect();
    end_entity
        .verify_for_usage(
            &algorithms,
            core::slice::from_ref(&root.anchor),
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(time)),
            DeviceAttestationEku,
            None,
            None,
        )
        .map_err(map_error)?;

    // 6f. Revocation of each carried certificate by its issuer's CRL, device first.
    for (index, (certificate, issuer_key)) in path.iter().zip(&keys).enumerate() {
        let issuer_key_usage = match path.get(index.saturating_add(1)) {
            Some(issuer) => issuer.key_usage,
            None => root.key_usage,
        };
        check_revocation(
            &mut signatures,
            crls,
            &root.vendor_id,
            certificate,
            issuer_key,
            issuer_key_usage,
            revocation,
            time,
        )?;
    }
    Ok(root_index)
}

/// The root named `issuer`: of the trust store's roots with that subject (one key, one
/// vendor: SPEC.md 11), those valid at `time`, the latest notBefore first, then the latest
/// notAfter, then the smallest DER.
fn choose_root(roots: &[AnchorRoot], issuer: &[u8], time: u64) -> Result<usize> {
    let mut named = roots
        .iter()
        .enumerate()
        .filter(|(_, root)| root.subject == issuer)
        .peekable();
    if named.peek().is_none() {
        return Err(Error::UnknownIssuer);
    }
    let mut expired = false;
    let mut best: Option<(usize, &AnchorRoot)> = None;
    for (index, root) in named {
        if time > root.not_after {
            expired = true;
            continue;
        }
        if time < root.not_before {
            continue;
        }
        let better = best.is_none_or(|(_, chosen)| {
            (
                root.not_before,
                root.not_after,
                core::cmp::Reverse(&root.der),
            ) > (
                chosen.not_before,
                chosen.not_after,
                core::cmp::Reverse(&chosen.der),
            )
        });
        if better {
            best = Some((index, root));
        }
    }
    match best {
        Some((index, _)) => Ok(index),
        None if expired => Err(Error::CertExpired {
            role: CertRole::Root,
        }),
        None => Err(Error::CertNotYetValid {
            role: CertRole::Root,
        }),
    }
}

/// Of `vendor_id`'s CRLs naming `issuer` with thisUpdate at or before `time` and passing
/// `admit`, the preferred one (latest thisUpdate, then greatest cRLNumber, then smallest DER).
pub(crate) fn preferred_crl<'c>(
    crls: &'c [StoredCrl],
    vendor_id: &str,
    issuer: &[u8],
    time: u64,
    admit: impl Fn(&StoredCrl) -> bool,
) -> Option<&'c StoredCrl> {
    crls.iter()
        .filter(|crl| {
            crl.vendor_id == vendor_id
                && crl.issuer == issuer
                && crl.this_update <= time
                && admit(crl)
        })
        .max_by(|a, b| a.preference().cmp(&b.preference()))
}

/// Whether the CRL that speaks for `level` at `time` (6.4 step 6f's choice among
/// `vendor_id`'s CRLs for its issuer) lists `serial` and is signed by the issuer's key.
pub(crate) fn level_revoked(
    check: ChainCheck<'_>,
    crls: &[StoredCrl],
    vendor_id: &str,
    level: &ChainLevel,
    serial: &[u8],
    time: u64,
) -> bool {
    let Some(crl) = preferred_crl(crls, vendor_id, &level.issuer, time, |_| true) else {
        return false;
    };
    if !crl.lists(serial) {
        return false;
    }
    if crl.was_verified_under(&level.issuer_key) {
        return true;
    }
    let Some(tbs) = crl.der.get(crl.tbs.clone()) else {
        return false;
    };
    let mut signatures = SignatureChecks { check, spent: 0 };
    signatures
        .verify(
            &level.issuer_key,
            tbs,
            &crl.tbs_digest,
            &crl.signature,
            true,
        )
        .is_ok()
}

/// The CRL that speaks for `certificate` (SPEC.md 6.4 step 6e): of the anchoring vendor's
/// CRLs naming its issuer, with thisUpdate at or before `time`, the preferred one. It must
/// be signed by the issuer's key, by a CA allowed to sign CRLs, and current at `time`.
#[allow(clippy::too_many_arguments)]
fn check_revocation(
    signatures: &mut SignatureChecks<'_>,
    crls: &[StoredCrl],
    vendor_id: &str,
    certificate: &ParsedCertificate<'_>,
    issuer_key: &[u8],
    issuer_key_usage: Option<u8>,
    policy: UnknownRevocationPolicy,
    time: u64,
) -> Result<()> {
    let chosen = preferred_crl(crls, vendor_id, certificate.issuer, time, |_| true);
    let Some(crl) = chosen else {
        return match policy {
            UnknownRevocationPolicy::Deny => Err(Error::RevocationStatusUnknown),
            UnknownRevocationPolicy::Allow => Ok(()),
        };
    };
    if issuer_key_usage.is_some_and(|bits| bits & KU_CRL_SIGN == 0) {
        return Err(Error::BadCrl);
    }
    if crl.verified_under.iter().any(|key| key == issuer_key) {
        // Checked when the trust material was loaded: counted, not computed again.
        signatures.spent = signatures.spent.saturating_add(1);
    } else {
        let tbs = crl.der.get(crl.tbs.clone()).ok_or(Error::BadCrl)?;
        signatures.verify(issuer_key, tbs, &crl.tbs_digest, &crl.signature, true)?;
    }
    if time >= crl.next_update {
        return Err(Error::CrlExpired);
    }
    match crl.list.find_serial(certificate.serial) {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err(Error::CertRevoked),
        Err(_) => Err(Error::BadCrl),
    }
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
