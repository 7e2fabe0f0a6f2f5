/**
 * The AOF cannot be loaded (Redis would log this and exit). `redisText` is
 * what Redis 7.0 logs for the case; `message` adds what aki knows beyond it
 * (the byte offset, the detail of a format error). `file` is the file name
 * (not path) when one file is to blame.
 */
export class AofLoadError extends Error {
  override readonly name = 'AofLoadError';
  readonly redisText: string;
  readonly file: string | undefined;
  readonly offset: number | undefined;

  constructor(redisText: string, options: { file?: string; offset?: number; detail?: string; cause?: unknown } = {}) {
    const extra: string[] = [];
    if (options.offset !== undefined) extra.push(`at offset ${options.offset}`);
    if (options.detail !== undefined) extra.push(options.detail);
    super(extra.length === 0 ? redisText : `${redisText} (${extra.join(': ')})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.redisText = redisText;
    this.file = options.file;
    this.offset = options.offset;
  }
}

/** Redis 7.0's hint after a malformed AOF. */
export function badFormatText(file: string): string {
  return `Bad file format reading the append only file ${file}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`;
}

/** Redis 7.0's text for a truncated last file when aof-load-truncated is off. */
export function unexpectedEofText(file: string): string {
  return (
    `Unexpected end of file reading the append only file ${file}. You can: ` +
    '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
    "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
  );
}
