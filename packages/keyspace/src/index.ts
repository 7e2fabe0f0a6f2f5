export { Database, KEEP_TTL, type DatabaseHooks, type ExpiryMode } from './database.js';
export { Keyspace, type KeyspaceOptions } from './keyspace.js';
export type { ScanOptions, ScanPage } from './scan.js';
export {
  INT64_MAX,
  INT64_MIN,
  isCanonicalInt64,
  parseInt64,
  parseSafeInteger,
  stringEncoding,
  typeOf,
  type StoredValue,
  type ValueType,
} from './values.js';
export { compileGlob, globMatch, GLOB_MAX_NESTING } from './glob.js';
export { digestDataset, digestValue, formatScore, ZERO_DIGEST } from './digest.js';
export type { DigestSource, DigestValue, DigestView } from './digest.js';
