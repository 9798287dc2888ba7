"""The NVIDIA miner example (examples/python/nvidia_miner.py) against fake NVML modules with
nvidia-ml-py's API: one replaying NVIDIA's real H100 samples (silicon/nvidia/), one backed by
POCI's testnet GPU emulator."""

from __future__ import annotations

import base64
import importlib.util
import pathlib
import textwrap
import types
from typing import Callable, List

import pytest

import poci

ROOT = pathlib.Path(__file__).resolve().parents[3]


def load_example() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("nvidia_miner", ROOT / "examples/python/nvidia_miner.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeNvml:
    """The NVML calls the example makes, answered by ``sign(nonce) -> report``; records the
    nonces it was asked to sign."""

    def __init__(self, sign: Callable[[bytes], bytes], chain_pem: bytes) -> None:
        self.sign = sign
        self.chain_pem = chain_pem
        self.nonces: List[bytes] = []
        self.initialised = False

    def nvmlInit(self) -> None:
        self.initialised = True

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        assert self.initialised and index == 0
        return index

    def nvmlDeviceGetConfComputeGpuAttestationReport(self, handle: int, nonce: bytes) -> types.SimpleNamespace:
        self.nonces.append(bytes(nonce))
        report = self.sign(bytes(nonce))
        padded = list(report) + [0] * (0x2000 - len(report))
        return types.SimpleNamespace(attestationReportSize=len(report), attestationReport=padded)

    def nvmlDeviceGetConfComputeGpuCertificate(self, handle: int) -> types.SimpleNamespace:
        padded = list(self.chain_pem) + [0] * (0x1400 - len(self.chain_pem))
        return types.SimpleNamespace(attestationCertChainSize=len(self.chain_pem), attestationCertChain=padded)


def pem(chain: List[bytes]) -> bytes:
    blocks = []
    for der in chain:
        body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
        blocks.append(f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    return "".join(blocks).encode()


def _testnet_verifier() -> poci.Verifier:
    return poci.Verifier(poci.TrustStore.embedded_testnet())


def test_an_emulated_gpu_binds_and_proves_every_slot() -> None:
    example = load_example()
    gpu = poci.EmulatedGpu("nvidia-h100-sxm", "example-gpu-0")
    nvml = FakeNvml(gpu.report, pem(gpu.chain()))
    ledger = example.run(nvml, _testnet_verifier(), slots=3)
    record = ledger.chip(gpu.key_id)
    assert record is not None
    assert (record.evidence, record.model_id, record.rating_milli_cu) == ("nvidia-spdm", "nvidia-h100-sxm", 989500)
    # The GPU signed exactly POCI's nonces: the binding one, then one per heartbeat.
    params = example.PARAMS
    expected = [
        poci.evidence_nonce(
            params,
            epoch=7,
            slot=slot,
            challenge=poci.derive_challenge(params, 7, slot, example.beacon(7, slot)),
            wallet=example.WALLET,
            purpose="binding" if slot == 0 else "heartbeat",
        )
        for slot in range(4)
    ]
    assert nvml.nonces == expected
    closed = ledger.close_epoch(7)
    assert [entry.proven_slots for entry in closed.availability] == [3]


def test_a_real_h100_sample_is_genuine_but_answers_no_slot() -> None:
    example = load_example()
    sample = ROOT / "silicon/nvidia/h100-a"
    report = bytes.fromhex((sample / "report.hex").read_text().strip())
    chain_pem = (sample / "chain.pem").read_bytes()
    nvml = FakeNvml(lambda nonce: report, chain_pem)
    production = poci.Verifier(poci.trust_store_from_folder(ROOT / "vendor-roots"))
    with pytest.raises(poci.PolicyError) as refused:
        example.run(nvml, production)
    assert refused.value.code == "NONCE_MISMATCH"
    # Genuine under NVIDIA's real root, for the nonce it was made for; no model maps it yet.
    verified = production.verify_nvidia_report(
        report, poci.certificates_from_pem(chain_pem.decode()), nonce=report[4:36], time=1796083200
    )
    assert (verified.chip, verified.project, verified.model_id) == ("GH100", "1010", None)


def test_a_report_for_another_wallet_is_refused() -> None:
    example = load_example()
    gpu = poci.EmulatedGpu("nvidia-b200", "example-gpu-1")
    # A GPU that signs a nonce of its own choosing instead of the one it was given.
    nvml = FakeNvml(lambda nonce: gpu.report(bytes(32)), pem(gpu.chain()))
    with pytest.raises(poci.PolicyError) as refused:
        example.run(nvml, _testnet_verifier())
    assert refused.value.code == "NONCE_MISMATCH"
    with pytest.raises(poci.InvalidArgumentError):
        poci.EmulatedGpu("nvidia-a10", "no such board")
