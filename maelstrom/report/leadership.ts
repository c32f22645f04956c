// Who led when: leadership intervals and the list of elections, derived from node log events
// and the nemesis's node-down periods. A leadership starts at 'elected leader for term Y' and
// ends at the node's next step-down, at its death (kill), at its next start, or at the test's end.
import type { NodeEvent } from './node-log.ts';
import type { FaultPeriod, NodeDownPeriod, PartitionPeriod } from './fault-periods.ts';

export type LeadershipEnd = 'stepped-down' | 'killed' | 'restarted' | 'test-end' | 're-elected';

export interface LeadershipInterval {
  node: string;
  term: number;
  startS: number;
  endS: number;
  endedBy: LeadershipEnd;
  /** The step-down's reason as logged, when it ended by a step-down. */
  reason?: string;
}

export interface Election {
  atS: number;
  node: string;
  term: number;
  /** When this node became candidate for this term, if logged. */
  candidateSinceS?: number;
  /** The leadership that began most recently before this election, if any. */
  previous?: LeadershipInterval;
  /**
   * Seconds between losing the previous leader and this election. Undefined when there was no
   * previous leader, or when it cannot be told when the previous leader was lost.
   */
  leaderlessForS?: number;
  /**
   * How the loss was dated: the previous leader's own end (step-down, kill, restart), or, when it
   * still believed it led at this election (cut off by a partition), the start of that partition.
   */
  lostBy?: 'leader-ended' | 'partition-started';
}

export interface Candidacy {
  node: string;
  term: number;
  atS: number;
  /** Whether this candidacy won. */
  won: boolean;
}

export interface LeadershipTimeline {
  intervals: LeadershipInterval[];
  elections: Election[];
  candidacies: Candidacy[];
  /** Process starts seen in the logs (the first one per node is the initial start). */
  starts: { node: string; atS: number }[];
}

/** The first kill of `node` strictly inside (from, to], if any: a leader dies with its process. */
function killBetween(downPeriods: readonly NodeDownPeriod[], node: string, fromS: number, toS: number): number | undefined {
  const kill = downPeriods.find((p) => p.node === node && p.startS > fromS && p.startS <= toS);
  return kill?.startS;
}

/**
 * Whether a partition cut `leader` off from a majority: fewer than a majority of the nodes (itself
 * included) can still exchange messages with it both ways. Without the grudge or the node list we
 * cannot tell, and assume it did.
 */
function cutsOffFromMajority(partition: PartitionPeriod, leader: string, nodeIds: readonly string[]): boolean {
  const grudge = partition.grudge;
  if (grudge === undefined || nodeIds.length === 0) return true;
  const twoWay = nodeIds.filter((o) => o === leader || (!(grudge[leader] ?? []).includes(o) && !(grudge[o] ?? []).includes(leader))).length;
  return twoWay < Math.floor(nodeIds.length / 2) + 1;
}

export function leadershipTimeline(events: readonly NodeEvent[], faults: readonly FaultPeriod[], endS: number, nodeIds: readonly string[] = []): LeadershipTimeline {
  const downPeriods = faults.filter((f): f is NodeDownPeriod => f.kind === 'node-down');
  const partitions = faults.filter((f): f is PartitionPeriod => f.kind === 'partition');
  const intervals: LeadershipInterval[] = [];
  const candidacies: Candidacy[] = [];
  const starts: { node: string; atS: number }[] = [];
  const open = new Map<string, { term: number; startS: number }>();

  const close = (node: string, atS: number, endedBy: LeadershipEnd, reason?: string): void => {
    const leadership = open.get(node);
    if (leadership === undefined) return;
    open.delete(node);
    const killedAt = endedBy === 'stepped-down' || endedBy === 're-elected' ? undefined : killBetween(downPeriods, node, leadership.startS, atS);
    const interval: LeadershipInterval = {
      node,
      term: leadership.term,
      startS: leadership.startS,
      endS: Math.max(leadership.startS, killedAt ?? atS),
      endedBy: killedAt !== undefined ? 'killed' : endedBy,
    };
    if (reason !== undefined && killedAt === undefined) interval.reason = reason;
    intervals.push(interval);
  };

  for (const event of events) {
    switch (event.kind) {
      case 'started':
        close(event.node, event.atS, 'restarted');
        starts.push({ node: event.node, atS: event.atS });
        break;
      case 'candidate':
        close(event.node, event.atS, 'restarted'); // a leader never campaigns; its process must have restarted
        candidacies.push({ node: event.node, term: event.term, atS: event.atS, won: false });
        break;
      case 'elected':
        close(event.node, event.atS, 're-elected');
        open.set(event.node, { term: event.term, startS: event.atS });
        for (let i = candidacies.length - 1; i >= 0; i--) {
          const c = candidacies[i];
          if (c !== undefined && c.node === event.node && c.term === event.term) {
            c.won = true;
            break;
          }
        }
        break;
      case 'stepped-down':
        close(event.node, event.atS, 'stepped-down', event.reason);
        break;
      case 'election-timeout':
      case 'pre-vote':
      case 'recognized-leader':
        break;
    }
  }
  for (const node of [...open.keys()]) close(node, endS, 'test-end');
  intervals.sort((a, b) => a.startS - b.startS);
  return { intervals, elections: electionsOf(intervals, candidacies, partitions, nodeIds), candidacies, starts };
}

function electionsOf(intervals: readonly LeadershipInterval[], candidacies: readonly Candidacy[], partitions: readonly PartitionPeriod[], nodeIds: readonly string[]): Election[] {
  return intervals.map((interval, i) => {
    const election: Election = { atS: interval.startS, node: interval.node, term: interval.term };
    const candidacy = candidacies.filter((c) => c.node === interval.node && c.term === interval.term && c.atS <= interval.startS).pop();
    if (candidacy !== undefined) election.candidateSinceS = candidacy.atS;
    const previous = i > 0 ? intervals[i - 1] : undefined;
    if (previous !== undefined) {
      election.previous = previous;
      if (previous.endS <= interval.startS) {
        election.leaderlessForS = interval.startS - previous.endS;
        election.lostBy = 'leader-ended';
      } else {
        // The old leader was still leading in its own eyes: the partition that started last while
        // it led and cut it off from a majority is what cost the cluster its leader.
        const cut = partitions
          .filter((p) => p.startS > previous.startS && p.startS <= interval.startS && cutsOffFromMajority(p, previous.node, nodeIds))
          .map((p) => p.startS)
          .pop();
        if (cut !== undefined) {
          election.leaderlessForS = interval.startS - cut;
          election.lostBy = 'partition-started';
        }
      }
    }
    return election;
  });
}
