// The run's trace: a hash over every executed event (so "same seed, same run" is one comparison),
// the last few hundred events kept for the failure report, and optionally every line printed live.
// Lines are formatted lazily: most runs never print them.

export interface TraceLine {
  step: number;
  at: number;
  text: string | (() => string);
}

export class Trace {
  private readonly ring: (TraceLine | undefined)[];
  private next = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;

  constructor(
    private readonly capacity: number,
    private readonly live: ((line: string) => void) | null,
  ) {
    this.ring = new Array<TraceLine | undefined>(capacity);
  }

  /** Mixes numbers that identify an event into the run's hash. */
  mix(a: number, b: number, c: number): void {
    this.h1 = Math.imul(this.h1 ^ a, 0x01000193) ^ Math.imul(b, 0x5bd1e995) ^ c;
    this.h2 = Math.imul(this.h2 ^ b, 0x85ebca6b) + Math.imul(a ^ c, 0xc2b2ae35);
  }

  /** Also mixes a string (used for rare events such as nemesis actions and failures). */
  mixText(text: string): void {
    for (let i = 0; i < text.length; i++) this.mix(text.charCodeAt(i), i, 7);
  }

  line(step: number, at: number, text: string | (() => string)): void {
    const entry: TraceLine = { step, at, text };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.live !== null) this.live(formatLine(entry));
  }

  hash(): string {
    return ((this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0'));
  }

  /** The last `count` lines, oldest first. */
  tail(count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.ring[(this.next + i) % this.capacity];
      if (e !== undefined) out.push(formatLine(e));
    }
    return out.slice(-count);
  }
}

function formatLine(e: TraceLine): string {
  const text = typeof e.text === 'string' ? e.text : e.text();
  return `#${e.step} ${e.at.toFixed(3)}ms ${text}`;
}
