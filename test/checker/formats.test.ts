// The readers of the four recorded formats and of our history.jsonl, on small inline samples of
// each edge case listed in test/fixtures/histories/README.md.
import { describe, expect, it } from 'vitest';
import { EdnKeyword, EdnMap, EdnSet, EdnSymbol, readAllEdn } from '../../maelstrom/checker/formats/edn.ts';
import { EdnError, guessFormat, HistoryParseError, parseHistory, SINGLE_REGISTER_KEY } from '../../maelstrom/checker/formats/index.ts';
import { checkLinKv } from '../../maelstrom/checker/index.ts';

const R = SINGLE_REGISTER_KEY;

describe('EDN reader', () => {
  it('reads comments, commas, lists, vectors, maps, sets, keywords, nil, strings and numbers', () => {
    const [vector, list, map, set, symbol] = readAllEdn(`
      ; a comment [not data]
      [1, -2 3.5 nil true false "a \\"q\\" ; not a comment\\n"] (:k [4 [5 6]])
      {:a 1, :b "x" :c nil} #{1 2} foo`);
    expect(vector).toEqual([1, -2, 3.5, null, true, false, 'a "q" ; not a comment\n']);
    expect(list).toEqual([new EdnKeyword('k'), [4, [5, 6]]]);
    expect(map).toBeInstanceOf(EdnMap);
    expect((map as EdnMap).get('b')).toBe('x');
    expect((map as EdnMap).get('c')).toBeNull();
    expect((map as EdnMap).get('missing')).toBeUndefined();
    expect(set).toEqual(new EdnSet([1, 2]));
    expect(symbol).toEqual(new EdnSymbol('foo'));
  });

  it('reports where it stopped on bad input', () => {
    expect(() => readAllEdn('[1 2')).toThrow(EdnError);
    expect(() => readAllEdn('{:a 1\n :b}')).toThrow(/even number.*line 2/);
    expect(() => readAllEdn('"open')).toThrow(/unterminated string/);
  });
});

describe('knossos-edn', () => {
  const text = `({:type :invoke, :f :read, :value nil, :process 1}
 ; a comment between maps
 {:process :nemesis,
  :type :info,
  :f :start,
  :value "Cut off [:n3 #[:n4 :n5]]"}
 {:type :invoke :f :write :value 4 :process 2}
 {:type :ok, :f :read, :value 3, :process 1, :time 12345}
 {:type :fail, :f :write, :value 4, :process 2, :error [:timeout nil]})`;

  it('keeps nemesis entries apart, keys every client op on the single register, keeps :time and :error', () => {
    const ops = parseHistory(text, 'knossos-edn');
    expect(ops).toHaveLength(5);
    expect(ops[1]).toMatchObject({ process: 'nemesis', type: 'info', f: 'start' });
    expect(ops[2]).toMatchObject({ process: 2, type: 'invoke', f: 'write', value: [R, 4] });
    expect(ops[3]).toMatchObject({ process: 1, type: 'ok', f: 'read', value: [R, 3], time: 12345 });
    expect(ops[4]).toMatchObject({ type: 'fail', error: [':timeout', null] });
    // Nothing wrote 3 (the only write, of 4, failed), so the read of 3 cannot be explained.
    expect(checkLinKv(ops).valid).toBe(false);
  });

  it('rejects a file that is not one collection of maps', () => {
    expect(() => parseHistory('{:process 1} {:process 2}', 'knossos-edn')).toThrow(HistoryParseError);
    expect(() => parseHistory('[{:process 1, :type :begin, :f :read}]', 'knossos-edn')).toThrow(/unknown type/);
  });
});

describe('knossos-edn-tuples', () => {
  it('reads [process type f [key v] reason?] lines', () => {
    const ops = parseHistory('[81\t:invoke\t:read\t[8 nil]]\n[47\t:invoke\t:cas\t[4 [0 2]]]\n[47\t:info\t:cas\t[4 [0 2]]\t:socket-read]\n', 'knossos-edn-tuples');
    expect(ops.map((o) => [o.process, o.type, o.f, o.value])).toEqual([
      [81, 'invoke', 'read', [8, null]],
      [47, 'invoke', 'cas', [4, [0, 2]]],
      [47, 'info', 'cas', [4, [0, 2]]],
    ]);
    expect(ops[2]?.error).toBe(':socket-read');
  });
});

describe('jepsen-log', () => {
  const log = [
    'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 0\t:ok\t:read\tnil',
    'some other log line',
    'INFO  jepsen.util - 3   :invoke :cas [1 4]',
    'INFO  jepsen.util - 3\t:info\t:cas\t:timed-out',
    'INFO  jepsen.util - 2\t:invoke\t:write\t4',
    'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    'INFO  jepsen.util - 5\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 5\t:fail\t:read\t:timed-out',
    'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
    '',
  ].join('\n');

  it('splits on any whitespace, takes timed-out arguments from the invoke, and turns a timed-out read into info', () => {
    const ops = parseHistory(log, 'jepsen-log');
    expect(ops.map((o) => [o.process, o.type, o.f, o.value])).toEqual([
      [0, 'invoke', 'read', [R, null]],
      [0, 'ok', 'read', [R, null]],
      [3, 'invoke', 'cas', [R, [1, 4]]],
      [3, 'info', 'cas', [R, [1, 4]]],
      [2, 'invoke', 'write', [R, 4]],
      [2, 'info', 'write', [R, 4]],
      [5, 'invoke', 'read', [R, null]],
      [5, 'info', 'read', [R, null]],
      ['nemesis', 'info', 'start', 'nil'],
    ]);
    expect(checkLinKv(ops).valid).toBe(true);
  });

  it('rejects a malformed event line', () => {
    expect(() => parseHistory('INFO  jepsen.util - x :ok :read 1', 'jepsen-log')).toThrow(/bad process/);
  });
});

describe('porcupine-kv-edn', () => {
  it('maps get/put/append onto read/write/append with the key in the value', () => {
    const ops = parseHistory('{:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}\n{:process 0, :type :ok, :f :get, :key "4", :value ""}\n', 'porcupine-kv-edn');
    expect(ops.map((o) => [o.f, o.value])).toEqual([['append', ['4', 'x 0 1 y']], ['read', ['4', '']]]);
  });
});

describe('history.jsonl', () => {
  it('reads one HistoryOp per line and validates the shape', () => {
    const line = { index: 0, time: 5, process: 1, type: 'invoke', f: 'write', value: ['k', 3], node: 'n1' };
    expect(parseHistory(JSON.stringify(line) + '\n\n', 'jsonl')).toEqual([line]);
    expect(() => parseHistory('{"index":0,"time":0,"process":1,"type":"done","f":"read","value":null}', 'jsonl')).toThrow(/bad type/);
    expect(() => parseHistory('{not json', 'jsonl')).toThrow(/line 1/);
  });
});

describe('format guessing', () => {
  it.each([
    ['h.jsonl', '{"index":0}', 'jsonl'],
    ['etcd_000.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil', 'jepsen-log'],
    ['c01-ok.txt', '{:process 0, :type :invoke, :f :get, :key "0", :value nil}', 'porcupine-kv-edn'],
    ['memstress3.edn', '[81\t:invoke\t:read\t[8 nil]]', 'knossos-edn-tuples'],
    ['a.edn', '; comment\n[{:process 0, :type :invoke}]', 'knossos-edn'],
    ['b.edn', '({:type :invoke})', 'knossos-edn'],
  ])('%s', (path, text, expected) => {
    expect(guessFormat(path, text)).toBe(expected);
  });
});
