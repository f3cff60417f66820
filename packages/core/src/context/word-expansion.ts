/**
 * Expands one Dockerfile word the way Docker's shell lexer does for COPY/ADD/FROM/ARG/ENV:
 * quotes are removed, `'…'` is literal, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:+alt}`, `${VAR+alt}` expand, and the escape character escapes the next one.
 * Names that are not defined are reported, so the caller can decide not to trust the result.
 */
export interface Expansion {
  value: string;
  /** Variables the word used that have no value (Docker expands them to ''). */
  unknown: string[];
  /** A quote the word opens and never closes: Docker's lexer refuses such a word. */
  unterminated?: '"' | "'" | undefined;
}

export function expandWord(word: string, vars: ReadonlyMap<string, string>, escapeChar = '\\'): Expansion {
  const unknown: string[] = [];
  const lexer = new Lexer(word, vars, escapeChar, unknown);
  const value = lexer.readAll();
  return lexer.unterminated ? { value, unknown, unterminated: lexer.unterminated } : { value, unknown };
}

class Lexer {
  private pos = 0;
  unterminated: '"' | "'" | undefined;

  constructor(
    private readonly text: string,
    private readonly vars: ReadonlyMap<string, string>,
    private readonly escapeChar: string,
    private readonly unknown: string[],
  ) {}

  readAll(stopAt?: string): string {
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (stopAt !== undefined && ch === stopAt) return out;
      this.pos++;
      if (ch === this.escapeChar) {
        if (this.pos < this.text.length) out += this.text[this.pos++];
      } else if (ch === "'") {
        const end = this.text.indexOf("'", this.pos);
        if (end === -1) this.unterminated = "'";
        const stop = end === -1 ? this.text.length : end;
        out += this.text.slice(this.pos, stop);
        this.pos = stop + 1;
      } else if (ch === '"') {
        out += this.readDoubleQuoted();
      } else if (ch === '$') {
        out += this.readVariable();
      } else {
        out += ch;
      }
    }
    return out;
  }

  private readDoubleQuoted(): string {
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++] as string;
      if (ch === '"') return out;
      if (ch === this.escapeChar && /["$`\\]/.test(this.text[this.pos] ?? '')) out += this.text[this.pos++];
      else if (ch === '$') out += this.readVariable();
      else out += ch;
    }
    this.unterminated = '"';
    return out;
  }

  private readVariable(): string {
    if (this.text[this.pos] !== '{') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
      if (!name) return '$';
      this.pos += name.length;
      return this.lookup(name);
    }
    this.pos++;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0] ?? '';
    this.pos += name.length;
    const op = /^(:-|:\+|-|\+|:\?|\?)/.exec(this.text.slice(this.pos))?.[0];
    if (!op) {
      if (this.text[this.pos] === '}') this.pos++;
      return this.lookup(name);
    }
    this.pos += op.length;
    const word = this.readAll('}');
    this.pos++; // the closing brace
    const value = this.vars.get(name);
    const set = value !== undefined && (!op.startsWith(':') || value !== '');
    if (op.endsWith('-')) return set ? value : word;
    if (op.endsWith('+')) return set ? word : '';
    if (!set) this.unknown.push(name);
    return value ?? '';
  }

  private lookup(name: string): string {
    const value = this.vars.get(name);
    if (value === undefined) this.unknown.push(name);
    return value ?? '';
  }
}
