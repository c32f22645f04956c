// Flags every node of a local cluster gets when its binary knows them. `--allow-admin-stop` lets the
// live page's "stop" button work; a node built before that flag existed would refuse to start with
// it, so the flag is passed only when `dist/node.js --help` lists it. Add such flags here.
import { execFileSync } from 'node:child_process';

export const OPTIONAL_NODE_FLAGS: readonly string[] = ['--allow-admin-stop'];

export function supportedOptionalFlags(nodeBin: string): string[] {
  let help = '';
  try {
    help = execFileSync(process.execPath, [nodeBin, '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  return OPTIONAL_NODE_FLAGS.filter((flag) => new RegExp(`(^|\\s)${flag}(\\s|$)`, 'm').test(help));
}
