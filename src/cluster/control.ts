// How `npm run cluster -- stop 2` (another terminal) reaches the running supervisor: a Unix socket,
// DATA-DIR/control.sock, one JSON line each way. The supervisor owns the node processes (it
// started them, prints their logs and sees them exit), so it is the one that signals and restarts
// them; a pid file would let another terminal signal a node but not start one whose output lands
// in the supervisor's terminal.
import { createConnection, createServer, type Server } from 'node:net';

export type ControlRequest = { command: 'stop' | 'kill' | 'start'; id: string } | { command: 'status' };

export interface NodeReport {
  id: string;
  pid: number | null;
  running: boolean;
  httpUrl: string;
  /** How the last run ended, e.g. "exit 0" or "SIGKILL"; null if it never ended. */
  lastExit: string | null;
}

export type ControlReply = { ok: true; message?: string; nodes?: NodeReport[] } | { ok: false; error: string };

export function serveControl(path: string, handle: (request: ControlRequest) => Promise<ControlReply>): Promise<Server> {
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) {
        if (buffer.length > 64 * 1024) socket.destroy();
        return;
      }
      const line = buffer.slice(0, newline);
      buffer = '';
      let request: ControlRequest;
      try {
        request = JSON.parse(line) as ControlRequest;
      } catch {
        socket.end(`${JSON.stringify({ ok: false, error: 'not a JSON request' })}\n`);
        return;
      }
      handle(request).then(
        (reply) => socket.end(`${JSON.stringify(reply)}\n`),
        (err: unknown) => socket.end(`${JSON.stringify({ ok: false, error: String(err) })}\n`),
      );
    });
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      done(server);
    });
  });
}

/** 'no-supervisor' when nothing listens on the socket (no cluster running from that directory). */
export function sendControl(path: string, request: ControlRequest, timeoutMs = 30_000): Promise<ControlReply | 'no-supervisor'> {
  return new Promise((done) => {
    const socket = createConnection(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      done({ ok: false, error: `the supervisor did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        done(JSON.parse(text) as ControlReply);
      } catch {
        done({ ok: false, error: `the supervisor answered something unreadable: ${text.slice(0, 200)}` });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? 'no-supervisor' : { ok: false, error: err.message });
    });
  });
}
