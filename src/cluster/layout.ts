// Who runs where in a local cluster: node i (1..N) takes peer port BASE+i and HTTP port BASE+1000+i
// (so the defaults, 9001.. and 10001.., are the README's three-terminal ports), data in DIR/i, and
// knows the others by name (`2@127.0.0.1:9002`), so /status and transfer-leader use the ids 1..N.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export interface NodeSpec {
  id: string;
  peerPort: number;
  httpPort: number;
  httpUrl: string;
  dataDir: string;
  /** Everything after `node dist/node.js`. */
  args: string[];
}

export interface ClusterLayout {
  /** Absolute. Holds one directory per node, the control socket and the state file. */
  dataDir: string;
  nodes: NodeSpec[];
}

export function planCluster(count: number, basePort: number, dataDir: string, nodeFlags: readonly string[]): ClusterLayout {
  const root = resolve(dataDir);
  const ids = Array.from({ length: count }, (_, i) => String(i + 1));
  const nodes = ids.map((id, i): NodeSpec => {
    const peerPort = basePort + i + 1;
    const httpPort = basePort + 1000 + i + 1;
    const peers = ids.filter((other) => other !== id).map((other) => `${other}@127.0.0.1:${basePort + Number(other)}`);
    const nodeDir = join(root, id);
    return {
      id,
      peerPort,
      httpPort,
      httpUrl: `http://127.0.0.1:${httpPort}`,
      dataDir: nodeDir,
      args: ['--id', id, '--port', String(peerPort), '--peers', peers.join(','), '--http-port', String(httpPort), '--data-dir', nodeDir, ...nodeFlags],
    };
  });
  return { dataDir: root, nodes };
}

/**
 * The control socket's path as given to listen/connect: relative to the working directory when that
 * is shorter, because a Unix socket path is limited to about 100 bytes.
 */
export function controlSocketPath(dataDir: string): string {
  const absolute = join(resolve(dataDir), 'control.sock');
  const rel = relative(process.cwd(), absolute);
  return rel.length < absolute.length ? `./${rel}` : absolute;
}

export function stateFilePath(dataDir: string): string {
  return join(resolve(dataDir), 'cluster.json');
}

/** While the supervisor runs: its pid and the nodes' addresses (ctl takes its default endpoints from here). */
export function writeStateFile(layout: ClusterLayout): void {
  const state = { supervisorPid: process.pid, nodes: layout.nodes.map(({ id, peerPort, httpPort, httpUrl, dataDir }) => ({ id, peerPort, httpPort, httpUrl, dataDir })) };
  writeFileSync(stateFilePath(layout.dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function removeStateFile(dataDir: string): void {
  rmSync(stateFilePath(dataDir), { force: true });
}

export function readStateFile(dataDir: string): { supervisorPid: number } | null {
  const path = stateFilePath(dataDir);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { supervisorPid: number };
  } catch {
    return null;
  }
}
