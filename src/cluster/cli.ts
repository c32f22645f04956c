// `npm run cluster` (and `make cluster`): a local cluster of standalone nodes in one terminal, the
// counterpart of `docker-compose up`; with stop/start/kill/status, the control side from another terminal.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fetchStatuses, STATUS_HEADER, statusCells } from '../ctl/member-status.ts';
import { parseEndpoint } from '../ctl/endpoints.ts';
import { formatTable } from '../ctl/table.ts';
import { CLUSTER_USAGE, ClusterUsageError, parseClusterArgs, type ClusterCommand } from './args.ts';
import { sendControl, serveControl } from './control.ts';
import { controlSocketPath, planCluster, readStateFile, removeStateFile, writeStateFile } from './layout.ts';
import { nodePrefix, supervisorPrefix, useColour } from './log-prefix.ts';
import { supportedOptionalFlags } from './node-flags.ts';
import { repoRoot } from './repo-root.ts';
import { Supervisor } from './supervisor.ts';

/** A path as people would type it from here: relative when under this directory, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

async function up(command: Extract<ClusterCommand, { name: 'up' }>): Promise<number> {
  const root = repoRoot();
  const colour = useColour(process.stdout, process.env);
  const width = String(command.nodes).length;
  const note = (text: string): void => void process.stdout.write(`${supervisorPrefix(width, colour)}${text}\n`);

  mkdirSync(command.dataDir, { recursive: true });
  const socketPath = controlSocketPath(command.dataDir);
  const already = await sendControl(socketPath, { command: 'status' }, 2000);
  if (already !== 'no-supervisor') {
    note(`a cluster is already running from ${command.dataDir} (supervisor pid ${String(readStateFile(command.dataDir)?.supervisorPid)}); stop it with Ctrl-C in its terminal`);
    return 1;
  }
  rmSync(socketPath, { force: true }); // left by a supervisor that was killed

  if (command.build) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const nodeBin = join(root, 'dist', 'node.js');
  if (!existsSync(nodeBin)) {
    note(`${nodeBin} is missing: run make build (or drop --no-build)`);
    return 1;
  }
  const flags = [...supportedOptionalFlags(nodeBin), ...command.nodeFlags];
  const layout = planCluster(command.nodes, command.basePort, command.dataDir, flags);
  const supervisor = new Supervisor(layout, nodeBin, {
    nodeLine: (spec, index, line) => void process.stdout.write(`${nodePrefix(spec.id, index, width, colour)}${line}\n`),
    note,
  });
  const control = await serveControl(socketPath, (request) => supervisor.handle(request));
  writeStateFile(layout);
  process.on('exit', () => supervisor.killAllNow());

  let stopping: number | null = null;
  const shutDown = (signal: NodeJS.Signals): void => {
    // npm and scripts/run-ts.mjs pass the terminal's Ctrl-C on as well, so one keypress can arrive
    // two or three times within a moment: only a second signal a second later means "kill them now".
    if (stopping !== null) {
      if (Date.now() - stopping < 1000) return;
      note(`${signal} again: killing every node now`);
      supervisor.killAllNow();
      return;
    }
    stopping = Date.now();
    note(`${signal} received: stopping every node (SIGTERM; Ctrl-C again to kill them)`);
    void supervisor.stopAll().then(() => {
      control.close();
      rmSync(socketPath, { force: true });
      removeStateFile(command.dataDir);
      note('all nodes stopped');
      process.exit(0);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutDown(signal));

  note(`starting ${layout.nodes.length} nodes, data under ${shown(layout.dataDir)}/${flags.length > 0 ? `, node flags: ${flags.join(' ')}` : ''}`);
  supervisor.startAll();
  const serving = await supervisor.waitUntilServing(layout.nodes.map((n) => n.id));
  if (stopping !== null) return new Promise(() => {}); // Ctrl-C during start-up: shutDown exits
  const first = layout.nodes[0];
  if (first !== undefined) note(`live page: ${first.httpUrl}/   (every node serves it on its own HTTP port)`);
  const rows = layout.nodes.map((n) => [n.id, String(n.peerPort), `${n.httpUrl}/`, shown(n.dataDir), serving.includes(n.id) ? 'serving' : 'not serving']);
  for (const line of formatTable(['ID', 'PEER PORT', 'HTTP', 'DATA', ''], rows).split('\n')) note(line);
  const endpoints = layout.nodes.map((n) => `127.0.0.1:${n.httpPort}`).join(',');
  note(`from another terminal: npm run cluster -- status | stop ID | start ID | kill ID${command.dataDir !== 'cluster-data' ? ` --data-dir ${command.dataDir}` : ''}`);
  note(`                       node dist/node.js ctl --endpoints ${endpoints} put greeting '"hello"'`);
  note('Ctrl-C stops every node gracefully');
  return new Promise(() => {}); // runs until a signal
}

async function control(command: Exclude<ClusterCommand, { name: 'up' } | { name: 'help' }>): Promise<number> {
  const socketPath = controlSocketPath(command.dataDir);
  const request = command.name === 'status' ? { command: 'status' as const } : { command: command.name, id: command.id };
  const reply = await sendControl(socketPath, request);
  if (reply === 'no-supervisor') {
    process.stderr.write(`cluster: no cluster is running from ${command.dataDir} (nothing listens on ${socketPath}); start one with npm run cluster\n`);
    return 1;
  }
  if (!reply.ok) {
    process.stderr.write(`cluster: ${reply.error}\n`);
    return 1;
  }
  if (command.name !== 'status') {
    process.stdout.write(`${reply.message ?? 'done'}\n`);
    return 0;
  }
  const nodes = reply.nodes ?? [];
  const statuses = await fetchStatuses(
    nodes.map((n) => parseEndpoint(n.httpUrl, 'http')),
    { dialTimeoutMs: 1000, requestTimeoutMs: 2000, tls: {}, adminToken: null },
  );
  const rows = nodes.map((n, i) => {
    const state = n.running ? `running (pid ${String(n.pid)})` : `stopped (${n.lastExit ?? 'never ran'})`;
    const s = statuses[i];
    const cells = s === undefined || (!n.running && !s.ok) ? STATUS_HEADER.map(() => '') : statusCells(s);
    return [n.id, state, n.httpUrl, ...cells.slice(1)];
  });
  process.stdout.write(`${formatTable(['ID', 'PROCESS', 'HTTP', ...STATUS_HEADER.slice(1)], rows)}\n`);
  return 0;
}

async function main(): Promise<void> {
  let command: ClusterCommand;
  try {
    command = parseClusterArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ClusterUsageError)) throw err;
    process.stderr.write(`cluster: ${err.message}\n${CLUSTER_USAGE}\n`);
    process.exit(2);
  }
  if (command.name === 'help') {
    process.stdout.write(`${CLUSTER_USAGE}\n`);
    return;
  }
  process.exitCode = command.name === 'up' ? await up(command) : await control(command);
}

void main();
