// The small pieces the cluster page depends on: --allow-admin-stop, the HTTP address a node gives
// its peers in its hello, and that hello on the wire (older hellos without it still parse).
import { describe, expect, it } from 'vitest';
import { parseStandaloneConfig, type StandaloneConfig } from '../../src/standalone/config.ts';
import { advertisedHttp } from '../../src/standalone/standalone-node.ts';
import { encodeLine, parseControlLine } from '../../src/standalone/wire.ts';

function parse(argv: string[]): StandaloneConfig {
  const c = parseStandaloneConfig(argv, {});
  if (c === 'help') throw new Error('unexpected help');
  return c;
}

const BASE = ['--id', '1', '--port', '9001', '--peers', '9002,9003'];

describe('--allow-admin-stop', () => {
  it('is off by default and takes no value', () => {
    expect(parse(BASE).allowAdminStop).toBe(false);
    const c = parse([...BASE.slice(0, 2), '--allow-admin-stop', ...BASE.slice(2), '--election-timeout', '400']);
    expect(c.allowAdminStop).toBe(true);
    expect(c.shared.electionTimeoutMinMs).toBe(400);
    expect(c.peers).toHaveLength(2);
  });
});

describe('the HTTP address in the hello', () => {
  it('is --http-host:--http-port, or the peer host when HTTP listens on every interface', () => {
    expect(advertisedHttp(parse(BASE))).toBe('127.0.0.1:10001');
    expect(advertisedHttp(parse([...BASE, '--host', '10.0.0.5', '--http-host', '0.0.0.0', '--http-port', '8080']))).toBe('10.0.0.5:8080');
    expect(advertisedHttp(parse([...BASE, '--http-host', '::1']))).toBe('[::1]:10001');
  });

  it('travels in the hello line, and a hello without it still parses', () => {
    const line = encodeLine({ type: 'hello', id: '127.0.0.1:9001', name: '1', http: '127.0.0.1:10001' }).trim();
    expect(parseControlLine(line)).toEqual({ type: 'hello', id: '127.0.0.1:9001', name: '1', http: '127.0.0.1:10001' });
    expect(parseControlLine('{"type":"hello","id":"a","name":"b"}')).toEqual({ type: 'hello', id: 'a', name: 'b' });
    expect(parseControlLine('{"type":"hello","id":"a","name":"b","http":7}')).toEqual({ type: 'hello', id: 'a', name: 'b' });
  });
});
