// The file-level AOF pieces: manifest, on-disk layout, command reader, loader.
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
} from './manifest.js';
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
} from './layout.js';
export {
  AOF_BAD_FORMAT,
  AofCommandReader,
  CommandKind,
  MAX_AOF_ARGC,
  MAX_AOF_ARGUMENT_LENGTH,
  readAofCommands,
  type AofCommand,
  type AofReadEnd,
} from './command-reader.js';
export { AofLoadError, badFormatText, unexpectedEofText } from './errors.js';
export { loadAof, type AofLoadSummary, type AofLogger, type LoadAofOptions, type LoadedAofFile } from './loader.js';
export { AofWriter, type AofWriterOptions, type FsyncPolicy } from './writer.js';
export { AppendOnlyLog, PreparedRewrite, type AppendOnlyLogOptions, type LoadedLog } from './append-only-log.js';
