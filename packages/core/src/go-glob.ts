/**
 * Go's `filepath.Match` (what Docker uses for COPY source globs and to validate ignore patterns):
 * `*` and `?` never cross '/', `[...]` classes with `^` negation and ranges, `\` escapes.
 */

const BAD = new Error('syntax error in pattern');

interface ClassResult {
  matched: boolean;
  rest: string;
}

/** Reads one class character (with escape) from the start of `chunk`. */
function classChar(chunk: string): [string, string] {
  const first = chunk[0];
  if (first === undefined || first === '-' || first === ']') throw BAD;
  let rest = chunk;
  if (first === '\\') {
    rest = rest.slice(1);
    if (rest === '') throw BAD;
  }
  const ch = String.fromCodePoint(rest.codePointAt(0) as number);
  rest = rest.slice(ch.length);
  if (rest === '') throw BAD;
  return [ch, rest];
}

/** Parses a class starting after '['; `ch` may be undefined when only validating. */
function matchClass(pattern: string, ch: string | undefined): ClassResult {
  let rest = pattern;
  let negated = false;
  if (rest.startsWith('^')) {
    negated = true;
    rest = rest.slice(1);
  }
  let matched = false;
  for (let ranges = 0; ; ranges++) {
    if (rest.startsWith(']') && ranges > 0) {
      rest = rest.slice(1);
      break;
    }
    const [lo, afterLo] = classChar(rest);
    let hi = lo;
    rest = afterLo;
    if (rest.startsWith('-')) [hi, rest] = classChar(rest.slice(1));
    if (ch !== undefined && lo <= ch && ch <= hi) matched = true;
  }
  return { matched: matched !== negated, rest };
}

/** Throws when `pattern` is not a valid Go glob. */
export function assertValidGlob(pattern: string): void {
  let rest = pattern;
  while (rest.length > 0) {
    const ch = rest[0] as string;
    rest = rest.slice(1);
    if (ch === '\\') {
      if (rest === '') throw BAD;
      rest = rest.slice(String.fromCodePoint(rest.codePointAt(0) as number).length);
    } else if (ch === '[') {
      rest = matchClass(rest, undefined).rest;
    }
  }
}

/** True when the whole of `name` matches the glob `pattern` (Go filepath.Match on '/' paths). */
export function matchGlob(pattern: string, name: string): boolean {
  assertValidGlob(pattern);
  return matchFrom(pattern, name);
}

function matchFrom(pattern: string, name: string): boolean {
  if (pattern === '') return name === '';
  const ch = pattern[0] as string;
  if (ch === '*') {
    const rest = pattern.replace(/^\*+/, '');
    for (let i = 0; i <= name.length; i++) {
      if (matchFrom(rest, name.slice(i))) return true;
      if (name[i] === '/') return false;
    }
    return false;
  }
  if (name === '') return false;
  const head = String.fromCodePoint(name.codePointAt(0) as number);
  const tail = name.slice(head.length);
  if (ch === '?') return head !== '/' && matchFrom(pattern.slice(1), tail);
  if (ch === '[') {
    if (head === '/') return false;
    const { matched, rest } = matchClass(pattern.slice(1), head);
    return matched && matchFrom(rest, tail);
  }
  if (ch === '\\') {
    const escaped = String.fromCodePoint(pattern.codePointAt(1) as number);
    return head === escaped && matchFrom(pattern.slice(1 + escaped.length), tail);
  }
  return head === ch && matchFrom(pattern.slice(1), tail);
}

/** True when the pattern has glob metacharacters (otherwise it names one path). */
export function hasGlobMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}
