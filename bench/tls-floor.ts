// What HTTPS costs Node itself, with no Raft behind it: the floor under bench/tls.ts's "TLS cost".
//   node scripts/run-ts.mjs bench/tls-floor.ts [concurrency=64] [windows=10] [window-ms=1000]
// One child process serves both a plain HTTP and an HTTPS server (the node's own createClientServer,
// so the same limits and cipher choice), each answering PUT /kv/KEY with a small JSON body at once;
// the same keep-alive client (bench/keep-alive-client.ts) drives them in alternating windows, so a
// shared machine's load hits both alike. Reported: requests/s and the server process's CPU per
// 1,000 requests (from /proc), per protocol, and the HTTPS cost by each. If bare Node already pays
// about what our node pays, the cost is Node's TLS path (OpenSSL per record, TLSWrap), not ours.
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KeepAliveClient, writeLoad } from './keep-alive-client.ts';
import { cpuTimeMs } from './processes.ts';
import { makeCerts } from './tls.ts';
import { fmt, percentile } from './stats.ts';

interface Ports {
  http: number;
  https: number;
}

async function serve(): Promise<void> {
  const { createClientServer } = await import('../src/standalone/client-server.ts');
  const { readFileSync } = await import('node:fs');
  const [certPath, keyPath] = [process.env['FLOOR_CERT'] as string, process.env['FLOOR_KEY'] as string];
  const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      const body = '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  const plain = createClientServer(null, answer);
  const secure = createClientServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), clientCa: null }, answer);
  await Promise.all([plain, secure].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const port = (s: typeof plain): number => (s.address() as { port: number }).port;
  process.send?.({ http: port(plain), https: port(secure) } satisfies Ports);
}

async function drive(): Promise<void> {
  const concurrency = Number(process.argv[2] ?? 64);
  const windows = Number(process.argv[3] ?? 10);
  const windowMs = Number(process.argv[4] ?? 1000);
  const certs = makeCerts(['floor']);
  const paths = certs.files('floor');
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: process.execArgv,
    env: { ...process.env, FLOOR_CERT: paths.cert, FLOOR_KEY: paths.key },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ports = await new Promise<Ports>((resolve) => child.once('message', (m) => resolve(m as Ports)));
    const clients = {
      http: new KeepAliveClient(`http://127.0.0.1:${ports.http}`, concurrency),
      https: new KeepAliveClient(`https://127.0.0.1:${ports.https}`, concurrency, certs.clientTls()),
    };
    const totals = { http: { ok: 0, s: 0, cpu: 0, lat: [] as number[] }, https: { ok: 0, s: 0, cpu: 0, lat: [] as number[] } };
    for (const proto of ['http', 'https'] as const) await writeLoad(clients[proto], concurrency, 300, 'warm');
    for (let w = 0; w < windows; w++) {
      for (const proto of ['http', 'https'] as const) {
        const cpuBefore = cpuTimeMs(child.pid as number);
        const run = await writeLoad(clients[proto], concurrency, windowMs, `w${w}`);
        const t = totals[proto];
        t.cpu += (cpuTimeMs(child.pid as number) ?? 0) - (cpuBefore ?? 0);
        t.ok += run.ok;
        t.s += run.seconds;
        for (const l of run.latencies) t.lat.push(l);
      }
    }
    for (const c of Object.values(clients)) c.close();
    const rate = (p: 'http' | 'https'): number => totals[p].ok / totals[p].s;
    const cpu = (p: 'http' | 'https'): number => (1000 * totals[p].cpu) / totals[p].ok;
    for (const p of ['http', 'https'] as const) {
      process.stdout.write(`${p.padEnd(5)} c=${concurrency}: ${fmt(rate(p))} req/s, p50 ${fmt(percentile(totals[p].lat, 50))} ms, p99 ${fmt(percentile(totals[p].lat, 99))} ms, server CPU ${fmt(cpu(p))} ms / 1000 requests\n`);
    }
    process.stdout.write(`HTTPS cost in bare Node: ${fmt(100 * (1 - rate('https') / rate('http')))}% of throughput, ${fmt(100 * (1 - cpu('http') / cpu('https')))}% by server CPU per request (${windows} alternating windows of ${windowMs} ms)\n`);
  } finally {
    child.kill();
    rmSync(certs.dir, { recursive: true, force: true });
  }
}

await (process.argv.includes('--serve') ? serve() : drive());
