// A smoothed round-trip time and its variation, the way TCP's retransmission timer keeps them
// (RFC 6298 section 2): gains 1/8 and 1/4, the first sample sets the mean and half of it as variation.
export interface RttEstimate {
  /** Smoothed round-trip time (SRTT), ms. */
  srttMs: number;
  /** Smoothed mean deviation (RTTVAR), ms. */
  rttvarMs: number;
}

const ALPHA = 1 / 8;
const BETA = 1 / 4;

export class RttEstimator {
  private estimate: RttEstimate | null = null;
  private count = 0;

  /**
   * One measured round trip. Negative or non-finite samples (a clock oddity) are ignored.
   * `perRoundTrip`: how many samples arrive per round trip. RFC 6298's gains assume one; with a
   * heartbeat every 50 ms and a 400 ms round trip there are eight, and unscaled gains would average
   * over a single round trip, so the estimate (and every timeout derived from it) would swing with
   * each outlier. Dividing the gains by it keeps the memory at about 8 round trips (RFC 7323,
   * appendix G).
   */
  sample(ms: number, perRoundTrip = 1): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.count++;
    const e = this.estimate;
    if (e === null) {
      this.estimate = { srttMs: ms, rttvarMs: ms / 2 };
      return;
    }
    const scale = 1 / Math.max(1, perRoundTrip);
    const alpha = ALPHA * scale;
    const beta = BETA * scale;
    // RFC 6298 2.3: the variation is updated with the old mean, then the mean moves.
    const rttvarMs = (1 - beta) * e.rttvarMs + beta * Math.abs(e.srttMs - ms);
    const srttMs = (1 - alpha) * e.srttMs + alpha * ms;
    this.estimate = { srttMs, rttvarMs };
  }

  /** The smoothed round trip, 0 before the first sample (no copy: for the per-message path). */
  srttMs(): number {
    return this.estimate?.srttMs ?? 0;
  }

  /** Null until the first sample. */
  current(): RttEstimate | null {
    return this.estimate === null ? null : { ...this.estimate };
  }

  samples(): number {
    return this.count;
  }
}

/** RFC 6298's retransmission timeout without its 1 s floor: SRTT + 4 x RTTVAR. */
export function highRtt(e: RttEstimate): number {
  return e.srttMs + 4 * e.rttvarMs;
}

/**
 * A "typical slow" round trip, SRTT + 2 x RTTVAR: what the election timers add for each write and
 * round trip on their path. Less than a retransmission timeout, because nothing is lost by firing a
 * little early: a vote that arrives after the candidate's timer fired still counts (§5.2), and a
 * voter whose timer fires before the new leader's first heartbeat only starts a pre-vote, which the
 * new leader refuses. Every split vote, on the other hand, waits the whole allowance.
 */
export function typicalRtt(e: RttEstimate): number {
  return e.srttMs + 2 * e.rttvarMs;
}
