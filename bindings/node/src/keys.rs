//! Device keys: a chip's public key, and the P-256 signing key of a simulated chip.

use napi::bindgen_prelude::{Buffer, ClassInstance, Unknown};
use napi_derive::napi;

use crate::args::{self, Name};
use crate::error::{NodeResult, OrThrow};

/// A device public key, parsed once.
#[napi]
pub struct PublicKey(pub(crate) poci::DevicePublicKey);

#[napi]
impl PublicKey {
    /// Parses an uncompressed SEC1 point.
    #[napi(constructor)]
    pub fn new(#[napi(ts_arg_type = "Buffer")] sec1: Unknown<'_>) -> napi::Result<Self, String> {
        let sec1 = args::bytes(sec1, &"sec1")?;
        Ok(Self(
            poci::DevicePublicKey::from_sec1_bytes(&sec1).or_throw()?,
        ))
    }
    /// The device key a device certificate certifies (DER, or PEM of one `CERTIFICATE`
    /// block): what a wallet verifies the chip's heartbeats with. Decoding only: the
    /// binding checks the chain.
    #[napi(factory)]
    pub fn from_certificate(
        #[napi(ts_arg_type = "Buffer")] certificate: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let certificate = args::bytes(certificate, &"certificate")?;
        Ok(Self(
            poci::DevicePublicKey::from_certificate(&certificate).or_throw()?,
        ))
    }
    /// The uncompressed SEC1 point.
    #[napi(getter)]
    pub fn sec1(&self) -> Buffer {
        Buffer::from(self.0.sec1_bytes().to_vec())
    }
    /// The chip's key id.
    #[napi(getter)]
    pub fn key_id(&self) -> Buffer {
        Buffer::from(self.0.key_id().as_bytes().to_vec())
    }
}

/// A public-key argument: a `PublicKey`, or the uncompressed SEC1 bytes of one.
pub(crate) enum KeyArg<'a> {
    /// A parsed key.
    Parsed(ClassInstance<'a, PublicKey>),
    /// SEC1 bytes, not parsed yet.
    Sec1(Buffer),
}

impl<'a> KeyArg<'a> {
    /// Reads a `PublicKey | Buffer` argument.
    pub(crate) fn read(value: Unknown<'a>, name: Name<'_>) -> NodeResult<Self> {
        if let Ok(key) = args::instance::<PublicKey>(value, name, "PublicKey") {
            return Ok(Self::Parsed(key));
        }
        args::bytes(value, name)
            .map(Self::Sec1)
            .map_err(|_| args::mismatch(name, "a PublicKey or a Buffer", &value))
    }

    /// The key as is (no copy on the hot path), or parsed from its bytes.
    pub(crate) fn key(&self) -> NodeResult<std::borrow::Cow<'_, poci::DevicePublicKey>> {
        match self {
            Self::Parsed(key) => Ok(std::borrow::Cow::Borrowed(&key.0)),
            Self::Sec1(bytes) => poci::DevicePublicKey::from_sec1_bytes(bytes)
                .map(std::borrow::Cow::Owned)
                .or_throw(),
        }
    }

    /// The SEC1 bytes, for a batch item (decoded with its item, so a bad key fails that
    /// item only).
    pub(crate) fn sec1(&self) -> Vec<u8> {
        match self {
            Self::Parsed(key) => key.0.sec1_bytes().to_vec(),
            Self::Sec1(bytes) => bytes.to_vec(),
        }
    }
}

/// A P-256 device key for simulated chips (RFC 6979, low-S).
#[napi]
pub struct DeviceKey(pub(crate) poci::DeviceKey);

#[napi]
impl DeviceKey {
    /// Derives a key deterministically from a seed.
    #[napi(factory)]
    pub fn from_seed(
        #[napi(ts_arg_type = "Buffer")] seed: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let seed = args::bytes(seed, &"seed")?;
        Ok(Self(poci::DeviceKey::from_seed(&seed).or_throw()?))
    }
    /// A key from its 32-byte secret scalar.
    #[napi(factory)]
    pub fn from_secret_bytes(
        #[napi(ts_arg_type = "Buffer")] secret: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let secret = args::bytes(secret, &"secret")?;
        Ok(Self(
            poci::DeviceKey::from_secret_bytes(&secret).or_throw()?,
        ))
    }
    /// The secret scalar (keep it secret).
    #[napi]
    pub fn secret_bytes(&self) -> Buffer {
        Buffer::from(self.0.to_secret_bytes().to_vec())
    }
    /// The public key.
    #[napi(getter)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key().clone())
    }
    /// The chip's key id.
    #[napi(getter)]
    pub fn key_id(&self) -> Buffer {
        Buffer::from(self.0.key_id().as_bytes().to_vec())
    }
    /// Signs `message` (DER, low-S).
    #[napi]
    pub fn sign(
        &self,
        #[napi(ts_arg_type = "Buffer")] message: Unknown<'_>,
    ) -> napi::Result<Buffer, String> {
        let message = args::bytes(message, &"message")?;
        Ok(Buffer::from(self.0.sign(&message).or_throw()?))
    }
}

/// A `DeviceKey` argument.
pub(crate) fn device_key_arg<'a>(
    value: Unknown<'a>,
    name: Name<'_>,
) -> NodeResult<ClassInstance<'a, DeviceKey>> {
    args::instance(value, name, "DeviceKey")
}
