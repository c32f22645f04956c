// Leadership transfer in the standalone mode (dissertation §3.10): POST /admin/transfer-leader moves
// leadership without stopping anything, and SIGTERM on the leader hands it over before the process
// exits. Times are printed, not asserted (bench/graceful-handoff.ts measures them).
import { describe, expect, it } from 'vitest';
import { clusterForThisFile, http, waitFor, type NodeStatus } from './support/cluster.ts';

describe('standalone leadership transfer', () => {
  const startCluster = clusterForThisFile();

  it('moves leadership on request, refuses it on a follower or to a stranger, and hands it over on SIGTERM', async () => {
    const c = await startCluster(3);
    const first = await c.agreedLeader(10_000);
    const followers = c.specs.map((s) => s.name).filter((n) => n !== first.id);
    const [target, other] = followers as [string, string];
    const admin = (node: string, query = ''): ReturnType<typeof http> =>
      http(`${c.spec(node).httpUrl}/admin/transfer-leader${query}`, { method: 'POST', timeoutMs: 3000 });

    // ?to= takes the --id the leader learned from the target's hello, so wait until it has heard it.
    await waitFor(`${first.id} to know ${target} by name`, 10_000, async () => {
      const r = await http(`${c.spec(first.id).httpUrl}/status`);
      const peers = r === 'unreachable' ? [] : ((r.json as { peers?: { id: string }[] }).peers ?? []);
      return peers.some((p) => p.id === target) ? true : undefined;
    });
    const moved = await admin(first.id, `?to=${target}`);
    if (moved === 'unreachable') throw new Error(`no answer\n${c.logs()}`);
    expect([moved.status, moved.json]).toMatchObject([200, {}]);
    expect(moved.json).toMatchObject({ transferred: true, from: first.id, to: target });
    const second = await c.agreedLeader(5000);
    expect(second.id).toBe(target);
    expect(second.term).toBeGreaterThan(first.term);

    const onFollower = await admin(other);
    expect(onFollower === 'unreachable' ? onFollower : [onFollower.status, onFollower.json]).toEqual([
      409,
      { error: 'leadership transfer refused: this node is not the leader', leader: second.id },
    ]);
    const stranger = await admin(second.id, '?to=nobody');
    expect(stranger === 'unreachable' ? stranger : stranger.status).toBe(409);
    expect((await c.kvSettled(other, 'k', 'PUT', '1')).status).toBe(200);

    const leaderProc = c.procs.get(second.id);
    const signalledAt = performance.now();
    const exited = c.kill(second.id, 'SIGTERM');
    const survivors = followers.filter((n) => n !== second.id).concat(first.id);
    const third = await waitFor('a new leader after SIGTERM', 5000, async () => {
      const s = await Promise.all(survivors.map((n) => c.status(n)));
      return s.find((x): x is NodeStatus => x !== undefined && x.state === 'leader' && x.term > second.term);
    }, 5);
    console.log(`SIGTERM on leader ${second.id}: node ${third.id} leads term ${third.term} after ${(performance.now() - signalledAt).toFixed(0)} ms`);
    expect(await exited).toBe(0);
    const log = leaderProc?.stderr ?? [];
    expect(log.some((l) => l.includes('transferring leadership to'))).toBe(true);
    expect(log.some((l) => /leadership transfer to \S+ done in \d+ ms/.test(l))).toBe(true);
    expect(log.some((l) => l.includes('shut down cleanly'))).toBe(true);
    const newLeaderLog = c.procs.get(third.id)?.stderr ?? [];
    expect(newLeaderLog.some((l) => l.includes('received timeout-now from'))).toBe(true);
    expect((await c.kvSettled(third.id, 'k')).json).toEqual({ key: 'k', value: 1 });
  }, 30_000);
});
