import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, stateSubdir } from '../state/state-dir.js';

/**
 * path, size, mtime, ctime, inode → sha256: git-index style, so an unchanged tree is hashed from
 * metadata. Kept as the file stores it (one array per file, the path first): loading 20,000 of them
 * makes no second array each.
 */
type CacheEntry = [path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string];

// v2: entries as an array of [path, ...entry] — parses faster than an object keyed by path.
const VERSION = 2;
/**
 * A file changed within this window of being hashed could change again inside the same timestamp
 * tick without its metadata moving ("racily clean" in git): such entries are not cached.
 */
const RACY_WINDOW_MS = 2000;

export class StatCache {
  private readonly next = new Map<string, CacheEntry>();
  private changed = false;

  private constructor(
    private readonly stateDir: string | undefined,
    private readonly file: string | undefined,
    private readonly previous: Map<string, CacheEntry>,
  ) {}

  /** Loads the cache for one context folder; a missing or corrupt cache is an empty one. */
  static async load(stateDir: string | undefined, contextDir: string): Promise<StatCache> {
    if (!stateDir) return new StatCache(undefined, undefined, new Map());
    const key = createHash('sha256').update(contextDir).digest('hex').slice(0, 32);
    const file = join(stateDir, 'stat-cache', `${key}.json`);
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { version: number; entries: CacheEntry[] };
      if (data.version === VERSION) {
        const previous = new Map<string, CacheEntry>();
        for (const entry of data.entries) previous.set(entry[0], entry);
        return new StatCache(stateDir, file, previous);
      }
    } catch {
      // No cache yet, or a torn write from a crash: start over.
    }
    return new StatCache(stateDir, file, new Map());
  }

  get(path: string, stats: Stats): string | undefined {
    const entry = this.previous.get(path);
    if (!entry) return undefined;
    const [, size, mtimeMs, ctimeMs, ino, sha] = entry;
    const same =
      size === stats.size && mtimeMs === stats.mtimeMs && ctimeMs === stats.ctimeMs && ino === stats.ino;
    if (same) this.next.set(path, entry);
    return same ? sha : undefined;
  }

  set(path: string, stats: Stats, sha256: string): void {
    const newest = Math.max(stats.mtimeMs, stats.ctimeMs);
    if (Date.now() - newest < RACY_WINDOW_MS) return;
    this.next.set(path, [path, stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino, sha256]);
    this.changed = true;
  }

  /** Writes the entries used by this run (atomically: write, then rename). */
  async save(): Promise<void> {
    // An unchanged tree leaves the cache as it was: no write on the warm path.
    if (!this.stateDir || !this.file || (!this.changed && this.next.size === this.previous.size)) return;
    stateSubdir(this.stateDir, 'stat-cache');
    const tmp = `${this.file}.${process.pid}.tmp`;
    const entries = [...this.next.values()];
    // File names and digests of private projects: the owner's alone.
    await writeFile(tmp, JSON.stringify({ version: VERSION, entries }), { mode: PRIVATE_FILE_MODE });
    await rename(tmp, this.file);
  }
}
