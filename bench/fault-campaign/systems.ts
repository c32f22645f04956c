// The two systems the campaign holds to the same checker: our standalone node (dist/node.js) and
// etcd, each as `size` members in the lab's namespaces, peers on the peer switch and clients on the
// client switch. Both speak to clients in HTTP/JSON, each in its own dialect; `KvDialect` turns
// read/write/cas into that dialect and the answer back into ok / fail (certainly not applied) /
// info (maybe applied), so the workload and the checker see one model.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../../maelstrom/history.ts';
import type { NamespaceLab } from '../../test/standalone/support/netns.ts';
import type { HttpAnswer, JsonHttp } from './json-http.ts';
import { MemberProcess } from './member-process.ts';

export type SystemName = 'ours' | 'etcd';
export const SYSTEM_NAMES: readonly SystemName[] = ['ours', 'etcd'];

export type Outcome = { type: 'ok'; value: Json } | { type: 'fail'; error: string } | { type: 'info'; error: string };

export interface KvDialect {
  read(http: JsonHttp, member: number, key: string): Promise<Outcome>;
  write(http: JsonHttp, member: number, key: string, value: number): Promise<Outcome>;
  cas(http: JsonHttp, member: number, key: string, from: number, to: number): Promise<Outcome>;
  /** The member (1-based) that says it leads, or null; asked of every running member. */
  leader(http: JsonHttp, members: readonly number[]): Promise<number | null>;
}

export interface SystemUnderTest {
  name: SystemName;
  members: MemberProcess[];
  dialect: KvDialect;
}

export interface SystemSetup {
  lab: NamespaceLab;
  size: number;
  dataRoot: string;
  nodeBin: string;
}

/** Why a system cannot run here (its binary is missing), or null. */
export function systemUnavailableReason(name: SystemName, nodeBin: string): string | null {
  if (name === 'ours') return existsSync(nodeBin) ? null : `${nodeBin} is missing: run \`npm run build\``;
  return existsSync('/usr/bin/etcd') || process.env['PATH']?.split(':').some((d) => existsSync(join(d, 'etcd'))) ? null : 'etcd is not installed (apt-get install etcd-server etcd-client)';
}

const OUR_PEER_PORT = 7000;
const OUR_HTTP_PORT = 8000;
const ETCD_PEER_PORT = 2380;
const ETCD_CLIENT_PORT = 2379;

export function createSystem(name: SystemName, setup: SystemSetup): SystemUnderTest {
  const { lab, size, dataRoot } = setup;
  const all = Array.from({ length: size }, (_, k) => k + 1);
  if (name === 'ours') {
    const members = all.map((i) => {
      const peers = all.filter((j) => j !== i).map((j) => `${j}@${lab.peerAddress(j)}:${OUR_PEER_PORT}`);
      const { command, args } = lab.exec(i, process.execPath, [
        setup.nodeBin,
        '--id', String(i),
        '--host', lab.peerAddress(i),
        '--port', String(OUR_PEER_PORT),
        '--peers', peers.join(','),
        '--http-host', lab.clientAddress(i),
        '--http-port', String(OUR_HTTP_PORT),
        '--data-dir', join(dataRoot, `ours-${i}`),
      ]);
      return new MemberProcess(i, command, args);
    });
    return { name, members, dialect: ourDialect((i) => `http://${lab.clientAddress(i)}:${OUR_HTTP_PORT}`) };
  }
  const cluster = all.map((j) => `e${j}=http://${lab.peerAddress(j)}:${ETCD_PEER_PORT}`).join(',');
  const members = all.map((i) => {
    const peerUrl = `http://${lab.peerAddress(i)}:${ETCD_PEER_PORT}`;
    const clientUrl = `http://${lab.clientAddress(i)}:${ETCD_CLIENT_PORT}`;
    const { command, args } = lab.exec(i, 'etcd', [
      '--name', `e${i}`,
      '--data-dir', join(dataRoot, `etcd-${i}`),
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--initial-cluster', cluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', 'fault-campaign',
      // The equal footing: [150, 300) ms election timeouts, as ours (etcd needs >= 5 x heartbeat).
      '--heartbeat-interval', '30',
      '--election-timeout', '150',
      '--logger', 'zap',
    ]);
    return new MemberProcess(i, command, args);
  });
  return { name, members, dialect: etcdDialect((i) => `http://${lab.clientAddress(i)}:${ETCD_CLIENT_PORT}`) };
}

function objectOf(json: unknown): { [k: string]: unknown } {
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as { [k: string]: unknown }) : {};
}

/** What no answer means: refused = not applied; anything else = maybe applied. */
function transportOutcome(answer: Exclude<HttpAnswer, { kind: 'response' }>): Outcome {
  return answer.kind === 'not-sent' ? { type: 'fail', error: answer.error } : { type: 'info', error: answer.error };
}

/** Our HTTP API (src/standalone/README.md): 503 = nothing applied; 500/504 = outcome unknown. */
function ourDialect(base: (i: number) => string): KvDialect {
  const definite = (status: number): boolean => status === 503 || (status >= 400 && status < 500);
  const outcome = (answer: HttpAnswer, okValue: (json: { [k: string]: unknown }) => Json): Outcome => {
    if (answer.kind !== 'response') return transportOutcome(answer);
    if (answer.status === 200) return { type: 'ok', value: okValue(objectOf(answer.json)) };
    return definite(answer.status) ? { type: 'fail', error: String(answer.status) } : { type: 'info', error: String(answer.status) };
  };
  return {
    read: async (http, i, key) => outcome(await http.send(`${base(i)}/kv/${key}`, 'GET', undefined), (j) => (j['value'] ?? null) as Json),
    write: async (http, i, key, value) => outcome(await http.send(`${base(i)}/kv/${key}`, 'PUT', value), () => value),
    cas: async (http, i, key, from, to) => outcome(await http.send(`${base(i)}/kv/${key}/cas`, 'POST', { from, to }), () => [from, to]),
    leader: async (http, members) => {
      const answers = await Promise.all(members.map((i) => http.send(`${base(i)}/status`, 'GET', undefined)));
      const k = answers.findIndex((a) => a.kind === 'response' && objectOf(a.json)['state'] === 'leader');
      return members[k] ?? null;
    },
  };
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/**
 * etcd's HTTP/JSON gateway (gRPC-gateway): put, range (linearizable by default) and a txn comparing
 * the value for cas. Every error answer is treated as maybe applied (etcd's "request timed out",
 * "leader changed" may follow a proposal), except a refused connection.
 */
function etcdDialect(base: (i: number) => string): KvDialect {
  const outcome = (answer: HttpAnswer, onOk: (json: { [k: string]: unknown }) => Outcome): Outcome => {
    if (answer.kind !== 'response') return transportOutcome(answer);
    if (answer.status !== 200) return { type: 'info', error: `${answer.status} ${String(objectOf(answer.json)['error'] ?? '')}` };
    return onOk(objectOf(answer.json));
  };
  return {
    read: async (http, i, key) =>
      outcome(await http.send(`${base(i)}/v3/kv/range`, 'POST', { key: b64(key) }), (j) => {
        const kv = Array.isArray(j['kvs']) ? objectOf(j['kvs'][0]) : null;
        if (kv === null || typeof kv['value'] !== 'string') return { type: 'fail', error: 'not found' };
        return { type: 'ok', value: JSON.parse(unb64(kv['value'])) as Json };
      }),
    write: async (http, i, key, value) =>
      outcome(await http.send(`${base(i)}/v3/kv/put`, 'POST', { key: b64(key), value: b64(JSON.stringify(value)) }), () => ({ type: 'ok', value })),
    cas: async (http, i, key, from, to) =>
      outcome(
        await http.send(`${base(i)}/v3/kv/txn`, 'POST', {
          compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(JSON.stringify(from)) }],
          success: [{ request_put: { key: b64(key), value: b64(JSON.stringify(to)) } }],
        }),
        // The txn ran; a false compare changed nothing: a definite precondition failure.
        (j) => (j['succeeded'] === true ? { type: 'ok', value: [from, to] } : { type: 'fail', error: 'precondition failed' }),
      ),
    leader: async (http, members) => {
      const answers = await Promise.all(members.map((i) => http.send(`${base(i)}/v3/maintenance/status`, 'POST', {})));
      const k = answers.findIndex((a) => {
        if (a.kind !== 'response' || a.status !== 200) return false;
        const j = objectOf(a.json);
        const self = objectOf(j['header'])['member_id'];
        return self !== undefined && j['leader'] === self;
      });
      return members[k] ?? null;
    },
  };
}
