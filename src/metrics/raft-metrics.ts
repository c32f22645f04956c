// The raft_* metrics of one node. Counters and histograms are bumped where things happen (the host
// reports through HostObserver, storage and HTTP call the observe* methods); gauges and per-peer byte
// counts are read when /metrics is scraped, so they cost nothing in between.
import type { HostObserver } from '../host/raft-host.ts';
import type { NodeId, Output, RaftStatus } from '../raft/types.ts';
import { Counter, exponentialBuckets, exposition, Histogram, type Family, type Sample } from './exposition.ts';

export const CLIENT_OPS = ['read', 'write', 'cas'] as const;
export type ClientOp = (typeof CLIENT_OPS)[number];

/** What a client request came to, from its HTTP status (bounded: one series per op and outcome). */
export const CLIENT_OUTCOMES = ['ok', 'not_found', 'cas_mismatch', 'bad_request', 'unavailable', 'indefinite'] as const;
export type ClientOutcome = (typeof CLIENT_OUTCOMES)[number];

export function outcomeOfStatus(status: number): ClientOutcome {
  if (status === 200) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 409) return 'cas_mismatch';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'indefinite'; // 500 and 504: the operation may have happened
}

/** A peer as the scrape sees it: its name for the label, and its links' byte counts so far. */
export interface PeerTraffic {
  raftId: NodeId;
  name: string;
  sentBytes: number;
  receivedBytes: number;
}

export interface ScrapeSources {
  status(): RaftStatus | null;
  peers(): readonly PeerTraffic[];
}

// etcd's WAL fsync buckets (1 ms doubling to ~8 s) with a finer start for fast disks and loopback.
const DISK_BUCKETS = exponentialBuckets(0.0001, 2, 18);
const RTT_BUCKETS = exponentialBuckets(0.0001, 2, 16);
const REQUEST_BUCKETS = exponentialBuckets(0.0005, 2, 15);

export class RaftMetrics implements HostObserver {
  readonly leaderChanges = new Counter();
  readonly electionsStarted = new Counter();
  readonly preVotesRefused = new Counter();
  readonly proposalsCommitted = new Counter();
  readonly proposalsFailed = new Counter();
  readonly walFsync = new Histogram(DISK_BUCKETS);
  readonly snapshotSave = new Histogram(DISK_BUCKETS);
  private readonly roundTrips = new Map<NodeId, Histogram>();
  private readonly clientRequests = new Map<ClientOp, Map<ClientOutcome, Counter>>();
  private readonly clientDurations = new Map<ClientOp, Histogram>();

  /** The highest commit index a leader has told us (what this node knows to be committed). */
  highestLeaderCommit = 0;
  private lastLeader: NodeId | null = null;
  private lastLeaderTerm = -1;
  private lastCampaignTerm = 0;

  constructor(
    private readonly selfId: NodeId,
    peerIds: readonly NodeId[],
  ) {
    // Every series exists from the start (at zero), so a rate over the first increment is right.
    for (const peer of peerIds) this.roundTrips.set(peer, new Histogram(RTT_BUCKETS));
    for (const op of CLIENT_OPS) {
      this.clientRequests.set(op, new Map(CLIENT_OUTCOMES.map((o) => [o, new Counter()])));
      this.clientDurations.set(op, new Histogram(REQUEST_BUCKETS));
    }
  }

  // ------------------------------------------------------------ HostObserver

  outputHandled(out: Output, status: RaftStatus): void {
    // A campaign is the one time a node votes for itself, in a new term it makes durable.
    const hs = out.hardState;
    if (hs !== null && hs.votedFor === this.selfId && hs.term > this.lastCampaignTerm) {
      this.lastCampaignTerm = hs.term;
      this.electionsStarted.inc();
    }
    for (const m of out.messages) {
      if (m.body.type === 'request_vote_result' && m.body.pre_vote && !m.body.vote_granted) this.preVotesRefused.inc();
    }
    if (status.leaderId !== null && (status.leaderId !== this.lastLeader || status.term !== this.lastLeaderTerm)) {
      this.lastLeader = status.leaderId;
      this.lastLeaderTerm = status.term;
      this.leaderChanges.inc();
    }
    if (status.commitIndex > this.highestLeaderCommit) this.highestLeaderCommit = status.commitIndex;
  }

  proposalCommitted(): void {
    this.proposalsCommitted.inc();
  }

  proposalFailed(): void {
    this.proposalsFailed.inc();
  }

  peerRoundTrip(peer: NodeId, ms: number): void {
    this.roundTrips.get(peer)?.observe(ms / 1000);
  }

  leaderCommitHeard(index: number): void {
    if (index > this.highestLeaderCommit) this.highestLeaderCommit = index;
  }

  // ------------------------------------------------------------ storage and HTTP

  observeWalFsync(seconds: number): void {
    this.walFsync.observe(seconds);
  }

  observeSnapshotSave(seconds: number): void {
    this.snapshotSave.observe(seconds);
  }

  observeClientRequest(op: ClientOp, httpStatus: number, seconds: number): void {
    this.clientRequests.get(op)?.get(outcomeOfStatus(httpStatus))?.inc();
    this.clientDurations.get(op)?.observe(seconds);
  }

  // ------------------------------------------------------------ scrape

  families(sources: ScrapeSources): Family[] {
    const s = sources.status();
    const peers = sources.peers();
    const gauge = (name: string, help: string, value: number): Family => ({ name, help, type: 'gauge', samples: [{ labels: [], value }] });
    const counter = (name: string, help: string, c: Counter): Family => ({ name, help, type: 'counter', samples: [{ labels: [], value: c.value }] });
    const nameOf = new Map(peers.map((p) => [p.raftId, p.name]));
    const rttSamples: Sample<Histogram>[] = [...this.roundTrips].map(([peer, h]) => ({ labels: [['peer', nameOf.get(peer) ?? peer]], value: h }));
    const requestSamples: Sample<number>[] = [];
    for (const [op, byOutcome] of this.clientRequests) {
      for (const [outcome, c] of byOutcome) requestSamples.push({ labels: [['op', op], ['outcome', outcome]], value: c.value });
    }
    return [
      gauge('raft_has_leader', 'Whether this node knows a leader for its current term (1) or not (0).', s?.leaderId != null ? 1 : 0),
      gauge('raft_is_leader', 'Whether this node is the leader (1) or not (0).', s?.role === 'leader' ? 1 : 0),
      gauge('raft_term', "This node's current term.", s?.term ?? 0),
      counter('raft_leader_changes_seen_total', 'Times this node saw a new leader (another node, or the same one in a new term).', this.leaderChanges),
      counter('raft_elections_started_total', 'Elections this node started as a candidate (a new term with its own vote; pre-votes not counted).', this.electionsStarted),
      counter('raft_prevotes_refused_total', 'Pre-vote requests this node refused (a would-be candidate kept from starting a disruptive election).', this.preVotesRefused),
      gauge('raft_commit_index', 'The highest log index this node knows to be committed.', s?.commitIndex ?? 0),
      gauge('raft_applied_index', 'The highest log index applied to the key-value state machine.', s?.appliedIndex ?? 0),
      gauge('raft_last_log_index', "The index of the last entry in this node's log.", s?.lastLogIndex ?? 0),
      counter('raft_proposals_committed_total', "Client writes this node proposed as leader that committed (their clients got the result).", this.proposalsCommitted),
      counter('raft_proposals_failed_total', "Client writes this node proposed as leader that can never commit (another leader's entry took their index).", this.proposalsFailed),
      { name: 'raft_wal_fsync_duration_seconds', help: 'Time of one fsync of the write-ahead log.', type: 'histogram', samples: [{ labels: [], value: this.walFsync }] },
      { name: 'raft_snapshot_save_duration_seconds', help: 'Time to write and fsync one snapshot file (taken here or received from the leader).', type: 'histogram', samples: [{ labels: [], value: this.snapshotSave }] },
      { name: 'raft_peer_round_trip_seconds', help: 'Round trips to each peer: a request (append, pre-vote) until its answer arrived.', type: 'histogram', samples: rttSamples },
      { name: 'raft_peer_sent_bytes_total', help: 'Bytes written to each peer on both connections (messages, hello, pings and pongs).', type: 'counter', samples: peers.map((p) => ({ labels: [['peer', p.name]], value: p.sentBytes })) },
      { name: 'raft_peer_received_bytes_total', help: 'Bytes read from each peer on both connections.', type: 'counter', samples: peers.map((p) => ({ labels: [['peer', p.name]], value: p.receivedBytes })) },
      { name: 'raft_client_requests_total', help: 'Client key-value requests answered over HTTP, by operation and outcome (indefinite: may have happened).', type: 'counter', samples: requestSamples },
      {
        name: 'raft_client_request_duration_seconds',
        help: 'Time from a client request being read until its answer, by operation.',
        type: 'histogram',
        samples: [...this.clientDurations].map(([op, h]) => ({ labels: [['op', op]], value: h })),
      },
    ];
  }

  expose(sources: ScrapeSources): string {
    return exposition(this.families(sources));
  }
}
