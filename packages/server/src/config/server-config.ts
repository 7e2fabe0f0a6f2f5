import { compileGlob } from '@aki/keyspace';
import { splitWords } from './codecs.js';
import { DEPRECATED_DIRECTIVES, IGNORED_DIRECTIVES } from './compat-options.js';
import { BAD_DIRECTIVE, ConfigError } from './errors.js';
import type { ConfigValues, ProtectedAction } from './native-options.js';
import type { OptionSpec } from './option.js';
import { ALL_NAMES, ALL_OPTIONS, lookupOption } from './registry.js';

/**
 * Whether a protected action (CONFIG SET of a protected option, DEBUG) is
 * allowed under an `enable-*` setting: `yes` always, `local` only for
 * loopback/unix-socket clients, `no` never.
 */
export function allowsProtectedAction(setting: ProtectedAction, isLocalClient: boolean): boolean {
  return setting === 'yes' || (setting === 'local' && isLocalClient);
}

/** True for options whose value is a secret (requirepass, masterauth, TLS key passwords). */
export function isSensitiveOption(name: string): boolean {
  return lookupOption(name)?.sensitive ?? false;
}

const GLOB_CHARS = /[*?[]/;

type Listener = (value: unknown) => void;

/**
 * The server's configuration: the current value of every known option,
 * typed for the options aki implements. String values are latin1 byte
 * strings, like every string aki reads from the wire (a requirepass from a
 * config file must compare equal to the bytes a client sends with AUTH);
 * paths should reach the file system as Buffer.from(value, 'latin1'). One instance per server. Start-up
 * loading goes through applyDirective (config file lines, then command line),
 * runtime changes through setAtRuntime (CONFIG SET), reads through get and
 * getMatching (CONFIG GET).
 */
export class ServerConfig {
  /** Canonical name -> current value, for every option in the registry. */
  readonly #values = new Map<string, unknown>();
  /** Options already set by a start-up directive (`save` accumulates after the first). */
  readonly #setByDirective = new Set<string>();
  readonly #listeners = new Map<string, Listener[]>();

  /** Defaults are Redis 7's, except appendonly yes, dir '.' and logfile '' (stdout). */
  constructor() {
    for (const spec of ALL_OPTIONS) this.#values.set(spec.name, freeze(spec.defaultValue));
  }

  get<K extends keyof ConfigValues>(name: K): ConfigValues[K] {
    return this.#values.get(name) as ConfigValues[K];
  }

  /**
   * The current value of any option by name or alias (undefined for an
   * unknown name). Untyped, for code that handles every option alike through
   * its codec (CONFIG REWRITE); everything else uses get().
   */
  valueOf(name: string): unknown {
    const spec = lookupOption(name);
    return spec === undefined ? undefined : this.#values.get(spec.name);
  }

  /**
   * Applies one config-file or command-line directive; `name` is matched
   * case-insensitively, `args` are already split. Throws ConfigError for an
   * unknown directive, a wrong argument count or an invalid value. Returns a
   * warning for the caller to log when the directive is accepted but aki
   * will not act on it (an option aki does not implement set to anything but
   * Redis's default, `daemonize yes`, `rename-command`, ...).
   */
  applyDirective(name: string, args: string[]): { warning?: string } {
    const key = name.toLowerCase();
    if (DEPRECATED_DIRECTIVES.has(key)) return {};
    const ignored = IGNORED_DIRECTIVES.get(key);
    if (ignored !== undefined) return { warning: ignored };
    if (key === 'sentinel') throw new ConfigError('sentinel directive while not in sentinel mode');
    const spec = lookupOption(key);
    if (!spec) throw new ConfigError(BAD_DIRECTIVE);
    if (!spec.codec.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');

    const value = spec.codec.parse(args, {
      previous: this.#values.get(spec.name),
      repeated: this.#setByDirective.has(spec.name),
    });
    this.#values.set(spec.name, freeze(value));
    this.#setByDirective.add(spec.name);

    const warning = spec.warnWhen?.(value) ?? compatWarning(spec, name, value);
    return warning === undefined ? {} : { warning };
  }

  /**
   * CONFIG SET with Redis 7 semantics. All pairs are checked (names, flags,
   * duplicates), then all values parsed, then applied together; if an
   * onChange listener vetoes, every value is restored (and listeners that
   * already ran see the old value again). Returns null on success, or the
   * complete error reply text ("ERR ...").
   *
   * `isLocalClient` decides `enable-protected-configs local`.
   */
  setAtRuntime(pairs: Array<[string, string]>, isLocalClient: boolean): string | null {
    const specs: OptionSpec[] = [];
    for (const [name] of pairs) {
      const spec = lookupOption(name);
      if (!spec) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (spec.immutable) return setFailed(name, "can't set immutable config");
      if (spec.protected && !allowsProtectedAction(this.get('enable-protected-configs'), isLocalClient)) {
        return setFailed(name, "can't set protected config");
      }
      if (specs.includes(spec)) return setFailed(name, 'duplicate parameter');
      specs.push(spec);
    }

    const next: unknown[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const [name, text] = pairs[i]!;
      const spec = specs[i]!;
      let value: unknown;
      try {
        value = spec.codec.parse(spec.codec.multiArg ? splitWords(text) : [text], {
          previous: this.#values.get(spec.name),
          repeated: false,
        });
      } catch (err) {
        if (err instanceof ConfigError) return setFailed(name, err.message);
        throw err;
      }
      if (spec.support === 'unsupported' && !this.#isDefaultOrCurrent(spec, value)) {
        return setFailed(name, 'aki does not support this config yet');
      }
      if (spec.needsListener && !this.#listeners.has(spec.name) && !this.#isCurrent(spec, value)) {
        return setFailed(name, "aki can't change this config at runtime yet");
      }
      next.push(value);
    }

    const previous = specs.map((spec) => this.#values.get(spec.name));
    specs.forEach((spec, i) => this.#values.set(spec.name, freeze(next[i])));
    const notified: number[] = [];
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      if (spec.codec.format(previous[i]) === spec.codec.format(next[i])) continue;
      try {
        this.#notify(spec.name, next[i]);
        notified.push(i);
      } catch (err) {
        specs.forEach((s, j) => this.#values.set(s.name, previous[j]));
        for (const j of notified) {
          try {
            this.#notify(specs[j]!.name, previous[j]);
          } catch {
            // Best effort: the old value was accepted before, so a failure
            // here means the listener has no better state to return to.
          }
        }
        return setFailed(pairs[i]![0], err instanceof Error ? err.message : String(err));
      }
    }
    return null;
  }

  /**
   * Records a value the server changed by itself rather than through CONFIG
   * SET (REPLICAOF changes `replicaof`), so CONFIG GET and CONFIG REWRITE
   * show the live state. No validation and no listeners: the caller already
   * acted on the change.
   */
  recordRuntimeValue<K extends keyof ConfigValues>(name: K, value: ConfigValues[K]): void {
    this.#values.set(name, freeze(value));
  }

  /**
   * CONFIG GET: [name, value] for every option matching any of the patterns.
   * A pattern without glob characters is an exact (case-insensitive) lookup
   * answered under the name as given, aliases included; a glob pattern
   * (case-insensitive Redis glob) is matched against every canonical name and
   * alias. Each name appears at most once.
   */
  getMatching(patterns: string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    const add = (name: string, spec: OptionSpec) => {
      const key = name.toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      out.push([name, spec.codec.format(this.#values.get(spec.name))]);
    };
    for (const pattern of patterns) {
      if (!GLOB_CHARS.test(pattern)) {
        const spec = lookupOption(pattern);
        if (spec) add(pattern, spec);
        continue;
      }
      const matches = compileGlob(pattern, true);
      for (const name of ALL_NAMES) {
        if (matches(name)) add(name, lookupOption(name)!);
      }
    }
    return out;
  }

  /**
   * Registers a listener run after a runtime change (CONFIG SET) of `name`
   * actually changed its value. A listener vetoes the change by throwing
   * (preferably ConfigError); its message ends up in the error reply and all
   * values of that CONFIG SET are rolled back. Registering a listener is also
   * what allows CONFIG SET of options that need the server to act (port,
   * bind, dir, appendonly, loglevel).
   */
  onChange<K extends keyof ConfigValues>(name: K, listener: (value: ConfigValues[K]) => void): void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener as Listener);
    this.#listeners.set(name, list);
  }

  #notify(name: string, value: unknown): void {
    for (const listener of this.#listeners.get(name) ?? []) listener(value);
  }

  #isCurrent(spec: OptionSpec, value: unknown): boolean {
    return spec.codec.format(value) === spec.codec.format(this.#values.get(spec.name));
  }

  #isDefaultOrCurrent(spec: OptionSpec, value: unknown): boolean {
    return spec.codec.format(value) === spec.codec.format(spec.defaultValue) || this.#isCurrent(spec, value);
  }
}

function setFailed(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/** The warning for a directive that sets an option aki does not act on to a non-default value. */
function compatWarning(spec: OptionSpec, name: string, value: unknown): string | undefined {
  if (spec.support === 'native') return undefined;
  if (spec.codec.format(value) === spec.codec.format(spec.defaultValue)) return undefined;
  return spec.support === 'inert'
    ? `'${name}' has no effect in aki; the value is only kept for CONFIG GET`
    : `'${name}' is not supported by aki yet; the value is only kept for CONFIG GET`;
}

/** Values handed out by get() are shared, so arrays and records are frozen. */
function freeze<T>(value: T): T {
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}
