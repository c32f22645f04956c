// `dist/node.js ctl ...`: parse, run one command, print, and return the exit status (0 ok,
// 1 definite failure, 2 usage, 3 outcome unknown).
import { parseCtlArgs, UsageError } from './args.ts';
import { EXIT, runCommand } from './commands.ts';
import { CTL_USAGE } from './usage.ts';

export async function runCtl(argv: readonly string[], cwd: string, write: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  let options;
  try {
    options = parseCtlArgs(argv, cwd);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    write.err(`ctl: ${err.message}\n${CTL_USAGE}\n`);
    return EXIT.usage;
  }
  if (options === 'help') {
    write.out(`${CTL_USAGE}\n`);
    return EXIT.ok;
  }
  const result = await runCommand(options);
  for (const line of result.stdout) write.out(`${line}\n`);
  for (const line of result.stderr) write.err(`${line}\n`);
  return result.code;
}
