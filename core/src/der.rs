//! Strict DER reading and canonical DER writing: the one reader and writer of ASN.1 that
//! POCI messages, certificates, CRLs and the registry use.
//!
//! Decoding goes through the `der` crate's strict reader (definite, minimal lengths,
//! minimal INTEGERs), with POCI's own length parsing so that a non-minimal length is
//! `DER_NONCANONICAL`; integers are checked against the range of their Rust type.

use der::{Encode, Header, Length, Reader, SliceReader, Tag, TagNumber};

use crate::error::{DerProblem, Error, Field, Result};

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
    Length::try_from(len).map_err(Error::of_der)
}

fn write_header(out: &mut Vec<u8>, tag: Tag, len: usize) -> Result<()> {
    Header::new(tag, length(len)?)
        .encode_to_vec(out)
        .map_err(Error::of_der)?;
    Ok(())
}

impl DerValue<'_> {
    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Self::Uint(value) => {
                value.encode_to_vec(out).map_err(Error::of_der)?;
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
                        problem: DerProblem::Length,
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

/// DER tag bytes POCI messages use.
pub(crate) mod tag {
    /// BOOLEAN
    pub(crate) const BOOLEAN: u8 = 0x01;
    /// INTEGER
    pub(crate) const INTEGER: u8 = 0x02;
    /// OCTET STRING
    pub(crate) const OCTET_STRING: u8 = 0x04;
    /// OBJECT IDENTIFIER
    pub(crate) const OID: u8 = 0x06;
    /// UTF8String
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    /// SEQUENCE (constructed)
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// `[0] IMPLICIT` primitive
    pub(crate) const CONTEXT_0: u8 = 0x80;
}

fn position(reader: &SliceReader<'_>) -> Option<u32> {
    Some(u32::from(reader.position()))
}

/// Reads one complete TLV whose tag octet is `expected`, checking that its length
/// is definite and minimally encoded (X.690 10.1). Returns the whole TLV and its value.
///
/// The length is parsed here rather than by `der`, which reports a non-minimal
/// length as a plain length error: POCI distinguishes `DER_NONCANONICAL`.
pub(crate) fn read_tlv<'a>(
    reader: &mut SliceReader<'a>,
    expected: u8,
) -> Result<(&'a [u8], &'a [u8])> {
    let at = position(reader);
    let malformed = |problem| Error::DerMalformed {
        problem,
        position: at,
    };
    let mut head = [0u8; 2];
    reader.peek_into(&mut head).map_err(Error::of_der)?;
    let [tag, first_length_octet] = head;
    if tag != expected {
        return Err(malformed(DerProblem::UnexpectedTag));
    }
    let (length_octets, value_len) = match first_length_octet {
        0x00..=0x7f => (0usize, usize::from(first_length_octet)),
        0x80 => return Err(Error::DerNoncanonical { position: at }),
        0x81..=0x83 => {
            let count = usize::from(first_length_octet & 0x7f);
            let mut buf = [0u8; 5];
            let window = buf
                .get_mut(..count.saturating_add(2))
                .ok_or(malformed(DerProblem::Length))?;
            reader.peek_into(window).map_err(Error::of_der)?;
            let octets = window.get(2..).ok_or(malformed(DerProblem::Length))?;
            let value = octets
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            // Minimal: a shorter form could not have held the value.
            let minimal = match count {
                1 => value >= 0x80,
                _ => octets.first().is_some_and(|b| *b != 0),
            };
            if !minimal {
                return Err(Error::DerNoncanonical { position: at });
            }
            (count, value)
        }
        // Lengths of 16 MiB and more exceed every POCI bound.
        _ => return Err(malformed(DerProblem::Length)),
    };
    let header_len = length_octets.saturating_add(2);
    let total = header_len
        .checked_add(value_len)
        .ok_or(malformed(DerProblem::Length))?;
    let tlv = reader
        .read_slice(Length::try_from(total).map_err(Error::of_der)?)
        .map_err(Error::of_der)?;
    let value = tlv.get(header_len..).ok_or(malformed(DerProblem::Length))?;
    Ok((tlv, value))
}

/// Reads a `SEQUENCE` and runs `fields` over its contents, which it must consume exactly.
pub(crate) fn read_sequence<'a, T>(
    reader: &mut SliceReader<'a>,
    fields: impl FnOnce(&mut SliceReader<'a>) -> Result<T>,
) -> Result<T> {
    let (_, contents) = read_tlv(reader, tag::SEQUENCE)?;
    let mut inner = SliceReader::new(contents).map_err(Error::of_der)?;
    let value = fields(&mut inner)?;
    if !inner.is_finished() {
        return Err(Error::TrailingData {
            position: position(&inner),
        });
    }
    Ok(value)
}

/// Reads a whole input as exactly one value.
pub(crate) fn read_all<'a, T>(
    input: &'a [u8],
    value: impl FnOnce(&mut SliceReader<'a>) -> Result<T>,
) -> Result<T> {
    let mut reader = SliceReader::new(input).map_err(Error::of_der)?;
    let result = value(&mut reader)?;
    if !reader.is_finished() {
        return Err(Error::TrailingData {
            position: position(&reader),
        });
    }
    Ok(result)
}

/// Reads the content octets of a minimal non-negative INTEGER, without leading zero.
pub(crate) fn read_uint_bytes<'a>(reader: &mut SliceReader<'a>, field: Field) -> Result<&'a [u8]> {
    let at = position(reader);
    let (_, content) = read_tlv(reader, tag::INTEGER)?;
    match content {
        [] => Err(Error::DerMalformed {
            problem: DerProblem::Length,
            position: at,
        }),
        [0, next, ..] if *next < 0x80 => Err(Error::DerNoncanonical { position: at }),
        [first, ..] if *first >= 0x80 => Err(Error::IntegerOutOfRange { field }),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest),
        _ => Ok(content),
    }
}

pub(crate) fn uint_to_u128(bytes: &[u8]) -> Option<u128> {
    let mut buf = [0u8; 16];
    let start = buf.len().checked_sub(bytes.len())?;
    buf.get_mut(start..)?.copy_from_slice(bytes);
    Some(u128::from_be_bytes(buf))
}

/// Reads a non-negative INTEGER that must fit a `u128`.
pub(crate) fn read_u128(reader: &mut SliceReader<'_>, field: Field) -> Result<u128> {
    uint_to_u128(read_uint_bytes(reader, field)?).ok_or(Error::IntegerOutOfRange { field })
}

/// Reads a non-negative INTEGER that must fit a `u64`.
pub(crate) fn read_u64(reader: &mut SliceReader<'_>, field: Field) -> Result<u64> {
    u64::try_from(read_u128(reader, field)?).map_err(|_| Error::IntegerOutOfRange { field })
}

/// Reads a non-negative INTEGER that must fit a `u32`.
pub(crate) fn read_u32(reader: &mut SliceReader<'_>, field: Field) -> Result<u32> {
    u32::try_from(read_u128(reader, field)?).map_err(|_| Error::IntegerOutOfRange { field })
}

/// Reads an OCTET STRING.
pub(crate) fn read_octets<'a>(reader: &mut SliceReader<'a>) -> Result<&'a [u8]> {
    Ok(read_tlv(reader, tag::OCTET_STRING)?.1)
}

/// Reads a UTF8String.
pub(crate) fn read_utf8<'a>(reader: &mut SliceReader<'a>) -> Result<&'a str> {
    let at = position(reader);
    let (_, bytes) = read_tlv(reader, tag::UTF8_STRING)?;
    core::str::from_utf8(bytes).map_err(|_| Error::DerMalformed {
        problem: DerProblem::Utf8,
        position: at,
    })
}

/// Reads an optional `[0] IMPLICIT OCTET STRING`.
pub(crate) fn read_optional_context0_octets<'a>(
    reader: &mut SliceReader<'a>,
) -> Result<Option<&'a [u8]>> {
    if reader.peek_byte() != Some(tag::CONTEXT_0) {
        return Ok(None);
    }
    Ok(Some(read_tlv(reader, tag::CONTEXT_0)?.1))
}

/// Reads `SEQUENCE OF` complete SEQUENCE TLVs (certificates) without interpreting their
/// contents; their count and sizes are bounds, judged after the DER (SPEC.md 6.1 step 3).
/// The message's own `MAX_*_LEN` bounds how many there can be.
pub(crate) fn read_sequence_of_sequences<'a>(
    reader: &mut SliceReader<'a>,
) -> Result<Vec<&'a [u8]>> {
    read_sequence(reader, |inner| {
        let mut items = Vec::new();
        while !inner.is_finished() {
            let (item, _) = read_tlv(inner, tag::SEQUENCE)?;
            items.push(item);
        }
        Ok(items)
    })
}

/// The end of a SEQUENCE's fields: anything left is `TRAILING_DATA`. Called before the
/// fields' bounds, so that every DER defect is reported before any bound (SPEC.md 6.1).
pub(crate) fn read_end(reader: &SliceReader<'_>) -> Result<()> {
    if reader.is_finished() {
        Ok(())
    } else {
        Err(Error::TrailingData {
            position: position(reader),
        })
    }
}

/// Writes one TLV with a single-octet tag (X.509 and CRL building).
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Result<Vec<u8>> {
    let len = content.len();
    let too_long = Error::DerMalformed {
        problem: DerProblem::Length,
        position: None,
    };
    let mut out = Vec::with_capacity(len.saturating_add(5));
    out.push(tag);
    match u32::try_from(len).map_err(|_| too_long.clone())? {
        short @ 0..=0x7f => {
            out.extend_from_slice(&[u8::try_from(short).map_err(|_| too_long.clone())?])
        }
        long @ 0x80..=0xff => {
            out.extend_from_slice(&[0x81, u8::try_from(long).map_err(|_| too_long.clone())?])
        }
        long @ 0x100..=0xffff => {
            let [_, _, hi, lo] = long.to_be_bytes();
            out.extend_from_slice(&[0x82, hi, lo]);
        }
        long @ 0x1_0000..=0xff_ffff => {
            let [_, a, b, c] = long.to_be_bytes();
            out.extend_from_slice(&[0x83, a, b, c]);
        }
        _ => return Err(too_long),
    }
    out.extend_from_slice(content);
    Ok(out)
}

/// The content octets of a minimal non-negative INTEGER holding `value` (big-endian bytes).
/// A DER BOOLEAN TLV.
pub(crate) fn boolean(value: bool) -> Result<Vec<u8>> {
    tlv(tag::BOOLEAN, &[if value { 0xff } else { 0x00 }])
}

pub(crate) fn uint_content(value: &[u8]) -> Vec<u8> {
    let start = value
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(value.len().saturating_sub(1));
    let digits = value.get(start..).unwrap_or(&[]);
    let mut out = Vec::with_capacity(digits.len().saturating_add(1));
    if digits.first().is_none_or(|b| *b >= 0x80) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    if out.len() > 1 && out.first() == Some(&0) && out.get(1).is_some_and(|b| *b < 0x80) {
        out.remove(0);
    }
    out
}

/// Reads the content octets of a minimal positive-or-zero INTEGER as they stand
/// (certificate serial numbers keep their sign octet, as CRLs compare them).
pub(crate) fn read_integer_content<'a>(
    reader: &mut SliceReader<'a>,
    field: Field,
) -> Result<&'a [u8]> {
    let at = position(reader);
    let (_, content) = read_tlv(reader, tag::INTEGER)?;
    match content {
        [] => Err(Error::DerMalformed {
            problem: DerProblem::Length,
            position: at,
        }),
        [0, next, ..] if *next < 0x80 => Err(Error::DerNoncanonical { position: at }),
        [0xff, next, ..] if *next >= 0x80 => Err(Error::DerNoncanonical { position: at }),
        [first, ..] if *first >= 0x80 => Err(Error::IntegerOutOfRange { field }),
        _ => Ok(content),
    }
}

/// Reads a TLV of any single-octet tag.
pub(crate) fn read_any<'a>(reader: &mut SliceReader<'a>) -> Result<(u8, &'a [u8], &'a [u8])> {
    let tag = reader.peek_byte().ok_or(Error::DerMalformed {
        problem: DerProblem::Truncated,
        position: position(reader),
    })?;
    let (tlv, value) = read_tlv(reader, tag)?;
    Ok((tag, tlv, value))
}
