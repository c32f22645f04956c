// Partition shapes, as Maelstrom's nemesis computes them (see shared/maelstrom-compat.md §5.2), plus
// asymmetric one-way cuts. A grudge maps each receiver to the senders whose messages it drops.
import type { Random } from '../../maelstrom/random.ts';

export type PartitionShape = 'one' | 'minority-third' | 'majority' | 'majorities-ring' | 'one-way';
export const PARTITION_SHAPES: readonly PartitionShape[] = ['one', 'minority-third', 'majority', 'majorities-ring', 'one-way'];

export type Grudge = Map<number, number[]>;

/** Cuts every link between the two groups, both ways. */
function splitGrudge(a: readonly number[], b: readonly number[]): Grudge {
  const g: Grudge = new Map();
  for (const x of a) g.set(x, [...b]);
  for (const y of b) g.set(y, [...a]);
  return g;
}

export function makeGrudge(shape: PartitionShape, n: number, rng: Random): Grudge {
  const nodes = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  switch (shape) {
    case 'one':
      return splitGrudge(nodes.slice(0, 1), nodes.slice(1));
    case 'minority-third': {
      // floor((n-1)/3) nodes split off; for n = 3 that is nobody (Maelstrom's no-op partition).
      const k = Math.floor((n - 1) / 3);
      return splitGrudge(nodes.slice(0, k), nodes.slice(k));
    }
    case 'majority': {
      const k = Math.floor(n / 2);
      return splitGrudge(nodes.slice(0, k), nodes.slice(k));
    }
    case 'majorities-ring':
      return majoritiesRing(nodes);
    case 'one-way': {
      // A few directed links cut one way only: a hears b, b does not hear a.
      const g: Grudge = new Map();
      const cuts = rng.int(1, n);
      for (let i = 0; i < cuts; i++) {
        const receiver = rng.int(0, n);
        let sender = rng.int(0, n - 1);
        if (sender >= receiver) sender++;
        const senders = g.get(receiver) ?? [];
        if (!senders.includes(sender)) senders.push(sender);
        g.set(receiver, senders);
      }
      return g;
    }
    default: {
      const unreachable: never = shape;
      throw new Error(`unknown partition shape ${String(unreachable)}`);
    }
  }
}

/**
 * Ring of majorities: nodes sit in a (shuffled) ring; for each window of m = floor(n/2)+1 consecutive
 * nodes, the node in the window's middle hears only the nodes of its window. Every node thus sees a
 * majority, but no two nodes see the same one. For n = 3 the result is asymmetric (a one-way cycle).
 * Maelstrom uses a randomized construction for n > 5; we use the same windows for every n.
 */
function majoritiesRing(ring: readonly number[]): Grudge {
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const g: Grudge = new Map();
  for (let start = 0; start < n; start++) {
    const window = Array.from({ length: m }, (_, j) => ring[(start + j) % n] as number);
    const receiver = window[Math.floor(m / 2)] as number;
    g.set(receiver, ring.filter((x) => !window.includes(x)));
  }
  return g;
}

/** A readable form for the history and the trace: {"n1":["n0","n2"]}. */
export function describeGrudge(grudge: Grudge, names: readonly string[]): { [receiver: string]: string[] } {
  const out: { [receiver: string]: string[] } = {};
  for (const [receiver, senders] of [...grudge].sort(([a], [b]) => a - b)) {
    if (senders.length > 0) out[names[receiver] as string] = senders.map((s) => names[s] as string).sort();
  }
  return out;
}
