// The datatypes the checker knows. A register state is always a string so that the search can
// intern it and use its id in the memo:
//  - 'cas-register': '' means "absent" (no valid JSON text is empty), otherwise canonical JSON;
//  - 'append': the string itself (porcupine's kv model; a never-written key reads as "").
import type { Json } from '../history.ts';
import { canonicalJson } from './canonical-json.ts';

export type ModelName = 'cas-register' | 'append';
export type OpFunction = 'read' | 'write' | 'cas' | 'append';

/** How one operation changes the state; undefined = not possible in this state. */
export type Step = (state: string) => string | undefined;

/** What the pruning of unobservable 'info' ops needs to know about an operation. */
export interface CompiledOp {
  step: Step;
  /** The state this op leaves behind whatever the state before (write), if it does. */
  setsTo?: string;
  /** For a cas: the only state in which it succeeds, and the state it writes. */
  casFrom?: string;
  casTo?: string;
  /** For an ok read: the only state it can observe. */
  observes?: string;
  /** Readable form, e.g. `write 3`, `cas 1->2`, `read -> 4`. */
  label: string;
}

export interface Model {
  name: ModelName;
  initialState(initial: Json | undefined): string;
  /** `completedValue` is the value a read returned (only meaningful for an ok read). */
  compile(f: OpFunction, argument: Json, completedValue: Json): CompiledOp;
  describeState(state: string): string;
}

export class ModelError extends Error {}

const ABSENT = '';

const casRegister: Model = {
  name: 'cas-register',
  initialState: (initial) => (initial === undefined || initial === null ? ABSENT : canonicalJson(initial)),
  compile(f, argument, completedValue) {
    switch (f) {
      case 'read': {
        // Contract: an ok read of null matches only an absent register.
        const expected = completedValue === null ? ABSENT : canonicalJson(completedValue);
        return { step: (s) => (s === expected ? s : undefined), observes: expected, label: `read -> ${show(completedValue)}` };
      }
      case 'write': {
        const to = canonicalJson(argument);
        return { step: () => to, setsTo: to, label: `write ${show(argument)}` };
      }
      case 'cas': {
        if (!Array.isArray(argument) || argument.length !== 2) throw new ModelError(`cas needs [from, to], got ${show(argument)}`);
        const [fromValue, toValue] = argument as [Json, Json];
        // A cas on an absent key fails in Maelstrom (error 20), so 'from' never matches absence.
        const from = canonicalJson(fromValue);
        const to = canonicalJson(toValue);
        return { step: (s) => (s === from ? to : undefined), casFrom: from, casTo: to, label: `cas ${show(fromValue)}->${show(toValue)}` };
      }
      case 'append':
        throw new ModelError("the cas-register model has no 'append' (use the append model)");
    }
  },
  describeState: (s) => (s === ABSENT ? 'absent' : s),
};

const appendRegister: Model = {
  name: 'append',
  initialState: (initial) => (typeof initial === 'string' ? initial : ''),
  compile(f, argument, completedValue) {
    switch (f) {
      case 'read': {
        const expected = completedValue === null ? '' : asString(completedValue, 'read');
        return { step: (s) => (s === expected ? s : undefined), observes: expected, label: `get -> ${show(completedValue)}` };
      }
      case 'write': {
        const to = asString(argument, 'put');
        return { step: () => to, setsTo: to, label: `put ${show(argument)}` };
      }
      case 'append': {
        const suffix = asString(argument, 'append');
        return { step: (s) => s + suffix, label: `append ${show(argument)}` };
      }
      case 'cas':
        throw new ModelError("the append model has no 'cas'");
    }
  },
  describeState: (s) => JSON.stringify(s),
};

export function modelNamed(name: ModelName): Model {
  return name === 'append' ? appendRegister : casRegister;
}

function asString(value: Json, what: string): string {
  if (typeof value !== 'string') throw new ModelError(`${what} needs a string value, got ${show(value)}`);
  return value;
}

function show(value: Json): string {
  return value === null ? 'null' : canonicalJson(value);
}
