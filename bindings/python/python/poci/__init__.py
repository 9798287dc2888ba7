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
    InvalidArgumentError,
    error_codes,
    error_families,
    is_vendor_roots_file,
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
    "InvalidArgumentError",
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
    "error_families",
    "is_vendor_roots_file",
    "registry_from_folder",
    "select_producer",
    "settle_lease",
    "trust_store_from_folder",
]

PathLike = Union[str, "os.PathLike[str]"]


# The deepest file of the folder format: testnet/<vendor>/roots/<file>.pem.
_MAX_DEPTH = 4


def _folder_files(root: Path) -> List[Tuple[str, bytes]]:
    """Every file of a vendor-roots/ folder that the loader reads, as (relative path, bytes).

    Listing and reading is all this does: which files count and what they mean is the
    Rust core's one loader, shared with the CLI, Node and the embedded default.
    """
    files: List[Tuple[str, bytes]] = []
    pending = [(root, "", 0)]
    while pending:
        folder, prefix, depth = pending.pop()
        for entry in folder.iterdir():
            relative = f"{prefix}/{entry.name}" if prefix else entry.name
            if entry.is_dir():
                if depth + 1 < _MAX_DEPTH:
                    pending.append((entry, relative, depth + 1))
            elif is_vendor_roots_file(relative):
                files.append((relative, entry.read_bytes()))
    return files


def registry_from_folder(path: PathLike) -> ChipModelRegistry:
    """The registry of every ``<vendor>/manifest.toml`` in a vendor-roots/ folder."""
    return ChipModelRegistry.from_folder_files(_folder_files(Path(path)))


def trust_store_from_folder(
    path: PathLike,
    *,
    allow_test_vendors: bool = False,
    include_testnet: bool = False,
    unknown_revocation: str = "deny",
) -> TrustStore:
    """A trust store from a vendor-roots/ folder (vendor-roots/README.md).

    Every vendor's manifest, ``roots/``, ``crls/`` and ``intermediates/``; with
    ``include_testnet``, also the ``testnet/<vendor>/`` stand-in roots, as test roots.
    """
    return TrustStore.from_folder_files(
        _folder_files(Path(path)),
        allow_test_vendors=allow_test_vendors,
        include_testnet=include_testnet,
        unknown_revocation=unknown_revocation,
    )
