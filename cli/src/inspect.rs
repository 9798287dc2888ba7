//! `poci inspect FILE`: recognises and decodes any POCI file for people.

use std::path::PathBuf;

use clap::Args;
use poci::rewards::report::EpochReport;
use poci::x509::CertificateSummary;
use poci::{
    ChipBinding, ChipBindingRef, ClosedEpoch, Heartbeat, HeartbeatRef, LeaseAcceptance,
    LeaseAcceptanceRef, MessageKind, NetworkParams, NetworkPolicy, VendorManifest,
};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::files::{cut_short, der_header, der_of, pretty, read};

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
    let mut decoded = decode(&bytes, &what)?;
    ratings_as_numbers(&mut decoded.details);
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

/// Ratings (`rating_milli_cu`, a `u64` of milli-CU) as JSON numbers, as `poci registry list`,
/// `poci verify --json` and `summary.json` write them (the manifest's JSON form spells them
/// as decimal strings).
fn ratings_as_numbers(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, field) in object.iter_mut() {
                if key == "rating_milli_cu" {
                    if let Some(number) = field.as_str().and_then(poci::json::parse_decimal_u64) {
                        *field = Value::from(number);
                    }
                } else {
                    ratings_as_numbers(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(ratings_as_numbers),
        _ => {}
    }
}

/// A value that could not be put into JSON (not expected for POCI types).
fn json_of<T: serde::Serialize>(value: &T) -> Result<Value, poci::Error> {
    serde_json::to_value(value).map_err(|_| poci::Error::JsonInvalid {
        problem: poci::JsonProblem::Syntax,
        line: 0,
        column: 0,
    })
}

fn decode(bytes: &[u8], what: &str) -> Result<Decoded, CliError> {
    let refused = |error| CliError::refused(what, error);
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| CliError::Usage(format!("{what}: JSON that is not UTF-8 text")))?;
        return decode_json(text, what);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains("vendor_id") && !trimmed.starts_with(b"-----BEGIN") {
            let manifest = VendorManifest::from_toml("manifest.toml", text).map_err(refused)?;
            return Ok(Decoded {
                kind: "vendor manifest",
                details: json_of(&manifest).map_err(refused)?,
            });
        }
    }
    if let Some(decoded) = nvidia_report(bytes) {
        return decoded.map_err(refused);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.matches("-----BEGIN CERTIFICATE-----").count() > 1 {
            return certificate_chain(text).map_err(refused);
        }
    }
    let (label, der) = der_of(bytes).map_err(refused)?;
    if let Some(label) = label.as_deref() {
        if label != "CERTIFICATE" {
            return Ok(Decoded {
                kind: "PEM block POCI does not decode",
                details: json!({ "label": label, "bytes": der.len() }),
            });
        }
        return certificate(&der).map_err(refused);
    }
    // A signed message is recognised by its domain tag, read from the headers alone (so a
    // file cut short is still named), and then judged as that kind only.
    let explained = |kind: &str, error: poci::Error| {
        let (error, detail) = cut_short(&der, kind, &error).unwrap_or_else(|| {
            let detail = format!("{kind}: {error}");
            (error, detail)
        });
        CliError::Explained {
            what: what.to_owned(),
            error,
            detail,
        }
    };
    match message_shape(&der) {
        Shape::Message(MessageKind::ChipBinding) => {
            binding(&der).map_err(|error| explained("a chip binding", error))
        }
        Shape::Message(MessageKind::Heartbeat) => {
            heartbeat(&der).map_err(|error| explained("a heartbeat", error))
        }
        Shape::Message(_) => lease(&der).map_err(|error| explained("a lease acceptance", error)),
        Shape::OtherDomain => Err(CliError::Explained {
            what: what.to_owned(),
            error: poci::Error::WrongDomainTag {
                expected: MessageKind::ChipBinding,
            },
            detail: "a signed message whose domain tag is no POCI message's (not a chip \
                     binding, heartbeat or lease acceptance)"
                .into(),
        }),
        Shape::Other => certificate(&der).map_err(|error| explained("a certificate", error)),
    }
}

/// What the headers of a DER file say it is.
enum Shape {
    /// A signed POCI message of this kind: `SEQUENCE { SEQUENCE { INTEGER, OID domain …`.
    Message(MessageKind),
    /// That structure with a domain tag of no POCI message.
    OtherDomain,
    /// Anything else (a certificate, or not DER).
    Other,
}

/// The kind of signed message `der` is, from its first headers and its domain tag: the
/// outer SEQUENCE, the tbs SEQUENCE, its version INTEGER and its domain OID.
fn message_shape(der: &[u8]) -> Shape {
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OID: u8 = 0x06;
    let tlv = |bytes: &[u8], expected: u8| der_header(bytes).filter(|(tag, _, _)| *tag == expected);
    let domain = (|| {
        let (_, outer, _) = tlv(der, SEQUENCE)?;
        let tbs = der.get(outer..)?;
        let (_, header, _) = tlv(tbs, SEQUENCE)?;
        let fields = tbs.get(header..)?;
        let (_, version_header, version_len) = tlv(fields, INTEGER)?;
        let rest = fields.get(version_header.checked_add(version_len)?..)?;
        let (_, oid_header, oid_len) = tlv(rest, OID)?;
        rest.get(oid_header..oid_header.checked_add(oid_len)?)
    })();
    let Some(domain) = domain else {
        return Shape::Other;
    };
    if domain == poci::oid::CHIP_BINDING_DOMAIN_DER {
        Shape::Message(MessageKind::ChipBinding)
    } else if domain == poci::oid::HEARTBEAT_DOMAIN_DER {
        Shape::Message(MessageKind::Heartbeat)
    } else if domain == poci::oid::LEASE_ACCEPTANCE_DOMAIN_DER {
        Shape::Message(MessageKind::LeaseAcceptance)
    } else {
        Shape::OtherDomain
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

fn decode_json(text: &str, what: &str) -> Result<Decoded, CliError> {
    let core = |error| crate::jsonfile::explain(text, error).refused(what);
    let serde = |failure: crate::jsonfile::JsonFailure| failure.refused(what);
    let encode = |error| CliError::refused(what, error);
    let value: Value = crate::jsonfile::parse(text).map_err(serde)?;
    let has = |key: &str| value.get(key).is_some();
    if has("tbs") {
        let tbs = value.get("tbs").cloned().unwrap_or(Value::Null);
        if tbs.get("certificates").is_some() {
            let message = ChipBinding::from_json(text).map_err(core)?;
            return Ok(Decoded {
                kind: "chip binding (JSON)",
                details: message_details(
                    &message,
                    message.proof_id().map_err(encode)?,
                    message.to_der().map_err(encode)?.len(),
                )
                .map_err(encode)?,
            });
        }
        if tbs.get("lease_id").is_some() {
            let message = LeaseAcceptance::from_json(text).map_err(core)?;
            return Ok(Decoded {
                kind: "lease acceptance (JSON)",
                details: message_details(
                    &message,
                    message.proof_id().map_err(encode)?,
                    message.to_der().map_err(encode)?.len(),
                )
                .map_err(encode)?,
            });
        }
        let message = Heartbeat::from_json(text).map_err(core)?;
        return Ok(Decoded {
            kind: "heartbeat (JSON)",
            details: message_details(
                &message,
                message.proof_id().map_err(encode)?,
                message.to_der().map_err(encode)?.len(),
            )
            .map_err(encode)?,
        });
    }
    if has("grace_slots") {
        let policy = NetworkPolicy::from_json(text).map_err(core)?;
        return Ok(Decoded {
            kind: "network policy",
            details: json!({
                "digest": hex::encode(policy.digest().map_err(encode)?),
                "policy": json_of(&policy).map_err(encode)?,
            }),
        });
    }
    if has("emission") {
        let report: EpochReport = crate::jsonfile::parse(text).map_err(serde)?;
        return Ok(Decoded {
            kind: "epoch report",
            details: json!({
                "epoch": report.epoch.to_string(),
                "emission": report.emission.to_string(),
                "supply_after": report.supply_after.to_string(),
                "miners_pool": report.pools.miners.to_string(),
                "other_pools": json_of(&report.pools.pools).map_err(encode)?,
                "chips": report.miners.shares.len(),
                "wallets": report.miners.wallets.len(),
                "unallocated": report.miners.unallocated.to_string(),
                "rejected": json_of(&report.rejected).map_err(encode)?,
            }),
        });
    }
    if has("availability") {
        let closed: ClosedEpoch = crate::jsonfile::parse(text).map_err(serde)?;
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
        let params = NetworkParams::from_json(text).map_err(core)?;
        return Ok(Decoded {
            kind: "network params",
            details: json_of(&params).map_err(encode)?,
        });
    }
    Err(CliError::Explained {
        what: what.to_owned(),
        error: poci::Error::JsonInvalid {
            problem: poci::JsonProblem::Schema,
            line: 0,
            column: 0,
        },
        detail: "JSON of no kind POCI reads: a signed message has `tbs`, an epoch report \
                 `emission`, a closed epoch `availability`, network params `genesis_unix`"
            .into(),
    })
}
