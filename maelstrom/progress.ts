// Live progress on our own stderr (never near a node's pipes): on a terminal one status line
// rewritten in place; otherwise a plain line every few seconds, so CI logs stay readable.
import type { HistoryOp } from './history.ts';

export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

export interface ProgressOptions {
  timeLimitS: number;
  elapsedMs: () => number;
  sink?: ProgressSink;
  /** Plain-line period when not a terminal. */
  plainEveryMs?: number;
}

export class Progress {
  private ok = 0;
  private fail = 0;
  private info = 0;
  private partition = 'none';
  private readonly down = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly sink: ProgressSink;
  private lastLength = 0;

  constructor(private readonly options: ProgressOptions) {
    this.sink = options.sink ?? { isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) };
  }

  /** Feed every history entry; nemesis entries update the fault shown. */
  observe(op: HistoryOp): void {
    if (op.process === 'nemesis') {
      if (op.f === 'start-partition' && op.value !== null && typeof op.value === 'object' && !Array.isArray(op.value)) {
        const d = op.value['description'];
        this.partition = typeof d === 'string' ? d : 'yes';
      } else if (op.f === 'stop-partition') this.partition = 'none';
      else if (op.f === 'kill' && typeof op.value === 'string') this.down.add(op.value);
      else if (op.f === 'restart' && op.type === 'info' && Array.isArray(op.value) && op.error === undefined) for (const n of op.value) if (typeof n === 'string') this.down.delete(n);
      return;
    }
    if (op.type === 'ok') this.ok++;
    else if (op.type === 'fail') this.fail++;
    else if (op.type === 'info') this.info++;
  }

  statusLine(): string {
    const elapsed = Math.min(this.options.elapsedMs() / 1000, 1e9);
    const down = this.down.size > 0 ? ` | down: ${[...this.down].sort().join(' ')}` : '';
    return `[${elapsed.toFixed(1)}/${this.options.timeLimitS} s] ops ${this.ok} ok / ${this.fail} fail / ${this.info} info | partition: ${this.partition}${down}`;
  }

  start(): void {
    const period = this.sink.isTTY ? 250 : (this.options.plainEveryMs ?? 5000);
    this.timer = setInterval(() => this.render(), period);
    this.timer.unref();
  }

  private render(): void {
    const line = this.statusLine();
    if (this.sink.isTTY) {
      const width = process.stderr.columns ?? 120;
      const shown = line.length > width - 1 ? line.slice(0, width - 2) + '…' : line;
      this.sink.write(`\r${shown}${' '.repeat(Math.max(0, this.lastLength - shown.length))}`);
      this.lastLength = shown.length;
    } else this.sink.write(`${line}\n`);
  }

  /** Stops updating; on a terminal leaves the final status on its own line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.sink.isTTY) {
      this.render();
      this.sink.write('\n');
    }
  }

  /** Prints a message without mangling the live line. */
  note(text: string): void {
    if (this.sink.isTTY && this.lastLength > 0) {
      this.sink.write(`\r${' '.repeat(this.lastLength)}\r`);
      this.lastLength = 0;
    }
    this.sink.write(`${text}\n`);
  }
}
