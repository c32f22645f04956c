// One-line descriptions of Raft messages for the trace: term, log position, what was granted.
import type { RaftMessage } from '../../src/raft/types.ts';

export function describeMessage(body: RaftMessage): string {
  switch (body.type) {
    case 'request_vote':
      return `${body.pre_vote ? 'pre-vote' : body.transfer === true ? 'transfer vote' : 'vote'} request t${body.term} last=${body.last_log_index}/t${body.last_log_term}`;
    case 'request_vote_result':
      return `${body.pre_vote ? 'pre-vote' : 'vote'} ${body.vote_granted ? 'granted' : 'refused'} t${body.term}`;
    case 'append_entries':
      return `append t${body.term} prev=${body.prev_log_index}/t${body.prev_log_term} n=${body.entries.length} commit=${body.leader_commit} round=${body.round}`;
    case 'append_entries_result':
      return `append ${body.success ? `ok match=${body.match_index}` : `rejected at ${body.reject_index} conflict=${body.conflict_index}/t${body.conflict_term ?? '-'}`} t${body.term}`;
    case 'install_snapshot':
      return `snapshot t${body.term} through=${body.last_included_index}/t${body.last_included_term} offset=${body.offset} n=${body.data.length}${body.done ? ' done' : ''} round=${body.round}`;
    case 'install_snapshot_result':
      return `snapshot ${body.done ? 'installed' : `next=${body.next_offset}`} through=${body.last_included_index} t${body.term}`;
    case 'timeout_now':
      return `timeout-now t${body.term}`;
    default: {
      const unreachable: never = body;
      return `unknown ${JSON.stringify(unreachable)}`;
    }
  }
}
