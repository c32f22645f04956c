// fast-check arbitraries for hostile input: byte-level mutations of valid frames (flip, insert,
// delete, truncate, duplicate), so fuzzing reaches the parser paths just beside the valid ones.
import fc from 'fast-check';

type Edit = [position: number, kind: number, text: string];

function applyEdits(base: string, edits: readonly Edit[]): string {
  let s = base;
  for (const [position, kind, text] of edits) {
    const at = s.length === 0 ? 0 : position % (s.length + 1);
    switch (kind) {
      case 0: // replace one character
        s = s.slice(0, at) + text + s.slice(at + 1);
        break;
      case 1: // insert
        s = s.slice(0, at) + text + s.slice(at);
        break;
      case 2: // delete a few characters
        s = s.slice(0, at) + s.slice(at + 1 + (text.length % 4));
        break;
      case 3: // truncate
        s = s.slice(0, at);
        break;
      default: // duplicate a slice
        s = s.slice(0, at) + s.slice(at, at + 8) + s.slice(at);
    }
  }
  return s;
}

const editText = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('"', '{', '}', ':', ',', '\n', '\r\n', '\\', '0', '-1', '1e309', 'null', '[', ' ', '\u0000', '\u00e9'));

/** `base` with 1-6 random edits. */
export function mutated(base: string): fc.Arbitrary<string> {
  return fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), editText), { minLength: 1, maxLength: 6 }).map((edits) => applyEdits(base, edits));
}

/** Random bytes, random text, a mutation of one of `bases`, or (so the accepting path runs too) a base itself. */
export function hostileFrame(bases: readonly string[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.constantFrom(...bases).map((s) => Buffer.from(s, 'utf8')),
    fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)),
    fc.string({ maxLength: 600, unit: 'binary' }).map((s) => Buffer.from(s, 'utf8')),
    fc.constantFrom(...bases).chain(mutated).map((s) => Buffer.from(s, 'utf8')),
  );
}
