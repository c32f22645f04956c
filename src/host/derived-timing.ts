// Timing derived from measured round trips, with the configured values as floors. A pure function,
// so the rules can be read (and tested) in one place: the host feeds it estimates and hands the
// result to the core (setTiming) and to the adapter's timers.
import type { RaftTiming } from '../raft/types.ts';
import { highRtt, typicalRtt, type RttEstimate } from './rtt-estimator.ts';

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
  /** A round trip that is rarely exceeded (SRTT + 4 x RTTVAR), for windows that wait for evidence (routing). */
  rttHighMs: number;
  /** Its variation (RTTVAR), ms. */
  jitterMs: number;
}

/**
 * What a follower's election timeout has to cover is silence between heartbeats, and that depends on
 * how much the delay varies, not on how long it is: with constant delays heartbeats arrive exactly as
 * often as they leave, however slow the network. With heartbeats every H ms the chance that none
 * arrives within W ms is at most e^(-W/H) whatever the delay distribution (the expected number of
 * arrivals in any window of W ms is W/H, and each heartbeat lands in it independently). So the
 * heartbeat keeps its configured interval at every latency, and the timeout grows only with the
 * variation: two heartbeat intervals (one may be missing) plus this many RTTVARs. One is enough:
 * with a heartbeat every 50 ms many are in flight at once on a slow network, and a follower that
 * does time out on a rare gap only costs a pre-vote, which the other followers (still hearing the
 * leader) refuse. Every failover, on the other hand, pays the timeout in full.
 * The length of the path (pre-vote round trip, the candidate's write, RequestVote, the voter's
 * write, the new leader's first heartbeat) is added to the timers that wait for it instead
 * (persistAllowanceMs, roundTripAllowanceMs), not to every timeout, so failover does not pay it twice.
 */
const TIMEOUT_HEARTBEATS = 2;
const TIMEOUT_PER_RTTVAR = 1;
/** Maelstrom's lin-kv client: timeout = max(10 x mean latency, 1000 ms). */
const CLIENT_TIMEOUT_PER_ONE_WAY = 10;
const MAX_BACKOFF_DOUBLINGS = 4;
/**
 * Timeouts grow at most this much above the floors. One round trip measured across a process pause
 * can be seconds long; its weight fades only with later samples. The cap keeps such an outlier from
 * stretching the timeouts without bound.
 */
const MAX_SCALE = 40;

export function fixedTiming(floors: TimingFloors): DerivedTiming {
  return {
    electionTimeoutMinMs: floors.electionTimeoutMinMs,
    electionTimeoutMaxMs: floors.electionTimeoutMaxMs,
    heartbeatIntervalMs: floors.heartbeatIntervalMs,
    checkQuorumWindowMs: floors.checkQuorumWindowMs,
    persistAllowanceMs: 0,
    roundTripAllowanceMs: 0,
    retransmitAfterMs: floors.electionTimeoutMinMs,
    serviceTimeoutMs: floors.serviceTimeoutMs,
    forwardTimeoutMs: floors.forwardTimeoutMs,
    clientTimeoutMs: floors.clientTimeoutMs,
    parkLimitMs: Math.min(floors.electionTimeoutMaxMs + 100, 0.6 * floors.clientTimeoutMs),
    rttMs: 0,
    rttHighMs: 0,
    jitterMs: 0,
  };
}

export function deriveTiming(floors: TimingFloors, net: NetworkEstimate): DerivedTiming {
  if (net.peer === null && net.service === null && net.serviceBackoff === 0) return fixedTiming(floors);
  // Node-to-node round trips set the election timing: a leader measures them at every heartbeat.
  // Until there are any, the service's stand in (Maelstrom delays service traffic like node traffic);
  // the service is asked rarely (at start, at each new term or vote), so its estimate goes stale.
  const network = net.peer ?? net.service;
  // Capped like the timeouts: every window below (retransmission, check-quorum, the router's) must
  // recover within seconds from an estimate that one answer delayed by a partition blew up.
  const rttCap = MAX_SCALE * floors.electionTimeoutMinMs;
  const rttHigh = network === null ? 0 : Math.min(rttCap, highRtt(network));
  const rttMean = network === null ? 0 : network.srttMs;
  const persistMs = net.service === null ? 0 : Math.min(rttCap, highRtt(net.service));

  const jitterMs = network === null ? 0 : network.rttvarMs;
  const heartbeatIntervalMs = floors.heartbeatIntervalMs;
  const wanted = Math.max(floors.electionTimeoutMinMs, TIMEOUT_HEARTBEATS * heartbeatIntervalMs + TIMEOUT_PER_RTTVAR * jitterMs);
  const electionTimeoutMinMs = Math.round(Math.min(MAX_SCALE * floors.electionTimeoutMinMs, wanted));
  const electionTimeoutMaxMs = Math.round((electionTimeoutMinMs * floors.electionTimeoutMaxMs) / floors.electionTimeoutMinMs);
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
    persistAllowanceMs: Math.round(net.service === null ? 0 : Math.min(rttCap, typicalRtt(net.service))),
    roundTripAllowanceMs: Math.round(network === null ? 0 : Math.min(rttCap, typicalRtt(network))),
    // Twice a retransmission timeout: an acknowledgement later than that is taken as lost.
    retransmitAfterMs: Math.round(Math.max(floors.electionTimeoutMinMs, 2 * rttHigh)),
    serviceTimeoutMs,
    forwardTimeoutMs,
    clientTimeoutMs,
    parkLimitMs,
    rttMs: Math.round(rttMean),
    rttHighMs: Math.round(rttHigh),
    jitterMs: Math.round(jitterMs),
  };
}

/**
 * Whether a change is worth a log line: the election timeout, the heartbeat or the round trip (which
 * sets how long elections wait for answers) moved by half or more.
 */
export function changedNoticeably(before: DerivedTiming, after: DerivedTiming): boolean {
  const moved = (a: number, b: number, atLeast: number): boolean => Math.abs(a - b) >= Math.max(atLeast, 0.5 * Math.min(a, b));
  return (
    moved(before.electionTimeoutMinMs, after.electionTimeoutMinMs, 5) ||
    moved(before.heartbeatIntervalMs, after.heartbeatIntervalMs, 5) ||
    moved(before.rttMs, after.rttMs, 20)
  );
}

export function describeTiming(t: DerivedTiming): string {
  return (
    `timeouts now ${t.electionTimeoutMinMs}-${t.electionTimeoutMaxMs} ms, heartbeat ${t.heartbeatIntervalMs} ms ` +
    `(rtt ~${t.rttMs} ms, jitter ~${t.jitterMs} ms; elections wait ${t.roundTripAllowanceMs} ms more per round trip)`
  );
}
