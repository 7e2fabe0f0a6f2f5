/**
 * A config value or directive was rejected. The message is plain human text
 * without an error code (e.g. "argument must be 'yes' or 'no'"): the config
 * file reader prints it under the offending line, and CONFIG SET wraps it as
 * "ERR CONFIG SET failed (possibly related to argument '<name>') - <message>".
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The message Redis gives for an unknown directive or a wrong argument count. */
export const BAD_DIRECTIVE = 'Bad directive or wrong number of arguments';
