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

  /** One measured round trip. Negative or non-finite samples (a clock oddity) are ignored. */
  sample(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.count++;
    const e = this.estimate;
    if (e === null) {
      this.estimate = { srttMs: ms, rttvarMs: ms / 2 };
      return;
    }
    // RFC 6298 2.3: the variation is updated with the old mean, then the mean moves.
    const rttvarMs = (1 - BETA) * e.rttvarMs + BETA * Math.abs(e.srttMs - ms);
    const srttMs = (1 - ALPHA) * e.srttMs + ALPHA * ms;
    this.estimate = { srttMs, rttvarMs };
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
