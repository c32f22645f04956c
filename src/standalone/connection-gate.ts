// Closing a connection before a server does any work for it. A TLS server wraps every accepted
// socket in a TLS session in its own 'connection' listener, and an HTTP server sets up its parser
// in its own listener too; a listener added after theirs would run too late to spare that work.
// So the gate takes the listeners registered so far (Node's and ours) and calls them only for
// connections it admits. Call it last, once every listener for `event` is in place.
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export function gateConnections(server: EventEmitter, event: 'connection' | 'secureConnection', admit: (socket: Socket) => boolean): void {
  const listeners = server.listeners(event) as ((socket: Socket) => void)[];
  server.removeAllListeners(event);
  server.on(event, (socket: Socket) => {
    if (!admit(socket)) {
      socket.destroy();
      return;
    }
    for (const listener of listeners) listener.call(server, socket);
  });
}
