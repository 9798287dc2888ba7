//! # POCI: Proof Of Computation Integrity
//!
//! The one implementation that compute chains, miners and wallets share to prove
//! that real chips are genuine, online and rentable. Chips sign the chain's
//! challenges with a vendor-certified device key; nodes verify those proofs and
//! pay rewards from them.
//!
//! This crate does no I/O and reads no clock: callers pass bytes, trust material
//! and time (as [`NetworkParams`] and slot numbers). `conformance/SPEC.md` is the
//! normative description of every format and check implemented here.
//!
//! Features: `ring` (default) and `pure-rust` choose the P-256 backend; `parallel`
//! (default) verifies batches across threads; `mint` (off) adds [`x509`]'s test-material
//! minting for tests and simulations.
//!
//! ```
//! use poci::{DeviceKey, SlotContext, HeartbeatTbs, NetworkParams, Signed, Verifier, derive_challenge};
//!
//! let params = NetworkParams::new("poci-testnet", 1_767_225_600, 3600, 120)?;
//! let chip = DeviceKey::from_seed(b"example chip")?;
//! let challenge = derive_challenge(&params, 7, 42, &[0x11; 32])?;
//! let tbs = HeartbeatTbs {
//!     network_id: params.network_id().to_owned(),
//!     chip_key_id: *chip.key_id(),
//!     wallet: b"wallet-1".to_vec(),
//!     epoch: 7,
//!     slot: 42,
//!     challenge,
//!     counter: 1,
//!     measurement: None,
//! };
//! let der = Signed::sign(tbs, &chip)?.to_der()?;
//! let context = SlotContext {
//!     network_id: params.network_id(),
//!     epoch: 7,
//!     slot: 42,
//!     challenge: &challenge,
//!     wallet: b"wallet-1",
//! };
//! let verified = Verifier::default().verify_heartbeat(&der, chip.public_key(), &context)?;
//! assert_eq!(verified.heartbeat.counter, 1);
//! # Ok::<(), poci::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod challenge;
mod der;
#[cfg(feature = "mint")]
pub mod der_builder;
mod device_key;
pub mod embedded;
mod error;
pub mod evidence;
mod identifier;
pub mod json;
mod ledger;
pub mod limits;
mod manifest;
mod network_policy;
pub mod oid;
mod proof;
mod registry;
pub mod rewards;
mod sampling;
mod signature;
mod slot_context;
mod time;
mod trust;
mod vendor_roots;
mod verifier;
pub mod x509;

pub use challenge::{CHALLENGE_DOMAIN, derive_challenge};
pub use device_key::{DeviceKey, DevicePublicKey, KeyId, P256_SPKI_LEN};
pub use error::{
    CertProblem, CertRole, DerProblem, Error, ErrorFamily, Field, JsonProblem, ManifestLocation,
    ManifestProblem, MessageKind, ParamsProblem, PolicyProblem, ReportProblem, Result,
    ScheduleProblem,
};
pub use evidence::EvidenceKind;
pub use evidence::nvidia::VerifiedNvidiaReport;
pub use identifier::validate_identifier;
pub use ledger::{
    BindingEvidence, BindingOutcome, BindingSubmission, ChipLedger, ClosedEpoch,
    EquivocationEvidence, HeartbeatEvidence, HeartbeatSubmission, Lease, LeaseOutcome,
    MAX_LEASE_EPOCHS, SettledLease,
};
pub use manifest::{
    ChipFigures, EvidenceFields, EvidenceModel, MANIFEST_SCHEMA, ManifestModel, MilliFigure,
    PeakFigure, VendorManifest, VendorStatus,
};
pub use network_policy::{MAX_SAMPLE_ONE_IN, NetworkPolicy, PolicyChange};
pub use proof::{
    ChipBinding, ChipBindingRef, ChipBindingTbs, ChipBindingTbsRef, Heartbeat, HeartbeatRef,
    HeartbeatTbs, HeartbeatTbsRef, LeaseAcceptance, LeaseAcceptanceRef, LeaseAcceptanceTbs,
    LeaseAcceptanceTbsRef, ProofId, Signed, SignedRef, VerifiedHeartbeat, VerifiedLeaseAcceptance,
};
pub use registry::{
    ChipModel, ChipModelRegistry, ManifestSource, RegistryDiff, RegistrySchedule, Rerating,
};
pub use sampling::{SAMPLING_DOMAIN, is_sampled};
pub use signature::{Backend, EcdsaSignature, verify_signature};
pub use slot_context::{BindingContext, SlotContext};
pub use time::{NetworkParams, SlotId};
pub use trust::{RootKind, TrustPolicy, TrustStore};
pub use vendor_roots::{FolderFile, is_vendor_roots_file};
pub use verifier::{ChipRecord, HeartbeatItem, HeartbeatSec1Item, VerifiedBinding, Verifier};
pub use x509::{ChipIdentity, UnknownRevocationPolicy};
