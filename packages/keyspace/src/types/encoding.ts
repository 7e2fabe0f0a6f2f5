/**
 * The thresholds Redis 7.2 uses to choose a collection's compact encoding
 * (OBJECT ENCODING listpack / intset) over its big one (quicklist, hashtable,
 * skiplist). The server keeps one instance in sync with CONFIG; values read
 * it when asked for their encoding.
 */
export interface EncodingLimits {
  /** list-max-listpack-size: > 0 counts entries; -1..-5 mean 4, 8, 16, 32, 64 KiB per node. */
  listMaxListpackSize: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/** Redis 7.2's built-in defaults (what CONFIG GET shows without a config file). */
export const DEFAULT_ENCODING_LIMITS: Readonly<EncodingLimits> = {
  listMaxListpackSize: -2,
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  setMaxListpackEntries: 128,
  setMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/**
 * Redis converts a collection to its big encoding the moment a write makes
 * it exceed a limit, and never back (lists excepted). Values remember the
 * largest size and the longest element they ever held so the encoding can be
 * derived later without a hook on every write: `GrowthMarks.note` on each
 * insertion.
 */
export class GrowthMarks {
  /** Most elements the value ever held. */
  peakSize = 0;
  /** Longest element (member, field or value) it ever held, in bytes. */
  longestElement = 0;
  /** True once a member that is not a canonical integer was added (sets: intset vs listpack). */
  hadNonInteger = false;

  note(size: number, elementLength: number): void {
    if (size > this.peakSize) this.peakSize = size;
    if (elementLength > this.longestElement) this.longestElement = elementLength;
  }

  copyFrom(other: GrowthMarks): void {
    this.peakSize = other.peakSize;
    this.longestElement = other.longestElement;
    this.hadNonInteger = other.hadNonInteger;
  }
}
