import { splitArgs } from '@aki/resp-codec';

/**
 * Redis 7.0's multi-part AOF manifest: one line per file,
 *
 *     file appendonly.aof.1.base.rdb seq 1 type b
 *     file appendonly.aof.1.incr.aof seq 1 type i
 *
 * Keys may come in any order and any case; unknown keys are allowed (forward
 * compatibility) and dropped; a name that needs it is written in double
 * quotes with C escapes and parsed with Redis's argument splitting. Lines
 * starting with '#' are comments. Redis writes the base first, then the
 * history files, then the incr files in sequence order, and so do we.
 */
export type BaseKind = 'rdb' | 'aof';

export interface ManifestBase {
  name: string;
  seq: number;
  /**
   * What the file name says the base holds (`.rdb` suffix: an RDB snapshot;
   * anything else: AOF commands). A naming hint only: the loader looks at
   * the content (a legacy AOF named `appendonly.aof` may be an RDB preamble
   * followed by commands).
   */
  kind: BaseKind;
}

export interface ManifestIncr {
  name: string;
  seq: number;
}

/** A file of an earlier generation, waiting to be deleted (type h). */
export interface ManifestHistory {
  name: string;
  seq: number;
}

export interface Manifest {
  base?: ManifestBase;
  /** In file order; sequence numbers strictly increase. */
  incr: ManifestIncr[];
  history: ManifestHistory[];
}

/** Redis reads the manifest with fgets into a buffer of this many characters per line. */
export const MANIFEST_MAX_LINE = 1024;

/** Prefix of every temporary file (Redis's `temp-`): never listed, safe to delete at startup. */
export const TEMP_FILE_PREFIX = 'temp-';

/** Why a manifest was rejected; `message` of each is Redis 7.0's log text. */
export type ManifestErrorReason =
  | 'empty'
  | 'line-too-long'
  | 'invalid-format'
  | 'path'
  | 'duplicate-base'
  | 'non-monotonic'
  | 'unknown-type';

const REASON_TEXT: Record<ManifestErrorReason, string> = {
  empty: 'Found an empty AOF manifest',
  'line-too-long': 'The AOF manifest file contains too long line',
  'invalid-format': 'Invalid AOF manifest file format',
  path: "File can't be a path, just a filename",
  'duplicate-base': 'Found duplicate base file information',
  'non-monotonic': 'Found a non-monotonic sequence number',
  'unknown-type': 'Unknown AOF file type',
};

/**
 * A manifest Redis 7.0 would refuse to start with. `redisText` is Redis's own
 * reason line; `detail` says which of the several "invalid format" cases it
 * was; `line`/`text` locate it (absent for whole-file problems, as in
 * Redis's log).
 */
export class ManifestError extends Error {
  readonly redisText: string;

  constructor(
    readonly reason: ManifestErrorReason,
    readonly detail: string,
    readonly line?: number,
    readonly text?: string,
  ) {
    const where = line === undefined ? '' : ` at line ${line}: '${text ?? ''}'`;
    super(`${REASON_TEXT[reason]} (${detail}${where})`);
    this.name = 'ManifestError';
    this.redisText = REASON_TEXT[reason];
  }

  /** The lines Redis 7.0 logs for this error, in order (without log prefixes). */
  logLines(): string[] {
    const lines = ['*** FATAL AOF MANIFEST FILE ERROR ***'];
    if (this.line !== undefined) {
      lines.push(`Reading the manifest file, at line ${this.line}`, `>>> '${this.text ?? ''}'`);
    }
    lines.push(this.redisText);
    return lines;
  }
}

/**
 * Parses a manifest as Redis 7.0 does, with the same acceptance rules:
 * - lines are read fgets-style, at most MANIFEST_MAX_LINE characters at a
 *   time; a piece without its newline (a longer line, or a last line without
 *   a trailing newline) is "too long";
 * - a piece starting with '#' is skipped; any other line is trimmed of
 *   spaces, tabs, CR and LF, and must not be blank;
 * - at least 6 fields, an even number of them; `file`, `seq` and `type` are
 *   required; `seq` is read like C's atoll (leading digits; 0 or none is
 *   missing); `type` is its first character (b, h or i);
 * - one base at most; incr sequence numbers strictly increase;
 * - a file name must not contain '/' or '\'.
 *
 * Deliberately stricter than Redis in two corners Redis never writes: an
 * empty file name, and a seq beyond 2^53 (JS numbers), are invalid format.
 *
 * A manifest holding only comments parses to an empty manifest (Redis then
 * starts as if there were none). Throws ManifestError.
 */
export function parseManifest(input: Buffer | string): Manifest {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const manifest: Manifest = { incr: [], history: [] };
  let maxIncrSeq = 0;
  let lineNumber = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const newline = text.indexOf('\n', pos);
    let end = newline === -1 ? n : newline + 1;
    if (end - pos > MANIFEST_MAX_LINE) end = pos + MANIFEST_MAX_LINE;
    const piece = text.slice(pos, end);
    pos = end;
    lineNumber++;

    if (piece.charCodeAt(0) === 35 /* # */) continue;
    if (piece.charCodeAt(piece.length - 1) !== 10) {
      throw new ManifestError('line-too-long', `a line longer than ${MANIFEST_MAX_LINE - 1} characters or without its newline`);
    }
    const line = trimManifestLine(piece);
    const fail = (reason: ManifestErrorReason, detail: string): never => {
      throw new ManifestError(reason, detail, lineNumber, line);
    };
    if (line.length === 0) fail('invalid-format', 'blank line');

    const argv = splitArgs(line);
    if (argv === null) fail('invalid-format', 'unbalanced quotes');
    const args = argv as string[];
    if (args.length < 6) fail('invalid-format', `too few fields (${args.length}, at least 6 needed)`);
    if (args.length % 2 !== 0) fail('invalid-format', `odd number of parameters (${args.length})`);

    let name: string | undefined;
    let seq = 0;
    let type = '';
    for (let i = 0; i < args.length; i += 2) {
      const key = args[i]!.toLowerCase();
      const value = args[i + 1]!;
      if (key === 'file') {
        name = value;
        if (!isBaseName(name)) fail('path', `file name '${name}' is a path`);
      } else if (key === 'seq') {
        seq = atoll(value);
        if (!Number.isSafeInteger(seq)) fail('invalid-format', `seq '${value}' out of range`);
      } else if (key === 'type') {
        type = value.length === 0 ? '' : value[0]!;
      }
    }
    if (name === undefined) fail('invalid-format', "missing key 'file'");
    if (name === '') fail('invalid-format', 'empty file name');
    if (seq === 0) fail('invalid-format', "missing or invalid key 'seq'");
    if (type === '') fail('invalid-format', "missing key 'type'");
    const fileName = name as string;

    if (type === 'b') {
      if (manifest.base !== undefined) fail('duplicate-base', `a second base '${fileName}'`);
      manifest.base = { name: fileName, seq, kind: baseKindOf(fileName) };
    } else if (type === 'h') {
      manifest.history.push({ name: fileName, seq });
    } else if (type === 'i') {
      if (seq <= maxIncrSeq) fail('non-monotonic', `incr seq ${seq} after ${maxIncrSeq}`);
      manifest.incr.push({ name: fileName, seq });
      maxIncrSeq = seq;
    } else {
      fail('unknown-type', `type '${type}'`);
    }
  }
  if (lineNumber === 0) throw new ManifestError('empty', 'the manifest file is empty');
  return manifest;
}

/**
 * The manifest's text (latin1: one char per byte), as Redis 7.0 writes it:
 * base, then history, then incr; names that need it double-quoted with
 * escapes. Throws RangeError for a name Redis could not read back (empty,
 * or a path).
 */
export function formatManifest(manifest: Manifest): string {
  let out = '';
  const line = (name: string, seq: number, type: string): void => {
    if (name === '' || !isBaseName(name)) throw new RangeError(`invalid AOF file name '${name}'`);
    if (!Number.isSafeInteger(seq)) throw new RangeError(`invalid AOF file seq ${seq}`);
    out += `file ${quoteIfNeeded(name)} seq ${seq} type ${type}\n`;
  };
  if (manifest.base !== undefined) line(manifest.base.name, manifest.base.seq, 'b');
  for (const file of manifest.history) line(file.name, file.seq, 'h');
  for (const file of manifest.incr) line(file.name, file.seq, 'i');
  return out;
}

/** Every file name the manifest lists (base, incr, history). */
export function manifestFileNames(manifest: Manifest): string[] {
  return [
    ...(manifest.base === undefined ? [] : [manifest.base.name]),
    ...manifest.incr.map((f) => f.name),
    ...manifest.history.map((f) => f.name),
  ];
}

/** True when the manifest lists neither a base nor an incr file (nothing to load). */
export function isEmptyManifest(manifest: Manifest): boolean {
  return manifest.base === undefined && manifest.incr.length === 0;
}

// ---- file names ------------------------------------------------------------

/** `<appendfilename>.manifest` */
export function manifestFileName(appendfilename: string): string {
  return `${appendfilename}.manifest`;
}

/** `temp-<appendfilename>.manifest`: where a new manifest is written before it is renamed into place. */
export function tempManifestFileName(appendfilename: string): string {
  return `${TEMP_FILE_PREFIX}${appendfilename}.manifest`;
}

/** `<appendfilename>.<seq>.base.rdb` or `.base.aof` */
export function baseFileName(appendfilename: string, seq: number, kind: BaseKind): string {
  return `${appendfilename}.${seq}.base.${kind === 'rdb' ? 'rdb' : 'aof'}`;
}

/** `<appendfilename>.<seq>.incr.aof` */
export function incrFileName(appendfilename: string, seq: number): string {
  return `${appendfilename}.${seq}.incr.aof`;
}

/** `temp-<appendfilename>.incr` (Redis's name for an incr file opened before it is listed). */
export function tempIncrFileName(appendfilename: string): string {
  return `${TEMP_FILE_PREFIX}${appendfilename}.incr`;
}

/** True for names of temporary files (`temp-...`). */
export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_FILE_PREFIX);
}

/** What a base's name says it holds: `.rdb` -> rdb, anything else -> aof. */
export function baseKindOf(name: string): BaseKind {
  return name.endsWith('.rdb') ? 'rdb' : 'aof';
}

/** Redis's rule for a file name in the manifest (and for appendfilename): no '/' and no '\'. */
export function isBaseName(name: string): boolean {
  return !name.includes('/') && !name.includes('\\');
}

/** Redis's sequence for the next base: one more than the current base's. */
export function nextBaseSeq(manifest: Manifest): number {
  return (manifest.base?.seq ?? 0) + 1;
}

/** Redis's sequence for the next incr file: one more than the last incr file's (1 when none). */
export function nextIncrSeq(manifest: Manifest): number {
  return (manifest.incr.at(-1)?.seq ?? 0) + 1;
}

// ---- helpers ---------------------------------------------------------------

/** Trims spaces, tabs, CR and LF from both ends (Redis: sdstrim(" \t\r\n")). */
function trimManifestLine(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isTrimmed(s.charCodeAt(start))) start++;
  while (end > start && isTrimmed(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isTrimmed(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * C's atoll: optional leading whitespace, an optional sign, then digits up to
 * the first non-digit; no digits gives 0. (Values beyond 2^53 come back
 * unsafe and are rejected by the caller.)
 */
function atoll(s: string): number {
  let i = 0;
  const n = s.length;
  while (i < n && (s.charCodeAt(i) === 32 || (s.charCodeAt(i) >= 9 && s.charCodeAt(i) <= 13))) i++;
  let sign = 1;
  if (i < n && (s[i] === '+' || s[i] === '-')) {
    if (s[i] === '-') sign = -1;
    i++;
  }
  let value = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  return sign * value;
}

/**
 * Redis writes a name as is unless it holds a backslash, a double quote, a
 * blank, or a non-printable byte; then it writes it double-quoted with
 * \\ \" \n \r \t \a \b escapes and \xhh for the other non-printables
 * (printable = 0x20..0x7e).
 *
 * One deliberate difference: a name with a single quote is quoted too.
 * Redis 7.0.15 writes `q'x.aof` bare and then cannot read its own manifest
 * (the quote opens a quoted section when splitting); `"q'x.aof"` reads back
 * in Redis and here.
 */
function quoteIfNeeded(name: string): string {
  let needs = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 92 || c === 34 || c === 39 || c <= 32 || c >= 127) {
      needs = true;
      break;
    }
  }
  if (!needs) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    switch (c) {
      case 92:
        out += '\\\\';
        break;
      case 34:
        out += '\\"';
        break;
      case 10:
        out += '\\n';
        break;
      case 13:
        out += '\\r';
        break;
      case 9:
        out += '\\t';
        break;
      case 7:
        out += '\\a';
        break;
      case 8:
        out += '\\b';
        break;
      default:
        out += c >= 32 && c <= 126 ? name[i] : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return out + '"';
}
