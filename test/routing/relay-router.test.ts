// The relay router on its own: a few routers on a tiny virtual network with per-receiver grudges
// (as Maelstrom cuts links), each node sending to every other every "heartbeat".
import { describe, expect, it } from 'vitest';
import type { Body } from '../../src/protocol/messages.ts';
import { decodeReports, encodeReports } from '../../src/routing/link-state.ts';
import { decodeFrame, encodeFrame } from '../../src/routing/json-frame.ts';
import { RelayRouter, routerOptionsFor, type Frame } from '../../src/routing/relay-router.ts';

interface Payload {
  from: string;
  to: string;
  seq: number;
  once?: boolean;
  urgent?: boolean;
}

const HEARTBEAT_MS = 50;
const LATENCY_MS = 2;

/** n routers, a queue of frames in flight, and grudge[receiver] = senders it drops. */
class TinyNetwork {
  now = 0;
  readonly ids: string[];
  readonly routers: RelayRouter<Payload>[];
  readonly grudge = new Map<string, Set<string>>();
  /** Frames put on a wire, and payloads delivered to their final destination. */
  wireFrames = 0;
  readonly delivered: Payload[] = [];
  readonly down = new Set<string>();
  private inFlight: { at: number; from: string; to: string; frame: Frame<Payload> }[] = [];
  private seq = 0;

  constructor(n: number) {
    this.ids = Array.from({ length: n }, (_, i) => `n${i}`);
    this.routers = this.ids.map(
      (id) =>
        new RelayRouter<Payload>(id, this.ids, routerOptionsFor(HEARTBEAT_MS), {
          now: () => this.now,
          transmit: (to, frame) => {
            this.wireFrames++;
            this.inFlight.push({ at: this.now + LATENCY_MS, from: id, to, frame });
          },
          duplicable: (p) => p.once !== true,
          urgent: (p) => p.urgent === true,
          log: () => {},
        }),
    );
  }

  router(id: string): RelayRouter<Payload> {
    return this.routers[this.ids.indexOf(id)] as RelayRouter<Payload>;
  }

  /** `receiver` stops hearing `sender` (one direction only). */
  cut(sender: string, receiver: string): void {
    let set = this.grudge.get(receiver);
    if (set === undefined) this.grudge.set(receiver, (set = new Set()));
    set.add(sender);
  }

  heal(): void {
    this.grudge.clear();
  }

  send(from: string, to: string, extra: Partial<Payload> = {}): Payload {
    const p = { from, to, seq: this.seq++, ...extra };
    if (!this.down.has(from)) this.router(from).send(to, p);
    return p;
  }

  /** Every live node sends to every other, then time runs for one heartbeat. */
  heartbeat(): void {
    for (const a of this.ids) for (const b of this.ids) if (a !== b) this.send(a, b);
    this.run(HEARTBEAT_MS);
  }

  run(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      this.inFlight.sort((x, y) => x.at - y.at);
      const next = this.inFlight[0];
      if (next === undefined || next.at > until) break;
      this.inFlight.shift();
      this.now = next.at;
      if (this.down.has(next.to) || this.grudge.get(next.to)?.has(next.from)) continue;
      const got = this.router(next.to).receive(next.from, next.frame);
      if (got !== null) {
        expect(got.origin).toBe(got.payload.from);
        expect(next.to).toBe(got.payload.to);
        this.delivered.push(got.payload);
      }
    }
    this.now = until;
  }

  /** Which of these payloads arrived (at least once). */
  arrived(payloads: readonly Payload[]): Payload[] {
    const seen = new Set(this.delivered.map((p) => p.seq));
    return payloads.filter((p) => seen.has(p.seq));
  }

  relayed(): number {
    return this.routers.reduce((sum, r) => sum + r.stats.relayed + r.stats.probes + r.stats.hedges, 0);
  }
}

describe('relay router', () => {
  it('on a healthy network sends every payload straight to its destination: one frame each, no relay, no probe', () => {
    const net = new TinyNetwork(5);
    for (let i = 0; i < 40; i++) net.heartbeat();
    const sent = 40 * 5 * 4;
    expect(net.wireFrames).toBe(sent);
    expect(net.delivered.length).toBe(sent);
    expect(net.relayed()).toBe(0);
  });

  it('never judges a link dead without a report from its receiver: a crashed peer gets no relaying, only a bounded hedge', () => {
    const net = new TinyNetwork(3);
    for (let i = 0; i < 5; i++) net.heartbeat();
    net.down.add('n2');
    for (let i = 0; i < 40; i++) net.heartbeat();
    expect(net.router('n0').links.ownLinkDead('n2')).toBe(false);
    const stats = net.routers.map((r) => r.stats);
    expect(stats.reduce((a, s) => a + s.relayed + s.probes, 0)).toBe(0);
    // The two survivors hedge towards the silent peer only within the hedge window (1 s), once per heartbeat at most (one detour each on 3 nodes).
    const hedges = stats.reduce((a, s) => a + s.hedges, 0);
    expect(hedges).toBeGreaterThan(0);
    expect(hedges).toBeLessThanOrEqual(2 * (1000 / HEARTBEAT_MS));
    for (let i = 0; i < 20; i++) net.heartbeat();
    expect(net.routers.reduce((a, r) => a + r.stats.hedges, 0)).toBe(hedges);
  });

  it('hedges through every detour as soon as a peer that was talking falls silent, before any report says which link is down', () => {
    const net = new TinyNetwork(3);
    for (let i = 0; i < 5; i++) net.heartbeat();
    net.cut('n0', 'n1');
    net.cut('n1', 'n0');
    net.run(120); // silence, and no traffic that could carry evidence yet
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(false);
    const p = net.send('n0', 'n1');
    net.run(20);
    expect(net.arrived([p])).toHaveLength(1);
    expect(net.router('n0').stats.hedges).toBe(1);
    // On 5 nodes, through each of the 3 others: nobody knows yet which detour works.
    const five = new TinyNetwork(5);
    for (let i = 0; i < 5; i++) five.heartbeat();
    five.cut('n0', 'n1');
    five.cut('n1', 'n0');
    five.cut('n1', 'n2'); // n2 cannot be the way
    five.run(120);
    const q = five.send('n0', 'n1');
    five.run(20);
    expect(five.arrived([q])).toHaveLength(1);
    expect(five.router('n0').stats.hedges).toBe(3);
  });

  it("routes around Maelstrom's 3-node majorities-ring (a one-way cycle): every node reaches every other", () => {
    const net = new TinyNetwork(3);
    for (let i = 0; i < 5; i++) net.heartbeat();
    // n0 -> n2 -> n1 -> n0 delivers; the reverse links are cut.
    net.cut('n2', 'n0');
    net.cut('n0', 'n1');
    net.cut('n1', 'n2');
    for (let i = 0; i < 10; i++) net.heartbeat(); // time to learn the links
    const probe: Payload[] = [];
    for (const a of net.ids) for (const b of net.ids) if (a !== b) probe.push(net.send(a, b, { once: true }));
    net.run(100);
    expect(net.arrived(probe).length).toBe(6);
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(true);
    expect(net.router('n0').links.ownLinkDead('n2')).toBe(false);
    expect(net.relayed()).toBeGreaterThan(0);
  });

  it("routes around the 5-node majorities-ring and the chained shape (X - Y - Z, X and Z cut both ways)", () => {
    const ring = new TinyNetwork(5);
    // Each node hears only its two ring neighbours.
    for (const a of ring.ids) for (const b of ring.ids) {
      const d = Math.abs(ring.ids.indexOf(a) - ring.ids.indexOf(b));
      if (a !== b && d !== 1 && d !== 4) ring.cut(a, b);
    }
    const chain = new TinyNetwork(3);
    chain.cut('n0', 'n2');
    chain.cut('n2', 'n0');
    for (const net of [ring, chain]) {
      for (let i = 0; i < 10; i++) net.heartbeat();
      const probe: Payload[] = [];
      for (const a of net.ids) for (const b of net.ids) if (a !== b) probe.push(net.send(a, b, { once: true }));
      net.run(100);
      expect(net.arrived(probe).length).toBe(probe.length);
    }
  });

  it('goes back to the direct link after a heal (a probe shows it works), and relaying stops', () => {
    const net = new TinyNetwork(3);
    net.cut('n0', 'n1');
    for (let i = 0; i < 10; i++) net.heartbeat();
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(true);
    net.heal();
    for (let i = 0; i < 10; i++) net.heartbeat();
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(false);
    const before = net.relayed();
    for (let i = 0; i < 10; i++) net.heartbeat();
    expect(net.relayed()).toBe(before);
  });

  it('an urgent payload (a vote) relayed past a link judged down also goes straight, every time; others probe at most every probeIntervalMs', () => {
    const net = new TinyNetwork(3);
    net.cut('n0', 'n1');
    for (let i = 0; i < 10; i++) net.heartbeat();
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(true);
    // The cut is gone, but nothing n0 sent since says so: the link is still judged down.
    net.heal();
    net.run(routerOptionsFor(HEARTBEAT_MS).probeIntervalMs); // a probe is due again
    expect(net.router('n0').links.ownLinkDead('n1')).toBe(true);
    const framesBefore = net.wireFrames;
    const plain = [net.send('n0', 'n1'), net.send('n0', 'n1')];
    expect(net.wireFrames - framesBefore).toBe(3); // two relayed, one probe copy between them
    const votes = [net.send('n0', 'n1', { urgent: true }), net.send('n0', 'n1', { urgent: true })];
    expect(net.wireFrames - framesBefore).toBe(3 + 4); // each vote relayed and sent straight
    net.run(LATENCY_MS);
    // Straight copies arrive after one hop, before the relayed ones.
    expect(net.arrived(votes)).toEqual(votes);
    expect(net.arrived(plain).length).toBe(1);
  });

  it('never sends a payload that must not be duplicated twice (no probe copy), even while relaying', () => {
    const net = new TinyNetwork(3);
    net.cut('n0', 'n1');
    for (let i = 0; i < 10; i++) net.heartbeat();
    const framesBefore = net.wireFrames;
    const p = net.send('n0', 'n1', { once: true });
    expect(net.wireFrames - framesBefore).toBe(1);
    net.run(50);
    expect(net.delivered.filter((d) => d.seq === p.seq).length).toBe(1);
  });

  it('drops a relayed frame whose loop guard is spent, and one for an unknown node', () => {
    const net = new TinyNetwork(3);
    const r = net.router('n1');
    expect(r.receive('n0', { links: [], relay: { origin: 'n0', dest: 'n2', ttl: 0 }, payload: { from: 'n0', to: 'n2', seq: -1 } })).toBeNull();
    expect(r.receive('n0', { links: [], relay: { origin: 'n0', dest: 'n9', ttl: 3 }, payload: { from: 'n0', to: 'n9', seq: -2 } })).toBeNull();
    expect(r.stats.dropped).toBe(2);
    expect(net.wireFrames).toBe(0);
  });
});

describe('link reports and frames on the wire', () => {
  it('round-trip through JSON, and malformed reports are skipped without throwing', () => {
    const reports = [{ origin: 'n1', ageMs: 12, heardAgoMs: [3, null, 40], deadTo: ['n2'] }];
    expect(decodeReports(JSON.parse(JSON.stringify(encodeReports(reports))))).toEqual(reports);
    for (const bad of [null, 7, 'x', [[1, 2, 3, 4]], [['n0', -1, [], []]], [['n0', 1, ['a'], []]], [['n0', 1, [], [5]]], [{}]]) {
      expect(decodeReports(bad)).toEqual([]);
    }
  });

  it('a direct frame is the body plus link_state; a relayed one is wrapped, and bad wrappers are refused', () => {
    const body = { type: 'append_entries', term: 3, msg_id: 9 };
    const direct = encodeFrame({ links: [], relay: null, payload: body });
    expect(direct).toEqual({ ...body, link_state: [] });
    expect(decodeFrame(direct)).toEqual({ ok: true, frame: { links: [], relay: null, payload: body } });
    const wrapped = encodeFrame({ links: [], relay: { origin: 'n0', dest: 'n2', ttl: 1 }, payload: body });
    expect(wrapped['type']).toBe('relay');
    expect(decodeFrame(JSON.parse(JSON.stringify(wrapped)))).toEqual({ ok: true, frame: { links: [], relay: { origin: 'n0', dest: 'n2', ttl: 1 }, payload: body } });
    const bads: Body[] = [{ type: 'relay' }, { type: 'relay', origin: 'n0', final_dest: 'n1', ttl: -1, payload: body }, { type: 'relay', origin: 'n0', final_dest: 'n1', ttl: 1, payload: [] }];
    for (const bad of bads) {
      expect(decodeFrame(bad).ok).toBe(false);
    }
  });
});
