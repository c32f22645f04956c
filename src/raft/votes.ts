// Vote rules that need only the ballot in hand: the pre-vote tie-break, and why a vote was refused.
import type { NodeId, RequestVote } from './types.ts';

/** What a precandidate knows when a peer asks it for a pre-vote. */
export interface PreVoteTieView {
  self: NodeId;
  role: string;
  firstPreVoteRound: boolean;
  term: number;
  lastLogIndex: number;
  lastLogTerm: number;
  /** The peer's answer to our own pre-vote, if it came: false if it refused us. */
  answeredUs: boolean | undefined;
}

/**
 * Two followers whose timers fire less than a message delay apart each grant the other's pre-vote,
 * both become candidates of the same term and split the vote, which costs another timeout and two
 * hard-state writes. So a precandidate in its first round, asked for a pre-vote for the very term it
 * seeks by a peer whose log is exactly as long as its own, grants only to the lower id: one of the
 * two goes ahead. Only pre-votes (no term, no vote, no safety) are touched; a peer with a longer log
 * is granted as always, and from the second round on (e.g. our own requests do not get through) we
 * grant as always too, so the tie-break never stalls an election. Nor do we hold back a peer that
 * already refused us this round (it was still hearing from the leader): it will not help us win,
 * and refusing it too would leave both of us waiting for another timeout.
 */
export function refusesPreVoteTie(view: PreVoteTieView, from: NodeId, m: RequestVote): boolean {
  if (view.role !== 'precandidate' || !view.firstPreVoteRound || m.term !== view.term + 1) return false;
  if (view.answeredUs === false) return false;
  const sameLog = m.last_log_term === view.lastLogTerm && m.last_log_index === view.lastLogIndex;
  return sameLog && from > view.self;
}

/** Why a vote or pre-vote was refused, for the log line. */
export function refusalReason(r: { logLost: boolean; upToDate: boolean; preVote: boolean; tie: boolean; votedFor: NodeId | null }): string {
  if (r.logLost) return 'log lost, not caught up from a leader yet';
  if (!r.upToDate) return 'its log is behind ours';
  if (r.preVote) return r.tie ? 'we seek the same term with the same log, and our id is lower' : 'a leader is alive or the term is not newer';
  return `already voted for ${r.votedFor ?? 'nobody'}`;
}
