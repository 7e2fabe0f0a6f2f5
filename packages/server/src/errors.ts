/**
 * Error replies, each beginning with its code word, with Redis 7's exact text:
 * clients and tools match on these strings. Functions build the ones that
 * quote the request.
 */
export const Err = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notInt32: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  /** getRangeLongFromObjectOrReply's bounds, [-LONG_MAX, LONG_MAX] (LPOS RANK, the *RANDMEMBER / HRANDFIELD counts). */
  outsideLongRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  /** getPositiveLongFromObjectOrReply: negative or not an integer (LPOP/SPOP/ZPOPMIN counts, ...). */
  notPositive: 'ERR value is out of range, must be positive',
  outOfRange: 'ERR value is out of range',
  numkeysNotPositive: 'ERR numkeys should be greater than 0',
  countNotPositive: 'ERR count should be greater than 0',
  limitNegative: "ERR LIMIT can't be negative",
  /** aki's refusal of a repeat-picking count whose reply cannot fit in the client's output limit. */
  countTooLarge: (limit: number) => `ERR count is too large: the reply would pass the ${limit} bytes a client may have pending`,
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  invalidExpire: (command: string) => `ERR invalid expire time in '${command}' command`,
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  noAuth: 'NOAUTH Authentication required.',
  helloNoAuth: 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noProto: 'NOPROTO unsupported protocol version',
  loading: 'LOADING Redis is loading the dataset in memory',
  /** CLIENT UNBLOCK ... ERROR ends a blocked command with this. */
  unblocked: 'UNBLOCKED client unblocked via CLIENT UNBLOCK',
  internal: 'ERR internal error',
  timeoutNegative: 'ERR timeout is negative',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutOutOfRange: 'ERR timeout is out of range',
  unknownCommand: (name: string, args: readonly string[]) =>
    `ERR unknown command '${printable(name, 128)}', with args beginning with: ${quotedArgsPrefix(args)}`,
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (name: string, sub: string) =>
    `ERR unknown subcommand '${printable(sub, 128)}'. Try ${name.toUpperCase()} HELP.`,
  /** A known subcommand with an argument count its own checks refuse (`sub` as the client typed it). */
  unknownSubcommandOrArity: (name: string, sub: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${printable(sub, 128)}'. Try ${name.toUpperCase()} HELP.`,
  debugDisabled:
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.",
} as const;

/**
 * Renders client-supplied text for an error reply: a reply is one line, so
 * CR and LF become spaces (as Redis does), and long text is cut.
 */
export function printable(text: string, maxLength: number): string {
  const cut = text.length > maxLength ? text.slice(0, maxLength) : text;
  return cut.replace(/[\r\n]/g, ' ');
}

/**
 * The "'a' 'b' " list of an unknown-command error: arguments are added while
 * the list is shorter than 128 characters, each cut to the room left.
 */
function quotedArgsPrefix(args: readonly string[]): string {
  let text = '';
  for (let i = 0; i < args.length && text.length < 128; i++) {
    text += `'${printable(args[i]!, 128 - text.length)}' `;
  }
  return text;
}
