//! The one error type of POCI, with the stable codes shared by every binding.

use core::fmt;

/// Result type of every fallible POCI operation.
pub type Result<T> = core::result::Result<T, Error>;

/// Every way a POCI operation can fail.
///
/// Each variant carries typed context only; [`Error::code`] gives the stable
/// SCREAMING_SNAKE code that SPEC.md lists and every binding exposes.
/// Signature failures are deliberately opaque: they say *that* a signature
/// failed, never *why* inside the arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message is longer than the `MAX_*_LEN` limit of its kind.
    #[error("{kind} of {len} bytes exceeds the limit of {max} bytes")]
    MessageTooLarge {
        /// Kind of message being decoded.
        kind: MessageKind,
        /// Length of the input.
        len: usize,
        /// The limit for this kind.
        max: usize,
    },
    /// An NVIDIA attestation report outside the SPDM layout of SPEC.md.
    #[error("malformed NVIDIA attestation report ({problem}) at offset {offset}")]
    ReportMalformed {
        /// What is wrong.
        problem: ReportProblem,
        /// Offset in the report where it was found.
        offset: usize,
    },
    /// The evidence answers another nonce than the one its slot context gives.
    #[error("the evidence answers another nonce")]
    NonceMismatch,
    /// The firmware id the evidence reports is not the one its attestation certificate
    /// certifies.
    #[error("the reported firmware id is not the certified one")]
    FwidMismatch,
    /// The bytes are not well-formed DER (wrong tag, bad length, truncated, ...).
    #[error("malformed DER ({problem}){}", at_byte(*.position))]
    DerMalformed {
        /// What is wrong.
        problem: DerProblem,
        /// Byte offset where the decoder stopped, when known.
        position: Option<u32>,
    },
    /// Well-formed BER that is not the one canonical DER encoding
    /// (long-form or indefinite lengths, padded integers, ...).
    #[error("non-canonical encoding{}", at_byte(*.position))]
    DerNoncanonical {
        /// Byte offset where the decoder stopped, when known.
        position: Option<u32>,
    },
    /// Bytes remain after a complete value.
    #[error("trailing data{}", at_byte(*.position))]
    TrailingData {
        /// Byte offset of the first unread byte, when known.
        position: Option<u32>,
    },
    /// The `version` field holds a value this implementation does not know.
    #[error("unsupported {kind} version {version:?}")]
    UnsupportedVersion {
        /// Kind of message.
        kind: MessageKind,
        /// The version read, if it fits a `u64`.
        version: Option<u64>,
    },
    /// The domain tag is not the one of the message kind being decoded.
    #[error("domain tag is not the one of a {expected}")]
    WrongDomainTag {
        /// Kind of message that was expected.
        expected: MessageKind,
    },
    /// A mandatory variable-length field is empty.
    #[error("field {field} is empty")]
    FieldEmpty {
        /// The field.
        field: Field,
    },
    /// A variable-length field exceeds its `MAX_*` limit.
    #[error("field {field} has {len} bytes, more than the limit of {max}")]
    FieldTooLong {
        /// The field.
        field: Field,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A fixed-length field has another length.
    #[error("field {field} has {len} bytes instead of {expected}")]
    FieldWrongLength {
        /// The field.
        field: Field,
        /// Its length.
        len: usize,
        /// The one length allowed.
        expected: usize,
    },
    /// An INTEGER field is negative or larger than its type allows.
    #[error("integer field {field} is out of range")]
    IntegerOutOfRange {
        /// The field.
        field: Field,
    },
    /// An identifier (network id, model id) uses characters outside `[a-z0-9._-]`
    /// or does not start with a letter or digit.
    #[error("field {field} is not a valid identifier")]
    InvalidIdentifier {
        /// The field.
        field: Field,
    },
    /// A lease whose first epoch is after its last epoch.
    #[error("lease epochs {first_epoch}..={last_epoch} are not a range")]
    InvalidEpochRange {
        /// First epoch of the lease.
        first_epoch: u64,
        /// Last epoch of the lease.
        last_epoch: u64,
    },
    /// A certificate chain with more certificates than `MAX_CHAIN_CERTIFICATES`.
    #[error("certificate chain of {count} certificates exceeds the limit of {max}")]
    ChainTooLong {
        /// Certificates in the chain.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A batch call with more items than `MAX_BATCH_LEN`: nothing was checked or applied.
    #[error("batch of {len} items exceeds the limit of {max}")]
    BatchTooLarge {
        /// Items in the batch.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Chain validation needed more than `MAX_CHAIN_SIGNATURE_CHECKS` signature checks:
    /// certificates built to make path building expensive.
    #[error("certificate chain needs more than {max} signature checks")]
    ChainTooComplex {
        /// The limit.
        max: u32,
    },
    /// No vendor root of the trust store anchors the certificate chain.
    #[error("no trusted vendor root anchors the certificate chain")]
    UnknownIssuer,
    /// The carried certificates are not exactly one path: a certificate's issuer is not the
    /// next one's subject, two share a subject, or one is named like a trust-store root.
    #[error("the carried certificates are not exactly the path to a root")]
    ChainNotAPath,
    /// A certificate of the chain (or the vendor root) has expired at the slot's start time.
    #[error("{role} certificate expired at the slot's start time")]
    CertExpired {
        /// Which certificate.
        role: CertRole,
    },
    /// A certificate of the chain (or the vendor root) is not yet valid at the slot's start time.
    #[error("{role} certificate is not yet valid at the slot's start time")]
    CertNotYetValid {
        /// Which certificate.
        role: CertRole,
    },
    /// A certificate of the chain is listed on its issuer's CRL.
    #[error("a certificate of the chain is revoked")]
    CertRevoked,
    /// No CRL of the trust store speaks for a certificate of the chain, and the policy
    /// requires one.
    #[error("revocation status of a certificate of the chain is unknown")]
    RevocationStatusUnknown,
    /// The CRL that speaks for a certificate of the chain is past its nextUpdate.
    #[error("the CRL for a certificate of the chain has expired")]
    CrlExpired,
    /// A certificate's signature does not verify under its issuer's key (opaque).
    #[error("a certificate signature is invalid")]
    CertSignatureInvalid,
    /// The device certificate lacks the POCI device-attestation EKU or the
    /// digitalSignature key usage, or a CA certificate has an EKU without it.
    #[error("certificate key usage does not allow device attestation")]
    WrongKeyUsage,
    /// The device certificate has no chip identity extension.
    #[error("device certificate has no chip identity extension")]
    MissingChipIdentity,
    /// The chip model is not in the chip-model registry.
    #[error("chip model is not in the registry")]
    ModelUnknown,
    /// The chip model belongs to another vendor than the one whose root anchors the chain.
    #[error("chip model is not one the anchoring vendor may certify")]
    ModelNotAllowedForVendor,
    /// The evidence is genuine, but its signed fields map to no model of the registry
    /// (SPEC.md 17.5): never guessed, never rated.
    #[error("the evidence's signed fields map to no registered model")]
    ModelUnmapped,
    /// The evidence is from a chip its vendor declares not a compute chip (an NVSwitch).
    #[error("the evidence is from a chip that is not a compute chip")]
    NotAComputeChip,
    /// Evidence of one kind for a chip registered with another kind.
    #[error("evidence of another kind than the chip is registered with")]
    EvidenceKindMismatch,
    /// The binding's serial differs from the device certificate's.
    #[error("chip serial differs from the device certificate's")]
    SerialMismatch,
    /// The binding's model differs from the device certificate's.
    #[error("chip model differs from the device certificate's")]
    ModelMismatch,
    /// The chain is anchored by a test vendor and the trust policy does not allow them.
    #[error("test vendor refused by the trust policy")]
    TestVendorRefused,
    /// The chain is anchored by a vendor whose manifest marks it revoked.
    #[error("vendor is revoked")]
    VendorRevoked,
    /// A certificate that is not a well-formed X.509 v3 certificate of the POCI profile.
    #[error("bad certificate ({problem})")]
    BadCertificate {
        /// What is wrong.
        problem: CertProblem,
    },
    /// A CRL that is not well formed or not supported.
    #[error("bad certificate revocation list")]
    BadCrl,
    /// A vendor manifest, or trust material given with it, that breaks vendor-roots/README.md.
    #[error("invalid vendor manifest {location}: {problem}")]
    ManifestInvalid {
        /// What is wrong.
        problem: ManifestProblem,
        /// Where: file, model and field, as known.
        location: Box<ManifestLocation>,
    },
    /// Registry versions whose activation epochs do not strictly increase.
    #[error("registry activation epochs must strictly increase")]
    RegistryScheduleInvalid,
    /// Emission schedule parameters outside their documented bounds.
    #[error("invalid emission schedule: {problem}")]
    InvalidSchedule {
        /// What is wrong.
        problem: ScheduleProblem,
    },
    /// Reward pools whose basis points do not sum to 10000, or with bad or duplicate names.
    #[error("invalid reward pools")]
    InvalidPools,
    /// An allocation input beyond its documented maximum (rating, slots, entry count).
    #[error("allocation input out of bounds")]
    AllocationOutOfBounds,
    /// The same (chip, wallet) listed twice in one allocation.
    #[error("duplicate allocation entry")]
    DuplicateAllocationEntry,
    /// A lease with no slots, or more proven slots than the lease has.
    #[error("lease slots out of bounds")]
    LeaseOutOfBounds,
    /// An amount that does not fit its documented range (u128 base units or its bound).
    #[error("amount out of range")]
    AmountOverflow,
    /// A binding or heartbeat counter not above the chip's last one.
    #[error("counter is not above the chip's last counter")]
    CounterReplay,
    /// A heartbeat for a chip the ledger has no binding for.
    #[error("chip is not registered")]
    UnknownChip,
    /// A heartbeat for a slot the chip already proved, or an earlier one.
    #[error("chip already proved this or a later slot")]
    SlotAlreadyProven,
    /// A heartbeat for a slot before the slot of the chip's binding in force, or a binding
    /// for a slot before it (or before the chip's last proven slot).
    #[error("slot before the chip's binding in force")]
    SlotBeforeBinding,
    /// A heartbeat for a closed epoch, or a second close of an epoch.
    #[error("epoch {epoch} is closed")]
    EpochClosed {
        /// The epoch.
        epoch: u64,
    },
    /// A proof for a slot that ended more than the policy's grace ago (SPEC.md 18.2).
    #[error("slot {slot} is past its grace: the current slot is {current} (grace {grace_slots})")]
    SlotTooLate {
        /// The proof's slot, absolute.
        slot: u64,
        /// The current slot, absolute.
        current: u64,
        /// The policy's grace in slots.
        grace_slots: u32,
    },
    /// A proof for a slot after the current one.
    #[error("slot {slot} is after the current slot {current}")]
    SlotInFuture {
        /// The proof's slot, absolute.
        slot: u64,
        /// The current slot, absolute.
        current: u64,
    },
    /// A heartbeat of a chip the slot's sampling did not select (SPEC.md 18.3).
    #[error("the chip is not sampled in this slot")]
    NotSelected,
    /// A sampled epoch closed without exactly one challenge per slot.
    #[error("closing a sampled epoch needs {expected} slot challenges, got {got}")]
    SlotChallengesMissing {
        /// Slots per epoch.
        expected: u32,
        /// Challenges given.
        got: usize,
    },
    /// A lease acceptance whose lease id the ledger already holds (for another acceptance).
    #[error("lease id already used")]
    LeaseIdReused,
    /// A lease of a chip overlapping one it already has.
    #[error("lease overlaps another lease of the chip")]
    LeaseOverlap,
    /// A lease acceptance applied after its first epoch began.
    #[error("lease starts in epoch {first_epoch}, before the current epoch {current_epoch}")]
    LeaseNotTimely {
        /// The lease's first epoch.
        first_epoch: u64,
        /// The current epoch.
        current_epoch: u64,
    },
    /// No lease of that id in the ledger.
    #[error("no such lease")]
    LeaseUnknown,
    /// Settlement of a lease one of whose epochs is still open.
    #[error("lease epoch {epoch} is not closed")]
    LeaseNotEnded {
        /// The first open epoch of the lease.
        epoch: u64,
    },
    /// A JSON form that does not parse or does not match the schema of SPEC.md.
    #[error("invalid JSON ({problem}) at line {line}, column {column}")]
    JsonInvalid {
        /// What is wrong.
        problem: JsonProblem,
        /// Line of the problem (1-based; 0 when unknown).
        line: usize,
        /// Column of the problem (1-based; 0 when unknown).
        column: usize,
    },
    /// The signature is not a strict DER `Ecdsa-Sig-Value` with `r`, `s` in `[1, n-1]`.
    #[error("signature is malformed")]
    SignatureMalformed,
    /// The signature's `s` is above `n/2`: POCI accepts only the low-S form.
    #[error("signature is not in low-S form")]
    SignatureHighS,
    /// The signature does not verify.
    #[error("signature is invalid")]
    SignatureInvalid,
    /// A public key that is not an uncompressed P-256 point on the curve.
    #[error("public key is not a valid P-256 point")]
    PublicKeyInvalid,
    /// A device secret key that is zero or not below the group order.
    #[error("device secret key is invalid")]
    DeviceKeyInvalid,
    /// The message names another chip than the key it is checked against.
    #[error("chip key id does not match the device key")]
    ChipKeyMismatch,
    /// The message is for another network.
    #[error("message is for another network")]
    WrongNetwork,
    /// The message is for another epoch or slot.
    #[error(
        "message is for epoch {epoch} slot {slot}, expected epoch {expected_epoch} slot {expected_slot}"
    )]
    WrongSlot {
        /// Epoch the context expects.
        expected_epoch: u64,
        /// Slot the context expects.
        expected_slot: u32,
        /// Epoch in the message.
        epoch: u64,
        /// Slot in the message.
        slot: u32,
    },
    /// The message answers another challenge.
    #[error("challenge does not match")]
    ChallengeMismatch,
    /// The message names another wallet than the chip is bound to.
    #[error("wallet does not match")]
    WalletMismatch,
    /// A network policy outside its invariants (SPEC.md 18).
    #[error("invalid network policy: {problem}")]
    InvalidPolicy {
        /// What is wrong.
        problem: PolicyProblem,
    },
    /// Firmware older than the registry's floor for the model (SPEC.md 13, 18.4).
    #[error("security version {security_version} is below the model's floor {floor}")]
    FirmwareBelowFloor {
        /// The chip's security version.
        security_version: u32,
        /// The floor in force.
        floor: u32,
    },
    /// Trust material scheduled at epoch 0 or not after the versions already scheduled.
    #[error("trust material must be scheduled at increasing epochs after 0")]
    TrustScheduleInvalid,
    /// Network parameters that cannot describe a network.
    #[error("invalid network parameters: {problem}")]
    InvalidNetworkParams {
        /// What is wrong.
        problem: ParamsProblem,
    },
    /// A slot number at or above `slots_per_epoch`.
    #[error("slot {slot} is out of range (slots per epoch: {slots_per_epoch})")]
    SlotOutOfRange {
        /// The slot.
        slot: u32,
        /// Slots per epoch of the network.
        slots_per_epoch: u32,
    },
    /// A time computation left the range of `u64` seconds or epochs.
    #[error("time arithmetic overflowed")]
    TimeOverflow,
    /// A unix time before the network's genesis.
    #[error("unix time {unix} is before genesis {genesis_unix}")]
    BeforeGenesis {
        /// The time asked about.
        unix: u64,
        /// Genesis of the network.
        genesis_unix: u64,
    },
}

/// " at byte N" when the position is known.
fn at_byte(position: Option<u32>) -> String {
    position
        .map(|at| format!(" at byte {at}"))
        .unwrap_or_default()
}

impl Error {
    /// The stable code of this error, as listed in SPEC.md and exposed by every binding.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MessageTooLarge { .. } => "MESSAGE_TOO_LARGE",
            Self::ReportMalformed { .. } => "REPORT_MALFORMED",
            Self::NonceMismatch => "NONCE_MISMATCH",
            Self::FwidMismatch => "FWID_MISMATCH",
            Self::DerMalformed { .. } => "DER_MALFORMED",
            Self::DerNoncanonical { .. } => "DER_NONCANONICAL",
            Self::TrailingData { .. } => "TRAILING_DATA",
            Self::UnsupportedVersion { .. } => "UNSUPPORTED_VERSION",
            Self::WrongDomainTag { .. } => "WRONG_DOMAIN_TAG",
            Self::FieldEmpty { .. } => "FIELD_EMPTY",
            Self::FieldTooLong { .. } => "FIELD_TOO_LONG",
            Self::FieldWrongLength { .. } => "FIELD_WRONG_LENGTH",
            Self::IntegerOutOfRange { .. } => "INTEGER_OUT_OF_RANGE",
            Self::InvalidIdentifier { .. } => "INVALID_IDENTIFIER",
            Self::InvalidEpochRange { .. } => "INVALID_EPOCH_RANGE",
            Self::ChainTooLong { .. } => "CHAIN_TOO_LONG",
            Self::BatchTooLarge { .. } => "BATCH_TOO_LARGE",
            Self::ChainTooComplex { .. } => "CHAIN_TOO_COMPLEX",
            Self::UnknownIssuer => "UNKNOWN_ISSUER",
            Self::ChainNotAPath => "CHAIN_NOT_A_PATH",
            Self::CertExpired { .. } => "CERT_EXPIRED",
            Self::CertNotYetValid { .. } => "CERT_NOT_YET_VALID",
            Self::CertRevoked => "CERT_REVOKED",
            Self::RevocationStatusUnknown => "REVOCATION_STATUS_UNKNOWN",
            Self::CrlExpired => "CRL_EXPIRED",
            Self::CertSignatureInvalid => "CERT_SIGNATURE_INVALID",
            Self::WrongKeyUsage => "WRONG_KEY_USAGE",
            Self::MissingChipIdentity => "MISSING_CHIP_IDENTITY",
            Self::ModelUnknown => "MODEL_UNKNOWN",
            Self::ModelNotAllowedForVendor => "MODEL_NOT_ALLOWED_FOR_VENDOR",
            Self::ModelUnmapped => "MODEL_UNMAPPED",
            Self::NotAComputeChip => "NOT_A_COMPUTE_CHIP",
            Self::EvidenceKindMismatch => "EVIDENCE_KIND_MISMATCH",
            Self::SerialMismatch => "SERIAL_MISMATCH",
            Self::ModelMismatch => "MODEL_MISMATCH",
            Self::TestVendorRefused => "TEST_VENDOR_REFUSED",
            Self::VendorRevoked => "VENDOR_REVOKED",
            Self::BadCertificate { .. } => "BAD_CERTIFICATE",
            Self::BadCrl => "BAD_CRL",
            Self::ManifestInvalid { .. } => "MANIFEST_INVALID",
            Self::RegistryScheduleInvalid => "REGISTRY_SCHEDULE_INVALID",
            Self::InvalidSchedule { .. } => "INVALID_SCHEDULE",
            Self::InvalidPools => "INVALID_POOLS",
            Self::AllocationOutOfBounds => "ALLOCATION_OUT_OF_BOUNDS",
            Self::DuplicateAllocationEntry => "DUPLICATE_ALLOCATION_ENTRY",
            Self::LeaseOutOfBounds => "LEASE_OUT_OF_BOUNDS",
            Self::AmountOverflow => "AMOUNT_OVERFLOW",
            Self::CounterReplay => "COUNTER_REPLAY",
            Self::UnknownChip => "UNKNOWN_CHIP",
            Self::SlotAlreadyProven => "SLOT_ALREADY_PROVEN",
            Self::SlotBeforeBinding => "SLOT_BEFORE_BINDING",
            Self::EpochClosed { .. } => "EPOCH_CLOSED",
            Self::SlotTooLate { .. } => "SLOT_TOO_LATE",
            Self::SlotInFuture { .. } => "SLOT_IN_FUTURE",
            Self::NotSelected => "NOT_SELECTED",
            Self::SlotChallengesMissing { .. } => "SLOT_CHALLENGES_MISSING",
            Self::LeaseIdReused => "LEASE_ID_REUSED",
            Self::LeaseOverlap => "LEASE_OVERLAP",
            Self::LeaseNotTimely { .. } => "LEASE_NOT_TIMELY",
            Self::LeaseUnknown => "LEASE_UNKNOWN",
            Self::LeaseNotEnded { .. } => "LEASE_NOT_ENDED",
            Self::InvalidPolicy { .. } => "INVALID_POLICY",
            Self::TrustScheduleInvalid => "TRUST_SCHEDULE_INVALID",
            Self::FirmwareBelowFloor { .. } => "FIRMWARE_BELOW_FLOOR",
            Self::JsonInvalid { .. } => "JSON_INVALID",
            Self::SignatureMalformed => "SIGNATURE_MALFORMED",
            Self::SignatureHighS => "SIGNATURE_HIGH_S",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::PublicKeyInvalid => "PUBLIC_KEY_INVALID",
            Self::DeviceKeyInvalid => "DEVICE_KEY_INVALID",
            Self::ChipKeyMismatch => "CHIP_KEY_MISMATCH",
            Self::WrongNetwork => "WRONG_NETWORK",
            Self::WrongSlot { .. } => "WRONG_SLOT",
            Self::ChallengeMismatch => "CHALLENGE_MISMATCH",
            Self::WalletMismatch => "WALLET_MISMATCH",
            Self::InvalidNetworkParams { .. } => "INVALID_NETWORK_PARAMS",
            Self::SlotOutOfRange { .. } => "SLOT_OUT_OF_RANGE",
            Self::TimeOverflow => "TIME_OVERFLOW",
            Self::BeforeGenesis { .. } => "BEFORE_GENESIS",
        }
    }

    /// The family of this error, which bindings map to exception classes.
    #[must_use]
    pub const fn family(&self) -> ErrorFamily {
        match self {
            Self::MessageTooLarge { .. }
            | Self::DerMalformed { .. }
            | Self::DerNoncanonical { .. }
            | Self::TrailingData { .. }
            | Self::UnsupportedVersion { .. }
            | Self::WrongDomainTag { .. }
            | Self::FieldEmpty { .. }
            | Self::FieldTooLong { .. }
            | Self::FieldWrongLength { .. }
            | Self::IntegerOutOfRange { .. }
            | Self::InvalidIdentifier { .. }
            | Self::InvalidEpochRange { .. }
            | Self::ChainTooLong { .. }
            | Self::BatchTooLarge { .. }
            | Self::JsonInvalid { .. }
            | Self::ReportMalformed { .. } => ErrorFamily::Parse,
            Self::SignatureMalformed
            | Self::SignatureHighS
            | Self::SignatureInvalid
            | Self::PublicKeyInvalid
            | Self::DeviceKeyInvalid => ErrorFamily::Signature,
            Self::UnknownIssuer
            | Self::ChainNotAPath
            | Self::CertExpired { .. }
            | Self::CertNotYetValid { .. }
            | Self::CertRevoked
            | Self::RevocationStatusUnknown
            | Self::CrlExpired
            | Self::CertSignatureInvalid
            | Self::WrongKeyUsage
            | Self::MissingChipIdentity
            | Self::FwidMismatch
            | Self::BadCertificate { .. }
            | Self::ChainTooComplex { .. }
            | Self::BadCrl => ErrorFamily::Certificate,
            Self::ModelUnknown
            | Self::ModelNotAllowedForVendor
            | Self::ModelUnmapped
            | Self::NotAComputeChip
            | Self::SerialMismatch
            | Self::ModelMismatch
            | Self::TestVendorRefused
            | Self::VendorRevoked
            | Self::ManifestInvalid { .. }
            | Self::RegistryScheduleInvalid
            | Self::ChipKeyMismatch
            | Self::WrongNetwork
            | Self::WrongSlot { .. }
            | Self::ChallengeMismatch
            | Self::WalletMismatch
            | Self::NonceMismatch
            | Self::InvalidNetworkParams { .. }
            | Self::InvalidPolicy { .. }
            | Self::TrustScheduleInvalid
            | Self::FirmwareBelowFloor { .. }
            | Self::SlotOutOfRange { .. }
            | Self::TimeOverflow
            | Self::BeforeGenesis { .. } => ErrorFamily::Policy,
            Self::CounterReplay
            | Self::UnknownChip
            | Self::SlotAlreadyProven
            | Self::SlotBeforeBinding
            | Self::EvidenceKindMismatch
            | Self::EpochClosed { .. }
            | Self::SlotTooLate { .. }
            | Self::SlotInFuture { .. }
            | Self::NotSelected
            | Self::SlotChallengesMissing { .. }
            | Self::LeaseIdReused
            | Self::LeaseOverlap
            | Self::LeaseNotTimely { .. }
            | Self::LeaseUnknown
            | Self::LeaseNotEnded { .. } => ErrorFamily::Ledger,
            Self::InvalidSchedule { .. }
            | Self::InvalidPools
            | Self::AllocationOutOfBounds
            | Self::DuplicateAllocationEntry
            | Self::LeaseOutOfBounds
            | Self::AmountOverflow => ErrorFamily::Math,
        }
    }

    /// The code the bindings give an argument their language cannot convert to a core type
    /// (bytes of the wrong length, an unknown policy or backend name, a non-canonical
    /// amount string): a caller's mistake, not a POCI verdict. Core never returns it.
    pub const INVALID_ARGUMENT: &'static str = "INVALID_ARGUMENT";

    /// Every code [`Error::code`] can return, in SPEC.md order.
    pub const ALL_CODES: &'static [&'static str] = &[
        "MESSAGE_TOO_LARGE",
        "DER_MALFORMED",
        "DER_NONCANONICAL",
        "TRAILING_DATA",
        "UNSUPPORTED_VERSION",
        "WRONG_DOMAIN_TAG",
        "FIELD_EMPTY",
        "FIELD_TOO_LONG",
        "FIELD_WRONG_LENGTH",
        "INTEGER_OUT_OF_RANGE",
        "INVALID_IDENTIFIER",
        "INVALID_EPOCH_RANGE",
        "CHAIN_TOO_LONG",
        "BATCH_TOO_LARGE",
        "UNKNOWN_ISSUER",
        "CHAIN_NOT_A_PATH",
        "CERT_EXPIRED",
        "CERT_NOT_YET_VALID",
        "CERT_REVOKED",
        "REVOCATION_STATUS_UNKNOWN",
        "CRL_EXPIRED",
        "CERT_SIGNATURE_INVALID",
        "WRONG_KEY_USAGE",
        "MISSING_CHIP_IDENTITY",
        "MODEL_UNKNOWN",
        "MODEL_NOT_ALLOWED_FOR_VENDOR",
        "MODEL_UNMAPPED",
        "NOT_A_COMPUTE_CHIP",
        "SERIAL_MISMATCH",
        "MODEL_MISMATCH",
        "TEST_VENDOR_REFUSED",
        "VENDOR_REVOKED",
        "BAD_CERTIFICATE",
        "BAD_CRL",
        "CHAIN_TOO_COMPLEX",
        "MANIFEST_INVALID",
        "REGISTRY_SCHEDULE_INVALID",
        "INVALID_SCHEDULE",
        "INVALID_POOLS",
        "ALLOCATION_OUT_OF_BOUNDS",
        "DUPLICATE_ALLOCATION_ENTRY",
        "LEASE_OUT_OF_BOUNDS",
        "AMOUNT_OVERFLOW",
        "COUNTER_REPLAY",
        "UNKNOWN_CHIP",
        "SLOT_ALREADY_PROVEN",
        "SLOT_BEFORE_BINDING",
        "EVIDENCE_KIND_MISMATCH",
        "EPOCH_CLOSED",
        "SLOT_TOO_LATE",
        "SLOT_IN_FUTURE",
        "NOT_SELECTED",
        "SLOT_CHALLENGES_MISSING",
        "LEASE_ID_REUSED",
        "LEASE_OVERLAP",
        "LEASE_NOT_TIMELY",
        "LEASE_UNKNOWN",
        "LEASE_NOT_ENDED",
        "JSON_INVALID",
        "REPORT_MALFORMED",
        "SIGNATURE_MALFORMED",
        "SIGNATURE_HIGH_S",
        "SIGNATURE_INVALID",
        "PUBLIC_KEY_INVALID",
        "DEVICE_KEY_INVALID",
        "CHIP_KEY_MISMATCH",
        "WRONG_NETWORK",
        "WRONG_SLOT",
        "CHALLENGE_MISMATCH",
        "WALLET_MISMATCH",
        "NONCE_MISMATCH",
        "FWID_MISMATCH",
        "INVALID_NETWORK_PARAMS",
        "INVALID_POLICY",
        "TRUST_SCHEDULE_INVALID",
        "FIRMWARE_BELOW_FLOOR",
        "SLOT_OUT_OF_RANGE",
        "TIME_OVERFLOW",
        "BEFORE_GENESIS",
    ];
}

/// Families of errors, one exception class each in the bindings.
///
/// Deliberately exhaustive: a new family breaks every binding's build until the binding
/// maps it, so no language can fall back to a different class than another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// The input is not a well-formed message, JSON form or field.
    Parse,
    /// A signature or key is malformed or does not verify.
    Signature,
    /// A certificate, chain or CRL is refused.
    Certificate,
    /// A well-formed, authentic input breaks a rule: wrong context, model, vendor, time.
    Policy,
    /// The ledger refuses a state transition.
    Ledger,
    /// Reward math parameters or amounts out of bounds.
    Math,
}

impl ErrorFamily {
    /// Every family, in SPEC.md order.
    pub const ALL: [Self; 6] = [
        Self::Parse,
        Self::Signature,
        Self::Certificate,
        Self::Policy,
        Self::Ledger,
        Self::Math,
    ];

    /// The family's name as bindings spell their exception classes.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Parse => "ParseError",
            Self::Signature => "SignatureError",
            Self::Certificate => "CertificateError",
            Self::Policy => "PolicyError",
            Self::Ledger => "LedgerError",
            Self::Math => "MathError",
        }
    }
}

/// The kinds of signed POCI message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MessageKind {
    /// A chip's claim of a wallet ([`crate::ChipBinding`]).
    ChipBinding,
    /// A chip's availability proof for one slot ([`crate::Heartbeat`]).
    Heartbeat,
    /// A chip's acceptance of a rent ([`crate::LeaseAcceptance`]).
    LeaseAcceptance,
    /// A vendor's certificate revocation list (trust material).
    Crl,
    /// An NVIDIA GPU attestation report (evidence kind `nvidia-spdm`).
    NvidiaReport,
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ChipBinding => "ChipBinding",
            Self::Heartbeat => "Heartbeat",
            Self::LeaseAcceptance => "LeaseAcceptance",
            Self::NvidiaReport => "NvidiaReport",
            Self::Crl => "CRL",
        })
    }
}

/// Names of message fields, as SPEC.md's ASN.1 spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// `version`
    Version,
    /// `networkId`
    NetworkId,
    /// `chipKeyId`
    ChipKeyId,
    /// `chipSerial`
    ChipSerial,
    /// `modelId`
    ModelId,
    /// `wallet`
    Wallet,
    /// `bindingCounter`
    BindingCounter,
    /// `epoch`
    Epoch,
    /// `slot`
    Slot,
    /// `challenge`
    Challenge,
    /// `counter`
    Counter,
    /// `measurement`
    Measurement,
    /// `certificates`
    Certificates,
    /// one element of `certificates`
    Certificate,
    /// `leaseId`
    LeaseId,
    /// `renterWallet`
    RenterWallet,
    /// `firstEpoch`
    FirstEpoch,
    /// `lastEpoch`
    LastEpoch,
    /// `price`
    Price,
    /// `signature`
    Signature,
    /// the beacon input of the challenge derivation
    Beacon,
    /// a device secret key
    SecretKey,
    /// a device public key
    PublicKey,
    /// a vendor id
    VendorId,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Version => "version",
            Self::NetworkId => "networkId",
            Self::ChipKeyId => "chipKeyId",
            Self::ChipSerial => "chipSerial",
            Self::ModelId => "modelId",
            Self::Wallet => "wallet",
            Self::BindingCounter => "bindingCounter",
            Self::Epoch => "epoch",
            Self::Slot => "slot",
            Self::Challenge => "challenge",
            Self::Counter => "counter",
            Self::Measurement => "measurement",
            Self::Certificates => "certificates",
            Self::Certificate => "certificate",
            Self::LeaseId => "leaseId",
            Self::RenterWallet => "renterWallet",
            Self::FirstEpoch => "firstEpoch",
            Self::LastEpoch => "lastEpoch",
            Self::Price => "price",
            Self::Signature => "signature",
            Self::Beacon => "beacon",
            Self::SecretKey => "secretKey",
            Self::PublicKey => "publicKey",
            Self::VendorId => "vendorId",
        })
    }
}

/// Which certificate of a chain an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertRole {
    /// The device (end-entity) certificate.
    Device,
    /// A vendor intermediate.
    Intermediate,
    /// The vendor root.
    Root,
    /// Not known (the chain validator does not say which).
    Chain,
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Device => "device",
            Self::Intermediate => "intermediate",
            Self::Root => "root",
            Self::Chain => "a chain",
        })
    }
}

/// What is wrong with a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertProblem {
    /// Not DER, or not the X.509 v3 structure.
    Encoding,
    /// Not an ECDSA P-256 key or not signed with ecdsa-with-SHA256.
    Algorithm,
    /// A validity period that ends before it starts, or a time that does not parse.
    Validity,
    /// An extension that appears twice, is malformed, or is critical where it must not be.
    Extension,
    /// The chip identity extension is malformed.
    ChipIdentity,
    /// A CA certificate where a device certificate belongs, or the reverse.
    BasicConstraints,
    /// A path length constraint of an intermediate is violated.
    PathLength,
    /// An unknown critical extension.
    UnsupportedCriticalExtension,
    /// A name outside an issuer's name constraints (directoryName constraints refuse all).
    NameConstraints,
    /// A serial number that is not positive or is longer than 20 octets.
    Serial,
    /// More extensions than `MAX_CERTIFICATE_EXTENSIONS`.
    TooManyExtensions,
    /// Anything else the chain validator refused.
    Other,
}

impl fmt::Display for CertProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Encoding => "encoding",
            Self::Algorithm => "algorithm",
            Self::Validity => "validity",
            Self::Extension => "extension",
            Self::ChipIdentity => "chip identity extension",
            Self::BasicConstraints => "basic constraints",
            Self::PathLength => "path length",
            Self::UnsupportedCriticalExtension => "unsupported critical extension",
            Self::NameConstraints => "name constraints",
            Self::Serial => "serial number",
            Self::TooManyExtensions => "too many extensions",
            Self::Other => "other",
        })
    }
}

/// Where a manifest problem is: the file (as the caller named it), the model and the field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManifestLocation {
    /// The file, as named by the caller (for example `vendor-roots/nvidia/manifest.toml`).
    pub file: String,
    /// The model id, when the problem is in a model row.
    pub model: Option<String>,
    /// The field, when one is at fault.
    pub field: Option<String>,
}

impl fmt::Display for ManifestLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(model) = &self.model {
            write!(f, ", model {model}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        Ok(())
    }
}

/// What is wrong with a vendor manifest or the trust material given with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ManifestProblem {
    /// Not TOML.
    Syntax,
    /// A key the schema does not have.
    UnknownField,
    /// A required key is missing (or a figure without its sparsity flag).
    MissingField,
    /// A value of the wrong type, or text longer than the schema allows.
    WrongType,
    /// A manifest `schema` version this implementation does not know.
    Schema,
    /// A vendor id or model id that is not an identifier.
    Identifier,
    /// A figure that is not a decimal with at most three fractional digits.
    BadFigure,
    /// A model id listed twice in one manifest.
    DuplicateModel,
    /// A model id already claimed by another vendor.
    ModelClaimedTwice,
    /// A model without an FP16/BF16 tensor or INT8 figure to rate it from.
    NoRatingBasis,
    /// A rating that does not follow from the model's figures by the rule.
    RatingMismatch,
    /// A model without a source for its figures.
    MissingSource,
    /// A vendor id already present.
    DuplicateVendor,
    /// Roots for a vendor that no manifest declares.
    UnknownVendor,
    /// No root certificates, or a root that is not a self-issued CA.
    Roots,
    /// A PEM block that does not decode.
    Pem,
    /// A root named like a root of another vendor, of another kind or with another key.
    AmbiguousRoot,
    /// A vendor-roots/ manifest in a folder not named after its `vendor_id`.
    FolderName,
    /// The same vendor-roots/ path given twice.
    DuplicateFile,
    /// An evidence model row of an unknown or native kind, for a model the manifest does
    /// not list or a chip it declares non-compute, or a combination of fields listed twice.
    EvidenceModel,
}

impl fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "not TOML",
            Self::UnknownField => "unknown field",
            Self::MissingField => "missing field",
            Self::WrongType => "wrong type or too long",
            Self::Schema => "unknown schema version",
            Self::Identifier => "not an identifier",
            Self::BadFigure => "figure is not a decimal with at most 3 fractional digits",
            Self::DuplicateModel => "model listed twice",
            Self::ModelClaimedTwice => "model claimed by two vendors",
            Self::NoRatingBasis => "no FP16/BF16 tensor or INT8 figure to rate from",
            Self::RatingMismatch => "rating does not follow from the figures",
            Self::MissingSource => "no source for the figures",
            Self::DuplicateVendor => "vendor listed twice",
            Self::UnknownVendor => "vendor not in the registry",
            Self::Roots => "no roots, or a root that is not a self-issued CA",
            Self::Pem => "bad PEM",
            Self::AmbiguousRoot => {
                "a root with the subject of another vendor's or another key's root"
            }
            Self::FolderName => "folder not named after the vendor id",
            Self::DuplicateFile => "file given twice",
            Self::EvidenceModel => "bad evidence model row",
        })
    }
}

/// What is wrong with emission schedule parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScheduleProblem {
    /// A length (era, period, year, blocks per epoch) of zero.
    ZeroLength,
    /// Tiers empty, not starting at 0, or not strictly increasing.
    Tiers,
    /// Decay that starts before the last tier, has a floor above the last reward,
    /// a rate outside `1/1024 <= 1 - num/den`, `den > 2^32`, or an excess above `2^96`.
    Decay,
    /// Inflation above 10000 basis points per year, or an initial supply above the cap.
    Inflation,
}

impl fmt::Display for ScheduleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ZeroLength => "zero length",
            Self::Tiers => "tiers",
            Self::Decay => "decay",
            Self::Inflation => "inflation",
        })
    }
}

/// What is wrong with a malformed NVIDIA attestation report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportProblem {
    /// The input ends inside a field.
    Truncated,
    /// A version byte other than SPDM 1.1.
    Version,
    /// The request is not GET_MEASUREMENTS.
    RequestCode,
    /// The request did not ask for a signature over all blocks, or names no valid slot.
    RequestParams,
    /// The response is not MEASUREMENTS.
    ResponseCode,
    /// Measurement blocks: none, a repeated index, not DMTF, sizes that disagree, or a
    /// record they do not fill exactly.
    Blocks,
    /// Opaque data: a repeated type, too many fields, or fields that do not fill it.
    Opaque,
    /// Bytes after the signature.
    TrailingData,
}

impl fmt::Display for ReportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => "truncated",
            Self::Version => "not SPDM 1.1",
            Self::RequestCode => "not GET_MEASUREMENTS",
            Self::RequestParams => "request parameters",
            Self::ResponseCode => "not MEASUREMENTS",
            Self::Blocks => "measurement blocks",
            Self::Opaque => "opaque data",
            Self::TrailingData => "bytes after the signature",
        })
    }
}

/// What is wrong with malformed DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DerProblem {
    /// The input ends inside a value.
    Truncated,
    /// A length that does not fit its value or its container.
    Length,
    /// A tag other than the one the schema requires at this position.
    UnexpectedTag,
    /// A value not allowed for its type (a negative INTEGER, a bad BOOLEAN, ...).
    Value,
    /// A UTF8String that is not UTF-8.
    Utf8,
    /// Anything else the DER decoder refused.
    Other,
}

impl fmt::Display for DerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => "truncated",
            Self::Length => "bad length",
            Self::UnexpectedTag => "unexpected tag",
            Self::Value => "bad value",
            Self::Utf8 => "invalid UTF-8",
            Self::Other => "other",
        })
    }
}

/// What is wrong with a JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonProblem {
    /// Not JSON at all.
    Syntax,
    /// JSON whose shape or values do not match the schema (wrong type, bad hex,
    /// non-canonical decimal, unknown or missing field).
    Schema,
    /// The input ends inside a value.
    Truncated,
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "syntax",
            Self::Schema => "schema",
            Self::Truncated => "truncated",
        })
    }
}

/// What is wrong with a network policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyProblem {
    /// `grace_slots` is above `slots_per_epoch`.
    GraceSlots,
    /// `sample_one_in` is 0 or above `MAX_SAMPLE_ONE_IN`.
    SampleOneIn,
    /// `min_availability_bps` is above 10000.
    MinAvailability,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::GraceSlots => "grace_slots is above slots_per_epoch",
            Self::SampleOneIn => "sample_one_in is outside 1..=65536",
            Self::MinAvailability => "min_availability_bps is above 10000",
        })
    }
}

/// What is wrong with network parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamsProblem {
    /// `epoch_seconds` is zero.
    ZeroEpochSeconds,
    /// `slots_per_epoch` is zero.
    ZeroSlotsPerEpoch,
    /// `epoch_seconds` is not a multiple of `slots_per_epoch`.
    UnevenSlots,
    /// The network id is not a valid identifier.
    NetworkId,
}

impl fmt::Display for ParamsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ZeroEpochSeconds => "epoch_seconds is zero",
            Self::ZeroSlotsPerEpoch => "slots_per_epoch is zero",
            Self::UnevenSlots => "epoch_seconds is not a multiple of slots_per_epoch",
            Self::NetworkId => "network_id is not a valid identifier",
        })
    }
}

// Conversions from other crates' errors are crate-private functions, not `From` impls, so
// `der` and `serde_json` stay out of the public API (and their versions out of semver).
impl Error {
    /// The stable error for a `der` reader or writer failure.
    pub(crate) fn of_der(err: der::Error) -> Self {
        let position = err.position().map(u32::from);
        match err.kind() {
            // `der` reports a non-minimal length form as Overlength.
            der::ErrorKind::Noncanonical { .. }
            | der::ErrorKind::IndefiniteLength
            | der::ErrorKind::Overlength => Self::DerNoncanonical { position },
            der::ErrorKind::TrailingData { .. } => Self::TrailingData { position },
            der::ErrorKind::Incomplete { .. } => Self::DerMalformed {
                problem: DerProblem::Truncated,
                position,
            },
            der::ErrorKind::Length { .. } => Self::DerMalformed {
                problem: DerProblem::Length,
                position,
            },
            der::ErrorKind::TagUnexpected { .. }
            | der::ErrorKind::TagUnknown { .. }
            | der::ErrorKind::TagNumberInvalid => Self::DerMalformed {
                problem: DerProblem::UnexpectedTag,
                position,
            },
            der::ErrorKind::Value { .. } => Self::DerMalformed {
                problem: DerProblem::Value,
                position,
            },
            der::ErrorKind::Utf8(_) => Self::DerMalformed {
                problem: DerProblem::Utf8,
                position,
            },
            _ => Self::DerMalformed {
                problem: DerProblem::Other,
                position,
            },
        }
    }
}

impl Error {
    /// The stable error for a `serde_json` failure.
    pub(crate) fn of_json(err: &serde_json::Error) -> Self {
        let problem = match err.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                JsonProblem::Syntax
            }
            serde_json::error::Category::Data => JsonProblem::Schema,
            serde_json::error::Category::Eof => JsonProblem::Truncated,
        };
        Self::JsonInvalid {
            problem,
            line: err.line(),
            column: err.column(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_screaming_snake_and_listed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Error::ALL_CODES {
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!(code.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        }
    }

    #[test]
    fn der_errors_map_to_stable_codes() {
        let trailing = der::Error::new(
            der::ErrorKind::TrailingData {
                decoded: der::Length::new(2),
                remaining: der::Length::new(1),
            },
            der::Length::new(2),
        );
        assert_eq!(Error::of_der(trailing).code(), "TRAILING_DATA");
        let indefinite = der::Error::new(der::ErrorKind::IndefiniteLength, der::Length::new(1));
        assert_eq!(Error::of_der(indefinite).code(), "DER_NONCANONICAL");
    }
}
