import { RdbFormatError } from './errors.js';

/**
 * The largest expansion LZF allows: a back-reference of at most 264 bytes
 * costs 3 input bytes. A claimed length beyond `inputLength * MAX_RATIO`
 * cannot be genuine, so it is rejected before any allocation.
 */
const MAX_RATIO = 88;

/** True when `compressedLength` bytes could expand to `length` bytes. */
export function plausibleLzfLength(compressedLength: number, length: number): boolean {
  return length <= compressedLength * MAX_RATIO;
}

/**
 * Expands LZF data (the 0xC3 string encoding of an RDB) from
 * `input[start, end)` into a new buffer of exactly `length` bytes.
 *
 * The format is a sequence of runs, each starting with a control byte:
 * below 32 it is a literal run of control+1 bytes; otherwise the top three
 * bits are a length (7 means "plus the next byte") and the low five bits
 * with the next byte an offset back into the output: copy length+2 bytes
 * from (output position - offset - 1), byte by byte (the source may overlap
 * the bytes being written).
 *
 * Every read and write is bounds-checked: a corrupt input throws an
 * RdbFormatError (at `errorOffset`), never reads past `end` or writes past
 * `length`, and the output must come out exactly `length` bytes long.
 */
export function lzfDecompress(input: Uint8Array, start: number, end: number, length: number, errorOffset: number): Buffer {
  if (!plausibleLzfLength(end - start, length)) throw corrupt(errorOffset, 'impossible expanded length');
  const out = Buffer.allocUnsafe(length);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > end) throw corrupt(errorOffset, 'literal run past the input');
      if (op + run > length) throw corrupt(errorOffset, 'literal run past the output');
      for (let k = 0; k < run; k++) out[op++] = input[ip++];
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= end) throw corrupt(errorOffset, 'truncated back-reference');
      len += input[ip++];
    }
    if (ip >= end) throw corrupt(errorOffset, 'truncated back-reference');
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    len += 2;
    if (ref < 0) throw corrupt(errorOffset, 'back-reference before the output');
    if (op + len > length) throw corrupt(errorOffset, 'back-reference past the output');
    for (let k = 0; k < len; k++) out[op++] = out[ref++];
  }
  if (op !== length) throw corrupt(errorOffset, `expanded to ${op} bytes instead of ${length}`);
  return out;
}

function corrupt(offset: number, what: string): RdbFormatError {
  return new RdbFormatError(`Invalid LZF compressed string (${what})`, offset);
}
