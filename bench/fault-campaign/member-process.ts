// One member of a cluster under test: a process started inside its network namespace, which the
// campaign can SIGKILL and start again on the same data, or pause (SIGSTOP) and resume (SIGCONT).
// `ip netns exec` execs the command, so the child's pid is the member's own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const TAIL_LINES = 200;

export class MemberProcess {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  private readonly lines: string[] = [];

  constructor(readonly index: number, private readonly command: string, private readonly args: readonly string[]) {}

  get running(): boolean {
    return this.proc !== null;
  }

  start(): void {
    if (this.proc !== null) return;
    const proc = spawn(this.command, [...this.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    this.paused = false;
    createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      if (this.lines.length > TAIL_LINES) this.lines.shift();
    });
    this.exited = new Promise((resolve) => {
      proc.once('exit', () => {
        if (this.proc === proc) this.proc = null;
        resolve();
      });
    });
  }

  /** SIGKILL, and wait until the process is gone (its ports and data-dir lock are free again). */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc === null) return;
    proc.kill('SIGKILL');
    await this.exited;
  }

  pause(): void {
    if (this.proc === null || this.paused) return;
    this.proc.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.proc === null || !this.paused) return;
    this.proc.kill('SIGCONT');
    this.paused = false;
  }

  tail(lines = 30): string {
    return this.lines.slice(-lines).join('\n');
  }
}
