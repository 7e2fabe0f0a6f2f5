import { RespDecoder, encodeCommand } from '@aki/resp-codec';
import { describe, expect, it } from 'vitest';
import { EffectPropagator, type EffectBatch } from './effects.js';
import { Harness } from './testing/harness.js';

/**
 * The effect stream: one batch per command (or per effect recorded outside a
 * command), SELECT inserted whenever the database changes, several effects of
 * one command wrapped in MULTI/EXEC, identical bytes for every sink.
 */

function capture(propagator: EffectPropagator): EffectBatch[] {
  const batches: EffectBatch[] = [];
  propagator.addSink({ append: (batch) => batches.push(batch) });
  return batches;
}

/** Decodes a batch's bytes back into argv arrays. */
function decodeCommands(bytes: Buffer): string[][] {
  const decoder = new RespDecoder();
  decoder.feed(bytes);
  const out: string[][] = [];
  for (let v = decoder.next(); v !== undefined; v = decoder.next()) {
    out.push((v as Buffer[]).map((b) => Buffer.from(b).toString('latin1')));
  }
  return out;
}

describe('EffectPropagator', () => {
  it('starts the stream with SELECT and repeats it only when the database changes', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.record(0, ['DEL', 'a']);
    p.record(0, ['DEL', 'b']);
    p.record(3, ['DEL', 'c']);
    p.record(3, ['DEL', 'd']);
    p.record(0, ['DEL', 'e']);
    expect(batches.map((b) => b.commands)).toEqual([
      [['SELECT', '0'], ['DEL', 'a']],
      [['DEL', 'b']],
      [['SELECT', '3'], ['DEL', 'c']],
      [['DEL', 'd']],
      [['SELECT', '0'], ['DEL', 'e']],
    ]);
  });

  it('commits an effect recorded outside a command at once, one batch per effect, never wrapped', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.record(0, ['DEL', 'a']);
    expect(batches).toHaveLength(1);
    p.record(0, ['DEL', 'b']);
    expect(batches).toHaveLength(2);
    expect(batches.flatMap((b) => b.commands)).not.toContainEqual(['MULTI']);
  });

  it('holds the effects of a command until it ends and commits them as one batch', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.beginCommand();
    p.record(0, ['SET', 'a', '1']);
    expect(batches).toHaveLength(0);
    p.endCommand();
    expect(batches.map((b) => b.commands)).toEqual([[['SELECT', '0'], ['SET', 'a', '1']]]);
  });

  it('wraps several effects of one command in MULTI/EXEC, SELECT first', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.beginCommand();
    p.record(2, ['SET', 'a', '1']);
    p.record(2, ['SET', 'b', '2']);
    p.endCommand();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.commands).toEqual([
      ['SELECT', '2'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['EXEC'],
    ]);
  });

  it('puts a SELECT inside the transaction when an effect targets another database', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.record(0, ['DEL', 'warm-up']);
    p.beginCommand();
    p.record(0, ['DEL', 'src']);
    p.record(5, ['SET', 'dst', 'v']);
    p.endCommand();
    p.record(5, ['DEL', 'after']);
    expect(batches.map((b) => b.commands)).toEqual([
      [['SELECT', '0'], ['DEL', 'warm-up']],
      [['MULTI'], ['DEL', 'src'], ['SELECT', '5'], ['SET', 'dst', 'v'], ['EXEC']],
      [['DEL', 'after']],
    ]);
  });

  it('commits nothing for a command that recorded nothing', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.beginCommand();
    p.endCommand();
    expect(batches).toHaveLength(0);
    expect(p.offset).toBe(0);
  });

  it('commits only at the outermost end of nested commands (a transaction)', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.beginCommand();
    p.beginCommand();
    p.record(0, ['SET', 'a', '1']);
    p.endCommand();
    expect(batches).toHaveLength(0);
    p.beginCommand();
    p.record(0, ['SET', 'b', '2']);
    p.endCommand();
    expect(batches).toHaveLength(0);
    p.endCommand();
    expect(batches.map((b) => b.commands)).toEqual([
      [['SELECT', '0'], ['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC']],
    ]);
  });

  it('encodes each batch as RESP of its commands and advances the offset by its length', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.record(1, ['SET', 'k', 'v\r\n\0é']);
    p.beginCommand();
    p.record(1, ['DEL', 'x']);
    p.record(1, ['DEL', 'y']);
    p.endCommand();
    let offset = 0;
    for (const batch of batches) {
      const expected = Buffer.concat(batch.commands.map((argv) => encodeCommand(argv)));
      expect(batch.bytes.equals(expected)).toBe(true);
      expect(decodeCommands(batch.bytes)).toEqual(batch.commands);
      offset += batch.bytes.length;
      expect(batch.endOffset).toBe(offset);
    }
    expect(p.offset).toBe(offset);
    expect(batches[0]!.bytes.toString('latin1')).toBe(
      '*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\n\0é\r\n',
    );
  });

  it('hands every sink the same batch object', () => {
    const p = new EffectPropagator();
    const a = capture(p);
    const b = capture(p);
    p.record(0, ['DEL', 'k']);
    expect(a).toHaveLength(1);
    expect(b[0]).toBe(a[0]);
  });

  it('encodes nothing and keeps the offset without sinks, and the first batch after a sink appears starts with SELECT', () => {
    const p = new EffectPropagator();
    p.record(4, ['DEL', 'unseen']);
    expect(p.offset).toBe(0);
    const batches = capture(p);
    p.record(4, ['DEL', 'seen']);
    expect(batches.map((b) => b.commands)).toEqual([[['SELECT', '4'], ['DEL', 'seen']]]);
  });

  it('stops feeding a removed sink', () => {
    const p = new EffectPropagator();
    const batches: EffectBatch[] = [];
    const sink = { append: (batch: EffectBatch) => batches.push(batch) };
    p.addSink(sink);
    p.record(0, ['DEL', 'a']);
    p.removeSink(sink);
    p.record(0, ['DEL', 'b']);
    expect(batches).toHaveLength(1);
    p.removeSink(sink); // removing twice is harmless
  });

  it('re-selects the database after resetSelectedDb', () => {
    const p = new EffectPropagator();
    const batches = capture(p);
    p.record(0, ['DEL', 'a']);
    p.resetSelectedDb();
    p.record(0, ['DEL', 'b']);
    expect(batches[1]!.commands).toEqual([['SELECT', '0'], ['DEL', 'b']]);
  });
});

describe('effects of commands run by the dispatcher', () => {
  it('propagate several effects of one command (DEBUG POPULATE) as one MULTI/EXEC', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    const c = h.connect();
    expect(c.call('DEBUG', 'POPULATE', '2')).toBe('OK');
    expect(h.takeEffects()).toEqual([
      ['SELECT', '0'],
      ['MULTI'],
      ['SET', 'key:0', 'value:0'],
      ['SET', 'key:1', 'value:1'],
      ['EXEC'],
    ]);
  });

  it('propagate a single effect without MULTI/EXEC, in the client\'s database', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    const c = h.connect();
    c.call('SELECT', '7');
    c.call('DEBUG', 'POPULATE', '1', 'p');
    expect(h.takeEffects()).toEqual([['SELECT', '7'], ['SET', 'p:0', 'value:0']]);
    c.call('DEBUG', 'POPULATE', '2', 'p');
    // p:0 exists, so only p:1 is created: one effect, no transaction, no SELECT.
    expect(h.takeEffects()).toEqual([['SET', 'p:1', 'value:1']]);
  });

  it('propagate nothing for commands that change nothing or are rejected', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes'], ['requirepass', 'pw']] });
    const c = h.connect();
    c.call('DEBUG', 'POPULATE', '3'); // NOAUTH
    c.call('AUTH', 'pw');
    c.call('DEBUG', 'POPULATE', '0');
    c.call('SELECT', '3');
    c.call('PING');
    c.call('CONFIG', 'SET', 'hz', '20');
    expect(h.takeEffects()).toEqual([]);
    expect(h.core.state.propagator.offset).toBe(0);
  });

  it('propagate a key expired on access as DEL, inside the batch of the command that found it', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    const c = h.connect();
    h.core.state.keyspace.db(2).set('p:0', 'old', h.now + 1000, h.now);
    c.call('SELECT', '2');
    h.advance(1000);
    // POPULATE looks p:0 up, finds it expired (DEL), then creates it again (SET).
    expect(c.call('DEBUG', 'POPULATE', '1', 'p')).toBe('OK');
    expect(h.takeEffects()).toEqual([['SELECT', '2'], ['MULTI'], ['DEL', 'p:0'], ['SET', 'p:0', 'value:0'], ['EXEC']]);
    expect(h.core.state.stats.expiredKeys).toBe(1);
  });

  it('propagate keys removed by the active expiry cycle as one DEL batch each', () => {
    const h = new Harness();
    const db = h.core.state.keyspace.db(1);
    db.set('a', '1', h.now + 10, h.now);
    db.set('b', '2', h.now + 10, h.now);
    h.advance(10);
    const offsetBefore = h.core.state.propagator.offset;
    expect(h.core.state.keyspace.activeExpireCycle(h.now, 100)).toBe(2);
    const effects = h.takeEffects();
    expect(effects[0]).toEqual(['SELECT', '1']);
    expect(effects.slice(1).sort()).toEqual([['DEL', 'a'], ['DEL', 'b']]);
    expect(effects).not.toContainEqual(['MULTI']);
    expect(h.core.state.propagator.offset).toBeGreaterThan(offsetBefore);
  });

  it('report the stream offset as INFO master_repl_offset', () => {
    const h = new Harness({ config: [['enable-debug-command', 'yes']] });
    const c = h.connect();
    c.call('DEBUG', 'POPULATE', '1');
    const expected = Buffer.concat([encodeCommand(['SELECT', '0']), encodeCommand(['SET', 'key:0', 'value:0'])]).length;
    expect(c.call('INFO', 'replication')).toContain(`\r\nmaster_repl_offset:${expected}\r\n`);
  });
});
