// Cluster configurations (dissertation chapter 4), apart from the node that uses them (as etcd keeps
// confchange/ apart from raft.go): which single-server changes are allowed, what they produce, and
// which configuration is in force at any point of the log.
//
// §4.1: a configuration is a log entry, and a server uses the newest one in its log whether or not
// it is committed. So the configuration moves with the log: forward when an entry is appended, back
// when a truncation removes it, and a snapshot records the one in force at its last index.
import type { ConfChange, ConfChangeRefusal, Configuration, ConfigurationState, LogEntry, Membership, NodeId } from './types.ts';

/** The configuration a node uses when it knows none: a joiner's, before the leader reaches it. */
export const NO_CONFIGURATION: Configuration = { voters: [], learners: [] };

export function isVoter(config: Configuration, id: NodeId): boolean {
  return config.voters.includes(id);
}

export function isMember(config: Configuration, id: NodeId): boolean {
  return config.voters.includes(id) || config.learners.includes(id);
}

/** Every member, voters first: those a leader replicates to. */
export function membersOf(config: Configuration): NodeId[] {
  return [...config.voters, ...config.learners];
}

/** Where `id` stands in `config`; 'joining' while a joiner has heard of no configuration yet. */
export function membershipOf(config: Configuration, id: NodeId, knowsNone: boolean): Membership {
  if (isVoter(config, id)) return 'voter';
  if (config.learners.includes(id)) return 'learner';
  return knowsNone ? 'joining' : 'removed';
}

/** "[1, 2, 4]" (voters), with learners after a "+": the form of the log lines. */
export function describeConfig(config: Configuration): string {
  const learners = config.learners.length > 0 ? ` + learners [${config.learners.join(', ')}]` : '';
  return `[${config.voters.join(', ')}]${learners}`;
}

export type ConfChangeCheck = { ok: true; config: Configuration } | { ok: false; reason: ConfChangeRefusal; text: string };

/**
 * The configuration `change` turns `config` into, or why it may not (the rules that depend on the
 * members alone; the leader checks the rest: one change at a time, its own term's commit).
 * `caughtUp` says whether a learner finished a replication round within an election timeout.
 */
export function applyConfChange(config: Configuration, change: ConfChange, caughtUp: (id: NodeId) => boolean): ConfChangeCheck {
  const refuse = (reason: ConfChangeRefusal, text: string): ConfChangeCheck => ({ ok: false, reason, text });
  const { id } = change;
  switch (change.type) {
    case 'add-learner': {
      if (isMember(config, id)) return refuse('already-member', `${id} is already a ${isVoter(config, id) ? 'voter' : 'learner'}`);
      const context = change.context === undefined ? config.context : { ...config.context, [id]: change.context };
      return { ok: true, config: withContext({ voters: [...config.voters], learners: [...config.learners, id] }, context) };
    }
    case 'promote': {
      if (isVoter(config, id)) return refuse('already-member', `${id} is already a voter`);
      if (!config.learners.includes(id)) return refuse('unknown-member', `${id} is not a member`);
      if (!caughtUp(id)) return refuse('not-caught-up', `${id} has not caught up with the leader yet`);
      return { ok: true, config: withContext({ voters: [...config.voters, id], learners: config.learners.filter((l) => l !== id) }, config.context) };
    }
    case 'remove': {
      if (!isMember(config, id)) return refuse('unknown-member', `${id} is not a member`);
      if (config.voters.length === 1 && isVoter(config, id)) return refuse('last-voter', `${id} is the only voter`);
      const context = config.context === undefined ? undefined : Object.fromEntries(Object.entries(config.context).filter(([k]) => k !== id));
      return { ok: true, config: withContext({ voters: config.voters.filter((v) => v !== id), learners: config.learners.filter((l) => l !== id) }, context) };
    }
    default: {
      const unreachable: never = change;
      return refuse('unknown-member', `unknown change ${JSON.stringify(unreachable)}`);
    }
  }
}

function withContext(config: Configuration, context: Configuration['context']): Configuration {
  return context === undefined || Object.keys(context).length === 0 ? config : { ...config, context };
}

/** A configuration and the index of the entry that set it (0: bootstrap, or none known). */
export interface IndexedConfiguration {
  config: Configuration;
  index: number;
}

/**
 * The configuration entries of the log, so the one in force at any index is known: the newest at or
 * below it. `base` is the one in force at the log's start (the snapshot's, or the bootstrap one);
 * `entries` are the configuration entries after it, oldest first.
 */
export class ConfigurationHistory {
  private base: IndexedConfiguration;
  private entries: IndexedConfiguration[] = [];
  /** A joiner that has heard of no configuration yet. */
  private knowsNone: boolean;

  constructor(bootstrap: Configuration | null, base: { index: number; config?: Configuration }, logEntries: readonly LogEntry[]) {
    this.knowsNone = bootstrap === null && base.config === undefined;
    this.base = base.config !== undefined ? { config: base.config, index: base.index } : { config: bootstrap ?? NO_CONFIGURATION, index: 0 };
    this.appended(base.index + 1, logEntries);
  }

  current(): IndexedConfiguration {
    return this.entries[this.entries.length - 1] ?? this.base;
  }

  /** The configuration in force, as status() and Output.configChanged report it. */
  state(self: NodeId, commitIndex: number): ConfigurationState {
    const { config, index } = this.current();
    return { config, index, committed: index <= commitIndex, self: membershipOf(config, self, this.unknown()) };
  }

  /** What a snapshot through `index` records: nothing if only the bootstrap configuration was ever in force. */
  recordedAt(index: number): { config?: Configuration } {
    const at = this.at(index);
    return at.index > 0 ? { config: at.config } : {};
  }

  /** No configuration has ever been known (a joiner the leader has not reached). */
  unknown(): boolean {
    return this.knowsNone && this.entries.length === 0;
  }

  /** The configuration in force at `index`: the newest entry at or below it. */
  at(index: number): IndexedConfiguration {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i] as IndexedConfiguration;
      if (e.index <= index) return e;
    }
    return this.base;
  }

  /** Entries appended from `firstIndex`; returns true if the configuration in force changed (§4.1: on append). */
  appended(firstIndex: number, logEntries: readonly LogEntry[]): boolean {
    let changed = false;
    logEntries.forEach((entry, i) => {
      if (entry.data.kind !== 'config') return;
      this.entries.push({ config: entry.data.config, index: firstIndex + i });
      changed = true;
    });
    return changed;
  }

  /** The log lost everything from `index` on; returns true if that undid the configuration in force. */
  truncatedFrom(index: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.index < index);
    return this.entries.length !== before;
  }

  /**
   * The log now starts after `index` (a snapshot, ours or the leader's). `config` is the snapshot's
   * record of the configuration there; without one, what we know of that index stays. Entries after
   * `kept` survive only if the log kept the entries after the snapshot. Returns true if the
   * configuration in force changed.
   */
  compacted(index: number, config: Configuration | undefined, keptEntries: boolean): boolean {
    const previous = this.current();
    const known = this.at(index);
    // Our own record keeps its entry's index; a leader's snapshot only tells us it was in force by `index`.
    this.base = config === undefined || config === known.config ? known : { config, index };
    if (config !== undefined) this.knowsNone = false;
    this.entries = keptEntries ? this.entries.filter((e) => e.index > index) : [];
    const now = this.current();
    return now.index !== previous.index || now.config !== previous.config;
  }
}

/** The leader's log line for a change it appends (`matchIndex`: the member's, for a promotion). */
export function describeChange(change: ConfChange, matchIndex: number): string {
  if (change.type === 'add-learner') return `adding ${change.id}${change.context === undefined ? '' : ` (${change.context})`} as learner`;
  if (change.type === 'promote') return `promoted ${change.id} to voter (caught up at index ${matchIndex})`;
  return `removed ${change.id} from the cluster`;
}

/** Nothing an adapter reacts to differs between the two (null: nothing reported yet). */
export function sameConfigurationState(a: ConfigurationState | null, b: ConfigurationState): boolean {
  return a !== null && a.config === b.config && a.index === b.index && a.committed === b.committed && a.self === b.self;
}
