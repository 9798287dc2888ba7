"""Runs every conformance vector through uniffi's Python bindings of the Swift crate.

Swift is not available on every machine; the Python bindings uniffi generates for the same
crate call the very same C ABI the Swift package does, so running the vectors through them
checks every exported function, record and error of the Swift interface.

Usage: python3 run_vectors.py GENERATED_DIR  (holding poci.py and libpoci_ffi.so).
Reads POCI_VECTORS_DIR when set; prints `N passed, M failed`; exits 1 on any failure.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
import poci  # noqa: E402  (the uniffi-generated module)

REPOSITORY_VECTORS = Path(__file__).resolve().parents[3] / "conformance" / "vectors"
U32_FIELDS = {"slot", "proven_slots", "selected_slots", "security_version", "slots_per_epoch"}


OMITTED_WHEN_NONE = {"selected_slots"}


def json_form(value, key=None):
    """A uniffi record or value as the JSON form of SPEC.md."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, int):
        return value if key in U32_FIELDS else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [json_form(item, key) for item in value]
    # An absent optional field of the JSON form is None in a uniffi record.
    return {name: json_form(item, name) for name, item in vars(value).items() if not (item is None and name in OMITTED_WHEN_NONE)}


def outcome_form(outcome):
    name = type(outcome).__name__.split(".")[-1].lower()
    form = {"outcome": name}
    form.update({k: json_form(v, k) for k, v in vars(outcome).items()})
    return form


def hx(text):
    return bytes.fromhex(text)


def params(value):
    return poci.NetworkParams.from_json(json.dumps(value))


def manifests(items):
    return [poci.Manifest(file=m["file"], toml=m["toml"]) for m in items]


def store(spec):
    registry = poci.ChipModelRegistry.from_manifests(manifests(spec["manifests"]))
    policy = spec["policy"]
    trust = poci.TrustStore(registry, policy["allow_test_vendors"], policy["unknown_revocation"] == "deny")
    for vendor in spec["roots"]:
        trust = trust.with_roots(
            vendor["vendor_id"],
            [pem.encode() for pem in vendor["roots"]],
            [pem.encode() for pem in vendor["crls"]],
            vendor["kind"] == "test",
        )
    return trust


KINDS = {
    "heartbeat": poci.MessageKind.HEARTBEAT,
    "chip_binding": poci.MessageKind.CHIP_BINDING,
    "lease_acceptance": poci.MessageKind.LEASE_ACCEPTANCE,
}


def binding_context(c):
    return poci.BindingContext(epoch=int(c["epoch"]), slot=c["slot"], challenge=hx(c["challenge"]), wallet=hx(c["wallet"]))


def ledger(i, stores):
    base = store(stores[i["trust_store"]])
    later = [
        poci.ScheduledTrustStore(activation_epoch=int(v["activation_epoch"]), trust_store=store(stores[v["trust_store"]]))
        for v in i.get("trust_versions", [])
    ]
    return run_ledger(i, poci.Verifier.scheduled(base, later) if later else poci.Verifier(base))


def nvidia_ledger(i, _):
    # Against the repository's vendor-roots/ with its testnet material (the embedded store).
    return run_ledger(i, poci.Verifier(poci.TrustStore.embedded_testnet()))


def run_ledger(i, verifier):
    if "policy" in i:
        book = poci.ChipLedger.with_policy(poci.NetworkPolicy.from_json(json.dumps(i["policy"])))
    else:
        book = poci.ChipLedger(params(i["params"]))

    def now(s):
        return int(s["now"]["epoch"]), s["now"]["slot"]

    def step(s):
        if s["op"] == "bind":
            return outcome_form(book.apply_binding(verifier, hx(s["der"]), binding_context(s), *now(s)))
        if s["op"] == "bind_nvidia":
            chain = [hx(der) for der in s["chain"]]
            return outcome_form(book.apply_nvidia_binding(verifier, hx(s["report"]), chain, binding_context(s), *now(s)))
        if s["op"] == "heartbeat":
            book.apply_heartbeat(verifier, hx(s["der"]), int(s["epoch"]), s["slot"], hx(s["challenge"]), *now(s))
            return {"recorded": True}
        if s["op"] == "heartbeat_nvidia":
            book.apply_nvidia_heartbeat(
                verifier, hx(s["key_id"]), hx(s["report"]), int(s["epoch"]), s["slot"], hx(s["challenge"]), *now(s)
            )
            return {"recorded": True}
        if s["op"] == "close":
            return json_form(book.close_epoch(int(s["epoch"]), [hx(c) for c in s.get("challenges", [])]))
        if s["op"] == "lease":
            accepted = book.apply_lease(verifier, hx(s["der"]), *now(s))
            return {"outcome": "accepted" if accepted else "already_applied"}
        if s["op"] == "settle":
            settled = book.settle_lease(hx(s["lease_id"]))
            return {
                "lease_id": settled.lease_id.hex(),
                "chip_key_id": settled.chip_key_id.hex(),
                "lessor_wallet": settled.lessor_wallet.hex(),
                "renter_wallet": settled.renter_wallet.hex(),
                "proven_slots": str(settled.proven_slots),
                "due_slots": str(settled.due_slots),
                "rent": settled.rent,
                "refund": settled.refund,
            }
        raise ValueError(f"unknown ledger step {s['op']}")

    for s in i["setup"]:
        step(s)
    return step(i["step"])


def registry(i, _):
    reg = poci.ChipModelRegistry.from_manifests(manifests(i["manifests"]))
    models = [{"model_id": m.model_id, "vendor_id": m.vendor_id, "rating_milli_cu": str(m.rating_milli_cu)} for m in reg.models()]
    return {"digest": reg.digest().hex(), "models": models}


def registry_schedule(i, _):
    schedule = poci.RegistrySchedule(
        [int(v["activation_epoch"]) for v in i["versions"]],
        [poci.ChipModelRegistry.from_manifests(manifests(v["manifests"])) for v in i["versions"]],
    )
    ratings = []
    for lookup in i["lookups"]:
        model = schedule.lookup(lookup["model_id"], int(lookup["epoch"]))
        ratings.append(None if model is None else str(model.rating_milli_cu))
    return {"ratings": ratings}


def emission(i, _):
    schedule = poci.EmissionSchedule.from_json(json.dumps(i["schedule"]))
    epoch = int(i["epoch"])
    return {
        "emission": schedule.emission(epoch),
        "supply_before": schedule.cumulative(epoch),
        "supply_after": schedule.supply_after(epoch),
    }


def heartbeat_context(c):
    return poci.HeartbeatContext(
        network_id=c["network_id"], epoch=int(c["epoch"]), slot=c["slot"], challenge=hx(c["challenge"]), wallet=hx(c["wallet"])
    )


OPERATIONS = {
    "network_params": lambda i, _: json.loads(
        poci.NetworkParams(i["network_id"], int(i["genesis_unix"]), int(i["epoch_seconds"]), i["slots_per_epoch"]).to_json()
    ),
    "derive_challenge": lambda i, _: {
        "challenge": poci.derive_challenge(params(i["params"]), int(i["epoch"]), i["slot"], hx(i["beacon"])).hex()
    },
    "slot_start_unix": lambda i, _: {"unix": str(params(i["params"]).slot_start_unix(int(i["epoch"]), i["slot"]))},
    "slot_at_unix": lambda i, _: json_form(params(i["params"]).slot_at_unix(int(i["unix"]))),
    "device_key": lambda i, _: (lambda k: {"public_key": k.public_key().sec1().hex(), "key_id": k.key_id().hex()})(
        poci.DeviceKey.from_secret_bytes(hx(i["secret_key"]))
    ),
    "public_key": lambda i, _: {"key_id": poci.PublicKey(hx(i["public_key"])).key_id().hex()},
    "decode_message": lambda i, _: (lambda d: {"message": json.loads(d.json), "proof_id": d.proof_id.hex()})(
        poci.decode_message(KINDS[i["kind"]], hx(i["der"]))
    ),
    "message_from_json": lambda i, _: {"der": poci.encode_message(KINDS[i["kind"]], i["json"]).hex()},
    "verify_heartbeat": lambda i, _: json_form(
        poci.Verifier(None).verify_heartbeat(hx(i["der"]), poci.PublicKey(hx(i["public_key"])), heartbeat_context(i["context"]))
    ),
    "verify_heartbeat_batch": lambda i, _: (
        lambda results: {
            "verified": sum(1 for r in results if r.verified is not None),
            "refused": sum(1 for r in results if r.verified is None),
        }
    )(
        poci.Verifier(None).verify_heartbeats(
            [poci.HeartbeatBatchItem(der=hx(i["der"]), public_key=poci.PublicKey(hx(i["public_key"])), context=heartbeat_context(i["context"]))]
            * int(i["copies"])
        )
    ),
    "verify_heartbeats": lambda i, _: {
        "results": [
            {"ok": bytes(r.verified.proof_id).hex()} if r.verified is not None else {"error": r.error}
            for r in poci.Verifier(None).verify_heartbeats(
                [
                    poci.HeartbeatBatchItem(
                        der=hx(item["der"]),
                        public_key=poci.PublicKey(hx(item["public_key"])),
                        context=heartbeat_context(item["context"]),
                    )
                    for item in i["items"]
                ]
            )
        ]
    },
    "verify_lease_acceptance": lambda i, _: json_form(
        poci.Verifier(None).verify_lease_acceptance(hx(i["der"]), poci.PublicKey(hx(i["public_key"])), i["network_id"])
    ),
    "verify_binding": lambda i, s: json_form(
        poci.Verifier(store(s[i["trust_store"]])).verify_binding(
            hx(i["der"]), params(i["context"]["params"]), binding_context(i["context"])
        )
    ),
    # Against the repository's vendor-roots/ with its testnet material (the embedded store).
    "nvidia_ledger": nvidia_ledger,
    "verify_nvidia_report": lambda i, _: json_form(
        poci.Verifier(poci.TrustStore.embedded_testnet()).verify_nvidia_report(
            hx(i["report"]), [hx(der) for der in i["chain"]], hx(i["nonce"]), int(i["time"])
        )
    ),
    "trust_store": lambda i, _: (lambda t: {"roots": t.root_count(), "models": t.model_count()})(store(i["trust_store"])),
    "registry": registry,
    "registry_schedule": registry_schedule,
    "emission": emission,
    "pools": lambda i, _: json_form(
        poci.split_emission(
            i["emission"], i["split"]["miners_bps"], [poci.NamedPool(name=p["name"], bps=p["bps"]) for p in i["split"]["pools"]]
        )
    ),
    "allocate": lambda i, _: json_form(
        poci.allocate(
            i["pool"],
            [
                poci.Availability(
                    key_id=hx(e["key_id"]), wallet=hx(e["wallet"]), rating_milli_cu=int(e["rating_milli_cu"]), proven_slots=e["proven_slots"], selected_slots=e.get("selected_slots")
                )
                for e in i["entries"]
            ],
            i["policy"]["slots_per_epoch"],
            i["policy"]["min_availability_bps"],
        )
    ),
    "settle_lease": lambda i, _: json_form(poci.settle_lease(i["price"], i["lease_slots"], i["proven_slots"])),
    "select_producer": lambda i, _: (lambda p: {"producer": None if p is None else p.hex()})(
        poci.select_producer(hx(i["beacon"]), [poci.Candidate(key_id=hx(c["key_id"]), weight=c["weight"]) for c in i["candidates"]])
    ),
    "ledger": ledger,
    "network_policy": lambda i, _: {"digest": poci.NetworkPolicy.from_json(json.dumps(i["policy"])).digest().hex()},
    "is_sampled": lambda i, _: {"sampled": poci.is_sampled(hx(i["challenge"]), hx(i["key_id"]), i["sample_one_in"])},
}


def run_case(operation, inp, stores):
    try:
        return {"ok": OPERATIONS[operation](inp, stores)}
    except poci.PociError as error:
        return {"error": error.code}


def check_folder_loader():
    """The repository's vendor-roots/ through the C ABI's folder loader: the embedded store."""
    root = Path(__file__).resolve().parents[3] / "vendor-roots"
    files = [
        poci.FolderFile(path=p.relative_to(root).as_posix(), bytes=p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]
    loaded = poci.TrustStore.from_folder_files(files, True, True, True)
    if loaded.digest() != poci.TrustStore.embedded_testnet().digest():
        return ["folder loader: vendor-roots/ is not the embedded trust store"]
    return []


def check_error_families():
    """Every core family is a case of PociError, named alike (ParseError -> Parse)."""
    missing = [] if len(poci.error_families()) == 6 else ["error families: not the six of SPEC.md"]
    for name in poci.error_families():
        case = name.removesuffix("Error")
        if not isinstance(getattr(poci.PociError, case, None), type):
            missing.append(f"error family {name}: no PociError.{case}")
    return missing


def check_public_key_from_certificate():
    """A wallet's key from a device certificate, DER or PEM; a CA certificate is refused."""
    import base64

    vendor = poci.TestVendor("poci-test-a", "POCI Test Vendor A")
    chip = vendor.mint_chip(b"wallet chip", "poci-test-accel-a1", b"s-1")
    text = base64.b64encode(chip.certificate).decode()
    pem = "\n".join(["-----BEGIN CERTIFICATE-----", *[text[i : i + 64] for i in range(0, len(text), 64)], "-----END CERTIFICATE-----", ""])
    failures = []
    for form in (chip.certificate, pem.encode()):
        if poci.PublicKey.from_certificate(form).sec1() != chip.key.public_key().sec1():
            failures.append("public key from certificate: not the chip's key")
    try:
        poci.PublicKey.from_certificate(vendor.intermediate_der())
        failures.append("public key from certificate: a CA certificate was accepted")
    except poci.PociError.Certificate as error:
        if error.code != "BAD_CERTIFICATE":
            failures.append(f"public key from a CA certificate: {error.code}")
    return failures


def main():
    directory = Path(os.environ.get("POCI_VECTORS_DIR", REPOSITORY_VECTORS))
    passed, failures, codes = 0, check_folder_loader() + check_error_families() + check_public_key_from_certificate(), set()
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        stores = document.get("trust_stores", {})
        for group in document["groups"]:
            for case in group["cases"]:
                if "error" in case["expected"]:
                    codes.add(case["expected"]["error"])
                try:
                    actual = run_case(group["operation"], case["input"], stores)
                except Exception as error:  # a crash is a failure, reported, not hidden
                    actual = {"exception": repr(error)}
                if actual == case["expected"]:
                    passed += 1
                else:
                    failures.append(f"{case['id']}: expected {case['expected']} got {actual}")
    for failure in failures[:20]:
        print("FAILED", failure[:300])
    # Reserved (SPEC.md 9): no chain passing 6.4 step 6a spends the signature budget.
    reserved = {"CHAIN_TOO_COMPLEX"}
    missing = sorted(set(poci.error_codes()) - codes - reserved) if directory == REPOSITORY_VECTORS else []
    for code in missing:
        print("NO VECTOR for", code)
    print(f"{passed} passed, {len(failures) + len(missing)} failed")
    sys.exit(0 if passed and not failures and not missing else 1)


if __name__ == "__main__":
    main()
