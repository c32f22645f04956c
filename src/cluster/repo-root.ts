// The repository this tool runs from (it runs as a bundle under dist/.run/, or from a test).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg) && readFileSync(pkg, 'utf8').includes('"raft-maelstrom"')) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the repository (a package.json named raft-maelstrom) above this script or the working directory');
}
