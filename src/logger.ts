// One line per event on stderr: time, node, role and term, then words people grep for.
// stdout belongs to the protocol alone; nothing in this file may ever write there.
import type { LogLevelSetting } from './config.ts';

const RANK: Record<LogLevelSetting, number> = { debug: 0, info: 1, warn: 2 };

export interface LogContext {
  node: string;
  role: string;
  term: number | null;
}

export class Logger {
  constructor(
    private readonly level: LogLevelSetting,
    private readonly context: () => LogContext,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  enabled(level: LogLevelSetting): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: LogLevelSetting, text: string, role?: string, term?: number): void {
    if (!this.enabled(level)) return;
    this.line(level === 'info' ? '' : ` ${level.toUpperCase()}`, text, role, term);
  }

  /** A fail-stop line (see host/fatal.ts): written whatever the level. */
  fatal(text: string): void {
    this.line(' FATAL', text);
  }

  private line(tag: string, text: string, role?: string, term?: number): void {
    const ctx = this.context();
    const termText = (term ?? ctx.term) === null ? '-' : String(term ?? ctx.term);
    this.write(`${new Date().toISOString()} ${ctx.node || '?'} [${role ?? ctx.role} t${termText}]${tag} ${text}\n`);
  }

  /** Lines written as they are (a stack trace under a FATAL line). */
  raw(text: string): void {
    this.write(`${text}\n`);
  }

  info(text: string): void {
    this.log('info', text);
  }
  warn(text: string): void {
    this.log('warn', text);
  }
  debug(text: string): void {
    this.log('debug', text);
  }
}
