// The bench's only source of randomness. Every random choice (latency draws, service replicas, nemesis
// and workload decisions) comes from a seeded stream, so a run can be replayed from its seed.
// Generator: xoshiro128** (small, fast, good statistical quality), seeded through splitmix32.

/** splitmix32: spreads any 32-bit input over the whole state space (so seeds 1 and 2 look unrelated). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a label: turns a fork label into 32 bits. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Folds a seed of any size (e.g. a millisecond timestamp above 2^32) into 32 bits without losing its high part. */
function foldSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(Math.abs(seed));
  const low = whole >>> 0;
  const high = Math.floor(whole / 2 ** 32) >>> 0;
  return (splitmix32(high) ^ low ^ (seed < 0 ? 0x5bd1e995 : 0)) >>> 0;
}

export class Random {
  private readonly seed32: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    this.seed32 = foldSeed(seed);
    let x = this.seed32;
    const nextSeedWord = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return splitmix32(x);
    };
    this.s0 = nextSeedWord();
    this.s1 = nextSeedWord();
    this.s2 = nextSeedWord();
    this.s3 = nextSeedWord();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [lo, hiExclusive). */
  int(lo: number, hiExclusive: number): number {
    if (!(hiExclusive > lo)) throw new RangeError(`empty range [${lo}, ${hiExclusive})`);
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(0, items.length)] as T;
  }

  /** Fisher-Yates, in place; returns the same array for convenience. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** True with the given probability (never for 0). */
  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  /** Exponentially distributed with the given mean (rate 1/mean). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /**
   * An independent stream named by `label`. It depends only on this stream's seed and the label, not on
   * how many numbers were drawn so far, so adding a draw in one part of the bench never shifts another's.
   */
  fork(label: string): Random {
    return new Random(splitmix32(this.seed32 ^ hashLabel(label)));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
