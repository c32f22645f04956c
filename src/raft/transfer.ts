// Leadership transfer (dissertation §3.10): the state of one under way, and the requests a leader
// refuses before starting one.
import type { NodeId } from './types.ts';

/** A leadership transfer under way: proposals wait until it ends. */
export interface LeadershipTransfer {
  target: NodeId;
  startedAt: number;
  /** Not handed over by then: the leader gives up and takes proposals again. */
  deadline: number;
}

/** Why a transfer to `target` (null: the default) cannot start, or null if it can (or is under way to it). */
export function transferRefusal(v: { self: NodeId; leading: boolean; leaderId: NodeId | null; otherVoters: NodeId[]; isMember: (id: NodeId) => boolean; under: LeadershipTransfer | null }, target: NodeId | null): string | null {
  if (!v.leading) return `not the leader (leader: ${v.leaderId ?? 'unknown'})`;
  if (target === v.self) return 'this node is the leader already';
  if (target !== null && !v.otherVoters.includes(target)) return `${target} is not a ${v.isMember(target) ? 'voter' : 'member'} of this cluster`;
  if (v.under !== null && target !== null && target !== v.under.target) return `a transfer to ${v.under.target} is already under way`;
  return null;
}
