//! The signed POCI messages: `SEQUENCE { tbs, signature }` (SPEC.md, "Messages").
//!
//! Parsed forms (`*Ref`) borrow the input and are what verification uses; owned
//! forms serialise to the JSON of SPEC.md and cross into the bindings.

mod binding;
pub(crate) mod codec;
mod heartbeat;
mod lease;

pub use binding::{ChipBindingTbs, ChipBindingTbsRef};
pub use heartbeat::{HeartbeatTbs, HeartbeatTbsRef, VerifiedHeartbeat};
pub use lease::{LeaseAcceptanceTbs, LeaseAcceptanceTbsRef, VerifiedLeaseAcceptance};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::der::{DerValue, encode_sequence, read_all, read_octets, read_sequence, read_tlv, tag};
use crate::device_key::{DeviceKey, DevicePublicKey};
use crate::error::{Error, Field, Result};
use crate::json::hex_bytes;
use crate::limits::MAX_SIGNATURE_LEN;
use crate::limits::check_len;
use crate::signature::{Backend, verify_signature};
use codec::{OwnedTbs, TbsCodec, decode_tbs, encode_tbs};

/// A signed `ChipBinding`, owned.
pub type ChipBinding = Signed<ChipBindingTbs>;
/// A signed `ChipBinding`, parsed in place.
pub type ChipBindingRef<'a> = SignedRef<'a, ChipBindingTbsRef<'a>>;
/// A signed `Heartbeat`, owned.
pub type Heartbeat = Signed<HeartbeatTbs>;
/// A signed `Heartbeat`, parsed in place.
pub type HeartbeatRef<'a> = SignedRef<'a, HeartbeatTbsRef<'a>>;
/// A signed `LeaseAcceptance`, owned.
pub type LeaseAcceptance = Signed<LeaseAcceptanceTbs>;
/// A signed `LeaseAcceptance`, parsed in place.
pub type LeaseAcceptanceRef<'a> = SignedRef<'a, LeaseAcceptanceTbsRef<'a>>;

/// A proof id: SHA-256 of the DER of a whole signed message. Strict DER and low-S
/// make it unique per message.
pub type ProofId = [u8; 32];

/// A signed message parsed in place.
///
/// ```text
/// Signed{Tbs} ::= SEQUENCE {
///     tbs        Tbs,
///     signature  OCTET STRING (SIZE (1..72)) -- DER Ecdsa-Sig-Value
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRef<'a, T> {
    tbs: T,
    tbs_der: &'a [u8],
    signature: &'a [u8],
    der: &'a [u8],
}

impl<'a, T: TbsCodec<'a>> SignedRef<'a, T> {
    /// Parses a signed message strictly. The signature's own structure is checked
    /// when it is verified.
    ///
    /// # Errors
    /// `MESSAGE_TOO_LARGE`, `DER_MALFORMED`, `DER_NONCANONICAL`, `TRAILING_DATA`,
    /// `UNSUPPORTED_VERSION`, `WRONG_DOMAIN_TAG`, and the field errors of SPEC.md.
    pub fn from_der(der: &'a [u8]) -> Result<Self> {
        if der.len() > T::MAX_LEN {
            return Err(Error::MessageTooLarge {
                kind: T::KIND,
                len: der.len(),
                max: T::MAX_LEN,
            });
        }
        let (tbs_der, signature) = read_all(der, |reader| {
            read_sequence(reader, |inner| {
                let (tbs_der, _) = read_tlv(inner, tag::SEQUENCE)?;
                let signature = read_octets(inner)?;
                Ok((tbs_der, signature))
            })
        })?;
        let tbs = decode_tbs::<T>(tbs_der)?;
        check_len(Field::Signature, signature.len(), MAX_SIGNATURE_LEN)?;
        Ok(Self {
            tbs,
            tbs_der,
            signature,
            der,
        })
    }

    /// The parsed tbs.
    pub const fn tbs(&self) -> &T {
        &self.tbs
    }

    /// The DER of the tbs: the bytes the signature covers.
    #[must_use]
    pub const fn tbs_der(&self) -> &'a [u8] {
        self.tbs_der
    }

    /// The DER `Ecdsa-Sig-Value`.
    #[must_use]
    pub const fn signature(&self) -> &'a [u8] {
        self.signature
    }

    /// The whole message.
    #[must_use]
    pub const fn der(&self) -> &'a [u8] {
        self.der
    }

    /// SHA-256 of the whole message.
    #[must_use]
    pub fn proof_id(&self) -> ProofId {
        Sha256::digest(self.der).into()
    }

    /// Verifies the signature under `key` (strict DER, low-S, then the backend).
    ///
    /// # Errors
    /// `SIGNATURE_MALFORMED`, `SIGNATURE_HIGH_S` or `SIGNATURE_INVALID`.
    pub fn verify_signature(&self, backend: Backend, key: &DevicePublicKey) -> Result<()> {
        verify_signature(backend, key, self.tbs_der, self.signature)
    }

    /// Copies into the owned form.
    pub fn to_owned_message(&self) -> Signed<T::Owned> {
        Signed {
            tbs: self.tbs.to_owned_tbs(),
            signature: self.signature.to_vec(),
        }
    }
}

/// A signed message, owned: the form of the JSON of SPEC.md and of the bindings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed<T> {
    /// The signed content.
    pub tbs: T,
    /// The DER `Ecdsa-Sig-Value` over the DER of `tbs`.
    #[serde(with = "hex_bytes")]
    pub signature: Vec<u8>,
}

impl<T: OwnedTbs> Signed<T> {
    /// Signs `tbs` with a device key.
    ///
    /// # Errors
    /// The field errors of `tbs`; `DEVICE_KEY_INVALID` if signing fails.
    pub fn sign(tbs: T, key: &DeviceKey) -> Result<Self> {
        let tbs_der = encode_tbs(&tbs.as_tbs_ref())?;
        let signature = key.sign(&tbs_der)?;
        Ok(Self { tbs, signature })
    }

    /// Parses and copies a signed message.
    ///
    /// # Errors
    /// As [`SignedRef::from_der`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Ok(SignedRef::<T::Ref<'_>>::from_der(der)?.to_owned_message())
    }

    /// Encodes the message as DER.
    ///
    /// # Errors
    /// The field errors of SPEC.md for a field out of bounds.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let tbs_der = encode_tbs(&self.tbs.as_tbs_ref())?;
        check_len(Field::Signature, self.signature.len(), MAX_SIGNATURE_LEN)?;
        let der = encode_sequence(&[DerValue::Raw(&tbs_der), DerValue::Octets(&self.signature)])?;
        let max = <T::Ref<'_> as TbsCodec<'_>>::MAX_LEN;
        if der.len() > max {
            return Err(Error::MessageTooLarge {
                kind: <T::Ref<'_> as TbsCodec<'_>>::KIND,
                len: der.len(),
                max,
            });
        }
        Ok(der)
    }

    /// Checks every field against the bounds of SPEC.md.
    ///
    /// # Errors
    /// The field errors of SPEC.md.
    pub fn validate(&self) -> Result<()> {
        self.to_der().map(drop)
    }

    /// SHA-256 of the message's DER.
    ///
    /// # Errors
    /// As [`Signed::to_der`].
    pub fn proof_id(&self) -> Result<ProofId> {
        Ok(Sha256::digest(self.to_der()?).into())
    }
}

impl<T: OwnedTbs + Serialize> Signed<T> {
    /// The JSON form of SPEC.md.
    ///
    /// # Errors
    /// `JSON_INVALID` only if serialisation fails (not expected).
    pub fn to_json(&self) -> Result<String> {
        crate::json::to_json(self)
    }
}

/// A signed message's JSON form as read: its tbs in the kind's lenient form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedJson<J> {
    tbs: J,
    #[serde(with = "hex_bytes")]
    signature: Vec<u8>,
}

impl<T: OwnedTbs> Signed<T> {
    /// Parses the JSON form of SPEC.md and checks every field in field order (SPEC.md 6.1
    /// step 3: a 31-byte key id is `FIELD_WRONG_LENGTH`, as in DER), so that the result
    /// always encodes.
    ///
    /// # Errors
    /// `JSON_INVALID` for a form that does not parse, then the field errors of SPEC.md.
    pub fn from_json(text: &str) -> Result<Self> {
        let form: SignedJson<T::Json> = crate::json::from_json(text)?;
        let message = Self {
            tbs: T::from_json_form(form.tbs)?,
            signature: form.signature,
        };
        message.validate()?;
        Ok(message)
    }
}

/// Encodes an owned tbs (what a device key signs).
pub(crate) fn tbs_to_der<T: OwnedTbs>(tbs: &T) -> Result<Vec<u8>> {
    encode_tbs(&tbs.as_tbs_ref())
}
