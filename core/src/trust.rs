//! Trust material: the chip-model registry (vendors and models), vendor roots and CRLs.
//!
//! Core reads no files: callers (the CLI, the bindings) load vendor-roots/ folders and
//! hand their contents over as bytes.

use crate::device_key::DevicePublicKey;
use crate::error::{Error, ManifestLocation, ManifestProblem, Result};
use crate::limits::MAX_CERTIFICATE_LEN;
use crate::manifest::VendorManifest;
use crate::registry::ChipModelRegistry;
use crate::signature::{Backend, verify_x509_signature};
use crate::x509::UnknownRevocationPolicy;
use crate::x509::cert::{ParsedCertificate, ParsedCrl};
use crate::x509::chain::ChainAnchors;

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

/// A vendor root as the trust store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VendorRoot {
    pub(crate) vendor_id: String,
    pub(crate) kind: RootKind,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
}

/// The chip-model registry, vendor roots and CRLs a verifier judges chains against.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    policy: TrustPolicy,
    registry: ChipModelRegistry,
    anchors: ChainAnchors,
    /// Roots in the order of `anchors`.
    roots: Vec<VendorRoot>,
    /// Known CA certificates (roots, vendors' published intermediates) as (subject Name TLV,
    /// SEC1 key): the possible signers of CRLs.
    crl_signers: Vec<(Vec<u8>, Vec<u8>)>,
    /// Every CRL added (DER), to check against signers added later.
    crls: Vec<Vec<u8>>,
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

/// A CA's subject and P-256 key, if it has one.
fn crl_signer(certificate: &ParsedCertificate<'_>) -> Option<(Vec<u8>, Vec<u8>)> {
    let key = DevicePublicKey::from_spki_der(certificate.spki).ok()?;
    Some((certificate.subject.to_vec(), key.sec1_bytes().to_vec()))
}

/// Checks each CRL's signature under every known CA named as its issuer and records the
/// valid ones. A CRL that no known key verifies is left to the chain check, which refuses it.
fn verify_crls(anchors: &mut ChainAnchors, signers: &[(Vec<u8>, Vec<u8>)], crls: &[Vec<u8>]) {
    for der in crls {
        let Ok(crl) = ParsedCrl::from_der(der) else {
            continue;
        };
        if anchors.is_verified(crl.signature) {
            continue;
        }
        for (subject, key) in signers {
            if subject.as_slice() == crl.issuer
                && verify_x509_signature(Backend::default(), key, crl.tbs, crl.signature).is_ok()
            {
                anchors.add_verified_signature(key, crl.tbs, crl.signature);
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

    /// Adds root certificates of a registry vendor and the CRLs of its CAs (each DER or
    /// one PEM block). All or nothing: on error the store is unchanged.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, no roots, a root that is not a
    /// self-issued CA or bad PEM; `BAD_CERTIFICATE` for a root that does not parse;
    /// `BAD_CRL` for a CRL that does not parse.
    pub fn add_roots(
        &mut self,
        vendor_id: &str,
        kind: RootKind,
        roots: &[&[u8]],
        crls: &[&[u8]],
    ) -> Result<()> {
        if self.registry.vendor(vendor_id).is_none() {
            return Err(trust_error(
                ManifestProblem::UnknownVendor,
                vendor_id,
                "vendor_id",
            ));
        }
        if roots.is_empty() {
            return Err(trust_error(ManifestProblem::Roots, vendor_id, "roots"));
        }
        // Build into copies, then commit: no partial state change on error.
        let mut anchors = self.anchors.clone();
        let mut signers = self.crl_signers.clone();
        let mut all_crls = self.crls.clone();
        let mut new_roots = Vec::new();
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
            anchors.add_root(der)?;
            signers.extend(crl_signer(&parsed));
            new_roots.push(VendorRoot {
                vendor_id: vendor_id.to_owned(),
                kind,
                not_before: parsed.not_before,
                not_after: parsed.not_after,
            });
        }
        for crl in crls {
            let mut owned = Vec::new();
            let der = der_of(crl, &mut owned, "X509 CRL", vendor_id)?;
            // POCI's own reader first: it bounds the size before webpki reads the list.
            ParsedCrl::from_der(der)?;
            anchors.add_crl(der)?;
            all_crls.push(der.to_vec());
        }
        verify_crls(&mut anchors, &signers, &all_crls);
        self.anchors = anchors;
        self.roots.extend(new_roots);
        self.crl_signers = signers;
        self.crls = all_crls;
        Ok(())
    }

    /// Adds the intermediate CAs a vendor publishes (DER or one PEM block each). Chains still
    /// carry and validate their own intermediates: these serve only to check the signatures
    /// of the CRLs they issue once, here, instead of on every chain.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a vendor not in the registry, bad PEM or a certificate that is
    /// not a CA; `BAD_CERTIFICATE` for one that does not parse. On error the store is unchanged.
    pub fn add_intermediates(&mut self, vendor_id: &str, intermediates: &[&[u8]]) -> Result<()> {
        if self.registry.vendor(vendor_id).is_none() {
            return Err(trust_error(
                ManifestProblem::UnknownVendor,
                vendor_id,
                "vendor_id",
            ));
        }
        let mut signers = self.crl_signers.clone();
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
            signers.extend(crl_signer(&parsed));
        }
        let mut anchors = self.anchors.clone();
        verify_crls(&mut anchors, &signers, &self.crls);
        self.anchors = anchors;
        self.crl_signers = signers;
        Ok(())
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

    /// Number of roots.
    #[must_use]
    pub fn root_count(&self) -> usize {
        self.roots.len()
    }

    pub(crate) const fn anchors(&self) -> &ChainAnchors {
        &self.anchors
    }

    pub(crate) fn root(&self, index: usize) -> Option<&VendorRoot> {
        self.roots.get(index)
    }
}
