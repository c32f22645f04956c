// `npm run maelstrom -- test -w lin-kv --bin dist/node.js [options] [-- node args]`: the local
// bench's command line, mirroring `maelstrom test` for the lin-kv workload (flags, defaults, exit
// codes: 0 valid, 1 invalid, 2 unknown verdict or usage error, 130 interrupted, 255 crash).
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LatencyDist } from './cluster.ts';
import { ALL_PARTITION_SHAPES, NEMESIS_FAULTS, type AnyPartitionShape, type NemesisFault } from './nemesis/nemesis.ts';
import { runTest, type BenchCluster, type RunDependencies, type TestOptions } from './run-test.ts';
import type { AvailabilityRequirement } from './results.ts';
import { checkConcurrency, ConcurrencyError } from './workload/generator.ts';

export const USAGE = `usage: npm run maelstrom -- test -w lin-kv --bin PATH [options] [-- node args...]

Runs a Maelstrom-compatible lin-kv test against PATH (an executable with a shebang).

options (defaults as in Maelstrom):
  -w, --workload NAME        only lin-kv (default lin-kv)
  --bin PATH                 node executable (required)
  --node-count N             nodes n0..n(N-1), 1..10 (default: Jepsen's n1..n5)
  --concurrency K|Kn         worker threads, K or K x node count; lin-kv needs a multiple of
                             2 x node count, e.g. 2n or 4n (default 1n, which lin-kv rejects)
  --time-limit S             seconds of operations (default 60)
  --rate R                   client ops per second, all threads together; 0 = none (default 5)
  --latency MS               mean node-to-node latency in ms (default 0)
  --latency-dist D           constant | uniform | exponential (default constant)
  --nemesis F[,F]            partition, kill (bench extension), or partition,kill (default none)
  --nemesis-interval S       mean seconds between nemesis ops (default 10)
  --partition-shapes S[,S]   bench extension: shapes the partition nemesis draws from, of
                             one, minority-third, majority, majorities-ring (Maelstrom's,
                             the default), quorum-loss, constrained-election, chained,
                             random-one-way (see maelstrom/README.md)
  --availability A           total, or a minimum ok fraction in [0, 1] (default: not checked)
  --test-count K             run K tests, stop at the first that is not valid (default 1)
  --log-stderr               echo node stderr on the console
  --seed X                   integer seed for every random choice (default: random, printed)
  -h, --help                 this text

Everything after \`--\` (or \`--bin-args\`) is passed to the node binary unchanged.
Results go to store/lin-kv/<start time>/ (also store/latest).`;

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'test'; options: TestOptions; testCount: number; seedGiven: boolean };

const BOOLEAN_FLAGS = new Set(['--log-stderr']);
const VALUE_FLAGS = new Set([
  '--workload',
  '--bin',
  '--node-count',
  '--concurrency',
  '--time-limit',
  '--rate',
  '--latency',
  '--latency-dist',
  '--nemesis',
  '--nemesis-interval',
  '--partition-shapes',
  '--availability',
  '--test-count',
  '--seed',
]);
const LATENCY_DISTS: readonly LatencyDist[] = ['constant', 'uniform', 'exponential'];

class UsageError extends Error {}

/** Parses the arguments after `npm run maelstrom --`; never exits, never touches the filesystem but to check --bin. */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): ParsedCommand {
  try {
    return parseOrThrow(argv, cwd);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConcurrencyError) return { kind: 'usage-error', message: err.message };
    throw err;
  }
}

function parseOrThrow(argv: readonly string[], cwd: string): ParsedCommand {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const binArgs: string[] = [];
  let command: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--' || arg === '--bin-args') {
      binArgs.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      let flag = eq >= 0 ? arg.slice(0, eq) : arg;
      if (flag === '-w') flag = '--workload';
      if (BOOLEAN_FLAGS.has(flag)) {
        if (eq >= 0) throw new UsageError(`${flag} takes no value`);
        booleans.add(flag);
      } else if (VALUE_FLAGS.has(flag)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
        if (values.has(flag)) throw new UsageError(`${flag} given twice`);
        values.set(flag, value);
      } else throw new UsageError(`unknown option ${arg}`);
    } else if (command === null) command = arg;
    // As in Maelstrom, other positional arguments go to the node binary.
    else binArgs.push(arg);
  }
  if (command === null) throw new UsageError('missing command: only `test` is supported');
  if (command !== 'test') throw new UsageError(`unknown command ${JSON.stringify(command)}: only \`test\` is supported`);

  const workload = values.get('--workload') ?? 'lin-kv';
  if (workload !== 'lin-kv') throw new UsageError(`workload ${JSON.stringify(workload)} is not supported by this bench: only lin-kv`);
  const binFlag = values.get('--bin');
  if (binFlag === undefined) throw new UsageError('--bin PATH is required');
  const bin = checkBin(resolve(cwd, binFlag), binFlag);

  const nodeCountText = values.get('--node-count');
  const nodeIds =
    nodeCountText === undefined ? ['n1', 'n2', 'n3', 'n4', 'n5'] : Array.from({ length: integerIn('--node-count', nodeCountText, 1, 10) }, (_, i) => `n${i}`);
  const concurrency = parseConcurrency(values.get('--concurrency') ?? '1n', nodeIds.length);
  checkConcurrency(concurrency, nodeIds.length);

  const latencyDist = values.get('--latency-dist') ?? 'constant';
  if (!isLatencyDist(latencyDist)) throw new UsageError(`--latency-dist must be one of ${LATENCY_DISTS.join(', ')}, got ${JSON.stringify(latencyDist)}`);

  const seedText = values.get('--seed');
  const options: TestOptions = {
    bin,
    binArgs,
    nodeIds,
    timeLimitS: positive('--time-limit', values.get('--time-limit') ?? '60'),
    rate: atLeastZero('--rate', values.get('--rate') ?? '5'),
    concurrency,
    latencyMs: atLeastZero('--latency', values.get('--latency') ?? '0'),
    latencyDist,
    nemesis: parseNemesis(values.get('--nemesis')),
    nemesisIntervalS: positive('--nemesis-interval', values.get('--nemesis-interval') ?? '10'),
    ...parsePartitionShapes(values.get('--partition-shapes')),
    logStderr: booleans.has('--log-stderr'),
    seed: seedText === undefined ? Math.floor(Math.random() * 2 ** 31) : integerIn('--seed', seedText, -(2 ** 53) + 1, 2 ** 53 - 1),
    availability: parseAvailability(values.get('--availability')),
    storeRoot: resolve(cwd, 'store'),
  };
  return { kind: 'test', options, testCount: integerIn('--test-count', values.get('--test-count') ?? '1', 1, 1_000_000), seedGiven: seedText !== undefined };
}

function checkBin(path: string, given: string): string {
  if (!existsSync(path)) throw new UsageError(`--bin ${given}: no such file${given.startsWith('dist/') ? ' (run `npm run build` first)' : ''}`);
  const real = realpathSync(path);
  if (!statSync(real).isFile()) throw new UsageError(`--bin ${given}: not a file`);
  try {
    accessSync(real, constants.X_OK);
  } catch {
    throw new UsageError(`--bin ${given}: not executable (it needs the execute bit and a shebang such as #!/usr/bin/env node)`);
  }
  return real;
}

function parseNumber(flag: string, text: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got ${JSON.stringify(text)}`);
  return n;
}

function positive(flag: string, text: string): number {
  const n = parseNumber(flag, text);
  if (n <= 0) throw new UsageError(`${flag} must be greater than 0, got ${text}`);
  return n;
}

function atLeastZero(flag: string, text: string): number {
  const n = parseNumber(flag, text);
  if (n < 0) throw new UsageError(`${flag} must be at least 0, got ${text}`);
  return n;
}

function integerIn(flag: string, text: string, min: number, max: number): number {
  const n = parseNumber(flag, text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** Jepsen's concurrency: an integer, or an integer followed by n meaning times the node count. */
function parseConcurrency(text: string, nodeCount: number): number {
  const match = /^(\d+)(n?)$/.exec(text);
  if (!match) throw new UsageError(`--concurrency must be an integer or an integer followed by n (e.g. 2n), got ${JSON.stringify(text)}`);
  const k = Number(match[1]);
  const threads = match[2] === 'n' ? k * nodeCount : k;
  if (threads < 1) throw new UsageError(`--concurrency must be at least 1, got ${text}`);
  return threads;
}

function parseNemesis(text: string | undefined): Set<NemesisFault> {
  const faults = new Set<NemesisFault>();
  if (text === undefined || text === '') return faults;
  for (const name of text.split(',')) {
    const fault = NEMESIS_FAULTS.find((f) => f === name.trim());
    if (fault === undefined) throw new UsageError(`--nemesis: unknown fault ${JSON.stringify(name)}; known: ${NEMESIS_FAULTS.join(', ')}`);
    faults.add(fault);
  }
  return faults;
}

function parsePartitionShapes(text: string | undefined): { partitionShapes?: AnyPartitionShape[] } {
  if (text === undefined) return {};
  const shapes: AnyPartitionShape[] = [];
  for (const name of text.split(',')) {
    const shape = ALL_PARTITION_SHAPES.find((s) => s === name.trim());
    if (shape === undefined) throw new UsageError(`--partition-shapes: unknown shape ${JSON.stringify(name)}; known: ${ALL_PARTITION_SHAPES.join(', ')}`);
    if (!shapes.includes(shape)) shapes.push(shape);
  }
  if (shapes.length === 0) throw new UsageError('--partition-shapes needs at least one shape');
  return { partitionShapes: shapes };
}

function parseAvailability(text: string | undefined): AvailabilityRequirement {
  if (text === undefined) return null;
  if (text === 'total') return 'total';
  const n = parseNumber('--availability', text);
  if (n < 0 || n > 1) throw new UsageError(`--availability must be total or a number in [0, 1], got ${text}`);
  return n;
}

function isLatencyDist(text: string): text is LatencyDist {
  return (LATENCY_DISTS as readonly string[]).includes(text);
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs the command; resolves to the exit status. Ctrl-C (the given signal aborting) stops every
 * node and yields 130; an exception in the bench stops every node and yields 255.
 */
export async function main(argv: readonly string[], io: CliIo, deps: Omit<RunDependencies, 'out'> = {}, cwd = process.cwd()): Promise<number> {
  const parsed = parseCommandLine(argv, cwd);
  if (parsed.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    io.err(`maelstrom: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  try {
    for (let i = 0; i < parsed.testCount; i++) {
      const options = { ...parsed.options, seed: parsed.options.seed + i };
      if (parsed.testCount > 1) io.out(`--- test ${i + 1} of ${parsed.testCount} (seed ${options.seed}) ---`);
      // runTest stops the nodes itself, whatever happens inside it.
      const outcome = await runTest(options, { ...deps, out: io.out });
      if (outcome.kind === 'interrupted') {
        io.err(`interrupted; nodes stopped; partial history in ${outcome.dir}`);
        return 130;
      }
      if (outcome.kind === 'crashed') {
        io.err(`\nThe test crashed (exit 255): ${outcome.message}\nstore: ${outcome.dir}`);
        return 255;
      }
      io.out(`seed: ${options.seed} (rerun with --seed ${options.seed})`);
      if (outcome.exitCode !== 0) return outcome.exitCode;
    }
  } catch (err) {
    io.err(`\nOh jeez, I'm sorry, the bench broke (exit 255). Here's why:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 255;
  }
  return 0;
}

/** The process entry: wires signals, stdout/stderr and exit codes. */
async function runAsProgram(): Promise<void> {
  const controller = new AbortController();
  const active: { cluster: BenchCluster | null } = { cluster: null };
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupt: stopping nodes...\n');
    controller.abort();
    void (active.cluster?.stop() ?? Promise.resolve()).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(
    process.argv.slice(2),
    { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    { signal: controller.signal, onCluster: (c) => (active.cluster = c) },
  );
  process.exitCode = code;
  // Nodes are stopped by now; do not let a stray timer keep us alive.
  setTimeout(() => process.exit(code), 100).unref();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runAsProgram();
