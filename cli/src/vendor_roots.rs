//! Reading a vendor-roots/ folder (format in vendor-roots/README.md): this lists the folder
//! and reads its files; core's one loader ([`TrustStore::from_folder`]) decides what they
//! mean. Without a folder, the material compiled into the library serves.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use poci::{ChipModelRegistry, FolderFile, TrustPolicy, TrustStore};

use crate::error::{CliError, setup};
use crate::files::read;

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

/// `poci trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// SHA-256 of the trust store's contents (SPEC.md 11): nodes with equal digests judge
    /// chains against the same registry, roots, intermediates, CRLs and policy.
    Digest {
        /// The trust material.
        #[command(flatten)]
        trust: TrustArgs,
    },
}

/// Runs `poci trust …`.
pub fn run(command: &TrustCommand) -> Result<(), CliError> {
    match command {
        TrustCommand::Digest { trust } => {
            let digest = trust
                .load()?
                .digest()
                .map_err(setup("trust store digest"))?;
            println!("{}", hex::encode(digest));
        }
    }
    Ok(())
}

/// The folder format's deepest file: `testnet/<vendor>/roots/<file>.pem`.
const MAX_DEPTH: usize = 4;

/// The files of a folder that the loader reads, as (path relative to the folder, bytes).
fn folder_files(folder: &Path) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut files = Vec::new();
    let mut pending = vec![(folder.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| CliError::io(&dir, error))?;
        for entry in entries {
            let entry = entry.map_err(|error| CliError::io(&dir, error))?;
            // A name that is not UTF-8 cannot be a vendor id or a file of the format.
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                if depth.saturating_add(1) < MAX_DEPTH {
                    pending.push((path, relative, depth.saturating_add(1)));
                }
            } else if poci::is_vendor_roots_file(&relative) {
                files.push((relative, read(&path)?));
            }
        }
    }
    Ok(files)
}

fn as_folder(files: &[(String, Vec<u8>)]) -> Vec<FolderFile<'_>> {
    files
        .iter()
        .map(|(path, bytes)| FolderFile { path, bytes })
        .collect()
}

/// The registry of a folder's manifests.
pub fn registry(folder: &Path) -> Result<ChipModelRegistry, CliError> {
    let files = folder_files(folder)?;
    ChipModelRegistry::from_folder(&as_folder(&files))
        .map_err(|error| CliError::refused(folder.display().to_string(), error))
}

/// The trust store of a folder; with `testnet`, test vendors and testnet roots too.
pub fn trust_store(folder: &Path, testnet: bool) -> Result<TrustStore, CliError> {
    let files = folder_files(folder)?;
    let policy = TrustPolicy {
        allow_test_vendors: testnet,
        ..TrustPolicy::default()
    };
    TrustStore::from_folder(&as_folder(&files), policy, testnet)
        .map_err(|error| CliError::refused(folder.display().to_string(), error))
}
