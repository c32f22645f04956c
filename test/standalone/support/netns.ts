// Linux network namespaces for tests and benches with real network separation. Each node namespace
// gets two interfaces: `peer0` on a switch that carries node-to-node traffic (the one faults cut)
// and `client0` on a second switch that the outside (the root namespace, unless told otherwise)
// reaches through an interface of its own, so a cut-off node can still be asked what it thinks.
//
// Both switches are bridges inside a namespace of the lab's own (`raftsa-PID-sw`), not in the root
// namespace. Why: Docker sets the machine's iptables FORWARD policy to DROP, and with br_netfilter
// loaded, frames crossing a bridge go through the FORWARD chain of the bridge's namespace. In the
// lab's switch namespace that chain is the lab's (set to ACCEPT here), whatever the machine's is;
// the outside only originates and receives traffic (OUTPUT/INPUT), never forwards it. The lab
// never touches a policy outside its own namespaces. Names carry the process's pid so parallel
// runs do not collide.
import { execFileSync } from 'node:child_process';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs iptables inside namespace `ns`. */
export function iptablesIn(ns: string, ...args: string[]): string {
  return ip('netns', 'exec', ns, 'iptables', '-w', ...args);
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
  const veth = `rsp${process.pid % 100000}v`;
  let reason: string | null = null;
  try {
    ip('-n', probe, 'link', 'add', 'probebr', 'type', 'bridge');
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`);
    ip('link', 'set', `${veth}p`, 'netns', probe);
  } catch (err) {
    reason = `cannot create a bridge or veth pair (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
  for (const cleanUp of [() => ip('link', 'del', veth), () => ip('netns', 'del', probe)]) {
    try {
      cleanUp();
    } catch {
      // best effort: the probe's links may not exist, and deleting the namespace removes its end
    }
  }
  return reason;
}

export interface NamespaceLabOptions {
  /** The namespace that plays "the machine" (reaches the client switch); default the root namespace. */
  outside?: string;
  /** Distinguishes several labs of one process (names and subnet): lower-case letters. */
  tag?: string;
}

export class NamespaceLab {
  readonly namespaces: string[];
  /** The lab's own namespace holding both switches (bridges). */
  readonly switchNamespace: string;
  private readonly outside: string | null;
  private readonly short: string;
  private readonly subnet: number;
  private readonly created: { kind: 'netns' | 'link'; name: string }[] = [];

  constructor(readonly size: number, options: NamespaceLabOptions = {}) {
    const tag = `${process.pid}${options.tag ?? ''}`;
    this.namespaces = Array.from({ length: size }, (_, i) => `raftsa-${tag}-${i + 1}`);
    this.switchNamespace = `raftsa-${tag}-sw`;
    this.outside = options.outside ?? null;
    this.short = tag;
    this.subnet = pickFreeSubnet([...(options.tag ?? '')].reduce((sum, c) => sum + c.charCodeAt(0), 0));
  }

  /** Where node i (1-based) listens for peers, and where the outside reaches it. */
  peerAddress(i: number): string {
    return `10.231.${this.subnet}.${i}`;
  }
  clientAddress(i: number): string {
    return `10.232.${this.subnet}.${i}`;
  }
  /** The outside's own address on the client switch. */
  get outsideAddress(): string {
    return `10.232.${this.subnet}.254`;
  }

  setUp(): void {
    removeLeftoversOfDeadRuns();
    const sw = this.switchNamespace;
    this.addNamespace(sw);
    ip('-n', sw, 'link', 'set', 'lo', 'up');
    // The switch namespace's FORWARD chain is ours: accept explicitly, so bridged frames pass even
    // if a future kernel made new namespaces inherit a policy.
    iptablesIn(sw, '-P', 'FORWARD', 'ACCEPT');
    for (const bridge of ['peers', 'clients']) {
      ip('-n', sw, 'link', 'add', bridge, 'type', 'bridge');
      ip('-n', sw, 'link', 'set', bridge, 'up');
    }
    // The outside's way onto the client switch.
    const outer = `rfC${this.short}o`;
    this.veth(outer, `rfC${this.short}s`);
    this.created.push({ kind: 'link', name: outer });
    if (this.outside !== null) ip('link', 'set', outer, 'netns', this.outside);
    this.attach(`rfC${this.short}s`, 'clients');
    this.inOutside('addr', 'add', `${this.outsideAddress}/24`, 'dev', outer);
    this.inOutside('link', 'set', outer, 'up');
    this.namespaces.forEach((ns, index) => {
      const i = index + 1;
      this.addNamespace(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      this.plug(ns, i, 'peer0', 'peers', `${this.peerAddress(i)}/24`, 'p');
      this.plug(ns, i, 'client0', 'clients', `${this.clientAddress(i)}/24`, 'c');
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

  /** Node i's namespace name. */
  ns(i: number): string {
    const ns = this.namespaces[i - 1];
    if (ns === undefined) throw new Error(`no namespace for node ${i}`);
    return ns;
  }

  /** Removes everything this lab created, newest first; never throws (it runs after failures too). */
  tearDown(): string[] {
    const problems: string[] = [];
    for (const item of this.created.reverse()) {
      try {
        if (item.kind === 'netns') ip('netns', 'del', item.name);
        else this.inOutside('link', 'del', item.name);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        // A veth end disappears with its namespace: that is not a leak.
        if (!text.includes('Cannot find device')) problems.push(`${item.kind} ${item.name}: ${text.split('\n')[0]}`);
      }
    }
    this.created.length = 0;
    return problems;
  }

  private inOutside(...args: string[]): string {
    return this.outside === null ? ip(...args) : ip('-n', this.outside, ...args);
  }

  private addNamespace(name: string): void {
    ip('netns', 'add', name);
    this.created.push({ kind: 'netns', name });
  }

  /** A veth pair, created in the root namespace (both ends are moved away at once). */
  private veth(a: string, b: string): void {
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  }

  /** Moves `link` into the switch namespace and onto `bridge` there. */
  private attach(link: string, bridge: string): void {
    const sw = this.switchNamespace;
    ip('link', 'set', link, 'netns', sw);
    ip('-n', sw, 'link', 'set', link, 'master', bridge);
    ip('-n', sw, 'link', 'set', link, 'up');
  }

  /** A veth pair: one end on the switch's bridge, the other renamed to `inside` in ns. */
  private plug(ns: string, i: number, inside: string, bridge: string, cidr: string, letter: string): void {
    const outer = `rf${letter}${this.short}x${i}`;
    const inner = `rf${letter}${this.short}y${i}`;
    this.veth(outer, inner);
    this.attach(outer, bridge);
    ip('link', 'set', inner, 'netns', ns);
    ip('-n', ns, 'link', 'set', inner, 'name', inside);
    ip('-n', ns, 'addr', 'add', cidr, 'dev', inside);
    ip('-n', ns, 'link', 'set', inside, 'up');
  }
}

/** A run killed before its clean-up leaves namespaces behind; the pid in their names tells whose. */
function removeLeftoversOfDeadRuns(): void {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const line of ip('netns', 'list').split('\n')) {
    const m = /^raftsa-(\d+)[a-z]*-/.exec(line);
    if (m === null || alive(Number(m[1]))) continue;
    try {
      // Deleting a namespace deletes its veth ends, and so their peers outside.
      ip('netns', 'del', (line.split(' ')[0] as string).trim());
    } catch {
      // already gone
    }
  }
}

/** A /24 pair (10.231.X, 10.232.X) no interface on this machine uses yet, derived from the pid. */
function pickFreeSubnet(offset: number): number {
  const inUse = ip('-4', 'addr');
  for (let attempt = 0; attempt < 250; attempt++) {
    const x = ((process.pid + offset + attempt) % 250) + 1;
    if (!inUse.includes(`10.231.${x}.`) && !inUse.includes(`10.232.${x}.`)) return x;
  }
  throw new Error('no free 10.231.X/10.232.X subnet');
}
