// The nemesis's faults as time intervals: when the network was partitioned and when a node was
// down. The nemesis records each action as an invocation and a completion (both type 'info'), so
// consecutive entries with the same f are one action.
import type { HistoryOp, Json } from '../history.ts';

export interface PartitionPeriod {
  kind: 'partition';
  /** Seconds since test start. */
  startS: number;
  endS: number;
  /** True when the test ended with the partition still in place (it is drawn to the end). */
  openAtEnd: boolean;
  description: string;
  /** Receiver -> senders it drops, when the history says (Maelstrom's grudge). */
  grudge?: Record<string, string[]>;
}

export interface NodeDownPeriod {
  kind: 'node-down';
  node: string;
  startS: number;
  endS: number;
  openAtEnd: boolean;
}

export type FaultPeriod = PartitionPeriod | NodeDownPeriod;

const START_PARTITION = new Set(['start-partition', 'partition']);
const STOP_PARTITION = new Set(['stop-partition', 'heal']);
const KILL = new Set(['kill', 'stop-node', 'crash']);
const RESTART = new Set(['restart', 'start', 'start-node']);

/** Every string inside a JSON value (keys included): node ids can hide anywhere in a fault value. */
function stringsIn(value: Json | undefined, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      stringsIn(item, out);
    }
  }
  return out;
}

function looksLikeNodeId(s: string): boolean {
  return /^n\d+$/.test(s);
}

/** The node ids a kill/restart entry names. */
export function nodesNamed(value: Json | undefined, knownNodes: ReadonlySet<string>): string[] {
  const found = stringsIn(value).filter((s) => knownNodes.has(s) || looksLikeNodeId(s));
  return [...new Set(found)];
}

/** The grudge inside a partition value ({grudge}, or Jepsen's ["isolated", {grudge}]), if any. */
export function grudgeOf(value: Json | undefined): Record<string, string[]> | undefined {
  if (value === null || value === undefined || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return value.map((item) => grudgeOf(item)).find((g) => g !== undefined);
  const inner = value['grudge'];
  const grudge = inner !== undefined ? inner : value;
  if (grudge === null || typeof grudge !== 'object' || Array.isArray(grudge)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [receiver, senders] of Object.entries(grudge)) {
    if (!Array.isArray(senders)) return undefined;
    out[receiver] = senders.filter((s): s is string => typeof s === 'string');
  }
  return out;
}

/** A one-line account of a partition: its description if it has one, else its grudge. */
export function describePartition(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (!Array.isArray(value) && typeof value === 'object') {
    const description = value['description'];
    if (typeof description === 'string') return description;
    const grudge = value['grudge'];
    if (grudge !== undefined) return describeGrudge(grudge);
  }
  if (Array.isArray(value)) {
    // Jepsen's completion value: ["isolated", {grudge}]
    const described = value.map((item) => describePartition(item)).filter((s) => s !== '');
    if (described.length > 0) return described.join(' ');
  }
  return describeGrudge(value);
}

function describeGrudge(grudge: Json): string {
  if (grudge !== null && typeof grudge === 'object' && !Array.isArray(grudge)) {
    const parts = Object.entries(grudge).map(([receiver, senders]) => `${receiver} drops ${stringsIn(senders).join(',') || 'nothing'}`);
    if (parts.length > 0) return parts.join('; ');
  }
  return JSON.stringify(grudge);
}

/** True when no receiver drops any sender. */
export function cutsNothing(grudge: Record<string, string[]>): boolean {
  return Object.values(grudge).every((senders) => senders.length === 0);
}

/** Groups consecutive nemesis entries with the same f into one action (invocation + completion). */
interface NemesisAction {
  f: string;
  /** When it was invoked. */
  timeS: number;
  /** When it completed (the invocation's time if only one entry was recorded). */
  completedS: number;
  values: Json[];
}

function nemesisActions(history: readonly HistoryOp[]): NemesisAction[] {
  const actions: NemesisAction[] = [];
  for (const op of history) {
    if (op.process !== 'nemesis' || !Number.isFinite(op.time)) continue;
    const last = actions[actions.length - 1];
    if (last !== undefined && last.f === op.f && last.values.length < 2) {
      last.values.push(op.value);
      last.completedS = op.time / 1e9;
    } else {
      actions.push({ f: op.f, timeS: op.time / 1e9, completedS: op.time / 1e9, values: [op.value] });
    }
  }
  return actions;
}

/**
 * Partition and node-down periods. `endS` is the end of the test: a fault still in place then is
 * drawn up to it. Unpaired stops and restarts are ignored.
 */
export function faultPeriods(history: readonly HistoryOp[], endS: number, knownNodes: ReadonlySet<string> = new Set()): FaultPeriod[] {
  const periods: FaultPeriod[] = [];
  let openPartition: { startS: number; description: string; grudge?: Record<string, string[]> } | null = null;
  const period = (open: NonNullable<typeof openPartition>, endAtS: number): PartitionPeriod => ({
    kind: 'partition',
    startS: open.startS,
    endS: endAtS,
    openAtEnd: false,
    description: open.description,
    ...(open.grudge !== undefined ? { grudge: open.grudge } : {}),
  });
  const downSince = new Map<string, number>();
  for (const action of nemesisActions(history)) {
    if (START_PARTITION.has(action.f)) {
      // The completion usually carries the grudge; prefer the most detailed description.
      const description = action.values.map(describePartition).reduce((best, d) => (d.length > best.length ? d : best), '');
      const grudge = action.values.map((v) => grudgeOf(v)).find((g) => g !== undefined);
      // Maelstrom's minority-third on 3 nodes splits off floor(2/3) = 0 nodes: a start that cuts
      // nothing is no fault, so it is neither shaded nor counted (its stop then closes nothing).
      if (grudge !== undefined && cutsNothing(grudge)) continue;
      if (openPartition === null) openPartition = { startS: action.timeS, description, ...(grudge !== undefined ? { grudge } : {}) };
      else if (description !== '' && description !== openPartition.description) {
        // A new partition replacing the old one without a heal: close the old period here.
        periods.push(period(openPartition, action.timeS));
        openPartition = { startS: action.timeS, description, ...(grudge !== undefined ? { grudge } : {}) };
      } else if (openPartition.grudge === undefined && grudge !== undefined) {
        openPartition.grudge = grudge; // Jepsen puts the grudge on the completion only
      }
    } else if (STOP_PARTITION.has(action.f)) {
      if (openPartition !== null) {
        periods.push(period(openPartition, action.timeS));
        openPartition = null;
      }
    } else if (KILL.has(action.f)) {
      for (const node of action.values.flatMap((v) => nodesNamed(v, knownNodes))) {
        if (!downSince.has(node)) downSince.set(node, action.timeS);
      }
    } else if (RESTART.has(action.f)) {
      for (const node of action.values.flatMap((v) => nodesNamed(v, knownNodes))) {
        const since = downSince.get(node);
        if (since === undefined) continue;
        // A node is down from the kill's invocation until its restart (spawn + init) has completed.
        periods.push({ kind: 'node-down', node, startS: since, endS: action.completedS, openAtEnd: false });
        downSince.delete(node);
      }
    }
  }
  if (openPartition !== null) {
    periods.push({ ...period(openPartition, Math.max(endS, openPartition.startS)), openAtEnd: true });
  }
  for (const [node, since] of downSince) periods.push({ kind: 'node-down', node, startS: since, endS: Math.max(endS, since), openAtEnd: true });
  return periods.sort((a, b) => a.startS - b.startS);
}
