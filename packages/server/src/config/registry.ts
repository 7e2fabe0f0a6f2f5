import { COMPAT_OPTIONS } from './compat-options.js';
import { NATIVE_OPTIONS } from './native-options.js';
import type { OptionSpec } from './option.js';

/** Every option aki knows: native ones first, then the Redis compatibility set. */
export const ALL_OPTIONS: readonly OptionSpec[] = [
  ...(Object.values(NATIVE_OPTIONS) as OptionSpec[]),
  ...COMPAT_OPTIONS,
];

/** Lower-case name or alias -> option. */
const BY_NAME = new Map<string, OptionSpec>();
/** Every name and alias in table order (CONFIG GET matches patterns against these). */
export const ALL_NAMES: readonly string[] = ALL_OPTIONS.flatMap((spec) => [spec.name, ...spec.aliases]);

for (const spec of ALL_OPTIONS) {
  for (const name of [spec.name, ...spec.aliases]) {
    if (BY_NAME.has(name)) throw new Error(`config option ${name} is declared twice`);
    BY_NAME.set(name, spec);
  }
}

/** Finds an option by name or alias, case-insensitively. */
export function lookupOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}
