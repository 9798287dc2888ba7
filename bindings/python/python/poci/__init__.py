"""POCI: chips prove they are genuine, online and rentable.

The same verification and reward math as the Rust nodes (this package is the Rust core,
compiled): wire formats, signatures, vendor trust, the chip-model registry, the chip
ledger and rewards. Errors are ``PociError`` subclasses carrying the stable ``.code`` of
conformance/SPEC.md. Byte strings are ``bytes``; every integer and token amount is an
``int`` (never a ``float``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Tuple, Union

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
    Heartbeat,
    LeaseAcceptance,
    LeaseSettlement,
    LedgerError,
    MathError,
    NetworkParams,
    ParseError,
    PociError,
    PolicyError,
    PoolAmounts,
    PoolSplit,
    PublicKey,
    RegistrySchedule,
    SignatureError,
    TestVendor,
    TrustStore,
    VerifiedBinding,
    VerifiedHeartbeat,
    VerifiedLeaseAcceptance,
    Verifier,
    allocate,
    derive_challenge,
    error_codes,
    select_producer,
    settle_lease,
)

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
    "Heartbeat",
    "LeaseAcceptance",
    "LeaseSettlement",
    "LedgerError",
    "MathError",
    "NetworkParams",
    "ParseError",
    "PociError",
    "PolicyError",
    "PoolAmounts",
    "PoolSplit",
    "PublicKey",
    "RegistrySchedule",
    "SignatureError",
    "TestVendor",
    "TrustStore",
    "VerifiedBinding",
    "VerifiedHeartbeat",
    "VerifiedLeaseAcceptance",
    "Verifier",
    "allocate",
    "derive_challenge",
    "error_codes",
    "registry_from_folder",
    "select_producer",
    "settle_lease",
    "trust_store_from_folder",
]

PathLike = Union[str, "os.PathLike[str]"]


def _vendor_dirs(root: Path) -> List[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "manifest.toml").is_file())


def _pems(folder: Path) -> List[bytes]:
    if not folder.is_dir():
        return []
    return [p.read_bytes() for p in sorted(folder.glob("*.pem"))]


def registry_from_folder(path: PathLike) -> ChipModelRegistry:
    """The registry of every ``<vendor>/manifest.toml`` in a vendor-roots/ folder."""
    root = Path(path)
    manifests: List[Tuple[str, str]] = [
        (str(d / "manifest.toml"), (d / "manifest.toml").read_text(encoding="utf-8")) for d in _vendor_dirs(root)
    ]
    return ChipModelRegistry.from_manifests(manifests)


def trust_store_from_folder(
    path: PathLike,
    *,
    allow_test_vendors: bool = False,
    include_testnet: bool = False,
    unknown_revocation: str = "deny",
) -> TrustStore:
    """A trust store from a vendor-roots/ folder (vendor-roots/README.md).

    Every vendor's manifest, ``roots/*.pem`` and ``crls/*.pem``; with ``include_testnet``,
    also ``testnet/<vendor>/`` stand-in roots, as test roots.
    """
    root = Path(path)
    store = TrustStore(
        registry_from_folder(root),
        allow_test_vendors=allow_test_vendors,
        unknown_revocation=unknown_revocation,
    )
    for vendor_dir in _vendor_dirs(root):
        roots = _pems(vendor_dir / "roots")
        if roots:
            store = store.with_roots(vendor_dir.name, roots, _pems(vendor_dir / "crls"))
    testnet = root / "testnet"
    if include_testnet and testnet.is_dir():
        for vendor_dir in sorted(p for p in testnet.iterdir() if p.is_dir()):
            store = store.with_roots(
                vendor_dir.name, _pems(vendor_dir / "roots"), _pems(vendor_dir / "crls"), test=True
            )
    return store
