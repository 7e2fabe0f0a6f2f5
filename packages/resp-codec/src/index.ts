export { ProtocolError } from './errors.js';
export { MAX_ARGUMENT_LENGTH, RequestParser, type RequestParserOptions } from './request-parser.js';
export { splitArgs } from './split-args.js';
export {
  RespDecoder,
  RespError,
  RespPush,
  RespVerbatim,
  type RespDecoderOptions,
  type RespValue,
} from './decoder.js';
export { encodeCommand, ReplyWriter, type BulkSource } from './reply-writer.js';
export { formatDouble, formatDoubleShortest } from './double.js';
