// What a node says at start about its transport security: one INFO line with the whole picture,
// and a WARN line for each door left open to the network (docs/security.md).
import { AdminGate, isLoopbackHost } from './admin-auth.ts';
import type { StandaloneConfig } from './config.ts';
import { NO_SECURITY } from './security-config.ts';

export interface PostureLines {
  info: string;
  warnings: string[];
}

export function securityPosture(config: StandaloneConfig): PostureLines {
  const { peerTls, httpTls, adminToken } = config.security ?? NO_SECURITY;
  const peerAddress = `${config.self.address.host}:${config.self.address.port}`;
  const gate = new AdminGate({ httpHost: config.httpHost, clientCertAuth: httpTls?.clientCa != null, adminToken });
  const admin = !gate.required
    ? 'open (loopback only)'
    : [httpTls?.clientCa != null ? 'client certificate' : null, adminToken !== null ? 'bearer token' : null].filter((x) => x !== null).join(' or ') || 'closed (no credentials configured)';
  const clients = httpTls === null ? 'HTTP' : httpTls.clientCa === null ? 'HTTPS' : 'HTTPS with client certificates';
  const info = `transport security: peers ${peerTls === null ? 'plaintext' : 'mutual TLS'}, clients ${clients}, admin endpoints ${admin}`;
  const warnings: string[] = [];
  if (peerTls === null && !isLoopbackHost(config.self.address.host)) {
    warnings.push(`peer traffic is not authenticated: anyone who can reach ${peerAddress} can act as a member (give --peer-cert, --peer-key and --peer-ca; --require-tls refuses to start without them)`);
  }
  if (gate.required && !gate.hasCredentials()) {
    warnings.push(`admin endpoints answer 403 to everyone: HTTP listens on ${config.httpHost}, beyond loopback, without --admin-token-file or --client-ca`);
  }
  if (httpTls === null && !isLoopbackHost(config.httpHost)) {
    warnings.push(`client traffic is not encrypted: HTTP on ${config.httpHost}:${config.httpPort} (give --cert and --key for HTTPS)`);
  }
  return { info, warnings };
}
