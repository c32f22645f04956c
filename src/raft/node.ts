// The Raft core: a deterministic state machine in the style of etcd's raft library.
//
// It never reads a clock, sets a timer, draws a random number of its own or does I/O. The host
// feeds it messages (step), the passage of time (tick, with the current time in ms), client
// proposals and read requests, then collects an Output batch (takeOutput) that says what to
// persist, what to send, what to apply and what to log. The host must persist the batch's hard
// state and log writes before sending its messages (and before any reply that depends on them).
//
// Section numbers refer to the Raft paper (Ongaro & Ousterhout 2014) and Ongaro's dissertation.
import type { Json } from '../json.ts';
import { prefixWithin } from './entry-size.ts';
import { applyConfChange, ConfigurationHistory, describeChange, describeConfig, isVoter, sameConfigurationState } from './configuration.ts';
import { RaftLog } from './log.ts';
import { snapshotChunk, SnapshotReceiver } from './snapshot-chunks.ts';
import { ReadQueue } from './read-queue.ts';
import { staleReply } from './stale-replies.ts';
import { followerTiming, HEARTBEATS_PER_TIMEOUT, initialTiming, isSensibleTiming } from './timing.ts';
import type { Progress, SnapshotTransfer } from './progress.ts';
import { tallyVoters } from './quorum.ts';
import { memberProgress, mostUpToDate, ProgressTracker } from './tracker.ts';
import { refusalReason, refusesPreVoteTie } from './votes.ts';
import { transferRefusal, type LeadershipTransfer } from './transfer.ts';
import type {
  AppendEntries,
  AppendEntriesResult,
  CommittedEntry,
  ConfChange,
  ConfChangeRefusal,
  ConfChangeResult,
  Configuration,
  ConfigurationState,
  EntryData,
  InstallSnapshot,
  InstallSnapshotResult,
  LogEntry,
  LogLevel,
  LogWrite,
  MemberProgress,
  NodeId,
  OutgoingMessage,
  Output,
  PersistedState,
  ProposeResult,
  RaftConfig,
  RaftEvent,
  RaftMessage,
  RaftStatus,
  RaftTiming,
  ReadOutcome,
  RequestVote,
  RequestVoteResult,
  Role,
  Snapshot,
  SnapshotMeta,
  TimeoutNow,
  TransferResult,
} from './types.ts';

/** Terms and indexes on the wire must be non-negative safe integers; anything else is refused. */
export function isValidTerm(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export class RaftInvariantError extends Error {}

export { HEARTBEATS_PER_TIMEOUT, initialTiming } from './timing.ts';

function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftInvariantError(`raft invariant violated: ${message}`);
}

export class RaftNode {
  readonly id: NodeId;
  private readonly config: RaftConfig;
  private timing: RaftTiming;
  /** The configurations in the log (§4.1): the newest one is in force, committed or not. */
  private readonly configs: ConfigurationHistory;
  /** The configuration state last reported in Output.configChanged (null: none yet). */
  private reportedConfig: ConfigurationState | null = null;

  // Persistent state (Figure 2).
  private term: number;
  private votedFor: NodeId | null;
  private readonly log: RaftLog;
  /** The latest durable snapshot (§7): what a follower gets when it needs entries the log no longer holds. */
  private snapshot: Snapshot | null;

  // Volatile state.
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  private commitIndex = 0;
  private appliedIndex = 0;
  /** Started without its log and not caught up yet: no votes, no pre-votes, no campaigns (§5.4). */
  private logLost: boolean;
  /** Leader: when members a committed change removed stop getting heartbeats (null: none pending). */
  private departedUntil: number | null = null;
  /** 'removed from the cluster' was logged for the configuration in force. */
  private removedAnnounced = false;
  /** The term in which we last said we are not campaigning, so the line appears once per term. */
  private quietTermLogged = -1;
  /** Index of the snapshot asked of the host and not yet reported saved (0: none). */
  private snapshotAsked = 0;
  private readonly incoming = new SnapshotReceiver();

  // Time: absolute deadlines in the host's milliseconds.
  private electionDeadline: number;
  private heartbeatDue = Infinity;
  /** The time of the latest input that told us the time (propose() does not). */
  private latestNow: number;
  private quorumCheckDue = Infinity;
  /** When we last accepted an AppendEntries from the current leader (leader stickiness). */
  private lastLeaderContact = -Infinity;
  private lastHeartbeatLogAt = -Infinity;
  /**
   * The shortest election timeout the current leader's announcement allows: its minimum timeout, and
   * HEARTBEATS_PER_TIMEOUT of its heartbeat intervals (0: nothing announced).
   */
  private leaderTimeoutFloorMs = 0;

  // Elections. Real votes are for this.term and count only while votedFor is us: they still count
  // after our timer fired and we went back to pre-voting in the same term (late votes, §5.2).
  // Pre-votes are for the term we seek, this.term + 1, and survive a pre-vote timer that fires again.
  private votes = new Map<NodeId, boolean>();
  private preVotes = new Map<NodeId, boolean>();
  /** True during a precandidate's first round of pre-votes for its next term (see yieldsPreVoteTie). */
  private firstPreVoteRound = false;

  // Leader state.
  private readonly progress: ProgressTracker;
  private roundsSent = 0;
  private roundConfirmed = 0;
  private readRoundWanted = false;
  private readonly reads = new ReadQueue();
  private transfer: LeadershipTransfer | null = null;

  // The Output being assembled.
  private out: Output = RaftNode.emptyOutput();
  private hardStateDirty = false;

  /**
   * `config` holds the configured timing: the floors (a follower never times out sooner than the
   * configured minimum). `timing`, if given, is what the host has measured so far and applies from
   * the first election timer on, as if setTiming had been called; it never becomes a floor.
   */
  constructor(config: RaftConfig, persisted: PersistedState, now: number, timing?: RaftTiming) {
    invariant(config.join === true || config.nodeIds.includes(config.id), `node ${config.id} is not in its own cluster`);
    invariant(isValidTerm(persisted.hardState.term), 'persisted term is not a non-negative integer');
    this.config = config;
    this.timing = initialTiming(config);
    if (timing !== undefined) this.setTiming(timing);
    this.id = config.id;
    this.progress = new ProgressTracker(config.id);
    this.term = persisted.hardState.term;
    this.votedFor = persisted.hardState.votedFor;
    this.snapshot = persisted.snapshot ?? null;
    const base: SnapshotMeta = this.snapshot === null ? { index: 0, term: 0 } : { index: this.snapshot.index, term: this.snapshot.term };
    this.log = new RaftLog(persisted.entries, base);
    const bootstrap: Configuration | null = config.join === true ? null : { voters: [...config.nodeIds], learners: [] };
    const snapshotConfig = this.snapshot?.config;
    this.configs = new ConfigurationHistory(bootstrap, snapshotConfig === undefined ? { index: base.index } : { index: base.index, config: snapshotConfig }, persisted.entries);
    // The snapshot holds only committed entries, and the host loads it into the state machine.
    this.commitIndex = base.index;
    this.appliedIndex = base.index;
    this.logLost = persisted.logLost === true;
    // Alone, there is nobody to wait for: campaign at once instead of after a timeout.
    this.latestNow = now;
    this.electionDeadline = this.aloneInCluster() ? now : now + this.randomElectionTimeout();
    const fromSnapshot = base.index > 0 ? ` (snapshot through ${base.index})` : '';
    this.emit('info', `started as follower, term ${this.term}, log length ${this.log.lastIndex()}${fromSnapshot}`);
    if (this.logLost) this.startWithoutLog();
  }

  /**
   * §5.4 (leader completeness) rests on every committed entry being held by a majority that keeps it:
   * a voter only grants its vote to a candidate whose log is at least as up to date as its own. A node
   * whose log is gone may have been part of such a majority, so with an empty log it would vote for
   * a candidate that lacks committed entries. It therefore neither votes nor campaigns until it holds
   * again everything it may once have acknowledged.
   *
   * When is that? Everything it acknowledged was acknowledged in a term <= its stored term S (a reply
   * is only sent once its term is durable). We move to S + 1 at once, with no vote (as on hearing a
   * newer term). Once a leader of our term L > S tells us a commit index whose entry is of term L,
   * our log matches that leader's up to there, and (1) an entry committed in a term before L is in
   * that leader's log (§5.4.3) below its first entry of term L, so in ours; (2) an entry committed in
   * term L or later was committed with acknowledgements of that term, never with our lost ones.
   * Meanwhile we accept and acknowledge AppendEntries: a lone acknowledgement never lets a leader
   * lacking a committed entry win, since such a leader still needs votes, which we do not give.
   */
  private startWithoutLog(): void {
    this.term += 1;
    this.votedFor = null;
    this.hardStateDirty = true;
    this.emit('warn', `log lost: not voting or campaigning until caught up from a leader (moved to term ${this.term}, in which this node acknowledged nothing)`);
  }

  private static emptyOutput(): Output {
    return { hardState: null, logWrites: [], messages: [], committed: [], reads: [], events: [], installSnapshot: null, snapshotWanted: null, configChanged: null };
  }

  // ---------------------------------------------------------------- public interface

  status(): RaftStatus {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      votedFor: this.votedFor,
      leaderId: this.leaderId,
      commitIndex: this.commitIndex,
      appliedIndex: this.appliedIndex,
      lastLogIndex: this.log.lastIndex(),
      lastLogTerm: this.log.lastTerm(),
      logLost: this.logLost,
      snapshotIndex: this.snapshotIndex(),
      configuration: this.configurationState(),
    };
  }

  /** A read-only view of the entries the log still holds (those after the snapshot), for tests and the simulator. */
  logEntries(): LogEntry[] {
    return this.log.slice(this.log.snapshotIndex() + 1, this.log.lastIndex());
  }

  /**
   * The host made `snapshot` durable (it asked for it through Output.snapshotWanted). Only now may
   * the log prefix it covers go, in memory and, through a 'compact' log write, on disk (§7).
   */
  snapshotSaved(snapshot: Snapshot): void {
    if (snapshot.index === this.snapshotAsked) this.snapshotAsked = 0;
    if (snapshot.index <= this.snapshotIndex()) {
      this.emit('debug', `snapshot through ${snapshot.index} is not newer than the one held (${this.snapshotIndex()}): ignored`);
      return;
    }
    invariant(snapshot.index <= this.appliedIndex, `snapshot through ${snapshot.index} covers entries not applied yet (applied ${this.appliedIndex})`);
    invariant(this.log.termAt(snapshot.index) === snapshot.term, `snapshot through ${snapshot.index} has term ${snapshot.term}, the log says ${String(this.log.termAt(snapshot.index))}`);
    this.snapshot = snapshot;
    const through = this.compactionPoint(snapshot.index);
    if (through <= this.log.snapshotIndex()) return;
    const meta: SnapshotMeta = { index: through, term: this.log.termAt(through) as number, ...this.configs.recordedAt(through) };
    const kept = this.log.compactTo(meta);
    this.configs.compacted(through, undefined, true);
    this.out.logWrites.push({ kind: 'compact', snapshot: meta, entries: kept });
    this.emit('info', `compacted the log through index ${through} (term ${meta.term}; snapshot through ${snapshot.index}); ${kept.length} entries follow`);
  }

  /**
   * New timing from the host (e.g. derived from measured round trips). Running timers keep their
   * deadlines; the new values apply from the next reset. Nonsense (min > max, non-positive) is refused.
   */
  setTiming(timing: RaftTiming): void {
    if (!isSensibleTiming(timing)) {
      this.emit('warn', `refusing timing ${JSON.stringify(timing)}`);
      return;
    }
    this.timing = { ...timing };
  }

  /** The timing in force: a follower's stretches to what its leader announces (see followerTiming). */
  private effectiveTiming(): RaftTiming {
    return followerTiming(this.config, this.timing, this.role === 'leader' ? 0 : this.leaderTimeoutFloorMs);
  }

  /** The earliest time at which tick() has something to do. */
  nextDeadline(): number {
    if (this.role === 'leader') return Math.min(this.heartbeatDue, this.quorumCheckDue, this.transfer?.deadline ?? Infinity);
    return this.electionDeadline;
  }

  /** Advances time: election timeouts for followers and candidates, heartbeats and check-quorum for leaders. */
  tick(now: number): void {
    this.latestNow = now;
    if (this.role === 'leader') {
      if (now >= this.heartbeatDue) this.broadcastHeartbeat(now);
      if (now >= this.quorumCheckDue) this.checkQuorum(now);
      if (this.transfer !== null && now >= this.transfer.deadline) this.endTransfer('abandoned', now);
      return;
    }
    if (now >= this.electionDeadline && !this.mayCampaign()) {
      this.waitForCatchUp(now);
      return;
    }
    if (now >= this.electionDeadline) {
      this.emit('info', `election timeout fired (${this.role}, leader ${this.leaderId ?? 'unknown'})`);
      if (this.config.preVote && !this.aloneInCluster()) this.becomePreCandidate(now);
      else this.becomeCandidate(now);
    }
  }

  /**
   * An election timeout while the log is lost, or while we are no voter (a learner, a joiner, a
   * removed server, §4.2): the leader is presumed gone, but we do not campaign.
   */
  private waitForCatchUp(now: number): void {
    this.leaderId = null;
    this.resetElectionTimer(now);
    if (this.quietTermLogged === this.term) return;
    this.quietTermLogged = this.term;
    const why = this.logLost ? 'log lost, waiting to catch up from a leader' : `this node is ${this.configurationState().self === 'learner' ? 'a learner' : 'no member'}`;
    this.emit('info', `no leader heard within the election timeout; not campaigning: ${why}`);
  }

  /** Appends a command to the log if this node leads; replication happens when the output is taken. */
  propose(command: Json): ProposeResult {
    if (this.role !== 'leader') return { ok: false, leaderId: this.leaderId, transferringTo: null };
    // §3.10: new entries would keep the target behind forever; they wait for the transfer to end.
    if (this.transfer !== null) return { ok: false, leaderId: this.id, transferringTo: this.transfer.target };
    const index = this.appendToOwnLog({ kind: 'command', command }, this.latestNow);
    return { ok: true, index, term: this.term };
  }

  /**
   * ReadIndex (dissertation §6.4): asks for permission to serve a linearizable read. The answer comes
   * back in Output.reads with the same ctx, once leadership is confirmed by a majority and the state
   * machine has applied everything committed when the read arrived.
   */
  readIndex(ctx: number): void {
    if (this.role !== 'leader') {
      this.out.reads.push({ ctx, ok: false, reason: 'not the leader', leaderId: this.leaderId });
      return;
    }
    if (this.log.termAt(this.commitIndex) !== this.term) {
      this.reads.awaitingFirstCommit.push(ctx);
      return;
    }
    this.registerRead(ctx);
  }

  /** Handles one message from a peer. Terms are settled here, in one place, before the role sees it. */
  step(from: NodeId, msg: RaftMessage, now: number): void {
    this.latestNow = now;
    if (!isValidTerm(msg.term)) {
      this.emit('warn', `refusing ${msg.type} from ${from}: term ${String(msg.term)} is not a non-negative integer`);
      return;
    }
    // §4.1: servers process requests without consulting their configuration (a leader we have not
    // yet heard is a member, a candidate our configuration does not name yet): only our own are odd.
    if (from === this.id) {
      this.emit('warn', `refusing ${msg.type} from ${from}: it is this node's own id`);
      return;
    }

    if (msg.term > this.term) {
      // A campaign the leader asked for (TimeoutNow) is the one exception to stickiness.
      const transferCampaign = msg.type === 'request_vote' && msg.transfer === true && !msg.pre_vote;
      if (msg.type === 'request_vote' && !transferCampaign && this.inLease(now)) {
        // Leader stickiness (§4.2.3, check-quorum): a live leader exists, so a disruptive candidate
        // must not make us change term. A vote request is ignored entirely. A pre-vote is refused:
        // that changes nothing here either, and the precandidate learns now, not a timer later, that
        // we are not with it (so it can grant a peer's pre-vote instead; see refusesPreVoteTie).
        const leader = this.leaderId ?? this.id;
        if (msg.pre_vote) {
          this.emit('info', `refused pre-vote to ${from} for term ${msg.term}: leader ${leader} is alive`);
          this.send(from, { type: 'request_vote_result', term: this.term, vote_granted: false, pre_vote: true });
        } else {
          this.emit('debug', `ignoring vote request from ${from} for term ${msg.term}: leader ${leader} is alive`);
        }
        return;
      }
      const isPreVoteTraffic =
        (msg.type === 'request_vote' && msg.pre_vote) || (msg.type === 'request_vote_result' && msg.pre_vote && msg.vote_granted);
      if (!isPreVoteTraffic) {
        if (this.transfer !== null && from === this.transfer.target) this.endTransfer('done', now);
        // Figure 2, "Rules for all servers": a higher term makes us a follower first. An append_entries
        // names the new leader at once, so a deposed leader's failed reads can point clients to it.
        const fromLeader = msg.type === 'append_entries' || msg.type === 'install_snapshot';
        this.becomeFollower(msg.term, fromLeader ? from : null, now, `saw term ${msg.term} from ${from}`);
      }
    } else if (msg.term < this.term) {
      this.answerStaleMessage(from, msg);
      return;
    }

    switch (msg.type) {
      case 'request_vote': return this.handleRequestVote(from, msg, now);
      case 'request_vote_result': return this.handleVoteResult(from, msg, now);
      case 'append_entries': return this.handleAppendEntries(from, msg, now);
      case 'append_entries_result': return this.handleAppendResult(from, msg, now);
      case 'install_snapshot': return this.handleInstallSnapshot(from, msg, now);
      case 'install_snapshot_result': return this.handleSnapshotResult(from, msg, now);
      case 'timeout_now': return this.handleTimeoutNow(from, msg, now);
      default: {
        const unreachable: never = msg;
        throw new RaftInvariantError(`unknown raft message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * Returns what the host must do now and starts a new batch. Replication to followers is sent here,
   * so proposals made in one batch travel together.
   */
  takeOutput(now: number): Output {
    if (this.role === 'leader') {
      for (const peer of this.progress.peers()) this.sendAppendIfDue(peer, now);
      this.maybeStartReadRound(now);
    }
    // The host loads an installed snapshot into its state machine before applying `committed`:
    // it counts as applied when it is handed over.
    if (this.out.installSnapshot !== null) this.appliedIndex = Math.max(this.appliedIndex, this.out.installSnapshot.index);
    this.applyCommitted();
    this.maybeAskForSnapshot();
    this.releaseAppliedReads();
    this.reportConfigurationChange();
    if (this.hardStateDirty) {
      this.out.hardState = { term: this.term, votedFor: this.votedFor };
      this.hardStateDirty = false;
    }
    const out = this.out;
    this.out = RaftNode.emptyOutput();
    return out;
  }

  // ---------------------------------------------------------------- role changes

  private becomeFollower(term: number, leaderId: NodeId | null, now: number, reason: string): void {
    invariant(term >= this.term, `term would go back from ${this.term} to ${term}`);
    const previousRole = this.role;
    const previousLeader = this.leaderId;
    const previousTerm = this.term;
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
      this.hardStateDirty = true;
    }
    this.role = 'follower';
    if (leaderId !== previousLeader || term !== previousTerm) this.leaderTimeoutFloorMs = 0;
    this.leaderId = leaderId;
    this.votes.clear();
    this.preVotes.clear();
    if (previousRole === 'leader') {
      this.endTransfer('abandoned', now);
      this.leaveLeadership();
      // A leader runs no election timer; a follower needs one.
      this.resetElectionTimer(now);
    } else if (previousRole === 'candidate' || previousRole === 'precandidate') {
      // The campaign is over, and with it the wait for its writes (the persist allowances on top of
      // the timeout). Keeping them would leave this node out of elections longer than its peers: a
      // node whose own service estimate runs high could be outpaced for ever by one with a shorter
      // log (seen without pre-vote at 200 ms: 30 s without a leader). A round trip stays: whoever
      // beat us needs one before its first heartbeat reaches us. Only ever earlier, never later.
      this.electionDeadline = Math.min(this.electionDeadline, now + this.timing.roundTripAllowanceMs + this.randomElectionTimeout());
    }
    if (previousRole !== 'follower') this.emit('info', `stepped down to follower, term ${this.term} (${reason})`);
    else this.emit('debug', `follower now in term ${this.term} (${reason})`);
    if (leaderId !== null && (leaderId !== previousLeader || term !== previousTerm)) this.emit('info', `recognized ${leaderId} as leader for term ${this.term}`);
  }

  private becomePreCandidate(now: number): void {
    // Our term cannot have changed while we pre-voted (a higher term makes us a follower), so a timer
    // that fires again mid pre-campaign still seeks the same term: the grants we hold stay valid.
    // Refusals are forgotten, so those peers are asked again.
    const again = this.role === 'precandidate';
    const kept = again ? [...this.preVotes].filter(([id, granted]) => granted && id !== this.id) : [];
    this.role = 'precandidate';
    this.leaderId = null;
    this.preVotes = new Map([[this.id, true], ...kept]);
    this.firstPreVoteRound = !again;
    // The pre-votes need a round trip before anything can happen.
    this.resetElectionTimer(now, this.timing.roundTripAllowanceMs);
    if (again) this.emit('info', `still seeking term ${this.term + 1}: kept ${kept.length} pre-vote(s), asking again`);
    else this.emit('info', `starting pre-vote for term ${this.term + 1}`);
    this.campaign(true, now);
  }

  /** `transfer`: this campaign was asked for by the leader (TimeoutNow), so voters skip their lease. */
  private becomeCandidate(now: number, transfer = false): void {
    this.term += 1;
    this.votedFor = this.id;
    this.hardStateDirty = true;
    this.role = 'candidate';
    this.leaderId = null;
    this.incoming.reset();
    this.votes = new Map([[this.id, true]]);
    this.preVotes.clear();
    // Our RequestVotes leave only once the new term is durable, and each voter persists its vote
    // before answering: the timer covers both writes and the round trip, or slow storage or a slow
    // network would cost a term every time.
    this.resetElectionTimer(now, 2 * this.timing.persistAllowanceMs + this.timing.roundTripAllowanceMs);
    this.emit('info', `became candidate for term ${this.term}`);
    this.campaign(false, now, transfer);
  }

  private becomeLeader(now: number): void {
    invariant(this.votedFor === this.id && (this.role === 'candidate' || this.role === 'precandidate'), `only a candidate can become leader, not a ${this.role}`);
    this.role = 'leader';
    this.leaderId = this.id;
    this.leaderTimeoutFloorMs = 0;
    this.votes.clear();
    this.preVotes.clear();
    this.progress.reset(this.configs.current().config, this.log.lastIndex() + 1, now);
    this.emit('info', `elected leader for term ${this.term}`);
    this.quorumCheckDue = now + this.timing.checkQuorumWindowMs;
    this.lastHeartbeatLogAt = -Infinity; // the first heartbeat of every term is logged
    // §8: a no-op entry of the new term lets the leader commit (and learn) everything before it.
    this.appendToOwnLog({ kind: 'noop' }, now);
    this.broadcastHeartbeat(now);
  }

  private leaveLeadership(): void {
    this.departedUntil = null;
    for (const ctx of this.reads.takeAll()) this.out.reads.push({ ctx, ok: false, reason: 'lost leadership', leaderId: this.leaderId });
    this.readRoundWanted = false;
    this.progress.clear();
    this.heartbeatDue = Infinity;
    this.quorumCheckDue = Infinity;
  }

  // ---------------------------------------------------------------- elections

  private campaign(preVote: boolean, now: number, transfer = false): void {
    const body: RequestVote = {
      type: 'request_vote',
      term: preVote ? this.term + 1 : this.term,
      candidate_id: this.id,
      last_log_index: this.log.lastIndex(),
      last_log_term: this.log.lastTerm(),
      pre_vote: preVote,
      ...(transfer && !preVote ? { transfer: true } : {}),
    };
    const granted = preVote ? this.preVotes : this.votes;
    for (const peer of this.otherVoters()) if (granted.get(peer) !== true) this.send(peer, body);
    // A single-node cluster wins at once.
    if (preVote) this.countPreVotes(now);
    else this.countVotes(now);
  }

  private handleRequestVote(from: NodeId, m: RequestVote, now: number): void {
    const upToDate = this.log.isUpToDate(m.last_log_index, m.last_log_term);
    let granted: boolean;
    if (this.logLost) {
      granted = false; // see startWithoutLog: our log cannot vouch for anything yet
    } else if (m.pre_vote) {
      // Would we vote for it in the term it asks about? Nothing changes here: no term, no vote, no timer.
      granted = m.term > this.term && upToDate && !this.inLease(now) && !this.refusesPreVoteTie(from, m);
    } else {
      const freeToVote = this.votedFor === null || this.votedFor === from || this.config.bugs?.doubleVote === true;
      granted = this.role === 'follower' && freeToVote && upToDate;
    }
    const kind = m.pre_vote ? 'pre-vote' : 'vote';
    if (granted) {
      if (!m.pre_vote) {
        this.votedFor = from;
        this.hardStateDirty = true;
        // The grant leaves once the vote is durable; the new leader's first heartbeat comes a round
        // trip after that.
        this.resetElectionTimer(now, this.timing.persistAllowanceMs + this.timing.roundTripAllowanceMs);
      }
      this.emit('info', `granted ${kind} to ${from} for term ${m.term}`);
    } else {
      const why = refusalReason({ logLost: this.logLost, upToDate, preVote: m.pre_vote, tie: m.pre_vote && this.refusesPreVoteTie(from, m), votedFor: this.votedFor });
      this.emit('info', `refused ${kind} to ${from} for term ${m.term}: ${why}`);
    }
    const reply: RequestVoteResult = {
      type: 'request_vote_result',
      term: m.pre_vote && granted ? m.term : this.term,
      vote_granted: granted,
      pre_vote: m.pre_vote,
    };
    this.send(from, reply);
  }

  private refusesPreVoteTie(from: NodeId, m: RequestVote): boolean {
    const view = { self: this.id, role: this.role, firstPreVoteRound: this.firstPreVoteRound, term: this.term, lastLogIndex: this.log.lastIndex(), lastLogTerm: this.log.lastTerm(), answeredUs: this.preVotes.get(from) };
    return refusesPreVoteTie(view, from, m);
  }

  private handleVoteResult(from: NodeId, m: RequestVoteResult, now: number): void {
    // A real vote counts while we are still a candidate of this term, even if our timer has fired
    // since and we went back to pre-voting (the term is unchanged and the vote is ours: §5.2).
    const expecting = m.pre_vote ? this.role === 'precandidate' : this.votedFor === this.id && (this.role === 'candidate' || this.role === 'precandidate');
    if (!expecting) return; // a late answer to a campaign that is over
    if (m.pre_vote && m.vote_granted && m.term !== this.term + 1) return; // answer to an older pre-vote
    const ballots = m.pre_vote ? this.preVotes : this.votes;
    if (ballots.has(from)) return; // duplicates count once
    ballots.set(from, m.vote_granted);
    const kind = m.pre_vote ? 'pre-vote' : 'vote';
    if (m.vote_granted) this.emit('info', `received ${kind} from node ${from}`);
    else this.emit('info', `${kind} refused by node ${from}`);
    if (m.pre_vote) this.countPreVotes(now);
    else this.countVotes(now);
  }

  private countVotes(now: number): void {
    const result = tallyVoters(this.configs.current().config.voters, this.votes);
    if (result === 'won') this.becomeLeader(now);
    // A precandidate that loses its old term's election is already seeking the next one: nothing to do.
    else if (result === 'lost' && this.role === 'candidate') this.becomeFollower(this.term, null, now, 'lost the election');
  }

  private countPreVotes(now: number): void {
    const result = tallyVoters(this.configs.current().config.voters, this.preVotes);
    if (result === 'won') this.becomeCandidate(now);
    else if (result === 'lost') this.becomeFollower(this.term, null, now, 'lost the pre-vote');
  }

  /** Leader stickiness: we heard from a live leader less than the minimum election timeout ago. */
  private inLease(now: number): boolean {
    if (!this.config.checkQuorum) return false;
    if (this.role === 'leader') return true; // check-quorum makes it step down if the majority is gone
    return this.leaderId !== null && now - this.lastLeaderContact < this.effectiveTiming().electionTimeoutMinMs;
  }

  // ---------------------------------------------------------------- replication: follower side

  /**
   * A message only the leader of our term sends (AppendEntries, InstallSnapshot): it is leader contact,
   * so it resets the election timer. An AppendEntries may announce the leader's timing (see
   * effectiveTiming). Returns false if it must be ignored.
   */
  private acceptLeaderContact(from: NodeId, type: RaftMessage['type'], now: number, announced?: AppendEntries): boolean {
    if (this.role === 'leader') {
      // Two leaders in one term would break election safety; it cannot happen unless a vote was lost.
      this.emit('warn', `${type} from ${from} in my own term ${this.term} while leader: ignored`);
      return false;
    }
    if (this.role !== 'follower') this.becomeFollower(this.term, null, now, `${from} is leader for term ${this.term}`);
    if (this.leaderId !== from) {
      this.leaderId = from;
      this.emit('info', `recognized ${from} as leader for term ${this.term}`);
    }
    if (announced?.heartbeat_ms !== undefined || announced?.election_timeout_ms !== undefined) {
      this.leaderTimeoutFloorMs = Math.max(HEARTBEATS_PER_TIMEOUT * (announced.heartbeat_ms ?? 0), announced.election_timeout_ms ?? 0);
    }
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    return true;
  }

  private handleAppendEntries(from: NodeId, m: AppendEntries, now: number): void {
    if (!this.acceptLeaderContact(from, m.type, now, m)) return;

    const reply: AppendEntriesResult = {
      type: 'append_entries_result',
      term: this.term,
      success: false,
      match_index: 0,
      reject_index: m.prev_log_index,
      conflict_index: 0,
      conflict_term: null,
      round: m.round,
    };
    // Entries up to our snapshot are committed, so they match the leader's: skip them, and anchor
    // the rest at the snapshot's last entry instead of a prefix we no longer hold.
    let prevIndex = m.prev_log_index;
    let prevLogTerm = m.prev_log_term;
    let entries = m.entries;
    const snapshotIndex = this.log.snapshotIndex();
    if (prevIndex < snapshotIndex) {
      entries = entries.slice(Math.min(snapshotIndex - prevIndex, entries.length));
      prevIndex = snapshotIndex;
      prevLogTerm = this.log.snapshotTerm();
    }
    const prevTerm = this.log.termAt(prevIndex);
    if (prevTerm === undefined) {
      reply.conflict_index = this.log.lastIndex() + 1;
      this.send(from, reply);
      return;
    }
    if (prevTerm !== prevLogTerm) {
      reply.conflict_term = prevTerm;
      reply.conflict_index = this.log.firstIndexOfTermRun(prevIndex);
      this.send(from, reply);
      return;
    }

    // §5.3: keep what matches, cut the log at the first conflict, append the rest.
    let index = prevIndex;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as LogEntry;
      index = prevIndex + 1 + i;
      const existing = this.log.termAt(index);
      if (existing === entry.term) continue;
      if (existing !== undefined) {
        invariant(index > this.commitIndex, `leader ${from} tried to overwrite committed index ${index}`);
        this.log.truncateFrom(index);
        this.out.logWrites.push({ kind: 'truncate', fromIndex: index });
        this.emit('debug', `removed conflicting entries from index ${index}`);
        // §4.1: a configuration that goes with the truncated entries is undone.
        if (this.configs.truncatedFrom(index)) this.configurationMoved(now);
      }
      const rest = entries.slice(i);
      this.log.append(rest);
      this.out.logWrites.push({ kind: 'append', firstIndex: index, entries: rest });
      if (this.configs.appended(index, rest)) this.configurationMoved(now);
      break;
    }
    const lastNew = prevIndex + entries.length;
    if (m.leader_commit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(m.leader_commit, lastNew));
    }
    if (this.logLost && this.commitIndex > 0 && this.log.termAt(this.commitIndex) === this.term) {
      // A leader of our term committed an entry of its own term and we hold the log up to it: see startWithoutLog.
      this.logLost = false;
      this.emit('info', `caught up from leader ${from} at index ${this.commitIndex}: voting again`);
    }
    reply.success = true;
    reply.match_index = lastNew;
    this.send(from, reply);
  }

  /**
   * InstallSnapshot (§7): chunks arrive in order; once the last one is in, the snapshot replaces the
   * log prefix it covers. A snapshot our commit index already covers is stale: we hold all of it.
   */
  private handleInstallSnapshot(from: NodeId, m: InstallSnapshot, now: number): void {
    if (!this.acceptLeaderContact(from, m.type, now)) return;
    const reply: InstallSnapshotResult = { type: 'install_snapshot_result', term: this.term, last_included_index: m.last_included_index, next_offset: 0, done: false, round: m.round };
    if (m.last_included_index <= this.commitIndex) {
      this.emit('debug', `snapshot through ${m.last_included_index} from ${from} is stale: committed through ${this.commitIndex} already`);
      reply.done = true;
      this.send(from, reply);
      return;
    }
    const chunk = this.incoming.receive(from, this.term, m);
    if (chunk.started) this.emit('info', `receiving snapshot through index ${m.last_included_index} (term ${m.last_included_term}) from ${from}`);
    reply.next_offset = chunk.nextOffset;
    if (chunk.complete !== null) {
      this.installSnapshot(chunk.complete, from, now);
      reply.done = true;
    }
    this.send(from, reply);
  }

  private installSnapshot(snapshot: Snapshot, from: NodeId, now: number): void {
    const kept = this.log.compactTo(snapshot);
    const meta: SnapshotMeta = { index: snapshot.index, term: snapshot.term, ...(snapshot.config === undefined ? {} : { config: snapshot.config }) };
    this.out.logWrites.push({ kind: 'compact', snapshot: meta, entries: kept });
    if (this.configs.compacted(snapshot.index, snapshot.config, kept.length > 0)) this.configurationMoved(now);
    this.out.installSnapshot = snapshot;
    this.snapshot = snapshot;
    this.commitIndex = Math.max(this.commitIndex, snapshot.index);
    this.snapshotAsked = 0;
    const suffix = kept.length > 0 ? `kept the ${kept.length} entries after it` : 'discarded the whole log';
    this.emit('info', `installed snapshot through index ${snapshot.index} (term ${snapshot.term}) from ${from}; ${suffix}`);
  }

  /** The last index the latest snapshot covers (0: none). The log may start before it (compactionPoint). */
  private snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  /**
   * How far the log may be compacted after a snapshot through `index`. A leader keeps the entries a
   * follower it is streaming to has not acknowledged yet, so a follower a few batches behind gets
   * them rather than a whole snapshot; never more than one threshold of them, so memory stays bounded.
   */
  private compactionPoint(index: number): number {
    if (this.role !== 'leader') return index;
    let through = index;
    for (const pr of this.progress.all()) if (pr.mode === 'replicate') through = Math.min(through, pr.matchIndex);
    return Math.max(through, index - this.config.snapshotThreshold);
  }

  /** Asks the host for a snapshot once the applied log since the last one reaches the threshold. */
  private maybeAskForSnapshot(): void {
    const threshold = this.config.snapshotThreshold;
    if (threshold <= 0) return;
    if (this.appliedIndex - Math.max(this.snapshotIndex(), this.snapshotAsked) < threshold) return;
    const term = this.log.termAt(this.appliedIndex);
    invariant(term !== undefined, `applied index ${this.appliedIndex} missing from the log`);
    this.snapshotAsked = this.appliedIndex;
    this.out.snapshotWanted = { index: this.appliedIndex, term, ...this.configs.recordedAt(this.appliedIndex) };
  }

  // ---------------------------------------------------------------- replication: leader side

  private appendToOwnLog(data: EntryData, now: number): number {
    const entry: LogEntry = { term: this.term, data };
    const index = this.log.lastIndex() + 1;
    this.log.append([entry]);
    this.out.logWrites.push({ kind: 'append', firstIndex: index, entries: [entry] });
    if (this.configs.appended(index, [entry])) this.configurationMoved(now);
    this.maybeCommit(now);
    return index;
  }

  private handleAppendResult(from: NodeId, m: AppendEntriesResult, now: number): void {
    if (this.role !== 'leader') return;
    const pr = this.followerAnswered(from, m.round, now);
    if (pr === undefined) return;
    if (m.success) {
      if (m.match_index > this.log.lastIndex()) {
        this.emit('warn', `${from} claims to match index ${m.match_index} beyond our log: ignored`);
        return;
      }
      if (pr.acknowledge(m.match_index)) this.maybeCommit(now);
      this.checkLearnerCaughtUp(from, pr, now);
      if (pr.mode === 'probe') pr.becomeReplicate();
      if (pr.catchingUp && pr.matchIndex === this.log.lastIndex()) {
        pr.catchingUp = false;
        this.emit('info', `${from} caught up to index ${pr.matchIndex} after installing the snapshot`);
      }
      this.sendTimeoutNowIfCaughtUp(from);
      return;
    }
    if (pr.mode === 'snapshot') return; // the transfer decides where replication resumes
    // A rejection. Ignore the ones that answer requests we have already moved past.
    if (pr.mode === 'replicate' ? m.reject_index <= pr.matchIndex : m.reject_index !== pr.nextIndex - 1) return;
    let next = m.conflict_index;
    if (m.conflict_term !== null) {
      const ours = this.log.lastIndexOfTerm(m.conflict_term);
      if (ours > 0) next = ours + 1;
    }
    next = Math.min(Math.max(next, 1), this.log.lastIndex() + 1);
    this.emit('debug', `${from} rejected entries after ${m.reject_index}; retrying from ${next}`);
    pr.becomeProbe(next);
    this.sendAppendIfDue(from, now);
  }

  /** Any answer from a follower: it is alive, and it answered heartbeat round `round` (ReadIndex). */
  private followerAnswered(from: NodeId, round: number, now: number): Progress | undefined {
    if (this.role !== 'leader') return undefined;
    const pr = this.progress.get(from);
    if (pr === undefined) return undefined;
    pr.recentActive = true;
    // step() let through only replies of our term, and a follower echoes a round only when it answers
    // a request of that same term: so this round is one of ours, not a previous process's.
    if (round > pr.ackedRound && round <= this.roundsSent) {
      pr.ackedRound = round;
      this.updateReadRounds(now);
    }
    return pr;
  }

  private handleSnapshotResult(from: NodeId, m: InstallSnapshotResult, now: number): void {
    const pr = this.followerAnswered(from, m.round, now);
    if (pr === undefined || pr.mode !== 'snapshot') return;
    const transfer = pr.transfer as SnapshotTransfer;
    if (m.last_included_index !== transfer.snapshot.index) return; // about an earlier transfer
    if (m.done) {
      const index = transfer.snapshot.index;
      this.emit('info', `${from} holds the snapshot through index ${index}; replication resumes after it`);
      if (pr.acknowledge(index)) this.maybeCommit(now);
      pr.becomeProbe(index + 1);
      pr.catchingUp = true;
      this.sendAppendIfDue(from, now);
      return;
    }
    // The follower's offset only grows within one transfer, except when it starts over (0). Answers
    // that report no progress are duplicates: the chunk they ask for is already on its way.
    const offset = Math.min(m.next_offset, transfer.snapshot.data.length);
    if (offset > transfer.offset || (offset === 0 && transfer.offset > 0)) {
      transfer.offset = offset;
      pr.probeInFlight = false;
      this.sendAppendIfDue(from, now);
    }
  }

  /**
   * A follower needs entries the log no longer holds: it gets the snapshot instead (§7). A transfer
   * that has not started yet (nothing acknowledged) switches to a newer snapshot if there is one.
   */
  private needsSnapshot(pr: Progress): boolean {
    if (pr.mode === 'snapshot') return pr.transfer !== null && pr.transfer.offset === 0 && pr.transfer.snapshot.index < this.snapshotIndex();
    const anchor = pr.mode === 'probe' ? pr.nextIndex - 1 : Math.min(pr.matchIndex, pr.nextIndex - 1);
    return anchor < this.log.snapshotIndex();
  }

  private startSnapshotTransfer(peer: NodeId, pr: Progress): void {
    const snapshot = this.snapshot;
    invariant(snapshot !== null && snapshot.index >= this.log.snapshotIndex(), `log compacted through ${this.log.snapshotIndex()} without a snapshot to send`);
    this.emit('info', `${peer} needs entries up to ${snapshot.index}, which the log no longer holds: sending the snapshot`);
    pr.becomeSnapshot(snapshot);
  }

  /** One chunk of the snapshot being sent, from where the follower says it is. */
  private sendSnapshotChunk(peer: NodeId, pr: Progress): void {
    const { snapshot, offset } = pr.transfer as SnapshotTransfer;
    this.send(peer, snapshotChunk(snapshot, offset, this.config.snapshotChunkSize, { term: this.term, id: this.id, round: this.roundsSent }));
  }


  /**
   * Sends what a follower is owed: in probe mode one probe at a time, in snapshot mode one chunk at a
   * time, in replicate mode a window of batches.
   */
  private sendAppendIfDue(peer: NodeId, now: number): void {
    const pr = this.progress.get(peer);
    if (pr === undefined) return;
    if (this.needsSnapshot(pr)) this.startSnapshotTransfer(peer, pr);
    if (pr.mode !== 'replicate') {
      if (!pr.probeInFlight) this.sendProbeOrChunk(peer, pr, now);
      return;
    }
    while (pr.inflight.length < this.config.maxInflightMessages && pr.nextIndex <= this.log.lastIndex()) {
      this.sendEntries(peer, pr, now);
    }
  }

  /** Probe and snapshot modes keep one message in flight: the probe from pr.nextIndex, or the current chunk. */
  private sendProbeOrChunk(peer: NodeId, pr: Progress, now: number): void {
    if (pr.mode === 'snapshot') this.sendSnapshotChunk(peer, pr);
    else this.sendEntries(peer, pr, now);
    pr.probeInFlight = true;
  }

  /** One AppendEntries from pr.nextIndex (possibly empty, as a probe). */
  private sendEntries(peer: NodeId, pr: Progress, now: number): void {
    const prev = pr.nextIndex - 1;
    const batch = this.log.slice(pr.nextIndex, prev + this.config.maxEntriesPerMessage);
    const maxChars = this.config.maxEntryCharsPerMessage;
    const entries = maxChars === undefined ? batch : prefixWithin(batch, maxChars);
    this.sendAppend(peer, prev, entries);
    if (pr.mode === 'replicate' && entries.length > 0) {
      pr.nextIndex = prev + entries.length + 1;
      pr.inflight.push({ lastIndex: pr.nextIndex - 1, sentAt: now });
    }
  }

  private sendAppend(peer: NodeId, prevIndex: number, entries: LogEntry[]): void {
    const prevTerm = this.log.termAt(prevIndex);
    invariant(prevTerm !== undefined, `prev index ${prevIndex} beyond the leader's log`);
    const body: AppendEntries = {
      type: 'append_entries',
      term: this.term,
      leader_id: this.id,
      prev_log_index: prevIndex,
      prev_log_term: prevTerm,
      entries,
      leader_commit: this.commitIndex,
      round: this.roundsSent,
      heartbeat_ms: this.timing.heartbeatIntervalMs,
      election_timeout_ms: this.timing.electionTimeoutMinMs,
    };
    this.send(peer, body);
  }

  /**
   * The heartbeat: one AppendEntries to every follower, in a new round. For a follower we are streaming
   * to it is empty and anchored at its match index (which it surely has), so it cannot be rejected;
   * for a follower being probed it is the probe itself, re-sent in case the last one was lost.
   */
  private broadcastHeartbeat(now: number): void {
    if (this.departedUntil !== null && now >= this.departedUntil) {
      this.departedUntil = null;
      for (const id of this.progress.prune()) this.emit('info', `no longer replicating to ${id}: its removal is committed`);
    }
    this.roundsSent += 1;
    this.readRoundWanted = false;
    this.heartbeatDue = now + this.timing.heartbeatIntervalMs;
    const peers = this.progress.peers();
    if (peers.length > 0 && now - this.lastHeartbeatLogAt >= 1000) {
      // At most one line a second, so logs stay readable.
      this.lastHeartbeatLogAt = now;
      this.emit('info', `sending heartbeat to ${peers.join(', ')} (round ${this.roundsSent}, commit ${this.commitIndex})`);
    }
    for (const peer of peers) {
      const pr = this.progress.get(peer) as Progress;
      if (pr.mode === 'replicate') {
        this.recoverLostBatches(pr, now);
      }
      if (this.needsSnapshot(pr)) this.startSnapshotTransfer(peer, pr);
      // In probe and snapshot mode the probe or chunk goes again, in case it was lost; it doubles as the heartbeat.
      if (pr.mode === 'replicate') this.sendAppend(peer, pr.matchIndex, []);
      else this.sendProbeOrChunk(peer, pr, now);
    }
    this.updateReadRounds(now); // a single-node cluster confirms its rounds alone
  }

  /**
   * Batches can be lost (partitions drop messages silently). If the oldest batch in flight is older
   * than the retransmission timeout (a few round trips), assume the window was lost and fall back to probing.
   */
  private recoverLostBatches(pr: Progress, now: number): void {
    const oldest = pr.inflight[0];
    if (oldest !== undefined && now - oldest.sentAt >= this.timing.retransmitAfterMs) {
      pr.becomeProbe(pr.matchIndex + 1);
    }
  }

  /** The host's background write of this leader's log, made in `term`, is durable through `index` (§10.2.1). */
  leaderLogDurable(index: number, term: number, now: number): void {
    // A write from an earlier leadership may name indexes this log has since replaced.
    if (this.role === 'leader' && term === this.term && this.progress.ownLogDurable(index, this.log.lastIndex())) this.maybeCommit(now);
  }

  private maybeCommit(now: number): void {
    if (this.role !== 'leader') return;
    const candidate = this.progress.committedIndex(this.log.lastIndex(), this.config.leaderLogWrittenAsynchronously === true);
    if (candidate <= this.commitIndex) return;
    // §5.4.2: only entries of the current term are committed by counting replicas.
    if (this.log.termAt(candidate) !== this.term && this.config.bugs?.commitOldTermByCounting !== true) return;
    this.commitIndex = candidate;
    if (this.reads.awaitingFirstCommit.length > 0 && this.log.termAt(this.commitIndex) === this.term) {
      const waiting = this.reads.awaitingFirstCommit;
      this.reads.awaitingFirstCommit = [];
      for (const ctx of waiting) this.registerRead(ctx);
    }
    this.configurationCommitted(now);
  }

  private checkQuorum(now: number): void {
    const { active, voters } = this.progress.takeActiveVoters();
    if (this.config.checkQuorum && active < Math.floor(voters / 2) + 1) {
      this.becomeFollower(this.term, null, now, `heard from only ${active} of ${voters} voters in ${this.timing.checkQuorumWindowMs} ms`);
      return;
    }
    this.quorumCheckDue = now + this.timing.checkQuorumWindowMs;
  }

  // ---------------------------------------------------------------- membership changes (dissertation chapter 4)

  /**
   * A single-server change (§4.2), on the leader: appended at once and in force from then on (§4.1).
   * Refused (nothing appended) while an earlier change is uncommitted, and until this leader has
   * committed an entry of its own term: otherwise two changes proposed by leaders of different terms
   * could each commit with a majority of a configuration the other never saw (Ongaro, raft-dev 2015).
   */
  proposeConfChange(change: ConfChange, now: number): ConfChangeResult {
    this.latestNow = now;
    const refuse = (reason: ConfChangeRefusal, text: string): ConfChangeResult => {
      this.emit('warn', `refusing to ${change.type} ${change.id}: ${text}`);
      return { ok: false, reason, text, leaderId: this.leaderId };
    };
    if (this.role !== 'leader') return refuse('not-leader', `not the leader (leader: ${this.leaderId ?? 'unknown'})`);
    if (this.transfer !== null) return refuse('transferring', `a leadership transfer to ${this.transfer.target} is under way`);
    const { config, index } = this.configs.current();
    if (index > this.commitIndex) return refuse('change-in-progress', `the change at index ${index} is not committed yet`);
    const ownTermCommitted = this.log.termAt(this.commitIndex) === this.term || this.config.bugs?.changeBeforeOwnTermCommit === true;
    if (!ownTermCommitted) return refuse('no-own-term-commit', `no entry of term ${this.term} is committed yet`);
    const next = applyConfChange(config, change, (id) => this.progress.get(id)?.caughtUp === true);
    if (!next.ok) return refuse(next.reason, next.text);
    this.emit('info', describeChange(change, this.progress.get(change.id)?.matchIndex ?? 0));
    const at = this.appendToOwnLog({ kind: 'config', config: next.config }, now);
    return { ok: true, index: at, term: this.term, config: next.config };
  }

  /** Every member of the configuration in force, with the leader's view of its progress (null elsewhere). */
  members(): MemberProgress[] {
    return memberProgress(this.configs.current().config, this.id, this.role === 'leader' ? this.progress : null, this.log.lastIndex());
  }

  private configurationState(): ConfigurationState {
    return this.configs.state(this.id, this.commitIndex);
  }

  private isVoter(): boolean {
    return isVoter(this.configs.current().config, this.id);
  }

  /**
   * A voter of the configuration in force campaigns; so does one that an uncommitted change removes,
   * while it is still a voter of the last committed configuration it knows: the change may never
   * commit, and the remaining voters may need it to elect anyone (it counts votes in the
   * configuration in force, without its own). Nobody else: learners, joiners, removed servers.
   */
  private mayCampaign(): boolean {
    return !this.logLost && (this.isVoter() || isVoter(this.configs.at(this.commitIndex).config, this.id));
  }

  private otherVoters(): NodeId[] {
    return this.configs.current().config.voters.filter((v) => v !== this.id);
  }

  /** The only voter: nobody to wait for. */
  private aloneInCluster(): boolean {
    return this.isVoter() && this.otherVoters().length === 0;
  }

  /** The configuration in force changed (§4.1: on append, on truncation, with a snapshot). */
  private configurationMoved(now: number): void {
    const { config, index } = this.configs.current();
    this.emit('info', `configuration now ${describeConfig(config)} at index ${index}`);
    if (this.role === 'leader') this.progress.setConfig(config, this.log.lastIndex() + 1, now);
    const self = this.configurationState().self;
    if (self === 'removed' && !this.removedAnnounced) this.emit('info', 'removed from the cluster');
    this.removedAnnounced = self === 'removed';
    if (!this.mayCampaign() && (this.role === 'candidate' || this.role === 'precandidate')) this.becomeFollower(this.term, null, now, 'no longer a voter');
  }

  /**
   * The commit index moved on a leader. Once the configuration in force is committed, members it
   * removed get nothing more; a leader it removed hands over (TimeoutNow to the most up-to-date
   * voter, §3.10) and steps down (§4.2.2): until then it led without counting itself.
   */
  private configurationCommitted(now: number): void {
    const { config, index } = this.configs.current();
    if (index > this.commitIndex) return;
    // Removed members hear the commit index for one more election timeout, so they know they are
    // out (and stay quiet) rather than campaign as voters of the committed configuration before.
    if (this.departedUntil === null && this.progress.hasDeparted()) this.departedUntil = now + this.timing.electionTimeoutMinMs;
    if (!isVoter(config, this.id)) {
      const target = mostUpToDate(this.progress);
      if (target !== null && this.progress.get(target)?.matchIndex === this.log.lastIndex()) {
        this.emit('info', `handing leadership to ${target} before leaving the cluster`);
        this.send(target, { type: 'timeout_now', term: this.term, leader_id: this.id } satisfies TimeoutNow);
      }
      this.becomeFollower(this.term, null, now, 'removed from the configuration');
      return;
    }
    this.maybeAutoPromote(now);
  }

  /** A learner's acknowledgement may end a catch-up round (§4.2.1). */
  private checkLearnerCaughtUp(from: NodeId, pr: Progress, now: number): void {
    if (!this.configs.current().config.learners.includes(from)) return;
    const ms = pr.finishCatchUpRound(this.log.lastIndex(), now, this.timing.electionTimeoutMinMs);
    if (ms === null) return;
    this.emit('info', `learner ${from} caught up at index ${pr.matchIndex} (last round ${Math.round(ms)} ms)`);
    this.maybeAutoPromote(now);
  }

  private maybeAutoPromote(now: number): void {
    if (this.config.autoPromote === false || this.role !== 'leader') return;
    const { config, index } = this.configs.current();
    if (index > this.commitIndex || this.transfer !== null || this.log.termAt(this.commitIndex) !== this.term) return;
    const ready = config.learners.find((id) => this.progress.get(id)?.caughtUp === true);
    if (ready !== undefined) this.proposeConfChange({ type: 'promote', id: ready }, now);
  }

  /** Output.configChanged: the configuration state, when it differs from the one last reported. */
  private reportConfigurationChange(): void {
    const state = this.configurationState();
    if (sameConfigurationState(this.reportedConfig, state)) return;
    this.reportedConfig = state;
    this.out.configChanged = state;
  }

  // ---------------------------------------------------------------- leadership transfer (dissertation §3.10)

  /**
   * Hands leadership to `target` (null: the follower with the highest match index). Proposals are
   * refused until the transfer ends; the target is brought up to date, then told to campaign at once
   * (TimeoutNow). Not done within the minimum election timeout, the transfer is abandoned. Reads go on
   * as usual: ReadIndex needs a majority to acknowledge this term, which a new term ends anyway.
   */
  transferLeadership(target: NodeId | null, now: number): TransferResult {
    const refuse = (reason: string): TransferResult => {
      this.emit('warn', `refusing leadership transfer${target === null ? '' : ` to ${target}`}: ${reason}`);
      return { ok: false, reason };
    };
    const view = { self: this.id, leading: this.role === 'leader', leaderId: this.leaderId, otherVoters: this.progress.otherVoters(), isMember: (id: NodeId) => this.progress.get(id) !== undefined, under: this.transfer };
    const refusal = transferRefusal(view, target);
    if (refusal !== null) return refuse(refusal);
    if (this.transfer !== null) return { ok: true, target: this.transfer.target };
    const chosen = target ?? mostUpToDate(this.progress);
    if (chosen === null) return refuse('there is no other node');
    this.transfer = { target: chosen, startedAt: now, deadline: now + this.timing.electionTimeoutMinMs + 2 * this.timing.persistAllowanceMs + this.timing.roundTripAllowanceMs };
    const match = this.progress.get(chosen)?.matchIndex ?? 0;
    this.emit('info', `transferring leadership to ${chosen} (match ${match}/${this.log.lastIndex()})`);
    this.sendTimeoutNowIfCaughtUp(chosen);
    return { ok: true, target: chosen };
  }

  /** The target of the leadership transfer under way, or null. */
  transferTarget(): NodeId | null {
    return this.transfer?.target ?? null;
  }

  /** A leader's view of each follower (§5.3 matchIndex: the highest entry known to be replicated there); empty unless leader. */
  matchIndexes(): { peer: NodeId; matchIndex: number }[] {
    return this.progress.entries().map(([peer, pr]) => ({ peer, matchIndex: pr.matchIndex }));
  }

  /**
   * Once the target holds our whole log, tell it to campaign. Sent again on each of its later
   * acknowledgements until the transfer ends, in case one is lost; a copy that arrives after the
   * target has moved to a new term is stale and ignored there.
   */
  private sendTimeoutNowIfCaughtUp(peer: NodeId): void {
    if (this.transfer === null || this.transfer.target !== peer) return;
    const pr = this.progress.get(peer);
    if (pr === undefined || pr.matchIndex !== this.log.lastIndex()) return;
    this.emit('debug', `${peer} is caught up at ${pr.matchIndex}: sending timeout-now`);
    this.send(peer, { type: 'timeout_now', term: this.term, leader_id: this.id } satisfies TimeoutNow);
  }

  private endTransfer(outcome: 'done' | 'abandoned', now: number): void {
    if (this.transfer === null) return;
    const { target, startedAt } = this.transfer;
    this.transfer = null;
    const ms = Math.round(now - startedAt);
    if (outcome === 'done') this.emit('info', `leadership transfer to ${target} done in ${ms} ms`);
    else this.emit('warn', `leadership transfer to ${target} abandoned after ${ms} ms`);
  }

  /** A follower told by its leader to campaign now: no pre-vote, and voters will skip their lease. */
  private handleTimeoutNow(from: NodeId, m: TimeoutNow, now: number): void {
    if (this.role !== 'follower' || this.leaderId !== from || m.leader_id !== from) {
      this.emit('debug', `ignoring timeout-now from ${from}: it is not the leader we follow in term ${this.term}`);
      return;
    }
    if (!this.mayCampaign()) {
      // A node that lost its log must not campaign until a leader has caught it up (§5.4 above); nor a non-voter (§4.2).
      this.emit('info', `ignoring timeout-now from ${from}: ${this.logLost ? 'log lost, not caught up from a leader yet' : 'this node is no voter'}`);
      return;
    }
    this.emit('info', `received timeout-now from ${from}: starting election for term ${this.term + 1}`);
    this.becomeCandidate(now, true);
  }

  // ---------------------------------------------------------------- reads

  private registerRead(ctx: number): void {
    this.reads.add({ ctx, index: this.commitIndex, round: this.roundsSent + 1 });
    this.readRoundWanted = true;
  }

  /** Starts a confirmation round for waiting reads, unless one is already out (its answer batches them). */
  private maybeStartReadRound(now: number): void {
    if (this.readRoundWanted && this.roundConfirmed >= this.roundsSent) this.broadcastHeartbeat(now);
  }

  private updateReadRounds(now: number): void {
    const confirmed = this.progress.confirmedRound(this.roundsSent);
    if (confirmed <= this.roundConfirmed) return;
    this.roundConfirmed = confirmed;
    this.reads.confirmThrough(confirmed);
    this.maybeStartReadRound(now);
  }

  private releaseAppliedReads(): void {
    for (const r of this.reads.takeServable(this.appliedIndex)) this.out.reads.push({ ctx: r.ctx, ok: true, index: r.index });
  }

  // ---------------------------------------------------------------- helpers

  private applyCommitted(): void {
    while (this.appliedIndex < this.commitIndex) {
      const index = this.appliedIndex + 1;
      const entry = this.log.entry(index);
      invariant(entry !== undefined, `committed index ${index} missing from the log`);
      this.out.committed.push({ index, term: entry.term, data: entry.data } satisfies CommittedEntry);
      this.appliedIndex = index;
    }
  }

  /** Messages from an older term: tell the sender our term so it steps down; drop stale answers. */
  private answerStaleMessage(from: NodeId, msg: RaftMessage): void {
    this.emit('debug', `ignoring ${msg.type} from ${from} with stale term ${msg.term}`);
    const reply = staleReply(msg, this.term);
    if (reply !== null) this.send(from, reply);
  }

  /** `extraMs`: time before anything this timer waits for can even start (a hard-state write). */
  private resetElectionTimer(now: number, extraMs = 0): void {
    this.electionDeadline = now + extraMs + this.randomElectionTimeout();
  }

  private randomElectionTimeout(): number {
    const { electionTimeoutMinMs: min, electionTimeoutMaxMs: max } = this.effectiveTiming();
    return min + this.config.random() * (max - min);
  }

  private send(to: NodeId, body: RaftMessage): void {
    this.out.messages.push({ to, body } satisfies OutgoingMessage);
  }

  private emit(level: LogLevel, text: string): void {
    this.out.events.push({ level, role: this.role, term: this.term, text } satisfies RaftEvent);
  }
}

export type { ReadOutcome, LogWrite };
