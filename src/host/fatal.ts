// The one policy for a broken invariant or a failed write (an fsync error, a log that cannot be
// opened): fail-stop. The node says what broke in one clear line and stops at once, rather than
// run on with state it can no longer trust; a restart recovers from what is durable. Bad input is
// not such a case: it is checked before it reaches the host and never stops the node.
//
// The host reports through HostEnvironment.fatal; each adapter decides what stopping means: the
// processes (Maelstrom, standalone) exit with FATAL_EXIT_CODE, the simulator fails the seed.
import type { Logger } from '../logger.ts';

export type FatalHandler = (context: string, err: unknown) => void;

/** EX_SOFTWARE from sysexits.h: not a usage error (2), not a clean exit (0). */
export const FATAL_EXIT_CODE = 70;

/** The words after "FATAL": what the node was doing, what went wrong. */
export function fatalText(context: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${context}: ${message}; stopping`;
}

/** For a node process: the FATAL line, the stack below it for whoever debugs it, then exit. */
export function exitProcessOnFatal(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): FatalHandler {
  let stopping = false;
  return (context, err) => {
    if (stopping) return;
    stopping = true;
    logger.fatal(fatalText(context, err));
    if (err instanceof Error && err.stack !== undefined) logger.raw(err.stack.replace(/^/gm, '    '));
    exit(FATAL_EXIT_CODE);
  };
}

/** Whatever escapes every other guard (a rejected promise, a throw in a timer) follows the same policy. */
export function failStopOnUncaught(fatal: FatalHandler): void {
  process.on('uncaughtException', (err) => fatal('uncaught exception', err));
  process.on('unhandledRejection', (err) => fatal('unhandled promise rejection', err));
}
