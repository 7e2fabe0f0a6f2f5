/**
 * The one error the RDB decoder throws for bad input: a corrupt, truncated
 * or unsupported file. `offset` is the byte position (from the start of the
 * buffer handed to the decoder) where the problem was found.
 */
export class RdbFormatError extends Error {
  override readonly name = 'RdbFormatError';
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}
