// Command-line parsing: Maelstrom's flags and defaults, and clear usage errors (exit 2).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parseCommandLine, type ParsedCommand } from '../../maelstrom/cli.ts';

const root = resolve(import.meta.dirname, '..', '..');
const fixture = (name: string): string => resolve(root, 'test', 'fixtures', 'nodes', name);
const base = ['test', '-w', 'lin-kv', '--bin', fixture('single-kv.mjs')];

function options(argv: string[]): Extract<ParsedCommand, { kind: 'test' }>['options'] {
  const parsed = parseCommandLine(argv, root);
  if (parsed.kind !== 'test') throw new Error(`expected a test command, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function usageError(argv: string[]): string {
  const parsed = parseCommandLine(argv, root);
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error for ${argv.join(' ')}, got ${parsed.kind}`);
  return parsed.message;
}

describe('parseCommandLine', () => {
  it("uses Maelstrom's defaults: nodes n1..n5, 60 s, rate 5, latency 0 constant, no nemesis, interval 10", () => {
    const o = options([...base, '--concurrency', '2n']);
    expect(o.nodeIds).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(o.concurrency).toBe(10);
    expect(o).toMatchObject({ timeLimitS: 60, rate: 5, latencyMs: 0, latencyDist: 'constant', nemesisIntervalS: 10, logStderr: false, availability: null, binArgs: [] });
    expect(o.nemesis.size).toBe(0);
    expect(o.storeRoot).toBe(resolve(root, 'store'));
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const o = options([
      ...base,
      '--node-count=3',
      '--concurrency',
      '4n',
      '--time-limit',
      '7.5',
      '--rate=30',
      '--latency',
      '20',
      '--latency-dist',
      'exponential',
      '--nemesis',
      'partition,kill',
      '--nemesis-interval',
      '3',
      '--test-count',
      '4',
      '--log-stderr',
      '--seed',
      '99',
      '--availability',
      '0.5',
    ]);
    expect(o.nodeIds).toEqual(['n0', 'n1', 'n2']);
    expect(o).toMatchObject({ concurrency: 12, timeLimitS: 7.5, rate: 30, latencyMs: 20, latencyDist: 'exponential', nemesisIntervalS: 3, logStderr: true, seed: 99, availability: 0.5 });
    expect([...o.nemesis].sort()).toEqual(['kill', 'partition']);
    const parsed = parseCommandLine([...base, '--node-count', '1', '--concurrency', '2', '--test-count', '4'], root);
    expect(parsed.kind === 'test' && parsed.testCount).toBe(4);
  });

  it('passes everything after -- (or --bin-args) and other positional arguments to the node', () => {
    expect(options([...base, '--node-count', '1', '--concurrency', '2n', '--', '--election-timeout', '150', 'x']).binArgs).toEqual(['--election-timeout', '150', 'x']);
    expect(options([...base, '--node-count', '1', '--concurrency', '2n', '--bin-args', '--rate', '3']).binArgs).toEqual(['--rate', '3']);
    expect(options(['test', 'extra', ...base.slice(1), '--node-count', '1', '--concurrency', '2']).binArgs).toEqual(['extra']);
  });

  it('rejects unknown flags and bad values with a message naming the problem', () => {
    const nc = ['--node-count', '3', '--concurrency', '2n'];
    expect(usageError([...base, ...nc, '--frobnicate'])).toMatch(/unknown option --frobnicate/);
    expect(usageError([...base, ...nc, '--rate', 'fast'])).toMatch(/--rate must be a number/);
    expect(usageError([...base, ...nc, '--rate', '-1'])).toMatch(/--rate must be at least 0/);
    expect(usageError([...base, ...nc, '--time-limit', '0'])).toMatch(/--time-limit must be greater than 0/);
    expect(usageError([...base, '--node-count', '0', '--concurrency', '2n'])).toMatch(/--node-count must be an integer from 1 to 10/);
    expect(usageError([...base, '--node-count', '11', '--concurrency', '2n'])).toMatch(/--node-count/);
    expect(usageError([...base, ...nc, '--latency-dist', 'pareto'])).toMatch(/--latency-dist must be one of constant, uniform, exponential/);
    expect(usageError([...base, ...nc, '--nemesis', 'partition,clock'])).toMatch(/unknown fault "clock"/);
    expect(usageError([...base, ...nc, '--nemesis-interval', '0'])).toMatch(/--nemesis-interval/);
    expect(usageError([...base, ...nc, '--seed', '1.5'])).toMatch(/--seed must be an integer/);
    expect(usageError([...base, ...nc, '--availability', '2'])).toMatch(/--availability/);
    expect(usageError([...base, ...nc, '--rate'])).toMatch(/--rate needs a value/);
    expect(usageError([...base, ...nc, '--log-stderr=yes'])).toMatch(/takes no value/);
    expect(usageError(['test', '-w', 'broadcast', '--bin', fixture('single-kv.mjs')])).toMatch(/only lin-kv/);
    expect(usageError(['test', '-w', 'lin-kv'])).toMatch(/--bin PATH is required/);
    expect(usageError(['test', '--bin', 'nowhere/node.js', ...nc])).toMatch(/--bin nowhere\/node.js: no such file/);
    expect(usageError(['test', '--bin', fixture('_io.mjs'), ...nc])).toMatch(/not executable/);
    expect(usageError(['run', '--bin', fixture('single-kv.mjs')])).toMatch(/only `test`/);
    expect(usageError([])).toMatch(/missing command/);
  });

  it('rejects a concurrency lin-kv cannot run (not a multiple of 2n, including the default 1n)', () => {
    expect(usageError([...base, '--node-count', '3'])).toMatch(/multiple of 2 x node count \(6\), got 3; try --concurrency 2n/);
    expect(usageError([...base, '--node-count', '3', '--concurrency', '9'])).toMatch(/got 9/);
    expect(usageError([...base, '--node-count', '3', '--concurrency', 'lots'])).toMatch(/--concurrency must be an integer/);
    expect(options([...base, '--node-count', '3', '--concurrency', '18']).concurrency).toBe(18);
  });

  it('main prints the usage error on stderr and returns 2; --help prints usage and returns 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main([...base, '--bogus'], { out: (l) => out.push(l), err: (l) => err.push(l) }, {}, root)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^maelstrom: unknown option --bogus\n\nusage: /);
    expect(await main(['--help'], { out: (l) => out.push(l), err: (l) => err.push(l) }, {}, root)).toBe(0);
    expect(out.join('\n')).toMatch(/^usage: npm run maelstrom -- test -w lin-kv --bin PATH/);
  });

  it('exits 2 as a process, with the message on stderr and nothing on stdout', () => {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'maelstrom/cli.ts', 'test', '-w', 'lin-kv', '--bin', 'dist/node.js', '--node-count', '3', '--concurrency', '5'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/maelstrom: lin-kv needs a concurrency that is a multiple of 2 x node count \(6\), got 5/);
  });
});
