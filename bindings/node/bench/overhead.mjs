// Per-call overhead of verifyHeartbeat from Node against the same call in Rust, one run.
//
// The Rust-side timing hook (Verifier.timeVerifyHeartbeatInRust) is in builds with the
// binding's `bench` cargo feature only: never in the default build, the npm package or
// index.d.ts. Build that addon apart from the package's (bindings/node is left as it is):
//
//   cd bindings/node && npx napi build --release --features bench \
//     --output-dir ../../target/node-bench --dts bench.d.ts
//
// then run `node bindings/node/bench/overhead.mjs` (POCI_BENCH_ADDON=path overrides where
// the addon is looked for).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUILD = 'cd bindings/node && npx napi build --release --features bench --output-dir ../../target/node-bench --dts bench.d.ts';
const addon = process.env.POCI_BENCH_ADDON ?? fileURLToPath(new URL('../../../target/node-bench/poci.node', import.meta.url));
if (!existsSync(addon)) {
  console.error(`bench/overhead.mjs needs the binding built with its \`bench\` feature, at ${addon}:\n  ${BUILD}`);
  process.exit(1);
}
const poci = createRequire(import.meta.url)(addon);
if (typeof poci.Verifier.prototype.timeVerifyHeartbeatInRust !== 'function') {
  console.error(`${addon} was built without the \`bench\` feature (no timeVerifyHeartbeatInRust):\n  ${BUILD}`);
  process.exit(1);
}
const ITERATIONS = 4000;

const params = new poci.NetworkParams('poci-bench', 1767225600n, 3600n, 120);
const key = poci.DeviceKey.fromSeed(Buffer.from('bench chip'));
const publicKey = key.publicKey;
const challenge = poci.deriveChallenge(params, 3n, 9, Buffer.alloc(32, 7));
const wallet = Buffer.from('bench-wallet');
const der = poci.signHeartbeat(key, { networkId: 'poci-bench', wallet, epoch: 3n, slot: 9, challenge, counter: 77n }).toDer();
const context = { networkId: 'poci-bench', epoch: 3n, slot: 9, challenge, wallet };
const verifier = new poci.Verifier();
for (let i = 0; i < 200; i += 1) verifier.verifyHeartbeat(der, publicKey, context);
const rustNs = verifier.timeVerifyHeartbeatInRust(der, publicKey, context, ITERATIONS);
let start = process.hrtime.bigint();
for (let i = 0; i < ITERATIONS; i += 1) verifier.verifyHeartbeat(der, publicKey, context);
const nodeNs = Number(process.hrtime.bigint() - start) / ITERATIONS;
const items = Array.from({ length: ITERATIONS }, () => ({ der, publicKey, context }));
start = process.hrtime.bigint();
const results = await verifier.verifyHeartbeats(items);
const batchNs = Number(process.hrtime.bigint() - start) / ITERATIONS;
if (!results.every((r) => r.verified)) throw new Error('batch failed');
console.log(`rust verifyHeartbeat: ${(rustNs / 1000).toFixed(2)} us/call`);
console.log(`node verifyHeartbeat: ${(nodeNs / 1000).toFixed(2)} us/call (${(nodeNs / rustNs).toFixed(3)} x rust)`);
console.log(`node verifyHeartbeats (async batch): ${(batchNs / 1000).toFixed(2)} us/item (${(batchNs / rustNs).toFixed(3)} x one rust call)`);
