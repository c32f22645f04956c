// A deliberately plain linearizability checker for small histories: depth-first over every
// choice of next operation (any indefinite one may also be left out), remembering only exact
// (placed set, state) pairs that failed. The real checker's optimisations (pruning, dominance,
// interchangeable twins, forced reads, relaxation) must never change its answer, which the
// property tests compare against this one.
import { modelNamed, type ModelName } from '../../maelstrom/checker/models.ts';
import { pairOperations, type CheckerOp } from '../../maelstrom/checker/operations.ts';

export function naiveIsLinearizable(entries: readonly CheckerOp[], modelName: ModelName = 'cas-register'): boolean {
  const model = modelNamed(modelName);
  const ops = pairOperations(entries, model);
  if (ops.length > 30) throw new Error('the reference checker is for small histories only');
  const placed = ops.map(() => false);
  const failed = new Set<string>();
  const search = (state: string, mask: number): boolean => {
    if (ops.every((op, i) => placed[i] || op.indefinite)) return true;
    const key = `${mask}|${state}`;
    if (failed.has(key)) return false;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (placed[i]) continue;
      // Minimal in real time: no unplaced op finished before this one began.
      const blocked = ops.some((other, j) => !placed[j] && j !== i && other.returnPos < op.callPos);
      if (blocked) continue;
      const after = op.compiled.step(state);
      if (after === undefined) continue;
      placed[i] = true;
      const found = search(after, mask | (1 << i));
      placed[i] = false;
      if (found) return true;
    }
    failed.add(key);
    return false;
  };
  return search(model.initialState(undefined), 0);
}
