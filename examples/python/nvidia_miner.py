"""A miner with an NVIDIA GPU: the GPU proves itself with its own attestation report.

For each slot the chain asks about, the miner computes POCI's nonce for that slot and its
wallet (``poci.evidence_nonce``), has the GPU sign an SPDM measurement report over it through
NVML, and submits the report: with the GPU's certificate chain to bind the GPU to the wallet,
alone as a heartbeat afterwards. The node's ledger checks every report against NVIDIA's
device identity CA offline.

Requirements on a real machine: an H100, H200 or B200 in confidential-computing mode (or
protected-PCIe mode) with a driver that supports it, and ``pip install nvidia-ml-py``.
With confidential computing off, NVML refuses the report (``NVML_ERROR_NOT_SUPPORTED``).

Run ``python nvidia_miner.py`` on such a machine. The tests (bindings/python/tests/
test_nvidia_miner.py) run it against fake NVML modules: one that replays NVIDIA's real H100
samples (genuine, but made for another nonce, so the ledger refuses them) and one backed by
POCI's testnet GPU emulator (which signs the nonce it is given, so the ledger accepts it).
"""

from __future__ import annotations

import sys
from typing import Any, List, Tuple

import poci

PARAMS = poci.NetworkParams("poci-testnet", 1767225600, 3600, 120)
WALLET = b"gpu-miner-wallet-0001"


def beacon(epoch: int, slot: int) -> bytes:
    """The chain's randomness for a slot (here: a stand-in derived from the slot number)."""
    return (epoch * 1000 + slot).to_bytes(32, "big")


def collect(nvml: Any, nonce: bytes, index: int = 0) -> Tuple[bytes, List[bytes]]:
    """The GPU's report over ``nonce`` and its certificate chain (leaf first), through NVML."""
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    report = nvml.nvmlDeviceGetConfComputeGpuAttestationReport(handle, nonce)
    certificate = nvml.nvmlDeviceGetConfComputeGpuCertificate(handle)
    report_bytes = bytes(report.attestationReport[: report.attestationReportSize])
    pem = bytes(certificate.attestationCertChain[: certificate.attestationCertChainSize])
    return report_bytes, poci.certificates_from_pem(pem.decode("ascii"))


def run(nvml: Any, verifier: poci.Verifier, slots: int = 3) -> poci.ChipLedger:
    """Binds the GPU in slot 0 of epoch 7, then proves ``slots`` slots; returns the ledger
    (the node's view). Raises ``poci.PociError`` when the node refuses a report."""
    nvml.nvmlInit()
    ledger = poci.ChipLedger(PARAMS)
    epoch = 7
    challenge = poci.derive_challenge(PARAMS, epoch, 0, beacon(epoch, 0))
    nonce = poci.evidence_nonce(PARAMS, epoch=epoch, slot=0, challenge=challenge, wallet=WALLET, purpose="binding")
    report, chain = collect(nvml, nonce)
    outcome = ledger.apply_nvidia_binding(
        verifier, report, chain, epoch=epoch, slot=0, challenge=challenge, wallet=WALLET, now_epoch=epoch, now_slot=0
    )
    # The chip's key id is its identity certificate's; the report it bound with says which.
    verified = verifier.verify_nvidia_report(report, chain, nonce=nonce, time=PARAMS.slot_start_unix(epoch, 0))
    key_id = verified.key_id
    record = ledger.chip(key_id)
    assert record is not None
    print(f"bound {verified.chip} as {record.model_id} ({record.rating_milli_cu} milli-CU): {outcome.kind}")
    for slot in range(1, slots + 1):
        challenge = poci.derive_challenge(PARAMS, epoch, slot, beacon(epoch, slot))
        nonce = poci.evidence_nonce(
            PARAMS, epoch=epoch, slot=slot, challenge=challenge, wallet=WALLET, purpose="heartbeat"
        )
        report, _ = collect(nvml, nonce)
        ledger.apply_nvidia_heartbeat(
            verifier, key_id, report, epoch=epoch, slot=slot, challenge=challenge, now_epoch=epoch, now_slot=slot
        )
        print(f"epoch {epoch} slot {slot}: the GPU answered {challenge.hex()[:16]}..")
    return ledger


def main() -> int:
    try:
        import pynvml  # nvidia-ml-py
    except ImportError:
        print("needs nvidia-ml-py (pip install nvidia-ml-py) and an NVIDIA GPU", file=sys.stderr)
        return 2
    try:
        ledger = run(pynvml, poci.Verifier(poci.TrustStore.embedded_testnet()))
    except pynvml.NVMLError as error:
        print(f"NVML refused: {error} (is confidential computing on?)", file=sys.stderr)
        return 1
    except poci.PociError as error:
        print(f"the node refused the GPU's report: {error.code}", file=sys.stderr)
        return 1
    closed = ledger.close_epoch(7)
    print(f"epoch 7: {sum(entry.proven_slots for entry in closed.availability)} slots proven")
    return 0


if __name__ == "__main__":
    sys.exit(main())
