// A partition with real network separation: three nodes in three network namespaces, the leader's
// node-to-node interface unplugged. The cut-off node must not accept a write, the other two must
// elect a leader and accept writes, and after healing the cut-off node must read the majority's write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_BIN } from '../support/stdio-node.ts';
import { http, NodeProcess, waitFor, type HttpResult, type NodeStatus } from './support/cluster.ts';
import { NamespaceLab, netnsUnavailableReason } from './support/netns.ts';

const unavailable = netnsUnavailableReason();
if (unavailable !== null) console.log(`partition test skipped: ${unavailable}`);

const PEER_PORT = 7000;
const HTTP_PORT = 8000;
const SIZE = 3;

describe('standalone cluster under a network partition (network namespaces)', () => {
  let lab: NamespaceLab | null = null;
  const procs = new Map<number, NodeProcess>();
  const dataRoot = mkdtempSync(join(tmpdir(), 'raft-standalone-netns-'));

  afterAll(async () => {
    await Promise.all([...procs.values()].map((p) => p.kill('SIGKILL')));
    const problems = lab?.tearDown() ?? [];
    rmSync(dataRoot, { recursive: true, force: true });
    if (problems.length > 0) console.log(`namespace clean-up problems:\n${problems.join('\n')}`);
  });

  it.skipIf(unavailable !== null)(
    `keeps the cut-off leader from writing, lets the majority write, and converges after healing${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      const l = new NamespaceLab(SIZE);
      lab = l;
      l.setUp();
      const nodes = Array.from({ length: SIZE }, (_, k) => k + 1);
      const url = (i: number, path: string): string => `http://${l.clientAddress(i)}:${HTTP_PORT}${path}`;
      const status = async (i: number): Promise<NodeStatus | undefined> => {
        const r = await http(url(i, '/status'), { timeoutMs: 1000 });
        return r === 'unreachable' || r.status !== 200 ? undefined : (r.json as NodeStatus);
      };
      const put = (i: number, key: string, body: string, timeoutMs = 8000): Promise<HttpResult | 'unreachable'> =>
        http(url(i, `/kv/${key}`), { method: 'PUT', body, timeoutMs });
      const get = (i: number, key: string): Promise<HttpResult | 'unreachable'> => http(url(i, `/kv/${key}`), { timeoutMs: 8000 });
      const leaderAmong = (among: number[], minTerm = 0): Promise<NodeStatus> =>
        waitFor(`one leader among ${among.join(', ')}`, 15_000, async () => {
          const all = await Promise.all(among.map(status));
          if (all.some((s) => s === undefined)) return undefined;
          const leaders = (all as NodeStatus[]).filter((s) => s.state === 'leader' && s.term >= minTerm);
          const leader = leaders[0];
          if (leaders.length !== 1 || leader === undefined) return undefined;
          return (all as NodeStatus[]).every((s) => s.leader === leader.id && s.term === leader.term) ? leader : undefined;
        });

      for (const i of nodes) {
        const peers = nodes.filter((j) => j !== i).map((j) => `${j}@${l.peerAddress(j)}:${PEER_PORT}`);
        const { command, args } = l.exec(i, process.execPath, [
          NODE_BIN,
          '--id', String(i),
          '--host', l.peerAddress(i),
          '--port', String(PEER_PORT),
          '--peers', peers.join(','),
          '--http-host', l.clientAddress(i),
          '--http-port', String(HTTP_PORT),
          '--data-dir', join(dataRoot, String(i)),
        ]);
        procs.set(i, new NodeProcess(command, args));
      }
      try {
        const first = await leaderAmong(nodes);
        const cutNode = Number(first.id);
        const majority = nodes.filter((i) => i !== cutNode);
        const before = await put(majority[0] as number, 'before', '"everyone"');
        expect(before === 'unreachable' ? before : before.status).toBe(200);

        const cutAt = performance.now();
        l.cut(cutNode);
        const second = await leaderAmong(majority, first.term + 1);
        console.log(`partition: cut leader ${cutNode} (term ${first.term}); node ${second.id} leads the majority in term ${second.term} after ${(performance.now() - cutAt).toFixed(0)} ms`);

        // The cut-off node cannot commit: a definite refusal (503) or an unknown outcome (504/timeout).
        const minority = await put(cutNode, 'minority-write', '"lost"', 8000);
        const minorityOutcome = minority === 'unreachable' ? 'client timeout' : minority.status;
        console.log(`partition: write on the cut-off node answered ${minorityOutcome}`);
        expect([503, 504, 'client timeout']).toContain(minorityOutcome);

        const majorityWrite = await waitFor('a majority write', 10_000, async () => {
          const r = await put(second.id === String(majority[0]) ? (majority[1] as number) : (majority[0] as number), 'after', '"majority"');
          return r !== 'unreachable' && r.status === 200 ? r : undefined;
        }, 100);
        expect(majorityWrite.status).toBe(200);

        const healedAt = performance.now();
        l.heal(cutNode);
        const healedRead = await waitFor(`node ${cutNode} to read the majority's write`, 20_000, async () => {
          const r = await get(cutNode, 'after');
          return r !== 'unreachable' && r.status === 200 ? r : undefined;
        }, 100);
        console.log(`partition: healed; node ${cutNode} read the majority's write after ${(performance.now() - healedAt).toFixed(0)} ms`);
        expect(healedRead.json).toEqual({ key: 'after', value: 'majority' });

        // The refused write never happened anywhere, and everyone agrees on one leader again.
        await leaderAmong(nodes);
        for (const i of nodes) {
          const r = await get(i, 'minority-write');
          expect(r === 'unreachable' ? 'unreachable' : r.status).toBe(404);
          expect(r === 'unreachable' ? null : r.json).not.toEqual({ key: 'minority-write', value: 'lost' });
          const before = await get(i, 'before');
          expect(before === 'unreachable' ? null : before.json).toEqual({ key: 'before', value: 'everyone' });
        }
      } catch (err) {
        for (const [i, p] of procs) console.log(`--- node ${i}\n${p.tail(25)}`);
        throw err;
      }
    },
    75_000,
  );
});
