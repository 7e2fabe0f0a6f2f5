/**
 * The replication backlog: a fixed-size circular buffer holding the newest
 * bytes of the replication stream, so that a follower that lost its link can
 * resume with a partial resync (PSYNC) instead of a full one.
 *
 * Offsets are global stream offsets as Redis counts them: the first byte ever
 * appended to the stream has offset 1, so the byte with offset `o` is the o-th
 * stream byte and `endOffset` (the offset of the newest byte) equals
 * master_repl_offset.
 *
 * State, in Redis's INFO terms:
 * - `endOffset`       = master_repl_offset (0 before anything was appended
 *                       when created at offset 0);
 * - `histlen`         = repl_backlog_histlen, bytes held (<= size);
 * - `firstByteOffset` = repl_backlog_first_byte_offset = endOffset - histlen + 1,
 *                       so an empty backlog reports endOffset + 1, as Redis does
 *                       right after creating one.
 *
 * Performance contract: `append` copies its bytes into the ring once (as at
 * most two `copy` calls when it wraps) and allocates nothing.
 */
export class ReplicationBacklog {
  private ring: Buffer;
  /** Index in `ring` where the next appended byte goes. */
  private head = 0;
  private held = 0;
  private end: number;

  /**
   * @param size capacity in bytes (repl-backlog-size), a positive integer.
   * @param startOffset master_repl_offset when the backlog is created; the first
   *   byte appended gets offset startOffset + 1.
   */
  constructor(size: number, startOffset: number) {
    checkSize(size);
    if (!Number.isSafeInteger(startOffset) || startOffset < 0) {
      throw new RangeError(`backlog start offset must be a non-negative integer, got ${startOffset}`);
    }
    this.ring = Buffer.allocUnsafeSlow(size);
    this.end = startOffset;
  }

  /** Capacity in bytes. */
  get size(): number {
    return this.ring.length;
  }

  /** Bytes currently held (repl_backlog_histlen). */
  get histlen(): number {
    return this.held;
  }

  /** Offset of the newest byte held, i.e. master_repl_offset. */
  get endOffset(): number {
    return this.end;
  }

  /** Offset of the oldest byte held; endOffset + 1 while empty. */
  get firstByteOffset(): number {
    return this.end - this.held + 1;
  }

  /**
   * Appends stream bytes. The caller keeps ownership of `bytes` (they are
   * copied). When `bytes` is longer than the capacity only its last `size`
   * bytes are kept, but the offsets still advance by the full length.
   */
  append(bytes: Buffer): void {
    const n = bytes.length;
    if (n === 0) return;
    const ring = this.ring;
    const cap = ring.length;
    this.end += n;
    if (n >= cap) {
      bytes.copy(ring, 0, n - cap, n);
      this.head = 0;
      this.held = cap;
      return;
    }
    const head = this.head;
    const room = cap - head;
    if (n <= room) {
      bytes.copy(ring, head, 0, n);
      this.head = n === room ? 0 : head + n;
    } else {
      bytes.copy(ring, head, 0, room);
      bytes.copy(ring, 0, room, n);
      this.head = n - room;
    }
    const held = this.held + n;
    this.held = held > cap ? cap : held;
  }

  /**
   * Changes the capacity (CONFIG SET repl-backlog-size), keeping the newest
   * min(histlen, size) bytes; offsets are unchanged except that a shrink may
   * raise firstByteOffset.
   */
  resize(size: number): void {
    checkSize(size);
    if (size === this.ring.length) return;
    const keep = Math.min(this.held, size);
    const next = Buffer.allocUnsafeSlow(size);
    this.copyNewest(keep, next);
    this.ring = next;
    this.held = keep;
    this.head = keep === size ? 0 : keep;
  }

  /**
   * True iff a follower whose first missing byte is `offset` (the offset it
   * sends in `PSYNC <replid> <offset>`) can be served from the backlog:
   * firstByteOffset <= offset <= endOffset + 1. The upper bound means "the
   * follower already has everything" (an empty resumption).
   */
  covers(offset: number): boolean {
    return offset >= this.end - this.held + 1 && offset <= this.end + 1;
  }

  /**
   * The bytes with offsets `offset` .. endOffset, in stream order, as zero, one
   * or two buffers (two when the range wraps around the ring). They are copies:
   * later appends or resizes do not change them. Throws a RangeError unless
   * `covers(offset)`.
   */
  readFrom(offset: number): Buffer[] {
    if (!Number.isSafeInteger(offset) || !this.covers(offset)) {
      throw new RangeError(`offset ${offset} is outside the backlog (${this.firstByteOffset}..${this.end + 1})`);
    }
    const count = this.end - offset + 1;
    if (count === 0) return [];
    const cap = this.ring.length;
    // The newest `count` bytes end just before `head`.
    let start = this.head - count;
    if (start < 0) start += cap;
    if (start + count <= cap) return [Buffer.from(this.ring.subarray(start, start + count))];
    return [Buffer.from(this.ring.subarray(start, cap)), Buffer.from(this.ring.subarray(0, start + count - cap))];
  }

  /** Copies the newest `count` held bytes, oldest first, to the start of `target`. */
  private copyNewest(count: number, target: Buffer): void {
    if (count === 0) return;
    const cap = this.ring.length;
    let start = this.head - count;
    if (start < 0) start += cap;
    if (start + count <= cap) {
      this.ring.copy(target, 0, start, start + count);
    } else {
      this.ring.copy(target, 0, start, cap);
      this.ring.copy(target, cap - start, 0, start + count - cap);
    }
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`backlog size must be a positive integer, got ${size}`);
  }
}
