// The operator's and the student's endpoints of a standalone node, beside the key-value API:
//   GET /           the live cluster page (one HTML file with its script, from the bundle)
//   GET /cluster    every member's /status, gathered by this node (unreachable members marked down)
//   GET /metrics    Prometheus text exposition 0.0.4
//   GET /health     200 {"health": true}, or 503 with the reason
//   POST /admin/stop                 this node stops gracefully (SIGTERM), if --allow-admin-stop
//   POST /admin/...?at=MEMBER        the same admin request, relayed to that member
import type { IncomingMessage } from 'node:http';
import type { Json } from '../json.ts';
import type { Health } from '../metrics/health.ts';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.ts';
import { CLUSTER_PAGE_HTML } from './cluster-page.ts';
import type { HttpAnswer } from './http-api.ts';
import { askMember, relayedAnswer, relayedHeaders, type MemberHttpTls } from './member-http.ts';

/** A peer as this node knows it: its HTTP address comes with its hello (null until one arrived). */
export interface KnownMember {
  id: string;
  raftId: string;
  http: string | null;
}

export interface ObserveBackend {
  name: string;
  raftId: string;
  status(): { [key: string]: Json };
  peers(): KnownMember[];
  metricsText(): string;
  health(): Health;
  /** Stops this node gracefully (as SIGTERM does); null when stopping over HTTP is off. */
  requestStop: (() => void) | null;
  /** How to reach members' HTTP ports when this node serves HTTPS (member-http.ts); null: plain HTTP. */
  memberTls: MemberHttpTls | null;
}

/** How long /cluster waits for a member's /status: the page asks several times a second. */
const STATUS_TIMEOUT_MS = 400;
/** A relayed admin request: a leadership transfer takes at most an election timeout or so. */
const RELAY_TIMEOUT_MS = 5000;

const RELAYABLE = new Set(['/admin/stop', '/admin/transfer-leader']);

export class ObserveRoutes {
  constructor(private readonly backend: ObserveBackend) {}

  /** The answer for one of our endpoints, or null for a path that is not ours. */
  async route(req: IncomingMessage, url: URL, method: string): Promise<HttpAnswer | null> {
    const path = url.pathname;
    if (path.startsWith('/kv/')) return null; // the hot path: nothing of ours
    if (path === '/' || path === '/index.html') {
      if (method !== 'GET') return notAllowed('GET');
      return { status: 200, body: {}, raw: { contentType: 'text/html; charset=utf-8', text: CLUSTER_PAGE_HTML }, headers: { 'Cache-Control': 'no-store' } };
    }
    if (path === '/metrics') {
      if (method !== 'GET') return notAllowed('GET');
      return { status: 200, body: {}, raw: { contentType: EXPOSITION_CONTENT_TYPE, text: this.backend.metricsText() } };
    }
    if (path === '/health') {
      if (method !== 'GET') return notAllowed('GET');
      const h = this.backend.health();
      return h.healthy ? { status: 200, body: { health: true } } : { status: 503, body: { health: false, reason: h.reason } };
    }
    if (path === '/cluster') {
      if (method !== 'GET') return notAllowed('GET');
      return { status: 200, body: await this.cluster() };
    }
    const at = url.searchParams.get('at');
    if (RELAYABLE.has(path) && at !== null && at !== '' && at !== this.backend.name && at !== this.backend.raftId) {
      if (method !== 'POST') return notAllowed('POST');
      return this.relay(req, url, at);
    }
    if (path === '/admin/stop') {
      if (method !== 'POST') return notAllowed('POST');
      return this.stop();
    }
    return null; // /admin/transfer-leader for this node, /status, /kv/...: the API's own routes
  }

  /** This node's view of the cluster: its own status, and each peer's as the peer reports it. */
  private async cluster(): Promise<{ [key: string]: Json }> {
    const self = { id: this.backend.name, raftId: this.backend.raftId, up: true, status: this.backend.status() };
    const peers = await Promise.all(
      this.backend.peers().map(async (m): Promise<{ [key: string]: Json }> => {
        const base = { id: m.id, raftId: m.raftId, http: m.http };
        if (m.http === null) return { ...base, up: false, error: 'HTTP address not known yet (no hello from it since this node started)' };
        const reply = await askMember(m.http, 'GET', '/status', STATUS_TIMEOUT_MS, {}, this.backend.memberTls);
        if (!reply.ok) return { ...base, up: false, error: reply.error };
        if (reply.status !== 200) return { ...base, up: false, error: `HTTP ${reply.status}` };
        return { ...base, up: true, status: reply.body };
      }),
    );
    return { servedBy: this.backend.name, at: Date.now(), members: [self, ...peers] };
  }

  private async relay(req: IncomingMessage, url: URL, at: string): Promise<HttpAnswer> {
    const member = this.backend.peers().find((m) => m.id === at || m.raftId === at);
    if (member === undefined) return { status: 404, body: { error: `no member of this cluster is called ${at}` } };
    if (member.http === null) return { status: 502, body: { error: `the HTTP address of member ${at} is not known yet; nothing was asked of it` } };
    const query = new URLSearchParams(url.searchParams);
    query.delete('at');
    const rest = query.toString();
    const reply = await askMember(member.http, 'POST', `${url.pathname}${rest === '' ? '' : `?${rest}`}`, RELAY_TIMEOUT_MS, relayedHeaders(req.headers), this.backend.memberTls);
    return relayedAnswer(member.id, reply);
  }

  private stop(): HttpAnswer {
    const requestStop = this.backend.requestStop;
    if (requestStop === null) return { status: 403, body: { error: 'stopping over HTTP is off; start the node with --allow-admin-stop' } };
    // After this answer is on its way: the graceful stop then waits for requests in flight.
    setImmediate(requestStop);
    return { status: 202, body: { stopping: true, id: this.backend.name } };
  }
}

function notAllowed(allowed: string): HttpAnswer {
  return { status: 405, body: { error: `method not allowed; use ${allowed}` }, headers: { Allow: allowed } };
}
