// Refusing, for a while, the addresses that keep breaking the rules of a port (the way fail2ban
// or nginx's limit_conn do, inside the node). Every limit of limits.ts already ends a bad
// connection, but the next one from the same address costs as much again: a TLS handshake, or a
// read that Node's HTTP parser works through whole (a pipelined flood). So each such ending is an
// offence of the remote address; OFFENCES of them within a window and the address is refused at
// accept, before any TLS or HTTP work, for a penalty that doubles each time it recurs. One bad
// request from a script is never enough, and the host's own loopback address is never refused
// (local tools and tests; an attacker elsewhere never has it), nor, on the peer port, a member's.
import { isIPv4 } from 'node:net';
import { THROTTLE_FIRST_PENALTY_MS, THROTTLE_FORGET_MS, THROTTLE_MAX_PENALTY_MS, THROTTLE_MAX_SOURCES, THROTTLE_OFFENCES, THROTTLE_WINDOW_MS } from './limits.ts';

export interface ThrottleLimits {
  /** Offences within `windowMs` that make an address refused. */
  offences: number;
  windowMs: number;
  /** The first refusal lasts this long; each one that follows within `forgetMs` lasts twice the last, up to `maxPenaltyMs`. */
  firstPenaltyMs: number;
  maxPenaltyMs: number;
  /** After a penalty ends, this long without another and the address starts again from `firstPenaltyMs`. */
  forgetMs: number;
  /** Addresses remembered at most (the least recently seen is forgotten): memory stays bounded under spoofed or spread-out floods. */
  maxSources: number;
}

/** The limits both ports use (limits.ts). */
export const PORT_THROTTLE: ThrottleLimits = {
  offences: THROTTLE_OFFENCES,
  windowMs: THROTTLE_WINDOW_MS,
  firstPenaltyMs: THROTTLE_FIRST_PENALTY_MS,
  maxPenaltyMs: THROTTLE_MAX_PENALTY_MS,
  forgetMs: THROTTLE_FORGET_MS,
  maxSources: THROTTLE_MAX_SOURCES,
};

interface SourceRecord {
  windowStart: number;
  count: number;
  refusedUntil: number;
  /** The length of the last penalty, 0 before the first. */
  lastPenaltyMs: number;
}

/** What `offend` did: nothing yet, or the address is now refused for `penaltyMs` (log it once). */
export type OffenceOutcome = { refused: false } | { refused: true; penaltyMs: number; offences: number };

/** 127.0.0.1 and ::1, also in their IPv4-mapped IPv6 spellings. */
export function isOwnLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** One spelling per address: an IPv4 address seen by a dual-stack server as ::ffff:a.b.c.d is a.b.c.d. */
export function canonicalAddress(address: string): string {
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(mapped) ? mapped : address.toLowerCase();
}

export class SourceThrottle {
  /** In order of last use, so the first entry is the one to forget when full. */
  private readonly sources = new Map<string, SourceRecord>();

  constructor(
    private readonly limits: ThrottleLimits,
    /** Addresses never refused (beyond the host's own loopback): on the peer port, the members' hosts. */
    private readonly exempt: (address: string) => boolean = () => false,
    private readonly now: () => number = Date.now,
  ) {}

  /** Is a new connection from `address` refused right now? */
  refuses(address: string | undefined): boolean {
    if (address === undefined) return false;
    const key = canonicalAddress(address);
    const record = this.sources.get(key);
    // Exemptions are asked again here: a host refused before it became a member's is let in.
    if (record !== undefined && record.refusedUntil > this.now()) return !this.exempt(key);
    return false;
  }

  /** A connection from `address` broke a rule and was closed. */
  offend(address: string | undefined): OffenceOutcome {
    if (address === undefined || isOwnLoopback(address) || this.exempt(canonicalAddress(address))) return { refused: false };
    const key = canonicalAddress(address);
    const t = this.now();
    const record = this.touch(key, t);
    if (record.refusedUntil > t) return { refused: false }; // already refused: a connection admitted before the penalty
    if (t - record.windowStart >= this.limits.windowMs) {
      record.windowStart = t;
      record.count = 0;
    }
    record.count++;
    if (record.count < this.limits.offences) return { refused: false };
    const recurring = record.lastPenaltyMs > 0 && t - record.refusedUntil < this.limits.forgetMs;
    const penaltyMs = recurring ? Math.min(this.limits.maxPenaltyMs, record.lastPenaltyMs * 2) : this.limits.firstPenaltyMs;
    const offences = record.count;
    record.refusedUntil = t + penaltyMs;
    record.lastPenaltyMs = penaltyMs;
    record.count = 0;
    record.windowStart = t;
    return { refused: true, penaltyMs, offences };
  }

  /** Addresses remembered (for tests: the bound holds). */
  size(): number {
    return this.sources.size;
  }

  private touch(key: string, t: number): SourceRecord {
    let record = this.sources.get(key);
    if (record !== undefined) {
      this.sources.delete(key);
    } else {
      record = { windowStart: t, count: 0, refusedUntil: 0, lastPenaltyMs: 0 };
      while (this.sources.size >= this.limits.maxSources) {
        const oldest = this.sources.keys().next().value;
        if (oldest === undefined) break;
        this.sources.delete(oldest);
      }
    }
    this.sources.set(key, record);
    return record;
  }
}
