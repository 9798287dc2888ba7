//! `poci verify binding|heartbeat|nvidia-report FILE ...`: exit 0 if every file is valid, 1 if
//! one is not (its stable code printed), 2 for usage or I/O errors (a bad key, a file that is
//! not a certificate, no trust material named).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use poci::x509::CertificateSummary;
use poci::{
    BindingContext, DevicePublicKey, NetworkParams, SlotContext, Verifier, derive_challenge,
};
use serde::Deserialize;
use serde_json::json;

use crate::error::CliError;
use crate::files::{
    HexBytes, NetworkArgs, beacon, certificates_of, hex_any, hex32, read, read_text,
};
use crate::vendor_roots::{TrustArgs, TrustLabel};

/// The slot a proof answers and the wallet it is for.
#[derive(Debug, Clone, Args)]
pub struct SlotArgs {
    /// A context file (JSON, as `poci simulate` writes samples/*-context.json): the network
    /// params, epoch, slot, challenge, wallet and, for heartbeats, the chip's certificate or
    /// key. A flag given here overrides the context's value.
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// The network.
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Epoch of the slot.
    #[arg(long, required_unless_present = "context")]
    pub epoch: Option<u64>,
    /// The slot.
    #[arg(long, required_unless_present = "context")]
    pub slot: Option<u32>,
    /// The slot's challenge (hex, 32 bytes).
    #[arg(long, value_parser = hex32, required_unless_present_any = ["beacon", "context"], conflicts_with = "beacon")]
    pub challenge: Option<[u8; 32]>,
    /// Or the slot's beacon (hex, 1 to 64 bytes, SPEC.md 5), from which the challenge is
    /// derived.
    #[arg(long, value_parser = beacon)]
    pub beacon: Option<HexBytes>,
    /// The wallet (hex): the submitter of a binding, the bound wallet of a heartbeat.
    #[arg(long, value_parser = hex_any, required_unless_present = "context")]
    pub wallet: Option<HexBytes>,
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
        /// A context file (as `poci simulate` writes samples/nvidia-context.json): the chain
        /// file (relative to it), the nonce and the time. Flags override its values.
        #[arg(long)]
        context: Option<PathBuf>,
        /// The GPU's certificate chain (PEM, leaf first).
        #[arg(long, required_unless_present = "context")]
        chain: Option<PathBuf>,
        /// The nonce the reports must answer (hex, 32 bytes).
        #[arg(long, value_parser = hex32, required_unless_present = "context")]
        nonce: Option<[u8; 32]>,
        /// Judge the chain at this unix time instead of now (or the context's time).
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
    /// Heartbeats, against the chip's registered device key (the key's chain is judged when
    /// its binding is verified, not here).
    Heartbeat {
        /// The slot and wallet.
        #[command(flatten)]
        slot: SlotArgs,
        /// The chip's public key (hex, uncompressed SEC1).
        #[arg(long, value_parser = hex_any, conflicts_with = "certificate")]
        public_key: Option<HexBytes>,
        /// Or the chip's device certificate (DER or PEM), whose key is used. Of a PEM chain
        /// the first certificate is taken: the device certificate, as `poci chip mint` writes
        /// chain.pem (device certificate first, then its intermediate).
        #[arg(long)]
        certificate: Option<PathBuf>,
        /// Heartbeat files (DER).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// A context file: what a sample proof answers. Every field is optional; paths are relative
/// to the context file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Context {
    /// What the proof is (`binding`, `heartbeat`; `heartbeat` for an NVIDIA report's nonce).
    #[serde(default)]
    purpose: Option<String>,
    /// The network params (the JSON of `NetworkParams`).
    #[serde(default)]
    params: Option<NetworkParams>,
    /// The epoch (decimal string).
    #[serde(default)]
    epoch: Option<String>,
    /// The slot.
    #[serde(default)]
    slot: Option<u32>,
    /// The slot's challenge (hex).
    #[serde(default)]
    challenge: Option<String>,
    /// Or its beacon (hex).
    #[serde(default)]
    beacon: Option<String>,
    /// The wallet (hex).
    #[serde(default)]
    wallet: Option<String>,
    /// The chip's public key (hex SEC1).
    #[serde(default)]
    public_key: Option<String>,
    /// The chip's device certificate file.
    #[serde(default)]
    certificate: Option<String>,
    /// An NVIDIA report's nonce (hex).
    #[serde(default)]
    nonce: Option<String>,
    /// The time to judge an NVIDIA chain at (decimal string).
    #[serde(default)]
    time: Option<String>,
    /// An NVIDIA GPU's chain file (PEM).
    #[serde(default)]
    chain: Option<String>,
}

/// A context file read: its values and its folder.
struct LoadedContext {
    /// The file, for messages.
    path: PathBuf,
    /// Its values.
    context: Context,
    /// Its folder, against which its file names are resolved.
    folder: PathBuf,
}

impl LoadedContext {
    fn load(path: Option<&Path>) -> Result<Self, CliError> {
        let Some(path) = path else {
            return Ok(Self {
                path: PathBuf::from("(no context)"),
                context: Context::default(),
                folder: PathBuf::new(),
            });
        };
        let text = read_text(path)?;
        let context = crate::jsonfile::parse::<Context>(&text)
            .map_err(|failure| failure.usage(&path.display().to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            context,
            folder: path.parent().map(Path::to_owned).unwrap_or_default(),
        })
    }

    /// Refuses a context written for another kind of proof than `expected`.
    fn check_purpose(&self, expected: &str) -> Result<(), CliError> {
        match &self.context.purpose {
            Some(purpose) if purpose != expected => Err(self.bad(
                "purpose",
                &format!("a context for a {purpose}, not for a {expected}"),
            )),
            _ => Ok(()),
        }
    }

    /// A usage error about the context's `field`.
    fn bad(&self, field: &str, why: &str) -> CliError {
        CliError::Usage(format!("{}: field `{field}`: {why}", self.path.display()))
    }

    /// A hex field through a flag's parser.
    fn hex<T>(
        &self,
        field: &str,
        value: Option<&String>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, CliError> {
        value
            .map(|text| parse(text).map_err(|why| self.bad(field, &why)))
            .transpose()
    }

    /// A decimal `u64` field.
    fn decimal(&self, field: &str, value: Option<&String>) -> Result<Option<u64>, CliError> {
        value
            .map(|text| {
                poci::json::parse_decimal_u64(text)
                    .ok_or_else(|| self.bad(field, "not a canonical decimal string"))
            })
            .transpose()
    }

    /// A file named by the context, relative to it.
    fn file(&self, name: Option<&String>) -> Option<PathBuf> {
        name.map(|name| self.folder.join(name))
    }
}

/// A slot resolved from flags and context.
struct Slot {
    params: NetworkParams,
    epoch: u64,
    slot: u32,
    challenge: [u8; 32],
    wallet: Vec<u8>,
}

impl Slot {
    /// Flags first, then the context; a value in neither is a usage error naming the flag.
    fn resolve(args: &SlotArgs, loaded: &LoadedContext) -> Result<Self, CliError> {
        let context = &loaded.context;
        let params = args.network.load(context.params.as_ref())?;
        let missing = |flag: &str| CliError::Usage(format!("give {flag} (or a --context with it)"));
        let epoch = match args.epoch {
            Some(epoch) => epoch,
            None => loaded
                .decimal("epoch", context.epoch.as_ref())?
                .ok_or_else(|| missing("--epoch"))?,
        };
        let slot = args
            .slot
            .or(context.slot)
            .ok_or_else(|| missing("--slot"))?;
        let wallet = match &args.wallet {
            Some(wallet) => wallet.0.clone(),
            None => {
                loaded
                    .hex("wallet", context.wallet.as_ref(), hex_any)?
                    .ok_or_else(|| missing("--wallet"))?
                    .0
            }
        };
        let derive = |beacon: &[u8]| {
            derive_challenge(&params, epoch, slot, beacon)
                .map_err(|error| CliError::refused("--epoch/--slot/--beacon", error))
        };
        let challenge = match (args.challenge, &args.beacon) {
            (Some(challenge), _) => challenge,
            (None, Some(beacon)) => derive(&beacon.0)?,
            (None, None) => match loaded.hex("challenge", context.challenge.as_ref(), hex32)? {
                Some(challenge) => challenge,
                None => match loaded.hex("beacon", context.beacon.as_ref(), beacon)? {
                    Some(beacon) => derive(&beacon.0)?,
                    None => return Err(missing("--challenge or --beacon")),
                },
            },
        };
        Ok(Self {
            params,
            epoch,
            slot,
            challenge,
            wallet,
        })
    }
}

/// Runs `poci verify …`.
pub fn run(command: &VerifyCommand) -> Result<(), CliError> {
    match command {
        VerifyCommand::NvidiaReport {
            context,
            chain,
            nonce,
            time,
            trust,
            json,
            files,
        } => {
            let loaded = LoadedContext::load(context.as_deref())?;
            let chain_file = chain
                .clone()
                .or_else(|| loaded.file(loaded.context.chain.as_ref()))
                .ok_or_else(|| CliError::Usage("give --chain (or a --context with it)".into()))?;
            let chain = pem_chain(&chain_file)?;
            let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
            let nonce = match nonce {
                Some(nonce) => *nonce,
                None => loaded
                    .hex("nonce", loaded.context.nonce.as_ref(), hex32)?
                    .ok_or_else(|| {
                        CliError::Usage("give --nonce (or a --context with it)".into())
                    })?,
            };
            let time = match time {
                Some(time) => *time,
                None => match loaded.decimal("time", loaded.context.time.as_ref())? {
                    Some(time) => time,
                    None => std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_err(|_| CliError::Usage("the clock is before 1970".into()))?
                        .as_secs(),
                },
            };
            let trust = trust.load()?;
            let label = trust.label;
            let verifier = Verifier::with_trust_store(trust.store);
            report_all(files, *json, "an NVIDIA report", Some(&label), |bytes| {
                let report = report_bytes(bytes);
                verifier
                    .verify_nvidia_report(&report, &chain, &nonce, time)
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
            let loaded = LoadedContext::load(slot.context.as_deref())?;
            loaded.check_purpose("binding")?;
            let resolved = Slot::resolve(slot, &loaded)?;
            let trust = trust.load()?;
            let label = trust.label;
            let verifier = Verifier::with_trust_store(trust.store);
            let context = BindingContext::new(
                &resolved.params,
                resolved.epoch,
                resolved.slot,
                &resolved.challenge,
                &resolved.wallet,
            );
            report_all(files, slot.json, "a chip binding", Some(&label), |der| {
                verifier.verify_binding(der, &context).map(|verified| {
                    json!({
                        "proof_id": hex::encode(verified.proof_id),
                        "key_id": verified.record.key_id.to_string(),
                        "model_id": verified.record.model_id,
                        "vendor_id": verified.record.vendor_id,
                        "rating_milli_cu": verified.record.rating_milli_cu,
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
            let loaded = LoadedContext::load(slot.context.as_deref())?;
            loaded.check_purpose("heartbeat")?;
            let resolved = Slot::resolve(slot, &loaded)?;
            let key = match (public_key, certificate) {
                (Some(bytes), _) => public_key_arg("--public-key", &bytes.0)?,
                (None, Some(path)) => key_of_certificate(path)?,
                (None, None) => {
                    match (
                        loaded.file(loaded.context.certificate.as_ref()),
                        &loaded.context.public_key,
                    ) {
                        (Some(path), _) => key_of_certificate(&path)?,
                        (None, Some(text)) => {
                            let bytes =
                                hex_any(text).map_err(|why| loaded.bad("public_key", &why))?;
                            public_key_arg(
                                &format!("{}: field `public_key`", loaded.path.display()),
                                &bytes.0,
                            )?
                        }
                        (None, None) => {
                            return Err(CliError::Usage(
                                "give --public-key or --certificate (or a --context with one)"
                                    .into(),
                            ));
                        }
                    }
                }
            };
            let verifier = Verifier::default();
            let context = SlotContext {
                network_id: resolved.params.network_id(),
                epoch: resolved.epoch,
                slot: resolved.slot,
                challenge: &resolved.challenge,
                wallet: &resolved.wallet,
            };
            report_all(files, slot.json, "a heartbeat", None, |der| {
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
fn pem_chain(path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let text = read_text(path)?;
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

/// A public key given to the command: a usage error (exit 2) if it is not one, since it is
/// not the proof under judgement.
fn public_key_arg(what: &str, bytes: &[u8]) -> Result<DevicePublicKey, CliError> {
    DevicePublicKey::from_sec1_bytes(bytes).map_err(|error| {
        CliError::Usage(format!(
            "{what}: {}: {error} (expected 65 bytes of hex: 04, then x and y)",
            error.code()
        ))
    })
}

/// The device key of a certificate file (DER, PEM, or the first of a PEM chain); a file
/// that is not a certificate with a P-256 key is a usage error (exit 2).
fn key_of_certificate(path: &Path) -> Result<DevicePublicKey, CliError> {
    let certificates = certificates_of(path)?;
    let not_one = |error: poci::Error| {
        CliError::Usage(format!(
            "{}: not a device certificate: {}: {error}",
            path.display(),
            error.code()
        ))
    };
    let first = certificates.first().map_or(&[][..], Vec::as_slice);
    let summary = CertificateSummary::from_der(first).map_err(not_one)?;
    let key = summary
        .public_key
        .ok_or(poci::Error::PublicKeyInvalid)
        .map_err(not_one)?;
    DevicePublicKey::from_sec1_bytes(&key).map_err(not_one)
}

/// Verifies every file, printing one verdict per file (with the trust material it was
/// judged against, if any); fails if any is refused.
fn report_all(
    files: &[PathBuf],
    as_json: bool,
    kind: &str,
    trust: Option<&TrustLabel>,
    verify: impl Fn(&[u8]) -> Result<serde_json::Value, poci::Error>,
) -> Result<(), CliError> {
    let mut refused = 0usize;
    for file in files {
        let bytes = read(file)?;
        let name = file.display().to_string();
        let mut line = json!({ "file": name });
        if let (Some(trust), Some(object)) = (trust, line.as_object_mut()) {
            object.insert("trust".into(), trust.kind.name().into());
            object.insert("trust_digest".into(), trust.digest.clone().into());
        }
        let caveat = trust.map_or("", |trust| trust.kind.caveat());
        match verify(&bytes) {
            Ok(details) => {
                if as_json {
                    if let Some(object) = line.as_object_mut() {
                        object.insert("valid".into(), true.into());
                        object.insert("result".into(), details);
                    }
                    println!("{line}");
                } else {
                    println!("{name}: valid{caveat} {details}");
                }
            }
            Err(error) => {
                refused = refused.saturating_add(1);
                let (error, detail) =
                    crate::files::cut_short(&bytes, kind, &error).unwrap_or_else(|| {
                        let detail = error.to_string();
                        (error, detail)
                    });
                if as_json {
                    if let Some(object) = line.as_object_mut() {
                        object.insert("valid".into(), false.into());
                        object.insert("code".into(), error.code().into());
                        object.insert("message".into(), detail.into());
                    }
                    println!("{line}");
                } else {
                    println!("{name}: invalid: {}: {detail}", error.code());
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
