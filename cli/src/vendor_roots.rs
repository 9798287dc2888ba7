//! Reading a vendor-roots/ folder (format in vendor-roots/README.md): this lists the folder
//! and reads its files; core's one loader ([`TrustStore::from_folder`]) decides what they
//! mean. Without a folder, the material compiled into the library serves.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use poci::{ChipModelRegistry, TrustPolicy, TrustStore};

use crate::error::{CliError, setup};

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

/// The files of a folder that the loader reads.
fn folder_files(folder: &Path) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    poci_folder::read_vendor_roots(folder).map_err(|error| CliError::io(error.path, error.source))
}

/// The registry of a folder's manifests.
pub fn registry(folder: &Path) -> Result<ChipModelRegistry, CliError> {
    let files = folder_files(folder)?;
    ChipModelRegistry::from_folder(&poci_folder::as_folder(&files))
        .map_err(|error| CliError::refused(folder.display().to_string(), error))
}

/// The trust store of a folder; with `testnet`, test vendors and testnet roots too.
pub fn trust_store(folder: &Path, testnet: bool) -> Result<TrustStore, CliError> {
    let files = folder_files(folder)?;
    let policy = TrustPolicy {
        allow_test_vendors: testnet,
        ..TrustPolicy::default()
    };
    TrustStore::from_folder(&poci_folder::as_folder(&files), policy, testnet)
        .map_err(|error| CliError::refused(folder.display().to_string(), error))
}
