// Timing derived from measured round trips, with the configured values as floors. A pure function,
// so the rules can be read (and tested) in one place: the host feeds it estimates and hands the
// result to the core (setTiming) and to the adapter's timers.
import type { RaftTiming } from '../raft/types.ts';
import { highRtt, type RttEstimate } from './rtt-estimator.ts';

/** The configured values: what the node uses at latency 0, and never less. */
export interface TimingFloors {
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatIntervalMs: number;
  checkQuorumWindowMs: number;
  /** How long to wait for the storage service (Maelstrom's lin-kv) before asking again. */
  serviceTimeoutMs: number;
  /** How long a follower waits for the leader to answer a forwarded request. */
  forwardTimeoutMs: number;
  /** How long the node assumes a client waits for an answer (Maelstrom: max(10 x latency, 1000) ms). */
  clientTimeoutMs: number;
}

export interface NetworkEstimate {
  /** The slowest peer's estimate (node to node), or null before any sample. */
  peer: RttEstimate | null;
  /** The storage service's estimate, or null (no service, or no sample yet). */
  service: RttEstimate | null;
  /** Consecutive service timeouts since the last answer: RFC 6298 5.5 backs off by doubling. */
  serviceBackoff: number;
}

export interface DerivedTiming extends RaftTiming {
  serviceTimeoutMs: number;
  forwardTimeoutMs: number;
  /** The client's timeout as the node assumes it. */
  clientTimeoutMs: number;
  /** How long a request that arrives with no leader known may wait for an election. */
  parkLimitMs: number;
  /** The round trip the numbers were derived from (for log lines), ms. */
  rttMs: number;
}

/**
 * Election timeout = this many "typical slow" round trips (SRTT + 2 x RTTVAR): above a pre-vote round
 * trip and a heartbeat gap. Less margin than a retransmission timeout (SRTT + 4 x RTTVAR): a follower
 * that times out on a latency outlier only costs a pre-vote (refused while the leader is alive), but
 * every failover pays the timeout in full.
 */
const TIMEOUT_PER_TYPICAL_RTT = 1.5;
/** The heartbeat is at most this share of the minimum election timeout (§5.6: broadcast time << timeout). */
const HEARTBEAT_SHARE = 1 / 3;
/** Maelstrom's lin-kv client: timeout = max(10 x mean latency, 1000 ms). */
const CLIENT_TIMEOUT_PER_ONE_WAY = 10;
const MAX_BACKOFF_DOUBLINGS = 4;
/**
 * Timeouts grow at most this much above the floors. One round trip measured across a process pause
 * can be seconds long; its weight fades only with later samples, and a slower heartbeat brings them
 * more slowly. The cap keeps such an outlier from stretching a leader's heartbeat without bound.
 */
const MAX_SCALE = 40;

export function fixedTiming(floors: TimingFloors): DerivedTiming {
  return {
    electionTimeoutMinMs: floors.electionTimeoutMinMs,
    electionTimeoutMaxMs: floors.electionTimeoutMaxMs,
    heartbeatIntervalMs: floors.heartbeatIntervalMs,
    checkQuorumWindowMs: floors.checkQuorumWindowMs,
    persistAllowanceMs: 0,
    retransmitAfterMs: floors.electionTimeoutMinMs,
    serviceTimeoutMs: floors.serviceTimeoutMs,
    forwardTimeoutMs: floors.forwardTimeoutMs,
    clientTimeoutMs: floors.clientTimeoutMs,
    parkLimitMs: Math.min(floors.electionTimeoutMaxMs + 100, 0.6 * floors.clientTimeoutMs),
    rttMs: 0,
  };
}

export function deriveTiming(floors: TimingFloors, net: NetworkEstimate): DerivedTiming {
  if (net.peer === null && net.service === null && net.serviceBackoff === 0) return fixedTiming(floors);
  // Node-to-node round trips set the election timing: a leader measures them at every heartbeat.
  // Until there are any, the service's stand in (Maelstrom delays service traffic like node traffic);
  // the service is asked rarely (at start, at each new term or vote), so its estimate goes stale.
  const network = net.peer ?? net.service;
  const rttHigh = network === null ? 0 : highRtt(network);
  const rttTypical = network === null ? 0 : network.srttMs + 2 * network.rttvarMs;
  const rttMean = network === null ? 0 : network.srttMs;
  const persistMs = net.service === null ? 0 : highRtt(net.service);

  const scale = Math.min(MAX_SCALE, Math.max(1, (TIMEOUT_PER_TYPICAL_RTT * rttTypical) / floors.electionTimeoutMinMs));
  const electionTimeoutMinMs = Math.round(floors.electionTimeoutMinMs * scale);
  const electionTimeoutMaxMs = Math.round(floors.electionTimeoutMaxMs * scale);
  const heartbeatIntervalMs = Math.max(floors.heartbeatIntervalMs, Math.floor(electionTimeoutMinMs * HEARTBEAT_SHARE));
  // The leader must hear back from a majority within the window: a heartbeat interval plus round trips.
  const checkQuorumWindowMs = Math.round(Math.max(floors.checkQuorumWindowMs, electionTimeoutMinMs, heartbeatIntervalMs + 2 * rttHigh));

  const clientTimeoutMs = Math.round(Math.max(floors.clientTimeoutMs, CLIENT_TIMEOUT_PER_ONE_WAY * (rttMean / 2)));
  const backoff = 2 ** Math.min(net.serviceBackoff, MAX_BACKOFF_DOUBLINGS);
  const serviceTimeoutMs = Math.round(Math.max(floors.serviceTimeoutMs, 2 * persistMs) * backoff);
  // A forwarded request is useless once its client has given up.
  const forwardTimeoutMs = Math.round(Math.max(floors.forwardTimeoutMs, clientTimeoutMs));
  // An election's path: pre-vote round trip, the candidate's write, RequestVote and the voter's write.
  const electionPathMs = 2 * rttHigh + 2 * persistMs;
  const parkLimitMs = Math.round(Math.min(electionTimeoutMaxMs + 100 + electionPathMs, 0.6 * clientTimeoutMs));
  return {
    electionTimeoutMinMs,
    electionTimeoutMaxMs,
    heartbeatIntervalMs,
    checkQuorumWindowMs,
    persistAllowanceMs: Math.round(persistMs),
    // Twice a retransmission timeout: an acknowledgement later than that is taken as lost.
    retransmitAfterMs: Math.round(Math.max(floors.electionTimeoutMinMs, 2 * rttHigh)),
    serviceTimeoutMs,
    forwardTimeoutMs,
    clientTimeoutMs,
    parkLimitMs,
    rttMs: Math.round(rttMean),
  };
}

/** Whether a change is worth a log line: the election timeout or heartbeat moved by half or more. */
export function changedNoticeably(before: DerivedTiming, after: DerivedTiming): boolean {
  const moved = (a: number, b: number): boolean => Math.abs(a - b) >= Math.max(5, 0.5 * Math.min(a, b));
  return moved(before.electionTimeoutMinMs, after.electionTimeoutMinMs) || moved(before.heartbeatIntervalMs, after.heartbeatIntervalMs);
}

export function describeTiming(t: DerivedTiming): string {
  return `timeouts now ${t.electionTimeoutMinMs}-${t.electionTimeoutMaxMs} ms, heartbeat ${t.heartbeatIntervalMs} ms (rtt ~${t.rttMs} ms)`;
}
