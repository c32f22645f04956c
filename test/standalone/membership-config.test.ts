// --join: a new member starts empty and asks a running cluster to add it; --peers only seeds.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { parseStandaloneConfig, wantsStandaloneMode, type StandaloneConfig } from '../../src/standalone/config.ts';
import { decodeMemberContext, encodeMemberContext } from '../../src/standalone/member-context.ts';

function parse(argv: string[]): StandaloneConfig {
  const c = parseStandaloneConfig(argv, {});
  if (c === 'help') throw new Error('unexpected help');
  return c;
}

describe('--join', () => {
  it('starts an address-form node with no peers, known to Raft by its address', () => {
    const c = parse(['--id', '4', '--port', '9004', '--join', '127.0.0.1:9001']);
    expect(c.join).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(c.named).toBe(false);
    expect(c.peers).toEqual([]);
    expect(c.self.raftId).toBe('127.0.0.1:9004');
    expect(wantsStandaloneMode(['--join', '9001'])).toBe(true);
  });

  it('takes NAME@HOST:PORT for a cluster whose members are named, and then uses --id as the Raft id', () => {
    const c = parse(['--id', '4', '--port', '9004', '--join', '1@localhost:9001']);
    expect(c.join).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(c.named).toBe(true);
    expect(c.self.raftId).toBe('4');
  });

  it('refuses --join together with --peers, and its own address', () => {
    expect(() => parse(['--id', '4', '--port', '9004', '--join', '9001', '--peers', '9002'])).toThrow(/not both/);
    expect(() => parse(['--id', '4', '--port', '9004', '--join', '127.0.0.1:9004'])).toThrow(/own address/);
    expect(() => parse(['--id', '4', '--port', '9004'])).toThrow(ConfigError);
  });

  it('keeps a fixed cluster as it was: --peers seeds the members, no join', () => {
    const c = parse(['--id', '1', '--port', '9001', '--peers', '9002,9003']);
    expect(c.join).toBeNull();
    expect(c.named).toBe(false);
  });
});

describe('member context (what a configuration entry keeps about a member)', () => {
  it('is the member\'s peer address, and reads NAME@HOST:PORT too', () => {
    expect(encodeMemberContext({ host: '10.0.0.2', port: 7000 })).toBe('10.0.0.2:7000');
    expect(decodeMemberContext(encodeMemberContext({ host: '10.0.0.2', port: 7000 }))).toEqual({ name: null, address: { host: '10.0.0.2', port: 7000 } });
    expect(decodeMemberContext('4@127.0.0.1:9004')).toEqual({ name: '4', address: { host: '127.0.0.1', port: 9004 } });
  });

  it('says null for a context it cannot read', () => {
    expect(decodeMemberContext('not an address')).toBeNull();
    expect(decodeMemberContext('@127.0.0.1:1')).toBeNull();
  });
});
