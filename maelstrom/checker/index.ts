// The linearizability checker of the bench (contracts.md section 2).
export { checkLinKv, splitByKey, type KeyVerdict, type LinearizabilityResult, type LinKvOptions } from './lin-kv.ts';
export { checkRegister, type RegisterCheckOptions, type RegisterVerdict } from './register.ts';
export { HistoryError, type CheckerOp } from './operations.ts';
export { ModelError, type ModelName } from './models.ts';
export { canonicalJson } from './canonical-json.ts';
