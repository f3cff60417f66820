import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import { nodeCrypto } from './sha256.js';

/** Each read goes through one reused buffer: memory stays flat whatever the file sizes. */
const READ_BUFFER_BYTES = 1024 * 1024;
/**
 * Below this much work a second thread's start-up (about 20 ms) costs more than it saves. Opening
 * a file costs about as much as hashing 16 KiB of it, so many small files count too.
 */
const PARALLEL_THRESHOLD_BYTES = 32 * 1024 * 1024;
const COST_PER_FILE_BYTES = 16 * 1024;
/** Paths go to the worker in batches: one message per file would cost more than its hashing. */
const BATCH_FILES = 256;
/**
 * Never through a symlink (the last name being one fails with ELOOP: the context walk saw a file
 * there, and a link swapped in since must not lead outside the context), and never waiting on a
 * fifo swapped in for a file (it opens at once, and fstat shows it is no file).
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * What became of a queued file (the shared claims array): taken by a thread, then hashed, or
 * skipped (the worker opened it and found no regular file: nothing to hash).
 */
export const CLAIM = { free: 0, worker: 1, main: 2, hashed: 3, skipped: 4 } as const;
/** Digests cross threads as their hex text (what the caller wants) in shared memory. */
export const HEX_DIGEST_BYTES = 64;
/** Per queued file, what fstat said of it as it was opened: mode, size, mtimeMs, ctimeMs, ino. */
export const STAT_FIELDS = 5;

/** The metadata of a file as it was read (the fields the stat cache and the hash need). */
export interface FileStat {
  mode: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/**
 * Opens a file, states the open file into `stats` at `at` (× STAT_FIELDS) and returns the sha256
 * (hex) of its bytes. Stating the open file rather than the path costs less (no second name lookup)
 * and describes exactly what was read. Undefined when it is not a regular file (a folder, a
 * symlink: mode 0, a fifo): nothing was read, the caller states it by name.
 */
export function hashFile(
  absolute: string,
  buffer: Buffer,
  stats: Float64Array,
  at: number,
): string | undefined {
  let fd: number;
  try {
    fd = openSync(absolute, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    stats.fill(0, at * STAT_FIELDS, (at + 1) * STAT_FIELDS);
    return undefined;
  }
  try {
    const s = fstatSync(fd);
    const k = at * STAT_FIELDS;
    stats[k] = s.mode;
    stats[k + 1] = s.size;
    stats[k + 2] = s.mtimeMs;
    stats[k + 3] = s.ctimeMs;
    stats[k + 4] = s.ino;
    return s.isFile() ? sha256OfFd(fd, buffer, s.size) : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams an open file through `buffer` into sha256: never more than the buffer in memory. With the
 * size fstat gave, a short read that ends exactly there is the end: no extra read to see 0 bytes
 * (one system call in four for a small file). Any other short read (the file grew or shrank since)
 * goes on until a read returns 0.
 */
export function sha256OfFd(fd: number, buffer: Buffer, expectedSize: number): string {
  const first = readSync(fd, buffer);
  // Most files fit one read: a one-shot digest skips a Hash object each (20,000 files: ~25 ms).
  if (first < buffer.length && first === expectedSize) {
    return nodeCrypto().hash('sha256', buffer.subarray(0, first), 'hex');
  }
  const hash = nodeCrypto().createHash('sha256');
  let total = 0;
  for (let read = first; read > 0; read = readSync(fd, buffer)) {
    hash.update(read === buffer.length ? buffer : buffer.subarray(0, read));
    total += read;
    if (read < buffer.length && total === expectedSize) break;
  }
  return hash.digest('hex');
}

/**
 * Hashes files on both cores while the caller is still finding them. Files are queued as the
 * caller finds them; once the queue holds enough work, a worker thread starts and hashes from the
 * front while the caller goes on. When the caller is done queueing, it hashes from the back until
 * the two meet: each file is claimed once in a shared array, so neither thread waits for a fixed
 * half (the worker starts late, and file sizes vary). Small jobs never start a thread. Whichever
 * thread reads a file states it too (`statOf`).
 */
export class FileHasher {
  private readonly paths: string[] = [];
  private queuedCost = 0;
  private posted = 0;
  private worker: WorkerThreads.Worker | undefined;
  private workerDone: Promise<void> | undefined;
  /** Made when a worker starts: a warm hit, which hashes nothing, allocates none of it. */
  private shared: { claims: Int32Array; hexDigests: Uint8Array; stats: Float64Array } | undefined;
  /** STAT_FIELDS numbers per queued file; the shared array when a worker was started. */
  private stats: Float64Array | undefined;

  /** `capacity`: the most files that can be queued (the caller's list length). */
  constructor(
    private readonly capacity: number,
    private readonly thresholdBytes = PARALLEL_THRESHOLD_BYTES,
  ) {}

  /**
   * Says that about `files` files will be queued (a cold cache: every file). When that alone passes
   * the threshold, the worker starts now and boots while the first files are queued, instead of
   * after 32 MB of them (a fresh checkout: ~25 ms more of the second core).
   */
  expect(files: number): void {
    if (!this.shared && files * COST_PER_FILE_BYTES >= this.thresholdBytes) this.startWorker();
  }

  /** Queues a file (`sizeHint`: its size when known, to judge the work); returns its place. */
  add(absolute: string, sizeHint = 0): number {
    this.paths.push(absolute);
    this.queuedCost += sizeHint + COST_PER_FILE_BYTES;
    if (!this.shared && this.queuedCost >= this.thresholdBytes) this.startWorker();
    if (this.worker && this.paths.length - this.posted >= BATCH_FILES) this.post(false);
    return this.paths.length - 1;
  }

  /**
   * Every queued file's sha256 (hex), in queue order; undefined for one that was no regular file
   * when it was opened (see `hashFile`).
   */
  async digests(): Promise<(string | undefined)[]> {
    const out = new Array<string | undefined>(this.paths.length);
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    if (!this.worker || !this.shared) {
      const stats = this.shared?.stats ?? new Float64Array(this.paths.length * STAT_FIELDS);
      this.stats = stats;
      this.paths.forEach((path, i) => {
        out[i] = hashFile(path, buffer, stats, i);
      });
      return out;
    }
    this.post(true);
    const { claims, hexDigests, stats } = this.shared;
    const digestText = Buffer.from(hexDigests.buffer);
    this.stats = stats;
    let i = this.paths.length - 1;
    for (; i >= 0 && Atomics.compareExchange(claims, i, CLAIM.free, CLAIM.main) === CLAIM.free; i--) {
      out[i] = hashFile(this.paths[i] as string, buffer, stats, i);
    }
    if (i >= 0) await this.workerDone; // the worker took 0..i: wait for its last file
    this.close();
    for (let k = 0; k <= i; k++) {
      const claim = Atomics.load(claims, k);
      if (claim === CLAIM.hashed) {
        out[k] = digestText.toString('latin1', k * HEX_DIGEST_BYTES, (k + 1) * HEX_DIGEST_BYTES);
      } else if (claim !== CLAIM.skipped) {
        // The worker could not read it (or died first): read it here, to fail with the reason.
        out[k] = hashFile(this.paths[k] as string, buffer, stats, k);
      }
    }
    return out;
  }

  /** What fstat said of queued file `i` as it was read (after `digests()`). */
  statOf(i: number): FileStat {
    const n = this.stats as Float64Array;
    const k = i * STAT_FIELDS;
    return {
      mode: n[k] as number,
      size: n[k + 1] as number,
      mtimeMs: n[k + 2] as number,
      ctimeMs: n[k + 3] as number,
      ino: n[k + 4] as number,
    };
  }

  /** How many files the worker thread has hashed so far (0 without one). */
  get workerShare(): number {
    if (!this.shared) return 0;
    let hashed = 0;
    for (let k = 0; k < this.paths.length; k++)
      if (Atomics.load(this.shared.claims, k) === CLAIM.hashed) hashed++;
    return hashed;
  }

  /** Stops the worker thread, if one runs (idempotent). */
  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private startWorker(): void {
    this.shared = {
      claims: new Int32Array(new SharedArrayBuffer(this.capacity * 4)),
      hexDigests: new Uint8Array(new SharedArrayBuffer(this.capacity * HEX_DIGEST_BYTES)),
      stats: new Float64Array(new SharedArrayBuffer(this.capacity * STAT_FIELDS * 8)),
    };
    if (availableParallelism() < 2) return;
    try {
      // Loaded here, by a job big enough to share: a hit never starts a thread (~2 ms of loading).
      const { Worker } = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
      const worker = new Worker(new URL('./file-digest-worker.js', import.meta.url), {
        workerData: this.shared,
        // A worker inherits the parent's flags, and some (`--input-type`, `--require x`) stop it
        // from starting; reading and hashing files needs none of them.
        execArgv: [],
      });
      // Settles when the worker says it is done, fails or exits: whatever it left, this thread does.
      this.workerDone = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('error', () => resolve());
        worker.once('exit', () => resolve());
      });
      this.worker = worker;
    } catch {
      // no second thread to be had: this one does it all
    }
  }

  private post(end: boolean): void {
    this.worker?.postMessage({ paths: this.paths.slice(this.posted), end });
    this.posted = this.paths.length;
  }
}
