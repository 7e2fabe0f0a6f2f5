/**
 * RDB file format constants (facts of the format as Redis 7 defines it).
 * Opcodes share the byte space of value types: a byte at the top level is
 * an opcode when it is 0xF5 or above, otherwise the type of the next key.
 */

/** The version aki writes: Redis 7.0's (REDIS0010), which every Redis 7 loads. */
export const RDB_WRITE_VERSION = 10;
/** The newest version aki reads: Redis 7.2's. */
export const RDB_MAX_READ_VERSION = 11;
/** Files before this version have no CRC64 after the EOF opcode. */
export const RDB_FIRST_CHECKSUM_VERSION = 5;

/** Top-level opcodes. */
export const OP_FUNCTION_PRE_GA = 0xf5;
export const OP_FUNCTION2 = 0xf6;
export const OP_MODULE_AUX = 0xf7;
export const OP_IDLE = 0xf8;
export const OP_FREQ = 0xf9;
export const OP_AUX = 0xfa;
export const OP_RESIZEDB = 0xfb;
export const OP_EXPIRETIME_MS = 0xfc;
export const OP_EXPIRETIME = 0xfd;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

/** Value types. */
export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;
export const TYPE_ZSET_2 = 5;
export const TYPE_MODULE_PRE_GA = 6;
export const TYPE_MODULE_2 = 7;
export const TYPE_HASH_ZIPMAP = 9;
export const TYPE_LIST_ZIPLIST = 10;
export const TYPE_SET_INTSET = 11;
export const TYPE_ZSET_ZIPLIST = 12;
export const TYPE_HASH_ZIPLIST = 13;
export const TYPE_LIST_QUICKLIST = 14;
export const TYPE_STREAM_LISTPACKS = 15;
export const TYPE_HASH_LISTPACK = 16;
export const TYPE_ZSET_LISTPACK = 17;
export const TYPE_LIST_QUICKLIST_2 = 18;
export const TYPE_STREAM_LISTPACKS_2 = 19;
export const TYPE_SET_LISTPACK = 20;
export const TYPE_STREAM_LISTPACKS_3 = 21;

/** Quicklist-2 node containers. */
export const QUICKLIST_NODE_PLAIN = 1;
export const QUICKLIST_NODE_PACKED = 2;

/** Length encoding: the top two bits of the first byte. */
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
/** The whole first byte for 32- and 64-bit big-endian lengths. */
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
/** Top bits 11: a special string encoding in the low six bits. */
export const LEN_ENCVAL = 3;

/** Special string encodings (low six bits after the 11 prefix). */
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

/** Text-score (type 3) markers in place of a length byte. */
export const SCORE_NAN = 253;
export const SCORE_POS_INF = 254;
export const SCORE_NEG_INF = 255;
