// What the metrics cost on the hot path and per scrape: nanoseconds per call of the methods a node
// calls for every client request and every batch of core output, and milliseconds per /metrics text.
// Each figure is the median (and p90) over 15 rounds of many calls, so a busy machine shows as spread.
//
//   node scripts/run-ts.mjs bench/metrics-cost.ts
import { RaftMetrics } from '../src/metrics/raft-metrics.ts';
import type { AppendEntries, Output, RaftStatus } from '../src/raft/types.ts';
import { percentile } from './stats.ts';

const ROUNDS = 15;
const STATUS: RaftStatus = { id: 'a', role: 'leader', term: 3, votedFor: 'a', leaderId: 'a', commitIndex: 10, appliedIndex: 10, lastLogIndex: 10, lastLogTerm: 3, logLost: false, snapshotIndex: 0, configuration: { config: { voters: ['a', 'b', 'c'], learners: [] }, index: 0, committed: true, self: 'voter' } };
const append: AppendEntries = { type: 'append_entries', term: 3, leader_id: 'a', prev_log_index: 9, prev_log_term: 3, entries: [], leader_commit: 10, round: 1 };
const OUTPUT: Output = {
  hardState: null, logWrites: [], committed: [], reads: [], events: [], installSnapshot: null, snapshotWanted: null, configChanged: null,
  messages: [{ to: 'b', body: append }, { to: 'c', body: append }],
};

function nsPerCall(calls: number, fn: (i: number) => void): number[] {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn(i);
    rounds.push(Number(process.hrtime.bigint() - started) / calls);
  }
  return rounds;
}

function line(what: string, samples: number[], unit: string, scale = 1): string {
  return `${what.padEnd(52)} median ${(percentile(samples, 50) / scale).toFixed(2)} ${unit}, p90 ${(percentile(samples, 90) / scale).toFixed(2)} ${unit}`;
}

const m = new RaftMetrics('a', ['b', 'c']);
const ops = ['read', 'write', 'cas'] as const;
const statuses = [200, 200, 200, 404, 503];
console.log(line('observeClientRequest (per client request)', nsPerCall(1_000_000, (i) => m.observeClientRequest(ops[i % 3] as 'read', statuses[i % 5] as number, 0.0003 * (i % 100))), 'ns'));
console.log(line('outputHandled (per batch of core output, 2 messages)', nsPerCall(1_000_000, () => m.outputHandled(OUTPUT, STATUS)), 'ns'));
console.log(line('peerRoundTrip (per answered append)', nsPerCall(1_000_000, (i) => m.peerRoundTrip(i % 2 === 0 ? 'b' : 'c', 0.2 + (i % 7))), 'ns'));
console.log(line('observeWalFsync (per fsync)', nsPerCall(1_000_000, (i) => m.observeWalFsync(0.001 * (i % 50))), 'ns'));
const sources = { status: () => STATUS, peers: () => [{ raftId: 'b', name: 'b', sentBytes: 1e6, receivedBytes: 1e6 }, { raftId: 'c', name: 'c', sentBytes: 1e6, receivedBytes: 1e6 }] };
const bytes = m.expose(sources).length;
console.log(line(`expose (one /metrics text, ${bytes} bytes)`, nsPerCall(200, () => m.expose(sources)), 'ms', 1e6));
