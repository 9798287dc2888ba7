//! Seeds from the conformance vectors: every DER message, certificate, CRL, manifest, JSON
//! form, signature and public key the vectors carry, filed under the target that parses it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use poci::{ChipBindingRef, HeartbeatRef, LeaseAcceptanceRef};

use crate::parsers::JsonForm;

/// The conformance vectors folder of this repository.
#[must_use]
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/vectors")
}

/// Seeds per target name, in a stable order.
#[derive(Debug, Default)]
pub struct Seeds(BTreeMap<&'static str, Vec<Vec<u8>>>);

impl Seeds {
    fn add(&mut self, target: &'static str, bytes: Vec<u8>) {
        let list = self.0.entry(target).or_default();
        if !list.contains(&bytes) {
            list.push(bytes);
        }
    }

    /// The seeds of `target` (empty for one the vectors have nothing for).
    #[must_use]
    pub fn of(&self, target: &str) -> &[Vec<u8>] {
        self.0.get(target).map_or(&[], Vec::as_slice)
    }

    /// Every seed of every target.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        self.0
            .iter()
            .flat_map(|(target, list)| list.iter().map(move |seed| (*target, seed.as_slice())))
    }

    fn add_message(&mut self, der: &[u8]) {
        for target in ["decode_heartbeat", "decode_binding", "decode_lease"] {
            self.add(target, der.to_vec());
        }
        if let Ok(binding) = ChipBindingRef::from_der(der) {
            self.add("signature", binding.signature().to_vec());
            for certificate in &binding.tbs().certificates {
                self.add("certificate", certificate.to_vec());
            }
        }
        if let Ok(heartbeat) = HeartbeatRef::from_der(der) {
            self.add("signature", heartbeat.signature().to_vec());
        }
        if let Ok(lease) = LeaseAcceptanceRef::from_der(der) {
            self.add("signature", lease.signature().to_vec());
        }
    }

    fn add_json(&mut self, form: JsonForm, value: &Value) {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let mut bytes = vec![form as u8];
        bytes.extend(text.into_bytes());
        self.add("json_forms", bytes);
    }

    fn walk(&mut self, key: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                if let (Some(json), Some(kind)) = (map.get("json"), map.get("kind")) {
                    let form = match kind.as_str() {
                        Some("heartbeat") => JsonForm::Heartbeat,
                        Some("chip_binding") => JsonForm::ChipBinding,
                        _ => JsonForm::LeaseAcceptance,
                    };
                    self.add_json(form, json);
                }
                let forms = [
                    ("params", JsonForm::NetworkParams),
                    ("schedule", JsonForm::EmissionSchedule),
                    ("split", JsonForm::PoolSplit),
                    ("entries", JsonForm::AllocationInputs),
                    ("policy", JsonForm::NetworkPolicy),
                ];
                for (name, form) in forms {
                    if let Some(found) = map.get(name) {
                        self.add_json(form, found);
                    }
                }
                for (name, inner) in map {
                    self.walk(name, inner);
                }
            }
            Value::Array(list) => list.iter().for_each(|inner| self.walk(key, inner)),
            Value::String(text) => self.string(key, text),
            _ => {}
        }
    }

    fn string(&mut self, key: &str, text: &str) {
        if text.contains("-----BEGIN") {
            if let Ok((label, der)) = pem_rfc7468::decode_vec(text.as_bytes()) {
                match label {
                    "CERTIFICATE" => self.add("certificate", der),
                    "X509 CRL" => self.add("crl", der),
                    _ => {}
                }
            }
            return;
        }
        match key {
            "toml" => self.add("manifest", text.as_bytes().to_vec()),
            "der" => {
                if let Ok(der) = hex::decode(text) {
                    self.add_message(&der);
                }
            }
            "report" => {
                if let Ok(report) = hex::decode(text) {
                    self.add("nvidia_report", report);
                }
            }
            "public_key" | "signature" => {
                if let Ok(bytes) = hex::decode(text) {
                    self.add("signature", bytes);
                }
            }
            _ => {}
        }
    }
}

/// Reads every vector file.
///
/// # Panics
/// If the vectors folder cannot be read: the seeds are part of the harness.
#[must_use]
pub fn from_vectors() -> Seeds {
    let mut seeds = Seeds::default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("conformance/vectors")
        .map(|entry| entry.expect("vector file").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("vector file");
        let file: Value = serde_json::from_str(&text).expect("vector JSON");
        seeds.walk("", &file);
    }
    // The folder loader's seeds: the repository's vendor-roots/ whole, and each vendor alone.
    let folder = poci::embedded::FILES;
    seeds.add("vendor_roots", crate::parsers::pack_folder(folder));
    for vendor in ["poci-test-a", "poci-test-b", "nvidia"] {
        let one: Vec<poci::FolderFile<'_>> = folder
            .iter()
            .filter(|file| file.path.split('/').any(|part| part == vendor))
            .copied()
            .collect();
        seeds.add("vendor_roots", crate::parsers::pack_folder(&one));
    }
    seeds
}

/// The certificates of the vectors, for the binding target's chains.
pub(crate) fn vector_certificates() -> Vec<Vec<u8>> {
    from_vectors().of("certificate").to_vec()
}
