// Frames as JSON message bodies, for transports that carry Maelstrom-style bodies. A direct frame is
// the payload itself plus a `link_state` field; a relayed one is wrapped:
//   {"type":"relay","origin":"n0","final_dest":"n1","ttl":2,"payload":{...},"link_state":[...]}
// so the physical sender stays the envelope's src, and partitions apply to every hop.
import type { Json } from '../json.ts';
import type { Body } from '../protocol/messages.ts';
import { decodeReports, encodeReports } from './link-state.ts';
import type { Frame } from './relay-router.ts';

const RELAY_TYPE = 'relay';
const LINKS_FIELD = 'link_state';

export function encodeFrame(frame: Frame<Body>): Body {
  const links = encodeReports(frame.links);
  if (frame.relay === null) return { ...frame.payload, [LINKS_FIELD]: links };
  const { origin, dest, ttl } = frame.relay;
  return { type: RELAY_TYPE, origin, final_dest: dest, ttl, payload: frame.payload as Json, [LINKS_FIELD]: links };
}

/** The frame in a peer's body, or the reason it is not one (a peer's bytes are input, never trusted). */
export function decodeFrame(body: Body): { ok: true; frame: Frame<Body> } | { ok: false; reason: string } {
  const { [LINKS_FIELD]: rawLinks, ...rest } = body;
  const links = decodeReports(rawLinks);
  if (rest['type'] !== RELAY_TYPE) return { ok: true, frame: { links, relay: null, payload: rest } };
  const { origin, final_dest: dest, ttl, payload } = rest;
  if (typeof origin !== 'string' || typeof dest !== 'string') return { ok: false, reason: 'relay needs string "origin" and "final_dest"' };
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 0) return { ok: false, reason: 'relay needs a non-negative integer "ttl"' };
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || typeof payload['type'] !== 'string') {
    return { ok: false, reason: 'relay needs a "payload" object with a string "type"' };
  }
  return { ok: true, frame: { links, relay: { origin, dest, ttl }, payload: payload as Body } };
}
