// Turns one register's entries (invoke, then ok/fail/info per process) into operations with
// real-time intervals, the input of the search. Semantics (contracts.md section 2):
//  - 'fail' certainly did not happen: dropped together with its invoke;
//  - 'info', and an invoke never completed, may take effect once at any time after the invoke, or
//    never: its interval ends at +infinity and the search may leave it out ("indefinite");
//  - write/cas arguments come from the invoke (a completion may hold e.g. :timed-out instead),
//    the value of a read from its ok completion.
import type { Json, OpType, RegisterOp } from '../history.ts';
import type { CompiledOp, Model, OpFunction } from './models.ts';

/** A register operation as the checker takes it: RegisterOp, plus 'append' for the append model. */
export type CheckerOp = Omit<RegisterOp, 'f'> & { f: OpFunction };

export class HistoryError extends Error {}

export interface Operation {
  process: number;
  f: OpFunction;
  compiled: CompiledOp;
  /** Positions in the key's entry list (a total order consistent with real time). */
  callPos: number;
  /** Infinity for indefinite operations. */
  returnPos: number;
  indefinite: boolean;
  invokeIndex: number | undefined;
  completeIndex: number | undefined;
}

interface PendingInvoke {
  entry: CheckerOp;
  position: number;
}

export function pairOperations(entries: readonly CheckerOp[], model: Model): Operation[] {
  const pending = new Map<number, PendingInvoke>();
  const operations: Operation[] = [];
  const finish = (invoke: PendingInvoke, type: OpType, completion: CheckerOp | undefined, position: number): void => {
    if (type === 'fail') return;
    const definite = type === 'ok';
    const { f } = invoke.entry;
    // A read that may or may not have happened constrains nothing and changes nothing.
    if (f === 'read' && !definite) return;
    const readValue: Json = definite && completion ? completion.value : null;
    operations.push({
      process: invoke.entry.process,
      f,
      compiled: model.compile(f, invoke.entry.value, readValue),
      callPos: invoke.position,
      returnPos: definite ? position : Infinity,
      indefinite: !definite,
      invokeIndex: invoke.entry.index,
      completeIndex: completion?.index,
    });
  };
  entries.forEach((entry, position) => {
    if (entry.type === 'invoke') {
      const earlier = pending.get(entry.process);
      if (earlier) {
        throw new HistoryError(`process ${entry.process} invoked ${entry.f} (index ${entry.index ?? position}) while its ${earlier.entry.f} (index ${earlier.entry.index ?? earlier.position}) was still in flight`);
      }
      pending.set(entry.process, { entry, position });
      return;
    }
    const invoke = pending.get(entry.process);
    if (!invoke) throw new HistoryError(`process ${entry.process} completed ${entry.f} (${entry.type}, index ${entry.index ?? position}) without an invoke`);
    if (invoke.entry.f !== entry.f) {
      throw new HistoryError(`process ${entry.process} invoked ${invoke.entry.f} but completed ${entry.f} (index ${entry.index ?? position})`);
    }
    pending.delete(entry.process);
    finish(invoke, entry.type, entry, position);
  });
  for (const invoke of pending.values()) finish(invoke, 'info', undefined, Infinity);
  operations.sort((a, b) => a.callPos - b.callPos);
  return operations;
}

/**
 * Removes indefinite operations whose presence cannot change the verdict (cas-register only).
 * Each rule keeps the set of linearizable histories' verdicts intact:
 *  1. An indefinite cas whose `from` no operation can produce (nor the initial state) can never
 *     succeed, so the only choice the search has for it is "never happened".
 *  2. An indefinite write (or cas) of a value v that no ok read observes and no cas expects as
 *     `from`: if a linearization places it, then until the next write or successful cas the
 *     register holds v, and in that stretch no op but a write can be placed (reads would need to
 *     observe v; cas would need from = v). So the same order minus this op, with the register
 *     keeping its previous value over that stretch, is also a linearization; and "never happened"
 *     was always allowed. Removing ops only shrinks the set of observers, so the rule stays true
 *     for every op it removes in the same pass.
 * Not applied to the append model, where every append observes the state it extends.
 */
export function pruneIndefinite(operations: readonly Operation[], model: Model, initialState: string): Operation[] {
  if (model.name !== 'cas-register') return [...operations];
  const producible = new Set<string>([initialState]);
  const observed = new Set<string>();
  for (const op of operations) {
    const { setsTo, casFrom, casTo, observes } = op.compiled;
    if (setsTo !== undefined) producible.add(setsTo);
    if (casTo !== undefined) producible.add(casTo);
    if (casFrom !== undefined) observed.add(casFrom);
    if (observes !== undefined && !op.indefinite) observed.add(observes);
  }
  return operations.filter((op) => {
    if (!op.indefinite) return true;
    const { setsTo, casFrom, casTo } = op.compiled;
    if (casFrom !== undefined && !producible.has(casFrom)) return false;
    const written = setsTo ?? casTo;
    if (written !== undefined && !observed.has(written)) return false;
    return true;
  });
}
