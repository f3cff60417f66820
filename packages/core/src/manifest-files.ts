import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ManifestProblem } from './dependencies.js';

/** What a manifest plugin's parser may read: only the files the build itself uses. */
export interface ManifestFiles {
  /** Context-relative paths of this ecosystem's manifests among the build's inputs, sorted. */
  readonly found: readonly string[];
  /** True when the build uses this context-relative path. */
  has(path: string): boolean;
  /** The path `name` beside `file` (`a/package.json`, `package-lock.json` → `a/package-lock.json`). */
  sibling(file: string, name: string): string;
  /**
   * Reads and parses a file the build uses. A parse failure becomes a problem naming the file and
   * line (the build goes on with the bytes hashed); `undefined` is returned for it.
   */
  parse<T>(path: string, parser: (text: string) => T): T | undefined;
}

/** Creates the parser's view of the context, collecting problems as it goes. */
export function createManifestFiles(
  contextDir: string,
  inputs: readonly string[],
  found: readonly string[],
  problems: ManifestProblem[],
): ManifestFiles {
  const used = new Set(inputs);
  return {
    found,
    has: (path) => used.has(path),
    sibling: (file, name) => posix.join(posix.dirname(file), name),
    parse(path, parser) {
      if (!used.has(path)) return undefined;
      let text: string;
      try {
        text = readFileSync(join(contextDir, path), 'utf8');
      } catch (error) {
        problems.push({ file: path, message: (error as Error).message });
        return undefined;
      }
      try {
        return parser(text);
      } catch (error) {
        const line = lineOfError(error, text);
        problems.push({
          file: path,
          ...(line === undefined ? {} : { line }),
          message: firstLine((error as Error).message ?? String(error)),
        });
        return undefined;
      }
    },
  };
}

/** The 1-based line a parser's error points at, from whatever its library reports. */
export function lineOfError(error: unknown, text: string): number | undefined {
  const e = error as { line?: unknown; linePos?: { line: number }[]; message?: string };
  if (typeof e.line === 'number') return e.line;
  if (Array.isArray(e.linePos) && typeof e.linePos[0]?.line === 'number') return e.linePos[0].line;
  const message = e.message ?? '';
  const lineMatch = /\bline (\d+)/i.exec(message);
  if (lineMatch) return Number(lineMatch[1]);
  const position = /\bposition (\d+)/.exec(message);
  if (position) {
    // A position past the last character (a truncated file) is reported on the last line.
    const offset = Math.min(Number(position[1]), text.trimEnd().length);
    return text.slice(0, offset).split('\n').length;
  }
  // Node 20's JSON.parse names no position for a truncated document: it ends on the last line.
  if (/end of JSON input/i.test(message)) return text.trimEnd().split('\n').length;
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? '';
}
