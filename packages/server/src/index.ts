export { AkiServer, type AkiServerOptions } from './server.js';
export { ServerCore, REDIS_COMPAT_VERSION, type ServerCoreOptions } from './core.js';
export {
  ServerConfig,
  ConfigError,
  ConfigFileError,
  MAX_INCLUDE_DEPTH,
  parseConfigText,
  readLatin1,
  type Directive,
  type DirectiveOrigin,
  type ParseOptions,
  type ReadText,
} from './config/index.js';
export type { ConfigValues } from './config/index.js';
export { describeError } from './persistence/context.js';
export { EffectPropagator, type EffectBatch, type EffectSink } from './effects.js';
export type { ServerState, ShutdownRequest } from './server-state.js';
export type { CommandSpec, CommandContext, CommandFlag, KeySpec } from './commands/types.js';
