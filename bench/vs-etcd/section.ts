// `npm run bench -- --only vs-etcd [--quick] [size flags, see plan.ts]`: our standalone nodes side
// by side with etcd on the same machine, in the same run, under the same load and the same faults.
// Without etcd on the PATH it says how to install it and skips (CI does not run it). With --tls
// both run with transport security, set up alike, and the results go to vs-etcd-tls.*.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { lineChart, PALETTE, type LineDash, type LineSeries } from '../../maelstrom/report/svg.ts';
import type { RunContext, SectionResult } from '../experiments/section.ts';
import { fmt, percentile } from '../stats.ts';
import { markdownTable } from '../table.ts';
import { makeCerts, type BenchCerts } from '../tls.ts';
import { EtcdCluster, etcdBinaries, etcdVersion } from './etcd-cluster.ts';
import { catchUp, failoverRound, handoffRound, type CatchUpResult, type FailoverRound, type HandoffRound } from './faults.ts';
import { footprint, type Footprint } from './footprint.ts';
import { OurCluster } from './ours-cluster.ts';
import type { VsEtcdPlan } from './plan.ts';
import type { BenchSystem } from './system.ts';
import { runCells, seriesLabel, type Cell } from './throughput.ts';

export const INSTALL_HINT = 'etcd is not on the PATH: install it with `apt-get install etcd-server etcd-client` (Debian/Ubuntu: /usr/bin/etcd, /usr/bin/etcdctl) and run again.';

interface VsData {
  etcdVersion: string;
  plan: VsEtcdPlan;
  cells: Cell[];
  failover: { system: string; rounds: FailoverRound[] }[];
  handoff: { system: string; rounds: HandoffRound[] }[];
  catchUp: { system: string; result: CatchUpResult }[];
  footprint: { system: string; result: Footprint }[];
  loadAverages: { part: string; oneMinute: number }[];
}

const load1 = (): number => loadavg()[0] ?? Number.NaN;

/** The members' certificates when TLS is on: ours are named 1, 2, 3 and etcd's e1, e2, e3, one CA for all. */
const CERT_IDS = ['1', '2', '3', 'e1', 'e2', 'e3'];

async function withClusters<T>(fn: (systems: BenchSystem[]) => Promise<T>, bins: { etcd: string; etcdctl: string }, certs: BenchCerts | null): Promise<T> {
  const systems: BenchSystem[] = [];
  try {
    systems.push(await OurCluster.start([], undefined, certs));
    systems.push(await EtcdCluster.start(bins, certs));
    return await fn(systems);
  } finally {
    for (const s of systems) await s.close();
  }
}

export async function vsEtcdSection(ctx: RunContext, plan: VsEtcdPlan): Promise<SectionResult> {
  const name = plan.tls ? 'vs-etcd-tls' : 'vs-etcd';
  const bins = etcdBinaries();
  if (bins === null) {
    process.stderr.write(`${INSTALL_HINT}\n`);
    return { name, title: 'Side by side with etcd (skipped)', markdown: INSTALL_HINT, data: null, charts: [], skipped: true };
  }
  const certs = plan.tls ? makeCerts(CERT_IDS) : null;
  try {
    const data = await measure(ctx, plan, bins, certs);
    const title = `Side by side with etcd ${data.etcdVersion}${plan.tls ? ', TLS on' : ''}`;
    return { name, title, markdown: report(data), data, charts: charts(data, name) };
  } finally {
    if (certs !== null) rmSync(certs.dir, { recursive: true, force: true });
  }
}

async function measure(ctx: RunContext, plan: VsEtcdPlan, bins: { etcd: string; etcdctl: string }, certs: BenchCerts | null): Promise<VsData> {
  const data: VsData = { etcdVersion: etcdVersion(bins.etcd), plan, cells: [], failover: [], handoff: [], catchUp: [], footprint: [], loadAverages: [] };
  const note = (part: string): void => {
    data.loadAverages.push({ part, oneMinute: load1() });
  };
  await withClusters(async (systems) => {
    if (plan.parts.includes('throughput')) {
      note('throughput');
      data.cells = await runCells(systems, plan, load1, ctx.progress);
    }
    if (plan.parts.includes('failover')) {
      note('failover');
      for (const s of systems) data.failover.push({ system: s.name, rounds: [] });
      for (let r = 0; r < plan.failoverRounds; r++) {
        for (const [i, s] of systems.entries()) {
          const round = await failoverRound(s);
          data.failover[i]?.rounds.push(round);
          ctx.progress(`vs-etcd: failover ${r + 1}/${plan.failoverRounds} ${s.name}: new leader ${fmt(round.newLeaderMs ?? Number.NaN)} ms, first write ${fmt(round.firstWriteMs ?? Number.NaN)} ms`);
        }
      }
    }
    if (plan.parts.includes('handoff')) {
      note('handoff');
      for (const s of systems) data.handoff.push({ system: s.name, rounds: [] });
      for (let r = 0; r < plan.handoffRounds; r++) {
        for (const kind of ['move', 'sigterm'] as const) {
          for (const [i, s] of systems.entries()) {
            const round = await handoffRound(s, kind, 4);
            data.handoff[i]?.rounds.push(round);
            ctx.progress(`vs-etcd: ${kind} ${r + 1}/${plan.handoffRounds} ${s.name}: new leader ${fmt(round.newLeaderMs ?? Number.NaN)} ms, ${round.writes.failed} of ${round.writes.ok + round.writes.failed} writes failed`);
          }
        }
      }
    }
    if (plan.parts.includes('catch-up')) {
      note('catch-up');
      for (const s of systems) {
        const result = await catchUp(s, plan.catchUpWrites, 64, 300_000);
        data.catchUp.push({ system: s.name, result });
        ctx.progress(`vs-etcd: catch-up ${s.name}: ${fmt(result.catchUpMs ?? Number.NaN)} ms after ${result.okWrites} writes, leader wrote ${fmt(result.leaderBytes / 1e6)} MB`);
      }
    }
  }, bins, certs);
  if (plan.parts.includes('footprint')) {
    // Fresh clusters: what the earlier parts wrote must not count.
    note('footprint');
    await withClusters(async (systems) => {
      for (const s of systems) {
        const result = await footprint(s, plan.footprintWrites, 64);
        data.footprint.push({ system: s.name, result });
        ctx.progress(`vs-etcd: footprint ${s.name}: ${result.members.map((m) => `${m.member} ${fmt(m.rssMb)} MB RSS, ${fmt(m.diskMb)} MB disk`).join('; ')}`);
      }
    }, bins, certs);
  }
  return data;
}

function cellOf(data: VsData, system: string, protocol: string, op: string, target: string, c: number): Cell | undefined {
  return data.cells.find((x) => x.system === system && x.protocol === protocol && x.op === op && x.target === target && x.concurrency === c);
}

const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '-' : fmt(a / b, 2));
const PAIRS = [['ours', 'http'], ['etcd', 'grpc'], ['etcd', 'gateway']] as const;

function throughputTables(data: VsData): string[] {
  const out: string[] = [];
  for (const op of data.plan.ops) {
    for (const target of data.plan.targets) {
      const rows: string[][] = [];
      for (const c of data.plan.concurrencies) {
        for (const [system, protocol] of PAIRS) {
          const x = cellOf(data, system, protocol, op, target, c);
          if (x === undefined) continue;
          const cpu = (role: 'leader' | 'follower'): string => x.cpu.filter((p) => p.role === role).map((p) => fmt(p.msPerKiloOp)).join(' / ');
          rows.push([String(c), seriesLabel(system, protocol), fmt(x.opsPerS), fmt(x.p50), fmt(x.p99), fmt(x.p999), String(x.failed), cpu('leader'), cpu('follower'), fmt(x.clientCpuMsPerKiloOp), fmt(x.loadAverage, 2)]);
        }
      }
      out.push(`**${op === 'write' ? 'Writes' : 'Linearizable reads'} to the ${target}**`, '',
        markdownTable(['conns', 'system', 'ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'failed', 'CPU ms/1000 leader', 'CPU ms/1000 followers', 'client CPU ms/1000', 'load 1m'], rows), '');
    }
  }
  return out;
}

function goals(data: VsData): string[] {
  const rows: string[][] = [];
  const ops = (s: string, p: string, op: string, t: string, c: number): number | undefined => cellOf(data, s, p, op, t, c)?.opsPerS;
  for (const c of data.plan.concurrencies) {
    const w = ops('ours', 'http', 'write', 'leader', c);
    const e = ops('etcd', 'grpc', 'write', 'leader', c);
    const ourP99 = cellOf(data, 'ours', 'http', 'write', 'leader', c)?.p99;
    const etcdP99 = cellOf(data, 'etcd', 'grpc', 'write', 'leader', c)?.p99;
    if (c >= 64) rows.push([`writes to the leader, ${c} conns: >= 1.5x etcd gRPC`, ratio(w, e), w !== undefined && e !== undefined && w / e >= 1.5 ? 'met' : 'missed']);
    rows.push([`write p99 at ${c} conns <= etcd gRPC's`, `${fmt(ourP99 ?? Number.NaN)} vs ${fmt(etcdP99 ?? Number.NaN)} ms (${ratio(ourP99, etcdP99)})`, ourP99 !== undefined && etcdP99 !== undefined && ourP99 <= etcdP99 ? 'met' : 'missed']);
    const f = ops('ours', 'http', 'write', 'follower', c);
    if (w !== undefined && f !== undefined) rows.push([`ours: writes via a follower within 15% of via the leader, ${c} conns`, `${ratio(f, w)} (${fmt(Math.abs(1 - f / w) * 100)}% ${f < w ? 'slower' : 'faster'})`, f / w >= 0.85 ? 'met' : 'missed']);
    const r = ops('ours', 'http', 'read', 'leader', c);
    const er = ops('etcd', 'grpc', 'read', 'leader', c);
    if (r !== undefined && er !== undefined) rows.push([`linearizable reads from the leader, ${c} conns: >= 3x etcd gRPC`, ratio(r, er), r / er >= 3 ? 'met' : 'missed']);
  }
  const p50 = (system: string): number => percentile((data.failover.find((f) => f.system === system)?.rounds ?? []).flatMap((r) => (r.newLeaderMs === null ? [] : [r.newLeaderMs])), 50);
  if (data.failover.length > 0) rows.push(['failover p50 (SIGKILL -> new leader) no slower than etcd', `${fmt(p50('ours'))} vs ${fmt(p50('etcd'))} ms (${fmt(p50('ours') / p50('etcd'), 2)})`, p50('ours') <= p50('etcd') ? 'met' : 'missed']);
  const failedMoves = data.handoff.find((h) => h.system === 'ours')?.rounds.reduce((n, r) => n + r.writes.failed, 0);
  if (failedMoves !== undefined) rows.push(['graceful move and SIGTERM: 0 failed writes (ours)', String(failedMoves), failedMoves === 0 ? 'met' : 'missed']);
  return [markdownTable(['goal (issue 21)', 'measured (ours / etcd)', ''], rows), ''];
}

/** One line per throughput cell shape: ours over etcd, ready to quote. */
function ratioLines(data: VsData): string[] {
  const lines: string[] = [];
  for (const op of data.plan.ops) {
    for (const target of data.plan.targets) {
      const perConcurrency = data.plan.concurrencies.flatMap((c) => {
        const ours = cellOf(data, 'ours', 'http', op, target, c)?.opsPerS;
        if (ours === undefined) return [];
        const grpc = cellOf(data, 'etcd', 'grpc', op, target, c)?.opsPerS;
        const gateway = cellOf(data, 'etcd', 'gateway', op, target, c)?.opsPerS;
        return [`${c} conns ${ratio(ours, grpc)}x gRPC / ${ratio(ours, gateway)}x gateway`];
      });
      if (perConcurrency.length > 0) lines.push(`- ${op === 'write' ? 'Writes' : 'Linearizable reads'} to the ${target}, ours / etcd ops/s: ${perConcurrency.join('; ')}.`);
    }
  }
  return lines.length === 0 ? [] : [`**Ratios${data.plan.tls ? ' with TLS on' : ''}** (throughput, ours / etcd, same run):`, '', ...lines, ''];
}

function transportLine(data: VsData): string {
  if (!data.plan.tls) return '**TLS off**: plaintext peers and clients on both systems (`--tls` measures both with transport security, into vs-etcd-tls.md).';
  return '**TLS on** (`--tls`), the same way on both systems, certificates (EC P-256, one CA, IP SAN 127.0.0.1) made at run time by scripts/make-certs.sh: ' +
    'peer traffic mutual TLS (ours `--peer-cert/--peer-key/--peer-ca`; etcd `--peer-cert-file/--peer-key-file/--peer-trusted-ca-file --peer-client-cert-auth`), ' +
    'clients over TLS checking the server against the CA and presenting no certificate (ours `--cert/--key`: HTTPS; etcd `--cert-file/--key-file`: gRPC over TLS and the gateway over HTTPS). ' +
    `Parts measured: ${data.plan.parts.join(', ')}${data.plan.parts.includes('catch-up') ? '' : ' (catch-up and footprint are left out in TLS mode unless --vs-parts names them)'}.`;
}

function faultTables(data: VsData): string[] {
  const out: string[] = [];
  const dist = (xs: (number | null)[]): string => {
    const v = xs.filter((x): x is number => x !== null);
    const missing = xs.length - v.length;
    return `${fmt(percentile(v, 50))} / ${fmt(percentile(v, 90))} / ${fmt(v.length > 0 ? Math.max(...v) : Number.NaN)}${missing > 0 ? ` (${missing} none in 10 s)` : ''}`;
  };
  if (data.failover.length > 0) {
    out.push('**Failover**: SIGKILL of the leader; a survivor polled every 5 ms for a new leader, a write sent to a survivor every 10 ms (native protocol). ms, p50 / p90 / max:', '',
      markdownTable(['system', 'rounds', 'new leader', 'first successful write'], data.failover.map((f) => [f.system, String(f.rounds.length), dist(f.rounds.map((r) => r.newLeaderMs)), dist(f.rounds.map((r) => r.firstWriteMs))])), '');
  }
  if (data.handoff.length > 0) {
    const rows: string[][] = [];
    for (const h of data.handoff) {
      for (const kind of ['move', 'sigterm'] as const) {
        const rs = h.rounds.filter((r) => r.kind === kind);
        if (rs.length === 0) continue;
        const failed = rs.reduce((n, r) => n + r.writes.failed, 0);
        const total = rs.reduce((n, r) => n + r.writes.failed + r.writes.ok, 0);
        rows.push([h.system, kind === 'move' ? (h.system === 'etcd' ? 'etcdctl move-leader' : 'POST /admin/transfer-leader') : 'SIGTERM on the leader', String(rs.length), dist(rs.map((r) => r.newLeaderMs)), fmt(percentile(rs.map((r) => r.commandMs), 50)),
          `${failed} of ${total}`, String(rs.reduce((n, r) => n + r.writes.failedAtSubject, 0)), String(rs.filter((r) => !r.accepted).length)]);
      }
    }
    out.push('**Graceful leader move**: 4 closed-loop writers on every member (native protocol) throughout; writers of a member that is stopped stop sending at the signal.', '',
      markdownTable(['system', 'how', 'rounds', 'all name the new leader, ms p50 / p90 / max', 'command / exit ms p50', 'failed writes', 'of them at the old leader', 'command refused'], rows), '');
  }
  if (data.catchUp.length > 0) {
    out.push(`**Catch-up**: a follower SIGKILLed, ${data.plan.catchUpWrites} writes to 1,000 keys at 64 connections, then restarted with no load. "Leader wrote" is its write(2) bytes (/proc wchar: sockets and disk) during the catch-up, less its idle rate.`, '',
      markdownTable(['system', 'writes ok', 'write time s', 'catch-up ms', 'leader wrote MB'], data.catchUp.map((c) => [c.system, String(c.result.okWrites), fmt(c.result.writeSeconds), fmt(c.result.catchUpMs ?? Number.NaN), fmt(c.result.leaderBytes / 1e6)])), '');
  }
  if (data.footprint.length > 0) {
    out.push(`**Footprint** after ${data.plan.footprintWrites} writes to 1,000 keys (fresh clusters, 64 connections to the leader; etcd with its default settings: no automatic compaction of old revisions):`, '',
      markdownTable(['system', 'member', 'role', 'RSS MB', 'disk MB (du)'], data.footprint.flatMap((f) => f.result.members.map((m) => [f.system, m.member, m.role, fmt(m.rssMb), fmt(m.diskMb)]))), '');
  }
  return out;
}

function report(data: VsData): string {
  const p = data.plan;
  return [
    `Three etcd ${data.etcdVersion} members and three of our nodes (dist/node.js), all on loopback, in the same run; the idle cluster only heartbeats while the other is measured. ` +
      'Election timing: etcd `--heartbeat-interval 30 --election-timeout 150` (timeouts in [150, 300) ms); ours the defaults (150-300 ms, heartbeat 50 ms). Both fsync every commit (etcd by default, ours always). ' +
      `Ours over HTTP/1.1 keep-alive (PUT/GET /kv/KEY, one connection per worker); etcd over native gRPC (the etcd3 client, one channel per 16 workers, no retries) and over its HTTP/JSON gateway (POST /v3/kv/put, /v3/kv/range). ` +
      `Closed loops of ${p.seconds} s per cell after ${p.warmupSeconds} s of warm-up; each worker cycles through 100 keys of its own. CPU is user + system time from /proc/PID/stat per 1,000 successful operations. ` +
      'Systems are interleaved cell by cell. The load generator runs on the same cores (its CPU is the "client" column).',
    '',
    transportLine(data),
    '',
    '**These figures come from a shared 2-core machine unless the load average column says otherwise: the final numbers must come from one run on a quiet machine.** Read ratios within one run, not absolute figures.',
    '',
    ...goals(data),
    ...ratioLines(data),
    ...throughputTables(data),
    ...faultTables(data),
    `Load average (1 min) at the start of each part: ${data.loadAverages.map((l) => `${l.part} ${fmt(l.oneMinute, 2)}`).join(', ')}.`,
  ].join('\n');
}

const COLOURS: Record<string, [string, string]> = {
  'ours/http': [PALETTE.blue, PALETTE.skyBlue],
  'etcd/grpc': [PALETTE.vermillion, PALETTE.orange],
  'etcd/gateway': [PALETTE.green, PALETTE.purple],
};

function charts(data: VsData, stem: string): { file: string; svg: string }[] {
  if (data.cells.length === 0) return [];
  const series: LineSeries[] = [];
  for (const [system, protocol] of PAIRS) {
    for (const op of data.plan.ops) {
      for (const target of data.plan.targets) {
        const points = data.plan.concurrencies.flatMap((c) => {
          const x = cellOf(data, system, protocol, op, target, c);
          return x === undefined ? [] : [{ x: c, y: x.opsPerS }];
        });
        const dash: LineDash = target === 'leader' ? 'solid' : 'dashed';
        series.push({ label: `${seriesLabel(system, protocol)}, ${op}s to the ${target}`, colour: COLOURS[`${system}/${protocol}`]?.[op === 'write' ? 0 : 1] ?? PALETTE.black, points, dash });
      }
    }
  }
  const tlsNote = data.plan.tls ? ', TLS on (peer mTLS, clients over TLS)' : '';
  const throughput = lineChart({ title: 'Throughput against concurrency', subtitle: `3 members on loopback each, both fsync every commit${tlsNote}`, width: 900, height: 520, x: { label: 'concurrent clients (connections)', kind: 'log' }, y: { label: 'successful operations per second', kind: 'log' } }, series);
  const cdfSeries: LineSeries[] = [];
  const shown = data.plan.concurrencies.filter((c) => c === 16 || c === 64);
  for (const c of shown.length > 0 ? shown : data.plan.concurrencies.slice(0, 2)) {
    for (const [system, protocol] of PAIRS) {
      const x = cellOf(data, system, protocol, 'write', 'leader', c);
      if (x === undefined) continue;
      cdfSeries.push({ label: `${seriesLabel(system, protocol)}, ${c} conns (p99 ${fmt(x.p99)} ms)`, colour: COLOURS[`${system}/${protocol}`]?.[0] ?? PALETTE.black, points: x.cdf, step: true, dash: c === 64 ? 'solid' : 'dashed' });
    }
  }
  const cdf = lineChart({ title: 'Write latency to the leader', subtitle: `empirical CDF, successful writes${tlsNote}`, width: 900, height: 520, x: { label: 'latency, ms', kind: 'log' }, y: { label: 'fraction of writes at or below', min: 0, max: 1 } }, cdfSeries);
  return [{ file: `${stem}-throughput.svg`, svg: throughput }, { file: `${stem}-latency-cdf.svg`, svg: cdf }];
}
