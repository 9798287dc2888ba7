// Compiled with `tsc --noEmit` in `npm test`: the declarations must describe the API.
import * as poci from '../index';

const params: poci.NetworkParams = new poci.NetworkParams('poci-testnet', 1767225600n, 3600n, 120);
const start: bigint = params.slotStartUnix(7n, 42);
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
const verified: poci.VerifiedHeartbeat = new poci.Verifier().verifyHeartbeat(hb.toDer(), key.publicKey, {
  networkId: 'poci-testnet',
  epoch: 7n,
  slot: 42,
  challenge,
  wallet: Buffer.from('w'),
});
const counter: bigint = verified.heartbeat.counter;
const batch: Promise<Array<poci.HeartbeatBatchResult>> = new poci.Verifier().verifyHeartbeats([]);
const pools: poci.PoolAmounts = poci.splitEmission(10n ** 24n);
const miners: bigint = pools.miners;
const settlement: poci.LeaseSettlement = poci.settleLease(1000n, 3n, 2n);
const model: poci.ChipModel | null = poci.ChipModelRegistry.embedded().get('nvidia-h100-sxm');
void [start, counter, batch, miners, settlement, model];
