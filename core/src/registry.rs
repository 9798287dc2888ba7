//! The chip-model registry: every chip model a vendor may certify, with its rating, as
//! data every node applies identically. It is the union of the vendor manifests; it has
//! a canonical DER encoding and a SHA-256 digest (SPEC.md, "Chip-model registry"), and
//! versions that take effect from activation epochs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::der::{boolean, tag, tlv, uint_content};
use crate::error::{Error, ManifestLocation, ManifestProblem, Result};
use crate::manifest::{ChipFigures, PeakFigure, VendorManifest, VendorStatus};
use crate::oid::REGISTRY_DOMAIN_DER;

/// One manifest to load: its file name (for errors) and its TOML text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestSource<'a> {
    /// Name of the file, as errors should report it.
    pub file: &'a str,
    /// The TOML text.
    pub toml: &'a str,
}

/// A recognised chip model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChipModel {
    /// Registry id (identifier, SPEC.md 3.1), as device certificates name it.
    pub model_id: String,
    /// Vendor that may certify chips of this model.
    pub vendor_id: String,
    /// Name for people.
    pub display_name: String,
    /// The datasheet figures behind the rating.
    pub figures: ChipFigures,
    /// Compute rating in milli-CU (1 CU = 1 dense FP16/BF16 tensor TFLOPS).
    pub rating_milli_cu: u64,
    /// Where the figures come from.
    pub source: String,
    /// Remarks on the figures.
    pub note: String,
    /// The firmware floor (SPEC.md 18.4): 0 for none.
    #[serde(default)]
    pub min_security_version: u32,
}

/// All recognised vendors and chip models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChipModelRegistry {
    vendors: BTreeMap<String, VendorManifest>,
    models: BTreeMap<String, ChipModel>,
}

/// A rating that changed between two registry versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rerating {
    /// The model.
    pub model_id: String,
    /// Rating in the older version.
    pub old_milli_cu: u64,
    /// Rating in the newer version.
    pub new_milli_cu: u64,
}

/// What changed from one registry version to another (model ids ascending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistryDiff {
    /// Models only in the newer version.
    pub added: Vec<String>,
    /// Models only in the older version.
    pub removed: Vec<String>,
    /// Models whose rating changed.
    pub rerated: Vec<Rerating>,
    /// Models whose rating stayed but another field (vendor, figures, names, source) changed.
    pub changed: Vec<String>,
}

impl RegistryDiff {
    /// Whether the two versions hold the same models and data.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.rerated.is_empty()
            && self.changed.is_empty()
    }
}

impl ChipModelRegistry {
    /// Builds the registry from vendor manifests (any order).
    ///
    /// # Errors
    /// `MANIFEST_INVALID` naming file, model and field: any manifest error, a vendor
    /// declared twice, a model claimed by two vendors.
    pub fn from_manifests(sources: &[ManifestSource<'_>]) -> Result<Self> {
        let parsed = sources
            .iter()
            .map(|source| {
                Ok((
                    source.file,
                    VendorManifest::from_toml(source.file, source.toml)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::from_parsed(parsed)
    }

    /// The registry of manifests already read, each with its file name.
    pub(crate) fn from_parsed(mut manifests: Vec<(&str, VendorManifest)>) -> Result<Self> {
        // Sorting by file name makes the error reported for a conflict independent of
        // the order the caller lists files in.
        manifests.sort_by(|a, b| a.0.cmp(b.0));
        let mut registry = Self::default();
        for (file, manifest) in manifests {
            registry.insert_manifest(file, manifest)?;
        }
        Ok(registry)
    }

    fn insert_manifest(&mut self, file: &str, mut manifest: VendorManifest) -> Result<()> {
        // The registry keeps no trace of file order: equal content, equal registry.
        manifest.models.sort_by(|a, b| a.model_id.cmp(&b.model_id));
        manifest.evidence_models.sort();
        manifest.non_compute_chips.sort();
        let error = |problem, model: Option<&str>, field: &str| Error::ManifestInvalid {
            problem,
            location: Box::new(ManifestLocation {
                file: file.to_owned(),
                model: model.map(str::to_owned),
                field: Some(field.to_owned()),
            }),
        };
        if self.vendors.contains_key(&manifest.vendor_id) {
            return Err(error(ManifestProblem::DuplicateVendor, None, "vendor_id"));
        }
        if let Some(claimed) = manifest
            .models
            .iter()
            .find(|m| self.models.contains_key(&m.model_id))
        {
            return Err(error(
                ManifestProblem::ModelClaimedTwice,
                Some(&claimed.model_id),
                "model_id",
            ));
        }
        for model in &manifest.models {
            self.models.insert(
                model.model_id.clone(),
                ChipModel {
                    model_id: model.model_id.clone(),
                    vendor_id: manifest.vendor_id.clone(),
                    display_name: model.display_name.clone(),
                    figures: model.figures,
                    rating_milli_cu: model.rating_milli_cu,
                    source: model.source.clone(),
                    note: model.note.clone(),
                    min_security_version: model.min_security_version,
                },
            );
        }
        self.vendors.insert(manifest.vendor_id.clone(), manifest);
        Ok(())
    }

    /// The same registry without its test vendors and their models.
    #[must_use]
    pub fn without_test_vendors(mut self) -> Self {
        self.vendors.retain(|_, vendor| !vendor.test);
        let vendors = &self.vendors;
        self.models
            .retain(|_, model| vendors.contains_key(&model.vendor_id));
        self
    }

    /// The model with this id.
    #[must_use]
    pub fn get(&self, model_id: &str) -> Option<&ChipModel> {
        self.models.get(model_id)
    }

    /// The firmware floor rule (SPEC.md 18.4): a chip of `model_id` at `security_version`
    /// is refused if the model's `min_security_version` is above it. A model absent here
    /// has no floor (its absence is judged elsewhere).
    ///
    /// # Errors
    /// `FIRMWARE_BELOW_FLOOR`.
    pub fn check_floor(&self, model_id: &str, security_version: u32) -> Result<()> {
        let floor = self
            .get(model_id)
            .map_or(0, |model| model.min_security_version);
        if security_version < floor {
            return Err(Error::FirmwareBelowFloor {
                security_version,
                floor,
            });
        }
        Ok(())
    }

    /// The model that evidence anchored at `vendor_id` proves by its signed `fields`
    /// (SPEC.md 17.5): the vendor's one row matching them.
    ///
    /// # Errors
    /// `NOT_A_COMPUTE_CHIP` for a chip family the vendor declares non-compute;
    /// `MODEL_UNMAPPED` when no row of the vendor matches (or its model is gone).
    pub fn model_for_evidence(
        &self,
        vendor_id: &str,
        fields: &crate::manifest::EvidenceFields<'_>,
    ) -> Result<&ChipModel> {
        let vendor = self.vendors.get(vendor_id).ok_or(Error::ModelUnmapped)?;
        if vendor
            .non_compute_chips
            .iter()
            .any(|chip| chip == fields.chip)
        {
            return Err(Error::NotAComputeChip);
        }
        vendor
            .evidence_models
            .iter()
            .find(|row| row.matches(fields))
            .and_then(|row| self.models.get(&row.model_id))
            .ok_or(Error::ModelUnmapped)
    }

    /// The manifest of a vendor.
    #[must_use]
    pub fn vendor(&self, vendor_id: &str) -> Option<&VendorManifest> {
        self.vendors.get(vendor_id)
    }

    /// Every vendor, ordered by vendor id.
    pub fn vendors(&self) -> impl Iterator<Item = &VendorManifest> {
        self.vendors.values()
    }

    /// Every model, ordered by model id.
    pub fn models(&self) -> impl Iterator<Item = &ChipModel> {
        self.models.values()
    }

    /// Number of models.
    #[must_use]
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether there is no model.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The canonical DER encoding (SPEC.md): vendors by id, models by id, every field.
    ///
    /// # Errors
    /// Only if a value exceeds DER length limits (not possible within manifest bounds).
    pub fn to_der(&self) -> Result<Vec<u8>> {
        let mut vendors = Vec::new();
        for vendor in self.vendors.values() {
            let mut models: Vec<&ChipModel> = self
                .models
                .values()
                .filter(|m| m.vendor_id == vendor.vendor_id)
                .collect();
            models.sort_by(|a, b| a.model_id.cmp(&b.model_id));
            let model_entries = models
                .iter()
                .map(|m| encode_model(m))
                .collect::<Result<Vec<_>>>()?
                .concat();
            let status = match vendor.status {
                VendorStatus::Active => 0u8,
                VendorStatus::Revoked => 1u8,
            };
            let entry = [
                tlv(tag::UTF8_STRING, vendor.vendor_id.as_bytes())?,
                tlv(tag::UTF8_STRING, vendor.display_name.as_bytes())?,
                boolean(vendor.test)?,
                tlv(ENUMERATED, &[status])?,
                tlv(tag::SEQUENCE, &model_entries)?,
                encode_evidence_models(&vendor.evidence_models)?,
                encode_non_compute_chips(&vendor.non_compute_chips)?,
            ]
            .concat();
            vendors.push(tlv(tag::SEQUENCE, &entry)?);
        }
        let body = [
            tlv(tag::INTEGER, &[1])?,
            tlv(tag::OID, &REGISTRY_DOMAIN_DER)?,
            tlv(tag::SEQUENCE, &vendors.concat())?,
        ]
        .concat();
        tlv(tag::SEQUENCE, &body)
    }

    /// SHA-256 of the canonical encoding: the registry version a node states on chain.
    ///
    /// # Errors
    /// As [`ChipModelRegistry::to_der`].
    pub fn digest(&self) -> Result<[u8; 32]> {
        Ok(Sha256::digest(self.to_der()?).into())
    }

    /// What changed from `self` to `newer`.
    #[must_use]
    pub fn diff(&self, newer: &Self) -> RegistryDiff {
        let mut diff = RegistryDiff::default();
        for (id, old) in &self.models {
            match newer.models.get(id) {
                None => diff.removed.push(id.clone()),
                Some(new) if new.rating_milli_cu != old.rating_milli_cu => {
                    diff.rerated.push(Rerating {
                        model_id: id.clone(),
                        old_milli_cu: old.rating_milli_cu,
                        new_milli_cu: new.rating_milli_cu,
                    })
                }
                Some(new) if new != old => diff.changed.push(id.clone()),
                Some(_) => {}
            }
        }
        diff.added = newer
            .models
            .keys()
            .filter(|id| !self.models.contains_key(*id))
            .cloned()
            .collect();
        diff
    }
}

const ENUMERATED: u8 = 0x0a;

fn uint(tag_byte: u8, value: u64) -> Result<Vec<u8>> {
    tlv(tag_byte, &uint_content(&value.to_be_bytes()))
}

fn peak(tag_byte: u8, figure: Option<PeakFigure>) -> Result<Vec<u8>> {
    match figure {
        None => Ok(Vec::new()),
        Some(figure) => tlv(
            tag_byte,
            &[uint(tag::INTEGER, figure.milli)?, boolean(figure.sparse)?].concat(),
        ),
    }
}

fn optional(tag_byte: u8, value: Option<u64>) -> Result<Vec<u8>> {
    value.map_or_else(|| Ok(Vec::new()), |value| uint(tag_byte, value))
}

/// `[0] SEQUENCE OF EvidenceModel`, rows in order, absent when there is none (so a
/// registry without evidence models keeps the encoding it had before them).
fn encode_evidence_models(rows: &[crate::manifest::EvidenceModel]) -> Result<Vec<u8>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut entries = Vec::new();
    for row in rows {
        let body = [
            tlv(tag::UTF8_STRING, row.kind.as_bytes())?,
            tlv(tag::UTF8_STRING, row.chip.as_bytes())?,
            tlv(tag::UTF8_STRING, row.project.as_bytes())?,
            tlv(tag::UTF8_STRING, row.project_sku.as_bytes())?,
            tlv(tag::UTF8_STRING, row.chip_sku.as_bytes())?,
            tlv(tag::UTF8_STRING, row.model_id.as_bytes())?,
            boolean(row.test)?,
            tlv(tag::UTF8_STRING, row.source.as_bytes())?,
        ]
        .concat();
        entries.extend(tlv(tag::SEQUENCE, &body)?);
    }
    tlv(0xa0, &entries)
}

/// `[1] SEQUENCE OF UTF8String`, ascending, absent when empty.
fn encode_non_compute_chips(chips: &[String]) -> Result<Vec<u8>> {
    if chips.is_empty() {
        return Ok(Vec::new());
    }
    let mut entries = Vec::new();
    for chip in chips {
        entries.extend(tlv(tag::UTF8_STRING, chip.as_bytes())?);
    }
    tlv(0xa1, &entries)
}

fn encode_model(model: &ChipModel) -> Result<Vec<u8>> {
    let figures = &model.figures;
    let body = [
        tlv(tag::UTF8_STRING, model.model_id.as_bytes())?,
        tlv(tag::UTF8_STRING, model.display_name.as_bytes())?,
        uint(tag::INTEGER, model.rating_milli_cu)?,
        peak(0xa0, figures.fp16_tensor_tflops)?,
        peak(0xa1, figures.int8_tops)?,
        optional(0x82, figures.fp32_tflops)?,
        optional(0x83, figures.memory_gb)?,
        optional(0x84, figures.memory_bandwidth_gbps)?,
        tlv(tag::UTF8_STRING, model.source.as_bytes())?,
        tlv(tag::UTF8_STRING, model.note.as_bytes())?,
        // Absent when 0, so registries without floors keep their encoding and digest.
        if model.min_security_version == 0 {
            Vec::new()
        } else {
            uint(0x85, model.min_security_version.into())?
        },
    ]
    .concat();
    tlv(tag::SEQUENCE, &body)
}

/// Registry versions with the epochs they take effect from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySchedule {
    versions: Vec<(u64, ChipModelRegistry)>,
}

impl RegistrySchedule {
    /// A schedule from `(activation_epoch, registry)` pairs.
    ///
    /// # Errors
    /// `REGISTRY_SCHEDULE_INVALID` if the list is empty or the epochs do not strictly increase.
    pub fn new(versions: Vec<(u64, ChipModelRegistry)>) -> Result<Self> {
        let increasing = versions
            .windows(2)
            .all(|pair| matches!(pair, [(a, _), (b, _)] if a < b));
        if versions.is_empty() || !increasing {
            return Err(Error::RegistryScheduleInvalid);
        }
        Ok(Self { versions })
    }

    /// The registry in force at `epoch`: the last version activated at or before it.
    #[must_use]
    pub fn at(&self, epoch: u64) -> Option<&ChipModelRegistry> {
        self.versions
            .iter()
            .rev()
            .find(|(activation, _)| *activation <= epoch)
            .map(|(_, registry)| registry)
    }

    /// The model as rated at `epoch`.
    #[must_use]
    pub fn lookup(&self, model_id: &str, epoch: u64) -> Option<&ChipModel> {
        self.at(epoch)?.get(model_id)
    }

    /// Every `(activation_epoch, registry)`, in activation order.
    #[must_use]
    pub fn versions(&self) -> &[(u64, ChipModelRegistry)] {
        &self.versions
    }
}
