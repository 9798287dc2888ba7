"""Runs conformance vectors through the Python API (conformance/README.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import poci

REPOSITORY_VECTORS = Path(__file__).resolve().parents[3] / "conformance" / "vectors"


def vectors_dir() -> Path:
    """POCI_VECTORS_DIR when set, the repository's vectors otherwise."""
    return Path(os.environ.get("POCI_VECTORS_DIR", REPOSITORY_VECTORS))


def _params(value: Dict[str, Any]) -> poci.NetworkParams:
    return poci.NetworkParams.from_json(json.dumps(value))


def _store(spec: Dict[str, Any]) -> poci.TrustStore:
    registry = poci.ChipModelRegistry.from_manifests([(m["file"], m["toml"]) for m in spec["manifests"]])
    policy = spec["policy"]
    store = poci.TrustStore(
        registry,
        allow_test_vendors=policy["allow_test_vendors"],
        unknown_revocation=policy["unknown_revocation"],
    )
    for vendor in spec["roots"]:
        store = store.with_roots(
            vendor["vendor_id"],
            [pem.encode() for pem in vendor["roots"]],
            [pem.encode() for pem in vendor["crls"]],
            test=vendor["kind"] == "test",
        )
    return store


MESSAGES = {
    "heartbeat": poci.Heartbeat,
    "chip_binding": poci.ChipBinding,
    "lease_acceptance": poci.LeaseAcceptance,
}


def _ledger(inp: Dict[str, Any], stores: Dict[str, Any]) -> Any:
    base = _store(stores[inp["trust_store"]])
    later = [(int(v["activation_epoch"]), _store(stores[v["trust_store"]])) for v in inp.get("trust_versions", [])]
    verifier = poci.Verifier.scheduled(base, later) if later else poci.Verifier(base)
    return _run_ledger(inp, verifier)


def _nvidia_ledger(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    # Against the repository's vendor-roots/ with its testnet material (the embedded store).
    return _run_ledger(inp, poci.Verifier(poci.TrustStore.embedded_testnet()))


def _run_ledger(inp: Dict[str, Any], verifier: Any) -> Any:
    if "policy" in inp:
        ledger = poci.ChipLedger.with_policy(poci.NetworkPolicy.from_json(json.dumps(inp["policy"])))
    else:
        ledger = poci.ChipLedger(_params(inp["params"]))

    def step(s: Dict[str, Any]) -> Any:
        at = {"epoch": int(s.get("epoch", 0)), "slot": s.get("slot", 0)}
        if "now" in s:
            at.update(now_epoch=int(s["now"]["epoch"]), now_slot=s["now"]["slot"])
        if s["op"] == "bind":
            outcome = ledger.apply_binding(
                verifier,
                bytes.fromhex(s["der"]),
                challenge=bytes.fromhex(s["challenge"]),
                wallet=bytes.fromhex(s["wallet"]),
                **at,
            )
            return json.loads(outcome.to_json())
        if s["op"] == "bind_nvidia":
            outcome = ledger.apply_nvidia_binding(
                verifier,
                bytes.fromhex(s["report"]),
                [bytes.fromhex(der) for der in s["chain"]],
                challenge=bytes.fromhex(s["challenge"]),
                wallet=bytes.fromhex(s["wallet"]),
                **at,
            )
            return json.loads(outcome.to_json())
        if s["op"] == "heartbeat":
            ledger.apply_heartbeat(verifier, bytes.fromhex(s["der"]), challenge=bytes.fromhex(s["challenge"]), **at)
            return {"recorded": True}
        if s["op"] == "heartbeat_nvidia":
            ledger.apply_nvidia_heartbeat(
                verifier,
                bytes.fromhex(s["key_id"]),
                bytes.fromhex(s["report"]),
                challenge=bytes.fromhex(s["challenge"]),
                **at,
            )
            return {"recorded": True}
        if s["op"] == "close":
            challenges = [bytes.fromhex(c) for c in s.get("challenges", [])]
            return json.loads(ledger.close_epoch(int(s["epoch"]), challenges).to_json())
        if s["op"] == "lease":
            now = s["now"]
            outcome = ledger.apply_lease(
                verifier, bytes.fromhex(s["der"]), now_epoch=int(now["epoch"]), now_slot=now["slot"]
            )
            return {"outcome": outcome}
        if s["op"] == "settle":
            return json.loads(ledger.settle_lease(bytes.fromhex(s["lease_id"])).to_json())
        raise ValueError(f"unknown ledger step {s['op']}")

    for setup in inp["setup"]:
        step(setup)
    return step(inp["step"])


def _verify_heartbeat(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    context = inp["context"]
    result = poci.Verifier().verify_heartbeat(
        bytes.fromhex(inp["der"]),
        bytes.fromhex(inp["public_key"]),
        network_id=context["network_id"],
        epoch=int(context["epoch"]),
        slot=context["slot"],
        challenge=bytes.fromhex(context["challenge"]),
        wallet=bytes.fromhex(context["wallet"]),
    )
    return json.loads(result.to_json())


def _verify_heartbeat_batch(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    context = inp["context"]
    item = (
        bytes.fromhex(inp["der"]),
        bytes.fromhex(inp["public_key"]),
        context["network_id"],
        int(context["epoch"]),
        context["slot"],
        bytes.fromhex(context["challenge"]),
        bytes.fromhex(context["wallet"]),
    )
    results = poci.Verifier().verify_heartbeats([item] * int(inp["copies"]))
    verified = sum(1 for result in results if isinstance(result, poci.VerifiedHeartbeat))
    return {"verified": verified, "refused": len(results) - verified}


def _verify_heartbeats(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    items = [
        (
            bytes.fromhex(item["der"]),
            bytes.fromhex(item["public_key"]),
            item["context"]["network_id"],
            int(item["context"]["epoch"]),
            item["context"]["slot"],
            bytes.fromhex(item["context"]["challenge"]),
            bytes.fromhex(item["context"]["wallet"]),
        )
        for item in inp["items"]
    ]
    return {
        "results": [
            {"ok": result.proof_id.hex()} if isinstance(result, poci.VerifiedHeartbeat) else {"error": result.code}
            for result in poci.Verifier().verify_heartbeats(items)
        ]
    }


def _verify_binding(inp: Dict[str, Any], stores: Dict[str, Any]) -> Any:
    context = inp["context"]
    verifier = poci.Verifier(_store(stores[inp["trust_store"]]))
    result = verifier.verify_binding(
        bytes.fromhex(inp["der"]),
        params=_params(context["params"]),
        epoch=int(context["epoch"]),
        slot=context["slot"],
        challenge=bytes.fromhex(context["challenge"]),
        wallet=bytes.fromhex(context["wallet"]),
    )
    return json.loads(result.to_json())


def _verify_nvidia_report(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    # Against the repository's vendor-roots/ with its testnet material (the embedded store).
    result = poci.Verifier(poci.TrustStore.embedded_testnet()).verify_nvidia_report(
        bytes.fromhex(inp["report"]),
        [bytes.fromhex(der) for der in inp["chain"]],
        nonce=bytes.fromhex(inp["nonce"]),
        time=int(inp["time"]),
    )
    return json.loads(result.to_json())


def _registry(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    registry = poci.ChipModelRegistry.from_manifests([(m["file"], m["toml"]) for m in inp["manifests"]])
    models = [
        {"model_id": m.model_id, "vendor_id": m.vendor_id, "rating_milli_cu": str(m.rating_milli_cu)}
        for m in registry.models()
    ]
    return {"digest": registry.digest().hex(), "models": models}


def _registry_schedule(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    versions = [
        (int(v["activation_epoch"]), poci.ChipModelRegistry.from_manifests([(m["file"], m["toml"]) for m in v["manifests"]]))
        for v in inp["versions"]
    ]
    schedule = poci.RegistrySchedule(versions)
    ratings = []
    for lookup in inp["lookups"]:
        model = schedule.lookup(lookup["model_id"], int(lookup["epoch"]))
        ratings.append(None if model is None else str(model.rating_milli_cu))
    return {"ratings": ratings}


def _emission(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    schedule = poci.EmissionSchedule.from_json(json.dumps(inp["schedule"]))
    epoch = int(inp["epoch"])
    return {
        "emission": str(schedule.emission(epoch)),
        "supply_before": str(schedule.cumulative(epoch)),
        "supply_after": str(schedule.supply_after(epoch)),
    }


def _pools(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    split = inp["split"]
    pools = poci.PoolSplit(split["miners_bps"], [(p["name"], p["bps"]) for p in split["pools"]])
    return json.loads(pools.split(int(inp["emission"])).to_json())


def _allocate(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    entries = [
        poci.Availability(bytes.fromhex(e["key_id"]), bytes.fromhex(e["wallet"]), int(e["rating_milli_cu"]), e["proven_slots"], e.get("selected_slots"))
        for e in inp["entries"]
    ]
    policy = inp["policy"]
    allocation = poci.allocate(
        int(inp["pool"]),
        entries,
        slots_per_epoch=policy["slots_per_epoch"],
        min_availability_bps=policy["min_availability_bps"],
    )
    return json.loads(allocation.to_json())


def _settle(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    settlement = poci.settle_lease(int(inp["price"]), int(inp["lease_slots"]), int(inp["proven_slots"]))
    return {"rent": str(settlement.rent), "refund": str(settlement.refund)}


def _producer(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    candidates = [(bytes.fromhex(c["key_id"]), int(c["weight"])) for c in inp["candidates"]]
    producer = poci.select_producer(bytes.fromhex(inp["beacon"]), candidates)
    return {"producer": None if producer is None else producer.hex()}


def _decode(inp: Dict[str, Any], _: Dict[str, Any]) -> Any:
    message = MESSAGES[inp["kind"]].from_der(bytes.fromhex(inp["der"]))
    return {"message": json.loads(message.to_json()), "proof_id": message.proof_id.hex()}


OPERATIONS: Dict[str, Callable[[Dict[str, Any], Dict[str, Any]], Any]] = {
    "network_params": lambda i, _: json.loads(
        poci.NetworkParams(i["network_id"], int(i["genesis_unix"]), int(i["epoch_seconds"]), i["slots_per_epoch"]).to_json()
    ),
    "derive_challenge": lambda i, _: {
        "challenge": poci.derive_challenge(_params(i["params"]), int(i["epoch"]), i["slot"], bytes.fromhex(i["beacon"])).hex()
    },
    "slot_start_unix": lambda i, _: {"unix": str(_params(i["params"]).slot_start_unix(int(i["epoch"]), i["slot"]))},
    "slot_at_unix": lambda i, _: dict(
        zip(("epoch", "slot"), (lambda t: (str(t[0]), t[1]))(_params(i["params"]).slot_at_unix(int(i["unix"]))))
    ),
    "device_key": lambda i, _: (
        lambda k: {"public_key": k.public_key.sec1.hex(), "key_id": k.key_id.hex()}
    )(poci.DeviceKey.from_secret_bytes(bytes.fromhex(i["secret_key"]))),
    "public_key": lambda i, _: {"key_id": poci.PublicKey(bytes.fromhex(i["public_key"])).key_id.hex()},
    "decode_message": _decode,
    "message_from_json": lambda i, _: {"der": MESSAGES[i["kind"]].from_json(i["json"]).to_der().hex()},
    "verify_heartbeat": _verify_heartbeat,
    "verify_heartbeat_batch": _verify_heartbeat_batch,
    "verify_heartbeats": _verify_heartbeats,
    "verify_lease_acceptance": lambda i, _: json.loads(
        poci.Verifier()
        .verify_lease_acceptance(bytes.fromhex(i["der"]), bytes.fromhex(i["public_key"]), i["network_id"])
        .to_json()
    ),
    "verify_binding": _verify_binding,
    "nvidia_ledger": _nvidia_ledger,
    "verify_nvidia_report": _verify_nvidia_report,
    "trust_store": lambda i, _: (lambda s: {"roots": s.root_count, "models": len(s.registry)})(_store(i["trust_store"])),
    "registry": _registry,
    "registry_schedule": _registry_schedule,
    "emission": _emission,
    "pools": _pools,
    "allocate": _allocate,
    "settle_lease": _settle,
    "select_producer": _producer,
    "ledger": _ledger,
    "network_policy": lambda i, _: {"digest": poci.NetworkPolicy.from_json(json.dumps(i["policy"])).digest().hex()},
    "is_sampled": lambda i, _: {
        "sampled": poci.is_sampled(bytes.fromhex(i["challenge"]), bytes.fromhex(i["key_id"]), i["sample_one_in"])
    },
}


def run_case(operation: str, inp: Dict[str, Any], stores: Dict[str, Any]) -> Dict[str, Any]:
    """The case's outcome as `{"ok": ...}` or `{"error": CODE}`."""
    try:
        return {"ok": OPERATIONS[operation](inp, stores)}
    except poci.PociError as error:
        return {"error": error.code}


def run_all(directory: Path) -> Tuple[int, List[str], set]:
    """(passed, failures, expected error codes) over every file of `directory`."""
    passed, failures, codes = 0, [], set()
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["schema"] == 1, f"{path}: unknown schema"
        stores = document.get("trust_stores", {})
        for group in document["groups"]:
            for case in group["cases"]:
                if "error" in case["expected"]:
                    codes.add(case["expected"]["error"])
                actual = run_case(group["operation"], case["input"], stores)
                if actual == case["expected"]:
                    passed += 1
                else:
                    failures.append(f"{case['id']}: expected {case['expected']} got {actual}")
    return passed, failures, codes
