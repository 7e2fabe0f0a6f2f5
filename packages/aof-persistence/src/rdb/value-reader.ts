import { type EncodingLimits, HashValue, ListValue, SetValue, SortedSetValue, type StoredValue } from '@aki/keyspace';
import {
  QUICKLIST_NODE_PACKED,
  QUICKLIST_NODE_PLAIN,
  TYPE_HASH,
  TYPE_HASH_LISTPACK,
  TYPE_HASH_ZIPLIST,
  TYPE_HASH_ZIPMAP,
  TYPE_LIST,
  TYPE_LIST_QUICKLIST,
  TYPE_LIST_QUICKLIST_2,
  TYPE_LIST_ZIPLIST,
  TYPE_MODULE_2,
  TYPE_MODULE_PRE_GA,
  TYPE_SET,
  TYPE_SET_INTSET,
  TYPE_SET_LISTPACK,
  TYPE_STREAM_LISTPACKS,
  TYPE_STREAM_LISTPACKS_2,
  TYPE_STREAM_LISTPACKS_3,
  TYPE_STRING,
  TYPE_ZSET,
  TYPE_ZSET_2,
  TYPE_ZSET_LISTPACK,
  TYPE_ZSET_ZIPLIST,
} from './constants.js';
import { parseIntset } from './intset.js';
import { parseListpack } from './listpack.js';
import { parseScore, type RdbReader } from './reader.js';
import { parseZiplist } from './ziplist.js';
import { parseZipmap } from './zipmap.js';

/** The limits that settle loaded values the way Redis's loader converts them. */
export interface ValueReaderOptions {
  limits: Readonly<EncodingLimits>;
}

/**
 * Reads one value of RDB type `type` at the reader's position and builds the
 * keyspace value. Returns undefined for an empty collection (Redis skips
 * those when loading). Throws RdbFormatError for broken or unsupported data.
 * `typeAt` is the offset of the type byte (for error positions).
 */
export function readValue(r: RdbReader, type: number, typeAt: number, options: ValueReaderOptions): StoredValue | undefined {
  switch (type) {
    case TYPE_STRING:
      return r.string();
    case TYPE_LIST:
      return readLinkedList(r, options);
    case TYPE_SET:
      return readSet(r);
    case TYPE_ZSET:
    case TYPE_ZSET_2:
      return settleSortedSet(readSortedSet(r, type === TYPE_ZSET_2), options);
    case TYPE_HASH:
      return readHash(r);
    case TYPE_HASH_ZIPMAP:
      return hashFromPairs(r, packed(r, parseZipmap, 'Zipmap integrity check failed.'), 'Zipmap integrity check failed.');
    case TYPE_LIST_ZIPLIST:
      return listFrom(packed(r, parseZiplist, 'List ziplist integrity check failed.'), options);
    case TYPE_SET_INTSET:
      return setFromIntset(packed(r, parseIntset, 'Intset integrity check failed.'));
    case TYPE_ZSET_ZIPLIST:
      return settleSortedSet(zsetFromPairs(r, packed(r, parseZiplist, 'Zset ziplist integrity check failed.'), 'Zset ziplist integrity check failed.'), options);
    case TYPE_HASH_ZIPLIST:
      return hashFromPairs(r, packed(r, parseZiplist, 'Hash ziplist integrity check failed.'), 'Hash ziplist integrity check failed.');
    case TYPE_LIST_QUICKLIST:
    case TYPE_LIST_QUICKLIST_2:
      return readQuicklist(r, type === TYPE_LIST_QUICKLIST_2, options);
    case TYPE_HASH_LISTPACK:
      return hashFromPairs(r, packed(r, parseListpack, 'Hash listpack integrity check failed.'), 'Hash listpack integrity check failed.');
    case TYPE_ZSET_LISTPACK:
      return settleSortedSet(zsetFromPairs(r, packed(r, parseListpack, 'Zset listpack integrity check failed.'), 'Zset listpack integrity check failed.'), options);
    case TYPE_SET_LISTPACK:
      return setFromListpack(r, packed(r, parseListpack, 'Set listpack integrity check failed.'));
    case TYPE_STREAM_LISTPACKS:
    case TYPE_STREAM_LISTPACKS_2:
    case TYPE_STREAM_LISTPACKS_3:
      return r.fail(`aki does not support stream keys (RDB value type ${type})`, typeAt);
    case TYPE_MODULE_PRE_GA:
    case TYPE_MODULE_2:
      return r.fail(`aki does not support module keys (RDB value type ${type})`, typeAt);
    default:
      return r.fail(`Unknown RDB value type ${type}`, typeAt);
  }
}

type PackedParser = (b: Uint8Array, start: number, end: number) => string[] | undefined;

/** Reads a string holding a packed structure and parses it; a broken one fails with `message`. */
function packed(r: RdbReader, parse: PackedParser, message: string): string[] {
  const at = r.pos;
  r.blob();
  const items = parse(r.blobBytes, r.blobStart, r.blobEnd);
  if (items === undefined) r.fail(message, at);
  return items;
}

function readLinkedList(r: RdbReader, options: ValueReaderOptions): ListValue | undefined {
  const n = r.count();
  if (n === 0) return undefined;
  const list = new ListValue(Math.min(n, 1024)); // n may be a corrupt count: grow rather than trust it
  for (let i = 0; i < n; i++) list.pushTail(r.string());
  list.settleEncoding(options.limits.listMaxListpackSize);
  return list;
}

function listFrom(items: string[], options: ValueReaderOptions): ListValue | undefined {
  if (items.length === 0) return undefined;
  const list = ListValue.from(items);
  list.settleEncoding(options.limits.listMaxListpackSize);
  return list;
}

/**
 * Quicklist (type 14): a count of nodes, each a ziplist. Quicklist 2 (type
 * 18): per node a container (1 = one plain element, 2 = a listpack) and a
 * string. Empty nodes are skipped, as Redis does; a list with no elements
 * at all is an empty key.
 */
function readQuicklist(r: RdbReader, containers: boolean, options: ValueReaderOptions): ListValue | undefined {
  const nodes = r.count();
  let list: ListValue | undefined;
  for (let i = 0; i < nodes; i++) {
    const at = r.pos;
    let items: string[];
    if (containers) {
      const container = r.length();
      if (container === QUICKLIST_NODE_PLAIN) {
        items = [r.string()];
      } else if (container === QUICKLIST_NODE_PACKED) {
        items = packed(r, parseListpack, 'Quicklist listpack integrity check failed.');
      } else {
        return r.fail(`Quicklist integrity check failed (unknown node container ${container}).`, at);
      }
    } else {
      items = packed(r, parseZiplist, 'Quicklist ziplist integrity check failed.');
    }
    if (items.length === 0) continue;
    list ??= new ListValue(items.length);
    for (const item of items) list.pushTail(item);
  }
  list?.settleEncoding(options.limits.listMaxListpackSize);
  return list;
}

function readSet(r: RdbReader): SetValue | undefined {
  const n = r.count();
  if (n === 0) return undefined;
  const first = r.string();
  // Built as Redis's loader builds it: the first member and the count decide the start encoding.
  const set = SetValue.forFirstMember(first, n);
  set.add(first);
  for (let i = 1; i < n; i++) {
    const at = r.pos;
    if (!set.add(r.string())) r.fail('Duplicate set members detected', at);
  }
  return set;
}

function setFromIntset(members: string[]): SetValue | undefined {
  if (members.length === 0) return undefined;
  const set = SetValue.forFirstMember(members[0], members.length);
  for (const m of members) set.add(m); // ascending and unique: checked by parseIntset
  return set;
}

function setFromListpack(r: RdbReader, members: string[]): SetValue | undefined {
  if (members.length === 0) return undefined;
  const set = new SetValue(true);
  for (const m of members) if (!set.add(m)) r.fail('Set listpack integrity check failed.');
  return set;
}

/**
 * Redis keeps a loaded sorted set that fits zset-max-listpack-entries/value
 * as a listpack, whose integral scores are integers: a -0 score becomes 0
 * there (a skiplist keeps it).
 */
function settleSortedSet(zset: SortedSetValue | undefined, options: ValueReaderOptions): SortedSetValue | undefined {
  if (zset !== undefined && zset.isCompact(options.limits.zsetMaxListpackEntries, options.limits.zsetMaxListpackValue)) zset.dropNegativeZeros();
  return zset;
}

function readSortedSet(r: RdbReader, binaryScores: boolean): SortedSetValue | undefined {
  const n = r.count();
  if (n === 0) return undefined;
  const zset = new SortedSetValue();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const member = r.string();
    const score = binaryScores ? r.binaryDouble() : r.textDouble();
    if (score === undefined) r.fail('Zset with an invalid score detected', at);
    if (Number.isNaN(score)) r.fail('Zset with NAN score detected', at);
    if (!zset.set(member, score)) r.fail('Duplicate zset fields detected', at);
  }
  return zset;
}

/** member, score, member, score, ... (ziplist or listpack zsets); scores as text or integers. */
function zsetFromPairs(r: RdbReader, items: string[], message: string): SortedSetValue | undefined {
  if (items.length % 2 !== 0) r.fail(message);
  if (items.length === 0) return undefined;
  const zset = new SortedSetValue();
  for (let i = 0; i < items.length; i += 2) {
    const score = parseScore(items[i + 1]);
    if (score === undefined || Number.isNaN(score)) r.fail(message);
    if (!zset.set(items[i], score)) r.fail(message);
  }
  return zset;
}

function readHash(r: RdbReader): HashValue | undefined {
  const n = r.count();
  if (n === 0) return undefined;
  const hash = new HashValue();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const field = r.string();
    if (!hash.set(field, r.string())) r.fail('Duplicate hash fields detected', at);
  }
  return hash;
}

/** field, value, field, value, ... (zipmap, ziplist or listpack hashes). */
function hashFromPairs(r: RdbReader, items: string[], message: string): HashValue | undefined {
  if (items.length % 2 !== 0) r.fail(message);
  if (items.length === 0) return undefined;
  const hash = new HashValue();
  for (let i = 0; i < items.length; i += 2) if (!hash.set(items[i], items[i + 1])) r.fail(message);
  return hash;
}
