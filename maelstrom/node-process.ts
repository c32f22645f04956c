// One node's OS process, launched as Maelstrom launches it (see maelstrom/README.md): the binary itself (no
// shell), cwd = the temp dir, inherited environment, three pipes. Stopping is SIGKILL, nothing gentler.
//
// Process hygiene: every live child is in one registry, and the first spawn installs handlers that
// SIGKILL them all when this process exits or receives SIGINT/SIGTERM/SIGHUP, so no run leaves orphans.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LineSplitter } from './line-splitter.ts';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (spawn error). */
  error?: string;
}

export interface NodeProcessOptions {
  nodeId: string;
  /** Absolute path of the executable. */
  bin: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
}

/** How long to wait, after the exit, for the last stderr lines before reporting the exit. */
const STDERR_DRAIN_MS = 300;

// ---------------------------------------------------------------- the registry of live children

const liveChildren = new Set<ChildProcessWithoutNullStreams>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' also fires after an uncaught exception; only synchronous work is possible there, and kill is.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      // Listening to a signal cancels Node's default of exiting. If nobody else handles it, restore
      // the default and re-raise, so Ctrl-C still ends the program with the usual status.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Pids of children still alive (for tests and diagnostics). */
export function livePids(): number[] {
  return [...liveChildren].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}

// ---------------------------------------------------------------- one process

export class NodeProcess {
  readonly nodeId: string;
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its remaining stderr has been read. */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private readingStdout = true;
  private readonly child: ChildProcessWithoutNullStreams;

  private constructor(options: NodeProcessOptions) {
    installExitHooks();
    this.nodeId = options.nodeId;
    this.child = spawn(options.bin, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    const child = this.child;
    if (child.pid !== undefined) liveChildren.add(child);

    const stdoutLines = new LineSplitter((line) => {
      if (this.readingStdout) options.onStdoutLine(line);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => stdoutLines.push(chunk));
    child.stdout.on('end', () => stdoutLines.end());

    const stderrLines = new LineSplitter(options.onStderrLine);
    const stderrEnded = new Promise<void>((resolve) => {
      child.stderr.on('end', () => {
        stderrLines.end();
        resolve();
      });
      child.stderr.on('error', () => resolve());
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => stderrLines.push(chunk));

    // Writes to a dead process fail; Maelstrom swallows that and the message is lost.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});

    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo !== null) return;
        liveChildren.delete(child);
        const drained = new Promise<void>((r) => setTimeout(r, STDERR_DRAIN_MS).unref());
        void Promise.race([stderrEnded, drained]).then(() => {
          this.exitInfo = info;
          // A node whose stdout we stopped reading may have left data in the pipe: let it go.
          child.stdout.destroy();
          resolve(info);
        });
      };
      child.on('exit', (code, signal) => finish({ code, signal }));
      child.on('error', (err) => finish({ code: null, signal: null, error: err.message }));
    });
  }

  static spawn(options: NodeProcessOptions): NodeProcess {
    return new NodeProcess(options);
  }

  /** True until the exit has been seen. */
  get running(): boolean {
    return this.exitInfo === null && this.child.exitCode === null && this.child.signalCode === null && liveChildren.has(this.child);
  }

  /** Writes one line to the node's stdin (errors on a dead pipe are ignored, as Maelstrom does). */
  writeLine(line: string): void {
    if (!this.running || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${line}\n`);
  }

  /**
   * Maelstrom's stdout thread gives up after one bad line and never reads again; the pipe then fills
   * and the node blocks on its next write. Pausing the stream reproduces exactly that.
   */
  stopReadingStdout(): void {
    this.readingStdout = false;
    this.child.stdout.pause();
  }

  /** SIGKILL and wait for the exit. Safe to call on a process that already exited. */
  async kill(): Promise<ExitInfo> {
    if (this.running) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // it exited in between
      }
    }
    return this.exited;
  }
}
