//! `poci policy show|diff`: a network policy (SPEC.md 18.1), its digest, and what changed.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use poci::NetworkPolicy;

use crate::error::CliError;
use crate::files::{pretty, read_text};

/// `poci policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// A policy (JSON, as `poci simulate` writes `policy.json`): its digest, then its fields.
    Show {
        /// The policy file.
        file: PathBuf,
        /// JSON output (`{digest, policy}`).
        #[arg(long)]
        json: bool,
    },
    /// The fields that differ from OLD to NEW: exit 0 if none, 1 if some.
    Diff {
        /// The older policy.
        old: PathBuf,
        /// The newer policy.
        new: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn load(path: &Path) -> Result<NetworkPolicy, CliError> {
    let text = read_text(path)?;
    NetworkPolicy::from_json(&text)
        .map_err(|error| crate::jsonfile::explain(&text, error).refused(path.display().to_string()))
}

fn digest_hex(policy: &NetworkPolicy, path: &Path) -> Result<String, CliError> {
    policy
        .digest()
        .map(hex::encode)
        .map_err(|error| CliError::Refused {
            what: path.display().to_string(),
            error,
        })
}

/// Runs `poci policy …`.
pub fn run(command: &PolicyCommand) -> Result<(), CliError> {
    match command {
        PolicyCommand::Show { file, json } => {
            let policy = load(file)?;
            let digest = digest_hex(&policy, file)?;
            if *json {
                println!(
                    "{}",
                    pretty(&serde_json::json!({ "digest": digest, "policy": policy }))?
                );
            } else {
                println!("digest               {digest}");
                println!("network              {}", policy.params.network_id());
                println!("slots per epoch      {}", policy.params.slots_per_epoch());
                println!("grace                {} slot(s)", policy.grace_slots);
                println!("sampling             1 in {}", policy.sample_one_in);
                println!("availability floor   {} bps", policy.min_availability_bps);
                println!("miners' share        {} bps", policy.pools.miners_bps);
                println!(
                    "emission             {}",
                    pretty(&policy.emission)?.replace('\n', " ")
                );
            }
            Ok(())
        }
        PolicyCommand::Diff { old, new, json } => {
            let (before, after) = (load(old)?, load(new)?);
            let changes = before.diff(&after).map_err(|error| CliError::Refused {
                what: new.display().to_string(),
                error,
            })?;
            if *json {
                println!("{}", pretty(&changes)?);
            } else if changes.is_empty() {
                println!("no change (digest {})", digest_hex(&before, old)?);
            } else {
                println!(
                    "digest {} -> {}",
                    digest_hex(&before, old)?,
                    digest_hex(&after, new)?
                );
                for change in &changes {
                    println!("{}: {} -> {}", change.field, change.old, change.new);
                }
            }
            if changes.is_empty() {
                Ok(())
            } else {
                Err(CliError::Differs {
                    changes: changes.len(),
                })
            }
        }
    }
}
