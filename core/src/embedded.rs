//! The repository's vendor-roots/, compiled in: the default chip-model registry and the
//! test-network trust material, so users get them without shipping files.

use crate::error::Result;
use crate::registry::{ChipModelRegistry, ManifestSource};
use crate::trust::{RootKind, TrustPolicy, TrustStore};

macro_rules! manifest {
    ($vendor:literal) => {
        ManifestSource {
            file: concat!("vendor-roots/", $vendor, "/manifest.toml"),
            toml: include_str!(concat!("../../vendor-roots/", $vendor, "/manifest.toml")),
        }
    };
}

/// Manifests of the real chip vendors.
pub const VENDOR_MANIFESTS: &[ManifestSource<'static>] = &[
    manifest!("amd"),
    manifest!("google"),
    manifest!("hailo"),
    manifest!("huawei"),
    manifest!("intel"),
    manifest!("nvidia"),
    manifest!("qualcomm"),
    manifest!("rockchip"),
    manifest!("sophgo"),
];

/// Manifests of the synthetic test vendors (`test = true`).
pub const TEST_VENDOR_MANIFESTS: &[ManifestSource<'static>] =
    &[manifest!("poci-test-a"), manifest!("poci-test-b")];

/// One vendor's embedded roots and CRLs (PEM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedRoots {
    /// The vendor.
    pub vendor_id: &'static str,
    /// Test vendor's own roots, or a testnet stand-in for a real vendor.
    pub kind: RootKind,
    /// Root certificates.
    pub roots: &'static [&'static str],
    /// CRLs of the vendor's CAs.
    pub crls: &'static [&'static str],
    /// The intermediate that signs device certificates (chips carry it in bindings).
    pub intermediate: &'static str,
}

macro_rules! roots {
    ($dir:literal, $vendor:literal, $kind:expr) => {
        EmbeddedRoots {
            vendor_id: $vendor,
            kind: $kind,
            roots: &[include_str!(concat!(
                "../../vendor-roots/",
                $dir,
                "/roots/root.pem"
            ))],
            crls: &[
                include_str!(concat!("../../vendor-roots/", $dir, "/crls/root.crl.pem")),
                include_str!(concat!(
                    "../../vendor-roots/",
                    $dir,
                    "/crls/intermediate.crl.pem"
                )),
            ],
            intermediate: include_str!(concat!(
                "../../vendor-roots/",
                $dir,
                "/intermediates/intermediate.pem"
            )),
        }
    };
}

/// Every root of a test network: the test vendors' and the testnet stand-ins of real vendors.
pub const TESTNET_ROOTS: &[EmbeddedRoots] = &[
    roots!("poci-test-a", "poci-test-a", RootKind::Vendor),
    roots!("poci-test-b", "poci-test-b", RootKind::Vendor),
    roots!("testnet/amd", "amd", RootKind::Test),
    roots!("testnet/google", "google", RootKind::Test),
    roots!("testnet/hailo", "hailo", RootKind::Test),
    roots!("testnet/huawei", "huawei", RootKind::Test),
    roots!("testnet/intel", "intel", RootKind::Test),
    roots!("testnet/nvidia", "nvidia", RootKind::Test),
    roots!("testnet/qualcomm", "qualcomm", RootKind::Test),
    roots!("testnet/rockchip", "rockchip", RootKind::Test),
    roots!("testnet/sophgo", "sophgo", RootKind::Test),
];

impl ChipModelRegistry {
    /// The default registry: the real vendors of the repository's vendor-roots/.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` only if the shipped manifests are broken (a test prevents it).
    pub fn embedded() -> Result<Self> {
        Self::from_manifests(VENDOR_MANIFESTS)
    }

    /// The default registry plus the synthetic test vendors.
    ///
    /// # Errors
    /// As [`ChipModelRegistry::embedded`].
    pub fn embedded_with_test_vendors() -> Result<Self> {
        let all: Vec<ManifestSource<'static>> = VENDOR_MANIFESTS
            .iter()
            .chain(TEST_VENDOR_MANIFESTS)
            .copied()
            .collect();
        Self::from_manifests(&all)
    }
}

impl TrustStore {
    /// A test-network trust store: the registry with test vendors and every embedded
    /// test root, test vendors allowed, unknown revocation status refused.
    ///
    /// # Errors
    /// Only if the shipped material is broken (a test prevents it).
    pub fn embedded_testnet() -> Result<Self> {
        let policy = TrustPolicy {
            allow_test_vendors: true,
            ..TrustPolicy::default()
        };
        let mut store = Self::new(ChipModelRegistry::embedded_with_test_vendors()?, policy);
        for vendor in TESTNET_ROOTS {
            let roots: Vec<&[u8]> = vendor.roots.iter().map(|pem| pem.as_bytes()).collect();
            let crls: Vec<&[u8]> = vendor.crls.iter().map(|pem| pem.as_bytes()).collect();
            store.add_roots(vendor.vendor_id, vendor.kind, &roots, &crls)?;
            store.add_intermediates(vendor.vendor_id, &[vendor.intermediate.as_bytes()])?;
        }
        Ok(store)
    }
}
