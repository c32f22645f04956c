// The size of a vs-etcd run, every part a flag so that a short run is one command:
//   --vs-seconds S (per cell, default 6)  --vs-concurrency 1,16,64,256  --vs-ops write,read
//   --vs-targets leader,follower  --vs-failover-rounds N (20)  --vs-handoff-rounds N (5)
//   --catch-up-ops N (200,000)  --memory-ops N (1,000,000)  --vs-parts throughput,failover,handoff,catch-up,footprint
// --quick shrinks every default to a smoke run of a few minutes. --tls runs both systems with
// transport security (peer mutual TLS, clients over TLS checking the server only); its default
// parts leave out catch-up and footprint, and its results go to their own files (vs-etcd-tls.*).
import { ArgsError, type BenchArgs } from '../args.ts';
import type { Op } from './closed-loop.ts';
import type { Target } from './throughput.ts';

export const VS_ETCD_FLAGS = ['tls', 'vs-seconds', 'vs-concurrency', 'vs-ops', 'vs-targets', 'vs-failover-rounds', 'vs-handoff-rounds', 'vs-parts'];
export const VS_PARTS = ['throughput', 'failover', 'handoff', 'catch-up', 'footprint'] as const;
export type VsPart = (typeof VS_PARTS)[number];
/** What a --tls run measures unless --vs-parts says otherwise. */
const TLS_PARTS: VsPart[] = ['throughput', 'failover', 'handoff'];

export interface VsEtcdPlan {
  /** Peer mutual TLS and TLS to the clients on both systems. */
  tls: boolean;
  parts: VsPart[];
  concurrencies: number[];
  ops: Op[];
  targets: Target[];
  seconds: number;
  warmupSeconds: number;
  failoverRounds: number;
  handoffRounds: number;
  catchUpWrites: number;
  footprintWrites: number;
}

export const FULL_VS_ETCD: VsEtcdPlan = {
  tls: false,
  parts: [...VS_PARTS],
  concurrencies: [1, 16, 64, 256],
  ops: ['write', 'read'],
  targets: ['leader', 'follower'],
  seconds: 6,
  warmupSeconds: 1,
  failoverRounds: 20,
  handoffRounds: 5,
  catchUpWrites: 200_000,
  footprintWrites: 1_000_000,
};

const QUICK_VS_ETCD: VsEtcdPlan = { ...FULL_VS_ETCD, concurrencies: [1, 16, 64], seconds: 2, warmupSeconds: 0.3, failoverRounds: 3, handoffRounds: 1, catchUpWrites: 5_000, footprintWrites: 10_000 };

function checkedList<T extends string>(args: BenchArgs, flag: string, allowed: readonly T[], fallback: T[]): T[] {
  const given = args.list(flag);
  if (given === null) return fallback;
  for (const g of given) if (!allowed.includes(g as T)) throw new ArgsError(`--${flag}: ${g} is not one of ${allowed.join(', ')}`);
  return given as T[];
}

export function vsEtcdPlan(args: BenchArgs, quick: boolean): VsEtcdPlan {
  const tls = args.flag('tls');
  const base = quick ? QUICK_VS_ETCD : FULL_VS_ETCD;
  const concurrencies = args.list('vs-concurrency')?.map(Number) ?? base.concurrencies;
  if (concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new ArgsError('--vs-concurrency: positive whole numbers, comma-separated');
  return {
    tls,
    parts: checkedList(args, 'vs-parts', VS_PARTS, tls ? TLS_PARTS : base.parts),
    concurrencies,
    ops: checkedList(args, 'vs-ops', ['write', 'read'] as const, base.ops),
    targets: checkedList(args, 'vs-targets', ['leader', 'follower'] as const, base.targets),
    seconds: args.number('vs-seconds', base.seconds),
    warmupSeconds: base.warmupSeconds,
    failoverRounds: args.number('vs-failover-rounds', base.failoverRounds),
    handoffRounds: args.number('vs-handoff-rounds', base.handoffRounds),
    catchUpWrites: args.number('catch-up-ops', base.catchUpWrites),
    footprintWrites: args.number('memory-ops', base.footprintWrites),
  };
}
