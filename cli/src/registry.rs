//! `poci registry list|digest|diff`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use poci::ChipModelRegistry;

use crate::error::{CliError, setup};
use crate::files::pretty;
use crate::vendor_roots::registry;

/// Which registry.
#[derive(Debug, Clone, Args)]
pub struct RegistrySource {
    /// A vendor-roots/ folder; without it, the registry compiled into the library.
    #[arg(long)]
    pub vendor_roots: Option<PathBuf>,
    /// Include the synthetic test vendors (manifests with `test = true`), of the folder or
    /// of the compiled-in registry; without it they are left out of both.
    #[arg(long, visible_alias = "testnet")]
    pub with_test_vendors: bool,
}

impl RegistrySource {
    fn load(&self) -> Result<ChipModelRegistry, CliError> {
        match (&self.vendor_roots, self.with_test_vendors) {
            (Some(folder), test_vendors) => registry(folder, test_vendors),
            (None, true) => {
                ChipModelRegistry::embedded_with_test_vendors().map_err(setup("registry"))
            }
            (None, false) => ChipModelRegistry::embedded().map_err(setup("registry")),
        }
    }
}

/// `poci registry …`.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Every model with its vendor and rating.
    List {
        /// The registry.
        #[command(flatten)]
        source: RegistrySource,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// SHA-256 of the registry's canonical encoding: what a node states on chain.
    Digest {
        /// The registry.
        #[command(flatten)]
        source: RegistrySource,
    },
    /// Models added, removed and re-rated from OLD to NEW (two vendor-roots/ folders).
    Diff {
        /// The older folder.
        old: PathBuf,
        /// The newer folder.
        new: PathBuf,
        /// Include the folders' test vendors (`test = true`).
        #[arg(long, visible_alias = "testnet")]
        with_test_vendors: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `poci registry …`.
pub fn run(command: &RegistryCommand) -> Result<(), CliError> {
    match command {
        RegistryCommand::List { source, json } => {
            let registry = source.load()?;
            if *json {
                let models: Vec<&poci::ChipModel> = registry.models().collect();
                println!("{}", pretty(&models)?);
            } else {
                println!("{:<32} {:<10} {:>14}  name", "model", "vendor", "milli-CU");
                for model in registry.models() {
                    println!(
                        "{:<32} {:<10} {:>14}  {}",
                        model.model_id,
                        model.vendor_id,
                        crate::rewards::group_digits(model.rating_milli_cu),
                        model.display_name
                    );
                }
            }
        }
        RegistryCommand::Digest { source } => {
            let digest = source.load()?.digest().map_err(setup("registry digest"))?;
            println!("{}", hex::encode(digest));
        }
        RegistryCommand::Diff {
            old,
            new,
            with_test_vendors,
            json,
        } => {
            let diff = registry(old, *with_test_vendors)?.diff(&registry(new, *with_test_vendors)?);
            if *json {
                println!("{}", pretty(&diff)?);
            } else if diff.is_empty() {
                println!("no difference");
            } else {
                for model in &diff.added {
                    println!("+ {model}");
                }
                for model in &diff.removed {
                    println!("- {model}");
                }
                for rerating in &diff.rerated {
                    println!(
                        "~ {}: {} -> {} milli-CU",
                        rerating.model_id,
                        crate::rewards::group_digits(rerating.old_milli_cu),
                        crate::rewards::group_digits(rerating.new_milli_cu)
                    );
                }
                for model in &diff.changed {
                    println!("* {model}: same rating, other data changed");
                }
            }
        }
    }
    Ok(())
}
