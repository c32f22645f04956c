// ctl as a process: stdout for results, stderr for errors, and the exit status once both are written.
import { runCtl } from './run.ts';

export function runCtlProcess(argv: readonly string[]): void {
  runCtl(argv, process.cwd(), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A bug in ctl, perhaps after a request went out: say so, and claim nothing about the outcome.
      process.stderr.write(`ctl: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}; the outcome is unknown\n`);
      process.exitCode = 3;
    },
  );
}
