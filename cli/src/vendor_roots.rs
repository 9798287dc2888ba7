//! Reading a vendor-roots/ folder (format in vendor-roots/README.md): one folder per vendor
//! with `manifest.toml`, `roots/*.pem`, `crls/*.pem`, `intermediates/*.pem`; `testnet/<vendor>/`
//! stand-in roots.
//! Without a folder, the material compiled into the library serves.

use std::path::{Path, PathBuf};

use clap::Args;
use poci::{ChipModelRegistry, RootKind, TrustPolicy, TrustStore};

use crate::error::{CliError, setup};
use crate::files::{read, read_text};

/// Where trust material comes from.
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// A vendor-roots/ folder; without it, the testnet material compiled into the library.
    #[arg(long)]
    pub vendor_roots: Option<PathBuf>,
    /// With --vendor-roots: also trust the testnet/ stand-in roots and test vendors.
    #[arg(long, requires = "vendor_roots")]
    pub testnet: bool,
}

impl TrustArgs {
    /// The trust store these arguments name.
    pub fn load(&self) -> Result<TrustStore, CliError> {
        match &self.vendor_roots {
            None => TrustStore::embedded_testnet().map_err(setup("embedded trust store")),
            Some(folder) => trust_store(folder, self.testnet),
        }
    }
}

/// The manifests of a folder, sorted by path: (file name for messages, TOML).
fn manifests(folder: &Path) -> Result<Vec<(String, String)>, CliError> {
    let mut vendors = subfolders(folder)?;
    vendors.retain(|path| path.join("manifest.toml").is_file());
    vendors
        .iter()
        .map(|vendor| {
            let file = vendor.join("manifest.toml");
            Ok((file.display().to_string(), read_text(&file)?))
        })
        .collect()
}

fn subfolders(folder: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = std::fs::read_dir(folder).map_err(|error| CliError::io(folder, error))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    paths.sort();
    Ok(paths)
}

fn pems(folder: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(folder).map_err(|error| CliError::io(folder, error))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
        .collect();
    files.sort();
    files.iter().map(|file| read(file)).collect()
}

/// The registry of a folder's manifests.
pub fn registry(folder: &Path) -> Result<ChipModelRegistry, CliError> {
    let manifests = manifests(folder)?;
    let sources: Vec<poci::ManifestSource<'_>> = manifests
        .iter()
        .map(|(file, toml)| poci::ManifestSource { file, toml })
        .collect();
    ChipModelRegistry::from_manifests(&sources)
        .map_err(|error| CliError::refused(folder.display().to_string(), error))
}

/// The trust store of a folder; with `testnet`, test vendors and testnet roots too.
pub fn trust_store(folder: &Path, testnet: bool) -> Result<TrustStore, CliError> {
    let registry = registry(folder)?;
    let policy = TrustPolicy {
        allow_test_vendors: testnet,
        ..TrustPolicy::default()
    };
    let mut store = TrustStore::new(registry.clone(), policy);
    let mut add = |vendor: &str, dir: &Path, kind: RootKind| -> Result<(), CliError> {
        let roots = pems(&dir.join("roots"))?;
        if roots.is_empty() {
            return Ok(());
        }
        let crls = pems(&dir.join("crls"))?;
        let roots: Vec<&[u8]> = roots.iter().map(Vec::as_slice).collect();
        let crls: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        store
            .add_roots(vendor, kind, &roots, &crls)
            .map_err(|error| CliError::refused(dir.display().to_string(), error))?;
        // Published intermediates let the store check their CRLs once, up front.
        let intermediates = pems(&dir.join("intermediates"))?;
        let intermediates: Vec<&[u8]> = intermediates.iter().map(Vec::as_slice).collect();
        store
            .add_intermediates(vendor, &intermediates)
            .map_err(|error| CliError::refused(dir.display().to_string(), error))
    };
    for vendor in registry.vendors() {
        add(
            &vendor.vendor_id,
            &folder.join(&vendor.vendor_id),
            RootKind::Vendor,
        )?;
        if testnet {
            add(
                &vendor.vendor_id,
                &folder.join("testnet").join(&vendor.vendor_id),
                RootKind::Test,
            )?;
        }
    }
    Ok(store)
}
