import { deleteIfEmpty } from './typed.js';
import type { CommandContext } from './types.js';

/**
 * The effect of a variadic write that names only the arguments it acted on
 * (SADD of the members it added, SREM / HDEL / ZREM of those it removed, DEL
 * of the keys it deleted): calls `act` on argv[first..] in order and returns
 * the effect, named `name`, or undefined when no call returned true. While
 * every call so far returned true the effect is argv itself (renamed in
 * place, no copy: the common case); from the first false on it is a copy
 * holding argv[1..first-1] and the arguments acted on. The number acted on
 * is `effect.length - first`.
 */
export function effectOfActedOn(
  argv: string[],
  first: number,
  name: string,
  act: (arg: string) => boolean,
): string[] | undefined {
  let copy: string[] | undefined;
  let acted = 0;
  for (let i = first; i < argv.length; i++) {
    const arg = argv[i]!;
    if (act(arg)) {
      acted++;
      if (copy !== undefined) copy.push(arg);
    } else if (copy === undefined) {
      copy = argv.slice(0, i);
    }
  }
  if (acted === 0) return undefined;
  const effect = copy ?? argv;
  effect[0] = name;
  return effect;
}

/**
 * HDEL, SREM and ZREM once the key's collection is found: removes the
 * elements argv[2..] with `remove`, deletes the key when none remain,
 * replies how many went and propagates `name` with only those.
 */
export function removeElements(
  ctx: CommandContext,
  argv: string[],
  name: string,
  collection: { readonly size: number },
  remove: (element: string) => boolean,
): void {
  const effect = effectOfActedOn(argv, 2, name, remove);
  ctx.reply.integer(effect === undefined ? 0 : effect.length - 2);
  if (effect === undefined) return;
  deleteIfEmpty(ctx, argv[1]!, collection);
  ctx.propagate(effect);
}
