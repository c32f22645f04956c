// What a node answers to a message from an older term (Figure 2: the sender learns our term and
// steps down). Answers from an older term need none: they are dropped.
import type { RaftMessage } from './types.ts';

export function staleReply(msg: RaftMessage, term: number): RaftMessage | null {
  switch (msg.type) {
    case 'append_entries':
      // No round: this reply carries our newer term, and a leader of that term (perhaps a restarted
      // process of the same node, whose rounds count from 0 again) must not read it as an answer to
      // one of its own rounds. Only a reply in the term of the request it answers echoes a round.
      return { type: 'append_entries_result', term, success: false, match_index: 0, reject_index: msg.prev_log_index, conflict_index: 0, conflict_term: null, round: 0 };
    case 'request_vote':
      return { type: 'request_vote_result', term, vote_granted: false, pre_vote: msg.pre_vote };
    case 'install_snapshot':
      return { type: 'install_snapshot_result', term, last_included_index: msg.last_included_index, next_offset: 0, done: false, round: 0 }; // no round, as above
    default:
      return null;
  }
}
