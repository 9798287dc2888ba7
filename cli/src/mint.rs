//! `poci vendor new` and `poci chip mint`: deterministic test material. The same seed always
//! gives the same keys and the same certificate bytes. Never for production.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use poci::x509::mint::{
    TestModelSpec, TestVendor, TestVendorSpec, test_vendor_manifest, testnet_vendor, to_pem,
    vendor_pki_files,
};
use poci::{ChipIdentity, ChipModelRegistry};

use crate::error::{CliError, setup};
use crate::files::write;

/// `poci vendor …`.
#[derive(Debug, Subcommand)]
pub enum VendorCommand {
    /// A test vendor folder: manifest.toml (test = true), root, intermediate and empty CRLs.
    New {
        /// Vendor id (an identifier: lowercase letters, digits, '-').
        #[arg(long)]
        vendor_id: String,
        /// Organization in the certificates (default: the vendor id).
        #[arg(long)]
        organization: Option<String>,
        /// Seed of the vendor's keys (default: the vendor id).
        #[arg(long)]
        seed: Option<String>,
        /// A model: `MODEL_ID=FP16_TFLOPS` (dense FP16 tensor TFLOPS) or `MODEL_ID=int8:TOPS`.
        #[arg(long = "model", required = true, value_parser = parse_model)]
        models: Vec<ModelArg>,
        /// Parent folder; the vendor's folder is created in it.
        #[arg(long)]
        out: PathBuf,
    },
}

/// A `--model` argument.
#[derive(Debug, Clone)]
pub struct ModelArg {
    model_id: String,
    fp16_dense_tflops: Option<u32>,
    int8_dense_tops: u32,
}

fn parse_model(text: &str) -> Result<ModelArg, String> {
    let (model_id, figure) = text
        .split_once('=')
        .ok_or("expected MODEL_ID=FP16_TFLOPS or MODEL_ID=int8:TOPS")?;
    let number = |digits: &str| {
        digits
            .parse::<u32>()
            .map_err(|_| format!("'{digits}' is not a whole number"))
    };
    let (fp16, int8) = match figure.strip_prefix("int8:") {
        Some(tops) => (None, number(tops)?),
        None => {
            let tflops = number(figure)?;
            (Some(tflops), tflops.saturating_mul(2))
        }
    };
    Ok(ModelArg {
        model_id: model_id.to_owned(),
        fp16_dense_tflops: fp16,
        int8_dense_tops: int8,
    })
}

/// `poci chip …`.
#[derive(Debug, Subcommand)]
pub enum ChipCommand {
    /// A test chip: its device key (secret, hex) and a device certificate from the vendor's
    /// intermediate, with the chip identity extension.
    Mint(ChipMintArgs),
}

/// Arguments of `poci chip mint`.
#[derive(Debug, Args)]
pub struct ChipMintArgs {
    /// The vendor.
    #[arg(long)]
    pub vendor_id: String,
    /// Use the vendor's testnet stand-in PKI (vendor-roots/testnet/VENDOR_ID), which the
    /// compiled-in testnet trust store trusts.
    #[arg(long, conflicts_with_all = ["organization", "vendor_seed"])]
    pub testnet: bool,
    /// Organization of a `poci vendor new` vendor (default: the vendor id).
    #[arg(long)]
    pub organization: Option<String>,
    /// Seed of a `poci vendor new` vendor (default: the vendor id).
    #[arg(long)]
    pub vendor_seed: Option<String>,
    /// The chip's model id.
    #[arg(long)]
    pub model: String,
    /// The chip's serial (text).
    #[arg(long)]
    pub serial: String,
    /// Seed of the chip's device key.
    #[arg(long)]
    pub seed: String,
    /// Certificate serial number.
    #[arg(long, default_value_t = 1)]
    pub certificate_serial: u64,
    /// Firmware security version.
    #[arg(long, default_value_t = 1)]
    pub security_version: u32,
    /// Output folder: device-key.hex (the secret key, hex), device.pem (the device
    /// certificate) and chain.pem (the device certificate first, then the vendor's
    /// intermediate, as a binding carries them).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `poci vendor …`.
pub fn run_vendor(command: &VendorCommand) -> Result<(), CliError> {
    let VendorCommand::New {
        vendor_id,
        organization,
        seed,
        models,
        out,
    } = command;
    let organization = organization.as_deref().unwrap_or(vendor_id);
    let vendor = TestVendor::new(
        vendor_id,
        organization,
        seed.as_deref().unwrap_or(vendor_id),
    )
    .map_err(setup("test vendor"))?;
    let display: Vec<String> = models
        .iter()
        .map(|model| format!("{} (simulated)", model.model_id))
        .collect();
    let specs: Vec<TestModelSpec<'_>> = models
        .iter()
        .zip(&display)
        .map(|(model, display_name)| TestModelSpec {
            model_id: &model.model_id,
            display_name,
            fp16_dense_tflops: model.fp16_dense_tflops,
            int8_dense_tops: model.int8_dense_tops,
        })
        .collect();
    let manifest = with_header(
        &test_vendor_manifest(&TestVendorSpec {
            vendor_id,
            organization,
            models: &specs,
        }),
        &vendor_new_command(command),
    );
    // The manifest must load as the library will load it.
    poci::VendorManifest::from_toml("manifest.toml", &manifest)
        .map_err(|error| CliError::refused("--model", error))?;
    let folder = out.join(vendor_id);
    write(&folder.join("manifest.toml"), manifest)?;
    for (path, pem) in vendor_pki_files(&vendor).map_err(setup("vendor files"))? {
        write(&folder.join(path), pem)?;
    }
    println!("{}", folder.display());
    Ok(())
}

/// The manifest with its first comment naming the command that wrote it (the library's
/// header names the repository's own generator, which a user of the command does not have).
fn with_header(manifest: &str, command: &str) -> String {
    let body = match manifest.split_once('\n') {
        Some((first, rest)) if first.starts_with('#') => rest,
        _ => manifest,
    };
    format!(
        "# Generated by `{command}` (test material, not for production): run it again rather \
         than edit this file.\n{body}"
    )
}

/// The `poci vendor new` command line of these arguments (without --out, so that the same
/// vendor gives the same files wherever it is written).
fn vendor_new_command(command: &VendorCommand) -> String {
    let VendorCommand::New {
        vendor_id,
        organization,
        seed,
        models,
        ..
    } = command;
    let mut line = format!("poci vendor new --vendor-id {}", shell_word(vendor_id));
    if let Some(organization) = organization {
        line.push_str(&format!(" --organization {}", shell_word(organization)));
    }
    if let Some(seed) = seed {
        line.push_str(&format!(" --seed {}", shell_word(seed)));
    }
    for model in models {
        let figure = match model.fp16_dense_tflops {
            Some(tflops) => tflops.to_string(),
            None => format!("int8:{}", model.int8_dense_tops),
        };
        line.push_str(&format!(
            " --model {}",
            shell_word(&format!("{}={figure}", model.model_id))
        ));
    }
    line
}

/// A word as a POSIX shell reads it back: bare if it is plain, else single-quoted. Control
/// characters are shown escaped (such a value is refused when the manifest is loaded).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.=:/+,@%".contains(c));
    if plain {
        return word.to_owned();
    }
    let mut quoted = String::from("'");
    for character in word.chars() {
        match character {
            '\'' => quoted.push_str("'\\''"),
            c if c.is_control() => quoted.push_str(&c.escape_default().to_string()),
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// Runs `poci chip …`.
pub fn run_chip(command: &ChipCommand) -> Result<(), CliError> {
    let ChipCommand::Mint(args) = command;
    let vendor = if args.testnet {
        let registry = ChipModelRegistry::embedded().map_err(setup("registry"))?;
        let manifest = registry.vendor(&args.vendor_id).ok_or_else(|| {
            CliError::Usage(format!(
                "no testnet PKI for '{}': not a vendor of the registry",
                args.vendor_id
            ))
        })?;
        testnet_vendor(&manifest.vendor_id, &manifest.display_name)
    } else {
        TestVendor::new(
            &args.vendor_id,
            args.organization.as_deref().unwrap_or(&args.vendor_id),
            args.vendor_seed.as_deref().unwrap_or(&args.vendor_id),
        )
    }
    .map_err(setup("vendor"))?;
    let identity = ChipIdentity {
        model_id: args.model.clone(),
        serial: args.serial.as_bytes().to_vec(),
        security_version: args.security_version,
    };
    let (key, certificate) = vendor
        .mint_chip(args.seed.as_bytes(), &identity, args.certificate_serial)
        .map_err(|error| CliError::refused("chip identity", error))?;
    let device = to_pem("CERTIFICATE", &certificate).map_err(setup("PEM"))?;
    let intermediate = to_pem("CERTIFICATE", &vendor.intermediate_der).map_err(setup("PEM"))?;
    write(
        &args.out.join("device-key.hex"),
        format!("{}\n", hex::encode(key.to_secret_bytes())),
    )?;
    write(&args.out.join("device.pem"), &device)?;
    write(
        &args.out.join("chain.pem"),
        format!("{device}{intermediate}"),
    )?;
    println!("key id {}", key.key_id());
    Ok(())
}
