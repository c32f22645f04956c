// The explicit limits of a standalone node's two ports, in one place (docs/security.md lists them).
// They bound what a stranger can make a node hold: connections, bytes buffered per connection and
// how long a connection may sit without proving it is a real peer or client.

/** Peer port: connections of any kind; beyond this the kernel's accept is answered by a close. */
export const PEER_MAX_CONNECTIONS = 1024;
/** Peer port: connections that have not yet sent an accepted hello; the oldest is closed to admit a new one. */
export const PEER_MAX_UNIDENTIFIED = 64;
/** Peer port: from accept to an accepted hello (TLS handshake included). A real peer needs one round trip. */
export const PEER_HELLO_DEADLINE_MS = 3000;
/** Peer port: the longest line accepted before the hello (a hello is well under 1 KiB). */
export const PEER_MAX_HELLO_BYTES = 4096;
/** Peer port: an identified peer's connection that is silent this long is closed (live peers ping every 250 ms). */
export const PEER_IDLE_MS = 10_000;

/** HTTP port: connections of any kind (Node closes the ones beyond it at once). */
export const HTTP_MAX_CONNECTIONS = 2048;
/** HTTP port: connections that have not yet sent a complete request head; the oldest is closed to admit a new one. */
export const HTTP_MAX_UNPROVEN = 256;
/** HTTP port: bytes of request line and headers together (Node's --max-http-header-size for this server). */
export const HTTP_MAX_HEADER_BYTES = 16 * 1024;
/** HTTP port: header lines per request. */
export const HTTP_MAX_HEADERS_COUNT = 100;
/** HTTP port: the complete request head must arrive this soon (slowloris). Also the TLS handshake limit. */
export const HTTP_HEADERS_TIMEOUT_MS = 5000;
/** HTTP port: the complete request, body included, must arrive this soon (slow writers). */
export const HTTP_REQUEST_TIMEOUT_MS = 10_000;
/** HTTP port: a kept-alive connection with no request in progress is closed after this long. */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 5000;
/** HTTP port: a connection on which nothing moves in either direction (a reader that stopped reading) is closed. */
export const HTTP_IDLE_TIMEOUT_MS = 15_000;
/** HTTP port: how often Node checks the header and request timeouts. */
export const HTTP_TIMEOUT_CHECK_MS = 1000;
/** HTTP port: requests received on one connection and not yet answered (pipelining); beyond it the connection is closed. */
export const HTTP_MAX_PIPELINED = 16;
/** HTTP port: request bodies beyond this get 413 (http-api.ts DEFAULT_HTTP_OPTIONS). */
export const HTTP_MAX_BODY_BYTES = 1024 * 1024;

/** Both ports: connections closed for breaking a limit above within THROTTLE_WINDOW_MS that make their address refused (source-throttle.ts). */
export const THROTTLE_OFFENCES = 8;
export const THROTTLE_WINDOW_MS = 10_000;
/** Both ports: the first refusal of an address; each one that recurs doubles it, up to THROTTLE_MAX_PENALTY_MS. */
export const THROTTLE_FIRST_PENALTY_MS = 5000;
export const THROTTLE_MAX_PENALTY_MS = 300_000;
/** Both ports: after a refusal ends, this long without another and the next one is the first again. */
export const THROTTLE_FORGET_MS = 600_000;
/** Both ports: addresses remembered by the throttle (the least recently seen is forgotten). */
export const THROTTLE_MAX_SOURCES = 4096;
