import type { ValueCodec } from './codecs.js';

/**
 * How far aki honours an option.
 * - `native`: implemented; typed in ConfigValues and read by the server.
 * - `inert`: a knob of Redis's internals (encodings, allocator, threads,
 *   defragmentation) that has no meaning in aki. Accepted and remembered so
 *   configs written for Redis load and CONFIG GET/SET keep working.
 * - `unsupported`: a Redis feature aki does not have yet (cluster, TLS,
 *   replication, keyspace events, ...). Accepted from config files with a
 *   warning when set to anything but Redis's default; CONFIG SET may only
 *   restate the default, so a client never believes a feature is on.
 */
export type Support = 'native' | 'inert' | 'unsupported';

export interface OptionTraits {
  /** Old spellings accepted everywhere (`slave-read-only`). */
  aliases?: readonly string[];
  /** CONFIG SET refuses it ("can't set immutable config"). */
  immutable?: boolean;
  /** CONFIG SET needs enable-protected-configs ("can't set protected config"). */
  protected?: boolean;
  /** Holds a secret: callers redact it in logs, MONITOR and SLOWLOG. */
  sensitive?: boolean;
  /**
   * A runtime change only takes effect when the server acts on it (rebinding,
   * reopening files, changing the log level). CONFIG SET refuses the option
   * until something has registered an onChange listener for it.
   */
  needsListener?: boolean;
  support?: Support;
}

/** Traits that depend on the option's value type. */
export interface TypedTraits<T> extends OptionTraits {
  /**
   * A warning for the log when a config file sets this value: the option is
   * accepted but aki will not do what it asks (`daemonize yes`).
   */
  warnWhen?: (value: T) => string | undefined;
}

/** One declarative record per option; the whole config model derives from these. */
export interface OptionSpec<T = unknown> {
  /** Canonical, lower-case name. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly codec: ValueCodec<T>;
  readonly defaultValue: T;
  readonly immutable: boolean;
  readonly protected: boolean;
  readonly sensitive: boolean;
  readonly needsListener: boolean;
  readonly support: Support;
  readonly warnWhen: ((value: T) => string | undefined) | undefined;
}

export function option<const N extends string, T>(
  name: N,
  codec: ValueCodec<T>,
  defaultValue: T,
  traits: TypedTraits<T> = {},
): OptionSpec<T> & { readonly name: N } {
  return {
    name,
    aliases: traits.aliases ?? [],
    codec,
    defaultValue,
    immutable: traits.immutable ?? false,
    protected: traits.protected ?? false,
    sensitive: traits.sensitive ?? false,
    needsListener: traits.needsListener ?? false,
    support: traits.support ?? 'native',
    warnWhen: traits.warnWhen,
  };
}
