import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('defaults to 150-300 ms timeouts and 50 ms heartbeats', () => {
    expect(parseConfig([], {})).toEqual(DEFAULT_CONFIG);
  });

  it('takes T from a flag as the range [T, 2T] and scales the heartbeat down to T/3 when needed', () => {
    const c = parseConfig(['--election-timeout', '60'], {});
    expect(c).toMatchObject({ electionTimeoutMinMs: 60, electionTimeoutMaxMs: 120, heartbeatIntervalMs: 20 });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { RAFT_ELECTION_TIMEOUT_MS: '500', RAFT_HEARTBEAT_MS: '100', RAFT_LOG: 'debug' };
    expect(parseConfig([], env)).toMatchObject({ electionTimeoutMinMs: 500, electionTimeoutMaxMs: 1000, heartbeatIntervalMs: 100, logLevel: 'debug' });
    expect(parseConfig(['--heartbeat-interval=40'], env)).toMatchObject({ heartbeatIntervalMs: 40 });
  });

  it('snapshots every 10,000 entries by default; --snapshot-threshold (or RAFT_SNAPSHOT_THRESHOLD) changes it, 0 turns it off', () => {
    expect(DEFAULT_CONFIG.snapshotThreshold).toBe(10_000);
    expect(parseConfig(['--snapshot-threshold', '100'], {})).toMatchObject({ snapshotThreshold: 100 });
    expect(parseConfig([], { RAFT_SNAPSHOT_THRESHOLD: '0' })).toMatchObject({ snapshotThreshold: 0 });
    expect(parseConfig(['--snapshot-threshold=50'], { RAFT_SNAPSHOT_THRESHOLD: '7' })).toMatchObject({ snapshotThreshold: 50 });
  });

  it('every timeout has a flag and an environment variable; --fixed-timing switches adaptation off', () => {
    expect(parseConfig([], {})).toMatchObject({ checkQuorumWindowMs: 150, serviceTimeoutMs: 1000, forwardTimeoutMs: 1000, clientTimeoutMs: 1000, fixedTiming: false });
    expect(parseConfig(['--election-timeout', '400'], {})).toMatchObject({ checkQuorumWindowMs: 400 });
    const env = { RAFT_CHECK_QUORUM_WINDOW_MS: '300', RAFT_SERVICE_TIMEOUT_MS: '2000', RAFT_FORWARD_TIMEOUT_MS: '700', RAFT_CLIENT_TIMEOUT_MS: '1500', RAFT_FIXED_TIMING: '1' };
    expect(parseConfig([], env)).toMatchObject({ checkQuorumWindowMs: 300, serviceTimeoutMs: 2000, forwardTimeoutMs: 700, clientTimeoutMs: 1500, fixedTiming: true });
    expect(parseConfig(['--service-timeout', '3000', '--forward-timeout=900', '--client-timeout', '2500', '--check-quorum-window', '450', '--fixed-timing'], {})).toMatchObject({
      serviceTimeoutMs: 3000, forwardTimeoutMs: 900, clientTimeoutMs: 2500, checkQuorumWindowMs: 450, fixedTiming: true,
    });
    expect(() => parseConfig(['--service-timeout', '0'], {})).toThrow(/positive/);
  });

  it.each([
    [['--snapshot-threshold', '1.5'], /whole number/],
    [['--snapshot-threshold', '-1'], /whole number/],
    [['--heartbeat-interval', '60'], /third/],
    [['--election-timeout-min', '400', '--election-timeout-max', '300'], /greater than max/],
    [['--election-timeout', '-5'], /positive/],
    [['--election-timeout'], /needs a value/],
    [['--log-level', 'loud'], /log level/],
    [['--bogus'], /unknown argument/],
  ])('rejects %j clearly', (argv, message) => {
    expect(() => parseConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], {})).toThrow(message);
  });
});
