// Entry point of dist/node.js. With Maelstrom: JSON messages on stdin and stdout, logs on stderr.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseConfig, USAGE } from './config.ts';
import { configOrExit } from './config-or-exit.ts';
import { exitProcessOnFatal, failStopOnUncaught } from './host/fatal.ts';
import { Logger } from './logger.ts';
import { MaelstromServer } from './maelstrom/server.ts';
import { Transport } from './maelstrom/transport.ts';
import { runStandalone, wantsStandaloneMode } from './standalone/entry.ts';
import { runCtlProcess } from './ctl/process.ts';

function main(): void {
  const config = configOrExit(() => parseConfig(process.argv.slice(2), process.env), USAGE);

  // If Maelstrom goes away, writes fail with EPIPE: that is the end of the run, not a crash to report.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`stdout error: ${err.message}\n`);
  });

  // Once we are exiting, nothing more goes out: no message on stdout, no log line on stderr.
  let exiting = false;
  const transport = new Transport({ write: (chunk) => !exiting && process.stdout.write(chunk) });
  let server: MaelstromServer | null = null;
  const logger = new Logger(
    config.logLevel,
    () => server?.logContext() ?? { node: '', role: 'uninitialized', term: null },
    (line) => !exiting && process.stderr.write(line),
  );
  const fatal = exitProcessOnFatal(logger);
  failStopOnUncaught(fatal);
  server = new MaelstromServer({
    config,
    fatal,
    transport,
    logger,
    now: () => performance.now(),
    random: Math.random,
    incarnation: randomUUID(),
    dataDir: config.dataDir,
  });
  logger.info(
    `raft node starting: election timeout ${config.electionTimeoutMinMs}-${config.electionTimeoutMaxMs} ms, heartbeat ${config.heartbeatIntervalMs} ms, pre-vote ${config.preVote ? 'on' : 'off'}, check-quorum ${config.checkQuorum ? 'on' : 'off'}`,
  );

  const node = server;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => node.handleLine(line));
  // Maelstrom never closes stdin; if someone does, stop Raft first (no new election, log line or
  // reply after this point), send what was already queued, and leave.
  lines.on('close', () => {
    node.stop();
    logger.info('stdin closed; exiting');
    transport.flush();
    exiting = true;
    // Both pipes are written synchronously on Linux; the callbacks cover platforms where they are
    // not, and the timer a stream that never calls back (nothing more is written either way).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(0)));
    setTimeout(() => process.exit(0), 200).unref();
  });
}

// --id, --port or --peers select the standalone cluster mode (TCP between nodes, HTTP for clients);
// without them this is a Maelstrom node, exactly as before.
// `ctl` as the first argument: the command-line client (src/ctl/), nothing else starts.
if (process.argv[2] === 'ctl') runCtlProcess(process.argv.slice(3));
else if (wantsStandaloneMode(process.argv.slice(2))) runStandalone(process.argv.slice(2));
else main();
