// Checks one history file for linearizability and prints the verdict.
//   node scripts/run-ts.mjs maelstrom/checker/cli.ts <file> [--format F] [--model M] [--time-limit-ms N]
// Exit status: 0 linearizable, 1 not linearizable, 2 usage or parse error, 3 unknown (time limit).
import { readFileSync } from 'node:fs';
import { canonicalJson } from './canonical-json.ts';
import { checkLinKv, type LinearizabilityResult } from './lin-kv.ts';
import type { ModelName } from './models.ts';
import { defaultModelFor, FORMAT_NAMES, guessFormat, isFormatName, parseHistory, type FormatName } from './formats/index.ts';

const USAGE = `usage: cli.ts <history-file> [--format ${FORMAT_NAMES.join('|')}] [--model cas-register|append] [--time-limit-ms N]`;

interface CliArguments {
  file: string;
  format?: FormatName;
  model?: ModelName;
  timeLimitMs?: number;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): CliArguments {
  let file: string | undefined;
  const parsed: Omit<CliArguments, 'file'> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--format') {
      const f = value();
      if (!isFormatName(f)) throw new UsageError(`unknown format '${f}'`);
      parsed.format = f;
    } else if (flag === '--model') {
      const m = value();
      if (m !== 'cas-register' && m !== 'append') throw new UsageError(`unknown model '${m}'`);
      parsed.model = m;
    } else if (flag === '--time-limit-ms') {
      const n = Number(value());
      if (!(n > 0)) throw new UsageError('--time-limit-ms needs a positive number');
      parsed.timeLimitMs = n;
    } else if (flag.startsWith('--') || file !== undefined) {
      throw new UsageError(`unexpected argument '${arg}'`);
    } else {
      file = arg;
    }
  }
  if (file === undefined) throw new UsageError('no history file given');
  return { file, ...parsed };
}

function main(): number {
  let args: CliArguments;
  let result: LinearizabilityResult;
  let format: FormatName;
  try {
    args = parseArguments(process.argv.slice(2));
    const text = readFileSync(args.file, 'utf8');
    const guessed = args.format ?? guessFormat(args.file, text);
    if (guessed === undefined) throw new UsageError(`cannot guess the format of ${args.file}; pass --format`);
    format = guessed;
    const history = parseHistory(text, format);
    const model = args.model ?? defaultModelFor(format);
    result = checkLinKv(history, { model, ...(args.timeLimitMs !== undefined ? { timeLimitMs: args.timeLimitMs } : {}) });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${error instanceof UsageError ? USAGE + '\n' : ''}`);
    return 2;
  }
  const out: string[] = [];
  const verdict = result.valid === true ? 'VALID (linearizable)' : result.valid === false ? 'INVALID (not linearizable)' : 'UNKNOWN (time limit hit)';
  out.push(`${args.file} [${format}]: ${verdict}`);
  const counts = { valid: 0, invalid: 0, unknown: 0 };
  for (const key of result.keys) counts[key.valid === true ? 'valid' : key.valid === false ? 'invalid' : 'unknown']++;
  out.push(`keys: ${result.keyCount} (${counts.valid} valid, ${counts.invalid} invalid, ${counts.unknown} unknown)`);
  for (const key of result.keys) {
    if (result.keyCount <= 20 || key.valid !== true) {
      out.push(`  key ${canonicalJson(key.key)}: ${key.valid === true ? 'valid' : key.valid === false ? 'INVALID' : 'unknown'} (${key.opCount} ops)`);
    }
    if (key.valid !== true && key.explanation) out.push(key.explanation.split('\n').map((line) => '    ' + line).join('\n'));
  }
  out.push(`checked in ${result.elapsedMs.toFixed(1)} ms`);
  process.stdout.write(out.join('\n') + '\n');
  return result.valid === true ? 0 : result.valid === false ? 1 : 3;
}

process.exitCode = main();
