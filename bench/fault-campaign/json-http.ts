// The campaign's HTTP client: one keep-alive connection per client, JSON in and out, and an answer
// that keeps apart what certainly did not reach the server (the connection was refused) from what
// may have (a reset or a timeout after the request was written), so no uncertain outcome is ever
// recorded as a definite failure.
import { Agent, request } from 'node:http';

export type HttpAnswer =
  | { kind: 'response'; status: number; json: unknown }
  /** Nothing was delivered: the operation certainly did not happen. */
  | { kind: 'not-sent'; error: string }
  /** The request may have been delivered: the outcome is unknown. */
  | { kind: 'unknown'; error: string };

const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export class JsonHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly timeoutMs: number) {}

  send(url: string, method: string, body: unknown): Promise<HttpAnswer> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (answer: HttpAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(url, { method, agent: this.agent, headers: payload === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: unknown = null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            json = null;
          }
          settle({ kind: 'response', status: res.statusCode ?? 0, json });
        });
        res.on('error', (err) => settle({ kind: 'unknown', error: err.message }));
      });
      // A client-side deadline: the server may still apply the operation after we give up.
      const timer = setTimeout(() => {
        settle({ kind: 'unknown', error: 'client timeout' });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        settle(NOT_SENT.has(code) ? { kind: 'not-sent', error: code } : { kind: 'unknown', error: code || err.message });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
