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

/// The network: a params file (the JSON of `NetworkParams`), or the four values (each
/// overriding the context's params, else the defaults shown).
#[derive(Debug, Clone, Args)]
pub struct NetworkArgs {
    /// A JSON file with the network params (as `poci simulate` writes to params.json).
    #[arg(long, conflicts_with_all = ["network_id", "genesis_unix", "epoch_seconds", "slots_per_epoch"])]
    pub params: Option<std::path::PathBuf>,
    /// Network id [default: poci-testnet].
    #[arg(long)]
    pub network_id: Option<String>,
    /// Unix time of epoch 0, slot 0 [default: 1767225600].
    #[arg(long)]
    pub genesis_unix: Option<u64>,
    /// Seconds per epoch [default: 86400].
    #[arg(long)]
    pub epoch_seconds: Option<u64>,
    /// Slots per epoch [default: 24].
    #[arg(long)]
    pub slots_per_epoch: Option<u32>,
}

/// The network of `poci verify` without --params, values or a context.
const DEFAULT_NETWORK: (&str, u64, u64, u32) = ("poci-testnet", 1_767_225_600, 86_400, 24);

impl NetworkArgs {
    /// The params these arguments name: --params; else `base` (a context's params, or the
    /// defaults) with each value given here in place of its own.
    pub fn load(&self, base: Option<&NetworkParams>) -> Result<NetworkParams, CliError> {
        if let Some(path) = &self.params {
            return load_params(path);
        }
        let (network_id, genesis_unix, epoch_seconds, slots_per_epoch) = match base {
            Some(params) => (
                params.network_id(),
                params.genesis_unix(),
                params.epoch_seconds(),
                params.slots_per_epoch(),
            ),
            None => DEFAULT_NETWORK,
        };
        NetworkParams::new(
            self.network_id.as_deref().unwrap_or(network_id),
            self.genesis_unix.unwrap_or(genesis_unix),
            self.epoch_seconds.unwrap_or(epoch_seconds),
            self.slots_per_epoch.unwrap_or(slots_per_epoch),
        )
        .map_err(setup("network params"))
    }
}

/// A params file (the JSON of `NetworkParams`): a usage error naming the field if it is
/// refused (our parameters, not an input under judgement).
pub fn load_params(path: &Path) -> Result<NetworkParams, CliError> {
    let text = read_text(path)?;
    NetworkParams::from_json(&text)
        .map_err(|error| crate::jsonfile::explain(&text, error).usage(&path.display().to_string()))
}

/// A beacon argument: hex of 1..=`MAX_BEACON_LEN` bytes, what `derive_challenge` accepts
/// (SPEC.md 5).
pub fn beacon(text: &str) -> Result<HexBytes, String> {
    let max = poci::limits::MAX_BEACON_LEN;
    let bytes = hex::decode(text)
        .map_err(|error| format!("not hex: {error} (a beacon is hex of 1 to {max} bytes)"))?;
    if bytes.is_empty() || bytes.len() > max {
        return Err(format!(
            "{} bytes: a beacon is 1 to {max} bytes (hex)",
            bytes.len()
        ));
    }
    Ok(HexBytes(bytes))
}

/// The certificates of a certificate file: DER (one), or PEM (one or a chain, in the file's
/// order; blocks of other labels and text between blocks are ignored).
pub fn certificates_of(path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let bytes = read(path)?;
    let not = |why: &str| CliError::Usage(format!("{}: {why}", path.display()));
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        let text = std::str::from_utf8(&bytes).map_err(|_| not("PEM that is not UTF-8 text"))?;
        let certificates = poci::x509::certificates_from_pem(text)
            .map_err(|error| not(&format!("not PEM certificates: {}: {error}", error.code())))?;
        if certificates.is_empty() {
            return Err(not("no CERTIFICATE block"));
        }
        Ok(certificates)
    } else {
        Ok(vec![bytes])
    }
}

/// The length a DER file's outer TLV declares (header included), if its header reads.
pub fn declared_len(der: &[u8]) -> Option<usize> {
    let (_, header, value) = der_header(der)?;
    header.checked_add(value)
}

/// A DER header at the start of `bytes`: (tag, header length, value length), without
/// requiring the value to be there. Definite lengths of up to four octets only.
pub fn der_header(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some((tag, 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let octets = bytes.get(2..count.checked_add(2)?)?;
    let value = octets
        .iter()
        .fold(0usize, |acc, octet| (acc << 8) | usize::from(*octet));
    Some((tag, count.checked_add(2)?, value))
}

/// POCI's verdict on a DER file cut short, told for people: a file shorter than its outer
/// TLV declares is said to be cut short, with both lengths, instead of the position of the
/// truncated value (which is where that value starts, not where the file ends). None for
/// any other verdict.
pub fn cut_short(bytes: &[u8], kind: &str, error: &poci::Error) -> Option<(poci::Error, String)> {
    let declared = declared_len(bytes).filter(|declared| *declared > bytes.len())?;
    let poci::Error::DerMalformed {
        problem: poci::DerProblem::Truncated,
        ..
    } = error
    else {
        return None;
    };
    let error = poci::Error::DerMalformed {
        problem: poci::DerProblem::Truncated,
        position: None,
    };
    let detail = format!(
        "{error}: {kind} cut short: its outer SEQUENCE declares {declared} bytes, the file \
         ends at byte {}",
        bytes.len()
    );
    Some((error, detail))
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
