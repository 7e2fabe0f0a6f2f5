/**
 * Splits a line into arguments the way Redis's `sdssplitargs` does; used for
 * inline commands and for configuration files.
 *
 * - Arguments are separated by blanks (space, \t, \n, \v, \f, \r). Outside
 *   quotes an argument ends at space, \t, \n or \r (\v and \f stay in it, as in
 *   Redis).
 * - "double quotes" understand \n \r \t \b \a, \xHH (two hex digits, either
 *   case), and a backslash before any other character yields that character.
 * - 'single quotes' understand only \' ; every other backslash is literal.
 * - A quote may start in the middle of an argument (`a"b c"` is `ab c`), and a
 *   closing quote must be followed by a blank or the end of the line.
 *
 * Returns null for an unterminated quote or a closing quote followed by
 * something else. An empty or all-blank line gives `[]`.
 *
 * Works on latin1 strings: every char is treated as one byte and kept as is.
 * One deliberate difference from the C function: a NUL char is an ordinary
 * character here (C stops at it). Inline requests never contain NUL, since the
 * request parser never finds the end of a line with a NUL in it (see
 * RequestParser).
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    if (i >= n) return out;

    let arg = '';
    let run = i; // start of the current run of plain characters
    for (;;) {
      if (i >= n) {
        arg += line.slice(run, i);
        break;
      }
      const c = line.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        arg += line.slice(run, i);
        i++;
        break;
      }
      if (c === 34 || c === 39) {
        arg += line.slice(run, i);
        const end = c === 34 ? readDoubleQuoted(line, i + 1) : readSingleQuoted(line, i + 1);
        if (end === null) return null;
        arg += end.text;
        i = end.next;
        // The closing quote must be followed by a blank or the end of the line.
        if (i < n && !isBlank(line.charCodeAt(i))) return null;
        break;
      }
      i++;
    }
    out.push(arg);
  }
}

interface Quoted {
  text: string;
  /** Index just after the closing quote. */
  next: number;
}

function readDoubleQuoted(line: string, i: number): Quoted | null {
  const n = line.length;
  let text = '';
  let run = i;
  for (;;) {
    if (i >= n) return null;
    const c = line.charCodeAt(i);
    if (c === 34) return { text: text + line.slice(run, i), next: i + 1 };
    if (c !== 92) {
      i++;
      continue;
    }
    // A backslash: an escape, unless it is the last character (then the quote is unterminated).
    if (i + 1 >= n) return null;
    text += line.slice(run, i);
    const e = line.charCodeAt(i + 1);
    if (e === 120 && i + 3 < n) {
      const hi = hexValue(line.charCodeAt(i + 2));
      const lo = hexValue(line.charCodeAt(i + 3));
      if (hi >= 0 && lo >= 0) {
        text += String.fromCharCode(hi * 16 + lo);
        i += 4;
        run = i;
        continue;
      }
    }
    text += escaped(e);
    i += 2;
    run = i;
  }
}

function readSingleQuoted(line: string, i: number): Quoted | null {
  const n = line.length;
  let text = '';
  let run = i;
  for (;;) {
    if (i >= n) return null;
    const c = line.charCodeAt(i);
    if (c === 39) return { text: text + line.slice(run, i), next: i + 1 };
    if (c === 92 && i + 1 < n && line.charCodeAt(i + 1) === 39) {
      text += line.slice(run, i) + "'";
      i += 2;
      run = i;
      continue;
    }
    i++;
  }
}

function escaped(c: number): string {
  switch (c) {
    case 110: // n
      return '\n';
    case 114: // r
      return '\r';
    case 116: // t
      return '\t';
    case 98: // b
      return '\b';
    case 97: // a
      return '\x07';
    default:
      return String.fromCharCode(c);
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** C isspace in the "C" locale. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
