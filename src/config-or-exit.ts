// Start-up for both modes: a configuration, or the end of the process with a message on stderr.
import { ConfigError, USAGE } from './config.ts';
import { STANDALONE_USAGE } from './standalone/config.ts';

/** What --help prints, whichever mode the other flags select: both modes, so people see the choice. */
const HELP = `dist/node.js runs in one of two modes.

Maelstrom mode (no --id/--port/--peers): a Maelstrom node, JSON messages on stdin/stdout, logs on stderr.
${USAGE}

Standalone mode (--id, --port and --peers): a cluster node, TCP between nodes, HTTP for clients, logs on stderr.
${STANDALONE_USAGE}

Client: node dist/node.js ctl COMMAND (get, put, cas, status, transfer-leader, member ...); ctl --help for more.`;

/**
 * Runs `parse`. On --help: both modes' flags on stdout, exit 0 (help was asked for, it is the output).
 * On a bad setting: the reason on one stderr line, then the usage of this mode, exit 2.
 */
export function configOrExit<T>(parse: () => T | 'help', usage: string): T {
  let config: T | 'help';
  try {
    config = parse();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`raft node: invalid configuration: ${err.message}\n${usage}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  return config;
}
