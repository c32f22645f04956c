// /metrics, /health, /cluster and /admin/stop on real standalone processes: the exposition parses,
// one election and N writes move exactly the counters they should (and no others), /health follows
// the leader and the quorum, and /cluster marks members it cannot reach as down.
import { describe, expect, it } from 'vitest';
import { parse, sampleValue } from '../metrics/support/prometheus.ts';
import { clusterForThisFile, http, waitFor, type LoopbackCluster } from './support/cluster.ts';

const WRITES = 5;

async function scrape(c: LoopbackCluster, node: string): Promise<string> {
  const r = await http(`${c.spec(node).httpUrl}/metrics`);
  if (r === 'unreachable' || r.status !== 200) throw new Error(`no /metrics from ${node}`);
  expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  parse(r.text);
  return r.text;
}

/** Every counter sample (and histogram _count) in the text, by series name with labels. */
function counters(text: string): Map<string, number> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1] as string, m[2] as string);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [series, value] = line.split(' ') as [string, string];
    const name = series.replace(/\{.*$/, '');
    if (types.get(name) === 'counter' || ['raft_term', 'raft_commit_index'].includes(name)) out.set(series, Number(value));
  }
  return out;
}

/** What changed between two scrapes, leaving out the series that move on their own (bytes). */
function changes(before: Map<string, number>, after: Map<string, number>): { [series: string]: number } {
  const out: { [series: string]: number } = {};
  for (const [series, value] of after) {
    if (series.startsWith('raft_peer_')) continue;
    const d = value - (before.get(series) ?? 0);
    if (d !== 0) out[series] = d;
  }
  return out;
}

describe('standalone observability endpoints', () => {
  const startCluster = clusterForThisFile();

  it('counts one election and N writes exactly, keeps /health with the quorum and marks lost members down', async () => {
    // A low snapshot threshold, so that the writes below also take (and time) a snapshot on every node.
    const c = await startCluster(3, ['--snapshot-threshold', '4']);
    const first = await c.agreedLeader(10_000);
    const names = c.specs.map((s) => s.name);
    // The leader learns the target's name from its hello; /status's peers list shows it once known.
    await waitFor('every node to know every HTTP address', 10_000, async () => {
      const s = await Promise.all(names.map((n) => http(`${c.spec(n).httpUrl}/status`)));
      return s.every((r) => r !== 'unreachable' && ((r.json as { peers: { http: string | null }[] }).peers ?? []).every((p) => p.http !== null)) ? true : undefined;
    });
    const healthy = await Promise.all(names.map((n) => http(`${c.spec(n).httpUrl}/health`)));
    expect(healthy.map((r) => (r === 'unreachable' ? r : [r.status, r.json]))).toEqual(names.map(() => [200, { health: true }]));

    // Followers learn the first no-op's commit with the next heartbeat: start counting after that.
    await waitFor('every node to commit the first no-op', 5000, async () => {
      const s = await Promise.all(names.map((n) => c.status(n)));
      return s.every((x) => x !== undefined && x.commitIndex === first.lastLogIndex) ? true : undefined;
    });
    // One election: a leadership transfer (the target campaigns at once, without pre-vote).
    const before = new Map(await Promise.all(names.map(async (n) => [n, counters(await scrape(c, n))] as const)));
    const moved = await http(`${c.spec(first.id).httpUrl}/admin/transfer-leader`, { method: 'POST' });
    if (moved === 'unreachable' || moved.status !== 200) throw new Error(`transfer failed\n${c.logs()}`);
    const second = await c.agreedLeader(5000);
    expect(second.id).not.toBe(first.id);
    for (let i = 0; i < WRITES; i++) expect((await c.kv(second.id, `k${i}`, 'PUT', String(i))) !== 'unreachable').toBe(true);
    const commit = first.lastLogIndex + 1 + WRITES; // the new leader's no-op, then the writes
    await waitFor(`every node to commit through ${commit}`, 5000, async () => {
      const s = await Promise.all(names.map((n) => c.status(n)));
      return s.every((x) => x !== undefined && x.commitIndex === commit) ? true : undefined;
    });
    for (const n of names) {
      const text = await scrape(c, n);
      const expected: { [series: string]: number } = { raft_term: 1, raft_leader_changes_seen_total: 1, raft_commit_index: 1 + WRITES };
      if (n === second.id) {
        expected['raft_elections_started_total'] = 1;
        expected['raft_proposals_committed_total'] = WRITES;
        expected['raft_client_requests_total{op="write",outcome="ok"}'] = WRITES;
      }
      expect(changes(before.get(n) as Map<string, number>, counters(text)), `node ${n} (${n === second.id ? 'new leader' : n === first.id ? 'old leader' : 'follower'})`).toEqual(expected);
      // Every write was fsynced on every node; the new leader measured its round trips to both peers.
      expect(sampleValue(text, 'raft_wal_fsync_duration_seconds_count') as number).toBeGreaterThan(0);
      expect(sampleValue(text, 'raft_snapshot_save_duration_seconds_count') as number, `snapshots on ${n}`).toBeGreaterThan(0);
      if (n === second.id) {
        for (const peer of names.filter((p) => p !== n)) expect(sampleValue(text, `raft_peer_round_trip_seconds_count{peer="${peer}"}`) as number, peer).toBeGreaterThan(0);
        expect(sampleValue(text, 'raft_client_request_duration_seconds_count{op="write"}')).toBe(WRITES);
        expect(sampleValue(text, 'raft_is_leader')).toBe(1);
      }
      for (const peer of names.filter((p) => p !== n)) expect(sampleValue(text, `raft_peer_sent_bytes_total{peer="${peer}"}`) as number).toBeGreaterThan(0);
    }

    // The page itself, from the bundle.
    const pageAnswer = await http(`${c.spec(first.id).httpUrl}/`);
    expect(pageAnswer === 'unreachable' ? pageAnswer : [pageAnswer.status, pageAnswer.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(pageAnswer === 'unreachable' ? '' : pageAnswer.text).toContain('<title>Raft cluster</title>');

    // Stopping over HTTP is off without --allow-admin-stop.
    const stop = await http(`${c.spec(second.id).httpUrl}/admin/stop`, { method: 'POST' });
    expect(stop === 'unreachable' ? stop : stop.status).toBe(403);
    const status = await http(`${c.spec(second.id).httpUrl}/status`);
    expect(status === 'unreachable' ? status : (status.json as { adminStop: boolean }).adminStop).toBe(false);

    // Without a quorum: the last node standing loses its leader and says so.
    const [survivor, ...others] = names.filter((n) => n !== second.id).concat(second.id) as [string, ...string[]];
    await Promise.all(others.map((n) => c.kill(n, 'SIGKILL')));
    const unhealthy = await waitFor(`${survivor} to report no leader`, 10_000, async () => {
      const r = await http(`${c.spec(survivor).httpUrl}/health`);
      return r !== 'unreachable' && r.status === 503 ? r : undefined;
    }, 50);
    expect(unhealthy.json).toMatchObject({ health: false, reason: expect.stringMatching(/^no leader \(this node is \w+ in term \d+\)$/) });
    const view = await http(`${c.spec(survivor).httpUrl}/cluster`);
    if (view === 'unreachable') throw new Error('no /cluster');
    const members = (view.json as { members: { id: string; up: boolean }[] }).members;
    expect(members.map((m) => [m.id, m.up]).sort()).toEqual(names.map((n) => [n, n === survivor]).sort());

    // Admin requests relayed to a member: refused at once when it is down (nothing was asked of it) or unknown.
    const relayed = await http(`${c.spec(survivor).httpUrl}/admin/transfer-leader?at=${others[0] as string}`, { method: 'POST' });
    expect(relayed === 'unreachable' ? relayed : [relayed.status, relayed.json]).toEqual([502, { error: expect.stringContaining('nothing was asked of it'), relayedTo: others[0] }]);
    const stranger = await http(`${c.spec(survivor).httpUrl}/admin/stop?at=nobody`, { method: 'POST' });
    expect(stranger === 'unreachable' ? stranger : stranger.status).toBe(404);
    const wrongMethod = await http(`${c.spec(survivor).httpUrl}/metrics`, { method: 'POST' });
    expect(wrongMethod === 'unreachable' ? wrongMethod : [wrongMethod.status, wrongMethod.headers['allow']]).toEqual([405, 'GET']);
  }, 40_000);
});
