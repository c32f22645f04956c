// Flags of the standalone mode, and the rule that picks the mode: --id/--port/--peers mean standalone,
// anything else stays a Maelstrom node.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { parseStandaloneConfig, wantsStandaloneMode, type StandaloneConfig } from '../../src/standalone/config.ts';

function parse(argv: string[], env: Record<string, string> = {}): StandaloneConfig {
  const c = parseStandaloneConfig(argv, env);
  if (c === 'help') throw new Error('unexpected help');
  return c;
}

describe('standalone mode selection', () => {
  it.each([
    [['--id', '1', '--port', '9001', '--peers', '9002,9003'], true],
    [['--peers=9002'], true],
    [['--port=9001'], true],
    [[], false],
    [['--election-timeout', '300', '--log-level', 'debug'], false],
    [['--data-dir', '/tmp/x', '--no-wal'], false],
  ])('%j -> standalone %s', (argv, expected) => {
    expect(wantsStandaloneMode(argv as string[])).toBe(expected);
  });
});

describe('standalone configuration', () => {
  it('takes bare ports as members on 127.0.0.1 known to Raft by address, with HTTP on port + 1000 and data in ./data/<id>', () => {
    const c = parse(['--id', '1', '--port', '9001', '--peers', '9002,9003']);
    expect(c.name).toBe('1');
    expect(c.self).toEqual({ raftId: '127.0.0.1:9001', address: { host: '127.0.0.1', port: 9001 } });
    expect(c.peers.map((p) => p.raftId)).toEqual(['127.0.0.1:9002', '127.0.0.1:9003']);
    expect(c.httpPort).toBe(10001);
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.dataDir).toBe('data/1');
  });

  it('spells localhost as 127.0.0.1 so that every node derives the same ids', () => {
    const c = parse(['--id', 'a', '--port', '9001', '--peers', 'localhost:9002,127.0.0.1:9003']);
    expect(c.peers.map((p) => p.raftId)).toEqual(['127.0.0.1:9002', '127.0.0.1:9003']);
  });

  it('takes NAME@HOST:PORT as members known to Raft by name, and then uses --id as its own Raft id', () => {
    const c = parse(['--id', 'n1', '--host', '10.0.0.1', '--port', '7000', '--peers', 'n2@10.0.0.2:7000,n3@10.0.0.3:7000', '--http-port', '8000', '--http-host', '0.0.0.0']);
    expect(c.self).toEqual({ raftId: 'n1', address: { host: '10.0.0.1', port: 7000 } });
    expect(c.peers).toEqual([
      { raftId: 'n2', address: { host: '10.0.0.2', port: 7000 } },
      { raftId: 'n3', address: { host: '10.0.0.3', port: 7000 } },
    ]);
    expect(c.httpPort).toBe(8000);
    expect(c.httpHost).toBe('0.0.0.0');
  });

  it('shares the timing and logging flags with the Maelstrom mode, in any order', () => {
    const c = parse(['--election-timeout', '300', '--id', '1', '--no-pre-vote', '--port', '9001', '--log-level=debug', '--peers', '9002,9003', '--data-dir', '/var/raft/1']);
    expect(c.shared).toMatchObject({ electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatIntervalMs: 50, preVote: false, logLevel: 'debug' });
    expect(c.dataDir).toBe('/var/raft/1');
  });

  it('ignores RAFT_DATA_DIR (the Maelstrom mode\'s temporary directory) but reads the other environment settings', () => {
    const c = parse(['--id', '1', '--port', '9001', '--peers', '9002'], { RAFT_DATA_DIR: 'none', RAFT_ELECTION_TIMEOUT_MS: '400' });
    expect(c.dataDir).toBe('data/1');
    expect(c.shared.electionTimeoutMinMs).toBe(400);
  });

  it('answers --help', () => {
    expect(parseStandaloneConfig(['--id', '1', '--help'], {})).toBe('help');
  });

  it.each([
    [['--port', '9001', '--peers', '9002'], /--id is required/],
    [['--id', '1', '--peers', '9002'], /--port is required/],
    [['--id', '1', '--port', '9001'], /--peers is required/],
    [['--id', '1', '--port', '70000', '--peers', '9002'], /port number/],
    [['--id', '1', '--port', '9001', '--peers', '9002,n3@h:9003'], /mixes/],
    [['--id', '1', '--port', '9001', '--peers', '9001,9002'], /appears twice/],
    [['--id', '1', '--port', '9001', '--peers', '9002', '--no-wal'], /not available in standalone mode/],
    [['--id', '../x', '--port', '9001', '--peers', '9002'], /--id must be/],
    [['--id', '1', '--port', '65000', '--peers', '9002'], /out of range/],
    [['--id', '1', '--port', '9001', '--peers', '9002', '--bogus'], /unknown argument/],
    [['--id', '1', '--port', '9001', '--peers', '9002', '--heartbeat-interval', '100'], /third/],
  ])('rejects %j clearly', (argv, message) => {
    expect(() => parseStandaloneConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => parseStandaloneConfig(argv as string[], {})).toThrow(message);
  });
});
