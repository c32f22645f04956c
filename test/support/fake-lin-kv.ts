// A fake of Maelstrom's lin-kv service for the Maelstrom adapter's service client and term/vote
// store: in-process, real timers, and a policy per request that says what happens to it (answered
// at once or late, lost, applied but answered after the caller gave up, refused with an error).
// Node processes are modelled by their Transport + Rpc; a "restart" is a new pair on the same
// stdin, so a late answer meant for the old process reaches the new one, as it would in Maelstrom.
import type { Json } from '../../src/json.ts';
import type { Body } from '../../src/protocol/messages.ts';
import { Rpc } from '../../src/maelstrom/rpc.ts';
import { Transport } from '../../src/maelstrom/transport.ts';

export const SERVICE = 'lin-kv';

/** What happens to one request: answered (after afterMs), lost (never performed), refused, or performed late. */
export type Fate =
  | { kind: 'answer'; afterMs?: number }
  | { kind: 'lost' }
  | { kind: 'error'; code: number; afterMs?: number }
  /** Performed and answered only after `afterMs` (e.g. after the caller's timeout). */
  | { kind: 'late'; afterMs: number };

export interface Received {
  src: string;
  msgId: number;
  body: Body;
}

export class FakeLinKv {
  readonly data = new Map<string, Json>();
  /** Every request the service received, in order. */
  readonly received: Received[] = [];
  /** Decides the fate of each request; the default answers at once. */
  policy: (request: Received, index: number) => Fate = () => ({ kind: 'answer' });
  /** The process that currently reads the node's stdin: answers go there, whoever asked. */
  private stdin: Rpc | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Starts a node process: a fresh transport (new msg_id base) and RPC layer, now on stdin. */
  startProcess(firstMsgId?: number): { transport: Transport; rpc: Rpc } {
    const transport = new Transport({ write: (chunk) => this.receive(chunk) }, firstMsgId);
    transport.setNodeId('n1');
    const rpc = new Rpc(transport);
    this.stdin = rpc;
    return { transport, rpc };
  }

  /** Delivers a reply to whichever process reads stdin now (a late or forged one, in tests). */
  deliver(src: string, inReplyTo: number, body: Body): boolean {
    return this.stdin?.handleReply(src, inReplyTo, body) ?? false;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private receive(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      const message = JSON.parse(line) as { src: string; dest: string; body: Body };
      if (message.dest !== SERVICE) continue;
      const request: Received = { src: message.src, msgId: message.body['msg_id'] as number, body: message.body };
      this.received.push(request);
      const fate = this.policy(request, this.received.length - 1);
      if (fate.kind === 'lost') continue;
      const afterMs = fate.afterMs ?? 0;
      this.later(afterMs, () => {
        const reply = fate.kind === 'error' ? { type: 'error', code: fate.code, text: 'injected' } : this.perform(request.body);
        this.deliver(SERVICE, request.msgId, reply);
      });
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** lin-kv's semantics for read, write and cas (with create_if_not_exists). */
  private perform(body: Body): Body {
    const key = String(body['key']);
    switch (body['type']) {
      case 'read':
        return this.data.has(key) ? { type: 'read_ok', value: this.data.get(key) as Json } : { type: 'error', code: 20, text: 'not found' };
      case 'write':
        this.data.set(key, body['value'] as Json);
        return { type: 'write_ok' };
      case 'cas': {
        if (!this.data.has(key)) {
          if (body['create_if_not_exists'] !== true) return { type: 'error', code: 20, text: 'not found' };
          this.data.set(key, body['to'] as Json);
          return { type: 'cas_ok' };
        }
        if (JSON.stringify(this.data.get(key)) !== JSON.stringify(body['from'])) return { type: 'error', code: 22, text: 'mismatch' };
        this.data.set(key, body['to'] as Json);
        return { type: 'cas_ok' };
      }
      default:
        return { type: 'error', code: 10, text: 'unsupported' };
    }
  }
}
