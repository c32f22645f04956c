// Format `jepsen-log`: `INFO  jepsen.util - <process> <type> <f> <value>` lines (etcd tests),
// over a single register. Lines without `jepsen.util -` are other log output and are skipped.
// Edge cases (see test/fixtures/histories/README.md):
//  - `:info :write :timed-out` / `:info :cas :timed-out`: the argument is taken from the invoke;
//  - `:fail :read :timed-out`: no answer, which for a read means "unknown", so it becomes info;
//  - `:ok :read nil`: the key was never written; kept as an ok read of null, which the checker
//    matches only against an absent register.
import type { HistoryOp, Json } from '../../history.ts';
import { EdnKeyword, readAllEdn } from './edn.ts';
import { buildOp, ednToJson, HistoryParseError, opType, SINGLE_REGISTER_KEY } from './history-entries.ts';

const LINE = /jepsen\.util\s+-\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;
const TIMED_OUT = ':timed-out';

export function parseJepsenLog(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  const invokeArgument = new Map<number, Json>();
  text.split('\n').forEach((line, lineIndex) => {
    if (!line.includes('jepsen.util -')) return;
    const where = `jepsen-log line ${lineIndex + 1}`;
    const match = LINE.exec(line);
    if (!match) throw new HistoryParseError(`${where}: expected '<process> <type> <f> <value>'`);
    const [, processText = '', typeText = '', fText = '', valueText = ''] = match;
    const index = ops.length;
    if (processText.startsWith(':')) {
      ops.push(buildOp(index, index, 'nemesis', 'info', fText.replace(/^:/, ''), valueText));
      return;
    }
    if (!/^\d+$/.test(processText)) throw new HistoryParseError(`${where}: bad process '${processText}'`);
    const process = Number(processText);
    let type = opType(new EdnKeyword(typeText.replace(/^:/, '')), where);
    const f = fText.replace(/^:/, '');
    const forms = readAllEdn(valueText);
    if (forms.length !== 1) throw new HistoryParseError(`${where}: expected one value, got '${valueText}'`);
    let value = ednToJson(forms[0] ?? null);
    if (type === 'invoke') {
      invokeArgument.set(process, value);
    } else if (value === TIMED_OUT) {
      if (f === 'read') {
        if (type === 'fail') type = 'info';
        value = null;
      } else {
        value = invokeArgument.get(process) ?? null;
      }
    }
    ops.push(buildOp(index, index, process, type, f, [SINGLE_REGISTER_KEY, value]));
  });
  return ops;
}
