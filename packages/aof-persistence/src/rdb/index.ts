export { Crc64, crc64 } from './crc64.js';
export { lzfDecompress } from './lzf.js';
export { isRdb, RdbDecoder, RdbFormatError, type RdbDecoderOptions } from './decoder.js';
export { RdbEncoder, type RdbEncoderOptions } from './encoder.js';
export {
  RDB_FIRST_CHECKSUM_VERSION,
  RDB_MAX_READ_VERSION,
  RDB_WRITE_VERSION,
} from './constants.js';
