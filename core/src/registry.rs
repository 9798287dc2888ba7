//! The chip-model registry: every chip model a vendor may certify, with its rating.
//!
//! It is the union of the vendor manifests of a trust store; a model belongs to
//! exactly one vendor.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::json::dec_u64;

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
    /// Compute rating in milli-CU (1 CU = 1 dense FP16/BF16 tensor TFLOPS).
    #[serde(with = "dec_u64")]
    pub rating_milli_cu: u64,
}

/// All recognised chip models, by model id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChipModelRegistry {
    models: BTreeMap<String, ChipModel>,
}

impl ChipModelRegistry {
    /// The model with this id.
    #[must_use]
    pub fn get(&self, model_id: &str) -> Option<&ChipModel> {
        self.models.get(model_id)
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

    pub(crate) fn contains(&self, model_id: &str) -> bool {
        self.models.contains_key(model_id)
    }

    pub(crate) fn insert(&mut self, model: ChipModel) {
        self.models.insert(model.model_id.clone(), model);
    }
}
