// The partitions Maelstrom's nemesis draws (Jepsen's combined nemesis, without :primaries): each
// start-partition picks one of four shapes uniformly and turns it into a grudge, a map from each
// receiving node to the senders whose messages it drops. Cuts may be one-way (majorities-ring).
import type { Random } from '../random.ts';

export const PARTITION_SHAPES = ['one', 'minority-third', 'majority', 'majorities-ring'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

/** receiver -> senders it drops; only nodes that drop something appear. */
export type Grudge = Map<string, Set<string>>;

export function grudgeFor(shape: PartitionShape, nodes: readonly string[], random: Random): Grudge {
  switch (shape) {
    case 'one': {
      const loner = random.pick(nodes);
      return completeCut([[loner], nodes.filter((n) => n !== loner)]);
    }
    case 'majority': {
      const shuffled = random.shuffle([...nodes]);
      const half = Math.floor(nodes.length / 2);
      return completeCut([shuffled.slice(0, half), shuffled.slice(half)]);
    }
    case 'minority-third': {
      const shuffled = random.shuffle([...nodes]);
      const third = Math.floor((nodes.length - 1) / 3);
      return completeCut([shuffled.slice(0, third), shuffled.slice(third)]);
    }
    case 'majorities-ring':
      return nodes.length <= 5 ? perfectMajoritiesRing(nodes, random) : randomMajoritiesRing(nodes, random);
  }
}

/** Every node drops every node of the other components, both ways. */
function completeCut(components: readonly (readonly string[])[]): Grudge {
  const grudge: Grudge = new Map();
  for (const component of components) {
    for (const receiver of component) {
      for (const other of components) {
        if (other === component) continue;
        for (const sender of other) addDrop(grudge, receiver, sender);
      }
    }
  }
  return grudge;
}

/**
 * Nodes in a shuffled ring; for each window of m = floor(n/2)+1 consecutive nodes, the window's
 * middle node (index floor(m/2)) hears only the window. With 3 nodes this is a one-way cycle.
 */
function perfectMajoritiesRing(nodes: readonly string[], random: Random): Grudge {
  const ring = random.shuffle([...nodes]);
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const grudge: Grudge = new Map();
  if (n <= 2) return grudge;
  for (let start = 0; start < n; start++) {
    const window = new Set(Array.from({ length: m }, (_, i) => ring[(start + i) % n] ?? ''));
    const receiver = ring[(start + Math.floor(m / 2)) % n];
    if (receiver === undefined) continue;
    for (const sender of ring) if (!window.has(sender)) addDrop(grudge, receiver, sender);
  }
  return grudge;
}

/** For > 5 nodes: link least-connected nodes until each sees a majority (itself included); cut the rest. */
function randomMajoritiesRing(nodes: readonly string[], random: Random): Grudge {
  const m = Math.floor(nodes.length / 2) + 1;
  const links = new Map(nodes.map((n) => [n, new Set([n])]));
  const degree = (n: string): number => links.get(n)?.size ?? 0;
  for (;;) {
    const lacking = nodes.filter((n) => degree(n) < m);
    if (lacking.length === 0) break;
    const fewest = Math.min(...lacking.map(degree));
    const a = random.pick(lacking.filter((n) => degree(n) === fewest));
    const partners = nodes.filter((n) => !links.get(a)?.has(n));
    const partnerFewest = Math.min(...partners.map(degree));
    const b = random.pick(partners.filter((n) => degree(n) === partnerFewest));
    links.get(a)?.add(b);
    links.get(b)?.add(a);
  }
  const grudge: Grudge = new Map();
  for (const receiver of nodes) for (const sender of nodes) if (!links.get(receiver)?.has(sender)) addDrop(grudge, receiver, sender);
  return grudge;
}

function addDrop(grudge: Grudge, receiver: string, sender: string): void {
  let senders = grudge.get(receiver);
  if (!senders) grudge.set(receiver, (senders = new Set()));
  senders.add(sender);
}

/** JSON form for the history: {receiver: [senders dropped]}, sorted for stable output. */
export function grudgeToJson(grudge: Grudge): { [receiver: string]: string[] } {
  const out: { [receiver: string]: string[] } = {};
  for (const receiver of [...grudge.keys()].sort()) out[receiver] = [...(grudge.get(receiver) ?? [])].sort();
  return out;
}

/**
 * Human text: components for symmetric cuts ("n0 | n1 n2"), otherwise who cannot hear whom
 * ("n0 -/-> n1" = n1 drops messages from n0).
 */
export function describeGrudge(grudge: Grudge, nodes: readonly string[]): string {
  if (grudge.size === 0) return 'no cut';
  const drops = (receiver: string, sender: string): boolean => grudge.get(receiver)?.has(sender) === true;
  const symmetric = nodes.every((a) => nodes.every((b) => drops(a, b) === drops(b, a)));
  if (symmetric) {
    const components: string[][] = [];
    for (const node of nodes) {
      const home = components.find((c) => c.every((member) => !drops(node, member)));
      if (home) home.push(node);
      else components.push([node]);
    }
    const isClean = components.every((c) => nodes.every((o) => c.includes(o) || c.every((member) => drops(member, o))));
    if (isClean) return components.map((c) => c.join(' ')).join(' | ');
  }
  const cuts: string[] = [];
  for (const receiver of [...grudge.keys()].sort()) for (const sender of [...(grudge.get(receiver) ?? [])].sort()) cuts.push(`${sender} -/-> ${receiver}`);
  return cuts.join(', ');
}
