import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Start-up configuration: command-line flags (Maelstrom passes anything after `--` to the binary)
// and environment variables, validated once so a bad setting stops the node with a clear message.
export type LogLevelSetting = 'debug' | 'info' | 'warn';

export interface NodeConfig {
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  logLevel: LogLevelSetting;
  preVote: boolean;
  checkQuorum: boolean;
  /** Floor of the check-quorum window (a leader steps down if no majority answered within it). */
  checkQuorumWindowMs: number;
  /** Floor of the storage service's timeout (Maelstrom's lin-kv) before a request is re-sent. */
  serviceTimeoutMs: number;
  /** Floor of how long a follower waits for the leader to answer a forwarded request. */
  forwardTimeoutMs: number;
  /** Floor of the client timeout the node assumes (Maelstrom's lin-kv client: max(10 x latency, 1000) ms). */
  clientTimeoutMs: number;
  /** True: always the values above, never derived from measured round trips. */
  fixedTiming: boolean;
  /** Directory for write-ahead log files; null keeps the log in memory (as Maelstrom never restarts a node). */
  dataDir: string | null;
  /** Snapshot and compact the log every this many applied entries; 0 keeps the whole log. */
  snapshotThreshold: number;
}

export const DEFAULT_CONFIG: NodeConfig = {
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatIntervalMs: 50,
  logLevel: 'info',
  preVote: true,
  checkQuorum: true,
  checkQuorumWindowMs: 150,
  serviceTimeoutMs: 1000,
  forwardTimeoutMs: 1000,
  clientTimeoutMs: 1000,
  fixedTiming: false,
  dataDir: join(tmpdir(), 'raft-maelstrom'),
  snapshotThreshold: 10_000,
};

export const USAGE = `usage: node.js [options]   (a Maelstrom node: JSON messages on stdin/stdout, logs on stderr)
  --election-timeout MS          base timeout T: timeouts are drawn from [T, 2T]   (env RAFT_ELECTION_TIMEOUT_MS; default 150)
                                 a floor: raised to 2 x heartbeat + measured jitter when that is more
  --election-timeout-min MS      lower bound of the election timeout range          (env RAFT_ELECTION_TIMEOUT_MIN_MS)
  --election-timeout-max MS      upper bound of the election timeout range          (env RAFT_ELECTION_TIMEOUT_MAX_MS)
  --heartbeat-interval MS        leader heartbeat period, at most T/3; kept at any latency (env RAFT_HEARTBEAT_MS; default 50)
  --check-quorum-window MS, --service-timeout MS, --forward-timeout MS, --client-timeout MS: floors of those timeouts, raised to
                                 fit measured round trips (env RAFT_CHECK_QUORUM_WINDOW_MS, RAFT_SERVICE_TIMEOUT_MS, RAFT_FORWARD_TIMEOUT_MS, RAFT_CLIENT_TIMEOUT_MS; defaults: T, 1000, 1000, 1000)
  --fixed-timing                 never derive timeouts from measured round trips     (env RAFT_FIXED_TIMING=1)
  --log-level debug|info|warn    stderr detail                                       (env RAFT_LOG; default info)
  --no-pre-vote                  campaign without asking for a pre-vote first        (env RAFT_PRE_VOTE=0)
  --no-check-quorum              leaders do not step down without a majority         (env RAFT_CHECK_QUORUM=0)
  --data-dir DIR                 where the write-ahead log files go                  (env RAFT_DATA_DIR; default $TMPDIR/raft-maelstrom)
  --no-wal                       keep the log in memory only                         (env RAFT_DATA_DIR=none)
  --snapshot-threshold N         snapshot and compact the log every N entries; 0 off (env RAFT_SNAPSHOT_THRESHOLD; default 10000)
  --help`;

export class ConfigError extends Error {}

function parseMs(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number of milliseconds, got "${raw}"`);
  return n;
}

function parseLevel(raw: string): LogLevelSetting {
  if (raw === 'debug' || raw === 'info' || raw === 'warn') return raw;
  throw new ConfigError(`log level must be debug, info or warn, got "${raw}"`);
}

function parseCount(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number >= 0, got "${raw}"`);
  return n;
}

function envFlag(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
}

const FLOOR_ENV = [
  ['checkQuorumWindowMs', 'RAFT_CHECK_QUORUM_WINDOW_MS'],
  ['serviceTimeoutMs', 'RAFT_SERVICE_TIMEOUT_MS'],
  ['forwardTimeoutMs', 'RAFT_FORWARD_TIMEOUT_MS'],
  ['clientTimeoutMs', 'RAFT_CLIENT_TIMEOUT_MS'],
] as const;

/** Flags win over environment variables, which win over defaults. Throws ConfigError on anything invalid. */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): NodeConfig | 'help' {
  let base: number | undefined;
  let min: number | undefined;
  let max: number | undefined;
  let heartbeat: number | undefined;
  let level: LogLevelSetting | undefined;
  let preVote = envFlag(env['RAFT_PRE_VOTE']);
  let checkQuorum = envFlag(env['RAFT_CHECK_QUORUM']);
  let fixedTiming = envFlag(env['RAFT_FIXED_TIMING']);
  const floors: Partial<Record<'checkQuorumWindowMs' | 'serviceTimeoutMs' | 'forwardTimeoutMs' | 'clientTimeoutMs', number>> = {};
  for (const [key, name] of FLOOR_ENV) if (env[name]) floors[key] = parseMs(name, env[name]);
  let dataDir: string | null | undefined = env['RAFT_DATA_DIR'] === 'none' ? null : env['RAFT_DATA_DIR'] || undefined;

  if (env['RAFT_ELECTION_TIMEOUT_MS']) base = parseMs('RAFT_ELECTION_TIMEOUT_MS', env['RAFT_ELECTION_TIMEOUT_MS']);
  if (env['RAFT_ELECTION_TIMEOUT_MIN_MS']) min = parseMs('RAFT_ELECTION_TIMEOUT_MIN_MS', env['RAFT_ELECTION_TIMEOUT_MIN_MS']);
  if (env['RAFT_ELECTION_TIMEOUT_MAX_MS']) max = parseMs('RAFT_ELECTION_TIMEOUT_MAX_MS', env['RAFT_ELECTION_TIMEOUT_MAX_MS']);
  if (env['RAFT_HEARTBEAT_MS']) heartbeat = parseMs('RAFT_HEARTBEAT_MS', env['RAFT_HEARTBEAT_MS']);
  if (env['RAFT_LOG']) level = parseLevel(env['RAFT_LOG']);
  let snapshotThreshold: number | undefined;
  if (env['RAFT_SNAPSHOT_THRESHOLD']) snapshotThreshold = parseCount('RAFT_SNAPSHOT_THRESHOLD', env['RAFT_SNAPSHOT_THRESHOLD']);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--election-timeout': base = parseMs(flag, value()); break;
      case '--election-timeout-min': min = parseMs(flag, value()); break;
      case '--election-timeout-max': max = parseMs(flag, value()); break;
      case '--heartbeat-interval': heartbeat = parseMs(flag, value()); break;
      case '--log-level': level = parseLevel(value()); break;
      case '--no-pre-vote': preVote = false; break;
      case '--no-check-quorum': checkQuorum = false; break;
      case '--check-quorum-window': floors.checkQuorumWindowMs = parseMs(flag, value()); break;
      case '--service-timeout': floors.serviceTimeoutMs = parseMs(flag, value()); break;
      case '--forward-timeout': floors.forwardTimeoutMs = parseMs(flag, value()); break;
      case '--client-timeout': floors.clientTimeoutMs = parseMs(flag, value()); break;
      case '--fixed-timing': fixedTiming = true; break;
      case '--data-dir': dataDir = value(); break;
      case '--no-wal': dataDir = null; break;
      case '--snapshot-threshold': snapshotThreshold = parseCount(flag, value()); break;
      case '--help': case '-h': return 'help';
      default: throw new ConfigError(`unknown argument "${arg}"`);
    }
  }

  const electionTimeoutMinMs = min ?? base ?? (max !== undefined ? max / 2 : DEFAULT_CONFIG.electionTimeoutMinMs);
  const electionTimeoutMaxMs = max ?? (base !== undefined ? 2 * base : min !== undefined ? 2 * min : DEFAULT_CONFIG.electionTimeoutMaxMs);
  const heartbeatIntervalMs = heartbeat ?? Math.min(DEFAULT_CONFIG.heartbeatIntervalMs, Math.floor(electionTimeoutMinMs / 3));
  if (electionTimeoutMinMs > electionTimeoutMaxMs) {
    throw new ConfigError(`election timeout min (${electionTimeoutMinMs} ms) is greater than max (${electionTimeoutMaxMs} ms)`);
  }
  if (heartbeatIntervalMs > electionTimeoutMinMs / 3) {
    throw new ConfigError(
      `heartbeat interval ${heartbeatIntervalMs} ms is more than a third of the minimum election timeout (${electionTimeoutMinMs} ms): followers would time out between heartbeats`,
    );
  }
  if (heartbeatIntervalMs < 1) throw new ConfigError(`heartbeat interval must be at least 1 ms (election timeout ${electionTimeoutMinMs} ms is too small)`);
  return {
    electionTimeoutMinMs,
    electionTimeoutMaxMs,
    heartbeatIntervalMs,
    logLevel: level ?? DEFAULT_CONFIG.logLevel,
    preVote: preVote ?? DEFAULT_CONFIG.preVote,
    checkQuorum: checkQuorum ?? DEFAULT_CONFIG.checkQuorum,
    checkQuorumWindowMs: floors.checkQuorumWindowMs ?? electionTimeoutMinMs,
    serviceTimeoutMs: floors.serviceTimeoutMs ?? DEFAULT_CONFIG.serviceTimeoutMs,
    forwardTimeoutMs: floors.forwardTimeoutMs ?? DEFAULT_CONFIG.forwardTimeoutMs,
    clientTimeoutMs: floors.clientTimeoutMs ?? DEFAULT_CONFIG.clientTimeoutMs,
    fixedTiming: fixedTiming ?? DEFAULT_CONFIG.fixedTiming,
    dataDir: dataDir === undefined ? DEFAULT_CONFIG.dataDir : dataDir,
    snapshotThreshold: snapshotThreshold ?? DEFAULT_CONFIG.snapshotThreshold,
  };
}
