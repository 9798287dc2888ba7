// The idiomatic JS surface: Buffers, bigints, plain objects, thrown errors with .code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const poci = createRequire(import.meta.url)('../index.js');

const params = new poci.NetworkParams('poci-testnet', 1767225600n, 3600n, 120);
const WALLET = Buffer.from('wallet-of-alice');
const challenge = (epoch, slot) => {
  const beacon = Buffer.alloc(8);
  beacon.writeBigUInt64BE(epoch);
  return poci.deriveChallenge(params, epoch, slot, beacon);
};
const heartbeat = (key, epoch, slot, counter, wallet = WALLET) =>
  poci
    .signHeartbeat(key, { networkId: 'poci-testnet', wallet, epoch, slot, challenge: challenge(epoch, slot), counter })
    .toDer();
const context = (epoch, slot, wallet = WALLET) => ({
  networkId: 'poci-testnet',
  epoch,
  slot,
  challenge: challenge(epoch, slot),
  wallet,
});

test('SPEC worked examples from JS', () => {
  const beacon = Buffer.alloc(32, 0x11);
  assert.equal(
    poci.deriveChallenge(params, 7n, 42, beacon).toString('hex'),
    'ee4773517a7edb7fa03d395fcde63d9c93c969961e301f487304329811d453a1',
  );
  const key = poci.DeviceKey.fromSeed(Buffer.from('demo chip 1'));
  assert.equal(key.keyId.toString('hex'), 'c0045d98aedb01a214ae3122453bab42dc48cb4219770630d3b6f68a2db10df1');
});

test('results are plain objects with Buffers and bigints', () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('chip'));
  const verified = new poci.Verifier().verifyHeartbeat(heartbeat(key, 7n, 42, 1n), key.publicKey, context(7n, 42));
  assert.ok(Buffer.isBuffer(verified.proofId));
  assert.equal(typeof verified.heartbeat.counter, 'bigint');
  assert.equal(verified.heartbeat.measurement, null);
  assert.deepEqual(verified.heartbeat.chipKeyId, key.keyId);
  const pools = poci.splitEmission(10n ** 30n + 3n);
  assert.equal(pools.miners + pools.pools.reduce((sum, p) => sum + p.amount, 0n), 10n ** 30n + 3n);
});

test('errors are thrown Errors with the stable code', () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('chip'));
  const der = heartbeat(key, 7n, 42, 1n);
  const cases = [
    [() => poci.Heartbeat.fromDer(der.subarray(0, der.length - 1)), 'DER_MALFORMED'],
    [() => new poci.Verifier().verifyHeartbeat(der, key.publicKey, context(7n, 43)), 'WRONG_SLOT'],
    [() => new poci.PublicKey(Buffer.alloc(65, 4)), 'PUBLIC_KEY_INVALID'],
    [() => poci.settleLease(1n, 0n, 0n), 'LEASE_OUT_OF_BOUNDS'],
    [() => new poci.NetworkParams('X', 0n, 1n, 1), 'INVALID_NETWORK_PARAMS'],
    [() => new poci.NetworkParams('x', -1n, 1n, 1), 'INVALID_ARGUMENT'],
  ];
  for (const [call, code] of cases) {
    assert.throws(call, (error) => error instanceof Error && error.code === code);
  }
});

test('batch verification runs off the main thread, one result per item', async () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('chip'));
  const items = [];
  for (let slot = 0; slot < 20; slot += 1) {
    const wallet = slot % 5 ? WALLET : Buffer.from('somebody-else');
    items.push({ der: heartbeat(key, 7n, slot, BigInt(slot + 1)), publicKey: key.publicKey.sec1, context: context(7n, slot, wallet) });
  }
  const pending = new poci.Verifier().verifyHeartbeats(items);
  assert.ok(pending instanceof Promise);
  const results = await pending;
  assert.equal(results.length, 20);
  results.forEach((result, slot) => {
    if (slot % 5) assert.equal(result.verified.heartbeat.slot, slot);
    else assert.equal(result.error, 'WALLET_MISMATCH');
  });
});

test('a bad key fails only its own batch item', async () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('demo chip 1'));
  const good = { der: heartbeat(key, 7n, 1, 2n), publicKey: key.publicKey.sec1, context: context(7n, 1, WALLET) };
  const offCurve = Buffer.from(key.publicKey.sec1);
  offCurve[offCurve.length - 1] ^= 1;
  const results = await new poci.Verifier().verifyHeartbeats([
    good,
    { ...good, publicKey: offCurve },
    { ...good, publicKey: Buffer.alloc(10, 4) },
    good,
  ]);
  assert.equal(results[0].verified.heartbeat.slot, 1);
  assert.equal(results[3].verified.heartbeat.slot, 1);
  assert.equal(results[1].error, 'PUBLIC_KEY_INVALID');
  assert.equal(results[2].error, 'PUBLIC_KEY_INVALID');
});

test('ledger, report and lease settlement', () => {
  const verifier = new poci.Verifier(poci.TrustStore.embeddedTestnet());
  const ledger = new poci.ChipLedger(params);
  const nvidia = poci.TestVendor.testnet('nvidia', 'NVIDIA');
  const chip = nvidia.mintChip(Buffer.from('h100 #1'), 'nvidia-h100-sxm', Buffer.from('H100-1'));
  const bindChallenge = challenge(7n, 0);
  const binding = poci.signChipBinding(chip.key, {
    networkId: 'poci-testnet',
    chipSerial: Buffer.from('H100-1'),
    modelId: 'nvidia-h100-sxm',
    wallet: WALLET,
    bindingCounter: 1n,
    epoch: 7n,
    slot: 0,
    challenge: bindChallenge,
    certificates: [chip.certificate, nvidia.intermediateDer],
  });
  const outcome = ledger.applyBinding(
    verifier,
    binding.toDer(),
    { epoch: 7n, slot: 0, challenge: bindChallenge, wallet: WALLET },
    { epoch: 7n, slot: 0 },
  );
  assert.equal(outcome.outcome, 'claimed');
  for (let slot = 0; slot < 6; slot += 1) {
    ledger.applyHeartbeat(verifier, heartbeat(chip.key, 8n, slot, BigInt(slot + 1)), 8n, slot, challenge(8n, slot), {
      epoch: 8n,
      slot,
    });
  }
  assert.throws(
    () => ledger.applyHeartbeat(verifier, heartbeat(chip.key, 8n, 5, 99n), 8n, 5, challenge(8n, 5), { epoch: 8n, slot: 5 }),
    (error) => error.code === 'SLOT_ALREADY_PROVEN',
  );
  const restored = poci.ChipLedger.fromJson(ledger.toJson());
  assert.equal(restored.toJson(), ledger.toJson());
  const closed = ledger.closeEpoch(8n);
  assert.equal(closed.availability[0].ratingMilliCu, 989500n);
  const allocation = poci.allocate(10n ** 27n, closed.availability, 120);
  assert.equal(allocation.shares[0].reward + allocation.unallocated, 10n ** 27n);
  const settlement = poci.settleLease(1000n, 120n, 6n);
  assert.deepEqual(settlement, { rent: 50n, refund: 950n });
});

test('registry and trust store from the vendor-roots folder', () => {
  const root = new URL('../../../vendor-roots', import.meta.url).pathname;
  const registry = poci.ChipModelRegistry.fromFolder(root);
  assert.equal(registry.get('sophgo-bm1684').ratingMilliCu, 8800n);
  assert.deepEqual(registry.digest(), poci.ChipModelRegistry.embeddedWithTestVendors().digest());
  const store = poci.TrustStore.fromFolder(root, { allowTestVendors: true }, true);
  assert.equal(store.rootCount, poci.TrustStore.embeddedTestnet().rootCount);
  // The same store as the embedded default (and so as the CLI's and Python's, whose tests
  // compare against the same default): registry, roots, intermediates, CRLs and policy.
  assert.deepEqual(store.digest(), poci.TrustStore.embeddedTestnet().digest());
  assert.notDeepEqual(poci.TrustStore.fromFolder(root).digest(), store.digest());
});

test('a registry schedule needs one activation epoch per registry', () => {
  const registry = poci.ChipModelRegistry.embedded();
  assert.equal(new poci.RegistrySchedule([0n], [registry]).lookup('nvidia-t4', 3n).ratingMilliCu, 65000n);
  assert.throws(
    () => new poci.RegistrySchedule([0n, 5n], [registry]),
    (error) => error.code === 'INVALID_ARGUMENT',
  );
});
