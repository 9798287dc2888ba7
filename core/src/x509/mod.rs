//! X.509: device certificates, the chip identity extension, chain validation, minting.

pub(crate) mod cert;
pub(crate) mod chain;
mod chain_identity;
mod identity;
#[cfg(feature = "mint")]
pub mod mint;
pub(crate) mod pem;
mod summary;
pub(crate) mod time;

pub use chain::UnknownRevocationPolicy;
pub use chain_identity::{ChainIdentity, ChainLevel};
pub use identity::ChipIdentity;
pub use pem::certificates_from_pem;
pub use summary::CertificateSummary;
