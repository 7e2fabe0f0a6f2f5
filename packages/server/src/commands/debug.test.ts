import { describe, expect, it } from 'vitest';
import { Harness, ReplyError, type TestClient } from '../testing/harness.js';

/**
 * DEBUG: the enable-debug-command gate and the subcommands aki implements.
 * Digests, DEBUG OBJECT and DEBUG PROTOCOL bytes were produced by
 * redis-server 7.0.15 from the same data (string digests are the same in 7.2).
 */

const DISABLED =
  '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';
const ZERO = '0'.repeat(40);
/** Redis's addReplySubcommandSyntaxError, which DEBUG uses for unknown subcommands and wrong argument counts. */
const subcommandError = (sub: string) =>
  `-ERR unknown subcommand or wrong number of arguments for '${sub}'. Try DEBUG HELP.\r\n`;

function debugHarness(now?: number): { h: Harness; c: TestClient } {
  const h = new Harness({ config: [['enable-debug-command', 'yes']], now });
  return { h, c: h.connect() };
}

const digest = (c: TestClient) => c.call('DEBUG', 'DIGEST') as string;

describe('the enable-debug-command gate', () => {
  // Redis defaults to "no"; aki deliberately defaults to "local" (DEBUG is
  // loopback-only unless configured otherwise, docs/RELIABILITY.md A4).
  it('allows DEBUG to local clients only by default', () => {
    const h = new Harness();
    expect(h.core.state.config.get('enable-debug-command')).toBe('local');
    expect(h.connect({ isLocal: false }).callBytes('DEBUG', 'DIGEST')).toBe(DISABLED);
    expect(h.connect({ isLocal: true }).callBytes('DEBUG', 'DIGEST')).toBe(`+${ZERO}\r\n`);
  });

  it('"no" refuses DEBUG even to local clients', () => {
    const h = new Harness({ config: [['enable-debug-command', 'no']] });
    expect(h.connect({ isLocal: true }).callBytes('DEBUG', 'DIGEST')).toBe(DISABLED);
    expect(h.connect({ isLocal: false }).callBytes('DEBUG', 'DIGEST')).toBe(DISABLED);
  });

  it('refuses before looking at the subcommand, but after the arity check', () => {
    const c = new Harness({ config: [['enable-debug-command', 'no']] }).connect();
    expect(c.callBytes('DEBUG', 'NOPE')).toBe(DISABLED);
    expect(c.callBytes('DEBUG', 'POPULATE', '10')).toBe(DISABLED);
    expect(c.callBytes('DEBUG')).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
  });

  it('"local" allows loopback / unix-socket clients only', () => {
    const h = new Harness({ config: [['enable-debug-command', 'local']] });
    expect(h.connect({ isLocal: false }).callBytes('DEBUG', 'DIGEST')).toBe(DISABLED);
    expect(h.connect({ isLocal: true }).callBytes('DEBUG', 'DIGEST')).toBe(`+${ZERO}\r\n`);
  });

  it('"yes" allows every client', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    expect(h.connect({ isLocal: false }).callBytes('DEBUG', 'DIGEST')).toBe(`+${ZERO}\r\n`);
  });

  it('a refused POPULATE writes nothing', () => {
    const h = new Harness({ config: [['enable-debug-command', 'local']] });
    h.connect({ isLocal: false }).call('DEBUG', 'POPULATE', '5');
    expect(h.core.state.keyspace.size).toBe(0);
    expect(h.takeEffects()).toEqual([]);
  });

  it('is refused before AUTH', () => {
    const c = new Harness({ config: [['enable-debug-command', 'yes'], ['requirepass', 'pw']] }).connect();
    expect(c.callBytes('DEBUG', 'DIGEST')).toBe('-NOAUTH Authentication required.\r\n');
  });
});

describe('DEBUG DIGEST', () => {
  it('is 40 zeros, as a status reply, for an empty dataset', () => {
    const { c } = debugHarness();
    expect(c.callBytes('DEBUG', 'DIGEST')).toBe(`+${ZERO}\r\n`);
  });

  it('equals Redis\'s digest of the same data', () => {
    const { h, c } = debugHarness();
    const db0 = h.core.state.keyspace.db(0);
    db0.set('a', '1', undefined, h.now);
    db0.set('b', 'hello', undefined, h.now);
    expect(digest(c)).toBe('2539797405e828ad7a3aa48c536b3eaf2803a421');
    db0.set('b', 'hello', 99_999_999_999_999, h.now);
    expect(digest(c)).toBe('669dc7955c0119edb82e7cfeb40ea4a28f89f902');
  });

  it('covers every database, mixing in the database number', () => {
    const { h, c } = debugHarness();
    const ks = h.core.state.keyspace;
    ks.db(0).set('a', '1', undefined, h.now);
    ks.db(3).set('x', 'y', undefined, h.now);
    ks.db(3).set('n', '12345678901', undefined, h.now);
    expect(digest(c)).toBe('655b3dedb64c78662c4bf38fb7a819bc30ef5df7');
  });

  it('is equal for equal datasets, whatever the order of writes', () => {
    const one = debugHarness();
    const two = debugHarness();
    one.c.call('SET', 'k1', 'v1');
    one.c.call('SET', 'k2', 'v2');
    two.c.call('SET', 'k2', 'v2');
    two.c.call('SET', 'k1', 'v1');
    expect(digest(one.c)).toBe(digest(two.c));
    expect(digest(one.c)).not.toBe(ZERO);
  });

  it('changes on every write and comes back when the data does', () => {
    const { c } = debugHarness();
    c.call('SET', 'k', 'v');
    const base = digest(c);
    c.call('SET', 'k', 'w');
    const changedValue = digest(c);
    expect(changedValue).not.toBe(base);
    c.call('SET', 'k', 'v');
    expect(digest(c)).toBe(base);
    c.call('SET', 'other', 'v');
    expect(digest(c)).not.toBe(base);
    c.call('DEL', 'other');
    expect(digest(c)).toBe(base);
  });

  it('distinguishes the same key in another database, and keys from values', () => {
    const a = debugHarness();
    const b = debugHarness();
    const c = debugHarness();
    a.h.core.state.keyspace.db(0).set('k', 'v', undefined, a.h.now);
    b.h.core.state.keyspace.db(1).set('k', 'v', undefined, b.h.now);
    c.h.core.state.keyspace.db(0).set('v', 'k', undefined, c.h.now);
    expect(new Set([digest(a.c), digest(b.c), digest(c.c)]).size).toBe(3);
  });

  it('depends on whether a key has a TTL, not on the TTL itself', () => {
    const { h, c } = debugHarness();
    const db = h.core.state.keyspace.db(0);
    db.set('k', 'v', undefined, h.now);
    const persistent = digest(c);
    db.set('k', 'v', h.now + 10_000, h.now);
    const expiring = digest(c);
    expect(expiring).not.toBe(persistent);
    db.set('k', 'v', h.now + 99_000, h.now);
    expect(digest(c)).toBe(expiring);
  });
});

describe('DEBUG DIGEST-VALUE', () => {
  it('gives Redis\'s per-value digests, zeros for missing keys, in the client\'s database', () => {
    const { h, c } = debugHarness();
    const ks = h.core.state.keyspace;
    ks.db(0).set('a', '1', undefined, h.now);
    ks.db(0).set('b', 'hello', undefined, h.now);
    ks.db(3).set('n', '12345678901', undefined, h.now);
    ks.db(3).set('x', 'y', undefined, h.now);
    expect(c.callBytes('DEBUG', 'DIGEST-VALUE', 'a', 'b', 'nokey')).toBe(
      '*3\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n+36b23a1456b2dce2c3ed252c456761301dba8060\r\n' +
        `+${ZERO}\r\n`,
    );
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'n')).toEqual([ZERO]);
    c.call('SELECT', '3');
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'n', 'x')).toEqual([
      '01da988100ae51f642f9236f868f2091d2c38123',
      '5de2ea9d5ffab1d9674bdd0e51d2eff013a722cc',
    ]);
  });

  it('mixes in the presence of a TTL', () => {
    const { h, c } = debugHarness();
    h.core.state.keyspace.db(0).set('b', 'hello', 99_999_999_999_999, h.now);
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'b')).toEqual(['d037c4eb8a8b36b602fbced4000daeab0714c1e3']);
  });

  it('does not depend on the key name', () => {
    const { c } = debugHarness();
    c.call('SET', 'one', 'same');
    c.call('SET', 'two', 'same');
    const [x, y] = c.call('DEBUG', 'DIGEST-VALUE', 'one', 'two') as string[];
    expect(x).toBe(y);
  });

  it('answers an empty array for no keys', () => {
    const { c } = debugHarness();
    expect(c.callBytes('DEBUG', 'DIGEST-VALUE')).toBe('*0\r\n');
  });

  // Redis (debug.c): "We don't use lookupKey because a debug command should
  // work on logically expired keys" -- DIGEST-VALUE and OBJECT read the raw
  // table, so a key past its TTL but not yet removed is still shown, and
  // nothing is deleted or propagated.
  it('reads a logically expired key that is not removed yet, without expiring it, as Redis does', () => {
    const { h, c } = debugHarness();
    const db = h.core.state.keyspace.db(0);
    db.set('b', 'hello', h.now + 100, h.now);
    h.advance(100);
    h.takeEffects();
    expect(c.call('DEBUG', 'DIGEST-VALUE', 'b')).toEqual(['d037c4eb8a8b36b602fbced4000daeab0714c1e3']);
    expect(c.call('DEBUG', 'OBJECT', 'b')).toMatch(/^Value at:\S+ refcount:\d+ encoding:embstr serializedlength:6 /);
    expect(db.peek('b')).toBe('hello');
    expect(h.takeEffects()).toEqual([]);
  });
});

describe('DEBUG POPULATE', () => {
  it('creates count keys key:N with values value:N', () => {
    const { h, c } = debugHarness();
    expect(c.callBytes('DEBUG', 'POPULATE', '3')).toBe('+OK\r\n');
    const db = h.core.state.keyspace.db(0);
    expect(db.size).toBe(3);
    expect([0, 1, 2].map((i) => db.lookup(`key:${i}`, h.now))).toEqual(['value:0', 'value:1', 'value:2']);
  });

  it('uses the prefix, and pads with zero bytes or cuts values to the size', () => {
    const { h, c } = debugHarness();
    c.call('DEBUG', 'POPULATE', '2', 'p', '3');
    c.call('DEBUG', 'POPULATE', '1', 'q', '12');
    const db = h.core.state.keyspace.db(0);
    expect(db.lookup('p:0', h.now)).toBe('val');
    expect(db.lookup('p:1', h.now)).toBe('val');
    expect(db.lookup('q:0', h.now)).toBe('value:0\0\0\0\0\0');
  });

  it('builds the same dataset as Redis (digest of a mixed dataset)', () => {
    const { h, c } = debugHarness();
    const db = h.core.state.keyspace.db(0);
    db.set('a', '1', undefined, h.now);
    db.set('b', 'hello', 99_999_999_999_999, h.now);
    c.call('DEBUG', 'POPULATE', '3');
    c.call('DEBUG', 'POPULATE', '2', 'p', '3');
    c.call('DEBUG', 'POPULATE', '2', 'q', '12');
    expect(db.size).toBe(9);
    expect(digest(c)).toBe('e3ee3cf90223058b8ce2568662ec72f2d22e1b5e');
  });

  it('writes into the client\'s database', () => {
    const { h, c } = debugHarness();
    c.call('SELECT', '5');
    c.call('DEBUG', 'POPULATE', '2', 'p');
    expect(h.core.state.keyspace.db(5).size).toBe(2);
    expect(h.core.state.keyspace.db(0).size).toBe(0);
    expect(digest(c)).not.toBe(ZERO);
  });

  it('skips keys that exist, keeping their values', () => {
    const { h, c } = debugHarness();
    c.call('DEBUG', 'POPULATE', '1', 'k');
    c.call('SET', 'k:0', 'changed');
    h.takeEffects();
    c.call('DEBUG', 'POPULATE', '2', 'k');
    expect(c.call('GET', 'k:0')).toBe('changed');
    expect(c.call('GET', 'k:1')).toBe('value:1');
    expect(h.takeEffects()).toEqual([['SET', 'k:1', 'value:1']]);
  });

  it('propagates the created keys as SETs, several in one MULTI/EXEC', () => {
    const { h, c } = debugHarness();
    c.call('DEBUG', 'POPULATE', '3', 'x', '2');
    expect(h.takeEffects()).toEqual([
      ['SELECT', '0'],
      ['MULTI'],
      ['SET', 'x:0', 'va'],
      ['SET', 'x:1', 'va'],
      ['SET', 'x:2', 'va'],
      ['EXEC'],
    ]);
  });

  it('does nothing for count 0', () => {
    const { h, c } = debugHarness();
    expect(c.callBytes('DEBUG', 'POPULATE', '0')).toBe('+OK\r\n');
    expect(h.core.state.keyspace.size).toBe(0);
    expect(h.takeEffects()).toEqual([]);
  });

  // Redis: "if (valsize==0) val = createStringObject(buf,strlen(buf))" -- a
  // size of 0 means "no size", not empty values.
  it('treats size 0 as no size, as Redis does', () => {
    const { h, c } = debugHarness();
    c.call('DEBUG', 'POPULATE', '1', 'z', '0');
    expect(h.core.state.keyspace.db(0).lookup('z:0', h.now)).toBe('value:0');
  });

  // Redis parses count and size with getPositiveLongFromObjectOrReply.
  it('rejects a negative or non-numeric count or size with Redis\'s message', () => {
    const { c } = debugHarness();
    const message = '-ERR value is out of range, must be positive\r\n';
    expect(c.callBytes('DEBUG', 'POPULATE', '-1')).toBe(message);
    expect(c.callBytes('DEBUG', 'POPULATE', 'abc')).toBe(message);
    expect(c.callBytes('DEBUG', 'POPULATE', '2', 'r', '-1')).toBe(message);
    expect(c.callBytes('DEBUG', 'POPULATE', '2', 'r', 'x')).toBe(message);
  });

  it('writes nothing when an argument is invalid', () => {
    const { h, c } = debugHarness();
    c.call('DEBUG', 'POPULATE', '-1');
    c.call('DEBUG', 'POPULATE', '2', 'r', 'x');
    expect(h.core.state.keyspace.size).toBe(0);
    expect(h.takeEffects()).toEqual([]);
  });
});

describe('DEBUG OBJECT', () => {
  it('reports the string encoding and serialized length Redis reports', () => {
    const { h, c } = debugHarness();
    const db = h.core.state.keyspace.db(0);
    const cases: Array<[string, string, number]> = [
      ['1', 'int', 2],
      ['-5', 'int', 2],
      ['1000', 'int', 3],
      ['100000', 'int', 5],
      ['12345678901', 'int', 12],
      ['-9223372036854775808', 'int', 21],
      ['007', 'embstr', 4],
      ['hello', 'embstr', 6],
      ['', 'embstr', 1],
      ['abcdefghijklmnopqrs', 'embstr', 20],
      ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123', 'raw', 57],
    ];
    for (const [value, encoding, length] of cases) {
      db.set('k', value, undefined, h.now);
      const reply = c.call('DEBUG', 'OBJECT', 'k');
      expect(reply, value).toMatch(
        new RegExp(`^Value at:\\S+ refcount:\\d+ encoding:${encoding} serializedlength:${length} lru:\\d+ lru_seconds_idle:\\d+$`),
      );
    }
  });

  it('replies with a status line', () => {
    const { c } = debugHarness();
    c.call('SET', 'k', 'v');
    expect(c.callBytes('DEBUG', 'OBJECT', 'k').startsWith('+Value at:')).toBe(true);
  });

  it('answers ERR no such key for a missing key', () => {
    const { c } = debugHarness();
    expect(c.callBytes('DEBUG', 'OBJECT', 'nokey')).toBe('-ERR no such key\r\n');
  });
});

describe('DEBUG PROTOCOL', () => {
  const RESP2: Array<[string, string]> = [
    ['string', '$11\r\nHello World\r\n'],
    ['integer', ':12345\r\n'],
    ['double', '$5\r\n3.141\r\n'],
    ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n'],
    ['null', '$-1\r\n'],
    ['array', '*3\r\n:0\r\n:1\r\n:2\r\n'],
    ['set', '*3\r\n:0\r\n:1\r\n:2\r\n'],
    ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n'],
    ['attrib', '$39\r\nSome real reply following the attribute\r\n'],
    ['push', '-ERR RESP2 is not supported by this command\r\n'],
    ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n'],
    ['true', ':1\r\n'],
    ['false', ':0\r\n'],
  ];
  const RESP3: Array<[string, string]> = [
    ['string', '$11\r\nHello World\r\n'],
    ['integer', ':12345\r\n'],
    ['double', ',3.141\r\n'],
    ['bignum', '(1234567999999999999999999999999999999\r\n'],
    ['null', '_\r\n'],
    ['array', '*3\r\n:0\r\n:1\r\n:2\r\n'],
    ['set', '~3\r\n:0\r\n:1\r\n:2\r\n'],
    ['map', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
    ['attrib', '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n'],
    ['push', '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n'],
    ['verbatim', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
    ['true', '#t\r\n'],
    ['false', '#f\r\n'],
  ];

  it('replies with Redis\'s exact RESP2 bytes for each type', () => {
    const { c } = debugHarness();
    for (const [type, bytes] of RESP2) expect(c.callBytes('DEBUG', 'PROTOCOL', type), type).toBe(bytes);
  });

  it('replies with Redis\'s exact RESP3 bytes for each type', () => {
    const { c } = debugHarness();
    c.call('HELLO', '3');
    for (const [type, bytes] of RESP3) expect(c.callBytes('DEBUG', 'PROTOCOL', type), type).toBe(bytes);
  });

  it('accepts the type in any case', () => {
    const { c } = debugHarness();
    expect(c.callBytes('DEBUG', 'PROTOCOL', 'STRING')).toBe('$11\r\nHello World\r\n');
  });

  it('rejects unknown types, listing the valid ones', () => {
    const { c } = debugHarness();
    expect(c.callBytes('DEBUG', 'PROTOCOL', 'nope')).toBe(
      '-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n',
    );
  });
});

describe('DEBUG SLEEP', () => {
  it('blocks the server for the given (fractional) seconds, then replies +OK', () => {
    const { c } = debugHarness();
    const started = performance.now();
    expect(c.callBytes('DEBUG', 'SLEEP', '0.05')).toBe('+OK\r\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('returns at once for 0 or a negative time', () => {
    const { c } = debugHarness();
    const started = performance.now();
    expect(c.callBytes('DEBUG', 'SLEEP', '0')).toBe('+OK\r\n');
    expect(c.callBytes('DEBUG', 'SLEEP', '-1')).toBe('+OK\r\n');
    expect(performance.now() - started).toBeLessThan(40);
  });
});

describe('DEBUG SET-ACTIVE-EXPIRE', () => {
  it('0 stops the active expiry cycle and 1 resumes it', () => {
    const { h, c } = debugHarness();
    const ks = h.core.state.keyspace;
    ks.db(0).set('k', 'v', h.now + 10, h.now);
    h.advance(10);
    expect(c.callBytes('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    expect(ks.activeExpireEnabled).toBe(false);
    expect(ks.activeExpireCycle(h.now, 10)).toBe(0);
    expect(ks.db(0).size).toBe(1);
    expect(c.callBytes('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('+OK\r\n');
    expect(ks.activeExpireEnabled).toBe(true);
    expect(ks.activeExpireCycle(h.now, 10)).toBe(1);
    expect(ks.db(0).size).toBe(0);
  });
});

describe('DEBUG HELP and unknown subcommands', () => {
  it('HELP lists the subcommands aki implements, framed like Redis help replies', () => {
    const { c } = debugHarness();
    const help = c.call('DEBUG', 'HELP') as string[];
    expect(help[0]).toBe('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Print this help.']);
    for (const sub of ['DIGEST', 'DIGEST-VALUE', 'OBJECT', 'POPULATE', 'PROTOCOL', 'SET-ACTIVE-EXPIRE', 'SLEEP']) {
      expect(help.some((line) => line === sub || line.startsWith(`${sub} `)), sub).toBe(true);
    }
    expect(c.call('debug', 'help')).toEqual(help);
  });

  // Redis 7 has no per-subcommand arity for DEBUG: any form it does not
  // recognise gets addReplySubcommandSyntaxError, quoting argv[1] as sent.
  it('rejects unknown subcommands and wrong argument counts with Redis\'s message', () => {
    const { c } = debugHarness();
    const cases: string[][] = [
      ['NOPE'],
      ['help', 'x'],
      ['DIGEST', 'x'],
      ['POPULATE'],
      ['POPULATE', '2', 'r', '1', 'extra'],
      ['OBJECT'],
      ['OBJECT', 'a', 'b'],
      ['PROTOCOL'],
      ['SLEEP'],
      ['SLEEP', '0', 'x'],
      ['SET-ACTIVE-EXPIRE'],
    ];
    const wrong = cases.filter((args) => c.callBytes('DEBUG', ...args) !== subcommandError(args[0]!));
    expect(wrong).toEqual([]);
  });

  it('counts a refused or failed DEBUG as an error reply', () => {
    const { c } = debugHarness();
    c.call('DEBUG', 'NOPE');
    expect(c.call('INFO', 'errorstats')).toContain('errorstat_ERR:count=1');
  });

  it('keeps the connection open after errors', () => {
    const { c } = debugHarness();
    expect(c.call('DEBUG', 'OBJECT', 'nokey')).toEqual(new ReplyError('ERR no such key'));
    expect(c.closed).toBe(false);
    expect(c.call('PING')).toBe('PONG');
  });
});
