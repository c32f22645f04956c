// The namespace lab on a machine whose iptables FORWARD policy is DROP (what Docker sets). The
// "machine" is a namespace of this test's own, so the real machine's policy is never touched: there
// FORWARD is DROP and bridged frames go through iptables (bridge-nf-call-iptables). First the
// control: a bridge in that machine namespace, as the lab used to build, drops the traffic. Then the
// lab, told that this namespace is its outside, still carries node-to-node and client traffic.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { iptablesIn, NamespaceLab, netnsUnavailableReason } from './support/netns.ts';

const unavailable = netnsUnavailableReason();
if (unavailable !== null) console.log(`FORWARD-DROP namespace test skipped: ${unavailable}`);

const PORT = 7400;
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Whether a TCP connection from namespace `from` to host:port succeeds within `ms`. */
function connects(from: string, host: string, ms: number): boolean {
  const script = `const s=require('net').connect(${PORT},'${host}');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),${ms});`;
  try {
    execFileSync('ip', ['netns', 'exec', from, process.execPath, '-e', script], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A TCP server in namespace `ns` that accepts and closes; resolves once it listens. */
function listen(ns: string, host: string): Promise<ChildProcess> {
  const script = `require('net').createServer((s)=>s.end()).listen(${PORT},'${host}',()=>console.log('ready'));`;
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    proc.stdout?.once('data', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`listener in ${ns} exited with ${code}`)));
  });
}

describe('namespace lab where the machine drops forwarded traffic (iptables -P FORWARD DROP)', () => {
  const machine = `raftsa-${process.pid}m-machine`;
  const servers: ChildProcess[] = [];
  const cleanUps: (() => void)[] = [];

  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
    for (const clean of cleanUps.reverse()) {
      try {
        clean();
      } catch {
        // best effort, like the lab's own tear-down
      }
    }
  });

  it.skipIf(unavailable !== null)(
    `a bridge in the machine namespace drops traffic, the lab carries it${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      ip('netns', 'add', machine);
      cleanUps.push(() => ip('netns', 'del', machine));
      ip('-n', machine, 'link', 'set', 'lo', 'up');
      iptablesIn(machine, '-P', 'FORWARD', 'DROP');
      expect(iptablesIn(machine, '-S', 'FORWARD')).toContain('-P FORWARD DROP');
      const bridgeFiltering = existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables');
      if (bridgeFiltering) execFileSync('ip', ['netns', 'exec', machine, 'sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);

      // Control: two namespaces on a bridge that lives in the machine namespace.
      const [a, b] = [`raftsa-${process.pid}m-a`, `raftsa-${process.pid}m-b`];
      ip('-n', machine, 'link', 'add', 'oldbr', 'type', 'bridge');
      ip('-n', machine, 'link', 'set', 'oldbr', 'up');
      for (const [k, ns] of [a, b].entries()) {
        ip('netns', 'add', ns);
        cleanUps.push(() => ip('netns', 'del', ns));
        const [outer, inner] = [`rfm${process.pid}o${k}`, `rfm${process.pid}i${k}`];
        ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
        ip('link', 'set', outer, 'netns', machine);
        ip('-n', machine, 'link', 'set', outer, 'master', 'oldbr');
        ip('-n', machine, 'link', 'set', outer, 'up');
        ip('link', 'set', inner, 'netns', ns);
        ip('-n', ns, 'addr', 'add', `10.239.77.${k + 1}/24`, 'dev', inner);
        ip('-n', ns, 'link', 'set', inner, 'up');
      }
      servers.push(await listen(b, '10.239.77.2'));
      const controlPassed = connects(a, '10.239.77.2', 1500);
      console.log(`FORWARD DROP control: a bridge in the machine namespace ${controlPassed ? 'passed' : 'dropped'} traffic (bridge-nf-call-iptables ${bridgeFiltering ? 'on' : 'not available'})`);
      // Where the kernel filters bridged frames, the old layout must fail here, or this test proves nothing.
      if (bridgeFiltering) expect(controlPassed).toBe(false);

      const lab = new NamespaceLab(2, { outside: machine, tag: 'f' });
      cleanUps.push(() => {
        lab.tearDown();
      });
      lab.setUp();
      servers.push(await listen(lab.ns(2), '0.0.0.0'));
      // Node to node, over the peer switch; and the machine to a node, over the client switch.
      expect(connects(lab.ns(1), lab.peerAddress(2), 3000)).toBe(true);
      expect(connects(machine, lab.clientAddress(2), 3000)).toBe(true);
      // The machine's policy is as the test set it: the lab changed nothing outside its namespaces.
      expect(iptablesIn(machine, '-S', 'FORWARD')).toBe('-P FORWARD DROP\n');
    },
    30_000,
  );
});
