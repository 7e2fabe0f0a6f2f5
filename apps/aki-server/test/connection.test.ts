// Connection-level commands: PING, ECHO, HELLO (RESP2/RESP3), AUTH with
// requirepass, CLIENT subcommands and QUIT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RawConnection, decodeReply, startAki, waitFor, type RunningServer } from '@aki/test-utils';

const PASSWORD = 'secret';
let open: RunningServer; // no password
let locked: RunningServer; // requirepass
const conns: RawConnection[] = [];

async function connect(server: RunningServer): Promise<RawConnection> {
  const conn = await RawConnection.open(server.port);
  conns.push(conn);
  return conn;
}
const str = async (conn: RawConnection, ...args: Array<string | number | Buffer>) =>
  (await conn.call(...args)).toString('latin1');
const decoded = async (conn: RawConnection, ...args: Array<string | number>) => decodeReply(await conn.call(...args))!.value;
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const OK = '+OK\r\n';
const NOAUTH = '-NOAUTH Authentication required.\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
// Redis 7.0 writes "the HELLO AUTH <user> <pass> option", 7.2 "the HELLO <proto> AUTH <user> <pass> option".
const HELLO_NOAUTH =
  /^-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO (<proto> )?AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n$/;
const BAD_NAME = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';

beforeAll(async () => {
  [open, locked] = await Promise.all([startAki(), startAki({ args: ['--requirepass', PASSWORD] })]);
});

afterAll(async () => {
  for (const conn of conns) conn.close();
  await Promise.all([open?.stop(), locked?.stop()]);
});

async function clientId(conn: RawConnection): Promise<number> {
  return Number(await decoded(conn, 'CLIENT', 'ID'));
}

async function redisVersion(conn: RawConnection): Promise<string> {
  const info = String(await decoded(conn, 'INFO', 'server'));
  return /^redis_version:(.*)\r$/m.exec(info)![1]!;
}

/** The exact HELLO reply Redis 7 sends, for this connection. */
function helloBytes(proto: 2 | 3, server: string, version: string, id: number): string {
  const body =
    `$6\r\nserver\r\n${bulk(server)}$7\r\nversion\r\n${bulk(version)}$5\r\nproto\r\n:${proto}\r\n` +
    `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
  return (proto === 2 ? '*14\r\n' : '%7\r\n') + body;
}

describe('PING and ECHO', () => {
  it('PING', async () => {
    const c = await connect(open);
    expect(await str(c, 'PING')).toBe('+PONG\r\n');
    expect(await str(c, 'PING', 'hello world')).toBe(bulk('hello world'));
    expect(await str(c, 'PING', 'a', 'b')).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    expect(await str(c, 'ping')).toBe('+PONG\r\n');
  });

  it('ECHO is binary safe', async () => {
    const c = await connect(open);
    const payload = Buffer.from([0, 13, 10, 255, 36]);
    expect(await c.call('ECHO', payload)).toEqual(Buffer.concat([Buffer.from('$5\r\n'), payload, Buffer.from('\r\n')]));
    expect(await str(c, 'ECHO', '')).toBe('$0\r\n\r\n');
    expect(await str(c, 'ECHO')).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
    expect(await str(c, 'ECHO', 'a', 'b')).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
  });
});

describe('HELLO', () => {
  it('without arguments replies in RESP2 with the server map', async () => {
    const c = await connect(open);
    const id = await clientId(c);
    const version = await redisVersion(c);
    expect(version).toMatch(/^7\.\d+\.\d+$/);
    const raw = await str(c, 'HELLO');
    const name = (decodeReply(Buffer.from(raw, 'latin1'))!.value as string[])[1]!;
    expect(name.length).toBeGreaterThan(0);
    expect(raw).toBe(helloBytes(2, name, version, id));
  });

  it('HELLO 3 switches the connection to RESP3 replies, HELLO 2 back', async () => {
    const c = await connect(open);
    const id = await clientId(c);
    const version = await redisVersion(c);
    const raw = await str(c, 'HELLO', '3');
    const name = (decodeReply(Buffer.from(raw, 'latin1'))!.value as Map<string, unknown>).get('server') as string;
    expect(raw).toBe(helloBytes(3, name, version, id));

    await str(c, 'SET', 'x', 'y');
    expect(await str(c, 'GET', 'nokey:hello')).toBe('_\r\n');
    expect(await str(c, 'MGET', 'x', 'nokey:hello')).toBe('*2\r\n$1\r\ny\r\n_\r\n');
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe('_\r\n');
    expect(await str(c, 'CONFIG', 'GET', 'port')).toBe(`%1\r\n$4\r\nport\r\n${bulk(String(open.port))}`);
    expect(await str(c, 'COMMAND', 'INFO', 'nosuchcommand')).toBe('*1\r\n_\r\n');
    const info = await str(c, 'INFO', 'server');
    expect(info).toMatch(/^=\d+\r\ntxt:# Server\r\n/);
    expect(Number(/^=(\d+)\r\n/.exec(info)![1])).toBe(Buffer.byteLength(info, 'latin1') - info.indexOf('\r\n') - 4);
    const clientInfo = await str(c, 'CLIENT', 'INFO');
    expect(clientInfo).toMatch(/^=\d+\r\ntxt:id=\d+ .* resp=3.*\n\r\n$/s);

    expect(await str(c, 'HELLO', '2')).toBe(helloBytes(2, name, version, id));
    expect(await str(c, 'GET', 'nokey:hello')).toBe('$-1\r\n');
    expect(await str(c, 'CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n${bulk(String(open.port))}`);
  });

  it('rejects bad versions and options without changing the protocol', async () => {
    const c = await connect(open);
    expect(await str(c, 'HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
    expect(await str(c, 'HELLO', '1')).toBe('-NOPROTO unsupported protocol version\r\n');
    expect(await str(c, 'HELLO', 'abc')).toBe('-ERR Protocol version is not an integer or out of range\r\n');
    expect(await str(c, 'HELLO', '3', 'FOO')).toBe("-ERR Syntax error in HELLO option 'FOO'\r\n");
    expect(await str(c, 'HELLO', '2', 'AUTH', 'default')).toBe("-ERR Syntax error in HELLO option 'AUTH'\r\n");
    expect(await str(c, 'HELLO', '3', 'SETNAME', 'my name')).toBe(BAD_NAME);
    expect(await str(c, 'GET', 'nokey')).toBe('$-1\r\n');
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe('$-1\r\n');
  });

  it('HELLO SETNAME names the connection', async () => {
    const c = await connect(open);
    expect(await str(c, 'HELLO', '3', 'SETNAME', 'hello-name')).toMatch(/^%7\r\n/);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe(bulk('hello-name'));
  });

  it('HELLO AUTH is accepted on a server without a password, AUTH is not', async () => {
    const c = await connect(open);
    expect(await str(c, 'HELLO', '3', 'AUTH', 'default', 'whatever')).toMatch(/^%7\r\n/);
    expect(await str(c, 'AUTH', 'x')).toBe(
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    expect(await str(c, 'AUTH', 'a', 'b')).toBe(WRONGPASS);
    expect(await str(c, 'AUTH', 'default', 'anything')).toBe(OK);
    expect(await str(c, 'AUTH')).toBe("-ERR wrong number of arguments for 'auth' command\r\n");
  });
});

describe('AUTH with requirepass', () => {
  it('refuses commands before AUTH and keeps the connection', async () => {
    const c = await connect(locked);
    expect(await str(c, 'GET', 'k')).toBe(NOAUTH);
    expect(await str(c, 'PING')).toBe(NOAUTH);
    expect(await str(c, 'SELECT', '1')).toBe(NOAUTH);
    expect(await str(c, 'CLIENT', 'SETNAME', 'x')).toBe(NOAUTH);
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'x')).toBe(NOAUTH);
    // Unknown command and arity errors come before the auth check, as in Redis.
    expect(await str(c, 'FOO')).toBe("-ERR unknown command 'FOO', with args beginning with: \r\n");
    expect(await str(c, 'GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await str(c, 'HELLO', '3')).toMatch(HELLO_NOAUTH);
    expect(await str(c, 'HELLO')).toMatch(HELLO_NOAUTH);
    expect(await str(c, 'HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
    expect(c.isClosed()).toBe(false);
    expect(await str(c, 'AUTH', PASSWORD)).toBe(OK);
    expect(await str(c, 'GET', 'k')).toBe('$-1\r\n');
    expect(await str(c, 'PING')).toBe('+PONG\r\n');
  });

  it('wrong passwords get WRONGPASS', async () => {
    const c = await connect(locked);
    expect(await str(c, 'AUTH', 'wrong')).toBe(WRONGPASS);
    expect(await str(c, 'AUTH', 'default', 'wrong')).toBe(WRONGPASS);
    expect(await str(c, 'AUTH', 'nouser', PASSWORD)).toBe(WRONGPASS);
    expect(await str(c, 'HELLO', '3', 'AUTH', 'default', 'wrong')).toBe(WRONGPASS);
    expect(await str(c, 'GET', 'k')).toBe(NOAUTH);
    expect(await str(c, 'AUTH', 'default', PASSWORD)).toBe(OK);
    // A failed AUTH after a good one does not log the connection out.
    expect(await str(c, 'AUTH', 'wrong')).toBe(WRONGPASS);
    expect(await str(c, 'GET', 'k')).toBe('$-1\r\n');
  });

  it('HELLO 3 AUTH authenticates, switches protocol and sets the name in one step', async () => {
    const c = await connect(locked);
    expect(await str(c, 'HELLO', '3', 'AUTH', 'default', PASSWORD, 'SETNAME', 'cli')).toMatch(/^%7\r\n/);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe(bulk('cli'));
    expect(await str(c, 'GET', 'nokey')).toBe('_\r\n');
  });

  it('a node-redis style handshake: CLIENT SETINFO pipelined before AUTH', async () => {
    const c = await connect(locked);
    c.write(
      Buffer.concat([
        Buffer.from('*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$7\r\nLIB-VER\r\n$5\r\n5.0.0\r\n'),
        Buffer.from('*4\r\n$6\r\nCLIENT\r\n$7\r\nSETINFO\r\n$8\r\nLIB-NAME\r\n$10\r\nnode-redis\r\n'),
        Buffer.from(`*2\r\n$4\r\nAUTH\r\n$${PASSWORD.length}\r\n${PASSWORD}\r\n`),
        Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'),
      ]),
    );
    expect((await c.readReplies(4)).toString()).toBe(`${NOAUTH}${NOAUTH}${OK}$-1\r\n`);
    expect(c.isClosed()).toBe(false);
  });

  it('QUIT works before AUTH', async () => {
    const c = await connect(locked);
    expect(await str(c, 'QUIT')).toBe(OK);
    await c.closed;
  });

  it('CONFIG SET requirepass applies to new connections only', async () => {
    const admin = await connect(locked);
    expect(await str(admin, 'AUTH', PASSWORD)).toBe(OK);
    expect(await str(admin, 'CONFIG', 'SET', 'requirepass', 'n3w pass')).toBe(OK);
    try {
      expect(await str(admin, 'PING')).toBe('+PONG\r\n');
      const c = await connect(locked);
      expect(await str(c, 'PING')).toBe(NOAUTH);
      expect(await str(c, 'AUTH', PASSWORD)).toBe(WRONGPASS);
      expect(await str(c, 'AUTH', 'n3w pass')).toBe(OK);
    } finally {
      expect(await str(admin, 'CONFIG', 'SET', 'requirepass', PASSWORD)).toBe(OK);
    }
  });

  it('clearing requirepass opens the server', async () => {
    const admin = await connect(locked);
    expect(await str(admin, 'AUTH', PASSWORD)).toBe(OK);
    expect(await str(admin, 'CONFIG', 'SET', 'requirepass', '')).toBe(OK);
    try {
      const c = await connect(locked);
      expect(await str(c, 'PING')).toBe('+PONG\r\n');
    } finally {
      expect(await str(admin, 'CONFIG', 'SET', 'requirepass', PASSWORD)).toBe(OK);
    }
    const after = await connect(locked);
    expect(await str(after, 'PING')).toBe(NOAUTH);
  });
});

describe('clients authenticating', () => {
  for (const protocol of [2, 3] as const) {
    it(`ioredis, protocol ${protocol}`, async () => {
      const r = new Redis({ port: locked.port, host: locked.host, password: PASSWORD, protocol, lazyConnect: true });
      try {
        await r.connect();
        expect(r.status).toBe('ready');
        await r.set(`io${protocol}`, 'v');
        expect(await r.get(`io${protocol}`)).toBe('v');
      } finally {
        r.disconnect();
      }
    });

    it(`node-redis, RESP ${protocol}`, async () => {
      const client = createClient({ socket: { port: locked.port, host: locked.host }, password: PASSWORD, RESP: protocol });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.set(`nr${protocol}`, 'v');
        expect(await client.get(`nr${protocol}`)).toBe('v');
        expect(await client.sendCommand(['CLIENT', 'GETNAME'])).toBe(null);
      } finally {
        client.destroy();
      }
    });
  }

  it('node-redis with a wrong password fails to connect with WRONGPASS', async () => {
    const client = createClient({
      socket: { port: locked.port, host: locked.host, reconnectStrategy: false },
      password: 'wrong',
      RESP: 2,
    });
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    await expect(client.connect()).rejects.toThrow(/WRONGPASS/);
    client.destroy();
  });

  it('node-redis RESP2 without a password connects (SETINFO errors are ignored); commands get NOAUTH until AUTH', async () => {
    const client = createClient({ socket: { port: locked.port, host: locked.host }, RESP: 2 });
    client.on('error', () => {});
    await client.connect();
    try {
      await expect(client.get('k')).rejects.toThrow('NOAUTH Authentication required.');
      expect(await client.sendCommand(['AUTH', PASSWORD])).toBe('OK');
      expect(await client.get('k')).toBe(null);
    } finally {
      client.destroy();
    }
  });
});

describe('CLIENT', () => {
  it('ID is unique and increasing', async () => {
    const a = await connect(open);
    const b = await connect(open);
    const ida = await clientId(a);
    const idb = await clientId(b);
    expect(Number.isInteger(ida)).toBe(true);
    expect(idb).toBeGreaterThan(ida);
    expect(await clientId(a)).toBe(ida);
  });

  it('SETNAME / GETNAME', async () => {
    const c = await connect(open);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await str(c, 'CLIENT', 'SETNAME', 'worker-1')).toBe(OK);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe(bulk('worker-1'));
    expect(await str(c, 'CLIENT', 'SETNAME', 'a b')).toBe(BAD_NAME);
    expect(await str(c, 'CLIENT', 'SETNAME', 'a\nb')).toBe(BAD_NAME);
    expect(await str(c, 'CLIENT', 'SETNAME', 'a\x01b')).toBe(BAD_NAME);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe(bulk('worker-1'));
    expect(await str(c, 'CLIENT', 'SETNAME', '')).toBe(OK);
    expect(await str(c, 'CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await str(c, 'CLIENT', 'SETNAME')).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
  });

  it('SETINFO records LIB-NAME and LIB-VER and rejects injection', async () => {
    const c = await connect(open);
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'mylib')).toBe(OK);
    expect(await str(c, 'CLIENT', 'SETINFO', 'lib-ver', '1.2.3')).toBe(OK);
    const info = String(await decoded(c, 'CLIENT', 'INFO'));
    expect(info).toMatch(/ lib-name=mylib /);
    expect(info).toMatch(/ lib-ver=1\.2\.3(\s|$)/);
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'x y')).toMatch(
      /^-ERR .*cannot contain spaces, newlines or special characters\.\r\n$/,
    );
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'x\nid=9')).toMatch(
      /^-ERR .*cannot contain spaces, newlines or special characters\.\r\n$/,
    );
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-VER', 'v 2')).toMatch(
      /^-ERR .*cannot contain spaces, newlines or special characters\.\r\n$/,
    );
    expect(await str(c, 'CLIENT', 'SETINFO', 'FOO', 'x')).toMatch(/^-ERR Unrecognized option 'FOO'/);
    expect(await str(c, 'CLIENT', 'SETINFO', 'LIB-NAME')).toBe(
      "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
    );
    // No value may break the one-client-per-line, space-separated format.
    const list = String(await decoded(c, 'CLIENT', 'LIST'));
    for (const line of list.split('\n').filter(Boolean)) expect(line).toMatch(/^id=\d+ addr=\S+ laddr=\S+ fd=/);
    expect(list).toMatch(/ lib-name=mylib /);
    expect(list).not.toMatch(/lib-name=x/);
  });

  it('INFO describes this connection', async () => {
    const c = await connect(open);
    await str(c, 'CLIENT', 'SETNAME', 'me');
    const id = await clientId(c);
    const line = String(await decoded(c, 'CLIENT', 'INFO'));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n').length).toBe(2);
    const fields = new Map(line.trim().split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    expect(fields.get('id')).toBe(String(id));
    expect(fields.get('addr')).toBe(`127.0.0.1:${c.socket.localPort}`);
    expect(fields.get('laddr')).toBe(`127.0.0.1:${open.port}`);
    expect(fields.get('name')).toBe('me');
    expect(fields.get('db')).toBe('0');
    expect(fields.get('cmd')).toBe('client|info');
    expect(fields.get('user')).toBe('default');
    expect(fields.get('resp')).toBe('2');
    for (const key of ['fd', 'age', 'idle', 'flags', 'sub', 'psub', 'multi', 'qbuf', 'omem', 'tot-mem', 'lib-name', 'lib-ver']) {
      expect(fields.has(key), key).toBe(true);
    }
    expect(fields.get('age')).toMatch(/^\d+$/);
    expect(fields.get('multi')).toBe('-1');
  });

  it('LIST shows every connection, filtered by TYPE and ID', async () => {
    const a = await connect(open);
    const b = await connect(open);
    const ida = await clientId(a);
    const idb = await clientId(b);
    const list = String(await decoded(a, 'CLIENT', 'LIST'));
    const ids = list
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(/^id=(\d+) /.exec(l)![1]));
    expect(ids).toContain(ida);
    expect(ids).toContain(idb);
    expect(String(await decoded(a, 'CLIENT', 'LIST', 'TYPE', 'normal'))).toMatch(new RegExp(`^id=${idb} `, 'm'));
    const only = String(await decoded(a, 'CLIENT', 'LIST', 'ID', idb, ida));
    expect(only.split('\n').filter(Boolean).length).toBe(2);
    expect(await str(a, 'CLIENT', 'LIST', 'ID', '99999999')).toBe('$0\r\n\r\n');
    expect(await str(a, 'CLIENT', 'LIST', 'TYPE', 'foo')).toBe("-ERR Unknown client type 'foo'\r\n");
    expect(await str(a, 'CLIENT', 'LIST', 'ID', 'abc')).toBe('-ERR Invalid client ID\r\n');
  });

  it('KILL by ID, by address and with SKIPME', async () => {
    const killer = await connect(open);
    const victim = await connect(open);
    const victimId = await clientId(victim);
    expect(await str(killer, 'CLIENT', 'KILL', 'ID', victimId)).toBe(':1\r\n');
    await victim.closed;
    expect(await str(killer, 'CLIENT', 'KILL', 'ID', victimId)).toBe(':0\r\n');

    const victim2 = await connect(open);
    expect(await str(victim2, 'PING')).toBe('+PONG\r\n'); // the server has surely accepted it
    const addr = `127.0.0.1:${victim2.socket.localPort}`;
    expect(await str(killer, 'CLIENT', 'KILL', addr)).toBe(OK);
    await victim2.closed;
    expect(await str(killer, 'CLIENT', 'KILL', '1.2.3.4:5')).toBe('-ERR No such client\r\n');

    const victim3 = await connect(open);
    expect(await str(victim3, 'PING')).toBe('+PONG\r\n');
    expect(await str(killer, 'CLIENT', 'KILL', 'ADDR', `127.0.0.1:${victim3.socket.localPort}`)).toBe(':1\r\n');
    await victim3.closed;

    const self = await clientId(killer);
    expect(await str(killer, 'CLIENT', 'KILL', 'ID', self)).toBe(':0\r\n'); // SKIPME yes by default
    expect(await str(killer, 'CLIENT', 'KILL', 'ID', self, 'SKIPME', 'no')).toBe(':1\r\n');
    await killer.closed;
  });

  it('KILL rejects bad filters', async () => {
    const c = await connect(open);
    expect(await str(c, 'CLIENT', 'KILL', 'ID', 'abc')).toBe('-ERR client-id should be greater than 0\r\n');
    expect(await str(c, 'CLIENT', 'KILL', 'FOO', 'x')).toBe('-ERR syntax error\r\n');
    expect(await str(c, 'CLIENT', 'KILL', 'SKIPME', 'maybe')).toBe('-ERR syntax error\r\n');
    expect(await str(c, 'CLIENT', 'KILL', 'TYPE', 'bogus')).toBe("-ERR Unknown client type 'bogus'\r\n");
    expect(await str(c, 'CLIENT', 'KILL', 'ID', '99999999')).toBe(':0\r\n');
  });

  it('unknown subcommands and arity', async () => {
    const c = await connect(open);
    expect(await str(c, 'CLIENT', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    expect(await str(c, 'CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n");
  });

  it('a killed ioredis connection reconnects by itself', async () => {
    const r = new Redis({ port: open.port, host: open.host, lazyConnect: true, retryStrategy: () => 20 });
    try {
      await r.connect();
      const id = Number(await r.client('ID'));
      const admin = await connect(open);
      expect(await str(admin, 'CLIENT', 'KILL', 'ID', id)).toBe(':1\r\n');
      await waitFor(async () => (await r.ping().catch(() => 'x')) === 'PONG' && Number(await r.client('ID')) !== id, 5000);
    } finally {
      r.disconnect();
    }
  });
});

describe('QUIT', () => {
  it('replies +OK, closes, and ignores what was pipelined after it', async () => {
    const c = await connect(open);
    c.write('*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$8\r\nquit:key\r\n$1\r\nv\r\n');
    expect((await c.readAll(2000)).toString()).toBe(OK);
    expect(c.isClosed()).toBe(true);
    const check = await connect(open);
    expect(await str(check, 'EXISTS', 'quit:key')).toBe(':0\r\n');
  });

  it('finishes replies to commands sent before a half-close', async () => {
    const c = await connect(open);
    c.write('SET half v\r\nGET half\r\n');
    c.end();
    expect((await c.readAll(2000)).toString()).toBe('+OK\r\n$1\r\nv\r\n');
    expect(c.isClosed()).toBe(true);
  });
});
