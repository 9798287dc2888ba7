"""A miner: registers simulated chips and answers a few slots of challenges.

Runs against the test network trust material compiled into the package: chips of the
synthetic test vendor and an H100 under NVIDIA's testnet stand-in root. A node's side
(the ledger) checks every proof, then the epoch is closed and its rewards computed.
"""

import poci

PARAMS = poci.NetworkParams("poci-testnet", 1767225600, 3600, 120)
WALLET = b"miner-wallet-0001"


def beacon(epoch: int, slot: int) -> bytes:
    """The chain's randomness for a slot (here: a stand-in derived from the slot number)."""
    return (epoch * 1000 + slot).to_bytes(32, "big")


def main() -> None:
    verifier = poci.Verifier(poci.TrustStore.embedded_testnet())
    ledger = poci.ChipLedger(PARAMS)
    registry = poci.ChipModelRegistry.embedded_with_test_vendors()
    makers = [
        (poci.TestVendor("poci-test-a", "POCI Test Vendor A"), "poci-test-accel-a1"),
        (poci.TestVendor.testnet("nvidia", "NVIDIA"), "nvidia-h100-sxm"),
        (poci.TestVendor.testnet("sophgo", "Sophgo"), "sophgo-bm1684x"),
    ]
    chips = []
    epoch, slot = 7, 0
    challenge = poci.derive_challenge(PARAMS, epoch, slot, beacon(epoch, slot))
    for index, (vendor, model) in enumerate(makers):
        serial = f"SIM-{index:04}".encode()
        key, certificate = vendor.mint_chip(f"miner chip {index}".encode(), model_id=model, serial=serial)
        binding = poci.ChipBinding.sign(
            key,
            network_id=PARAMS.network_id,
            chip_serial=serial,
            model_id=model,
            wallet=WALLET,
            binding_counter=1,
            epoch=epoch,
            slot=slot,
            challenge=challenge,
            certificates=[certificate, vendor.intermediate_der],
        )
        outcome = ledger.apply_binding(
            verifier, binding.to_der(), epoch=epoch, slot=slot, challenge=challenge, wallet=WALLET,
            now_epoch=epoch, now_slot=slot,  # the node's current slot: submitted at once
        )
        rating = registry.get(model).rating_milli_cu
        print(f"registered {model:<20} key {key.key_id.hex()[:16]}.. rating {rating} milli-CU: {outcome.kind}")
        chips.append(key)

    counter = 0
    for slot in range(5):
        challenge = poci.derive_challenge(PARAMS, 8, slot, beacon(8, slot))
        for index, key in enumerate(chips):
            if index == 2 and slot % 2:
                continue  # the third chip misses every other slot
            counter += 1
            heartbeat = poci.Heartbeat.sign(
                key, network_id=PARAMS.network_id, wallet=WALLET, epoch=8, slot=slot, challenge=challenge, counter=counter
            )
            ledger.apply_heartbeat(
                verifier, heartbeat.to_der(), epoch=8, slot=slot, challenge=challenge, now_epoch=8, now_slot=slot
            )
        print(f"epoch 8 slot {slot}: answered the challenge {challenge.hex()[:16]}..")

    closed = ledger.close_epoch(8)
    schedule = poci.EmissionSchedule.halving(50 * 10**24, 17520, 21_000_000 * 10**24)
    pools = poci.PoolSplit().split(schedule.emission(8))
    allocation = poci.allocate(pools.miners, closed.availability, slots_per_epoch=PARAMS.slots_per_epoch)
    for share in allocation.shares:
        print(f"chip {share.key_id.hex()[:16]}.. slots {share.proven_slots} reward {share.reward}")
    total = sum(share.reward for share in allocation.shares)
    assert total + allocation.unallocated == pools.miners
    print(f"miners' pool {pools.miners} base units, paid {total}, unallocated {allocation.unallocated}")


if __name__ == "__main__":
    main()
