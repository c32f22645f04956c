// Prometheus' text exposition format, version 0.0.4, written by hand (the node has no run-time
// dependencies). Value holders are plain objects updated in place on the hot path; the text is
// only built when someone scrapes /metrics.
//
// Format rules followed here: one "# HELP" and one "# TYPE" line per family, then its samples;
// label values escape backslash, double quote and newline; HELP text escapes backslash and
// newline; a histogram is cumulative `_bucket{le=...}` samples ending in le="+Inf", then `_sum`
// and `_count`.

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class Counter {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

/** Buckets are upper bounds, ascending; the +Inf bucket is implicit (it is `count`). */
export class Histogram {
  /** Observations per bucket, not cumulative (made cumulative when written). */
  private readonly perBucket: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.perBucket = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.perBucket[i] = (this.perBucket[i] as number) + 1;
        return;
      }
    }
  }

  /** Cumulative counts, one per bound (the +Inf bucket is `count`). */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (const n of this.perBucket) out.push((running += n));
    return out;
  }
}

/** `start`, `start * factor`, ... : `count` bounds (Prometheus' exponential buckets). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0, b = start; i < count; i++, b *= factor) out.push(Number(b.toPrecision(6)));
  return out;
}

export type LabelPairs = readonly (readonly [string, string])[];

export interface Sample<V> {
  labels: LabelPairs;
  value: V;
}

export type Family =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: readonly Sample<number>[] }
  | { name: string; help: string; type: 'histogram'; samples: readonly Sample<Histogram>[] };

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: LabelPairs): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The whole exposition: every family in the order given, each line ending in "\n". */
export function exposition(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type !== 'histogram') {
      for (const s of family.samples) lines.push(`${family.name}${labelText(s.labels)} ${formatValue(s.value)}`);
      continue;
    }
    for (const s of family.samples) {
      const h = s.value;
      const cumulative = h.cumulative();
      h.bounds.forEach((bound, i) => lines.push(`${family.name}_bucket${labelText([...s.labels, ['le', formatValue(bound)]])} ${formatValue(cumulative[i] as number)}`));
      lines.push(`${family.name}_bucket${labelText([...s.labels, ['le', '+Inf']])} ${formatValue(h.count)}`);
      lines.push(`${family.name}_sum${labelText(s.labels)} ${formatValue(h.sum)}`);
      lines.push(`${family.name}_count${labelText(s.labels)} ${formatValue(h.count)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
