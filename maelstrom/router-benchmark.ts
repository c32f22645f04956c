// Prints how many messages per second the bench network routes: first in-process only (the router's
// own cost), then end to end through two relay fixture processes (stdin/stdout parsing included).
// Run: node scripts/run-ts.mjs maelstrom/router-benchmark.ts [seconds]
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster } from './cluster.ts';
import { Network } from './net.ts';
import { Random } from './random.ts';

const seconds = Number(process.argv[2] ?? 3);

async function inProcess(): Promise<void> {
  const net = new Network({ latency: { meanMs: 1, dist: 'exponential' }, random: new Random(1), now: () => performance.now() });
  const total = 200_000;
  let delivered = 0;
  const done = new Promise<void>((finish) => {
    net.register('n0', () => {});
    net.register('n1', () => {
      if (++delivered === total) finish();
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < total; i++) net.send('n0', 'n1', { type: 'x', i });
  await done;
  const ms = performance.now() - t0;
  net.close();
  console.log(`in-process router: ${total} messages (1 ms mean exponential latency) in ${ms.toFixed(0)} ms = ${Math.round((total / ms) * 1000)} msgs/s`);
}

async function throughProcesses(): Promise<void> {
  // Bundled into dist/.run by run-ts, so locate the fixture from the repository root (the cwd).
  const bin = resolve('test', 'fixtures', 'nodes', 'relay.mjs');
  const cluster = await Cluster.start({ bin, nodeIds: ['n0', 'n1'], seed: 1 });
  try {
    const before = cluster.netStats().all.sendCount;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    let requests = 0;
    const worker = async (node: string, peer: string): Promise<void> => {
      const client = cluster.openClient(node);
      while (performance.now() < deadline) {
        const outcome = await client.request({ type: 'relay', to: peer, request: { type: 'ping' } }, 2000);
        if (outcome.kind === 'reply') requests++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? worker('n0', 'n1') : worker('n1', 'n0'))));
    const ms = performance.now() - t0;
    const messages = cluster.netStats().all.sendCount - before;
    console.log(`through 2 relay processes: ${messages} messages (${requests} relayed pings, 16 clients) in ${ms.toFixed(0)} ms = ${Math.round((messages / ms) * 1000)} msgs/s`);
  } finally {
    await cluster.stop();
  }
}

await inProcess();
await throughProcesses();
