// Bundles src/main.ts into the one executable file Maelstrom launches: dist/node.js.
// Node built-ins only at run time; the shebang lets Maelstrom exec it directly.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'node.js');

const result = await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: false,
  logLevel: 'warning',
});
// Written aside and renamed into place, so a test or bench that launches dist/node.js while a
// build runs (several test runs may overlap) sees the old file or the new one, never half of one.
mkdirSync(join(root, 'dist'), { recursive: true });
const temporary = `${outfile}.${process.pid}.tmp`;
writeFileSync(temporary, result.outputFiles[0].contents, { mode: 0o755 });
chmodSync(temporary, 0o755);
renameSync(temporary, outfile);
// The repository's package.json says "type": "module"; the bundle is CommonJS so that the file also
// runs when copied anywhere on its own. This marker keeps Node from reading it as ESM here.
writeFileSync(join(root, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
