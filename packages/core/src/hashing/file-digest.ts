import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';

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

/** What became of a queued file (the shared claims array): taken by a thread, then hashed. */
export const CLAIM = { free: 0, worker: 1, main: 2, hashed: 3 } as const;
export const RAW_DIGEST_BYTES = 32;

/**
 * Streams a file through `buffer` into sha256: never more than the buffer in memory. With the size
 * lstat gave, a short read that ends exactly there is the end: no extra read to see 0 bytes (one
 * system call in four for a small file). Any other short read goes on until a read returns 0.
 */
export function sha256OfFile(absolute: string, buffer: Buffer, expectedSize = -1): string {
  return streamInto(createHash('sha256'), absolute, buffer, expectedSize).digest('hex');
}

/** The same, as raw bytes (the worker's answer, written to shared memory). */
export function rawSha256OfFile(absolute: string, buffer: Buffer, expectedSize = -1): Buffer {
  return streamInto(createHash('sha256'), absolute, buffer, expectedSize).digest();
}

function streamInto(hash: Hash, absolute: string, buffer: Buffer, expectedSize: number): Hash {
  const fd = openSync(absolute, 'r');
  try {
    let total = 0;
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      hash.update(read === buffer.length ? buffer : buffer.subarray(0, read));
      total += read;
      if (read < buffer.length && total === expectedSize) break;
    }
  } finally {
    closeSync(fd);
  }
  return hash;
}

/**
 * Hashes files on both cores while the caller is still finding them. Files are queued as the
 * caller states them; once the queue holds enough work, a worker thread starts and hashes from the
 * front while the caller goes on. When the caller is done queueing, it hashes from the back until
 * the two meet: each file is claimed once in a shared array, so neither thread waits for a fixed
 * half (the worker starts late, and file sizes vary). Small jobs never start a thread.
 */
export class FileHasher {
  private readonly paths: string[] = [];
  private readonly sizes: number[] = [];
  private queuedCost = 0;
  private posted = 0;
  private worker: WorkerThreads.Worker | undefined;
  private workerDone: Promise<void> | undefined;
  /** Made when a worker starts: a warm hit, which hashes nothing, allocates none of it. */
  private shared: { claims: Int32Array; rawDigests: Uint8Array } | undefined;

  /** `capacity`: the most files that can be queued (the caller's list length). */
  constructor(
    private readonly capacity: number,
    private readonly thresholdBytes = PARALLEL_THRESHOLD_BYTES,
  ) {}

  /**
   * Says that about `files` files will be queued (a cold cache: every file). When that alone passes
   * the threshold, the worker starts now and boots while the first files are stated, instead of
   * after 32 MB of them (a fresh checkout: ~25 ms more of the second core).
   */
  expect(files: number): void {
    if (!this.shared && files * COST_PER_FILE_BYTES >= this.thresholdBytes) this.startWorker();
  }

  /** Queues a file; returns its place in the answer of `digests()`. */
  add(absolute: string, size: number): number {
    this.paths.push(absolute);
    this.sizes.push(size);
    this.queuedCost += size + COST_PER_FILE_BYTES;
    if (!this.shared && this.queuedCost >= this.thresholdBytes) this.startWorker();
    if (this.worker && this.paths.length - this.posted >= BATCH_FILES) this.post(false);
    return this.paths.length - 1;
  }

  /** Every queued file's sha256 (hex), in queue order. */
  async digests(): Promise<string[]> {
    const out = new Array<string>(this.paths.length);
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    if (!this.worker || !this.shared) {
      this.paths.forEach((path, i) => {
        out[i] = sha256OfFile(path, buffer, this.sizes[i]);
      });
      return out;
    }
    this.post(true);
    const { claims, rawDigests } = this.shared;
    let i = this.paths.length - 1;
    for (; i >= 0 && Atomics.compareExchange(claims, i, CLAIM.free, CLAIM.main) === CLAIM.free; i--) {
      out[i] = sha256OfFile(this.paths[i] as string, buffer, this.sizes[i]);
    }
    if (i >= 0) await this.workerDone; // the worker took 0..i: wait for its last file
    this.close();
    for (let k = 0; k <= i; k++) {
      out[k] =
        Atomics.load(claims, k) === CLAIM.hashed
          ? Buffer.from(rawDigests.buffer, k * RAW_DIGEST_BYTES, RAW_DIGEST_BYTES).toString('hex')
          : // The worker could not read it (or died first): read it here, to fail with the reason.
            sha256OfFile(this.paths[k] as string, buffer);
    }
    return out;
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
      rawDigests: new Uint8Array(new SharedArrayBuffer(this.capacity * RAW_DIGEST_BYTES)),
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
    this.worker?.postMessage({
      paths: this.paths.slice(this.posted),
      sizes: this.sizes.slice(this.posted),
      end,
    });
    this.posted = this.paths.length;
  }
}
