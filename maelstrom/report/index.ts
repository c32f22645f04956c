// The bench's pictures of a test run: raw latency, throughput, and the election timeline.
// writeReport is called once at the end of a test with the history and every node's stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HistoryOp } from '../history.ts';
import { completedClientOps } from './client-ops.ts';
import { faultPeriods } from './fault-periods.ts';
import { allNodeEvents } from './node-log.ts';
import { leadershipTimeline } from './leadership.ts';
import { latencyRawSvg } from './latency-chart.ts';
import { rateSvg } from './rate-chart.ts';
import { compareNodeIds, electionsSvg } from './elections-chart.ts';
import { electionsHtml, summaryText } from './elections-page.ts';

export interface ReportInput {
  history: readonly HistoryOp[];
  testStartEpochMs: number; // wall-clock time of history time 0 (to place node log lines)
  timeLimitS: number;
  nodeLogs: Record<string, string>; // nodeId -> full stderr text of that node
}

/** Log events further than this outside the test are taken for clock junk and ignored. */
const LOG_SLACK_S = 60;

/** Where the test ends for drawing: the later of the time limit and the last history entry. */
function testEndS(input: ReportInput): number {
  let last = Number.isFinite(input.timeLimitS) && input.timeLimitS > 0 ? input.timeLimitS : 0;
  for (const op of input.history) if (Number.isFinite(op.time)) last = Math.max(last, op.time / 1e9);
  return last > 0 ? last : 1;
}

export function writeReport(dir: string, input: ReportInput): { files: string[] } {
  const outDir = resolve(dir);
  mkdirSync(outDir, { recursive: true });
  const historyEndS = testEndS(input);
  const events = allNodeEvents(input.nodeLogs, input.testStartEpochMs).filter((e) => e.atS >= -LOG_SLACK_S && e.atS <= historyEndS + LOG_SLACK_S);
  // Leaders alive when the last log line was written are drawn up to then, even past the time limit.
  const endS = events.reduce((latest, e) => Math.max(latest, e.atS), historyEndS);

  const nodes = new Set<string>(Object.keys(input.nodeLogs));
  for (const op of input.history) if (op.node !== undefined && op.process !== 'nemesis') nodes.add(op.node);
  const faults = faultPeriods(input.history, endS, nodes);
  for (const f of faults) if (f.kind === 'node-down') nodes.add(f.node);
  const ops = completedClientOps(input.history);
  const nodeList = [...nodes].sort(compareNodeIds);
  const timeline = leadershipTimeline(events, faults, endS, nodeList);

  const title = 'Leader elections';
  const subtitle = summaryText(timeline);
  const outputs: [string, string][] = [
    ['latency-raw.svg', latencyRawSvg(ops, faults, historyEndS)],
    ['rate.svg', rateSvg(ops, faults, historyEndS)],
    ['elections.svg', electionsSvg({ nodes: nodeList, timeline, faults, endS, title, subtitle })],
    ['elections.html', electionsHtml({
      timeline,
      faults,
      svg: electionsSvg({ nodes: nodeList, timeline, faults, endS, title, subtitle }, false),
      title: `${title} (${nodeList.length} nodes)`,
      testStartIso: Number.isFinite(input.testStartEpochMs) ? new Date(input.testStartEpochMs).toISOString() : 'unknown',
    })],
  ];
  const files: string[] = [];
  for (const [name, content] of outputs) {
    const path = join(outDir, name);
    writeFileSync(path, content);
    files.push(path);
  }
  return { files };
}
