/**
 * The go.mod / go.work syntax (golang.org/x/mod/modfile): lines of tokens, `//` comments, quoted
 * and raw strings, and `verb ( … )` blocks whose lines each continue the verb.
 */
export interface ModLine {
  verb: string;
  args: string[];
  /** The trailing `//` comment, without the slashes (`indirect` for go.mod's markers). */
  comment: string;
  line: number;
}

/** Thrown with the 1-based line of the problem. */
export class ModSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** Splits a go.mod or go.work file into statements, expanding blocks. */
export function parseModSyntax(text: string): ModLine[] {
  const statements: ModLine[] = [];
  let block: string | undefined;
  let blockStart = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const { tokens, comment } = tokenize(raw, line);
    if (tokens.length === 0) return;
    if (block !== undefined) {
      if (tokens[0] === ')' && tokens.length === 1) block = undefined;
      else if (tokens.includes('(') || tokens.includes(')'))
        throw new ModSyntaxError('unexpected parenthesis', line);
      else statements.push({ verb: block, args: tokens, comment, line });
      return;
    }
    const [verb, ...args] = tokens as [string, ...string[]];
    if (args.length === 1 && args[0] === '(') {
      block = verb;
      blockStart = line;
    } else if (args.includes('(') || args.includes(')') || verb === '(' || verb === ')') {
      throw new ModSyntaxError('unexpected parenthesis', line);
    } else {
      statements.push({ verb, args, comment, line });
    }
  });
  if (block !== undefined) throw new ModSyntaxError(`"${block} (" is never closed`, blockStart);
  return statements;
}

function tokenize(raw: string, line: number): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] as string;
    if (ch === ' ' || ch === '\t') i++;
    else if (raw.startsWith('//', i)) return { tokens, comment: raw.slice(i + 2).trim() };
    else if (ch === '(' || ch === ')') {
      tokens.push(ch);
      i++;
    } else if (raw.startsWith('=>', i)) {
      tokens.push('=>');
      i += 2;
    } else if (ch === '"' || ch === '`') {
      const end = findClosingQuote(raw, i, ch);
      if (end < 0) throw new ModSyntaxError('unterminated string', line);
      tokens.push(ch === '"' ? (JSON.parse(raw.slice(i, end + 1)) as string) : raw.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (
        j < raw.length &&
        !' \t()"`'.includes(raw[j] as string) &&
        !raw.startsWith('//', j) &&
        !raw.startsWith('=>', j)
      )
        j++;
      tokens.push(raw.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

function findClosingQuote(raw: string, start: number, quote: string): number {
  for (let i = start + 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === '\\') i++;
    else if (raw[i] === quote) return i;
  }
  return -1;
}
