// `npm run cluster -- [up] [--nodes N] [--base-port P] [--data-dir DIR] [--no-build] [-- NODE FLAGS]`
// and the control commands `stop ID`, `start ID`, `kill ID`, `status`.
export class ClusterUsageError extends Error {}

export const CLUSTER_USAGE = `usage: npm run cluster -- [options] [-- flags for every node]   start a local cluster in this terminal (Ctrl-C stops it)
       npm run cluster -- stop ID | start ID | kill ID | status     from another terminal, while it runs
options:
  --nodes N          how many nodes (default 3)
  --base-port P      node i listens on P+i for peers and P+1000+i for HTTP (default 9000: 9001.., 10001..)
  --data-dir DIR     one directory per node, the control socket and cluster.json (default ./cluster-data)
  --no-build         do not rebuild dist/node.js first
stop sends SIGTERM (the node hands leadership over and exits cleanly), kill sends SIGKILL, start runs the node again on its data.`;

export type ClusterCommand =
  | { name: 'up'; nodes: number; basePort: number; dataDir: string; build: boolean; nodeFlags: string[] }
  | { name: 'stop' | 'start' | 'kill'; id: string; dataDir: string }
  | { name: 'status'; dataDir: string }
  | { name: 'help' };

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ClusterUsageError(`${flag} must be a whole number ${min}-${max}, got "${String(raw)}"`);
  return Number(raw);
}

export function parseClusterArgs(argv: readonly string[]): ClusterCommand {
  const words: string[] = [];
  let nodeFlags: string[] = [];
  let nodes = 3;
  let basePort = 9000;
  let dataDir = 'cluster-data';
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--':
        nodeFlags = argv.slice(i + 1) as string[];
        i = argv.length;
        break;
      case '--help':
      case '-h':
        return { name: 'help' };
      case '--nodes':
        nodes = integer(flag, value(), 1, 15);
        break;
      case '--base-port':
        basePort = integer(flag, value(), 1, 64_000);
        break;
      case '--data-dir': {
        const v = value();
        if (v === undefined || v === '') throw new ClusterUsageError('--data-dir needs a value');
        dataDir = v;
        break;
      }
      case '--no-build':
        build = false;
        break;
      default:
        if (arg.startsWith('--')) throw new ClusterUsageError(`unknown option "${arg}" (flags for the nodes go after --)`);
        words.push(arg);
    }
  }
  if (basePort + 1000 + nodes > 65_535) throw new ClusterUsageError(`--base-port ${basePort} leaves no room for ${nodes} HTTP ports (${basePort + 1001}..)`);
  const [name, ...rest] = words;
  switch (name) {
    case undefined:
    case 'up':
      if (rest.length > 0) throw new ClusterUsageError(`unexpected "${rest.join(' ')}"`);
      return { name: 'up', nodes, basePort, dataDir, build, nodeFlags };
    case 'stop':
    case 'start':
    case 'kill':
      if (rest.length !== 1) throw new ClusterUsageError(`usage: ${name} ID`);
      return { name, id: rest[0] as string, dataDir };
    case 'status':
      if (rest.length > 0) throw new ClusterUsageError('usage: status');
      return { name, dataDir };
    default:
      throw new ClusterUsageError(`unknown command "${name}" (up, stop, start, kill, status)`);
  }
}
