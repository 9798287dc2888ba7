//! Trust material: the chip-model registry (vendors and models), vendor roots and CRLs.
//!
//! Core reads no files: callers (the CLI, the bindings) list vendor-roots/ folders and
//! hand their files over as bytes to one loader (`vendor_roots.rs`).

use sha2::{Digest, Sha256};

use crate::der::{boolean, tag, tlv};
use crate::device_key::DevicePublicKey;
use crate::error::{CertProblem, Error, ManifestLocation, ManifestProblem, Result};
use crate::evidence::EvidenceKind;
use crate::evidence::nvidia_certificate::NvidiaCertificate;
use crate::limits::MAX_CERTIFICATE_LEN;
use crate::manifest::VendorManifest;
use crate::registry::ChipModelRegistry;
use crate::x509::UnknownRevocationPolicy;
use crate::x509::cert::ParsedCertificate;
use crate::x509::chain::{AnchorRoot, EvidenceCrl, StoredCrl};

/// How strict a trust store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TrustPolicy {
    /// Honour test vendors and test roots. Off in production.
    pub allow_test_vendors: bool,
    /// What to do when no CRL speaks for a certificate of a chain.
    pub unknown_revocation: UnknownRevocationPolicy,
}

/// Where a root comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RootKind {
    /// The vendor's own root, honoured per the vendor's manifest.
    Vendor,
    /// A generated root standing in for a vendor on a test network (vendor-roots/testnet/):
    /// treated as a test vendor's, refused unless the policy allows test vendors.
    Test,
}

/// The chip-model registry, vendor roots and CRLs a verifier judges chains against.
///
/// Whatever order material is added in, the same material gives the same store and the
/// same verdicts (SPEC.md 11): a root's subject names one key of one vendor, and a CRL
/// speaks only for chains of the vendor whose material it is.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    policy: TrustPolicy,
    registry: ChipModelRegistry,
    roots: Vec<AnchorRoot>,
    /// CA certificates vendors publish, as (vendor, subject Name TLV, SEC1 key): they serve
    /// to check the signatures of the CRLs they issue once, when material is added.
    published: Vec<(String, Vec<u8>, Vec<u8>)>,
    crls: Vec<StoredCrl>,
    /// Roots of vendor-format evidence kinds: anchors for chains POCI's own profile does
    /// not cover (an NVIDIA GPU's P-384 chain).
    evidence_roots: Vec<EvidenceRoot>,
    /// CRLs of those kinds' CAs, as (vendor, kind, CRL), in (vendor, kind, DER) order.
    evidence_crls: Vec<(String, EvidenceKind, EvidenceCrl)>,
}

/// A root of a vendor-format evidence kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EvidenceRoot {
    pub(crate) vendor_id: String,
    pub(crate) kind: EvidenceKind,
    /// The vendor's own root, or a test network's stand-in.
    pub(crate) root_kind: RootKind,
    /// Subject Name TLV.
    pub(crate) subject: Vec<u8>,
    /// The uncompressed SEC1 P-384 key, read once at load (bound chips' top issuer key).
    pub(crate) key: Vec<u8>,
    pub(crate) der: Vec<u8>,
}

fn trust_error(problem: ManifestProblem, vendor_id: &str, field: &str) -> Error {
    Error::ManifestInvalid {
        problem,
        location: Box::new(ManifestLocation {
            file: vendor_id.to_owned(),
            model: None,
            field: Some(field.to_owned()),
        }),
    }
}

/// One certificate or CRL given as DER or as a single PEM block.
fn der_of<'a>(
    input: &'a [u8],
    owned: &'a mut Vec<u8>,
    label: &str,
    vendor_id: &str,
) -> Result<&'a [u8]> {
    if !input.starts_with(b"-----BEGIN ") {
        return Ok(input);
    }
    let field = if label == "CERTIFICATE" {
        "roots"
    } else {
        "crls"
    };
    let (found, der) = pem_rfc7468::decode_vec(input)
        .map_err(|_| trust_error(ManifestProblem::Pem, vendor_id, field))?;
    if found != label {
        return Err(trust_error(ManifestProblem::Pem, vendor_id, field));
    }
    *owned = der;
    Ok(owned.as_slice())
}

/// Checks each CRL's signature under the known CAs of its own vendor that carry its
/// issuer's name (roots and published intermediates), recording the keys that verify it.
fn check_crl_signers(
    crls: &mut [StoredCrl],
    roots: &[AnchorRoot],
    published: &[(String, Vec<u8>, Vec<u8>)],
) {
    let signers =
        roots
            .iter()
            .map(|root| {
                (
                    root.vendor_id.as_str(),
                    root.subject.as_slice(),
                    root.key.as_slice(),
                )
            })
            .chain(published.iter().map(|(vendor, subject, key)| {
                (vendor.as_str(), subject.as_slice(), key.as_slice())
            }));
    let signers: Vec<(&str, &[u8], &[u8])> = signers.collect();
    for crl in crls {
        for (vendor, subject, key) in &signers {
            if *vendor == crl.vendor_id && *subject == crl.issuer.as_slice() {
                crl.check_signer(key);
            }
        }
    }
}

impl TrustStore {
    /// A trust store over `registry`, with no roots yet.
    #[must_use]
    pub fn new(registry: ChipModelRegistry, policy: TrustPolicy) -> Self {
        Self {
            policy,
            registry,
            ..Self::default()
        }
    }

    fn known_vendor(&self, vendor_id: &str) -> Result<()> {
        if self.registry.vendor(vendor_id).is_none() {
            return Err(trust_error(
                ManifestProblem::UnknownVendor,
                vendor_id,
                "vendor_id",
            ));
        }
        Ok(())
    }

    /// Adds root certificates of a registry vendor and the CRLs of its CAs (each DER or
    /// one PEM block). All or nothing: on error the store is unchanged.
    ///
    /// A root whose subject is already a root's must have the same key, vendor and kind
    /// (a renewal); the same certificate twice is kept once.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, no roots, a root that is not a
    /// self-issued CA, bad PEM, or a root named like another vendor's or another key's;
    /// `BAD_CERTIFICATE` for a root that does not parse or has no P-256 key; `BAD_CRL` or
    /// `MESSAGE_TOO_LARGE` for a CRL outside the profile.
    pub fn add_roots(
        &mut self,
        vendor_id: &str,
        kind: RootKind,
        roots: &[&[u8]],
        crls: &[&[u8]],
    ) -> Result<()> {
        self.known_vendor(vendor_id)?;
        if roots.is_empty() {
            return Err(trust_error(ManifestProblem::Roots, vendor_id, "roots"));
        }
        // Build into copies, then commit: no partial state change on error.
        let mut all_roots = self.roots.clone();
        for root in roots {
            let mut owned = Vec::new();
            let der = der_of(root, &mut owned, "CERTIFICATE", vendor_id)?;
            if der.len() > MAX_CERTIFICATE_LEN {
                return Err(trust_error(ManifestProblem::Roots, vendor_id, "roots"));
            }
            let parsed = ParsedCertificate::from_der(der)?;
            if !parsed.is_ca || parsed.issuer != parsed.subject {
                return Err(trust_error(ManifestProblem::Roots, vendor_id, "roots"));
            }
            let anchor = AnchorRoot::new(vendor_id, kind, der, &parsed)?;
            let mut duplicate = false;
            for known in all_roots
                .iter()
                .filter(|known| known.subject == anchor.subject)
            {
                if known.key != anchor.key
                    || known.vendor_id != anchor.vendor_id
                    || known.kind != kind
                {
                    return Err(trust_error(
                        ManifestProblem::AmbiguousRoot,
                        vendor_id,
                        "roots",
                    ));
                }
                duplicate |= known.der == anchor.der;
            }
            if !duplicate {
                all_roots.push(anchor);
            }
        }
        let mut all_crls = self.crls.clone();
        for crl in crls {
            let mut owned = Vec::new();
            let der = der_of(crl, &mut owned, "X509 CRL", vendor_id)?;
            all_crls.push(StoredCrl::new(vendor_id, der)?);
        }
        check_crl_signers(&mut all_crls, &all_roots, &self.published);
        self.roots = all_roots;
        self.crls = all_crls;
        Ok(())
    }

    /// Adds the intermediate CAs a vendor publishes (DER or one PEM block each). Chains still
    /// carry and validate their own intermediates: these serve only to check the signatures
    /// of the CRLs they issue once, here, instead of on every chain.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, bad PEM or a certificate that is
    /// not a CA; `BAD_CERTIFICATE` for one that does not parse or has no P-256 key. On
    /// error the store is unchanged.
    pub fn add_intermediates(&mut self, vendor_id: &str, intermediates: &[&[u8]]) -> Result<()> {
        self.known_vendor(vendor_id)?;
        let mut published = self.published.clone();
        for intermediate in intermediates {
            let mut owned = Vec::new();
            let der = der_of(intermediate, &mut owned, "CERTIFICATE", vendor_id)?;
            if der.len() > MAX_CERTIFICATE_LEN {
                return Err(trust_error(
                    ManifestProblem::Roots,
                    vendor_id,
                    "intermediates",
                ));
            }
            let parsed = ParsedCertificate::from_der(der)?;
            if !parsed.is_ca {
                return Err(trust_error(
                    ManifestProblem::Roots,
                    vendor_id,
                    "intermediates",
                ));
            }
            let key =
                DevicePublicKey::from_spki_der(parsed.spki).map_err(|_| Error::BadCertificate {
                    problem: CertProblem::Algorithm,
                })?;
            published.push((
                vendor_id.to_owned(),
                parsed.subject.to_vec(),
                key.sec1_bytes().to_vec(),
            ));
        }
        let mut crls = self.crls.clone();
        check_crl_signers(&mut crls, &self.roots, &published);
        self.crls = crls;
        self.published = published;
        Ok(())
    }

    /// Adds roots of a vendor for a vendor-format evidence kind (DER or one PEM block
    /// each): for [`EvidenceKind::NvidiaSpdm`], self-issued P-384 CA certificates. The same
    /// certificate twice is kept once. All or nothing.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, the `poci` kind (its roots are
    /// [`TrustStore::add_roots`]'), no roots, bad PEM or a root that is not self-issued;
    /// `BAD_CERTIFICATE` for one that does not read as a P-384 certificate.
    pub fn add_evidence_roots(
        &mut self,
        vendor_id: &str,
        kind: EvidenceKind,
        root_kind: RootKind,
        roots: &[&[u8]],
    ) -> Result<()> {
        self.known_vendor(vendor_id)?;
        if kind == EvidenceKind::Poci || roots.is_empty() {
            return Err(trust_error(ManifestProblem::Roots, vendor_id, "evidence"));
        }
        let mut all = self.evidence_roots.clone();
        for root in roots {
            let mut owned = Vec::new();
            let der = der_of(root, &mut owned, "CERTIFICATE", vendor_id)?;
            if der.len() > MAX_CERTIFICATE_LEN {
                return Err(trust_error(ManifestProblem::Roots, vendor_id, "evidence"));
            }
            let parsed = NvidiaCertificate::from_der(der)?;
            if parsed.subject != parsed.issuer {
                return Err(trust_error(ManifestProblem::Roots, vendor_id, "evidence"));
            }
            let entry = EvidenceRoot {
                vendor_id: vendor_id.to_owned(),
                kind,
                root_kind,
                subject: parsed.subject.to_vec(),
                key: parsed.public_key.to_vec(),
                der: der.to_vec(),
            };
            // A name is one vendor's, of one root kind (SPEC.md 11), as for POCI roots.
            if all.iter().any(|known| {
                known.subject == entry.subject
                    && (known.vendor_id != entry.vendor_id || known.root_kind != root_kind)
            }) {
                return Err(trust_error(
                    ManifestProblem::AmbiguousRoot,
                    vendor_id,
                    "evidence",
                ));
            }
            if !all.contains(&entry) {
                all.push(entry);
            }
        }
        // One order whatever order roots were added in: the verdict never depends on it.
        all.sort_by(|a, b| a.der.cmp(&b.der));
        self.evidence_roots = all;
        Ok(())
    }

    /// Adds CRLs issued by CAs of a vendor's chains of a vendor-format evidence kind (DER
    /// or one PEM block each). They are read when added (`BAD_CRL`) and, when a chain of
    /// that kind and vendor is validated, speak for the certificates their issuers issued
    /// (SPEC.md 17.6). The same CRL twice is kept once. All or nothing.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, the `poci` kind, no CRLs, bad
    /// PEM, or a vendor without roots of that kind; `MESSAGE_TOO_LARGE` over
    /// `MAX_CRL_LEN`; `BAD_CRL` for one that does not read.
    pub fn add_evidence_crls(
        &mut self,
        vendor_id: &str,
        kind: EvidenceKind,
        crls: &[&[u8]],
    ) -> Result<()> {
        self.known_vendor(vendor_id)?;
        let has_roots = self
            .evidence_roots
            .iter()
            .any(|root| root.vendor_id == vendor_id && root.kind == kind);
        if kind == EvidenceKind::Poci || crls.is_empty() || !has_roots {
            return Err(trust_error(ManifestProblem::Roots, vendor_id, "evidence"));
        }
        let mut all = self.evidence_crls.clone();
        for crl in crls {
            let mut owned = Vec::new();
            let der = der_of(crl, &mut owned, "X509 CRL", vendor_id)?;
            if der.len() > crate::limits::MAX_CRL_LEN {
                return Err(Error::MessageTooLarge {
                    kind: crate::error::MessageKind::Crl,
                    len: der.len(),
                    max: crate::limits::MAX_CRL_LEN,
                });
            }
            let known = all.iter().any(|(vendor, of_kind, crl)| {
                vendor == vendor_id && *of_kind == kind && crl.der == der
            });
            if !known {
                all.push((vendor_id.to_owned(), kind, EvidenceCrl::from_der(der)?));
            }
        }
        all.sort_by(|a, b| (&a.0, a.1, &a.2.der).cmp(&(&b.0, b.1, &b.2.der)));
        self.evidence_crls = all;
        Ok(())
    }

    /// The CRLs of `kind` for chains anchored at `vendor_id`'s roots.
    pub(crate) fn evidence_crls_of<'s>(
        &'s self,
        kind: EvidenceKind,
        vendor_id: &'s str,
    ) -> impl Iterator<Item = &'s EvidenceCrl> + 's {
        self.evidence_crls
            .iter()
            .filter(move |(vendor, of_kind, _)| vendor == vendor_id && *of_kind == kind)
            .map(|(_, _, crl)| crl)
    }

    /// The roots of `kind` named `subject`, in ascending DER order.
    pub(crate) fn evidence_roots_named<'s>(
        &'s self,
        kind: EvidenceKind,
        subject: &'s [u8],
    ) -> impl Iterator<Item = &'s EvidenceRoot> + 's {
        self.evidence_roots
            .iter()
            .filter(move |root| root.kind == kind && root.subject.as_slice() == subject)
    }

    /// Whether a root for evidence of `kind` has Subject Name `subject`.
    pub(crate) fn has_root(&self, kind: EvidenceKind, subject: &[u8]) -> bool {
        match kind {
            EvidenceKind::Poci => self.roots.iter().any(|root| root.subject == subject),
            _ => self.evidence_roots_named(kind, subject).next().is_some(),
        }
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &TrustPolicy {
        &self.policy
    }

    /// The chip-model registry.
    #[must_use]
    pub const fn registry(&self) -> &ChipModelRegistry {
        &self.registry
    }

    /// The manifest of a vendor.
    #[must_use]
    pub fn vendor(&self, vendor_id: &str) -> Option<&VendorManifest> {
        self.registry.vendor(vendor_id)
    }

    /// SHA-256 of the store's contents in their canonical encoding (SPEC.md 11, "Trust
    /// store digest"): the registry digest, the policy, and the roots, published
    /// intermediates and CRLs of each vendor as sets. Two stores with the same digest
    /// hold the same material under the same policy, whatever order or loader built them.
    ///
    /// # Errors
    /// Only if a value exceeds DER length limits (not possible within the load limits).
    pub fn digest(&self) -> Result<[u8; 32]> {
        let mut roots = self
            .roots
            .iter()
            .map(|root| {
                let kind = match root.kind {
                    RootKind::Vendor => "vendor",
                    RootKind::Test => "test",
                };
                let entry = [
                    tlv(tag::UTF8_STRING, root.vendor_id.as_bytes())?,
                    tlv(tag::UTF8_STRING, kind.as_bytes())?,
                    tlv(tag::OCTET_STRING, &root.der)?,
                ];
                tlv(tag::SEQUENCE, &entry.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        let mut published = self
            .published
            .iter()
            .map(|(vendor_id, subject, key)| {
                let entry = [
                    tlv(tag::UTF8_STRING, vendor_id.as_bytes())?,
                    tlv(tag::OCTET_STRING, subject)?,
                    tlv(tag::OCTET_STRING, key)?,
                ];
                tlv(tag::SEQUENCE, &entry.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        let mut crls = self
            .crls
            .iter()
            .map(|crl| {
                let entry = [
                    tlv(tag::UTF8_STRING, crl.vendor_id.as_bytes())?,
                    tlv(tag::OCTET_STRING, crl.der())?,
                ];
                tlv(tag::SEQUENCE, &entry.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        let mut evidence_roots = self
            .evidence_roots
            .iter()
            .map(|root| {
                let root_kind = match root.root_kind {
                    RootKind::Vendor => "vendor",
                    RootKind::Test => "test",
                };
                let entry = [
                    tlv(tag::UTF8_STRING, root.vendor_id.as_bytes())?,
                    tlv(tag::UTF8_STRING, root.kind.name().as_bytes())?,
                    tlv(tag::UTF8_STRING, root_kind.as_bytes())?,
                    tlv(tag::OCTET_STRING, &root.der)?,
                ];
                tlv(tag::SEQUENCE, &entry.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        let mut evidence_crls = self
            .evidence_crls
            .iter()
            .map(|(vendor_id, kind, crl)| {
                let entry = [
                    tlv(tag::UTF8_STRING, vendor_id.as_bytes())?,
                    tlv(tag::UTF8_STRING, kind.name().as_bytes())?,
                    tlv(tag::OCTET_STRING, &crl.der)?,
                ];
                tlv(tag::SEQUENCE, &entry.concat())
            })
            .collect::<Result<Vec<_>>>()?;
        let set = |entries: &mut Vec<Vec<u8>>| {
            entries.sort();
            entries.dedup();
            tlv(tag::SEQUENCE, &entries.concat())
        };
        // Absent when empty, so stores without evidence CRLs keep their digest.
        let evidence_crls = if evidence_crls.is_empty() {
            Vec::new()
        } else {
            evidence_crls.sort();
            tlv(0xa0, &evidence_crls.concat())?
        };
        let body = [
            tlv(tag::INTEGER, &[1])?,
            tlv(tag::OCTET_STRING, &self.registry.digest()?)?,
            boolean(self.policy.allow_test_vendors)?,
            tlv(
                tag::UTF8_STRING,
                self.policy.unknown_revocation.name().as_bytes(),
            )?,
            set(&mut roots)?,
            set(&mut published)?,
            set(&mut crls)?,
            set(&mut evidence_roots)?,
            evidence_crls,
        ];
        Ok(Sha256::digest(tlv(tag::SEQUENCE, &body.concat())?).into())
    }

    /// Number of roots.
    #[must_use]
    pub fn root_count(&self) -> usize {
        self.roots.len()
    }

    /// The roots, as chain validation reads them.
    pub(crate) fn roots(&self) -> &[AnchorRoot] {
        &self.roots
    }

    /// The CRLs.
    pub(crate) fn crls(&self) -> &[StoredCrl] {
        &self.crls
    }

    pub(crate) fn root(&self, index: usize) -> Option<&AnchorRoot> {
        self.roots.get(index)
    }
}
