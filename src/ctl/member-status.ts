// GET /status from every endpoint at once, as rows of a table: what `ctl status` and
// `npm run cluster -- status` print.
import type { Endpoint } from './endpoints.ts';
import { sendRequest, type RequestSettings } from './http-request.ts';
import { errorText } from './retry-policy.ts';

export type EndpointStatus = { endpoint: Endpoint; ok: true; status: Record<string, unknown> } | { endpoint: Endpoint; ok: false; error: string };

export async function fetchStatuses(endpoints: readonly Endpoint[], settings: RequestSettings): Promise<EndpointStatus[]> {
  return Promise.all(
    endpoints.map(async (endpoint): Promise<EndpointStatus> => {
      const a = await sendRequest(endpoint, 'GET', '/status', undefined, settings);
      if (a.kind !== 'answer') return { endpoint, ok: false, error: a.reason };
      if (a.status !== 200 || typeof a.body !== 'object' || a.body === null) return { endpoint, ok: false, error: `HTTP ${a.status}: ${errorText(a.body)}` };
      return { endpoint, ok: true, status: a.body as Record<string, unknown> };
    }),
  );
}

export const STATUS_HEADER = ['ID', 'STATE', 'TERM', 'LEADER', 'COMMIT', 'APPLIED', 'LAST LOG', 'LINKS UP'];

const text = (v: unknown): string => (v === undefined || v === null ? '-' : typeof v === 'string' ? v : JSON.stringify(v));

/** The status columns of one endpoint (STATUS_HEADER); an endpoint that did not answer says why in the second column. */
export function statusCells(s: EndpointStatus): string[] {
  if (!s.ok) return ['?', `down (${s.error})`, '', '', '', '', '', ''];
  const st = s.status;
  const peers = Array.isArray(st['peers']) ? (st['peers'] as { connected?: unknown }[]) : [];
  const up = peers.filter((p) => p.connected === true).length;
  return [text(st['id']), text(st['state']), text(st['term']), text(st['leader']), text(st['commitIndex']), text(st['appliedIndex']), text(st['lastLogIndex']), `${up}/${peers.length}`];
}
