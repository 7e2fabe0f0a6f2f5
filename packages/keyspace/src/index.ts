export { Database, KEEP_TTL, type AccessMode, type DatabaseHooks, type ExpiryMode } from './database.js';
export { Keyspace, type KeyspaceOptions } from './keyspace.js';
export { KeyspaceSnapshot, type SnapshotDatabase, type SnapshotVisitor } from './snapshot.js';
export type { ScanOptions, ScanPage } from './scan.js';
export {
  INT64_MAX,
  INT64_MIN,
  isCanonicalInt64,
  parseInt64,
  parseSafeInteger,
  stringEncoding,
  typeOf,
  type CollectionValue,
  type StoredValue,
  type ValueType,
} from './values.js';
export { DEFAULT_ENCODING_LIMITS, GrowthMarks, type EncodingLimits } from './types/encoding.js';
export { Dict } from './types/dict.js';
export { hashString } from './hash-table.js';
export { ListValue } from './types/list.js';
export { HashValue } from './types/hash.js';
export { SetValue } from './types/set.js';
export { SortedSetValue } from './types/sorted-set.js';
export { LexBound, type LexRange, type ScoreRange } from './types/skiplist.js';
export { compileGlob, globMatch, GLOB_MAX_NESTING } from './glob.js';
export { digestDataset, digestValue, formatScore, ZERO_DIGEST } from './digest.js';
export type { DigestSource, DigestValue, DigestView } from './digest.js';
