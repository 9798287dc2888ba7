//! The message layer over the DER codec (`crate::der`): how each kind of signed message's
//! tbs is read, bounded and written (SPEC.md 3.2, 6.1).
//!
//! Decoding reads every field as DER first, then checks each against its `MAX_*` bound in
//! field order. Encoding runs the same field checks first, so POCI never emits a message
//! it would refuse to read.

use der::SliceReader;
use serde::de::DeserializeOwned;

use crate::der::{
    DerValue, encode_sequence, read_all, read_sequence, read_tlv, read_uint_bytes, tag,
    uint_to_u128,
};
use crate::error::{Error, Field, MessageKind, Result};

/// Reads `version INTEGER` and accepts only `expected`.
pub(crate) fn read_version(
    reader: &mut SliceReader<'_>,
    kind: MessageKind,
    expected: u64,
) -> Result<()> {
    let version = match read_uint_bytes(reader, Field::Version) {
        Ok(bytes) => uint_to_u128(bytes).and_then(|v| u64::try_from(v).ok()),
        Err(Error::IntegerOutOfRange { .. }) => None,
        Err(other) => return Err(other),
    };
    if version != Some(expected) {
        return Err(Error::UnsupportedVersion { kind, version });
    }
    Ok(())
}

/// Reads the domain tag `OBJECT IDENTIFIER` and accepts only `expected` (content octets).
pub(crate) fn read_domain(
    reader: &mut SliceReader<'_>,
    kind: MessageKind,
    expected: &[u8],
) -> Result<()> {
    let (_, content) = read_tlv(reader, tag::OID)?;
    if content != expected {
        return Err(Error::WrongDomainTag { expected: kind });
    }
    Ok(())
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

    /// Reads the fields after `version` and `domain` to the end of the tbs, then checks
    /// their bounds in field order (SPEC.md 6.1 steps 2 and 3).
    ///
    /// # Errors
    /// DER and range errors, then field errors.
    fn read_fields(reader: &mut SliceReader<'a>) -> Result<Self>;
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
pub trait OwnedTbs: Sized {
    /// The borrowed view.
    type Ref<'a>: TbsCodec<'a, Owned = Self>
    where
        Self: 'a;
    /// The JSON form as read: fixed-length fields of any length, so that their bounds are
    /// judged in field order with the others (SPEC.md 6.1 step 3, 7).
    type Json: DeserializeOwned;
    /// Borrows this tbs.
    fn as_tbs_ref(&self) -> Self::Ref<'_>;
    /// Checks a JSON form's fields in field order and builds the tbs.
    ///
    /// # Errors
    /// The field errors of SPEC.md 6.1 step 3.
    fn from_json_form(json: Self::Json) -> Result<Self>;
}

/// Reads a complete tbs: `SEQUENCE { version, domain, fields... }`, nothing after it.
pub(crate) fn decode_tbs<'a, T: TbsCodec<'a>>(tbs_der: &'a [u8]) -> Result<T> {
    let tbs = read_all(tbs_der, |reader| {
        read_sequence(reader, |inner| {
            read_version(inner, T::KIND, VERSION_1)?;
            read_domain(inner, T::KIND, T::DOMAIN)?;
            T::read_fields(inner)
        })
    })?;
    Ok(tbs)
}

/// Writes a complete tbs after checking its fields.
pub(crate) fn encode_tbs<'a, T: TbsCodec<'a>>(tbs: &T) -> Result<Vec<u8>> {
    tbs.validate()?;
    let mut values = vec![
        DerValue::Uint(u128::from(VERSION_1)),
        DerValue::Oid(T::DOMAIN),
    ];
    values.extend(tbs.der_values());
    encode_sequence(&values)
}
