// The hand-written Prometheus exposition must be what a real parser reads: checked with
// parse-prometheus-text-format (a port of the Prometheus Python client's parser).
import { describe, expect, it } from 'vitest';
import { Counter, exponentialBuckets, exposition, Histogram } from '../../src/metrics/exposition.ts';
import { outcomeOfStatus, RaftMetrics } from '../../src/metrics/raft-metrics.ts';
import type { RaftStatus } from '../../src/raft/types.ts';
import { parse, sampleValue } from './support/prometheus.ts';

const STATUS: RaftStatus = {
  id: 'n1', role: 'leader', term: 7, votedFor: 'n1', leaderId: 'n1', commitIndex: 41, appliedIndex: 40, lastLogIndex: 42, lastLogTerm: 7, logLost: false, snapshotIndex: 0,
  configuration: { config: { voters: ['n1', 'n2', 'n3'], learners: [] }, index: 0, committed: true, self: 'voter' },
};

describe('exposition format 0.0.4', () => {
  it('writes counters, gauges and histograms that a Prometheus parser reads back with the same values', () => {
    const c = new Counter();
    c.inc();
    c.inc(2);
    const h = new Histogram([0.01, 0.1, 1]);
    for (const v of [0.005, 0.05, 0.05, 5]) h.observe(v);
    const text = exposition([
      { name: 'demo_things_total', help: 'Things, with a \\ backslash\nand a newline.', type: 'counter', samples: [{ labels: [['path', 'C:\\dir "x"\nnext']], value: c.value }] },
      { name: 'demo_level', help: 'A level.', type: 'gauge', samples: [{ labels: [], value: -1.5 }] },
      { name: 'demo_duration_seconds', help: 'Durations.', type: 'histogram', samples: [{ labels: [['op', 'read']], value: h }] },
    ]);
    const parsed = parse(text);
    const things = parsed.get('demo_things_total');
    expect(things?.type).toBe('COUNTER');
    expect(things?.help).toBe('Things, with a \\ backslash\nand a newline.');
    expect(things?.metrics[0]).toEqual({ value: '3', labels: { path: 'C:\\dir "x"\nnext' } });
    expect(parsed.get('demo_level')?.metrics[0]?.value).toBe('-1.5');
    expect(parsed.get('demo_duration_seconds')?.type).toBe('HISTOGRAM');
    const buckets = ['0.01', '0.1', '1', '+Inf'].map((le) => sampleValue(text, `demo_duration_seconds_bucket{op="read",le="${le}"}`));
    expect(buckets).toEqual([1, 3, 3, 4]);
    expect(sampleValue(text, 'demo_duration_seconds_count{op="read"}')).toBe(4);
    expect(sampleValue(text, 'demo_duration_seconds_sum{op="read"}')).toBe(0.005 + 0.05 + 0.05 + 5);
  });

  it('is read by the same checks that reject a malformed exposition', () => {
    expect(() => parse('# TYPE a gauge\na{x=1} 1\n')).toThrow();
    expect(() => parse('# TYPE a gauge\na{x="1"} one\n')).toThrow();
  });

  it('puts an observation exactly on a bound into that bound\'s bucket (le means less or equal)', () => {
    const h = new Histogram([1, 2]);
    h.observe(1);
    h.observe(2.0000001);
    expect(h.cumulative()).toEqual([1, 1]);
    expect(h.count).toBe(2);
  });

  it('makes exponential buckets without floating-point dust', () => {
    expect(exponentialBuckets(0.0001, 2, 4)).toEqual([0.0001, 0.0002, 0.0004, 0.0008]);
  });

  it('exposes every raft_* family the issue asks for, with Prometheus types and naming', () => {
    const m = new RaftMetrics('n1', ['n2', 'n3']);
    m.observeWalFsync(0.002);
    m.observeClientRequest('write', 200, 0.004);
    m.observeClientRequest('read', 504, 5);
    m.peerRoundTrip('n2', 1.5);
    const text = m.expose({ status: () => STATUS, peers: () => [{ raftId: 'n2', name: '2', sentBytes: 100, receivedBytes: 90 }, { raftId: 'n3', name: '3', sentBytes: 0, receivedBytes: 0 }] });
    const parsed = parse(text);
    const expected: [string, string][] = [
      ['raft_has_leader', 'GAUGE'], ['raft_is_leader', 'GAUGE'], ['raft_term', 'GAUGE'],
      ['raft_leader_changes_seen_total', 'COUNTER'], ['raft_elections_started_total', 'COUNTER'], ['raft_prevotes_refused_total', 'COUNTER'],
      ['raft_commit_index', 'GAUGE'], ['raft_applied_index', 'GAUGE'],
      ['raft_proposals_committed_total', 'COUNTER'], ['raft_proposals_failed_total', 'COUNTER'],
      ['raft_wal_fsync_duration_seconds', 'HISTOGRAM'], ['raft_snapshot_save_duration_seconds', 'HISTOGRAM'],
      ['raft_peer_round_trip_seconds', 'HISTOGRAM'], ['raft_peer_sent_bytes_total', 'COUNTER'], ['raft_peer_received_bytes_total', 'COUNTER'],
      ['raft_client_requests_total', 'COUNTER'], ['raft_client_request_duration_seconds', 'HISTOGRAM'],
    ];
    for (const [name, type] of expected) expect(parsed.get(name)?.type, name).toBe(type);
    for (const name of parsed.keys()) {
      expect(name).toMatch(/^raft_[a-z_]+$/);
      if (parsed.get(name)?.type === 'COUNTER') expect(name).toMatch(/_total$/);
      if (parsed.get(name)?.type === 'HISTOGRAM') expect(name).toMatch(/_seconds$/);
    }
    expect(parsed.get('raft_term')?.metrics[0]?.value).toBe('7');
    expect(parsed.get('raft_is_leader')?.metrics[0]?.value).toBe('1');
    expect(parsed.get('raft_applied_index')?.metrics[0]?.value).toBe('40');
    expect(sampleValue(text, 'raft_peer_round_trip_seconds_count{peer="2"}')).toBe(1);
    expect(sampleValue(text, 'raft_peer_round_trip_seconds_sum{peer="2"}')).toBe(0.0015);
    expect(sampleValue(text, 'raft_peer_round_trip_seconds_bucket{peer="2",le="0.0016"}')).toBe(1);
    expect(sampleValue(text, 'raft_peer_round_trip_seconds_bucket{peer="2",le="0.0008"}')).toBe(0);
    expect(sampleValue(text, 'raft_peer_round_trip_seconds_count{peer="3"}')).toBe(0);
    expect(parsed.get('raft_peer_sent_bytes_total')?.metrics).toContainEqual({ value: '100', labels: { peer: '2' } });
    const requests = parsed.get('raft_client_requests_total')?.metrics ?? [];
    expect(requests).toHaveLength(3 * 6); // every op x outcome exists from the start
    expect(requests).toContainEqual({ value: '1', labels: { op: 'write', outcome: 'ok' } });
    expect(requests).toContainEqual({ value: '1', labels: { op: 'read', outcome: 'indefinite' } });
    expect(requests).toContainEqual({ value: '0', labels: { op: 'cas', outcome: 'ok' } });
  });

  it('names outcomes from HTTP statuses, never calling an unknown outcome a failure', () => {
    expect([200, 404, 409, 400, 413, 503, 504, 500].map(outcomeOfStatus)).toEqual(['ok', 'not_found', 'cas_mismatch', 'bad_request', 'bad_request', 'unavailable', 'indefinite', 'indefinite']);
  });
});
