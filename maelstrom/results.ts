// The composed result of a test, shaped like Maelstrom's results.edn (keys keep Jepsen's names,
// `valid?` included), the files written next to it, and the verdict lines printed at the end.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinearizabilityResult } from './checker/index.ts';
import type { ClusterNetStats, NetStats } from './cluster.ts';
import type { HistoryOp, Json } from './history.ts';
import { partitionAvailability, partitionAvailabilityLines, type PartitionAvailability } from './partition-availability.ts';

export type Validity = boolean | 'unknown';

export const VERDICT_VALID = 'Everything looks good! ヽ(‘ー`)ノ';
export const VERDICT_INVALID = 'Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻';
export const VERDICT_UNKNOWN = 'Errors occurred during analysis, but no anomalies found. ಠ~ಠ';

export interface OpCounts {
  count: number;
  'ok-count': number;
  'fail-count': number;
  'info-count': number;
}

export interface StatsResult extends OpCounts {
  'valid?': Validity;
  'by-f': Record<string, OpCounts & { 'valid?': Validity }>;
}

export interface NetGroupResult {
  'send-count': number;
  'recv-count': number;
  'msg-count': number;
  'msgs-per-op'?: number;
}

export interface TestResults {
  'valid?': Validity;
  workload: {
    'valid?': Validity;
    results: Record<string, { 'valid?': Validity; 'op-count': number; explanation?: string }>;
    failures: Json[];
    'elapsed-ms'?: number;
    error?: string;
  };
  stats: StatsResult;
  availability: { 'valid?': Validity; 'ok-fraction': number };
  /** Bench extension (not in Maelstrom): ok-fraction of ops started healthy vs. under each partition shape. */
  'partition-availability'?: PartitionAvailability;
  net: { all: NetGroupResult; clients: NetGroupResult; servers: NetGroupResult; 'valid?': Validity; 'relayed-by-node'?: Record<string, number> };
  perf: { 'valid?': Validity; files?: string[]; error?: string };
  exceptions: { 'valid?': Validity; exceptions: { error: Json; count: number; example: HistoryOp }[] };
}

/** --availability: none (always valid), 'total' (every op ok) or a minimum ok fraction. */
export type AvailabilityRequirement = null | 'total' | number;

export interface ResultInputs {
  history: readonly HistoryOp[];
  linearizability: LinearizabilityResult | { error: string };
  net: ClusterNetStats;
  perf: { files: string[] } | { error: string };
  availability: AvailabilityRequirement;
}

export function composeResults(inputs: ResultInputs): TestResults {
  const workload = workloadResult(inputs.linearizability);
  const stats = statsResult(inputs.history);
  const availability = availabilityResult(inputs.history, inputs.availability);
  const net = netResult(inputs.history, inputs.net);
  const perf = 'error' in inputs.perf ? { 'valid?': 'unknown' as const, error: inputs.perf.error } : { 'valid?': true, files: inputs.perf.files };
  const exceptions = exceptionsResult(inputs.history);
  const valid = mergeValid([workload['valid?'], stats['valid?'], availability['valid?'], net['valid?'], perf['valid?'], exceptions['valid?']]);
  const hadPartitions = inputs.history.some((o) => o.process === 'nemesis' && o.f === 'start-partition');
  return { 'valid?': valid, workload, stats, availability, ...(hadPartitions ? { 'partition-availability': partitionAvailability(inputs.history) } : {}), net, perf, exceptions };
}

/** Jepsen's merge-valid: any false -> false; else any unknown -> unknown; else true. */
export function mergeValid(values: readonly Validity[]): Validity {
  if (values.includes(false)) return false;
  if (values.includes('unknown')) return 'unknown';
  return true;
}

function workloadResult(lin: LinearizabilityResult | { error: string }): TestResults['workload'] {
  if ('error' in lin) return { 'valid?': 'unknown', results: {}, failures: [], error: lin.error };
  const results: TestResults['workload']['results'] = {};
  for (const k of lin.keys) {
    results[JSON.stringify(k.key)] = { 'valid?': k.valid, 'op-count': k.opCount, ...(k.explanation === undefined ? {} : { explanation: k.explanation }) };
  }
  return { 'valid?': lin.valid, results, failures: lin.invalidKeys, 'elapsed-ms': lin.elapsedMs };
}

function isClientCompletion(op: HistoryOp): boolean {
  return op.process !== 'nemesis' && op.type !== 'invoke';
}

/** Jepsen's stats checker as Maelstrom wraps it: valid iff every f that occurs has at least one :ok. */
export function statsResult(history: readonly HistoryOp[]): StatsResult {
  const count = (ops: readonly HistoryOp[]): OpCounts => ({
    count: ops.length,
    'ok-count': ops.filter((o) => o.type === 'ok').length,
    'fail-count': ops.filter((o) => o.type === 'fail').length,
    'info-count': ops.filter((o) => o.type === 'info').length,
  });
  const completions = history.filter(isClientCompletion);
  const byF: StatsResult['by-f'] = {};
  for (const f of [...new Set(completions.map((o) => o.f))].sort()) {
    const c = count(completions.filter((o) => o.f === f));
    byF[f] = { ...c, 'valid?': c['ok-count'] > 0 };
  }
  return { ...count(completions), 'by-f': byF, 'valid?': Object.values(byF).every((c) => c['valid?'] === true) };
}

export function availabilityResult(history: readonly HistoryOp[], requirement: AvailabilityRequirement): TestResults['availability'] {
  const invokes = history.filter((o) => o.process !== 'nemesis' && o.type === 'invoke').length;
  const oks = history.filter((o) => o.process !== 'nemesis' && o.type === 'ok').length;
  const fraction = invokes === 0 ? 1 : oks / invokes;
  const valid = requirement === null ? true : requirement === 'total' ? fraction === 1 : fraction >= requirement;
  return { 'valid?': valid, 'ok-fraction': fraction };
}

function netResult(history: readonly HistoryOp[], net: ClusterNetStats): TestResults['net'] {
  const opCount = history.filter((o) => o.process !== 'nemesis' && o.type === 'invoke').length;
  const group = (s: NetStats, withPerOp: boolean): NetGroupResult => ({
    'send-count': s.sendCount,
    'recv-count': s.recvCount,
    'msg-count': s.msgCount,
    ...(withPerOp && opCount > 0 ? { 'msgs-per-op': s.msgCount / opCount } : {}),
  });
  const relayed = net.relayedBySender ?? {};
  return {
    all: group(net.all, true),
    clients: group(net.clients, false),
    servers: group(net.servers, true),
    'valid?': true,
    ...(Object.keys(relayed).length > 0 ? { 'relayed-by-node': relayed } : {}),
  };
}

/** Jepsen's unhandled-exceptions: :info ops that came from an exception, grouped; always valid. */
function exceptionsResult(history: readonly HistoryOp[]): TestResults['exceptions'] {
  const groups = new Map<string, { error: Json; count: number; example: HistoryOp }>();
  for (const op of history) {
    if (op.type !== 'info' || op.process === 'nemesis' || typeof op.error !== 'string' || !op.error.startsWith('indeterminate')) continue;
    const kind = op.error.split(':').slice(0, 2).join(':');
    const g = groups.get(kind);
    if (g) g.count++;
    else groups.set(kind, { error: op.error, count: 1, example: op });
  }
  return { 'valid?': true, exceptions: [...groups.values()] };
}

export function verdictLine(valid: Validity): string {
  return valid === true ? VERDICT_VALID : valid === false ? VERDICT_INVALID : VERDICT_UNKNOWN;
}

/** Jepsen's exit status for a verdict: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeFor(valid: Validity): number {
  return valid === true ? 0 : valid === false ? 1 : 2;
}

/** EDN-like rendering, as Jepsen prints values: nil, [a b], {"k" v}. */
export function ednish(value: Json | undefined): string {
  if (value === undefined || value === null) return 'nil';
  if (Array.isArray(value)) return `[${value.map(ednish).join(' ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} ${ednish(v)}`).join(', ')}}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Errors as Jepsen prints them: :net-timeout, [:key-does-not-exist "text"]. */
function errorText(error: Json): string {
  if (typeof error === 'string') return /^[a-z-]+$/.test(error) ? `:${error}` : JSON.stringify(error);
  if (Array.isArray(error) && typeof error[0] === 'string') return `[:${error[0]} ${ednish(error[1])}]`;
  return ednish(error);
}

/** One op per line like Jepsen's history.txt: process, :type, :f, value, error, tab-separated. */
export function historyText(history: readonly HistoryOp[]): string {
  return history
    .map((op) => {
      const fields = [op.process === 'nemesis' ? ':nemesis' : String(op.process), `:${op.type}`, `:${op.f}`, ednish(op.value)];
      if (op.error !== undefined) fields.push(errorText(op.error));
      return fields.join('\t') + '\n';
    })
    .join('');
}

export function writeHistoryFiles(dir: string, history: readonly HistoryOp[]): string[] {
  const jsonl = join(dir, 'history.jsonl');
  const txt = join(dir, 'history.txt');
  writeFileSync(jsonl, history.map((op) => JSON.stringify(op) + '\n').join(''));
  writeFileSync(txt, historyText(history));
  return [jsonl, txt];
}

export function writeResultsFile(dir: string, results: TestResults): string {
  const path = join(dir, 'results.json');
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  return path;
}

/** The console block: a short summary of the composed result, then the verdict line. */
export function summaryLines(results: TestResults): string[] {
  const lines: string[] = [];
  const s = results.stats;
  lines.push(`ops: ${s.count} completed (${s['ok-count']} ok, ${s['fail-count']} fail, ${s['info-count']} info)`);
  for (const [f, c] of Object.entries(s['by-f'])) {
    lines.push(`  ${f}: ${c.count} (${c['ok-count']} ok, ${c['fail-count']} fail, ${c['info-count']} info)${c['valid?'] === true ? '' : '  <- no successful ' + f + ': stats invalid'}`);
  }
  lines.push(`availability: ok-fraction ${results.availability['ok-fraction'].toFixed(3)}${results.availability['valid?'] === true ? '' : ' (below requirement)'}`);
  if (results['partition-availability'] !== undefined) lines.push(...partitionAvailabilityLines(results['partition-availability']));
  const all = results.net.all;
  lines.push(`net: ${all['msg-count']} messages (${results.net.servers['msg-count']} between servers), ${all['msgs-per-op']?.toFixed(2) ?? '-'} msgs/op (${results.net.servers['msgs-per-op']?.toFixed(2) ?? '-'} server msgs/op)`);
  const relayed = results.net['relayed-by-node'];
  if (relayed !== undefined) lines.push(`relayed messages sent, by node: ${Object.entries(relayed).sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => `${n} ${c}`).join(', ')}`);
  const w = results.workload;
  const keyCount = Object.keys(w.results).length;
  lines.push(`linearizability: ${String(w['valid?'])} over ${keyCount} key(s)${w.failures.length > 0 ? `; invalid keys: ${w.failures.map((k) => JSON.stringify(k)).join(', ')}` : ''}${w.error ? `; checker error: ${w.error}` : ''}`);
  for (const [key, r] of Object.entries(w.results)) {
    if (r['valid?'] === true) continue;
    lines.push(`  key ${key}: ${String(r['valid?'])}`);
    if (r.explanation) for (const l of r.explanation.split('\n')) lines.push(`    ${l}`);
  }
  if (results.perf['valid?'] !== true) lines.push(`perf: ${String(results.perf['valid?'])} (${results.perf.error ?? ''})`);
  for (const e of results.exceptions.exceptions) lines.push(`exception x${e.count}: ${ednish(e.error)}`);
  lines.push('');
  lines.push(verdictLine(results['valid?']));
  return lines;
}
