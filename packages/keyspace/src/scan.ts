/** What SCAN filters on; `match` is applied by the caller-provided predicate too. */
export interface ScanOptions {
  /** Approximate number of keys to examine in this step (Redis COUNT, default 10). */
  count: number;
  /** Only keys whose value has this type (Redis TYPE filter). */
  type?: string;
  /** Only keys accepted by this matcher (compiled MATCH pattern). */
  match?: (key: string) => boolean;
}

export interface ScanPage {
  /** The cursor to pass next; 0 when the iteration is complete. */
  cursor: number;
  keys: string[];
}

interface ParkedCursor {
  iterator: IterableIterator<string>;
  /** How many keys this iteration has passed so far. */
  position: number;
}

/** Cursors remembered per database; the oldest is forgotten first. */
const MAX_PARKED_CURSORS = 1024;
/** Low bits of a cursor that make it unique; the high part is the position. */
const CURSOR_TAG_SPACE = 1024;

/**
 * SCAN over a JS Map with Redis's guarantee: a key present for the whole
 * iteration is returned at least once, and the cursor is a plain number.
 *
 * How: a Map iterator is live (it skips deleted entries and visits entries
 * added later, and survives rehashing), so a parked iterator resumes exactly.
 * The cursor handed out is `position * 1024 + tag`. A cursor that is no longer
 * parked (evicted, or from before a restart) resumes by skipping `position`
 * keys from the start: keys deleted meanwhile may then shift others past the
 * resume point, which is the only case where the guarantee weakens.
 */
export class KeyScanner {
  private readonly parked = new Map<number, ParkedCursor>();
  private nextTag = 1;

  constructor(private readonly source: () => Map<string, unknown>) {}

  scan(cursor: number, options: ScanOptions, accept: (key: string) => boolean): ScanPage {
    const state = this.resume(cursor);
    const keys: string[] = [];
    const budget = Math.max(1, options.count);
    let examined = 0;
    let done = false;
    while (examined < budget) {
      const next = state.iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      examined++;
      state.position++;
      const key = next.value;
      if (options.match !== undefined && !options.match(key)) continue;
      if (accept(key)) keys.push(key);
    }
    if (done) return { cursor: 0, keys };
    return { cursor: this.park(state), keys };
  }

  private resume(cursor: number): ParkedCursor {
    const parked = this.parked.get(cursor);
    if (parked !== undefined) {
      this.parked.delete(cursor);
      return parked;
    }
    const iterator = this.source().keys();
    const position = cursor === 0 ? 0 : Math.floor(cursor / CURSOR_TAG_SPACE);
    for (let i = 0; i < position; i++) {
      if (iterator.next().done) break;
    }
    return { iterator, position };
  }

  private park(state: ParkedCursor): number {
    const tag = this.nextTag;
    this.nextTag = (this.nextTag % (CURSOR_TAG_SPACE - 1)) + 1;
    const cursor = state.position * CURSOR_TAG_SPACE + tag;
    if (this.parked.size >= MAX_PARKED_CURSORS) {
      const oldest = this.parked.keys().next().value as number;
      this.parked.delete(oldest);
    }
    this.parked.set(cursor, state);
    return cursor;
  }
}
