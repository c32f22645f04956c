// Our own history.jsonl: one HistoryOp as JSON per line.
import type { HistoryOp, Json, OpType } from '../../history.ts';
import { HistoryParseError } from './history-entries.ts';

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

export function parseHistoryJsonl(text: string): HistoryOp[] {
  const ops: HistoryOp[] = [];
  text.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    const where = `history.jsonl line ${lineIndex + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new HistoryParseError(`${where}: ${(error as Error).message}`);
    }
    ops.push(asHistoryOp(parsed, where));
  });
  return ops;
}

function asHistoryOp(parsed: unknown, where: string): HistoryOp {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HistoryParseError(`${where}: expected an object`);
  const record = parsed as Record<string, unknown>;
  const { index, time, process, type, f } = record;
  if (typeof index !== 'number' || typeof time !== 'number') throw new HistoryParseError(`${where}: index and time must be numbers`);
  if (typeof process !== 'number' && process !== 'nemesis') throw new HistoryParseError(`${where}: process must be a number or "nemesis"`);
  if (typeof type !== 'string' || !OP_TYPES.has(type)) throw new HistoryParseError(`${where}: bad type ${JSON.stringify(type)}`);
  if (typeof f !== 'string') throw new HistoryParseError(`${where}: f must be a string`);
  // JSON.parse only ever produces JSON values, so the remaining fields are Json already.
  const op: HistoryOp = { index, time, process, type: type as OpType, f, value: (record.value ?? null) as Json };
  if (record.error !== undefined) op.error = record.error as Json;
  if (typeof record.node === 'string') op.node = record.node;
  return op;
}
