//! The certificates of an NVIDIA GPU's attestation chain, read for what POCI needs of them:
//! the subject, the P-384 key, the common name (the chip family) and the firmware id. The
//! chain itself (signatures, validity, CA constraints) is validated by `x509/chain.rs`.

use der::{Reader as _, SliceReader};

use crate::der::{read_any, read_tlv, tag};
use crate::error::{CertProblem, Error, Result};
use crate::oid::{
    COMMON_NAME_OID, EC_PUBLIC_KEY_OID, SECP384R1_OID, SHA384_OID, TCG_DICE_TCB_INFO_1_OID,
    TCG_DICE_TCB_INFO_OID,
};
use crate::x509::time::parse_time;

const CONTEXT_0_CONSTRUCTED: u8 = 0xa0;
const CONTEXT_3_CONSTRUCTED: u8 = 0xa3;
const BIT_STRING: u8 = 0x03;
const BOOLEAN: u8 = 0x01;
const SET: u8 = 0x31;

/// One certificate of an NVIDIA chain; it borrows the DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NvidiaCertificate<'a> {
    /// The whole certificate.
    pub der: &'a [u8],
    /// The serial number: the INTEGER's content octets.
    pub serial: &'a [u8],
    /// Start of validity, unix seconds.
    pub not_before: u64,
    /// End of validity, unix seconds.
    pub not_after: u64,
    /// The subject Name TLV.
    pub subject: &'a [u8],
    /// The issuer Name TLV.
    pub issuer: &'a [u8],
    /// The `SubjectPublicKeyInfo` TLV.
    pub spki: &'a [u8],
    /// The uncompressed SEC1 P-384 public key (97 bytes).
    pub public_key: &'a [u8],
    /// The subject's common name, if it has one (for example `GH100 A01 GSP BROM`).
    pub common_name: Option<&'a str>,
    /// The firmware id of a TCG DICE TcbInfo extension: its last element, a
    /// `SEQUENCE { id-sha384, OCTET STRING (SIZE (48)) }`.
    pub fwid: Option<&'a [u8; 48]>,
}

fn bad(problem: CertProblem) -> Error {
    Error::BadCertificate { problem }
}

fn reader(input: &[u8]) -> Result<SliceReader<'_>> {
    SliceReader::new(input).map_err(|_| bad(CertProblem::Encoding))
}

fn encoding<T>(result: Result<T>) -> Result<T> {
    result.map_err(|_| bad(CertProblem::Encoding))
}

impl<'a> NvidiaCertificate<'a> {
    /// Reads one certificate.
    ///
    /// # Errors
    /// `BAD_CERTIFICATE`: not DER X.509 v3 (`Encoding`), not a P-384 key (`Algorithm`), or
    /// two firmware-id extensions or one that does not read (`Extension`).
    pub fn from_der(der: &'a [u8]) -> Result<Self> {
        let mut outer = reader(der)?;
        let (_, certificate) = encoding(read_tlv(&mut outer, tag::SEQUENCE))?;
        if !outer.is_finished() {
            return Err(bad(CertProblem::Encoding));
        }
        let mut fields = reader(certificate)?;
        let (_, tbs) = encoding(read_tlv(&mut fields, tag::SEQUENCE))?;
        let mut tbs = reader(tbs)?;
        let (_, version) = encoding(read_tlv(&mut tbs, CONTEXT_0_CONSTRUCTED))?;
        if version != [tag::INTEGER, 1, 2] {
            return Err(bad(CertProblem::Encoding));
        }
        let (_, serial) = encoding(read_tlv(&mut tbs, tag::INTEGER))?;
        encoding(read_tlv(&mut tbs, tag::SEQUENCE))?;
        let (issuer, _) = encoding(read_tlv(&mut tbs, tag::SEQUENCE))?;
        let (_, validity) = encoding(read_tlv(&mut tbs, tag::SEQUENCE))?;
        let (not_before, not_after) = validity_of(validity)?;
        let (subject, subject_value) = encoding(read_tlv(&mut tbs, tag::SEQUENCE))?;
        let (spki, spki_value) = encoding(read_tlv(&mut tbs, tag::SEQUENCE))?;
        let public_key = p384_key(spki_value)?;
        let mut fwid = None;
        while !tbs.is_finished() {
            let (found, _, value) = encoding(read_any(&mut tbs))?;
            if found != CONTEXT_3_CONSTRUCTED {
                // Unique identifiers have no place in an attestation chain.
                return Err(bad(CertProblem::Encoding));
            }
            fwid = firmware_id(value)?;
        }
        Ok(Self {
            der,
            serial,
            not_before,
            not_after,
            subject,
            issuer,
            spki,
            public_key,
            common_name: common_name(subject_value)?,
            fwid,
        })
    }
}

/// `Validity ::= SEQUENCE { notBefore Time, notAfter Time }` (its content), as unix seconds.
fn validity_of(validity: &[u8]) -> Result<(u64, u64)> {
    let mut validity = reader(validity)?;
    let mut time = || -> Result<u64> {
        let (found, _, content) = encoding(read_any(&mut validity))?;
        parse_time(found, content).map_err(|_| bad(CertProblem::Validity))
    };
    let not_before = time()?;
    let not_after = time()?;
    if !validity.is_finished() {
        return Err(bad(CertProblem::Encoding));
    }
    Ok((not_before, not_after))
}

/// The key of a P-384 `SubjectPublicKeyInfo` (its content).
fn p384_key(spki: &[u8]) -> Result<&[u8]> {
    let mut spki = reader(spki)?;
    let (_, algorithm) = encoding(read_tlv(&mut spki, tag::SEQUENCE))?;
    let mut algorithm = reader(algorithm)?;
    let (_, key_type) = encoding(read_tlv(&mut algorithm, tag::OID))?;
    let (_, curve) = encoding(read_tlv(&mut algorithm, tag::OID))?;
    if key_type != EC_PUBLIC_KEY_OID || curve != SECP384R1_OID || !algorithm.is_finished() {
        return Err(bad(CertProblem::Algorithm));
    }
    let (_, bits) = encoding(read_tlv(&mut spki, BIT_STRING))?;
    match bits.split_first() {
        Some((0, key)) if key.len() == 97 && key.first() == Some(&0x04) && spki.is_finished() => {
            Ok(key)
        }
        _ => Err(bad(CertProblem::Algorithm)),
    }
}

/// The first common name of a Name's content, if it is text.
fn common_name(name: &[u8]) -> Result<Option<&str>> {
    let mut rdns = reader(name)?;
    while !rdns.is_finished() {
        let (_, rdn) = encoding(read_tlv(&mut rdns, SET))?;
        let mut rdn = reader(rdn)?;
        while !rdn.is_finished() {
            let (_, attribute) = encoding(read_tlv(&mut rdn, tag::SEQUENCE))?;
            let mut attribute = reader(attribute)?;
            let (_, oid) = encoding(read_tlv(&mut attribute, tag::OID))?;
            let (_, _, value) = encoding(read_any(&mut attribute))?;
            if oid == COMMON_NAME_OID {
                return Ok(core::str::from_utf8(value).ok());
            }
        }
    }
    Ok(None)
}

/// The firmware id of the `[3]` extensions, if a TcbInfo extension carries one.
fn firmware_id(explicit: &[u8]) -> Result<Option<&[u8; 48]>> {
    let mut outer = reader(explicit)?;
    let (_, extensions) = encoding(read_tlv(&mut outer, tag::SEQUENCE))?;
    let mut extensions = reader(extensions)?;
    let mut found = None;
    while !extensions.is_finished() {
        let (_, extension) = encoding(read_tlv(&mut extensions, tag::SEQUENCE))?;
        let mut extension = reader(extension)?;
        let (_, oid) = encoding(read_tlv(&mut extension, tag::OID))?;
        if extension.peek_byte() == Some(BOOLEAN) {
            encoding(read_tlv(&mut extension, BOOLEAN))?;
        }
        let (_, value) = encoding(read_tlv(&mut extension, tag::OCTET_STRING))?;
        if oid != TCG_DICE_TCB_INFO_OID && oid != TCG_DICE_TCB_INFO_1_OID {
            continue;
        }
        if found.is_some() {
            return Err(bad(CertProblem::Extension));
        }
        found = Some(tcb_info_fwid(value).map_err(|_| bad(CertProblem::Extension))?);
    }
    Ok(found)
}

/// The last element of a TcbInfo SEQUENCE, read as `SEQUENCE { id-sha384, OCTET STRING }`.
fn tcb_info_fwid(value: &[u8]) -> Result<&[u8; 48]> {
    let mut outer = reader(value)?;
    let (_, info) = read_tlv(&mut outer, tag::SEQUENCE)?;
    if !outer.is_finished() {
        return Err(bad(CertProblem::Extension));
    }
    let mut info = reader(info)?;
    let mut last = None;
    while !info.is_finished() {
        let (found, _, element) = read_any(&mut info)?;
        last = Some((found, element));
    }
    let Some((tag::SEQUENCE, fwid)) = last else {
        return Err(bad(CertProblem::Extension));
    };
    let mut fwid = reader(fwid)?;
    let (_, algorithm) = read_tlv(&mut fwid, tag::OID)?;
    let (_, digest) = read_tlv(&mut fwid, tag::OCTET_STRING)?;
    if algorithm != SHA384_OID || !fwid.is_finished() {
        return Err(bad(CertProblem::Extension));
    }
    <&[u8; 48]>::try_from(digest).map_err(|_| bad(CertProblem::Extension))
}
