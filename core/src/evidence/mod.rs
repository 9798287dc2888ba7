//! Evidence: the kinds of proof a chip can give that it is genuine and online. `poci` is
//! POCI's own messages (`proof/`); `nvidia-spdm` is an NVIDIA GPU's own attestation report.
//! One module per kind; the ledger and the reward math see only what a kind verifies to.

pub mod nonce;
pub mod nvidia;
pub mod nvidia_certificate;
#[cfg(feature = "mint")]
pub mod nvidia_emulator;
pub mod nvidia_spdm;
pub mod p384;

/// A kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EvidenceKind {
    /// POCI's own messages, signed by a P-256 device key under a vendor's POCI roots.
    Poci,
    /// An NVIDIA GPU's SPDM 1.1 measurement report under the NVIDIA Device Identity CA.
    NvidiaSpdm,
}

impl EvidenceKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Poci, Self::NvidiaSpdm];

    /// The kind's stable name (`"poci"`, `"nvidia-spdm"`), as folders and JSON spell it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Poci => "poci",
            Self::NvidiaSpdm => "nvidia-spdm",
        }
    }

    /// The kind named `name`: the one parser of kind names.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl serde::Serialize for EvidenceKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for EvidenceKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown evidence kind `{name}`")))
    }
}
