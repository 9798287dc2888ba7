//! ECDSA P-384 over SHA-384, raw `r || s`: the signature of NVIDIA attestation reports and
//! certificates. Vendor formats do not follow POCI's low-S rule, so both `s` and `n - s`
//! verify here: replay is decided on the report's nonce, never on its bytes.

use crate::error::{Error, Result};
use crate::signature::Backend;

/// Length of an uncompressed SEC1 P-384 point.
pub const P384_SEC1_LEN: usize = 97;

/// Verifies `signature` (raw `r || s`, 96 bytes) over `message` under the uncompressed SEC1
/// key `public_key`, on `backend`. Every backend gives the same verdict.
///
/// # Errors
/// `PUBLIC_KEY_INVALID` for a key that is not 97 bytes starting `04`; `SIGNATURE_INVALID`
/// for anything else that does not verify: a point off the curve, `r` or `s` outside
/// `[1, n-1]`, or the wrong signature (the same code on every backend).
pub fn verify_p384(
    backend: Backend,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8; 96],
) -> Result<()> {
    if public_key.len() != P384_SEC1_LEN || public_key.first() != Some(&0x04) {
        return Err(Error::PublicKeyInvalid);
    }
    match backend {
        #[cfg(feature = "ring")]
        Backend::Ring => ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P384_SHA384_FIXED,
            public_key,
        )
        .verify(message, signature)
        .map_err(|_| Error::SignatureInvalid),
        #[cfg(feature = "aws-lc")]
        Backend::AwsLc => aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED,
            public_key,
        )
        .verify(message, signature)
        .map_err(|_| Error::SignatureInvalid),
        #[cfg(feature = "pure-rust")]
        Backend::PureRust => {
            use p384::ecdsa::signature::Verifier as _;
            // ring cannot tell a point off the curve from a bad signature: neither does this.
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                .map_err(|_| Error::SignatureInvalid)?;
            let signature = p384::ecdsa::Signature::from_slice(signature)
                .map_err(|_| Error::SignatureInvalid)?;
            key.verify(message, &signature)
                .map_err(|_| Error::SignatureInvalid)
        }
    }
}

/// As [`verify_p384`], for a DER `Ecdsa-Sig-Value` (a certificate's signature).
///
/// # Errors
/// As [`verify_p384`]; `SIGNATURE_INVALID` for a signature that is not strict DER with
/// `r`, `s` of at most 48 octets.
pub(crate) fn verify_p384_der(
    backend: Backend,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    use der::{Decode as _, Reader as _, SliceReader, asn1::UintRef};
    let parse = || -> der::Result<[u8; 96]> {
        let mut reader = SliceReader::new(signature)?;
        let raw = reader.sequence(|inner| {
            let r = UintRef::decode(inner)?;
            let s = UintRef::decode(inner)?;
            let mut raw = [0u8; 96];
            for (bytes, half) in [(r.as_bytes(), 0usize), (s.as_bytes(), 48)] {
                let start = 48usize
                    .checked_sub(bytes.len())
                    .and_then(|pad| pad.checked_add(half))
                    .ok_or_else(|| der::Tag::Integer.value_error())?;
                raw.get_mut(start..start.saturating_add(bytes.len()))
                    .ok_or_else(|| der::Tag::Integer.value_error())?
                    .copy_from_slice(bytes);
            }
            Ok::<_, der::Error>(raw)
        })?;
        reader.finish()?;
        Ok(raw)
    };
    let raw = parse().map_err(|_| Error::SignatureInvalid)?;
    verify_p384(backend, public_key, message, &raw)
}
