// What every experiment of bench/run.ts hands back: a Markdown section for SUMMARY.md and the
// console, the raw data for <name>.json, and any SVG charts.
export interface SectionResult {
  /** File stem: results/<name>.json. */
  name: string;
  title: string;
  markdown: string;
  data: unknown;
  charts: { file: string; svg: string }[];
  /** Nothing was measured (a tool is missing): the results of an earlier run are left as they are. */
  skipped?: boolean;
}

export interface RunContext {
  quick: boolean;
  seed: number;
  /** The memory experiment's last checkpoint (--memory-ops; default 1,000,000 writes). */
  memoryOps?: number;
  /** The catch-up experiment's writes while the follower is down (--catch-up-ops; default 200,000). */
  catchUpOps?: number;
  /** Progress lines (stderr), so stdout stays the summary. */
  progress(line: string): void;
}
