/** What one SCAN step filters on. */
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
