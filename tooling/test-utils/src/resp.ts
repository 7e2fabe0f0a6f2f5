// Minimal RESP helpers for tests that speak raw bytes. Deliberately independent of
// @aki/resp-codec: the black-box tier must not trust the code it is testing.

/** Encodes one command as a RESP multibulk request. */
export function encodeCommand(...args: Array<string | Buffer | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const b = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Encodes many commands back to back (a pipeline in one write). */
export function encodePipeline(commands: Array<Array<string | Buffer | number>>): Buffer {
  return Buffer.concat(commands.map((c) => encodeCommand(...c)));
}

export class RespProtocolError extends Error {}

function lineEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf('\r\n', from, 'latin1');
  return i;
}

/**
 * Length in bytes of the first complete RESP2/RESP3 reply in `buf` starting at
 * `offset`, or -1 when more bytes are needed. Throws RespProtocolError on an
 * unknown type byte.
 */
export function replyLength(buf: Buffer, offset = 0): number {
  const end = skipReply(buf, offset);
  return end < 0 ? -1 : end - offset;
}

function skipReply(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const eol = lineEnd(buf, pos + 1);
  if (eol < 0) return -1;
  const header = buf.toString('latin1', pos + 1, eol);
  const afterHeader = eol + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return afterHeader;
    case '$':
    case '!':
    case '=': {
      const n = Number(header);
      if (n < 0) return afterHeader; // $-1 null bulk
      const end = afterHeader + n + 2;
      return buf.length >= end ? end : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(header);
      if (n < 0) return afterHeader; // *-1 null array
      if (type === '%' || type === '|') n *= 2;
      let p = afterHeader;
      for (let i = 0; i < n; i++) {
        p = skipReply(buf, p);
        if (p < 0) return -1;
      }
      // An attribute is followed by the value it annotates.
      return type === '|' ? skipReply(buf, p) : p;
    }
    default:
      throw new RespProtocolError(
        `unknown RESP type byte ${JSON.stringify(type)} at offset ${pos} in ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`,
      );
  }
}

/** A decoded error reply. */
export class RespError {
  constructor(public readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | RespError
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>;

/**
 * Decodes the first complete reply in `buf`. Bulk, simple and verbatim strings
 * become utf8 strings (a verbatim string keeps its `txt:` prefix); integers become
 * numbers; RESP3 maps become Map, sets Set, push and arrays arrays; doubles numbers;
 * big numbers bigint. Returns undefined when the reply is incomplete.
 */
export function decodeReply(buf: Buffer, offset = 0): { value: RespValue; length: number } | undefined {
  const r = decodeAt(buf, offset);
  return r ? { value: r.value, length: r.end - offset } : undefined;
}

function decodeAt(buf: Buffer, pos: number): { value: RespValue; end: number } | undefined {
  if (pos >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const eol = lineEnd(buf, pos + 1);
  if (eol < 0) return undefined;
  const header = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: header, end: after };
    case '-':
      return { value: new RespError(header), end: after };
    case ':':
      return { value: Number(header), end: after };
    case '_':
      return { value: null, end: after };
    case '#':
      return { value: header === 't', end: after };
    case ',':
      return {
        value: header === 'inf' ? Infinity : header === '-inf' ? -Infinity : header === 'nan' ? NaN : Number(header),
        end: after,
      };
    case '(':
      return { value: BigInt(header), end: after };
    case '$':
    case '!':
    case '=': {
      const n = Number(header);
      if (n < 0) return { value: null, end: after };
      if (buf.length < after + n + 2) return undefined;
      const s = buf.toString('utf8', after, after + n);
      return { value: type === '!' ? new RespError(s) : s, end: after + n + 2 };
    }
    case '*':
    case '~':
    case '>': {
      const n = Number(header);
      if (n < 0) return { value: null, end: after };
      const items: RespValue[] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const r = decodeAt(buf, p);
        if (!r) return undefined;
        items.push(r.value);
        p = r.end;
      }
      return { value: type === '~' ? new Set(items) : items, end: p };
    }
    case '%':
    case '|': {
      const n = Number(header);
      const m = new Map<RespValue, RespValue>();
      let p = after;
      for (let i = 0; i < n; i++) {
        const k = decodeAt(buf, p);
        if (!k) return undefined;
        const v = decodeAt(buf, k.end);
        if (!v) return undefined;
        m.set(k.value, v.value);
        p = v.end;
      }
      if (type === '|') return decodeAt(buf, p);
      return { value: m, end: p };
    }
    default:
      throw new RespProtocolError(`unknown RESP type byte ${JSON.stringify(type)} at offset ${pos}`);
  }
}
