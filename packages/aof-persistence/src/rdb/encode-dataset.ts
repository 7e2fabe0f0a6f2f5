/** Writes a whole test dataset with RdbEncoder (test helper, not exported from the package). */
import type { AuxFields } from '../dataset.js';
import { RdbEncoder } from './encoder.js';
import type { Dataset } from './test-support.js';

export function encodeDataset(dbs: Dataset, options: { chunkBytes?: number; aux?: AuxFields } = {}): { bytes: Buffer; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const enc = new RdbEncoder((c) => chunks.push(c), { chunkBytes: options.chunkBytes });
  enc.header(options.aux ?? []);
  for (const [db, keys] of [...dbs].sort((a, b) => a[0] - b[0])) {
    if (keys.size === 0) continue;
    let expiring = 0;
    for (const e of keys.values()) if (e.expireAt !== undefined) expiring++;
    enc.selectDb(db, keys.size, expiring);
    for (const [key, e] of keys) enc.entry(key, e.value, e.expireAt);
  }
  enc.finish();
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== enc.bytesWritten) throw new Error('bytesWritten disagrees with the output');
  return { bytes, chunks };
}
