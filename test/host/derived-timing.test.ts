// Round-trip estimation (RFC 6298) and the timing derived from it, with the configured values as floors.
import { describe, expect, it } from 'vitest';
import { AdaptiveTiming } from '../../src/host/adaptive-timing.ts';
import { deriveTiming, fixedTiming, type TimingFloors } from '../../src/host/derived-timing.ts';
import { RttEstimator } from '../../src/host/rtt-estimator.ts';

const floors: TimingFloors = {
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatIntervalMs: 50,
  checkQuorumWindowMs: 150,
  serviceTimeoutMs: 1000,
  forwardTimeoutMs: 1000,
  clientTimeoutMs: 1000,
};

function converged(rttMs: number, samples = 40): RttEstimator {
  const e = new RttEstimator();
  for (let i = 0; i < samples; i++) e.sample(rttMs);
  return e;
}

describe('RFC 6298 round-trip estimator', () => {
  it('the first sample sets SRTT = R and RTTVAR = R/2; later ones move them by 1/8 and 1/4', () => {
    const e = new RttEstimator();
    expect(e.current()).toBeNull();
    e.sample(100);
    expect(e.current()).toEqual({ srttMs: 100, rttvarMs: 50 });
    e.sample(200);
    expect(e.current()).toEqual({ srttMs: 112.5, rttvarMs: 62.5 });
    e.sample(Number.NaN);
    e.sample(-1);
    expect(e.samples()).toBe(2);
  });
});

describe('RFC 7323 appendix G: several samples per round trip', () => {
  it('with n samples per round trip the gains are divided by n, so one outlier moves the estimate n times less', () => {
    const once = converged(400);
    const many = converged(400);
    once.sample(2000);
    many.sample(2000, 8);
    const moved = (e: RttEstimator): number => (e.current()?.srttMs ?? 0) - 400;
    expect(moved(once)).toBeCloseTo(1600 / 8);
    expect(moved(many)).toBeCloseTo(1600 / 64);
    // Fewer than one sample per round trip is treated as one (the gains never grow).
    const few = converged(400);
    few.sample(2000, 0.2);
    expect(moved(few)).toBeCloseTo(moved(once));
  });

  it('a leader\'s heartbeats (one per 50 ms) at a 400 ms round trip: the jitter estimate stays near its mean', () => {
    // Exponential one-way delays (mean 200 ms): draw the same sequence into both kinds of estimator
    // and compare how far the variation swings once both have settled.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const exp = (): number => -200 * Math.log(1 - random());
    const plain = new RttEstimator();
    const scaled = new RttEstimator();
    const swing = { plain: [] as number[], scaled: [] as number[] };
    for (let i = 0; i < 4000; i++) {
      const rtt = exp() + exp();
      plain.sample(rtt);
      scaled.sample(rtt, (scaled.current()?.srttMs ?? 0) / 50);
      if (i > 500) {
        swing.plain.push(plain.current()?.rttvarMs ?? 0);
        swing.scaled.push(scaled.current()?.rttvarMs ?? 0);
      }
    }
    const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
    expect(spread(swing.scaled)).toBeLessThan(spread(swing.plain) / 2);
  });
});

describe('adaptive timing recovers from an outlier', () => {
  it('one answer that waited out a 5 s partition is forgotten within seconds of heartbeats, not minutes', () => {
    const timing = new AdaptiveTiming(floors, true, () => {});
    timing.peerRoundTrip('n2', 5500); // the first sample: SRTT 5500, RTTVAR 2750
    let samples = 0;
    while (timing.current().electionTimeoutMinMs > 150 && samples < 10_000) {
      timing.peerRoundTrip('n2', 2);
      samples++;
    }
    expect(samples).toBeLessThan(200); // at one per 50 ms heartbeat: under 10 s
  });
});

describe('derived timing', () => {
  it('at latency 0 (no samples, or round trips of a millisecond) it is the configured timing', () => {
    const none = deriveTiming(floors, { peer: null, service: null, serviceBackoff: 0 });
    expect(none).toEqual(fixedTiming(floors));
    const fast = deriveTiming(floors, { peer: converged(1).current(), service: converged(1).current(), serviceBackoff: 0 });
    expect(fast).toMatchObject({ electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatIntervalMs: 50, checkQuorumWindowMs: 150, serviceTimeoutMs: 1000, forwardTimeoutMs: 1000, clientTimeoutMs: 1000 });
    expect(fixedTiming(floors).parkLimitMs).toBe(400); // min(Tmax + 100, 600), as before
  });

  it.each([100, 200, 400, 1000])('at a steady round trip of %i ms every rule holds', (rtt) => {
    const e = converged(rtt).current();
    const t = deriveTiming(floors, { peer: e, service: e, serviceBackoff: 0 });
    // A constant delay moves heartbeats, it does not spread them: the course's timeouts still hold,
    // and the path's length goes to the timers that wait for answers.
    expect(t).toMatchObject({ electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatIntervalMs: 50 });
    expect(t.roundTripAllowanceMs).toBeGreaterThanOrEqual(rtt);
    expect(t.persistAllowanceMs).toBeGreaterThanOrEqual(rtt);
    // A leader hears back from a heartbeat within its check-quorum window.
    expect(t.checkQuorumWindowMs).toBeGreaterThanOrEqual(t.heartbeatIntervalMs + 2 * rtt);
    // Maelstrom's client waits max(10 x one-way latency, 1000) ms; forwarding never waits longer than that.
    expect(t.clientTimeoutMs).toBe(Math.max(1000, Math.round(5 * rtt)));
    expect(t.forwardTimeoutMs).toBeLessThanOrEqual(t.clientTimeoutMs);
    expect(t.serviceTimeoutMs).toBeGreaterThanOrEqual(Math.max(1000, 2 * rtt));
    expect(t.parkLimitMs).toBeLessThan(t.clientTimeoutMs);
  });

  it('the timeout covers two heartbeats and the variation; the heartbeat keeps its interval', () => {
    const e = { srttMs: 400, rttvarMs: 200 };
    const t = deriveTiming(floors, { peer: e, service: null, serviceBackoff: 0 });
    expect(t).toMatchObject({ electionTimeoutMinMs: 2 * 50 + 200, electionTimeoutMaxMs: 2 * (2 * 50 + 200), heartbeatIntervalMs: 50 });
    expect(t.roundTripAllowanceMs).toBe(400 + 2 * 200); // a typical slow round trip
    expect(t.rttHighMs).toBe(400 + 4 * 200); // RFC 6298's RTO without its floor, for the router
    // One outlier (a process pause) cannot stretch the timeouts beyond MAX_SCALE x the floors.
    const paused = deriveTiming(floors, { peer: { srttMs: 1000, rttvarMs: 100_000 }, service: null, serviceBackoff: 0 });
    expect(paused.electionTimeoutMinMs).toBe(40 * 150);
    // Nor the windows built on the round trip: a lost batch is still resent within seconds.
    expect(paused.retransmitAfterMs).toBe(2 * 40 * 150);
    expect(paused.rttHighMs).toBe(40 * 150);
    expect(paused.roundTripAllowanceMs).toBe(40 * 150);
  });

  it('jitter raises the timeouts: exponential-like samples give more room than constant ones', () => {
    const steady = converged(200).current();
    const jittery = new RttEstimator();
    for (const r of [50, 400, 120, 380, 90, 300, 60, 420, 150, 250, 80, 350]) jittery.sample(r);
    const a = deriveTiming(floors, { peer: steady, service: null, serviceBackoff: 0 });
    const b = deriveTiming(floors, { peer: jittery.current(), service: null, serviceBackoff: 0 });
    expect(b.electionTimeoutMinMs).toBeGreaterThan(a.electionTimeoutMinMs);
  });

  it('service timeouts back off by doubling until an answer comes (RFC 6298 5.5), up to 16x', () => {
    const t = (n: number): number => deriveTiming(floors, { peer: null, service: null, serviceBackoff: n }).serviceTimeoutMs;
    expect([t(1), t(2), t(3), t(4), t(9)]).toEqual([2000, 4000, 8000, 16000, 16000]);
  });
});

describe('adaptive timing', () => {
  it('logs one line when the timeouts move noticeably, not at every sample', () => {
    const lines: string[] = [];
    const timing = new AdaptiveTiming(floors, true, (l) => lines.push(l));
    for (let i = 0; i < 30; i++) timing.serviceRoundTrip(200);
    for (let i = 0; i < 30; i++) timing.peerRoundTrip('n2', 200 + (i % 2));
    // While the estimate converges from its cautious first value, a line per half of change.
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)).toMatch(/^timeouts now \d+-\d+ ms, heartbeat 50 ms \(rtt ~20\d ms, jitter ~\d+ ms; elections wait \d+ ms more per round trip\)$/);
    const settled = lines.length;
    for (let i = 0; i < 100; i++) timing.peerRoundTrip('n2', 195 + (i % 10));
    expect(lines.length).toBe(settled);
  });

  it('fixed timing ignores every measurement', () => {
    const timing = new AdaptiveTiming(floors, false, () => {});
    for (let i = 0; i < 10; i++) timing.peerRoundTrip('n2', 500);
    timing.serviceTimedOut();
    expect(timing.current()).toEqual(fixedTiming(floors));
  });
});
