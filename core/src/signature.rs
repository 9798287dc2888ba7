//! ECDSA P-256 signatures: strict parsing, the low-S rule, and the two verification backends.
//!
//! Every POCI signature is a DER `Ecdsa-Sig-Value` over SHA-256 of the DER of a tbs.
//! Before any backend sees it, a signature must be strict DER with `r`, `s` in
//! `[1, n-1]` (`SIGNATURE_MALFORMED`) and `s <= n/2` (`SIGNATURE_HIGH_S`): each message
//! then has exactly one valid signature encoding, hence one proof id.

use der::{Decode, Reader, SliceReader, asn1::UintRef};

use crate::device_key::DevicePublicKey;
use crate::error::{Error, Result};
use crate::limits::MAX_SIGNATURE_LEN;

#[cfg(not(any(feature = "ring", feature = "aws-lc", feature = "pure-rust")))]
compile_error!("enable at least one backend: feature `ring`, `aws-lc` or `pure-rust`");

/// The order `n` of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `floor(n / 2)`: the largest `s` of a low-S signature.
const P256_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// A signature verification backend (P-256 for POCI's messages, P-384 for NVIDIA's
/// evidence). Every backend gives the same verdict on every input (the Wycheproof and
/// conformance tests check it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// ring's assembly-optimised P-256 (feature `ring`, the default).
    #[cfg(feature = "ring")]
    Ring,
    /// AWS-LC through aws-lc-rs (feature `aws-lc`, default): the fastest P-384.
    #[cfg(feature = "aws-lc")]
    AwsLc,
    /// The pure-Rust RustCrypto `p256` crate (feature `pure-rust`), for targets without C.
    #[cfg(feature = "pure-rust")]
    PureRust,
}

impl Default for Backend {
    /// The fastest backend compiled in: AWS-LC, else ring, else pure Rust.
    fn default() -> Self {
        #[cfg(feature = "aws-lc")]
        return Self::AwsLc;
        #[cfg(all(feature = "ring", not(feature = "aws-lc")))]
        return Self::Ring;
        #[cfg(not(any(feature = "ring", feature = "aws-lc")))]
        return Self::PureRust;
    }
}

impl Backend {
    /// Every backend compiled into this build.
    pub const ALL: &'static [Self] = &[
        #[cfg(feature = "ring")]
        Self::Ring,
        #[cfg(feature = "aws-lc")]
        Self::AwsLc,
        #[cfg(feature = "pure-rust")]
        Self::PureRust,
    ];

    /// A stable lowercase name (`"ring"`, `"aws-lc"`, `"pure-rust"`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "ring")]
            Self::Ring => "ring",
            #[cfg(feature = "aws-lc")]
            Self::AwsLc => "aws-lc",
            #[cfg(feature = "pure-rust")]
            Self::PureRust => "pure-rust",
        }
    }

    /// The backend of [`Backend::name`] `name`, if this build has it: the one parser of
    /// backend names, so every binding and the CLI accept the same spellings.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|backend| backend.name() == name)
    }
}

/// A parsed signature: `r` and `s` as 32-byte big-endian integers in `[1, n-1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcdsaSignature {
    r: [u8; 32],
    s: [u8; 32],
}

impl EcdsaSignature {
    /// Parses a strict DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
    ///
    /// # Errors
    /// `SIGNATURE_MALFORMED` for anything but minimal DER with `r`, `s` in `[1, n-1]`.
    pub fn from_der(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_SIGNATURE_LEN {
            return Err(Error::SignatureMalformed);
        }
        let parse = || -> der::Result<(UintRef<'_>, UintRef<'_>)> {
            let mut reader = SliceReader::new(bytes)?;
            let pair = reader.sequence(|inner| {
                let r = UintRef::decode(inner)?;
                let s = UintRef::decode(inner)?;
                Ok::<_, der::Error>((r, s))
            })?;
            reader.finish()?;
            Ok(pair)
        };
        let (r, s) = parse().map_err(|_| Error::SignatureMalformed)?;
        Ok(Self {
            r: scalar(r.as_bytes())?,
            s: scalar(s.as_bytes())?,
        })
    }

    /// `r`, big-endian.
    #[must_use]
    pub const fn r(&self) -> &[u8; 32] {
        &self.r
    }

    /// `s`, big-endian.
    #[must_use]
    pub const fn s(&self) -> &[u8; 32] {
        &self.s
    }

    /// Whether `s > n/2` (the malleable twin of a low-S signature).
    #[must_use]
    pub fn is_high_s(&self) -> bool {
        self.s > P256_HALF_ORDER
    }

    /// The other valid ECDSA signature of the same message under the same key, `(r, n - s)`.
    /// Plain ECDSA accepts both; POCI's low-S rule refuses the high one. Tests and attack
    /// simulations use it to forge a second encoding of a proof.
    #[must_use]
    pub fn twin(&self) -> Self {
        let mut s = [0u8; 32];
        let mut borrow = false;
        // n - s, big-endian, byte by byte from the least significant end; 1 <= s < n.
        for ((out, n), v) in s.iter_mut().zip(P256_ORDER).zip(self.s).rev() {
            let (difference, first) = n.overflowing_sub(v);
            let (difference, second) = difference.overflowing_sub(u8::from(borrow));
            *out = difference;
            borrow = first || second;
        }
        Self { r: self.r, s }
    }

    /// The DER `Ecdsa-Sig-Value`, with minimal INTEGERs (what [`EcdsaSignature::from_der`]
    /// accepts).
    #[must_use]
    pub fn to_der(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(70);
        for value in [&self.r, &self.s] {
            // Both are in [1, n-1]: at least one non-zero byte.
            let start = value.iter().position(|byte| *byte != 0).unwrap_or(31);
            let digits = value.get(start..).unwrap_or_default();
            let pad = digits.first().is_some_and(|byte| *byte >= 0x80);
            body.push(0x02);
            // At most 33 content bytes, so one length byte; never saturates.
            body.push(
                u8::try_from(digits.len())
                    .unwrap_or(32)
                    .saturating_add(u8::from(pad)),
            );
            if pad {
                body.push(0);
            }
            body.extend_from_slice(digits);
        }
        let mut der = Vec::with_capacity(72);
        der.push(0x30);
        // At most 70 bytes of body.
        der.push(u8::try_from(body.len()).unwrap_or(70));
        der.extend_from_slice(&body);
        der
    }
}

/// Left-pads a minimal unsigned integer to 32 bytes and checks `1 <= v < n`.
fn scalar(bytes: &[u8]) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    let start = out
        .len()
        .checked_sub(bytes.len())
        .ok_or(Error::SignatureMalformed)?;
    out.get_mut(start..)
        .ok_or(Error::SignatureMalformed)?
        .copy_from_slice(bytes);
    if out == [0u8; 32] || out >= P256_ORDER {
        return Err(Error::SignatureMalformed);
    }
    Ok(out)
}

/// Verifies `signature` (DER) over `message` under `key`, applying POCI's policy:
/// strict DER, then low-S, then the backend's verdict.
///
/// # Errors
/// `SIGNATURE_MALFORMED`, `SIGNATURE_HIGH_S` or `SIGNATURE_INVALID`, in that order of checks.
pub fn verify_signature(
    backend: Backend,
    key: &DevicePublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let parsed = EcdsaSignature::from_der(signature)?;
    if parsed.is_high_s() {
        return Err(Error::SignatureHighS);
    }
    backend_verify(backend, key, message, signature, &parsed)
}

/// Verifies an X.509 signature (certificate or CRL): strict DER, any `s`. Vendors'
/// tools sign with either form; the low-S rule covers POCI messages only.
///
/// # Errors
/// `SIGNATURE_MALFORMED`, `PUBLIC_KEY_INVALID` or `SIGNATURE_INVALID`.
pub(crate) fn verify_x509_signature(
    backend: Backend,
    sec1_point: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let parsed = EcdsaSignature::from_der(signature)?;
    let key = DevicePublicKey::from_sec1_bytes(sec1_point)?;
    backend_verify(backend, &key, message, signature, &parsed)
}

fn backend_verify(
    backend: Backend,
    key: &DevicePublicKey,
    message: &[u8],
    #[cfg_attr(
        not(any(feature = "ring", feature = "aws-lc")),
        allow(unused_variables)
    )]
    signature: &[u8],
    #[cfg_attr(not(feature = "pure-rust"), allow(unused_variables))] parsed: &EcdsaSignature,
) -> Result<()> {
    match backend {
        #[cfg(feature = "ring")]
        Backend::Ring => ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_ASN1,
            key.sec1_bytes(),
        )
        .verify(message, signature)
        .map_err(|_| Error::SignatureInvalid),
        #[cfg(feature = "aws-lc")]
        Backend::AwsLc => aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
            key.sec1_bytes(),
        )
        .verify(message, signature)
        .map_err(|_| Error::SignatureInvalid),
        #[cfg(feature = "pure-rust")]
        Backend::PureRust => {
            use p256::ecdsa::signature::Verifier as _;
            let signature = p256::ecdsa::Signature::from_scalars(parsed.r, parsed.s)
                .map_err(|_| Error::SignatureMalformed)?;
            key.verifying_key()
                .verify(message, &signature)
                .map_err(|_| Error::SignatureInvalid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_order_is_floor_of_order_over_two() {
        // Shift the order right by one bit, byte by byte.
        let mut carry = 0u8;
        let mut half = [0u8; 32];
        for (out, byte) in half.iter_mut().zip(P256_ORDER) {
            *out = (byte >> 1) | (carry << 7);
            carry = byte & 1;
        }
        assert_eq!(half, P256_HALF_ORDER);
    }

    #[test]
    fn twin_is_the_high_s_encoding_of_the_same_proof() {
        let key = crate::DeviceKey::from_seed(b"twin").unwrap();
        for message in [&b"a"[..], b"b", b"c", b"d", b"e", b"f"] {
            let der = key.sign(message).unwrap();
            let parsed = EcdsaSignature::from_der(&der).unwrap();
            assert_eq!(parsed.to_der(), der);
            let twin = parsed.twin();
            assert!(twin.is_high_s() && !parsed.is_high_s());
            assert_eq!(twin.twin(), parsed);
            assert_eq!(EcdsaSignature::from_der(&twin.to_der()).unwrap(), twin);
            for backend in Backend::ALL {
                let refused = verify_signature(*backend, key.public_key(), message, &twin.to_der());
                assert_eq!(refused, Err(Error::SignatureHighS));
                // Plain ECDSA accepts it: it is a genuine twin, not garbage.
                assert!(
                    verify_x509_signature(
                        *backend,
                        key.public_key().sec1_bytes(),
                        message,
                        &twin.to_der()
                    )
                    .is_ok()
                );
            }
        }
    }

    #[test]
    fn strict_der_only() {
        // r = 1, s = 1
        let good = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        assert!(EcdsaSignature::from_der(&good).is_ok());
        // padded INTEGER
        let padded = [0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(
            EcdsaSignature::from_der(&padded),
            Err(Error::SignatureMalformed)
        );
        // long-form length
        let long = [0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(
            EcdsaSignature::from_der(&long),
            Err(Error::SignatureMalformed)
        );
        // zero r
        let zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01];
        assert_eq!(
            EcdsaSignature::from_der(&zero),
            Err(Error::SignatureMalformed)
        );
        // negative s
        let negative = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0xff];
        assert_eq!(
            EcdsaSignature::from_der(&negative),
            Err(Error::SignatureMalformed)
        );
        // trailing byte
        let trailing = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00];
        assert_eq!(
            EcdsaSignature::from_der(&trailing),
            Err(Error::SignatureMalformed)
        );
    }

    #[test]
    fn order_itself_is_refused() {
        let mut der = vec![0x30, 0x26, 0x02, 0x21, 0x00];
        der.extend_from_slice(&P256_ORDER);
        der.extend_from_slice(&[0x02, 0x01, 0x01]);
        assert_eq!(
            EcdsaSignature::from_der(&der),
            Err(Error::SignatureMalformed)
        );
    }
}
