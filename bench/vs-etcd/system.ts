// What the vs-etcd benchmark needs of a replicated key-value store, so every experiment runs the
// same code against our standalone nodes and against etcd: members as processes (pid, signal,
// restart, data directory), what each member says about leadership and its log, a graceful
// leader move, and clients speaking one of the store's protocols.

/** One member's own view: whom it follows (a member name, null if nobody) and how far its log is applied. */
export interface MemberView {
  leader: string | null;
  appliedIndex: number;
  /** The highest index this member knows committed (the leader's is the cluster's). */
  commitIndex: number;
}

/** A client of one member: one call per operation, true when the store said it was done. */
export interface KvClient {
  put(key: string, value: string): Promise<boolean>;
  /** A linearizable read. */
  get(key: string): Promise<boolean>;
  close(): void;
}

export interface BenchSystem {
  /** 'ours' or 'etcd'. */
  readonly name: string;
  readonly members: readonly string[];
  /** The protocols its clients can speak (ours: http; etcd: grpc, gateway). */
  readonly protocols: readonly string[];
  pid(member: string): number | null;
  isRunning(member: string): boolean;
  /** Sends the signal and resolves once the process has exited. */
  stop(member: string, signal: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on its own data directory. */
  restart(member: string): void;
  dataDir(member: string): string;
  /** null when the member does not answer within timeoutMs. */
  view(member: string, timeoutMs: number): Promise<MemberView | null>;
  /** Asks the leader to hand leadership to `to`; resolves with whether it said it did. */
  moveLeader(leader: string, to: string): Promise<boolean>;
  /** `connections` bounds how many connections (HTTP) or channels (gRPC) the client opens. */
  client(member: string, protocol: string, connections: number): KvClient;
  close(): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls every member until exactly one leader is named by all running members; its name. */
export async function settledLeader(system: BenchSystem, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const running = system.members.filter((m) => system.isRunning(m));
    const views = await Promise.all(running.map((m) => system.view(m, 1000)));
    const leader = views[0]?.leader ?? null;
    if (leader !== null && running.includes(leader) && views.every((v) => v !== null && v.leader === leader)) return leader;
    await sleep(20);
  }
  throw new Error(`${system.name}: no settled leader within ${timeoutMs} ms`);
}
