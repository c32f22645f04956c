// The shape of a test history, shared by the workload (which records it), the checker (which
// judges it) and the report (which draws it). It mirrors a Jepsen/Maelstrom history entry.

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A client operation of the lin-kv workload, or a nemesis action. */
export interface HistoryOp {
  /** Position in the history, 0, 1, 2, ... */
  index: number;
  /** Nanoseconds since the test's relative time began (Jepsen's :time). */
  time: number;
  /** Jepsen process number of the client, or 'nemesis'. */
  process: number | 'nemesis';
  type: OpType;
  /** 'read' | 'write' | 'cas' for clients; 'start-partition', 'stop-partition', 'kill', 'start' ... for the nemesis. */
  f: string;
  /**
   * Client ops: [key, v] as in Maelstrom's history: read -> [k, null] on invoke and [k, valueRead] on ok;
   * write -> [k, v]; cas -> [k, [from, to]]. Nemesis ops: whatever describes the fault.
   */
  value: Json;
  /** For fail/info completions: [errorName, text] or a keyword-like string such as 'net-timeout'. */
  error?: Json;
  /** The node the client talked to (extra detail, ignored by the checker). */
  node?: string;
}

/** One operation on a single compare-and-set register, the unit the linearizability checker works on. */
export interface RegisterOp {
  process: number;
  type: OpType;
  f: 'read' | 'write' | 'cas';
  /** read: value read (known on ok; null = unknown / absent); write: value; cas: [from, to]. */
  value: Json;
  /** Position in the original history, for reporting. */
  index?: number;
  time?: number;
}
