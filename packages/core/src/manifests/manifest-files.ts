import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { sha256Hex } from '../hashing/sha256.js';
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
   * line (the build goes on with the bytes hashed); `undefined` is returned for it. A link that
   * leads out of the context, or anything but a regular file, is never opened.
   */
  parse<T>(path: string, parser: (text: string) => T): T | undefined;
}

/**
 * What a parse asked about the context: each `has` answer, and each file it read with the digest
 * of its text (or `!` and why it could not be read). The parse cache compares them next time.
 */
export interface ManifestReads {
  has: [path: string, had: boolean][];
  files: [path: string, digest: string][];
}

/** Creates the parser's view of the context, collecting problems (and, given `reads`, what it read) as it goes. */
export function createManifestFiles(
  contextDir: string,
  inputs: readonly string[],
  found: readonly string[],
  problems: ManifestProblem[],
  reads?: ManifestReads,
): ManifestFiles {
  const used = new Set(inputs);
  return {
    found,
    has: (path) => {
      const had = used.has(path);
      reads?.has.push([path, had]);
      return had;
    },
    sibling: (file, name) => posix.join(posix.dirname(file), name),
    parse(path, parser) {
      if (!used.has(path)) return undefined;
      const read = readManifestText(contextDir, path);
      reads?.files.push([path, read.digest]);
      if (read.text === undefined) {
        problems.push({ file: path, message: read.error, unread: true });
        return undefined;
      }
      const text = read.text;
      try {
        return parser(text);
      } catch (error) {
        // The parser's own message may quote the line (a secret, if the file is one): only the
        // line number leaves this function.
        const line = lineOfError(error, text);
        problems.push({ file: path, ...(line === undefined ? {} : { line }), message: 'not valid syntax' });
        return undefined;
      }
    },
  };
}

/**
 * A manifest's text, and the digest the parse cache compares (`!reason` when it cannot be read):
 * only a regular file whose real path lies inside the context is opened.
 */
export function readManifestText(
  contextDir: string,
  path: string,
): { text: string; digest: string; error?: undefined } | { text?: undefined; digest: string; error: string } {
  try {
    const text = readInsideContext(realpathSync(contextDir), join(contextDir, path));
    return { text, digest: sha256Hex(text) };
  } catch (error) {
    const message = (error as Error).message;
    return { digest: `!${message}`, error: message };
  }
}

/** The 1-based line a parser's error points at, from whatever its library reports. */
export function lineOfError(error: unknown, text: string): number | undefined {
  const e = error as { line?: unknown; linePos?: { line: number }[]; message?: string };
  if (typeof e.line === 'number') return e.line;
  if (Array.isArray(e.linePos) && typeof e.linePos[0]?.line === 'number') return e.linePos[0].line;
  const message = e.message ?? '';
  const lineMatch = /\bline (\d+)/i.exec(message);
  // Node 22+'s JSON.parse names a line: past the end of a truncated file, the line after its last.
  if (lineMatch) return Math.min(Number(lineMatch[1]), text.trimEnd().split('\n').length);
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

/** The largest manifest read; a lockfile this big is not a lockfile, and parsing it costs minutes. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * A manifest's text, read only when it is a regular file whose real path lies inside the context
 * (`root`, itself a real path). Docker sends a link as a link: what it points to outside the
 * context is not part of the image, and may be a credentials file. A FIFO would block the read.
 */
function readInsideContext(root: string, path: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new Error('is a link to a place outside the build context; not read');
  }
  const stat = statSync(real);
  if (!stat.isFile()) throw new Error('is not a regular file; not read');
  if (stat.size > MAX_MANIFEST_BYTES) throw new Error('is larger than 64 MiB; not read');
  try {
    return readFileSync(real, 'utf8');
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
