//! `poci verify binding|heartbeat FILE ...`: exit 0 if every file is valid, 1 if one is not
//! (its stable code printed), 2 for usage or I/O errors.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use poci::x509::CertificateSummary;
use poci::{BindingContext, DevicePublicKey, SlotContext, Verifier, derive_challenge};
use serde_json::json;

use crate::error::CliError;
use crate::files::{HexBytes, NetworkArgs, der_of, hex_any, hex32, read};
use crate::vendor_roots::TrustArgs;

/// The slot a proof answers and the wallet it is for.
#[derive(Debug, Clone, Args)]
pub struct SlotArgs {
    /// The network.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Epoch of the slot.
    #[arg(long)]
    pub epoch: u64,
    /// The slot.
    #[arg(long)]
    pub slot: u32,
    /// The slot's challenge (hex, 32 bytes).
    #[arg(long, value_parser = hex32, required_unless_present = "beacon", conflicts_with = "beacon")]
    pub challenge: Option<[u8; 32]>,
    /// Or the slot's beacon (hex, 32 bytes), from which the challenge is derived.
    #[arg(long, value_parser = hex32)]
    pub beacon: Option<[u8; 32]>,
    /// The wallet (hex): the submitter of a binding, the bound wallet of a heartbeat.
    #[arg(long, value_parser = hex_any)]
    pub wallet: HexBytes,
    /// Print one JSON object per file.
    #[arg(long)]
    pub json: bool,
}

/// `poci verify …`.
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Chip bindings: the message, its certificate chain at the slot's start, the vendor policy.
    Binding {
        /// The slot and wallet.
        #[command(flatten)]
        slot: SlotArgs,
        /// The trust material.
        #[command(flatten)]
        trust: TrustArgs,
        /// Binding files (DER).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Heartbeats, against the chip's registered device key.
    Heartbeat {
        /// The slot and wallet.
        #[command(flatten)]
        slot: SlotArgs,
        /// The chip's public key (hex, uncompressed SEC1).
        #[arg(long, value_parser = hex_any, required_unless_present = "certificate", conflicts_with = "certificate")]
        public_key: Option<HexBytes>,
        /// Or the chip's device certificate (DER or PEM), whose key is used.
        #[arg(long)]
        certificate: Option<PathBuf>,
        /// Heartbeat files (DER).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs `poci verify …`.
pub fn run(command: &VerifyCommand) -> Result<(), CliError> {
    match command {
        VerifyCommand::Binding { slot, trust, files } => {
            let params = slot.network.load()?;
            let challenge = challenge(slot, &params)?;
            let verifier = Verifier::with_trust_store(trust.load()?);
            let context =
                BindingContext::new(&params, slot.epoch, slot.slot, &challenge, &slot.wallet.0);
            report_all(files, slot.json, |der| {
                verifier.verify_binding(der, &context).map(|verified| {
                    json!({
                        "proof_id": hex::encode(verified.proof_id),
                        "key_id": verified.record.key_id.to_string(),
                        "model_id": verified.record.model_id,
                        "vendor_id": verified.record.vendor_id,
                        "rating_milli_cu": verified.record.rating_milli_cu.to_string(),
                    })
                })
            })
        }
        VerifyCommand::Heartbeat {
            slot,
            public_key,
            certificate,
            files,
        } => {
            let params = slot.network.load()?;
            let challenge = challenge(slot, &params)?;
            let key = match (public_key, certificate) {
                (Some(bytes), _) => DevicePublicKey::from_sec1_bytes(&bytes.0)
                    .map_err(|error| CliError::refused("--public-key", error))?,
                (None, Some(path)) => key_of_certificate(path)?,
                (None, None) => {
                    return Err(CliError::Usage("give --public-key or --certificate".into()));
                }
            };
            let verifier = Verifier::default();
            let context = SlotContext {
                network_id: params.network_id(),
                epoch: slot.epoch,
                slot: slot.slot,
                challenge: &challenge,
                wallet: &slot.wallet.0,
            };
            report_all(files, slot.json, |der| {
                verifier
                    .verify_heartbeat(der, &key, &context)
                    .map(|verified| json!({ "proof_id": hex::encode(verified.proof_id) }))
            })
        }
    }
}

fn challenge(slot: &SlotArgs, params: &poci::NetworkParams) -> Result<[u8; 32], CliError> {
    match (slot.challenge, slot.beacon) {
        (Some(challenge), _) => Ok(challenge),
        (None, Some(beacon)) => derive_challenge(params, slot.epoch, slot.slot, &beacon)
            .map_err(|error| CliError::refused("--epoch/--slot", error)),
        (None, None) => Err(CliError::Usage("give --challenge or --beacon".into())),
    }
}

fn key_of_certificate(path: &std::path::Path) -> Result<DevicePublicKey, CliError> {
    let what = path.display().to_string();
    let (_, der) = der_of(&read(path)?).map_err(|error| CliError::refused(what.clone(), error))?;
    CertificateSummary::from_der(&der)
        .and_then(|summary| {
            let key = summary.public_key.ok_or(poci::Error::PublicKeyInvalid)?;
            DevicePublicKey::from_sec1_bytes(&key)
        })
        .map_err(|error| CliError::refused(what, error))
}

/// Verifies every file, printing one verdict per file; fails if any is refused.
fn report_all(
    files: &[PathBuf],
    as_json: bool,
    verify: impl Fn(&[u8]) -> Result<serde_json::Value, poci::Error>,
) -> Result<(), CliError> {
    let mut refused = 0usize;
    for file in files {
        let bytes = read(file)?;
        let name = file.display().to_string();
        match verify(&bytes) {
            Ok(details) => {
                if as_json {
                    println!(
                        "{}",
                        json!({ "file": name, "valid": true, "result": details })
                    );
                } else {
                    println!("{name}: valid {details}");
                }
            }
            Err(error) => {
                refused = refused.saturating_add(1);
                if as_json {
                    println!(
                        "{}",
                        json!({ "file": name, "valid": false, "code": error.code(), "message": error.to_string() })
                    );
                } else {
                    println!("{name}: invalid: {}: {error}", error.code());
                }
            }
        }
    }
    if refused == 0 {
        Ok(())
    } else {
        Err(CliError::SomeRefused {
            refused,
            total: files.len(),
        })
    }
}
