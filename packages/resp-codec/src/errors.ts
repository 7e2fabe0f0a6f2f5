/**
 * A protocol violation found while parsing a request or decoding a reply.
 *
 * `message` is the complete error text to send to the client, without the
 * leading `-` of a RESP error, e.g. `ERR Protocol error: invalid multibulk length`.
 * It never contains CR or LF, so it can be written with `ReplyWriter.error`.
 * After a ProtocolError the parser or decoder that threw it is in an undefined
 * state: the connection should be closed once the error reply is flushed.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Builds a ProtocolError carrying `ERR Protocol error: <detail>`. */
export function protocolError(detail: string): ProtocolError {
  return new ProtocolError(`ERR Protocol error: ${detail}`);
}

/** A byte as the one-character string Redis prints with `%c`; CR and LF become spaces so replies stay well formed. */
export function byteAsChar(byte: number): string {
  return byte === 13 || byte === 10 ? ' ' : String.fromCharCode(byte);
}
