import { splitArgs } from '@aki/resp-codec';
import { Err } from '../errors.js';
import { parseInteger } from './args.js';
import { defineCommand, type CommandDefinition } from './define.js';
import type { ArgumentDoc, CommandContext, CommandSpec } from './types.js';

const ERR_REPLICA_CLIENT = 'ERR Command is not valid when client is a replica.';
const ERR_INVALID_PORT = 'ERR Invalid master port';
const ERR_FAILING_OVER = 'ERR REPLICAOF not allowed while failing over.';
const ERR_NOMASTERLINK = "NOMASTERLINK Can't SYNC while not connected with my master";
const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
const ERR_TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';
const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const ERR_WAIT_ON_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
const ERR_WAITAOF_ON_REPLICA =
  'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.';
const ERR_WAITAOF_NO_AOF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';
const ERR_NUMLOCAL_RANGE = 'ERR value is out of range, value must between 0 and 1';
const ERR_NUMREPLICAS_RANGE = 'ERR value is out of range, must be positive';
/** Redis's host-string limit for REPLCONF ip-address (NET_HOST_STR_LEN). */
const MAX_IP_ADDRESS_LENGTH = 255;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * REPLICAOF host port -> +OK (this server follows host:port from now on) |
 * +OK Already connected to specified master; REPLICAOF NO ONE -> +OK (this
 * server becomes a leader and keeps its data; with promotion-handover yes,
 * once its leader handed over). SLAVEOF is the old name.
 */
function replicaof(ctx: CommandContext, argv: string[]): void {
  const replication = ctx.server.replication;
  if (ctx.client.replicaPeer !== null) return ctx.error(ERR_REPLICA_CLIENT);
  if (replication.failover.state !== 'no-failover') return ctx.error(ERR_FAILING_OVER);
  const host = argv[1]!;
  const portText = argv[2]!;
  if (host.toLowerCase() === 'no' && portText.toLowerCase() === 'one') {
    replication.requestPromotion();
    return ctx.reply.ok();
  }
  const port = parseInteger(portText);
  if (port === undefined || port < 0 || port > 65535) return ctx.error(ERR_INVALID_PORT);
  ctx.reply.simple(replication.follow(host, port));
}

/**
 * REPLCONF option value [option value ...] -> +OK. What a follower-to-be
 * declares before PSYNC (listening-port, ip-address, capa), and ACK
 * <offset> [FACK <aofoffset>] from a follower, which gets no reply (nor
 * does GETACK from anyone: a leader's GETACK reaches followers in the stream).
 */
function replconf(ctx: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) return ctx.error('ERR syntax error');
  const client = ctx.client;
  const declaration = (client.replicaDeclaration ??= {
    listeningPort: 0,
    announcedIp: undefined,
    capabilities: new Set<string>(),
  });
  for (let i = 1; i < argv.length; i += 2) {
    const option = argv[i]!.toLowerCase();
    const value = argv[i + 1]!;
    switch (option) {
      case 'listening-port': {
        const port = parseInteger(value);
        if (port === undefined) return ctx.error(ERR_NOT_INTEGER);
        declaration.listeningPort = port;
        break;
      }
      case 'ip-address':
        if (value.length > MAX_IP_ADDRESS_LENGTH) {
          return ctx.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        }
        declaration.announcedIp = value;
        break;
      case 'capa':
        // Capabilities this leader does not know are ignored (forward compatibility).
        declaration.capabilities.add(value.toLowerCase());
        break;
      case 'ack':
        acknowledge(ctx, argv);
        return;
      case 'getack':
        return;
      // redis-cli --rdb and --functions-rdb: the payload is all they read before closing; the values are checked as Redis does.
      case 'rdb-only': {
        const flag = parseInteger(value);
        if (flag === undefined) return ctx.error(ERR_NOT_INTEGER);
        if (flag < 0 || flag > 1) return ctx.error(ERR_NUMLOCAL_RANGE);
        break;
      }
      case 'rdb-filter-only': {
        const filters = splitArgs(value);
        if (filters === null) return ctx.error('ERR Missing rdb-filter-only values');
        const unsupported = filters.find((filter) => filter.toLowerCase() !== 'functions');
        if (unsupported !== undefined) return ctx.error(`ERR Unsupported rdb-filter-only option: ${unsupported}`);
        break;
      }
      default:
        return ctx.error(`ERR Unrecognized REPLCONF option: ${argv[i]}`);
    }
  }
  ctx.reply.ok();
}

/** REPLCONF ACK <offset> [FACK <aofoffset>]: no reply, ever; only a follower's ACK counts. */
function acknowledge(ctx: CommandContext, argv: string[]): void {
  const peer = ctx.client.replicaPeer;
  if (peer === null) return;
  const offset = parseInteger(argv[2]!);
  if (offset === undefined) return;
  let aofOffset: number | undefined;
  if (argv.length >= 5 && argv[3]!.toLowerCase() === 'fack') aofOffset = parseInteger(argv[4]!);
  ctx.server.replication.leader.acknowledge(peer, offset, aofOffset);
}

/**
 * PSYNC replid offset -> +CONTINUE [replid] and the missing stream, or
 * +FULLRESYNC replid offset, the RDB payload ($<len>) and the stream; the
 * connection is a follower's from then on and gets no replies. SYNC (the
 * old form) gets the payload and the stream without a reply line.
 */
function psync(ctx: CommandContext, argv: string[]): void {
  const client = ctx.client;
  if (client.replicaPeer !== null) return;
  const replication = ctx.server.replication;
  // A fourth argument other than FAILOVER is ignored, as Redis does.
  if (argv.length > 3 && argv[3]!.toUpperCase() === 'FAILOVER') {
    const refused = replication.failover.accept(argv[1]!);
    if (refused !== null) return ctx.error(refused);
  }
  if (replication.failover.state === 'failover-in-progress') return ctx.error("NOMASTERLINK Can't SYNC while failing over");
  const link = replication.followerLink;
  if (link !== undefined && link.state !== 'connected') return ctx.error(ERR_NOMASTERLINK);
  const sync = argv[0]!.toLowerCase() === 'sync';
  let replid = '?';
  let offset = -1;
  if (!sync) {
    replid = argv[1]!;
    const parsed = parseInteger(argv[2]!);
    if (parsed === undefined) {
      // Redis 7.0.15 answers the integer error and keeps the connection a normal client (observed).
      ctx.server.logger.warn(`Replica ${client.transport.remoteAddress} sent PSYNC with a malformed offset '${argv[2]}'`);
      return ctx.error(ERR_NOT_INTEGER);
    }
    offset = parsed;
  }
  const channel = client.transport.replicaChannel?.();
  if (channel === undefined) return ctx.error('ERR replication needs a TCP connection');
  const declaration = client.replicaDeclaration ?? { listeningPort: 0, announcedIp: undefined, capabilities: new Set<string>() };
  const { peer } = replication.leader.psync(channel, declaration, replid, offset, sync);
  client.replicaPeer = peer;
}

/** Parses WAIT/WAITAOF's timeout (milliseconds; 0 = forever) or replies the error; undefined on error. */
function timeoutArg(ctx: CommandContext, text: string): number | undefined {
  const timeout = parseInteger(text);
  if (timeout === undefined) {
    ctx.error(ERR_TIMEOUT_NOT_INTEGER);
    return undefined;
  }
  if (timeout < 0) {
    ctx.error(ERR_TIMEOUT_NEGATIVE);
    return undefined;
  }
  return timeout;
}

/**
 * Parks the client until `done()` holds or `timeout` ms pass (0 = forever),
 * then replies with `answer`; an acknowledgement or a local fsync re-checks.
 * A role change ends the wait with the error it brings.
 */
function waitUntil(ctx: CommandContext, timeout: number, done: () => boolean, answer: (ctx: CommandContext) => void): void {
  const replication = ctx.server.replication;
  const persistence = ctx.server.persistence;
  const finish = ctx.suspend();
  const client = ctx.client;
  // The client's woff once this command ran (it propagates nothing itself).
  const writeOffset = ctx.server.propagator.offset;
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    cancel();
    stopFsyncWatch();
    if (timer !== undefined) clearTimeout(timer);
  };
  const end = (reply: (ctx: CommandContext) => void): void => {
    stop();
    const at = client.closeHooks?.indexOf(stop) ?? -1;
    if (at !== -1) client.closeHooks!.splice(at, 1);
    client.unblockHook = null;
    finish(reply);
    // Redis answers a parked WAIT without running it again, so its woff stays as it was
    // (observed on 7.0.15): the GETACK sent for it must not become a write the next WAIT waits for.
    client.writeOffset = writeOffset;
  };
  const cancel = replication.waitForAcks(
    () => {
      if (!done()) return false;
      end(answer);
      return true;
    },
    (error) => end((failed) => failed.error(error)),
  );
  const stopFsyncWatch = persistence.onAofSynced(() => {
    if (done()) end(answer);
  });
  if (timeout > 0) timer = setTimeout(() => end(answer), Math.min(timeout, MAX_TIMER_MS));
  // A client that disconnects while it waits leaves nothing behind.
  (client.closeHooks ??= []).push(stop);
  // CLIENT UNBLOCK: TIMEOUT answers what holds now, ERROR the UNBLOCKED error (as Redis).
  client.unblockHook = (how) => end(how === 'timeout' ? answer : (failed) => failed.error(Err.unblocked));
}

/**
 * WAIT numreplicas timeout -> the number of followers that acknowledged
 * this client's last write (the stream offset after its last command that
 * wrote), once at least `numreplicas` did or `timeout` ms passed (0 = wait
 * forever). Inside MULTI it answers at once.
 */
function wait(ctx: CommandContext, argv: string[]): void {
  const replication = ctx.server.replication;
  if (replication.isFollower) return ctx.error(ERR_WAIT_ON_REPLICA);
  const numreplicas = parseInteger(argv[1]!);
  if (numreplicas === undefined) return ctx.error(ERR_NOT_INTEGER);
  const timeout = timeoutArg(ctx, argv[2]!);
  if (timeout === undefined) return;
  const target = ctx.client.writeOffset;
  const acknowledged = (): number => replication.leader.countAcknowledged(target);
  const answer = (done: CommandContext): void => {
    done.reply.integer(acknowledged());
  };
  if (ctx.inTransaction || acknowledged() >= numreplicas) return answer(ctx);
  waitUntil(ctx, timeout, () => acknowledged() >= numreplicas, answer);
}

/**
 * WAITAOF numlocal numreplicas timeout -> [local, replicas]: blocks until
 * this client's last write is fsynced to the local AOF (numlocal 1) and to
 * `numreplicas` followers' AOFs (their FACK), or `timeout` ms pass (0 =
 * forever). Inside MULTI it answers at once with what holds now.
 */
function waitaof(ctx: CommandContext, argv: string[]): void {
  const numlocal = parseInteger(argv[1]!);
  if (numlocal === undefined) return ctx.error(ERR_NOT_INTEGER);
  if (numlocal < 0 || numlocal > 1) return ctx.error(ERR_NUMLOCAL_RANGE);
  const numreplicas = parseInteger(argv[2]!);
  if (numreplicas === undefined) return ctx.error(ERR_NOT_INTEGER);
  if (numreplicas < 0) return ctx.error(ERR_NUMREPLICAS_RANGE);
  const timeout = timeoutArg(ctx, argv[3]!);
  if (timeout === undefined) return;
  const replication = ctx.server.replication;
  if (replication.isFollower) return ctx.error(ERR_WAITAOF_ON_REPLICA);
  const persistence = ctx.server.persistence;
  if (numlocal !== 0 && !persistence.aofEnabled) return ctx.error(ERR_WAITAOF_NO_AOF);
  const target = ctx.client.writeOffset;
  const local = (): number => (persistence.aofEnabled && persistence.aofSyncedOffset >= target ? 1 : 0);
  const replicas = (): number => replication.leader.countAcknowledged(target, 'aof');
  const answer = (done: CommandContext): void => {
    // A client that waited while the AOF was turned off learns it now.
    if (numlocal !== 0 && !persistence.aofEnabled) return done.error(ERR_WAITAOF_NO_AOF);
    done.reply.arrayHeader(2);
    done.reply.integer(local());
    done.reply.integer(replicas());
  };
  const satisfied = (): boolean => (local() >= numlocal && replicas() >= numreplicas) || (numlocal !== 0 && !persistence.aofEnabled);
  if (ctx.inTransaction || satisfied()) return answer(ctx);
  waitUntil(ctx, timeout, satisfied, answer);
}

/**
 * ROLE -> master: [master, offset, [[ip, port, acked offset], ...]] (online
 * followers); follower: [slave, host, port, link state, processed offset or -1].
 */
function role(ctx: CommandContext): void {
  const replication = ctx.server.replication;
  const reply = ctx.reply;
  const link = replication.followerLink;
  const offset = ctx.server.propagator.offset;
  if (link === undefined) {
    const online = [...replication.leader.replicas].filter((peer) => peer.state === 'online');
    reply.arrayHeader(3);
    reply.bulk('master');
    reply.integer(offset);
    reply.arrayHeader(online.length);
    for (const peer of online) {
      reply.arrayHeader(3);
      reply.bulk(peer.address);
      reply.bulk(String(peer.declaration.listeningPort));
      reply.bulk(String(peer.ackOffset));
    }
    return;
  }
  reply.arrayHeader(5);
  reply.bulk('slave');
  reply.bulk(link.host);
  reply.integer(link.port);
  reply.bulk(link.state);
  reply.integer(link.state === 'connected' ? offset : -1);
}

/**
 * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] -> +OK: a zero-loss
 * switchover. Writes pause until the target follower (any, without TO)
 * acknowledged everything; then this leader becomes its follower and the
 * target its leader. TIMEOUT aborts a failover that did not get there in
 * time, unless FORCE. ABORT cancels one in progress.
 */
function failover(ctx: CommandContext, argv: string[]): void {
  let target: { host: string; port: number } | undefined;
  let timeout = 0;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const option = argv[i]!.toUpperCase();
    const left = argv.length - i - 1;
    if (option === 'TO' && left >= 2 && target === undefined) {
      const port = parseInteger(argv[i + 2]!);
      if (port === undefined) return ctx.error(ERR_NOT_INTEGER);
      target = { host: argv[i + 1]!, port };
      i += 2;
    } else if (option === 'TIMEOUT' && left >= 1 && timeout === 0) {
      const ms = parseInteger(argv[i + 1]!);
      if (ms === undefined) return ctx.error(ERR_NOT_INTEGER);
      if (ms <= 0) return ctx.error('ERR FAILOVER timeout must be greater than 0');
      timeout = ms;
      i += 1;
    } else if (option === 'FORCE' && !force) {
      force = true;
    } else if (option === 'ABORT' && argv.length === 2) {
      // Redis takes ABORT only alone: with anything else it is a syntax error where it stands.
      abort = true;
    } else {
      return ctx.error('ERR syntax error');
    }
  }
  const replication = ctx.server.replication;
  if (abort) {
    if (target !== undefined || force || timeout !== 0) return ctx.error('ERR syntax error');
    const refused = replication.failover.abort('FAILOVER ABORT');
    return refused === null ? ctx.reply.ok() : ctx.error(refused);
  }
  const refused = replication.failover.start(target, timeout, force);
  if (refused !== null) return ctx.error(refused);
  ctx.reply.ok();
}

const HOST_PORT_ARGS: ArgumentDoc[] = [
  {
    name: 'args',
    type: 'oneof',
    arguments: [
      {
        name: 'host-port',
        type: 'block',
        arguments: [
          { name: 'host', type: 'string' },
          { name: 'port', type: 'integer' },
        ],
      },
      {
        name: 'no-one',
        type: 'block',
        arguments: [
          { name: 'no', type: 'pure-token', token: 'NO' },
          { name: 'one', type: 'pure-token', token: 'ONE' },
        ],
      },
    ],
  },
];

const REPLICAOF: CommandDefinition = {
  name: 'replicaof',
  arity: 3,
  flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
  group: 'server',
  summary: 'Configures a server as replica of another, or promotes it to a master.',
  since: '5.0.0',
  complexity: 'O(1)',
  extraCategories: ['dangerous'],
  arguments: HOST_PORT_ARGS,
  handler: replicaof,
};

/** SYNC, and PSYNC built on it (one handler serves both). */
const SYNC: CommandDefinition = {
  name: 'sync',
  arity: 1,
  flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
  group: 'server',
  summary: 'An internal command used in replication.',
  since: '1.0.0',
  complexity: 'O(1)',
  extraCategories: ['dangerous'],
  handler: psync,
};

export const replicationCommands: CommandSpec[] = [
  defineCommand(REPLICAOF),
  // The old name: the same command, documented as Redis documents it.
  defineCommand({
    ...REPLICAOF,
    name: 'slaveof',
    summary: 'Sets a Redis server as a replica of another, or promotes it to being a master.',
    since: '1.0.0',
  }),
  defineCommand({
    name: 'replconf',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
    group: 'server',
    summary: 'An internal command for configuring the replication stream.',
    since: '3.0.0',
    complexity: 'O(1)',
    extraCategories: ['dangerous'],
    handler: replconf,
  }),
  defineCommand({
    ...SYNC,
    name: 'psync',
    arity: -3,
    since: '2.8.0',
    arguments: [
      { name: 'replicationid', type: 'string' },
      { name: 'offset', type: 'integer' },
    ],
  }),
  defineCommand(SYNC),
  defineCommand({
    name: 'wait',
    arity: 3,
    flags: ['noscript'],
    // As WAITAOF: Redis files it under "generic" yet gives it only @connection.
    group: 'connection',
    summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    since: '3.0.0',
    complexity: 'O(1)',
    arguments: [
      { name: 'numreplicas', type: 'integer' },
      { name: 'timeout', type: 'integer' },
    ],
    handler: wait,
  }),
  defineCommand({
    name: 'waitaof',
    arity: 4,
    flags: ['noscript'],
    // Redis files WAITAOF under "generic" yet gives it only @connection; the group here carries that category.
    group: 'connection',
    summary:
      'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.',
    since: '7.2.0',
    complexity: 'O(1)',
    arguments: [
      { name: 'numlocal', type: 'integer' },
      { name: 'numreplicas', type: 'integer' },
      { name: 'timeout', type: 'integer' },
    ],
    handler: waitaof,
  }),
  defineCommand({
    name: 'failover',
    arity: -1,
    flags: ['admin', 'noscript', 'stale'],
    group: 'server',
    summary: 'Starts a coordinated failover from a server to one of its replicas.',
    since: '6.2.0',
    complexity: 'O(1)',
    extraCategories: ['dangerous'],
    arguments: [
      {
        name: 'target',
        type: 'block',
        token: 'TO',
        optional: true,
        arguments: [
          { name: 'host', type: 'string' },
          { name: 'port', type: 'integer' },
          { name: 'force', type: 'pure-token', token: 'FORCE', optional: true },
        ],
      },
      { name: 'abort', type: 'pure-token', token: 'ABORT', optional: true },
      { name: 'milliseconds', type: 'integer', token: 'TIMEOUT', optional: true },
    ],
    handler: failover,
  }),
  defineCommand({
    name: 'role',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    group: 'server',
    summary: 'Returns the replication role.',
    since: '2.8.12',
    complexity: 'O(1)',
    extraCategories: ['admin', 'dangerous'],
    handler: role,
  }),
];
