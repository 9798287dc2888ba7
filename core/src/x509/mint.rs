//! Minting standard X.509 material for test vendors and simulated chips: vendor roots,
//! intermediates, device certificates with the chip identity extension, and CRLs.
//! Deterministic: keys come from seeds and signatures use RFC 6979.
//!
//! Production vendors mint with their own tools (SPEC.md shows an openssl recipe);
//! this module exists so tests, vectors and simulations need nothing external.

use sha2::{Digest, Sha256};

use crate::der::{tag, tlv, uint_content};
use crate::device_key::{DeviceKey, DevicePublicKey};
use crate::error::Result;
use crate::oid::{
    AUTHORITY_KEY_ID_OID, BASIC_CONSTRAINTS_OID, CHIP_IDENTITY_EXTENSION_DER, COMMON_NAME_OID,
    CRL_NUMBER_OID, DEVICE_ATTESTATION_EKU_DER, EXT_KEY_USAGE_OID, KEY_USAGE_OID, ORGANIZATION_OID,
    SUBJECT_KEY_ID_OID,
};
use crate::x509::cert::{
    ECDSA_WITH_SHA256_ALG, KU_CRL_SIGN, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN,
};
use crate::x509::identity::ChipIdentity;
use crate::x509::time::encode_time;

/// A subject or issuer name: `O = organization, CN = common name`, both UTF8String.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    /// Organization (the vendor).
    pub organization: String,
    /// Common name (the certificate's holder).
    pub common_name: String,
}

impl DistinguishedName {
    /// The DER `Name`.
    ///
    /// # Errors
    /// Only if a value exceeds the DER length range (not expected).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let attribute = |oid: &[u8], value: &str| -> Result<Vec<u8>> {
            let pair = [
                tlv(tag::OID, oid)?,
                tlv(tag::UTF8_STRING, value.as_bytes())?,
            ]
            .concat();
            tlv(0x31, &tlv(tag::SEQUENCE, &pair)?)
        };
        let rdns = [
            attribute(&ORGANIZATION_OID, &self.organization)?,
            attribute(&COMMON_NAME_OID, &self.common_name)?,
        ]
        .concat();
        tlv(tag::SEQUENCE, &rdns)
    }
}

/// One certificate extension, ready to encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X509Extension {
    /// OID content octets.
    pub oid: Vec<u8>,
    /// Whether the extension is marked critical.
    pub critical: bool,
    /// The DER inside `extnValue`.
    pub value: Vec<u8>,
}

impl X509Extension {
    /// `basicConstraints` (critical): a CA, optionally with a path length.
    ///
    /// # Errors
    /// Not expected.
    pub fn ca(path_len: Option<u8>) -> Result<Self> {
        let mut body = tlv(0x01, &[0xff])?;
        if let Some(len) = path_len {
            body.extend(tlv(tag::INTEGER, &uint_content(&[len]))?);
        }
        Ok(Self {
            oid: BASIC_CONSTRAINTS_OID.to_vec(),
            critical: true,
            value: tlv(tag::SEQUENCE, &body)?,
        })
    }

    /// `keyUsage` (critical) with the given first-octet bits (bit 0 = 0x80).
    ///
    /// # Errors
    /// Not expected.
    pub fn key_usage(bits: u8) -> Result<Self> {
        let unused = u8::try_from(bits.trailing_zeros().min(7)).unwrap_or(0);
        Ok(Self {
            oid: KEY_USAGE_OID.to_vec(),
            critical: true,
            value: tlv(0x03, &[unused, bits])?,
        })
    }

    /// `keyUsage` of a CA: keyCertSign and cRLSign.
    ///
    /// # Errors
    /// Not expected.
    pub fn key_usage_ca() -> Result<Self> {
        Self::key_usage(KU_KEY_CERT_SIGN | KU_CRL_SIGN)
    }

    /// `keyUsage` of a device: digitalSignature.
    ///
    /// # Errors
    /// Not expected.
    pub fn key_usage_device() -> Result<Self> {
        Self::key_usage(KU_DIGITAL_SIGNATURE)
    }

    /// `extKeyUsage` (non-critical) listing the given OIDs (content octets).
    ///
    /// # Errors
    /// Not expected.
    pub fn ext_key_usage(oids: &[&[u8]]) -> Result<Self> {
        let list = oids
            .iter()
            .map(|oid| tlv(tag::OID, oid))
            .collect::<Result<Vec<_>>>()?
            .concat();
        Ok(Self {
            oid: EXT_KEY_USAGE_OID.to_vec(),
            critical: false,
            value: tlv(tag::SEQUENCE, &list)?,
        })
    }

    /// `extKeyUsage` with `id-poci-kp-deviceAttestation`.
    ///
    /// # Errors
    /// Not expected.
    pub fn device_attestation() -> Result<Self> {
        Self::ext_key_usage(&[&DEVICE_ATTESTATION_EKU_DER])
    }

    /// The chip identity extension (non-critical).
    ///
    /// # Errors
    /// The field errors of [`ChipIdentity::to_der`].
    pub fn chip_identity(identity: &ChipIdentity) -> Result<Self> {
        Ok(Self {
            oid: CHIP_IDENTITY_EXTENSION_DER.to_vec(),
            critical: false,
            value: identity.to_der()?,
        })
    }

    /// `subjectKeyIdentifier`: the leftmost 160 bits of SHA-256 of the key (RFC 7093 method 1).
    ///
    /// # Errors
    /// Not expected.
    pub fn subject_key_identifier(key: &DevicePublicKey) -> Result<Self> {
        Ok(Self {
            oid: SUBJECT_KEY_ID_OID.to_vec(),
            critical: false,
            value: tlv(tag::OCTET_STRING, &key_identifier(key))?,
        })
    }

    /// `authorityKeyIdentifier` naming the issuer's key identifier.
    ///
    /// # Errors
    /// Not expected.
    pub fn authority_key_identifier(issuer: &DevicePublicKey) -> Result<Self> {
        Ok(Self {
            oid: AUTHORITY_KEY_ID_OID.to_vec(),
            critical: false,
            value: tlv(tag::SEQUENCE, &tlv(0x80, &key_identifier(issuer))?)?,
        })
    }

    fn to_der(&self) -> Result<Vec<u8>> {
        let mut body = tlv(tag::OID, &self.oid)?;
        if self.critical {
            body.extend(tlv(0x01, &[0xff])?);
        }
        body.extend(tlv(tag::OCTET_STRING, &self.value)?);
        tlv(tag::SEQUENCE, &body)
    }
}

fn key_identifier(key: &DevicePublicKey) -> Vec<u8> {
    let digest = Sha256::digest(key.sec1_bytes());
    digest.get(..20).unwrap_or(&[]).to_vec()
}

/// Everything a certificate says, before its issuer signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateTemplate {
    /// Serial number (positive).
    pub serial: u64,
    /// Subject name.
    pub subject: DistinguishedName,
    /// Start of validity, unix seconds.
    pub not_before: u64,
    /// End of validity, unix seconds.
    pub not_after: u64,
    /// Extensions, in order.
    pub extensions: Vec<X509Extension>,
}

/// The issuer of a certificate or CRL: its name and signing key.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// Issuer name (the subject of its own certificate).
    pub name: &'a DistinguishedName,
    /// Issuer signing key.
    pub key: &'a DeviceKey,
}

fn sign_wrapped(tbs: &[u8], key: &DeviceKey) -> Result<Vec<u8>> {
    let signature = key.sign(tbs)?;
    let mut bits = vec![0u8];
    bits.extend(signature);
    tlv(
        tag::SEQUENCE,
        &[
            tbs.to_vec(),
            ECDSA_WITH_SHA256_ALG.to_vec(),
            tlv(0x03, &bits)?,
        ]
        .concat(),
    )
}

/// Issues an X.509 v3 certificate for `subject_key` signed by `issuer`.
///
/// # Errors
/// `BAD_CERTIFICATE` for serial 0 (RFC 5280 wants it positive, and verifiers refuse it);
/// a time after 9999 or a field out of range.
pub fn issue_certificate(
    template: &CertificateTemplate,
    subject_key: &DevicePublicKey,
    issuer: Issuer<'_>,
) -> Result<Vec<u8>> {
    if template.serial == 0 {
        return Err(crate::error::Error::BadCertificate {
            problem: crate::error::CertProblem::Serial,
        });
    }
    let extensions = template
        .extensions
        .iter()
        .map(X509Extension::to_der)
        .collect::<Result<Vec<_>>>()?
        .concat();
    let tbs = [
        tlv(0xa0, &tlv(tag::INTEGER, &[2])?)?,
        tlv(tag::INTEGER, &uint_content(&template.serial.to_be_bytes()))?,
        ECDSA_WITH_SHA256_ALG.to_vec(),
        issuer.name.to_der()?,
        tlv(
            tag::SEQUENCE,
            &[
                encode_time(template.not_before)?,
                encode_time(template.not_after)?,
            ]
            .concat(),
        )?,
        template.subject.to_der()?,
        subject_key.spki_der().to_vec(),
        tlv(0xa3, &tlv(tag::SEQUENCE, &extensions)?)?,
    ]
    .concat();
    sign_wrapped(&tlv(tag::SEQUENCE, &tbs)?, issuer.key)
}

/// A self-signed vendor root: CA, keyCertSign and cRLSign, with a subject key identifier.
///
/// # Errors
/// As [`issue_certificate`].
pub fn mint_root(
    key: &DeviceKey,
    name: &DistinguishedName,
    serial: u64,
    not_before: u64,
    not_after: u64,
) -> Result<Vec<u8>> {
    let template = CertificateTemplate {
        serial,
        subject: name.clone(),
        not_before,
        not_after,
        extensions: vec![
            X509Extension::ca(None)?,
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(key.public_key())?,
        ],
    };
    issue_certificate(&template, key.public_key(), Issuer { name, key })
}

/// A vendor intermediate CA, path length 0 (it issues device certificates only).
///
/// # Errors
/// As [`issue_certificate`].
pub fn mint_intermediate(
    issuer: Issuer<'_>,
    key: &DevicePublicKey,
    name: &DistinguishedName,
    serial: u64,
    not_before: u64,
    not_after: u64,
) -> Result<Vec<u8>> {
    let template = CertificateTemplate {
        serial,
        subject: name.clone(),
        not_before,
        not_after,
        extensions: vec![
            X509Extension::ca(Some(0))?,
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(key)?,
            X509Extension::authority_key_identifier(issuer.key.public_key())?,
        ],
    };
    issue_certificate(&template, key, issuer)
}

/// The extensions of a device certificate of the POCI profile (SPEC.md).
///
/// # Errors
/// The field errors of [`ChipIdentity::to_der`].
pub fn device_extensions(
    issuer: &DevicePublicKey,
    identity: &ChipIdentity,
) -> Result<Vec<X509Extension>> {
    Ok(vec![
        X509Extension::key_usage_device()?,
        X509Extension::device_attestation()?,
        X509Extension::chip_identity(identity)?,
        X509Extension::authority_key_identifier(issuer)?,
    ])
}

/// A device certificate of the POCI profile: subject `CN` = the chip serial in hex.
///
/// # Errors
/// As [`issue_certificate`].
pub fn mint_device_certificate(
    issuer: Issuer<'_>,
    device: &DevicePublicKey,
    identity: &ChipIdentity,
    serial: u64,
    not_before: u64,
    not_after: u64,
) -> Result<Vec<u8>> {
    let template = CertificateTemplate {
        serial,
        subject: DistinguishedName {
            organization: issuer.name.organization.clone(),
            common_name: hex::encode(&identity.serial),
        },
        not_before,
        not_after,
        extensions: device_extensions(issuer.key.public_key(), identity)?,
    };
    issue_certificate(&template, device, issuer)
}

/// A v2 CRL of `issuer` listing `revoked` serials (revoked at `this_update`).
///
/// # Errors
/// A time after 9999.
pub fn mint_crl(
    issuer: Issuer<'_>,
    this_update: u64,
    next_update: u64,
    crl_number: u64,
    revoked: &[u64],
) -> Result<Vec<u8>> {
    let mut tbs = vec![
        tlv(tag::INTEGER, &[1])?,
        ECDSA_WITH_SHA256_ALG.to_vec(),
        issuer.name.to_der()?,
        encode_time(this_update)?,
        encode_time(next_update)?,
    ];
    if !revoked.is_empty() {
        let entries = revoked
            .iter()
            .map(|serial| {
                let entry = [
                    tlv(tag::INTEGER, &uint_content(&serial.to_be_bytes()))?,
                    encode_time(this_update)?,
                ]
                .concat();
                tlv(tag::SEQUENCE, &entry)
            })
            .collect::<Result<Vec<_>>>()?
            .concat();
        tbs.push(tlv(tag::SEQUENCE, &entries)?);
    }
    let number = X509Extension {
        oid: CRL_NUMBER_OID.to_vec(),
        critical: false,
        value: tlv(tag::INTEGER, &uint_content(&crl_number.to_be_bytes()))?,
    };
    let aki = X509Extension::authority_key_identifier(issuer.key.public_key())?;
    tbs.push(tlv(
        0xa0,
        &tlv(tag::SEQUENCE, &[number.to_der()?, aki.to_der()?].concat())?,
    )?);
    sign_wrapped(&tlv(tag::SEQUENCE, &tbs.concat())?, issuer.key)
}

/// 2026-01-01T00:00:00Z: start of validity of all test-vendor material.
pub const TEST_NOT_BEFORE: u64 = 1_767_225_600;
/// 2046-01-01T00:00:00Z: end of validity of test roots and their CRLs' nextUpdate.
pub const TEST_ROOT_NOT_AFTER: u64 = 2_398_377_600;
/// 2041-01-01T00:00:00Z: end of validity of test intermediates.
pub const TEST_INTERMEDIATE_NOT_AFTER: u64 = 2_240_611_200;
/// 2031-01-01T00:00:00Z: end of validity of test device certificates.
pub const TEST_DEVICE_NOT_AFTER: u64 = 1_924_992_000;

/// A deterministic test vendor: a root, one intermediate, and an empty CRL from each.
#[derive(Debug, Clone)]
pub struct TestVendor {
    /// Vendor id (the manifest's `vendor_id`).
    pub vendor_id: String,
    /// Root key.
    pub root_key: DeviceKey,
    /// Root name.
    pub root_name: DistinguishedName,
    /// Root certificate (DER).
    pub root_der: Vec<u8>,
    /// Intermediate key.
    pub intermediate_key: DeviceKey,
    /// Intermediate name.
    pub intermediate_name: DistinguishedName,
    /// Intermediate certificate (DER).
    pub intermediate_der: Vec<u8>,
    /// The root's CRL (DER), revoking nothing.
    pub root_crl_der: Vec<u8>,
    /// The intermediate's CRL (DER), revoking nothing.
    pub intermediate_crl_der: Vec<u8>,
}

impl TestVendor {
    /// Derives a test vendor from `vendor_id` alone: keys from
    /// `"<vendor_id>/root"` and `"<vendor_id>/intermediate"`, fixed validity.
    ///
    /// # Errors
    /// Not expected for an identifier `vendor_id`.
    pub fn from_seed(vendor_id: &str, organization: &str) -> Result<Self> {
        Self::new(vendor_id, organization, vendor_id)
    }

    /// A test vendor whose keys derive from `"<seed>/root"` and `"<seed>/intermediate"`.
    ///
    /// # Errors
    /// Not expected.
    pub fn new(vendor_id: &str, organization: &str, seed: &str) -> Result<Self> {
        let root_key = DeviceKey::from_seed(format!("{seed}/root").as_bytes())?;
        let intermediate_key = DeviceKey::from_seed(format!("{seed}/intermediate").as_bytes())?;
        let root_name = DistinguishedName {
            organization: organization.to_owned(),
            common_name: format!("{organization} Root CA"),
        };
        let intermediate_name = DistinguishedName {
            organization: organization.to_owned(),
            common_name: format!("{organization} Device CA 1"),
        };
        let root_der = mint_root(
            &root_key,
            &root_name,
            1,
            TEST_NOT_BEFORE,
            TEST_ROOT_NOT_AFTER,
        )?;
        let root = Issuer {
            name: &root_name,
            key: &root_key,
        };
        let intermediate_der = mint_intermediate(
            root,
            intermediate_key.public_key(),
            &intermediate_name,
            2,
            TEST_NOT_BEFORE,
            TEST_INTERMEDIATE_NOT_AFTER,
        )?;
        let root_crl_der = mint_crl(root, TEST_NOT_BEFORE, TEST_ROOT_NOT_AFTER, 1, &[])?;
        let intermediate = Issuer {
            name: &intermediate_name,
            key: &intermediate_key,
        };
        let intermediate_crl_der =
            mint_crl(intermediate, TEST_NOT_BEFORE, TEST_ROOT_NOT_AFTER, 1, &[])?;
        Ok(Self {
            vendor_id: vendor_id.to_owned(),
            root_key,
            root_name,
            root_der,
            intermediate_key,
            intermediate_name,
            intermediate_der,
            root_crl_der,
            intermediate_crl_der,
        })
    }

    /// The root as issuer.
    #[must_use]
    pub const fn root(&self) -> Issuer<'_> {
        Issuer {
            name: &self.root_name,
            key: &self.root_key,
        }
    }

    /// The intermediate as issuer.
    #[must_use]
    pub const fn intermediate(&self) -> Issuer<'_> {
        Issuer {
            name: &self.intermediate_name,
            key: &self.intermediate_key,
        }
    }

    /// A simulated chip of this vendor: its device key from `chip_seed` and a device
    /// certificate from the intermediate, valid 2026-01-01 to 2031-01-01.
    ///
    /// # Errors
    /// The field errors of [`ChipIdentity::to_der`].
    pub fn mint_chip(
        &self,
        chip_seed: &[u8],
        identity: &ChipIdentity,
        serial: u64,
    ) -> Result<(DeviceKey, Vec<u8>)> {
        let key = DeviceKey::from_seed(chip_seed)?;
        let certificate = mint_device_certificate(
            self.intermediate(),
            key.public_key(),
            identity,
            serial,
            TEST_NOT_BEFORE,
            TEST_DEVICE_NOT_AFTER,
        )?;
        Ok((key, certificate))
    }
}

/// PEM of one DER object (`CERTIFICATE`, `X509 CRL`), LF line endings.
///
/// # Errors
/// Not expected.
pub fn to_pem(label: &str, der: &[u8]) -> Result<String> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).map_err(|_| {
        crate::error::Error::DerMalformed {
            problem: crate::error::DerProblem::Length,
            position: None,
        }
    })
}

/// A chip model of a test vendor: synthetic, with one dense figure to rate it from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestModelSpec<'a> {
    /// Registry id.
    pub model_id: &'a str,
    /// Name for people.
    pub display_name: &'a str,
    /// Dense FP16/BF16 tensor TFLOPS, if it has a tensor unit.
    pub fp16_dense_tflops: Option<u32>,
    /// Dense INT8 TOPS.
    pub int8_dense_tops: u32,
}

/// A test vendor of the repository's vendor-roots/.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestVendorSpec<'a> {
    /// Vendor id (and seed of its keys).
    pub vendor_id: &'a str,
    /// Organization in its certificates.
    pub organization: &'a str,
    /// Its models.
    pub models: &'a [TestModelSpec<'a>],
}

/// The test vendors of the repository's vendor-roots/.
pub const TEST_VENDORS: &[TestVendorSpec<'static>] = &[
    TestVendorSpec {
        vendor_id: "poci-test-a",
        organization: "POCI Test Vendor A",
        models: &[
            TestModelSpec {
                model_id: "poci-test-accel-a1",
                display_name: "Test accelerator A1 (simulated)",
                fp16_dense_tflops: Some(100),
                int8_dense_tops: 200,
            },
            TestModelSpec {
                model_id: "poci-test-accel-a2",
                display_name: "Test accelerator A2 (simulated)",
                fp16_dense_tflops: Some(250),
                int8_dense_tops: 500,
            },
        ],
    },
    TestVendorSpec {
        vendor_id: "poci-test-b",
        organization: "POCI Test Vendor B",
        models: &[TestModelSpec {
            model_id: "poci-test-npu-b1",
            display_name: "Test NPU B1 (simulated)",
            fp16_dense_tflops: None,
            int8_dense_tops: 26,
        }],
    },
];

/// The manifest of a test vendor (`test = true`, synthetic models).
#[must_use]
pub fn test_vendor_manifest(spec: &TestVendorSpec<'_>) -> String {
    let TestVendorSpec {
        vendor_id,
        organization,
        models,
    } = *spec;
    let mut manifest = format!(
        "# Generated by `make vendor-roots` (core/examples/mint_test_vendors.rs): do not edit.\n\
         schema = 1\nvendor_id = \"{vendor_id}\"\ndisplay_name = \"{organization} (testing only)\"\n\
         test = true\nstatus = \"active\"\n"
    );
    for model in models {
        let fp16 = model
            .fp16_dense_tflops
            .map(|tflops| {
                format!("fp16_tensor_tflops = \"{tflops}\"\nfp16_tensor_sparse = false\n")
            })
            .unwrap_or_default();
        let rating = model.fp16_dense_tflops.map_or_else(
            || u64::from(model.int8_dense_tops).saturating_mul(500),
            |tflops| u64::from(tflops).saturating_mul(1000),
        );
        manifest.push_str(&format!(
            "\n[[models]]\nmodel_id = \"{}\"\ndisplay_name = \"{}\"\n{fp16}\
             int8_tops = \"{}\"\nint8_sparse = false\nrating_milli_cu = {rating}\n\
             source = \"synthetic test model: no real chip\"\n",
            model.model_id, model.display_name, model.int8_dense_tops
        ));
    }
    manifest
}

/// The PKI files of a vendor folder, as (relative path, PEM): `roots/root.pem`,
/// `intermediates/intermediate.pem`, `crls/root.crl.pem`, `crls/intermediate.crl.pem`.
///
/// # Errors
/// Not expected.
pub fn vendor_pki_files(vendor: &TestVendor) -> Result<Vec<(String, String)>> {
    Ok(vec![
        (
            "roots/root.pem".to_owned(),
            to_pem("CERTIFICATE", &vendor.root_der)?,
        ),
        (
            "intermediates/intermediate.pem".to_owned(),
            to_pem("CERTIFICATE", &vendor.intermediate_der)?,
        ),
        (
            "crls/root.crl.pem".to_owned(),
            to_pem("X509 CRL", &vendor.root_crl_der)?,
        ),
        (
            "crls/intermediate.crl.pem".to_owned(),
            to_pem("X509 CRL", &vendor.intermediate_crl_der)?,
        ),
    ])
}

/// The testnet stand-in PKI of a real vendor (vendor-roots/testnet/<vendor_id>/):
/// keys from `"testnet/<vendor_id>/root"` and `".../intermediate"`.
///
/// # Errors
/// Not expected.
pub fn testnet_vendor(vendor_id: &str, display_name: &str) -> Result<TestVendor> {
    TestVendor::new(
        vendor_id,
        &format!("{display_name} (testnet)"),
        &format!("testnet/{vendor_id}"),
    )
}

/// Every generated file of vendor-roots/, as (path relative to vendor-roots/, contents):
/// the test vendors' folders, and a testnet folder for each vendor of `real_vendors`.
///
/// # Errors
/// Not expected.
pub fn generated_vendor_roots(
    real_vendors: &crate::ChipModelRegistry,
) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for spec in TEST_VENDORS {
        files.push((
            format!("{}/manifest.toml", spec.vendor_id),
            test_vendor_manifest(spec),
        ));
        let vendor = TestVendor::from_seed(spec.vendor_id, spec.organization)?;
        for (path, pem) in vendor_pki_files(&vendor)? {
            files.push((format!("{}/{path}", spec.vendor_id), pem));
        }
    }
    for manifest in real_vendors.vendors().filter(|vendor| !vendor.test) {
        let vendor = testnet_vendor(&manifest.vendor_id, &manifest.display_name)?;
        for (path, pem) in vendor_pki_files(&vendor)? {
            files.push((format!("testnet/{}/{path}", manifest.vendor_id), pem));
        }
    }
    // The emulated GPUs' root (evidence kind nvidia-spdm).
    if real_vendors.vendor("nvidia").is_some() {
        let ca = crate::evidence::nvidia_emulator::NvidiaTestnetCa::testnet()?;
        files.push((
            "testnet/nvidia/evidence/nvidia-spdm/root.pem".to_owned(),
            to_pem("CERTIFICATE", ca.root_der())?,
        ));
    }
    Ok(files)
}
