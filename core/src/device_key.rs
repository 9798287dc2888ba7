//! Device keys: the P-256 key a chip's security engine holds, its public half, and its key id.

use core::fmt;

use p256::ecdsa::{SigningKey, VerifyingKey, signature::Signer as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CertProblem, Error, Result};
use crate::json::hex_32;
use crate::limits::{PUBLIC_KEY_LEN, SECRET_KEY_LEN};

/// DER of a P-256 `SubjectPublicKeyInfo` up to the uncompressed point:
/// `SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) ...`.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Length of the DER `SubjectPublicKeyInfo` of a P-256 key.
pub const P256_SPKI_LEN: usize = 91;

/// Domain tag of [`DeviceKey::from_seed`]'s derivation.
const SEED_DOMAIN: &[u8] = b"POCI/1/device-key-seed";

/// A chip's identity: SHA-256 of the DER `SubjectPublicKeyInfo` of its device key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(#[serde(with = "hex_32")] pub [u8; 32]);

impl KeyId {
    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The public half of a device key, parsed and checked once (on the curve, not the
/// identity) so that each later verification costs one signature check only.
#[derive(Clone)]
pub struct DevicePublicKey {
    sec1: [u8; PUBLIC_KEY_LEN],
    key_id: KeyId,
    #[cfg(feature = "pure-rust")]
    verifying: VerifyingKey,
}

impl DevicePublicKey {
    /// Parses an uncompressed SEC1 point (`04 || x || y`, 65 bytes).
    ///
    /// # Errors
    /// `PUBLIC_KEY_INVALID` for another length or form, or a point not on P-256.
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self> {
        let sec1 = <[u8; PUBLIC_KEY_LEN]>::try_from(bytes).map_err(|_| Error::PublicKeyInvalid)?;
        if sec1.first() != Some(&0x04) {
            return Err(Error::PublicKeyInvalid);
        }
        // Parsing checks the point is on the curve, whichever backend verifies later.
        #[cfg_attr(not(feature = "pure-rust"), allow(unused_variables))]
        let verifying =
            VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| Error::PublicKeyInvalid)?;
        let mut hasher = Sha256::new();
        hasher.update(P256_SPKI_PREFIX);
        hasher.update(sec1);
        let key_id = KeyId(hasher.finalize().into());
        Ok(Self {
            sec1,
            key_id,
            #[cfg(feature = "pure-rust")]
            verifying,
        })
    }

    /// A key checked by [`Self::from_sec1_bytes`] before, rebuilt from its point and key id
    /// without hashing or checking again (the ledger keeps only those). The pure-Rust
    /// backend decodes the point for its own verifying key.
    ///
    /// # Errors
    /// `PUBLIC_KEY_INVALID` only if the point was never valid (pure-Rust builds).
    pub(crate) fn from_checked_parts(sec1: [u8; PUBLIC_KEY_LEN], key_id: KeyId) -> Result<Self> {
        #[cfg(feature = "pure-rust")]
        let verifying =
            VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| Error::PublicKeyInvalid)?;
        Ok(Self {
            sec1,
            key_id,
            #[cfg(feature = "pure-rust")]
            verifying,
        })
    }

    /// Parses the DER `SubjectPublicKeyInfo` of a P-256 key with an uncompressed point.
    ///
    /// # Errors
    /// `PUBLIC_KEY_INVALID` for any other SubjectPublicKeyInfo.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self> {
        let point = spki
            .strip_prefix(P256_SPKI_PREFIX.as_slice())
            .ok_or(Error::PublicKeyInvalid)?;
        Self::from_sec1_bytes(point)
    }

    /// The device key a device certificate certifies: what a wallet verifies a chip's
    /// heartbeats with. The certificate is DER or PEM text of one `CERTIFICATE` block, read
    /// strictly, and must be a device certificate of the profile (SPEC.md 6.4, 10): no CA,
    /// the POCI device-attestation EKU and keyUsage digitalSignature, a P-256 key. Decoding
    /// only: the chain, validity period and revocation are the binding's checks.
    ///
    /// # Errors
    /// `FIELD_EMPTY` / `FIELD_TOO_LONG` for empty or oversized input; `BAD_CERTIFICATE`
    /// for anything the certificate reader refuses, PEM that is not exactly one
    /// `CERTIFICATE` block (`Encoding`), a key that is not P-256 (`Algorithm`) or a CA
    /// certificate (`BasicConstraints`); `WRONG_KEY_USAGE` for a certificate whose key may
    /// not sign attestations.
    pub fn from_certificate(certificate: &[u8]) -> Result<Self> {
        let der = crate::x509::pem::one_certificate(certificate)?;
        let parsed = crate::x509::cert::ParsedCertificate::from_der(&der)?;
        let key = Self::from_spki_der(parsed.spki).map_err(|_| Error::BadCertificate {
            problem: CertProblem::Algorithm,
        })?;
        parsed.check_device_usage()?;
        Ok(key)
    }

    /// The uncompressed SEC1 point.
    #[must_use]
    pub const fn sec1_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.sec1
    }

    /// The DER `SubjectPublicKeyInfo`.
    #[must_use]
    pub fn spki_der(&self) -> [u8; P256_SPKI_LEN] {
        let mut out = [0u8; P256_SPKI_LEN];
        let (prefix, point) = out.split_at_mut(P256_SPKI_PREFIX.len());
        prefix.copy_from_slice(&P256_SPKI_PREFIX);
        point.copy_from_slice(&self.sec1);
        out
    }

    /// The chip's key id.
    #[must_use]
    pub const fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    #[cfg(feature = "pure-rust")]
    pub(crate) const fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying
    }
}

impl PartialEq for DevicePublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.sec1 == other.sec1
    }
}

impl Eq for DevicePublicKey {}

impl fmt::Debug for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DevicePublicKey({})", self.key_id)
    }
}

/// A device key for simulated chips, tests and examples: signs with RFC 6979
/// deterministic ECDSA and always emits the low-S form.
#[derive(Clone)]
pub struct DeviceKey {
    signing: SigningKey,
    public: DevicePublicKey,
}

impl DeviceKey {
    /// Builds a key from its 32-byte big-endian secret scalar.
    ///
    /// # Errors
    /// `DEVICE_KEY_INVALID` for another length, zero, or a value not below the group order.
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self> {
        if secret.len() != SECRET_KEY_LEN {
            return Err(Error::DeviceKeyInvalid);
        }
        let signing = SigningKey::from_slice(secret).map_err(|_| Error::DeviceKeyInvalid)?;
        let point = signing.verifying_key().to_sec1_point(false);
        let public = DevicePublicKey::from_sec1_bytes(point.as_bytes())?;
        Ok(Self { signing, public })
    }

    /// Derives a key deterministically from a seed (simulations and test vendors):
    /// the first `SHA-256("POCI/1/device-key-seed" || u32be(i) || seed)`, i = 0, 1, ...,
    /// that is a valid secret scalar.
    ///
    /// # Errors
    /// `DEVICE_KEY_INVALID` if 256 candidates in a row are out of range (probability
    /// below 2^-8000; the bound keeps the loop finite).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        for attempt in 0u32..256 {
            let mut hasher = Sha256::new();
            hasher.update(SEED_DOMAIN);
            hasher.update(attempt.to_be_bytes());
            hasher.update(seed);
            let candidate: [u8; 32] = hasher.finalize().into();
            if let Ok(key) = Self::from_secret_bytes(&candidate) {
                return Ok(key);
            }
        }
        Err(Error::DeviceKeyInvalid)
    }

    /// The 32-byte secret scalar (for persisting a simulated chip).
    #[must_use]
    pub fn to_secret_bytes(&self) -> [u8; SECRET_KEY_LEN] {
        self.signing.to_bytes().into()
    }

    /// The public half.
    #[must_use]
    pub const fn public_key(&self) -> &DevicePublicKey {
        &self.public
    }

    /// The chip's key id.
    #[must_use]
    pub const fn key_id(&self) -> &KeyId {
        self.public.key_id()
    }

    /// Signs `message` (the DER of a tbs): RFC 6979 nonce, SHA-256, low-S, DER output.
    ///
    /// # Errors
    /// `DEVICE_KEY_INVALID` if the signer fails (not expected for a valid key).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signature: p256::ecdsa::Signature = self
            .signing
            .try_sign(message)
            .map_err(|_| Error::DeviceKeyInvalid)?;
        Ok(signature.normalize_s().to_der().as_bytes().to_vec())
    }
}

impl fmt::Debug for DeviceKey {
    /// Shows the key id only: the secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({})", self.public.key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{Backend, EcdsaSignature, verify_signature};

    #[test]
    fn seed_derivation_is_deterministic() {
        let a = DeviceKey::from_seed(b"chip-1").unwrap();
        let b = DeviceKey::from_seed(b"chip-1").unwrap();
        let c = DeviceKey::from_seed(b"chip-2").unwrap();
        assert_eq!(a.to_secret_bytes(), b.to_secret_bytes());
        assert_ne!(a.key_id(), c.key_id());
    }

    #[test]
    fn signatures_are_deterministic_low_s_and_verify() {
        let key = DeviceKey::from_seed(b"chip").unwrap();
        for i in 0u32..64 {
            let message = i.to_be_bytes();
            let signature = key.sign(&message).unwrap();
            assert_eq!(signature, key.sign(&message).unwrap());
            assert!(!EcdsaSignature::from_der(&signature).unwrap().is_high_s());
            for backend in Backend::ALL {
                verify_signature(*backend, key.public_key(), &message, &signature).unwrap();
            }
        }
    }

    #[test]
    fn invalid_secret_keys() {
        assert_eq!(
            DeviceKey::from_secret_bytes(&[0u8; 32]).unwrap_err(),
            Error::DeviceKeyInvalid
        );
        assert_eq!(
            DeviceKey::from_secret_bytes(&[0xffu8; 32]).unwrap_err(),
            Error::DeviceKeyInvalid
        );
        assert_eq!(
            DeviceKey::from_secret_bytes(&[1u8; 31]).unwrap_err(),
            Error::DeviceKeyInvalid
        );
    }

    #[test]
    fn public_key_from_a_device_certificate() {
        use crate::x509::ChipIdentity;
        use crate::x509::mint::{TestVendor, to_pem};
        let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
        let identity = ChipIdentity {
            model_id: "poci-test-a-accel-1".to_owned(),
            serial: b"serial-1".to_vec(),
            security_version: 1,
        };
        let (key, certificate) = vendor.mint_chip(b"chip", &identity, 7).unwrap();
        let from_der = DevicePublicKey::from_certificate(&certificate).unwrap();
        assert_eq!(from_der, *key.public_key());
        assert_eq!(from_der.key_id(), key.key_id());
        let pem = to_pem("CERTIFICATE", &certificate).unwrap();
        assert_eq!(
            DevicePublicKey::from_certificate(pem.as_bytes()).unwrap(),
            from_der
        );
        // A CA certificate certifies no device key.
        assert_eq!(
            DevicePublicKey::from_certificate(&vendor.intermediate_der).unwrap_err(),
            Error::BadCertificate {
                problem: CertProblem::BasicConstraints
            }
        );
        // A truncated certificate is refused by the reader.
        let cut = certificate.get(..certificate.len() - 1).unwrap();
        assert_eq!(
            DevicePublicKey::from_certificate(cut).unwrap_err().code(),
            "BAD_CERTIFICATE"
        );
        // Two blocks are not one certificate.
        let two = format!("{pem}{pem}");
        assert_eq!(
            DevicePublicKey::from_certificate(two.as_bytes()).unwrap_err(),
            Error::BadCertificate {
                problem: CertProblem::Encoding
            }
        );
        assert_eq!(
            DevicePublicKey::from_certificate(b"").unwrap_err().code(),
            "FIELD_EMPTY"
        );
    }

    #[test]
    fn public_key_from_a_certificate_refuses_other_usages() {
        use crate::x509::mint::{
            CertificateTemplate, DistinguishedName, Issuer, X509Extension, issue_certificate,
        };
        let issuer_key = DeviceKey::from_seed(b"issuer").unwrap();
        let issuer_name = DistinguishedName {
            organization: "POCI Test".to_owned(),
            common_name: "Issuer".to_owned(),
        };
        let device = DeviceKey::from_seed(b"device").unwrap();
        let issue = |extensions: Vec<X509Extension>| {
            let template = CertificateTemplate {
                serial: 9,
                subject: DistinguishedName {
                    organization: "POCI Test".to_owned(),
                    common_name: "Device".to_owned(),
                },
                not_before: 1_700_000_000,
                not_after: 1_900_000_000,
                extensions,
            };
            let issuer = Issuer {
                name: &issuer_name,
                key: &issuer_key,
            };
            issue_certificate(&template, device.public_key(), issuer).unwrap()
        };
        let signs = X509Extension::key_usage_device().unwrap();
        let attests = X509Extension::device_attestation().unwrap();
        let good = issue(vec![signs.clone(), attests.clone()]);
        assert_eq!(
            DevicePublicKey::from_certificate(&good).unwrap(),
            *device.public_key()
        );
        for extensions in [vec![signs], vec![attests]] {
            assert_eq!(
                DevicePublicKey::from_certificate(&issue(extensions)).unwrap_err(),
                Error::WrongKeyUsage
            );
        }
    }

    #[test]
    fn public_key_forms() {
        let key = DeviceKey::from_seed(b"chip").unwrap();
        let public = key.public_key();
        let spki = public.spki_der();
        assert_eq!(DevicePublicKey::from_spki_der(&spki).unwrap(), *public);
        let digest: [u8; 32] = Sha256::digest(spki).into();
        assert_eq!(public.key_id().0, digest);
        let mut off_curve = *public.sec1_bytes();
        off_curve[64] ^= 1;
        assert_eq!(
            DevicePublicKey::from_sec1_bytes(&off_curve).unwrap_err(),
            Error::PublicKeyInvalid
        );
        let mut compressed = public.sec1_bytes()[..33].to_vec();
        compressed[0] = 0x02;
        assert_eq!(
            DevicePublicKey::from_sec1_bytes(&compressed).unwrap_err(),
            Error::PublicKeyInvalid
        );
    }
}
