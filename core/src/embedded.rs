//! The repository's vendor-roots/, compiled in: the default chip-model registry and the
//! test-network trust material, so users get them without shipping files. They are read
//! by the same loader as a folder on disk ([`TrustStore::from_folder`]).

use crate::error::Result;
use crate::registry::ChipModelRegistry;
use crate::trust::{TrustPolicy, TrustStore};
use crate::vendor_roots::FolderFile;

/// Every file of the repository's vendor-roots/ folder, sorted by path (listed by the
/// build script, so no file name is written down here).
pub const FILES: &[FolderFile<'static>] =
    include!(concat!(env!("OUT_DIR"), "/vendor_roots_files.rs"));

impl ChipModelRegistry {
    /// The default registry: the real vendors of the repository's vendor-roots/.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` only if the shipped manifests are broken (a test prevents it).
    pub fn embedded() -> Result<Self> {
        Ok(Self::from_folder(FILES)?.without_test_vendors())
    }

    /// The default registry plus the synthetic test vendors.
    ///
    /// # Errors
    /// As [`ChipModelRegistry::embedded`].
    pub fn embedded_with_test_vendors() -> Result<Self> {
        Self::from_folder(FILES)
    }
}

impl TrustStore {
    /// A test-network trust store: the embedded vendor-roots/ with its testnet stand-ins,
    /// test vendors allowed, unknown revocation status refused.
    ///
    /// # Errors
    /// Only if the shipped material is broken (a test prevents it).
    pub fn embedded_testnet() -> Result<Self> {
        let policy = TrustPolicy {
            allow_test_vendors: true,
            ..TrustPolicy::default()
        };
        Self::from_folder(FILES, policy, true)
    }
}
