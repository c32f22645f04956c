// Maelstrom's error code table (resources/errors.edn, doc/protocol.md). "Definite" means the
// operation certainly did not happen, so a client may record it as :fail; every other code leaves
// the outcome unknown (:info), because the node may still have applied the operation.

export interface ErrorCodeInfo {
  name: string;
  definite: boolean;
}

const ERROR_CODES: ReadonlyMap<number, ErrorCodeInfo> = new Map([
  [0, { name: 'timeout', definite: false }],
  [1, { name: 'node-not-found', definite: true }],
  [10, { name: 'not-supported', definite: true }],
  [11, { name: 'temporarily-unavailable', definite: true }],
  [12, { name: 'malformed-request', definite: true }],
  [13, { name: 'crash', definite: false }],
  [14, { name: 'abort', definite: true }],
  [20, { name: 'key-does-not-exist', definite: true }],
  [21, { name: 'key-already-exists', definite: true }],
  [22, { name: 'precondition-failed', definite: true }],
  [30, { name: 'txn-conflict', definite: true }],
]);

/**
 * What Maelstrom's client makes of an error reply's `code`. Unknown codes (all custom codes
 * >= 1000 included) and a missing or non-integer code are indefinite and named 'unknown'.
 */
export function describeErrorCode(code: unknown): ErrorCodeInfo {
  if (typeof code === 'number' && Number.isInteger(code)) {
    const known = ERROR_CODES.get(code);
    if (known) return known;
  }
  return { name: 'unknown', definite: false };
}
