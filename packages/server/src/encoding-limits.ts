import type { EncodingLimits } from '@aki/keyspace';
import type { ServerConfig } from './config/index.js';

/** The collection encoding limits the config currently sets (read when OBJECT ENCODING asks). */
export function encodingLimitsOf(config: ServerConfig): EncodingLimits {
  return {
    listMaxListpackSize: config.get('list-max-listpack-size'),
    hashMaxListpackEntries: config.get('hash-max-listpack-entries'),
    hashMaxListpackValue: config.get('hash-max-listpack-value'),
    setMaxIntsetEntries: config.get('set-max-intset-entries'),
    setMaxListpackEntries: config.get('set-max-listpack-entries'),
    setMaxListpackValue: config.get('set-max-listpack-value'),
    zsetMaxListpackEntries: config.get('zset-max-listpack-entries'),
    zsetMaxListpackValue: config.get('zset-max-listpack-value'),
  };
}
