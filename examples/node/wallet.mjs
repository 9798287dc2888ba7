// A wallet: loads an epoch report, shows this wallet's rewards, and settles a lease.
//
// `node examples/node/wallet.mjs [report.json]`: with a report file (SPEC.md 15.6 JSON, as
// a node publishes it) it reads that; without, it asks the library for the report of a
// small simulated epoch. Amounts are bigints end to end: never a lossy number.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const poci = createRequire(import.meta.url)('../../bindings/node/index.js');

const TOKEN = 10n ** 24n;
const MY_WALLET = Buffer.from('wallet-of-alice');
const params = new poci.NetworkParams('poci-testnet', 1767225600n, 3600n, 120);

function simulatedReport() {
  const schedule = poci.EmissionSchedule.fromJson(
    JSON.stringify({ kind: 'halving', base_per_epoch: (50n * TOKEN).toString(), epochs_per_era: '17520', cap: (21000000n * TOKEN).toString() }),
  );
  const chip = (n, wallet, rating, slots) => ({ keyId: Buffer.alloc(32, n), wallet: Buffer.from(wallet), ratingMilliCu: rating, provenSlots: slots });
  const availability = [
    chip(1, 'wallet-of-alice', 989500n, 120), // an H100, always online
    chip(2, 'wallet-of-alice', 16000n, 90), // a BM1684X, three quarters of the epoch
    chip(3, 'wallet-of-bob', 165200n, 120), // an RTX 4090
  ];
  return poci.epochReportJson(8n, schedule, availability, params.slotsPerEpoch, 0);
}

const text = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : simulatedReport();
const report = JSON.parse(text);
const mine = report.miners.wallets.find((w) => w.wallet === MY_WALLET.toString('hex'));
const reward = BigInt(mine?.reward ?? '0');
const whole = reward / TOKEN;
const fraction = (reward % TOKEN).toString().padStart(24, '0').slice(0, 6);
console.log(`epoch ${report.epoch}: emission ${BigInt(report.emission)} base units, miners' pool ${BigInt(report.pools.miners)}`);
console.log(`wallet ${MY_WALLET} earned ${reward} base units (${whole}.${fraction} tokens)`);

// Settle a lease of one chip for epochs 10..19: verify the chip's signed acceptance,
// then pay rent for the slots it proved.
const chip = poci.DeviceKey.fromSeed(Buffer.from('rented chip'));
const acceptance = poci.signLeaseAcceptance(chip, {
  networkId: 'poci-testnet',
  leaseId: Buffer.from('lease-0001'),
  renterWallet: Buffer.from('wallet-of-renter'),
  firstEpoch: 10n,
  lastEpoch: 19n,
  price: 500n * TOKEN,
});
const verified = new poci.Verifier().verifyLeaseAcceptance(acceptance.toDer(), chip.publicKey, 'poci-testnet');
const leaseSlots = (verified.lease.lastEpoch - verified.lease.firstEpoch + 1n) * BigInt(params.slotsPerEpoch);
const proven = 1140n; // slots the ledger saw the chip prove during the lease
const settlement = poci.settleLease(verified.lease.price, leaseSlots, proven);
console.log(`lease ${Buffer.from(verified.lease.leaseId)}: ${proven}/${leaseSlots} slots proven, rent ${settlement.rent}, refund ${settlement.refund}`);
if (settlement.rent + settlement.refund !== verified.lease.price) throw new Error('settlement does not sum to the price');
