import { ConfigError } from './errors.js';

/**
 * Value codecs: how one option's arguments are parsed into a typed value and
 * how that value is printed back (CONFIG GET, CONFIG REWRITE). Every parse
 * error is a ConfigError whose message follows Redis's wording, because users
 * and test suites match on it.
 */

/** What a parser may know besides the arguments. */
export interface ParseContext<T> {
  /** The option's current value, for options whose directives accumulate. */
  readonly previous: T;
  /**
   * True when an earlier directive of the same start-up load already set this
   * option. `save` appends in that case; a first `save` line replaces the
   * defaults. Always false for CONFIG SET.
   */
  readonly repeated: boolean;
}

export interface ValueCodec<T> {
  /**
   * The option takes a list of arguments (`save 3600 1 300 100`,
   * `bind 127.0.0.1 -::1`) instead of exactly one. CONFIG SET splits its
   * single value string on spaces for such options.
   */
  readonly multiArg: boolean;
  /** Throws ConfigError with Redis's wording when the arguments are invalid. */
  parse(args: readonly string[], ctx: ParseContext<T>): T;
  /** The value as CONFIG GET prints it. */
  format(value: T): string;
  /**
   * The value as config-file directives (CONFIG REWRITE): the arguments of
   * each line, which applied in order give back `value`. `repeated` says
   * whether an earlier directive of the same load still sets the option
   * before these lines (see ParseContext.repeated), for options whose
   * directives accumulate. No lines means the option's default needs none.
   * When absent, see directiveArgs().
   */
  directiveArgs?(value: T, repeated: boolean): string[][];
}

/**
 * The config-file lines that give an option `value` (see
 * ValueCodec.directiveArgs). By default one line: the printed value as its
 * one argument, or split into words for a multi-argument option.
 */
export function directiveArgs<T>(codec: ValueCodec<T>, value: T, repeated: boolean): string[][] {
  if (codec.directiveArgs) return codec.directiveArgs(value, repeated);
  const printed = codec.format(value);
  return [codec.multiArg ? splitWords(printed) : [printed]];
}

// Bounds Redis uses, spelled as in its error messages.
export const INT_MAX = 2147483647;
export const UINT_MAX = 4294967295;
/**
 * Redis allows up to LLONG_MAX for long long options; a JS number holds
 * integers exactly only up to 2^53 - 1, so aki caps those options there and
 * says so in the bounds error.
 */
export const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** Takes the one argument of a single-argument option. */
function single(args: readonly string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  return args[0]!;
}

/** Splits a multi-argument value given as one string ("3600 1 300 100"). */
export function splitWords(value: string): string[] {
  return value.split(/[ \t]+/).filter((word) => word !== '');
}

/**
 * Multi-argument options also accept their list quoted into one argument
 * (`--save "60 1"` on the command line becomes `save "60 1"`), so a single
 * non-empty argument is split on spaces.
 */
function words(args: readonly string[]): string[] {
  return args.length === 1 && args[0] !== '' ? splitWords(args[0]!) : [...args];
}

export function yesNo(): ValueCodec<boolean> {
  return {
    multiArg: false,
    parse(args) {
      const text = single(args).toLowerCase();
      if (text === 'yes') return true;
      if (text === 'no') return false;
      throw new ConfigError("argument must be 'yes' or 'no'");
    },
    format: (value) => (value ? 'yes' : 'no'),
  };
}

/** One of a fixed set of words, matched case-insensitively, printed lower-case. */
export function oneOf<const V extends readonly string[]>(...choices: V): ValueCodec<V[number]> {
  return {
    multiArg: false,
    parse(args) {
      const text = single(args).toLowerCase();
      const found = choices.find((choice) => choice === text);
      if (found === undefined) {
        throw new ConfigError(`argument(s) must be one of the following: ${choices.join(', ')}`);
      }
      return found;
    },
    format: (value) => value,
  };
}

interface IntegerBounds {
  min: number;
  max: number;
  /** Maps an accepted value to the stored one (hz is clamped to 1..500). */
  normalize?: (value: number) => number;
}

/** Redis's strict integer syntax (string2ll): no sign but '-', no spaces, no leading zeros. */
const STRICT_INTEGER = /^(?:0|-?[1-9][0-9]{0,18})$/;

function checkBounds(value: bigint, bounds: IntegerBounds): number {
  if (value < BigInt(bounds.min) || value > BigInt(bounds.max)) {
    throw new ConfigError(`argument must be between ${bounds.min} and ${bounds.max} inclusive`);
  }
  const n = Number(value);
  return bounds.normalize ? bounds.normalize(n) : n;
}

/** Parses a strict decimal integer; null if the text is not one. */
export function parseStrictInteger(text: string): bigint | null {
  return STRICT_INTEGER.test(text) ? BigInt(text) : null;
}

export function integer(bounds: IntegerBounds): ValueCodec<number> {
  return {
    multiArg: false,
    parse(args) {
      const value = parseStrictInteger(single(args));
      if (value === null) throw new ConfigError("argument couldn't be parsed into an integer");
      return checkBounds(value, bounds);
    },
    format: (value) => String(value),
  };
}

const MEMORY = /^([0-9]+)(b|k|kb|m|mb|g|gb)?$/i;
const UNIT_BYTES: Record<string, bigint> = {
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/**
 * Parses a memory amount: digits with an optional unit, `k`/`m`/`g` powers of
 * 1000 and `kb`/`mb`/`gb` powers of 1024, case-insensitive (`1gb`, `100mb`,
 * `5k`). Null if the text is not one. No fractions, signs or spaces.
 */
export function parseMemory(text: string): bigint | null {
  const match = MEMORY.exec(text);
  if (!match) return null;
  return BigInt(match[1]!) * UNIT_BYTES[(match[2] ?? 'b').toLowerCase()]!;
}

/** A memory amount; printed in bytes as Redis does. */
export function memory(bounds: IntegerBounds): ValueCodec<number> {
  return {
    multiArg: false,
    parse(args) {
      const value = parseMemory(single(args));
      if (value === null) throw new ConfigError('argument must be a memory value');
      return checkBounds(value, bounds);
    },
    format: (value) => String(value),
    directiveArgs: (value) => [[formatMemoryUnits(value)]],
  };
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** A byte count in the largest binary unit that divides it exactly (`1gb`, `64mb`, `1000`), as Redis writes config files. */
export function formatMemoryUnits(bytes: number): string {
  if (bytes === 0) return '0';
  if (bytes % GB === 0) return `${bytes / GB}gb`;
  if (bytes % MB === 0) return `${bytes / MB}mb`;
  if (bytes % 1024 === 0) return `${bytes / 1024}kb`;
  return String(bytes);
}

/**
 * A memory amount or a percentage of maxmemory (`maxmemory-clients 10%`).
 * Kept as the canonical text: bytes, or `<n>%`.
 */
export function memoryOrPercent(bounds: IntegerBounds): ValueCodec<string> {
  return {
    multiArg: false,
    parse(args) {
      const text = single(args);
      if (text.endsWith('%')) {
        const percent = parseStrictInteger(text.slice(0, -1));
        if (percent === null || percent < 0n) {
          throw new ConfigError('argument must be a memory or percent value');
        }
        return `${percent}%`;
      }
      const value = parseMemory(text);
      if (value === null) throw new ConfigError('argument must be a memory or percent value');
      return String(checkBounds(value, bounds));
    },
    format: (value) => value,
  };
}

/** Free text (possibly empty), optionally checked by `validate` (throws ConfigError). */
export function text(validate?: (value: string) => void): ValueCodec<string> {
  return {
    multiArg: false,
    parse(args) {
      const value = single(args);
      validate?.(value);
      return value;
    },
    format: (value) => value,
  };
}

/** A list of words (`bind`), at most `max` of them; an empty list is allowed. */
export function wordList(max: number, tooMany: string): ValueCodec<string[]> {
  return {
    multiArg: true,
    parse(args) {
      const list = words(args);
      if (list.length > max) throw new ConfigError(tooMany);
      return list;
    },
    format: (value) => value.join(' '),
  };
}

/** A fixed number of integers (`oom-score-adj-values 0 200 800`). */
export function integerTuple(count: number, bounds: IntegerBounds): ValueCodec<number[]> {
  const one = integer(bounds);
  return {
    multiArg: true,
    parse(args) {
      const list = words(args);
      if (list.length !== count) throw new ConfigError('wrong number of arguments');
      return list.map((word) => one.parse([word], { previous: 0, repeated: false }));
    },
    format: (value) => value.join(' '),
  };
}

/**
 * `save <seconds> <changes> [<seconds> <changes> ...]`, or `save ""` for no
 * snapshots. Stored as the canonical text "3600 1 300 100". In a config file
 * the first `save` line replaces the defaults and later ones add to it; CONFIG
 * SET replaces.
 */
export function saveParams(): ValueCodec<string> {
  return {
    multiArg: true,
    parse(args, ctx) {
      const list = args.length === 1 && args[0] === '' ? [] : words(args);
      if (list.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
      const numbers = list.map((word, i) => {
        const value = parseStrictInteger(word);
        if (value === null || value < (i % 2 === 0 ? 1n : 0n)) {
          throw new ConfigError('Invalid save parameters');
        }
        return String(value);
      });
      const previous = ctx.repeated && ctx.previous !== '' ? splitWords(ctx.previous) : [];
      // `save ""` always clears, even after earlier lines.
      return list.length === 0 ? '' : [...previous, ...numbers].join(' ');
    },
    format: (value) => value,
    // One `save <seconds> <changes>` line per point; after earlier lines a
    // `save ""` first, since later lines add to what is there.
    directiveArgs(value, repeated) {
      const points = splitWords(value);
      const lines: string[][] = repeated || points.length === 0 ? [['']] : [];
      for (let i = 0; i + 1 < points.length; i += 2) lines.push([points[i]!, points[i + 1]!]);
      return lines;
    },
  };
}

/** `latency-tracking-info-percentiles 50 99 99.9`: numbers in [0, 100]. */
export function percentileList(): ValueCodec<number[]> {
  return {
    multiArg: true,
    parse(args) {
      const list = args.length === 1 && args[0] === '' ? [] : words(args);
      return list.map((word) => {
        const value = /^[0-9]+(?:\.[0-9]+)?$/.test(word) ? Number(word) : Number.NaN;
        if (Number.isNaN(value)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
        if (value < 0 || value > 100) {
          throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
        }
        return value;
      });
    },
    format: (value) => value.map(String).join(' '),
  };
}

/** Event classes of notify-keyspace-events, in the order Redis prints them. */
const EVENT_CLASSES = 'g$lshzxetd';
const EVENT_FLAGS = `A${EVENT_CLASSES}nKEm`;

/**
 * `notify-keyspace-events`: a set of flag characters, printed canonically
 * ("KEA" prints as "AKE": `A` stands for all of g$lshzxetd).
 */
export function keyspaceEvents(): ValueCodec<string> {
  return {
    multiArg: false,
    parse(args) {
      const flags = new Set<string>();
      for (const c of single(args)) {
        if (!EVENT_FLAGS.includes(c)) {
          throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        }
        if (c === 'A') for (const k of EVENT_CLASSES) flags.add(k);
        else flags.add(c);
      }
      const all = [...EVENT_CLASSES].every((k) => flags.has(k));
      let out = all ? 'A' : [...EVENT_CLASSES].filter((k) => flags.has(k)).join('');
      for (const k of 'nKEm') if (flags.has(k)) out += k;
      return out;
    },
    format: (value) => value,
  };
}

/** One class of `client-output-buffer-limit`. */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}
export type OutputBufferLimits = Record<'normal' | 'replica' | 'pubsub', OutputBufferLimit>;

/**
 * `client-output-buffer-limit <class> <hard> <soft> <soft-seconds> [...]`.
 * Each directive changes only the classes it names (the others keep their
 * value); `slave` is an old spelling of `replica`, and Redis still prints
 * `slave`.
 */
export function outputBufferLimits(): ValueCodec<OutputBufferLimits> {
  return {
    multiArg: true,
    parse(args, ctx) {
      const list = words(args);
      if (list.length === 0 || list.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
      const next: OutputBufferLimits = {
        normal: { ...ctx.previous.normal },
        replica: { ...ctx.previous.replica },
        pubsub: { ...ctx.previous.pubsub },
      };
      for (let i = 0; i < list.length; i += 4) {
        const name = list[i]!.toLowerCase();
        const cls = name === 'slave' ? 'replica' : name;
        if (cls !== 'normal' && cls !== 'replica' && cls !== 'pubsub') {
          throw new ConfigError('Invalid client class specified in buffer limit configuration.');
        }
        const hard = parseMemory(list[i + 1]!);
        const soft = parseMemory(list[i + 2]!);
        const seconds = parseStrictInteger(list[i + 3]!);
        if (hard === null || soft === null || seconds === null || seconds < 0n) {
          throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
        }
        next[cls] = { hard: Number(hard), soft: Number(soft), softSeconds: Number(seconds) };
      }
      return next;
    },
    format: (value) =>
      (['normal', 'replica', 'pubsub'] as const)
        .map((cls) => {
          const l = value[cls];
          return `${cls === 'replica' ? 'slave' : cls} ${l.hard} ${l.soft} ${l.softSeconds}`;
        })
        .join(' '),
    // One line per class, which sets that class whatever it held before.
    directiveArgs: (value) =>
      (['normal', 'replica', 'pubsub'] as const).map((cls) => {
        const l = value[cls];
        return [cls, formatMemoryUnits(l.hard), formatMemoryUnits(l.soft), String(l.softSeconds)];
      }),
  };
}

/**
 * `shutdown-on-sigterm` / `shutdown-on-sigint`: `default`, or a combination
 * of save|nosave, now and force. Stored as the canonical space-separated text.
 */
export function shutdownFlags(): ValueCodec<string> {
  const order = ['save', 'nosave', 'now', 'force'];
  return {
    multiArg: true,
    parse(args) {
      const list = words(args).map((w) => w.toLowerCase());
      const bad = () =>
        new ConfigError('argument(s) must be one of the following: default, save, nosave, now, force');
      if (list.length === 0) throw bad();
      if (list.length === 1 && list[0] === 'default') return 'default';
      if (list.some((w) => !order.includes(w))) throw bad();
      if (list.includes('save') && list.includes('nosave')) throw bad();
      return order.filter((w) => list.includes(w)).join(' ');
    },
    format: (value) => value,
  };
}

/** An octal number such as a file mode (`unixsocketperm 700`), printed in octal. */
export function octal(max: number): ValueCodec<number> {
  return {
    multiArg: false,
    parse(args) {
      const word = single(args);
      if (!/^[0-7]{1,11}$/.test(word)) throw new ConfigError("argument couldn't be parsed as an octal number");
      const value = parseInt(word, 8);
      if (value > max) {
        throw new ConfigError(`argument must be between 0 and ${max.toString(8)} inclusive`);
      }
      return value;
    },
    format: (value) => value.toString(8),
  };
}

/**
 * `replicaof <host> <port>` or `replicaof no one`. Stored as "host port", or
 * '' when the server is a primary.
 */
export function replicaOf(): ValueCodec<string> {
  return {
    multiArg: true,
    parse(args) {
      const list = words(args);
      if (list.length !== 2) throw new ConfigError('wrong number of arguments');
      const [host, port] = list as [string, string];
      if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one') return '';
      const n = parseStrictInteger(port);
      if (n === null || n < 0n || n > 65535n) throw new ConfigError('Invalid master port');
      return `${host} ${n}`;
    },
    format: (value) => value,
    // A primary needs no line, unless an earlier line names a leader.
    directiveArgs(value, repeated) {
      if (value === '') return repeated ? [['no', 'one']] : [];
      const space = value.lastIndexOf(' ');
      return [[value.slice(0, space), value.slice(space + 1)]];
    },
  };
}
