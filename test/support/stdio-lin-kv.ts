// Plays Maelstrom's lin-kv service for one dist/node.js process of a multi-node cluster (where term
// and vote live in lin-kv): every request the node writes to stdout for "lin-kv" is answered on its
// stdin with lin-kv's semantics, from a map the test can preset and inspect.
import type { StdioNode } from './stdio-node.ts';

type Body = { [key: string]: unknown };

export class StdioLinKv {
  readonly data = new Map<string, unknown>();
  private seen = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly node: StdioNode) {
    this.timer = setInterval(() => this.serve(), 2);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private serve(): void {
    const lines = this.node.stdout;
    for (; this.seen < lines.length; this.seen++) {
      const message = lines[this.seen]?.parsed as { src: string; dest: string; body: Body } | undefined;
      if (message?.dest !== 'lin-kv') continue;
      const reply = this.perform(message.body);
      this.node.send({ src: 'lin-kv', dest: message.src, body: { ...reply, in_reply_to: message.body['msg_id'] } });
    }
  }

  private perform(body: Body): Body {
    const key = String(body['key']);
    const has = this.data.has(key);
    if (body['type'] === 'read') return has ? { type: 'read_ok', value: this.data.get(key) } : { type: 'error', code: 20 };
    if (body['type'] === 'write') {
      this.data.set(key, body['value']);
      return { type: 'write_ok' };
    }
    if (body['type'] === 'cas') {
      if (!has && body['create_if_not_exists'] !== true) return { type: 'error', code: 20 };
      if (has && JSON.stringify(this.data.get(key)) !== JSON.stringify(body['from'])) return { type: 'error', code: 22 };
      this.data.set(key, body['to']);
      return { type: 'cas_ok' };
    }
    return { type: 'error', code: 10 };
  }
}
