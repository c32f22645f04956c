// Reading /metrics in tests: parse-prometheus-text-format (a port of the Prometheus Python client's
// parser) plus the checks it leaves out.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { expect } from 'vitest';

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

/**
 * The parser (it throws on a line it cannot read), plus the checks it leaves out: every sample's
 * value is a number, and each family's samples follow its own HELP and TYPE lines.
 */
export function parse(text: string): Map<string, ParsedFamily> {
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type !== null) current = type[1] as string;
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    expect(sample, line).not.toBeNull();
    expect((sample?.[1] ?? '').startsWith(current), `${line} under # TYPE ${current}`).toBe(true);
    expect(sample?.[3], line).toMatch(/^(-?\d+(\.\d+)?(e[+-]?\d+)?|\+Inf|-Inf|NaN)$/);
  }
  return new Map(families.map((f) => [f.name, f]));
}

/**
 * One sample's value read from the text, e.g. sampleValue(text, 'raft_x_count{peer="2"}'): the
 * parser folds the series of a labelled histogram together, so those are read here.
 */
export function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
