// Start-up for both modes: a configuration, or the end of the process with a message on stderr.
import { ConfigError } from './config.ts';

/** Runs `parse`; prints the usage and exits 0 on --help, exits 2 with a clear message on a bad setting. */
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
    process.stderr.write(`${usage}\n`);
    process.exit(0);
  }
  return config;
}
