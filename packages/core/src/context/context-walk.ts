import { type Dirent, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ButlerError } from '../kernel/errors.js';
import type { InputFileType } from '../kernel/types.js';
import type { ReadFolder } from './listing-cache.js';

export interface ContextEntry {
  path: string;
  type: InputFileType;
}

/**
 * Lists the context as Docker sends it: every entry not ignored, sorted by path. An ignored folder
 * is skipped whole unless an exception could re-include something below it; then it is walked and
 * kept only if something below it is kept (BuildKit's and the classic builder's rule).
 */
export async function walkContext(
  root: string,
  isIgnored: (relPath: string) => boolean,
  hasExceptions: boolean,
  /** Filled with every folder read and its stat just before (for the listing cache). */
  read?: ReadFolder[],
): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  await walkDir(root, '', isIgnored, hasExceptions, entries, read);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walkDir(
  root: string,
  relDir: string,
  isIgnored: (relPath: string) => boolean,
  hasExceptions: boolean,
  out: ContextEntry[],
  read: ReadFolder[] | undefined,
): Promise<boolean> {
  let dirents: Dirent[];
  try {
    // Stated before it is read: a change in between shows as a newer stat next time.
    if (read) read.push({ path: relDir, stats: (relDir ? lstatSync : statSync)(join(root, relDir)) });
    // Entry types come with the listing: no lstat per entry. Synchronous, like the hashing: for many
    // small folders the promise API's round trips cost more than the reads.
    dirents = readdirSync(join(root, relDir), { withFileTypes: true });
  } catch (error) {
    throw unreadable(relDir || '.', error);
  }
  let keptAny = false;
  for (const stats of dirents) {
    const relPath = relDir ? `${relDir}/${stats.name}` : stats.name;
    const ignored = isIgnored(relPath);
    if (stats.isDirectory()) {
      if (ignored && !hasExceptions) continue;
      const index = out.length;
      const keptBelow = await walkDir(root, relPath, isIgnored, hasExceptions, out, read);
      if (!ignored || keptBelow) {
        out.splice(index, 0, { path: relPath, type: 'dir' });
        keptAny = true;
      }
    } else if (!ignored) {
      if (!stats.isFile() && !stats.isSymbolicLink()) continue; // sockets, fifos: Docker skips them too
      out.push({ path: relPath, type: stats.isSymbolicLink() ? 'symlink' : 'file' });
      keptAny = true;
    }
  }
  return keptAny;
}

function unreadable(relPath: string, cause: unknown): ButlerError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new ButlerError('FILE_UNREADABLE', `cannot read "${relPath}" in the build context (${code})`, {
    cause,
    hint: 'fix its permissions or add it to .dockerignore',
  });
}
