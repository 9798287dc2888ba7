// The idiomatic JS surface: Buffers, bigints, plain objects, thrown errors with .code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const poci = createRequire(import.meta.url)('poci'); // this package by its name: the folder's own, or the installed one

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
    items.push({ der: heartbeat(key, 7n, slot, BigInt(slot + 1)), publicKey: slot % 2 ? key.publicKey : key.publicKey.sec1, context: context(7n, slot, wallet) });
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
  // The same loader over files a caller read itself.
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (poci.isVendorRootsFile(path)) files.push({ path, bytes: readFileSync(join(root, path)) });
    }
  };
  walk('');
  assert.deepEqual(poci.ChipModelRegistry.fromFolderFiles(files).digest(), registry.digest());
  assert.deepEqual(poci.TrustStore.fromFolderFiles(files, { allowTestVendors: true }, true).digest(), store.digest());
  assert.throws(
    () => poci.TrustStore.fromFolderFiles([{ path: 'x/manifest.toml' }]),
    (error) => error.code === 'INVALID_ARGUMENT' && error.message.includes('files[0].bytes: expected a Buffer, got undefined'),
  );
});

test('a registry schedule needs one activation epoch per registry', () => {
  const registry = poci.ChipModelRegistry.embedded();
  assert.equal(new poci.RegistrySchedule([0n], [registry]).lookup('nvidia-t4', 3n).ratingMilliCu, 65000n);
  assert.throws(
    () => new poci.RegistrySchedule([0n, 5n], [registry]),
    (error) => error.code === 'INVALID_ARGUMENT',
  );
});

test('every bad argument throws INVALID_ARGUMENT naming it and the type expected', () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('chip'));
  const der = heartbeat(key, 7n, 42, 1n);
  const verifier = new poci.Verifier();
  const ledger = new poci.ChipLedger(params);
  const cases = [
    // numbers for bigints, out-of-range and fractional numbers
    [() => poci.deriveChallenge(params, 7, 42, Buffer.alloc(8)), 'epoch: expected a bigint from 0 to 2^64-1, got number 7'],
    [() => new poci.NetworkParams('x', -1n, 3600n, 120), 'genesisUnix: expected a bigint from 0 to 2^64-1, got bigint -1'],
    [() => new poci.NetworkParams('x', 0n, 3600n, -1), 'slotsPerEpoch: expected an integer number from 0 to 2^32-1, got number -1'],
    [() => params.slotStartUnix(7n, 1.5), 'slot: expected an integer number from 0 to 2^32-1, got number 1.5'],
    [() => params.slotStartUnix(7n, 2 ** 32), 'slot: expected an integer number'],
    [() => params.slotStartUnix(7n, 42n), 'slot: expected an integer number from 0 to 2^32-1, got bigint 42'],
    [() => poci.settleLease(2n ** 128n, 1n, 1n), 'price: expected a bigint from 0 to 2^128-1'],
    // other types, missing arguments and fields
    [() => new poci.NetworkParams(5, 0n, 3600n, 120), 'networkId: expected a string, got number 5'],
    [() => poci.deriveChallenge(params, 7n, 42, 'beacon'), 'beacon: expected a Buffer, got string'],
    [() => poci.deriveChallenge(params, 7n), 'slot: expected an integer number from 0 to 2^32-1, got undefined'],
    [() => poci.isSampled(Buffer.alloc(31), Buffer.alloc(32), 1), 'challenge: expected a Buffer of 32 bytes, got Buffer of 31 bytes'],
    [() => poci.signHeartbeat(key, { ...context(7n, 42), counter: 1n, epoch: 7 }), 'fields.epoch: expected a bigint from 0 to 2^64-1, got number 7'],
    [() => poci.signHeartbeat(key, { networkId: 'poci-testnet' }), 'fields.wallet: expected a Buffer, got undefined'],
    [() => poci.signHeartbeat(key, 5), 'fields: expected a HeartbeatInput object, got number 5'],
    [() => verifier.verifyHeartbeat(der, key.publicKey, { ...context(7n, 42), slot: -1 }), 'context.slot: expected an integer number'],
    [() => ledger.applyHeartbeat(verifier, der, 7n, 42, challenge(7n, 42), { epoch: 7n }), 'now.slot: expected an integer number from 0 to 2^32-1, got undefined'],
    [() => ledger.closeEpoch(8n, [Buffer.alloc(32), 'x']), 'slotChallenges[1]: expected a Buffer, got string'],
    [() => poci.allocate(10n, [{ keyId: Buffer.alloc(32), wallet: Buffer.from('w'), ratingMilliCu: 1, provenSlots: 1 }], 120), 'availability[0].ratingMilliCu: expected a bigint'],
    [() => poci.selectProducer(Buffer.alloc(32), {}), 'candidates: expected an array of Candidate, got Object'],
    [() => new poci.TrustStore(poci.ChipModelRegistry.embedded(), { allowTestVendors: 'yes' }), 'options.allowTestVendors: expected a boolean, got string'],
    [() => poci.TrustStore.embeddedTestnet().withRoots('x', [Buffer.alloc(1)], [], 1), 'test: expected a boolean, got number 1'],
    // other classes than the one expected
    [() => poci.deriveChallenge({}, 7n, 42, Buffer.alloc(8)), 'params: expected a NetworkParams, got Object'],
    [() => new poci.ChipLedger(verifier), 'params: expected a NetworkParams, got Verifier'],
    [() => ledger.applyHeartbeat(params, der, 7n, 42, challenge(7n, 42), { epoch: 7n, slot: 42 }), 'verifier: expected a Verifier, got NetworkParams'],
    [() => verifier.verifyHeartbeat(der, 'key', context(7n, 42)), 'publicKey: expected a PublicKey or a Buffer, got string'],
    [() => poci.signHeartbeat(key.publicKey, {}), 'key: expected a DeviceKey, got PublicKey'],
    [() => new poci.Verifier(params), 'trustStore: expected a TrustStore, got NetworkParams'],
    // names the core does not know
    [() => new poci.Verifier(null, 'fastest'), 'unknown backend'],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (error) => {
      assert.ok(error instanceof Error);
      assert.equal(error.code, 'INVALID_ARGUMENT', error.message);
      assert.ok(error.message.includes(message), `${error.message} lacks ${message}`);
      return true;
    });
  }
});

test('a batch item takes its key as verifyHeartbeat does: a PublicKey or its SEC1 bytes', async () => {
  const key = poci.DeviceKey.fromSeed(Buffer.from('chip'));
  const der = heartbeat(key, 7n, 3, 4n);
  const verifier = new poci.Verifier();
  const results = await verifier.verifyHeartbeats([
    { der, publicKey: key.publicKey, context: context(7n, 3) },
    { der, publicKey: key.publicKey.sec1, context: context(7n, 3) },
  ]);
  assert.deepEqual(results.map((r) => r.verified.proofId), [verifier.verifyHeartbeat(der, key.publicKey, context(7n, 3)).proofId, verifier.verifyHeartbeat(der, key.publicKey.sec1, context(7n, 3)).proofId]);
  assert.throws(
    () => verifier.verifyHeartbeats([{ der, publicKey: 7, context: context(7n, 3) }]),
    (error) => error.code === 'INVALID_ARGUMENT' && error.message.includes('items[0].publicKey: expected a PublicKey or a Buffer'),
  );
});

test('the getters Python has: network parameters, signed messages, keys, stores', () => {
  assert.equal(params.networkId, 'poci-testnet');
  assert.equal(params.genesisUnix, 1767225600n);
  assert.equal(params.epochSeconds, 3600n);
  assert.equal(params.slotsPerEpoch, 120);
  const key = poci.DeviceKey.fromSeed(Buffer.from('demo chip 1'));
  assert.equal(poci.DeviceKey.fromSecretBytes(key.secretBytes()).keyId.toString('hex'), key.keyId.toString('hex'));
  const hb = poci.Heartbeat.fromDer(heartbeat(key, 7n, 42, 9n));
  assert.deepEqual([hb.chipKeyId, hb.wallet, hb.epoch, hb.slot, hb.counter], [key.keyId, WALLET, 7n, 42, 9n]);
  assert.ok(hb.signature.length >= 8 && hb.signature[0] === 0x30);
  const lease = poci.signLeaseAcceptance(key, { networkId: 'poci-testnet', leaseId: Buffer.from('l'), renterWallet: Buffer.from('r'), firstEpoch: 1n, lastEpoch: 2n, price: 10n ** 27n });
  assert.equal(lease.price, 10n ** 27n);
  const store = poci.TrustStore.embeddedTestnet();
  assert.equal(store.registry.size, store.modelCount);
  assert.ok(store.registry.vendorIds().includes('nvidia'));
  const halving = poci.EmissionSchedule.halving(50n * 10n ** 24n, 17520n, 21000000n * 10n ** 24n);
  assert.equal(halving.emission(0n), 50n * 10n ** 24n);
  assert.equal(halving.cap, 21000000n * 10n ** 24n);
  assert.equal(poci.isVendorRootsFile('README.md'), false);
  assert.deepEqual(poci.errorFamilies(), ['ParseError', 'SignatureError', 'CertificateError', 'PolicyError', 'LedgerError', 'MathError']);
  assert.equal(new poci.ChipLedger(params).size, 0);
  // The benchmark hook is in `bench` builds only (bench/overhead.mjs).
  assert.equal(poci.Verifier.prototype.timeVerifyHeartbeatInRust, undefined);
});

test('a wallet takes a chip\'s public key from its device certificate (DER or PEM)', () => {
  const vendor = new poci.TestVendor('poci-test-a', 'POCI Test Vendor A');
  const chip = vendor.mintChip(Buffer.from('wallet chip'), 'poci-test-accel-a1', Buffer.from('s-1'), 7n, 2);
  const fromDer = poci.PublicKey.fromCertificate(chip.certificate);
  assert.deepEqual(fromDer.sec1, chip.key.publicKey.sec1);
  const base64 = chip.certificate.toString('base64').match(/.{1,64}/g).join('\n');
  const pem = Buffer.from(`-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`);
  assert.deepEqual(poci.PublicKey.fromCertificate(pem).keyId, chip.key.keyId);
  const verified = new poci.Verifier().verifyHeartbeat(heartbeat(chip.key, 7n, 3, 1n), fromDer, context(7n, 3));
  assert.deepEqual(verified.heartbeat.chipKeyId, chip.key.keyId);
  assert.throws(() => poci.PublicKey.fromCertificate(vendor.intermediateDer), (error) => error.code === 'BAD_CERTIFICATE');
  assert.throws(() => poci.PublicKey.fromCertificate(chip.certificate.subarray(1)), (error) => error.code === 'BAD_CERTIFICATE');
  assert.throws(() => poci.PublicKey.fromCertificate(pem.toString()), (error) => error.code === 'INVALID_ARGUMENT');
});
