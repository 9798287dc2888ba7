"""POCI: chips prove they are genuine, online and rentable.

The same verification and reward math as the Rust nodes (this package is the Rust core,
compiled): wire formats, signatures, vendor trust, the chip-model registry, the chip
ledger and rewards. Errors are ``PociError`` subclasses carrying the stable ``.code`` of
conformance/SPEC.md. Byte strings are ``bytes``; every integer and token amount is an
``int`` (never a ``float``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _poci
from ._poci import (
    Allocation,
    Availability,
    BindingOutcome,
    CertificateError,
    ChipBinding,
    ChipLedger,
    ChipModel,
    ChipModelRegistry,
    ChipRecord,
    ChipShare,
    ClosedEpoch,
    DeviceKey,
    EmissionSchedule,
    EmulatedGpu,
    Heartbeat,
    InvalidArgumentError,
    LeaseAcceptance,
    LeaseSettlement,
    LedgerError,
    MathError,
    NetworkParams,
    NetworkPolicy,
    ParseError,
    PociError,
    PolicyError,
    PoolAmounts,
    PoolSplit,
    PublicKey,
    RegistrySchedule,
    SettledLease,
    SignatureError,
    TestVendor,
    TrustStore,
    VerifiedBinding,
    VerifiedHeartbeat,
    VerifiedLeaseAcceptance,
    VerifiedNvidiaReport,
    Verifier,
    allocate,
    certificates_from_pem,
    derive_challenge,
    error_codes,
    error_families,
    evidence_nonce,
    is_sampled,
    is_vendor_roots_file,
    select_producer,
    settle_lease,
)

if TYPE_CHECKING:
    import os
    from typing import Union

    _PathLike = Union[str, os.PathLike[str]]

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
    "registry_from_folder",
    "select_producer",
    "settle_lease",
    "trust_store_from_folder",
]


def registry_from_folder(path: _PathLike) -> ChipModelRegistry:
    """The registry of every ``<vendor>/manifest.toml`` in a vendor-roots/ folder."""
    return ChipModelRegistry.from_folder(path)


def trust_store_from_folder(
    path: _PathLike,
    *,
    allow_test_vendors: bool = False,
    include_testnet: bool = False,
    unknown_revocation: str = "deny",
) -> TrustStore:
    """A trust store from a vendor-roots/ folder (vendor-roots/README.md).

    Every vendor's manifest, ``roots/``, ``crls/`` and ``intermediates/``; with
    ``include_testnet``, also the ``testnet/<vendor>/`` stand-in roots, as test roots.
    """
    return TrustStore.from_folder(
        path,
        allow_test_vendors=allow_test_vendors,
        include_testnet=include_testnet,
        unknown_revocation=unknown_revocation,
    )


# The module's namespace is its API (``dir(poci)`` is ``__all__`` and the dunders): the
# compiled module stays importable (``from poci import _poci``) but is no attribute.
del annotations, TYPE_CHECKING, _poci
