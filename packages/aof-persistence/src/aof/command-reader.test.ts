import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AOF_BAD_FORMAT, AofCommandReader, CommandKind, readAofCommands, type AofCommand, type AofReadEnd } from './command-reader.js';
import path from 'node:path';
import { REDIS_7_FIXTURES } from '../test-fixtures.js';

const FIXTURE = path.join(REDIS_7_FIXTURES, 'appendonlydir/appendonly.aof.1.incr.aof');

function encode(argv: string[]): Buffer {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return Buffer.from(out, 'latin1');
}

/** One record of a generated stream: a command or an annotation line. */
type Rec = { argv: string[] } | { annotation: string };

function bytesOf(rec: Rec): Buffer {
  return 'argv' in rec ? encode(rec.argv) : Buffer.from(`#${rec.annotation}\r\n`, 'latin1');
}

interface Layout {
  bytes: Buffer;
  /** [start, end) of each record, with the record. */
  spans: Array<{ rec: Rec; start: number; end: number }>;
}

function layOut(recs: Rec[]): Layout {
  const parts: Buffer[] = [];
  const spans: Layout['spans'] = [];
  let at = 0;
  for (const rec of recs) {
    const b = bytesOf(rec);
    spans.push({ rec, start: at, end: at + b.length });
    parts.push(b);
    at += b.length;
  }
  return { bytes: Buffer.concat(parts), spans };
}

/** What a correct reader must report for the first `k` bytes of `layout`. */
function expected(layout: Layout, k: number): { commands: AofCommand[]; end: AofReadEnd } {
  const commands: AofCommand[] = [];
  let lastEnd = 0;
  let multiStart: number | undefined;
  let boundary = k === 0;
  for (const { rec, start, end } of layout.spans) {
    if (end > k) break;
    lastEnd = end;
    if (end === k) boundary = true;
    if ('argv' in rec) {
      commands.push({ argv: rec.argv, start, end });
      const name = rec.argv[0]!.toLowerCase();
      if (name === 'multi' && multiStart === undefined) multiStart = start;
      if (name === 'exec') multiStart = undefined;
    }
  }
  const end: AofReadEnd =
    boundary && multiStart === undefined
      ? { kind: 'clean', offset: k }
      : { kind: 'truncated', lastCompleteEnd: lastEnd, multiStart, validUpTo: multiStart ?? lastEnd };
  return { commands, end };
}

/** Reads `bytes` pushed in the given chunk sizes (the last chunk takes the rest). */
function readChunked(bytes: Buffer, sizes: number[]): { commands: AofCommand[]; end: AofReadEnd } {
  const reader = new AofCommandReader();
  const commands: AofCommand[] = [];
  const drain = () => {
    for (let argv = reader.next(); argv !== null; argv = reader.next()) {
      commands.push({ argv, start: reader.commandStart, end: reader.commandEnd });
    }
  };
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    reader.push(bytes.subarray(at, at + size));
    at += size;
    drain();
  }
  if (at < bytes.length) reader.push(bytes.subarray(at));
  drain();
  return { commands, end: reader.end() };
}

const byteString = (max: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: max });

const plainCommand = fc
  .tuple(fc.constantFrom('SET', 'set', 'DEL', 'LPUSH', 'SELECT', 'PEXPIREAT', 'x'), fc.array(byteString(12), { maxLength: 3 }))
  .map(([name, args]) => ({ argv: [name, ...args] }) as Rec);
const annotation = fc.stringMatching(/^[A-Za-z0-9:]{0,10}$/).map((text) => ({ annotation: text }) as Rec);
const block = fc
  .tuple(fc.constantFrom('MULTI', 'multi'), fc.array(plainCommand, { maxLength: 3 }), fc.constantFrom('EXEC', 'exec'))
  .map(([m, cmds, e]) => [{ argv: [m] }, ...cmds, { argv: [e] }] as Rec[]);
const stream = fc
  .array(fc.oneof(plainCommand.map((r) => [r]), annotation.map((r) => [r]), block), { maxLength: 8 })
  .map((groups) => groups.flat());

describe('AofCommandReader', () => {
  it('reads a real Redis 7.0 incr file', () => {
    const bytes = readFileSync(FIXTURE);
    const { commands, end } = readAofCommands(bytes);
    expect(end).toEqual({ kind: 'clean', offset: bytes.length });
    expect(commands.map((c) => c.argv)).toEqual([
      ['SELECT', '0'],
      ['SET', 'aof:ex', 'v', 'PXAT', '1795415290726'],
      ['SET', 'aof:float', '1.5', 'KEEPTTL'],
      ['SADD', 'aof:s', 'a', 'b', 'c'],
      ['SREM', 'aof:s', 'c'],
      ['PEXPIREAT', 'str:short', '1795815290727'],
      ['MULTI'],
      ['INCR', 'aof:ctr'],
      ['LPUSH', 'aof:l', 'x'],
      ['EXEC'],
      ['SELECT', '5'],
      ['SET', 'aof:db5', 'five'],
      ['SELECT', '0'],
      ['DEL', 'str:neg'],
      ['HSET', 'hash:small', 'f2', '2.5'],
      ['ZINCRBY', 'zset:small', '10', 'a'],
      ['DEL', 'list:big'],
    ]);
    expect(commands[0]).toMatchObject({ start: 0, end: 23 });
    for (let i = 1; i < commands.length; i++) expect(commands[i]!.start).toBe(commands[i - 1]!.end);
  });

  it('gives the complete prefix for the real incr file cut at every byte', () => {
    const bytes = readFileSync(FIXTURE);
    const full = readAofCommands(bytes).commands;
    const layout: Layout = { bytes, spans: full.map((c) => ({ rec: { argv: c.argv }, start: c.start, end: c.end })) };
    for (let k = 0; k <= bytes.length; k++) {
      expect(readAofCommands(bytes.subarray(0, k))).toEqual(expected(layout, k));
    }
  });

  it('property: a stream cut at every byte yields the complete prefix and reverts an unfinished MULTI', () => {
    fc.assert(
      fc.property(stream, (recs) => {
        const layout = layOut(recs);
        for (let k = 0; k <= layout.bytes.length; k++) {
          expect(readAofCommands(layout.bytes.subarray(0, k))).toEqual(expected(layout, k));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('property: splitting the input into arbitrary chunks changes nothing', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }), fc.nat(), (recs, sizes, cut) => {
        const layout = layOut(recs);
        const k = layout.bytes.length === 0 ? 0 : cut % (layout.bytes.length + 1);
        const prefix = layout.bytes.subarray(0, k);
        expect(readChunked(prefix, sizes)).toEqual(readAofCommands(prefix));
        expect(readChunked(layout.bytes, sizes)).toEqual(expected(layout, layout.bytes.length));
      }),
      { numRuns: 300 },
    );
  });

  it('reads byte by byte', () => {
    const bytes = readFileSync(FIXTURE);
    expect(readChunked(bytes, new Array(bytes.length).fill(1))).toEqual(readAofCommands(bytes));
  });

  it('skips annotations and keeps binary arguments intact', () => {
    const value = '\x00\xff\r\n$*#';
    const bytes = Buffer.concat([Buffer.from('#TS:1700000000\r\n'), encode(['SET', 'k', value]), Buffer.from('#x\n')]);
    const { commands, end } = readAofCommands(bytes);
    expect(commands).toEqual([{ argv: ['SET', 'k', value], start: 16, end: 16 + encode(['SET', 'k', value]).length }]);
    expect(end).toEqual({ kind: 'clean', offset: bytes.length });
  });

  it('reports a cut annotation as truncated at its start', () => {
    const bytes = Buffer.concat([encode(['SET', 'a', '1']), Buffer.from('#TS:17')]);
    expect(readAofCommands(bytes).end).toEqual({ kind: 'truncated', lastCompleteEnd: 27, multiStart: undefined, validUpTo: 27 });
  });

  it('tells MULTI and EXEC apart (any case) and tracks the open block', () => {
    const reader = new AofCommandReader(100);
    reader.push(Buffer.concat([encode(['multi']), encode(['SET', 'a', 'b']), encode(['ExEc'])]));
    expect(reader.next()).toEqual(['multi']);
    expect(reader.commandKind).toBe(CommandKind.Multi);
    expect(reader.inMulti).toBe(true);
    expect(reader.next()).toEqual(['SET', 'a', 'b']);
    expect(reader.commandKind).toBe(CommandKind.Other);
    expect(reader.next()).toEqual(['ExEc']);
    expect(reader.commandKind).toBe(CommandKind.Exec);
    expect(reader.inMulti).toBe(false);
    expect(reader.next()).toBeNull();
    expect(reader.end()).toEqual({ kind: 'clean', offset: 100 + 15 + 27 + 14 });
  });

  it('collects a large argument that spans many chunks', () => {
    const big = 'v'.repeat(100_000);
    const bytes = encode(['SET', 'k', big]);
    expect(readChunked(bytes, new Array(200).fill(997)).commands[0]!.argv[2]).toBe(big);
  });

  describe('format errors', () => {
    const cases: Array<[string, Buffer, number, RegExp]> = [
      ['garbage instead of a command', Buffer.from('hello'), 0, /expected '\*'/],
      ['zero arguments', Buffer.from('*0\r\n'), 0, /at least one argument/],
      ['no count', Buffer.from('*\r\n'), 1, /argument count/],
      ['a letter in the count', Buffer.from('*1x\r\n'), 2, /argument count/],
      ['missing LF', Buffer.from('*1\rx'), 3, /LF/],
      ['missing $', Buffer.concat([encode(['SET', 'a']).subarray(0, 13), Buffer.from('X1\r\na\r\n')]), 13, /'\$'/],
      ['negative length', Buffer.from('*1\r\n$-1\r\n'), 5, /argument length/],
      ['bad CRLF after the argument', Buffer.from('*1\r\n$3\r\nSETxy'), 11, /CRLF/],
      ['a second command that is garbage', Buffer.concat([encode(['PING']), Buffer.from('!3\r\n')]), 14, /found '!'/],
      ['an argument too long', Buffer.from('*1\r\n$99999999999\r\n'), 13, /too long/],
    ];
    for (const [name, bytes, offset, detail] of cases) {
      it(name, () => {
        const end = readAofCommands(bytes).end;
        expect(end).toMatchObject({ kind: 'error', offset, message: AOF_BAD_FORMAT });
        expect((end as { detail: string }).detail).toMatch(detail);
        // The same however the input is split.
        expect(readChunked(bytes, new Array(bytes.length).fill(1)).end).toEqual(end);
      });
    }

    it('returns the commands before the error', () => {
      const bytes = Buffer.concat([encode(['SET', 'a', '1']), encode(['SET', 'b', '2']).subarray(0, 12), Buffer.from('?')]);
      const { commands, end } = readAofCommands(bytes);
      expect(commands.map((c) => c.argv)).toEqual([['SET', 'a', '1']]);
      expect(end).toMatchObject({ kind: 'error', offset: 39 });
    });
  });
});
