// The size flags of `npm run bench -- --only vs-etcd` (bench/vs-etcd/plan.ts): defaults, --quick,
// every override, and typos refused instead of silently running the default study.
import { describe, expect, it } from 'vitest';
import { ArgsError, BenchArgs } from '../../bench/args.ts';
import { FULL_VS_ETCD, VS_ETCD_FLAGS, vsEtcdPlan } from '../../bench/vs-etcd/plan.ts';

const KNOWN = ['quick', 'only', 'memory-ops', 'catch-up-ops', ...VS_ETCD_FLAGS];
const plan = (argv: string[]): ReturnType<typeof vsEtcdPlan> => {
  const args = new BenchArgs(argv, KNOWN);
  return vsEtcdPlan(args, args.flag('quick'));
};

describe('vs-etcd plan', () => {
  it('runs the study of issue 21 by default', () => {
    expect(plan([])).toEqual(FULL_VS_ETCD);
    expect(FULL_VS_ETCD).toMatchObject({ concurrencies: [1, 16, 64, 256], failoverRounds: 20, catchUpWrites: 200_000, footprintWrites: 1_000_000 });
  });

  it('--quick shrinks every part; each flag overrides its part', () => {
    const quick = plan(['--quick']);
    expect(quick.seconds).toBeLessThan(FULL_VS_ETCD.seconds);
    expect(quick.footprintWrites).toBeLessThan(FULL_VS_ETCD.footprintWrites);
    expect(plan(['--quick', '--vs-concurrency', '1,256', '--vs-seconds', '1', '--vs-ops', 'read', '--vs-targets', 'follower', '--vs-failover-rounds', '2', '--vs-handoff-rounds', '3', '--catch-up-ops', '10', '--memory-ops', '20', '--vs-parts', 'throughput,footprint'])).toMatchObject({
      concurrencies: [1, 256], seconds: 1, ops: ['read'], targets: ['follower'], failoverRounds: 2, handoffRounds: 3, catchUpWrites: 10, footprintWrites: 20, parts: ['throughput', 'footprint'],
    });
  });

  it('refuses unknown parts, operations and bad concurrencies', () => {
    expect(() => plan(['--vs-parts', 'throughput,latency'])).toThrow(ArgsError);
    expect(() => plan(['--vs-ops', 'cas'])).toThrow(/not one of write, read/);
    expect(() => plan(['--vs-concurrency', '0,16'])).toThrow(/positive whole numbers/);
  });
});
