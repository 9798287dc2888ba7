//! The vendor-roots/ folder format (vendor-roots/README.md, SPEC.md 11), read from
//! (relative path, bytes) pairs: the one reader that the CLI, the bindings and the embedded
//! default share. Listing a folder and reading its files is the caller's part; which files
//! count, in what order they are added, and what a misplaced or duplicated file means is
//! decided here, so every loader builds the same store from the same folder.

use std::collections::BTreeMap;

use crate::error::{Error, ManifestLocation, ManifestProblem, Result};
use crate::evidence::EvidenceKind;
use crate::manifest::VendorManifest;
use crate::registry::{ChipModelRegistry, ManifestSource};
use crate::trust::{RootKind, TrustPolicy, TrustStore};

/// One file of a vendor-roots/ folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderFile<'a> {
    /// The path relative to the folder, components joined by `/` (`nvidia/manifest.toml`,
    /// `testnet/nvidia/roots/root.pem`).
    pub path: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

/// The folder that holds the testnet stand-in roots of real vendors.
const TESTNET: &str = "testnet";
const MANIFEST: &str = "manifest.toml";

/// What one vendor folder (`<vendor>/` or `testnet/<vendor>/`) holds.
#[derive(Debug, Default)]
struct VendorFiles<'a> {
    /// Roots of vendor-format evidence kinds, by kind.
    evidence: BTreeMap<EvidenceKind, Vec<&'a [u8]>>,
    /// CRLs of vendor-format evidence kinds' CAs, by kind.
    evidence_crls: BTreeMap<EvidenceKind, Vec<&'a [u8]>>,
    roots: Vec<&'a [u8]>,
    crls: Vec<&'a [u8]>,
    intermediates: Vec<&'a [u8]>,
}

/// Where a file of the folder belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place<'a> {
    Manifest {
        vendor: &'a str,
    },
    Material {
        vendor: &'a str,
        testnet: bool,
        part: Part,
    },
    Evidence {
        vendor: &'a str,
        testnet: bool,
        kind: EvidenceKind,
        /// A CRL (`evidence/<kind>/crls/`), else a root.
        crl: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Roots,
    Crls,
    Intermediates,
}

fn is_pem_name(file: &str) -> bool {
    file.len() > 4 && file.ends_with(".pem") && !file.starts_with('.')
}

fn place(path: &str) -> Option<Place<'_>> {
    let parts: Vec<&str> = path.split('/').collect();
    let (vendor, testnet, rest) = match parts.as_slice() {
        [first, vendor, rest @ ..] if *first == TESTNET => (*vendor, true, rest),
        [vendor, rest @ ..] => (*vendor, false, rest),
        [] => return None,
    };
    if vendor.is_empty() || vendor.starts_with('.') {
        return None;
    }
    match rest {
        [file] if !testnet && *file == MANIFEST && vendor != TESTNET => {
            Some(Place::Manifest { vendor })
        }
        ["evidence", kind, file] if is_pem_name(file) => {
            let kind = EvidenceKind::from_name(kind).filter(|kind| *kind != EvidenceKind::Poci)?;
            Some(Place::Evidence {
                vendor,
                testnet,
                kind,
                crl: false,
            })
        }
        ["evidence", kind, "crls", file] if is_pem_name(file) => {
            let kind = EvidenceKind::from_name(kind).filter(|kind| *kind != EvidenceKind::Poci)?;
            Some(Place::Evidence {
                vendor,
                testnet,
                kind,
                crl: true,
            })
        }
        [folder, file] if is_pem_name(file) => {
            let part = match *folder {
                "roots" => Part::Roots,
                "crls" => Part::Crls,
                "intermediates" => Part::Intermediates,
                _ => return None,
            };
            Some(Place::Material {
                vendor,
                testnet,
                part,
            })
        }
        _ => None,
    }
}

/// Whether a file of a vendor-roots/ folder is read: `<vendor>/manifest.toml`, and
/// `*.pem` files under `<vendor>/` or `testnet/<vendor>/` in `roots/`, `crls/`,
/// `intermediates/` or `evidence/<kind>/` (a vendor-format evidence kind's roots) or
/// `evidence/<kind>/crls/` (CRLs of that kind's CAs). Loaders may skip every other file (READMEs, notes) unread.
#[must_use]
pub fn is_vendor_roots_file(path: &str) -> bool {
    place(path).is_some()
}

fn folder_error(problem: ManifestProblem, file: &str, field: &str) -> Error {
    Error::ManifestInvalid {
        problem,
        location: Box::new(ManifestLocation {
            file: file.to_owned(),
            model: None,
            field: Some(field.to_owned()),
        }),
    }
}

/// A folder's files, sorted by path and sorted into their places.
struct Folder<'a> {
    manifests: Vec<ManifestSource<'a>>,
    /// By (testnet, vendor): the vendor's own material first, vendors in id order.
    material: BTreeMap<(bool, &'a str), VendorFiles<'a>>,
}

impl<'a> Folder<'a> {
    fn read(files: &[FolderFile<'a>]) -> Result<Self> {
        let mut sorted: Vec<&FolderFile<'a>> = files.iter().collect();
        sorted.sort_by_key(|file| file.path);
        if let Some(pair) = sorted.windows(2).find(|pair| match pair {
            [a, b] => a.path == b.path,
            _ => false,
        }) {
            let path = pair.first().map_or("", |file| file.path);
            return Err(folder_error(ManifestProblem::DuplicateFile, path, "path"));
        }
        let mut folder = Self {
            manifests: Vec::new(),
            material: BTreeMap::new(),
        };
        for file in sorted {
            match place(file.path) {
                None => {}
                Some(Place::Manifest { .. }) => {
                    let toml = core::str::from_utf8(file.bytes)
                        .map_err(|_| folder_error(ManifestProblem::Syntax, file.path, "toml"))?;
                    folder.manifests.push(ManifestSource {
                        file: file.path,
                        toml,
                    });
                }
                Some(Place::Material {
                    vendor,
                    testnet,
                    part,
                }) => {
                    let entry = folder.material.entry((testnet, vendor)).or_default();
                    match part {
                        Part::Roots => entry.roots.push(file.bytes),
                        Part::Crls => entry.crls.push(file.bytes),
                        Part::Intermediates => entry.intermediates.push(file.bytes),
                    }
                }
                Some(Place::Evidence {
                    vendor,
                    testnet,
                    kind,
                    crl,
                }) => {
                    let entry = folder.material.entry((testnet, vendor)).or_default();
                    let list = if crl {
                        &mut entry.evidence_crls
                    } else {
                        &mut entry.evidence
                    };
                    list.entry(kind).or_default().push(file.bytes);
                }
            }
        }
        Ok(folder)
    }

    fn registry(&self) -> Result<ChipModelRegistry> {
        // A manifest's folder is its vendor id: material is matched to vendors by folder.
        let mut parsed = Vec::with_capacity(self.manifests.len());
        for source in &self.manifests {
            let manifest = VendorManifest::from_toml(source.file, source.toml)?;
            let folder = source.file.split('/').next().unwrap_or_default();
            if manifest.vendor_id != folder {
                return Err(folder_error(
                    ManifestProblem::FolderName,
                    source.file,
                    "vendor_id",
                ));
            }
            parsed.push((source.file, manifest));
        }
        ChipModelRegistry::from_parsed(parsed)
    }
}

impl ChipModelRegistry {
    /// The registry of a vendor-roots/ folder: every `<vendor>/manifest.toml`.
    ///
    /// # Errors
    /// `MANIFEST_INVALID`: a path given twice, a manifest that is not UTF-8 or not valid
    /// (as [`ChipModelRegistry::from_manifests`]), or a manifest whose folder is not named
    /// after its `vendor_id`.
    pub fn from_folder(files: &[FolderFile<'_>]) -> Result<Self> {
        Folder::read(files)?.registry()
    }
}

impl TrustStore {
    /// The trust store of a vendor-roots/ folder (SPEC.md 11): the registry of its
    /// manifests, each vendor's `roots/`, `crls/` and `intermediates/`, and with
    /// `include_testnet` the `testnet/<vendor>/` stand-ins as [`RootKind::Test`] roots.
    /// Files are taken in path order whatever order they are given in.
    ///
    /// # Errors
    /// As [`ChipModelRegistry::from_folder`]; as [`TrustStore::add_roots`] and
    /// [`TrustStore::add_intermediates`] for each vendor folder, including material for a
    /// vendor no manifest declares (`MANIFEST_INVALID`, `UnknownVendor`) and CRLs or
    /// intermediates without roots (`MANIFEST_INVALID`, `Roots`).
    pub fn from_folder(
        files: &[FolderFile<'_>],
        policy: TrustPolicy,
        include_testnet: bool,
    ) -> Result<Self> {
        let folder = Folder::read(files)?;
        let mut store = Self::new(folder.registry()?, policy);
        for ((testnet, vendor), material) in &folder.material {
            if *testnet && !include_testnet {
                continue;
            }
            let kind = if *testnet {
                RootKind::Test
            } else {
                RootKind::Vendor
            };
            if !material.roots.is_empty()
                || !material.crls.is_empty()
                || !material.intermediates.is_empty()
            {
                store.add_roots(vendor, kind, &material.roots, &material.crls)?;
                store.add_intermediates(vendor, &material.intermediates)?;
            }
            for (evidence, roots) in &material.evidence {
                store.add_evidence_roots(vendor, *evidence, kind, roots)?;
            }
            for (evidence, crls) in &material.evidence_crls {
                store.add_evidence_crls(vendor, *evidence, crls)?;
            }
        }
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::FILES;

    fn testnet_policy() -> TrustPolicy {
        TrustPolicy {
            allow_test_vendors: true,
            ..TrustPolicy::default()
        }
    }

    fn digest(files: &[FolderFile<'_>]) -> Result<[u8; 32]> {
        TrustStore::from_folder(files, testnet_policy(), true)?.digest()
    }

    fn problem(result: Result<[u8; 32]>) -> Option<ManifestProblem> {
        match result {
            Err(Error::ManifestInvalid { problem, .. }) => Some(problem),
            _ => None,
        }
    }

    #[test]
    fn the_order_files_come_in_does_not_matter() {
        let expected = digest(FILES).unwrap();
        let mut reversed = FILES.to_vec();
        reversed.reverse();
        assert_eq!(digest(&reversed).unwrap(), expected);
        let mut rotated = FILES.to_vec();
        rotated.rotate_left(FILES.len() / 3);
        assert_eq!(digest(&rotated).unwrap(), expected);
    }

    #[test]
    fn every_part_of_the_folder_counts() {
        let expected = digest(FILES).unwrap();
        for part in ["/intermediates/", "/crls/intermediate", "testnet/sophgo/"] {
            let fewer: Vec<FolderFile<'_>> = FILES
                .iter()
                .filter(|file| !file.path.contains(part))
                .copied()
                .collect();
            assert!(fewer.len() < FILES.len(), "{part}");
            assert_ne!(digest(&fewer).unwrap(), expected, "{part}");
        }
        let production = TrustStore::from_folder(FILES, TrustPolicy::default(), false).unwrap();
        assert_eq!(production.root_count(), 2);
        assert_ne!(production.digest().unwrap(), expected);
    }

    #[test]
    fn a_misplaced_or_repeated_file_is_refused() {
        let mut twice = FILES.to_vec();
        twice.extend(FILES.first().copied());
        assert_eq!(
            problem(digest(&twice)),
            Some(ManifestProblem::DuplicateFile)
        );

        let manifest = FILES
            .iter()
            .find(|file| file.path == "hailo/manifest.toml")
            .copied()
            .unwrap();
        let moved = [FolderFile {
            path: "hailo-8/manifest.toml",
            bytes: manifest.bytes,
        }];
        assert_eq!(problem(digest(&moved)), Some(ManifestProblem::FolderName));
        assert!(ChipModelRegistry::from_folder(&moved).is_err());
        let garbled = [FolderFile {
            path: "hailo/manifest.toml",
            bytes: &[0xff, 0xfe],
        }];
        assert_eq!(problem(digest(&garbled)), Some(ManifestProblem::Syntax));

        let crl_alone: Vec<FolderFile<'_>> = FILES
            .iter()
            .filter(|file| !file.path.starts_with("poci-test-a/roots/"))
            .copied()
            .collect();
        assert_eq!(problem(digest(&crl_alone)), Some(ManifestProblem::Roots));

        let orphan: Vec<FolderFile<'_>> = FILES
            .iter()
            .filter(|file| file.path != "sophgo/manifest.toml")
            .copied()
            .collect();
        assert_eq!(
            problem(digest(&orphan)),
            Some(ManifestProblem::UnknownVendor)
        );
        // Without the testnet stand-ins, sophgo's are never looked at.
        assert!(TrustStore::from_folder(&orphan, testnet_policy(), false).is_ok());
    }

    #[test]
    fn only_the_folder_format_counts() {
        for wanted in [
            "nvidia/manifest.toml",
            "nvidia/roots/root.pem",
            "nvidia/crls/a.pem",
            "nvidia/intermediates/i.pem",
            "testnet/nvidia/roots/root.pem",
            "testnet/nvidia/crls/root.crl.pem",
            "nvidia/evidence/nvidia-spdm/root.pem",
            "testnet/nvidia/evidence/nvidia-spdm/root.pem",
            "nvidia/evidence/nvidia-spdm/crls/l1-root.pem",
            "testnet/nvidia/evidence/nvidia-spdm/crls/gh100.pem",
        ] {
            assert!(is_vendor_roots_file(wanted), "{wanted}");
        }
        for skipped in [
            "README.md",
            "manifest.toml",
            "nvidia/README.md",
            "nvidia/roots/root.der",
            "nvidia/roots/.pem",
            "nvidia/roots/.hidden.pem",
            "nvidia/other/root.pem",
            "nvidia/roots/deep/root.pem",
            "testnet/manifest.toml",
            "testnet/nvidia/manifest.toml",
            "nvidia/evidence/poci/root.pem",
            "nvidia/evidence/amd-sev/root.pem",
            "nvidia/evidence/nvidia-spdm/deep/root.pem",
            "nvidia/evidence/nvidia-spdm/crls/deep/a.pem",
            "nvidia/evidence/poci/crls/a.pem",
            ".git/roots/x.pem",
            "/roots/x.pem",
        ] {
            assert!(!is_vendor_roots_file(skipped), "{skipped}");
        }
    }
}
