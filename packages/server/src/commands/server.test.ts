import { describe, expect, it } from 'vitest';
import type { ShutdownRequest } from '../server-state.js';
import { Harness, ReplyError, type TestClient } from '../testing/harness.js';

/**
 * INFO, CONFIG GET / SET / RESETSTAT / HELP, TIME and SHUTDOWN. Expected texts
 * and section lists were checked against redis-server 7.0.15.
 */

const arity = (name: string) => `-ERR wrong number of arguments for '${name}' command\r\n`;

function infoText(client: TestClient, ...sections: string[]): string {
  const text = client.call('INFO', ...sections);
  expect(typeof text).toBe('string');
  return text as string;
}

/** The `# Name` headers of an INFO text, in order. */
const headers = (text: string) => text.split('\r\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));

/** INFO fields as field -> value. */
function fields(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}

const DEFAULT_SECTIONS = [
  'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster',
  'Keyspace',
];
/**
 * Redis 7's "all" (and "everything" without modules loaded): every section,
 * Modules included, Commandstats between Modules and Errorstats. Redis also
 * prints Latencystats after Errorstats, which aki does not implement yet; it
 * is left out of this comparison.
 */
const ALL_SECTIONS = [
  'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats',
  'Errorstats', 'Cluster', 'Keyspace',
];
const withoutLatencystats = (names: string[]) => names.filter((n) => n !== 'Latencystats');

describe('INFO sections', () => {
  it('prints the default sections with no argument and with "default"', () => {
    const c = new Harness().connect();
    expect(headers(infoText(c))).toEqual(DEFAULT_SECTIONS);
    expect(headers(infoText(c, 'default'))).toEqual(DEFAULT_SECTIONS);
    expect(headers(infoText(c, 'DEFAULT'))).toEqual(DEFAULT_SECTIONS);
  });

  it('prints every section for "all" and "everything", in Redis\'s order', () => {
    const c = new Harness().connect();
    expect(withoutLatencystats(headers(infoText(c, 'all')))).toEqual(ALL_SECTIONS);
    expect(withoutLatencystats(headers(infoText(c, 'everything')))).toEqual(ALL_SECTIONS);
  });

  it('adds commandstats to the default sections in Redis\'s order', () => {
    const c = new Harness().connect();
    expect(headers(infoText(c, 'default', 'commandstats'))).toEqual([
      'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats',
      'Errorstats', 'Cluster', 'Keyspace',
    ]);
  });

  it('prints single sections, several sections, in any case', () => {
    const c = new Harness().connect();
    expect(headers(infoText(c, 'server'))).toEqual(['Server']);
    expect(headers(infoText(c, 'SERVER'))).toEqual(['Server']);
    expect(headers(infoText(c, 'keyspace'))).toEqual(['Keyspace']);
    expect(headers(infoText(c, 'commandstats'))).toEqual(['Commandstats']);
    expect(headers(infoText(c, 'modules'))).toEqual(['Modules']);
    expect(headers(infoText(c, 'clients', 'server'))).toEqual(['Server', 'Clients']);
    expect(headers(infoText(c, 'server', 'server'))).toEqual(['Server']);
  });

  it('prints nothing for unknown sections', () => {
    const c = new Harness().connect();
    expect(c.callBytes('INFO', 'nosuch')).toBe('$0\r\n\r\n');
    expect(c.callBytes('INFO', 'a', 'b')).toBe('$0\r\n\r\n');
    expect(headers(infoText(c, 'nosuch', 'cluster'))).toEqual(['Cluster']);
  });

  it('ends every line with CRLF and separates sections with one blank line', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'SET', 'hz', 'abc'); // an error, so errorstats has a line
    const text = infoText(c, 'everything');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.endsWith('\r\n\r\n')).toBe(false);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.slice(0, -2).split('\r\n');
    for (const [i, line] of lines.entries()) {
      if (line === '') {
        expect(lines[i + 1], 'a blank line is followed by a header').toMatch(/^# /);
        expect(lines[i - 1], 'never two blank lines').not.toBe('');
      } else if (!line.startsWith('# ')) {
        expect(line).toMatch(/^[a-z0-9_|]+:[^\r\n]*$/i);
      }
    }
    expect(text.startsWith('# Server\r\n')).toBe(true);
  });

  it('replies with a bulk string under RESP2 and a verbatim txt string under RESP3', () => {
    const c = new Harness().connect();
    const resp2 = c.callBytes('INFO', 'cluster');
    expect(resp2).toBe('$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n');
    c.call('HELLO', '3');
    expect(c.callBytes('INFO', 'cluster')).toBe('=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });

  it('is allowed while loading', () => {
    const h = new Harness();
    const c = h.connect();
    h.core.state.loading = true;
    expect(fields(infoText(c, 'persistence')).get('loading')).toBe('1');
  });
});

describe('INFO fields', () => {
  it('server: the Redis version aki claims, mode, uptime and time from the injected clock', () => {
    const h = new Harness({ now: 1_700_000_000_000 });
    const c = h.connect();
    h.advance(90_061_000);
    const server = fields(infoText(c, 'server'));
    expect(server.get('redis_version')).toBe('7.2.4');
    expect(server.get('redis_mode')).toBe('standalone');
    expect(server.get('uptime_in_seconds')).toBe('90061');
    expect(server.get('uptime_in_days')).toBe('1');
    expect(server.get('server_time_usec')).toBe(String((1_700_000_000_000 + 90_061_000) * 1000));
    expect(server.get('run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(server.get('hz')).toBe('10');
    expect(server.get('process_id')).toBe(String(process.pid));
  });

  it('clients: connected_clients and maxclients', () => {
    const h = new Harness();
    const c = h.connect();
    h.connect();
    h.connect();
    const clients = fields(infoText(c, 'clients'));
    expect(clients.get('connected_clients')).toBe('3');
    expect(clients.get('maxclients')).toBe('10000');
  });

  it('memory: maxmemory_policy:noeviction and maxmemory follow the config', () => {
    const c = new Harness().connect();
    const memory = fields(infoText(c, 'memory'));
    expect(memory.get('maxmemory_policy')).toBe('noeviction');
    expect(memory.get('maxmemory')).toBe('0');
    expect(memory.get('maxmemory_human')).toBe('0B');
    expect(Number(memory.get('used_memory'))).toBeGreaterThan(0);
    expect(infoText(c)).toContain('\r\nmaxmemory_policy:noeviction\r\n');
    c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', '2mb');
    const after = fields(infoText(c, 'memory'));
    expect(after.get('maxmemory_policy')).toBe('allkeys-lru');
    expect(after.get('maxmemory')).toBe('2097152');
    expect(after.get('maxmemory_human')).toBe('2.00M');
  });

  it('persistence: loading:0 (ioredis waits for it)', () => {
    const c = new Harness().connect();
    expect(infoText(c)).toContain('\r\nloading:0\r\n');
    expect(fields(infoText(c, 'persistence')).get('async_loading')).toBe('0');
  });

  it('replication: a master with a 40-character replication id', () => {
    const c = new Harness().connect();
    const replication = fields(infoText(c, 'replication'));
    expect(replication.get('role')).toBe('master');
    expect(replication.get('connected_slaves')).toBe('0');
    expect(replication.get('master_replid')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keyspace: one db line per non-empty database, ascending, with keys and expires', () => {
    const h = new Harness();
    const c = h.connect();
    expect(infoText(c, 'keyspace')).toBe('# Keyspace\r\n');
    const ks = h.core.state.keyspace;
    ks.db(0).set('a', '1', undefined, h.now);
    ks.db(0).set('b', '2', h.now + 60_000, h.now);
    ks.db(3).set('c', '3', undefined, h.now);
    const text = infoText(c, 'keyspace');
    expect(text).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n$/);
    expect(infoText(c)).toMatch(/\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n$/);
  });

  it('keyspace: avg_ttl reports the estimate of the active expiry cycle', () => {
    const h = new Harness();
    const c = h.connect();
    h.core.state.keyspace.db(1).set('k', 'v', h.now + 10_000, h.now);
    h.core.state.keyspace.activeExpireCycle(h.now, 10);
    expect(fields(infoText(c, 'keyspace')).get('db1')).toBe('keys=1,expires=1,avg_ttl=10000');
  });

  it('stats: connections, commands and expired keys', () => {
    const h = new Harness();
    const c = h.connect();
    h.connect();
    h.core.state.keyspace.db(0).set('gone', 'v', h.now + 5, h.now);
    h.advance(5);
    h.core.state.keyspace.activeExpireCycle(h.now, 10);
    const stats = fields(infoText(c, 'stats'));
    expect(stats.get('total_connections_received')).toBe('2');
    expect(stats.get('total_commands_processed')).toBe('0');
    expect(stats.get('expired_keys')).toBe('1');
  });

  it('errorstats and commandstats: Redis\'s line formats', () => {
    const c = new Harness().connect();
    c.call('SELECT', 'x');
    c.call('SELECT', 'y');
    c.call('ECHO', 'hi');
    expect(fields(infoText(c, 'errorstats')).get('errorstat_ERR')).toBe('count=2');
    const stats = fields(infoText(c, 'commandstats'));
    expect(stats.get('cmdstat_select')).toMatch(
      /^calls=2,usec=\d+,usec_per_call=\d+\.\d{2},rejected_calls=0,failed_calls=2$/,
    );
    expect(stats.get('cmdstat_echo')).toMatch(/^calls=1,usec=\d+,usec_per_call=\d+\.\d{2},rejected_calls=0,failed_calls=0$/);
  });

  it('cluster: cluster_enabled:0', () => {
    const c = new Harness().connect();
    expect(fields(infoText(c, 'cluster')).get('cluster_enabled')).toBe('0');
  });
});

describe('CONFIG GET / SET', () => {
  it('SET then GET returns the new value', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CONFIG', 'SET', 'hz', '20')).toBe('+OK\r\n');
    expect(c.callBytes('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n20\r\n');
    expect(fields(infoText(c, 'server')).get('hz')).toBe('20');
    expect(c.call('CONFIG', 'SET', 'maxmemory', '1mb')).toBe('OK');
    expect(c.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', '1048576']);
  });

  it('SET applies several pairs together, or none of them', () => {
    const c = new Harness().connect();
    expect(c.call('CONFIG', 'SET', 'hz', '30', 'maxmemory-policy', 'allkeys-lfu')).toBe('OK');
    expect(c.call('CONFIG', 'GET', 'hz', 'maxmemory-policy')).toEqual(['hz', '30', 'maxmemory-policy', 'allkeys-lfu']);
    expect(c.call('CONFIG', 'SET', 'hz', '40', 'maxmemory', 'abc')).toEqual(
      new ReplyError("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
    );
    expect(c.call('CONFIG', 'GET', 'hz')).toEqual(['hz', '30']);
  });

  it('GET matches glob patterns, answers names as given, and skips unknown names', () => {
    const c = new Harness().connect();
    const pairs = c.call('CONFIG', 'GET', 'maxmemory*') as string[];
    const names = pairs.filter((_, i) => i % 2 === 0);
    expect(names).toEqual(expect.arrayContaining(['maxmemory', 'maxmemory-policy']));
    expect(names.every((n) => n.startsWith('maxmemory'))).toBe(true);
    expect(c.callBytes('CONFIG', 'GET', 'HZ')).toBe('*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n');
    expect(c.callBytes('CONFIG', 'GET', 'nosuch')).toBe('*0\r\n');
    expect(c.call('CONFIG', 'GET', 'maxmemory', 'hz')).toEqual(['maxmemory', '0', 'hz', '10']);
  });

  it('GET replies with a map under RESP3', () => {
    const c = new Harness().connect();
    c.call('HELLO', '3');
    expect(c.callBytes('CONFIG', 'GET', 'maxmemory-policy')).toBe(
      '%1\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n',
    );
    expect(c.callBytes('CONFIG', 'GET', 'nosuch')).toBe('%0\r\n');
  });

  it('SET rejects unknown, immutable, protected and duplicate parameters and bad values, with Redis\'s texts', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CONFIG', 'SET', 'nosuch', '1')).toBe(
      "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'databases', '4')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'enable-debug-command', 'yes')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'dir', '/tmp')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'hz', '5', 'hz', '6')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'hz', 'abc')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n",
    );
    expect(c.callBytes('CONFIG', 'SET', 'maxmemory-policy', 'bogus')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n",
    );
    expect(c.call('CONFIG', 'GET', 'hz')).toEqual(['hz', '10']);
  });

  it('SET of a protected config follows enable-protected-configs local and the client\'s locality', () => {
    const h = new Harness({ config: [['enable-protected-configs', 'local']] });
    const remote = h.connect({ isLocal: false });
    expect(remote.call('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toEqual(
      new ReplyError("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
    );
    const local = h.connect({ isLocal: true });
    expect(local.call('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toBe('OK');
    expect(local.call('CONFIG', 'GET', 'dbfilename')).toEqual(['dbfilename', 'x.rdb']);
  });

  it('checks arity', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CONFIG')).toBe(arity('config'));
    expect(c.callBytes('CONFIG', 'GET')).toBe(arity('config|get'));
    expect(c.callBytes('CONFIG', 'SET', 'hz')).toBe(arity('config|set'));
    expect(c.callBytes('CONFIG', 'RESETSTAT', 'x')).toBe(arity('config|resetstat'));
    expect(c.callBytes('CONFIG', 'HELP', 'x')).toBe(arity('config|help'));
    expect(c.callBytes('CONFIG', 'NOPE')).toBe("-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n");
  });

  // Redis: "if (c->argc & 1) { addReplyErrorObject(c, shared.syntaxerr); ... }".
  it('SET with a parameter missing its value is a syntax error, as in Redis', () => {
    const c = new Harness().connect();
    expect(c.callBytes('CONFIG', 'SET', 'maxmemory', '1mb', 'hz')).toBe('-ERR syntax error\r\n');
  });

  it('HELP is framed like Redis help replies', () => {
    const c = new Harness().connect();
    const help = c.call('CONFIG', 'HELP') as string[];
    expect(help[0]).toBe('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Print this help.']);
    for (const word of ['GET', 'SET', 'RESETSTAT']) expect(help.some((l) => l.startsWith(`${word} `) || l === word)).toBe(true);
  });

  it('is refused before AUTH', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.callBytes('CONFIG', 'GET', 'requirepass')).toBe('-NOAUTH Authentication required.\r\n');
  });
});

describe('CONFIG RESETSTAT', () => {
  it('zeroes the counters of INFO stats, errorstats and commandstats', () => {
    const h = new Harness();
    const c = h.connect();
    h.connect();
    c.call('SELECT', 'x');
    c.call('ECHO', 'a');
    h.core.state.keyspace.db(0).set('gone', 'v', h.now + 1, h.now);
    h.advance(1);
    h.core.state.keyspace.activeExpireCycle(h.now, 10);
    const before = fields(infoText(c, 'everything'));
    expect(Number(before.get('total_commands_processed'))).toBeGreaterThan(0);
    expect(before.get('expired_keys')).toBe('1');
    expect(before.get('errorstat_ERR')).toBe('count=1');

    expect(c.callBytes('CONFIG', 'RESETSTAT')).toBe('+OK\r\n');
    const after = fields(infoText(c, 'everything'));
    // CONFIG RESETSTAT itself is counted after the reset, as in Redis.
    expect(after.get('total_commands_processed')).toBe('1');
    expect(after.get('total_connections_received')).toBe('0');
    expect(after.get('total_error_replies')).toBe('0');
    expect(after.get('expired_keys')).toBe('0');
    expect(after.get('keyspace_hits')).toBe('0');
    expect(after.get('keyspace_misses')).toBe('0');
    expect(after.has('errorstat_ERR')).toBe(false);
    expect(after.has('cmdstat_select')).toBe(false);
    expect(after.has('cmdstat_echo')).toBe(false);
    // Clients stay connected: a gauge, not a counter.
    expect(after.get('connected_clients')).toBe('2');
  });

  // Redis updates the command's stats after it ran, so the reset command
  // itself shows up: cmdstat_config|resetstat:calls=1.
  it('leaves cmdstat_config|resetstat with its own call, as Redis does', () => {
    const c = new Harness().connect();
    c.call('CONFIG', 'RESETSTAT');
    expect(fields(infoText(c, 'commandstats')).get('cmdstat_config|resetstat')).toMatch(/^calls=1,/);
  });
});

describe('TIME', () => {
  it('replies with unix seconds and microseconds as bulk strings', () => {
    const c = new Harness().connect();
    const before = Date.now();
    const bytes = c.callBytes('TIME');
    const after = Date.now();
    expect(bytes).toMatch(/^\*2\r\n\$\d+\r\n\d+\r\n\$\d+\r\n\d+\r\n$/);
    const [seconds, micros] = bytes.split('\r\n').filter((_, i) => i === 2 || i === 4).map(Number) as [number, number];
    expect(micros).toBeGreaterThanOrEqual(0);
    expect(micros).toBeLessThan(1_000_000);
    const ms = seconds * 1000 + micros / 1000;
    // performance.timeOrigin + now() may drift from Date.now() a little.
    expect(ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ms).toBeLessThanOrEqual(after + 1000);
  });

  it('takes no arguments', () => {
    const c = new Harness().connect();
    expect(c.callBytes('TIME', 'x')).toBe(arity('time'));
  });
});

describe('SHUTDOWN', () => {
  function withShutdownHandler(answer: string | null = null) {
    const h = new Harness();
    const requests: ShutdownRequest[] = [];
    h.core.onShutdownRequest(async (request) => {
      requests.push(request);
      return answer;
    });
    return { h, c: h.connect(), requests };
  }

  it('asks the owner to shut down and sends no reply on success', () => {
    const { c, requests } = withShutdownHandler();
    expect(c.callRaw(['SHUTDOWN'])).toEqual([]);
    expect(requests).toEqual([{ reason: 'User requested shutdown...', save: undefined, force: false, now: false }]);
  });

  it('passes SAVE / NOSAVE, NOW (skip waiting for followers) and FORCE in any case', () => {
    const { c, requests } = withShutdownHandler();
    c.callRaw(['SHUTDOWN', 'nosave']);
    c.callRaw(['SHUTDOWN', 'SAVE', 'NOW', 'FORCE']);
    c.callRaw(['SHUTDOWN', 'now']);
    expect(requests.map((r) => r.save)).toEqual([false, true, undefined]);
    expect(requests.map((r) => r.force)).toEqual([false, true, false]);
    expect(requests.map((r) => r.now)).toEqual([false, true, true]);
  });

  it('replies with the owner\'s refusal once it comes', async () => {
    const { c } = withShutdownHandler('ERR Errors trying to SHUTDOWN. Check logs.');
    expect(c.callRaw(['SHUTDOWN'])).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.pending()).toEqual([new ReplyError('ERR Errors trying to SHUTDOWN. Check logs.')]);
  });

  it('is refused by a server core without an owner', async () => {
    const c = new Harness().connect();
    c.callRaw(['SHUTDOWN']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.pending()[0]).toBeInstanceOf(ReplyError);
  });

  it('rejects bad options without shutting down', () => {
    const { c, requests } = withShutdownHandler();
    expect(c.callBytes('SHUTDOWN', 'BOGUS')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('SHUTDOWN', 'SAVE', 'NOSAVE')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
    expect(requests).toEqual([]);
  });

  // Redis: "if ((abort && flags != SHUTDOWN_NOFLAGS) || ...) syntax error".
  it('rejects ABORT combined with other options as a syntax error, as Redis does', () => {
    const { c, requests } = withShutdownHandler();
    expect(c.callBytes('SHUTDOWN', 'NOSAVE', 'ABORT')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('SHUTDOWN', 'ABORT', 'NOW')).toBe('-ERR syntax error\r\n');
    expect(requests).toEqual([]);
  });

  it('is refused before AUTH', () => {
    const h = new Harness({ config: [['requirepass', 'pw']] });
    let asked = false;
    h.core.onShutdownRequest(async () => {
      asked = true;
      return null;
    });
    expect(h.connect().callBytes('SHUTDOWN')).toBe('-NOAUTH Authentication required.\r\n');
    expect(asked).toBe(false);
  });
});
