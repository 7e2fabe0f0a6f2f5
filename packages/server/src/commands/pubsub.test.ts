import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness, ReplyError, type TestClient } from '../testing/harness.js';

/*
 * Pub/sub through the in-process harness. Reply bytes, counts, orders and
 * error texts were checked against redis-server 7.0.15 (raw RESP). Where the
 * type of a reply matters (RESP3 push `>` vs array `*`) the exact bytes are
 * asserted; the harness decodes pushes as plain arrays otherwise.
 */

const err = (message: string) => new ReplyError(message);
const refused = (name: string) =>
  err(`ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);

/** RESP bulk string bytes. */
const b = (s: string) => `$${s.length}\r\n${s}\r\n`;
/** A RESP2 array / RESP3 push of bulk strings and a trailing integer, as confirmations are. */
const frame = (head: '*' | '>', ...parts: Array<string | number | null>) =>
  `${head}${parts.length}\r\n${parts
    .map((p) => (typeof p === 'number' ? `:${p}\r\n` : p === null ? (head === '>' ? '_\r\n' : '$-1\r\n') : b(p)))
    .join('')}`;

let h: Harness;
let c: TestClient;

beforeEach(() => {
  h = new Harness();
  c = h.connect();
});

function resp3(client: TestClient): TestClient {
  client.call('HELLO', '3');
  return client;
}

describe('SUBSCRIBE / UNSUBSCRIBE', () => {
  it('confirms each channel in RESP2, repeats included, with the running count', () => {
    expect(c.callBytes('SUBSCRIBE', 'a', 'b', 'a')).toBe(
      frame('*', 'subscribe', 'a', 1) + frame('*', 'subscribe', 'b', 2) + frame('*', 'subscribe', 'a', 2),
    );
  });

  it('uses RESP3 pushes for confirmations', () => {
    resp3(c);
    expect(c.callBytes('SUBSCRIBE', 'ch')).toBe(frame('>', 'subscribe', 'ch', 1));
    expect(c.callBytes('UNSUBSCRIBE', 'ch')).toBe(frame('>', 'unsubscribe', 'ch', 0));
    expect(c.callBytes('UNSUBSCRIBE')).toBe('>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n');
  });

  it('answers an argument-less unsubscribe with a nil name when nothing is subscribed', () => {
    expect(c.callBytes('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
    expect(c.callBytes('PUNSUBSCRIBE')).toBe('*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n');
    expect(c.callBytes('SUNSUBSCRIBE')).toBe('*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n');
  });

  it('counts channels plus patterns; shard channels count on their own', () => {
    expect(c.callRaw(['SUBSCRIBE', 'a', 'b'])).toEqual([
      ['subscribe', 'a', 1],
      ['subscribe', 'b', 2],
    ]);
    expect(c.callRaw(['PSUBSCRIBE', 'p*'])).toEqual([['psubscribe', 'p*', 3]]);
    expect(c.callRaw(['SSUBSCRIBE', 's1'])).toEqual([['ssubscribe', 's1', 1]]);
    // Not subscribed to zz: still confirmed, count unchanged.
    expect(c.callRaw(['UNSUBSCRIBE', 'zz'])).toEqual([['unsubscribe', 'zz', 3]]);
    expect(c.callRaw(['UNSUBSCRIBE'])).toEqual([
      ['unsubscribe', 'a', 2],
      ['unsubscribe', 'b', 1],
    ]);
    expect(c.callRaw(['PUNSUBSCRIBE'])).toEqual([['punsubscribe', 'p*', 0]]);
    // The shard subscription alone keeps the client in subscribed mode.
    expect(c.call('GET', 'x')).toEqual(refused('get'));
    expect(c.callRaw(['SUNSUBSCRIBE'])).toEqual([['sunsubscribe', 's1', 0]]);
    expect(c.call('GET', 'x')).toBeNull();
    expect(c.callRaw(['SUNSUBSCRIBE'])).toEqual([['sunsubscribe', null, 0]]);
  });

  it('UNSUBSCRIBE without arguments leaves patterns, PUNSUBSCRIBE leaves channels', () => {
    c.callRaw(['SUBSCRIBE', 'x', 'y', 'z']);
    c.callRaw(['PSUBSCRIBE', 'q*', 'r*']);
    expect(c.callRaw(['UNSUBSCRIBE'])).toEqual([
      ['unsubscribe', 'x', 4],
      ['unsubscribe', 'y', 3],
      ['unsubscribe', 'z', 2],
    ]);
    const other = h.connect();
    expect(other.call('PUBLISH', 'x', 'm')).toBe(0);
    expect(other.call('PUBLISH', 'q1', 'm')).toBe(1);
    expect(c.pending()).toEqual([['pmessage', 'q*', 'q1', 'm']]);
    expect(c.callRaw(['PUNSUBSCRIBE', 'r*', 'q*'])).toEqual([
      ['punsubscribe', 'r*', 1],
      ['punsubscribe', 'q*', 0],
    ]);
    expect(c.session.subscriptions).toBeNull();
  });

  it('checks arity', () => {
    expect(c.call('SUBSCRIBE')).toEqual(err("ERR wrong number of arguments for 'subscribe' command"));
    expect(c.call('PSUBSCRIBE')).toEqual(err("ERR wrong number of arguments for 'psubscribe' command"));
    expect(c.call('SSUBSCRIBE')).toEqual(err("ERR wrong number of arguments for 'ssubscribe' command"));
    expect(c.call('PUBLISH', 'a')).toEqual(err("ERR wrong number of arguments for 'publish' command"));
    expect(c.call('SPUBLISH', 'a')).toEqual(err("ERR wrong number of arguments for 'spublish' command"));
  });
});

describe('PUBLISH', () => {
  it('delivers RESP2 message arrays and replies the receiver count', () => {
    const sub = h.connect();
    sub.callRaw(['SUBSCRIBE', 'news']);
    expect(c.call('PUBLISH', 'news', 'hello')).toBe(1);
    expect(sub.session.reply.take().toString('latin1')).toBe(frame('*', 'message', 'news', 'hello'));
    expect(c.call('PUBLISH', 'other', 'x')).toBe(0);
    expect(sub.pending()).toEqual([]);
  });

  it('delivers RESP3 pushes', () => {
    const sub = resp3(h.connect());
    sub.callRaw(['PSUBSCRIBE', 'n*']);
    sub.callRaw(['SUBSCRIBE', 'news']);
    expect(c.call('PUBLISH', 'news', 'hi')).toBe(2);
    expect(sub.session.reply.take().toString('latin1')).toBe(
      frame('>', 'message', 'news', 'hi') + frame('>', 'pmessage', 'n*', 'news', 'hi'),
    );
  });

  it('counts one delivery per matching subscription: channel first, then patterns', () => {
    const a = h.connect();
    const both = h.connect();
    const plain = h.connect();
    a.callRaw(['PSUBSCRIBE', 'c*']);
    both.callRaw(['PSUBSCRIBE', 'c*', 'ch']);
    plain.callRaw(['SUBSCRIBE', 'ch']);
    both.callRaw(['SUBSCRIBE', 'ch']);
    expect(c.call('PUBLISH', 'ch', 'x')).toBe(5);
    expect(a.pending()).toEqual([['pmessage', 'c*', 'ch', 'x']]);
    expect(both.pending()).toEqual([
      ['message', 'ch', 'x'],
      ['pmessage', 'c*', 'ch', 'x'],
      ['pmessage', 'ch', 'ch', 'x'],
    ]);
    expect(plain.pending()).toEqual([['message', 'ch', 'x']]);
  });

  it('puts a RESP3 publisher\'s own message before its reply', () => {
    resp3(c);
    c.callRaw(['SUBSCRIBE', 'me']);
    expect(c.callBytes('PUBLISH', 'me', 'self')).toBe(`${frame('>', 'message', 'me', 'self')}:1\r\n`);
  });

  it('is binary safe in channel and message', () => {
    const sub = h.connect();
    const channel = 'c\x00h\r\n\xff';
    const message = '\r\n*1\r\n$0\r\n\x00\xfe';
    sub.callRaw(['SUBSCRIBE', channel]);
    expect(c.call('PUBLISH', channel, message)).toBe(1);
    expect(sub.pending()).toEqual([['message', channel, message]]);
    expect(c.call('PUBLISH', 'c\x00h', message)).toBe(0);
  });

  it('handles the empty channel name (which `*` does not match, as in Redis)', () => {
    const sub = h.connect();
    const star = h.connect();
    sub.callRaw(['SUBSCRIBE', '']);
    star.callRaw(['PSUBSCRIBE', '*']);
    expect(c.call('PUBLISH', '', 'e')).toBe(1);
    expect(sub.pending()).toEqual([['message', '', 'e']]);
    expect(star.pending()).toEqual([]);
  });

  it('fans out to many subscribers, each in its own protocol, and asks each transport to flush', () => {
    const subs: TestClient[] = [];
    for (let i = 0; i < 300; i++) {
      const s = h.connect();
      if (i % 3 === 0) resp3(s);
      s.callRaw(['SUBSCRIBE', 'fan']);
      if (i % 2 === 0) s.callRaw(['PSUBSCRIBE', 'f?n']);
      s.session.transport.requestFlush = vi.fn();
      subs.push(s);
    }
    expect(c.call('PUBLISH', 'fan', 'payload')).toBe(450);
    subs.forEach((s, i) => {
      const head = i % 3 === 0 ? '>' : '*';
      const expected = frame(head, 'message', 'fan', 'payload') + (i % 2 === 0 ? frame(head, 'pmessage', 'f?n', 'fan', 'payload') : '');
      expect(s.session.reply.take().toString('latin1')).toBe(expected);
      expect(s.session.transport.requestFlush).toHaveBeenCalled();
    });
  });

  it('delivers a large message intact to several subscribers', () => {
    const big = 'x'.repeat(100_000) + '\xff';
    const subs = [h.connect(), resp3(h.connect()), h.connect()];
    for (const s of subs) s.callRaw(['SUBSCRIBE', 'big']);
    expect(c.call('PUBLISH', 'big', big)).toBe(3);
    for (const s of subs) expect(s.pending()).toEqual([['message', 'big', big]]);
    // The encoders are reused: a later small message is not corrupted by the big one.
    expect(c.call('PUBLISH', 'big', 'small')).toBe(3);
    for (const s of subs) expect(s.pending()).toEqual([['message', 'big', 'small']]);
  });

  it('counts a closing subscriber but writes nothing to it', () => {
    const sub = h.connect();
    sub.callRaw(['SUBSCRIBE', 'ch']);
    sub.session.closing = true;
    expect(c.call('PUBLISH', 'ch', 'x')).toBe(1);
    expect(sub.session.reply.length).toBe(0);
  });

  it('records no effect', () => {
    const sub = h.connect();
    sub.callRaw(['SUBSCRIBE', 'ch']);
    h.takeEffects();
    c.call('PUBLISH', 'ch', 'x');
    c.call('SPUBLISH', 'ch', 'x');
    expect(h.takeEffects()).toEqual([]);
  });
});

describe('pattern matching', () => {
  function deliveredTo(pattern: string, channel: string): boolean {
    const sub = h.connect();
    sub.callRaw(['PSUBSCRIBE', pattern]);
    const receivers = c.call('PUBLISH', channel, 'm');
    const got = sub.pending();
    h.core.closeSession(sub.session);
    expect(got.length).toBe(receivers);
    return receivers === 1;
  }

  it.each([
    ['news.*', 'news.sport', true],
    ['news.*', 'news.', true],
    ['news.*', 'news', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-c]llo', 'hbllo', true],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['*', 'anything', true],
    ['', '', true],
    ['[', '[', false],
    ['[]', 'x', false],
    ['CASE*', 'case1', false],
  ])('%j vs %j -> %s', (pattern, channel, expected) => {
    expect(deliveredTo(pattern, channel)).toBe(expected);
  });

  it('matches binary patterns byte by byte', () => {
    expect(deliveredTo('\x00*\xff', '\x00abc\xff')).toBe(true);
    expect(deliveredTo('\x00?\xff', '\x00\r\xff')).toBe(true);
    expect(deliveredTo('[\x80-\x90]', '\x85')).toBe(true);
    // Range bounds compare as signed chars (checked with redis-server): [a-\xff] is -1 .. 'a'.
    expect(deliveredTo('[a-\xff]', 'a')).toBe(true);
    expect(deliveredTo('[a-\xff]', '\x00')).toBe(true);
    expect(deliveredTo('[a-\xff]', 'b')).toBe(false);
    expect(deliveredTo('\x00*', '\x01')).toBe(false);
  });

  it('survives hostile patterns quickly', () => {
    const started = performance.now();
    // Classic exponential-backtracking shape.
    expect(deliveredTo('a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    // More than 1000 non-final star groups never match (Redis's nesting limit).
    expect(deliveredTo('a*'.repeat(1001) + 'a', 'a'.repeat(1002))).toBe(false);
    expect(deliveredTo('a*'.repeat(999) + 'a', 'a'.repeat(1000))).toBe(true);
    // An unclosed class and lone escapes are just bytes.
    expect(deliveredTo('[^', 'z')).toBe(true);
    expect(deliveredTo('\\', '\\')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('delivers one pmessage per matching pattern, with the pattern as subscribed', () => {
    const sub = h.connect();
    sub.callRaw(['PSUBSCRIBE', 'a*', '*z', 'nomatch', 'a*z']);
    expect(c.call('PUBLISH', 'abcz', 'm')).toBe(3);
    expect(sub.pending()).toEqual([
      ['pmessage', 'a*', 'abcz', 'm'],
      ['pmessage', '*z', 'abcz', 'm'],
      ['pmessage', 'a*z', 'abcz', 'm'],
    ]);
  });
});

describe('shard channels', () => {
  it('are a namespace of their own', () => {
    const plain = h.connect();
    const shard = resp3(h.connect());
    plain.callRaw(['SUBSCRIBE', 'ch']);
    plain.callRaw(['PSUBSCRIBE', '*']);
    shard.callRaw(['SSUBSCRIBE', 'ch']);
    expect(c.call('SPUBLISH', 'ch', 'sh')).toBe(1);
    expect(plain.pending()).toEqual([]);
    expect(shard.session.reply.take().toString('latin1')).toBe(frame('>', 'smessage', 'ch', 'sh'));
    expect(c.call('PUBLISH', 'ch', 'p')).toBe(2);
    expect(shard.pending()).toEqual([]);
    expect(c.call('PUBSUB', 'SHARDCHANNELS')).toEqual(['ch']);
    expect(c.call('PUBSUB', 'SHARDCHANNELS', 'c?')).toEqual(['ch']);
    expect(c.call('PUBSUB', 'SHARDCHANNELS', 'x*')).toEqual([]);
    expect(c.call('PUBSUB', 'SHARDNUMSUB', 'ch', 'zz')).toEqual(['ch', 1, 'zz', 0]);
    expect(c.call('PUBSUB', 'NUMSUB', 'ch')).toEqual(['ch', 1]);
  });

  it('SSUBSCRIBE and SUNSUBSCRIBE count shard channels only', () => {
    c.callRaw(['SUBSCRIBE', 'a']);
    expect(c.callRaw(['SSUBSCRIBE', 's1', 's2'])).toEqual([
      ['ssubscribe', 's1', 1],
      ['ssubscribe', 's2', 2],
    ]);
    expect(c.callRaw(['SUNSUBSCRIBE', 's2', 'nope'])).toEqual([
      ['sunsubscribe', 's2', 1],
      ['sunsubscribe', 'nope', 1],
    ]);
    expect(c.callRaw(['UNSUBSCRIBE'])).toEqual([['unsubscribe', 'a', 0]]);
  });
});

describe('RESP2 subscribed mode', () => {
  it('refuses other commands with Redis\'s exact error, quoting the full name', () => {
    c.callRaw(['SUBSCRIBE', 'a']);
    expect(c.call('GET', 'x')).toEqual(refused('get'));
    expect(c.call('CLIENT', 'LIST')).toEqual(refused('client|list'));
    expect(c.call('PUBSUB', 'NUMPAT')).toEqual(refused('pubsub|numpat'));
    expect(c.call('PUBLISH', 'a', 'b')).toEqual(refused('publish'));
    expect(c.call('HELLO', '3')).toEqual(refused('hello'));
    expect(c.call('SELECT', '1')).toEqual(refused('select'));
    expect(h.core.state.stats.commandStats('get').rejectedCalls).toBe(1);
    expect(h.core.state.stats.commandStats('get').calls).toBe(0);
  });

  it('reports unknown commands and arity errors first', () => {
    c.callRaw(['PSUBSCRIBE', 'a*']);
    expect(c.call('FOO')).toEqual(err("ERR unknown command 'FOO', with args beginning with: "));
    expect(c.call('GET')).toEqual(err("ERR wrong number of arguments for 'get' command"));
  });

  it('allows the (un)subscribe commands, PING, QUIT and RESET', () => {
    c.callRaw(['SSUBSCRIBE', 's']);
    expect(c.callRaw(['SUBSCRIBE', 'a'])).toEqual([['subscribe', 'a', 1]]);
    expect(c.callRaw(['PSUBSCRIBE', 'p'])).toEqual([['psubscribe', 'p', 2]]);
    expect(c.callRaw(['PUNSUBSCRIBE', 'p'])).toEqual([['punsubscribe', 'p', 1]]);
    expect(c.callRaw(['SUNSUBSCRIBE', 'x'])).toEqual([['sunsubscribe', 'x', 1]]);
    expect(c.callBytes('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(c.callBytes('PING', 'hi')).toBe('*2\r\n$4\r\npong\r\n$2\r\nhi\r\n');
    expect(c.call('RESET')).toBe('RESET');
    expect(c.callBytes('PING')).toBe('+PONG\r\n');
    c.callRaw(['SUBSCRIBE', 'a']);
    expect(c.call('QUIT')).toBe('OK');
    expect(c.closed).toBe(true);
  });

  it('refuses MULTI while subscribed; a SUBSCRIBE queued in MULTI runs at EXEC', () => {
    const other = h.connect();
    expect(other.call('MULTI')).toBe('OK');
    expect(other.call('SUBSCRIBE', 'a')).toBe('QUEUED');
    expect(other.call('PING')).toBe('QUEUED');
    expect(other.callBytes('EXEC')).toBe(`*2\r\n${frame('*', 'subscribe', 'a', 1)}*2\r\n$4\r\npong\r\n$0\r\n\r\n`);
    expect(other.call('MULTI')).toEqual(refused('multi'));
    expect(other.call('GET', 'x')).toEqual(refused('get'));
  });

  it('ends when the last subscription goes', () => {
    c.callRaw(['SUBSCRIBE', 'a', 'b']);
    c.callRaw(['UNSUBSCRIBE']);
    expect(c.callBytes('PING')).toBe('+PONG\r\n');
    expect(c.call('SET', 'k', 'v')).toBe('OK');
  });

  it('does not apply in RESP3, and applies again after HELLO 2', () => {
    resp3(c);
    c.callRaw(['SUBSCRIBE', 'q']);
    expect(c.call('SET', 'k', 'v')).toBe('OK');
    expect(c.callBytes('PING')).toBe('+PONG\r\n');
    expect(c.call('PUBSUB', 'NUMSUB', 'q')).toEqual(['q', 1]);
    expect(c.call('HELLO', '2')).toBeInstanceOf(Array);
    expect(c.call('GET', 'k')).toEqual(refused('get'));
    expect(c.callBytes('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
  });
});

describe('PUBSUB', () => {
  it('CHANNELS lists active channels, optionally glob-matched', () => {
    const a = h.connect();
    const b2 = h.connect();
    a.callRaw(['SUBSCRIBE', 'news.1', 'news.2', '']);
    b2.callRaw(['SUBSCRIBE', 'news.1', 'sport']);
    b2.callRaw(['PSUBSCRIBE', 'news.*']);
    expect(new Set(c.call('PUBSUB', 'CHANNELS') as string[])).toEqual(new Set(['news.1', 'news.2', '', 'sport']));
    expect(new Set(c.call('PUBSUB', 'channels', 'news.*') as string[])).toEqual(new Set(['news.1', 'news.2']));
    // `*` does not match the empty name; the empty pattern matches only it.
    expect((c.call('PUBSUB', 'CHANNELS', '*') as string[]).length).toBe(3);
    expect(c.call('PUBSUB', 'CHANNELS', '')).toEqual(['']);
    expect(c.call('PUBSUB', 'CHANNELS', 'x[')).toEqual([]);
    a.callRaw(['UNSUBSCRIBE', 'news.2']);
    expect(c.call('PUBSUB', 'CHANNELS', 'news.*')).toEqual(['news.1']);
  });

  it('NUMSUB counts channel subscribers, not pattern ones; NUMPAT counts distinct patterns', () => {
    const a = h.connect();
    const b2 = h.connect();
    a.callRaw(['PSUBSCRIBE', 'c*']);
    b2.callRaw(['PSUBSCRIBE', 'c*', 'ch']);
    a.callRaw(['SUBSCRIBE', 'ch']);
    b2.callRaw(['SUBSCRIBE', 'ch']);
    expect(c.call('PUBSUB', 'NUMSUB', 'ch', 'zz', 'ch')).toEqual(['ch', 2, 'zz', 0, 'ch', 2]);
    expect(c.call('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(2);
    b2.callRaw(['PUNSUBSCRIBE', 'c*']);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(2);
    a.callRaw(['PUNSUBSCRIBE']);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(1);
  });

  it('replies arrays in RESP3 too', () => {
    resp3(c);
    expect(c.callBytes('PUBSUB', 'NUMSUB', 'a')).toBe('*2\r\n$1\r\na\r\n:0\r\n');
    expect(c.callBytes('PUBSUB', 'CHANNELS')).toBe('*0\r\n');
  });

  it('HELP, errors and arity', () => {
    const help = c.call('PUBSUB', 'HELP') as string[];
    expect(help[0]).toBe('PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    for (const sub of ['CHANNELS', 'NUMPAT', 'NUMSUB', 'SHARDCHANNELS', 'SHARDNUMSUB', 'HELP']) {
      expect(help.some((line) => line.startsWith(sub))).toBe(true);
    }
    expect(c.call('PUBSUB')).toEqual(err("ERR wrong number of arguments for 'pubsub' command"));
    expect(c.call('PUBSUB', 'foo')).toEqual(err("ERR unknown subcommand 'foo'. Try PUBSUB HELP."));
    expect(c.call('PUBSUB', 'NUMPAT', 'x')).toEqual(err("ERR wrong number of arguments for 'pubsub|numpat' command"));
    expect(c.call('PUBSUB', 'HELP', 'x')).toEqual(err("ERR wrong number of arguments for 'pubsub|help' command"));
    expect(c.call('PUBSUB', 'channels', 'a', 'b')).toEqual(
      err("ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP."),
    );
    expect(c.call('PUBSUB', 'SHARDCHANNELS', 'a', 'b')).toEqual(
      err("ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP."),
    );
  });
});

describe('cleanup', () => {
  it('closeSession drops every subscription of the session', () => {
    const sub = h.connect();
    const stay = h.connect();
    sub.callRaw(['SUBSCRIBE', 'a', 'b']);
    sub.callRaw(['PSUBSCRIBE', 'p*', 'q*']);
    sub.callRaw(['SSUBSCRIBE', 's']);
    stay.callRaw(['SUBSCRIBE', 'a']);
    stay.callRaw(['PSUBSCRIBE', 'p*']);
    h.core.closeSession(sub.session);
    expect(sub.session.subscriptions).toBeNull();
    expect(c.call('PUBSUB', 'CHANNELS')).toEqual(['a']);
    expect(c.call('PUBSUB', 'NUMSUB', 'a', 'b')).toEqual(['a', 1, 'b', 0]);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(1);
    expect(c.call('PUBSUB', 'SHARDCHANNELS')).toEqual([]);
    expect(c.call('PUBLISH', 'a', 'x')).toBe(1); // stay's channel; p* does not match 'a'
    expect(c.call('PUBLISH', 'pp', 'x')).toBe(1);
    expect(c.call('SPUBLISH', 's', 'x')).toBe(0);
    expect(sub.session.reply.length).toBe(0);
    h.core.closeSession(stay.session);
    expect(c.call('PUBSUB', 'CHANNELS')).toEqual([]);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(0);
  });

  it('closing a session without subscriptions is harmless', () => {
    const other = h.connect();
    h.core.closeSession(other.session);
    expect(c.call('PUBSUB', 'NUMPAT')).toBe(0);
  });
});

describe('RESET', () => {
  it('drops subscriptions silently and returns to RESP2, db 0, no name', () => {
    resp3(c);
    c.call('SELECT', '3');
    c.call('CLIENT', 'SETNAME', 'nm');
    c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'lib');
    c.callRaw(['SUBSCRIBE', 'a']);
    c.callRaw(['PSUBSCRIBE', 'b*']);
    c.callRaw(['SSUBSCRIBE', 's']);
    expect(c.callBytes('RESET')).toBe('+RESET\r\n');
    expect(c.session.subscriptions).toBeNull();
    expect(c.session.protocol).toBe(2);
    expect(c.session.dbIndex).toBe(0);
    expect(c.call('CLIENT', 'GETNAME')).toBeNull();
    expect(c.call('CLIENT', 'INFO')).toContain(' lib-name=lib ');
    expect(h.connect().call('PUBSUB', 'NUMPAT')).toBe(0);
  });

  it('leaves MULTI and forgets WATCHed keys', () => {
    c.call('WATCH', 'k');
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('SET', 'k', 'queued')).toBe('QUEUED');
    expect(c.call('RESET')).toBe('RESET');
    expect(c.call('EXEC')).toEqual(err('ERR EXEC without MULTI'));
    expect(c.call('GET', 'k')).toBeNull();
    h.connect().call('SET', 'k', 'other');
    c.call('MULTI');
    c.call('GET', 'k');
    expect(c.call('EXEC')).toEqual(['other']);
  });

  it('keeps the connection authenticated when no password is required', () => {
    c.call('RESET');
    expect(c.call('SET', 'k', 'v')).toBe('OK');
  });

  it('de-authenticates when requirepass is set, and runs before AUTH', () => {
    h = new Harness({ config: [['requirepass', 'pw']] });
    c = h.connect();
    expect(c.call('RESET')).toBe('RESET');
    expect(c.call('AUTH', 'pw')).toBe('OK');
    expect(c.call('GET', 'k')).toBeNull();
    expect(c.call('RESET')).toBe('RESET');
    expect(c.call('GET', 'k')).toEqual(err('NOAUTH Authentication required.'));
    expect(c.session.parser.authenticated).toBe(false);
  });
});

describe('introspection', () => {
  it('CLIENT LIST reports sub= psub= ssub= and flags=P; TYPE pubsub selects subscribers', () => {
    const sub = resp3(h.connect());
    sub.callRaw(['SUBSCRIBE', 'a', 'b']);
    sub.callRaw(['PSUBSCRIBE', 'p*']);
    sub.callRaw(['SSUBSCRIBE', 's']);
    const line = sub.call('CLIENT', 'INFO') as string;
    expect(line).toContain(' flags=P db=0 sub=2 psub=1 ssub=1 ');
    expect(c.call('CLIENT', 'INFO')).toContain(' flags=N db=0 sub=0 psub=0 ssub=0 ');
    const pubsubLines = (c.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as string).trim().split('\n');
    expect(pubsubLines).toHaveLength(1);
    expect(pubsubLines[0]).toContain(`id=${sub.session.id} `);
    const normalLines = (c.call('CLIENT', 'LIST', 'TYPE', 'normal') as string).trim().split('\n');
    expect(normalLines).toHaveLength(1);
    expect(normalLines[0]).toContain(`id=${c.session.id} `);
    expect(c.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
    expect(sub.closed).toBe(true);
  });

  it('INFO stats counts channels, distinct patterns and shard channels', () => {
    const a = h.connect();
    const b2 = h.connect();
    a.callRaw(['PSUBSCRIBE', 'c*', 'd*']);
    b2.callRaw(['PSUBSCRIBE', 'c*']);
    b2.callRaw(['SUBSCRIBE', 'ch', 'x']);
    a.callRaw(['SUBSCRIBE', 'x']);
    a.callRaw(['SSUBSCRIBE', 'ch']);
    const info = c.call('INFO', 'stats') as string;
    expect(info).toContain('\r\npubsub_channels:2\r\n');
    expect(info).toContain('\r\npubsub_patterns:2\r\n');
    expect(info).toContain('\r\npubsubshard_channels:1\r\n');
  });

  it('COMMAND INFO has Redis\'s arity, flags and shard key positions', () => {
    const info = c.call('COMMAND', 'INFO', 'subscribe', 'publish', 'ssubscribe', 'spublish', 'reset') as unknown[][];
    expect(info.map((entry) => entry.slice(0, 6))).toEqual([
      ['subscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], 0, 0, 0],
      ['publish', 3, ['pubsub', 'loading', 'stale', 'fast'], 0, 0, 0],
      ['ssubscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], 1, -1, 1],
      ['spublish', 3, ['pubsub', 'loading', 'stale', 'fast'], 1, 1, 1],
      ['reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0],
    ]);
    expect(info[0]![6]).toEqual(['@pubsub', '@slow']);
    expect(info[1]![6]).toEqual(['@pubsub', '@fast']);
    expect(info[4]![6]).toEqual(['@fast', '@connection']);
  });
});
