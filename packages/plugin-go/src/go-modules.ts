import { ModSyntaxError, parseModSyntax } from './gomod-syntax.js';

export interface GoRequirement {
  path: string;
  version: string;
  indirect: boolean;
}

export interface GoReplacement {
  path: string;
  /** Only that version is replaced when set. */
  version?: string;
  newPath: string;
  /** Absent when the replacement is a local folder. */
  newVersion?: string;
}

export interface GoMod {
  module: string;
  requires: GoRequirement[];
  replaces: GoReplacement[];
}

/** Parses go.mod: module, require (with `// indirect`), replace. */
export function parseGoMod(text: string): GoMod {
  const mod: GoMod = { module: '', requires: [], replaces: [] };
  for (const statement of parseModSyntax(text)) {
    const { verb, args, line } = statement;
    if (verb === 'module') mod.module = args[0] ?? '';
    else if (verb === 'require') {
      if (args.length !== 2) throw new ModSyntaxError('usage: require module/path v1.2.3', line);
      mod.requires.push({
        path: args[0] as string,
        version: args[1] as string,
        indirect: /(^|;)\s*indirect\s*(;|$)/.test(statement.comment),
      });
    } else if (verb === 'replace') mod.replaces.push(parseReplace(args, line));
  }
  return mod;
}

/** Parses go.work: the modules it uses and its replacements. */
export function parseGoWork(text: string): { uses: string[]; replaces: GoReplacement[] } {
  const work = { uses: [] as string[], replaces: [] as GoReplacement[] };
  for (const { verb, args, line } of parseModSyntax(text)) {
    if (verb === 'use') work.uses.push(...args);
    else if (verb === 'replace') work.replaces.push(parseReplace(args, line));
  }
  return work;
}

function parseReplace(args: string[], line: number): GoReplacement {
  const arrow = args.indexOf('=>');
  const left = args.slice(0, arrow);
  const right = args.slice(arrow + 1);
  if (arrow < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
    throw new ModSyntaxError('usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local', line);
  }
  return {
    path: left[0] as string,
    ...(left[1] ? { version: left[1] } : {}),
    newPath: right[0] as string,
    ...(right[1] ? { newVersion: right[1] } : {}),
  };
}

/** Checks go.sum's shape (`module version[/go.mod] h1:hash` per line) and lists the modules it covers. */
export function parseGoSum(text: string): Set<string> {
  const covered = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    if (fields.length !== 3 || !fields[2]?.includes(':')) {
      throw new ModSyntaxError('expected "module version hash"', index + 1);
    }
    covered.add(`${fields[0]}@${(fields[1] as string).replace(/\/go\.mod$/, '')}`);
  });
  return covered;
}
