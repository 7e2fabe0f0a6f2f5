export { ConfigError } from './errors.js';
export {
  type ConfigValues,
  type LogLevel,
  type MaxmemoryPolicy,
  type ProtectedAction,
} from './native-options.js';
export { ServerConfig, allowsProtectedAction, isSensitiveOption } from './server-config.js';
export { parseMemory } from './codecs.js';
export {
  ConfigFileError,
  MAX_INCLUDE_DEPTH,
  parseConfigText,
  readLatin1,
  type Directive,
  type DirectiveOrigin,
  type ParseOptions,
  type ReadText,
} from './config-text.js';
