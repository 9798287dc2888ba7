//! Named bounds on every variable-length input (SPEC.md, "Limits").
//!
//! Every bound is checked before work proportional to it is done, so the cost of
//! refusing an input never exceeds the cost of accepting the largest valid one.

use crate::error::{Error, Field, Result};

/// Longest network id, in bytes.
pub const MAX_NETWORK_ID_LEN: usize = 32;
/// Longest wallet address, in bytes.
pub const MAX_WALLET_LEN: usize = 64;
/// Longest chip serial number, in bytes.
pub const MAX_SERIAL_LEN: usize = 64;
/// Longest chip model id, in bytes.
pub const MAX_MODEL_ID_LEN: usize = 64;
/// Longest lease id, in bytes.
pub const MAX_LEASE_ID_LEN: usize = 64;
/// Longest beacon (the chain's randomness for a slot), in bytes.
pub const MAX_BEACON_LEN: usize = 64;
/// Longest DER certificate carried in a [`crate::ChipBinding`].
pub const MAX_CERTIFICATE_LEN: usize = 4096;
/// Most certificates in a [`crate::ChipBinding`] chain: the device certificate
/// and up to three vendor intermediates (the root is never carried).
pub const MAX_CHAIN_CERTIFICATES: usize = 4;
/// Shortest DER `Ecdsa-Sig-Value` for P-256 (`r` = `s` = 1).
pub const MIN_SIGNATURE_LEN: usize = 8;
/// Longest DER `Ecdsa-Sig-Value` for P-256 (two 33-byte INTEGERs).
pub const MAX_SIGNATURE_LEN: usize = 72;
/// Longest encoded [`crate::Heartbeat`].
pub const MAX_HEARTBEAT_LEN: usize = 512;
/// Longest encoded [`crate::LeaseAcceptance`].
pub const MAX_LEASE_ACCEPTANCE_LEN: usize = 512;
/// Longest encoded [`crate::ChipBinding`]: a full chain plus the fixed fields.
pub const MAX_CHIP_BINDING_LEN: usize = 17_408;

/// Length of a chip key id (SHA-256 of the device SubjectPublicKeyInfo).
pub const KEY_ID_LEN: usize = 32;
/// Length of a challenge (a SHA-256 output).
pub const CHALLENGE_LEN: usize = 32;
/// Length of an environment measurement digest.
pub const MEASUREMENT_LEN: usize = 32;
/// Length of an uncompressed SEC1 P-256 public key.
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of a P-256 secret scalar.
pub const SECRET_KEY_LEN: usize = 32;
/// Longest vendor id, in bytes.
pub const MAX_VENDOR_ID_LEN: usize = 64;
/// Most certificate and CRL signatures a [`crate::Verifier`] remembers as valid (vendor
/// intermediates and CRLs: a few per vendor).
pub const MAX_REMEMBERED_SIGNATURES: usize = 4096;
/// Most extensions in one certificate: the profile (SPEC.md 10) uses at most six, and
/// duplicate detection is quadratic in the count.
pub const MAX_CERTIFICATE_EXTENSIONS: usize = 16;
/// Longest DER CRL a trust store accepts (about 25,000 revoked serials).
pub const MAX_CRL_LEN: usize = 1_048_576;
/// Most items in one batch call (`verify_heartbeats`, `apply_heartbeats`,
/// `apply_bindings`): a caller splits larger sets, so one call's memory is bounded.
pub const MAX_BATCH_LEN: usize = 65_536;
/// Most certificate and CRL signature checks one chain validation may run. An honest
/// chain of [`MAX_CHAIN_CERTIFICATES`] needs at most eight (four certificates, four CRLs);
/// the rest is room for path building to try a wrong issuer of the same name.
pub const MAX_CHAIN_SIGNATURE_CHECKS: u32 = 16;

/// Refuses a batch of more than [`MAX_BATCH_LEN`] items (bindings call it before copying
/// a batch out of their host language).
///
/// # Errors
/// `BATCH_TOO_LARGE`.
pub const fn check_batch_len(len: usize) -> Result<()> {
    if len > MAX_BATCH_LEN {
        Err(Error::BatchTooLarge {
            len,
            max: MAX_BATCH_LEN,
        })
    } else {
        Ok(())
    }
}

/// Checks a mandatory variable-length field against `1..=max`.
pub(crate) const fn check_len(field: Field, len: usize, max: usize) -> Result<()> {
    if len == 0 {
        return Err(Error::FieldEmpty { field });
    }
    if len > max {
        return Err(Error::FieldTooLong { field, len, max });
    }
    Ok(())
}

/// Checks a fixed-length field.
pub(crate) fn fixed<const N: usize>(field: Field, bytes: &[u8]) -> Result<&[u8; N]> {
    <&[u8; N]>::try_from(bytes).map_err(|_| Error::FieldWrongLength {
        field,
        len: bytes.len(),
        expected: N,
    })
}

/// Largest NVIDIA attestation report (evidence kind `nvidia-spdm`). Real H100 reports are
/// about 4 KiB; 64 blocks of SHA-384 digests and NVIDIA's opaque fields stay far below.
pub const MAX_NVIDIA_REPORT_LEN: usize = 32 * 1024;

/// Most opaque fields in one NVIDIA report (NVIDIA defines about 40 types).
pub const MAX_NVIDIA_OPAQUE_FIELDS: usize = 64;
