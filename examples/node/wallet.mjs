// A wallet: loads an epoch report, shows a wallet's rewards, checks a chip's heartbeat with
// the public key of its device certificate, and settles a lease.
//
// `node wallet.mjs [report.json [wallet-hex]]`. With a report file (SPEC.md 15.6 JSON, as a
// node publishes it) it reads that and shows the rewards of the wallet named, or, with none
// named, of the report's top earners; without a file it asks the library for the report of
// a small simulated epoch. When the report sits in a `poci simulate` folder, the demo's
// sample heartbeat (samples/) is verified too. Amounts are bigints end to end: never a
// lossy number. Run it where `npm install poci` ran.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const poci = createRequire(import.meta.url)('poci');

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

const [reportPath, walletHex] = process.argv.slice(2);
const report = JSON.parse(reportPath ? readFileSync(reportPath, 'utf8') : simulatedReport());
const tokens = (amount) => `${amount / TOKEN}.${(amount % TOKEN).toString().padStart(24, '0').slice(0, 6)}`;
console.log(`epoch ${report.epoch}: emission ${BigInt(report.emission)} base units, miners' pool ${BigInt(report.pools.miners)}`);
const wallets = report.miners.wallets.map((w) => ({ wallet: w.wallet, reward: BigInt(w.reward) }));
let shown;
if (walletHex !== undefined) {
  shown = wallets.filter((w) => w.wallet === walletHex.toLowerCase());
  if (shown.length === 0) {
    console.log(`wallet ${walletHex} earned nothing in epoch ${report.epoch}`);
  }
} else if (reportPath !== undefined) {
  shown = [...wallets].sort((a, b) => (b.reward > a.reward ? 1 : b.reward < a.reward ? -1 : 0)).slice(0, 3);
  console.log(`${wallets.length} wallets earned rewards; the top ${shown.length}:`);
} else {
  shown = wallets.filter((w) => w.wallet === MY_WALLET.toString('hex'));
}
for (const { wallet, reward } of shown) {
  const name = Buffer.from(wallet, 'hex').toString('utf8');
  console.log(`wallet ${name} (${wallet}) earned ${reward} base units (${tokens(reward)} tokens)`);
}
const total = wallets.reduce((sum, w) => sum + w.reward, 0n);
if (total > BigInt(report.pools.miners)) throw new Error('wallets earned more than the miners\' pool');
if (shown.length > 0 && shown[0].reward === 0n && reportPath === undefined) throw new Error('the simulated wallet earned nothing');

// A chip's heartbeat, checked with the key of its device certificate (the demo's sample).
const samples = reportPath ? join(dirname(reportPath), 'samples') : undefined;
if (samples && existsSync(join(samples, 'heartbeat-context.json'))) {
  const context = JSON.parse(readFileSync(join(samples, 'heartbeat-context.json'), 'utf8'));
  const networkParams = JSON.parse(readFileSync(join(dirname(reportPath), 'params.json'), 'utf8'));
  const publicKey = poci.PublicKey.fromCertificate(readFileSync(join(samples, 'device.pem')));
  const heartbeat = new poci.Verifier().verifyHeartbeat(readFileSync(join(samples, 'heartbeat.der')), publicKey, {
    networkId: networkParams.network_id,
    epoch: BigInt(context.epoch),
    slot: context.slot,
    challenge: Buffer.from(context.challenge, 'hex'),
    wallet: Buffer.from(context.wallet, 'hex'),
  });
  console.log(`heartbeat of chip ${heartbeat.heartbeat.chipKeyId.toString('hex').slice(0, 16)}.. for epoch ${heartbeat.heartbeat.epoch} slot ${heartbeat.heartbeat.slot}: valid`);
}

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
