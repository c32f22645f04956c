// Values are compared by value, not by identity or spelling: {"a":1,"b":2} equals {"b":2,"a":1}.
// Writing every value in one canonical form (object keys sorted, no spaces) reduces that to string
// equality, which is also what lets the search intern register states as small integers.
import type { Json } from '../history.ts';

export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const item = value[key];
    if (item !== undefined) parts.push(JSON.stringify(key) + ':' + canonicalJson(item));
  }
  return '{' + parts.join(',') + '}';
}
