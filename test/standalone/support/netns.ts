// Three Linux network namespaces for a partition test with real network separation. Each namespace
// gets two interfaces: `peer0` on a bridge that carries node-to-node traffic (the one we cut) and
// `client0` on a second bridge the test reaches from the root namespace, so the test can still ask a
// cut-off node what it thinks. Names carry the test process's pid so parallel runs do not collide.
import { execFileSync } from 'node:child_process';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why namespaces cannot be used here, or null if they can (probed by really creating one). */
export function netnsUnavailableReason(): string | null {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the `ip` command (iproute2) is not installed';
  }
  const probe = `raftsa-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
  } catch (err) {
    return `cannot create a network namespace (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); needs root or CAP_SYS_ADMIN`;
  }
  // The lab also needs a bridge and veth pairs: probe those too, so a machine that allows
  // namespaces but not these links skips the test with a reason instead of failing it.
  const bridge = `rsp${process.pid % 100000}b`;
  const veth = `rsp${process.pid % 100000}v`;
  let reason: string | null = null;
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`);
    ip('link', 'set', `${veth}p`, 'netns', probe);
  } catch (err) {
    reason = `cannot create a bridge or veth pair (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
  for (const cleanUp of [() => ip('link', 'del', veth), () => ip('link', 'del', bridge), () => ip('netns', 'del', probe)]) {
    try {
      cleanUp();
    } catch {
      // best effort: the probe's links may not exist, and deleting the namespace removes its end
    }
  }
  return reason;
}

export class NamespaceLab {
  readonly namespaces: string[];
  private readonly peerBridge: string;
  private readonly clientBridge: string;
  private readonly subnet: number;
  private readonly created: { kind: 'netns' | 'link'; name: string }[] = [];

  constructor(readonly size: number) {
    const tag = String(process.pid);
    this.namespaces = Array.from({ length: size }, (_, i) => `raftsa-${tag}-${i + 1}`);
    this.peerBridge = `rfP${tag}`;
    this.clientBridge = `rfC${tag}`;
    this.subnet = pickFreeSubnet();
  }

  /** Where node i (1-based) listens for peers, and where the test reaches its HTTP API. */
  peerAddress(i: number): string {
    return `10.231.${this.subnet}.${i}`;
  }
  clientAddress(i: number): string {
    return `10.232.${this.subnet}.${i}`;
  }

  setUp(): void {
    removeLeftoversOfDeadRuns();
    this.addLink(this.peerBridge, 'bridge');
    ip('link', 'set', this.peerBridge, 'up');
    this.addLink(this.clientBridge, 'bridge');
    ip('addr', 'add', `10.232.${this.subnet}.254/24`, 'dev', this.clientBridge);
    ip('link', 'set', this.clientBridge, 'up');
    this.namespaces.forEach((ns, index) => {
      const i = index + 1;
      ip('netns', 'add', ns);
      this.created.push({ kind: 'netns', name: ns });
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      this.plug(ns, i, 'peer0', this.peerBridge, `${this.peerAddress(i)}/24`, 'p');
      this.plug(ns, i, 'client0', this.clientBridge, `${this.clientAddress(i)}/24`, 'c');
    });
  }

  /** Cuts node i off the node-to-node network: its peer interface goes down, as if unplugged. */
  cut(i: number): void {
    ip('-n', this.ns(i), 'link', 'set', 'peer0', 'down');
  }

  heal(i: number): void {
    ip('-n', this.ns(i), 'link', 'set', 'peer0', 'up');
  }

  /** The command line that runs `command` inside node i's namespace. */
  exec(i: number, command: string, args: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.ns(i), command, ...args] };
  }

  /** Removes everything this lab created, newest first; never throws (it runs after failures too). */
  tearDown(): string[] {
    const problems: string[] = [];
    for (const item of this.created.reverse()) {
      try {
        if (item.kind === 'netns') ip('netns', 'del', item.name);
        else ip('link', 'del', item.name);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        // A veth end disappears with its namespace: that is not a leak.
        if (!text.includes('Cannot find device')) problems.push(`${item.kind} ${item.name}: ${text.split('\n')[0]}`);
      }
    }
    this.created.length = 0;
    return problems;
  }

  private ns(i: number): string {
    const ns = this.namespaces[i - 1];
    if (ns === undefined) throw new Error(`no namespace for node ${i}`);
    return ns;
  }

  private addLink(name: string, type: string): void {
    ip('link', 'add', name, 'type', type);
    this.created.push({ kind: 'link', name });
  }

  /** A veth pair: one end on the bridge in the root namespace, the other renamed to `inside` in ns. */
  private plug(ns: string, i: number, inside: string, bridge: string, cidr: string, letter: string): void {
    const outer = `rf${letter}${process.pid}x${i}`;
    const inner = `rf${letter}${process.pid}y${i}`;
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    this.created.push({ kind: 'link', name: outer });
    ip('link', 'set', outer, 'master', bridge);
    ip('link', 'set', outer, 'up');
    ip('link', 'set', inner, 'netns', ns);
    ip('-n', ns, 'link', 'set', inner, 'name', inside);
    ip('-n', ns, 'addr', 'add', cidr, 'dev', inside);
    ip('-n', ns, 'link', 'set', inside, 'up');
  }
}

/** A run killed before its afterAll leaves namespaces and bridges behind; the pid in their names tells whose. */
function removeLeftoversOfDeadRuns(): void {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const dead = new Set<number>();
  for (const line of ip('netns', 'list').split('\n')) {
    const m = /^raftsa-(\d+)-\d+/.exec(line);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (alive(pid)) continue;
    dead.add(pid);
    try {
      ip('netns', 'del', (line.split(' ')[0] as string).trim());
    } catch {
      // already gone
    }
  }
  for (const pid of dead) {
    for (const bridge of [`rfP${pid}`, `rfC${pid}`]) {
      try {
        ip('link', 'del', bridge);
      } catch {
        // already gone
      }
    }
  }
}

/** A /24 pair (10.231.X, 10.232.X) no interface on this machine uses yet, derived from the pid. */
function pickFreeSubnet(): number {
  const inUse = ip('-4', 'addr');
  for (let attempt = 0; attempt < 250; attempt++) {
    const x = ((process.pid + attempt) % 250) + 1;
    if (!inUse.includes(`10.231.${x}.`) && !inUse.includes(`10.232.${x}.`)) return x;
  }
  throw new Error('no free 10.231.X/10.232.X subnet');
}
