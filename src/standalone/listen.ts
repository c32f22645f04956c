import type { Server } from 'node:net';

/** Starts listening; rejects (instead of emitting an unhandled 'error') when the port is taken. */
export function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
