//! Vendor manifests (vendor-roots/README.md): the vendor, its chip models, the datasheet
//! figures behind each rating, and the rating rule that turns figures into milli-CU.
//!
//! Manifests are read from a generic TOML table rather than through serde derive, so
//! that every refusal names its file, model and field.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, ManifestLocation, ManifestProblem, Result};
use crate::evidence::EvidenceKind;
use crate::identifier::validate_identifier;
use crate::limits::{MAX_MODEL_ID_LEN, MAX_VENDOR_ID_LEN};

/// The manifest schema version this implementation reads.
pub const MANIFEST_SCHEMA: u32 = 1;

/// Longest display name, source or note, in bytes.
pub const MAX_MANIFEST_TEXT_LEN: usize = 512;

/// Whether a vendor's certificates are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum VendorStatus {
    /// Certificates chaining to the vendor are honoured.
    Active,
    /// The vendor's keys are compromised or withdrawn: every chain to it is refused.
    Revoked,
}

/// A datasheet figure in thousandths (`"989.5"` is 989 500): exact, no floats.
pub type MilliFigure = u64;

/// A peak throughput figure as the vendor publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakFigure {
    /// The figure in thousandths of its unit (TFLOPS or TOPS).
    #[serde(with = "crate::json::dec_u64")]
    pub milli: MilliFigure,
    /// Whether the vendor's figure assumes 2:4 structured sparsity.
    pub sparse: bool,
}

/// The datasheet figures of a chip model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipFigures {
    /// FP16/BF16 tensor TFLOPS (FP32 accumulate where the vendor distinguishes).
    pub fp16_tensor_tflops: Option<PeakFigure>,
    /// INT8 TOPS.
    pub int8_tops: Option<PeakFigure>,
    /// FP32 (non-tensor) TFLOPS, in thousandths.
    #[serde(with = "crate::json::opt_dec_u64")]
    pub fp32_tflops: Option<MilliFigure>,
    /// Memory in GB, in thousandths.
    #[serde(with = "crate::json::opt_dec_u64")]
    pub memory_gb: Option<MilliFigure>,
    /// Memory bandwidth in GB/s, in thousandths.
    #[serde(with = "crate::json::opt_dec_u64")]
    pub memory_bandwidth_gbps: Option<MilliFigure>,
}

impl ChipFigures {
    /// The rating rule (SPEC.md, "Compute ratings"): milli-CU from the dense FP16/BF16
    /// tensor figure (halved if sparse); without one, from INT8 TOPS / 2 (halved again
    /// if sparse). Division rounds down. `None` when neither figure is published.
    #[must_use]
    pub fn rating_milli_cu(&self) -> Option<u64> {
        match (self.fp16_tensor_tflops, self.int8_tops) {
            (Some(fp16), _) => Some(if fp16.sparse {
                fp16.milli / 2
            } else {
                fp16.milli
            }),
            (None, Some(int8)) => Some(if int8.sparse {
                int8.milli / 4
            } else {
                int8.milli / 2
            }),
            (None, None) => None,
        }
    }
}

/// One chip model row of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestModel {
    /// Registry id of the model.
    pub model_id: String,
    /// Name for people.
    pub display_name: String,
    /// The figures behind the rating.
    pub figures: ChipFigures,
    /// Compute rating in milli-CU; must follow from `figures` by the rule (0, with a
    /// note saying why, when the vendor publishes no figure).
    #[serde(with = "crate::json::dec_u64")]
    pub rating_milli_cu: u64,
    /// Where the figures come from (vendor datasheet or page).
    pub source: String,
    /// Remarks (sparse-only figures, accumulate precision, missing figures).
    pub note: String,
    /// The firmware floor: chips of the model whose security version is below it are
    /// refused from the epoch this registry version takes effect (SPEC.md 18.4); 0 for none.
    #[serde(default)]
    pub min_security_version: u32,
}

/// A vendor manifest (`manifest.toml` of a vendor-roots/ folder).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorManifest {
    /// Vendor id (identifier).
    pub vendor_id: String,
    /// Name for people.
    pub display_name: String,
    /// A test vendor: refused unless the trust policy allows test vendors.
    pub test: bool,
    /// Whether the vendor's chains are honoured.
    pub status: VendorStatus,
    /// The chip models this vendor may certify, in file order.
    pub models: Vec<ManifestModel>,
    /// Which signed fields of the vendor's own evidence name which model, in file order.
    pub evidence_models: Vec<EvidenceModel>,
    /// Chip families the vendor's evidence may prove genuine that are not compute chips
    /// (an NVIDIA NVSwitch, `LS10`): never mapped to a model, never rated.
    pub non_compute_chips: Vec<String>,
}

/// One row of a vendor's evidence model table: evidence of `kind` whose signed fields are
/// exactly these is a chip of `model_id` (SPEC.md 17.5). Every field is compared byte for
/// byte; a combination no row names maps to no model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceModel {
    /// The evidence kind's name (`nvidia-spdm`).
    pub kind: String,
    /// The chip family the device certificates name (`GH100`).
    pub chip: String,
    /// The signed board project (`1010`).
    pub project: String,
    /// The signed board project SKU (`0200`).
    pub project_sku: String,
    /// The signed chip SKU (`882`).
    pub chip_sku: String,
    /// The model these fields prove, one of the manifest's own models.
    pub model_id: String,
    /// A row for testnet evidence only: it maps nothing anchored at a production root.
    pub test: bool,
    /// Where the mapping is published.
    pub source: String,
}

/// What a piece of evidence signs about the chip's model, as its kind reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceFields<'a> {
    /// The evidence kind's name.
    pub kind: &'a str,
    /// The chip family its certificates name.
    pub chip: &'a str,
    /// The signed board project, if the evidence has one.
    pub project: Option<&'a str>,
    /// The signed board project SKU, if any.
    pub project_sku: Option<&'a str>,
    /// The signed chip SKU, if any.
    pub chip_sku: Option<&'a str>,
    /// Whether the evidence anchored at a test root or test vendor.
    pub test: bool,
}

impl EvidenceModel {
    /// Whether this row maps `fields`: every field equal, and a test row only for test
    /// evidence.
    #[must_use]
    pub fn matches(&self, fields: &EvidenceFields<'_>) -> bool {
        (!self.test || fields.test)
            && self.kind == fields.kind
            && self.chip == fields.chip
            && Some(self.project.as_str()) == fields.project
            && Some(self.project_sku.as_str()) == fields.project_sku
            && Some(self.chip_sku.as_str()) == fields.chip_sku
    }
}

const VENDOR_KEYS: &[&str] = &[
    "schema",
    "vendor_id",
    "display_name",
    "test",
    "status",
    "models",
    "evidence_models",
    "non_compute_chips",
];
const EVIDENCE_MODEL_KEYS: &[&str] = &[
    "kind",
    "chip",
    "project",
    "project_sku",
    "chip_sku",
    "model_id",
    "test",
    "source",
];
/// Longest chip family, project or SKU of an evidence model row, in bytes.
pub const MAX_EVIDENCE_FIELD_LEN: usize = 32;
const MODEL_KEYS: &[&str] = &[
    "model_id",
    "display_name",
    "fp16_tensor_tflops",
    "fp16_tensor_sparse",
    "int8_tops",
    "int8_sparse",
    "fp32_tflops",
    "memory_gb",
    "memory_bandwidth_gbps",
    "rating_milli_cu",
    "source",
    "note",
    "min_security_version",
];

/// Builds manifest errors that name the file and, as known, the model and field.
struct Reporter<'f> {
    file: &'f str,
}

impl Reporter<'_> {
    fn error(&self, problem: ManifestProblem, model: Option<&str>, field: Option<&str>) -> Error {
        Error::ManifestInvalid {
            problem,
            location: Box::new(ManifestLocation {
                file: self.file.to_owned(),
                model: model.map(str::to_owned),
                field: field.map(str::to_owned),
            }),
        }
    }
}

fn check_keys(
    table: &toml::Table,
    allowed: &[&str],
    report: &Reporter<'_>,
    model: Option<&str>,
) -> Result<()> {
    match table.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(unknown) => Err(report.error(ManifestProblem::UnknownField, model, Some(unknown))),
        None => Ok(()),
    }
}

fn text<'t>(
    table: &'t toml::Table,
    key: &str,
    report: &Reporter<'_>,
    model: Option<&str>,
) -> Result<&'t str> {
    let value = table
        .get(key)
        .ok_or_else(|| report.error(ManifestProblem::MissingField, model, Some(key)))?;
    let text = value
        .as_str()
        .ok_or_else(|| report.error(ManifestProblem::WrongType, model, Some(key)))?;
    if text.len() > MAX_MANIFEST_TEXT_LEN {
        return Err(report.error(ManifestProblem::WrongType, model, Some(key)));
    }
    Ok(text)
}

fn flag(
    table: &toml::Table,
    key: &str,
    report: &Reporter<'_>,
    model: Option<&str>,
) -> Result<Option<bool>> {
    table
        .get(key)
        .map(|value| {
            value
                .as_bool()
                .ok_or_else(|| report.error(ManifestProblem::WrongType, model, Some(key)))
        })
        .transpose()
}

/// A chip family, project or SKU: 1 to 32 printable ASCII bytes, as evidence signs them.
fn is_evidence_text(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_EVIDENCE_FIELD_LEN
        && text.bytes().all(|b| b.is_ascii_graphic())
}

/// Parses a decimal figure with at most three fractional digits into thousandths.
pub(crate) fn parse_milli(text: &str) -> Option<MilliFigure> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let canonical_whole = !whole.is_empty() && (whole == "0" || !whole.starts_with('0'));
    if !canonical_whole || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 3 {
        return None;
    }
    if text.contains('.') && (fraction.is_empty() || fraction.ends_with('0')) {
        return None;
    }
    let mut padded = fraction.to_owned();
    while padded.len() < 3 {
        padded.push('0');
    }
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(padded.parse::<u64>().ok()?)
}

fn figure(
    table: &toml::Table,
    key: &str,
    report: &Reporter<'_>,
    model: &str,
) -> Result<Option<MilliFigure>> {
    table
        .get(key)
        .map(|value| {
            value
                .as_str()
                .and_then(parse_milli)
                .ok_or_else(|| report.error(ManifestProblem::BadFigure, Some(model), Some(key)))
        })
        .transpose()
}

fn peak(
    table: &toml::Table,
    key: &str,
    sparse_key: &str,
    report: &Reporter<'_>,
    model: &str,
) -> Result<Option<PeakFigure>> {
    let milli = figure(table, key, report, model)?;
    let sparse = flag(table, sparse_key, report, Some(model))?;
    match (milli, sparse) {
        (Some(milli), Some(sparse)) => Ok(Some(PeakFigure { milli, sparse })),
        (None, None) => Ok(None),
        // A figure must say whether it is sparse, and a flag needs its figure.
        (Some(_), None) => {
            Err(report.error(ManifestProblem::MissingField, Some(model), Some(sparse_key)))
        }
        (None, Some(_)) => Err(report.error(ManifestProblem::MissingField, Some(model), Some(key))),
    }
}

impl VendorManifest {
    /// Parses and checks a manifest; `file` names it in errors.
    ///
    /// # Errors
    /// `MANIFEST_INVALID` naming the file, model and field: not TOML, unknown or missing
    /// field, wrong type, unknown schema, bad identifier, bad figure, duplicate model id,
    /// no figure to rate from, a rating that does not follow from the figures, an empty source.
    pub fn from_toml(file: &str, toml_text: &str) -> Result<Self> {
        let report = Reporter { file };
        let table: toml::Table = toml::from_str(toml_text)
            .map_err(|_| report.error(ManifestProblem::Syntax, None, None))?;
        check_keys(&table, VENDOR_KEYS, &report, None)?;
        let schema = table
            .get("schema")
            .ok_or_else(|| report.error(ManifestProblem::MissingField, None, Some("schema")))?
            .as_integer()
            .ok_or_else(|| report.error(ManifestProblem::WrongType, None, Some("schema")))?;
        if schema != i64::from(MANIFEST_SCHEMA) {
            return Err(report.error(ManifestProblem::Schema, None, Some("schema")));
        }
        let vendor_id = text(&table, "vendor_id", &report, None)?;
        validate_identifier(vendor_id, Field::VendorId, MAX_VENDOR_ID_LEN)
            .map_err(|_| report.error(ManifestProblem::Identifier, None, Some("vendor_id")))?;
        let display_name = text(&table, "display_name", &report, None)?;
        let test = flag(&table, "test", &report, None)?
            .ok_or_else(|| report.error(ManifestProblem::MissingField, None, Some("test")))?;
        let status = match text(&table, "status", &report, None)? {
            "active" => VendorStatus::Active,
            "revoked" => VendorStatus::Revoked,
            _ => return Err(report.error(ManifestProblem::WrongType, None, Some("status"))),
        };
        let rows = match table.get("models") {
            None => &Vec::new(),
            Some(value) => value
                .as_array()
                .ok_or_else(|| report.error(ManifestProblem::WrongType, None, Some("models")))?,
        };
        let mut seen = BTreeSet::new();
        let mut models = Vec::with_capacity(rows.len());
        for row in rows {
            let row = row
                .as_table()
                .ok_or_else(|| report.error(ManifestProblem::WrongType, None, Some("models")))?;
            let model = Self::read_model(row, &report)?;
            if !seen.insert(model.model_id.clone()) {
                return Err(report.error(
                    ManifestProblem::DuplicateModel,
                    Some(&model.model_id),
                    Some("model_id"),
                ));
            }
            models.push(model);
        }
        let non_compute_chips = Self::read_non_compute_chips(&table, &report)?;
        let evidence_models =
            Self::read_evidence_models(&table, &report, &models, &non_compute_chips)?;
        Ok(Self {
            vendor_id: vendor_id.to_owned(),
            display_name: display_name.to_owned(),
            test,
            status,
            models,
            evidence_models,
            non_compute_chips,
        })
    }

    fn read_non_compute_chips(table: &toml::Table, report: &Reporter<'_>) -> Result<Vec<String>> {
        const KEY: &str = "non_compute_chips";
        let Some(value) = table.get(KEY) else {
            return Ok(Vec::new());
        };
        let wrong = || report.error(ManifestProblem::WrongType, None, Some(KEY));
        let mut chips: Vec<String> = Vec::new();
        for chip in value.as_array().ok_or_else(wrong)? {
            let chip = chip
                .as_str()
                .filter(|chip| is_evidence_text(chip))
                .ok_or_else(wrong)?;
            if chips.iter().any(|seen| seen == chip) {
                return Err(report.error(ManifestProblem::EvidenceModel, None, Some(KEY)));
            }
            chips.push(chip.to_owned());
        }
        Ok(chips)
    }

    /// The `[[evidence_models]]` rows: known kind, printable fields, a model of this very
    /// manifest, no chip declared non-compute, no combination twice, a source each.
    fn read_evidence_models(
        table: &toml::Table,
        report: &Reporter<'_>,
        models: &[ManifestModel],
        non_compute_chips: &[String],
    ) -> Result<Vec<EvidenceModel>> {
        const KEY: &str = "evidence_models";
        let rows = match table.get(KEY) {
            None => return Ok(Vec::new()),
            Some(value) => value
                .as_array()
                .ok_or_else(|| report.error(ManifestProblem::WrongType, None, Some(KEY)))?,
        };
        let mut rows_read: Vec<EvidenceModel> = Vec::with_capacity(rows.len());
        for row in rows {
            let row = row
                .as_table()
                .ok_or_else(|| report.error(ManifestProblem::WrongType, None, Some(KEY)))?;
            let model_id = text(row, "model_id", report, None)?;
            let m = Some(model_id);
            check_keys(row, EVIDENCE_MODEL_KEYS, report, m)?;
            let field = |key: &str| -> Result<String> {
                let value = text(row, key, report, m)?;
                if !is_evidence_text(value) {
                    return Err(report.error(ManifestProblem::WrongType, m, Some(key)));
                }
                Ok(value.to_owned())
            };
            let kind = text(row, "kind", report, m)?;
            // POCI's own evidence names its model in the device certificate.
            if !matches!(EvidenceKind::from_name(kind), Some(found) if found != EvidenceKind::Poci)
            {
                return Err(report.error(ManifestProblem::EvidenceModel, m, Some("kind")));
            }
            let row_read = EvidenceModel {
                kind: kind.to_owned(),
                chip: field("chip")?,
                project: field("project")?,
                project_sku: field("project_sku")?,
                chip_sku: field("chip_sku")?,
                model_id: model_id.to_owned(),
                test: flag(row, "test", report, m)?.unwrap_or(false),
                source: text(row, "source", report, m)?.to_owned(),
            };
            if row_read.source.trim().is_empty() {
                return Err(report.error(ManifestProblem::MissingSource, m, Some("source")));
            }
            if !models.iter().any(|model| model.model_id == model_id) {
                return Err(report.error(ManifestProblem::EvidenceModel, m, Some("model_id")));
            }
            if non_compute_chips.contains(&row_read.chip) {
                return Err(report.error(ManifestProblem::EvidenceModel, m, Some("chip")));
            }
            let same_fields = |other: &EvidenceModel| {
                (
                    &other.kind,
                    &other.chip,
                    &other.project,
                    &other.project_sku,
                    &other.chip_sku,
                ) == (
                    &row_read.kind,
                    &row_read.chip,
                    &row_read.project,
                    &row_read.project_sku,
                    &row_read.chip_sku,
                )
            };
            if rows_read.iter().any(same_fields) {
                return Err(report.error(ManifestProblem::EvidenceModel, m, Some("chip_sku")));
            }
            rows_read.push(row_read);
        }
        Ok(rows_read)
    }

    fn read_model(row: &toml::Table, report: &Reporter<'_>) -> Result<ManifestModel> {
        let model_id = text(row, "model_id", report, None)?;
        validate_identifier(model_id, Field::ModelId, MAX_MODEL_ID_LEN).map_err(|_| {
            report.error(
                ManifestProblem::Identifier,
                Some(model_id),
                Some("model_id"),
            )
        })?;
        check_keys(row, MODEL_KEYS, report, Some(model_id))?;
        let m = Some(model_id);
        let figures = ChipFigures {
            fp16_tensor_tflops: peak(
                row,
                "fp16_tensor_tflops",
                "fp16_tensor_sparse",
                report,
                model_id,
            )?,
            int8_tops: peak(row, "int8_tops", "int8_sparse", report, model_id)?,
            fp32_tflops: figure(row, "fp32_tflops", report, model_id)?,
            memory_gb: figure(row, "memory_gb", report, model_id)?,
            memory_bandwidth_gbps: figure(row, "memory_bandwidth_gbps", report, model_id)?,
        };
        let rating = row
            .get("rating_milli_cu")
            .ok_or_else(|| report.error(ManifestProblem::MissingField, m, Some("rating_milli_cu")))?
            .as_integer()
            .and_then(|value| u64::try_from(value).ok())
            .ok_or_else(|| report.error(ManifestProblem::WrongType, m, Some("rating_milli_cu")))?;
        let note = match row.get("note") {
            None => "",
            Some(_) => text(row, "note", report, m)?,
        };
        match figures.rating_milli_cu() {
            Some(expected) if rating != expected => {
                return Err(report.error(
                    ManifestProblem::RatingMismatch,
                    m,
                    Some("rating_milli_cu"),
                ));
            }
            Some(_) => {}
            // Without a vendor figure a model is recognised but rated 0, and the
            // manifest must say why (SPEC.md: "say so rather than invent one").
            None if rating != 0 => {
                return Err(report.error(
                    ManifestProblem::NoRatingBasis,
                    m,
                    Some("fp16_tensor_tflops"),
                ));
            }
            None if note.trim().is_empty() => {
                return Err(report.error(ManifestProblem::MissingField, m, Some("note")));
            }
            None => {}
        }
        let source = text(row, "source", report, m)?;
        if source.trim().is_empty() {
            return Err(report.error(ManifestProblem::MissingSource, m, Some("source")));
        }
        let min_security_version = match row.get("min_security_version") {
            None => 0,
            Some(value) => value
                .as_integer()
                .and_then(|value| u32::try_from(value).ok())
                .ok_or_else(|| {
                    report.error(ManifestProblem::WrongType, m, Some("min_security_version"))
                })?,
        };
        Ok(ManifestModel {
            model_id: model_id.to_owned(),
            display_name: text(row, "display_name", report, m)?.to_owned(),
            figures,
            rating_milli_cu: rating,
            source: source.to_owned(),
            note: note.to_owned(),
            min_security_version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milli_figures_have_one_spelling() {
        assert_eq!(parse_milli("989"), Some(989_000));
        assert_eq!(parse_milli("989.5"), Some(989_500));
        assert_eq!(parse_milli("0.125"), Some(125));
        assert_eq!(parse_milli("0"), Some(0));
        for bad in [
            "", "01", "1.", ".5", "1.50", "1.0", "1.2345", "-1", "1e3", " 1", "1,5",
        ] {
            assert_eq!(parse_milli(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rating_rule() {
        let peak = |milli, sparse| Some(PeakFigure { milli, sparse });
        let dense = ChipFigures {
            fp16_tensor_tflops: peak(312_000, false),
            ..ChipFigures::default()
        };
        assert_eq!(dense.rating_milli_cu(), Some(312_000));
        let sparse = ChipFigures {
            fp16_tensor_tflops: peak(1_979_000, true),
            ..ChipFigures::default()
        };
        assert_eq!(sparse.rating_milli_cu(), Some(989_500));
        let int8 = ChipFigures {
            int8_tops: peak(26_000, false),
            ..ChipFigures::default()
        };
        assert_eq!(int8.rating_milli_cu(), Some(13_000));
        let int8_sparse = ChipFigures {
            int8_tops: peak(275_000, true),
            ..ChipFigures::default()
        };
        assert_eq!(int8_sparse.rating_milli_cu(), Some(68_750));
        assert_eq!(ChipFigures::default().rating_milli_cu(), None);
    }
}
