import { describe, expect, it } from 'vitest';
import { allCommands } from './all.js';
import { CommandTable } from './table.js';
import type { CommandFlag, CommandSpec } from './types.js';
import { Harness, ReplyError, type Reply } from '../testing/harness.js';

/**
 * The command table and everything derived from it: COMMAND, COMMAND INFO /
 * DOCS / COUNT / LIST / GETKEYS. Expected values were taken from
 * redis-server 7.0.15 (7.2 where noted): clients read this metadata (cluster
 * clients take key positions from COMMAND INFO, redis-cli builds its hints from
 * COMMAND DOCS), so it has to match what Redis says.
 */

const arity = (name: string) => `-ERR wrong number of arguments for '${name}' command\r\n`;

/** Every spec of the table, top-level commands and subcommands. */
function everySpec(): CommandSpec[] {
  return allCommands.flatMap((spec) => [spec, ...(spec.subcommands ?? [])]);
}

/**
 * What Redis 7.0.15 reports in COMMAND INFO for each command aki serves:
 * name, arity, flags, [first, last, step], ACL categories (without '@').
 * Flags and categories are compared as sets.
 */
const REDIS_COMMAND_INFO: Array<[string, number, string[], [number, number, number], string[]]> = [
  ['ping', -1, ['fast'], [0, 0, 0], ['connection', 'fast']],
  ['echo', 2, ['fast', 'loading', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['quit', -1, ['allow_busy', 'fast', 'loading', 'no_auth', 'noscript', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['select', 2, ['fast', 'loading', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['auth', -2, ['allow_busy', 'fast', 'loading', 'no_auth', 'noscript', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['hello', -1, ['allow_busy', 'fast', 'loading', 'no_auth', 'noscript', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['get', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'string']],
  ['set', -3, ['denyoom', 'write'], [1, 1, 1], ['slow', 'string', 'write']],
  ['setnx', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['setex', 4, ['denyoom', 'write'], [1, 1, 1], ['slow', 'string', 'write']],
  ['psetex', 4, ['denyoom', 'write'], [1, 1, 1], ['slow', 'string', 'write']],
  ['mget', -2, ['fast', 'readonly'], [1, -1, 1], ['fast', 'read', 'string']],
  ['mset', -3, ['denyoom', 'write'], [1, -1, 2], ['slow', 'string', 'write']],
  ['msetnx', -3, ['denyoom', 'write'], [1, -1, 2], ['slow', 'string', 'write']],
  ['getset', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['getdel', 2, ['fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['getex', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['append', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['strlen', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'string']],
  ['getrange', 4, ['readonly'], [1, 1, 1], ['read', 'slow', 'string']],
  ['substr', 4, ['readonly'], [1, 1, 1], ['read', 'slow', 'string']],
  ['setrange', 4, ['denyoom', 'write'], [1, 1, 1], ['slow', 'string', 'write']],
  ['incr', 2, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['decr', 2, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['incrby', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['decrby', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['incrbyfloat', 3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'string', 'write']],
  ['del', -2, ['write'], [1, -1, 1], ['keyspace', 'slow', 'write']],
  ['unlink', -2, ['fast', 'write'], [1, -1, 1], ['fast', 'keyspace', 'write']],
  ['exists', -2, ['fast', 'readonly'], [1, -1, 1], ['fast', 'keyspace', 'read']],
  ['type', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'keyspace', 'read']],
  ['expire', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['pexpire', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['expireat', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['pexpireat', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['ttl', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'keyspace', 'read']],
  ['pttl', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'keyspace', 'read']],
  ['expiretime', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'keyspace', 'read']],
  ['pexpiretime', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'keyspace', 'read']],
  ['persist', 2, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['keys', 2, ['readonly'], [0, 0, 0], ['dangerous', 'keyspace', 'read', 'slow']],
  ['scan', -2, ['readonly'], [0, 0, 0], ['keyspace', 'read', 'slow']],
  ['rename', 3, ['write'], [1, 2, 1], ['keyspace', 'slow', 'write']],
  ['renamenx', 3, ['fast', 'write'], [1, 2, 1], ['fast', 'keyspace', 'write']],
  ['randomkey', 1, ['readonly'], [0, 0, 0], ['keyspace', 'read', 'slow']],
  ['copy', -3, ['denyoom', 'write'], [1, 2, 1], ['keyspace', 'slow', 'write']],
  ['dbsize', 1, ['fast', 'readonly'], [0, 0, 0], ['fast', 'keyspace', 'read']],
  ['flushdb', -1, ['write'], [0, 0, 0], ['dangerous', 'keyspace', 'slow', 'write']],
  ['flushall', -1, ['write'], [0, 0, 0], ['dangerous', 'keyspace', 'slow', 'write']],
  ['move', 3, ['fast', 'write'], [1, 1, 1], ['fast', 'keyspace', 'write']],
  ['swapdb', 3, ['fast', 'write'], [0, 0, 0], ['dangerous', 'fast', 'keyspace', 'write']],
  ['touch', -2, ['fast', 'readonly'], [1, -1, 1], ['fast', 'keyspace', 'read']],
  ['object', -2, [], [0, 0, 0], ['slow']],
  ['object|encoding', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow']],
  ['object|freq', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow']],
  ['object|idletime', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow']],
  ['object|refcount', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow']],
  ['object|help', 2, ['loading', 'stale'], [0, 0, 0], ['keyspace', 'slow']],
  ['info', -1, ['loading', 'stale'], [0, 0, 0], ['dangerous', 'slow']],
  ['config', -2, [], [0, 0, 0], ['slow']],
  ['config|get', -3, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['config|set', -4, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['config|resetstat', 2, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['config|rewrite', 2, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['config|help', 2, ['loading', 'stale'], [0, 0, 0], ['slow']],
  ['time', 1, ['fast', 'loading', 'stale'], [0, 0, 0], ['fast']],
  ['shutdown', -1, ['admin', 'allow_busy', 'loading', 'no_multi', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['client', -2, [], [0, 0, 0], ['slow']],
  ['client|id', 2, ['loading', 'noscript', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['client|getname', 2, ['loading', 'noscript', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['client|setname', 3, ['loading', 'noscript', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['client|setinfo', 4, ['loading', 'noscript', 'stale'], [0, 0, 0], ['connection', 'slow']], // Redis 7.2
  ['client|list', -2, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'connection', 'dangerous', 'slow']],
  ['client|info', 2, ['loading', 'noscript', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['client|kill', -3, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'connection', 'dangerous', 'slow']],
  ['client|help', 2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command', -1, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|count', 2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|info', -2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|docs', -2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|list', -2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|getkeys', -4, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['command|help', 2, ['loading', 'stale'], [0, 0, 0], ['connection', 'slow']],
  ['debug', -2, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['save', 1, ['admin', 'no_async_loading', 'no_multi', 'noscript'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['bgsave', -1, ['admin', 'no_async_loading', 'noscript'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['lastsave', 1, ['fast', 'loading', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'fast']],
  ['bgrewriteaof', 1, ['admin', 'no_async_loading', 'noscript'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['waitaof', 4, ['noscript'], [0, 0, 0], ['connection', 'slow']], // Redis 7.2
  ['replicaof', 3, ['admin', 'no_async_loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['slaveof', 3, ['admin', 'no_async_loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['replconf', -1, ['admin', 'allow_busy', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['psync', -3, ['admin', 'no_async_loading', 'no_multi', 'noscript'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['sync', 1, ['admin', 'no_async_loading', 'no_multi', 'noscript'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['wait', 3, ['noscript'], [0, 0, 0], ['connection', 'slow']],
  ['role', 1, ['fast', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'fast']],
  ['failover', -1, ['admin', 'noscript', 'stale'], [0, 0, 0], ['admin', 'dangerous', 'slow']],
  ['subscribe', -2, ['loading', 'noscript', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['unsubscribe', -1, ['loading', 'noscript', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['psubscribe', -2, ['loading', 'noscript', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['punsubscribe', -1, ['loading', 'noscript', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['ssubscribe', -2, ['loading', 'noscript', 'pubsub', 'stale'], [1, -1, 1], ['pubsub', 'slow']],
  ['sunsubscribe', -1, ['loading', 'noscript', 'pubsub', 'stale'], [1, -1, 1], ['pubsub', 'slow']],
  ['publish', 3, ['fast', 'loading', 'pubsub', 'stale'], [0, 0, 0], ['fast', 'pubsub']],
  ['spublish', 3, ['fast', 'loading', 'pubsub', 'stale'], [1, 1, 1], ['fast', 'pubsub']],
  ['pubsub', -2, [], [0, 0, 0], ['slow']],
  ['pubsub|channels', -2, ['loading', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['pubsub|numpat', 2, ['loading', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['pubsub|numsub', -2, ['loading', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['pubsub|shardchannels', -2, ['loading', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['pubsub|shardnumsub', -2, ['loading', 'pubsub', 'stale'], [0, 0, 0], ['pubsub', 'slow']],
  ['pubsub|help', 2, ['loading', 'stale'], [0, 0, 0], ['slow']],
  ['reset', 1, ['allow_busy', 'fast', 'loading', 'no_auth', 'noscript', 'stale'], [0, 0, 0], ['connection', 'fast']],
  ['blmove', 6, ['blocking', 'denyoom', 'noscript', 'write'], [1, 2, 1], ['blocking', 'list', 'slow', 'write']],
  ['blmpop', -5, ['blocking', 'movablekeys', 'write'], [0, 0, 0], ['blocking', 'list', 'slow', 'write']],
  ['blpop', -3, ['blocking', 'noscript', 'write'], [1, -2, 1], ['blocking', 'list', 'slow', 'write']],
  ['brpop', -3, ['blocking', 'noscript', 'write'], [1, -2, 1], ['blocking', 'list', 'slow', 'write']],
  ['brpoplpush', 4, ['blocking', 'denyoom', 'noscript', 'write'], [1, 2, 1], ['blocking', 'list', 'slow', 'write']],
  ['bzmpop', -5, ['blocking', 'movablekeys', 'write'], [0, 0, 0], ['blocking', 'slow', 'sortedset', 'write']],
  ['bzpopmax', -3, ['blocking', 'fast', 'noscript', 'write'], [1, -2, 1], ['blocking', 'fast', 'sortedset', 'write']],
  ['bzpopmin', -3, ['blocking', 'fast', 'noscript', 'write'], [1, -2, 1], ['blocking', 'fast', 'sortedset', 'write']],
  ['client|unblock', -3, ['admin', 'loading', 'noscript', 'stale'], [0, 0, 0], ['admin', 'connection', 'dangerous', 'slow']],
  ['discard', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], [0, 0, 0], ['fast', 'transaction']],
  ['exec', 1, ['loading', 'noscript', 'skip_slowlog', 'stale'], [0, 0, 0], ['slow', 'transaction']],
  ['hdel', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hexists', 3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'hash', 'read']],
  ['hget', 3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'hash', 'read']],
  ['hgetall', 2, ['readonly'], [1, 1, 1], ['hash', 'read', 'slow']],
  ['hincrby', 4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hincrbyfloat', 4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hkeys', 2, ['readonly'], [1, 1, 1], ['hash', 'read', 'slow']],
  ['hlen', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'hash', 'read']],
  ['hmget', -3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'hash', 'read']],
  ['hmset', -4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hrandfield', -2, ['readonly'], [1, 1, 1], ['hash', 'read', 'slow']],
  ['hscan', -3, ['readonly'], [1, 1, 1], ['hash', 'read', 'slow']],
  ['hset', -4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hsetnx', 4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'hash', 'write']],
  ['hstrlen', 3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'hash', 'read']],
  ['hvals', 2, ['readonly'], [1, 1, 1], ['hash', 'read', 'slow']],
  ['lindex', 3, ['readonly'], [1, 1, 1], ['list', 'read', 'slow']],
  ['linsert', 5, ['denyoom', 'write'], [1, 1, 1], ['list', 'slow', 'write']],
  ['llen', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'list', 'read']],
  ['lmove', 5, ['denyoom', 'write'], [1, 2, 1], ['list', 'slow', 'write']],
  ['lmpop', -4, ['movablekeys', 'write'], [0, 0, 0], ['list', 'slow', 'write']],
  ['lpop', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['lpos', -3, ['readonly'], [1, 1, 1], ['list', 'read', 'slow']],
  ['lpush', -3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['lpushx', -3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['lrange', 4, ['readonly'], [1, 1, 1], ['list', 'read', 'slow']],
  ['lrem', 4, ['write'], [1, 1, 1], ['list', 'slow', 'write']],
  ['lset', 4, ['denyoom', 'write'], [1, 1, 1], ['list', 'slow', 'write']],
  ['ltrim', 4, ['write'], [1, 1, 1], ['list', 'slow', 'write']],
  ['multi', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], [0, 0, 0], ['fast', 'transaction']],
  ['rpop', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['rpoplpush', 3, ['denyoom', 'write'], [1, 2, 1], ['list', 'slow', 'write']],
  ['rpush', -3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['rpushx', -3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'list', 'write']],
  ['sadd', -3, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'set', 'write']],
  ['scard', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'set']],
  ['sdiff', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow']],
  ['sdiffstore', -3, ['denyoom', 'write'], [1, -1, 1], ['set', 'slow', 'write']],
  ['sinter', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow']],
  ['sintercard', -3, ['movablekeys', 'readonly'], [0, 0, 0], ['read', 'set', 'slow']],
  ['sinterstore', -3, ['denyoom', 'write'], [1, -1, 1], ['set', 'slow', 'write']],
  ['sismember', 3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'set']],
  ['smembers', 2, ['readonly'], [1, 1, 1], ['read', 'set', 'slow']],
  ['smismember', -3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'set']],
  ['smove', 4, ['fast', 'write'], [1, 2, 1], ['fast', 'set', 'write']],
  ['spop', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'set', 'write']],
  ['srandmember', -2, ['readonly'], [1, 1, 1], ['read', 'set', 'slow']],
  ['srem', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'set', 'write']],
  ['sscan', -3, ['readonly'], [1, 1, 1], ['read', 'set', 'slow']],
  ['sunion', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow']],
  ['sunionstore', -3, ['denyoom', 'write'], [1, -1, 1], ['set', 'slow', 'write']],
  ['unwatch', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], [0, 0, 0], ['fast', 'transaction']],
  ['watch', -2, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], [1, -1, 1], ['fast', 'transaction']],
  ['zadd', -4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'sortedset', 'write']],
  ['zcard', 2, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zcount', 4, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zdiff', -3, ['movablekeys', 'readonly'], [0, 0, 0], ['read', 'slow', 'sortedset']],
  ['zdiffstore', -4, ['denyoom', 'movablekeys', 'write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
  ['zincrby', 4, ['denyoom', 'fast', 'write'], [1, 1, 1], ['fast', 'sortedset', 'write']],
  ['zinter', -3, ['movablekeys', 'readonly'], [0, 0, 0], ['read', 'slow', 'sortedset']],
  ['zintercard', -3, ['movablekeys', 'readonly'], [0, 0, 0], ['read', 'slow', 'sortedset']],
  ['zinterstore', -4, ['denyoom', 'movablekeys', 'write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
  ['zlexcount', 4, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zmpop', -4, ['movablekeys', 'write'], [0, 0, 0], ['slow', 'sortedset', 'write']],
  ['zmscore', -3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zpopmax', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'sortedset', 'write']],
  ['zpopmin', -2, ['fast', 'write'], [1, 1, 1], ['fast', 'sortedset', 'write']],
  ['zrandmember', -2, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrange', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrangebylex', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrangebyscore', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrangestore', -5, ['denyoom', 'write'], [1, 2, 1], ['slow', 'sortedset', 'write']],
  // Redis 7.2 added ZRANK/ZREVRANK ... WITHSCORE: arity -3 there (7.0.15 says 3).
  ['zrank', -3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zrem', -3, ['fast', 'write'], [1, 1, 1], ['fast', 'sortedset', 'write']],
  ['zremrangebylex', 4, ['write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
  ['zremrangebyrank', 4, ['write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
  ['zremrangebyscore', 4, ['write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
  ['zrevrange', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrevrangebylex', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrevrangebyscore', -4, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zrevrank', -3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zscan', -3, ['readonly'], [1, 1, 1], ['read', 'slow', 'sortedset']],
  ['zscore', 3, ['fast', 'readonly'], [1, 1, 1], ['fast', 'read', 'sortedset']],
  ['zunion', -3, ['movablekeys', 'readonly'], [0, 0, 0], ['read', 'slow', 'sortedset']],
  ['zunionstore', -4, ['denyoom', 'movablekeys', 'write'], [1, 1, 1], ['slow', 'sortedset', 'write']],
];

/**
 * Commands whose key positions name shard channels, not keys (Redis flags
 * their key specs not_key): cluster clients route them by slot, but they
 * neither read nor write data, and SUNSUBSCRIBE may be called without any.
 */
const CHANNEL_KEY_COMMANDS: ReadonlySet<string> = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

const KNOWN_FLAGS: ReadonlySet<CommandFlag> = new Set<CommandFlag>([
  'write', 'readonly', 'denyoom', 'admin', 'pubsub', 'noscript', 'loading', 'stale', 'fast', 'no_auth',
  'blocking', 'allow_busy', 'no_multi', 'no_async_loading', 'skip_slowlog', 'random', 'sort_for_script', 'may_replicate',
  'no_mandatory_keys', 'movablekeys',
]);

/** Commands that modify the dataset (Redis flags them write). */
const WRITE_COMMANDS = [
  'set', 'setnx', 'setex', 'psetex', 'mset', 'msetnx', 'getset', 'getdel', 'getex', 'append', 'setrange',
  'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'del', 'unlink', 'expire', 'pexpire', 'expireat',
  'pexpireat', 'persist', 'rename', 'renamenx', 'copy', 'flushdb', 'flushall', 'move', 'swapdb',
];
/** Commands that only read the dataset (Redis flags them readonly). */
const READ_COMMANDS = [
  'get', 'mget', 'strlen', 'getrange', 'substr', 'exists', 'type', 'ttl', 'pttl', 'expiretime', 'pexpiretime',
  'keys', 'scan', 'randomkey', 'dbsize', 'touch', 'object|encoding', 'object|freq', 'object|idletime',
  'object|refcount',
];

describe('the command table', () => {
  const table = new CommandTable(allCommands);

  it('builds without duplicate names', () => {
    expect(table.size).toBe(allCommands.length);
    expect(new Set(allCommands.map((s) => s.name)).size).toBe(allCommands.length);
  });

  it('gives every command a handler, or subcommands that all have handlers', () => {
    for (const spec of allCommands) {
      const subs = spec.subcommands ?? [];
      expect(spec.handler !== undefined || subs.length > 0, spec.name).toBe(true);
      for (const sub of subs) expect(typeof sub.handler, sub.name).toBe('function');
    }
  });

  it('uses lower-case names; subcommands are parent|sub, unique within their parent', () => {
    for (const spec of allCommands) {
      expect(spec.name, spec.name).toMatch(/^[a-z][a-z0-9-]*$/);
      const seen = new Set<string>();
      for (const sub of spec.subcommands ?? []) {
        expect(sub.name, sub.name).toMatch(new RegExp(`^${spec.name}\\|[a-z][a-z0-9-]*$`));
        expect(seen.has(sub.name), sub.name).toBe(false);
        seen.add(sub.name);
        expect(sub.subcommands, sub.name).toBeUndefined();
      }
    }
  });

  it('has a non-zero arity everywhere; subcommands count at least the container and their own name', () => {
    for (const spec of allCommands) {
      expect(spec.arity, spec.name).not.toBe(0);
      for (const sub of spec.subcommands ?? []) expect(Math.abs(sub.arity), sub.name).toBeGreaterThanOrEqual(2);
    }
  });

  it('has key specs consistent with the arity', () => {
    for (const spec of everySpec()) {
      const { first, last, step } = spec.keys;
      const minArgs = Math.abs(spec.arity);
      if (first === 0) {
        expect([last, step], spec.name).toEqual([0, 0]);
        continue;
      }
      expect(step, spec.name).toBeGreaterThanOrEqual(1);
      // The first key must be present in every valid call.
      if (!CHANNEL_KEY_COMMANDS.has(spec.name)) expect(first, spec.name).toBeLessThanOrEqual(minArgs - 1);
      if (last > 0) {
        expect(last, spec.name).toBeGreaterThanOrEqual(first);
        if (spec.arity > 0) expect(last, spec.name).toBeLessThanOrEqual(spec.arity - 1);
      } else {
        // "Up to the n-th from the end" only makes sense for variadic commands.
        expect(spec.arity, spec.name).toBeLessThan(0);
      }
    }
  });

  it('uses only known flags, never both write and readonly', () => {
    for (const spec of everySpec()) {
      for (const flag of spec.flags) expect(KNOWN_FLAGS.has(flag), `${spec.name} ${flag}`).toBe(true);
      expect(spec.flags.includes('write') && spec.flags.includes('readonly'), spec.name).toBe(false);
      expect(new Set(spec.flags).size, spec.name).toBe(spec.flags.length);
    }
  });

  it('flags every write command write and every read command readonly', () => {
    for (const name of WRITE_COMMANDS) {
      const spec = table.resolve(name.split('|'));
      expect(spec?.flags, name).toContain('write');
    }
    for (const name of READ_COMMANDS) {
      const spec = table.resolve(name.split('|'));
      expect(spec?.flags, name).toContain('readonly');
    }
  });

  it('flags every command with key arguments either write or readonly', () => {
    for (const spec of everySpec()) {
      // WATCH names keys it neither reads nor writes; Redis flags it neither way too.
      if (spec.keys.first === 0 || spec.name === 'watch' || CHANNEL_KEY_COMMANDS.has(spec.name)) continue;
      expect(spec.flags.includes('write') || spec.flags.includes('readonly'), spec.name).toBe(true);
    }
  });

  it('derives ACL categories from the flags', () => {
    for (const spec of everySpec()) {
      const cats = spec.categories;
      if (spec.flags.includes('write')) expect(cats, spec.name).toContain('write');
      if (spec.flags.includes('readonly')) expect(cats, spec.name).toContain('read');
      if (spec.flags.includes('admin')) expect(cats, spec.name).toEqual(expect.arrayContaining(['admin', 'dangerous']));
      expect(cats.includes('fast') !== cats.includes('slow'), spec.name).toBe(true);
      expect(cats.includes('fast'), spec.name).toBe(spec.flags.includes('fast'));
      for (const cat of cats) expect(cat, spec.name).toMatch(/^[a-z]+$/);
    }
  });

  it('gives every command docs: summary, since, group and complexity', () => {
    const groups = new Set([
      'generic', 'string', 'list', 'hash', 'set', 'sorted-set', 'connection', 'server', 'pubsub', 'transactions',
    ]);
    for (const spec of everySpec()) {
      expect(spec.summary.length, spec.name).toBeGreaterThan(0);
      expect(spec.since, spec.name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(groups.has(spec.group), spec.name).toBe(true);
      expect(spec.complexity.length, spec.name).toBeGreaterThan(0);
    }
  });

  it('resolves names in any case and subcommands through their container', () => {
    expect(table.get('GET')?.name).toBe('get');
    expect(table.get('nosuch')).toBeUndefined();
    expect(table.resolve(['CLIENT', 'LiSt'])?.name).toBe('client|list');
    expect(table.resolve(['CLIENT'])?.name).toBe('client');
    expect(table.resolve(['client', 'nosuch'])).toBeUndefined();
  });

  it('refuses a table with a duplicate command', () => {
    expect(() => new CommandTable([...allCommands, allCommands[0]!])).toThrow(/duplicate/);
  });

  it('matches what Redis 7 reports for arity, flags, key positions and ACL categories', () => {
    const sorted = (values: readonly string[]) => [...values].sort();
    const problems: string[] = [];
    const names = new Set<string>();
    for (const [name, redisArity, flags, keys, categories] of REDIS_COMMAND_INFO) {
      names.add(name);
      const spec = table.resolve(name.split('|'));
      if (spec === undefined) {
        problems.push(`${name}: missing`);
        continue;
      }
      if (spec.arity !== redisArity) problems.push(`${name}: arity ${spec.arity}, Redis ${redisArity}`);
      if (sorted(spec.flags).join() !== sorted(flags).join()) {
        problems.push(`${name}: flags [${sorted(spec.flags)}], Redis [${sorted(flags)}]`);
      }
      const ours = [spec.keys.first, spec.keys.last, spec.keys.step];
      if (ours.join() !== keys.join()) problems.push(`${name}: keys ${ours}, Redis ${keys}`);
      if (sorted(spec.categories).join() !== sorted(categories).join()) {
        problems.push(`${name}: categories [${sorted(spec.categories)}], Redis [${sorted(categories)}]`);
      }
    }
    for (const spec of everySpec()) if (!names.has(spec.name)) problems.push(`${spec.name}: not pinned here`);
    expect(problems).toEqual([]);
  });
});

/** A RESP3 client (maps decode as Map). */
function resp3Client(h = new Harness()) {
  const c = h.connect();
  c.call('HELLO', '3');
  return c;
}

describe('COMMAND and COMMAND COUNT', () => {
  it('COUNT is the number of top-level commands', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'COUNT')).toBe(`:${allCommands.length}\r\n`);
  });

  it('COMMAND describes every top-level command with the 10 fields of Redis 7', () => {
    const c = new Harness().connect();
    const all = c.call('COMMAND') as Reply[][];
    expect(all.map((entry) => entry[0])).toEqual(allCommands.map((s) => s.name));
    for (const [i, entry] of all.entries()) {
      const spec = allCommands[i]!;
      expect(entry, spec.name).toHaveLength(10);
      expect(entry[1], spec.name).toBe(spec.arity);
      expect(entry[2], spec.name).toEqual([...spec.flags]);
      expect(entry.slice(3, 6), spec.name).toEqual([spec.keys.first, spec.keys.last, spec.keys.step]);
      expect(entry[6], spec.name).toEqual(spec.categories.map((cat) => `@${cat}`));
      expect((entry[9] as Reply[]).map((sub) => (sub as Reply[])[0]), spec.name).toEqual(
        (spec.subcommands ?? []).map((sub) => sub.name),
      );
    }
  });

  it('COMMAND INFO with no names equals COMMAND', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'INFO')).toBe(c.callBytes('COMMAND'));
  });

  it('checks arity of COUNT and HELP', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'COUNT', 'x')).toBe(arity('command|count'));
    expect(c.callBytes('COMMAND', 'HELP', 'x')).toBe(arity('command|help'));
  });

  it('HELP is framed like Redis help replies', () => {
    const c = new Harness().connect();
    const help = c.call('COMMAND', 'HELP') as string[];
    expect(help[0]).toBe('COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Print this help.']);
    for (const word of ['COUNT', 'LIST', 'INFO', 'DOCS', 'GETKEYS']) {
      expect(help.some((line) => line === word || line.startsWith(`${word} `)), word).toBe(true);
    }
  });
});

describe('COMMAND INFO', () => {
  it('describes GET exactly as Redis 7 does, apart from the order of categories', () => {
    const c = new Harness().connect();
    const [get] = c.call('COMMAND', 'INFO', 'get') as Reply[][];
    expect(get!.slice(0, 6)).toEqual(['get', 2, ['readonly', 'fast'], 1, 1, 1]);
    expect([...(get![6] as string[])].sort()).toEqual(['@fast', '@read', '@string']);
    expect(get![8]).toEqual([
      [
        'flags', ['RO', 'access'],
        'begin_search', ['type', 'index', 'spec', ['index', 1]],
        'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]],
      ],
    ]);
  });

  it('prints key-spec flags other than RO/RW/OW/RM in lower case, as Redis does', () => {
    const c = new Harness().connect();
    for (const spec of everySpec()) {
      if (spec.keys.first === 0) continue;
      const [info] = c.call('COMMAND', 'INFO', spec.name) as Reply[][];
      for (const keySpec of info![8] as Reply[][]) {
        const flags = keySpec[keySpec.indexOf('flags') + 1] as string[];
        const accessType = flags.filter((f) => ['RO', 'RW', 'OW', 'RM'].includes(f));
        expect(accessType, spec.name).toHaveLength(1);
        for (const flag of flags) {
          if (!accessType.includes(flag)) expect(flag, `${spec.name} ${flag}`).toBe(flag.toLowerCase());
        }
      }
    }
  });

  it('gives key specs a range that reproduces the legacy first/last/step', () => {
    const c = resp3Client();
    for (const name of ['mset', 'del', 'rename', 'copy', 'object|encoding']) {
      const [info] = c.call('COMMAND', 'INFO', name) as Reply[][];
      const [first, last, step] = (info!.slice(3, 6) as number[]);
      const [keySpec] = info![8] as Map<Reply, Reply>[];
      const begin = (keySpec!.get('begin_search') as Map<Reply, Reply>).get('spec') as Map<Reply, Reply>;
      const find = (keySpec!.get('find_keys') as Map<Reply, Reply>).get('spec') as Map<Reply, Reply>;
      expect(begin.get('index'), name).toBe(first);
      expect(find.get('keystep'), name).toBe(step);
      expect(find.get('lastkey'), name).toBe(last! < 0 ? last : last! - first!);
    }
  });

  it('looks names up in any case, and subcommands as parent|sub', () => {
    const c = new Harness().connect();
    const reply = c.call('COMMAND', 'INFO', 'GET', 'client|list', 'Config|Get') as Reply[][];
    expect(reply.map((entry) => entry[0])).toEqual(['get', 'client|list', 'config|get']);
  });

  // Redis answers an unknown name with a null bulk ($-1), not a null array.
  it('answers null for unknown names ($-1 under RESP2, _ under RESP3)', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'INFO', 'nosuch', 'client|nosuch')).toBe('*2\r\n$-1\r\n$-1\r\n');
    const r3 = resp3Client();
    expect(r3.callBytes('COMMAND', 'INFO', 'nosuch')).toBe('*1\r\n_\r\n');
  });
});

/** Checks one COMMAND DOCS entry (RESP3 map) and its nested arguments and subcommands. */
function checkDocs(name: string, docs: Reply, spec: CommandSpec): void {
  expect(docs, name).toBeInstanceOf(Map);
  const map = docs as Map<Reply, Reply>;
  const keys = [...map.keys()];
  expect(keys.slice(0, 4), name).toEqual(['summary', 'since', 'group', 'complexity']);
  for (const key of keys) expect(['summary', 'since', 'group', 'complexity', 'arguments', 'subcommands'], name).toContain(key);
  expect(map.get('summary'), name).toBe(spec.summary);
  expect(map.get('since'), name).toBe(spec.since);
  expect(map.get('group'), name).toBe(spec.group);
  expect(map.get('complexity'), name).toBe(spec.complexity);
  if (map.has('arguments')) checkArguments(name, map.get('arguments')!);
  else expect(spec.arguments ?? [], name).toHaveLength(0);
  if (map.has('subcommands')) {
    const subs = map.get('subcommands') as Map<Reply, Reply>;
    expect(subs, name).toBeInstanceOf(Map);
    expect([...subs.keys()], name).toEqual((spec.subcommands ?? []).map((s) => s.name));
    for (const sub of spec.subcommands ?? []) checkDocs(sub.name, subs.get(sub.name)!, sub);
  } else {
    expect(spec.subcommands ?? [], name).toHaveLength(0);
  }
}

const ARG_TYPES = ['key', 'string', 'integer', 'double', 'pattern', 'unix-time', 'pure-token', 'oneof', 'block'];

function checkArguments(name: string, args: Reply): void {
  expect(Array.isArray(args), name).toBe(true);
  expect((args as Reply[]).length, name).toBeGreaterThan(0);
  for (const arg of args as Reply[]) {
    expect(arg, name).toBeInstanceOf(Map);
    const map = arg as Map<Reply, Reply>;
    const where = `${name} ${String(map.get('name'))}`;
    expect(typeof map.get('name'), where).toBe('string');
    expect(ARG_TYPES, where).toContain(map.get('type'));
    for (const key of map.keys()) {
      expect(['name', 'type', 'display_text', 'token', 'flags', 'arguments', 'key_spec_index', 'summary', 'since', 'deprecated_since'], where).toContain(key);
    }
    if (map.has('token')) expect(typeof map.get('token'), where).toBe('string');
    if (map.has('flags')) {
      const flags = map.get('flags') as Reply[];
      expect(flags.length, where).toBeGreaterThan(0);
      for (const flag of flags) expect(['optional', 'multiple', 'multiple_token'], where).toContain(flag);
    }
    const type = map.get('type');
    if (type === 'oneof' || type === 'block') {
      expect(map.has('arguments'), `${where} needs nested arguments`).toBe(true);
      checkArguments(where, map.get('arguments')!);
    } else {
      expect(map.has('arguments'), `${where} has nested arguments`).toBe(false);
    }
    if (type === 'pure-token') expect(map.has('token'), `${where} needs a token`).toBe(true);
  }
}

describe('COMMAND DOCS', () => {
  it('is a well-formed map for every command (redis-cli builds its hints from it)', () => {
    const c = resp3Client();
    const docs = c.call('COMMAND', 'DOCS');
    expect(docs).toBeInstanceOf(Map);
    const map = docs as Map<Reply, Reply>;
    expect([...map.keys()]).toEqual(allCommands.map((s) => s.name));
    for (const spec of allCommands) checkDocs(spec.name, map.get(spec.name)!, spec);
  });

  it('decodes to exactly one reply per command in RESP2 too (header counts are right)', () => {
    const c = new Harness().connect();
    for (const spec of everySpec()) {
      const flat = c.call('COMMAND', 'DOCS', spec.name) as Reply[];
      expect(flat, spec.name).toHaveLength(2);
      expect(flat[0], spec.name).toBe(spec.name);
      expect((flat[1] as Reply[]).length % 2, spec.name).toBe(0);
    }
  });

  it('answers the names asked for, in any case, leaving unknown names out', () => {
    const c = resp3Client();
    const docs = c.call('COMMAND', 'DOCS', 'nosuch', 'GET', 'client|setname') as Map<Reply, Reply>;
    expect([...docs.keys()]).toEqual(['get', 'client|setname']);
    expect(c.callBytes('COMMAND', 'DOCS', 'nosuch')).toBe('%0\r\n');
    const c2 = new Harness().connect();
    expect(c2.callBytes('COMMAND', 'DOCS', 'nosuch')).toBe('*0\r\n');
  });

  it('documents arguments with their tokens and flags (HELLO)', () => {
    const c = resp3Client();
    const hello = (c.call('COMMAND', 'DOCS', 'hello') as Map<Reply, Reply>).get('hello') as Map<Reply, Reply>;
    const [block] = hello.get('arguments') as Map<Reply, Reply>[];
    expect(block!.get('type')).toBe('block');
    expect(block!.get('flags')).toEqual(['optional']);
    const nested = block!.get('arguments') as Map<Reply, Reply>[];
    expect(nested.map((a) => a.get('name'))).toEqual(['protover', 'username-password', 'clientname']);
    expect(nested[1]!.get('token')).toBe('AUTH');
    expect(nested[2]!.get('token')).toBe('SETNAME');
  });
});

describe('COMMAND LIST', () => {
  it('lists every command and subcommand name', () => {
    const c = new Harness().connect();
    const names = c.call('COMMAND', 'LIST') as string[];
    expect([...names].sort()).toEqual(everySpec().map((s) => s.name).sort());
  });

  it('filters by pattern, including subcommands', () => {
    const c = new Harness().connect();
    const names = c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'cli*') as string[];
    expect(names).toContain('client');
    expect(names).toContain('client|list');
    expect(names.every((n) => n.startsWith('cli'))).toBe(true);
    expect(c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'nomatch*')).toEqual([]);
  });

  it('filters by ACL category', () => {
    const c = new Harness().connect();
    const write = c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'write') as string[];
    expect(write).toEqual(expect.arrayContaining(['set', 'del', 'expire', 'flushall']));
    expect(write).not.toContain('get');
    const connection = c.call('COMMAND', 'LIST', 'filterby', 'aclcat', 'CONNECTION') as string[];
    expect(connection).toEqual(expect.arrayContaining(['ping', 'echo', 'auth', 'hello', 'select', 'client|id']));
    expect(c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcat')).toEqual([]);
  });

  it('lists no module commands', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toBe('*0\r\n');
  });

  it('rejects malformed filters with a syntax error', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'LIST', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('COMMAND', 'LIST', 'FILTERBY')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('COMMAND', 'LIST', 'FILTERBY', 'NOPE', 'x')).toBe('-ERR syntax error\r\n');
    expect(c.callBytes('COMMAND', 'LIST', 'FILTERBY', 'PATTERN')).toBe('-ERR syntax error\r\n');
  });
});

describe('COMMAND GETKEYS', () => {
  it('extracts the keys of SET, MSET, DEL and COPY', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'GETKEYS', 'SET', 'k', 'v')).toBe('*1\r\n$1\r\nk\r\n');
    expect(c.call('COMMAND', 'GETKEYS', 'SET', 'k', 'v', 'EX', '10', 'GET')).toEqual(['k']);
    expect(c.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toEqual(['a', 'b']);
    expect(c.call('COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c')).toEqual(['a', 'b', 'c']);
    expect(c.call('COMMAND', 'GETKEYS', 'COPY', 'src', 'dst')).toEqual(['src', 'dst']);
    expect(c.call('COMMAND', 'GETKEYS', 'COPY', 'src', 'dst', 'DB', '1', 'REPLACE')).toEqual(['src', 'dst']);
  });

  it('finds the command in any case and through containers', () => {
    const c = new Harness().connect();
    expect(c.call('COMMAND', 'GETKEYS', 'set', 'k', 'v')).toEqual(['k']);
    expect(c.call('COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING', 'k')).toEqual(['k']);
    expect(c.call('COMMAND', 'GETKEYS', 'RENAME', 'a', 'b')).toEqual(['a', 'b']);
    // An odd MSET still yields the keys Redis finds (a, b).
    expect(c.call('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b')).toEqual(['a', 'b']);
  });

  it('rejects unknown commands and commands without keys', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'GETKEYS', 'NOSUCH', 'a')).toBe('-ERR Invalid command specified\r\n');
    expect(c.callBytes('COMMAND', 'GETKEYS', 'CLIENT', 'NOSUCH')).toBe('-ERR Invalid command specified\r\n');
    expect(c.callBytes('COMMAND', 'GETKEYS', 'PING', 'x')).toBe('-ERR The command has no key arguments\r\n');
    expect(c.callBytes('COMMAND', 'GETKEYS', 'KEYS', '*')).toBe('-ERR The command has no key arguments\r\n');
    expect(c.callBytes('COMMAND', 'GETKEYS', 'CONFIG', 'GET', 'x')).toBe('-ERR The command has no key arguments\r\n');
  });

  it('rejects a command line with the wrong number of arguments', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'GETKEYS', 'SET', 'k')).toBe('-ERR Invalid number of arguments specified for command\r\n');
    expect(c.callBytes('COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING')).toBe(
      '-ERR Invalid number of arguments specified for command\r\n',
    );
    expect(c.callBytes('COMMAND', 'GETKEYS')).toBe(arity('command|getkeys'));
  });

  // Redis 7 declares COMMAND GETKEYS with arity -4: the command line needs at
  // least one argument after the command name.
  it('needs at least one argument after the command name, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'GETKEYS', 'GET')).toBe(arity('command|getkeys'));
  });

  // Redis checks "has no key arguments" before the arity of the command line.
  it('reports a keyless command as such even with a wrong argument count, as Redis does', () => {
    const c = new Harness().connect();
    expect(c.callBytes('COMMAND', 'GETKEYS', 'ECHO', 'a', 'b')).toBe('-ERR The command has no key arguments\r\n');
  });
});

describe('introspection under authentication', () => {
  it('is refused before AUTH', () => {
    const c = new Harness({ config: [['requirepass', 'pw']] }).connect();
    expect(c.call('COMMAND', 'DOCS')).toEqual(new ReplyError('NOAUTH Authentication required.'));
    expect(c.call('COMMAND')).toEqual(new ReplyError('NOAUTH Authentication required.'));
  });
});
