// The simulator's command line:
//   node scripts/run-ts.mjs test/sim/cli.ts --seeds 1000 [--jobs 2] [--nodes 3|5|7] [--bug NAME] [--profile mixed|churn|slow-store]
//   node scripts/run-ts.mjs test/sim/cli.ts --seed 42 --trace        (one run, every step printed)
// Seeds run in worker threads when --jobs > 1; every seed is still a deterministic function of its
// number, so which thread ran it does not matter.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatFailure, formatTotals, runSeed, totals, type RunConfig, type SeedSummary } from './runner.ts';
import { INJECTED_BUGS, LATENCY_PROFILES, SCENARIO_PROFILES, type InjectedBug, type ScenarioProfile } from './scenario.ts';

const USAGE = `usage: node scripts/run-ts.mjs test/sim/cli.ts [options]
  --seeds N          run seeds 1..N (default 100)
  --from S           first seed of --seeds (default 1)
  --seed S           run the single seed S
  --trace            print every step of the run (with --seed)
  --jobs K           worker threads (default 1)
  --nodes 3|5|7      cluster size (default: drawn per seed)
  --profile P        mixed | churn | slow-store (default: drawn per seed: 30% churn, 14% slow-store)
  --latency L        constant-50 | constant-200 | exponential-100: a slow network (default: 0.5-12 ms drawn per seed)
  --bug NAME         inject ${INJECTED_BUGS.join(' | ')}; stops at the first seed that catches it
  --fault-ms MS      length of the fault phase in simulated ms (default 8000)
  --keep-going       with --bug: run every seed instead of stopping at the first failure`;

interface CliArgs {
  from: number;
  count: number;
  trace: boolean;
  jobs: number;
  keepGoing: boolean;
  config: RunConfig;
}

function parseArgs(argv: readonly string[]): CliArgs | string {
  const args: CliArgs = { from: 1, count: 100, trace: false, jobs: 1, keepGoing: false, config: {} };
  const positiveInt = (flag: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${String(raw)}`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i] as string;
      const value = () => argv[++i];
      switch (flag) {
        case '--seeds':
          args.count = positiveInt(flag, value());
          break;
        case '--from':
          args.from = positiveInt(flag, value());
          break;
        case '--seed':
          args.from = positiveInt(flag, value());
          args.count = 1;
          break;
        case '--trace':
          args.trace = true;
          break;
        case '--jobs':
          args.jobs = positiveInt(flag, value());
          break;
        case '--keep-going':
          args.keepGoing = true;
          break;
        case '--nodes': {
          const n = positiveInt(flag, value());
          if (![3, 5, 7].includes(n)) throw new Error('--nodes must be 3, 5 or 7');
          args.config.nodeCount = n;
          break;
        }
        case '--profile': {
          const p = value();
          const profile = SCENARIO_PROFILES.find((x) => x === p);
          if (profile === undefined) throw new Error(`--profile must be one of ${SCENARIO_PROFILES.join(', ')}`);
          args.config.profile = profile satisfies ScenarioProfile;
          break;
        }
        case '--bug': {
          const b = value();
          const bug = INJECTED_BUGS.find((x) => x === b);
          if (bug === undefined) throw new Error(`--bug must be one of ${INJECTED_BUGS.join(', ')}`);
          args.config.bug = bug satisfies InjectedBug;
          break;
        }
        case '--latency': {
          const l = value();
          const profile = LATENCY_PROFILES.find((x) => x === l);
          if (profile === undefined) throw new Error(`--latency must be one of ${LATENCY_PROFILES.join(', ')}`);
          args.config.latencyProfile = profile;
          break;
        }
        case '--fault-ms':
          args.config.faultPhaseMs = positiveInt(flag, value());
          break;
        case '--help':
          return USAGE;
        default:
          throw new Error(`unknown option ${flag}`);
      }
    }
  } catch (err) {
    return `${err instanceof Error ? err.message : String(err)}\n${USAGE}`;
  }
  return args;
}

// ------------------------------------------------------------------ worker side

interface WorkerInput {
  config: RunConfig;
}
type ToWorker = { kind: 'run'; seeds: number[] } | { kind: 'stop' };
type FromWorker = { kind: 'ready' } | { kind: 'done'; summary: SeedSummary };

async function workerMain(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  port.on('message', (msg: ToWorker) => {
    if (msg.kind === 'stop') {
      port.close();
      return;
    }
    void (async () => {
      for (const seed of msg.seeds) port.postMessage({ kind: 'done', summary: await runSeed(seed, input.config) } satisfies FromWorker);
      port.postMessage({ kind: 'ready' } satisfies FromWorker);
    })();
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
}

// ------------------------------------------------------------------ main side

/** Runs seeds on `jobs` threads, handing out small batches; onResult may return false to stop early. */
async function runParallel(seeds: number[], jobs: number, config: RunConfig, onResult: (s: SeedSummary) => boolean): Promise<void> {
  const queue = seeds.slice();
  const batch = Math.max(1, Math.min(25, Math.ceil(seeds.length / (jobs * 8))));
  let stopping = false;
  await Promise.all(
    Array.from({ length: jobs }, () => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { config } satisfies WorkerInput });
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (msg: FromWorker) => {
          if (msg.kind === 'done') {
            if (!onResult(msg.summary)) stopping = true;
            return;
          }
          const next = stopping ? [] : queue.splice(0, batch);
          if (next.length === 0) {
            worker.postMessage({ kind: 'stop' } satisfies ToWorker);
            void worker.terminate().then(() => resolve());
          } else worker.postMessage({ kind: 'run', seeds: next } satisfies ToWorker);
        });
        worker.on('error', reject);
      });
    }),
  );
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stdout.write(`${parsed}\n`);
    return parsed === USAGE ? 0 : 2;
  }
  const { config } = parsed;
  const seeds = Array.from({ length: parsed.count }, (_, i) => parsed.from + i);
  const started = performance.now();
  const summaries: SeedSummary[] = [];
  const stopAtFailure = config.bug !== undefined && !parsed.keepGoing;
  let progressAt = started;
  const onResult = (s: SeedSummary): boolean => {
    summaries.push(s);
    const now = performance.now();
    if (seeds.length > 1 && now - progressAt > 10_000) {
      progressAt = now;
      process.stderr.write(`... ${summaries.length}/${seeds.length} seeds, ${summaries.filter((x) => x.failure !== null).length} failures, ${((now - started) / 1000).toFixed(0)} s\n`);
    }
    return !(stopAtFailure && s.failure !== null);
  };

  if (parsed.trace || parsed.jobs === 1 || seeds.length === 1) {
    for (const seed of seeds) {
      const trace = parsed.trace ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
      if (!onResult(await runSeed(seed, config, trace))) break;
    }
  } else {
    await runParallel(seeds, Math.min(parsed.jobs, seeds.length), config, onResult);
  }
  const wallMs = performance.now() - started;
  summaries.sort((a, b) => a.seed - b.seed);
  const t = totals(summaries);
  const out: string[] = [formatTotals(t, wallMs)];
  if (seeds.length === 1 && summaries[0] !== undefined) out.push(`trace hash:         ${summaries[0].traceHash}`);
  const first = t.failures[0];
  if (config.bug !== undefined) {
    out.push(first !== undefined ? `injected bug ${config.bug}: caught at seed ${first.seed}, after ${summaries.filter((s) => s.seed <= first.seed).length} seeds` : `injected bug ${config.bug}: NOT caught in ${summaries.length} seeds`);
  }
  if (first !== undefined) out.push('', formatFailure(first, config));
  process.stdout.write(`${out.join('\n')}\n`);
  if (config.bug !== undefined) return first !== undefined ? 0 : 1;
  return t.failures.length === 0 ? 0 : 1;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
} else if (parentPort !== null) {
  void workerMain(parentPort, workerData as WorkerInput);
}
