// Two builds of dist/node.js compared on this machine, both clusters up at once and 1 s windows
// alternating A, B, A, B... per cell, so a shared machine's changing load hits both alike:
//   node scripts/run-ts.mjs bench/vs-etcd/compare-builds.ts A.js B.js [leader:1,leader:16,...] [windows] [write|read]
// Make A.js from the commit before a change (git stash; node scripts/build.mjs; cp dist/node.js A.js).
import { OurCluster } from './ours-cluster.ts';
import { closedLoop } from './closed-loop.ts';
import { settledLeader } from './system.ts';
import { loadavg } from 'node:os';
const [binA, binB] = [process.argv[2]!, process.argv[3]!];
const cells = (process.argv[4] ?? 'leader:1,leader:16,leader:64,follower:64').split(',').map((s) => s.split(':'));
const windows = Number(process.argv[5] ?? 8);
const op = (process.argv[6] ?? 'write') as 'write' | 'read';
const a = await OurCluster.start([], binA);
const b = await OurCluster.start([], binB);
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) * p)] ?? NaN; };
try {
  for (const [target, cs] of cells) {
    const c = Number(cs);
    const acc = new Map<string, { ok: number; s: number; lat: number[]; cpu: number }>();
    const clients = await Promise.all([a, b].map(async (sys) => {
      const leader = await settledLeader(sys);
      const member = target === 'leader' ? leader : sys.members.find((m) => m !== leader)!;
      const cl = sys.client(member, 'http', c);
      await closedLoop(sys, cl, op, c, 300);
      return cl;
    }));
    for (let w = 0; w < windows; w++) {
      for (const [i, sys] of [a, b].entries()) {
        const r = await closedLoop(sys, clients[i]!, op, c, 1000);
        const k = i === 0 ? 'A' : 'B';
        const e = acc.get(k) ?? { ok: 0, s: 0, lat: [], cpu: 0 };
        e.ok += r.ok; e.s += r.seconds; e.lat.push(...r.latencies); e.cpu += Object.values(r.cpuPerKiloOp).reduce((x, y) => x + y, 0) * r.ok;
        acc.set(k, e);
      }
    }
    clients.forEach((cl) => cl.close());
    const A = acc.get('A')!, B = acc.get('B')!;
    const f = (e: typeof A): string => `${(e.ok / e.s).toFixed(0)}/s p50 ${pct(e.lat, 0.5).toFixed(2)} p99 ${pct(e.lat, 0.99).toFixed(2)} cpu/1000 ${(e.cpu / e.ok).toFixed(0)}`;
    console.log(`${op} ${target} c=${c}: A ${f(A)} | B ${f(B)} | B/A throughput ${((B.ok / B.s) / (A.ok / A.s)).toFixed(2)} p99 ${(pct(B.lat, 0.99) / pct(A.lat, 0.99)).toFixed(2)} (load ${loadavg()[0]!.toFixed(2)})`);
  }
} finally { await a.close(); await b.close(); }
