import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';

/** Each read goes through one reused buffer: memory stays flat whatever the file sizes. */
const READ_BUFFER_BYTES = 1024 * 1024;
/** Below this much to read, a worker thread's start-up costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 64 * 1024 * 1024;

/** Streams a file through `buffer` into sha256: never more than the buffer in memory. */
export function sha256OfFile(absolute: string, buffer: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(absolute, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Hashes files in this thread. */
export function sha256OfFiles(absolutePaths: readonly string[]): string[] {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  return absolutePaths.map((path) => sha256OfFile(path, buffer));
}

/**
 * Hashes many files on every core: large jobs are split in halves by bytes, one half hashed by a
 * worker thread while this thread hashes the other. Small jobs stay in this thread.
 */
export async function sha256OfFilesInParallel(
  files: readonly { path: string; size: number }[],
  thresholdBytes = PARALLEL_THRESHOLD_BYTES,
): Promise<string[]> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total < thresholdBytes || availableParallelism() < 2) return sha256OfFiles(files.map((f) => f.path));
  let split = 0;
  for (let bytes = 0; split < files.length && bytes < total / 2; split++)
    bytes += (files[split] as { size: number }).size;
  const theirs = files.slice(0, split).map((f) => f.path);
  let worker: WorkerThreads.Worker;
  try {
    // Loaded here, by a miss big enough to share: a hit never starts a thread (~2 ms of loading).
    const { Worker } = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
    worker = new Worker(new URL('./file-digest-worker.js', import.meta.url), {
      workerData: theirs,
      // A worker inherits the parent's flags, and some (`--input-type`, `--require x`) stop it from
      // starting; reading and hashing files needs none of them.
      execArgv: [],
    });
  } catch {
    return sha256OfFiles(files.map((f) => f.path)); // no second thread to be had: one is enough
  }
  const fromWorker = new Promise<string[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Let the worker's errors surface through the awaited promise, not as an unhandled rejection.
  fromWorker.catch(() => undefined);
  try {
    const ours = sha256OfFiles(files.slice(split).map((f) => f.path));
    return [...(await fromWorker), ...ours];
  } finally {
    await worker.terminate();
  }
}
