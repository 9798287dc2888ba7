//! Certificates: the chain of a PEM text, and the test vendors that mint simulated chips.

use napi::bindgen_prelude::{Buffer, Unknown};
use napi_derive::napi;

use crate::args;
use crate::error::{OrThrow, invalid_argument};
use crate::keys::DeviceKey;

/// The certificates of a PEM text, in order (DER each): an NVIDIA GPU's chain as NVML
/// returns it.
#[napi]
pub fn certificates_from_pem(
    #[napi(ts_arg_type = "string")] text: Unknown<'_>,
) -> napi::Result<Vec<Buffer>, String> {
    let text = args::string(text, &"text")?;
    Ok(poci::x509::certificates_from_pem(&text)
        .or_throw()?
        .into_iter()
        .map(Buffer::from)
        .collect())
}

/// A deterministic test vendor that mints simulated chips.
#[napi]
pub struct TestVendor(poci::x509::mint::TestVendor);

/// A minted chip: its device key and certificate.
#[napi]
pub struct MintedChip {
    key: Option<poci::DeviceKey>,
    certificate: Vec<u8>,
}

#[napi]
impl MintedChip {
    /// The chip's device key.
    #[napi(getter)]
    pub fn key(&self) -> napi::Result<DeviceKey, String> {
        self.key
            .clone()
            .map(DeviceKey)
            .ok_or_else(|| invalid_argument("no key"))
    }
    /// The device certificate (DER).
    #[napi(getter)]
    pub fn certificate(&self) -> Buffer {
        Buffer::from(self.certificate.clone())
    }
}

#[napi]
impl TestVendor {
    /// One of the repository's test vendors.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "string")] organization: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let organization = args::string(organization, &"organization")?;
        Ok(Self(
            poci::x509::mint::TestVendor::from_seed(&vendor_id, &organization).or_throw()?,
        ))
    }
    /// The testnet stand-in of a real vendor.
    #[napi(factory)]
    pub fn testnet(
        #[napi(ts_arg_type = "string")] vendor_id: Unknown<'_>,
        #[napi(ts_arg_type = "string")] display_name: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let vendor_id = args::string(vendor_id, &"vendorId")?;
        let display_name = args::string(display_name, &"displayName")?;
        Ok(Self(
            poci::x509::mint::testnet_vendor(&vendor_id, &display_name).or_throw()?,
        ))
    }
    /// Mints a chip of `modelId` with `serial`: its device key (from `seed`) and device
    /// certificate; `certificateSerial` and `securityVersion` default to 1.
    #[napi]
    pub fn mint_chip(
        &self,
        #[napi(ts_arg_type = "Buffer")] seed: Unknown<'_>,
        #[napi(ts_arg_type = "string")] model_id: Unknown<'_>,
        #[napi(ts_arg_type = "Buffer")] serial: Unknown<'_>,
        #[napi(ts_arg_type = "bigint | undefined | null")] certificate_serial: Option<Unknown<'_>>,
        #[napi(ts_arg_type = "number | undefined | null")] security_version: Option<Unknown<'_>>,
    ) -> napi::Result<MintedChip, String> {
        let seed = args::bytes(seed, &"seed")?;
        let identity = poci::ChipIdentity {
            model_id: args::string(model_id, &"modelId")?,
            serial: args::bytes(serial, &"serial")?.to_vec(),
            security_version: args::optional(security_version, |value| {
                args::u32(value, &"securityVersion")
            })?
            .unwrap_or(1),
        };
        let certificate_serial = args::optional(certificate_serial, |value| {
            args::u64(value, &"certificateSerial")
        })?
        .unwrap_or(1);
        let (key, certificate) = self
            .0
            .mint_chip(&seed, &identity, certificate_serial)
            .or_throw()?;
        Ok(MintedChip {
            key: Some(key),
            certificate,
        })
    }
    /// The intermediate certificate chips carry (DER).
    #[napi(getter)]
    pub fn intermediate_der(&self) -> Buffer {
        Buffer::from(self.0.intermediate_der.clone())
    }
}
