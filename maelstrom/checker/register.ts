// Checks the history of ONE register: pair the entries into operations, drop the indefinite ones
// that cannot matter, search for a linearization, and explain a failure in words.
import type { Json } from '../history.ts';
import { modelNamed, type Model, type ModelName } from './models.ts';
import { pairOperations, pruneIndefinite, type CheckerOp, type Operation } from './operations.ts';
import { searchLinearization, type SearchFailure } from './wgl-search.ts';

export interface RegisterCheckOptions {
  /** Default 'cas-register'. */
  model?: ModelName;
  /** Register value before any operation; default absent (cas-register) or "" (append). */
  initial?: Json;
  /** Give up after this long and answer 'unknown'. */
  timeLimitMs?: number;
}

export interface RegisterVerdict {
  valid: boolean | 'unknown';
  /** Invocations of this register (whatever their outcome). */
  opCount: number;
  /** Operations the search had to place or skip: without fails, indefinite reads, and the
   *  indefinite ops removed by the sound pruning rules. */
  searchedCount: number;
  /** Search steps taken. */
  explored: number;
  explanation?: string;
}

export function checkRegister(ops: readonly CheckerOp[], options: RegisterCheckOptions = {}): RegisterVerdict {
  const model = modelNamed(options.model ?? 'cas-register');
  const initialState = model.initialState(options.initial);
  const paired = pairOperations(ops, model);
  const operations = pruneIndefinite(paired, model, initialState);
  const deadline = options.timeLimitMs === undefined ? undefined : performance.now() + options.timeLimitMs;
  const limits = deadline === undefined ? {} : { deadline };
  // First the relaxation (indefinite ops reusable): cheap to exhaust, and if it finds no
  // linearization there is none. Only when it does is the exact search needed.
  const hasIndefinite = operations.some((op) => op.indefinite);
  const relaxed = hasIndefinite ? searchLinearization(operations, initialState, { ...limits, reuseIndefinite: true }) : undefined;
  // Its linearization often uses no indefinite op twice; then it is an exact one and we are done.
  const settled = relaxed !== undefined && (relaxed.kind === 'invalid' || (relaxed.kind === 'valid' && relaxed.exact));
  const outcome = settled ? relaxed : searchLinearization(operations, initialState, limits);
  const explored = outcome.explored + (relaxed !== undefined && relaxed !== outcome ? relaxed.explored : 0);
  const opCount = ops.filter((op) => op.type === 'invoke').length;
  const base = { opCount, searchedCount: operations.length, explored };
  switch (outcome.kind) {
    case 'valid':
      return { valid: true, ...base };
    case 'unknown':
      return { valid: 'unknown', ...base, explanation: `search gave up (${outcome.reason}) after ${explored} steps` };
    case 'invalid':
      return { valid: false, ...base, explanation: explainFailure(operations, outcome.failure, model) };
  }
}

const MAX_CONCURRENT_LISTED = 12;

function explainFailure(operations: readonly Operation[], failure: SearchFailure, model: Model): string {
  const failed = operations[failure.operation];
  if (!failed) return 'no linearization exists';
  const concurrent = operations.filter((op) => op !== failed && op.callPos < failed.returnPos && op.returnPos > failed.callPos);
  const lines = [
    `cannot linearize ${describeOperation(failed)}:`,
    `  before it completed, the register could only hold: ${failure.states.map((s) => model.describeState(s)).join(', ') || '(nothing)'}`,
  ];
  if (failure.pathTail.length > 0) {
    lines.push(`  last ops of one attempted order: ${failure.pathTail.map((i) => operations[i]).filter((op) => op !== undefined).map(describeOperation).join('; ')}`);
  }
  if (concurrent.length === 0) {
    lines.push('  no other op was concurrent with it');
  } else {
    lines.push(`  concurrent with it (${concurrent.length}):`);
    for (const op of concurrent.slice(0, MAX_CONCURRENT_LISTED)) lines.push(`    ${describeOperation(op)}`);
    if (concurrent.length > MAX_CONCURRENT_LISTED) lines.push(`    ... and ${concurrent.length - MAX_CONCURRENT_LISTED} more`);
  }
  return lines.join('\n');
}

function describeOperation(op: Operation): string {
  const where = op.indefinite
    ? `invoked at index ${op.invokeIndex ?? '?'}, outcome unknown`
    : `index ${op.invokeIndex ?? '?'}..${op.completeIndex ?? '?'}`;
  return `process ${op.process} ${op.compiled.label} (${where})`;
}
