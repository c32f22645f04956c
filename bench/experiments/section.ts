// What every experiment of bench/run.ts hands back: a Markdown section for SUMMARY.md and the
// console, the raw data for <name>.json, and any SVG charts.
export interface SectionResult {
  /** File stem: results/<name>.json. */
  name: string;
  title: string;
  markdown: string;
  data: unknown;
  charts: { file: string; svg: string }[];
}

export interface RunContext {
  quick: boolean;
  seed: number;
  /** Progress lines (stderr), so stdout stays the summary. */
  progress(line: string): void;
}
