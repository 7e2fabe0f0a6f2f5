import { describe, expect, it } from 'vitest';
import type { ClientTransport } from '../client-session.js';
import { Harness, ReplyError, TestClient } from '../testing/harness.js';

/**
 * CLIENT ID / GETNAME / SETNAME / SETINFO / LIST / INFO / KILL / HELP.
 * Expected texts were checked against redis-server 7.0.15; SETINFO and the
 * lib-name / lib-ver fields are Redis 7.2 (valkey networking.c has the same code).
 */

const NAME_ERROR = 'ERR Client names cannot contain spaces, newlines or special characters.';
const arity = (name: string) => `-ERR wrong number of arguments for '${name}' command\r\n`;

/** Redis 7.2's CLIENT LIST fields, in order. */
const CLIENT_FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi',
  'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events',
  'cmd', 'user', 'redir', 'resp', 'lib-name', 'lib-ver',
];

/** A client whose connection has the given addresses. */
function connectFrom(h: Harness, remoteAddress: string, localAddress = '127.0.0.1:6379', isLocal = true): TestClient {
  let client: TestClient | undefined;
  const transport: ClientTransport = {
    remoteAddress,
    localAddress,
    isLocal,
    closeAfterFlush: () => {
      client!.closed = true;
    },
    destroy: () => {
      client!.closed = true;
    },
    requestFlush: () => {},
  };
  client = new TestClient(h.core, h.core.openSession(transport));
  return client;
}

/** One CLIENT LIST / INFO line as field -> value. */
function parseLine(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of line.split(' ')) {
    const eq = pair.indexOf('=');
    fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return fields;
}

function listLines(client: TestClient, ...args: string[]): string[] {
  const text = client.call('CLIENT', 'LIST', ...args);
  expect(typeof text).toBe('string');
  const s = text as string;
  if (s === '') return [];
  expect(s.endsWith('\n')).toBe(true);
  return s.slice(0, -1).split('\n');
}

const idsIn = (lines: string[]) => lines.map((line) => Number(parseLine(line).get('id')));

describe('CLIENT ID', () => {
  it('returns the connection id, unique and increasing per connection', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    expect(a.callBytes('CLIENT', 'ID')).toBe(`:${a.session.id}\r\n`);
    expect(b.call('CLIENT', 'ID')).toBe(b.session.id);
    expect(b.session.id).toBeGreaterThan(a.session.id);
  });

  it('takes no arguments', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'ID', 'x')).toBe(arity('client|id'));
  });
});

describe('CLIENT SETNAME / GETNAME', () => {
  it('starts unnamed (null), stores a name and clears it with an empty name', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(c.callBytes('CLIENT', 'SETNAME', 'worker-1')).toBe('+OK\r\n');
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('$8\r\nworker-1\r\n');
    expect(c.call('CLIENT', 'INFO')).toContain(' name=worker-1 ');
    expect(c.callBytes('CLIENT', 'SETNAME', '')).toBe('+OK\r\n');
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('$-1\r\n');
  });

  it('accepts every printable ASCII character except space', () => {
    const c = new Harness().connect();
    const printable = Array.from({ length: 126 - 33 + 1 }, (_, i) => String.fromCharCode(33 + i)).join('');
    expect(c.call('CLIENT', 'SETNAME', printable)).toBe('OK');
    expect(c.call('CLIENT', 'GETNAME')).toBe(printable);
  });

  it('refuses spaces, newlines, control and non-ASCII bytes and keeps the old name', () => {
    const c = new Harness().connect();
    c.call('CLIENT', 'SETNAME', 'good');
    for (const bad of ['a b', 'a\nb', 'a\r\nb', ' ', 'tab\there', 'nul\0', 'del\x7f', 'caf\xe9']) {
      expect(c.call('CLIENT', 'SETNAME', bad), JSON.stringify(bad)).toEqual(new ReplyError(NAME_ERROR));
    }
    expect(c.call('CLIENT', 'GETNAME')).toBe('good');
    // The refused name never reaches CLIENT LIST, so its lines stay splittable.
    expect(listLines(c)).toHaveLength(1);
  });

  it('keeps each connection\'s name to itself', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    a.call('CLIENT', 'SETNAME', 'a');
    expect(b.call('CLIENT', 'GETNAME')).toBe(null);
  });

  it('checks arity', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'SETNAME')).toBe(arity('client|setname'));
    expect(c.callBytes('CLIENT', 'SETNAME', 'a', 'b')).toBe(arity('client|setname'));
    expect(c.callBytes('CLIENT', 'GETNAME', 'x')).toBe(arity('client|getname'));
  });

  it('answers null as _ under RESP3', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3');
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('_\r\n');
  });
});

describe('CLIENT SETINFO', () => {
  it('sets lib-name and lib-ver (attribute in any case), shown by CLIENT INFO and LIST', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis(bull)')).toBe('+OK\r\n');
    expect(c.callBytes('CLIENT', 'SETINFO', 'lib-ver', '4.6.7')).toBe('+OK\r\n');
    const info = c.call('CLIENT', 'INFO') as string;
    expect(info).toContain(' lib-name=node-redis(bull) lib-ver=4.6.7\n');
    expect(listLines(c)[0]).toMatch(/ lib-name=node-redis\(bull\) lib-ver=4\.6\.7$/);
  });

  it('clears an attribute with an empty value', () => {
    const c = new Harness().connect();
    c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'x');
    expect(c.call('CLIENT', 'SETINFO', 'LIB-NAME', '')).toBe('OK');
    expect(c.call('CLIENT', 'INFO')).toContain(' lib-name= lib-ver=\n');
  });

  it('rejects unknown attributes, quoting them as sent', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'SETINFO', 'Lib-Flavour', 'x')).toBe("-ERR Unrecognized option 'Lib-Flavour'\r\n");
  });

  it('rejects values with spaces, newlines or special characters and keeps the old value', () => {
    const c = new Harness().connect();
    c.call('CLIENT', 'SETINFO', 'lib-name', 'ok');
    expect(c.callBytes('CLIENT', 'SETINFO', 'lib-name', 'a b')).toBe(
      '-ERR lib-name cannot contain spaces, newlines or special characters.\r\n',
    );
    expect(c.callBytes('CLIENT', 'SETINFO', 'lib-ver', '1\n2')).toBe(
      '-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n',
    );
    expect(c.call('CLIENT', 'INFO')).toContain(' lib-name=ok lib-ver=\n');
  });

  // Redis 7.2 formats this error with the attribute exactly as the client sent it
  // (addReplyErrorFormat(c, "%s cannot contain ...", attr) with attr = argv[2]).
  it('quotes the attribute as sent in the bad-value error, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'SETINFO', 'LIB-NAME', 'a b')).toBe(
      '-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n',
    );
  });

  it('checks arity', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'SETINFO', 'lib-name')).toBe(arity('client|setinfo'));
    expect(c.callBytes('CLIENT', 'SETINFO', 'lib-name', 'a', 'b')).toBe(arity('client|setinfo'));
  });

  it('is refused with NOAUTH before AUTH without closing the session (node-redis sends it first)', () => {
    const h = new Harness({ config: [['requirepass', 'x']] });
    const c = h.connect();
    expect(c.callBytes('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis')).toBe('-NOAUTH Authentication required.\r\n');
    expect(c.callBytes('CLIENT', 'SETINFO', 'LIB-VER', '4.6.7')).toBe('-NOAUTH Authentication required.\r\n');
    expect(c.closed).toBe(false);
    expect(c.session.closing).toBe(false);
    expect(c.call('AUTH', 'x')).toBe('OK');
    expect(c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis')).toBe('OK');
    expect(c.call('CLIENT', 'INFO')).toContain(' lib-name=node-redis ');
  });
});

describe('CLIENT INFO and CLIENT LIST', () => {
  it('describe a client with Redis 7.2\'s fields in Redis\'s order, one line ending in \\n', () => {
    const h = new Harness();
    const c = connectFrom(h, '10.1.2.3:45678', '10.0.0.1:6379');
    c.call('SELECT', '4');
    c.call('CLIENT', 'SETNAME', 'app');
    const info = c.call('CLIENT', 'INFO') as string;
    expect(info.endsWith('\n')).toBe(true);
    expect(info.indexOf('\n')).toBe(info.length - 1);
    const fields = parseLine(info.slice(0, -1));
    expect([...fields.keys()]).toEqual(CLIENT_FIELDS);
    expect(fields.get('id')).toBe(String(c.session.id));
    expect(fields.get('addr')).toBe('10.1.2.3:45678');
    expect(fields.get('laddr')).toBe('10.0.0.1:6379');
    expect(fields.get('name')).toBe('app');
    expect(fields.get('db')).toBe('4');
    expect(fields.get('flags')).toBe('N');
    expect(fields.get('multi')).toBe('-1');
    expect(fields.get('cmd')).toBe('client|info');
    expect(fields.get('user')).toBe('default');
    expect(fields.get('resp')).toBe('2');
  });

  it('report age from the injected clock', () => {
    const h = new Harness();
    const c = h.connect();
    h.advance(65_000);
    expect(parseLine((c.call('CLIENT', 'INFO') as string).trimEnd()).get('age')).toBe('65');
  });

  it('report resp=3 after HELLO 3', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3');
    expect(c.call('CLIENT', 'INFO')).toContain(' resp=3 ');
  });

  // Redis replies to CLIENT INFO and CLIENT LIST with addReplyVerbatim: a
  // verbatim string (=<len>\r\ntxt:...) under RESP3, a bulk string under RESP2.
  it('use a verbatim string under RESP3, as Redis does', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3');
    expect(c.callBytes('CLIENT', 'INFO')).toMatch(/^=\d+\r\ntxt:id=/);
    expect(c.callBytes('CLIENT', 'LIST')).toMatch(/^=\d+\r\ntxt:id=/);
  });

  it('LIST shows one line per connected client', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    const c = h.connect();
    expect(idsIn(listLines(a))).toEqual([a.session.id, b.session.id, c.session.id]);
  });

  it('LIST drops a client once its session is closed', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    h.core.closeSession(b.session);
    expect(idsIn(listLines(a))).toEqual([a.session.id]);
  });

  it('LIST TYPE filters by client type (every aki client is normal for now)', () => {
    const h = new Harness();
    const a = h.connect();
    h.connect();
    expect(listLines(a, 'TYPE', 'normal')).toHaveLength(2);
    expect(listLines(a, 'type', 'NORMAL')).toHaveLength(2);
    for (const type of ['master', 'replica', 'slave', 'pubsub']) {
      expect(a.callBytes('CLIENT', 'LIST', 'TYPE', type), type).toBe('$0\r\n\r\n');
    }
    expect(a.callBytes('CLIENT', 'LIST', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
  });

  it('LIST ID lists only the given ids that exist', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    const c = h.connect();
    const lines = listLines(a, 'ID', String(c.session.id), String(a.session.id), '999');
    expect(idsIn(lines).sort()).toEqual([a.session.id, c.session.id].sort());
    expect(idsIn(lines)).not.toContain(b.session.id);
    expect(a.callBytes('CLIENT', 'LIST', 'ID', '999')).toBe('$0\r\n\r\n');
    expect(a.callBytes('CLIENT', 'LIST', 'ID', 'abc')).toBe('-ERR Invalid client ID\r\n');
  });

  // Redis walks the id arguments and appends each client it finds.
  it('LIST ID lists the clients in the order of the ids given, as Redis does', () => {
    const h = new Harness();
    const a = h.connect();
    const c = h.connect();
    expect(idsIn(listLines(a, 'ID', String(c.session.id), String(a.session.id)))).toEqual([c.session.id, a.session.id]);
  });

  // Redis parses each id with getLongLongFromObjectOrReply and simply finds no
  // client for 0 or a negative id.
  it('LIST ID with 0 or a negative id lists nothing, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'LIST', 'ID', '0')).toBe('$0\r\n\r\n');
    expect(c.callBytes('CLIENT', 'LIST', 'ID', '-5')).toBe('$0\r\n\r\n');
  });

  it('LIST rejects malformed options with a syntax error', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'LIST', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('CLIENT', 'LIST', 'TYPE')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('CLIENT', 'LIST', 'ID')).toBe('-ERR syntax error\r\n');
  });

  // Redis accepts either TYPE <type> (exactly) or ID <id...>, never both.
  it('LIST rejects TYPE combined with ID, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1')).toBe('-ERR syntax error\r\n');
  });

  it('INFO takes no arguments', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'INFO', 'x')).toBe(arity('client|info'));
  });
});

describe('CLIENT KILL', () => {
  it('old form: kills the client connected from ip:port and replies +OK', () => {
    const h = new Harness();
    const me = connectFrom(h, '127.0.0.1:1001');
    const victim = connectFrom(h, '127.0.0.1:1002');
    expect(me.callBytes('CLIENT', 'KILL', '127.0.0.1:1002')).toBe('+OK\r\n');
    expect(victim.closed).toBe(true);
    expect(victim.session.closing).toBe(true);
    expect(me.closed).toBe(false);
  });

  it('old form: -ERR No such client when nobody matches', () => {
    const h = new Harness();
    const me = connectFrom(h, '127.0.0.1:1001');
    expect(me.callBytes('CLIENT', 'KILL', '127.0.0.1:9')).toBe('-ERR No such client\r\n');
    expect(me.callBytes('CLIENT', 'KILL', 'ID')).toBe('-ERR No such client\r\n');
  });

  it('old form: may kill the caller, which gets its +OK before closing', () => {
    const h = new Harness();
    const me = connectFrom(h, '127.0.0.1:1001');
    expect(me.callBytes('CLIENT', 'KILL', '127.0.0.1:1001')).toBe('+OK\r\n');
    expect(me.closed).toBe(true);
  });

  it('ID kills that client and replies with the number killed', () => {
    const h = new Harness();
    const me = h.connect();
    const a = h.connect();
    const b = h.connect();
    expect(me.callBytes('CLIENT', 'KILL', 'ID', String(a.session.id))).toBe(':1\r\n');
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    expect(me.callBytes('CLIENT', 'KILL', 'ID', '999')).toBe(':0\r\n');
  });

  it('skips the caller unless SKIPME no', () => {
    const h = new Harness();
    const me = h.connect();
    expect(me.callBytes('CLIENT', 'KILL', 'ID', String(me.session.id))).toBe(':0\r\n');
    expect(me.closed).toBe(false);
    expect(me.callBytes('CLIENT', 'KILL', 'ID', String(me.session.id), 'SKIPME', 'yes')).toBe(':0\r\n');
    expect(me.closed).toBe(false);
    expect(me.callBytes('CLIENT', 'KILL', 'ID', String(me.session.id), 'skipme', 'NO')).toBe(':1\r\n');
    expect(me.closed).toBe(true);
  });

  it('TYPE normal and USER default kill every other client; other types none', () => {
    const h = new Harness();
    const me = h.connect();
    const others = [h.connect(), h.connect()];
    expect(me.callBytes('CLIENT', 'KILL', 'TYPE', 'master')).toBe(':0\r\n');
    expect(me.callBytes('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':0\r\n');
    expect(others.some((o) => o.closed)).toBe(false);
    expect(me.callBytes('CLIENT', 'KILL', 'USER', 'default')).toBe(':2\r\n');
    expect(others.every((o) => o.closed)).toBe(true);
    expect(me.closed).toBe(false);
  });

  it('TYPE normal kills every other client', () => {
    const h = new Harness();
    const me = h.connect();
    const other = h.connect();
    expect(me.callBytes('CLIENT', 'KILL', 'TYPE', 'NORMAL')).toBe(':1\r\n');
    expect(other.closed).toBe(true);
  });

  it('ADDR and LADDR match the remote and local address exactly', () => {
    const h = new Harness();
    const me = connectFrom(h, '127.0.0.1:1', '127.0.0.1:6379');
    const a = connectFrom(h, '10.0.0.5:5000', '10.0.0.1:6379');
    const b = connectFrom(h, '10.0.0.6:5000', '10.0.0.1:6380');
    expect(me.callBytes('CLIENT', 'KILL', 'ADDR', '10.0.0.5:50')).toBe(':0\r\n');
    expect(me.callBytes('CLIENT', 'KILL', 'LADDR', '10.0.0.1:6380')).toBe(':1\r\n');
    expect(b.closed).toBe(true);
    expect(a.closed).toBe(false);
    expect(me.callBytes('CLIENT', 'KILL', 'ADDR', '10.0.0.5:5000')).toBe(':1\r\n');
    expect(a.closed).toBe(true);
  });

  it('requires every given filter to match', () => {
    const h = new Harness();
    const me = connectFrom(h, '127.0.0.1:1');
    const a = connectFrom(h, '10.0.0.5:5000');
    const b = connectFrom(h, '10.0.0.6:5000');
    expect(me.callBytes('CLIENT', 'KILL', 'ADDR', '10.0.0.5:5000', 'ID', String(b.session.id))).toBe(':0\r\n');
    expect(me.callBytes('CLIENT', 'KILL', 'ADDR', '10.0.0.5:5000', 'ID', String(a.session.id))).toBe(':1\r\n');
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
  });

  it('MAXAGE kills only clients at least that many seconds old', () => {
    const h = new Harness();
    const old = h.connect();
    h.advance(20_000);
    const young = h.connect();
    expect(young.callBytes('CLIENT', 'KILL', 'MAXAGE', '10', 'SKIPME', 'no')).toBe(':1\r\n');
    expect(old.closed).toBe(true);
    expect(young.closed).toBe(false);
  });

  it('rejects bad filter values with Redis\'s messages', () => {
    const c = new Harness().connect();
    for (const id of ['0', '-1', 'abc']) {
      expect(c.callBytes('CLIENT', 'KILL', 'ID', id), id).toBe('-ERR client-id should be greater than 0\r\n');
    }
    expect(c.callBytes('CLIENT', 'KILL', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
    expect(c.callBytes('CLIENT', 'KILL', 'USER', 'nobody')).toBe("-ERR No such user 'nobody'\r\n");
    expect(c.callBytes('CLIENT', 'KILL', 'SKIPME', 'maybe')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('CLIENT', 'KILL', 'FOO', 'bar')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('CLIENT', 'KILL', 'ID', '5', 'SKIPME')).toBe('-ERR syntax error\r\n');
    expect(c.closed).toBe(false);
  });

  it('kills nobody when a later filter is invalid', () => {
    const h = new Harness();
    const me = h.connect();
    const other = h.connect();
    expect(me.callBytes('CLIENT', 'KILL', 'ID', String(other.session.id), 'TYPE', 'bogus')).toBe(
      "-ERR Unknown client type 'bogus'\r\n",
    );
    expect(other.closed).toBe(false);
  });

  it('needs at least one argument', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'KILL')).toBe(arity('client|kill'));
  });
});

describe('CLIENT UNBLOCK', () => {
  it('checks the argument count, then the reason, then the id, with Redis texts', () => {
    const c = new Harness().connect();
    const wrongArgs = (typed: string) =>
      `-ERR unknown subcommand or wrong number of arguments for '${typed}'. Try CLIENT HELP.\r\n`;
    expect(c.callBytes('CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'extra')).toBe(wrongArgs('UNBLOCK'));
    expect(c.callBytes('client', 'unblock', 'x', 'timeout', 'extra', 'more')).toBe(wrongArgs('unblock'));
    expect(c.callBytes('CLIENT', 'UNBLOCK', 'x', 'foo')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    expect(c.callBytes('CLIENT', 'UNBLOCK', 'x', 'error')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(c.callBytes('CLIENT', 'UNBLOCK', '12345')).toBe(':0\r\n');
    expect(c.callBytes('CLIENT', 'UNBLOCK')).toBe(arity('client|unblock'));
  });
});

describe('CLIENT HELP', () => {
  it('lists the subcommands as status lines framed like Redis help replies', () => {
    const h = new Harness();
    const c = h.connect();
    const help = c.call('CLIENT', 'HELP') as string[];
    expect(help[0]).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Print this help.']);
    expect(c.callBytes('CLIENT', 'HELP').startsWith(`*${help.length}\r\n+CLIENT <subcommand>`)).toBe(true);
    const client = h.core.state.commands.get('client')!;
    for (const sub of client.subcommands!) {
      const word = sub.name.split('|')[1]!.toUpperCase();
      expect(help.some((line) => line === word || line.startsWith(`${word} `)), word).toBe(true);
    }
  });

  it('takes no arguments', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'HELP', 'x')).toBe(arity('client|help'));
  });
});
