//! `ChainIdentity`: what identifies a bound chip's certificate chain, kept by the ledger
//! instead of the chain itself (SPEC.md 18.5), and the check that the trust material in
//! force still honours it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::EvidenceKind;
use crate::json::hex_bytes;
use crate::manifest::VendorStatus;
use crate::trust::TrustStore;
use crate::x509::chain::{ChainCheck, evidence_level_revoked, level_revoked};

/// One certificate of a chain, by its issuer (Name TLV and SEC1 key) and serial number.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainLevel {
    /// The issuer's Name (DER TLV).
    #[serde(with = "hex_bytes")]
    pub issuer: Vec<u8>,
    /// The issuer's public key (uncompressed SEC1): a CRL counts only if signed by it.
    #[serde(with = "hex_bytes")]
    pub issuer_key: Vec<u8>,
    /// The certificate's serial number (content octets).
    #[serde(with = "hex_bytes")]
    pub serial: Vec<u8>,
}

/// A bound chip's chain: the anchoring root's subject and each certificate CRLs can revoke,
/// the chip's own first.
///
/// ```text
/// JSON form (SPEC.md 18.5): { root_subject: hex, levels: [ChainLevel, ...] }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainIdentity {
    /// The anchoring root's Subject Name (DER TLV).
    #[serde(with = "hex_bytes")]
    pub root_subject: Vec<u8>,
    /// The certificates below the root, the chip's first (`poci`: the device certificate
    /// and the vendor's CAs; `nvidia-spdm`: the identity certificate and NVIDIA's CAs, not
    /// the firmware-derived leaf the GPU issues itself).
    pub levels: Vec<ChainLevel>,
}

impl ChainIdentity {
    /// Whether `trust` still honours this chain of a `vendor_id` chip of `kind` at `time`
    /// (SPEC.md 18.5): the vendor is known and active, a root of the chip's kind still has
    /// the recorded subject, and the CRL that speaks for each level (the vendor's preferred
    /// one for its issuer at `time`, as in 6.4 step 6f; for vendor-format evidence, of the
    /// kind's CRLs) does not list it, if it is signed by the issuer's key (POCI signatures
    /// are remembered by `check`'s memo; a P-384 one is checked only for a listed serial). A CRL past its
    /// nextUpdate still counts: it stops new bindings, not bound chips. `chip_serial`, when
    /// given, is the chip level's serial (the ledger keeps it apart, the rest shared).
    ///
    /// # Errors
    /// `UNKNOWN_ISSUER` (vendor or root no longer in the trust material),
    /// `VENDOR_REVOKED`, `CERT_REVOKED`.
    pub(crate) fn check(
        &self,
        check: ChainCheck<'_>,
        trust: &TrustStore,
        kind: EvidenceKind,
        vendor_id: &str,
        chip_serial: Option<&[u8]>,
        time: u64,
    ) -> Result<()> {
        let vendor = trust.vendor(vendor_id).ok_or(Error::UnknownIssuer)?;
        if vendor.status == VendorStatus::Revoked {
            return Err(Error::VendorRevoked);
        }
        if !trust.has_root(kind, &self.root_subject) {
            return Err(Error::UnknownIssuer);
        }
        for (index, level) in self.levels.iter().enumerate() {
            let serial = match (index, chip_serial) {
                (0, Some(serial)) => serial,
                _ => &level.serial,
            };
            let revoked = match kind {
                EvidenceKind::Poci => {
                    level_revoked(check, trust.crls(), vendor_id, level, serial, time)
                }
                _ => evidence_level_revoked(
                    check.backend,
                    trust.evidence_crls_of(kind, vendor_id),
                    level,
                    serial,
                    time,
                ),
            };
            if revoked {
                return Err(Error::CertRevoked);
            }
        }
        Ok(())
    }
}
