// ctl's command line: global flags anywhere (`--flag value` or `--flag=value`), then the command and
// its arguments. Everything invalid is a UsageError (exit 2) before any request is sent.
import { readFileSync } from 'node:fs';
import { defaultEndpointList, EndpointError, parseEndpoints, type Endpoint } from './endpoints.ts';
import type { TlsFiles } from './http-request.ts';

export class UsageError extends Error {}

export type Command =
  | { name: 'get'; key: string }
  | { name: 'put'; key: string; value: unknown }
  | { name: 'cas'; key: string; from: unknown; to: unknown }
  | { name: 'status' }
  | { name: 'transfer-leader'; to: string | null }
  | { name: 'member-list' }
  | { name: 'member-add'; id: string; address: string }
  | { name: 'member-promote'; id: string }
  | { name: 'member-remove'; id: string };

export interface CtlOptions {
  command: Command;
  endpoints: Endpoint[];
  output: 'table' | 'json';
  dialTimeoutMs: number;
  requestTimeoutMs: number;
  commandTimeoutMs: number;
  tls: TlsFiles;
  adminToken: string | null;
}

const VALUE_FLAGS = new Set(['--endpoints', '--output', '-w', '--dial-timeout', '--request-timeout', '--command-timeout', '--cacert', '--cert', '--key', '--admin-token-file']);

/** A command-line value: JSON when it parses (`5`, `"x"`, `{"a":1}`), otherwise the text itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseMs(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new UsageError(`${flag} must be a positive number of milliseconds, got "${raw}"`);
  return Number(raw);
}

function readFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: ${(err as Error).message}`);
  }
}

function parseCommand(words: string[]): Command {
  const [name, ...rest] = words;
  const want = (n: number, shape: string): string[] => {
    if (rest.length !== n) throw new UsageError(`usage: ${shape}`);
    return rest;
  };
  switch (name) {
    case undefined:
      throw new UsageError('no command given');
    case 'get': {
      const [key] = want(1, 'get KEY') as [string];
      return { name, key };
    }
    case 'put': {
      const [key, value] = want(2, 'put KEY VALUE') as [string, string];
      return { name, key, value: parseValue(value) };
    }
    case 'cas': {
      const [key, from, to] = want(3, 'cas KEY FROM TO') as [string, string, string];
      return { name, key, from: parseValue(from), to: parseValue(to) };
    }
    case 'status':
      want(0, 'status');
      return { name };
    case 'transfer-leader':
      if (rest.length > 1) throw new UsageError('usage: transfer-leader [ID]');
      return { name, to: rest[0] ?? null };
    case 'member': {
      const [sub, ...args] = rest;
      const shape = (n: number, s: string): string[] => {
        if (args.length !== n) throw new UsageError(`usage: member ${s}`);
        return args;
      };
      switch (sub) {
        case 'list':
          shape(0, 'list');
          return { name: 'member-list' };
        case 'add': {
          const [id, address] = shape(2, 'add ID ADDRESS') as [string, string];
          if (!/^[^:\s]+:\d+$/.test(address)) throw new UsageError(`member add: ADDRESS must be HOST:PORT (the new member's peer address), got "${address}"`);
          return { name: 'member-add', id, address };
        }
        case 'promote':
          return { name: 'member-promote', id: (shape(1, 'promote ID') as [string])[0] };
        case 'remove':
          return { name: 'member-remove', id: (shape(1, 'remove ID') as [string])[0] };
        default:
          throw new UsageError(`unknown member command "${sub ?? ''}" (list, add, promote, remove)`);
      }
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

/** Returns 'help' for --help/-h. Throws UsageError on anything invalid. */
export function parseCtlArgs(argv: readonly string[], cwd: string): CtlOptions | 'help' {
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') return 'help';
    // Only "--name" and "-w" are flags, so negative numbers and "-" stay values.
    if (!arg.startsWith('--') && arg !== '-w') {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown option "${flag}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    const name = flag === '-w' ? '--output' : flag;
    if (flags.has(name)) throw new UsageError(`${name} given twice`);
    flags.set(name, value);
  }
  const command = parseCommand(words);
  const output = flags.get('--output') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got "${output}"`);

  const tls: TlsFiles = {};
  const cacert = flags.get('--cacert');
  const cert = flags.get('--cert');
  const key = flags.get('--key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (cacert !== undefined) tls.ca = readFile('--cacert', cacert);
  if (cert !== undefined) tls.cert = readFile('--cert', cert);
  if (key !== undefined) tls.key = readFile('--key', key);
  const tokenFile = flags.get('--admin-token-file');
  const adminToken = tokenFile === undefined ? null : readFile('--admin-token-file', tokenFile).toString('utf8').trim();
  if (adminToken === '') throw new UsageError(`--admin-token-file ${String(tokenFile)} is empty`);

  let endpoints: Endpoint[];
  try {
    endpoints = parseEndpoints(flags.get('--endpoints') ?? defaultEndpointList(cwd), cacert !== undefined || cert !== undefined ? 'https' : 'http');
  } catch (err) {
    if (err instanceof EndpointError) throw new UsageError(err.message);
    throw err;
  }
  const ms = (flag: string, fallback: number): number => {
    const raw = flags.get(flag);
    return raw === undefined ? fallback : parseMs(flag, raw);
  };
  return {
    command,
    endpoints,
    output,
    dialTimeoutMs: ms('--dial-timeout', 1000),
    requestTimeoutMs: ms('--request-timeout', 7000),
    commandTimeoutMs: ms('--command-timeout', 5000),
    tls,
    adminToken,
  };
}
