//! Reading and writing the command's files, and the arguments shared by subcommands.

use std::path::Path;

use clap::Args;
use poci::NetworkParams;

use crate::error::{CliError, setup};

/// Largest input file the command reads (manifests and reports included).
const MAX_INPUT_LEN: u64 = 64 << 20;

/// Reads a whole file, bounded.
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path).map_err(|error| CliError::io(path, error))?;
    let len = file
        .metadata()
        .map_err(|error| CliError::io(path, error))?
        .len();
    if len > MAX_INPUT_LEN {
        return Err(CliError::Usage(format!(
            "{}: {len} bytes, more than the {MAX_INPUT_LEN} this command reads",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|error| CliError::io(path, error))
}

/// Reads a UTF-8 text file.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    String::from_utf8(read(path)?)
        .map_err(|_| CliError::Usage(format!("{}: not UTF-8 text", path.display())))
}

/// Writes a file, creating its folder.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| CliError::io(parent, error))?;
    }
    std::fs::write(path, contents).map_err(|error| CliError::io(path, error))
}

/// The DER inside a file: the file itself, or its one PEM block (any label).
pub fn der_of(bytes: &[u8]) -> Result<(Option<String>, Vec<u8>), poci::Error> {
    if bytes.starts_with(b"-----BEGIN ") {
        let (label, der) =
            pem_rfc7468::decode_vec(bytes).map_err(|_| poci::Error::DerMalformed {
                problem: poci::DerProblem::Length,
                position: None,
            })?;
        Ok((Some(label.to_owned()), der))
    } else {
        Ok((None, bytes.to_vec()))
    }
}

/// A hex argument of exactly 32 bytes.
pub fn hex32(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text).map_err(|error| format!("not hex: {error}"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| format!("{} bytes, not 32", bytes.len()))
}

/// Bytes given as a hex argument (a newtype: clap reads a bare `Vec<u8>` as many values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

/// A hex argument of any length.
pub fn hex_any(text: &str) -> Result<HexBytes, String> {
    hex::decode(text)
        .map(HexBytes)
        .map_err(|error| format!("not hex: {error}"))
}

/// The network: a params file (the JSON of `NetworkParams`) or the four values.
#[derive(Debug, Clone, Args)]
pub struct NetworkArgs {
    /// A JSON file with the network params (as `poci simulate` writes to params.json).
    #[arg(long, conflicts_with_all = ["network_id", "genesis_unix", "epoch_seconds", "slots_per_epoch"])]
    pub params: Option<std::path::PathBuf>,
    /// Network id.
    #[arg(long, default_value = "poci-testnet")]
    pub network_id: String,
    /// Unix time of epoch 0, slot 0.
    #[arg(long, default_value_t = 1_767_225_600)]
    pub genesis_unix: u64,
    /// Seconds per epoch.
    #[arg(long, default_value_t = 86_400)]
    pub epoch_seconds: u64,
    /// Slots per epoch.
    #[arg(long, default_value_t = 24)]
    pub slots_per_epoch: u32,
}

impl NetworkArgs {
    /// The params these arguments name.
    pub fn load(&self) -> Result<NetworkParams, CliError> {
        match &self.params {
            // Deserialisation checks the params' invariants.
            Some(path) => {
                poci::json::from_json(&read_text(path)?).map_err(setup(&path.display().to_string()))
            }
            None => NetworkParams::new(
                &self.network_id,
                self.genesis_unix,
                self.epoch_seconds,
                self.slots_per_epoch,
            )
            .map_err(setup("network params")),
        }
    }
}

/// Writes JSON, pretty, with a final newline.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), CliError> {
    write(path, format!("{}\n", pretty(value)?))
}

/// Pretty JSON of a value.
pub fn pretty<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map_err(|error| CliError::Usage(format!("cannot encode JSON: {error}")))
}
