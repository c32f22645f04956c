// Where ctl sends its requests: the members' HTTP addresses, as `host:port` or full URLs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One member's HTTP API, e.g. http://127.0.0.1:10001 (no trailing slash). */
export interface Endpoint {
  /** What the user wrote, for messages and the status table. */
  label: string;
  url: URL;
}

export class EndpointError extends Error {}

/** The HTTP ports `npm run cluster` uses with its defaults (--nodes 3, --base-port 9000). */
export const LOCAL_CLUSTER_ENDPOINTS = ['127.0.0.1:10001', '127.0.0.1:10002', '127.0.0.1:10003'];

/**
 * `127.0.0.1:10001`, `localhost:10001`, a bare port `10001` or `http(s)://host:port`. Without a scheme
 * the endpoint is http, or https when TLS files were given (as etcdctl does with --cacert).
 */
export function parseEndpoint(raw: string, defaultScheme: 'http' | 'https'): Endpoint {
  const text = raw.trim();
  if (text === '') throw new EndpointError('an endpoint is empty');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : /^\d+$/.test(text) ? `${defaultScheme}://127.0.0.1:${text}` : `${defaultScheme}://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new EndpointError(`endpoint "${raw}" is neither host:port nor a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointError(`endpoint "${raw}": only http:// and https:// are supported`);
  if (url.port === '') throw new EndpointError(`endpoint "${raw}" has no port`);
  if (url.pathname !== '/' || url.search !== '') throw new EndpointError(`endpoint "${raw}" has a path; give the member's address only`);
  return { label: text, url };
}

export function parseEndpoints(list: string, defaultScheme: 'http' | 'https'): Endpoint[] {
  const endpoints = list.split(',').filter((s) => s.trim() !== '').map((s) => parseEndpoint(s, defaultScheme));
  if (endpoints.length === 0) throw new EndpointError('--endpoints needs at least one address');
  return endpoints;
}

/**
 * With no --endpoints: the cluster `npm run cluster` runs from this directory (it writes
 * ./cluster-data/cluster.json while it runs), else that command's default ports.
 */
export function defaultEndpointList(cwd: string): string {
  const stateFile = join(cwd, 'cluster-data', 'cluster.json');
  if (existsSync(stateFile)) {
    try {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { nodes?: { httpUrl?: unknown }[] };
      const urls = (state.nodes ?? []).map((n) => n.httpUrl).filter((u): u is string => typeof u === 'string');
      if (urls.length > 0) return urls.join(',');
    } catch {
      // A half-written or foreign file: fall back to the defaults.
    }
  }
  return LOCAL_CLUSTER_ENDPOINTS.join(',');
}
