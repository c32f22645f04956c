// Partition shapes beyond Maelstrom's four (a bench extension, picked with --partition-shapes): the
// three scenarios of the partial-connectivity literature (Omni-Paxos, EuroSys 2023) and random
// one-way grudges that leave a majority strongly connected. Roles (the hub, the chain's ends) are
// given to concrete nodes when the shape starts, from the leader the bench last saw in the node
// logs if it knows one, else at random.
import type { Random } from '../random.ts';
import type { Grudge } from './partition-shapes.ts';

export const EXTRA_SHAPES = ['quorum-loss', 'constrained-election', 'chained', 'random-one-way'] as const;
export type ExtraShape = (typeof EXTRA_SHAPES)[number];

/** How long constrained-election keeps its hub cut off alone (writes commit without it) before the hub topology. */
export const CONSTRAINED_PRELUDE_MS = 3000;

export interface ShapePlan {
  grudge: Grudge;
  /** Applied first, for `ms`, then replaced by `grudge` (constrained-election's lagging hub). */
  prelude: { grudge: Grudge; ms: number } | null;
  /** Who plays which part, for the history: e.g. {"hub": "n2", "leader": "n0"}. */
  roles: { [role: string]: string };
}

/** Builds one extra shape; `leader` is the current leader if known. `turn` alternates chained's leader position. */
export function planExtraShape(shape: ExtraShape, nodes: readonly string[], random: Random, leader: string | null, turn: number): ShapePlan {
  const known = leader !== null && nodes.includes(leader) ? leader : null;
  const withLeader: { [role: string]: string } = known === null ? {} : { leader: known };
  switch (shape) {
    case 'quorum-loss': {
      const hub = pickHub(nodes, random, known);
      return { grudge: hubOnly(nodes, hub), prelude: null, roles: { hub, ...withLeader } };
    }
    case 'constrained-election': {
      const hub = pickHub(nodes, random, known);
      const alone = new Map<string, Set<string>>();
      for (const n of nodes) if (n !== hub) cutBothWays(alone, hub, n);
      return { grudge: hubOnly(nodes, hub), prelude: { grudge: alone, ms: CONSTRAINED_PRELUDE_MS }, roles: { hub, ...withLeader } };
    }
    case 'chained': {
      const chain = chainOrder(nodes, random, known, turn % 2 === 0 ? 'end' : 'middle');
      const grudge: Grudge = new Map();
      chain.forEach((a, i) => chain.forEach((b, j) => i < j - 1 && cutBothWays(grudge, a, b)));
      return { grudge, prelude: null, roles: { chain: chain.join('-'), ...withLeader } };
    }
    case 'random-one-way':
      return randomOneWay(nodes, random);
  }
}

/** The hub must not be the leader: the leader has to lose its direct majority. */
function pickHub(nodes: readonly string[], random: Random, leader: string | null): string {
  return random.pick(nodes.filter((n) => n !== leader));
}

/** Every link that does not touch the hub is cut both ways. */
function hubOnly(nodes: readonly string[], hub: string): Grudge {
  const grudge: Grudge = new Map();
  for (const a of nodes) for (const b of nodes) if (a < b && a !== hub && b !== hub) cutBothWays(grudge, a, b);
  return grudge;
}

/** A line through all nodes with the leader at one end or in the middle. */
function chainOrder(nodes: readonly string[], random: Random, leader: string | null, leaderAt: 'end' | 'middle'): string[] {
  const order = random.shuffle([...nodes]);
  if (leader === null) return order;
  const rest = order.filter((n) => n !== leader);
  const at = leaderAt === 'end' ? 0 : Math.floor(nodes.length / 2);
  return [...rest.slice(0, at), leader, ...rest.slice(at)];
}

/**
 * A random grudge in which a majority (at least 3 nodes, so a one-way link can exist inside it) stays
 * strongly connected through a directed cycle, one of whose links delivers one way only. Every
 * other directed link is cut with probability one half.
 */
function randomOneWay(nodes: readonly string[], random: Random): ShapePlan {
  const size = Math.min(nodes.length, Math.max(3, Math.floor(nodes.length / 2) + 1));
  const members = random.shuffle([...nodes]).slice(0, size);
  const kept = new Set<string>();
  members.forEach((a, i) => kept.add(`${a}>${members[(i + 1) % size] as string}`));
  const grudge: Grudge = new Map();
  const [first, second] = members as [string, string];
  drop(grudge, first, second); // second -> first is cut: first -> second delivers one way only
  for (const a of nodes) for (const b of nodes) if (a !== b && !kept.has(`${a}>${b}`) && random.chance(0.5)) drop(grudge, b, a);
  return { grudge, prelude: null, roles: { majority: members.join(' '), 'one-way': `${first}->${second}` } };
}

function cutBothWays(grudge: Grudge, a: string, b: string): boolean {
  drop(grudge, a, b);
  drop(grudge, b, a);
  return true;
}

/** `receiver` drops what `sender` sends. */
function drop(grudge: Grudge, receiver: string, sender: string): void {
  let senders = grudge.get(receiver);
  if (senders === undefined) grudge.set(receiver, (senders = new Set()));
  senders.add(sender);
}
