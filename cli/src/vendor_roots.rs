//! Reading a vendor-roots/ folder (format in vendor-roots/README.md): this lists the folder
//! and reads its files; core's one loader ([`TrustStore::from_folder`]) decides what they
//! mean. Without a folder, `--testnet` names the test material compiled into the library;
//! nothing is trusted by default.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use poci::{ChipModelRegistry, TrustPolicy, TrustStore};

use crate::error::{CliError, setup};

/// Where trust material comes from: a vendor-roots/ folder, the test network's material, or
/// both; one of them must be named (there is no default trust).
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// A vendor-roots/ folder: its vendors' roots, CRLs and registry (real trust material;
    /// its testnet/ stand-ins and test vendors only with --testnet).
    #[arg(long)]
    pub vendor_roots: Option<PathBuf>,
    /// Trust the test network's material: alone, the testnet trust store compiled into the
    /// library; with --vendor-roots, also the folder's testnet/ roots and test vendors. Its
    /// keys are derivable by anyone, so a verdict under it is no proof of a genuine chip.
    #[arg(long)]
    pub testnet: bool,
}

/// What a verdict was judged against, as `poci verify` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustKind {
    /// Trust material including the test network's roots (keys anyone can derive).
    Testnet,
    /// A folder's real trust material only.
    Production,
}

impl TrustKind {
    /// The `trust` field of `poci verify --json`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Testnet => "testnet",
            Self::Production => "production",
        }
    }

    /// The word after `valid` in text output.
    pub const fn caveat(self) -> &'static str {
        match self {
            Self::Testnet => {
                " (TESTNET trust material: keys anyone can derive; not a proof of a genuine chip)"
            }
            Self::Production => "",
        }
    }
}

/// The trust store of `poci verify` and `poci trust digest`, and what a verdict says of it.
pub struct LoadedTrust {
    /// The store.
    pub store: TrustStore,
    /// What it is.
    pub label: TrustLabel,
}

/// What trust material a verdict was judged against.
#[derive(Debug, Clone)]
pub struct TrustLabel {
    /// Test or real material.
    pub kind: TrustKind,
    /// The store's digest (SPEC.md 11.2), hex.
    pub digest: String,
}

impl TrustArgs {
    /// The trust store these arguments name.
    pub fn load(&self) -> Result<LoadedTrust, CliError> {
        let (store, kind) = match (&self.vendor_roots, self.testnet) {
            (None, false) => {
                return Err(CliError::Usage(
                    "no trust material: pass --vendor-roots DIR for real trust material, or \
                     --testnet for the test network's (keys anyone can derive)"
                        .into(),
                ));
            }
            (None, true) => (
                TrustStore::embedded_testnet().map_err(setup("embedded trust store"))?,
                TrustKind::Testnet,
            ),
            (Some(folder), testnet) => (
                trust_store(folder, testnet)?,
                if testnet {
                    TrustKind::Testnet
                } else {
                    TrustKind::Production
                },
            ),
        };
        let digest = hex::encode(store.digest().map_err(setup("trust store digest"))?);
        Ok(LoadedTrust {
            store,
            label: TrustLabel { kind, digest },
        })
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
        TrustCommand::Digest { trust } => println!("{}", trust.load()?.label.digest),
    }
    Ok(())
}

/// The files of a folder that the loader reads.
fn folder_files(folder: &Path) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    poci_folder::read_vendor_roots(folder).map_err(|error| CliError::io(error.path, error.source))
}

/// The registry of a folder's manifests: its real vendors, and with `test_vendors` also its
/// test vendors (`test = true`), as the trust store of that folder counts them.
pub fn registry(folder: &Path, test_vendors: bool) -> Result<ChipModelRegistry, CliError> {
    let files = folder_files(folder)?;
    let registry = ChipModelRegistry::from_folder(&poci_folder::as_folder(&files))
        .map_err(|error| CliError::refused(folder.display().to_string(), error))?;
    Ok(if test_vendors {
        registry
    } else {
        registry.without_test_vendors()
    })
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
