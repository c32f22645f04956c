// A client for Maelstrom's key-value services (lin-kv, seq-kv, lww-kv): read, write, cas, with
// their answers turned into types. Timeouts are reported, never guessed at: the caller decides.
import type { Json } from '../json.ts';
import { ErrorCode, type Body } from '../protocol/messages.ts';
import type { Rpc } from './rpc.ts';

export type ServiceResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'missing' } // error 20
  | { kind: 'mismatch' } // error 22
  | { kind: 'timeout' }
  | { kind: 'error'; code: number; text: string };

export class KvServiceClient {
  constructor(
    private readonly rpc: Rpc,
    private readonly service: string,
    /** A function is read at every call, so the timeout can follow the measured round trips. */
    private readonly timeoutMs: number | (() => number),
  ) {}

  async read(key: string): Promise<ServiceResult<Json>> {
    return this.request({ type: 'read', key }, 'read_ok', (b) => (b['value'] ?? null) as Json);
  }

  async write(key: string, value: Json): Promise<ServiceResult<null>> {
    return this.request({ type: 'write', key, value }, 'write_ok', () => null);
  }

  async cas(key: string, from: Json, to: Json, createIfMissing: boolean): Promise<ServiceResult<null>> {
    const body: Body = { type: 'cas', key, from, to };
    if (createIfMissing) body['create_if_not_exists'] = true;
    return this.request(body, 'cas_ok', () => null);
  }

  private async request<T>(body: Body, okType: string, extract: (b: Body) => T): Promise<ServiceResult<T>> {
    const outcome = await this.rpc.call(this.service, body, typeof this.timeoutMs === 'number' ? this.timeoutMs : this.timeoutMs());
    if (outcome.kind === 'timeout') return { kind: 'timeout' };
    const reply = outcome.body;
    if (reply['type'] === okType) return { kind: 'ok', value: extract(reply) };
    if (reply['type'] === 'error') {
      const code = reply['code'];
      if (code === ErrorCode.keyDoesNotExist) return { kind: 'missing' };
      if (code === ErrorCode.preconditionFailed) return { kind: 'mismatch' };
      return { kind: 'error', code: typeof code === 'number' ? code : -1, text: String(reply['text'] ?? '') };
    }
    return { kind: 'error', code: -1, text: `unexpected reply type ${String(reply['type'])}` };
  }
}
