// Runs a TypeScript entry point (bench, simulator, benchmarks) without a separate compile step:
// esbuild bundles it into dist/.run/, then node runs the bundle with the remaining arguments.
// Signals are forwarded so Ctrl-C reaches the program (which stops its child processes).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-ts.mjs <entry.ts> [args...]\n');
  process.exit(2);
}
const outfile = join(root, 'dist', '.run', basename(entry).replace(/\.ts$/, '') + '-' + entry.split('/')[0] + '-' + process.pid + '.mjs');
await build({
  entryPoints: [join(root, entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
// One bundle per run (pid in the name) so that runs started side by side never overwrite each other's.
child.on('exit', (code, signal) => {
  rmSync(outfile, { force: true });
  process.exit(code ?? (signal ? 128 + 1 : 255));
});
