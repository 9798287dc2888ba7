//! A light, strict reader of the X.509 fields POCI needs from a certificate.
//!
//! Chain validation (signatures, path building, revocation) is rustls-webpki's job in
//! `chain.rs`; this module extracts what webpki does not expose: the chip identity
//! extension, the EKU list, key usage, validity and the subject public key.

use der::{Reader as _, SliceReader};

use crate::der::{
    read_all, read_any, read_integer_content, read_octets, read_sequence, read_tlv, read_u64, tag,
};
use crate::error::{CertProblem, Error, Field, MessageKind, Result};
use crate::limits::{MAX_CERTIFICATE_EXTENSIONS, MAX_CRL_LEN};
use crate::oid::{
    AUTHORITY_KEY_ID_OID, BASIC_CONSTRAINTS_OID, CHIP_IDENTITY_EXTENSION_DER,
    CRL_DISTRIBUTION_POINTS_OID, CRL_NUMBER_OID, DEVICE_ATTESTATION_EKU_DER, EXT_KEY_USAGE_OID,
    KEY_USAGE_OID, NAME_CONSTRAINTS_OID, SUBJECT_ALT_NAME_OID,
};
use crate::x509::identity::ChipIdentity;
use crate::x509::time::parse_time;

/// DER of `AlgorithmIdentifier { ecdsa-with-SHA384 }` (parameters absent, RFC 5758).
pub(crate) const ECDSA_WITH_SHA384_ALG: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
];
/// DER of `AlgorithmIdentifier { ecdsa-with-SHA256 }` (parameters absent, RFC 5758).
pub(crate) const ECDSA_WITH_SHA256_ALG: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
];

/// Extensions that may be critical (SPEC.md 10): the ones chain validation acts on.
/// Any other critical extension is refused when the certificate is read.
const UNDERSTOOD_CRITICAL: [&[u8]; 6] = [
    &BASIC_CONSTRAINTS_OID,
    &KEY_USAGE_OID,
    &EXT_KEY_USAGE_OID,
    &SUBJECT_ALT_NAME_OID,
    &NAME_CONSTRAINTS_OID,
    &CRL_DISTRIBUTION_POINTS_OID,
];

/// keyUsage bit digitalSignature (bit 0), as the first content octet's mask.
pub(crate) const KU_DIGITAL_SIGNATURE: u8 = 0x80;
/// keyUsage bit keyCertSign (bit 5).
pub(crate) const KU_KEY_CERT_SIGN: u8 = 0x04;
/// keyUsage bit cRLSign (bit 6).
pub(crate) const KU_CRL_SIGN: u8 = 0x02;

/// Longest serial number RFC 5280 4.1.2.2 allows, in octets (without a sign octet).
const MAX_SERIAL_OCTETS: usize = 20;

const EXPLICIT_0: u8 = 0xa0;
const EXPLICIT_3: u8 = 0xa3;
const BOOLEAN: u8 = 0x01;
const BIT_STRING: u8 = 0x03;

/// The fields of a certificate POCI reads, borrowed from its DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedCertificate<'a> {
    /// The TBSCertificate TLV: the signed bytes.
    pub(crate) tbs: &'a [u8],
    /// Serial number content octets.
    pub(crate) serial: &'a [u8],
    /// Issuer Name TLV.
    pub(crate) issuer: &'a [u8],
    /// Subject Name TLV.
    pub(crate) subject: &'a [u8],
    /// Start of validity, unix seconds.
    pub(crate) not_before: u64,
    /// End of validity (inclusive), unix seconds.
    pub(crate) not_after: u64,
    /// SubjectPublicKeyInfo TLV.
    pub(crate) spki: &'a [u8],
    /// basicConstraints cA.
    pub(crate) is_ca: bool,
    /// basicConstraints pathLenConstraint, if present.
    pub(crate) path_len: Option<u64>,
    /// Whether the certificate carries nameConstraints (POCI refuses chains through one).
    pub(crate) has_name_constraints: bool,
    /// First octet of the keyUsage bits, if the extension is present.
    pub(crate) key_usage: Option<u8>,
    /// EKU OIDs (content octets), if the extension is present.
    pub(crate) ext_key_usage: Option<Vec<&'a [u8]>>,
    /// The chip identity extension, if present.
    pub(crate) chip_identity: Option<ChipIdentity>,
    /// The issuer's signature: the DER `Ecdsa-Sig-Value` in the signature BIT STRING.
    pub(crate) signature: &'a [u8],
}

fn bad(problem: CertProblem) -> Error {
    Error::BadCertificate { problem }
}

impl ParsedCertificate<'_> {
    /// SPEC.md 6.4 step 3, the usage half: a device certificate is no CA, lists the POCI
    /// device-attestation EKU and sets keyUsage digitalSignature.
    ///
    /// # Errors
    /// `BAD_CERTIFICATE` (`BasicConstraints`) for a CA certificate, `WRONG_KEY_USAGE` when the
    /// EKU or the digitalSignature bit is missing.
    pub(crate) fn check_device_usage(&self) -> Result<()> {
        if self.is_ca {
            return Err(bad(CertProblem::BasicConstraints));
        }
        let has_eku = self
            .ext_key_usage
            .as_ref()
            .is_some_and(|oids| oids.contains(&DEVICE_ATTESTATION_EKU_DER.as_slice()));
        let signs = self
            .key_usage
            .is_some_and(|bits| bits & KU_DIGITAL_SIGNATURE != 0);
        if !has_eku || !signs {
            return Err(Error::WrongKeyUsage);
        }
        Ok(())
    }
}

/// Tag of `SET` / `SET OF`.
const SET: u8 = 0x31;

/// Reads a `Name` (RFC 5280 4.1.2.4) strictly as DER: a SEQUENCE OF non-empty SETs of
/// `SEQUENCE { type OBJECT IDENTIFIER, value ANY }`, each SET's elements in ascending order
/// of their encodings (X.690 11.6). Returns the whole TLV: names are compared as bytes.
pub(crate) fn read_name<'a>(reader: &mut SliceReader<'a>) -> Result<&'a [u8]> {
    let (name, rdns) = read_tlv(reader, tag::SEQUENCE)?;
    read_all(rdns, |list| {
        while !list.is_finished() {
            let (_, attributes) = read_tlv(list, SET)?;
            read_all(attributes, |set| {
                let mut previous: Option<&[u8]> = None;
                loop {
                    let (attribute, _) = read_tlv(set, tag::SEQUENCE)?;
                    read_all(attribute, |reader| {
                        read_sequence(reader, |pair| {
                            read_tlv(pair, tag::OID)?;
                            read_any(pair)?;
                            Ok(())
                        })
                    })?;
                    if previous.is_some_and(|earlier| earlier > attribute) {
                        return Err(bad(CertProblem::Encoding));
                    }
                    previous = Some(attribute);
                    if set.is_finished() {
                        return Ok(());
                    }
                }
            })?;
        }
        Ok(())
    })?;
    Ok(name)
}

impl<'a> ParsedCertificate<'a> {
    /// Reads a certificate.
    ///
    /// # Errors
    /// `BAD_CERTIFICATE` for anything but a DER X.509 v3 certificate signed with
    /// ecdsa-with-SHA256, without unique identifiers, with each extension at most once.
    pub(crate) fn from_der(der: &'a [u8]) -> Result<Self> {
        read_all(der, |reader| {
            read_sequence(reader, |certificate| {
                let (signed, fields) = read_tlv(certificate, tag::SEQUENCE)?;
                let mut tbs = read_all(fields, |reader| Self::read_tbs(reader, signed))?;
                let (algorithm, _) = read_tlv(certificate, tag::SEQUENCE)?;
                if algorithm != ECDSA_WITH_SHA256_ALG {
                    return Err(bad(CertProblem::Algorithm));
                }
                let (_, bits) = read_tlv(certificate, BIT_STRING)?;
                // Whole octets holding one DER Ecdsa-Sig-Value: what a signature check reads.
                let value = match bits.split_first() {
                    Some((0, value)) => value,
                    _ => return Err(bad(CertProblem::Encoding)),
                };
                read_all(value, |reader| {
                    read_sequence(reader, |pair| {
                        read_integer_content(pair, Field::Signature)?;
                        read_integer_content(pair, Field::Signature)?;
                        Ok(())
                    })
                })?;
                tbs.signature = value;
                Ok(tbs)
            })
        })
        .map_err(|err| match err {
            Error::BadCertificate { .. } => err,
            _ => bad(CertProblem::Encoding),
        })
    }

    fn read_tbs(tbs: &mut SliceReader<'a>, signed: &'a [u8]) -> Result<Self> {
        let (_, version) = read_tlv(tbs, EXPLICIT_0)?;
        if version != [0x02, 0x01, 0x02] {
            return Err(bad(CertProblem::Encoding));
        }
        // Positive and at most 20 octets (RFC 5280 4.1.2.2): webpki checks this too, but only
        // on the certificates it reaches, and POCI reads every carried one first.
        let serial = read_integer_content(tbs, Field::Certificate).map_err(|err| match err {
            Error::IntegerOutOfRange { .. } => bad(CertProblem::Serial),
            other => other,
        })?;
        let magnitude = serial.strip_prefix(&[0]).unwrap_or(serial);
        if magnitude.is_empty() || magnitude.len() > MAX_SERIAL_OCTETS {
            return Err(bad(CertProblem::Serial));
        }
        let (algorithm, _) = read_tlv(tbs, tag::SEQUENCE)?;
        if algorithm != ECDSA_WITH_SHA256_ALG {
            return Err(bad(CertProblem::Algorithm));
        }
        let issuer = read_name(tbs)?;
        let (not_before, not_after) = read_sequence(tbs, |validity| {
            let (start_tag, _, start) = read_any(validity)?;
            let (end_tag, _, end) = read_any(validity)?;
            Ok((parse_time(start_tag, start)?, parse_time(end_tag, end)?))
        })?;
        if not_after < not_before {
            return Err(bad(CertProblem::Validity));
        }
        let subject = read_name(tbs)?;
        let (spki, _) = read_tlv(tbs, tag::SEQUENCE)?;
        let mut parsed = Self {
            tbs: signed,
            serial,
            issuer,
            subject,
            not_before,
            not_after,
            spki,
            is_ca: false,
            path_len: None,
            has_name_constraints: false,
            key_usage: None,
            ext_key_usage: None,
            chip_identity: None,
            signature: &[],
        };
        if tbs.is_finished() {
            return Ok(parsed);
        }
        // Unique identifiers ([1], [2]) are not part of the profile: read_tlv refuses them here.
        let (_, extensions) = read_tlv(tbs, EXPLICIT_3)?;
        let mut seen: Vec<&[u8]> = Vec::new();
        read_all(extensions, |reader| {
            read_sequence(reader, |list| {
                // Extensions ::= SEQUENCE SIZE (1..MAX): an empty list is not the profile.
                if list.is_finished() {
                    return Err(bad(CertProblem::Encoding));
                }
                while !list.is_finished() {
                    read_sequence(list, |extension| {
                        parsed.read_extension(extension, &mut seen)
                    })?;
                }
                Ok(())
            })
        })?;
        Ok(parsed)
    }

    fn read_extension(
        &mut self,
        extension: &mut SliceReader<'a>,
        seen: &mut Vec<&'a [u8]>,
    ) -> Result<()> {
        let (_, oid) = read_tlv(extension, tag::OID)?;
        if seen.len() >= MAX_CERTIFICATE_EXTENSIONS {
            return Err(bad(CertProblem::TooManyExtensions));
        }
        if seen.contains(&oid) {
            return Err(bad(CertProblem::Extension));
        }
        seen.push(oid);
        let critical = if extension.peek_byte() == Some(BOOLEAN) {
            let (_, value) = read_tlv(extension, BOOLEAN)?;
            // DER: the DEFAULT FALSE is never encoded.
            if value != [0xff] {
                return Err(bad(CertProblem::Extension));
            }
            true
        } else {
            false
        };
        let value = read_octets(extension)?;
        let extension_error = |_| bad(CertProblem::Extension);
        if oid == BASIC_CONSTRAINTS_OID {
            (self.is_ca, self.path_len) = read_all(value, |reader| {
                read_sequence(reader, |constraints| {
                    let is_ca = if constraints.peek_byte() == Some(BOOLEAN) {
                        // DER: the DEFAULT FALSE is never encoded.
                        if read_tlv(constraints, BOOLEAN)?.1 != [0xff] {
                            return Err(bad(CertProblem::Extension));
                        }
                        true
                    } else {
                        false
                    };
                    let path_len = if constraints.is_finished() {
                        None
                    } else {
                        Some(read_u64(constraints, Field::Certificate)?)
                    };
                    Ok((is_ca, path_len))
                })
            })
            .map_err(extension_error)?;
        } else if oid == KEY_USAGE_OID {
            let bits = read_all(value, |reader| Ok(read_tlv(reader, BIT_STRING)?.1))
                .map_err(extension_error)?;
            self.key_usage = Some(bits.get(1).copied().unwrap_or(0));
        } else if oid == EXT_KEY_USAGE_OID {
            let list = read_all(value, |reader| {
                read_sequence(reader, |purposes| {
                    let mut oids = Vec::new();
                    while !purposes.is_finished() {
                        oids.push(read_tlv(purposes, tag::OID)?.1);
                    }
                    Ok(oids)
                })
            })
            .map_err(extension_error)?;
            self.ext_key_usage = Some(list);
        } else if oid == CHIP_IDENTITY_EXTENSION_DER {
            // Non-critical by profile: webpki refuses unknown critical extensions, so a
            // critical identity extension could never validate anyway.
            if critical {
                return Err(bad(CertProblem::Extension));
            }
            self.chip_identity = Some(ChipIdentity::from_der(value)?);
        } else if oid == NAME_CONSTRAINTS_OID {
            self.has_name_constraints = true;
        } else if critical && !UNDERSTOOD_CRITICAL.contains(&oid) {
            return Err(bad(CertProblem::UnsupportedCriticalExtension));
        }
        Ok(())
    }
}

/// The fields of a CRL POCI reads, borrowed from its DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParsedCrl<'a> {
    /// The TBSCertList TLV: the signed bytes.
    pub(crate) tbs: &'a [u8],
    /// Issuer Name TLV.
    pub(crate) issuer: &'a [u8],
    /// thisUpdate, unix seconds.
    pub(crate) this_update: u64,
    /// nextUpdate, unix seconds.
    pub(crate) next_update: u64,
    /// The cRLNumber extension's INTEGER content octets, if present.
    pub(crate) crl_number: Option<&'a [u8]>,
    /// The signature (the BIT STRING's bits).
    pub(crate) signature: &'a [u8],
}

impl<'a> ParsedCrl<'a> {
    /// Reads a CRL.
    ///
    /// # Errors
    /// `MESSAGE_TOO_LARGE` beyond `MAX_CRL_LEN`; `BAD_CRL` if the CRL is not a DER v2 CRL
    /// with a nextUpdate and extensions, signed with ecdsa-with-SHA256, or carries an
    /// extension other than the non-critical cRLNumber and authorityKeyIdentifier
    /// (SPEC.md 10).
    pub(crate) fn from_der(der: &'a [u8]) -> Result<Self> {
        Self::signed_with(der, &ECDSA_WITH_SHA256_ALG)
    }

    /// Reads a CRL of the same profile signed with `expected` (an AlgorithmIdentifier TLV):
    /// vendor-format evidence's CAs sign with ecdsa-with-SHA384.
    ///
    /// # Errors
    /// As [`ParsedCrl::from_der`].
    pub(crate) fn signed_with(der: &'a [u8], expected: &[u8]) -> Result<Self> {
        if der.len() > MAX_CRL_LEN {
            return Err(Error::MessageTooLarge {
                kind: MessageKind::Crl,
                len: der.len(),
                max: MAX_CRL_LEN,
            });
        }
        read_all(der, |reader| {
            read_sequence(reader, |list| {
                let (tbs, content) = read_tlv(list, tag::SEQUENCE)?;
                let fields = read_all(content, |fields| read_tbs_cert_list(fields, expected))?;
                let (algorithm, _) = read_tlv(list, tag::SEQUENCE)?;
                if algorithm != expected {
                    return Err(Error::BadCrl);
                }
                let (_, bits) = read_tlv(list, BIT_STRING)?;
                // No unused bits: a DER signature is whole bytes.
                let signature = match bits.split_first() {
                    Some((0, signature)) => signature,
                    _ => return Err(Error::BadCrl),
                };
                Ok(Self {
                    tbs,
                    issuer: fields.issuer,
                    this_update: fields.this_update,
                    next_update: fields.next_update,
                    crl_number: fields.crl_number,
                    signature,
                })
            })
        })
        .map_err(|_| Error::BadCrl)
    }
}

/// What `TBSCertList` holds for POCI (the revoked entries are read by the chain module).
struct CrlFields<'a> {
    issuer: &'a [u8],
    this_update: u64,
    next_update: u64,
    crl_number: Option<&'a [u8]>,
}

fn read_tbs_cert_list<'a>(fields: &mut SliceReader<'a>, expected: &[u8]) -> Result<CrlFields<'a>> {
    // version v2 (1): required, since POCI CRLs carry extensions and a nextUpdate.
    if read_integer_content(fields, Field::Version)? != [0x01] {
        return Err(Error::BadCrl);
    }
    let (algorithm, _) = read_tlv(fields, tag::SEQUENCE)?;
    if algorithm != expected {
        return Err(Error::BadCrl);
    }
    let issuer = read_name(fields)?;
    let (this_tag, _, this) = read_any(fields)?;
    let this_update = parse_time(this_tag, this)?;
    let (next_tag, _, next) = read_any(fields)?;
    let next_update = parse_time(next_tag, next)?;
    if fields.peek_byte() == Some(tag::SEQUENCE) {
        // revokedCertificates: present only when non-empty.
        let (_, revoked) = read_tlv(fields, tag::SEQUENCE)?;
        if revoked.is_empty() {
            return Err(Error::BadCrl);
        }
    }
    let mut crl_number = None;
    // crlExtensions: required (RFC 5280 5.2 requires authorityKeyIdentifier and cRLNumber in
    // every CRL; rustls-webpki refuses a CRL without the list).
    {
        let (_, extensions) = read_tlv(fields, EXPLICIT_0)?;
        let mut seen: Vec<&[u8]> = Vec::new();
        read_all(extensions, |reader| {
            read_sequence(reader, |list| {
                if list.is_finished() {
                    return Err(Error::BadCrl);
                }
                while !list.is_finished() {
                    read_sequence(list, |extension| {
                        let (_, oid) = read_tlv(extension, tag::OID)?;
                        if seen.contains(&oid) || seen.len() >= MAX_CERTIFICATE_EXTENSIONS {
                            return Err(Error::BadCrl);
                        }
                        seen.push(oid);
                        // Only non-critical extensions are in the profile; DEFAULT FALSE is
                        // never encoded, so no BOOLEAN may appear.
                        let value = read_octets(extension)?;
                        if oid == CRL_NUMBER_OID {
                            let number = read_all(value, |number| {
                                read_integer_content(number, Field::Version)
                            })?;
                            let magnitude = number.strip_prefix(&[0]).unwrap_or(number);
                            if magnitude.len() > MAX_SERIAL_OCTETS {
                                return Err(Error::BadCrl);
                            }
                            crl_number = Some(number);
                        } else if oid != AUTHORITY_KEY_ID_OID {
                            // issuingDistributionPoint, deltaCRLIndicator, anything else.
                            return Err(Error::BadCrl);
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })
        })?;
    }
    Ok(CrlFields {
        issuer,
        this_update,
        next_update,
        crl_number,
    })
}
