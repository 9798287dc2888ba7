"""Per-call overhead of verify_heartbeat from Python against the same call in Rust.

Both measured in one run, in one process: Rust times its own loop
(`Verifier._time_verify_heartbeat_in_rust`), Python times calls through the binding.
Prints per-call times and the ratios; run with `make bench-python`.
"""

import time

import poci

PARAMS = poci.NetworkParams("poci-bench", 1767225600, 3600, 120)
ITERATIONS = 4000


def main() -> None:
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
