// Issue 11's measurements: for every partition shape (Maelstrom's four and the bench's extra ones)
// and cluster size, a lin-kv run on the local bench with that shape alone, reporting
//   - the ok-fraction of operations started during the shape over that of operations started while
//     healthy (the bench's own split, results.json `partition-availability`);
//   - per partition period, how long after the shape took hold the cluster settled on one leader
//     (the last `elected leader` / `stepped down` line inside the period), in election timeouts,
//     and whether any term was started after that (terms must stop rising);
//   - relayed messages (results.json `net.relayed-by-node`).
//
//   node scripts/run-ts.mjs bench/experiments/partial-connectivity.ts [--sizes 3,5] [--shapes a,b]
//        [--time-limit 60] [--interval 10] [--seeds 1] [--bin dist/node.js] [--out partial-connectivity]
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { HistoryOp } from '../../maelstrom/history.ts';
import { ALL_PARTITION_SHAPES, type AnyPartitionShape } from '../../maelstrom/nemesis/nemesis.ts';
import { allNodeEvents, type NodeEvent } from '../../maelstrom/report/node-log.ts';
import { runTest, type TestOutcome } from '../../maelstrom/run-test.ts';
import { ArgsError, BenchArgs } from '../args.ts';
import { markdownTable } from '../table.ts';

const ELECTION_TIMEOUT_MS = 150; // the node's default minimum: the unit the issue counts in

interface PeriodStability {
  /** When the final topology took hold (after constrained-election's prelude), test seconds. */
  fromS: number;
  toS: number;
  /** ms from fromS to the last leadership change inside the period (0: none). */
  settleMs: number;
  /** A leader existed at the end of the period (or no leadership change happened while one led). */
  leaderAtEnd: boolean;
  /** `became candidate` lines after the settle point inside the period (terms that rose needlessly). */
  termsAfterSettle: number;
}

interface RunRow {
  shape: AnyPartitionShape;
  size: number;
  seed: number;
  valid: string;
  healthy: number | null;
  during: number | null;
  ratio: number | null;
  duringOps: number;
  relayed: number;
  serverMsgsPerOp: number | null;
  periods: PeriodStability[];
  /** The run's store directory (history, node logs). */
  dir: string;
}

function partitionPeriods(history: readonly HistoryOp[], endS: number): { startS: number; fromS: number; toS: number }[] {
  const out: { startS: number; fromS: number; toS: number }[] = [];
  let open: { startS: number; fromS: number } | null = null;
  for (const op of history) {
    if (op.process !== 'nemesis' || op.type !== 'info') continue;
    const atS = op.time / 1e9;
    if (op.f === 'start-partition' && open === null) {
      const v = op.value;
      const prelude = v !== null && typeof v === 'object' && !Array.isArray(v) ? v['prelude'] : undefined;
      const ms = prelude !== null && typeof prelude === 'object' && !Array.isArray(prelude) && typeof prelude?.['ms'] === 'number' ? prelude['ms'] : 0;
      open = { startS: atS, fromS: atS + ms / 1000 };
    } else if (op.f === 'stop-partition' && open !== null) {
      out.push({ ...open, toS: atS });
      open = null;
    }
  }
  if (open !== null) out.push({ ...open, toS: endS });
  return out;
}

/** Leadership changes: elections, and step-downs of a node that was leading (not a candidate giving up). */
function leadershipChanges(events: readonly NodeEvent[]): { atS: number; leaders: number }[] {
  const leading = new Set<string>();
  const changes: { atS: number; leaders: number }[] = [];
  for (const e of events) {
    if (e.kind === 'elected') leading.add(e.node);
    else if ((e.kind === 'stepped-down' || e.kind === 'started') && leading.has(e.node)) leading.delete(e.node);
    else continue;
    changes.push({ atS: e.atS, leaders: leading.size });
  }
  return changes;
}

function stability(events: readonly NodeEvent[], period: { fromS: number; toS: number }): PeriodStability {
  const changes = leadershipChanges(events);
  const inside = changes.filter((c) => c.atS >= period.fromS && c.atS <= period.toS);
  const last = inside[inside.length - 1];
  const settleS = last === undefined ? period.fromS : last.atS;
  const before = changes.filter((c) => c.atS <= period.toS);
  return {
    fromS: period.fromS,
    toS: period.toS,
    settleMs: Math.round((settleS - period.fromS) * 1000),
    leaderAtEnd: (before[before.length - 1]?.leaders ?? 0) >= 1,
    termsAfterSettle: events.filter((e) => e.kind === 'candidate' && e.atS > settleS && e.atS <= period.toS).length,
  };
}

async function runOne(bin: string, shape: AnyPartitionShape, size: number, seed: number, timeLimitS: number, intervalS: number): Promise<RunRow> {
  const nodeIds = Array.from({ length: size }, (_, i) => `n${i}`);
  const outcome: TestOutcome = await runTest(
    {
      bin,
      binArgs: [],
      nodeIds,
      timeLimitS,
      rate: 30,
      concurrency: 4 * size,
      latencyMs: 0,
      latencyDist: 'constant',
      nemesis: new Set(['partition']),
      nemesisIntervalS: intervalS,
      partitionShapes: [shape],
      logStderr: false,
      seed,
      availability: null,
      storeRoot: resolve('store'),
    },
    { out: () => {}, progressSink: { isTTY: false, write: () => {} } },
  );
  if (outcome.kind !== 'analyzed') throw new Error(`${shape} on ${size} nodes: run ${outcome.kind}${outcome.kind === 'crashed' ? `: ${outcome.message}` : ''}`);
  const r = outcome.results;
  const history = readFileSync(join(outcome.dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as HistoryOp);
  const logs = Object.fromEntries(nodeIds.map((n) => [n, readFileSync(join(outcome.dir, 'node-logs', `${n}.log`), 'utf8')]));
  const events = allNodeEvents(logs, outcome.testStartEpochMs);
  const split = r['partition-availability'];
  return {
    shape,
    size,
    seed,
    valid: String(r['valid?']),
    healthy: split?.healthy['ok-fraction'] ?? null,
    during: split?.['during-partitions']['ok-fraction'] ?? null,
    ratio: split?.ratio ?? null,
    duringOps: split?.['during-partitions'].invoked ?? 0,
    relayed: Object.values(r.net['relayed-by-node'] ?? {}).reduce((a, b) => a + b, 0),
    serverMsgsPerOp: r.net.servers['msgs-per-op'] ?? null,
    periods: partitionPeriods(history, timeLimitS).map((p) => stability(events, p)),
    dir: outcome.dir,
  };
}

const f3 = (x: number | null): string => (x === null ? '-' : x.toFixed(3));
const f2 = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPU(s), load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1 / 5 min)`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = new BenchArgs(argv, ['sizes', 'shapes', 'time-limit', 'interval', 'seeds', 'seed', 'bin', 'out']);
  const sizes = (args.list('sizes') ?? ['3', '5']).map(Number);
  const shapeNames = args.list('shapes') ?? [...ALL_PARTITION_SHAPES];
  const shapes = shapeNames.map((name) => {
    const s = ALL_PARTITION_SHAPES.find((k) => k === name);
    if (s === undefined) throw new ArgsError(`unknown shape ${name}; known: ${ALL_PARTITION_SHAPES.join(', ')}`);
    return s;
  });
  const timeLimitS = args.number('time-limit', 60);
  const intervalS = args.number('interval', 10);
  const seeds = args.number('seeds', 1);
  const firstSeed = args.number('seed', 1);
  const bin = resolve(args.string('bin', 'dist/node.js'));
  const outName = args.string('out', 'partial-connectivity');
  const started = new Date();
  const machineBefore = machine();
  const rows: RunRow[] = [];
  for (const size of sizes) {
    for (const shape of shapes) {
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
        process.stderr.write(`[partial-connectivity] ${shape}, ${size} nodes, seed ${seed}, ${timeLimitS} s (${machine()})\n`);
        const row = await runOne(bin, shape, size, seed, timeLimitS, intervalS);
        process.stderr.write(`  valid ${row.valid}, ratio ${f2(row.ratio)} (healthy ${f3(row.healthy)}, during ${f3(row.during)}), relayed ${row.relayed}\n`);
        rows.push(row);
      }
    }
  }
  const availability = markdownTable(
    ['shape', 'nodes', 'seed', 'valid', 'healthy ok-fraction', 'during ok-fraction', 'ratio', 'ops during', 'relayed msgs', 'server msgs/op'],
    rows.map((r) => [r.shape, String(r.size), String(r.seed), r.valid, f3(r.healthy), f3(r.during), f2(r.ratio), String(r.duringOps), String(r.relayed), f2(r.serverMsgsPerOp)]),
  );
  const stabilityRows = rows.map((r) => {
    const settles = r.periods.map((p) => p.settleMs);
    const within = r.periods.filter((p) => p.settleMs <= 4 * ELECTION_TIMEOUT_MS && p.leaderAtEnd).length;
    return [
      r.shape,
      String(r.size),
      String(r.periods.length),
      `${within} / ${r.periods.length}`,
      settles.length === 0 ? '-' : String(Math.max(...settles)),
      settles.length === 0 ? '-' : (Math.max(...settles) / ELECTION_TIMEOUT_MS).toFixed(1),
      String(r.periods.reduce((a, p) => a + p.termsAfterSettle, 0)),
      String(r.periods.filter((p) => !p.leaderAtEnd).length),
    ];
  });
  const stabilityTable = markdownTable(
    ['shape', 'nodes', 'periods', 'settled <= 4 timeouts, leader at end', 'max settle ms', 'max settle (timeouts of 150 ms)', 'terms started after settling', 'periods ending leaderless'],
    stabilityRows,
  );
  const command = `node scripts/run-ts.mjs bench/experiments/partial-connectivity.ts ${argv.join(' ')}`.trim();
  const md = [
    `## Partial connectivity: availability and leader stability per partition shape`,
    '',
    `Command: \`${command}\`; ${started.toISOString()}, took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; machine before: ${machineBefore}; after: ${machine()}.`,
    `Each run: lin-kv, concurrency 4n, rate 30, ${timeLimitS} s, \`--nemesis partition --nemesis-interval ${intervalS} --partition-shapes <shape>\`, node \`${args.string('bin', 'dist/node.js')}\`.`,
    '',
    'Ok-fraction of operations by the network state when they started (ratio = during / healthy, same run):',
    '',
    availability,
    '',
    'Leader stability per partition period: settle = time from the shape taking hold (for constrained-election: the end of its 3 s prelude) to the last leadership change inside the period (an `elected leader` line, or a `stepped down` line of a node that was leading; 0 = the leader never changed). Terms started after settling = `became candidate` lines after that point inside the period.',
    '',
    stabilityTable,
    '',
  ].join('\n');
  const dir = join('bench', 'results');
  writeFileSync(join(dir, `${outName}.md`), md);
  writeFileSync(join(dir, `${outName}.json`), `${JSON.stringify({ command, started: started.toISOString(), rows }, null, 1)}\n`);
  process.stdout.write(md);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(err instanceof ArgsError ? 2 : 1);
});
