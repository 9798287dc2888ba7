"""Per-call overhead of verify_heartbeat from Python against the same call in Rust.

Both measured in one run, in one process: Rust times its own loop
(`Verifier._time_verify_heartbeat_in_rust`), Python times calls through the binding.
Prints per-call times and the ratios; run with `make bench-python`.

The timing hook is in builds with the binding's `bench` cargo feature only, never in a
default build or a published wheel. Build one into the virtual environment first:

    cd bindings/python && maturin develop --release --features bench

(or, without maturin installed: MATURIN_PEP517_ARGS="--features bench" pip install
--force-reinstall ./bindings/python), then run this script with that environment's python.
"""

import sys
import time

import poci

BUILD_HINT = (
    "bench/overhead.py needs the binding built with its `bench` feature (the timing hook "
    "Verifier._time_verify_heartbeat_in_rust is absent from default builds):\n"
    "    cd bindings/python && maturin develop --release --features bench\n"
    'or  MATURIN_PEP517_ARGS="--features bench" pip install --force-reinstall ./bindings/python'
)

PARAMS = poci.NetworkParams("poci-bench", 1767225600, 3600, 120)
ITERATIONS = 4000


def main() -> None:
    if not hasattr(poci.Verifier, "_time_verify_heartbeat_in_rust"):
        sys.exit(BUILD_HINT)
    key = poci.DeviceKey.from_seed(b"bench chip")
    public = key.public_key
    challenge = poci.derive_challenge(PARAMS, 3, 9, bytes([7]) * 32)
    wallet = b"bench-wallet"
    der = poci.Heartbeat.sign(
        key, network_id="poci-bench", wallet=wallet, epoch=3, slot=9, challenge=challenge, counter=77
    ).to_der()
    verifier = poci.Verifier()
    kwargs = dict(network_id="poci-bench", epoch=3, slot=9, challenge=challenge, wallet=wallet)
    for _ in range(200):  # warm up both paths
        verifier.verify_heartbeat(der, public, **kwargs)
    rust_ns = verifier._time_verify_heartbeat_in_rust(der, public, "poci-bench", 3, 9, challenge, wallet, ITERATIONS)
    start = time.perf_counter_ns()
    for _ in range(ITERATIONS):
        verifier.verify_heartbeat(der, public, **kwargs)
    python_ns = (time.perf_counter_ns() - start) / ITERATIONS
    items = [(der, public, "poci-bench", 3, 9, challenge, wallet)] * ITERATIONS
    start = time.perf_counter_ns()
    results = verifier.verify_heartbeats(items)
    batch_ns = (time.perf_counter_ns() - start) / ITERATIONS
    assert all(isinstance(r, poci.VerifiedHeartbeat) for r in results)
    print(f"rust   verify_heartbeat: {rust_ns / 1000:8.2f} us/call")
    print(f"python verify_heartbeat: {python_ns / 1000:8.2f} us/call  ({python_ns / rust_ns:.3f} x rust)")
    print(f"python verify_heartbeats (batch, all threads): {batch_ns / 1000:8.2f} us/item  ({batch_ns / rust_ns:.3f} x rust single call)")


if __name__ == "__main__":
    main()
