import { type CharTest, literal, type Piece } from './pattern-automaton.js';

/**
 * The part of Go's regexp syntax that Docker's patternmatcher produces from a `.dockerignore` line,
 * parsed into automaton pieces instead of a backtracking RegExp: literals, `\` escapes, `.`, `^`,
 * classes (with ranges, negation, `[:name:]`), groups, and the `*` and `?` repetitions. Anything
 * Go's regexp would refuse (a bad range, an unclosed class) throws, as Docker refuses the pattern.
 */

const BAD = new Error('invalid regular expression');

/** Go's `[:name:]` classes, as code point ranges (each written as the characters they span). */
const POSIX_CLASSES: Record<string, [number, number][]> = Object.fromEntries(
  Object.entries({
    alnum: ['09', 'AZ', 'az'],
    alpha: ['AZ', 'az'],
    ascii: ['\u0000\u007f'],
    blank: ['\t\t', '  '],
    cntrl: ['\u0000\u001f', '\u007f\u007f'],
    digit: ['09'],
    graph: ['!~'],
    lower: ['az'],
    print: [' ~'],
    punct: ['!/', ':@', '[`', '{~'],
    space: ['\t\r', '  '],
    upper: ['AZ'],
    word: ['09', 'AZ', 'az', '__'],
    xdigit: ['09', 'AF', 'af'],
  }).map(([name, spans]) => [
    name,
    spans.map((span) => [span.codePointAt(0) as number, span.codePointAt(1) as number] as [number, number]),
  ]),
);

/** Parses `source` (matched against the whole text, no anchors added) into pieces. */
export function parseGoRegexp(source: string): Piece[] {
  const chars = [...source];
  const [pieces, end] = parseSequence(chars, 0, false);
  if (end !== chars.length) throw BAD;
  return pieces;
}

function parseSequence(chars: string[], from: number, inGroup: boolean): [Piece[], number] {
  const pieces: Piece[] = [];
  let i = from;
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (ch === ')') {
      if (!inGroup) throw BAD;
      return [pieces, i];
    }
    i++;
    if (ch === '*' || ch === '?' || ch === '+') {
      const last = pieces.at(-1);
      // Go refuses a repetition of nothing, of an anchor, and a repetition of a repetition.
      if (last?.repeat !== 'one' || last.atom.type === 'start') throw BAD;
      if (ch === '+') pieces.push({ atom: last.atom, repeat: 'many' });
      else last.repeat = ch === '*' ? 'many' : 'optional';
    } else if (ch === '(') {
      const [body, close] = parseSequence(chars, i, true);
      if (chars[close] !== ')') throw BAD;
      pieces.push({ atom: { type: 'group', body }, repeat: 'one' });
      i = close + 1;
    } else if (ch === '[') {
      const [test, after] = parseClass(chars, i);
      pieces.push({ atom: { type: 'char', test }, repeat: 'one' });
      i = after;
    } else if (ch === '.') {
      pieces.push({ atom: { type: 'char', test: () => true }, repeat: 'one' });
    } else if (ch === '^') {
      pieces.push({ atom: { type: 'start' }, repeat: 'one' });
    } else if (ch === '$' || ch === '|' || ch === '{') {
      // The patternmatcher escapes these; seeing one bare means this is not its output.
      throw BAD;
    } else if (ch === '\\') {
      const escaped = chars[i];
      if (escaped === undefined) throw BAD;
      pieces.push(literal(escaped));
      i++;
    } else {
      pieces.push(literal(ch));
    }
  }
  if (inGroup) throw BAD;
  return [pieces, i];
}

/** Parses a class whose '[' is just before `from`; returns its test and the index after ']'. */
function parseClass(chars: string[], from: number): [CharTest, number] {
  let i = from;
  const negated = chars[i] === '^';
  if (negated) i++;
  const ranges: [number, number][] = [];
  // A ']' first in the class is a literal.
  for (let first = true; first || chars[i] !== ']'; first = false) {
    if (i >= chars.length) throw BAD;
    if (chars[i] === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(':', i + 2);
      const name = close > 0 && chars[close + 1] === ']' ? chars.slice(i + 2, close).join('') : undefined;
      const posix = name === undefined ? undefined : POSIX_CLASSES[name];
      if (posix) {
        ranges.push(...posix);
        i = close + 2;
        continue;
      }
    }
    const [lo, afterLo] = classChar(chars, i);
    i = afterLo;
    let hi = lo;
    if (chars[i] === '-' && chars[i + 1] !== ']' && chars[i + 1] !== undefined) {
      [hi, i] = classChar(chars, i + 1);
      if (hi < lo) throw BAD;
    }
    ranges.push([lo, hi]);
  }
  const test: CharTest = (ch) => {
    const code = ch.codePointAt(0) as number;
    return ranges.some(([lo, hi]) => lo <= code && code <= hi) !== negated;
  };
  return [test, i + 1];
}

function classChar(chars: string[], i: number): [number, number] {
  let ch = chars[i];
  let next = i + 1;
  if (ch === '\\') {
    ch = chars[i + 1];
    next = i + 2;
  }
  if (ch === undefined) throw BAD;
  return [ch.codePointAt(0) as number, next];
}
