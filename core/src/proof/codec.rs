//! Strict DER reading and canonical DER writing of the field types POCI messages use.
//!
//! Decoding goes through the `der` crate's strict reader (definite, minimal lengths,
//! minimal INTEGERs); on top of it every field is checked against its `MAX_*` bound
//! and integers against the range of their Rust type. Encoding runs the same field
//! checks first, so POCI never emits a message it would refuse to read.

use der::{Decode, Encode, Header, Length, Reader, SliceReader, Tag, TagNumber, asn1::UintRef};

use crate::error::{Error, Field, MessageKind, Result};

/// DER tag byte of `[0] IMPLICIT` on a primitive type.
const CONTEXT_0_PRIMITIVE: u8 = 0x80;
/// DER tag byte of SEQUENCE.
const SEQUENCE_TAG: u8 = 0x30;

/// One field of a message, as it is written.
pub enum DerValue<'a> {
    /// INTEGER (non-negative).
    Uint(u128),
    /// OCTET STRING.
    Octets(&'a [u8]),
    /// UTF8String.
    Utf8(&'a str),
    /// OBJECT IDENTIFIER, given as its content octets.
    Oid(&'a [u8]),
    /// `[0] IMPLICIT OCTET STRING`, present or absent.
    OptionalContext0Octets(Option<&'a [u8]>),
    /// `SEQUENCE OF` complete TLVs, written as they are.
    SequenceOfTlv(&'a [&'a [u8]]),
    /// A complete TLV, written as it is.
    Raw(&'a [u8]),
}

fn length(len: usize) -> Result<Length> {
    Ok(Length::try_from(len)?)
}

fn write_header(out: &mut Vec<u8>, tag: Tag, len: usize) -> Result<()> {
    Header::new(tag, length(len)?).encode_to_vec(out)?;
    Ok(())
}

impl DerValue<'_> {
    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Self::Uint(value) => {
                value.encode_to_vec(out)?;
            }
            Self::Octets(bytes) => {
                write_header(out, Tag::OctetString, bytes.len())?;
                out.extend_from_slice(bytes);
            }
            Self::Utf8(text) => {
                write_header(out, Tag::Utf8String, text.len())?;
                out.extend_from_slice(text.as_bytes());
            }
            Self::Oid(content) => {
                write_header(out, Tag::ObjectIdentifier, content.len())?;
                out.extend_from_slice(content);
            }
            Self::OptionalContext0Octets(None) => {}
            Self::OptionalContext0Octets(Some(bytes)) => {
                let tag = Tag::ContextSpecific {
                    constructed: false,
                    number: TagNumber(0),
                };
                write_header(out, tag, bytes.len())?;
                out.extend_from_slice(bytes);
            }
            Self::Raw(tlv) => out.extend_from_slice(tlv),
            Self::SequenceOfTlv(items) => {
                let body_len = items
                    .iter()
                    .try_fold(0usize, |acc, item| acc.checked_add(item.len()))
                    .ok_or(Error::DerMalformed {
                        problem: crate::error::DerProblem::Length,
                        position: None,
                    })?;
                write_header(out, Tag::Sequence, body_len)?;
                for item in *items {
                    out.extend_from_slice(item);
                }
            }
        }
        Ok(())
    }
}

/// Writes `SEQUENCE { fields }`.
pub(crate) fn encode_sequence(fields: &[DerValue<'_>]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    for field in fields {
        field.write(&mut body)?;
    }
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    write_header(&mut out, Tag::Sequence, body.len())?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Reads `version INTEGER` and accepts only `expected`.
pub(crate) fn read_version<'a, R: Reader<'a>>(
    reader: &mut R,
    kind: MessageKind,
    expected: u64,
) -> Result<()> {
    let raw = UintRef::decode(reader)?;
    let version = uint_to_u128(raw).and_then(|v| u64::try_from(v).ok());
    if version != Some(expected) {
        return Err(Error::UnsupportedVersion { kind, version });
    }
    Ok(())
}

/// Reads the domain tag `OBJECT IDENTIFIER` and accepts only `expected` (content octets).
pub(crate) fn read_domain<'a, R: Reader<'a>>(
    reader: &mut R,
    kind: MessageKind,
    expected: &[u8],
) -> Result<()> {
    let header = Header::decode(reader)?;
    header.tag().assert_eq(Tag::ObjectIdentifier)?;
    let content = reader.read_slice(header.length())?;
    if content != expected {
        return Err(Error::WrongDomainTag { expected: kind });
    }
    Ok(())
}

fn uint_to_u128(raw: UintRef<'_>) -> Option<u128> {
    let bytes = raw.as_bytes();
    let mut buf = [0u8; 16];
    let start = buf.len().checked_sub(bytes.len())?;
    buf.get_mut(start..)?.copy_from_slice(bytes);
    Some(u128::from_be_bytes(buf))
}

/// Reads a non-negative INTEGER that must fit a `u128`.
pub(crate) fn read_u128<'a, R: Reader<'a>>(reader: &mut R, field: Field) -> Result<u128> {
    let raw = UintRef::decode(reader).map_err(|err| negative_is_out_of_range(err, field))?;
    uint_to_u128(raw).ok_or(Error::IntegerOutOfRange { field })
}

/// Reads a non-negative INTEGER that must fit a `u64`.
pub(crate) fn read_u64<'a, R: Reader<'a>>(reader: &mut R, field: Field) -> Result<u64> {
    u64::try_from(read_u128(reader, field)?).map_err(|_| Error::IntegerOutOfRange { field })
}

/// Reads a non-negative INTEGER that must fit a `u32`.
pub(crate) fn read_u32<'a, R: Reader<'a>>(reader: &mut R, field: Field) -> Result<u32> {
    u32::try_from(read_u128(reader, field)?).map_err(|_| Error::IntegerOutOfRange { field })
}

/// A well-formed negative INTEGER is a range error, not a DER error.
fn negative_is_out_of_range(err: der::Error, field: Field) -> Error {
    match err.kind() {
        der::ErrorKind::Value { tag: Tag::Integer } => Error::IntegerOutOfRange { field },
        _ => err.into(),
    }
}

/// Reads an OCTET STRING.
pub(crate) fn read_octets<'a, R: Reader<'a>>(reader: &mut R) -> Result<&'a [u8]> {
    let header = Header::decode(reader)?;
    header.tag().assert_eq(Tag::OctetString)?;
    Ok(reader.read_slice(header.length())?)
}

/// Reads a UTF8String.
pub(crate) fn read_utf8<'a, R: Reader<'a>>(reader: &mut R) -> Result<&'a str> {
    let header = Header::decode(reader)?;
    header.tag().assert_eq(Tag::Utf8String)?;
    let bytes = reader.read_slice(header.length())?;
    core::str::from_utf8(bytes).map_err(|_| Error::DerMalformed {
        problem: crate::error::DerProblem::Utf8,
        position: None,
    })
}

/// Reads an optional `[0] IMPLICIT OCTET STRING`.
pub(crate) fn read_optional_context0_octets<'a, R: Reader<'a>>(
    reader: &mut R,
) -> Result<Option<&'a [u8]>> {
    if reader.peek_byte() != Some(CONTEXT_0_PRIMITIVE) {
        return Ok(None);
    }
    let header = Header::decode(reader)?;
    Ok(Some(reader.read_slice(header.length())?))
}

/// Reads `SEQUENCE SIZE (1..max) OF` complete SEQUENCE TLVs (certificates), each at
/// most `max_item_len` bytes, without interpreting their contents.
pub(crate) fn read_sequence_of_sequences<'a, R: Reader<'a>>(
    reader: &mut R,
    max_items: usize,
    max_item_len: usize,
) -> Result<Vec<&'a [u8]>> {
    reader.sequence(|inner| {
        let mut items = Vec::new();
        while !inner.is_finished() {
            if items.len() >= max_items {
                return Err(Error::ChainTooLong {
                    count: items.len().saturating_add(1),
                    max: max_items,
                });
            }
            if inner.peek_byte() != Some(SEQUENCE_TAG) {
                return Err(Error::DerMalformed {
                    problem: crate::error::DerProblem::UnexpectedTag,
                    position: Some(u32::from(inner.position())),
                });
            }
            let item = inner.tlv_bytes()?;
            check_len(Field::Certificate, item.len(), max_item_len)?;
            items.push(item);
        }
        Ok(items)
    })
}

/// Checks a mandatory variable-length field against `1..=max`.
pub(crate) const fn check_len(field: Field, len: usize, max: usize) -> Result<()> {
    if len == 0 {
        return Err(Error::FieldEmpty { field });
    }
    if len > max {
        return Err(Error::FieldTooLong { field, len, max });
    }
    Ok(())
}

/// Checks a fixed-length field.
pub(crate) fn fixed<const N: usize>(field: Field, bytes: &[u8]) -> Result<&[u8; N]> {
    <&[u8; N]>::try_from(bytes).map_err(|_| Error::FieldWrongLength {
        field,
        len: bytes.len(),
        expected: N,
    })
}

/// The version every tbs of this specification carries.
pub(crate) const VERSION_1: u64 = 1;

/// A borrowed tbs type: how it is read, checked and written.
///
/// Public only inside a private module (sealed): callers use the inherent methods of
/// [`crate::SignedRef`] and [`crate::Signed`] instead.
pub trait TbsCodec<'a>: Sized {
    /// Kind of message.
    const KIND: MessageKind;
    /// `MAX_*_LEN` of the whole signed message.
    const MAX_LEN: usize;
    /// Content octets of the domain tag OID.
    const DOMAIN: &'static [u8];
    /// The owned form.
    type Owned;

    /// Reads the fields after `version` and `domain`.
    ///
    /// # Errors
    /// DER and range errors.
    fn read_fields<R: Reader<'a>>(reader: &mut R) -> Result<Self>;
    /// Checks every field against its bounds.
    ///
    /// # Errors
    /// Field errors.
    fn validate(&self) -> Result<()>;
    /// The fields after `version` and `domain`, in ASN.1 order.
    fn der_values(&self) -> Vec<DerValue<'_>>;
    /// Copies into the owned form.
    fn to_owned_tbs(&self) -> Self::Owned;
}

/// An owned tbs type and its borrowed view.
pub trait OwnedTbs {
    /// The borrowed view.
    type Ref<'a>: TbsCodec<'a, Owned = Self>
    where
        Self: 'a;
    /// Borrows this tbs.
    fn as_tbs_ref(&self) -> Self::Ref<'_>;
}

/// Reads a complete tbs: `SEQUENCE { version, domain, fields... }`, nothing after it.
pub(crate) fn decode_tbs<'a, T: TbsCodec<'a>>(tbs_der: &'a [u8]) -> Result<T> {
    let mut reader = SliceReader::new(tbs_der)?;
    let tbs = reader.sequence(|inner| {
        read_version(inner, T::KIND, VERSION_1)?;
        read_domain(inner, T::KIND, T::DOMAIN)?;
        T::read_fields(inner)
    })?;
    reader.finish()?;
    tbs.validate()?;
    Ok(tbs)
}

/// Writes a complete tbs after checking its fields.
pub(crate) fn encode_tbs<'a, T: TbsCodec<'a>>(tbs: &T) -> Result<Vec<u8>> {
    tbs.validate()?;
    let mut values = vec![DerValue::Uint(u128::from(VERSION_1)), DerValue::Oid(T::DOMAIN)];
    values.extend(tbs.der_values());
    encode_sequence(&values)
}
