// Runs conformance vectors through the Node API (conformance/README.md).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { toJsonForm } from './jsonform.mjs';

const require = createRequire(import.meta.url);
const poci = require('poci'); // this package by its name: the folder's own, or the installed one

export const REPOSITORY_VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'conformance', 'vectors');
export const vectorsDir = () => process.env.POCI_VECTORS_DIR ?? REPOSITORY_VECTORS;

const hex = (text) => Buffer.from(text, 'hex');
const params = (value) => poci.NetworkParams.fromJson(JSON.stringify(value));
const MESSAGES = { heartbeat: poci.Heartbeat, chip_binding: poci.ChipBinding, lease_acceptance: poci.LeaseAcceptance };

function store(spec) {
  const registry = poci.ChipModelRegistry.fromManifests(spec.manifests);
  let trust = new poci.TrustStore(registry, {
    allowTestVendors: spec.policy.allow_test_vendors,
    unknownRevocation: spec.policy.unknown_revocation,
  });
  for (const vendor of spec.roots) {
    trust = trust.withRoots(
      vendor.vendor_id,
      vendor.roots.map((pem) => Buffer.from(pem)),
      vendor.crls.map((pem) => Buffer.from(pem)),
      vendor.kind === 'test',
    );
  }
  return trust;
}

const heartbeatContext = (c) => ({
  networkId: c.network_id,
  epoch: BigInt(c.epoch),
  slot: c.slot,
  challenge: hex(c.challenge),
  wallet: hex(c.wallet),
});

const ledger = (input, stores) => {
  const base = store(stores[input.trust_store]);
  const later = input.trust_versions ?? [];
  const verifier = later.length
    ? poci.Verifier.scheduled(
        base,
        later.map((v) => BigInt(v.activation_epoch)),
        later.map((v) => store(stores[v.trust_store])),
      )
    : new poci.Verifier(base);
  return runLedger(input, verifier);
};

// Against the repository's vendor-roots/ with its testnet material (the embedded store).
const nvidiaLedger = (input) => runLedger(input, new poci.Verifier(poci.TrustStore.embeddedTestnet()));

function runLedger(input, verifier) {
  const book = input.policy
    ? poci.ChipLedger.withPolicy(poci.NetworkPolicy.fromJson(JSON.stringify(input.policy)))
    : new poci.ChipLedger(params(input.params));
  const now = (s) => ({ epoch: BigInt(s.now.epoch), slot: s.now.slot });
  const step = (s) => {
    if (s.op === 'bind') {
      return toJsonForm(
        book.applyBinding(verifier, hex(s.der), {
          epoch: BigInt(s.epoch),
          slot: s.slot,
          challenge: hex(s.challenge),
          wallet: hex(s.wallet),
        }, now(s)),
      );
    }
    if (s.op === 'bind_nvidia') {
      return toJsonForm(
        book.applyNvidiaBinding(verifier, hex(s.report), s.chain.map(hex), {
          epoch: BigInt(s.epoch),
          slot: s.slot,
          challenge: hex(s.challenge),
          wallet: hex(s.wallet),
        }, now(s)),
      );
    }
    if (s.op === 'heartbeat') {
      book.applyHeartbeat(verifier, hex(s.der), BigInt(s.epoch), s.slot, hex(s.challenge), now(s));
      return { recorded: true };
    }
    if (s.op === 'heartbeat_nvidia') {
      book.applyNvidiaHeartbeat(verifier, hex(s.key_id), hex(s.report), BigInt(s.epoch), s.slot, hex(s.challenge), now(s));
      return { recorded: true };
    }
    if (s.op === 'close') return toJsonForm(book.closeEpoch(BigInt(s.epoch), (s.challenges ?? []).map(hex)));
    if (s.op === 'lease') return { outcome: book.applyLease(verifier, hex(s.der), now(s)) };
    if (s.op === 'settle') return toJsonForm(book.settleLease(hex(s.lease_id)));
    throw new Error(`unknown step ${s.op}`);
  };
  for (const s of input.setup) step(s);
  return step(input.step);
}

const registryOf = (manifests) => poci.ChipModelRegistry.fromManifests(manifests);

const NVIDIA_OPTIONAL_FIELDS = ['fwid', 'chip_sku', 'project', 'project_sku', 'driver_version', 'vbios_version', 'model_id'];

const OPERATIONS = {
  network_params: (i) =>
    JSON.parse(new poci.NetworkParams(i.network_id, BigInt(i.genesis_unix), BigInt(i.epoch_seconds), i.slots_per_epoch).toJson()),
  derive_challenge: (i) => ({
    challenge: poci.deriveChallenge(params(i.params), BigInt(i.epoch), i.slot, hex(i.beacon)).toString('hex'),
  }),
  slot_start_unix: (i) => ({ unix: params(i.params).slotStartUnix(BigInt(i.epoch), i.slot).toString() }),
  slot_at_unix: (i) => toJsonForm(params(i.params).slotAtUnix(BigInt(i.unix))),
  device_key: (i) => {
    const key = poci.DeviceKey.fromSecretBytes(hex(i.secret_key));
    return { public_key: key.publicKey.sec1.toString('hex'), key_id: key.keyId.toString('hex') };
  },
  public_key: (i) => ({ key_id: new poci.PublicKey(hex(i.public_key)).keyId.toString('hex') }),
  decode_message: (i) => {
    const message = MESSAGES[i.kind].fromDer(hex(i.der));
    return { message: JSON.parse(message.toJson()), proof_id: message.proofId.toString('hex') };
  },
  message_from_json: (i) => ({ der: MESSAGES[i.kind].fromJson(i.json).toDer().toString('hex') }),
  verify_heartbeat: (i) =>
    toJsonForm(new poci.Verifier().verifyHeartbeat(hex(i.der), hex(i.public_key), heartbeatContext(i.context))),
  verify_heartbeat_batch: async (i) => {
    const item = { der: hex(i.der), publicKey: hex(i.public_key), context: heartbeatContext(i.context) };
    const results = await new poci.Verifier().verifyHeartbeats(Array(Number(i.copies)).fill(item));
    const verified = results.filter((result) => result.verified != null).length;
    return { verified, refused: results.length - verified };
  },
  verify_heartbeats: async (i) => {
    const items = i.items.map((item) => ({
      der: hex(item.der),
      publicKey: hex(item.public_key),
      context: heartbeatContext(item.context),
    }));
    const results = await new poci.Verifier().verifyHeartbeats(items);
    return {
      results: results.map((result) =>
        result.verified != null ? { ok: result.verified.proofId.toString('hex') } : { error: result.error },
      ),
    };
  },
  verify_lease_acceptance: (i) =>
    toJsonForm(new poci.Verifier().verifyLeaseAcceptance(hex(i.der), hex(i.public_key), i.network_id)),
  verify_binding: (i, stores) => {
    const c = i.context;
    const verifier = new poci.Verifier(store(stores[i.trust_store]));
    return toJsonForm(
      verifier.verifyBinding(hex(i.der), params(c.params), {
        epoch: BigInt(c.epoch),
        slot: c.slot,
        challenge: hex(c.challenge),
        wallet: hex(c.wallet),
      }),
    );
  },
  // Against the repository's vendor-roots/ with its testnet material (the embedded store).
  nvidia_ledger: (i) => nvidiaLedger(i),
  network_policy: (i) => ({ digest: poci.NetworkPolicy.fromJson(JSON.stringify(i.policy)).digest().toString('hex') }),
  is_sampled: (i) => ({ sampled: poci.isSampled(hex(i.challenge), hex(i.key_id), i.sample_one_in) }),
  verify_nvidia_report: (i) => {
    const verified = toJsonForm(
      new poci.Verifier(poci.TrustStore.embeddedTestnet()).verifyNvidiaReport(
        hex(i.report),
        i.chain.map(hex),
        hex(i.nonce),
        BigInt(i.time),
      ),
    );
    // An absent optional field is `undefined` in JavaScript, `null` in the JSON form.
    for (const field of NVIDIA_OPTIONAL_FIELDS) verified[field] ??= null;
    return verified;
  },
  trust_store: (i) => {
    const trust = store(i.trust_store);
    return { roots: trust.rootCount, models: trust.modelCount };
  },
  registry: (i) => {
    const registry = registryOf(i.manifests);
    return {
      digest: registry.digest().toString('hex'),
      models: registry.models().map((m) => ({
        model_id: m.modelId,
        vendor_id: m.vendorId,
        rating_milli_cu: m.ratingMilliCu.toString(),
      })),
    };
  },
  registry_schedule: (i) => {
    const schedule = new poci.RegistrySchedule(
      i.versions.map((v) => BigInt(v.activation_epoch)),
      i.versions.map((v) => registryOf(v.manifests)),
    );
    return {
      ratings: i.lookups.map((l) => {
        const model = schedule.lookup(l.model_id, BigInt(l.epoch));
        return model == null ? null : model.ratingMilliCu.toString();
      }),
    };
  },
  emission: (i) => {
    const schedule = poci.EmissionSchedule.fromJson(JSON.stringify(i.schedule));
    const epoch = BigInt(i.epoch);
    return {
      emission: schedule.emission(epoch).toString(),
      supply_before: schedule.cumulative(epoch).toString(),
      supply_after: schedule.supplyAfter(epoch).toString(),
    };
  },
  pools: (i) => toJsonForm(poci.splitEmission(BigInt(i.emission), i.split.miners_bps, i.split.pools)),
  allocate: (i) =>
    toJsonForm(
      poci.allocate(
        BigInt(i.pool),
        i.entries.map((e) => ({
          keyId: hex(e.key_id),
          wallet: hex(e.wallet),
          ratingMilliCu: BigInt(e.rating_milli_cu),
          provenSlots: e.proven_slots,
          selectedSlots: e.selected_slots,
        })),
        i.policy.slots_per_epoch,
        i.policy.min_availability_bps,
      ),
    ),
  settle_lease: (i) => toJsonForm(poci.settleLease(BigInt(i.price), BigInt(i.lease_slots), BigInt(i.proven_slots))),
  select_producer: (i) => {
    const producer = poci.selectProducer(
      hex(i.beacon),
      i.candidates.map((c) => ({ keyId: hex(c.key_id), weight: BigInt(c.weight) })),
    );
    return { producer: producer == null ? null : producer.toString('hex') };
  },
  ledger,
};

const CODES = new Set(poci.errorCodes());

// Async because the batch call is: a refused batch still throws before any promise.
export async function runCase(operation, input, stores) {
  try {
    return { ok: await OPERATIONS[operation](input, stores) };
  } catch (error) {
    if (CODES.has(error.code)) return { error: error.code };
    throw error;
  }
}

export async function runAll(directory) {
  let passed = 0;
  const failures = [];
  const codes = new Set();
  for (const name of readdirSync(directory).filter((n) => n.endsWith('.json')).sort()) {
    const document = JSON.parse(readFileSync(join(directory, name), 'utf8'));
    if (document.schema !== 1) throw new Error(`${name}: unknown schema ${document.schema}`);
    const stores = document.trust_stores ?? {};
    for (const group of document.groups) {
      for (const testCase of group.cases) {
        if (testCase.expected.error) codes.add(testCase.expected.error);
        let actual;
        try {
          actual = await runCase(group.operation, testCase.input, stores);
        } catch (error) {
          actual = { exception: String(error) };
        }
        if (JSON.stringify(sortKeys(actual)) === JSON.stringify(sortKeys(testCase.expected))) passed += 1;
        else failures.push(`${testCase.id}: expected ${JSON.stringify(testCase.expected)} got ${JSON.stringify(actual)}`);
      }
    }
  }
  return { passed, failures, codes };
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
  }
  return value;
}
