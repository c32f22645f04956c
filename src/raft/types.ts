// The vocabulary of the Raft core: roles, log entries, the messages nodes exchange, and the
// Output batch through which the core tells its host what to persist, send and apply.
// Message field names are snake_case because they travel as Maelstrom message bodies.
import type { Json } from '../json.ts';

export type NodeId = string;

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

/**
 * A cluster configuration (dissertation §4.1): the WHOLE membership, never a delta, so a node that
 * receives only this entry (a joiner) learns every member. Voters count in every majority; learners
 * (§4.2.1) get the log and count in none. `context` holds an opaque string per member that the core
 * never interprets (the adapter's address for it, like etcd's ConfChange context).
 */
export interface Configuration {
  voters: NodeId[];
  learners: NodeId[];
  context?: { [id: string]: string };
}

/** What a log entry carries: the no-op a new leader appends, an application command, or a configuration. */
export type EntryData = { kind: 'noop' } | { kind: 'command'; command: Json } | { kind: 'config'; config: Configuration };

export interface LogEntry {
  term: number;
  data: EntryData;
}

/** The state Raft must not forget across a crash (Figure 2: currentTerm, votedFor). */
export interface HardState {
  term: number;
  votedFor: NodeId | null;
}

/** RequestVote (§5.2), also used for pre-vote (dissertation §9.6) with pre_vote = true. */
export interface RequestVote {
  type: 'request_vote';
  /** For a pre-vote: the term the sender WOULD campaign in (its term + 1); its real term is unchanged. */
  term: number;
  candidate_id: NodeId;
  last_log_index: number;
  last_log_term: number;
  pre_vote: boolean;
  /**
   * Set on the real vote (never a pre-vote) of a campaign the leader asked for with TimeoutNow
   * (dissertation §3.10): voters grant it although they heard from that leader recently. Absent
   * means false, so nodes of an older version still understand each other.
   */
  transfer?: boolean;
}

export interface RequestVoteResult {
  type: 'request_vote_result';
  /** The voter's term; for a granted pre-vote, the term that was asked about. */
  term: number;
  vote_granted: boolean;
  pre_vote: boolean;
}

/** AppendEntries (§5.3). With no entries it is the heartbeat. */
export interface AppendEntries {
  type: 'append_entries';
  term: number;
  leader_id: NodeId;
  prev_log_index: number;
  prev_log_term: number;
  entries: LogEntry[];
  leader_commit: number;
  /** The leader's heartbeat round when this was sent; echoed back so ReadIndex can prove leadership. */
  round: number;
  /**
   * The leader's heartbeat interval (optional on the wire). Followers never time out sooner than a few
   * of these, so a leader that slowed its heartbeats for a slow network is not deposed by a follower
   * whose own estimate is lower.
   */
  heartbeat_ms?: number;
  /**
   * The minimum election timeout the leader derived for the network it measures (optional on the
   * wire). A follower measures little itself, so it takes the leader's figure when it is the higher:
   * the leader sees every follower's round trips, and a timeout that covers its heartbeats' jitter
   * keeps the follower from campaigning against it.
   */
  election_timeout_ms?: number;
}

export interface AppendEntriesResult {
  type: 'append_entries_result';
  term: number;
  success: boolean;
  /** On success: prev_log_index + entries.length, the highest index known to match the leader. */
  match_index: number;
  /** The prev_log_index of the request being answered, so the leader can spot stale rejections. */
  reject_index: number;
  /** On rejection, where the leader should retry from (fast back-off, §5.3 "optimization"). */
  conflict_index: number;
  /** On rejection, the term of the follower's entry at prev_log_index, or null if it has none. */
  conflict_term: number | null;
  /**
   * The round of the AppendEntries answered, echoed only when the request was of the reply's term;
   * 0 (no round) when a stale request is answered with a newer term.
   */
  round: number;
}

/**
 * InstallSnapshot (§7, dissertation §5.1.3): one chunk of the leader's snapshot, for a follower that
 * needs entries the leader has discarded. Chunks go one at a time, in order, from offset 0.
 */
export interface InstallSnapshot {
  type: 'install_snapshot';
  term: number;
  leader_id: NodeId;
  /** The snapshot replaces the log up to and including this index, whose entry had this term. */
  last_included_index: number;
  last_included_term: number;
  /** Where this chunk starts in the serialized state (in characters). */
  offset: number;
  data: string;
  /** This is the last chunk. */
  done: boolean;
  /** The leader's heartbeat round, echoed back like AppendEntries' (ReadIndex). */
  round: number;
  /** The configuration in force at last_included_index (absent: none recorded, the bootstrap one applies). */
  config?: Configuration;
}

export interface InstallSnapshotResult {
  type: 'install_snapshot_result';
  term: number;
  last_included_index: number;
  /** How much of this snapshot the follower holds: where the next chunk should start. */
  next_offset: number;
  /** The follower now holds the whole snapshot (installed now or already covered by its log). */
  done: boolean;
  round: number;
}

/** TimeoutNow (dissertation §3.10): the leader tells a caught-up follower to campaign at once. */
export interface TimeoutNow {
  type: 'timeout_now';
  term: number;
  leader_id: NodeId;
}

export type RaftMessage =
  | RequestVote
  | RequestVoteResult
  | AppendEntries
  | AppendEntriesResult
  | InstallSnapshot
  | InstallSnapshotResult
  | TimeoutNow;
export type RaftMessageType = RaftMessage['type'];
export const RAFT_MESSAGE_TYPES: readonly RaftMessageType[] = [
  'request_vote',
  'request_vote_result',
  'append_entries',
  'append_entries_result',
  'install_snapshot',
  'install_snapshot_result',
  'timeout_now',
];

/** The messages of an election: rare, and every one of them on a failover's critical path. */
export const ELECTION_MESSAGE_TYPES: readonly RaftMessageType[] = ['request_vote', 'request_vote_result', 'timeout_now'];

/** Where a snapshot ends in the log: its last included entry. */
export interface SnapshotMeta {
  index: number;
  term: number;
  /**
   * The configuration in force at `index` (§4.1: the snapshot replaces the config entries it covers).
   * Absent: no configuration entry at or below `index`, so the bootstrap configuration applies.
   */
  config?: Configuration;
}

/** A snapshot: the state machine's state (serialized by the host, opaque to the core) after applying index. */
export interface Snapshot extends SnapshotMeta {
  data: string;
}

export interface OutgoingMessage {
  to: NodeId;
  body: RaftMessage;
}

/** A committed entry, handed to the state machine exactly once, in index order. */
export interface CommittedEntry {
  index: number;
  term: number;
  data: EntryData;
}

/** The answer to a readIndex request: ok means "the state applied so far is linearizable to read". */
export type ReadOutcome =
  | { ctx: number; ok: true; index: number }
  | { ctx: number; ok: false; reason: string; leaderId: NodeId | null };

/** A change the host must make durable, in order, before sending the messages of the same batch. */
export type LogWrite =
  | { kind: 'truncate'; fromIndex: number }
  | { kind: 'append'; firstIndex: number; entries: LogEntry[] }
  /**
   * The log now starts after `snapshot` (index and term of its first discarded-through entry): nothing
   * up to that index is kept; `entries` follow it. A durable snapshot covers at least that far (a
   * leader may keep some entries its snapshot covers, for followers a little behind).
   */
  | { kind: 'compact'; snapshot: SnapshotMeta; entries: LogEntry[] };

export type LogLevel = 'info' | 'debug' | 'warn';

export interface RaftEvent {
  level: LogLevel;
  /** The role and term at the moment of the event, so log lines need no extra lookups. */
  role: Role;
  term: number;
  text: string;
}

/**
 * Everything one step of the core asks of its host. The contract (etcd's): persist hardState and
 * logWrites first, then send messages; committed entries may be applied at once, then reads answered.
 */
export interface Output {
  hardState: HardState | null;
  logWrites: LogWrite[];
  messages: OutgoingMessage[];
  committed: CommittedEntry[];
  reads: ReadOutcome[];
  events: RaftEvent[];
  /**
   * A snapshot received from the leader (§7). The host makes it durable and loads it into the state
   * machine BEFORE the log writes (which discard the log it replaces) and before applying `committed`.
   */
  installSnapshot: Snapshot | null;
  /**
   * The log since the last snapshot passed the threshold: after applying `committed`, the host
   * serializes the state machine (it is then exactly at this index), makes it durable and calls
   * snapshotSaved(). Only then does the core discard the log prefix.
   */
  snapshotWanted: SnapshotMeta | null;
  /**
   * The configuration in force changed in this batch (appended, truncated, installed with a
   * snapshot, or now committed): the latest state. The standalone transport opens and closes links
   * from it. null: unchanged.
   */
  configChanged: ConfigurationState | null;
}

/**
 * The timing the core runs on. The host may change it at any time (setTiming), e.g. from measured
 * round trips; the core never measures time itself. Values take effect at the next timer reset.
 */
export interface RaftTiming {
  /** Election timeouts are drawn uniformly from [min, max] at every reset. */
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  /** Check-quorum: a leader that heard from no majority within this window steps down. */
  checkQuorumWindowMs: number;
  /**
   * How long a hard-state write takes to become durable. A timer that starts together with such a
   * write (a candidate's new term, a granted vote) waits this much longer per write on its path,
   * because nothing it waits for can even leave before the write is done ("persist, then send").
   */
  persistAllowanceMs: number;
  /**
   * A round trip to a peer (a high estimate). A timer that starts when we ask peers something (a
   * precandidate's pre-votes, a candidate's votes) or answer a candidate (a voter waits for the new
   * leader's first AppendEntries) waits this much longer, so the election timeout itself only has to
   * cover the gaps between heartbeats, not the length of the path.
   */
  roundTripAllowanceMs: number;
  /** A batch of entries unacknowledged this long is taken as lost: the leader falls back to probing. */
  retransmitAfterMs: number;
}

export interface RaftConfig {
  id: NodeId;
  /**
   * The bootstrap configuration: every voter of the cluster, including this one. Used only while the
   * log and snapshot hold no configuration entry (a configuration in the log always wins).
   */
  nodeIds: NodeId[];
  /**
   * Started to join a running cluster: no bootstrap configuration at all (nodeIds is ignored). The
   * node is no voter, never campaigns, and waits for a leader's AppendEntries or snapshot.
   */
  join?: boolean;
  /** The leader promotes a learner once it has caught up (§4.2.1 rounds). Default true. */
  autoPromote?: boolean;
  /** Election timeouts are drawn uniformly from [min, max] at every reset. */
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  /** Check-quorum window; the minimum election timeout when absent. */
  checkQuorumWindowMs?: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Most entries in one AppendEntries. */
  maxEntriesPerMessage: number;
  /**
   * Most characters of entries in one AppendEntries (entry-size.ts's estimate), but always at least
   * one entry; absent: bounded by maxEntriesPerMessage only.
   */
  maxEntryCharsPerMessage?: number;
  /** Most AppendEntries with entries in flight to one follower while replicating optimistically. */
  maxInflightMessages: number;
  /** Snapshot once this many applied entries follow the last snapshot; 0 never snapshots. */
  snapshotThreshold: number;
  /** Most characters of serialized state in one InstallSnapshot chunk. */
  snapshotChunkSize: number;
  /** The only source of randomness: uniform in [0, 1). The host chooses it (Math.random or a seeded PRNG). */
  random: () => number;
  /**
   * The host writes the leader's new entries in the background and reports each durable prefix with
   * leaderLogDurable (dissertation §10.2.1): until then the leader does not count itself toward
   * committing them. Off (absent): every log write is durable before the host reads the next input.
   */
  leaderLogWrittenAsynchronously?: boolean;
  /** Test-only fault injection, so the simulator can prove it catches broken cores. Never set in production. */
  bugs?: { doubleVote?: boolean; commitOldTermByCounting?: boolean; changeBeforeOwnTermCommit?: boolean };
}

export interface RaftStatus {
  id: NodeId;
  role: Role;
  term: number;
  votedFor: NodeId | null;
  leaderId: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  lastLogIndex: number;
  lastLogTerm: number;
  /** The node started without the log it had (see RaftNode's constructor) and has not caught up yet. */
  logLost: boolean;
  /** The last index covered by the latest snapshot (0: none); the log holds what follows it (a leader may keep a little more). */
  snapshotIndex: number;
  /** The configuration in force (the newest in the log, committed or not). */
  configuration: ConfigurationState;
}

/**
 * Where this node stands in the configuration in force: a voter, a learner, 'joining' (started with
 * --join and no configuration heard yet), or 'removed' (the configuration no longer names it).
 */
export type Membership = 'voter' | 'learner' | 'joining' | 'removed';

export interface ConfigurationState {
  config: Configuration;
  /** The index of its log entry; 0 for the bootstrap configuration (or none, when joining). */
  index: number;
  /** Its entry is committed (the bootstrap configuration counts as committed). */
  committed: boolean;
  self: Membership;
}

/** One member as a leader sees it, for GET /admin/members. Progress fields are null on a non-leader. */
export interface MemberProgress {
  id: NodeId;
  role: 'voter' | 'learner';
  /** The member's opaque context string from the configuration (the adapter's address), if any. */
  context: string | null;
  /** Highest index known replicated there (§5.3); the leader's own last index for itself. */
  matchIndex: number | null;
  /** A learner finished a replication round within one election timeout (§4.2.1); voters: null. */
  caughtUp: boolean | null;
}

/** A single-server change (dissertation §4.2), proposed to the leader. */
export type ConfChange =
  | { type: 'add-learner'; id: NodeId; context?: string }
  | { type: 'promote'; id: NodeId }
  | { type: 'remove'; id: NodeId };

/**
 * Why a leader refused a change (nothing was appended: a definite refusal).
 * - not-leader: ask the leader (leaderId, if known).
 * - transferring: a leadership transfer is under way; retry after it.
 * - change-in-progress: an earlier change is not committed yet (one at a time).
 * - no-own-term-commit: this leader has not committed an entry of its own term yet (Ongaro 2015).
 * - unknown-member: promote/remove of a node the configuration does not name.
 * - already-member: add of a member, or promote of a voter.
 * - not-caught-up: promote of a learner that has not finished a round within an election timeout.
 * - last-voter: removing the only voter would leave nobody to commit anything.
 */
export type ConfChangeRefusal =
  | 'not-leader'
  | 'transferring'
  | 'change-in-progress'
  | 'no-own-term-commit'
  | 'unknown-member'
  | 'already-member'
  | 'not-caught-up'
  | 'last-voter';

/**
 * The answer to proposeConfChange. ok: the new configuration was appended at index (in force at once
 * on this leader); whether it commits shows in Output.committed (an entry of kind 'config' at index
 * with this term) or never (another leader's entry takes the index).
 */
export type ConfChangeResult =
  | { ok: true; index: number; term: number; config: Configuration }
  | { ok: false; reason: ConfChangeRefusal; text: string; leaderId: NodeId | null };

/** What a node starts from: its hard state and log as stored, and whether that log is known to be lost. */
export interface PersistedState {
  hardState: HardState;
  entries: readonly LogEntry[];
  /**
   * The stored hard state says this node ran before, but the log it had then is gone (its file is
   * missing, or it was never kept). The node then neither votes nor campaigns until it has caught up.
   */
  logLost?: boolean;
  /** The latest snapshot (§7): the log entries above follow it. */
  snapshot?: Snapshot | null;
}

/** A refused proposal names the leader it knows, and the target when a leadership transfer is under way. */
export type ProposeResult =
  | { ok: true; index: number; term: number }
  | { ok: false; leaderId: NodeId | null; transferringTo: NodeId | null };

/** The answer to transferLeadership: the chosen target, or why no transfer was started. */
export type TransferResult = { ok: true; target: NodeId } | { ok: false; reason: string };
