//! Evidence: the kinds of proof a chip can give that it is genuine and online. `poci` is
//! POCI's own messages (`proof/`); `nvidia-spdm` is an NVIDIA GPU's own attestation report.
//! One module per kind; the ledger and the reward math see only what a kind verifies to.

pub mod nonce;
pub mod nvidia;
pub mod nvidia_certificate;
pub mod nvidia_spdm;
pub mod p384;
