// The course demo (bench/demo.ts) end to end: real node processes on the bench, the leader killed,
// and the transcript checked for what the course task asks to paste.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'bench/demo.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Only a guard against a hang; the demo normally takes a few seconds.
    const guard = setTimeout(() => child.kill('SIGKILL'), 18_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('make demo (bench/demo.ts)', () => {
  it('prints a failover transcript with the election, the new leader and its heartbeat, and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(code, `stderr:\n${stderr}`).toBe(0);

    // The three patterns the course task checks the pasted transcript with.
    expect(stdout).toMatch(/candidate|election/);
    expect(stdout).toMatch(/elected|leader|won/);
    expect(stdout).toMatch(/heartbeat|AppendEntries/);

    expect(stdout).toMatch(/ \[\w+ t\d+\] became candidate for term \d+/);
    const electedTerms = [...stdout.matchAll(/ (n\d) \[leader t\d+\] elected leader for term (\d+)/g)].map((m) => ({ node: m[1], term: Number(m[2]) }));
    expect(electedTerms.length).toBeGreaterThanOrEqual(2);
    const [firstLeader, ...later] = electedTerms;
    expect(later.some((e) => firstLeader !== undefined && e.term > firstLeader.term && e.node !== firstLeader.node)).toBe(true);
    expect(stdout).toMatch(/recognized n\d as leader for term \d+/);
    expect(stdout).toMatch(/^failover time: \d+ ms from killing n\d/m);
  }, 20_000);
});
