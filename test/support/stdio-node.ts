// Talks to one dist/node.js process directly over stdin/stdout, as Maelstrom would, for
// protocol-level tests that need no network (a single-node cluster needs no lin-kv service).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const NODE_BIN = resolve(import.meta.dirname, '..', '..', 'dist', 'node.js');

export interface Line {
  raw: string;
  parsed: unknown;
}

export class StdioNode {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly stdout: Line[] = [];
  readonly stderr: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(args: string[] = [], env: Record<string, string> = {}) {
    this.proc = spawn(NODE_BIN, args, { cwd: tmpdir(), env: { ...process.env, ...env } });
    createInterface({ input: this.proc.stdout }).on('line', (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined;
      }
      this.stdout.push({ raw, parsed });
      for (const w of this.waiters.splice(0)) w();
    });
    createInterface({ input: this.proc.stderr }).on('line', (l) => this.stderr.push(l));
  }

  send(line: string | object): void {
    this.proc.stdin.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n');
  }

  /** Waits until a stdout message answers `msgId`, or fails after `timeoutMs`. */
  async reply(msgId: number, timeoutMs = 3000): Promise<{ [key: string]: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.stdout.find((l) => {
        const body = (l.parsed as { body?: { in_reply_to?: unknown } } | undefined)?.body;
        return body?.in_reply_to === msgId;
      });
      if (found) return (found.parsed as { body: { [key: string]: unknown } }).body;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply to msg ${msgId} within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-20).join('\n')}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  async exit(): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    return new Promise((res) => this.proc.on('exit', (code) => res(code)));
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}
