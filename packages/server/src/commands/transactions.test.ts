import { describe, expect, it } from 'vitest';
import { Harness, ReplyError } from '../testing/harness.js';

const err = (message: string) => new ReplyError(message);

describe('MULTI / EXEC / DISCARD', () => {
  it('queues commands and runs them in order at EXEC, replying each result', () => {
    const h = new Harness();
    const c = h.connect();
    expect(c.call('MULTI')).toBe('OK');
    expect(c.call('SET', 'a', '1')).toBe('QUEUED');
    expect(c.call('INCR', 'a')).toBe('QUEUED');
    expect(c.call('GET', 'a')).toBe('QUEUED');
    expect(h.connect().call('GET', 'a')).toBeNull(); // nothing ran yet
    expect(c.call('EXEC')).toEqual(['OK', 2, '2']);
    expect(c.call('GET', 'a')).toBe('2');
  });

  it('propagates the effects of a transaction as one MULTI/EXEC block', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('SET', 'a', '1');
    c.call('GET', 'a');
    c.call('SET', 'b', '2');
    c.call('EXEC');
    expect(h.takeEffects()).toEqual([['SELECT', '0'], ['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC']]);
  });

  it('propagates a transaction with one effect without wrapping, and one without effects not at all', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('GET', 'a');
    c.call('SET', 'a', '1');
    c.call('EXEC');
    expect(h.takeEffects()).toEqual([['SELECT', '0'], ['SET', 'a', '1']]);
    c.call('MULTI');
    c.call('GET', 'a');
    c.call('EXEC');
    expect(h.takeEffects()).toEqual([]);
  });

  it('follows SELECT inside the transaction, for commands and effects', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('SET', 'k', 'in0');
    c.call('SELECT', '3');
    c.call('SET', 'k', 'in3');
    expect(c.call('EXEC')).toEqual(['OK', 'OK', 'OK']);
    expect(c.call('GET', 'k')).toBe('in3');
    expect(h.takeEffects()).toEqual([
      ['SELECT', '0'],
      ['MULTI'],
      ['SET', 'k', 'in0'],
      ['SELECT', '3'],
      ['SET', 'k', 'in3'],
      ['EXEC'],
    ]);
  });

  it('reports run-time errors per command without stopping the others', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 's', 'text');
    c.call('MULTI');
    c.call('INCR', 's');
    c.call('SET', 'x', 'y');
    expect(c.call('EXEC')).toEqual([err('ERR value is not an integer or out of range'), 'OK']);
    expect(c.call('GET', 'x')).toBe('y');
  });

  it('aborts with EXECABORT when a command was refused while queueing, running nothing', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('SET', 'a', '1');
    expect(c.call('NOSUCHCOMMAND', 'x')).toEqual(
      err("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "),
    );
    expect(c.call('GET')).toEqual(err("ERR wrong number of arguments for 'get' command"));
    expect(c.call('EXEC')).toEqual(err('EXECABORT Transaction discarded because of previous errors.'));
    expect(c.call('GET', 'a')).toBeNull();
    expect(h.takeEffects()).toEqual([]);
    // The client is out of the transaction afterwards.
    expect(c.call('SET', 'a', '2')).toBe('OK');
  });

  it('answers Redis errors for EXEC/DISCARD without MULTI and nested MULTI', () => {
    const h = new Harness();
    const c = h.connect();
    expect(c.call('EXEC')).toEqual(err('ERR EXEC without MULTI'));
    expect(c.call('DISCARD')).toEqual(err('ERR DISCARD without MULTI'));
    c.call('MULTI');
    expect(c.call('MULTI')).toEqual(err('ERR MULTI calls can not be nested'));
    expect(c.call('WATCH', 'k')).toEqual(err('ERR WATCH inside MULTI is not allowed'));
    c.call('SET', 'k', 'v');
    // Neither error dooms the transaction.
    expect(c.call('EXEC')).toEqual(['OK']);
  });

  it('DISCARD drops the queue', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('SET', 'a', '1');
    expect(c.call('DISCARD')).toBe('OK');
    expect(c.call('GET', 'a')).toBeNull();
    expect(c.call('EXEC')).toEqual(err('ERR EXEC without MULTI'));
  });

  it('an empty transaction replies an empty array', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    expect(c.call('EXEC')).toEqual([]);
  });

  it('shows the transaction in CLIENT LIST (flags x, multi=<queued>)', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('MULTI');
    c.call('SET', 'a', '1');
    const other = h.connect();
    const lines = String(other.call('CLIENT', 'LIST')).split('\n');
    const mine = lines.find((line) => line.startsWith(`id=${c.session.id} `))!;
    expect(mine).toContain(' flags=x ');
    expect(mine).toContain(' multi=1 ');
  });

  it('uses one command time for the whole transaction', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 'k', 'v', 'PX', '5');
    c.call('MULTI');
    c.call('GET', 'k');
    c.call('PTTL', 'k');
    h.advance(3);
    expect(c.call('EXEC')).toEqual(['v', 2]);
  });
});

describe('WATCH', () => {
  it('lets EXEC run when no watched key changed', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 'k', '1');
    expect(c.call('WATCH', 'k', 'other')).toBe('OK');
    c.call('MULTI');
    c.call('INCR', 'k');
    expect(c.call('EXEC')).toEqual([2]);
  });

  it('fails EXEC with a null reply when another client writes a watched key', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 'k', '1');
    c.call('WATCH', 'k');
    h.connect().call('SET', 'k', '5');
    c.call('MULTI');
    c.call('INCR', 'k');
    expect(c.call('EXEC')).toBeNull();
    expect(c.call('GET', 'k')).toBe('5');
    expect(h.takeEffects()).toEqual([['SELECT', '0'], ['SET', 'k', '1'], ['SET', 'k', '5']]);
  });

  it('replies RESP2 *-1 and RESP3 _ for an aborted EXEC', () => {
    const h = new Harness();
    for (const protocol of ['2', '3']) {
      const c = h.connect();
      c.call('HELLO', protocol);
      c.call('WATCH', 'k');
      h.connect().call('SET', 'k', protocol);
      c.call('MULTI');
      expect(c.callBytes('EXEC')).toBe(protocol === '2' ? '*-1\r\n' : '_\r\n');
    }
  });

  it('counts the watcher\'s own writes before MULTI', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('WATCH', 'k');
    c.call('SET', 'k', 'mine');
    c.call('MULTI');
    c.call('GET', 'k');
    expect(c.call('EXEC')).toBeNull();
  });

  it('ignores writes that changed nothing', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 'k', 'v');
    c.call('WATCH', 'k', 'missing');
    const other = h.connect();
    other.call('SET', 'k', 'x', 'NX'); // not set: k exists
    other.call('DEL', 'missing'); // nothing deleted
    c.call('MULTI');
    c.call('GET', 'k');
    expect(c.call('EXEC')).toEqual(['v']);
  });

  it('watches keys per database', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('WATCH', 'k');
    const other = h.connect();
    other.call('SELECT', '1');
    other.call('SET', 'k', 'elsewhere');
    c.call('MULTI');
    c.call('SET', 'k', 'v');
    expect(c.call('EXEC')).toEqual(['OK']);
  });

  it('is invalidated by DEL, EXPIRE, RENAME onto the key, FLUSHDB, FLUSHALL and SWAPDB', () => {
    const cases: string[][][] = [
      [['DEL', 'k']],
      [['EXPIRE', 'k', '100']],
      [['SET', 'src', 'x'], ['RENAME', 'src', 'k']],
      [['FLUSHDB']],
      [['FLUSHALL']],
      [['SWAPDB', '0', '1']],
      [['MOVE', 'k', '1']],
      [['SET', 'src', 'x'], ['COPY', 'src', 'k', 'REPLACE']],
    ];
    for (const writes of cases) {
      const h = new Harness();
      const c = h.connect();
      c.call('SET', 'k', 'v');
      c.call('WATCH', 'k');
      const other = h.connect();
      for (const write of writes) other.call(...write);
      c.call('MULTI');
      c.call('PING');
      expect(c.call('EXEC'), writes.map((w) => w.join(' ')).join('; ')).toBeNull();
    }
  });

  it('is invalidated when the watched key expires, whether or not anything deleted it yet', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 'k', 'v', 'PX', '10');
    c.call('WATCH', 'k');
    h.advance(20); // logically expired, still stored
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toBeNull();
  });

  it('is not invalidated by a key that was already expired at WATCH time', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    c.call('SET', 'k', 'v', 'PX', '10');
    h.advance(20);
    c.call('WATCH', 'k');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toEqual(['PONG']);
  });

  it('UNWATCH, EXEC and DISCARD forget the watched keys', () => {
    const h = new Harness();
    const c = h.connect();
    const other = h.connect();
    c.call('WATCH', 'k');
    c.call('UNWATCH');
    other.call('SET', 'k', '1');
    c.call('MULTI');
    expect(c.call('EXEC')).toEqual([]);
    c.call('WATCH', 'k');
    c.call('MULTI');
    c.call('DISCARD');
    other.call('SET', 'k', '2');
    c.call('MULTI');
    expect(c.call('EXEC')).toEqual([]);
    expect(h.core.state.watches.isEmpty).toBe(true);
  });

  it('forgets a disconnected client', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('WATCH', 'a', 'b');
    h.core.closeSession(c.session);
    expect(h.core.state.watches.isEmpty).toBe(true);
  });
});

describe('WATCH and whole-database changes', () => {
  it('FLUSHDB and FLUSHALL invalidate only watched keys that existed', () => {
    for (const flush of [['FLUSHDB'], ['FLUSHALL']]) {
      const h = new Harness();
      const c = h.connect();
      c.call('SET', 'other', 'x');
      c.call('WATCH', 'nokey');
      h.connect().call(...flush);
      c.call('MULTI');
      c.call('PING');
      expect(c.call('EXEC'), flush[0]).toEqual(['PONG']);
    }
  });

  it('FLUSHDB does not invalidate a watched key that had already expired', () => {
    const h = new Harness();
    const c = h.connect();
    c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    c.call('SET', 'k', 'v', 'PX', '10');
    h.advance(20);
    c.call('WATCH', 'k');
    h.connect().call('FLUSHDB');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toEqual(['PONG']);
  });

  it('SWAPDB invalidates a watched key that exists on either side, and no other', () => {
    const h = new Harness();
    const c = h.connect();
    const other = h.connect();
    other.call('SELECT', '1');
    other.call('SET', 'incoming', 'x');
    c.call('WATCH', 'incoming');
    other.call('SWAPDB', '0', '1');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toBeNull();
    c.call('WATCH', 'absent-everywhere');
    other.call('SWAPDB', '0', '1');
    c.call('MULTI');
    c.call('PING');
    expect(c.call('EXEC')).toEqual(['PONG']);
  });
});

describe('EXEC statistics', () => {
  it("counts a failing queued command as that command's failure, not EXEC's", () => {
    const h = new Harness();
    const c = h.connect();
    c.call('SET', 's', 'abc');
    c.call('MULTI');
    c.call('INCR', 's');
    c.call('EXEC');
    const stats = String(c.call('INFO', 'commandstats'));
    expect(stats).toMatch(/cmdstat_exec:calls=1,[^\r\n]*failed_calls=0/);
    expect(stats).toMatch(/cmdstat_incr:calls=1,[^\r\n]*failed_calls=1/);
  });
});
