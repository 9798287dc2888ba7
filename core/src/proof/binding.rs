//! `ChipBinding`: a chip's signed claim of a wallet, with its certificate chain.

use der::SliceReader;
use serde::{Deserialize, Serialize};

use super::codec::{OwnedTbs, TbsCodec};
use super::tbs_to_der;
use crate::der::{
    DerValue, read_all, read_end, read_octets, read_sequence_of_sequences, read_tlv, read_u32,
    read_u64, read_utf8, tag,
};
use crate::error::{Error, Field, MessageKind, Result};
use crate::identifier::validate_identifier;
use crate::json::{dec_u64, hex_32, hex_bytes};
use crate::limits::{
    MAX_CERTIFICATE_LEN, MAX_CHAIN_CERTIFICATES, MAX_CHIP_BINDING_LEN, MAX_MODEL_ID_LEN,
    MAX_NETWORK_ID_LEN, MAX_SERIAL_LEN, MAX_WALLET_LEN,
};
use crate::limits::{check_len, fixed};
use crate::oid::CHIP_BINDING_DOMAIN_DER;

/// The signed content of a chip binding, parsed in place.
///
/// ```text
/// ChipBindingTbs ::= SEQUENCE {
///     version         INTEGER (1),
///     domain          OBJECT IDENTIFIER (id-poci-msg-chipBinding),
///     networkId       UTF8String (SIZE (1..32)),
///     chipSerial      OCTET STRING (SIZE (1..64)),
///     modelId         UTF8String (SIZE (1..64)),
///     wallet          OCTET STRING (SIZE (1..64)),
///     bindingCounter  INTEGER (0..18446744073709551615),
///     epoch           INTEGER (0..18446744073709551615),
///     slot            INTEGER (0..4294967295),
///     challenge       OCTET STRING (SIZE (32)),
///     certificates    SEQUENCE SIZE (1..4) OF Certificate
///                     -- device certificate first, then intermediates toward the root;
///                     -- each at most 4096 bytes; the root is never included
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipBindingTbsRef<'a> {
    /// Network the binding is for.
    pub network_id: &'a str,
    /// The chip's serial number, as its certificate states it.
    pub chip_serial: &'a [u8],
    /// The chip's model id, as its certificate states it.
    pub model_id: &'a str,
    /// Wallet that claims the chip.
    pub wallet: &'a [u8],
    /// The chip's monotonic binding counter.
    pub binding_counter: u64,
    /// Epoch of the slot whose challenge is answered.
    pub epoch: u64,
    /// Slot whose challenge is answered.
    pub slot: u32,
    /// That slot's challenge.
    pub challenge: &'a [u8; 32],
    /// DER certificates: device certificate first, then intermediates.
    pub certificates: Vec<&'a [u8]>,
}

/// The signed content of a chip binding, owned (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipBindingTbs {
    /// Network the binding is for.
    pub network_id: String,
    /// The chip's serial number.
    #[serde(with = "hex_bytes")]
    pub chip_serial: Vec<u8>,
    /// The chip's model id.
    pub model_id: String,
    /// Wallet that claims the chip.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// The chip's monotonic binding counter.
    #[serde(with = "dec_u64")]
    pub binding_counter: u64,
    /// Epoch of the slot whose challenge is answered.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// Slot whose challenge is answered.
    pub slot: u32,
    /// That slot's challenge.
    #[serde(with = "hex_32")]
    pub challenge: [u8; 32],
    /// DER certificates, each as lowercase hex: device certificate first.
    #[serde(with = "hex_list")]
    pub certificates: Vec<Vec<u8>>,
}

/// Serde adapter: a list of byte strings as a list of lowercase hex strings.
mod hex_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Hex(#[serde(with = "crate::json::hex_bytes")] Vec<u8>);

    pub(super) fn serialize<S: Serializer>(
        value: &[Vec<u8>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(value.iter().map(|bytes| Hex(bytes.clone())))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<Hex>::deserialize(deserializer)?
            .into_iter()
            .map(|hex| hex.0)
            .collect())
    }
}

/// A binding's fields as read (from DER or JSON), before their bounds.
#[derive(Debug, Clone)]
struct BindingFields<'a> {
    network_id: &'a str,
    chip_serial: &'a [u8],
    model_id: &'a str,
    wallet: &'a [u8],
    binding_counter: u64,
    epoch: u64,
    slot: u32,
    challenge: &'a [u8],
    certificates: Vec<&'a [u8]>,
}

impl<'a> BindingFields<'a> {
    /// The bounds of SPEC.md 6.1 step 3, in field order.
    fn check(self) -> Result<ChipBindingTbsRef<'a>> {
        validate_identifier(self.network_id, Field::NetworkId, MAX_NETWORK_ID_LEN)?;
        check_len(Field::ChipSerial, self.chip_serial.len(), MAX_SERIAL_LEN)?;
        validate_identifier(self.model_id, Field::ModelId, MAX_MODEL_ID_LEN)?;
        check_len(Field::Wallet, self.wallet.len(), MAX_WALLET_LEN)?;
        let challenge = fixed(Field::Challenge, self.challenge)?;
        if self.certificates.is_empty() {
            return Err(Error::FieldEmpty {
                field: Field::Certificates,
            });
        }
        if self.certificates.len() > MAX_CHAIN_CERTIFICATES {
            return Err(Error::ChainTooLong {
                count: self.certificates.len(),
                max: MAX_CHAIN_CERTIFICATES,
            });
        }
        for certificate in &self.certificates {
            check_len(Field::Certificate, certificate.len(), MAX_CERTIFICATE_LEN)?;
            check_single_sequence_tlv(certificate)?;
        }
        Ok(ChipBindingTbsRef {
            network_id: self.network_id,
            chip_serial: self.chip_serial,
            model_id: self.model_id,
            wallet: self.wallet,
            binding_counter: self.binding_counter,
            epoch: self.epoch,
            slot: self.slot,
            challenge,
            certificates: self.certificates,
        })
    }
}

/// The JSON form of a binding's tbs as read (SPEC.md 7), its challenge of any length,
/// judged by the bounds in field order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipBindingTbsJson {
    network_id: String,
    #[serde(with = "hex_bytes")]
    chip_serial: Vec<u8>,
    model_id: String,
    #[serde(with = "hex_bytes")]
    wallet: Vec<u8>,
    #[serde(with = "dec_u64")]
    binding_counter: u64,
    #[serde(with = "dec_u64")]
    epoch: u64,
    slot: u32,
    #[serde(with = "hex_bytes")]
    challenge: Vec<u8>,
    #[serde(with = "hex_list")]
    certificates: Vec<Vec<u8>>,
}

impl<'a> TbsCodec<'a> for ChipBindingTbsRef<'a> {
    const KIND: MessageKind = MessageKind::ChipBinding;
    const MAX_LEN: usize = MAX_CHIP_BINDING_LEN;
    const DOMAIN: &'static [u8] = &CHIP_BINDING_DOMAIN_DER;
    type Owned = ChipBindingTbs;

    fn read_fields(reader: &mut SliceReader<'a>) -> Result<Self> {
        let fields = BindingFields {
            network_id: read_utf8(reader)?,
            chip_serial: read_octets(reader)?,
            model_id: read_utf8(reader)?,
            wallet: read_octets(reader)?,
            binding_counter: read_u64(reader, Field::BindingCounter)?,
            epoch: read_u64(reader, Field::Epoch)?,
            slot: read_u32(reader, Field::Slot)?,
            challenge: read_octets(reader)?,
            certificates: read_sequence_of_sequences(reader)?,
        };
        read_end(reader)?;
        fields.check()
    }

    fn validate(&self) -> Result<()> {
        BindingFields {
            network_id: self.network_id,
            chip_serial: self.chip_serial,
            model_id: self.model_id,
            wallet: self.wallet,
            binding_counter: self.binding_counter,
            epoch: self.epoch,
            slot: self.slot,
            challenge: self.challenge,
            certificates: self.certificates.clone(),
        }
        .check()
        .map(drop)
    }

    fn der_values(&self) -> Vec<DerValue<'_>> {
        vec![
            DerValue::Utf8(self.network_id),
            DerValue::Octets(self.chip_serial),
            DerValue::Utf8(self.model_id),
            DerValue::Octets(self.wallet),
            DerValue::Uint(u128::from(self.binding_counter)),
            DerValue::Uint(u128::from(self.epoch)),
            DerValue::Uint(u128::from(self.slot)),
            DerValue::Octets(self.challenge),
            DerValue::SequenceOfTlv(&self.certificates),
        ]
    }

    fn to_owned_tbs(&self) -> ChipBindingTbs {
        ChipBindingTbs {
            network_id: self.network_id.to_owned(),
            chip_serial: self.chip_serial.to_vec(),
            model_id: self.model_id.to_owned(),
            wallet: self.wallet.to_vec(),
            binding_counter: self.binding_counter,
            epoch: self.epoch,
            slot: self.slot,
            challenge: *self.challenge,
            certificates: self.certificates.iter().map(|c| c.to_vec()).collect(),
        }
    }
}

/// A certificate is carried as one complete DER `SEQUENCE` TLV (its contents are
/// judged by chain validation); anything else would not survive a round trip.
fn check_single_sequence_tlv(bytes: &[u8]) -> Result<()> {
    read_all(bytes, |reader| read_tlv(reader, tag::SEQUENCE).map(drop))
}

impl OwnedTbs for ChipBindingTbs {
    type Ref<'a> = ChipBindingTbsRef<'a>;
    type Json = ChipBindingTbsJson;

    fn from_json_form(json: ChipBindingTbsJson) -> Result<Self> {
        let fields = BindingFields {
            network_id: &json.network_id,
            chip_serial: &json.chip_serial,
            model_id: &json.model_id,
            wallet: &json.wallet,
            binding_counter: json.binding_counter,
            epoch: json.epoch,
            slot: json.slot,
            challenge: &json.challenge,
            certificates: json.certificates.iter().map(Vec::as_slice).collect(),
        };
        Ok(fields.check()?.to_owned_tbs())
    }

    fn as_tbs_ref(&self) -> ChipBindingTbsRef<'_> {
        ChipBindingTbsRef {
            network_id: &self.network_id,
            chip_serial: &self.chip_serial,
            model_id: &self.model_id,
            wallet: &self.wallet,
            binding_counter: self.binding_counter,
            epoch: self.epoch,
            slot: self.slot,
            challenge: &self.challenge,
            certificates: self.certificates.iter().map(Vec::as_slice).collect(),
        }
    }
}

impl ChipBindingTbs {
    /// The DER of this tbs: the bytes a device key signs.
    ///
    /// # Errors
    /// The field errors of SPEC.md.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        tbs_to_der(self)
    }
}
