// The joining side of --join: an empty node dials the member it was given (any member: a follower
// relays the request to the leader) and asks to be added as a learner, until it is in the
// configuration. One request per connection, answered with one JoinReply. With peer TLS the
// connection presents this node's certificate, which must name the id it asks to join as, and the
// member's certificate must come from the cluster CA (any member may answer: we dialled an address).
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { PeerAddress } from './config.ts';
import type { PeerTlsConfig } from './security-config.ts';
import { encodeLine, LineSplitter, parseControlLine, type JoinReply, type JoinRequest } from './wire.ts';

export interface JoinTiming {
  /** One attempt gets this long for its answer (the leader answers once the change commits). */
  attemptTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_JOIN_TIMING: JoinTiming = { attemptTimeoutMs: 10_000, backoffMinMs: 200, backoffMaxMs: 2000 };

/** One request: the member's reply, or why there was none. */
export function askToJoin(target: PeerAddress, request: JoinRequest, tls: PeerTlsConfig | null, timeoutMs: number): Promise<JoinReply> {
  return new Promise((resolve) => {
    const { host, port } = target;
    let settled = false;
    let sent = false;
    const finish = (reply: JoinReply): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(reply);
    };
    const socket: Socket =
      tls === null
        ? connect({ host, port })
        : connectTls({ host, port, cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2', checkServerIdentity: () => undefined });
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(lost(sent, `no answer within ${timeoutMs} ms`)));
    const splitter = new LineSplitter(
      (line) => {
        const control = parseControlLine(line);
        if (control?.type === 'join_reply') finish(control);
      },
      () => finish(lost(sent, 'the member sent an overlong line')),
      64 * 1024,
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on(tls === null ? 'connect' : 'secureConnect', () => {
      sent = true;
      socket.write(encodeLine(request));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(lost(sent, err.code ?? err.message)));
    socket.on('close', () => finish(lost(sent, sent ? 'the member closed the connection without an answer' : 'connection closed')));
  });
}

/** No answer: if the request left, the member may have acted on it. */
function lost(sent: boolean, reason: string): JoinReply {
  return { type: 'join_reply', outcome: sent ? 'unknown' : 'unavailable', reason };
}

/**
 * Asks again after "not now" or no answer (a join is idempotent: a member that is already in the
 * configuration is told "added"), until added, refused, or `isMember()` says the configuration
 * already lists us (the reply may have been lost, or an operator added us by hand).
 */
export class Joiner {
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private attempts = 0;

  constructor(
    private readonly target: PeerAddress,
    private readonly request: JoinRequest,
    private readonly tls: PeerTlsConfig | null,
    private readonly isMember: () => boolean,
    private readonly log: (level: 'info' | 'warn', text: string) => void,
    private readonly timing: JoinTiming = DEFAULT_JOIN_TIMING,
  ) {
    this.backoffMs = timing.backoffMinMs;
  }

  start(): void {
    const where = `${this.target.host}:${this.target.port}`;
    this.log('info', `asking the member at ${where} to add this node (${this.request.id}, ${this.request.address}) as a learner`);
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.isMember()) return;
    this.attempts++;
    const reply = await askToJoin(this.target, this.request, this.tls, this.timing.attemptTimeoutMs);
    if (this.stopped) return;
    const where = `${this.target.host}:${this.target.port}`;
    switch (reply.outcome) {
      case 'added':
        this.log('info', `join accepted by the cluster (via ${where}): ${reply.reason}`);
        return;
      case 'refused':
        this.log('warn', `join refused (via ${where}): ${reply.reason}; not asking again`);
        return;
      case 'unavailable':
      case 'unknown':
        // The first failure and then every tenth, so a long wait does not flood the log.
        if (this.attempts === 1 || this.attempts % 10 === 0) this.log('warn', `join not done yet (via ${where}, attempt ${this.attempts}): ${reply.reason}; asking again`);
        break;
    }
    const delay = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.timing.backoffMaxMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delay);
  }
}
