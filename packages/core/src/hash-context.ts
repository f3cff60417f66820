import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ButlerError } from './errors.js';
import { StatCache } from './stat-cache.js';
import type { HashInputs, InputFile } from './types.js';

/** Files are hashed this many at a time: enough to keep the disk busy, few enough for small memory. */
const PARALLEL_READS = 16;
/** Bumped whenever the serialisation below changes, so old and new hashes never collide. */
const HASH_FORMAT = 'devops-butler/inputs/v1';

/** Digests the given context entries (type, executable bit, content or link target) with the stat cache. */
export async function digestFileInputs(
  context: string,
  paths: readonly string[],
  stateDir: string | undefined,
): Promise<InputFile[]> {
  const root = resolve(context);
  const cache = await StatCache.load(stateDir, root);
  const results: InputFile[] = new Array(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < paths.length; i = next++) {
      results[i] = await digestOne(root, paths[i] as string, cache);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, paths.length) }, worker));
  await cache.save().catch(() => undefined); // a cache that cannot be written only costs speed
  return results;
}

async function digestOne(root: string, path: string, cache: StatCache): Promise<InputFile> {
  const absolute = join(root, path);
  try {
    const stats = await lstat(absolute);
    const executable = (stats.mode & 0o111) !== 0;
    if (stats.isDirectory()) return { path, type: 'dir', executable: false, size: 0 };
    if (stats.isSymbolicLink()) {
      return { path, type: 'symlink', executable: false, size: 0, linkTarget: await readlink(absolute) };
    }
    let sha256 = cache.get(path, stats);
    if (sha256 === undefined) {
      const hash = createHash('sha256');
      await pipeline(createReadStream(absolute, { highWaterMark: 256 * 1024 }), hash);
      sha256 = hash.digest('hex');
      cache.set(path, stats, sha256);
    }
    return { path, type: 'file', executable, size: stats.size, sha256 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ButlerError('FILE_UNREADABLE', `cannot read "${path}" in the build context (${code})`, {
      cause: error,
      hint: 'fix its permissions or add it to .dockerignore',
    });
  }
}

/** The sha256 (hex) of every input, serialised in a fixed order with nothing machine-specific in it. */
export function computeDigest(inputs: HashInputs): string {
  const hash = createHash('sha256');
  const line = (...parts: string[]): void => {
    hash.update(`${parts.map((p) => JSON.stringify(p)).join(' ')}\n`);
  };
  line(HASH_FORMAT);
  line('dockerfile', createHash('sha256').update(inputs.dockerfile).digest('hex'));
  line('target', inputs.target);
  line('platform', inputs.platform);
  for (const [name, value] of sortedEntries(inputs.buildArgs)) line('arg', name, value);
  for (const [reference, identity] of sortedEntries(inputs.images)) line('image', reference, identity);
  for (const [plugin, fingerprint] of sortedEntries(inputs.contributions))
    line('plugin', plugin, fingerprint);
  const files = [...inputs.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of files) {
    if (file.type === 'file') line('file', file.path, file.executable ? 'x' : '-', file.sha256 ?? '');
    else if (file.type === 'symlink') line('symlink', file.path, file.linkTarget ?? '');
    else line('dir', file.path);
  }
  return hash.digest('hex');
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
