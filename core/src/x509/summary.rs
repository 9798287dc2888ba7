//! `CertificateSummary`: what a person (or the `poci inspect` command) needs to read
//! from a certificate, owned and serialisable. Decoding only: no validation of the chain.

use serde::{Deserialize, Serialize};

use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{CertProblem, Error, Result};
use crate::json::{dec_u64, hex_bytes};
use crate::oid::DEVICE_ATTESTATION_EKU_DER;
use der::Reader as _;

use crate::der::{read_all, read_any, read_sequence, read_tlv, tag};
use crate::oid::{COMMON_NAME_OID, ORGANIZATION_OID};
use crate::x509::cert::{KU_CRL_SIGN, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, ParsedCertificate};
use crate::x509::identity::ChipIdentity;

const SET: u8 = 0x31;

/// The fields of a certificate, decoded for people.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSummary {
    /// Serial number, big-endian content octets.
    #[serde(with = "hex_bytes")]
    pub serial_number: Vec<u8>,
    /// Issuer as `O=…, CN=…` (other attributes shown by their OID in hex).
    pub issuer: String,
    /// Subject, same form.
    pub subject: String,
    /// Start of validity, unix seconds.
    #[serde(with = "dec_u64")]
    pub not_before: u64,
    /// End of validity (inclusive), unix seconds.
    #[serde(with = "dec_u64")]
    pub not_after: u64,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// Key usage bits POCI reads: `digitalSignature`, `keyCertSign`, `cRLSign`.
    pub key_usage: Vec<String>,
    /// Whether the EKU lists `poci-device-attestation`.
    pub device_attestation: bool,
    /// The chip's key id, when the key is a P-256 key.
    pub key_id: Option<KeyId>,
    /// The P-256 public key, uncompressed SEC1, when it is one.
    #[serde(with = "crate::json::opt_hex_bytes")]
    pub public_key: Option<Vec<u8>>,
    /// The `poci-chip-identity` extension, when present.
    pub chip_identity: Option<ChipIdentity>,
}

impl CertificateSummary {
    /// Decodes a DER certificate of the profile of SPEC.md.
    ///
    /// # Errors
    /// `BAD_CERTIFICATE` for anything the strict certificate reader refuses.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let parsed = ParsedCertificate::from_der(der)?;
        let key = DevicePublicKey::from_spki_der(parsed.spki).ok();
        let key_usage = parsed.key_usage.map_or_else(Vec::new, |bits| {
            [
                (KU_DIGITAL_SIGNATURE, "digitalSignature"),
                (KU_KEY_CERT_SIGN, "keyCertSign"),
                (KU_CRL_SIGN, "cRLSign"),
            ]
            .iter()
            .filter(|(mask, _)| bits & mask != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect()
        });
        Ok(Self {
            serial_number: parsed.serial.to_vec(),
            issuer: name_text(parsed.issuer)?,
            subject: name_text(parsed.subject)?,
            not_before: parsed.not_before,
            not_after: parsed.not_after,
            is_ca: parsed.is_ca,
            key_usage,
            device_attestation: parsed
                .ext_key_usage
                .as_ref()
                .is_some_and(|oids| oids.contains(&DEVICE_ATTESTATION_EKU_DER.as_slice())),
            key_id: key.as_ref().map(|key| *key.key_id()),
            public_key: key.map(|key| key.sec1_bytes().to_vec()),
            chip_identity: parsed.chip_identity,
        })
    }
}

/// `Name` (the whole TLV) as `O=…, CN=…`.
fn name_text(name: &[u8]) -> Result<String> {
    let bad = |_| Error::BadCertificate {
        problem: CertProblem::Encoding,
    };
    let parts = read_all(name, |reader| {
        read_sequence(reader, |rdns| {
            let mut parts = Vec::new();
            while !rdns.is_finished() {
                let (_, set) = read_tlv(rdns, SET)?;
                read_all(set, |attributes| {
                    while !attributes.is_finished() {
                        read_sequence(attributes, |attribute| {
                            let (_, oid) = read_tlv(attribute, tag::OID)?;
                            let (_, _, value) = read_any(attribute)?;
                            let label = match oid {
                                o if o == COMMON_NAME_OID => "CN".to_owned(),
                                o if o == ORGANIZATION_OID => "O".to_owned(),
                                o => hex::encode(o),
                            };
                            parts.push(format!("{label}={}", String::from_utf8_lossy(value)));
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
            }
            Ok(parts)
        })
    })
    .map_err(bad)?;
    Ok(parts.join(", "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::x509::mint::TestVendor;

    #[test]
    fn summarises_a_test_chain() {
        let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
        let identity = ChipIdentity {
            model_id: "poci-test-accel-a1".into(),
            serial: b"SN-1".to_vec(),
            security_version: 3,
        };
        let (key, device) = vendor.mint_chip(b"summary chip", &identity, 9).unwrap();
        let summary = CertificateSummary::from_der(&device).unwrap();
        assert_eq!(
            summary.issuer,
            "O=POCI Test Vendor A, CN=POCI Test Vendor A Device CA 1"
        );
        assert!(summary.device_attestation && !summary.is_ca);
        assert_eq!(summary.key_usage, ["digitalSignature"]);
        assert_eq!(summary.key_id, Some(*key.key_id()));
        assert_eq!(
            summary.public_key.as_deref(),
            Some(&key.public_key().sec1_bytes()[..])
        );
        assert_eq!(summary.chip_identity, Some(identity));
        let root = CertificateSummary::from_der(&vendor.root_der).unwrap();
        assert!(root.is_ca && !root.device_attestation && root.chip_identity.is_none());
        assert_eq!(root.subject, root.issuer);
        assert!(CertificateSummary::from_der(&device[..device.len() - 1]).is_err());
    }
}
