// The durable term and vote of a Maelstrom node (HardStateStore over KvServiceClient over Rpc), against
// a fake lin-kv that delays, loses, answers late, refuses, and holds records of other processes.
// The property every test comes back to: the store reports a state durable only when the service
// holds exactly that state, written by this process.
import { afterEach, describe, expect, it } from 'vitest';
import type { Json } from '../../src/json.ts';
import { HardStateStore } from '../../src/maelstrom/hard-state-store.ts';
import { KvServiceClient } from '../../src/maelstrom/kv-service.ts';
import { FakeLinKv, SERVICE } from '../support/fake-lin-kv.ts';

const KEY = 'raft/n1/hard-state';
const TIMEOUT_MS = 40;

let service: FakeLinKv;
afterEach(() => service.stop());

function newService(): FakeLinKv {
  service = new FakeLinKv();
  return service;
}

/** One node process: its own transport (msg_id base), RPC layer, service client and store. */
function startProcess(kv: FakeLinKv, incarnation: string, firstMsgId?: number) {
  const { rpc } = kv.startProcess(firstMsgId);
  const client = new KvServiceClient(rpc, SERVICE, TIMEOUT_MS);
  const logs: string[] = [];
  const store = new HardStateStore(client, 'n1', incarnation, (level, text) => logs.push(`${level} ${text}`), 5);
  return { client, store, logs };
}

function record(term: number, votedFor: string | null, incarnation: string, seq: number, logId = 'log-a'): Json {
  return { term, voted_for: votedFor, log_id: logId, incarnation, seq };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true if the ticket becomes durable within ms. */
async function durableWithin(store: HardStateStore, ticket: number, ms: number): Promise<boolean> {
  return Promise.race([store.whenDurable(ticket).then(() => true), sleep(ms).then(() => false)]);
}

describe('KvServiceClient: lin-kv answers as types, timeouts reported, never guessed', () => {
  it('maps read_ok, error 20, error 22, other errors, unexpected replies and silence', async () => {
    const kv = newService();
    const { client } = startProcess(kv, 'a');
    expect(await client.read('k')).toEqual({ kind: 'missing' });
    expect(await client.write('k', { x: 1 })).toEqual({ kind: 'ok', value: null });
    expect(await client.read('k')).toEqual({ kind: 'ok', value: { x: 1 } });
    expect(await client.cas('k', { x: 2 }, 3, false)).toEqual({ kind: 'mismatch' });
    expect(await client.cas('k', { x: 1 }, 3, false)).toEqual({ kind: 'ok', value: null });
    kv.policy = () => ({ kind: 'error', code: 11 });
    expect(await client.read('k')).toEqual({ kind: 'error', code: 11, text: 'injected' });
    kv.policy = () => ({ kind: 'lost' });
    expect(await client.read('k')).toEqual({ kind: 'timeout' });
    // A read_ok cannot answer a cas: it is reported as an error, not as success.
    kv.policy = () => ({ kind: 'lost' });
    const pending = client.cas('k', 3, 4, false);
    await sleep(5);
    const cas = kv.received[kv.received.length - 1];
    expect(kv.deliver(SERVICE, cas?.msgId ?? -1, { type: 'read_ok', value: 3 })).toBe(true);
    expect(await pending).toEqual({ kind: 'error', code: -1, text: 'unexpected reply type read_ok' });
  });
});

describe('HardStateStore.load', () => {
  it('a missing key is a fresh node at term 0; a stored record is restored with its log id', async () => {
    const kv = newService();
    expect(await startProcess(kv, 'a').store.load()).toEqual({ hardState: { term: 0, votedFor: null }, fresh: true });
    kv.data.set(KEY, record(4, 'n2', 'a', 7, 'log-a'));
    const { store } = startProcess(kv, 'b');
    expect(await store.load()).toEqual({ hardState: { term: 4, votedFor: 'n2' }, fresh: false });
    expect(store.logId).toBe('log-a');
  });

  it('retries through timeouts and errors until the service answers', async () => {
    const kv = newService();
    kv.data.set(KEY, record(2, null, 'a', 1));
    kv.policy = (_r, i) => (i === 0 ? { kind: 'lost' } : i === 1 ? { kind: 'error', code: 11 } : { kind: 'answer', afterMs: 10 });
    const { store, logs } = startProcess(kv, 'b');
    expect(await store.load()).toEqual({ hardState: { term: 2, votedFor: null }, fresh: false });
    expect(logs.filter((l) => l.startsWith('warn reading'))).toHaveLength(2);
  });

  it('refuses to guess at an unreadable record', async () => {
    const kv = newService();
    kv.data.set(KEY, { term: 'three' });
    await expect(startProcess(kv, 'b').store.load()).rejects.toThrow(/unreadable/);
  });
});

describe('HardStateStore.persist', () => {
  it('a state is durable once the service holds it; the record names this process', async () => {
    const kv = newService();
    const { store } = startProcess(kv, 'a');
    await store.load();
    kv.policy = () => ({ kind: 'answer', afterMs: 15 });
    const ticket = store.persist({ term: 1, votedFor: 'n1' });
    expect(store.isDurable(ticket)).toBe(false);
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toEqual(record(1, 'n1', 'a', 1, 'a'));
  });

  it('only the newest state is written when several are asked for while one is in flight', async () => {
    const kv = newService();
    const { store } = startProcess(kv, 'a');
    await store.load();
    kv.policy = () => ({ kind: 'answer', afterMs: 10 });
    store.persist({ term: 1, votedFor: null });
    const second = store.persist({ term: 2, votedFor: null });
    const third = store.persist({ term: 2, votedFor: 'n3' });
    await store.whenDurable(third);
    expect(store.isDurable(second)).toBe(true);
    expect(kv.data.get(KEY)).toMatchObject({ term: 2, voted_for: 'n3' });
    expect(kv.received.filter((r) => r.body['type'] === 'cas')).toHaveLength(2);
  });

  it('a write that timed out but landed later is found by reading back, and counts as durable', async () => {
    const kv = newService();
    const { store } = startProcess(kv, 'a');
    await store.load();
    // The cas is performed after the client gave up; the read-back comes after that.
    kv.policy = (r) => (r.body['type'] === 'cas' ? { kind: 'late', afterMs: TIMEOUT_MS + 10 } : { kind: 'answer', afterMs: 20 });
    const ticket = store.persist({ term: 3, votedFor: 'n1' });
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toMatchObject({ term: 3, voted_for: 'n1', incarnation: 'a' });
    expect(kv.received.map((r) => r.body['type'])).toEqual(['read', 'cas', 'read']);
  });

  it('a write that was lost is not durable until a retry lands', async () => {
    const kv = newService();
    const { store, logs } = startProcess(kv, 'a');
    await store.load();
    let casCount = 0;
    kv.policy = (r) => (r.body['type'] === 'cas' && casCount++ < 2 ? { kind: 'lost' } : { kind: 'answer' });
    const ticket = store.persist({ term: 1, votedFor: 'n1' });
    await sleep(TIMEOUT_MS + 5);
    expect(store.isDurable(ticket)).toBe(false);
    expect(kv.data.has(KEY)).toBe(false);
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toMatchObject({ term: 1, voted_for: 'n1' });
    expect(logs.filter((l) => /persisting term 1 .* failed \(timeout\)/.test(l))).toHaveLength(2);
  });

  it('errors from the service are retried, never taken for success', async () => {
    const kv = newService();
    const { store } = startProcess(kv, 'a');
    await store.load();
    let casCount = 0;
    kv.policy = (r) => (r.body['type'] === 'cas' && casCount++ < 3 ? { kind: 'error', code: 13 } : { kind: 'answer' });
    const ticket = store.persist({ term: 5, votedFor: null });
    expect(await durableWithin(store, ticket, 10)).toBe(false);
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toMatchObject({ term: 5 });
    expect(casCount).toBe(4);
  });

  it('continues from the record of an earlier process of the same node (cas from exactly that value)', async () => {
    const kv = newService();
    kv.data.set(KEY, record(6, 'n2', 'old', 9, 'log-old'));
    const { store } = startProcess(kv, 'new');
    await store.load();
    const ticket = store.persist({ term: 7, votedFor: 'n1' });
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toEqual(record(7, 'n1', 'new', 1, 'log-old'));
    expect(kv.received.filter((r) => r.body['type'] === 'cas').map((r) => r.body['from'])).toEqual([record(6, 'n2', 'old', 9, 'log-old')]);
  });

  it('when another process changed the record behind its back, it re-reads and writes over the new value', async () => {
    const kv = newService();
    kv.data.set(KEY, record(6, null, 'old', 1));
    const { store } = startProcess(kv, 'new');
    await store.load();
    // A straggler write of the earlier process lands between our load and our cas.
    kv.data.set(KEY, record(6, 'n3', 'old', 2));
    const ticket = store.persist({ term: 7, votedFor: null });
    await store.whenDurable(ticket);
    expect(kv.data.get(KEY)).toMatchObject({ term: 7, voted_for: null, incarnation: 'new' });
    expect(kv.received.map((r) => r.body['type'])).toEqual(['read', 'cas', 'read', 'cas']);
  });
});

describe('replies across incarnations (a restarted node is a new process on the same stdin)', () => {
  /**
   * Process A asks lin-kv to store its vote; the cas_ok is late, A is killed. Process B starts, loads,
   * asks to store its own state, and the service holds B's request without answering. Then A's late
   * cas_ok arrives on B's stdin. Returns whether B believed its state durable from that reply.
   */
  async function lateReplyOfPreviousProcess(firstIds: { a?: number; b?: number }): Promise<{ bDurable: boolean; idsMatch: boolean }> {
    const kv = newService();
    kv.policy = () => ({ kind: 'lost' });
    const a = startProcess(kv, 'a', firstIds.a);
    const loadA = a.store.load();
    await sleep(1);
    kv.deliver(SERVICE, kv.received[0]?.msgId ?? -1, { type: 'error', code: 20, text: 'not found' });
    await loadA;
    a.store.persist({ term: 1, votedFor: 'n1' });
    await sleep(1);
    const aCas = kv.received[1] as { msgId: number };

    const b = startProcess(kv, 'b', firstIds.b); // A is gone: B reads stdin now
    const loadB = b.store.load();
    await sleep(1);
    kv.deliver(SERVICE, kv.received[2]?.msgId ?? -1, { type: 'error', code: 20, text: 'not found' });
    await loadB;
    const ticket = b.store.persist({ term: 1, votedFor: 'n2' });
    await sleep(1);
    const bCas = kv.received[3] as { msgId: number };
    kv.deliver(SERVICE, aCas.msgId, { type: 'cas_ok' });
    await sleep(1);
    return { bDurable: b.store.isDurable(ticket), idsMatch: aCas.msgId === bCas.msgId };
  }

  it('the late cas_ok of the previous process does not answer the new one (msg_ids start at a random point)', async () => {
    const { bDurable, idsMatch } = await lateReplyOfPreviousProcess({});
    expect(idsMatch).toBe(false);
    expect(bDurable).toBe(false);
  });

  it('(the hazard this guards against: with msg_ids counting from 1 in both, that reply WOULD be taken)', async () => {
    const { bDurable, idsMatch } = await lateReplyOfPreviousProcess({ a: 1, b: 1 });
    expect(idsMatch).toBe(true);
    expect(bDurable).toBe(true);
  });

  it('a reply from anyone but the service the request went to answers nothing', async () => {
    const kv = newService();
    kv.policy = () => ({ kind: 'lost' });
    const { client } = startProcess(kv, 'a');
    const pending = client.cas(KEY, null, 1, true);
    await sleep(1);
    const msgId = kv.received[0]?.msgId ?? -1;
    expect(kv.deliver('n2', msgId, { type: 'cas_ok' })).toBe(false);
    expect(await pending).toEqual({ kind: 'timeout' });
  });
});
