import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { ButlerError } from '../kernel/errors.js';
import type { HashInputs, InputFile } from '../kernel/types.js';
import { FileHasher } from './file-digest.js';
import { createSha256, sha256Hex } from './sha256.js';
import { StatCache } from './stat-cache.js';

/** Bumped whenever the serialisation below changes, so old and new hashes never collide. */
const HASH_FORMAT = 'devops-butler/inputs/v1';

/**
 * Digests the given context entries (type, executable bit, content or link target) with the stat
 * cache. Synchronous file system calls on purpose: for tens of thousands of small files the
 * promise API's thread-pool round trips cost several times the work itself (measured: 20,000
 * lstat calls 350 ms async, 145 ms sync), and a CLI has nothing else to do meanwhile. Files the
 * cache does not know are hashed on every core.
 */
export async function digestFileInputs(
  context: string,
  paths: readonly string[],
  stateDir: string | undefined,
  ahead?: HashingAhead,
): Promise<InputFile[]> {
  const root = resolve(context);
  const cache = ahead?.cache ?? StatCache.load(stateDir, root);
  const reuse = ahead?.hasher !== undefined && sameList(ahead.paths, paths);
  // Not reused when the plugins changed the list: start over.
  if (!reuse) ahead?.hasher?.close();
  // Files the cache does not know start hashing on the second core while the rest are stated.
  const hasher = reuse && ahead?.hasher ? ahead.hasher : new FileHasher(paths.length);
  // Context paths are clean and relative (the walk makes them): plain concatenation, not path.join.
  const prefix = contextPrefix(root);
  let results: InputFile[];
  try {
    results = cache.isEmpty
      ? await digestAll(paths, prefix, hasher, cache, reuse)
      : await digestChanged(paths, prefix, hasher, cache);
  } finally {
    hasher.close(); // on an unreadable entry too: no thread is left hashing
  }
  try {
    cache.save();
  } catch {
    // a cache that cannot be written only costs speed
  }
  return results;
}

/**
 * A folder never hashed here (a fresh checkout): every file is read, so the threads that read them
 * state them too, on the open file, instead of this thread stating them all by name first (20,000
 * files: 130 ms, while the second core alone hashed). The entries that are no regular file
 * (folders, symlinks) are stated by name afterwards.
 */
async function digestAll(
  paths: readonly string[],
  prefix: string,
  hasher: FileHasher,
  cache: StatCache,
  queued: boolean,
): Promise<InputFile[]> {
  if (!queued) queueAll(hasher, paths, prefix);
  const digests = await hashAll(hasher);
  return paths.map((path, i) => {
    const sha256 = digests[i];
    if (sha256 === undefined) {
      // No regular file when it was opened: a folder or a symlink, stated by name.
      const absolute = prefix + path;
      const entry = folderOrLink(
        path,
        absolute,
        unreadableAs(path, () => lstatSync(absolute)),
      );
      if (!entry) throw changedType(path);
      return entry;
    }
    const stats = hasher.statOf(i);
    cache.set(path, stats, sha256);
    return { path, type: 'file', executable: (stats.mode & 0o111) !== 0, size: stats.size, sha256 };
  });
}

function queueAll(hasher: FileHasher, paths: readonly string[], prefix: string): void {
  hasher.expect(paths.length);
  for (const path of paths) hasher.add(prefix + path);
}

/**
 * The folder's stat cache, loaded before the plugins had their say on the list, and the files
 * queued for hashing then when the cache knows none (see `hashAhead`).
 */
export interface HashingAhead {
  paths: readonly string[];
  cache: StatCache;
  hasher?: FileHasher;
}

/**
 * Loads the folder's stat cache; when it knows no file (every file will be read), starts hashing
 * the collected files on the second core at once, while the resolveContext plugins still run on
 * this one. Pass it to `digestFileInputs`, which finishes the job when the list is unchanged; close
 * its hasher when it is not used.
 */
export function hashAhead(
  context: string,
  paths: readonly string[],
  stateDir: string | undefined,
): HashingAhead {
  const root = resolve(context);
  const cache = StatCache.load(stateDir, root);
  if (!cache.isEmpty) return { paths, cache };
  const hasher = new FileHasher(paths.length);
  queueAll(hasher, paths, contextPrefix(root));
  return { paths, cache, hasher };
}

/** A resolved context folder with one trailing slash: a context path appended names its file. */
export function contextPrefix(root: string): string {
  return root.endsWith('/') ? root : `${root}/`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((path, i) => path === b[i]));
}

/** A folder hashed here before: each entry is stated, and only files the cache does not know are read. */
async function digestChanged(
  paths: readonly string[],
  prefix: string,
  hasher: FileHasher,
  cache: StatCache,
): Promise<InputFile[]> {
  const results: InputFile[] = [];
  const misses: { index: number; stats: Stats }[] = [];
  for (const path of paths) {
    const absolute = prefix + path;
    const stats = unreadableAs(path, () => lstatSync(absolute));
    const entry = folderOrLink(path, absolute, stats);
    if (entry) results.push(entry);
    else {
      const sha256 = cache.get(path, stats);
      if (sha256 === undefined) {
        hasher.add(absolute, stats.size);
        misses.push({ index: results.length, stats });
      }
      // Every field in the literal, the digest too: one object shape for all files.
      const executable = (stats.mode & 0o111) !== 0;
      results.push({ path, type: 'file', executable, size: stats.size, sha256 });
    }
  }
  const digests = await hashAll(hasher);
  misses.forEach((miss, i) => {
    const file = results[miss.index] as InputFile;
    const sha256 = digests[i];
    // Stated as a file, opened as something else: it is being replaced under us.
    if (sha256 === undefined) throw changedType(file.path);
    file.sha256 = sha256;
    cache.set(file.path, miss.stats, sha256);
  });
  return results;
}

async function hashAll(hasher: FileHasher): Promise<(string | undefined)[]> {
  return hasher.digests().catch((error: unknown) => {
    throw unreadable('a file', error);
  });
}

/** The entry of a folder or a symlink (with its target); undefined for anything else. */
function folderOrLink(path: string, absolute: string, stats: Stats): InputFile | undefined {
  if (stats.isDirectory()) return { path, type: 'dir', executable: false, size: 0 };
  if (!stats.isSymbolicLink()) return undefined;
  const linkTarget = unreadableAs(path, () => readlinkSync(absolute));
  return { path, type: 'symlink', executable: false, size: 0, linkTarget };
}

function changedType(path: string): ButlerError {
  return new ButlerError(
    'FILE_UNREADABLE',
    `"${path}" changed from one kind of entry to another while it was read`,
    {
      hint: 'run the build again once the files stop changing',
    },
  );
}

function unreadableAs<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): ButlerError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const where = (error as NodeJS.ErrnoException).path ?? path;
  // A name that is not UTF-8 reaches us with U+FFFD in place of its bytes: no such file exists.
  if (code === 'ENOENT' && where.includes('\uFFFD')) {
    return new ButlerError(
      'FILE_UNREADABLE',
      `the name of "${where}" in the build context is not valid UTF-8`,
      {
        cause: error,
        hint: 'rename it (Docker needs UTF-8 names in a build context) or add it to .dockerignore',
      },
    );
  }
  if (code === 'ENOENT') {
    return new ButlerError(
      'FILE_UNREADABLE',
      `"${where}" disappeared from the build context while it was read`,
      {
        cause: error,
        hint: 'run the build again once the files stop changing',
      },
    );
  }
  return new ButlerError('FILE_UNREADABLE', `cannot read "${where}" in the build context (${code})`, {
    cause: error,
    hint: 'fix its permissions or add it to .dockerignore',
  });
}

/** The sha256 (hex) of every input, serialised in a fixed order with nothing machine-specific in it. */
export function computeDigest(inputs: HashInputs): string {
  const hash = createSha256();
  // Lines are gathered and fed to the hash in large pieces: one update per line costs more than
  // the hashing for tens of thousands of files. The bytes hashed are the same.
  let pending = '';
  const line = (...parts: string[]): void => {
    pending += `${parts.map((p) => JSON.stringify(p)).join(' ')}\n`;
    if (pending.length > 65_536) {
      hash.update(pending);
      pending = '';
    }
  };
  line(HASH_FORMAT);
  line('dockerfile', sha256Hex(inputs.dockerfile));
  line('target', inputs.target);
  line('platform', inputs.platform);
  // Named only when known, so an offline hash of a builder-neutral request keeps its old value.
  if (inputs.builder) line('builder', inputs.builder);
  for (const [name, value] of sortedEntries(inputs.buildArgs)) line('arg', name, value);
  for (const [reference, identity] of sortedEntries(inputs.images)) line('image', reference, identity);
  for (const [plugin, fingerprint] of sortedEntries(inputs.contributions))
    line('plugin', plugin, fingerprint);
  const files = sortedByPath(inputs.files);
  for (const file of files) {
    if (file.type === 'file') {
      // The same bytes `line('file', path, mode, sha)` writes, without an array and four strings
      // per file (20,000 files: the garbage was a tenth of a hit). A digest is hex: no escaping.
      pending += `"file" ${JSON.stringify(file.path)} ${file.executable ? '"x"' : '"-"'} "${file.sha256 ?? ''}"\n`;
      if (pending.length > 65_536) {
        hash.update(pending);
        pending = '';
      }
    } else if (file.type === 'symlink') line('symlink', file.path, file.linkTarget ?? '');
    else line('dir', file.path);
  }
  hash.update(pending);
  return hash.digest();
}

/** The files in path order; the list usually comes sorted already, and then is not sorted again. */
function sortedByPath(files: readonly InputFile[]): readonly InputFile[] {
  for (let i = 1; i < files.length; i++) {
    if ((files[i - 1] as InputFile).path >= (files[i] as InputFile).path) {
      return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
  }
  return files;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
