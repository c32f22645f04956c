// A snapshot travels in chunks (§7, dissertation §5.1.3): the leader cuts them, one in flight at a
// time; the follower takes them in order from offset 0 and answers anything else with where it
// is, so the leader resends from there.
import type { InstallSnapshot, NodeId, Snapshot } from './types.ts';

/** The chunk of `snapshot` that starts at `offset` (the leader's side). */
export function snapshotChunk(snapshot: Snapshot, offset: number, chunkSize: number, leader: { term: number; id: NodeId; round: number }): InstallSnapshot {
  const data = snapshot.data.slice(offset, offset + Math.max(1, chunkSize));
  return {
    type: 'install_snapshot',
    term: leader.term,
    leader_id: leader.id,
    last_included_index: snapshot.index,
    last_included_term: snapshot.term,
    offset,
    data,
    done: offset + data.length >= snapshot.data.length,
    round: leader.round,
    ...(snapshot.config === undefined ? {} : { config: snapshot.config }),
  };
}

interface Incoming {
  leader: NodeId;
  term: number;
  index: number;
  snapshotTerm: number;
  chunks: string[];
  /** Characters received so far: the offset the next chunk must start at. */
  received: number;
}

/** What one chunk did: where the next one should start, whether this one began a transfer, and the snapshot once whole. */
export interface ChunkOutcome {
  nextOffset: number;
  started: boolean;
  complete: Snapshot | null;
}

export class SnapshotReceiver {
  private incoming: Incoming | null = null;

  /** Forgets a transfer under way (a new term: its leader is gone). */
  reset(): void {
    this.incoming = null;
  }

  receive(from: NodeId, term: number, m: InstallSnapshot): ChunkOutcome {
    const current = this.incoming;
    const same = current !== null && current.leader === from && current.term === term && current.index === m.last_included_index && current.snapshotTerm === m.last_included_term;
    let started = false;
    if (m.offset === 0 && (!same || current.received === 0)) {
      this.incoming = { leader: from, term, index: m.last_included_index, snapshotTerm: m.last_included_term, chunks: [], received: 0 };
      started = !same;
    } else if (!same || m.offset !== current.received) {
      // A duplicate, a chunk after a lost one, or a chunk of another transfer.
      return { nextOffset: same ? current.received : 0, started: false, complete: null };
    }
    const transfer = this.incoming as Incoming;
    transfer.chunks.push(m.data);
    transfer.received += m.data.length;
    if (!m.done) return { nextOffset: transfer.received, started, complete: null };
    this.incoming = null;
    const config = m.config === undefined ? {} : { config: m.config };
    return { nextOffset: transfer.received, started, complete: { index: transfer.index, term: transfer.snapshotTerm, ...config, data: transfer.chunks.join('') } };
  }
}
