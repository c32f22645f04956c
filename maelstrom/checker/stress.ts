// Times the checker on synthetic bench-like histories (many keys, many timed-out 'info' ops, as
// partitions produce), which are linearizable by construction.
//   node scripts/run-ts.mjs maelstrom/checker/stress.ts [ops] [keys] [infoRate] [clients] [seed] [corrupt] [at]
// corrupt=1 rewrites the last ok read of a value into one never written (certainly invalid);
// corrupt=2 into another value in range (stale or too new: usually invalid, and the hard case,
// since the search must exhaust its memoised space before saying so). Prints the time either way.
// at (0..1, default 1): which ok read to rewrite, as a fraction of them (1 = the last one).
import { checkLinKv } from './lin-kv.ts';
import { buildSyntheticHistory, randomPlans } from './synthetic-history.ts';

const [ops = 5000, keys = 20, infoRate = 0.2, clients = 10, seed = 1, corrupt = 0, at = 1] = process.argv.slice(2).map(Number);
const history = buildSyntheticHistory(randomPlans(seed, ops, { clients, keys, values: 5, infoRate }), clients);
if (corrupt === 1 || corrupt === 2) {
  const reads: number[] = [];
  history.forEach((op, i) => {
    if (op.type === 'ok' && op.f === 'read' && Array.isArray(op.value) && op.value[1] !== null) reads.push(i);
  });
  const lastRead = reads[Math.min(reads.length - 1, Math.floor(at * reads.length))] ?? -1;
  const target = history[lastRead];
  if (target && Array.isArray(target.value)) history[lastRead] = { ...target, value: [target.value[0] ?? null, corrupt === 1 ? 999 : (Number(target.value[1]) + 1) % 5] };
}
const started = performance.now();
const result = checkLinKv(history, { timeLimitMs: 20_000 });
const elapsed = performance.now() - started;
const slowest = [...result.keys].sort((a, b) => b.opCount - a.opCount)[0];
process.stdout.write(
  `${ops} planned ops (${history.length} entries), ${keys} keys, info rate ${infoRate}, ${clients} clients, seed ${seed}: ` +
    `${result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown'} in ${elapsed.toFixed(1)} ms ` +
    `(largest key ${slowest?.opCount ?? 0} ops)\n`,
);
process.exitCode = result.valid === true ? 0 : 1;
