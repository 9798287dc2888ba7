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
