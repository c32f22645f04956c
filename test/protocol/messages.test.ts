import { describe, expect, it } from 'vitest';
import { type Body, checkInit, checkKvOperation, checkRaftMessage, parseLine } from '../../src/protocol/messages.ts';
import type { Json } from '../../src/json.ts';

describe('parseLine: every stdin line gets a verdict, nothing throws', () => {
  it('accepts a well-formed message', () => {
    const parsed = parseLine('{"id":3,"src":"c1","dest":"n1","body":{"type":"read","msg_id":1,"key":0}}');
    expect(parsed.kind).toBe('message');
    if (parsed.kind === 'message') expect(parsed.envelope.body['key']).toBe(0);
  });

  it.each([
    ['not JSON', 'hello', null],
    ['a JSON array', '[1,2]', null],
    ['a JSON string', '"x"', null],
    ['null', 'null', null],
    ['no src', '{"dest":"n1","body":{"type":"read","msg_id":1}}', null],
    ['numeric src', '{"src":5,"dest":"n1","body":{"type":"read","msg_id":1}}', null],
    ['no dest', '{"src":"c1","body":{"type":"read","msg_id":7}}', { src: 'c1', msgId: 7, dest: null }],
    ['body is a string', '{"src":"c1","dest":"n1","body":"read"}', null],
    ['body without type', '{"src":"c1","dest":"n1","body":{"msg_id":4}}', { src: 'c1', msgId: 4, dest: 'n1' }],
    ['numeric type', '{"src":"c1","dest":"n1","body":{"type":3,"msg_id":4}}', { src: 'c1', msgId: 4, dest: 'n1' }],
  ])('refuses %s, with someone to answer only when src and msg_id are usable', (_name, line, replyTo) => {
    const parsed = parseLine(line);
    expect(parsed.kind).toBe('malformed');
    if (parsed.kind === 'malformed') {
      expect(parsed.reason.length).toBeGreaterThan(5);
      expect(parsed.replyTo).toEqual(replyTo);
    }
  });
});

describe('checkKvOperation', () => {
  it('accepts keys and values of any JSON shape, including null', () => {
    expect(checkKvOperation({ type: 'write', key: { a: [1] }, value: null })).toEqual({ ok: true, value: { type: 'write', key: { a: [1] }, value: null } });
    expect(checkKvOperation({ type: 'cas', key: 'k', from: [1, 2], to: { x: 'y' } }).ok).toBe(true);
    expect(checkKvOperation({ type: 'read', key: 0 }).ok).toBe(true);
  });

  it.each([
    [{ type: 'read' }, 'key'],
    [{ type: 'write', key: 1 }, 'value'],
    [{ type: 'cas', key: 1, from: 1 }, 'to'],
    [{ type: 'cas', key: 1, to: 1 }, 'from'],
  ])('refuses %j (missing %s)', (body, field) => {
    const checked = checkKvOperation(body);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toContain(field);
  });
});

describe('checkInit', () => {
  it('accepts a proper init', () => {
    expect(checkInit({ type: 'init', node_id: 'n1', node_ids: ['n1', 'n2'] })).toEqual({ ok: true, value: { nodeId: 'n1', nodeIds: ['n1', 'n2'] } });
  });
  it.each([
    { type: 'init', node_ids: ['n1'] },
    { type: 'init', node_id: 'n1' },
    { type: 'init', node_id: 'n1', node_ids: 'n1' },
    { type: 'init', node_id: 'n3', node_ids: ['n1', 'n2'] },
    { type: 'init', node_id: 'n1', node_ids: ['n1', 'n1'] },
    { type: 'init', node_id: 'n1', node_ids: ['n1', 7] },
  ] as Body[])('refuses %j', (body) => {
    expect(checkInit(body).ok).toBe(false);
  });
});

describe('checkRaftMessage: the core only ever sees well-typed messages', () => {
  const vote = { type: 'request_vote', term: 2, candidate_id: 'n2', last_log_index: 0, last_log_term: 0, pre_vote: false };
  const append = { type: 'append_entries', term: 2, leader_id: 'n1', prev_log_index: 0, prev_log_term: 0, entries: [{ term: 2, data: { kind: 'noop' } }], leader_commit: 0, round: 1 };

  const chunk = { type: 'install_snapshot', term: 2, leader_id: 'n1', last_included_index: 9, last_included_term: 2, offset: 0, data: '[]', done: true, round: 1 };
  const chunkResult = { type: 'install_snapshot_result', term: 2, last_included_index: 9, next_offset: 2, done: true, round: 1 };

  it('accepts valid messages', () => {
    expect(checkRaftMessage(vote).ok).toBe(true);
    expect(checkRaftMessage(append).ok).toBe(true);
    expect(checkRaftMessage(chunk).ok).toBe(true);
    expect(checkRaftMessage(chunkResult).ok).toBe(true);
  });

  it('refuses malformed InstallSnapshot chunks and answers (§7)', () => {
    expect(checkRaftMessage({ ...chunk, data: 7 }).ok).toBe(false);
    expect(checkRaftMessage({ ...chunk, offset: -1 }).ok).toBe(false);
    expect(checkRaftMessage({ ...chunk, done: 'yes' }).ok).toBe(false);
    expect(checkRaftMessage({ ...chunk, leader_id: 3 }).ok).toBe(false);
    expect(checkRaftMessage({ ...chunkResult, next_offset: 'x' }).ok).toBe(false);
    expect(checkRaftMessage({ ...chunkResult, done: null }).ok).toBe(false);
  });

  it('§4.1 accepts configuration entries and snapshot configurations, refuses malformed ones', () => {
    const config = { voters: ['n1', 'n2'], learners: ['n4'], context: { n4: '127.0.0.1:9004' } };
    expect(checkRaftMessage({ ...append, entries: [{ term: 2, data: { kind: 'config', config } }] }).ok).toBe(true);
    expect(checkRaftMessage({ ...chunk, config }).ok).toBe(true);
    const malformed: Json[] = [{ voters: 'n1', learners: [] }, { voters: ['n1'] }, { voters: ['n1', ''], learners: [] }, { voters: ['n1'], learners: [], context: { n1: 7 } }];
    for (const bad of malformed) {
      expect(checkRaftMessage({ ...append, entries: [{ term: 2, data: { kind: 'config', config: bad } }] }).ok).toBe(false);
      expect(checkRaftMessage({ ...chunk, config: bad }).ok).toBe(false);
    }
  });

  it.each([-1, 1.5, '3', null, Number.MAX_SAFE_INTEGER + 2])('refuses term %j', (term) => {
    expect(checkRaftMessage({ ...vote, term }).ok).toBe(false);
  });

  it('refuses malformed entries and fields', () => {
    expect(checkRaftMessage({ ...append, entries: [{ term: 'x', data: { kind: 'noop' } }] }).ok).toBe(false);
    expect(checkRaftMessage({ ...append, entries: [{ term: 1, data: { kind: 'weird' } }] }).ok).toBe(false);
    expect(checkRaftMessage({ ...append, entries: 'none' }).ok).toBe(false);
    expect(checkRaftMessage({ ...append, prev_log_index: -1 }).ok).toBe(false);
    expect(checkRaftMessage({ ...vote, pre_vote: 'no' }).ok).toBe(false);
    expect(checkRaftMessage({ type: 'append_entries_result', term: 1, success: true, match_index: 1, reject_index: 0, conflict_index: 0, conflict_term: 'x', round: 0 }).ok).toBe(false);
  });

  it('§3.10 timeout_now needs a term and a leader_id; a vote\'s optional transfer flag must be a boolean', () => {
    expect(checkRaftMessage({ type: 'timeout_now', term: 3, leader_id: 'n1' }).ok).toBe(true);
    expect(checkRaftMessage({ type: 'timeout_now', term: 3 }).ok).toBe(false);
    expect(checkRaftMessage({ type: 'timeout_now', term: -1, leader_id: 'n1' }).ok).toBe(false);
    expect(checkRaftMessage({ ...vote, transfer: true }).ok).toBe(true);
    expect(checkRaftMessage({ ...vote, transfer: 'yes' }).ok).toBe(false);
  });

  it('accepts an announced heartbeat interval, or none, and refuses a nonsensical one', () => {
    expect(checkRaftMessage({ ...append, heartbeat_ms: 150 }).ok).toBe(true);
    for (const heartbeat_ms of [0, -5, '150', null, Number.POSITIVE_INFINITY, 1e9]) {
      expect(checkRaftMessage({ ...append, heartbeat_ms }).ok, String(heartbeat_ms)).toBe(false);
    }
  });
});
