//! `poci verify binding|heartbeat|nvidia-report FILE ...`: exit 0 if every file is valid, 1 if one is not
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
    /// NVIDIA GPU attestation reports (SPDM, hex text or binary) with the GPU's chain:
    /// signature, chain to NVIDIA's root, firmware id, nonce (SPEC.md 17).
    NvidiaReport {
        /// The GPU's certificate chain (PEM, leaf first).
        #[arg(long)]
        chain: PathBuf,
        /// The nonce the reports must answer (hex, 32 bytes).
        #[arg(long, value_parser = hex32)]
        nonce: [u8; 32],
        /// Judge the chain at this unix time instead of now.
        #[arg(long)]
        time: Option<u64>,
        /// The trust material.
        #[command(flatten)]
        trust: TrustArgs,
        /// Print one JSON object per file.
        #[arg(long)]
        json: bool,
        /// Report files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
        VerifyCommand::NvidiaReport {
            chain,
            nonce,
            time,
            trust,
            json,
            files,
        } => {
            let chain = pem_chain(chain)?;
            let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
            let time = match time {
                Some(time) => *time,
                None => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_err(|_| CliError::Usage("the clock is before 1970".into()))?
                    .as_secs(),
            };
            let verifier = Verifier::with_trust_store(trust.load()?);
            report_all(files, *json, |bytes| {
                let report = report_bytes(bytes);
                verifier
                    .verify_nvidia_report(&report, &chain, nonce, time)
                    .map(|verified| {
                        json!({
                            "chip": verified.chip,
                            "key_id": verified.key_id.to_string(),
                            "nonce": hex::encode(verified.nonce),
                            "model_id": verified.model_id,
                            "chip_sku": verified.chip_sku,
                            "project": verified.project,
                            "project_sku": verified.project_sku,
                            "driver_version": verified.driver_version,
                            "vbios_version": verified.vbios_version,
                            "fwid": verified.fwid.map(hex::encode),
                        })
                    })
            })
        }
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

/// A report file's bytes: hex text (as NVIDIA's tools write it) or the binary report.
fn report_bytes(bytes: &[u8]) -> Vec<u8> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| hex::decode(text.trim()).ok())
        .unwrap_or_else(|| bytes.to_vec())
}

/// The certificates of a PEM file, in order.
fn pem_chain(path: &std::path::Path) -> Result<Vec<Vec<u8>>, CliError> {
    let text = crate::files::read_text(path)?;
    let chain = poci::x509::certificates_from_pem(&text)
        .map_err(|_| CliError::Usage(format!("{}: not PEM certificates", path.display())))?;
    if chain.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no certificate",
            path.display()
        )));
    }
    Ok(chain)
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
