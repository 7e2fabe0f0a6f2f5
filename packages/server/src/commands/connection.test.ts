import { describe, expect, it } from 'vitest';
import { Harness, ReplyError } from '../testing/harness.js';

/**
 * PING, ECHO, QUIT, SELECT, AUTH and HELLO. Reply texts were checked against
 * redis-server 7.0.15; where 7.2 differs (the HELLO NOAUTH text, redis#11809)
 * the 7.2 text is expected, since aki reports 7.2.4.
 */

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

const arity = (name: string) => `-ERR wrong number of arguments for '${name}' command\r\n`;

/** The HELLO reply bytes for a client, RESP2 (flat array) or RESP3 (map). */
function helloBytes(protocol: 2 | 3, id: number): string {
  const id$ = `:${id}\r\n`;
  const body =
    '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.4\r\n' +
    `$5\r\nproto\r\n:${protocol}\r\n$2\r\nid\r\n${id$}` +
    '$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';
  return (protocol === 3 ? '%7\r\n' : '*14\r\n') + body;
}

describe('PING', () => {
  it('replies +PONG, or echoes its argument as a bulk string', () => {
    const c = new Harness().connect();
    expect(c.callBytes('PING')).toBe('+PONG\r\n');
    expect(c.callBytes('PING', 'hi')).toBe('$2\r\nhi\r\n');
    expect(c.callBytes('PING', '')).toBe('$0\r\n\r\n');
    expect(c.callBytes('PING', 'a\r\nb')).toBe('$4\r\na\r\nb\r\n');
  });

  it('rejects more than one argument', () => {
    const c = new Harness().connect();
    expect(c.callBytes('PING', 'a', 'b')).toBe(arity('ping'));
  });
});

describe('ECHO', () => {
  it('returns its argument byte for byte', () => {
    const c = new Harness().connect();
    expect(c.callBytes('ECHO', 'hello')).toBe('$5\r\nhello\r\n');
    expect(c.callBytes('ECHO', '')).toBe('$0\r\n\r\n');
    const binary = '\x00\xff\r\n';
    expect(c.callBytes('ECHO', binary)).toBe(`$4\r\n${binary}\r\n`);
  });

  it('takes exactly one argument', () => {
    const c = new Harness().connect();
    expect(c.callBytes('ECHO')).toBe(arity('echo'));
    expect(c.callBytes('ECHO', 'a', 'b')).toBe(arity('echo'));
  });
});

describe('QUIT', () => {
  it('replies +OK and then closes the connection', () => {
    const c = new Harness().connect();
    expect(c.closed).toBe(false);
    expect(c.callBytes('QUIT')).toBe('+OK\r\n');
    expect(c.closed).toBe(true);
    expect(c.session.closing).toBe(true);
  });

  it('ignores extra arguments, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('QUIT', 'now', 'please')).toBe('+OK\r\n');
    expect(c.closed).toBe(true);
  });

  it('works before authentication', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.callBytes('QUIT')).toBe('+OK\r\n');
    expect(c.closed).toBe(true);
  });
});

describe('SELECT', () => {
  it('switches the database of this client only', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    expect(a.callBytes('SELECT', '15')).toBe('+OK\r\n');
    expect(a.session.dbIndex).toBe(15);
    expect(b.session.dbIndex).toBe(0);
    expect(a.call('CLIENT', 'INFO')).toContain(' db=15 ');
    expect(a.callBytes('SELECT', '0')).toBe('+OK\r\n');
    expect(a.session.dbIndex).toBe(0);
  });

  it('rejects indexes outside 0..databases-1 and keeps the current database', () => {
    const c = new Harness().connect();
    c.call('SELECT', '3');
    expect(c.callBytes('SELECT', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(c.callBytes('SELECT', '-1')).toBe('-ERR DB index is out of range\r\n');
    expect(c.session.dbIndex).toBe(3);
  });

  it('follows the databases setting', () => {
    const c = new Harness({ config: [['databases', '4']] }).connect();
    expect(c.callBytes('SELECT', '3')).toBe('+OK\r\n');
    expect(c.callBytes('SELECT', '4')).toBe('-ERR DB index is out of range\r\n');
  });

  it('rejects anything but a strict integer', () => {
    const c = new Harness().connect();
    for (const bad of ['abc', '1.5', '', ' 1', '1 ', '+1', '01', '0x1', '-0', '9223372036854775808']) {
      expect(c.callBytes('SELECT', bad), bad).toBe('-ERR value is not an integer or out of range\r\n');
    }
    expect(c.session.dbIndex).toBe(0);
  });

  // Redis parses the index with getIntFromObjectOrReply: a valid int64 outside
  // the int range gets a range error before the database check.
  it('reports an index outside the C int range as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('SELECT', '2147483647')).toBe('-ERR DB index is out of range\r\n');
    expect(c.callBytes('SELECT', '2147483648')).toBe(
      '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    );
    expect(c.callBytes('SELECT', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n',
    );
  });

  it('takes exactly one argument', () => {
    const c = new Harness().connect();
    expect(c.callBytes('SELECT')).toBe(arity('select'));
    expect(c.callBytes('SELECT', '1', '2')).toBe(arity('select'));
  });
});

describe('AUTH', () => {
  it('authenticates with the requirepass password, in the one- and two-argument forms', () => {
    const h = new Harness({ config: [['requirepass', 'secret']] });
    const one = h.connect();
    expect(one.callBytes('AUTH', 'secret')).toBe('+OK\r\n');
    expect(one.session.authenticated).toBe(true);
    const two = h.connect();
    expect(two.callBytes('AUTH', 'default', 'secret')).toBe('+OK\r\n');
    expect(two.call('PING')).toBe('PONG');
  });

  it('answers WRONGPASS for a wrong password or another user, and stays unauthenticated', () => {
    const h = new Harness({ config: [['requirepass', 'secret']] });
    const c = h.connect();
    expect(c.callBytes('AUTH', 'Secret')).toBe(`-${WRONGPASS}\r\n`);
    expect(c.callBytes('AUTH', 'secret ')).toBe(`-${WRONGPASS}\r\n`);
    expect(c.callBytes('AUTH', 'default', 'nope')).toBe(`-${WRONGPASS}\r\n`);
    expect(c.callBytes('AUTH', 'bob', 'secret')).toBe(`-${WRONGPASS}\r\n`);
    expect(c.session.authenticated).toBe(false);
    expect(c.callBytes('PING')).toBe('-NOAUTH Authentication required.\r\n');
    expect(c.closed).toBe(false);
  });

  it('compares passwords as binary-safe bytes', () => {
    const h = new Harness({ config: [['requirepass', 'abc\x00def']] });
    const c = h.connect();
    expect(c.call('AUTH', 'abc')).toEqual(new ReplyError(WRONGPASS));
    expect(c.call('AUTH', 'abc\x00de')).toEqual(new ReplyError(WRONGPASS));
    expect(c.call('AUTH', 'abc\x00def')).toBe('OK');
  });

  it('refuses the one-argument form when no password is configured', () => {
    const c = new Harness().connect();
    expect(c.callBytes('AUTH', 'x')).toBe(
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
  });

  it('accepts any password for default and refuses other users when no password is configured (nopass user)', () => {
    const c = new Harness().connect();
    expect(c.callBytes('AUTH', 'default', 'anything')).toBe('+OK\r\n');
    expect(c.callBytes('AUTH', 'bob', 'anything')).toBe(`-${WRONGPASS}\r\n`);
  });

  it('rejects more than two arguments with a syntax error and none with an arity error', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.callBytes('AUTH', 'a', 'b', 'c')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('AUTH')).toBe(arity('auth'));
  });

  it('never reveals the password in the reply', () => {
    const c = new Harness({ config: [['requirepass', 'topsecret']] }).connect();
    expect(c.callBytes('AUTH', 'guess')).not.toContain('topsecret');
    expect(c.callBytes('AUTH', 'guess')).not.toContain('guess');
  });
});

describe('HELLO', () => {
  it('replies with the connection properties: a map under RESP3, a flat array under RESP2', () => {
    const c = new Harness().connect();
    const id = c.session.id;
    expect(c.callBytes('HELLO', '2')).toBe(helloBytes(2, id));
    expect(c.session.protocol).toBe(2);
    expect(c.callBytes('HELLO', '3')).toBe(helloBytes(3, id));
    expect(c.session.protocol).toBe(3);
  });

  it('without arguments reports the current protocol and changes nothing', () => {
    const c = new Harness().connect();
    expect(c.callBytes('HELLO')).toBe(helloBytes(2, c.session.id));
    c.call('HELLO', '3');
    expect(c.callBytes('HELLO')).toBe(helloBytes(3, c.session.id));
    expect(c.session.protocol).toBe(3);
  });

  it('switches replies of later commands to RESP3 and back', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3');
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('_\r\n');
    expect(c.callBytes('CONFIG', 'GET', 'hz')).toBe('%1\r\n$2\r\nhz\r\n$2\r\n10\r\n');
    c.call('HELLO', '2');
    expect(c.callBytes('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(c.callBytes('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
  });

  it('refuses unsupported protocol versions with NOPROTO and keeps the protocol', () => {
    const c = new Harness().connect();
    for (const version of ['4', '1', '0', '-1', '99']) {
      expect(c.callBytes('HELLO', version), version).toBe('-NOPROTO unsupported protocol version\r\n');
    }
    expect(c.session.protocol).toBe(2);
  });

  it('refuses a version that is not an integer', () => {
    const c = new Harness().connect();
    for (const version of ['abc', '3.0', '', ' 3', '99999999999999999999']) {
      expect(c.callBytes('HELLO', version), version).toBe(
        '-ERR Protocol version is not an integer or out of range\r\n',
      );
    }
  });

  it('rejects unknown options and options missing their values, quoting the option', () => {
    const c = new Harness().connect();
    expect(c.callBytes('HELLO', '3', 'FOO')).toBe("-ERR Syntax error in HELLO option 'FOO'\r\n");
    expect(c.callBytes('HELLO', '3', 'AUTH', 'x')).toBe("-ERR Syntax error in HELLO option 'AUTH'\r\n");
    expect(c.callBytes('HELLO', '3', 'setname')).toBe("-ERR Syntax error in HELLO option 'setname'\r\n");
    expect(c.session.protocol).toBe(2);
  });

  it('sets the client name with SETNAME and refuses names with spaces or newlines', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3', 'SETNAME', 'worker-1');
    expect(c.call('CLIENT', 'GETNAME')).toBe('worker-1');
    expect(c.callBytes('HELLO', '2', 'SETNAME', 'a b')).toBe(
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    expect(c.callBytes('HELLO', '2', 'SETNAME', 'a\nb')).toBe(
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    // A refused HELLO changes neither the name nor the protocol.
    expect(c.call('CLIENT', 'GETNAME')).toBe('worker-1');
    expect(c.session.protocol).toBe(3);
  });

  it('requires authentication unless it carries valid AUTH credentials', () => {
    const h = new Harness({ config: [['requirepass', 'pw']] });
    const c = h.connect();
    expect(c.call('HELLO', '3')).toEqual(new ReplyError(HELLO_NOAUTH));
    expect(c.call('HELLO')).toEqual(new ReplyError(HELLO_NOAUTH));
    expect(c.session.protocol).toBe(2);
    expect(c.call('HELLO', '3', 'AUTH', 'default', 'bad')).toEqual(new ReplyError(WRONGPASS));
    expect(c.call('HELLO', '3', 'AUTH', 'bob', 'pw')).toEqual(new ReplyError(WRONGPASS));
    expect(c.session.protocol).toBe(2);
    expect(c.session.authenticated).toBe(false);
    const reply = c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'app');
    expect(reply).toBeInstanceOf(Map);
    expect((reply as Map<unknown, unknown>).get('proto')).toBe(3);
    expect(c.session.authenticated).toBe(true);
    expect(c.call('CLIENT', 'GETNAME')).toBe('app');
  });

  it('checks the protocol version before authentication', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.callBytes('HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
  });

  // Redis validates SETNAME while parsing the options, before the
  // authentication check (networking.c helloCommand).
  it('reports an invalid SETNAME before NOAUTH, as Redis does', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.callBytes('HELLO', '3', 'SETNAME', 'a b')).toBe(
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
  });

  it('does not change the name when AUTH in the same HELLO fails', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    c.call('HELLO', '3', 'AUTH', 'default', 'bad', 'SETNAME', 'sneaky');
    c.call('AUTH', 'pw');
    expect(c.call('CLIENT', 'GETNAME')).toBe(null);
  });

  it('accepts AUTH for default with any password when no password is configured', () => {
    const c = new Harness().connect();
    expect(c.call('HELLO', '3', 'AUTH', 'default', 'whatever')).toBeInstanceOf(Map);
    expect(c.call('HELLO', '3', 'AUTH', 'bob', 'whatever')).toEqual(new ReplyError(WRONGPASS));
  });

  it('reports the client id of the calling connection', () => {
    const h = new Harness();
    h.connect();
    const second = h.connect();
    const reply = second.call('HELLO', '3') as Map<unknown, unknown>;
    expect(reply.get('id')).toBe(second.session.id);
    expect(reply.get('id')).toBe(second.call('CLIENT', 'ID'));
  });
});
