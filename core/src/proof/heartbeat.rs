//! `Heartbeat`: a chip's proof that it was online in one slot.

use der::SliceReader;
use serde::{Deserialize, Serialize};

use super::codec::{OwnedTbs, TbsCodec};
use super::{HeartbeatRef, ProofId, tbs_to_der};
use crate::der::{
    DerValue, read_end, read_octets, read_optional_context0_octets, read_u32, read_u64, read_utf8,
};
use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{Error, Field, MessageKind, Result};
use crate::identifier::validate_identifier;
use crate::json::{dec_u64, hex_32, hex_bytes, opt_hex_32, opt_hex_bytes};
use crate::limits::{MAX_HEARTBEAT_LEN, MAX_NETWORK_ID_LEN, MAX_WALLET_LEN};
use crate::limits::{check_len, fixed};
use crate::oid::HEARTBEAT_DOMAIN_DER;
use crate::signature::Backend;
use crate::slot_context::{SlotClaims, SlotContext};

/// The signed content of a heartbeat, parsed in place.
///
/// ```text
/// HeartbeatTbs ::= SEQUENCE {
///     version      INTEGER (1),
///     domain       OBJECT IDENTIFIER (id-poci-msg-heartbeat),
///     networkId    UTF8String (SIZE (1..32)),
///     chipKeyId    OCTET STRING (SIZE (32)),
///     wallet       OCTET STRING (SIZE (1..64)),
///     epoch        INTEGER (0..18446744073709551615),
///     slot         INTEGER (0..4294967295),
///     challenge    OCTET STRING (SIZE (32)),
///     counter      INTEGER (0..18446744073709551615),
///     measurement  [0] IMPLICIT OCTET STRING (SIZE (32)) OPTIONAL
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatTbsRef<'a> {
    /// Network the heartbeat is for.
    pub network_id: &'a str,
    /// Key id of the chip.
    pub chip_key_id: &'a [u8; 32],
    /// Wallet the chip is bound to.
    pub wallet: &'a [u8],
    /// Epoch of the slot.
    pub epoch: u64,
    /// Slot within the epoch.
    pub slot: u32,
    /// The slot's challenge.
    pub challenge: &'a [u8; 32],
    /// The chip's monotonic counter.
    pub counter: u64,
    /// Optional digest of the chip's measured environment.
    pub measurement: Option<&'a [u8; 32]>,
}

/// The signed content of a heartbeat, owned (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatTbs {
    /// Network the heartbeat is for.
    pub network_id: String,
    /// Key id of the chip.
    pub chip_key_id: KeyId,
    /// Wallet the chip is bound to.
    #[serde(with = "hex_bytes")]
    pub wallet: Vec<u8>,
    /// Epoch of the slot.
    #[serde(with = "dec_u64")]
    pub epoch: u64,
    /// Slot within the epoch.
    pub slot: u32,
    /// The slot's challenge.
    #[serde(with = "hex_32")]
    pub challenge: [u8; 32],
    /// The chip's monotonic counter.
    #[serde(with = "dec_u64")]
    pub counter: u64,
    /// Optional digest of the chip's measured environment.
    #[serde(with = "opt_hex_32")]
    pub measurement: Option<[u8; 32]>,
}

/// A heartbeat's fields as read (from DER or JSON), before their bounds.
#[derive(Debug, Clone, Copy)]
struct HeartbeatFields<'a> {
    network_id: &'a str,
    chip_key_id: &'a [u8],
    wallet: &'a [u8],
    epoch: u64,
    slot: u32,
    challenge: &'a [u8],
    counter: u64,
    measurement: Option<&'a [u8]>,
}

impl<'a> HeartbeatFields<'a> {
    /// The bounds of SPEC.md 6.1 step 3, in field order.
    fn check(self) -> Result<HeartbeatTbsRef<'a>> {
        validate_identifier(self.network_id, Field::NetworkId, MAX_NETWORK_ID_LEN)?;
        let chip_key_id = fixed(Field::ChipKeyId, self.chip_key_id)?;
        check_len(Field::Wallet, self.wallet.len(), MAX_WALLET_LEN)?;
        let challenge = fixed(Field::Challenge, self.challenge)?;
        let measurement = self
            .measurement
            .map(|bytes| fixed(Field::Measurement, bytes))
            .transpose()?;
        Ok(HeartbeatTbsRef {
            network_id: self.network_id,
            chip_key_id,
            wallet: self.wallet,
            epoch: self.epoch,
            slot: self.slot,
            challenge,
            counter: self.counter,
            measurement,
        })
    }
}

/// The JSON form of a heartbeat's tbs as read (SPEC.md 7): `HeartbeatTbs` with its
/// fixed-length fields of any length, judged by the bounds in field order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatTbsJson {
    network_id: String,
    #[serde(with = "hex_bytes")]
    chip_key_id: Vec<u8>,
    #[serde(with = "hex_bytes")]
    wallet: Vec<u8>,
    #[serde(with = "dec_u64")]
    epoch: u64,
    slot: u32,
    #[serde(with = "hex_bytes")]
    challenge: Vec<u8>,
    #[serde(with = "dec_u64")]
    counter: u64,
    #[serde(with = "opt_hex_bytes")]
    measurement: Option<Vec<u8>>,
}

impl<'a> TbsCodec<'a> for HeartbeatTbsRef<'a> {
    const KIND: MessageKind = MessageKind::Heartbeat;
    const MAX_LEN: usize = MAX_HEARTBEAT_LEN;
    const DOMAIN: &'static [u8] = &HEARTBEAT_DOMAIN_DER;
    type Owned = HeartbeatTbs;

    fn read_fields(reader: &mut SliceReader<'a>) -> Result<Self> {
        let fields = HeartbeatFields {
            network_id: read_utf8(reader)?,
            chip_key_id: read_octets(reader)?,
            wallet: read_octets(reader)?,
            epoch: read_u64(reader, Field::Epoch)?,
            slot: read_u32(reader, Field::Slot)?,
            challenge: read_octets(reader)?,
            counter: read_u64(reader, Field::Counter)?,
            measurement: read_optional_context0_octets(reader)?,
        };
        read_end(reader)?;
        fields.check()
    }

    fn validate(&self) -> Result<()> {
        HeartbeatFields {
            network_id: self.network_id,
            chip_key_id: self.chip_key_id,
            wallet: self.wallet,
            epoch: self.epoch,
            slot: self.slot,
            challenge: self.challenge,
            counter: self.counter,
            measurement: self.measurement.map(<[u8; 32]>::as_slice),
        }
        .check()
        .map(drop)
    }

    fn der_values(&self) -> Vec<DerValue<'_>> {
        vec![
            DerValue::Utf8(self.network_id),
            DerValue::Octets(self.chip_key_id),
            DerValue::Octets(self.wallet),
            DerValue::Uint(u128::from(self.epoch)),
            DerValue::Uint(u128::from(self.slot)),
            DerValue::Octets(self.challenge),
            DerValue::Uint(u128::from(self.counter)),
            DerValue::OptionalContext0Octets(self.measurement.map(<[u8; 32]>::as_slice)),
        ]
    }

    fn to_owned_tbs(&self) -> HeartbeatTbs {
        HeartbeatTbs {
            network_id: self.network_id.to_owned(),
            chip_key_id: KeyId(*self.chip_key_id),
            wallet: self.wallet.to_vec(),
            epoch: self.epoch,
            slot: self.slot,
            challenge: *self.challenge,
            counter: self.counter,
            measurement: self.measurement.copied(),
        }
    }
}

impl OwnedTbs for HeartbeatTbs {
    type Ref<'a> = HeartbeatTbsRef<'a>;
    type Json = HeartbeatTbsJson;

    fn from_json_form(json: HeartbeatTbsJson) -> Result<Self> {
        let fields = HeartbeatFields {
            network_id: &json.network_id,
            chip_key_id: &json.chip_key_id,
            wallet: &json.wallet,
            epoch: json.epoch,
            slot: json.slot,
            challenge: &json.challenge,
            counter: json.counter,
            measurement: json.measurement.as_deref(),
        };
        Ok(fields.check()?.to_owned_tbs())
    }

    fn as_tbs_ref(&self) -> HeartbeatTbsRef<'_> {
        HeartbeatTbsRef {
            network_id: &self.network_id,
            chip_key_id: &self.chip_key_id.0,
            wallet: &self.wallet,
            epoch: self.epoch,
            slot: self.slot,
            challenge: &self.challenge,
            counter: self.counter,
            measurement: self.measurement.as_ref(),
        }
    }
}

impl HeartbeatTbs {
    /// The DER of this tbs: the bytes a device key signs.
    ///
    /// # Errors
    /// The field errors of SPEC.md.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        tbs_to_der(self)
    }
}

/// A heartbeat that passed verification (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedHeartbeat {
    /// SHA-256 of the heartbeat's DER.
    #[serde(with = "hex_32")]
    pub proof_id: ProofId,
    /// The verified content.
    pub heartbeat: HeartbeatTbs,
}

impl<'a> HeartbeatRef<'a> {
    /// Checks a parsed heartbeat against its context and the chip's key, in the order
    /// of SPEC.md: chip key, network, slot, challenge, wallet, then the signature
    /// (cheap checks first, so a mismatched heartbeat costs no signature check).
    ///
    /// # Errors
    /// `CHIP_KEY_MISMATCH`, `WRONG_NETWORK`, `WRONG_SLOT`, `CHALLENGE_MISMATCH`,
    /// `WALLET_MISMATCH`, `SIGNATURE_MALFORMED`, `SIGNATURE_HIGH_S`, `SIGNATURE_INVALID`.
    pub fn verify(
        &self,
        backend: Backend,
        key: &DevicePublicKey,
        context: &SlotContext<'_>,
    ) -> Result<()> {
        let tbs = self.tbs();
        if tbs.chip_key_id != key.key_id().as_bytes() {
            return Err(Error::ChipKeyMismatch);
        }
        context.check(&SlotClaims {
            network_id: tbs.network_id,
            epoch: tbs.epoch,
            slot: tbs.slot,
            challenge: tbs.challenge,
            wallet: tbs.wallet,
        })?;
        self.verify_signature(backend, key)
    }

    /// The verification result of this heartbeat (call after [`HeartbeatRef::verify`]).
    #[must_use]
    pub fn to_verified(&self) -> VerifiedHeartbeat {
        VerifiedHeartbeat {
            proof_id: self.proof_id(),
            heartbeat: self.tbs().to_owned_tbs(),
        }
    }
}
