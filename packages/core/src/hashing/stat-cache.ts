import type { Stats } from 'node:fs';
import { readFileSync, rmSync } from 'node:fs';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';

/**
 * path, size, mtime, ctime, inode → sha256: git-index style, so an unchanged tree is hashed from
 * metadata. A hit asks for 20,000 entries in path order, so the file keeps them in that order and
 * in three flat blocks (numbers, digests, names) that load without one object per entry: the JSON
 * it replaced cost a warm hit 18 ms to parse and 15 ms of map lookups, and most of its garbage.
 *
 * Layout (little-endian): "BSC3", u32 count, u32 byte length of the names, u32 0; then count × 4
 * float64 (size, mtimeMs, ctimeMs, ino); count × 64 ASCII hex digests; the names, each ended by NUL
 * (which no path holds).
 */
const MAGIC = 0x33435342; // "BSC3"
const HEADER_BYTES = 16;
const NUMBERS_PER_ENTRY = 4;
const HEX_DIGEST = 64;
/**
 * A file (or folder) changed within this window of being read could change again inside the same
 * timestamp tick without its metadata moving ("racily clean" in git): such entries are not cached.
 */
export const RACY_WINDOW_MS = 2000;

/** The metadata an entry is keyed by (an lstat's or an fstat's). */
type StatKey = Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>;

interface NewEntry {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
}

export class StatCache {
  /** This run's entries in the order it asked: an index into the loaded ones, or `~k` for added[k]. */
  private readonly next: number[] = [];
  private readonly added: NewEntry[] = [];
  /** Where the next lookup is expected: the caller asks in the saved (path) order. */
  private cursor = 0;
  private byPath: Map<string, number> | undefined;

  private constructor(
    private readonly stateDir: string | undefined,
    private readonly file: string | undefined,
    private readonly paths: readonly string[],
    private readonly numbers: Float64Array,
    /** The digests' hex text, 64 bytes each. */
    private readonly digests: Buffer,
  ) {}

  /** Loads the cache for one context folder; a missing or corrupt cache is an empty one. */
  static load(stateDir: string | undefined, contextDir: string): StatCache {
    if (!stateDir) return StatCache.empty(undefined, undefined);
    const file = stateFileFor(stateDir, 'stat-cache', contextDir, '.bin');
    try {
      return StatCache.decode(stateDir, file, readFileSync(file)) ?? StatCache.empty(stateDir, file);
    } catch {
      return StatCache.empty(stateDir, file); // no cache yet: start over
    }
  }

  private static empty(stateDir: string | undefined, file: string | undefined): StatCache {
    return new StatCache(stateDir, file, [], new Float64Array(0), Buffer.alloc(0));
  }

  /** The cache in `bytes`, or undefined when they are not one (a torn or foreign file). */
  private static decode(stateDir: string, file: string, bytes: Buffer): StatCache | undefined {
    if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) return undefined;
    const count = bytes.readUInt32LE(4);
    const namesBytes = bytes.readUInt32LE(8);
    const numbersAt = HEADER_BYTES;
    const digestsAt = numbersAt + count * NUMBERS_PER_ENTRY * 8;
    const namesAt = digestsAt + count * HEX_DIGEST;
    if (namesAt + namesBytes !== bytes.length) return undefined;
    // A Float64Array needs its offset aligned to 8; a pooled buffer may not be.
    const aligned = (bytes.byteOffset + numbersAt) % 8 === 0 ? bytes : Buffer.from(bytes);
    const numbers = new Float64Array(
      aligned.buffer,
      aligned.byteOffset + numbersAt,
      count * NUMBERS_PER_ENTRY,
    );
    const paths = count === 0 ? [] : bytes.toString('utf8', namesAt, namesAt + namesBytes - 1).split('\0');
    if (paths.length !== count) return undefined;
    return new StatCache(stateDir, file, paths, numbers, bytes.subarray(digestsAt, namesAt));
  }

  /** Whether the cache knows no file (a folder never hashed here): every file will be read. */
  get isEmpty(): boolean {
    return this.paths.length === 0;
  }

  /** The digest recorded for `path` when its metadata is unchanged. */
  get(path: string, stats: Stats): string | undefined {
    const i = this.indexOf(path);
    if (i < 0) return undefined;
    const at = i * NUMBERS_PER_ENTRY;
    const n = this.numbers;
    if (
      n[at] !== stats.size ||
      n[at + 1] !== stats.mtimeMs ||
      n[at + 2] !== stats.ctimeMs ||
      n[at + 3] !== stats.ino
    )
      return undefined;
    this.next.push(i);
    // A string of its own: a slice of one large string costs more each time the digest is used.
    return this.digests.toString('latin1', i * HEX_DIGEST, (i + 1) * HEX_DIGEST);
  }

  /** Remembers a digest just computed (unless the file changed too recently to trust its metadata). */
  set(path: string, stats: StatKey, sha256: string): void {
    const newest = Math.max(stats.mtimeMs, stats.ctimeMs);
    if (Date.now() - newest < RACY_WINDOW_MS) return;
    this.next.push(~this.added.length);
    this.added.push({
      path,
      size: stats.size,
      mtimeMs: stats.mtimeMs,
      ctimeMs: stats.ctimeMs,
      ino: stats.ino,
      sha256,
    });
  }

  /** Writes the entries used by this run (atomically: write, then rename). */
  save(): void {
    // An unchanged tree leaves the cache as it was: no write on the warm path.
    if (!this.stateDir || !this.file || this.unchanged()) return;
    const count = this.next.length;
    const names = this.next.map((i) =>
      i >= 0 ? (this.paths[i] as string) : (this.added[~i] as NewEntry).path,
    );
    const namesBytes = count === 0 ? 0 : Buffer.byteLength(names.join('\0')) + 1;
    const digestsAt = HEADER_BYTES + count * NUMBERS_PER_ENTRY * 8;
    const namesAt = digestsAt + count * HEX_DIGEST;
    const bytes = Buffer.alloc(namesAt + namesBytes);
    bytes.writeUInt32LE(MAGIC, 0);
    bytes.writeUInt32LE(count, 4);
    bytes.writeUInt32LE(namesBytes, 8);
    const numbers = new Float64Array(
      bytes.buffer,
      bytes.byteOffset + HEADER_BYTES,
      count * NUMBERS_PER_ENTRY,
    );
    this.next.forEach((i, k) => {
      const at = k * NUMBERS_PER_ENTRY;
      if (i >= 0) {
        numbers.set(this.numbers.subarray(i * NUMBERS_PER_ENTRY, (i + 1) * NUMBERS_PER_ENTRY), at);
        this.digests.copy(bytes, digestsAt + k * HEX_DIGEST, i * HEX_DIGEST, (i + 1) * HEX_DIGEST);
      } else {
        const entry = this.added[~i] as NewEntry;
        numbers.set([entry.size, entry.mtimeMs, entry.ctimeMs, entry.ino], at);
        bytes.write(entry.sha256, digestsAt + k * HEX_DIGEST, 'latin1');
      }
    });
    if (count > 0) bytes.write(`${names.join('\0')}\0`, namesAt, 'utf8');
    stateSubdir(this.stateDir, 'stat-cache');
    writeStateFile(this.file, bytes); // file names and digests of private projects
    rmSync(this.file.replace(/\.bin$/, '.json'), { force: true }); // the JSON cache this format replaced
  }

  /** Whether this run used exactly the loaded entries, in their order. */
  private unchanged(): boolean {
    if (this.added.length > 0 || this.next.length !== this.paths.length) return false;
    return this.next.every((i, k) => i === k);
  }

  private indexOf(path: string): number {
    if (this.paths[this.cursor] === path) return this.cursor++;
    // The tree changed (a file added or removed) or the caller asks out of order: look it up.
    this.byPath ??= new Map(this.paths.map((p, i) => [p, i]));
    const i = this.byPath.get(path);
    if (i === undefined) return -1;
    this.cursor = i + 1;
    return i;
  }
}
