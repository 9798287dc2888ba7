// Per-call overhead of verifyHeartbeat from Node against the same call in Rust, one run.
import { createRequire } from 'node:module';

const poci = createRequire(import.meta.url)('../index.js');
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
const items = Array.from({ length: ITERATIONS }, () => ({ der, publicKey: publicKey.sec1, context }));
start = process.hrtime.bigint();
const results = await verifier.verifyHeartbeats(items);
const batchNs = Number(process.hrtime.bigint() - start) / ITERATIONS;
if (!results.every((r) => r.verified)) throw new Error('batch failed');
console.log(`rust verifyHeartbeat: ${(rustNs / 1000).toFixed(2)} us/call`);
console.log(`node verifyHeartbeat: ${(nodeNs / 1000).toFixed(2)} us/call (${(nodeNs / rustNs).toFixed(3)} x rust)`);
console.log(`node verifyHeartbeats (async batch): ${(batchNs / 1000).toFixed(2)} us/item (${(batchNs / rustNs).toFixed(3)} x one rust call)`);
