// Writes the report for the synthetic run of demo-data.ts:
//   node scripts/run-ts.mjs maelstrom/report/demo.ts [outDir] [seed]
import { writeReport } from './index.ts';
import { demoReportInput } from './demo-data.ts';

const outDir = process.argv[2] ?? 'store/report-demo';
const seed = Number(process.argv[3] ?? '1');
const { files } = writeReport(outDir, demoReportInput(Number.isFinite(seed) ? seed : 1));
for (const file of files) process.stdout.write(`${file}\n`);
