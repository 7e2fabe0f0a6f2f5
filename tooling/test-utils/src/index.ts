export { akiBinaryPath, akiIsBuilt, hasBinary, repoRoot, whichBinary } from './binaries.js';
export { startFaultProxy, type BytesForwarded, type FaultProxy, type FaultProxyOptions, type ProxyDirection, type ToxicOptions } from './fault-proxy.js';
export { freePort } from './ports.js';
export { isAlive, rssBytes } from './proc.js';
export { RawConnection, showBytes, type ReadPredicate } from './raw-connection.js';
export { trackedPids } from './reaper.js';
export {
  decodeReply,
  encodeCommand,
  encodePipeline,
  replyLength,
  RespError,
  RespProtocolError,
  type RespValue,
} from './resp.js';
export {
  runAkiToExit,
  spawnAki,
  startAki,
  startRedis,
  type CapturedProcess,
  type RunningServer,
  type StartOptions,
} from './server.js';
export { hasSentinel, sentinelConfig, startSentinel, type RunningSentinel, type SentinelOptions } from './sentinel.js';
export { sleep, waitFor } from './wait.js';
export {
  launchServer,
  serverUnderTest,
  startOrExit,
  type LaunchedServer,
  type LaunchOptions,
  type ServerKind,
  type StartOutcome,
} from './restart.js';
