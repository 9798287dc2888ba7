// Every conformance vector through the Node API; prints `N passed, M failed`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { REPOSITORY_VECTORS, runAll, vectorsDir } from './vectors.mjs';

const poci = createRequire(import.meta.url)('poci'); // this package by its name: the folder's own, or the installed one

test('every conformance vector passes', async () => {
  const { passed, failures } = await runAll(vectorsDir());
  for (const failure of failures.slice(0, 20)) console.log(`FAILED ${failure}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  assert.ok(passed > 0);
  assert.deepEqual(failures, []);
});

test('every error code is exercised by some vector', async () => {
  const { codes } = await runAll(REPOSITORY_VECTORS);
  // Reserved (SPEC.md 9): no chain passing 6.4 step 6a spends the signature budget.
  const reserved = new Set(['CHAIN_TOO_COMPLEX']);
  for (const code of poci.errorCodes()) {
    if (!reserved.has(code)) assert.ok(codes.has(code), `no vector for ${code}`);
  }
});
