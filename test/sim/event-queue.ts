// Virtual time: the simulator's events in a min-heap ordered by (deadline, insertion order). Equal
// times keep their insertion order, which is what makes a run replay exactly from its seed.
import { MinHeap } from '../../maelstrom/min-heap.ts';

export interface SimEvent {
  deadline: number;
  seq: number;
  /** Index of the node this event belongs to, or -1 for clients and the nemesis. */
  node: number;
  cancelled: boolean;
  run: () => void;
}

export class EventQueue {
  private readonly heap = new MinHeap<SimEvent>();
  private nextSeq = 0;

  get size(): number {
    return this.heap.size;
  }

  schedule(at: number, node: number, run: () => void): SimEvent {
    const event: SimEvent = { deadline: at, seq: this.nextSeq++, node, cancelled: false, run };
    this.heap.push(event);
    return event;
  }

  /** Puts a popped event back for a later time, keeping its identity (so it can still be cancelled). */
  reschedule(event: SimEvent, at: number): void {
    event.deadline = at;
    event.seq = this.nextSeq++;
    this.heap.push(event);
  }

  /** The earliest event that was not cancelled, removed from the queue; undefined when empty. */
  pop(): SimEvent | undefined {
    for (;;) {
      const top = this.heap.pop();
      if (top === undefined || !top.cancelled) return top;
    }
  }
}
