// Bundles src/main.ts into the one executable file Maelstrom launches: dist/node.js.
// Node built-ins only at run time; the shebang lets Maelstrom exec it directly.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'node.js');

await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: false,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
// The repository's package.json says "type": "module"; the bundle is CommonJS so that the file also
// runs when copied anywhere on its own. This marker keeps Node from reading it as ESM here.
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
