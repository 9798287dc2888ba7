//! What is submitted to the ledger: the evidence of a binding or heartbeat, of any kind,
//! with the slot it answers.

use crate::device_key::KeyId;
use crate::evidence::EvidenceKind;
use crate::time::SlotId;

/// The evidence of one heartbeat, of its chip's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeartbeatEvidence<'a> {
    /// A POCI heartbeat (DER); it names its chip.
    Poci(&'a [u8]),
    /// An NVIDIA report answering the slot's heartbeat nonce, for the chip `key_id` (a
    /// report does not name its chip: the signature under the chip's key proves it).
    NvidiaSpdm {
        /// The chip.
        key_id: KeyId,
        /// The report (request ‖ response ‖ signature).
        report: &'a [u8],
    },
}

impl HeartbeatEvidence<'_> {
    /// The kind of this evidence.
    #[must_use]
    pub const fn kind(&self) -> EvidenceKind {
        match self {
            Self::Poci(_) => EvidenceKind::Poci,
            Self::NvidiaSpdm { .. } => EvidenceKind::NvidiaSpdm,
        }
    }
}

/// One heartbeat submitted to [`ChipLedger::apply_heartbeats`](crate::ChipLedger::apply_heartbeats): its evidence and the slot
/// (with that slot's challenge) it is submitted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatSubmission<'a> {
    /// The evidence.
    pub evidence: HeartbeatEvidence<'a>,
    /// The slot it proves.
    pub slot: SlotId,
    /// That slot's challenge.
    pub challenge: &'a [u8; 32],
}

impl<'a> HeartbeatSubmission<'a> {
    /// A POCI heartbeat (DER) for `slot`.
    #[must_use]
    pub const fn poci(der: &'a [u8], slot: SlotId, challenge: &'a [u8; 32]) -> Self {
        Self {
            evidence: HeartbeatEvidence::Poci(der),
            slot,
            challenge,
        }
    }
}

/// The evidence of one binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingEvidence<'a> {
    /// A POCI chip binding (DER), carrying its certificate chain.
    Poci(&'a [u8]),
    /// An NVIDIA report answering the slot's binding nonce, and the GPU's chain, leaf first.
    NvidiaSpdm {
        /// The report.
        report: &'a [u8],
        /// The certificates, leaf first (DER each).
        chain: &'a [&'a [u8]],
    },
}

impl BindingEvidence<'_> {
    /// The kind of this evidence.
    #[must_use]
    pub const fn kind(&self) -> EvidenceKind {
        match self {
            Self::Poci(_) => EvidenceKind::Poci,
            Self::NvidiaSpdm { .. } => EvidenceKind::NvidiaSpdm,
        }
    }

    /// The bytes that stand for the binding in equivocation evidence: the DER, or the report.
    pub(super) const fn bytes(&self) -> &[u8] {
        match self {
            Self::Poci(der) => der,
            Self::NvidiaSpdm { report, .. } => report,
        }
    }
}

/// One binding submitted to [`ChipLedger::apply_bindings`](crate::ChipLedger::apply_bindings): its evidence, the slot whose
/// challenge it answers, and the wallet that submits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingSubmission<'a> {
    /// The evidence.
    pub evidence: BindingEvidence<'a>,
    /// The slot it answers.
    pub slot: SlotId,
    /// That slot's challenge.
    pub challenge: &'a [u8; 32],
    /// The submitting wallet.
    pub wallet: &'a [u8],
}

impl<'a> BindingSubmission<'a> {
    /// A POCI chip binding (DER) for `slot`, submitted by `wallet`.
    #[must_use]
    pub const fn poci(
        der: &'a [u8],
        slot: SlotId,
        challenge: &'a [u8; 32],
        wallet: &'a [u8],
    ) -> Self {
        Self {
            evidence: BindingEvidence::Poci(der),
            slot,
            challenge,
            wallet,
        }
    }
}
