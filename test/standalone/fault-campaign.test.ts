// The fault campaign's short version (docs/fault-campaign.md): 3 of our standalone nodes in network
// namespaces, one 20 s run per fault kind (every partition shape, SIGKILL+restart, SIGSTOP pauses,
// all mixed), every history checked by the lin-kv checker. Availability is the bench's business
// (`npm run bench -- --only fault-campaign`, against etcd too); here only safety is asserted, plus
// that the healthy part of each run really served writes, so a run that did nothing cannot pass.
// The kinds run in two lanes of separate namespaces at once, to stay near 2 minutes.
import { describe, expect, it } from 'vitest';
import { runCampaign, type RunResult } from '../../bench/fault-campaign/campaign.ts';
import { FAULTS, type Fault } from '../../bench/fault-campaign/faults.ts';
import { NODE_BIN } from '../support/stdio-node.ts';
import { netnsUnavailableReason } from './support/netns.ts';

const unavailable = netnsUnavailableReason();
if (unavailable !== null) console.log(`fault campaign test skipped: ${unavailable}`);

const RUN_MS = 20_000;
const LANES: readonly (readonly Fault[])[] = [FAULTS.filter((_, i) => i % 2 === 0), FAULTS.filter((_, i) => i % 2 === 1)];

function summary(r: RunResult): string {
  return `${r.fault}: linearizable ${String(r.linearizable)}, ${r.ops} ops, ok healthy ${r.healthy.ok}/${r.healthy.invoked}, during ${r.duringFaults.ok}/${r.duringFaults.invoked}, ${r.windows.length} fault(s), longest write gap ${r.longestWriteGapMs} ms${r.error === null ? '' : `, error ${r.error}`}`;
}

describe.concurrent('fault campaign, short version: our standalone nodes under every fault kind (network namespaces)', () => {
  LANES.forEach((faults, lane) => {
    it.skipIf(unavailable !== null)(
      `every history is linearizable: ${faults.join(', ')}${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
      async () => {
        const results = await runCampaign(
          { systems: ['ours'], faults, size: 3, runMs: RUN_MS, seed: 2100 + lane * 100, nodeBin: NODE_BIN, labTag: lane === 0 ? 'ta' : 'tb' },
          (line) => console.log(line),
        );
        console.log(results.map(summary).join('\n'));
        expect(results.map((r) => r.fault)).toEqual(faults);
        for (const r of results) {
          expect(r.error, summary(r)).toBeNull();
          expect(r.windows.length, summary(r)).toBeGreaterThan(0);
          expect(r.healthy.ok, summary(r)).toBeGreaterThan(0);
          expect(r.linearizable, `${summary(r)}\n${r.explanation ?? ''}`).toBe(true);
        }
      },
      faults.length * (RUN_MS + 15_000),
    );
  });
});
