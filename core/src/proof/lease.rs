//! `LeaseAcceptance`: a chip's signed consent to be rented, so that only the holder
//! of a chip can rent it out.

use der::SliceReader;
use serde::{Deserialize, Serialize};

use super::codec::{OwnedTbs, TbsCodec};
use super::{LeaseAcceptanceRef, ProofId, tbs_to_der};
use crate::der::{DerValue, read_end, read_octets, read_u64, read_u128, read_utf8};
use crate::device_key::{DevicePublicKey, KeyId};
use crate::error::{Error, Field, MessageKind, Result};
use crate::identifier::validate_identifier;
use crate::json::{dec_u64, dec_u128, hex_32, hex_bytes};
use crate::limits::{
    MAX_LEASE_ACCEPTANCE_LEN, MAX_LEASE_ID_LEN, MAX_NETWORK_ID_LEN, MAX_WALLET_LEN,
};
use crate::limits::{check_len, fixed};
use crate::oid::LEASE_ACCEPTANCE_DOMAIN_DER;
use crate::signature::Backend;

/// The signed content of a lease acceptance, parsed in place.
///
/// ```text
/// LeaseAcceptanceTbs ::= SEQUENCE {
///     version       INTEGER (1),
///     domain        OBJECT IDENTIFIER (id-poci-msg-leaseAcceptance),
///     networkId     UTF8String (SIZE (1..32)),
///     leaseId       OCTET STRING (SIZE (1..64)),
///     renterWallet  OCTET STRING (SIZE (1..64)),
///     chipKeyId     OCTET STRING (SIZE (32)),
///     firstEpoch    INTEGER (0..18446744073709551615),
///     lastEpoch     INTEGER (0..18446744073709551615), -- firstEpoch <= lastEpoch
///     price         INTEGER (0..340282366920938463463374607431768211455)
///                   -- base units for the whole lease
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseAcceptanceTbsRef<'a> {
    /// Network the lease is on.
    pub network_id: &'a str,
    /// Identifier of the lease, chosen by the marketplace.
    pub lease_id: &'a [u8],
    /// Wallet that rents the chip.
    pub renter_wallet: &'a [u8],
    /// Key id of the rented chip.
    pub chip_key_id: &'a [u8; 32],
    /// First epoch of the lease (inclusive).
    pub first_epoch: u64,
    /// Last epoch of the lease (inclusive).
    pub last_epoch: u64,
    /// Price of the whole lease in base units.
    pub price: u128,
}

/// The signed content of a lease acceptance, owned (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseAcceptanceTbs {
    /// Network the lease is on.
    pub network_id: String,
    /// Identifier of the lease.
    #[serde(with = "hex_bytes")]
    pub lease_id: Vec<u8>,
    /// Wallet that rents the chip.
    #[serde(with = "hex_bytes")]
    pub renter_wallet: Vec<u8>,
    /// Key id of the rented chip.
    pub chip_key_id: KeyId,
    /// First epoch of the lease (inclusive).
    #[serde(with = "dec_u64")]
    pub first_epoch: u64,
    /// Last epoch of the lease (inclusive).
    #[serde(with = "dec_u64")]
    pub last_epoch: u64,
    /// Price of the whole lease in base units.
    #[serde(with = "dec_u128")]
    pub price: u128,
}

/// A lease acceptance's fields as read (from DER or JSON), before their bounds.
#[derive(Debug, Clone, Copy)]
struct LeaseFields<'a> {
    network_id: &'a str,
    lease_id: &'a [u8],
    renter_wallet: &'a [u8],
    chip_key_id: &'a [u8],
    first_epoch: u64,
    last_epoch: u64,
    price: u128,
}

impl<'a> LeaseFields<'a> {
    /// The bounds of SPEC.md 6.1 step 3, in field order, then the epoch range.
    fn check(self) -> Result<LeaseAcceptanceTbsRef<'a>> {
        validate_identifier(self.network_id, Field::NetworkId, MAX_NETWORK_ID_LEN)?;
        check_len(Field::LeaseId, self.lease_id.len(), MAX_LEASE_ID_LEN)?;
        check_len(
            Field::RenterWallet,
            self.renter_wallet.len(),
            MAX_WALLET_LEN,
        )?;
        let chip_key_id = fixed(Field::ChipKeyId, self.chip_key_id)?;
        if self.first_epoch > self.last_epoch {
            return Err(Error::InvalidEpochRange {
                first_epoch: self.first_epoch,
                last_epoch: self.last_epoch,
            });
        }
        Ok(LeaseAcceptanceTbsRef {
            network_id: self.network_id,
            lease_id: self.lease_id,
            renter_wallet: self.renter_wallet,
            chip_key_id,
            first_epoch: self.first_epoch,
            last_epoch: self.last_epoch,
            price: self.price,
        })
    }
}

impl<'a> From<&LeaseAcceptanceTbsRef<'a>> for LeaseFields<'a> {
    fn from(tbs: &LeaseAcceptanceTbsRef<'a>) -> Self {
        Self {
            network_id: tbs.network_id,
            lease_id: tbs.lease_id,
            renter_wallet: tbs.renter_wallet,
            chip_key_id: tbs.chip_key_id,
            first_epoch: tbs.first_epoch,
            last_epoch: tbs.last_epoch,
            price: tbs.price,
        }
    }
}

/// The JSON form of a lease acceptance's tbs as read (SPEC.md 7), its key id of any
/// length, judged by the bounds in field order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseAcceptanceTbsJson {
    network_id: String,
    #[serde(with = "hex_bytes")]
    lease_id: Vec<u8>,
    #[serde(with = "hex_bytes")]
    renter_wallet: Vec<u8>,
    #[serde(with = "hex_bytes")]
    chip_key_id: Vec<u8>,
    #[serde(with = "dec_u64")]
    first_epoch: u64,
    #[serde(with = "dec_u64")]
    last_epoch: u64,
    #[serde(with = "dec_u128")]
    price: u128,
}

impl<'a> TbsCodec<'a> for LeaseAcceptanceTbsRef<'a> {
    const KIND: MessageKind = MessageKind::LeaseAcceptance;
    const MAX_LEN: usize = MAX_LEASE_ACCEPTANCE_LEN;
    const DOMAIN: &'static [u8] = &LEASE_ACCEPTANCE_DOMAIN_DER;
    type Owned = LeaseAcceptanceTbs;

    fn read_fields(reader: &mut SliceReader<'a>) -> Result<Self> {
        let fields = LeaseFields {
            network_id: read_utf8(reader)?,
            lease_id: read_octets(reader)?,
            renter_wallet: read_octets(reader)?,
            chip_key_id: read_octets(reader)?,
            first_epoch: read_u64(reader, Field::FirstEpoch)?,
            last_epoch: read_u64(reader, Field::LastEpoch)?,
            price: read_u128(reader, Field::Price)?,
        };
        read_end(reader)?;
        fields.check()
    }

    fn validate(&self) -> Result<()> {
        LeaseFields::from(self).check().map(drop)
    }

    fn der_values(&self) -> Vec<DerValue<'_>> {
        vec![
            DerValue::Utf8(self.network_id),
            DerValue::Octets(self.lease_id),
            DerValue::Octets(self.renter_wallet),
            DerValue::Octets(self.chip_key_id),
            DerValue::Uint(u128::from(self.first_epoch)),
            DerValue::Uint(u128::from(self.last_epoch)),
            DerValue::Uint(self.price),
        ]
    }

    fn to_owned_tbs(&self) -> LeaseAcceptanceTbs {
        LeaseAcceptanceTbs {
            network_id: self.network_id.to_owned(),
            lease_id: self.lease_id.to_vec(),
            renter_wallet: self.renter_wallet.to_vec(),
            chip_key_id: KeyId(*self.chip_key_id),
            first_epoch: self.first_epoch,
            last_epoch: self.last_epoch,
            price: self.price,
        }
    }
}

impl OwnedTbs for LeaseAcceptanceTbs {
    type Ref<'a> = LeaseAcceptanceTbsRef<'a>;
    type Json = LeaseAcceptanceTbsJson;

    fn from_json_form(json: LeaseAcceptanceTbsJson) -> Result<Self> {
        let fields = LeaseFields {
            network_id: &json.network_id,
            lease_id: &json.lease_id,
            renter_wallet: &json.renter_wallet,
            chip_key_id: &json.chip_key_id,
            first_epoch: json.first_epoch,
            last_epoch: json.last_epoch,
            price: json.price,
        };
        Ok(fields.check()?.to_owned_tbs())
    }

    fn as_tbs_ref(&self) -> LeaseAcceptanceTbsRef<'_> {
        LeaseAcceptanceTbsRef {
            network_id: &self.network_id,
            lease_id: &self.lease_id,
            renter_wallet: &self.renter_wallet,
            chip_key_id: &self.chip_key_id.0,
            first_epoch: self.first_epoch,
            last_epoch: self.last_epoch,
            price: self.price,
        }
    }
}

impl LeaseAcceptanceTbs {
    /// The DER of this tbs: the bytes a device key signs.
    ///
    /// # Errors
    /// The field errors of SPEC.md.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        tbs_to_der(self)
    }
}

/// A lease acceptance that passed verification (JSON form of SPEC.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedLeaseAcceptance {
    /// SHA-256 of the acceptance's DER.
    #[serde(with = "hex_32")]
    pub proof_id: ProofId,
    /// The accepted terms.
    pub lease: LeaseAcceptanceTbs,
}

impl LeaseAcceptanceRef<'_> {
    /// Checks a parsed lease acceptance against the chip's key and the network:
    /// chip key, network, then the signature.
    ///
    /// # Errors
    /// `CHIP_KEY_MISMATCH`, `WRONG_NETWORK`, `SIGNATURE_MALFORMED`,
    /// `SIGNATURE_HIGH_S`, `SIGNATURE_INVALID`.
    pub fn verify(&self, backend: Backend, key: &DevicePublicKey, network_id: &str) -> Result<()> {
        let tbs = self.tbs();
        if tbs.chip_key_id != key.key_id().as_bytes() {
            return Err(Error::ChipKeyMismatch);
        }
        if tbs.network_id != network_id {
            return Err(Error::WrongNetwork);
        }
        self.verify_signature(backend, key)
    }

    /// The verification result (call after [`LeaseAcceptanceRef::verify`]).
    #[must_use]
    pub fn to_verified(&self) -> VerifiedLeaseAcceptance {
        VerifiedLeaseAcceptance {
            proof_id: self.proof_id(),
            lease: self.tbs().to_owned_tbs(),
        }
    }
}
