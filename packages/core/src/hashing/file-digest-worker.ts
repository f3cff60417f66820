import { parentPort, workerData } from 'node:worker_threads';
import { CLAIM, RAW_DIGEST_BYTES, rawSha256OfFile } from './file-digest.js';

// The second core's share of a hashing job (see FileHasher): files arrive in batches while the
// main thread still states them; this thread hashes from the front of the queue until it reaches a
// file the main thread (hashing from the back) took, or the end of the queue.
const { claims, rawDigests } = workerData as { claims: Int32Array; rawDigests: Uint8Array };
const paths: string[] = [];
const sizes: number[] = [];
const buffer = Buffer.allocUnsafe(1024 * 1024);
let next = 0;
let finished = false;

parentPort?.on('message', (batch: { paths: string[]; sizes: number[]; end: boolean }) => {
  for (const path of batch.paths) paths.push(path);
  for (const size of batch.sizes) sizes.push(size);
  if (!finished) work(batch.end);
});

function work(end: boolean): void {
  for (; next < paths.length; next++) {
    if (Atomics.compareExchange(claims, next, CLAIM.free, CLAIM.worker) !== CLAIM.free) {
      done(); // the main thread took this one and every one after it
      return;
    }
    try {
      rawDigests.set(rawSha256OfFile(paths[next] as string, buffer, sizes[next]), next * RAW_DIGEST_BYTES);
      Atomics.store(claims, next, CLAIM.hashed);
    } catch {
      // Left claimed and unhashed: the main thread reads it again and reports why it failed.
    }
  }
  if (end) done();
}

function done(): void {
  finished = true;
  parentPort?.postMessage('done');
}
