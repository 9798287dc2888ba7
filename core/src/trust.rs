//! Trust material: vendor manifests, vendor roots and CRLs, as bytes.
//!
//! Core reads no files: callers (the CLI, the bindings) load `vendor-roots/` folders
//! and hand their contents to [`TrustStore::add_vendor`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, ManifestProblem, Result};
use crate::identifier::validate_identifier;
use crate::limits::{MAX_CERTIFICATE_LEN, MAX_MODEL_ID_LEN, MAX_VENDOR_ID_LEN};
use crate::registry::{ChipModel, ChipModelRegistry};
use crate::x509::UnknownRevocationPolicy;
use crate::x509::cert::{ParsedCertificate, crl_next_update};
use crate::x509::chain::ChainAnchors;

/// The manifest schema version this implementation reads.
pub const MANIFEST_SCHEMA: u32 = 1;

/// Whether a vendor's certificates are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum VendorStatus {
    /// Certificates chaining to the vendor are honoured.
    Active,
    /// The vendor's keys are compromised or withdrawn: every chain to it is refused.
    Revoked,
}

/// One chip model row of a manifest (vendor-roots/README.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestModel {
    /// Registry id of the model.
    pub model_id: String,
    /// Name for people.
    pub display_name: String,
    /// Compute rating in milli-CU.
    pub rating_milli_cu: u64,
    /// Where the figures behind the rating come from.
    pub source: String,
}

/// A vendor manifest (`manifest.toml` of a vendor-roots/ folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorManifest {
    /// Manifest schema version ([`MANIFEST_SCHEMA`]).
    pub schema: u32,
    /// Vendor id (identifier).
    pub vendor_id: String,
    /// Name for people.
    pub display_name: String,
    /// A test vendor: refused unless the trust policy allows test vendors.
    pub test: bool,
    /// Whether the vendor's chains are honoured.
    pub status: VendorStatus,
    /// The chip models this vendor may certify.
    pub models: Vec<ManifestModel>,
}

fn manifest_error(problem: ManifestProblem) -> Error {
    Error::ManifestInvalid { problem }
}

impl VendorManifest {
    /// Parses and checks a manifest.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for TOML that does not follow vendor-roots/README.md.
    pub fn from_toml(text: &str) -> Result<Self> {
        let manifest: Self =
            toml::from_str(text).map_err(|_| manifest_error(ManifestProblem::Syntax))?;
        if manifest.schema != MANIFEST_SCHEMA {
            return Err(manifest_error(ManifestProblem::Schema));
        }
        validate_identifier(&manifest.vendor_id, Field::ModelId, MAX_VENDOR_ID_LEN)
            .map_err(|_| manifest_error(ManifestProblem::Identifier))?;
        let mut seen = std::collections::BTreeSet::new();
        for model in &manifest.models {
            validate_identifier(&model.model_id, Field::ModelId, MAX_MODEL_ID_LEN)
                .map_err(|_| manifest_error(ManifestProblem::Identifier))?;
            if !seen.insert(model.model_id.as_str()) {
                return Err(manifest_error(ManifestProblem::DuplicateModel));
            }
        }
        Ok(manifest)
    }
}

/// How strict a trust store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TrustPolicy {
    /// Honour test vendors (`test = true`). Off in production.
    pub allow_test_vendors: bool,
    /// What to do when no CRL speaks for a certificate of a chain.
    pub unknown_revocation: UnknownRevocationPolicy,
}

/// A vendor root as the trust store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VendorRoot {
    pub(crate) vendor_id: String,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
}

/// Vendors, their roots and CRLs, and the chip-model registry they define.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    policy: TrustPolicy,
    vendors: BTreeMap<String, VendorManifest>,
    registry: ChipModelRegistry,
    anchors: ChainAnchors,
    /// Roots in the order of `anchors`.
    roots: Vec<VendorRoot>,
    /// Earliest nextUpdate of all CRLs: no cached chain verdict outlives it.
    crls_valid_until: Option<u64>,
}

/// One certificate or CRL given as DER or as a single PEM block.
fn der_of<'a>(input: &'a [u8], owned: &'a mut Vec<u8>, label: &str) -> Result<&'a [u8]> {
    if input.starts_with(b"-----BEGIN ") {
        let (found, der) =
            pem_rfc7468::decode_vec(input).map_err(|_| manifest_error(ManifestProblem::Pem))?;
        if found != label {
            return Err(manifest_error(ManifestProblem::Pem));
        }
        *owned = der;
        Ok(owned.as_slice())
    } else {
        Ok(input)
    }
}

impl TrustStore {
    /// An empty trust store with `policy`.
    #[must_use]
    pub fn new(policy: TrustPolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Adds a vendor: its manifest (TOML), its root certificates and the CRLs of its CAs
    /// (each DER or one PEM block). All or nothing: on error the store is unchanged.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` for a bad manifest, a duplicate vendor or model, a vendor
    /// without roots or a root that is not a self-issued CA; `BAD_CERTIFICATE` for a
    /// root that does not parse; `BAD_CRL` for a CRL that does not parse.
    pub fn add_vendor(
        &mut self,
        manifest_toml: &str,
        roots: &[&[u8]],
        crls: &[&[u8]],
    ) -> Result<()> {
        let manifest = VendorManifest::from_toml(manifest_toml)?;
        if self.vendors.contains_key(&manifest.vendor_id) {
            return Err(manifest_error(ManifestProblem::DuplicateVendor));
        }
        if manifest
            .models
            .iter()
            .any(|model| self.registry.contains(&model.model_id))
        {
            return Err(manifest_error(ManifestProblem::DuplicateModel));
        }
        if roots.is_empty() {
            return Err(manifest_error(ManifestProblem::Roots));
        }
        // Build into copies, then commit: no partial state change on error.
        let mut anchors = self.anchors.clone();
        let mut new_roots = Vec::new();
        for root in roots {
            let mut owned = Vec::new();
            let der = der_of(root, &mut owned, "CERTIFICATE")?;
            if der.len() > MAX_CERTIFICATE_LEN {
                return Err(manifest_error(ManifestProblem::Roots));
            }
            let parsed = ParsedCertificate::from_der(der)?;
            if !parsed.is_ca || parsed.issuer != parsed.subject {
                return Err(manifest_error(ManifestProblem::Roots));
            }
            anchors.add_root(der)?;
            new_roots.push(VendorRoot {
                vendor_id: manifest.vendor_id.clone(),
                not_before: parsed.not_before,
                not_after: parsed.not_after,
            });
        }
        let mut crls_valid_until = self.crls_valid_until;
        for crl in crls {
            let mut owned = Vec::new();
            let der = der_of(crl, &mut owned, "X509 CRL")?;
            let next_update = crl_next_update(der)?;
            anchors.add_crl(der)?;
            crls_valid_until =
                Some(crls_valid_until.map_or(next_update, |until| until.min(next_update)));
        }
        for model in &manifest.models {
            self.registry.insert(ChipModel {
                model_id: model.model_id.clone(),
                vendor_id: manifest.vendor_id.clone(),
                display_name: model.display_name.clone(),
                rating_milli_cu: model.rating_milli_cu,
            });
        }
        self.anchors = anchors;
        self.roots.extend(new_roots);
        self.crls_valid_until = crls_valid_until;
        self.vendors.insert(manifest.vendor_id.clone(), manifest);
        Ok(())
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &TrustPolicy {
        &self.policy
    }

    /// The chip-model registry of all vendors.
    #[must_use]
    pub const fn registry(&self) -> &ChipModelRegistry {
        &self.registry
    }

    /// The manifest of a vendor.
    #[must_use]
    pub fn vendor(&self, vendor_id: &str) -> Option<&VendorManifest> {
        self.vendors.get(vendor_id)
    }

    /// Every vendor, ordered by vendor id.
    pub fn vendors(&self) -> impl Iterator<Item = &VendorManifest> {
        self.vendors.values()
    }

    pub(crate) const fn anchors(&self) -> &ChainAnchors {
        &self.anchors
    }

    pub(crate) fn root(&self, index: usize) -> Option<&VendorRoot> {
        self.roots.get(index)
    }

    pub(crate) const fn crls_valid_until(&self) -> Option<u64> {
        self.crls_valid_until
    }
}
