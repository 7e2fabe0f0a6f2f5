// @aki/aof-persistence: aki's durability layer (AOF, RDB codec, file systems).
export type { AuxFields, DatasetReceiver } from './dataset.js';
export type { FileHandle, FileSystem } from './fs/file-system.js';
export { nodeFileSystem } from './fs/node-file-system.js';
export { FaultyFileSystem, type FaultyFileSystemOptions, type PathMatch } from './fs/faulty-file-system.js';
export { noSpace, writeFileDurably } from './fs/durable-file.js';
export {
  baseFileName,
  baseKindOf,
  formatManifest,
  incrFileName,
  isBaseName,
  isEmptyManifest,
  isTempFileName,
  manifestFileName,
  manifestFileNames,
  ManifestError,
  MANIFEST_MAX_LINE,
  nextBaseSeq,
  nextIncrSeq,
  parseManifest,
  tempIncrFileName,
  tempManifestFileName,
  TEMP_FILE_PREFIX,
  type BaseKind,
  type Manifest,
  type ManifestBase,
  type ManifestErrorReason,
  type ManifestHistory,
  type ManifestIncr,
} from './aof/manifest.js';
export {
  aofFilePath,
  aofLocation,
  detectAofLayout,
  ensureAppendDir,
  persistManifest,
  removeLeftoverTemps,
  upgradeLegacyAof,
  type AofFileOnDisk,
  type AofLayout,
  type AofLocation,
  type AofLocationOptions,
} from './aof/layout.js';
export {
  AOF_BAD_FORMAT,
  AofCommandReader,
  CommandKind,
  MAX_AOF_ARGC,
  MAX_AOF_ARGUMENT_LENGTH,
  readAofCommands,
  type AofCommand,
  type AofReadEnd,
} from './aof/command-reader.js';
export { AofLoadError, badFormatText, unexpectedEofText } from './aof/errors.js';
export { loadAof, type AofLoadSummary, type AofLogger, type LoadAofOptions, type LoadedAofFile } from './aof/loader.js';
export { AofWriter, type AofWriterOptions, type FsyncPolicy } from './aof/writer.js';
export { AppendOnlyLog, PreparedRewrite, type AppendOnlyLogOptions, type LoadedLog } from './aof/append-only-log.js';
export { Crc64, crc64 } from './rdb/crc64.js';
export { lzfDecompress } from './rdb/lzf.js';
export { isRdb, RdbDecoder, RdbFormatError, type RdbDecoderOptions } from './rdb/decoder.js';
export { RdbEncoder, type RdbEncoderOptions } from './rdb/encoder.js';
export {
  RDB_FIRST_CHECKSUM_VERSION,
  RDB_MAX_READ_VERSION,
  RDB_WRITE_VERSION,
} from './rdb/constants.js';
