// The one gate in front of every path under /admin/ (leadership transfer, membership, stop...): the
// operator's endpoints. Whenever the HTTP port listens beyond loopback, or client authentication
// is configured (--client-ca, --admin-token-file), a request there needs a client certificate from
// --client-ca or `Authorization: Bearer <token>` matching --admin-token-file; anything else gets
// 401/403 before the route runs, so nothing happens. A plaintext node on loopback only stays open
// (the course's three-terminal flow): whoever can reach it is on the machine already.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpAnswer } from './http-api.ts';

export interface AdminAuthSettings {
  httpHost: string;
  /** --client-ca was given (the HTTPS handshake admits only certificates from it). */
  clientCertAuth: boolean;
  adminToken: string | null;
}

/** 127.0.0.0/8, ::1 and "localhost" (with or without IPv6 brackets, IPv4-mapped too). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Does this request address the admin prefix? Checked on the parsed path and on the raw request
 * target, decoded, lower-cased and with repeated slashes folded, so no spelling slips past the
 * gate into a route (gating a path the router would 404 anyway costs nothing).
 */
export function isAdminPath(pathname: string, rawTarget: string): boolean {
  const rawPath = rawTarget.split(/[?#]/)[0] ?? '';
  return [pathname, rawPath].some((p) => {
    let decoded = p;
    try {
      decoded = decodeURIComponent(p);
    } catch {
      decoded = p;
    }
    return /^\/+admin(\/|\\|$)/i.test(decoded.replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/^[a-z]+:\/\/[^/]*/i, ''));
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class AdminGate {
  /** Whether /admin/ needs credentials at all (see the file comment). */
  readonly required: boolean;
  private readonly tokenDigest: Buffer | null;

  constructor(private readonly settings: AdminAuthSettings) {
    this.required = !isLoopbackHost(settings.httpHost) || settings.clientCertAuth || settings.adminToken !== null;
    this.tokenDigest = settings.adminToken === null ? null : digest(settings.adminToken);
  }

  /** Is there any way to pass the gate? (If not, /admin/ answers 403 to everyone; start-up says so.) */
  hasCredentials(): boolean {
    return this.settings.clientCertAuth || this.tokenDigest !== null;
  }

  /** null: let the request through; otherwise the answer that refuses it. */
  refuse(req: IncomingMessage): HttpAnswer | null {
    if (!this.required) return null;
    if (this.settings.clientCertAuth && (req.socket as Partial<TLSSocket>).authorized === true) return null;
    if (!this.hasCredentials()) {
      return {
        status: 403,
        body: { error: 'admin endpoints are closed: this node serves beyond loopback without --admin-token-file or --client-ca', outcome: 'not applied' },
      };
    }
    const header = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
    if (match === null || this.tokenDigest === null) {
      return {
        status: 401,
        body: { error: 'admin endpoints need a client certificate or "Authorization: Bearer <token>"', outcome: 'not applied' },
        headers: { 'WWW-Authenticate': 'Bearer realm="raft admin"' },
      };
    }
    // Compared as digests: equal lengths, and no early exit that times how much of the token matched.
    if (!timingSafeEqual(digest(match[1] as string), this.tokenDigest)) return { status: 403, body: { error: 'wrong admin token', outcome: 'not applied' } };
    return null;
  }
}
