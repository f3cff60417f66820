import {
  type CharTest,
  compileAutomaton,
  literal,
  type PatternAutomaton,
  type Piece,
} from './pattern-automaton.js';

/**
 * Go's `filepath.Match` (what Docker uses for COPY source globs and to validate ignore patterns):
 * `*` and `?` never cross '/', `[...]` classes with `^` negation and ranges, `\` escapes. Matched by
 * an automaton, in time linear in the name: a pattern from a Dockerfile cannot make it backtrack.
 */

const BAD = new Error('syntax error in pattern');
const notSlash: CharTest = (c) => c !== '/';

/** Reads one class character (with escape) at `i`; returns it and the index after it. */
function classChar(pattern: string, i: number): [string, number] {
  let at = i;
  const first = pattern[at];
  if (first === undefined || first === '-' || first === ']') throw BAD;
  if (first === '\\') at++;
  const code = pattern.codePointAt(at);
  if (code === undefined) throw BAD;
  const ch = String.fromCodePoint(code);
  at += ch.length;
  if (at >= pattern.length) throw BAD;
  return [ch, at];
}

/** Parses a class whose '[' is just before `i`; returns a test of one character and the index after ']'. */
export function parseGlobClass(pattern: string, i: number): [CharTest, number] {
  let at = i;
  const negated = pattern[at] === '^';
  if (negated) at++;
  const ranges: [number, number][] = [];
  while (!(pattern[at] === ']' && ranges.length > 0)) {
    const [lo, afterLo] = classChar(pattern, at);
    let hi = lo;
    at = afterLo;
    if (pattern[at] === '-') [hi, at] = classChar(pattern, at + 1);
    ranges.push([lo.codePointAt(0) as number, hi.codePointAt(0) as number]);
  }
  const test: CharTest = (ch) => {
    const code = ch.codePointAt(0) as number;
    return ranges.some(([lo, hi]) => lo <= code && code <= hi) !== negated;
  };
  return [test, at + 1];
}

/** The pieces of a Go glob; throws on a malformed pattern (as Go's ErrBadPattern). */
function globPieces(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  for (let i = 0; i < pattern.length; ) {
    const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
    i += ch.length;
    if (ch === '*') {
      if (pieces.at(-1)?.repeat !== 'many')
        pieces.push({ atom: { type: 'char', test: notSlash }, repeat: 'many' });
    } else if (ch === '?') {
      pieces.push({ atom: { type: 'char', test: notSlash }, repeat: 'one' });
    } else if (ch === '[') {
      const [test, after] = parseGlobClass(pattern, i);
      pieces.push({ atom: { type: 'char', test: (c) => c !== '/' && test(c) }, repeat: 'one' });
      i = after;
    } else if (ch === '\\') {
      const code = pattern.codePointAt(i);
      if (code === undefined) throw BAD;
      const escaped = String.fromCodePoint(code);
      pieces.push(literal(escaped));
      i += escaped.length;
    } else {
      pieces.push(literal(ch));
    }
  }
  return pieces;
}

const compiled = new Map<string, PatternAutomaton>();
const MAX_COMPILED = 512;

function compileGlob(pattern: string): PatternAutomaton {
  let automaton = compiled.get(pattern);
  if (!automaton) {
    automaton = compileAutomaton(globPieces(pattern));
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, automaton);
  }
  return automaton;
}

/** Throws when `pattern` is not a valid Go glob. */
export function assertValidGlob(pattern: string): void {
  compileGlob(pattern);
}

/** True when the whole of `name` matches the glob `pattern` (Go filepath.Match on '/' paths). */
export function matchGlob(pattern: string, name: string): boolean {
  return compileGlob(pattern).matches(name);
}

/** True when the pattern has glob metacharacters (otherwise it names one path). */
export function hasGlobMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}
