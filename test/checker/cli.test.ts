// The command-line checker end to end: format guessing, verdict on stdout, exit status.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'checker-cli-'));

function runCli(args: string[]): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, ['scripts/run-ts.mjs', 'maelstrom/checker/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { status: number | null; stdout: string; stderr: string };
    return { status: failed.status ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('checker CLI', () => {
  it('reports a valid register history with exit 0, an invalid one with exit 1 and why, bad input with exit 2', () => {
    const valid = join(dir, 'valid.edn');
    writeFileSync(valid, '[{:process 0 :type :invoke :f :write :value 1}\n {:process 0 :type :ok :f :write :value 1}\n {:process 1 :type :invoke :f :read :value nil}\n {:process 1 :type :ok :f :read :value 1}]\n');
    const invalid = join(dir, 'invalid.edn');
    writeFileSync(invalid, '[{:process 0 :type :invoke :f :write :value 1}\n {:process 0 :type :ok :f :write :value 1}\n {:process 1 :type :invoke :f :read :value nil}\n {:process 1 :type :ok :f :read :value 2}]\n');
    const broken = join(dir, 'broken.edn');
    writeFileSync(broken, '[{:process 0 :type :invoke');

    const ok = runCli([valid]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('[knossos-edn]: VALID');

    const bad = runCli([invalid, '--format', 'knossos-edn']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('INVALID');
    expect(bad.stdout).toContain('cannot linearize process 1 read -> 2');

    const parseError = runCli([broken]);
    expect(parseError.status).toBe(2);
    expect(parseError.stderr).toMatch(/EDN: missing/);
    expect(runCli([valid, '--model', 'queue']).status).toBe(2);
  }, 120_000);
});
