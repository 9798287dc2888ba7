//! `poci inspect FILE`: recognises and decodes any POCI file for people.

use std::path::PathBuf;

use clap::Args;
use poci::rewards::report::EpochReport;
use poci::x509::CertificateSummary;
use poci::{
    ChipBinding, ChipBindingRef, ClosedEpoch, Heartbeat, HeartbeatRef, LeaseAcceptance,
    LeaseAcceptanceRef, NetworkParams, VendorManifest,
};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::files::{der_of, pretty, read};

/// Arguments of `poci inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file: DER, PEM, JSON or TOML.
    pub file: PathBuf,
    /// One JSON object `{kind, ...}` instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a file turned out to be.
struct Decoded {
    kind: &'static str,
    details: Value,
}

/// Runs `poci inspect`.
pub fn run(args: &InspectArgs) -> Result<(), CliError> {
    let bytes = read(&args.file)?;
    let what = args.file.display().to_string();
    let decoded = decode(&bytes).map_err(|error| CliError::refused(what.clone(), error))?;
    if args.json {
        println!(
            "{}",
            pretty(&json!({ "kind": decoded.kind, "value": decoded.details }))?
        );
    } else {
        println!("{what}: {}", decoded.kind);
        println!("{}", pretty(&decoded.details)?);
    }
    Ok(())
}

/// A JSON error without a position (the input was not parsed as text).
fn json_error(problem: poci::JsonProblem) -> poci::Error {
    poci::Error::JsonInvalid {
        problem,
        line: 0,
        column: 0,
    }
}

fn json_of<T: serde::Serialize>(value: &T) -> Result<Value, poci::Error> {
    serde_json::to_value(value).map_err(|_| json_error(poci::JsonProblem::Syntax))
}

fn decode(bytes: &[u8]) -> Result<Decoded, poci::Error> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        return decode_json(
            std::str::from_utf8(bytes).map_err(|_| json_error(poci::JsonProblem::Syntax))?,
        );
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains("vendor_id") && !trimmed.starts_with(b"-----BEGIN") {
            let manifest = VendorManifest::from_toml("manifest.toml", text)?;
            return Ok(Decoded {
                kind: "vendor manifest",
                details: json_of(&manifest)?,
            });
        }
    }
    if let Some(decoded) = nvidia_report(bytes) {
        return decoded;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.matches("-----BEGIN CERTIFICATE-----").count() > 1 {
            return certificate_chain(text);
        }
    }
    let (label, der) = der_of(bytes)?;
    if let Some(label) = label.as_deref() {
        if label != "CERTIFICATE" {
            return Ok(Decoded {
                kind: "PEM block POCI does not decode",
                details: json!({ "label": label, "bytes": der.len() }),
            });
        }
        return certificate(&der);
    }
    // A signed message is identified by its domain tag: try each kind, keep the first
    // verdict that is not "another kind's tag".
    let mut first_error = None;
    for attempt in [heartbeat, binding, lease] {
        match attempt(&der) {
            Ok(decoded) => return Ok(decoded),
            Err(poci::Error::WrongDomainTag { .. }) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match certificate(&der) {
        Ok(decoded) => Ok(decoded),
        Err(error) => Err(first_error.unwrap_or(error)),
    }
}

/// An NVIDIA attestation report (binary, or hex text as NVIDIA's tools write it): it starts
/// with SPDM 1.1 GET_MEASUREMENTS (`11 e0`).
fn nvidia_report(bytes: &[u8]) -> Option<Result<Decoded, poci::Error>> {
    use poci::evidence::nvidia_spdm::{NvidiaReport, opaque};
    let raw = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| hex::decode(text.trim()).ok())
        .unwrap_or_else(|| bytes.to_vec());
    if !raw.starts_with(&[0x11, 0xe0]) {
        return None;
    }
    Some(NvidiaReport::parse(&raw).map(|report| Decoded {
        kind: "NVIDIA attestation report (nvidia-spdm)",
        details: json!({
            "bytes": raw.len(),
            "requester_nonce": hex::encode(report.requester_nonce),
            "slot_id": report.slot_id,
            "measurement_blocks": report.blocks.len(),
            "chip_sku": report.opaque_text(opaque::CHIP_SKU),
            "project": report.opaque_text(opaque::PROJECT),
            "project_sku": report.opaque_text(opaque::PROJECT_SKU),
            "driver_version": report.opaque_text(opaque::DRIVER_VERSION),
            "vbios_version": report.vbios_version(),
            "fwid": report.opaque_field(opaque::FWID).map(hex::encode),
            "signature": hex::encode(report.signature),
        }),
    }))
}

/// A PEM file of several certificates: each decoded, as POCI's profile or as an NVIDIA
/// attestation certificate.
fn certificate_chain(text: &str) -> Result<Decoded, poci::Error> {
    use poci::evidence::nvidia_certificate::NvidiaCertificate;
    let mut certificates = Vec::new();
    for der in poci::x509::certificates_from_pem(text)? {
        let details = match NvidiaCertificate::from_der(&der) {
            Ok(nvidia) => json!({
                "common_name": nvidia.common_name,
                "public_key": hex::encode(nvidia.public_key),
                "fwid": nvidia.fwid.map(hex::encode),
                "self_issued": nvidia.subject == nvidia.issuer,
            }),
            Err(_) => json_of(&CertificateSummary::from_der(&der)?)?,
        };
        certificates.push(details);
    }
    Ok(Decoded {
        kind: "certificate chain",
        details: json!({ "certificates": certificates }),
    })
}

fn message_details<T: serde::Serialize>(
    message: &T,
    proof_id: [u8; 32],
    len: usize,
) -> Result<Value, poci::Error> {
    Ok(json!({
        "bytes": len,
        "proof_id": hex::encode(proof_id),
        "message": json_of(message)?,
    }))
}

fn heartbeat(der: &[u8]) -> Result<Decoded, poci::Error> {
    let parsed = HeartbeatRef::from_der(der)?;
    Ok(Decoded {
        kind: "heartbeat",
        details: message_details(&Heartbeat::from_der(der)?, parsed.proof_id(), der.len())?,
    })
}

fn binding(der: &[u8]) -> Result<Decoded, poci::Error> {
    let parsed = ChipBindingRef::from_der(der)?;
    let mut details = message_details(&ChipBinding::from_der(der)?, parsed.proof_id(), der.len())?;
    // Certificates are shown decoded, not as hex.
    let certificates = parsed
        .tbs()
        .certificates
        .iter()
        .map(|certificate| {
            CertificateSummary::from_der(certificate).and_then(|summary| json_of(&summary))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(object) = details.as_object_mut() {
        object.insert("certificates".into(), Value::Array(certificates));
    }
    Ok(Decoded {
        kind: "chip binding",
        details,
    })
}

fn lease(der: &[u8]) -> Result<Decoded, poci::Error> {
    let parsed = LeaseAcceptanceRef::from_der(der)?;
    Ok(Decoded {
        kind: "lease acceptance",
        details: message_details(
            &LeaseAcceptance::from_der(der)?,
            parsed.proof_id(),
            der.len(),
        )?,
    })
}

fn certificate(der: &[u8]) -> Result<Decoded, poci::Error> {
    Ok(Decoded {
        kind: "certificate",
        details: json_of(&CertificateSummary::from_der(der)?)?,
    })
}

fn decode_json(text: &str) -> Result<Decoded, poci::Error> {
    let value: Value = poci::json::from_json(text)?;
    let has = |key: &str| value.get(key).is_some();
    if has("tbs") {
        let tbs = value.get("tbs").cloned().unwrap_or(Value::Null);
        if tbs.get("certificates").is_some() {
            let message = ChipBinding::from_json(text)?;
            return Ok(Decoded {
                kind: "chip binding (JSON)",
                details: message_details(&message, message.proof_id()?, message.to_der()?.len())?,
            });
        }
        if tbs.get("lease_id").is_some() {
            let message = LeaseAcceptance::from_json(text)?;
            return Ok(Decoded {
                kind: "lease acceptance (JSON)",
                details: message_details(&message, message.proof_id()?, message.to_der()?.len())?,
            });
        }
        let message = Heartbeat::from_json(text)?;
        return Ok(Decoded {
            kind: "heartbeat (JSON)",
            details: message_details(&message, message.proof_id()?, message.to_der()?.len())?,
        });
    }
    if has("emission") {
        let report: EpochReport = poci::json::from_json(text)?;
        return Ok(Decoded {
            kind: "epoch report",
            details: json!({
                "epoch": report.epoch.to_string(),
                "emission": report.emission.to_string(),
                "supply_after": report.supply_after.to_string(),
                "miners_pool": report.pools.miners.to_string(),
                "other_pools": json_of(&report.pools.pools)?,
                "chips": report.miners.shares.len(),
                "wallets": report.miners.wallets.len(),
                "unallocated": report.miners.unallocated.to_string(),
                "rejected": json_of(&report.rejected)?,
            }),
        });
    }
    if has("availability") {
        let closed: ClosedEpoch = poci::json::from_json(text)?;
        return Ok(Decoded {
            kind: "closed epoch (proven slots)",
            details: json!({
                "epoch": closed.epoch.to_string(),
                "entries": closed.availability.len(),
                "proven_slots": closed.availability.iter().map(|entry| u64::from(entry.proven_slots)).sum::<u64>(),
            }),
        });
    }
    if has("genesis_unix") {
        let params: NetworkParams = poci::json::from_json(text)?;
        return Ok(Decoded {
            kind: "network params",
            details: json_of(&params)?,
        });
    }
    Err(json_error(poci::JsonProblem::Schema))
}
