// Entry of the standalone cluster mode (dist/node.js --id ... --port ... --peers ...). Logs go to
// stderr in the Maelstrom mode's format; stdout stays silent. SIGTERM/SIGINT hand leadership over
// (if this node leads), answer the client requests already taken, close the ports and exit 0; a
// second signal exits at once. A SIGKILLed node loses nothing: every write was fsynced before it mattered.
import { performance } from 'node:perf_hooks';
import { configOrExit } from '../config-or-exit.ts';
import { exitProcessOnFatal, failStopOnUncaught } from '../host/fatal.ts';
import { Logger } from '../logger.ts';
import { parseStandaloneConfig, STANDALONE_USAGE } from './config.ts';
import { DataDirLockedError } from './data-dir-lock.ts';
import { securityPosture } from './security-posture.ts';
import { StandaloneNode } from './standalone-node.ts';

export { wantsStandaloneMode } from './config.ts';

export function runStandalone(argv: readonly string[]): void {
  const config = configOrExit(() => parseStandaloneConfig(argv, process.env), STANDALONE_USAGE);

  let node: StandaloneNode | null = null;
  const logger = new Logger(config.shared.logLevel, () => node?.logContext() ?? { node: config.name, role: 'starting', term: null });
  const c = config.shared;
  logger.info(
    `raft node starting: election timeout ${c.electionTimeoutMinMs}-${c.electionTimeoutMaxMs} ms, heartbeat ${c.heartbeatIntervalMs} ms, pre-vote ${c.preVote ? 'on' : 'off'}, check-quorum ${c.checkQuorum ? 'on' : 'off'}`,
  );
  const posture = securityPosture(config);
  logger.info(posture.info);
  for (const warning of posture.warnings) logger.warn(warning);
  const fatal = exitProcessOnFatal(logger);
  failStopOnUncaught(fatal);
  const started = new StandaloneNode({
    config,
    logger,
    now: () => performance.now(),
    random: Math.random,
    fatal,
    // POST /admin/stop (with --allow-admin-stop) takes the same path as `kill -TERM`.
    requestStop: () => process.kill(process.pid, 'SIGTERM'),
  });
  node = started;

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      // A second Ctrl-C means "now": the state is on disk already.
      logger.info(`${signal} received again: exiting now`);
      process.exit(0);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    // If the hand-over or closing hangs, leave anyway: the state is on disk already.
    setTimeout(() => process.exit(0), c.electionTimeoutMaxMs + 5000).unref();
    void started.stopGracefully().then(() => {
      logger.info('shut down cleanly');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  started.start().catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || err instanceof DataDirLockedError) {
      // Another process holds what this node needs: a fatal error that names it, exit status 1
      // (a setup problem, not a broken node; start() has already removed what it created).
      logger.fatal(`cannot start: ${e.code === 'EADDRINUSE' ? `address in use (${e.message})` : e.message}`);
      process.exit(1);
    }
    fatal('cannot start', err); // anything else: the fail-stop policy (host/fatal.ts)
  });
}
