//! The `poci-chip-identity` certificate extension.

use der::SliceReader;
use serde::{Deserialize, Serialize};

use crate::der::{
    DerValue, encode_sequence, read_all, read_octets, read_sequence, read_u32, read_utf8,
};
use crate::error::{CertProblem, Error, Field, Result};
use crate::identifier::validate_identifier;
use crate::json::hex_bytes;
use crate::limits::check_len;
use crate::limits::{MAX_MODEL_ID_LEN, MAX_SERIAL_LEN};

/// What a device certificate says about its chip.
///
/// ```text
/// ChipIdentity ::= SEQUENCE {           -- extnValue of id-poci-ext-chipIdentity (non-critical)
///     modelId          UTF8String (SIZE (1..64)),   -- identifier, SPEC.md 3.1
///     serial           OCTET STRING (SIZE (1..64)),
///     securityVersion  INTEGER (0..4294967295)      -- firmware security version
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipIdentity {
    /// Registry id of the chip model.
    pub model_id: String,
    /// The chip's serial number.
    #[serde(with = "hex_bytes")]
    pub serial: Vec<u8>,
    /// Security version of the chip's firmware.
    pub security_version: u32,
}

fn bad() -> Error {
    Error::BadCertificate {
        problem: CertProblem::ChipIdentity,
    }
}

impl ChipIdentity {
    /// Parses the extension value.
    ///
    /// # Errors
    /// `BAD_CERTIFICATE` (chip identity) for anything but the structure above.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        fn parse<'a>(reader: &mut SliceReader<'a>) -> Result<(&'a str, &'a [u8], u32)> {
            read_sequence(reader, |inner| {
                let model_id = read_utf8(inner)?;
                let serial = read_octets(inner)?;
                let security_version = read_u32(inner, Field::Version)?;
                Ok((model_id, serial, security_version))
            })
        }
        let (model_id, serial, security_version) = read_all(der, parse).map_err(|_| bad())?;
        let identity = Self {
            model_id: model_id.to_owned(),
            serial: serial.to_vec(),
            security_version,
        };
        identity.validate().map_err(|_| bad())?;
        Ok(identity)
    }

    /// Encodes the extension value.
    ///
    /// # Errors
    /// `FIELD_*` or `INVALID_IDENTIFIER` errors for out-of-bounds fields.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        self.validate()?;
        encode_sequence(&[
            DerValue::Utf8(&self.model_id),
            DerValue::Octets(&self.serial),
            DerValue::Uint(u128::from(self.security_version)),
        ])
    }

    fn validate(&self) -> Result<()> {
        validate_identifier(&self.model_id, Field::ModelId, MAX_MODEL_ID_LEN)?;
        check_len(Field::ChipSerial, self.serial.len(), MAX_SERIAL_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let identity = ChipIdentity {
            model_id: "nvidia-h100-sxm".into(),
            serial: b"SN-1".to_vec(),
            security_version: 3,
        };
        let der = identity.to_der().unwrap();
        assert_eq!(ChipIdentity::from_der(&der).unwrap(), identity);
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(ChipIdentity::from_der(&trailing).is_err());
    }
}
