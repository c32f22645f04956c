// The standalone node's relay wiring (src/standalone/peer-routing.ts) over a fake network of three
// members. Each member lists the cluster with itself first, as a standalone configuration does; the
// link reports must still mean the same member to everyone, so a link that delivers one way only
// is detected and traffic goes around it, and a healthy network relays nothing.
import { describe, expect, it } from 'vitest';
import type { Body } from '../../src/protocol/messages.ts';
import { PeerRouting } from '../../src/standalone/peer-routing.ts';

interface Delivery {
  hop: string;
  to: string;
  body: Body;
}

function cluster(dropped: ReadonlySet<string>, initial: readonly string[] = ['1', '2', '3']) {
  let now = 0;
  const inFlight: Delivery[] = [];
  const received: { at: string; origin: string; hop: string; body: Body }[] = [];
  let ids = [...initial];
  const nodes = new Map<string, PeerRouting>();
  const make = (self: string): PeerRouting =>
    new PeerRouting(self, [self, ...ids.filter((i) => i !== self)], 50, {
      now: () => now,
      transmit: (to, body) => {
        // The link from self to `to` takes the body; a dropped direction loses it silently (TCP to a black hole).
        if (!dropped.has(`${self}>${to}`)) inFlight.push({ hop: self, to, body });
        return true;
      },
      log: () => {},
    });
  for (const self of ids) nodes.set(self, make(self));
  const tick = (): void => {
    for (const from of ids) for (const to of ids) if (from !== to) nodes.get(from)?.send(to, { type: 'append_entries', term: 1, n: now });
    // A LAN: bodies arrive 5 ms after they leave, relayed ones 5 ms per hop; heartbeats every 50 ms.
    for (let hop = 0; hop < 2; hop++) {
      now += 5;
      for (const d of inFlight.splice(0)) {
        const got = nodes.get(d.to)?.receive(d.hop, d.body);
        if (got) received.push({ at: d.to, origin: got.origin, hop: d.hop, body: got.body });
      }
    }
    now += 40;
  };
  /** A membership change: `id` joins; every member (and the new one) routes among the new list. */
  const add = (id: string): void => {
    ids = [...ids, id];
    nodes.set(id, make(id));
    for (const [self, node] of nodes) node.setMembers([self, ...ids.filter((i) => i !== self)]);
  };
  return { tick, received, add };
}

describe('standalone peer routing (relay router over TCP peer links)', () => {
  it('routes 1 -> 2 through 3 when only 2 -> 1 and the links through 3 deliver', () => {
    const net = cluster(new Set(['1>2']));
    for (let i = 0; i < 40; i++) net.tick();
    const late = net.received.filter((r) => r.at === '2' && r.origin === '1' && Number(r.body['n']) >= 1500);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((r) => r.hop === '3')).toBe(true);
    // The payload arrives unwrapped and without the link reports.
    expect(late[0]?.body['type']).toBe('append_entries');
    expect(late[0]?.body['link_state']).toBeUndefined();
  });

  it('relays nothing while every link delivers', () => {
    const net = cluster(new Set());
    for (let i = 0; i < 40; i++) net.tick();
    // Every body arrives, straight from its sender (a hedge may add a direct copy; Raft bodies may repeat).
    expect(new Set(net.received.map((r) => `${r.at}<${r.origin}@${String(r.body['n'])}`)).size).toBe(40 * 6);
    expect(net.received.every((r) => r.hop === r.origin)).toBe(true);
  });

  it('routes around a dead link to a member that joined later (the router follows the configuration)', () => {
    const net = cluster(new Set(['1>4']));
    for (let i = 0; i < 10; i++) net.tick();
    net.add('4');
    for (let i = 0; i < 40; i++) net.tick();
    const late = net.received.filter((r) => r.at === '4' && r.origin === '1' && Number(r.body['n']) >= 1500);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((r) => r.hop !== '1')).toBe(true);
  });
});
