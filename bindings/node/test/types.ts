// Compiled with `tsc --noEmit` in `npm test`: the declarations must describe the API.
import * as poci from '../index';

const params: poci.NetworkParams = new poci.NetworkParams('poci-testnet', 1767225600n, 3600n, 120);
const start: bigint = params.slotStartUnix(7n, 42);
const genesis: bigint = params.genesisUnix;
const epochSeconds: bigint = params.epochSeconds;
const key: poci.DeviceKey = poci.DeviceKey.fromSeed(Buffer.from('chip'));
const challenge: Buffer = poci.deriveChallenge(params, 7n, 42, Buffer.alloc(32));
const hb: poci.Heartbeat = poci.signHeartbeat(key, {
  networkId: 'poci-testnet',
  wallet: Buffer.from('w'),
  epoch: 7n,
  slot: 42,
  challenge,
  counter: 1n,
});
const hbEpoch: bigint = hb.epoch;
const context: poci.HeartbeatContext = {
  networkId: 'poci-testnet',
  epoch: 7n,
  slot: 42,
  challenge,
  wallet: Buffer.from('w'),
};
const verified: poci.VerifiedHeartbeat = new poci.Verifier().verifyHeartbeat(hb.toDer(), key.publicKey, context);
const counter: bigint = verified.heartbeat.counter;
// A batch item takes the key in either form, as verifyHeartbeat does.
const items: Array<poci.HeartbeatBatchItem> = [
  { der: hb.toDer(), publicKey: key.publicKey, context },
  { der: hb.toDer(), publicKey: key.publicKey.sec1, context },
];
const batch: Promise<Array<poci.HeartbeatBatchResult>> = new poci.Verifier().verifyHeartbeats(items);
const vendor = new poci.TestVendor('poci-test-a', 'POCI Test Vendor A');
const chip: poci.MintedChip = vendor.mintChip(Buffer.from('c'), 'poci-test-accel-a1', Buffer.from('s'));
const certified: poci.PublicKey = poci.PublicKey.fromCertificate(chip.certificate);
const pools: poci.PoolAmounts = poci.splitEmission(10n ** 24n);
const miners: bigint = pools.miners;
const settlement: poci.LeaseSettlement = poci.settleLease(1000n, 3n, 2n);
const model: poci.ChipModel | null = poci.ChipModelRegistry.embedded().get('nvidia-h100-sxm');
// @ts-expect-error the benchmark hook is not in the declarations
new poci.Verifier().timeVerifyHeartbeatInRust;
void [start, genesis, epochSeconds, hbEpoch, counter, batch, certified, miners, settlement, model];
