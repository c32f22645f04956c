// Partition shapes, as Maelstrom's nemesis computes them (see maelstrom/README.md), plus
// asymmetric one-way cuts. A grudge maps each receiver to the senders whose messages it drops.
import { planExtraShape } from '../../maelstrom/nemesis/extra-shapes.ts';
import { grudgeFor } from '../../maelstrom/nemesis/partition-shapes.ts';
import type { Random } from '../../maelstrom/random.ts';

export type PartitionShape = 'one' | 'minority-third' | 'majority' | 'majorities-ring' | 'one-way' | 'quorum-loss' | 'chained' | 'random-one-way';
/** Maelstrom's four, random one-way cuts, and the non-transitive shapes the relay router must route around. */
export const PARTITION_SHAPES: readonly PartitionShape[] = ['one', 'minority-third', 'majority', 'majorities-ring', 'one-way', 'quorum-loss', 'chained', 'random-one-way'];

export type Grudge = Map<number, number[]>;

/**
 * Maelstrom's four shapes come from the bench's own nemesis (one implementation for both, so the
 * simulator explores exactly the partitions the bench injects); one-way cuts are the simulator's.
 */
export function makeGrudge(shape: PartitionShape, n: number, rng: Random): Grudge {
  if (shape === 'one-way') return oneWayCuts(n, rng);
  const names = Array.from({ length: n }, (_, i) => String(i));
  const byName =
    shape === 'quorum-loss' || shape === 'chained' || shape === 'random-one-way' ? planExtraShape(shape, names, rng, null, rng.int(0, 2)).grudge : grudgeFor(shape, names, rng);
  const g: Grudge = new Map();
  for (const [receiver, senders] of byName) g.set(Number(receiver), [...senders].map(Number));
  return g;
}

/** A few directed links cut one way only: a hears b, b does not hear a. */
function oneWayCuts(n: number, rng: Random): Grudge {
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

/** A readable form for the history and the trace: {"n1":["n0","n2"]}. */
export function describeGrudge(grudge: Grudge, names: readonly string[]): { [receiver: string]: string[] } {
  const out: { [receiver: string]: string[] } = {};
  for (const [receiver, senders] of [...grudge].sort(([a], [b]) => a - b)) {
    if (senders.length > 0) out[names[receiver] as string] = senders.map((s) => names[s] as string).sort();
  }
  return out;
}
