export { NO_REPLICATION_ID, REPLICATION_ID_LENGTH, newReplicationId } from './replication-id.js';
export { ReplicationBacklog } from './backlog.js';
export { ReplicationHistory } from './history.js';
export {
  EOF_MARK_LENGTH,
  LeaderInput,
  LeaderProtocolError,
  type LeaderInputOptions,
  type PayloadHeader,
} from './leader-input.js';
export {
  REPLICATION_MAX_BULK_LENGTH,
  StreamCommandReader,
  encodedLength,
  type StreamCommand,
  type StreamCommandReaderOptions,
} from './stream-reader.js';
export {
  ReplicaPeer,
  ReplicationLeader,
  type FullSyncSource,
  type LeaderOptions,
  type LeaderSettings,
  type PsyncOutcome,
  type ReplicaChannel,
  type ReplicaDeclaration,
  type ReplicaState,
  type ReplicationStream,
  type StreamBatch,
} from './leader.js';
export {
  FollowerLink,
  type FollowerHandlers,
  type FollowerLinkOptions,
  type FollowerSettings,
  type LinkState,
} from './follower.js';
export { requestHandover, type HandoverOutcome, type HandoverRequest, type HandoverRequestOptions } from './handover-request.js';
