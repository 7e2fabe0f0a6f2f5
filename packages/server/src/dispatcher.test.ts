import { describe, expect, it, vi } from 'vitest';
import type { ClientTransport } from './client-session.js';
import { allCommands } from './commands/all.js';
import { defineCommand } from './commands/define.js';
import { CommandTable } from './commands/table.js';
import { Dispatcher } from './dispatcher.js';
import type { ServerState } from './server-state.js';
import { Harness, ReplyError, type TestClient } from './testing/harness.js';

/**
 * The dispatcher's gates, in Redis's order (unknown command, arity, NOAUTH,
 * LOADING), the exception barrier, and the counters behind INFO commandstats /
 * errorstats / stats. Expected texts were checked against a real redis-server
 * (7.0.15; 7.2 where noted).
 */

const NOAUTH = '-NOAUTH Authentication required.\r\n';
const LOADING = '-LOADING Redis is loading the dataset in memory\r\n';

/** INFO <section> parsed into field -> value. */
function infoFields(client: TestClient, section: string): Map<string, string> {
  const text = client.call('INFO', section);
  expect(typeof text).toBe('string');
  const fields = new Map<string, string>();
  for (const line of (text as string).split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** `cmdstat_<name>` of INFO commandstats as numbers, or undefined when absent. */
function cmdstat(client: TestClient, name: string): Record<string, number> | undefined {
  const value = infoFields(client, 'commandstats').get(`cmdstat_${name}`);
  if (value === undefined) return undefined;
  return Object.fromEntries(value.split(',').map((pair) => {
    const [k, v] = pair.split('=') as [string, string];
    return [k, Number(v)];
  }));
}

describe('unknown command', () => {
  it('quotes the name and the arguments, each followed by a space', () => {
    const c = new Harness().connect();
    expect(c.callBytes('foo', 'a', 'b')).toBe("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    expect(c.callBytes('FOO')).toBe("-ERR unknown command 'FOO', with args beginning with: \r\n");
  });

  it('keeps the reply on one line when the name or the arguments hold CR/LF', () => {
    const c = new Harness().connect();
    expect(c.callBytes('fo\no')).toBe("-ERR unknown command 'fo o', with args beginning with: \r\n");
    expect(c.callBytes('foo', 'a b', 'c\r\nd')).toBe(
      "-ERR unknown command 'foo', with args beginning with: 'a b' 'c  d' \r\n",
    );
  });

  it('cuts a long command name at 128 characters', () => {
    const c = new Harness().connect();
    const name = 'n'.repeat(200);
    expect(c.callBytes(name)).toBe(`-ERR unknown command '${'n'.repeat(128)}', with args beginning with: \r\n`);
  });

  // Redis appends "'<arg>' " while the list is shorter than 128 characters,
  // each argument cut to what is left of those 128 (server.c processCommand).
  it('limits the quoted arguments to about 128 characters in total, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('foo', 'a'.repeat(100), 'b'.repeat(100), 'c')).toBe(
      `-ERR unknown command 'foo', with args beginning with: '${'a'.repeat(100)}' '${'b'.repeat(25)}' \r\n`,
    );
    const many = [...'abcdefghijklmnopqrstuvwxyz', ...Array.from({ length: 70 }, (_, i) => String(i + 1))];
    expect(c.callBytes('foo', ...many)).toBe(
      "-ERR unknown command 'foo', with args beginning with: 'a' 'b' 'c' 'd' 'e' 'f' 'g' 'h' 'i' 'j' 'k' 'l' 'm' 'n' 'o' 'p' 'q' 'r' 's' 't' 'u' 'v' 'w' 'x' 'y' 'z' '1' '2' '3' '4' '5' '6' \r\n",
    );
  });

  it('counts an error reply but neither a processed command nor a cmdstat', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'RESETSTAT');
    const before = infoFields(c, 'stats');
    c.call('nosuchcommand');
    const after = infoFields(c, 'stats');
    // The INFO call in between is the one processed command.
    expect(Number(after.get('total_commands_processed'))).toBe(Number(before.get('total_commands_processed')) + 1);
    expect(Number(after.get('total_error_replies'))).toBe(Number(before.get('total_error_replies')) + 1);
    expect(infoFields(c, 'errorstats').get('errorstat_ERR')).toBe('count=1');
    expect(cmdstat(c, 'nosuchcommand')).toBeUndefined();
  });

  it('finds commands in any case', () => {
    const c = new Harness().connect();
    expect(c.call('ping')).toBe('PONG');
    expect(c.call('PiNg')).toBe('PONG');
    expect(c.call('client', 'ID')).toBe(c.session.id);
    expect(c.call('CLIENT', 'id')).toBe(c.session.id);
  });
});

describe('subcommands', () => {
  it('rejects an unknown subcommand quoting it as sent and naming the container in upper case', () => {
    const c = new Harness().connect();
    expect(c.callBytes('client', 'NoPe')).toBe("-ERR unknown subcommand 'NoPe'. Try CLIENT HELP.\r\n");
    expect(c.callBytes('CONFIG', 'nope', 'x')).toBe("-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n");
    expect(c.callBytes('COMMAND', 'NOSUCH')).toBe("-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n");
  });

  it('reports a container called without a subcommand as an arity error of the container', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n");
    expect(c.callBytes('CONFIG')).toBe("-ERR wrong number of arguments for 'config' command\r\n");
  });

  it('runs COMMAND, a container with a handler of its own, without a subcommand', () => {
    const c = new Harness().connect();
    const all = c.call('COMMAND');
    expect(Array.isArray(all)).toBe(true);
    expect((all as unknown[]).length).toBe(c.call('COMMAND', 'COUNT'));
  });

  it('names the subcommand as parent|sub in arity errors', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CLIENT', 'ID', 'x')).toBe("-ERR wrong number of arguments for 'client|id' command\r\n");
    expect(c.callBytes('CONFIG', 'GET')).toBe("-ERR wrong number of arguments for 'config|get' command\r\n");
    expect(c.callBytes('COMMAND', 'COUNT', 'x')).toBe("-ERR wrong number of arguments for 'command|count' command\r\n");
  });
});

describe('arity', () => {
  it('rejects too few and too many arguments for fixed arity, too few for "at least"', () => {
    const c = new Harness().connect();
    expect(c.callBytes('ECHO')).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
    expect(c.callBytes('ECHO', 'a', 'b')).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
    expect(c.callBytes('SELECT')).toBe("-ERR wrong number of arguments for 'select' command\r\n");
    expect(c.callBytes('AUTH')).toBe("-ERR wrong number of arguments for 'auth' command\r\n");
    expect(c.callBytes('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n");
    expect(c.callBytes('DEBUG')).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
  });

  it('uses the lower-case name whatever case was sent', () => {
    const c = new Harness().connect();
    expect(c.callBytes('EcHo')).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
  });

  it('counts a rejected call against the command, not a call', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'RESETSTAT');
    c.call('ECHO');
    c.call('ECHO');
    c.call('ECHO', 'x');
    expect(cmdstat(c, 'echo')).toMatchObject({ calls: 1, rejected_calls: 2, failed_calls: 0 });
  });

  // Redis counts the arity error of a bare container against cmdstat_client.
  it('counts CLIENT without a subcommand as a rejected call of cmdstat_client', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'RESETSTAT');
    c.call('CLIENT');
    expect(cmdstat(c, 'client')).toMatchObject({ calls: 0, rejected_calls: 1, failed_calls: 0 });
  });
});

describe('authentication gate', () => {
  it('answers NOAUTH before AUTH and keeps the connection open', () => {
    const h = new Harness({ config: [['requirepass', 'secret']] });
    const c = h.connect();
    expect(c.callBytes('GET', 'k')).toBe(NOAUTH);
    expect(c.callBytes('PING')).toBe(NOAUTH);
    expect(c.callBytes('SELECT', '1')).toBe(NOAUTH);
    expect(c.callBytes('CLIENT', 'ID')).toBe(NOAUTH);
    expect(c.closed).toBe(false);
    expect(c.session.closing).toBe(false);
    expect(c.call('AUTH', 'secret')).toBe('OK');
    expect(c.call('PING')).toBe('PONG');
  });

  it('checks unknown command and arity before authentication', () => {
    const c = new Harness({ config: [['requirepass', 'secret']] }).connect();
    expect(c.callBytes('FOO')).toBe("-ERR unknown command 'FOO', with args beginning with: \r\n");
    expect(c.callBytes('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(c.callBytes('CLIENT', 'NOPE')).toBe("-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n");
  });

  it('lets AUTH, HELLO and QUIT through before authentication', () => {
    const c = new Harness({ config: [['requirepass', 'secret']] }).connect();
    expect(c.call('AUTH', 'wrong')).toEqual(new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'));
    expect(c.call('HELLO', '4')).toEqual(new ReplyError('NOPROTO unsupported protocol version'));
    expect(c.call('QUIT')).toBe('OK');
    expect(c.closed).toBe(true);
  });

  it('counts NOAUTH as a rejected call and in errorstats', () => {
    const h = new Harness({ config: [['requirepass', 'secret']] });
    const c = h.connect();
    c.call('ECHO', 'x');
    c.call('AUTH', 'secret');
    expect(cmdstat(c, 'echo')).toMatchObject({ calls: 0, rejected_calls: 1 });
    expect(infoFields(c, 'errorstats').get('errorstat_NOAUTH')).toBe('count=1');
  });

  it('does not ask for authentication when no password is configured', () => {
    const c = new Harness().connect();
    expect(c.session.authenticated).toBe(true);
    expect(c.call('ECHO', 'x')).toBe('x');
  });
});

describe('loading gate', () => {
  it('refuses commands without the loading flag while the dataset loads', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    const c = h.connect();
    h.core.state.loading = true;
    expect(c.callBytes('GET', 'k')).toBe(LOADING);
    // PING has no loading flag in Redis 7 either.
    expect(c.callBytes('PING')).toBe(LOADING);
    expect(c.callBytes('SELECT', '1')).toBe('+OK\r\n');
    expect(c.call('CLIENT', 'ID')).toBe(c.session.id);
    expect(c.call('CONFIG', 'GET', 'hz')).toEqual(['hz', '10']);
    expect(c.call('DEBUG', 'DIGEST')).toBe('0'.repeat(40));
    expect(infoFields(c, 'persistence').get('loading')).toBe('1');
    h.core.state.loading = false;
    expect(c.call('PING')).toBe('PONG');
    expect(infoFields(c, 'persistence').get('loading')).toBe('0');
  });

  // Redis 7 gives ECHO the loading and stale flags (commands/echo.json).
  it('lets ECHO run while loading, as Redis does', () => {
    const h = new Harness();
    const c = h.connect();
    h.core.state.loading = true;
    expect(c.callBytes('ECHO', 'hi')).toBe('$2\r\nhi\r\n');
  });

  it('checks arity and authentication before loading', () => {
    const h = new Harness({ config: [['requirepass', 'secret']] });
    const c = h.connect();
    h.core.state.loading = true;
    expect(c.callBytes('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(c.callBytes('GET', 'k')).toBe(NOAUTH);
    expect(c.call('AUTH', 'secret')).toBe('OK');
    expect(c.callBytes('GET', 'k')).toBe(LOADING);
  });

  it('counts LOADING as a rejected call', () => {
    const h = new Harness();
    const c = h.connect();
    h.core.state.loading = true;
    c.call('GET', 'k');
    h.core.state.loading = false;
    expect(cmdstat(c, 'get')).toMatchObject({ calls: 0, rejected_calls: 1 });
    expect(infoFields(c, 'errorstats').get('errorstat_LOADING')).toBe('count=1');
  });
});

describe('exceptions in handlers', () => {
  /** A dispatcher over the real state plus a `boom` command that writes half a reply and throws. */
  function withThrowingCommand() {
    const h = new Harness();
    const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), trace: vi.fn(), fatal: vi.fn() };
    const boom = defineCommand({
      name: 'boom',
      arity: -1,
      flags: [],
      group: 'server',
      summary: 'test',
      since: '0.0.0',
      complexity: 'O(1)',
      handler: (ctx, argv) => {
        ctx.reply.arrayHeader(3);
        ctx.reply.bulk('partial');
        if (argv[1] === 'effect') ctx.propagate(['SET', 'k', 'v']);
        throw new TypeError('kaboom');
      },
    });
    const state: ServerState = {
      ...h.core.state,
      commands: new CommandTable([...allCommands, boom]),
      logger: logger as unknown as ServerState['logger'],
    };
    const dispatcher = new Dispatcher(state);
    const client = h.connect();
    const run = (...argv: string[]) => {
      dispatcher.execute(client.session, argv);
      return client.session.reply.take().toString('latin1');
    };
    return { h, client, run, logger };
  }

  it('replaces any partial reply with -ERR internal error and logs the error', () => {
    const { client, run, logger } = withThrowingCommand();
    expect(run('boom')).toBe('-ERR internal error\r\n');
    expect(logger.error).toHaveBeenCalledTimes(1);
    const [fields] = logger.error.mock.calls[0]!;
    expect((fields as { err: Error }).err).toBeInstanceOf(TypeError);
    expect((fields as { command: string }).command).toBe('boom');
    expect(client.closed).toBe(false);
    expect(client.session.closing).toBe(false);
  });

  it('keeps the connection usable and the replies of earlier commands intact', () => {
    const { client, run } = withThrowingCommand();
    client.session.reply.bulk('earlier');
    expect(run('boom')).toBe('$7\r\nearlier\r\n-ERR internal error\r\n');
    expect(run('PING')).toBe('+PONG\r\n');
    expect(run('ECHO', 'x')).toBe('$1\r\nx\r\n');
  });

  // Redis counts every error reply in total_error_replies / errorstats, and a
  // command that replied with an error as a failed call.
  it('counts the internal error like any other error reply', () => {
    const { client, run } = withThrowingCommand();
    run('boom');
    expect(infoFields(client, 'stats').get('total_error_replies')).toBe('1');
    expect(infoFields(client, 'errorstats').get('errorstat_ERR')).toBe('count=1');
    expect(cmdstat(client, 'boom')).toMatchObject({ calls: 1, failed_calls: 1 });
  });

  it('leaves the effect stream able to commit later commands', () => {
    const { h, run } = withThrowingCommand();
    run('boom', 'effect');
    h.takeEffects();
    h.core.state.propagator.record(0, ['DEL', 'x']);
    // Outside any command an effect is committed at once: a depth left at 1
    // by the exception would hold it back.
    expect(h.takeEffects()).toEqual([['DEL', 'x']]);
  });
});

describe('counters', () => {
  it('counts calls, failed calls (error replies from handlers) and processed commands', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'RESETSTAT');
    c.call('SELECT', 'abc');
    c.call('SELECT', '1');
    c.call('SELECT', '99');
    expect(cmdstat(c, 'select')).toMatchObject({ calls: 3, failed_calls: 2, rejected_calls: 0 });
    // CONFIG RESETSTAT itself, 3 SELECTs and the INFO that printed the cmdstat.
    expect(infoFields(c, 'stats').get('total_commands_processed')).toBe('5');
  });

  it('prints usec and usec_per_call consistent with calls', () => {
    const c = new Harness().connect();
    c.call('ECHO', 'a');
    c.call('ECHO', 'b');
    const line = infoFields(c, 'commandstats').get('cmdstat_echo')!;
    expect(line).toMatch(/^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
    const stats = cmdstat(c, 'echo')!;
    expect(stats.usec_per_call).toBeCloseTo(stats.usec! / 2, 2);
  });

  it('keys subcommand stats by their full name', () => {
    const c = new Harness().connect();
    c.call('CLIENT', 'ID');
    c.call('client', 'id');
    expect(cmdstat(c, 'client|id')).toMatchObject({ calls: 2 });
    expect(cmdstat(c, 'client')).toBeUndefined();
  });

  it('counts handler errors in errorstats by their code word', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    c.call('AUTH', 'nope');
    c.call('HELLO', '9');
    c.call('AUTH', 'pw');
    const errors = infoFields(c, 'errorstats');
    expect(errors.get('errorstat_WRONGPASS')).toBe('count=1');
    expect(errors.get('errorstat_NOPROTO')).toBe('count=1');
    expect(infoFields(c, 'stats').get('total_error_replies')).toBe('2');
  });

  it('records the last command run for CLIENT LIST', () => {
    const h = new Harness();
    const a = h.connect();
    const b = h.connect();
    expect(b.call('CLIENT', 'LIST', 'ID', String(a.session.id))).toContain(' cmd=NULL ');
    a.call('ECHO', 'x');
    expect(b.call('CLIENT', 'LIST', 'ID', String(a.session.id))).toContain(' cmd=echo ');
    a.call('CONFIG', 'GET', 'hz');
    expect(b.call('CLIENT', 'LIST', 'ID', String(a.session.id))).toContain(' cmd=config|get ');
  });

  it('gives each command the time of the injected clock', () => {
    const h = new Harness({ now: 1_000_000, config: [['enable-debug-command', 'yes']] });
    const a = h.connect();
    const db = h.core.state.keyspace.db(0);
    db.set('key:0', 'old', 1_000_000 + 5_000, h.now);
    h.advance(4_999);
    // POPULATE skips keys that exist at the command's time (ctx.now)...
    a.call('DEBUG', 'POPULATE', '1');
    expect(db.peek('key:0')).toBe('old');
    h.advance(1);
    // ...and one millisecond later the key has expired and is created anew.
    a.call('DEBUG', 'POPULATE', '1');
    expect(db.peek('key:0')).toBe('value:0');
  });
});

describe('sessions opened on a custom transport', () => {
  it('start unauthenticated exactly when requirepass is set', () => {
    const transport: ClientTransport = {
      remoteAddress: '10.0.0.1:1',
      localAddress: '10.0.0.2:6379',
      isLocal: false,
      closeAfterFlush() {},
      destroy() {},
      requestFlush() {},
    };
    const open = new Harness().core.openSession(transport);
    expect(open.authenticated).toBe(true);
    const locked = new Harness({ config: [['requirepass', 'x']] }).core.openSession(transport);
    expect(locked.authenticated).toBe(false);
  });
});

describe('a client whose pending output passes its limit', () => {
  it('is closed, while the command that overflowed still completes and propagates its effect', () => {
    const h = new Harness();
    const c = h.connect();
    c.session.reply.maxLength = 20_000; // the server's limit is 1 GiB; a small one keeps the test fast
    const big = 'x'.repeat(5000);
    c.call('RPUSH', 'l', ...Array.from({ length: 10 }, () => big));
    h.takeEffects();
    c.callRaw(['LPOP', 'l', '10']);
    expect(c.closed).toBe(true);
    expect(c.session.closing).toBe(true);
    const other = h.connect();
    expect(other.call('LLEN', 'l')).toBe(0);
    expect(h.takeEffects()).toEqual([['LPOP', 'l', '10']]);
  });
});
