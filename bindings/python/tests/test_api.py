"""The Pythonic surface: types, errors, the ledger from proofs to rewards."""

import base64
import json

import pytest

import poci

PARAMS = poci.NetworkParams("poci-testnet", 1767225600, 3600, 120)
WALLET = b"wallet-of-alice"


def challenge(epoch, slot):
    return poci.derive_challenge(PARAMS, epoch, slot, epoch.to_bytes(8, "big"))


def heartbeat(key, epoch, slot, counter, wallet=WALLET):
    return poci.Heartbeat.sign(
        key,
        network_id="poci-testnet",
        wallet=wallet,
        epoch=epoch,
        slot=slot,
        challenge=challenge(epoch, slot),
        counter=counter,
    ).to_der()


def test_spec_worked_examples_from_python():
    key = poci.DeviceKey.from_seed(b"demo chip 1")
    assert key.secret_bytes().hex() == "91a82999edbebd90966a9a5f29e7326c9df5af66971be66eeec6099570e1a3c2"
    beacon = bytes([0x11]) * 32
    assert poci.derive_challenge(PARAMS, 7, 42, beacon).hex() == (
        "ee4773517a7edb7fa03d395fcde63d9c93c969961e301f487304329811d453a1"
    )


def test_types_are_bytes_and_ints():
    key = poci.DeviceKey.from_seed(b"chip")
    der = heartbeat(key, 7, 42, 1)
    assert isinstance(der, bytes)
    verified = poci.Verifier().verify_heartbeat(
        der, key.public_key, network_id="poci-testnet", epoch=7, slot=42, challenge=challenge(7, 42), wallet=WALLET
    )
    assert isinstance(verified.proof_id, bytes) and isinstance(verified.counter, int)
    assert verified.chip_key_id == key.key_id
    amounts = poci.PoolSplit().split(10**30 + 3)
    assert isinstance(amounts.miners, int) and amounts.miners + sum(a for _, a in amounts.pools) == 10**30 + 3
    schedule = poci.EmissionSchedule.halving(50 * 10**24, 17520, 21_000_000 * 10**24)
    assert schedule.emission(0) == 50 * 10**24
    assert schedule.cumulative(2**63) <= schedule.cap


def test_messages_round_trip_der_and_json():
    key = poci.DeviceKey.from_seed(b"chip")
    hb = poci.Heartbeat.from_der(heartbeat(key, 7, 42, 9))
    again = poci.Heartbeat.from_json(hb.to_json())
    assert again.to_der() == hb.to_der() and again.proof_id == hb.proof_id
    assert json.loads(hb.to_json())["tbs"]["counter"] == "9"
    lease = poci.LeaseAcceptance.sign(
        key, network_id="poci-testnet", lease_id=b"l-1", renter_wallet=b"r", first_epoch=1, last_epoch=2, price=10**27
    )
    assert poci.LeaseAcceptance.from_der(lease.to_der()).price == 10**27


def test_error_hierarchy_and_codes():
    key = poci.DeviceKey.from_seed(b"chip")
    der = heartbeat(key, 7, 42, 1)
    verifier = poci.Verifier()
    cases = [
        (lambda: poci.Heartbeat.from_der(der[:-1]), poci.ParseError, "DER_MALFORMED"),
        (lambda: poci.Heartbeat.from_json("{}"), poci.ParseError, "JSON_INVALID"),
        (lambda: poci.PublicKey(b"\x04" * 65), poci.SignatureError, "PUBLIC_KEY_INVALID"),
        (
            lambda: verifier.verify_heartbeat(
                der, key.public_key, network_id="poci-testnet", epoch=7, slot=42, challenge=challenge(7, 41), wallet=WALLET
            ),
            poci.PolicyError,
            "CHALLENGE_MISMATCH",
        ),
        (lambda: poci.settle_lease(1, 0, 0), poci.MathError, "LEASE_OUT_OF_BOUNDS"),
        (lambda: poci.PoolSplit(9600), poci.MathError, "INVALID_POOLS"),
        (lambda: poci.NetworkParams("X", 0, 1, 1), poci.PolicyError, "INVALID_NETWORK_PARAMS"),
        (lambda: poci.TrustStore.embedded_testnet().with_roots("poci-test-a", [b"x"], []), poci.CertificateError, "BAD_CERTIFICATE"),
        (
            lambda: poci.ChipLedger(poci.NetworkParams("poci-testnet", 0, 3600, 120)).apply_heartbeat(
                verifier, der, epoch=7, slot=42, challenge=challenge(7, 42), now_epoch=7, now_slot=42
            ),
            poci.LedgerError,
            "UNKNOWN_CHIP",
        ),
        (lambda: poci.Verifier(backend="fastest"), poci.InvalidArgumentError, "INVALID_ARGUMENT"),
        (lambda: poci.TrustStore(poci.ChipModelRegistry.embedded(), unknown_revocation="maybe"), poci.InvalidArgumentError, "INVALID_ARGUMENT"),
        (
            lambda: verifier.verify_heartbeat(
                der, key.public_key, network_id="poci-testnet", epoch=7, slot=42, challenge=bytes(31), wallet=WALLET
            ),
            poci.InvalidArgumentError,
            "INVALID_ARGUMENT",
        ),
    ]
    for call, family, code in cases:
        with pytest.raises(family) as raised:
            call()
        assert raised.value.code == code
        assert isinstance(raised.value, poci.PociError)
    assert len(set(poci.error_codes())) == len(poci.error_codes()) > 50
    # Every family of the core is a class here, below PociError, as in Swift's PociError cases.
    for name in poci.error_families():
        assert issubclass(getattr(poci, name), poci.PociError), name
    assert sorted(poci.error_families()) == sorted(
        ["ParseError", "SignatureError", "CertificateError", "PolicyError", "LedgerError", "MathError"]
    )


def test_batch_verification_returns_one_result_per_item():
    key = poci.DeviceKey.from_seed(b"chip")
    items = []
    for slot in range(20):
        der = heartbeat(key, 7, slot, slot + 1)
        wallet = WALLET if slot % 5 else b"somebody-else"
        items.append((der, key.public_key, "poci-testnet", 7, slot, challenge(7, slot), wallet))
    results = poci.Verifier().verify_heartbeats(items)
    assert len(results) == 20
    for slot, result in enumerate(results):
        if slot % 5:
            assert isinstance(result, poci.VerifiedHeartbeat) and result.slot == slot
        else:
            assert isinstance(result, poci.PolicyError) and result.code == "WALLET_MISMATCH"


def test_a_bad_key_fails_only_its_own_batch_item():
    key = poci.DeviceKey.from_seed(b"demo chip 1")
    good = (heartbeat(key, 7, 1, 2), key.public_key, "poci-testnet", 7, 1, challenge(7, 1), WALLET)
    off_curve = bytes(key.public_key.sec1[:-1]) + bytes([key.public_key.sec1[-1] ^ 1])
    bad = (good[0], off_curve, *good[2:])
    short = (good[0], b"\x04" * 10, *good[2:])
    results = poci.Verifier().verify_heartbeats([good, bad, short, good])
    assert isinstance(results[0], poci.VerifiedHeartbeat)
    assert isinstance(results[3], poci.VerifiedHeartbeat)
    for result in results[1:3]:
        assert isinstance(result, poci.PociError) and result.code == "PUBLIC_KEY_INVALID"


def test_ledger_from_bindings_to_rewards():
    store = poci.TrustStore.embedded_testnet()
    verifier = poci.Verifier(store)
    vendor = poci.TestVendor("poci-test-a", "POCI Test Vendor A")
    nvidia = poci.TestVendor.testnet("nvidia", "NVIDIA")
    ledger = poci.ChipLedger(PARAMS)
    bind_challenge = challenge(7, 0)
    chips = []
    for seed, maker, model in [(b"a", vendor, "poci-test-accel-a1"), (b"h", nvidia, "nvidia-h100-sxm")]:
        key, certificate = maker.mint_chip(seed, model_id=model, serial=seed * 4)
        binding = poci.ChipBinding.sign(
            key,
            network_id="poci-testnet",
            chip_serial=seed * 4,
            model_id=model,
            wallet=WALLET,
            binding_counter=1,
            epoch=7,
            slot=0,
            challenge=bind_challenge,
            certificates=[certificate, maker.intermediate_der],
        )
        outcome = ledger.apply_binding(
            verifier, binding.to_der(), epoch=7, slot=0, challenge=bind_challenge, wallet=WALLET, now_epoch=7, now_slot=0
        )
        assert outcome.kind == "claimed"
        chips.append(key)
    for slot in range(10):
        for key in chips:
            ledger.apply_heartbeat(
                verifier,
                heartbeat(key, 8, slot, slot + 1),
                epoch=8,
                slot=slot,
                challenge=challenge(8, slot),
                now_epoch=8,
                now_slot=slot,
            )
    with pytest.raises(poci.LedgerError) as replay:
        ledger.apply_heartbeat(
            verifier, heartbeat(chips[0], 8, 9, 100), epoch=8, slot=9, challenge=challenge(8, 9), now_epoch=8, now_slot=9
        )
    assert replay.value.code == "SLOT_ALREADY_PROVEN"
    restored = poci.ChipLedger.from_json(ledger.to_json())
    assert restored.to_json() == ledger.to_json() and len(restored) == 2
    closed = ledger.close_epoch(8)
    ratings = sorted(a.rating_milli_cu for a in closed.availability)
    assert ratings == [100_000, 989_500]
    allocation = poci.allocate(10**27, closed.availability, slots_per_epoch=120)
    assert sum(s.reward for s in allocation.shares) + allocation.unallocated == 10**27
    assert allocation.wallets[0][0] == WALLET


def test_registry_and_trust_from_folder():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "vendor-roots"
    registry = poci.registry_from_folder(root)
    assert registry.get("nvidia-h100-sxm").rating_milli_cu == 989_500
    embedded = poci.ChipModelRegistry.embedded_with_test_vendors()
    assert registry.digest() == embedded.digest()
    assert registry.diff(embedded) == {"added": [], "removed": [], "rerated": [], "changed": []}
    store = poci.trust_store_from_folder(root, allow_test_vendors=True, include_testnet=True)
    assert store.root_count == poci.TrustStore.embedded_testnet().root_count
    # The same store as the embedded default (and so as the CLI's and Node's, whose
    # tests compare against the same default): registry, roots, intermediates, CRLs.
    assert store.digest() == poci.TrustStore.embedded_testnet().digest()
    production = poci.trust_store_from_folder(root)
    assert production.digest() != store.digest()


def test_folder_loader_is_one_rule():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "vendor-roots"
    files = [
        (p.relative_to(root).as_posix(), p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and poci.is_vendor_roots_file(p.relative_to(root).as_posix())
    ]
    assert len(files) > 40
    assert not poci.is_vendor_roots_file("README.md")
    kwargs = dict(allow_test_vendors=True, include_testnet=True)
    expected = poci.TrustStore.embedded_testnet().digest()
    assert poci.TrustStore.from_folder_files(list(reversed(files)), **kwargs).digest() == expected
    # Without the published intermediates the store differs (CRLs would be re-verified).
    fewer = [(p, b) for p, b in files if "/intermediates/" not in p]
    assert poci.TrustStore.from_folder_files(fewer, **kwargs).digest() != expected
    with pytest.raises(poci.PolicyError) as refused:
        poci.TrustStore.from_folder_files(files + files[:1], **kwargs)
    assert refused.value.code == "MANIFEST_INVALID"


def test_producer_selection():
    candidates = [(bytes([1]) * 32, 1), (bytes([2]) * 32, 2), (bytes([3]) * 32, 7)]
    winners = [poci.select_producer(bytes([b]) * 32, candidates)[0] for b in range(8)]
    assert winners == [1, 3, 3, 3, 2, 1, 3, 2]
    assert poci.select_producer(bytes(32), [(bytes(32), 0)]) is None


def test_module_namespace_is_its_api():
    public = [name for name in dir(poci) if not (name.startswith("__") and name.endswith("__"))]
    assert public == sorted(poci.__all__)
    assert len(set(poci.__all__)) == len(poci.__all__)
    for name in poci.__all__:
        if isinstance(getattr(poci, name), type):
            assert getattr(poci, name).__module__ == "poci", name
    # The benchmark hook is in `bench` builds only (bench/overhead.py).
    assert not hasattr(poci.Verifier, "_time_verify_heartbeat_in_rust")


def test_bad_arguments_raise_invalid_argument_error():
    assert issubclass(poci.InvalidArgumentError, poci.PociError)
    assert issubclass(poci.InvalidArgumentError, ValueError)
    assert poci.InvalidArgumentError.__module__ == "poci"
    key = poci.DeviceKey.from_seed(b"chip")
    der = heartbeat(key, 7, 42, 1)
    verifier = poci.Verifier()
    context = dict(network_id="poci-testnet", epoch=7, slot=42, challenge=challenge(7, 42), wallet=WALLET)
    bad = [
        # out-of-range and non-integral ints
        (lambda: poci.NetworkParams("poci-testnet", -1, 3600, 120), "an int from 0 to 2**64-1, got int -1"),
        (lambda: poci.NetworkParams("poci-testnet", 0, 3600, 2**32), "2**32-1, got int 4294967296"),
        (lambda: PARAMS.slot_start_unix(2**64, 0), "2**64-1"),
        (lambda: PARAMS.slot_start_unix(1.0, 0), "got float 1.0"),
        (lambda: poci.settle_lease(-5, 1, 1), "2**128-1, got int -5"),
        (lambda: poci.EmissionSchedule.halving(10, 2**64, 10), "2**64-1"),
        # wrong types and lengths of bytes
        (lambda: poci.derive_challenge(PARAMS, 7, 42, "beacon"), "expected bytes, got str"),
        (lambda: poci.is_sampled(bytes(31), bytes(32), 1), "expected 32 bytes, got 31"),
        (lambda: poci.is_sampled("x" * 32, bytes(32), 1), "expected 32 bytes, got str"),
        (lambda: poci.Heartbeat.from_der(bytearray(der)), "expected bytes, got bytearray of length"),
        (lambda: verifier.verify_heartbeat(der, key.public_key, **{**context, "challenge": None}), "got NoneType"),
        (lambda: verifier.verify_heartbeat(der, "not a key", **context), "a PublicKey or bytes, got str"),
        (lambda: verifier.verify_heartbeat(der, key.public_key, **{**context, "network_id": 7}), "a str, got int 7"),
        # other classes than the one expected, lists of the wrong items
        (lambda: poci.derive_challenge("params", 7, 42, b""), "a NetworkParams, got str"),
        (lambda: poci.ChipLedger(verifier), "a NetworkParams, got Verifier"),
        (lambda: poci.Verifier(PARAMS), "a TrustStore or None, got NetworkParams"),
        (lambda: poci.allocate(10, [1], slots_per_epoch=120), "a list of Availability"),
        (lambda: poci.TrustStore.embedded_testnet().with_roots("x", ["pem"], []), "a list of bytes"),
        (lambda: poci.select_producer(bytes(32), [(bytes(31), 1)]), "expected 32 bytes, got 31"),
        (lambda: verifier.verify_heartbeats([(der, key.public_key, "poci-testnet", 7, -42, bytes(32), WALLET)]), "tuples"),
        (lambda: verifier.verify_heartbeats([(der, 3, "poci-testnet", 7, 42, bytes(32), WALLET)]), "a PublicKey or bytes"),
        (lambda: poci.TestVendor("poci-test-a", "A").mint_chip(b"s", model_id="m", serial=b"s", security_version=-1), "2**32-1"),
        (lambda: poci.TrustStore(poci.ChipModelRegistry.embedded(), allow_test_vendors="yes"), "a bool, got str"),
        # names the core does not know
        (lambda: poci.Verifier(backend="fastest"), "unknown backend"),
        (lambda: poci.EmulatedGpu("nvidia-a100", "seed"), "no board of that model"),
    ]
    for call, message in bad:
        with pytest.raises(poci.InvalidArgumentError) as raised:
            call()
        assert raised.value.code == "INVALID_ARGUMENT"
        assert isinstance(raised.value, ValueError)
        assert message in str(raised.value), (message, str(raised.value))
    # Python 3.11+ notes which parameter it was.
    with pytest.raises(poci.InvalidArgumentError) as raised:
        PARAMS.slot_start_unix(7, -1)
    if hasattr(raised.value, "add_note"):
        assert raised.value.__notes__ == ["while processing 'slot'"]
    # A ValueError handler written for bad arguments still catches them.
    with pytest.raises(ValueError):
        poci.PublicKey(7)


def test_public_key_from_a_device_certificate():
    vendor = poci.TestVendor("poci-test-a", "POCI Test Vendor A")
    key, certificate = vendor.mint_chip(b"wallet chip", model_id="poci-test-accel-a1", serial=b"s-1")
    public = poci.PublicKey.from_certificate(certificate)
    assert public.sec1 == key.public_key.sec1 and public.key_id == key.key_id
    text = base64.b64encode(certificate).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    pem = "\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----", ""])
    assert poci.PublicKey.from_certificate(pem.encode()).key_id == key.key_id
    # A wallet verifies the chip's heartbeat with the key its certificate certifies.
    verified = poci.Verifier().verify_heartbeat(
        heartbeat(key, 7, 3, 1),
        public,
        network_id="poci-testnet",
        epoch=7,
        slot=3,
        challenge=challenge(7, 3),
        wallet=WALLET,
    )
    assert verified.chip_key_id == key.key_id
    with pytest.raises(poci.CertificateError) as ca:
        poci.PublicKey.from_certificate(vendor.intermediate_der)
    assert ca.value.code == "BAD_CERTIFICATE"
    with pytest.raises(poci.CertificateError) as cut:
        poci.PublicKey.from_certificate(certificate[:-1])
    assert cut.value.code == "BAD_CERTIFICATE"
    with pytest.raises(poci.ParseError) as empty:
        poci.PublicKey.from_certificate(b"")
    assert empty.value.code == "FIELD_EMPTY"
    with pytest.raises(poci.InvalidArgumentError):
        poci.PublicKey.from_certificate(pem)
