"""Type stubs of the compiled POCI core (poci._poci)."""

import os
from typing import List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "Allocation",
    "Availability",
    "BindingOutcome",
    "CertificateError",
    "ChipBinding",
    "ChipLedger",
    "ChipModel",
    "ChipModelRegistry",
    "ChipRecord",
    "ChipShare",
    "ClosedEpoch",
    "DeviceKey",
    "EmissionSchedule",
    "EmulatedGpu",
    "Heartbeat",
    "InvalidArgumentError",
    "LeaseAcceptance",
    "LeaseSettlement",
    "LedgerError",
    "MathError",
    "NetworkParams",
    "NetworkPolicy",
    "ParseError",
    "PociError",
    "PolicyError",
    "PoolAmounts",
    "PoolSplit",
    "PublicKey",
    "RegistrySchedule",
    "SettledLease",
    "SignatureError",
    "TestVendor",
    "TrustStore",
    "VerifiedBinding",
    "VerifiedHeartbeat",
    "VerifiedLeaseAcceptance",
    "VerifiedNvidiaReport",
    "Verifier",
    "allocate",
    "certificates_from_pem",
    "derive_challenge",
    "error_codes",
    "error_families",
    "evidence_nonce",
    "is_sampled",
    "is_vendor_roots_file",
    "select_producer",
    "settle_lease",
]

class PociError(Exception):
    """Any POCI failure; `code` is the stable code of SPEC.md."""
    code: str

class ParseError(PociError):
    """The input is not a well-formed message, JSON form or field."""

class SignatureError(PociError):
    """A signature or key is malformed or does not verify."""

class CertificateError(PociError):
    """A certificate, chain or CRL is refused."""

class PolicyError(PociError):
    """An authentic input breaks a rule: context, model, vendor, time."""

class LedgerError(PociError):
    """The ledger refuses a state transition."""

class MathError(PociError):
    """Reward math parameters or amounts out of bounds."""

class InvalidArgumentError(PociError, ValueError):
    """An argument Python cannot hand to the core as it is (a wrong type, bytes of the wrong
    length, an int out of range, an unknown name): code INVALID_ARGUMENT. Also a ValueError."""

@final
class NetworkParams:
    """Network id, genesis, epoch length and slots per epoch."""
    def __new__(cls, network_id: str, genesis_unix: int, epoch_seconds: int, slots_per_epoch: int) -> NetworkParams: ...
    @staticmethod
    def from_json(text: str) -> NetworkParams: ...
    def to_json(self) -> str: ...
    @property
    def network_id(self) -> str: ...
    @property
    def genesis_unix(self) -> int: ...
    @property
    def epoch_seconds(self) -> int: ...
    @property
    def slots_per_epoch(self) -> int: ...
    def slot_start_unix(self, epoch: int, slot: int) -> int: ...
    def slot_at_unix(self, unix: int) -> Tuple[int, int]: ...

def derive_challenge(params: NetworkParams, epoch: int, slot: int, beacon: bytes) -> bytes:
    """The challenge of `slot` of `epoch` (SPEC.md 5)."""

def evidence_nonce(
    params: NetworkParams, *, epoch: int, slot: int, challenge: bytes, wallet: bytes, purpose: str
) -> bytes:
    """The nonce an NVIDIA GPU signs to answer a slot for a wallet (SPEC.md 17.2);
    purpose is "binding" or "heartbeat"."""

def certificates_from_pem(text: str) -> List[bytes]:
    """The certificates of a PEM text, in order (DER each)."""

@final
class EmulatedGpu:
    """A testnet NVIDIA GPU (SPEC.md 17.7): for tests and simulations only."""
    def __new__(cls, model_id: str, seed: str, firmware: str = "96.00.9f.00.01") -> EmulatedGpu: ...
    @property
    def key_id(self) -> bytes: ...
    def chain(self) -> List[bytes]: ...
    def report(self, nonce: bytes) -> bytes: ...

@final
class PublicKey:
    """A device public key, parsed once."""
    def __new__(cls, sec1: bytes) -> PublicKey: ...
    @staticmethod
    def from_certificate(certificate: bytes) -> PublicKey:
        """The device key a device certificate certifies (DER, or PEM of one CERTIFICATE
        block): what a wallet verifies the chip's heartbeats with. Decoding only."""
    @property
    def sec1(self) -> bytes: ...
    @property
    def key_id(self) -> bytes: ...

_KeyLike = Union[PublicKey, bytes]

@final
class DeviceKey:
    """A P-256 device key for simulated chips (RFC 6979, low-S)."""
    @staticmethod
    def from_seed(seed: bytes) -> DeviceKey: ...
    @staticmethod
    def from_secret_bytes(secret: bytes) -> DeviceKey: ...
    def secret_bytes(self) -> bytes: ...
    @property
    def public_key(self) -> PublicKey: ...
    @property
    def key_id(self) -> bytes: ...
    def sign(self, message: bytes) -> bytes: ...

class _Signed:
    def to_der(self) -> bytes: ...
    def to_json(self) -> str: ...
    @property
    def proof_id(self) -> bytes: ...
    @property
    def signature(self) -> bytes: ...

@final
class Heartbeat(_Signed):
    """A chip's availability proof for one slot."""
    @staticmethod
    def sign(
        key: DeviceKey,
        *,
        network_id: str,
        wallet: bytes,
        epoch: int,
        slot: int,
        challenge: bytes,
        counter: int,
        measurement: Optional[bytes] = None,
    ) -> Heartbeat: ...
    @staticmethod
    def from_der(der: bytes) -> Heartbeat: ...
    @staticmethod
    def from_json(text: str) -> Heartbeat: ...
    @property
    def chip_key_id(self) -> bytes: ...
    @property
    def wallet(self) -> bytes: ...
    @property
    def epoch(self) -> int: ...
    @property
    def slot(self) -> int: ...
    @property
    def counter(self) -> int: ...

@final
class ChipBinding(_Signed):
    """A chip's signed claim of a wallet, with its certificate chain."""
    @staticmethod
    def sign(
        key: DeviceKey,
        *,
        network_id: str,
        chip_serial: bytes,
        model_id: str,
        wallet: bytes,
        binding_counter: int,
        epoch: int,
        slot: int,
        challenge: bytes,
        certificates: Sequence[bytes],
    ) -> ChipBinding: ...
    @staticmethod
    def from_der(der: bytes) -> ChipBinding: ...
    @staticmethod
    def from_json(text: str) -> ChipBinding: ...
    @property
    def binding_counter(self) -> int: ...
    @property
    def wallet(self) -> bytes: ...

@final
class LeaseAcceptance(_Signed):
    """A chip's signed consent to be rented."""
    @staticmethod
    def sign(
        key: DeviceKey,
        *,
        network_id: str,
        lease_id: bytes,
        renter_wallet: bytes,
        first_epoch: int,
        last_epoch: int,
        price: int,
    ) -> LeaseAcceptance: ...
    @staticmethod
    def from_der(der: bytes) -> LeaseAcceptance: ...
    @staticmethod
    def from_json(text: str) -> LeaseAcceptance: ...
    @property
    def price(self) -> int: ...

@final
class ChipModel:
    """A recognised chip model."""
    model_id: str
    vendor_id: str
    display_name: str
    rating_milli_cu: int
    source: str
    note: str
    def to_json(self) -> str: ...

@final
class ChipModelRegistry:
    """The chip-model registry."""
    @staticmethod
    def embedded() -> ChipModelRegistry: ...
    @staticmethod
    def embedded_with_test_vendors() -> ChipModelRegistry: ...
    @staticmethod
    def from_manifests(manifests: Sequence[Tuple[str, str]]) -> ChipModelRegistry: ...
    @staticmethod
    def from_folder_files(files: Sequence[Tuple[str, bytes]]) -> ChipModelRegistry: ...
    @staticmethod
    def from_folder(path: Union[str, os.PathLike[str]]) -> ChipModelRegistry: ...
    def get(self, model_id: str) -> Optional[ChipModel]: ...
    def models(self) -> List[ChipModel]: ...
    def vendor_ids(self) -> List[str]: ...
    def digest(self) -> bytes: ...
    def diff(self, newer: ChipModelRegistry) -> dict: ...
    def __len__(self) -> int: ...

@final
class RegistrySchedule:
    """Registry versions with their activation epochs."""
    def __new__(cls, versions: Sequence[Tuple[int, ChipModelRegistry]]) -> RegistrySchedule: ...
    def lookup(self, model_id: str, epoch: int) -> Optional[ChipModel]: ...

@final
class TrustStore:
    """Vendor roots, CRLs and the registry."""
    def __new__(
        cls, registry: ChipModelRegistry, *, allow_test_vendors: bool = False, unknown_revocation: str = "deny"
    ) -> TrustStore: ...
    @staticmethod
    def embedded_testnet() -> TrustStore: ...
    @staticmethod
    def from_folder_files(
        files: Sequence[Tuple[str, bytes]],
        *,
        allow_test_vendors: bool = False,
        include_testnet: bool = False,
        unknown_revocation: str = "deny",
    ) -> TrustStore: ...
    @staticmethod
    def from_folder(
        path: Union[str, os.PathLike[str]],
        *,
        allow_test_vendors: bool = False,
        include_testnet: bool = False,
        unknown_revocation: str = "deny",
    ) -> TrustStore: ...
    def digest(self) -> bytes: ...
    def with_roots(
        self, vendor_id: str, roots: Sequence[bytes], crls: Sequence[bytes], *, test: bool = False
    ) -> TrustStore: ...
    @property
    def registry(self) -> ChipModelRegistry: ...
    @property
    def root_count(self) -> int: ...

@final
class VerifiedNvidiaReport:
    """An NVIDIA GPU attestation report that passed verification (nvidia-spdm evidence)."""
    vendor_id: str
    chip: str
    key_id: bytes
    identity_subject: bytes
    attestation_key: bytes
    nonce: bytes
    fwid: Optional[bytes]
    project: Optional[str]
    project_sku: Optional[str]
    chip_sku: Optional[str]
    driver_version: Optional[str]
    vbios_version: Optional[str]
    model_id: Optional[str]
    def to_json(self) -> str: ...

@final
class VerifiedHeartbeat:
    """A heartbeat that passed verification."""
    proof_id: bytes
    chip_key_id: bytes
    network_id: str
    wallet: bytes
    epoch: int
    slot: int
    challenge: bytes
    counter: int
    measurement: Optional[bytes]
    def to_json(self) -> str: ...

@final
class ChipRecord:
    """A registered chip."""
    evidence: str
    key_id: bytes
    public_key: bytes
    serial: bytes
    model_id: str
    vendor_id: str
    rating_milli_cu: int
    security_version: int
    wallet: bytes
    binding_counter: int
    certificate_not_after: int
    def to_json(self) -> str: ...

@final
class VerifiedBinding:
    """A chip binding that passed verification."""
    proof_id: bytes
    epoch: int
    slot: int
    record: ChipRecord
    def to_json(self) -> str: ...

@final
class VerifiedLeaseAcceptance:
    """A lease acceptance that passed verification."""
    proof_id: bytes
    lease_id: bytes
    renter_wallet: bytes
    chip_key_id: bytes
    first_epoch: int
    last_epoch: int
    price: int
    def to_json(self) -> str: ...

@final
class Verifier:
    """Verifies proofs with one backend ("aws-lc", the default, "ring" or "pure-rust") and one trust store."""
    def __new__(cls, trust_store: Optional[TrustStore] = None, *, backend: Optional[str] = None) -> Verifier: ...
    @staticmethod
    def scheduled(
        trust_store: TrustStore, later: Sequence[Tuple[int, TrustStore]], *, backend: Optional[str] = None
    ) -> Verifier: ...
    def verify_heartbeat(
        self, der: bytes, public_key: _KeyLike, *, network_id: str, epoch: int, slot: int, challenge: bytes, wallet: bytes
    ) -> VerifiedHeartbeat: ...
    def verify_heartbeats(
        self, items: Sequence[Tuple[bytes, _KeyLike, str, int, int, bytes, bytes]]
    ) -> List[Union[VerifiedHeartbeat, PociError]]:
        """One result per item; raises ``ParseError`` (``BATCH_TOO_LARGE``) beyond
        ``MAX_BATCH_LEN`` (65,536) items, before checking any."""
        ...
    def verify_nvidia_report(
        self, report: bytes, chain: Sequence[bytes], *, nonce: bytes, time: int
    ) -> VerifiedNvidiaReport: ...
    def verify_binding(
        self, der: bytes, *, params: NetworkParams, epoch: int, slot: int, challenge: bytes, wallet: bytes
    ) -> VerifiedBinding: ...
    def verify_lease_acceptance(self, der: bytes, public_key: _KeyLike, network_id: str) -> VerifiedLeaseAcceptance: ...

@final
class BindingOutcome:
    """What applying a binding did."""
    kind: str
    previous_wallet: Optional[bytes]
    evidence: Optional[Tuple[bytes, bytes]]
    """For an equivocation: (proof id of the binding in force, the conflicting binding's DER)."""
    def to_json(self) -> str: ...

@final
class Availability:
    """A chip's proven slots in an epoch under one wallet."""
    def __new__(
        cls, key_id: bytes, wallet: bytes, rating_milli_cu: int, proven_slots: int, selected_slots: Optional[int] = None
    ) -> Availability: ...
    key_id: bytes
    wallet: bytes
    rating_milli_cu: int
    proven_slots: int
    selected_slots: Optional[int]

@final
class ClosedEpoch:
    """A closed epoch's availability."""
    epoch: int
    availability: List[Availability]
    def to_json(self) -> str: ...

@final
class NetworkPolicy:
    """The rules of a network every node applies identically (SPEC.md 18)."""
    @staticmethod
    def from_json(text: str) -> NetworkPolicy: ...
    def to_json(self) -> str: ...
    def digest(self) -> bytes: ...
    grace_slots: int
    sample_one_in: int

@final
class SettledLease:
    """A lease the ledger settled: rent to the lessor, refund to the renter."""
    lease_id: bytes
    chip_key_id: bytes
    lessor_wallet: bytes
    renter_wallet: bytes
    proven_slots: int
    due_slots: int
    rent: int
    refund: int
    def to_json(self) -> str: ...

def is_sampled(challenge: bytes, key_id: bytes, sample_one_in: int) -> bool:
    """Whether chip `key_id` must answer the slot of `challenge` (SPEC.md 18.3)."""

@final
class ChipLedger:
    """Registered chips and the slots they proved."""
    def __new__(cls, params: NetworkParams) -> ChipLedger: ...
    @staticmethod
    def from_json(text: str) -> ChipLedger: ...
    def to_json(self) -> str: ...
    @staticmethod
    def with_policy(policy: NetworkPolicy) -> ChipLedger: ...
    def apply_binding(
        self,
        verifier: Verifier,
        der: bytes,
        *,
        epoch: int,
        slot: int,
        challenge: bytes,
        wallet: bytes,
        now_epoch: int,
        now_slot: int,
    ) -> BindingOutcome: ...
    def apply_heartbeat(
        self, verifier: Verifier, der: bytes, *, epoch: int, slot: int, challenge: bytes, now_epoch: int, now_slot: int
    ) -> None: ...
    def apply_nvidia_binding(
        self,
        verifier: Verifier,
        report: bytes,
        chain: List[bytes],
        *,
        epoch: int,
        slot: int,
        challenge: bytes,
        wallet: bytes,
        now_epoch: int,
        now_slot: int,
    ) -> BindingOutcome: ...
    def apply_nvidia_heartbeat(
        self,
        verifier: Verifier,
        key_id: bytes,
        report: bytes,
        *,
        epoch: int,
        slot: int,
        challenge: bytes,
        now_epoch: int,
        now_slot: int,
    ) -> None: ...
    def close_epoch(self, epoch: int, slot_challenges: List[bytes] = ...) -> ClosedEpoch: ...
    def apply_lease(self, verifier: Verifier, der: bytes, *, now_epoch: int, now_slot: int) -> str: ...
    def settle_lease(self, lease_id: bytes) -> SettledLease: ...
    def chip(self, key_id: bytes) -> Optional[ChipRecord]: ...
    def __len__(self) -> int: ...

@final
class EmissionSchedule:
    """An emission schedule, capped."""
    @staticmethod
    def halving(base_per_epoch: int, epochs_per_era: int, cap: int) -> EmissionSchedule: ...
    @staticmethod
    def inflation(initial_supply: int, bps_per_year: int, epochs_per_year: int, cap: int) -> EmissionSchedule: ...
    @staticmethod
    def from_json(text: str) -> EmissionSchedule: ...
    def to_json(self) -> str: ...
    def emission(self, epoch: int) -> int: ...
    def cumulative(self, epoch: int) -> int: ...
    def supply_after(self, epoch: int) -> int: ...
    @property
    def cap(self) -> int: ...

@final
class PoolAmounts:
    """An emission split into pools."""
    miners: int
    pools: List[Tuple[str, int]]
    def to_json(self) -> str: ...

@final
class PoolSplit:
    """Miners' share and named pools, summing to 10000 bps."""
    def __new__(cls, miners_bps: Optional[int] = None, pools: Optional[Sequence[Tuple[str, int]]] = None) -> PoolSplit: ...
    def split(self, emission: int) -> PoolAmounts: ...

@final
class ChipShare:
    """One (chip, wallet)'s share of the miners' pool."""
    key_id: bytes
    wallet: bytes
    rating_milli_cu: int
    proven_slots: int
    eligible: bool
    weight: int
    reward: int

@final
class Allocation:
    """An allocated miners' pool."""
    pool: int
    shares: List[ChipShare]
    wallets: List[Tuple[bytes, int]]
    unallocated: int
    def to_json(self) -> str: ...

def allocate(
    pool: int, availability: Sequence[Availability], *, slots_per_epoch: int, min_availability_bps: int = 0
) -> Allocation: ...

@final
class LeaseSettlement:
    """rent + refund == price."""
    rent: int
    refund: int

def settle_lease(price: int, lease_slots: int, proven_slots: int) -> LeaseSettlement: ...
def select_producer(beacon: bytes, candidates: Sequence[Tuple[bytes, int]]) -> Optional[bytes]: ...
def error_codes() -> List[str]: ...
def error_families() -> List[str]: ...
def is_vendor_roots_file(path: str) -> bool: ...

@final
class TestVendor:
    """A deterministic test vendor that mints simulated chips."""
    def __new__(cls, vendor_id: str, organization: str) -> TestVendor: ...
    @staticmethod
    def testnet(vendor_id: str, display_name: str) -> TestVendor: ...
    def mint_chip(
        self, seed: bytes, *, model_id: str, serial: bytes, certificate_serial: int = 1, security_version: int = 1
    ) -> Tuple[DeviceKey, bytes]: ...
    @property
    def intermediate_der(self) -> bytes: ...
