// How big an entry is on the wire, roughly: enough to bound an AppendEntries in bytes as well as in
// entries (dissertation §10.2.1 batches entries; etcd bounds them with MaxSizePerMsg). Without it a
// follower that lags behind a run of large values gets one huge message, which costs memory on both
// sides and can exceed what a transport accepts in one frame, so the same batch would be refused on
// every retry. Counted in characters of JSON, without escapes: a close estimate for the values a key-value
// store holds, and never far off, since escapes at most multiply a string by six.
import type { Json } from '../json.ts';
import type { LogEntry } from './types.ts';

/** Characters `value` takes as JSON (escapes not counted), or more than `limit` once it is past it. */
export function jsonSizeEstimate(value: Json, limit = Number.POSITIVE_INFINITY): number {
  if (value === null) return 4;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 24; // a double at its longest
    case 'boolean':
      return 5;
    default:
      break;
  }
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += jsonSizeEstimate(item, limit - size) + 1;
      if (size > limit) return size;
    }
    return size;
  }
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    size += key.length + 4 + jsonSizeEstimate(item, limit - size);
    if (size > limit) return size;
  }
  return size;
}

/** An entry's size as the estimate above, with its term and kind. */
export function entrySizeEstimate(entry: LogEntry, limit = Number.POSITIVE_INFINITY): number {
  const envelope = 64; // {"term":...,"data":{"kind":"command","command":...}}
  switch (entry.data.kind) {
    case 'noop':
      return envelope;
    case 'command':
      return envelope + jsonSizeEstimate(entry.data.command, limit - envelope);
    case 'config': {
      // Small and rare: ids and their addresses.
      const { voters, learners, context } = entry.data.config;
      const ids = [...voters, ...learners].reduce((n, id) => n + id.length + 3, 0);
      return envelope + ids * 2 + (context === undefined ? 0 : jsonSizeEstimate(context, limit - envelope));
    }
  }
}

/** The longest prefix of `entries` within `maxChars`, and always the first entry (a larger one still has to travel). */
export function prefixWithin(entries: LogEntry[], maxChars: number): LogEntry[] {
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    total += entrySizeEstimate(entries[i] as LogEntry, maxChars - total + 1);
    if (total > maxChars && i > 0) return entries.slice(0, i);
  }
  return entries;
}
